//! Cameras that play recordings: every file kind camreel reads is a
//! [`CameraSource`], so anything done with a camera can be done with a
//! recording (convert is a recording from a replay).
//!
//! | file | source | frames delivered |
//! |---|---|---|
//! | ImageIO `.bin` | [`ReplayCamera`] | as stored (any format; sizes may change) |
//! | Motion-JPEG `.avi` | [`AviReplay`] | the JPEG frames, untouched |
//! | `.gif` | [`GifReplay`] | composited as a browser shows them: RGB888 for a file proven opaque, else ARGB8 with the transparency |
//! | picamera raw capture | [`RawReplay`] | one decoded RGB888 (or RGB48) frame |
//! | H.264 `.h264`, `.mp4` | [`VideoReplay`] | decoded YUV420 (feature `h264`), or the access units ([`ReplayOptions::encoded`]) |
//!
//! [`open`] picks one by the file's extension (raw captures need
//! [`ReplayOptions::raw`]). Timestamps follow the recording's own time line:
//! frame 0 at its recorded time (ImageIO: its interval since the stream
//! opened; AVI and GIF: zero), later frames at the recorded intervals. With
//! [`ReplayOptions::realtime`] each frame waits until its time comes on the
//! clock; otherwise frames come as fast as they can be read, and writers,
//! which time frames by their timestamps, still record the original timing.
//!
//! A file damaged at its end (a recording cut by a power loss) plays its
//! complete frames and then ends; [`Replay::damaged_tail`] says what was cut.
//!
//! ```
//! use camreel::camera::CameraSource;
//! use camreel::replay::{self, ReplayOptions};
//! use camreel::imageio::FileStream;
//! use camreel::{Image, PixelFormat};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("clip.bin");
//! let mut out = FileStream::create(&path)?;
//! for v in [10u8, 20, 30] {
//!     let image = Image::new(PixelFormat::Grayscale, 2, 2, vec![v; 4])?;
//!     out.write_with_elapsed(&image, std::time::Duration::from_millis(40))?;
//! }
//! out.close()?;
//!
//! let mut clip = replay::open(&path, &ReplayOptions::new())?;
//! assert_eq!(clip.frame_count(), Some(3));
//! assert_eq!(clip.frame_rate().map(|r| r.to_string()), Some("25".to_string()));
//! let mut stamps = Vec::new();
//! while let Some(frame) = clip.next_frame()? {
//!     stamps.push(frame.timestamp.as_millis());
//! }
//! assert_eq!(stamps, [40, 80, 120]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod avi;
mod gif;
mod imageio;
mod raw;
mod video;

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use avi::AviReplay;
pub use gif::GifReplay;
pub use imageio::{ReplayBuilder, ReplayCamera};
pub use raw::RawReplay;
#[cfg(not(feature = "mp4"))]
pub(crate) use video::mp4_unavailable;
pub use video::{VideoReplay, video_info};

use crate::camera::{CameraSource, Frame, StreamFormat};
use crate::clock::{Clock, MonotonicClock};
use crate::error::{Error, ErrorKind, Result};
use crate::image::Limits;
use crate::raw::{CaptureSpec, DecodeOptions};
use crate::timing::FrameRate;

/// How to play a recording opened with [`open`].
///
/// ```
/// use camreel::replay::ReplayOptions;
/// let fast = ReplayOptions::new().realtime(false);
/// assert!(!fast.is_realtime() && !fast.is_looping());
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct ReplayOptions {
    realtime: bool,
    looping: bool,
    clock: Option<Arc<dyn Clock>>,
    limits: Limits,
    raw: Option<(CaptureSpec, DecodeOptions)>,
    rate: Option<FrameRate>,
    encoded: bool,
}

impl fmt::Debug for ReplayOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayOptions")
            .field("realtime", &self.realtime)
            .field("looping", &self.looping)
            .field("limits", &self.limits)
            .field("raw", &self.raw)
            .finish_non_exhaustive()
    }
}

impl ReplayOptions {
    /// As fast as the file can be read, once, default [`Limits`].
    pub fn new() -> ReplayOptions {
        ReplayOptions::default()
    }

    /// Wait until each frame's recorded time on the clock (`true`), or
    /// deliver frames as fast as they can be read (`false`, the default;
    /// timestamps follow the recording either way).
    pub fn realtime(mut self, realtime: bool) -> ReplayOptions {
        self.realtime = realtime;
        self
    }

    /// Start again at the first frame after the last, with timestamps that
    /// keep increasing (default: end there).
    pub fn looping(mut self, looping: bool) -> ReplayOptions {
        self.looping = looping;
        self
    }

    /// The clock that paces real-time playback (default: the monotonic clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> ReplayOptions {
        self.clock = Some(clock);
        self
    }

    /// Checks every frame header against `limits` before anything is
    /// allocated (default: [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> ReplayOptions {
        self.limits = limits;
        self
    }

    /// Reads the file as the picamera capture `spec` describes, decoded
    /// with `options` (YUV and RGB captures need their requested size in
    /// `spec`).
    pub fn raw(mut self, spec: CaptureSpec, options: DecodeOptions) -> ReplayOptions {
        self.raw = Some((spec, options));
        self
    }

    /// The rate of a raw `.h264` stream, which has no timing of its own
    /// (default: its VUI's, else 25 fps as ffmpeg assumes).
    pub fn rate(mut self, rate: FrameRate) -> ReplayOptions {
        self.rate = Some(rate);
        self
    }

    /// Delivers an H.264 recording's access units as they are stored
    /// ([`PixelFormat::H264`](crate::PixelFormat::H264) frames) instead of
    /// decoded pictures: for writers that store them unchanged.
    pub fn encoded(mut self, encoded: bool) -> ReplayOptions {
        self.encoded = encoded;
        self
    }

    /// Whether H.264 recordings deliver access units.
    pub fn is_encoded(&self) -> bool {
        self.encoded
    }

    /// Whether playback waits out the recorded times.
    pub fn is_realtime(&self) -> bool {
        self.realtime
    }

    /// Whether playback loops.
    pub fn is_looping(&self) -> bool {
        self.looping
    }

    fn clock_or_default(&self) -> Arc<dyn Clock> {
        self.clock.clone().unwrap_or_else(MonotonicClock::shared)
    }
}

/// The kinds of recording [`open`] plays, known by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReplayKind {
    /// An ImageIO stream (`.bin`).
    ImageIo,
    /// A Motion-JPEG AVI (`.avi`).
    Avi,
    /// An animated GIF (`.gif`).
    Gif,
    /// A picamera raw capture (any name, with [`ReplayOptions::raw`]).
    Raw,
    /// A raw H.264 Annex B stream (`.h264`).
    H264,
    /// An MP4 file with one H.264 track (`.mp4`, feature `mp4`).
    Mp4,
}

impl ReplayKind {
    /// The kind of the file at `path` from its extension (`.bin`, `.avi`,
    /// `.gif`, any case).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for another extension.
    pub fn of(path: &Path) -> Result<ReplayKind> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "bin" => Ok(ReplayKind::ImageIo),
            "avi" => Ok(ReplayKind::Avi),
            "gif" => Ok(ReplayKind::Gif),
            "h264" | "264" => Ok(ReplayKind::H264),
            "mp4" => Ok(ReplayKind::Mp4),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{}: unknown recording kind (expected .bin, .avi or .gif, or a raw capture with its raw format)",
                    crate::error::quote_path(path)
                ),
            )),
        }
    }
}

enum Inner {
    ImageIo(Box<ReplayCamera>),
    Avi(Box<AviReplay>),
    Gif(Box<GifReplay>),
    Raw(Box<RawReplay>),
    Video(Box<VideoReplay>),
}

/// Any recording, playing as a camera: what [`open`] returns.
pub struct Replay {
    inner: Inner,
}

impl fmt::Debug for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replay")
            .field("kind", &self.kind())
            .field("format", &self.format())
            .finish_non_exhaustive()
    }
}

/// Opens the recording at `path` as a camera (see the [module docs](self)).
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for an unknown extension; whatever the
/// file's reader returns (a missing file, a bad header, limits), with the
/// file named once.
pub fn open(path: impl AsRef<Path>, options: &ReplayOptions) -> Result<Replay> {
    let path = path.as_ref();
    let inner = if options.raw.is_some() {
        Inner::Raw(Box::new(RawReplay::open(path, options)?))
    } else {
        match ReplayKind::of(path)? {
            ReplayKind::ImageIo => Inner::ImageIo(Box::new(
                ReplayCamera::builder(path)
                    .realtime(options.realtime)
                    .looping(options.looping)
                    .clock(options.clock_or_default())
                    .limits(options.limits)
                    .open()?,
            )),
            ReplayKind::Avi => Inner::Avi(Box::new(AviReplay::open(path, options)?)),
            ReplayKind::Gif => Inner::Gif(Box::new(GifReplay::open(path, options)?)),
            ReplayKind::Raw => Inner::Raw(Box::new(RawReplay::open(path, options)?)),
            ReplayKind::H264 => Inner::Video(Box::new(VideoReplay::open_h264(path, options)?)),
            #[cfg(feature = "mp4")]
            ReplayKind::Mp4 => Inner::Video(Box::new(VideoReplay::open_mp4(path, options)?)),
            #[cfg(not(feature = "mp4"))]
            ReplayKind::Mp4 => return Err(video::mp4_unavailable(path)),
        }
    };
    Ok(Replay { inner })
}

impl Replay {
    /// What kind of file is playing.
    pub fn kind(&self) -> ReplayKind {
        match &self.inner {
            Inner::ImageIo(_) => ReplayKind::ImageIo,
            Inner::Avi(_) => ReplayKind::Avi,
            Inner::Gif(_) => ReplayKind::Gif,
            Inner::Raw(_) => ReplayKind::Raw,
            Inner::Video(r) if r.frame_count().is_some() => ReplayKind::Mp4,
            Inner::Video(_) => ReplayKind::H264,
        }
    }

    /// Frames in one pass of the recording, when known without reading them
    /// all (a GIF read from a pipe does not say).
    pub fn frame_count(&self) -> Option<u64> {
        match &self.inner {
            Inner::ImageIo(r) => Some(r.frame_count()),
            Inner::Avi(r) => Some(r.frame_count()),
            Inner::Gif(r) => r.frame_count(),
            Inner::Raw(_) => Some(1),
            Inner::Video(r) => r.frame_count(),
        }
    }

    /// The recording's nominal rate: an AVI's exact rate, or for ImageIO
    /// and GIF the rate that its frames over its duration make (see
    /// [`crate::timing`]), snapped to a standard rate when within 0.05 %.
    /// `None` when it cannot be known up front.
    pub fn frame_rate(&self) -> Option<FrameRate> {
        match &self.inner {
            Inner::ImageIo(r) => r.frame_rate(),
            Inner::Avi(r) => Some(r.frame_rate()),
            Inner::Gif(r) => r.frame_rate(),
            Inner::Raw(_) => None,
            Inner::Video(r) => r.frame_rate(),
        }
    }

    /// The error that ended playback early, if the file is damaged at its
    /// end (its complete frames were delivered before it).
    pub fn damaged_tail(&self) -> Option<&Error> {
        match &self.inner {
            Inner::ImageIo(r) => r.damaged_tail(),
            Inner::Avi(r) => r.damaged_tail(),
            Inner::Gif(r) => r.damaged_tail(),
            Inner::Raw(_) => None,
            Inner::Video(r) => r.damaged_tail(),
        }
    }
}

impl CameraSource for Replay {
    fn format(&self) -> StreamFormat {
        match &self.inner {
            Inner::ImageIo(r) => r.format(),
            Inner::Avi(r) => r.format(),
            Inner::Gif(r) => r.format(),
            Inner::Raw(r) => r.format(),
            Inner::Video(r) => r.format(),
        }
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        match &mut self.inner {
            Inner::ImageIo(r) => r.next_frame(),
            Inner::Avi(r) => r.next_frame(),
            Inner::Gif(r) => r.next_frame(),
            Inner::Raw(r) => r.next_frame(),
            Inner::Video(r) => r.next_frame(),
        }
    }
}

/// The nominal rate of `frames` frames lasting `duration` in all.
fn rate_of(frames: u64, duration: Duration) -> Option<FrameRate> {
    let per_frame = duration.checked_div(u32::try_from(frames).ok()?)?;
    FrameRate::from_interval(per_frame).ok()
}

/// Real-time pacing: waits until a frame's recorded time, measured on the
/// clock from when the first frame was delivered.
struct Pace {
    clock: Arc<dyn Clock>,
    origin: Option<(Duration, Duration)>,
}

impl Pace {
    fn new(clock: Arc<dyn Clock>) -> Pace {
        Pace {
            clock,
            origin: None,
        }
    }

    /// Sleeps until the frame stamped `timestamp` is due.
    fn wait(&mut self, timestamp: Duration) {
        let now = self.clock.now();
        match self.origin {
            None => self.origin = Some((now, timestamp)),
            Some((wall, first)) => {
                let due = wall.saturating_add(timestamp.saturating_sub(first));
                if due > now {
                    self.clock.sleep(due - now);
                }
            }
        }
    }
}

impl fmt::Debug for Pace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pace")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn kinds_by_extension() {
        assert_eq!(
            ReplayKind::of(Path::new("a.BIN")).unwrap(),
            ReplayKind::ImageIo
        );
        assert_eq!(
            ReplayKind::of(Path::new("x/y.avi")).unwrap(),
            ReplayKind::Avi
        );
        assert_eq!(ReplayKind::of(Path::new("y.gif")).unwrap(), ReplayKind::Gif);
        let e = ReplayKind::of(Path::new("clip.mov")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(
            e.to_string()
                .starts_with("clip.mov: unknown recording kind"),
            "{e}"
        );
    }

    #[test]
    fn rates_of_durations() {
        assert_eq!(
            rate_of(60, Duration::from_millis(2000)),
            FrameRate::new(30, 1).ok()
        );
        assert_eq!(rate_of(0, Duration::from_secs(1)), None);
        assert_eq!(rate_of(5, Duration::ZERO), None);
    }

    #[test]
    fn pace_waits_from_the_first_frame() {
        let clock = ManualClock::shared();
        clock.advance(Duration::from_secs(10));
        let mut pace = Pace::new(clock.clone());
        pace.wait(Duration::from_millis(500));
        assert_eq!(clock.now(), Duration::from_secs(10));
        pace.wait(Duration::from_millis(540));
        assert_eq!(clock.now(), Duration::from_millis(10_040));
        // Late frames do not wait.
        clock.advance(Duration::from_millis(100));
        pace.wait(Duration::from_millis(580));
        assert_eq!(clock.now(), Duration::from_millis(10_140));
    }
}
