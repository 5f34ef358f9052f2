//! [`LagMonitor`]: notices a recording whose sink cannot keep up with its
//! camera, from the statistics [`record_with`](super::record_with) and
//! [`record_live`](super::record_live) report after every frame.

use std::time::Duration;

use super::RecordStats;

/// A recording that has been losing frames for a while: what
/// [`LagMonitor::update`] reports, once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lag {
    /// Frames per second the camera captured over the lagging stretch.
    pub source_fps: f64,
    /// Frames per second the sink took over the same stretch.
    pub written_fps: f64,
    /// How long (in capture time) frames have been lost.
    pub lasting: Duration,
}

/// Watches a recording's statistics, in windows of capture time, for a
/// sink that is not keeping up: when more than 5% of the frames captured
/// were dropped in each of [`LagMonitor::windows`] windows in a row (by
/// default three of one second), [`LagMonitor::update`] says so, once.
/// Short stalls (a disk flush) do not count.
///
/// ```
/// use std::time::Duration;
/// use camreel::record::{LagMonitor, RecordStats};
///
/// let mut monitor = LagMonitor::new();
/// let mut stats = RecordStats::new();
/// let mut said = None;
/// // A 30 fps camera, a sink that takes every other frame.
/// for i in 0..300u32 {
///     if i % 2 == 1 {
///         stats.dropped.pipeline += 1;
///         continue;
///     }
///     stats.frames += 1;
///     stats.timeline.push(Duration::from_secs(1) * i / 30);
///     if let Some(lag) = monitor.update(&stats) {
///         said.get_or_insert((i, lag));
///     }
/// }
/// let (at, lag) = said.unwrap();
/// assert_eq!(at, 90); // after three seconds
/// assert_eq!((lag.source_fps.round(), lag.written_fps.round()), (30.0, 15.0));
/// ```
#[derive(Clone, Debug)]
pub struct LagMonitor {
    window: Duration,
    needed: u32,
    /// Capture time, frames written and dropped when the current window
    /// started.
    start: Option<(Duration, u64, u64)>,
    /// The same when the current run of lagging windows started.
    run_start: Option<(Duration, u64, u64)>,
    run: u32,
    said: bool,
}

impl Default for LagMonitor {
    fn default() -> LagMonitor {
        LagMonitor::new()
    }
}

impl LagMonitor {
    /// Windows of one second, three in a row.
    pub fn new() -> LagMonitor {
        LagMonitor {
            window: Duration::from_secs(1),
            needed: 3,
            start: None,
            run_start: None,
            run: 0,
            said: false,
        }
    }

    /// How many lagging windows in a row make a [`Lag`] (at least 1).
    #[must_use]
    pub fn windows(mut self, windows: u32) -> LagMonitor {
        self.needed = windows.max(1);
        self
    }

    /// The length of a window (at least a millisecond).
    #[must_use]
    pub fn window(mut self, window: Duration) -> LagMonitor {
        self.window = window.max(Duration::from_millis(1));
        self
    }

    /// Looks at the statistics after a frame; `Some` the first time the
    /// recording has been lagging long enough, then never again.
    pub fn update(&mut self, stats: &RecordStats) -> Option<Lag> {
        let first = stats.timeline.first()?;
        let now = first.saturating_add(stats.timeline.span());
        let here = (now, stats.frames, stats.dropped.total());
        let Some(start) = self.start else {
            self.start = Some(here);
            return None;
        };
        let elapsed = now.saturating_sub(start.0);
        if elapsed < self.window {
            return None;
        }
        self.start = Some(here);
        let written = here.1 - start.1;
        let dropped = here.2 - start.2;
        // More than 5% of the window's frames were lost.
        if dropped * 20 <= written + dropped {
            self.run = 0;
            self.run_start = None;
            return None;
        }
        let run_start = *self.run_start.get_or_insert(start);
        self.run += 1;
        if self.said || self.run < self.needed {
            return None;
        }
        self.said = true;
        let lasting = now.saturating_sub(run_start.0);
        let secs = lasting.as_secs_f64();
        let written = (here.1 - run_start.1) as f64;
        let dropped = (here.2 - run_start.2) as f64;
        Some(Lag {
            source_fps: (written + dropped) / secs,
            written_fps: written / secs,
            lasting,
        })
    }
}
