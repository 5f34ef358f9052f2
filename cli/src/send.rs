//! `camreel send SOURCE HOST:PORT`: a camera source to a receiver as
//! picamera's length-prefixed JPEG stream, ended by the zero length.
//!
//! Frames go through the library's recording loop (`camreel::record`) into
//! a `camreel::net::JpegStreamWriter`. SIGINT, SIGTERM or SIGHUP end the
//! stream cleanly (the receiver gets the zero length and keeps every
//! frame); the process then exits with 128 + the signal's number.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use camreel::net::JpegStreamWriter;
use camreel::net::tcp::{self, TcpOptions};
use camreel::record::{Failed, RecordOptions, record};
use camreel::sink::FrameSink;
use camreel::{Error, ErrorKind, Result};

use crate::args;
use crate::source_args::SourceArgs;

/// JPEG quality when `--quality` is not given.
pub const DEFAULT_QUALITY: u8 = 85;

/// Options of `camreel send`.
#[derive(clap::Args, Debug)]
pub struct SendArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The receiver, HOST:PORT (`camreel receive`, picamera's server recipe).
    pub dest: String,
    /// Number of frames to send (default: until the source ends or a signal).
    #[arg(long, conflicts_with = "seconds")]
    pub frames: Option<u64>,
    /// Seconds to send (frames whose timestamps fall within them).
    #[arg(long, value_parser = args::seconds)]
    pub seconds: Option<Duration>,
    /// JPEG quality 1-100 for frames that are not JPEG already.
    #[arg(long, default_value_t = DEFAULT_QUALITY, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,
}

/// The signals that end the stream.
const STOP_SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
];

/// Runs `camreel send`.
pub fn run(a: &SendArgs) -> Result<ExitCode> {
    if a.frames == Some(0) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "--frames 0: nothing to send",
        ));
    }
    let mut source = a.source.open()?;
    let socket = tcp::connect(&a.dest, &TcpOptions::default())?;
    let mut stream = JpegStreamWriter::new(socket, a.quality)?;

    // The first signal stops before the next frame; a second one aborts.
    let signal = Arc::new(AtomicUsize::new(0));
    let stopping = Arc::new(AtomicBool::new(false));
    for sig in STOP_SIGNALS {
        signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, Arc::clone(&stopping))
            .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&stopping)))
            .and_then(|_| signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize))
            .map_err(|e| Error::io("installing the signal handlers", e))?;
    }
    let mut options = RecordOptions::new().stop_flag(Arc::clone(&stopping));
    if let Some(n) = a.frames {
        options = options.limit(n);
    }
    if let Some(s) = a.seconds {
        options = options.duration(s);
    }

    let start = Instant::now();
    let recorded = record(&mut source, &mut stream, &options);
    // The zero length goes out whatever happened, so the receiver keeps
    // every frame it got.
    let ended = stream.finish();
    let stats = match recorded {
        Ok(stats) => stats,
        Err(e) => {
            let label = match e.failed {
                Failed::Source => &a.source.source,
                Failed::Sink => &a.dest,
            };
            return Err(e.error.context(label));
        }
    };
    ended.map_err(|e| e.context(&a.dest))?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "sent {} frames ({} bytes) to {} in {secs:.2} s at {:.2} fps",
        stats.frames,
        stream.bytes(),
        a.dest,
        if secs > 0.0 {
            stats.frames as f64 / secs
        } else {
            0.0
        }
    );
    match signal.load(Ordering::Relaxed) {
        0 => Ok(ExitCode::SUCCESS),
        sig => Ok(ExitCode::from(u8::try_from(128 + sig).unwrap_or(1))),
    }
}
