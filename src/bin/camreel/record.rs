//! `camreel record SOURCE OUT`: frames from a camera source to a recording.
//!
//! Frames go through the same [`FrameOutput`]s as `camreel convert`
//! ([`frames::create_output`]), so both commands write files the same way.

use std::time::{Duration, Instant};

use camreel::camera::{self, SourceConfig};
use camreel::capture::FrameIntervals;
use camreel::{Error, ErrorKind, PixelFormat, Result, convert};

use crate::frames::{self, FileKind, Frame, FrameOutput, OutputOptions};
use crate::progress::Progress;
use crate::{RecordArgs, parse_size};

/// Frames recorded when neither `--frames` nor `--seconds` is given.
pub const DEFAULT_FRAMES: u64 = 100;

/// Frame rate of the synthetic camera when `--fps` is not given.
pub const DEFAULT_SYNTHETIC_FPS: f64 = 30.0;

/// Runs `camreel record`.
pub fn run(args: &RecordArgs) -> Result<()> {
    if let Some(fps) = args.fps
        && !(fps.is_finite() && fps > 0.0 && fps <= 1000.0)
    {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("--fps {fps} is out of range (expected more than 0, up to 1000)"),
        ));
    }
    let seconds = match args.seconds {
        Some(s) if !(s.is_finite() && s > 0.0 && s <= 86_400.0) => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("--seconds {s} is out of range (expected more than 0, up to 86400)"),
            ));
        }
        Some(s) => Some(Duration::from_secs_f64(s)),
        None => None,
    };
    if args.frames == Some(0) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "--frames 0: nothing to record",
        ));
    }
    let frame_limit = match (args.frames, seconds) {
        (Some(n), _) => Some(n),
        (None, Some(_)) => None,
        (None, None) => Some(DEFAULT_FRAMES),
    };
    let format: Option<PixelFormat> = args.format.as_deref().map(str::parse).transpose()?;
    let synthetic = args.source == "synthetic";
    if args.source.starts_with("replay:") && (args.size.is_some() || format.is_some()) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "--size and --format do not apply to replay: sources (the recording gives them)",
        ));
    }
    let config = SourceConfig {
        size: args.size.as_deref().map(parse_size).transpose()?,
        format,
        fps: args.fps.or(synthetic.then_some(DEFAULT_SYNTHETIC_FPS)),
        // A replayed recording is copied as fast as it can be read; its
        // recorded intervals are kept through the frame timestamps.
        ..SourceConfig::default()
    };
    // An ImageIO file stores OpenMV formats only: frames in another format
    // (the synthetic camera's RGB888) are stored as JPEG unless the user
    // asked for a format explicitly.
    let store_as = (format.is_none() && FileKind::of(&args.output)? == FileKind::Bin)
        .then_some(PixelFormat::Jpeg);
    let mut source = camera::open(&args.source, &config)?;
    let options = OutputOptions {
        fps: args.fps,
        ..OutputOptions::default()
    };
    let mut progress = Progress::new("recording", frame_limit);
    let mut output: Option<Box<dyn FrameOutput>> = None;
    let start = Instant::now();
    let mut intervals = FrameIntervals::new();
    let mut recorded = 0u64;
    while frame_limit.is_none_or(|n| recorded < n) {
        if seconds.is_some_and(|s| start.elapsed() >= s) {
            break;
        }
        let Some(frame) = source
            .next_frame()
            .map_err(|e| e.context(format!("{}: frame {recorded}", args.source)))?
        else {
            break;
        };
        // Intervals from the source's timestamps; the first frame's is the
        // time since recording started.
        let step = intervals.next(frame.timestamp);
        let elapsed_ms = if recorded == 0 {
            u32::try_from(start.elapsed().as_millis()).unwrap_or(u32::MAX)
        } else {
            step
        };
        let image = match store_as {
            Some(target) if frame.image.format().code().is_none() => {
                convert::convert(frame.image, target)?
            }
            _ => frame.image.to_image(),
        };
        let frame = Frame { image, elapsed_ms };
        let out = match &mut output {
            Some(out) => out,
            None => output.insert(frames::create_output(&args.output, &options, &frame)?),
        };
        out.write_frame(&frame)
            .map_err(|e| e.context(format!("writing frame {recorded}")))?;
        recorded += 1;
        progress.tick();
    }
    progress.finish();
    match output {
        Some(out) => out.finish().map(|_| ()),
        None => Err(Error::new(
            ErrorKind::EndOfStream,
            format!("{}: the source delivered no frames", args.source),
        )),
    }
}
