//! TCP helpers for the length-prefixed stream: connect, listen and accept
//! with timeouts, so that a silent peer is an error instead of a hang.
//!
//! ```no_run
//! use camreel::net::tcp::{self, TcpOptions};
//! use camreel::net::JpegStreamSource;
//!
//! // The receiving side of picamera's recipe: listen, take one sender.
//! let listener = tcp::listen("0.0.0.0:8000")?;
//! let (socket, peer) = tcp::accept(&listener, &TcpOptions::default())?;
//! let camera = JpegStreamSource::new(socket)?;
//! println!("{peer} sends {:?}", camera);
//! # Ok::<(), camreel::Error>(())
//! ```

use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};

/// Timeouts and options applied to a connected socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpOptions {
    /// Longest wait for a connection to be established (`None`: the
    /// operating system's, often minutes).
    pub connect_timeout: Option<Duration>,
    /// Longest wait for data from the peer before a read fails with
    /// [`ErrorKind::Timeout`] (`None`: wait forever).
    pub read_timeout: Option<Duration>,
    /// Longest wait for the peer to take data before a write fails with
    /// [`ErrorKind::Timeout`] (`None`: wait forever).
    pub write_timeout: Option<Duration>,
    /// Send small writes at once (`TCP_NODELAY`): frames leave as soon as
    /// they are written.
    pub nodelay: bool,
}

impl Default for TcpOptions {
    /// 10 s to connect, 30 s for reads and writes, `TCP_NODELAY` on.
    fn default() -> TcpOptions {
        TcpOptions {
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(Duration::from_secs(30)),
            write_timeout: Some(Duration::from_secs(30)),
            nodelay: true,
        }
    }
}

fn invalid_addr(addr: &str, why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("address {addr:?}: {why} (expected HOST:PORT, such as 127.0.0.1:8000)"),
    )
}

/// The socket addresses `addr` (`HOST:PORT`) names.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for a malformed address or a host name
/// that does not resolve.
pub fn resolve(addr: &str) -> Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| invalid_addr(addr, e))?
        .collect();
    if addrs.is_empty() {
        return Err(invalid_addr(addr, "names no address"));
    }
    Ok(addrs)
}

/// Applies `options` (all but the connect timeout) to `stream`.
///
/// # Errors
/// What the operating system reports.
pub fn configure(stream: &TcpStream, options: &TcpOptions) -> Result<()> {
    let zero = |d: Option<Duration>| d.filter(|d| !d.is_zero());
    stream
        .set_read_timeout(zero(options.read_timeout))
        .and_then(|()| stream.set_write_timeout(zero(options.write_timeout)))
        .and_then(|()| stream.set_nodelay(options.nodelay))
        .map_err(|e| Error::io("setting socket options", e))
}

/// Connects to `addr` (`HOST:PORT`), trying each address it resolves to
/// within the connect timeout, and applies `options`.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for a bad address;
/// [`ErrorKind::Timeout`] when no address answered in time; the last
/// connection error otherwise (refused, unreachable).
pub fn connect(addr: &str, options: &TcpOptions) -> Result<TcpStream> {
    let mut last = None;
    for a in resolve(addr)? {
        let attempt = match options.connect_timeout.filter(|d| !d.is_zero()) {
            Some(t) => TcpStream::connect_timeout(&a, t),
            None => TcpStream::connect(a),
        };
        match attempt {
            Ok(stream) => {
                configure(&stream, options)?;
                return Ok(stream);
            }
            Err(e) => last = Some(e),
        }
    }
    let e = last.unwrap_or_else(|| std::io::ErrorKind::AddrNotAvailable.into());
    Err(Error::io(format!("connecting to {addr}"), e))
}

/// Listens on `addr` (`HOST:PORT`; port 0 picks a free port, see
/// [`TcpListener::local_addr`]).
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for a bad address; what binding fails
/// with (address in use, permission denied).
pub fn listen(addr: &str) -> Result<TcpListener> {
    let addrs = resolve(addr)?;
    TcpListener::bind(&addrs[..]).map_err(|e| Error::io(format!("listening on {addr}"), e))
}

/// Waits for the next connection on `listener` and applies `options` to it.
///
/// # Errors
/// What accepting or configuring fails with.
pub fn accept(listener: &TcpListener, options: &TcpOptions) -> Result<(TcpStream, SocketAddr)> {
    let (stream, peer) = listener
        .accept()
        .map_err(|e| Error::io("accepting a connection", e))?;
    configure(&stream, options).map_err(|e| e.context(peer))?;
    Ok((stream, peer))
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    #[test]
    fn connect_accept_and_time_out() {
        let listener = listen("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let mut client = connect(&addr, &TcpOptions::default()).unwrap();
        let options = TcpOptions {
            read_timeout: Some(Duration::from_millis(50)),
            ..TcpOptions::default()
        };
        let (mut server, peer) = accept(&listener, &options).unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        assert!(server.nodelay().unwrap());
        client.write_all(b"hi").unwrap();
        let mut buf = [0; 2];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hi");
        // Nothing more comes: the read times out instead of hanging.
        let e = Error::from(server.read(&mut buf).unwrap_err());
        assert_eq!(e.kind(), ErrorKind::Timeout);
    }

    #[test]
    fn bad_addresses_and_refusals_are_clear() {
        for bad in ["", "nohost", "127.0.0.1", "127.0.0.1:99999"] {
            let e = connect(bad, &TcpOptions::default()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad}: {e}");
            assert!(e.to_string().contains("expected HOST:PORT"), "{e}");
        }
        // A port nobody listens on: bind one, close it, connect.
        let port = listen("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let e = connect(&format!("127.0.0.1:{port}"), &TcpOptions::default()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("connecting to 127.0.0.1:{port}: ")),
            "{e}"
        );
    }
}
