//! [`join`]: a before file and an after file into one, without re-encoding.

use std::path::Path;
use std::time::Duration;

use crate::camera::CameraSource;
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::output::{FileSink, OutputKind, OutputOptions};
use crate::replay::{self, ReplayOptions};
use crate::sink::FrameSink;
use crate::timing::Timeline;

/// What [`join`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Joined {
    /// Frames from the before file.
    pub before: u64,
    /// Frames from the after file.
    pub after: u64,
    /// The joined file's duration.
    pub duration: Duration,
}

/// Joins an event's `before` and `after` files (picamera's before.h264 and
/// after.h264, [`EventFiles::BeforeAfter`](super::EventFiles::BeforeAfter))
/// into one file at `output`, copying the encoded frames (H.264 access
/// units, JPEG frames) without decoding or re-encoding them.
///
/// The after file's frames follow the before file's last frame by one
/// frame interval (the before file's rate, else its mean interval), keeping
/// their own intervals. Inputs and output are any of `.h264`, `.mp4` (H.264)
/// or `.avi`, `.bin` (JPEG), of one encoding: H.264 to `.h264`/`.mp4`,
/// JPEG to `.avi`/`.bin`. The output is written under a temporary name and
/// renamed into place when complete.
///
/// # Errors
/// The readers' errors (a missing or damaged file); [`ErrorKind::InvalidArgument`]
/// when the encodings differ or the output cannot store them as they are;
/// the output's errors.
pub fn join(before: &Path, after: &Path, output: &Path) -> Result<Joined> {
    let kind = OutputKind::of(output)?;
    let options = ReplayOptions::new().encoded(true);
    let mut a = replay::open(before, &options)?;
    let mut b = replay::open(after, &options)?;
    let mut out_options = OutputOptions::new();
    if let Some(rate) = a.frame_rate().or_else(|| b.frame_rate())
        && matches!(kind, OutputKind::Avi | OutputKind::Mp4)
    {
        out_options = out_options.frame_rate(rate);
    }
    let mut out = FileSink::create(output, out_options)?.atomic(true);
    match copy(&mut a, &mut b, (before, after), kind, &mut out) {
        Ok(joined) => {
            out.finish()?;
            Ok(joined)
        }
        Err(e) => {
            // Nothing is left under the output's name.
            let _ = out.discard();
            Err(e)
        }
    }
}

/// Copies the frames of `a` then `b` into `out`.
fn copy(
    a: &mut replay::Replay,
    b: &mut replay::Replay,
    (before, after): (&Path, &Path),
    kind: OutputKind,
    out: &mut FileSink,
) -> Result<Joined> {
    let stores = |format: crate::PixelFormat, path: &Path| -> Result<()> {
        let ok = match format {
            crate::PixelFormat::H264 => matches!(kind, OutputKind::H264 | OutputKind::Mp4),
            crate::PixelFormat::Jpeg => matches!(kind, OutputKind::Avi | OutputKind::ImageIo),
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{}: its {format} frames cannot be copied into {} output without re-encoding",
                    quote_path(path),
                    kind.name()
                ),
            ))
        }
    };
    let mut timeline = a
        .frame_rate()
        .map_or_else(Timeline::new, Timeline::with_rate);
    let mut joined = Joined {
        before: 0,
        after: 0,
        duration: Duration::ZERO,
    };
    let mut format = None;
    while let Some(frame) = a.next_frame().map_err(|e| e.context(quote_path(before)))? {
        stores(frame.image.format(), before)?;
        format = Some(frame.image.format());
        out.write_frame(&frame)?;
        timeline.push(frame.timestamp);
        joined.before += 1;
    }
    let gap = timeline.last_frame_duration();
    // Where the after file's first frame goes, and where it was.
    let at = timeline.first().map(|first| first + timeline.span() + gap);
    let mut origin = None;
    while let Some(frame) = b.next_frame().map_err(|e| e.context(quote_path(after)))? {
        let f = frame.image.format();
        stores(f, after)?;
        if format.is_some_and(|g| g != f) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{} holds {f} frames and {} holds {}",
                    quote_path(after),
                    quote_path(before),
                    format.unwrap_or(f)
                ),
            ));
        }
        let first = *origin.get_or_insert(frame.timestamp);
        let timestamp = match at {
            Some(at) => at + frame.timestamp.saturating_sub(first),
            None => frame.timestamp,
        };
        let frame = crate::frame::Frame { timestamp, ..frame };
        out.write_frame(&frame)?;
        timeline.push(timestamp);
        joined.after += 1;
    }
    if timeline.frames() > 0 {
        joined.duration = timeline.duration();
    }
    Ok(joined)
}
