//! The server's options and the rule that keeps it off the network unless
//! it is protected.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::auth::Credentials;
use super::feed::FramePublisher;
use super::server::{self, MjpegServer};
use crate::camera::CameraSource;
use crate::capture::JpegCapture;
use crate::error::{Error, ErrorKind, Result};

/// Where the server listens unless told otherwise.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// Options of an [`MjpegServer`]; [`start`](Self::start) or
/// [`start_feed`](Self::start_feed) it.
///
/// | option | default |
/// |---|---|
/// | [`listen`](Self::listen) | `127.0.0.1:8080` (loopback) |
/// | [`credentials`](Self::credentials) / [`no_auth`](Self::no_auth) | none; required off loopback |
/// | [`max_clients`](Self::max_clients) | 32 connections, 503 beyond |
/// | [`header_timeout`](Self::header_timeout) | 10 s for a request head, also the keep-alive idle time |
/// | [`write_timeout`](Self::write_timeout) | 10 s for a client to take a frame |
/// | [`quality`](Self::quality) | JPEG quality 85 |
/// | [`send_buffer`](Self::send_buffer) | 256 KiB per connection |
/// | [`handle_signals`](Self::handle_signals) | off |
/// | `h264_settings` (feature `h264`) | 2 Mbit/s, a key frame every 30 frames, the source's nominal rate |
#[derive(Debug)]
#[must_use]
pub struct MjpegServerBuilder {
    pub(crate) listen: SocketAddr,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) no_auth: bool,
    pub(crate) max_clients: usize,
    pub(crate) header_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) shutdown_grace: Duration,
    pub(crate) encoder: Result<JpegCapture>,
    pub(crate) send_buffer: Option<u32>,
    pub(crate) handle_signals: bool,
    #[cfg(feature = "h264")]
    pub(crate) h264: Option<crate::h264::H264Settings>,
}

impl Default for MjpegServerBuilder {
    fn default() -> MjpegServerBuilder {
        MjpegServerBuilder {
            listen: DEFAULT_LISTEN,
            credentials: None,
            no_auth: false,
            max_clients: 32,
            header_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(3),
            encoder: JpegCapture::new(85),
            send_buffer: Some(256 * 1024),
            handle_signals: false,
            #[cfg(feature = "h264")]
            h264: None,
        }
    }
}

impl MjpegServerBuilder {
    /// The address to listen on (port 0 picks a free port; see
    /// [`MjpegServer::local_addr`]). An address other than loopback needs
    /// [`credentials`](Self::credentials) or [`no_auth`](Self::no_auth).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Requires HTTP Basic authentication with these credentials on every
    /// route.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Allows listening on an address other than loopback without
    /// credentials: anyone who can reach the port sees the camera.
    pub fn no_auth(mut self, no_auth: bool) -> Self {
        self.no_auth = no_auth;
        self
    }

    /// Most connections served at once (at least 1); more are answered 503.
    pub fn max_clients(mut self, n: usize) -> Self {
        self.max_clients = n.max(1);
        self
    }

    /// Longest wait for a request head, from the connection or from the end
    /// of the previous response: slow-header and idle clients are cut after
    /// it. At least 1 ms.
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Longest time a client may take to receive a frame once the
    /// connection's send buffer is full; a stalled client is dropped after
    /// it. At least 1 ms.
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How long a shutdown waits for clients to receive the end of their
    /// stream before closing them (default 3 s).
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// JPEG quality (1-100) for frames that are not JPEG already.
    pub fn quality(mut self, quality: u8) -> Self {
        self.encoder = JpegCapture::new(quality);
        self
    }

    /// The JPEG encoder for frames that are not JPEG already (its backend,
    /// subsampling, ...).
    pub fn encoder(mut self, encoder: JpegCapture) -> Self {
        self.encoder = Ok(encoder);
        self
    }

    /// The kernel send buffer of each connection (`None`: the system's,
    /// which grows to megabytes). A small buffer keeps a slow client close
    /// to the newest frame and lets a stalled one be noticed sooner.
    pub fn send_buffer(mut self, bytes: Option<u32>) -> Self {
        self.send_buffer = bytes;
        self
    }

    /// The settings of the one H.264 encoder behind `/stream.mp4` (feature
    /// `h264`): bitrate, key frame interval (how far a slow client jumps),
    /// threads. By default 2 Mbit/s, a key frame every 30 frames, at the
    /// source's nominal rate.
    #[cfg(feature = "h264")]
    #[cfg_attr(docsrs, doc(cfg(feature = "h264")))]
    pub fn h264_settings(mut self, settings: crate::h264::H264Settings) -> Self {
        self.h264 = Some(settings);
        self
    }

    /// Shuts the server down on SIGINT (Ctrl-C) and SIGTERM.
    pub fn handle_signals(mut self, on: bool) -> Self {
        self.handle_signals = on;
        self
    }

    /// Starts serving `source`: a capture thread reads it, encodes each
    /// frame once and publishes it; the server runs until it is shut down
    /// or the source ends.
    ///
    /// # Errors
    /// As [`start_feed`](Self::start_feed).
    pub fn start<S: CameraSource + Send + 'static>(self, source: S) -> Result<MjpegServer> {
        server::start(self, Some(Box::new(source))).map(|(server, _)| server)
    }

    /// Starts the server and returns the [`FramePublisher`] to feed it from
    /// your own loop.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an address other than loopback
    /// without credentials or `no_auth`, a bad quality or H.264 settings out
    /// of range; what binding the address fails with.
    pub fn start_feed(self) -> Result<(MjpegServer, FramePublisher)> {
        let (server, publisher) = server::start(self, None)?;
        let publisher = publisher.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                "the server has no feed to return",
            )
        })?;
        Ok((server, publisher))
    }
}

/// The rule [`MjpegServerBuilder::start`] applies before it binds: an
/// address other than loopback needs credentials or an explicit `no_auth`,
/// so the camera is never exposed beyond this machine by accident.
///
/// ```
/// use camreel::net::http::check_exposure;
/// assert!(check_exposure("127.0.0.1:8080".parse().unwrap(), false, false).is_ok());
/// assert!(check_exposure("0.0.0.0:8080".parse().unwrap(), false, false).is_err());
/// assert!(check_exposure("0.0.0.0:8080".parse().unwrap(), true, false).is_ok());
/// ```
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] saying why.
pub fn check_exposure(addr: SocketAddr, credentials: bool, no_auth: bool) -> Result<()> {
    let loopback = match addr.ip() {
        IpAddr::V4(ip) => ip.is_loopback(),
        IpAddr::V6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    };
    if loopback || credentials || no_auth {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "refusing to serve on {addr} without credentials: it is reachable from other machines"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_open_by_default() {
        for ok in [
            "127.0.0.1:80",
            "127.8.9.10:80",
            "[::1]:80",
            "[::ffff:127.0.0.1]:80",
        ] {
            check_exposure(ok.parse().unwrap(), false, false).unwrap();
        }
        for exposed in [
            "0.0.0.0:80",
            "192.168.1.2:80",
            "[::]:80",
            "[fe80::1]:80",
            "[::ffff:10.0.0.1]:80",
        ] {
            let e = check_exposure(exposed.parse().unwrap(), false, false).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.to_string().contains("without credentials"), "{e}");
            check_exposure(exposed.parse().unwrap(), true, false).unwrap();
            check_exposure(exposed.parse().unwrap(), false, true).unwrap();
        }
    }
}
