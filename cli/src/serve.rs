//! `camreel serve SOURCE`: MJPEG over HTTP (feature `http`), loopback by
//! default. SIGINT and SIGTERM end every stream cleanly and exit 0 (the
//! normal way to stop a server).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use camreel::Result;

use crate::args;
use crate::source_args::SourceArgs;

/// Environment variable holding `user:password` (kept out of `ps`).
#[cfg(feature = "http")]
pub const AUTH_ENV: &str = "CAMREEL_AUTH";

/// Options of `camreel serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Address to listen on (port 0 picks one; the URL is printed). Any
    /// address but loopback needs credentials or --no-auth.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Require HTTP Basic authentication as USER:PASSWORD (visible in `ps`:
    /// prefer --auth-file or the CAMREEL_AUTH environment variable).
    #[arg(long, conflicts_with_all = ["auth_file", "no_auth"])]
    pub auth: Option<String>,
    /// Read USER:PASSWORD from the first line of a file.
    #[arg(long, conflicts_with = "no_auth")]
    pub auth_file: Option<PathBuf>,
    /// Serve without authentication on an address other than loopback.
    #[arg(long)]
    pub no_auth: bool,
    /// Most connections at once; more are answered 503.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub max_clients: u64,
    /// JPEG quality 1-100 for frames that are not JPEG already.
    #[arg(long, default_value_t = 85, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,
    /// Seconds a client has to send its request head (also the keep-alive
    /// idle time), and to take each frame before it is dropped.
    #[arg(long, default_value = "10", value_parser = args::seconds)]
    pub timeout: Duration,
    /// Bitrate of the live H.264 at /stream.mp4 in bits per second (feature
    /// h264; default 2000000).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=240_000_000))]
    pub bitrate: Option<u32>,
    /// Frames from one key frame to the next at /stream.mp4 (feature h264;
    /// default 30): a client joins, and a slow one catches up, at a key frame.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub intra_period: Option<u32>,
}

/// The H.264 settings of `/stream.mp4` when `--bitrate` or
/// `--intra-period` is given, at the source's nominal rate.
#[cfg(all(feature = "http", feature = "h264"))]
fn h264_settings(a: &ServeArgs, fps: Option<f64>) -> Option<camreel::h264::H264Settings> {
    use camreel::h264::{H264Settings, RateControl};
    if a.bitrate.is_none() && a.intra_period.is_none() {
        return None;
    }
    let mut s = H264Settings::default();
    if let Some(rate) = fps.and_then(|f| camreel::timing::FrameRate::from_fps(f).ok()) {
        s = s.frame_rate(rate);
    }
    if let Some(b) = a.bitrate {
        s = s.rate_control(RateControl::Bitrate(b));
    }
    if let Some(n) = a.intra_period {
        s = s.intra_period(n);
    }
    Some(s)
}

/// Runs `camreel serve`.
#[cfg(feature = "http")]
pub fn run(a: &ServeArgs) -> Result<ExitCode> {
    use std::io::Write;

    use camreel::Error;
    use camreel::net::http::{Credentials, MjpegServer, check_exposure};
    use camreel::net::tcp;

    let credentials = match (&a.auth, &a.auth_file) {
        (Some(auth), _) => Some(Credentials::parse(auth).map_err(|e| e.context("--auth"))?),
        (None, Some(file)) => Some(Credentials::from_file(file)?),
        (None, None) if a.no_auth => None,
        (None, None) => Credentials::from_env(AUTH_ENV)?,
    };
    let listen = tcp::resolve(&a.listen)?[0];
    // Before the source is opened (a tcp: source waits for its sender).
    check_exposure(listen, credentials.is_some(), a.no_auth).map_err(|e| {
        Error::new(
            e.kind(),
            format!("{e} (use --auth USER:PASSWORD, --auth-file FILE, {AUTH_ENV} or --no-auth)"),
        )
    })?;
    let mut builder = MjpegServer::builder()
        .listen(listen)
        .no_auth(a.no_auth)
        .max_clients(usize::try_from(a.max_clients).unwrap_or(usize::MAX))
        .quality(a.quality)
        .header_timeout(a.timeout)
        .write_timeout(a.timeout)
        .handle_signals(true);
    if let Some(c) = credentials {
        builder = builder.credentials(c);
    }
    let source = a.source.open()?;
    #[cfg(feature = "h264")]
    if let Some(settings) = h264_settings(a, source.format().fps) {
        builder = builder.h264_settings(settings);
    }
    #[cfg(not(feature = "h264"))]
    if a.bitrate.is_some() || a.intra_period.is_some() {
        return Err(Error::new(
            camreel::ErrorKind::BackendUnavailable,
            "--bitrate and --intra-period set the H.264 of /stream.mp4, which is not compiled in (rebuild with `--features h264`)",
        ));
    }
    let server = builder.start(source)?;
    println!(
        "serving {} on http://{}/",
        a.source.source,
        server.local_addr()
    );
    let _ = std::io::stdout().flush();
    server.wait().map_err(|e| e.context(&a.source.source))?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `camreel serve`: not compiled in.
#[cfg(not(feature = "http"))]
pub fn run(_a: &ServeArgs) -> Result<ExitCode> {
    Err(camreel::Error::new(
        camreel::ErrorKind::BackendUnavailable,
        "`camreel serve` needs the HTTP server, which is not compiled in (rebuild with `--features http`)",
    ))
}
