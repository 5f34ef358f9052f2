//! `camreel send SOURCE HOST:PORT`: a camera source to a receiver as
//! picamera's length-prefixed JPEG stream, ended by the zero length.

use std::time::Instant;

use camreel::camera::CameraSource;
use camreel::net::JpegStreamWriter;
use camreel::net::tcp::{self, TcpOptions};
use camreel::sink::FrameSink;
use camreel::{Error, ErrorKind, Result};

use crate::source_args::{SourceArgs, parse_seconds};

/// Options of `camreel send`.
#[derive(clap::Args, Debug)]
pub struct SendArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The receiver, HOST:PORT (`camreel receive`, picamera's server recipe).
    pub dest: String,
    /// Number of frames to send (default: until the source ends).
    #[arg(long, conflicts_with = "seconds")]
    pub frames: Option<u64>,
    /// Seconds to send.
    #[arg(long)]
    pub seconds: Option<f64>,
    /// JPEG quality 1-100 for frames that are not JPEG already.
    #[arg(long, default_value_t = 85, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,
}

/// Runs `camreel send`.
pub fn run(args: &SendArgs) -> Result<()> {
    let seconds = parse_seconds(args.seconds)?;
    if args.frames == Some(0) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "--frames 0: nothing to send",
        ));
    }
    let mut source = args.source.open()?;
    let socket = tcp::connect(&args.dest, &TcpOptions::default())?;
    let mut stream = JpegStreamWriter::new(socket, args.quality)?;
    let start = Instant::now();
    while args.frames.is_none_or(|n| stream.frames() < n)
        && seconds.is_none_or(|s| start.elapsed() < s)
    {
        let frame = match source.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(e) => {
                // End the stream cleanly: the receiver keeps what it got.
                let sent = stream.frames();
                let _ = stream.finish();
                return Err(e.context(format!("{}: frame {sent}", args.source.source)));
            }
        };
        stream
            .write_frame(&frame)
            .map_err(|e| e.context(&args.dest))?;
    }
    stream.finish().map_err(|e| e.context(&args.dest))?;
    let secs = start.elapsed().as_secs_f64();
    let n = stream.frames();
    println!(
        "sent {n} frames ({} bytes) to {} in {secs:.2} s at {:.2} fps",
        stream.bytes(),
        args.dest,
        if secs > 0.0 { n as f64 / secs } else { 0.0 }
    );
    Ok(())
}
