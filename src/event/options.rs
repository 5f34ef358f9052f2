//! [`EventOptions`]: how an [`EventRecorder`](super::EventRecorder) names,
//! cuts and sizes its files.

use std::time::{Duration, SystemTime};

use super::pattern::EventPattern;
use crate::camera::StreamFormat;
use crate::error::{Error, ErrorKind, Result};
use crate::h264::RateControl;
use crate::output::{OutputKind, OutputOptions};

/// The default pre-trigger time: 5 seconds.
pub const DEFAULT_PRE: Duration = Duration::from_secs(5);
/// The default post-trigger time: 5 seconds.
pub const DEFAULT_POST: Duration = Duration::from_secs(5);

/// The smallest and largest buffer [`EventOptions::buffer_bytes`] picks by
/// itself: 1 MiB and 1 GiB.
pub const BUFFER_RANGE: (usize, usize) = (1 << 20, 1 << 30);

/// How an event's frames are split into files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventFiles {
    /// One file per event: the pre-trigger frames, then the live ones (the
    /// default).
    #[default]
    Single,
    /// picamera's recipe: the pre-trigger frames in `NAME-before.EXT`, the
    /// live frames in `NAME-after.EXT`, which starts at a key frame (asked
    /// for when the trigger fires) so each plays on its own;
    /// [`join`](super::join) makes one file of the two.
    BeforeAfter,
}

/// How an [`EventRecorder`](super::EventRecorder) works: builder methods
/// on the defaults (5 s before the trigger, 5 s after it, no cap, one file
/// per event).
#[derive(Clone, Debug)]
#[must_use]
pub struct EventOptions {
    pub(crate) pattern: EventPattern,
    pub(crate) pre: Duration,
    pub(crate) post: Duration,
    pub(crate) max_event: Option<Duration>,
    pub(crate) files: EventFiles,
    pub(crate) buffer_bytes: Option<usize>,
    pub(crate) output: OutputOptions,
    pub(crate) start_time: Option<SystemTime>,
    pub(crate) utc_offset: i32,
    pub(crate) first_number: u64,
}

impl EventOptions {
    /// Options for files named by `pattern` (see
    /// [`EventPattern`](super::EventPattern)).
    ///
    /// # Errors
    /// As [`EventPattern::parse`].
    pub fn new(pattern: &str) -> Result<EventOptions> {
        Ok(EventOptions {
            pattern: EventPattern::parse(pattern)?,
            pre: DEFAULT_PRE,
            post: DEFAULT_POST,
            max_event: None,
            files: EventFiles::Single,
            buffer_bytes: None,
            output: OutputOptions::new(),
            start_time: None,
            utc_offset: 0,
            first_number: 1,
        })
    }

    /// Keeps at least this much before the trigger (the circular buffer's
    /// seconds; the file starts at the key frame at or before it).
    pub fn pre(mut self, pre: Duration) -> EventOptions {
        self.pre = pre;
        self
    }

    /// Ends an event when the triggers were quiet for this long.
    pub fn post(mut self, post: Duration) -> EventOptions {
        self.post = post;
        self
    }

    /// Continues an event longer than this in a new file (at the next key
    /// frame, asked for), so no file grows without bound.
    pub fn max_event(mut self, max: Duration) -> EventOptions {
        self.max_event = Some(max);
        self
    }

    /// One file per event or before/after files.
    pub fn files(mut self, files: EventFiles) -> EventOptions {
        self.files = files;
        self
    }

    /// The circular buffer's size in bytes (allocated once). By default it
    /// is estimated for the pre-trigger time plus two seconds, twice over:
    /// from the bitrate for H.264 (2 bits a pixel at a constant
    /// quantiser), from 3 bits a pixel for JPEG, at the source's rate (30
    /// if it has none), within [`BUFFER_RANGE`]. When frames are larger
    /// than that, the buffer holds less than the pre-trigger time.
    pub fn buffer_bytes(mut self, bytes: usize) -> EventOptions {
        self.buffer_bytes = Some(bytes);
        self
    }

    /// How files are written (JPEG quality, H.264 settings, frame rate):
    /// see [`OutputOptions`].
    pub fn output(mut self, options: OutputOptions) -> EventOptions {
        self.output = options;
        self
    }

    /// The calendar time of the first frame, for file names (default: the
    /// system clock when the first frame arrives); later frames are that
    /// plus their distance to it on the frames' timestamps.
    pub fn start_time(mut self, time: SystemTime) -> EventOptions {
        self.start_time = Some(time);
        self
    }

    /// Names files in local time `seconds` east of UTC (default 0: UTC).
    pub fn utc_offset(mut self, seconds: i32) -> EventOptions {
        self.utc_offset = seconds;
        self
    }

    /// The counter's first value (default 1).
    pub fn first_number(mut self, n: u64) -> EventOptions {
        self.first_number = n;
        self
    }

    /// The file name pattern.
    pub fn pattern(&self) -> &EventPattern {
        &self.pattern
    }

    /// The pre-trigger time.
    pub fn get_pre(&self) -> Duration {
        self.pre
    }

    /// The post-trigger time.
    pub fn get_post(&self) -> Duration {
        self.post
    }

    /// The longest event file, if capped.
    pub fn get_max_event(&self) -> Option<Duration> {
        self.max_event
    }

    /// Checks the times.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a cap no longer than the
    /// pre-trigger time (each file would be cut at once), or a utc offset
    /// of a day or more.
    pub fn check(&self) -> Result<()> {
        if let Some(max) = self.max_event
            && max <= self.pre
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "a longest event of {:.3} s is not longer than the {:.3} s kept before the trigger",
                    max.as_secs_f64(),
                    self.pre.as_secs_f64()
                ),
            ));
        }
        if self.utc_offset.unsigned_abs() >= 86_400 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("utc offset {} s is a day or more", self.utc_offset),
            ));
        }
        Ok(())
    }

    /// The buffer size for a source of `format` (see
    /// [`EventOptions::buffer_bytes`]).
    pub fn buffer_size_for(&self, format: &StreamFormat) -> usize {
        if let Some(b) = self.buffer_bytes {
            return b;
        }
        let fps = format
            .fps
            .filter(|f| f.is_finite() && *f > 0.0)
            .unwrap_or(30.0);
        let pixels = f64::from(format.width) * f64::from(format.height);
        let per_second = match self.pattern.kind() {
            OutputKind::H264 | OutputKind::Mp4 => {
                match self
                    .output
                    .get_h264()
                    .unwrap_or_default()
                    .get_rate_control()
                {
                    RateControl::Bitrate(b) => f64::from(b) / 8.0,
                    RateControl::Quantizer(_) => pixels * fps * 2.0 / 8.0,
                }
            }
            _ => pixels * fps * 3.0 / 8.0,
        };
        let seconds = self.pre.as_secs_f64() + 2.0;
        let bytes = per_second * seconds * 2.0;
        (bytes as usize).clamp(BUFFER_RANGE.0, BUFFER_RANGE.1)
    }

    /// Frames the buffer's table holds for a source of `format`: twice the
    /// frames of the pre-trigger time plus two seconds, at least 64.
    pub(crate) fn buffer_frames_for(&self, format: &StreamFormat) -> usize {
        let fps = format
            .fps
            .filter(|f| f.is_finite() && *f > 0.0)
            .unwrap_or(30.0);
        let frames = (self.pre.as_secs_f64() + 2.0) * fps.min(1000.0) * 2.0;
        (frames as usize).clamp(64, 1 << 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::PixelFormat;

    #[test]
    fn buffer_sizes_follow_the_encoding() {
        let vga = StreamFormat::new(PixelFormat::Yuv420, 640, 480).with_fps(30.0);
        let o = EventOptions::new("e%04d.mp4")
            .unwrap()
            .pre(Duration::from_secs(10));
        // 2 Mbit/s for 12 s, twice.
        assert_eq!(o.buffer_size_for(&vga), 6_000_000);
        let o = EventOptions::new("e%04d.avi")
            .unwrap()
            .pre(Duration::from_secs(1));
        assert_eq!(o.buffer_size_for(&vga), 640 * 480 * 30 * 3 / 8 * 3 * 2);
        let tiny = StreamFormat::new(PixelFormat::Grayscale, 16, 16);
        assert_eq!(o.buffer_size_for(&tiny), BUFFER_RANGE.0);
        assert_eq!(o.clone().buffer_bytes(77).buffer_size_for(&vga), 77);
        assert_eq!(o.buffer_frames_for(&vga), 180);
        let e = o.max_event(Duration::from_secs(1)).check().unwrap_err();
        assert!(e.to_string().contains("not longer than"), "{e}");
    }
}
