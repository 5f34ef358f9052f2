//! `camreel record SOURCE OUT`: frames from a camera source to a recording.
//!
//! Frames go through the same [`FrameOutput`]s as `camreel convert`
//! ([`frames::create_output`]), so both commands write files the same way.

use std::path::Path;
use std::time::{Duration, Instant};

use camreel::camera::{self, CameraSource, SourceConfig};
use camreel::timing::Ticks;
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
    // An AVI has one constant rate: a paced source's nominal rate (exactly
    // 30, say) rather than the one the millisecond intervals approximate.
    let avi = FileKind::of(&args.output)? == FileKind::Avi;
    let fps = args.fps.or(source.format().fps.filter(|_| avi));
    let plan = Plan {
        label: &args.source,
        output: &args.output,
        options: OutputOptions {
            fps,
            ..OutputOptions::default()
        },
        store_as,
        frame_limit,
        seconds,
    };
    record(source.as_mut(), &plan).map(|_| ())
}

/// What to record, from the command line.
struct Plan<'a> {
    /// The source as the user named it, for messages.
    label: &'a str,
    output: &'a Path,
    options: OutputOptions,
    /// Frames in a format without an OpenMV code are converted to this.
    store_as: Option<PixelFormat>,
    frame_limit: Option<u64>,
    seconds: Option<Duration>,
}

/// Records from `source` as `plan` says; returns the number of frames.
///
/// When the source fails part way (a camera unplugged, a timeout), the
/// frames already recorded are kept: the output is finished (index,
/// trailer, last frame) before the error is returned.
fn record(source: &mut dyn CameraSource, plan: &Plan<'_>) -> Result<u64> {
    let mut progress = Progress::new("recording", plan.frame_limit);
    let mut output: Option<Box<dyn FrameOutput>> = None;
    let start = Instant::now();
    let mut intervals = Ticks::new(Ticks::MILLIS);
    let mut recorded = 0u64;
    while plan.frame_limit.is_none_or(|n| recorded < n) {
        if plan.seconds.is_some_and(|s| start.elapsed() >= s) {
            break;
        }
        let frame = match source.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(e) => {
                progress.finish();
                let e = e.context(format!("{}: frame {recorded}", plan.label));
                return Err(match output.take() {
                    None => e,
                    Some(out) => match out.finish() {
                        Ok(n) => e.context(format!(
                            "the {n} frames before it are saved in {}",
                            plan.output.display()
                        )),
                        Err(fe) => e.context(format!(
                            "finishing {} failed too ({fe})",
                            plan.output.display()
                        )),
                    },
                });
            }
        };
        // Intervals from the source's timestamps; the first frame's is the
        // time since recording started.
        let step = u32::try_from(intervals.step(frame.timestamp)).unwrap_or(u32::MAX);
        let elapsed_ms = if recorded == 0 {
            u32::try_from(start.elapsed().as_millis()).unwrap_or(u32::MAX)
        } else {
            step
        };
        let image = match plan.store_as {
            Some(target) if frame.image.format().code().is_none() => {
                convert::convert(frame.image, target)?
            }
            _ => frame.image.to_image(),
        };
        let frame = Frame { image, elapsed_ms };
        let out = match &mut output {
            Some(out) => out,
            None => output.insert(frames::create_output(plan.output, &plan.options, &frame)?),
        };
        out.write_frame(&frame)
            .map_err(|e| e.context(format!("writing frame {recorded}")))?;
        recorded += 1;
        progress.tick();
    }
    progress.finish();
    match output {
        Some(out) => out.finish(),
        None => Err(Error::new(
            ErrorKind::EndOfStream,
            format!("{}: the source delivered no frames", plan.label),
        )),
    }
}

#[cfg(test)]
mod tests {
    use camreel::camera::synthetic::SyntheticCamera;
    use camreel::camera::{Frame as CameraFrame, StreamFormat};

    use super::*;

    /// A camera that goes away after `left` frames.
    struct Unplugged {
        camera: SyntheticCamera,
        left: u32,
    }

    impl CameraSource for Unplugged {
        fn format(&self) -> StreamFormat {
            self.camera.format()
        }

        fn next_frame(&mut self) -> Result<Option<CameraFrame<'_>>> {
            if self.left == 0 {
                return Err(Error::new(ErrorKind::Disconnected, "the device went away"));
            }
            self.left -= 1;
            self.camera.next_frame()
        }
    }

    fn frames_in(path: &Path) -> u64 {
        let mut input = frames::open_input(path, None).unwrap();
        let mut n = 0;
        while input.next_frame().unwrap().is_some() {
            n += 1;
        }
        n
    }

    #[test]
    fn frames_recorded_before_a_source_error_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["clip.gif", "clip.avi", "clip.bin"] {
            let path = dir.path().join(name);
            let mut source = Unplugged {
                camera: SyntheticCamera::builder().size(32, 24).build().unwrap(),
                left: 5,
            };
            let plan = Plan {
                label: "test",
                output: &path,
                options: OutputOptions::default(),
                store_as: Some(PixelFormat::Jpeg),
                frame_limit: Some(100),
                seconds: None,
            };
            let e = record(&mut source, &plan).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Disconnected, "{name}: {e}");
            assert_eq!(
                e.to_string(),
                format!(
                    "the 5 frames before it are saved in {}: test: frame 5: the device went away",
                    path.display()
                )
            );
            // The output was finished: every recorded frame reads back.
            assert_eq!(frames_in(&path), 5, "{name}");
        }
    }

    #[test]
    fn a_source_error_before_any_frame_creates_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.avi");
        let mut source = Unplugged {
            camera: SyntheticCamera::builder().size(8, 8).build().unwrap(),
            left: 0,
        };
        let plan = Plan {
            label: "test",
            output: &path,
            options: OutputOptions::default(),
            store_as: None,
            frame_limit: None,
            seconds: None,
        };
        let e = record(&mut source, &plan).unwrap_err();
        assert_eq!(e.to_string(), "test: frame 0: the device went away");
        assert!(!path.exists());
    }
}
