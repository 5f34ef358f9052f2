//! `camreel convert IN OUT`: a recording from a replayed file.

use std::process::ExitCode;

use camreel::error::quote_path;
use camreel::output::{FileSink, OutputKind};
use camreel::raw::{CaptureSpec, DecodeOptions, PiFormat};
use camreel::record::RecordOptions;
use camreel::replay::{self, ReplayKind, ReplayOptions};
use camreel::{Error, ErrorKind, Result};

use crate::recording::{self, Job};
use crate::{ConvertArgs, RawInputFormat, args};

impl From<RawInputFormat> for PiFormat {
    fn from(f: RawInputFormat) -> PiFormat {
        match f {
            RawInputFormat::Yuv420 => PiFormat::Yuv,
            RawInputFormat::Rgb => PiFormat::Rgb,
            RawInputFormat::Bgr => PiFormat::Bgr,
            RawInputFormat::Bayer => PiFormat::JpegBayer,
        }
    }
}

/// Runs `camreel convert`.
pub fn run(a: &ConvertArgs) -> Result<ExitCode> {
    args::refuse_same_file(&a.input, &a.output)?;
    let mut options = ReplayOptions::new();
    match (a.raw, a.size) {
        (Some(RawInputFormat::Bayer), Some(_)) => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "--size does not apply to --raw bayer (the raw header gives the sensor size)",
            ));
        }
        (Some(kind), size) => {
            if kind != RawInputFormat::Bayer && size.is_none() {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "--raw {} needs --size WxH (the requested capture size)",
                        if kind == RawInputFormat::Yuv420 {
                            "yuv420"
                        } else {
                            "rgb/bgr"
                        }
                    ),
                ));
            }
            let spec = match size {
                Some((w, h)) => CaptureSpec::new(kind.into(), w, h),
                None => CaptureSpec::without_size(kind.into()),
            };
            options = options.raw(spec, DecodeOptions::new());
        }
        (None, Some(_)) => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "--size applies to raw captures only (with --raw)",
            ));
        }
        (None, None) => {}
    }
    let kind = OutputKind::of(&a.output)?;
    if let Some(stream) = crate::copy::source(a) {
        crate::check_output(&a.out.options()?, kind)?;
        return crate::copy::run(a, stream);
    }
    let input_kind = if a.raw.is_some() {
        ReplayKind::Raw
    } else {
        ReplayKind::of(&a.input)?
    };
    // A raw .h264 stream has no timing: --fps is its rate.
    let raw_h264 = input_kind == ReplayKind::H264;
    if raw_h264 && let Some(rate) = a.fps {
        options = options.rate(rate);
    }
    // Between H.264 files, access units are copied, not decoded and
    // encoded again, unless the encoding is asked to change.
    let video = |k| matches!(k, ReplayKind::H264 | ReplayKind::Mp4);
    let copy = video(input_kind)
        && matches!(kind, OutputKind::H264 | OutputKind::Mp4)
        && a.out.bitrate.is_none()
        && a.out.intra_period.is_none();
    options = options.encoded(copy);
    let source = replay::open(&a.input, &options)?;
    if let Some(count) = source.frame_count()
        && a.start > count
    {
        return Err(Error::new(
            ErrorKind::SeekOutOfRange,
            format!(
                "--start {} is past the end of {} ({count} frames)",
                a.start,
                quote_path(&a.input)
            ),
        ));
    }
    let mut out = a.out.options()?;
    // A fixed-rate output keeps the input's own rate (an AVI's exact
    // 30000/1001) unless --fps replaces it.
    match a.fps.or_else(|| source.frame_rate()) {
        Some(rate)
            if a.fps.is_some()
                || matches!(
                    kind,
                    OutputKind::Avi | OutputKind::Gif | OutputKind::H264 | OutputKind::Mp4
                ) =>
        {
            out = out.frame_rate(rate);
        }
        _ => {}
    }
    crate::check_output(&out, kind)?;
    // Written under a temporary name and renamed into place when complete;
    // not synced to disk on the way, as cp does (the input remains).
    let sink = FileSink::create(&a.output, out)?
        .atomic(true)
        .durable(false);
    let mut record = RecordOptions::new().skip(a.start);
    if let Some(n) = a.count {
        record = record.limit(n);
    }
    if let Some(rate) = a.fps.filter(|_| !raw_h264) {
        record = record.retime(rate);
    }
    let total = source
        .frame_count()
        .map(|n| n.saturating_sub(a.start))
        .map(|n| a.count.map_or(n, |c| c.min(n)));
    let label = quote_path(&a.input);
    let outcome = recording::run(Job {
        label: label.clone(),
        source,
        sink,
        options: record,
        total,
        verb: "converting",
        tee: None,
        live: None,
        hint: String::new(),
    })?;
    if let Some(sig) = outcome.signal {
        eprintln!(
            "camreel: stopped by {}: {} frames converted to {}",
            recording::signal_name(sig),
            outcome.stats.frames,
            quote_path(&a.output)
        );
        return Ok(ExitCode::from(u8::try_from(128 + sig).unwrap_or(1)));
    }
    if outcome.stats.frames == 0 {
        return Err(Error::new(
            ErrorKind::EndOfStream,
            format!("{label}: no frames to convert"),
        ));
    }
    if let Some(e) = outcome.source.as_ref().and_then(|s| s.damaged_tail()) {
        eprintln!(
            "camreel: warning: input ends in a partial frame, kept the {} complete frames: {e}",
            outcome.stats.frames
        );
    }
    Ok(ExitCode::SUCCESS)
}
