//! `camreel`: inspect, convert, record and decode camera recordings.
//!
//! Every subcommand lives in its own module and is a thin layer over the
//! library: inputs are `camreel::camera` sources (a file to convert is a
//! replayed recording), outputs are `camreel::output::FileSink`s, and
//! `record` and `convert` share one loop (`recording`). A usage error
//! (an unknown flag, a value clap cannot parse) exits 2 with clap's
//! message; a runtime error exits 1 with one line on stderr; a recording
//! stopped by a signal exits 128 + the signal's number.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use camreel::PixelFormat;
use camreel::timing::FrameRate;
use clap::{Parser, Subcommand, ValueEnum};

mod args;
mod convert;
mod copy;
mod events;
mod info;
mod info_avi;
mod info_bin;
mod info_gif;
mod info_video;
mod json;
mod motion;
mod progress;
mod raw;
mod receive;
mod record;
mod recording;
mod send;
mod serve;
mod source_args;

/// Capture camera frames, record them and play them back.
#[derive(Parser, Debug)]
#[command(name = "camreel", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Describe a recording: ImageIO .bin, .avi, .gif, .h264 or .mp4.
    Info {
        /// The file to describe.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// The rate of a raw .h264 stream (it has no timing of its own).
        #[arg(long, value_parser = args::fps)]
        fps: Option<FrameRate>,
    },
    /// Convert between .bin, .avi, .gif, .h264, .mp4, PNG sequences and raw captures.
    Convert(ConvertArgs),
    /// Record from a camera source to .bin, .avi, .gif, .h264, .mp4 or PNG frames.
    Record(RecordArgs),
    /// Decode a picamera raw capture (YUV420, RGB or JPEG+Bayer) to PNG.
    Raw(RawArgs),
    /// Motion vectors (picamera's layout) for every frame of a recording.
    Motion(MotionArgs),
    /// Stream a source to a receiver as length-prefixed JPEGs (picamera's network recipe).
    Send(send::SendArgs),
    /// Accept length-prefixed JPEG streams and record each to a file.
    Receive(receive::ReceiveArgs),
    /// Serve a source as MJPEG over HTTP: page, stream, snapshots, stats (feature http).
    Serve(serve::ServeArgs),
}

/// GIF palettes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Palette {
    /// A palette per frame, built from its colours.
    Adaptive,
    /// OpenMV's fixed 7-bit palette.
    Fixed,
}

/// Raw capture formats for `convert --raw`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum RawInputFormat {
    /// picamera's 'yuv': padded YUV420 planes.
    Yuv420,
    /// picamera's 'rgb'.
    Rgb,
    /// picamera's 'bgr'.
    Bgr,
    /// A JPEG with the raw Bayer block appended.
    Bayer,
}

/// Output options shared by `convert` and `record`.
#[derive(clap::Args, Debug, Default)]
struct OutputArgs {
    /// JPEG quality 1-100 of encoded frames (.avi; .bin frames with no
    /// OpenMV code are stored as JPEG of this quality instead of PNG).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    quality: Option<u8>,
    /// Output width in pixels (.avi, .gif).
    #[arg(long)]
    width: Option<u32>,
    /// Output height in pixels (.avi, .gif).
    #[arg(long)]
    height: Option<u32>,
    /// GIF palette.
    #[arg(long, value_enum)]
    palette: Option<Palette>,
    /// GIF dithering (Floyd-Steinberg).
    #[arg(long)]
    dither: bool,
    /// H.264 bitrate in bits per second (.h264, .mp4; default 2000000).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=240_000_000))]
    bitrate: Option<u32>,
    /// H.264 frames from one key frame to the next (.h264, .mp4; default 30).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    intra_period: Option<u32>,
}

/// Options of `camreel convert`.
#[derive(clap::Args, Debug)]
struct ConvertArgs {
    /// Input: .bin, .avi, .gif, .h264, .mp4, or a raw capture with --raw (and --size).
    input: PathBuf,
    /// Output: .bin, .avi, .gif, .h264, .mp4, or a PNG pattern such as frame%04d.png.
    output: PathBuf,
    #[command(flatten)]
    out: OutputArgs,
    /// Output frame rate (1/86400 to 10000; 30000/1001 is exact), replacing
    /// the recorded timing (for a raw .h264 input: the input's rate).
    #[arg(long, value_parser = args::fps)]
    fps: Option<FrameRate>,
    /// First input frame to convert (0-based).
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Number of frames to convert (default: all).
    #[arg(long)]
    count: Option<u64>,
    /// Read the input as a picamera raw capture.
    #[arg(long, value_enum)]
    raw: Option<RawInputFormat>,
    /// Requested size of a raw YUV or RGB capture, WxH.
    #[arg(long, value_parser = args::size)]
    size: Option<(u32, u32)>,
}

/// Options of `camreel record`.
#[derive(clap::Args, Debug)]
struct RecordArgs {
    /// synthetic, replay:FILE, v4l2:/dev/videoN or rpi.
    source: String,
    /// Output: .bin, .avi, .gif, .h264, .mp4, or a PNG pattern such as frame%04d.png.
    #[arg(required_unless_present = "events", conflicts_with = "events")]
    output: Option<PathBuf>,
    #[command(flatten)]
    events: events::EventArgs,
    /// Number of frames to record (default 100 unless --seconds is given;
    /// with --events, until interrupted).
    #[arg(long, conflicts_with = "seconds")]
    frames: Option<u64>,
    /// Seconds to record (frames whose timestamps fall within them).
    #[arg(long, value_parser = args::seconds)]
    seconds: Option<Duration>,
    /// Capture size, WxH.
    #[arg(long, value_parser = args::size)]
    size: Option<(u32, u32)>,
    /// Capture pixel format.
    #[arg(long, value_parser = args::pixel_format(), hide_possible_values = true)]
    format: Option<PixelFormat>,
    /// Capture frame rate (1/86400 to 10000; the synthetic camera defaults to 30).
    #[arg(long, value_parser = args::fps)]
    fps: Option<FrameRate>,
    /// Also write the frames' motion vectors here (picamera's motion_output).
    #[arg(long)]
    motion_output: Option<PathBuf>,
    /// When the output falls behind the camera: drop the oldest queued
    /// frame, the newest, or block (the camera then drops frames itself).
    /// A replay: source is read as fast as the output takes it and loses
    /// nothing.
    #[arg(long = "drop", value_parser = args::overflow(), default_value = "oldest")]
    drop_policy: camreel::record::Overflow,
    #[command(flatten)]
    out: OutputArgs,
}

/// Options of `camreel motion`.
#[derive(clap::Args, Debug)]
struct MotionArgs {
    /// Input recording: .bin, .avi, .gif, .h264 or .mp4.
    input: PathBuf,
    /// Output motion data (x i8, y i8, sad u16 per macroblock, one extra column).
    output: PathBuf,
    /// Search range R in pixels (vectors up to +-R).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u8).range(1..=127))]
    search: u8,
    /// Write each frame's vector magnitudes as a PNG (a pattern such as mag%04d.png).
    #[arg(long)]
    png: Option<PathBuf>,
    /// Print one JSON line per frame (blocks moving, mean magnitude, the
    /// detector's verdict), then one per motion event.
    #[arg(long)]
    json: bool,
    /// The rate of a raw .h264 input.
    #[arg(long, value_parser = args::fps)]
    fps: Option<FrameRate>,
}

/// Raw capture formats `camreel raw` decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum RawFormat {
    /// picamera's 'yuv': padded YUV420 planes (needs --size).
    Yuv420,
    /// picamera's 'rgb' (needs --size).
    Rgb,
    /// A JPEG with the raw Bayer block appended.
    Bayer,
}

/// Demosaicing algorithms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DemosaicArg {
    /// The picamera recipe's 3x3 average.
    Average,
    /// Bilinear interpolation (the default).
    Bilinear,
    /// Malvar-He-Cutler (sharpest).
    Mhc,
}

/// Options of `camreel raw`.
#[derive(clap::Args, Debug)]
struct RawArgs {
    /// The raw capture.
    input: PathBuf,
    /// Output PNG.
    output: PathBuf,
    /// The capture's format.
    #[arg(long, value_enum)]
    format: RawFormat,
    /// Requested capture size, WxH (required for yuv420 and rgb).
    #[arg(long, value_parser = args::size)]
    size: Option<(u32, u32)>,
    /// Demosaic algorithm for bayer.
    #[arg(long, value_enum)]
    demosaic: Option<DemosaicArg>,
    /// Output bit depth.
    #[arg(long, default_value = "8", value_parser = ["8", "16"])]
    depth: String,
}

/// Checks that every output option given applies to `kind`, naming the
/// flag that does not.
fn check_output(
    options: &camreel::output::OutputOptions,
    kind: camreel::output::OutputKind,
) -> camreel::Result<()> {
    match options.unused_option(kind) {
        Some(name) => Err(camreel::Error::new(
            camreel::ErrorKind::InvalidArgument,
            format!(
                "{} does not apply to {} output",
                args::flag_of(name),
                kind.name()
            ),
        )),
        None => Ok(()),
    }
}

impl OutputArgs {
    /// The library's output options for these flags.
    fn options(&self) -> camreel::Result<camreel::output::OutputOptions> {
        let mut o = camreel::output::OutputOptions::new();
        if let Some(q) = self.quality {
            o = o.quality(q);
        }
        if let Some(w) = self.width {
            o = o.width(w);
        }
        if let Some(h) = self.height {
            o = o.height(h);
        }
        if let Some(p) = self.palette {
            o = o.palette(match p {
                Palette::Adaptive => camreel::gif::PaletteMode::Adaptive,
                Palette::Fixed => camreel::gif::PaletteMode::Fixed,
            });
        }
        if self.dither {
            o = o.dither(camreel::gif::Dither::ErrorDiffusion);
        }
        if self.bitrate.is_some() || self.intra_period.is_some() {
            let mut h264 = camreel::h264::H264Settings::default();
            if let Some(b) = self.bitrate {
                h264 = h264.rate_control(camreel::h264::RateControl::Bitrate(b));
            }
            if let Some(n) = self.intra_period {
                h264 = h264.intra_period(n);
            }
            o = o.h264(h264);
        }
        Ok(o)
    }
}

fn run(cli: Cli) -> camreel::Result<ExitCode> {
    match cli.command {
        Command::Info { file, json, fps } => {
            info::run(&file, json, fps).map(|()| ExitCode::SUCCESS)
        }
        Command::Convert(args) => convert::run(&args),
        Command::Record(args) => record::run(&args),
        Command::Raw(args) => raw::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Motion(args) => motion::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Send(args) => send::run(&args),
        Command::Receive(args) => receive::run(&args),
        Command::Serve(args) => serve::run(&args),
    }
}

/// A file grown past the size limit (`ulimit -f`) makes the write fail
/// with an error the recording handles (closing what it can, removing a
/// conversion's partial output) instead of killing the process with
/// SIGXFSZ, which would leave the output unfinished.
fn write_errors_instead_of_sigxfsz() {
    #[cfg(unix)]
    {
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        // Failing to install it keeps the default, which is no worse.
        let _ = signal_hook::flag::register(signal_hook::consts::SIGXFSZ, flag);
    }
}

fn main() -> ExitCode {
    write_errors_instead_of_sigxfsz();
    let cli = Cli::parse();
    // clap does not enforce `requires = "events"` when OUT (which
    // conflicts with --events) is given.
    if let Command::Record(a) = &cli.command
        && let Some(flag) = a.events.stray_flag()
    {
        <Cli as clap::CommandFactory>::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                format!("{flag} applies only with --events PATTERN"),
            )
            .exit();
    }
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("camreel: {err}");
            ExitCode::FAILURE
        }
    }
}
