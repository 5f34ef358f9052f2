//! OpenMV's ImageIO recorder/player: "OMV IMG STR" file streams and memory rings.
//!
//! A stream holds a sequence of frames, each with the milliseconds since the
//! previous one, so playback can re-create the original frame rate.
//!
//! - [`FileStream`]: a file on disk. [`FileStream::create`] writes V2.0
//!   (truncating); [`FileStream::open`] reads V1.0, V1.1 and V2.0. Frames of
//!   different sizes and formats mix freely.
//! - [`MemoryStream`]: a fixed number of slots of one shape and format,
//!   allocated once; writing and reading allocate nothing.
//! - [`TriggerRecorder`]: a memory ring of the most recent frames that, when a
//!   trigger fires, goes to a file stream followed by the live frames.
//! - [`ImageIo`]: either kind, for code that takes whichever it is given.
//! - [`header`]: the byte layouts, without I/O.
//!
//! Time comes from a [`Clock`] (the OS monotonic clock by
//! default), so tests can use a [`ManualClock`](crate::clock::ManualClock):
//! `write` stamps each frame with the milliseconds since the previous write
//! (OpenMV's behaviour), and `read` with [`ReadOptions::pausing`] waits that
//! long after the previous read returned. Frames written as a
//! [`FrameSink`](crate::sink::FrameSink) are stamped from their own
//! timestamps instead, so a recording copied at any speed keeps its timing;
//! [`FileStream::info`] reports a stream's duration (see
//! [the duration of a recording](crate::timing#the-duration-of-a-recording)).
//!
//! ```
//! use camreel::imageio::{FileStream, ReadOptions};
//! use camreel::{Image, PixelFormat};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("run.bin");
//! let gray = Image::new(PixelFormat::Grayscale, 4, 2, (0..8).collect())?;
//! let rgb = Image::zeroed(PixelFormat::Rgb565, 3, 3)?;
//!
//! let mut out = FileStream::create(&path)?;
//! out.write(&gray)?.write(&rgb)?; // calls chain
//! out.close()?;
//!
//! let mut input = FileStream::open(&path)?;
//! assert_eq!(input.count(), 2);
//! let mut frame = Image::empty();
//! while let Some(info) = input.read_into(&mut frame, ReadOptions::NO_WAIT)? {
//!     println!("frame {} after {} ms: {:?}", info.index, info.elapsed_ms, frame);
//! }
//! assert_eq!(frame, rgb);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod header;

mod fallback;
mod file;
mod info;
mod memory;
mod playback;
mod stream;
mod trigger;

use std::time::Duration;

pub use fallback::Fallback;
pub use file::{DamagedTail, FileOptions, FileStream};
pub use header::{FrameHeader, Version};
pub use info::{FileInfo, info};
pub use memory::MemoryStream;
pub use playback::{ReadInfo, ReadOptions};
pub use stream::{ImageIo, StreamKind};
pub use trigger::TriggerRecorder;

use crate::clock::Clock;
use crate::image::Image;
use crate::timing::Ticks;

pub(crate) use fallback::Storer;
use playback::Pacer;

/// The [`Ticks`] that stamp OpenMV-style writes ([`FileStream::write`]):
/// milliseconds since the previous write, the first since `clock`'s now.
fn wall_ticks(clock: &dyn Clock) -> Ticks {
    Ticks::starting_at(Ticks::MILLIS, clock.now())
}

/// Milliseconds from [`Ticks`], saturated to ImageIO's 32-bit field.
fn ms_u32(units: u64) -> u32 {
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// Milliseconds for intervals given as durations
/// ([`FileStream::write_with_elapsed`]): the rounded total of the intervals
/// given so far minus the milliseconds already stored, so the rounding is
/// carried from frame to frame, the first interval included.
#[derive(Clone, Copy, Debug)]
struct Carried {
    given: Duration,
    ticks: Ticks,
}

impl Carried {
    fn new() -> Carried {
        // Positions are measured from a frame at zero, so the first
        // interval's rounding is carried too.
        let mut ticks = Ticks::new(Ticks::MILLIS);
        ticks.step(Duration::ZERO);
        Carried {
            given: Duration::ZERO,
            ticks,
        }
    }

    /// The milliseconds to store for the next interval, `elapsed`.
    fn peek(&self, elapsed: Duration) -> u32 {
        ms_u32(self.ticks.peek(self.given.saturating_add(elapsed)))
    }

    /// Records that the interval `elapsed` was stored.
    fn step(&mut self, elapsed: Duration) {
        self.given = self.given.saturating_add(elapsed);
        self.ticks.step(self.given);
    }
}

/// Restores `image` to a valid placeholder after a failed fill.
fn reset_placeholder(image: &mut Image) {
    let buf = image.buffer_mut();
    buf.clear();
    buf.push(0);
    image.set_meta_unchecked(crate::PixelFormat::Grayscale, 1, 1);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn wall_ticks_add_up() {
        let clock = Arc::new(ManualClock::new());
        clock.advance(Duration::from_secs(7));
        let mut s = wall_ticks(&*clock);
        let mut total = 0;
        for _ in 0..30 {
            clock.advance(Duration::from_micros(33_333));
            total += ms_u32(s.step(clock.now()));
        }
        assert_eq!(total, 1000); // 30 * 33.333 ms = 999.99 ms, no drift
    }

    #[test]
    fn given_intervals_carry_their_rounding() {
        let mut c = Carried::new();
        let mut stored = Vec::new();
        for _ in 0..6 {
            let ms = c.peek(Duration::from_nanos(33_333_333));
            c.step(Duration::from_nanos(33_333_333));
            stored.push(ms);
        }
        assert_eq!(stored, [33, 34, 33, 33, 34, 33]);
        // Whole milliseconds are stored as they are.
        assert_eq!(c.peek(Duration::from_millis(40)), 40);
    }
}
