//! [`TriggerRecorder`]: pre-trigger recording with a memory ring (OpenMV's
//! trigger-and-replay pattern, seed section 7.33.6).

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::{FileOptions, FileStream, MemoryStream, ReadOptions, ms_u32, wall_ticks};
use crate::clock::{Clock, MonotonicClock};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::image::{ImageRef, Limits, PixelFormat};
use crate::timing::Ticks;

/// Keeps the most recent N frames in a [`MemoryStream`] ring and, when a
/// trigger fires, writes them oldest first with their original intervals to
/// a [`FileStream`], followed by every live frame until [`stop`](Self::stop).
///
/// The result is a recording that starts *before* the event the application
/// noticed. All memory is allocated at construction (the ring) and at
/// [`trigger`](Self::trigger) (the file stream's index grows with the frames
/// written); [`push`](Self::push) in ring mode allocates nothing.
///
/// ```
/// use std::time::Duration;
/// use camreel::clock::ManualClock;
/// use camreel::imageio::{FileStream, TriggerRecorder};
/// use camreel::{Image, PixelFormat};
///
/// let dir = tempfile::tempdir()?;
/// let clock = ManualClock::shared();
/// let mut rec = TriggerRecorder::with_clock(4, 4, PixelFormat::Grayscale, 3, clock.clone())?;
/// for i in 0..10u8 {
///     clock.advance(Duration::from_millis(100));
///     let frame = Image::new(PixelFormat::Grayscale, 4, 4, vec![i; 16])?;
///     rec.push(&frame)?;
///     if i == 6 {
///         rec.trigger(dir.path().join("event.bin"))?; // frames 4, 5, 6 go to the file
///     }
/// }
/// assert_eq!(rec.stop()?, 6); // 3 before the trigger, 3 after
///
/// let s = FileStream::open(dir.path().join("event.bin"))?;
/// assert_eq!(s.count(), 6);
/// assert!(s.headers().all(|h| h.elapsed_ms == 100));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TriggerRecorder {
    ring: MemoryStream,
    /// Frames held in the ring (up to its slot count).
    filled: usize,
    file: Option<FileStream>,
    /// Milliseconds between writes, on the clock.
    wall: Ticks,
    clock: Arc<dyn Clock>,
    limits: Limits,
}

impl fmt::Debug for TriggerRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TriggerRecorder")
            .field("ring", &self.ring)
            .field("filled", &self.filled)
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl TriggerRecorder {
    /// A recorder keeping the last `pre_frames` frames of `width` x `height`
    /// in `format`, timed by the OS monotonic clock.
    ///
    /// # Errors
    /// As [`TriggerRecorder::with_clock`].
    pub fn new(
        width: u32,
        height: u32,
        format: PixelFormat,
        pre_frames: usize,
    ) -> Result<TriggerRecorder> {
        TriggerRecorder::with_clock(width, height, format, pre_frames, MonotonicClock::shared())
    }

    /// As [`TriggerRecorder::new`] with an explicit clock.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for a format a file stream cannot
    /// store (the in-memory formats); otherwise as [`MemoryStream::with_clock`].
    pub fn with_clock(
        width: u32,
        height: u32,
        format: PixelFormat,
        pre_frames: usize,
        clock: Arc<dyn Clock>,
    ) -> Result<TriggerRecorder> {
        if format.code().is_none() {
            return Err(super::header::no_code(format));
        }
        let ring = MemoryStream::with_clock(width, height, format, pre_frames, clock.clone())?;
        Ok(TriggerRecorder {
            ring,
            filled: 0,
            file: None,
            wall: wall_ticks(&*clock),
            clock,
            limits: Limits::default(),
        })
    }

    /// Applies `limits` to the file streams created by
    /// [`trigger`](Self::trigger) (default [`Limits::default`]).
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> TriggerRecorder {
        self.limits = limits;
        self
    }

    /// Whether a trigger has fired and frames go to the file.
    pub fn is_recording(&self) -> bool {
        self.file.is_some()
    }

    /// Frames waiting in the ring.
    pub fn buffered(&self) -> usize {
        self.filled
    }

    /// The ring's capacity in frames.
    pub fn capacity(&self) -> usize {
        self.ring.slots() as usize
    }

    /// The file being recorded to, after a trigger.
    pub fn file(&self) -> Option<&FileStream> {
        self.file.as_ref()
    }

    /// Records a frame: into the ring (overwriting the oldest once full), or
    /// after a trigger, straight to the file. Each frame is stamped with the
    /// milliseconds since the previous push (the first: since construction).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] for a frame of another shape or format
    /// than the recorder's; the file stream's write errors.
    pub fn push<'a>(&mut self, image: impl Into<ImageRef<'a>>) -> Result<()> {
        let image = image.into();
        if image.format() != self.ring.format()
            || image.size() != (self.ring.width(), self.ring.height())
        {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!(
                    "a {}x{} {} frame does not match the recorder's {}x{} {}",
                    image.width(),
                    image.height(),
                    image.format(),
                    self.ring.width(),
                    self.ring.height(),
                    self.ring.format()
                ),
            ));
        }
        let now = self.clock.now();
        let elapsed = ms_u32(self.wall.peek(now));
        match &mut self.file {
            Some(file) => {
                file.write_with_elapsed(image, Duration::from_millis(elapsed.into()))?;
            }
            None => {
                if self.ring.offset() == self.ring.slots() {
                    self.ring.seek(0)?;
                }
                self.ring
                    .write_with_elapsed(image, Duration::from_millis(elapsed.into()))?;
                self.filled = (self.filled + 1).min(self.capacity());
            }
        }
        self.wall.step(now);
        Ok(())
    }

    /// The trigger: creates a file stream at `path`, writes the buffered
    /// frames to it oldest first with their recorded intervals, empties the
    /// ring, and sends later pushes to the file. Returns how many buffered
    /// frames were written.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] if already recording; the file stream's
    /// create and write errors. After an error the recorder is still in ring
    /// mode with the ring intact (a file that was created keeps the frames
    /// written before the error).
    pub fn trigger(&mut self, path: impl AsRef<Path>) -> Result<u64> {
        if let Some(file) = &self.file {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "already recording to {}; stop() before the next trigger",
                    quote_path(file.path())
                ),
            ));
        }
        let mut file = FileOptions::new()
            .clock(self.clock.clone())
            .limits(self.limits)
            .create(path)?;
        let slots = self.capacity();
        let write_at = self.ring.offset();
        let next = write_at as usize % slots;
        let first = if self.filled < slots { 0 } else { next };
        let written = self.filled as u64;
        for k in 0..self.filled {
            let copied = self
                .ring
                .seek(((first + k) % slots) as u64)
                .and_then(|()| self.ring.read_ref(ReadOptions::NO_WAIT))
                .and_then(|(view, info)| file.write_with_elapsed(view, info.elapsed()).map(|_| ()));
            if let Err(e) = copied {
                // Keep recording into the ring where it was, so that it stays
                // in order for the next trigger.
                self.ring.seek(write_at % slots as u64)?;
                return Err(e);
            }
        }
        self.ring.seek(0)?;
        self.filled = 0;
        self.file = Some(file);
        Ok(written)
    }

    /// Ends the recording: syncs and closes the file and returns to ring mode
    /// with an empty ring. Returns the number of frames in the file (0 if no
    /// trigger had fired).
    ///
    /// # Errors
    /// The file stream's sync errors.
    pub fn stop(&mut self) -> Result<u64> {
        match self.file.take() {
            Some(file) => {
                let count = file.count();
                file.close()?;
                Ok(count)
            }
            None => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::Image;
    use crate::clock::ManualClock;

    fn frame(v: u8) -> Image {
        Image::new(PixelFormat::Grayscale, 2, 2, vec![v; 4]).unwrap()
    }

    #[test]
    fn pre_trigger_frames_keep_their_intervals() {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::shared();
        let mut rec =
            TriggerRecorder::with_clock(2, 2, PixelFormat::Grayscale, 4, clock.clone()).unwrap();
        // Intervals 10, 11, ..., 19 ms for frames 0..9.
        for i in 0..10u8 {
            clock.advance(Duration::from_millis(10 + u64::from(i)));
            rec.push(&frame(i)).unwrap();
        }
        assert_eq!(rec.buffered(), 4);
        let path = dir.path().join("t.bin");
        assert_eq!(rec.trigger(&path).unwrap(), 4);
        assert!(rec.is_recording());
        assert_eq!(
            rec.trigger(dir.path().join("u.bin")).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        clock.advance(Duration::from_millis(50));
        rec.push(&frame(100)).unwrap();
        assert_eq!(
            rec.push(&Image::zeroed(PixelFormat::Grayscale, 3, 2).unwrap())
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidFrameSize
        );
        assert_eq!(rec.stop().unwrap(), 5);
        assert!(!rec.is_recording());
        assert_eq!(rec.buffered(), 0);

        let mut s = FileStream::open(&path).unwrap();
        let values: Vec<u8> = (0..5)
            .map(|_| s.read(ReadOptions::NO_WAIT).unwrap().unwrap().data()[0])
            .collect();
        assert_eq!(values, [6, 7, 8, 9, 100]);
        let ms: Vec<u32> = s.headers().map(|h| h.elapsed_ms).collect();
        assert_eq!(ms, [16, 17, 18, 19, 50]);
    }

    #[test]
    fn a_trigger_that_fails_while_writing_keeps_the_ring_in_order() {
        // With the next write in the middle of the ring, and at its end.
        for pushed in [5u8, 6] {
            trigger_fails_then_succeeds(pushed);
        }
    }

    fn trigger_fails_then_succeeds(pushed: u8) {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = TriggerRecorder::new(2, 2, PixelFormat::Grayscale, 3).unwrap();
        for i in 0..pushed {
            rec.push(&frame(i)).unwrap();
        }
        // The file refuses the ring's frames (as a full disk would).
        rec.limits = Limits {
            max_bytes: 3,
            ..Limits::default()
        };
        let e = rec.trigger(dir.path().join("fail.bin")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert!(!rec.is_recording());
        assert_eq!(rec.buffered(), 3);
        // The ring still holds the last three frames, oldest first, and goes
        // on from there.
        rec.limits = Limits::default();
        rec.push(&frame(pushed)).unwrap();
        let path = dir.path().join("ok.bin");
        assert_eq!(rec.trigger(&path).unwrap(), 3);
        assert_eq!(rec.stop().unwrap(), 3);
        let mut s = FileStream::open(&path).unwrap();
        let values: Vec<u8> = (0..3)
            .map(|_| s.read(ReadOptions::NO_WAIT).unwrap().unwrap().data()[0])
            .collect();
        assert_eq!(values, [pushed - 2, pushed - 1, pushed]);
    }

    #[test]
    fn partial_ring_and_no_trigger() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = TriggerRecorder::new(2, 2, PixelFormat::Grayscale, 8).unwrap();
        assert_eq!(rec.stop().unwrap(), 0);
        rec.push(&frame(1)).unwrap();
        rec.push(&frame(2)).unwrap();
        let path = dir.path().join("p.bin");
        assert_eq!(rec.trigger(&path).unwrap(), 2);
        assert_eq!(rec.stop().unwrap(), 2);
        let mut s = FileStream::open(&path).unwrap();
        assert_eq!(
            s.read(ReadOptions::NO_WAIT).unwrap().unwrap().data(),
            &[1; 4]
        );
        assert_eq!(
            s.read(ReadOptions::NO_WAIT).unwrap().unwrap().data(),
            &[2; 4]
        );
        assert!(
            TriggerRecorder::new(2, 2, PixelFormat::Rgb888, 2)
                .unwrap_err()
                .kind()
                == ErrorKind::UnsupportedFormat
        );
    }
}
