//! Playing a stream back: [`ReadOptions`] (loop, pause), [`ReadInfo`] (what
//! a read returns besides the pixels) and the pacer that waits out each
//! frame's recorded interval.

use std::time::Duration;

use crate::clock::Clock;

/// How `read` behaves at the end of a stream and between frames: builder
/// methods on the defaults ([`ReadOptions::PLAYBACK`]), read back with `is_`
/// getters, and constants for the common cases.
///
/// ```
/// use camreel::imageio::ReadOptions;
/// assert_eq!(ReadOptions::default(), ReadOptions::PLAYBACK);
/// assert!(ReadOptions::PLAYBACK.is_looping() && ReadOptions::PLAYBACK.is_pausing());
/// let fast = ReadOptions::default().looping(false).pausing(false);
/// assert_eq!(fast, ReadOptions::NO_WAIT);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct ReadOptions {
    looping: bool,
    pausing: bool,
}

impl Default for ReadOptions {
    /// [`ReadOptions::PLAYBACK`], OpenMV's defaults.
    fn default() -> ReadOptions {
        ReadOptions::PLAYBACK
    }
}

impl ReadOptions {
    /// Play like a camera: loop at the end, wait out each frame's recorded
    /// interval (OpenMV's `loop=True, pause=True`; the default).
    pub const PLAYBACK: ReadOptions = ReadOptions {
        looping: true,
        pausing: true,
    };

    /// Play once in real time: wait out the intervals, stop at the end.
    pub const ONCE: ReadOptions = ReadOptions {
        looping: false,
        pausing: true,
    };

    /// Read every frame once, as fast as possible: no waiting, stop at the
    /// end (converting, indexing, tests).
    pub const NO_WAIT: ReadOptions = ReadOptions {
        looping: false,
        pausing: false,
    };

    /// File streams: at the end, wrap to the first frame (`true`) or return
    /// `Ok(None)` (`false`). Memory streams ignore it and report
    /// [`ErrorKind::EndOfStream`](crate::ErrorKind::EndOfStream). OpenMV's
    /// `loop`.
    pub fn looping(mut self, looping: bool) -> ReadOptions {
        self.looping = looping;
        self
    }

    /// Wait out the frame's recorded interval, measured from when the
    /// previous read returned (so the caller's processing time counts),
    /// before returning it. OpenMV's `pause`.
    pub fn pausing(mut self, pausing: bool) -> ReadOptions {
        self.pausing = pausing;
        self
    }

    /// Whether reads wrap around at the end ([`ReadOptions::looping`]).
    pub fn is_looping(&self) -> bool {
        self.looping
    }

    /// Whether reads wait out the recorded intervals ([`ReadOptions::pausing`]).
    pub fn is_pausing(&self) -> bool {
        self.pausing
    }
}

/// What a read returned besides the pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadInfo {
    /// Index of the frame in the stream (0-based).
    pub index: u64,
    /// Milliseconds between this frame and the previous one when recorded,
    /// as the file stores them (see [`ReadInfo::elapsed`]).
    pub elapsed_ms: u32,
}

impl ReadInfo {
    /// The time between this frame and the previous one when recorded.
    pub fn elapsed(&self) -> Duration {
        Duration::from_millis(u64::from(self.elapsed_ms))
    }
}

/// Playback timing shared by both stream kinds: waits out `elapsed_ms` from
/// the previous read (or from when the stream was opened).
#[derive(Clone, Copy, Debug)]
pub(super) struct Pacer {
    last_read: Duration,
}

impl Pacer {
    pub(super) fn new(clock: &dyn Clock) -> Pacer {
        Pacer {
            last_read: clock.now(),
        }
    }

    /// Called when a frame is ready to be returned.
    pub(super) fn frame_ready(&mut self, clock: &dyn Clock, elapsed_ms: u32, pause: bool) {
        let now = clock.now();
        if !pause {
            self.last_read = now;
            return;
        }
        let target = self.last_read + Duration::from_millis(u64::from(elapsed_ms));
        if now < target {
            clock.sleep(target - now);
            // Measure the next interval from when this frame was due, so that
            // oversleeping does not accumulate.
            self.last_read = target;
        } else {
            self.last_read = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn pacer_waits_from_previous_read_and_does_not_drift() {
        let clock = Arc::new(ManualClock::new());
        let mut p = Pacer::new(&*clock);
        // The caller spends 10 ms processing; a 33 ms frame waits 23 more.
        clock.advance(Duration::from_millis(10));
        p.frame_ready(&*clock, 33, true);
        assert_eq!(clock.now(), Duration::from_millis(33));
        // Late by 50 ms: no wait, and the next interval counts from now.
        clock.advance(Duration::from_millis(50));
        p.frame_ready(&*clock, 33, true);
        assert_eq!(clock.now(), Duration::from_millis(83));
        p.frame_ready(&*clock, 20, true);
        assert_eq!(clock.now(), Duration::from_millis(103));
        p.frame_ready(&*clock, 1000, false);
        assert_eq!(clock.now(), Duration::from_millis(103));
    }
}
