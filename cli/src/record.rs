//! `camreel record SOURCE OUT`: frames from a camera source to a recording.

use std::process::ExitCode;

use camreel::error::quote_path;
use camreel::output::{FileSink, OutputKind};
use camreel::record::RecordOptions;
use camreel::source::{self, SourceConfig};
use camreel::timing::FrameRate;
use camreel::{Error, ErrorKind, Result};

use crate::recording::{self, Job};
use crate::{RecordArgs, args};

/// Frames recorded when neither `--frames` nor `--seconds` is given.
pub const DEFAULT_FRAMES: u64 = 100;

/// Frame rate of the synthetic camera when `--fps` is not given.
pub const DEFAULT_SYNTHETIC_FPS: u32 = 30;

/// JPEG quality of frames a `.bin` cannot store as they are (the synthetic
/// camera's RGB888), when `--quality` is not given.
pub const DEFAULT_BIN_QUALITY: u8 = 85;

/// Checks what `record` and `record --events` both refuse: no frames, and
/// a size or format for a replayed recording.
pub fn check_source_args(a: &RecordArgs) -> Result<()> {
    if a.frames == Some(0) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "--frames 0: nothing to record",
        ));
    }
    if a.source.starts_with("replay:") && (a.size.is_some() || a.format.is_some()) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "--size and --format do not apply to replay: sources (the recording gives them)",
        ));
    }
    Ok(())
}

/// The source's configuration from the flags (the synthetic camera at
/// [`DEFAULT_SYNTHETIC_FPS`] unless `--fps` says otherwise).
pub fn source_config(a: &RecordArgs) -> SourceConfig {
    let synthetic = a.source == "synthetic";
    SourceConfig {
        size: a.size,
        format: a.format,
        fps: a
            .fps
            .map(FrameRate::fps)
            .or(synthetic.then_some(f64::from(DEFAULT_SYNTHETIC_FPS))),
        ..SourceConfig::default()
    }
}

/// What helps an output of `kind` keep up with the camera.
fn keep_up_hint(kind: OutputKind) -> &'static str {
    match kind {
        OutputKind::Gif => {
            "A smaller --size, a lower --fps or a faster format (.avi, .mp4) would help."
        }
        OutputKind::Avi | OutputKind::ImageIo => {
            "A smaller --size, a lower --quality or a build with the turbojpeg feature would help."
        }
        OutputKind::H264 | OutputKind::Mp4 => {
            "A smaller --size, a lower --fps or a lower --bitrate would help."
        }
        _ => "A smaller --size or a faster format (.avi, .mp4) would help.",
    }
}

/// Runs `camreel record`.
pub fn run(a: &RecordArgs) -> Result<ExitCode> {
    if a.events.events.is_some() {
        return crate::events::run(a);
    }
    let Some(output) = a.output.as_deref() else {
        return Err(Error::new(ErrorKind::InvalidArgument, "OUT is missing"));
    };
    check_source_args(a)?;
    if let Some(file) = a.source.strip_prefix("replay:") {
        args::refuse_same_file(std::path::Path::new(file), output)?;
    }
    let kind = OutputKind::of(output)?;
    if kind == OutputKind::ImageIo
        && let Some(format) = a.format
        && format.code().is_none()
    {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "--format {}: a .bin stores OpenMV formats only (grayscale, rgb565, yuv422, bayer_*, jpeg, png); choose one of those or record to .avi, .gif or PNG frames",
                format.name().to_ascii_lowercase()
            ),
        ));
    }
    let config = source_config(a);
    let source = source::open(&a.source, &config)?;
    let mut out = a.out.options()?;
    if kind == OutputKind::ImageIo && a.out.quality.is_none() {
        out = out.quality(DEFAULT_BIN_QUALITY);
    }
    // A fixed-rate output takes the source's nominal rate (exactly 30, say)
    // rather than one measured from the timestamps.
    let nominal = a.fps.or_else(|| {
        source
            .format()
            .fps
            .and_then(|fps| FrameRate::from_fps(fps).ok())
    });
    if let Some(rate) = nominal
        && matches!(
            kind,
            OutputKind::Avi | OutputKind::Gif | OutputKind::H264 | OutputKind::Mp4
        )
    {
        out = out.frame_rate(rate);
    }
    crate::check_output(&out, kind)?;
    let sink = FileSink::create(output, out)?;
    // picamera's motion_output: vectors of the frames the encoder sees.
    let tee: Option<Box<dyn camreel::sink::FrameSink + Send>> = match &a.motion_output {
        Some(path) => {
            args::refuse_same_file(output, path)?;
            let file = std::fs::File::create(path)
                .map_err(|e| Error::io(format!("creating {}", quote_path(path)), e))?;
            Some(Box::new(camreel::motion::MotionOutput::new(
                std::io::BufWriter::new(file),
                camreel::motion::MotionOptions::default(),
            )?))
        }
        None => None,
    };
    let mut options = RecordOptions::new();
    match (a.frames, a.seconds) {
        (Some(n), _) => options = options.limit(n),
        (None, Some(s)) => options = options.duration(s),
        (None, None) => options = options.limit(DEFAULT_FRAMES),
    }
    let total = a.frames.or(a.seconds.is_none().then_some(DEFAULT_FRAMES));
    let outcome = recording::run(Job {
        label: quote_path(std::path::Path::new(&a.source)),
        source,
        sink,
        options,
        total,
        verb: "recording",
        tee,
        // A replayed file is read as fast as the output takes it: nothing
        // to drop. A camera (or a network stream) keeps its own pace.
        live: (!a.source.starts_with("replay:")).then_some(a.drop_policy),
        hint: keep_up_hint(kind).to_string(),
    })?;
    if let Some(sig) = outcome.signal {
        eprintln!(
            "camreel: stopped by {}: {} frames saved in {}",
            recording::signal_name(sig),
            outcome.stats.frames,
            quote_path(output)
        );
        return Ok(ExitCode::from(u8::try_from(128 + sig).unwrap_or(1)));
    }
    if outcome.stats.frames > 0 {
        eprintln!(
            "camreel: recorded {} frames, {}",
            outcome.stats.frames, outcome.stats.dropped
        );
    }
    if outcome.stats.frames == 0 {
        return Err(Error::new(
            ErrorKind::EndOfStream,
            format!(
                "{}: the source delivered no frames",
                quote_path(std::path::Path::new(&a.source))
            ),
        ));
    }
    Ok(ExitCode::SUCCESS)
}
