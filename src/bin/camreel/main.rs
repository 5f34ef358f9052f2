//! `camreel`: inspect, convert, record and decode camera recordings.
//!
//! Every subcommand lives in its own module and returns `camreel::Result`;
//! `main` prints an error as one line on stderr and exits 1.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod avi_io;
mod bin_io;
mod convert;
mod frames;
mod gif_io;
mod info;
mod json;
mod png_seq;
mod progress;
mod raw;
mod raw_io;
mod receive;
mod record;
mod send;
mod serve;
mod source_args;
mod unavailable;

/// Capture camera frames, record them and play them back.
#[derive(Parser, Debug)]
#[command(name = "camreel", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Describe a recording: ImageIO .bin, .avi or .gif.
    Info {
        /// The file to describe.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Convert between .bin, .avi, .gif, PNG sequences and raw captures.
    Convert(ConvertArgs),
    /// Record from a camera source to .bin, .avi or .gif.
    Record(RecordArgs),
    /// Decode a picamera raw capture (YUV420, RGB or JPEG+Bayer) to PNG.
    Raw(RawArgs),
    /// Compute per-frame motion vectors for a recording.
    Motion {
        /// Input recording.
        input: PathBuf,
        /// Output motion data file.
        output: PathBuf,
    },
    /// Serve a source as MJPEG over HTTP (page, stream, snapshots, stats).
    Serve(serve::ServeArgs),
    /// Stream a source to a receiver as length-prefixed JPEGs (picamera's network recipe).
    Send(send::SendArgs),
    /// Accept length-prefixed JPEG streams and record each to a file.
    Receive(receive::ReceiveArgs),
}

/// Options of `camreel convert`.
#[derive(clap::Args, Debug)]
struct ConvertArgs {
    /// Input: .bin, .avi, .gif, or a raw capture with --raw and --size.
    input: PathBuf,
    /// Output: .bin, .avi, .gif, or a PNG pattern such as frame%04d.png.
    output: PathBuf,
    /// JPEG quality 1-100 for .avi output.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    quality: Option<u8>,
    /// Output width in pixels (.avi, .gif).
    #[arg(long)]
    width: Option<u32>,
    /// Output height in pixels (.avi, .gif).
    #[arg(long)]
    height: Option<u32>,
    /// Output frame rate, overriding the recorded timing.
    #[arg(long)]
    fps: Option<f64>,
    /// First input frame to convert (0-based).
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Number of frames to convert (default: all).
    #[arg(long)]
    count: Option<u64>,
    /// Read the input as a raw capture: yuv420, rgb, bgr or bayer.
    #[arg(long)]
    raw: Option<String>,
    /// Size of a raw input, WxH.
    #[arg(long)]
    size: Option<String>,
    /// GIF palette: adaptive (default) or fixed.
    #[arg(long)]
    palette: Option<String>,
    /// GIF dithering.
    #[arg(long)]
    dither: bool,
}

/// Options of `camreel record`.
#[derive(clap::Args, Debug)]
struct RecordArgs {
    /// synthetic, replay:FILE, v4l2:/dev/videoN, rpi or tcp:ADDR.
    source: String,
    /// Output: .bin, .avi or .gif.
    output: PathBuf,
    /// Number of frames to record (default 100 unless --seconds is given).
    #[arg(long, conflicts_with = "seconds")]
    frames: Option<u64>,
    /// Seconds to record.
    #[arg(long)]
    seconds: Option<f64>,
    /// Capture size, WxH.
    #[arg(long)]
    size: Option<String>,
    /// Capture pixel format.
    #[arg(long)]
    format: Option<String>,
    /// Capture frame rate (the synthetic camera defaults to 30).
    #[arg(long)]
    fps: Option<f64>,
}

/// Options of `camreel raw`.
#[derive(clap::Args, Debug)]
struct RawArgs {
    /// The raw capture.
    input: PathBuf,
    /// Output PNG.
    output: PathBuf,
    /// yuv420, rgb or bayer.
    #[arg(long)]
    format: String,
    /// Requested capture size, WxH (required for yuv420 and rgb).
    #[arg(long)]
    size: Option<String>,
    /// Demosaic algorithm for bayer: average, bilinear or mhc.
    #[arg(long)]
    demosaic: Option<String>,
    /// Output bit depth, 8 or 16.
    #[arg(long, default_value_t = 8)]
    depth: u8,
}

/// Parses `WxH` (such as `640x480`).
pub(crate) fn parse_size(s: &str) -> camreel::Result<(u32, u32)> {
    let bad = || {
        camreel::Error::new(
            camreel::ErrorKind::InvalidArgument,
            format!("size {s:?} is not WIDTHxHEIGHT, such as 640x480"),
        )
    };
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    if w == 0 || h == 0 {
        return Err(bad());
    }
    Ok((w, h))
}

fn run(cli: Cli) -> camreel::Result<()> {
    match cli.command {
        Command::Info { file, json } => info::run(&file, json),
        Command::Convert(args) => convert::run(&args),
        Command::Record(args) => record::run(&args),
        Command::Raw(args) => raw::run(&args),
        Command::Motion { .. } => unavailable::later("`camreel motion`", "the motion-vector issue"),
        Command::Serve(args) => serve::run(&args),
        Command::Send(args) => send::run(&args),
        Command::Receive(args) => receive::run(&args),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("camreel: {err}");
            ExitCode::FAILURE
        }
    }
}
