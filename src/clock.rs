//! A monotonic clock that tests can replace.
//!
//! Recorders stamp frames with the time since the previous one and players
//! wait out recorded intervals. Both take an `Arc<dyn Clock>`, so a test can
//! drive time by hand with [`ManualClock`] instead of sleeping.
//!
//! ```
//! use std::time::Duration;
//! use camreel::clock::{Clock, ManualClock};
//!
//! let clock = ManualClock::new();
//! let t0 = clock.now();
//! clock.advance(Duration::from_millis(33));
//! clock.sleep(Duration::from_millis(7)); // returns at once, time moves on
//! assert_eq!(clock.now() - t0, Duration::from_millis(40));
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A monotonic time source.
pub trait Clock: Send + Sync {
    /// Time elapsed since an arbitrary fixed origin; never goes backwards.
    fn now(&self) -> Duration;

    /// Blocks for `duration` (a manual clock advances instead).
    fn sleep(&self, duration: Duration);
}

/// The operating system's monotonic clock ([`Instant`]).
#[derive(Clone, Copy, Debug)]
pub struct MonotonicClock {
    origin: Instant,
}

impl MonotonicClock {
    /// A clock whose origin is now.
    pub fn new() -> MonotonicClock {
        MonotonicClock {
            origin: Instant::now(),
        }
    }

    /// A shareable handle to a new monotonic clock.
    pub fn shared() -> Arc<dyn Clock> {
        Arc::new(MonotonicClock::new())
    }
}

impl Default for MonotonicClock {
    fn default() -> MonotonicClock {
        MonotonicClock::new()
    }
}

impl Clock for MonotonicClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// A clock that only moves when told to: by [`ManualClock::advance`],
/// [`ManualClock::set`] or [`Clock::sleep`].
#[derive(Debug, Default)]
pub struct ManualClock {
    nanos: AtomicU64,
}

impl ManualClock {
    /// A clock at time zero.
    pub fn new() -> ManualClock {
        ManualClock::default()
    }

    /// A shareable manual clock; keep a clone to drive it.
    pub fn shared() -> Arc<ManualClock> {
        Arc::new(ManualClock::new())
    }

    /// Moves time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let n = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                Some(t.saturating_add(n))
            })
            .ok();
    }

    /// Sets the time to `to` (ignored if it would go backwards).
    pub fn set(&self, to: Duration) {
        let n = u64::try_from(to.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_max(n, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }

    fn sleep(&self, duration: Duration) {
        self.advance(duration);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_never_goes_back() {
        let c = ManualClock::new();
        c.set(Duration::from_secs(5));
        c.set(Duration::from_secs(1));
        assert_eq!(c.now(), Duration::from_secs(5));
        c.advance(Duration::MAX);
        assert_eq!(c.now(), Duration::from_nanos(u64::MAX));
    }

    #[test]
    fn monotonic_clock_moves_forward() {
        let c = MonotonicClock::new();
        let a = c.now();
        c.sleep(Duration::from_millis(2));
        assert!(c.now() >= a + Duration::from_millis(2));
    }
}
