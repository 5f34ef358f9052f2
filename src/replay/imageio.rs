//! A camera that plays an ImageIO recording (`.bin`, "OMV IMG STR").
//!
//! Frames come back as they were recorded (any format, sizes may change
//! from frame to frame), at the recorded rate (each frame waits out its
//! recorded interval on the clock) or as fast as they can be read, once or
//! looping. Timestamps follow the recording's own timeline, so a replayed
//! recording looks to downstream code like the camera that made it.
//!
//! ```
//! use camreel::camera::CameraSource;
//! use camreel::replay::ReplayCamera;
//! use camreel::imageio::FileStream;
//! use camreel::{Image, PixelFormat};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("clip.bin");
//! let mut out = FileStream::create(&path)?;
//! for v in [10u8, 20, 30] {
//!     let img = Image::new(PixelFormat::Grayscale, 2, 2, vec![v; 4])?;
//!     out.write_with_elapsed(&img, std::time::Duration::from_millis(40))?;
//! }
//! out.close()?;
//!
//! let mut cam = ReplayCamera::builder(&path).realtime(false).open()?;
//! assert_eq!(cam.format().fps, Some(25.0));
//! let mut seen = Vec::new();
//! while let Some(frame) = cam.next_frame()? {
//!     seen.push((frame.image.data()[0], frame.timestamp.as_millis()));
//! }
//! assert_eq!(seen, [(10, 40), (20, 80), (30, 120)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::camera::{CameraSource, Frame, StreamFormat};
use crate::clock::{Clock, MonotonicClock};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::image::Image;
use crate::image::Limits;
use crate::imageio::{FileOptions, FileStream, ReadOptions};
use crate::timing::{FrameRate, Timeline};

/// Settings of a [`ReplayCamera`]; [`ReplayBuilder::open`] opens the file.
#[derive(Clone)]
#[must_use]
pub struct ReplayBuilder {
    path: PathBuf,
    realtime: bool,
    looping: bool,
    clock: Option<Arc<dyn Clock>>,
    limits: Limits,
}

impl std::fmt::Debug for ReplayBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayBuilder")
            .field("path", &self.path)
            .field("realtime", &self.realtime)
            .field("looping", &self.looping)
            .finish_non_exhaustive()
    }
}

impl ReplayBuilder {
    /// Wait out each recorded interval (`true`, the default) or deliver
    /// frames as fast as they can be read.
    pub fn realtime(mut self, realtime: bool) -> Self {
        self.realtime = realtime;
        self
    }

    /// Start again at the first frame after the last (default: end there).
    pub fn looping(mut self, looping: bool) -> Self {
        self.looping = looping;
        self
    }

    /// The clock that paces playback (default: the monotonic clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Checks every frame header against `limits` (default:
    /// [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Opens the recording.
    ///
    /// # Errors
    /// Whatever [`FileStream::open`] returns (a missing file, a bad header);
    /// [`ErrorKind::EndOfStream`] for a recording without a complete frame.
    pub fn open(self) -> Result<ReplayCamera> {
        let clock = self.clock.unwrap_or_else(MonotonicClock::shared);
        // A stream is indexed by reading every chunk header, then read by
        // seeking: a pipe or device would look empty or hang.
        if let Ok(meta) = std::fs::metadata(&self.path)
            && !meta.is_file()
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{}: an ImageIO stream is read by seeking; give a regular file, not a pipe or device",
                    crate::error::quote_path(&self.path)
                ),
            ));
        }
        // FileStream's errors name the file already.
        let stream = FileOptions::new()
            .clock(clock)
            .limits(self.limits)
            .open(&self.path)?;
        let first = stream.header(0).ok_or_else(|| {
            Error::new(
                ErrorKind::EndOfStream,
                format!(
                    "{}: the recording has no complete frame",
                    quote_path(&self.path)
                ),
            )
        })?;
        // The recorded rate: the frames over the recording's duration.
        let timeline = Timeline::from_intervals(
            stream
                .headers()
                .skip(1)
                .map(|h| Duration::from_millis(u64::from(h.elapsed_ms))),
        );
        let rate = super::rate_of(timeline.frames(), timeline.duration())
            .filter(|_| timeline.frames() > 1 && !timeline.span().is_zero());
        Ok(ReplayCamera {
            format: StreamFormat {
                format: first.format,
                width: first.width,
                height: first.height,
                fps: rate.map(FrameRate::fps),
            },
            rate,
            tail: None,
            options: ReadOptions::default()
                .looping(self.looping)
                .pausing(self.realtime),
            stream,
            image: Image::empty(),
            sequence: 0,
            recorded: Duration::ZERO,
            path: self.path,
        })
    }
}

/// A camera playing an ImageIO recording (`.bin`): frames as stored, at
/// the recorded intervals. See the [replay module docs](super).
#[derive(Debug)]
pub struct ReplayCamera {
    stream: FileStream,
    options: ReadOptions,
    image: Image,
    format: StreamFormat,
    sequence: u64,
    recorded: Duration,
    path: PathBuf,
    rate: Option<FrameRate>,
    /// The error of a partial last frame, once playback reached it.
    tail: Option<Error>,
}

impl ReplayCamera {
    /// Settings for playing the recording at `path`.
    pub fn builder(path: impl AsRef<Path>) -> ReplayBuilder {
        ReplayBuilder {
            path: path.as_ref().to_path_buf(),
            realtime: true,
            looping: false,
            clock: None,
            limits: Limits::default(),
        }
    }

    /// Frames in the recording.
    pub fn frame_count(&self) -> u64 {
        self.stream.count()
    }

    /// The underlying stream (for its headers, version, damaged tail).
    pub fn stream(&self) -> &FileStream {
        &self.stream
    }

    /// The recorded rate: the frames over the recording's duration
    /// ([`crate::timing`]), `None` for fewer than two frames.
    pub fn frame_rate(&self) -> Option<FrameRate> {
        self.rate
    }

    /// The partial last frame's error, once playback reached it.
    pub fn damaged_tail(&self) -> Option<&Error> {
        self.tail.as_ref()
    }
}

impl CameraSource for ReplayCamera {
    /// The first frame's format and size (frames may differ later), and the
    /// recorded mean frame rate.
    fn format(&self) -> StreamFormat {
        self.format
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        let mut read = self.stream.read_into(&mut self.image, self.options);
        if self.sequence > 0 && matches!(&read, Err(e) if e.kind() == ErrorKind::Truncated) {
            // A recording cut off by a power loss: its complete frames play,
            // the partial one is skipped (and reported by `camreel info`).
            if let Err(e) = std::mem::replace(&mut read, Ok(None)) {
                self.tail = Some(e.context(quote_path(&self.path)));
            }
            if self.options.is_looping() {
                read = self.stream.read_into(&mut self.image, self.options);
            }
        }
        let Some(info) = read.map_err(|e| e.context(quote_path(&self.path)))? else {
            return Ok(None);
        };
        self.recorded += Duration::from_millis(u64::from(info.elapsed_ms));
        let sequence = self.sequence;
        self.sequence += 1;
        Ok(Some(Frame {
            image: self.image.view(),
            sequence,
            timestamp: self.recorded,
        }))
    }
}
