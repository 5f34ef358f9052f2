//! [`EventPattern`]: event file names from a pattern with date and time
//! fields and a counter.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{Error, ErrorKind, Result};
use crate::output::OutputKind;

/// One piece of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    /// The event counter, zero-padded to this many digits (0: no padding).
    Counter(usize),
}

/// A calendar date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CivilTime {
    /// Year (1970 or later).
    pub year: i64,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month, 1 to 31.
    pub day: u32,
    /// Hour, 0 to 23.
    pub hour: u32,
    /// Minute, 0 to 59.
    pub minute: u32,
    /// Second, 0 to 59.
    pub second: u32,
}

impl CivilTime {
    /// The calendar time of `time` shifted by `offset_seconds` east of UTC
    /// (0 for UTC; times before 1970 count as 1970-01-01 00:00:00).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use camreel::event::CivilTime;
    /// let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_709_210_096);
    /// let c = CivilTime::of(t, 0);
    /// assert_eq!((c.year, c.month, c.day, c.hour, c.minute, c.second), (2024, 2, 29, 12, 34, 56));
    /// assert_eq!(CivilTime::of(t, -13 * 3600).day, 28);
    /// ```
    pub fn of(time: SystemTime, offset_seconds: i32) -> CivilTime {
        let secs = time
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2));
        let secs = (secs + i64::from(offset_seconds)).max(0);
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        CivilTime {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem / 60 % 60) as u32,
            second: (rem % 60) as u32,
        }
    }
}

/// How event files are named: a pattern with strftime-like date and time
/// fields and an event counter.
///
/// | field | becomes |
/// |---|---|
/// | `%Y` | the year, four digits |
/// | `%m` | the month, `01` to `12` |
/// | `%d` | the day of the month, `01` to `31` (as in strftime) |
/// | `%H` `%M` `%S` | hour, minute, second, two digits each |
/// | `%0Nd` (`%04d`: `0001`) | the event counter, zero-padded to N digits (N from 1 to 20) |
/// | `%n` | the event counter, not padded |
/// | `%%` | a `%` |
///
/// `%d` alone is the day of the month, as strftime has it; the counter is
/// `%` followed by a width and `d` (`%04d`, printf's way) or `%n`. The time
/// is the event's: when its trigger fired, as a calendar time (see
/// [`EventOptions::start_time`](super::EventOptions::start_time)). The
/// counter counts the files made, from
/// [`EventOptions::first_number`](super::EventOptions::first_number).
/// The extension picks the file kind: `.h264`, `.mp4`, `.avi` or `.bin`.
/// A name already taken (two events in one second with a pattern without
/// a counter) gets `-2`, `-3`, ... before its extension.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use camreel::event::{CivilTime, EventPattern};
///
/// let t = CivilTime::of(SystemTime::UNIX_EPOCH + Duration::from_secs(1_709_210_096), 0);
/// let p = EventPattern::parse("event-%Y%m%d-%H%M%S.mp4")?;
/// assert_eq!(p.name(7, t), "event-20240229-123456.mp4");
/// let p = EventPattern::parse("clip%04d.avi")?;
/// assert_eq!(p.name(7, t), "clip0007.avi");
/// let p = EventPattern::parse("%d/%n-%%.h264")?;
/// assert_eq!(p.name(7, t), "29/7-%.h264");
/// assert!(EventPattern::parse("clip%x.avi").is_err());
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventPattern {
    text: String,
    parts: Vec<Part>,
    kind: OutputKind,
}

impl EventPattern {
    /// Parses `pattern`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a `%` field not in the table, a
    /// counter wider than 20 digits, or an extension that is not `.h264`,
    /// `.mp4`, `.avi` or `.bin`.
    pub fn parse(pattern: &str) -> Result<EventPattern> {
        let bad = |why: String| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("event pattern {pattern:?}: {why}"),
            )
        };
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                text.push(c);
                continue;
            }
            let mut digits = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(d);
                chars.next();
            }
            let field = chars.next();
            let part = match (field, digits.is_empty()) {
                (Some('%'), true) => {
                    text.push('%');
                    continue;
                }
                (Some('Y'), true) => Part::Year,
                (Some('m'), true) => Part::Month,
                (Some('d'), true) => Part::Day,
                (Some('H'), true) => Part::Hour,
                (Some('M'), true) => Part::Minute,
                (Some('S'), true) => Part::Second,
                (Some('n'), true) => Part::Counter(0),
                (Some('d'), false) => {
                    let width: usize = digits.parse().unwrap_or(usize::MAX);
                    if !digits.starts_with('0') {
                        return Err(bad(format!(
                            "%{digits}d would pad with spaces; write %0{digits}d for the counter"
                        )));
                    }
                    if !(1..=20).contains(&width) {
                        return Err(bad(format!(
                            "counter width {width} is out of range (1 to 20)"
                        )));
                    }
                    Part::Counter(width)
                }
                (Some(f), _) => {
                    return Err(bad(format!(
                        "%{digits}{f} is not a field (expected %Y %m %d %H %M %S, %0Nd or %n for the counter, %% for %)"
                    )));
                }
                (None, _) => return Err(bad("ends with a lone %".into())),
            };
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            parts.push(part);
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        let kind = match parts.last() {
            Some(Part::Text(_)) => OutputKind::of(Path::new(pattern)).ok(),
            _ => None,
        };
        let kind = match kind {
            Some(
                k @ (OutputKind::H264 | OutputKind::Mp4 | OutputKind::Avi | OutputKind::ImageIo),
            ) => k,
            _ => {
                return Err(bad(
                    "event files end in .h264, .mp4, .avi or .bin".to_string()
                ));
            }
        };
        Ok(EventPattern {
            text: pattern.to_string(),
            parts,
            kind,
        })
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The kind of file it names.
    pub fn kind(&self) -> OutputKind {
        self.kind
    }

    /// Whether the pattern has a counter field.
    pub fn has_counter(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Counter(_)))
    }

    /// The name of event `number` at `time`.
    pub fn name(&self, number: u64, time: CivilTime) -> String {
        let mut s = String::new();
        for part in &self.parts {
            // Writing to a String cannot fail.
            let _ = match part {
                Part::Text(t) => {
                    s.push_str(t);
                    Ok(())
                }
                Part::Year => write!(s, "{:04}", time.year),
                Part::Month => write!(s, "{:02}", time.month),
                Part::Day => write!(s, "{:02}", time.day),
                Part::Hour => write!(s, "{:02}", time.hour),
                Part::Minute => write!(s, "{:02}", time.minute),
                Part::Second => write!(s, "{:02}", time.second),
                Part::Counter(w) => write!(s, "{number:0w$}"),
            };
        }
        s
    }
}

/// `path` with `suffix` before its extension (`a/clip.avi`, `-before`:
/// `a/clip-before.avi`).
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}{suffix}.{}", ext.to_string_lossy()),
        None => format!("{stem}{suffix}"),
    };
    path.with_file_name(name)
}

/// `path`, or with `-2`, `-3`, ... before its extension, the first of them
/// that `taken` says is free.
pub(crate) fn unique(path: PathBuf, taken: impl Fn(&Path) -> bool) -> PathBuf {
    if !taken(&path) {
        return path;
    }
    (2u64..)
        .map(|n| with_suffix(&path, &format!("-{n}")))
        .find(|p| !taken(p))
        .unwrap_or(path)
}

/// Calendar time of frame timestamps: a wall-clock time for one timestamp,
/// and the rest from their distance to it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WallClock {
    /// The wall time of `at`, once known.
    origin: Option<(SystemTime, Duration)>,
    /// The wall time the first frame is given (None: the system's now).
    start: Option<SystemTime>,
    offset: i32,
}

impl WallClock {
    pub(crate) fn new(start: Option<SystemTime>, offset: i32) -> WallClock {
        WallClock {
            origin: None,
            start,
            offset,
        }
    }

    /// Anchors the clock at the first frame's timestamp.
    pub(crate) fn see(&mut self, timestamp: Duration) {
        if self.origin.is_none() {
            let wall = self.start.unwrap_or_else(SystemTime::now);
            self.origin = Some((wall, timestamp));
        }
    }

    /// The wall time of `timestamp`.
    pub(crate) fn at(&self, timestamp: Duration) -> SystemTime {
        match self.origin {
            Some((wall, at)) if timestamp >= at => wall + (timestamp - at),
            Some((wall, at)) => wall.checked_sub(at - timestamp).unwrap_or(wall),
            None => self.start.unwrap_or_else(SystemTime::now),
        }
    }

    /// The calendar time of `timestamp`.
    pub(crate) fn civil(&self, timestamp: Duration) -> CivilTime {
        CivilTime::of(self.at(timestamp), self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: u64) -> CivilTime {
        CivilTime::of(SystemTime::UNIX_EPOCH + Duration::from_secs(secs), 0)
    }

    #[test]
    fn civil_times() {
        let c = t(0);
        assert_eq!((c.year, c.month, c.day, c.hour), (1970, 1, 1, 0));
        // 2000-03-01, after a leap day of a year divisible by 400.
        let c = t(951_868_800);
        assert_eq!((c.year, c.month, c.day), (2000, 3, 1));
        let c = t(4_102_444_799); // 2099-12-31 23:59:59
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second),
            (2099, 12, 31, 23, 59, 59)
        );
        // Offsets move across midnight and never before 1970.
        assert_eq!(CivilTime::of(SystemTime::UNIX_EPOCH, -3600).year, 1970);
        assert_eq!(CivilTime::of(SystemTime::UNIX_EPOCH, 86_400).day, 2);
    }

    #[test]
    fn counters_and_days_are_told_apart() {
        let time = t(1_709_210_096);
        let p = EventPattern::parse("%Y-%m-%d_%02d_%n.bin").unwrap();
        assert_eq!(p.name(3, time), "2024-02-29_03_3.bin");
        assert!(p.has_counter());
        assert_eq!(p.kind(), OutputKind::ImageIo);
        assert!(!EventPattern::parse("a%d.h264").unwrap().has_counter());
        for (bad, why) in [
            ("clip%4d.avi", "write %04d"),
            ("clip%021d.avi", "out of range"),
            ("clip%q.avi", "%q is not a field"),
            ("clip%", "lone %"),
            ("clip%04d.gif", "end in .h264"),
            ("clip%04d", "end in .h264"),
        ] {
            let e = EventPattern::parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.to_string().contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn names_already_taken_get_a_number() {
        let taken = [PathBuf::from("d/e.mp4"), PathBuf::from("d/e-2.mp4")];
        let p = unique(PathBuf::from("d/e.mp4"), |p| taken.iter().any(|t| t == p));
        assert_eq!(p, PathBuf::from("d/e-3.mp4"));
        assert_eq!(
            with_suffix(Path::new("x/clip0001.h264"), "-before"),
            PathBuf::from("x/clip0001-before.h264")
        );
    }

    #[test]
    fn wall_clock_follows_the_timestamps() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let mut w = WallClock::new(Some(start), 0);
        w.see(Duration::from_secs(50));
        w.see(Duration::from_secs(60));
        assert_eq!(
            w.at(Duration::from_secs(55)),
            start + Duration::from_secs(5)
        );
        assert_eq!(
            w.at(Duration::from_secs(49)),
            start - Duration::from_secs(1)
        );
        assert_eq!(w.civil(Duration::from_secs(110)).minute, 17);
    }
}
