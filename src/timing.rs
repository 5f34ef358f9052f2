//! Time: exact frame rates, and the one helper that turns frame timestamps
//! into each writer's unit.
//!
//! Every frame carries its capture timestamp ([`Frame::timestamp`]). Writers
//! derive what their format stores from those timestamps, never from a wall
//! clock:
//!
//! | output | stores | derived with |
//! |---|---|---|
//! | ImageIO `.bin` | milliseconds since the previous frame | [`Ticks`] at 1000/s |
//! | GIF | how long each frame shows, in centiseconds | [`Ticks`] at 100/s |
//! | AVI | one constant rate | [`FrameRate::measured`] (or a given rate) |
//! | MP4 | per-sample durations | [`Ticks`] at 90000/s |
//!
//! [`Ticks`] rounds the time since the first frame, not each interval, so
//! the stored units always add up to the true elapsed time (30 fps in
//! milliseconds alternates 33 and 34 instead of drifting).
//!
//! # The duration of a recording
//!
//! A recording of N frames lasts from its first frame's timestamp to its
//! last frame's, plus the time the last frame is shown: the recording's
//! nominal frame interval when it has a rate (an AVI's, a source's `--fps`),
//! otherwise the mean of its earlier intervals ([`Timeline::duration`]). So
//! 60 frames at 30 fps last 2.000 s whether they are stored as ImageIO
//! (59 intervals of 33 or 34 ms plus one more), AVI (60 / 30) or GIF (the
//! delays, the last one included). `camreel info` reports it this way for
//! every kind of file.
//!
//! [`Frame::timestamp`]: crate::frame::Frame::timestamp
// Over 700 lines only because its unit tests are at the end: they test
// private parts and read best next to the code.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};

/// The lowest frame rate accepted from a user (`--fps`, [`FrameRate::from_fps`]):
/// one frame a day.
pub const MIN_FPS: f64 = 1.0 / 86_400.0;

/// The highest frame rate accepted from a user: 10,000 frames per second.
pub const MAX_FPS: f64 = 10_000.0;

const MIN_FPS_TEXT: &str = "1/86400";

/// A frame rate as an exact fraction, `numerator / denominator` frames per
/// second: the `dwRate` / `dwScale` pair of an AVI stream header, so that
/// NTSC's 30000/1001 is represented exactly.
///
/// ```
/// use std::time::Duration;
/// use camreel::timing::FrameRate;
///
/// let ntsc = FrameRate::new(60000, 2002)?; // reduced to 30000/1001
/// assert_eq!((ntsc.numerator(), ntsc.denominator()), (30000, 1001));
/// assert_eq!(FrameRate::from_fps(29.97)?, ntsc);
/// assert_eq!(ntsc.micros_per_frame(), 33367);
/// assert_eq!("25".parse::<FrameRate>()?.frame_interval(), Duration::from_millis(40));
/// assert_eq!(FrameRate::from_fps(12.5)?.to_string(), "25/2");
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameRate {
    num: u32,
    den: u32,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The simplest fraction `n / d` (`d` at most `max_den`) within `rel_tol` of
/// `x`, from the continued fraction of `x`.
fn rational_near(x: f64, max_den: u64, rel_tol: f64) -> Option<(u32, u32)> {
    let (mut h0, mut h1) = (0u64, 1u64);
    let (mut k0, mut k1) = (1u64, 0u64);
    let mut v = x;
    for _ in 0..64 {
        let a = v.floor();
        if !(0.0..=f64::from(u32::MAX)).contains(&a) {
            return None;
        }
        let a = a as u64;
        let h2 = a.checked_mul(h1)?.checked_add(h0)?;
        let k2 = a.checked_mul(k1)?.checked_add(k0)?;
        if k2 > max_den || h2 > u64::from(u32::MAX) {
            return None;
        }
        (h0, h1, k0, k1) = (h1, h2, k1, k2);
        if h1 > 0 && (h1 as f64 / k1 as f64 - x).abs() <= x * rel_tol {
            return Some((h1 as u32, k1 as u32));
        }
        let frac = v - a as f64;
        if frac <= f64::EPSILON {
            return None;
        }
        v = 1.0 / frac;
    }
    None
}

/// Rates that a measured or decimal rate snaps to when it is this close.
const STANDARD_FRACTIONAL: [u32; 7] = [24, 30, 48, 60, 120, 240, 15];

impl FrameRate {
    /// 30000/1001 (29.97) frames per second.
    pub const NTSC: FrameRate = FrameRate {
        num: 30000,
        den: 1001,
    };

    /// `numerator / denominator` frames per second, reduced.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] if either is zero.
    pub fn new(numerator: u32, denominator: u32) -> Result<FrameRate> {
        if numerator == 0 || denominator == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("frame rate {numerator}/{denominator} has a zero term"),
            ));
        }
        let g = gcd(u64::from(numerator), u64::from(denominator)) as u32;
        Ok(FrameRate {
            num: numerator / g,
            den: denominator / g,
        })
    }

    /// The closest standard rate (an integer, or 24, 30, 60... times
    /// 1000/1001) within `tolerance` (relative) of `fps`.
    fn snap(fps: f64, tolerance: f64) -> Option<FrameRate> {
        let mut best: Option<(f64, FrameRate)> = None;
        let mut consider = |num: u32, den: u32| {
            let r = f64::from(num) / f64::from(den);
            let err = ((r - fps) / fps).abs();
            if err <= tolerance && best.is_none_or(|(e, _)| err < e) {
                best = Some((err, FrameRate { num, den }));
            }
        };
        let rounded = fps.round();
        if rounded >= 1.0 && rounded <= f64::from(u32::MAX) {
            consider(rounded as u32, 1);
        }
        for k in STANDARD_FRACTIONAL {
            consider(k * 1000, 1001);
        }
        best.map(|(_, r)| r)
    }

    /// The rate for a decimal number of frames per second: a standard rate
    /// (an integer, or 24, 30, 48, 60, 120, 240 times 1000/1001) when `fps`
    /// is within 0.05 % of one, else the simplest fraction with a denominator
    /// up to 10^6 that `fps` is (within 10^-9, so the `f64` of 10000/333
    /// gives 10000/333 back), else `fps` rounded to 1/1000.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] unless `fps` is within the supported
    /// range, [`MIN_FPS`] (one frame a day) to [`MAX_FPS`].
    pub fn from_fps(fps: f64) -> Result<FrameRate> {
        if !(fps.is_finite() && (MIN_FPS..=MAX_FPS).contains(&fps)) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "frame rate {} is out of range (expected {MIN_FPS_TEXT} to {MAX_FPS} frames per second)",
                    // 5e-324, not 324 digits.
                    if fps != 0.0 && (fps.abs() < 1e-3 || fps.abs() >= 1e7) {
                        format!("{fps:e}")
                    } else {
                        format!("{fps}")
                    }
                ),
            ));
        }
        if let Some(r) = FrameRate::snap(fps, 5e-4) {
            return Ok(r);
        }
        if let Some((n, d)) = rational_near(fps, 1_000_000, 1e-9) {
            return FrameRate::new(n, d);
        }
        let milli = (fps * 1000.0).round();
        if milli >= 1.0 {
            return FrameRate::new(milli as u32, 1000);
        }
        let period = (1.0 / fps).round().min(f64::from(u32::MAX));
        FrameRate::new(1, period as u32)
    }

    /// The rate of one frame every `interval`, snapped to a standard rate
    /// within `tolerance`; otherwise exact to the nanosecond (or the coarsest
    /// unit in which it fits 32 bits).
    fn from_interval_with(interval: Duration, tolerance: f64) -> Result<FrameRate> {
        let ns = interval.as_nanos();
        if ns == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "frame interval is zero",
            ));
        }
        if let Some(r) = FrameRate::snap(1e9 / ns as f64, tolerance) {
            return Ok(r);
        }
        for (unit, per_second) in [
            (1u128, 1_000_000_000u64),
            (1_000, 1_000_000),
            (1_000_000, 1_000),
            (1_000_000_000, 1),
        ] {
            let count = ((ns + unit / 2) / unit).max(1);
            let Ok(count) = u64::try_from(count) else {
                continue;
            };
            let g = gcd(per_second, count);
            if let (Ok(num), Ok(den)) = (u32::try_from(per_second / g), u32::try_from(count / g)) {
                return FrameRate::new(num, den);
            }
        }
        Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("frame interval {interval:?} is too long"),
        ))
    }

    /// The rate of one frame every `interval`: a standard rate when within
    /// 0.05 % of one (as [`FrameRate::from_fps`]), otherwise exact.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a zero interval or one longer than
    /// 136 years.
    pub fn from_interval(interval: Duration) -> Result<FrameRate> {
        FrameRate::from_interval_with(interval, 5e-4)
    }

    /// The rate measured from `frames` frames whose first and last timestamps
    /// are `span` apart: snapped to a standard rate within 0.1 %, as a camera's
    /// clock is rarely exact. None with fewer than two frames or no time.
    ///
    /// ```
    /// use std::time::Duration;
    /// use camreel::timing::FrameRate;
    /// let span = Duration::from_nanos(33_366_667) * 299;
    /// assert_eq!(FrameRate::measured(300, span), Some(FrameRate::NTSC));
    /// ```
    pub fn measured(frames: u64, span: Duration) -> Option<FrameRate> {
        if frames < 2 || span.is_zero() {
            return None;
        }
        let mean = span.as_nanos() / u128::from(frames - 1);
        let mean = Duration::from_nanos(u64::try_from(mean).ok()?.max(1));
        FrameRate::from_interval_with(mean, 1e-3).ok()
    }

    /// `dwRate`: frames per `denominator` seconds.
    pub const fn numerator(self) -> u32 {
        self.num
    }

    /// `dwScale`.
    pub const fn denominator(self) -> u32 {
        self.den
    }

    /// Frames per second as a float.
    pub fn fps(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }

    /// The time between two frames, to the nanosecond.
    pub fn frame_interval(self) -> Duration {
        let ns = (u128::from(self.den) * 1_000_000_000 + u128::from(self.num) / 2)
            / u128::from(self.num);
        Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
    }

    /// The time of frame `n` after the first: `n` frame intervals, exact to
    /// the nanosecond (rounded down; no rounding accumulates).
    ///
    /// ```
    /// use std::time::Duration;
    /// use camreel::timing::FrameRate;
    ///
    /// assert_eq!(FrameRate::NTSC.frame_time(30_000), Duration::from_secs(1001));
    /// assert_eq!(FrameRate::NTSC.frame_time(1), Duration::from_nanos(33_366_666));
    /// ```
    pub fn frame_time(self, n: u64) -> Duration {
        let ns = u128::from(n) * u128::from(self.den) * 1_000_000_000 / u128::from(self.num);
        Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
    }

    /// The nearest frame slot to a time `t` after the first frame: frame
    /// `n` of a constant-rate file plays at `n / rate`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use camreel::timing::FrameRate;
    ///
    /// let ntsc = FrameRate::NTSC; // 30000/1001
    /// assert_eq!(ntsc.slot(Duration::from_secs(1001)), 30_000);
    /// assert_eq!(ntsc.slot(Duration::from_millis(50)), 1); // 1.5 slots rounds up
    /// assert_eq!(ntsc.slot(Duration::from_millis(49)), 1);
    /// assert_eq!(ntsc.slot(Duration::from_millis(16)), 0);
    /// ```
    pub fn slot(self, t: Duration) -> u64 {
        let den = u128::from(self.den) * 1_000_000_000;
        let n = (t.as_nanos() * u128::from(self.num) + den / 2) / den;
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    /// `dwMicroSecPerFrame` of the AVI main header: the interval rounded to
    /// the microsecond.
    pub fn micros_per_frame(self) -> u32 {
        let us =
            (u128::from(self.den) * 1_000_000 + u128::from(self.num) / 2) / u128::from(self.num);
        u32::try_from(us).unwrap_or(u32::MAX)
    }
}

impl Default for FrameRate {
    /// 30 frames per second.
    fn default() -> FrameRate {
        FrameRate { num: 30, den: 1 }
    }
}

impl fmt::Display for FrameRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

impl FromStr for FrameRate {
    type Err = Error;

    /// `"30000/1001"`, `"30"` or `"29.97"` (see [`FrameRate::from_fps`]).
    fn from_str(s: &str) -> Result<FrameRate> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("frame rate {s:?} is not a number or a fraction such as 30000/1001"),
            )
        };
        let s = s.trim();
        if let Some((n, d)) = s.split_once('/') {
            let n: u32 = n.trim().parse().map_err(|_| bad())?;
            let d: u32 = d.trim().parse().map_err(|_| bad())?;
            return FrameRate::new(n, d);
        }
        if let Ok(n) = s.parse::<u32>() {
            return FrameRate::new(n, 1);
        }
        FrameRate::from_fps(s.parse::<f64>().map_err(|_| bad())?)
    }
}

/// Whole units of a timescale (milliseconds, centiseconds, 90 kHz ticks)
/// for a series of frame timestamps.
///
/// Each frame's position is the time since the first frame, rounded to the
/// nearest unit; the step between two frames is the difference of their
/// rounded positions, so the steps always add up to the rounded total and
/// rounding never accumulates. A timestamp earlier than the previous one
/// gives a step of 0 and does not move the position back.
///
/// ```
/// use std::time::Duration;
/// use camreel::timing::Ticks;
///
/// // Seven frames 33.333 ms apart, in milliseconds: 200 ms in all.
/// let mut ms = Ticks::new(1000);
/// let steps: Vec<u64> = (0..7u64)
///     .map(|i| ms.step(Duration::from_micros(i * 33_333)))
///     .collect();
/// assert_eq!(steps, [0, 33, 34, 33, 33, 34, 33]);
/// assert_eq!(ms.total(), 200);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticks {
    per_second: u32,
    /// Where the first step is measured from ([`Ticks::starting_at`]).
    origin: Option<Duration>,
    first: Option<Duration>,
    total: u64,
}

impl Ticks {
    /// Milliseconds (ImageIO intervals).
    pub const MILLIS: u32 = 1000;
    /// Centiseconds (GIF delays).
    pub const CENTIS: u32 = 100;
    /// The 90 kHz clock of MPEG and MP4 timestamps.
    pub const MPEG: u32 = 90_000;

    /// Units of `1 / per_second` seconds (at least 1 per second).
    pub fn new(per_second: u32) -> Ticks {
        Ticks {
            per_second: per_second.max(1),
            origin: None,
            first: None,
            total: 0,
        }
    }

    /// Units of `1 / per_second` seconds where the first step is the time
    /// from `origin` to the first frame (ImageIO's first interval is the
    /// time since the stream was opened). The later steps are measured from
    /// the first frame as with [`Ticks::new`], so the rounding of the first
    /// step does not move them: N frames at a constant rate store the same
    /// intervals whenever the first one comes.
    ///
    /// ```
    /// use std::time::Duration;
    /// use camreel::timing::Ticks;
    ///
    /// let mut ms = Ticks::starting_at(1000, Duration::ZERO);
    /// let steps: Vec<u64> = (0..4u64)
    ///     .map(|i| ms.step(Duration::from_micros(2_400 + i * 66_667)))
    ///     .collect();
    /// assert_eq!(steps, [2, 67, 66, 67]);
    /// assert_eq!(ms.total(), 200);
    /// ```
    pub fn starting_at(per_second: u32, origin: Duration) -> Ticks {
        Ticks {
            origin: Some(origin),
            ..Ticks::new(per_second)
        }
    }

    /// Units per second.
    pub fn per_second(&self) -> u32 {
        self.per_second
    }

    /// Whole units in `duration`, rounded to the nearest (saturating).
    pub fn units(&self, duration: Duration) -> u64 {
        let per = u128::from(self.per_second);
        let units = (duration.as_nanos() * per + 500_000_000) / 1_000_000_000;
        u64::try_from(units).unwrap_or(u64::MAX)
    }

    /// The duration of `units` units.
    pub fn duration(&self, units: u64) -> Duration {
        let ns = u128::from(units) * 1_000_000_000 / u128::from(self.per_second);
        Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
    }

    /// Units from the previous frame to the frame at `timestamp` (for the
    /// first frame 0, or the time since the origin of
    /// [`Ticks::starting_at`]).
    pub fn step(&mut self, timestamp: Duration) -> u64 {
        let Some(first) = self.first else {
            self.first = Some(timestamp);
            return self
                .origin
                .map_or(0, |origin| self.units(timestamp.saturating_sub(origin)));
        };
        let at = self.units(timestamp.saturating_sub(first));
        let step = at.saturating_sub(self.total);
        self.total = self.total.max(at);
        step
    }

    /// The step [`Ticks::step`] would return for `timestamp`, without
    /// recording the frame.
    pub fn peek(&self, timestamp: Duration) -> u64 {
        let mut copy = *self;
        copy.step(timestamp)
    }

    /// Units from the first frame to the last one so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Whether a frame was stepped yet.
    pub fn is_started(&self) -> bool {
        self.first.is_some()
    }
}

/// The time line of a recording being written or read: first and last
/// timestamps and the frame count, and from them the recording's duration
/// and measured rate (see the [module docs](self#the-duration-of-a-recording)).
///
/// ```
/// use std::time::Duration;
/// use camreel::timing::{FrameRate, Timeline};
///
/// let mut t = Timeline::new();
/// for i in 0..50u32 {
///     t.push(Duration::from_millis(40) * i);
/// }
/// assert_eq!(t.frames(), 50);
/// assert_eq!(t.duration(), Duration::from_secs(2));
/// assert_eq!(t.measured_rate(), FrameRate::new(25, 1).ok());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    first: Option<Duration>,
    last: Duration,
    frames: u64,
    rate: Option<FrameRate>,
}

impl Timeline {
    /// An empty time line with no nominal rate.
    pub fn new() -> Timeline {
        Timeline::default()
    }

    /// An empty time line whose frames last `rate`'s interval each (the last
    /// frame's duration is the nominal interval instead of the mean).
    pub fn with_rate(rate: FrameRate) -> Timeline {
        Timeline {
            rate: Some(rate),
            ..Timeline::default()
        }
    }

    /// The time line of frames whose intervals are `intervals` (the time
    /// from each frame to the next, as ImageIO stores them, without the
    /// first frame's time since the stream opened).
    pub fn from_intervals(intervals: impl IntoIterator<Item = Duration>) -> Timeline {
        let mut t = Timeline::new();
        let mut at = Duration::ZERO;
        t.push(at);
        for step in intervals {
            at = at.saturating_add(step);
            t.push(at);
        }
        t
    }

    /// Adds the frame at `timestamp` and returns the time since the previous
    /// frame (zero for the first, or when time went backwards).
    pub fn push(&mut self, timestamp: Duration) -> Duration {
        self.frames += 1;
        match self.first {
            None => {
                self.first = Some(timestamp);
                self.last = timestamp;
                Duration::ZERO
            }
            Some(_) => {
                let step = timestamp.saturating_sub(self.last);
                self.last = self.last.max(timestamp);
                step
            }
        }
    }

    /// Frames pushed.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The nominal rate, if one was given.
    pub fn rate(&self) -> Option<FrameRate> {
        self.rate
    }

    /// Timestamp of the first frame.
    pub fn first(&self) -> Option<Duration> {
        self.first
    }

    /// From the first frame's timestamp to the last one's.
    pub fn span(&self) -> Duration {
        self.first
            .map_or(Duration::ZERO, |first| self.last.saturating_sub(first))
    }

    /// How long the last frame is shown: the nominal interval, else the mean
    /// of the earlier intervals, else (a single frame, no rate) one frame at
    /// the default 30 fps.
    pub fn last_frame_duration(&self) -> Duration {
        if let Some(rate) = self.rate {
            return rate.frame_interval();
        }
        match self.frames {
            0 => Duration::ZERO,
            1 => FrameRate::default().frame_interval(),
            n => {
                let intervals = u128::from(n - 1);
                let mean = (self.span().as_nanos() * 2 + intervals) / (2 * intervals);
                Duration::from_nanos(u64::try_from(mean).unwrap_or(u64::MAX))
            }
        }
    }

    /// The recording's duration: [`Timeline::span`] plus
    /// [`Timeline::last_frame_duration`].
    pub fn duration(&self) -> Duration {
        self.span().saturating_add(self.last_frame_duration())
    }

    /// The rate measured from the timestamps ([`FrameRate::measured`]), or
    /// the nominal rate.
    pub fn measured_rate(&self) -> Option<FrameRate> {
        self.rate
            .or_else(|| FrameRate::measured(self.frames, self.span()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_reduce_and_format() {
        let r = FrameRate::new(60, 2).unwrap();
        assert_eq!((r.numerator(), r.denominator()), (30, 1));
        assert_eq!(r.to_string(), "30");
        assert_eq!(FrameRate::NTSC.to_string(), "30000/1001");
        assert!(FrameRate::new(0, 1).is_err());
        assert!(FrameRate::new(1, 0).is_err());
        assert_eq!(FrameRate::default().fps(), 30.0);
    }

    #[test]
    fn decimal_rates_snap_to_standard_ones() {
        assert_eq!(FrameRate::from_fps(29.97).unwrap(), FrameRate::NTSC);
        assert_eq!(
            FrameRate::from_fps(23.976).unwrap(),
            FrameRate::new(24000, 1001).unwrap()
        );
        assert_eq!(
            FrameRate::from_fps(59.94).unwrap(),
            FrameRate::new(60000, 1001).unwrap()
        );
        assert_eq!(
            FrameRate::from_fps(30.0).unwrap(),
            FrameRate::new(30, 1).unwrap()
        );
        assert_eq!(
            FrameRate::from_fps(7.5).unwrap(),
            FrameRate::new(15, 2).unwrap()
        );
        assert_eq!(
            FrameRate::from_fps(0.25).unwrap(),
            FrameRate::new(1, 4).unwrap()
        );
        assert_eq!(
            FrameRate::from_fps(0.0001).unwrap(),
            FrameRate::new(1, 10000).unwrap()
        );
        for bad in [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            5.0e6,
            1e-20,
            5e-324,
            10_000.5,
        ] {
            assert_eq!(
                FrameRate::from_fps(bad).unwrap_err().kind(),
                ErrorKind::InvalidArgument
            );
        }
    }

    #[test]
    fn intervals() {
        assert_eq!(
            FrameRate::from_interval(Duration::from_micros(33367)).unwrap(),
            FrameRate::NTSC
        );
        assert_eq!(
            FrameRate::from_interval(Duration::from_millis(40)).unwrap(),
            FrameRate::new(25, 1).unwrap()
        );
        // 33.3 ms is 30.03 fps: 0.1 % off 30, not snapped by from_interval.
        assert_eq!(
            FrameRate::from_interval(Duration::from_micros(33300)).unwrap(),
            FrameRate::new(10000, 333).unwrap()
        );
        // One frame a minute.
        assert_eq!(
            FrameRate::from_interval(Duration::from_secs(60)).unwrap(),
            FrameRate::new(1, 60).unwrap()
        );
        // Long intervals fall back to coarser units.
        let r = FrameRate::from_interval(Duration::from_nanos(10_000_000_001)).unwrap();
        assert_eq!(r, FrameRate::new(1_000_000, 10_000_000).unwrap());
        assert!(FrameRate::from_interval(Duration::ZERO).is_err());
        assert_eq!(
            FrameRate::NTSC.frame_interval(),
            Duration::from_nanos(33_366_667)
        );
    }

    #[test]
    fn measured_rates() {
        assert_eq!(FrameRate::measured(1, Duration::from_secs(1)), None);
        assert_eq!(FrameRate::measured(5, Duration::ZERO), None);
        // 300 frames 33.32 ms apart: within 0.1 % of 30.
        let span = Duration::from_micros(33320) * 299;
        assert_eq!(FrameRate::measured(300, span), FrameRate::new(30, 1).ok());
        let span = Duration::from_nanos(33_366_667) * 299;
        assert_eq!(FrameRate::measured(300, span), Some(FrameRate::NTSC));
        let span = Duration::from_millis(200) * 9;
        assert_eq!(FrameRate::measured(10, span), FrameRate::new(5, 1).ok());
        let span = Duration::from_millis(38) * 9;
        assert_eq!(FrameRate::measured(10, span), FrameRate::new(1000, 38).ok());
    }

    #[test]
    fn parses() {
        assert_eq!("30000/1001".parse::<FrameRate>().unwrap(), FrameRate::NTSC);
        assert_eq!(
            " 25 ".parse::<FrameRate>().unwrap(),
            FrameRate::new(25, 1).unwrap()
        );
        assert_eq!("29.97".parse::<FrameRate>().unwrap(), FrameRate::NTSC);
        for bad in ["", "x", "1/0", "0", "-3", "1/x"] {
            assert!(bad.parse::<FrameRate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn fps_range_is_documented() {
        assert_eq!(
            FrameRate::from_fps(MAX_FPS).unwrap(),
            FrameRate::new(10_000, 1).unwrap()
        );
        assert_eq!(
            FrameRate::from_fps(MIN_FPS).unwrap(),
            FrameRate::new(1, 86_400).unwrap()
        );
        let err = FrameRate::from_fps(1e-20).unwrap_err();
        assert!(err.to_string().contains("1/86400 to 10000"), "{err}");
        let err = FrameRate::from_fps(5e-324).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("frame rate 5e-324 is out of range"),
            "{err}"
        );
        assert_eq!(
            FrameRate::new(1, 1000).unwrap().micros_per_frame(),
            1_000_000_000
        );
        assert_eq!(FrameRate::new(30, 1).unwrap().micros_per_frame(), 33_333);
        assert_eq!(
            FrameRate::new(1, u32::MAX).unwrap().micros_per_frame(),
            u32::MAX
        );
    }

    #[test]
    fn ticks_round_the_total_not_each_step() {
        let mut cs = Ticks::new(Ticks::CENTIS);
        let steps: Vec<u64> = (0..4u64)
            .map(|i| cs.step(Duration::from_millis(i * 33)))
            .collect();
        // 0, 33, 66, 99 ms: positions 0, 3, 7, 10 cs.
        assert_eq!(steps, [0, 3, 4, 3]);
        // Time going backwards neither steps nor moves the position back.
        assert_eq!(cs.step(Duration::from_millis(50)), 0);
        assert_eq!(cs.step(Duration::from_millis(110)), 1);
        assert_eq!(cs.total(), 11);
        let mpeg = Ticks::new(Ticks::MPEG);
        assert_eq!(mpeg.units(FrameRate::NTSC.frame_interval()), 3003);
        assert_eq!(mpeg.duration(3003), Duration::from_nanos(33_366_666));
        assert_eq!(
            Ticks::new(1000).units(Duration::MAX),
            18_446_744_073_709_551_615
        );
        assert_eq!(Ticks::new(0).per_second(), 1);
        assert_eq!(Ticks::new(1000).peek(Duration::from_secs(3)), 0);
    }

    #[test]
    fn timeline_durations() {
        let empty = Timeline::new();
        assert_eq!(empty.duration(), Duration::ZERO);
        let mut one = Timeline::new();
        one.push(Duration::from_secs(5));
        assert_eq!(one.duration(), FrameRate::default().frame_interval());
        // ImageIO's 60 frames at 30 fps: intervals of 33 and 34 ms.
        let mut ms = Ticks::new(Ticks::MILLIS);
        let steps: Vec<Duration> = (0..60u64)
            .map(|i| Duration::from_millis(ms.step(Duration::from_nanos(i * 33_333_333))))
            .skip(1)
            .collect();
        let t = Timeline::from_intervals(steps);
        assert_eq!(t.frames(), 60);
        assert_eq!(t.span(), Duration::from_millis(1967));
        assert_eq!(t.duration().as_millis(), 2000);
        let mut fixed = Timeline::with_rate(FrameRate::NTSC);
        fixed.push(Duration::ZERO);
        assert_eq!(fixed.duration(), FrameRate::NTSC.frame_interval());
        assert_eq!(fixed.measured_rate(), Some(FrameRate::NTSC));
        // Backwards time does not shorten the span.
        let mut back = Timeline::new();
        back.push(Duration::from_secs(2));
        assert_eq!(back.push(Duration::from_secs(1)), Duration::ZERO);
        assert_eq!(back.span(), Duration::ZERO);
    }
}
