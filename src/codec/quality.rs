//! [`Quality`]: a JPEG quality setting, checked once.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};

/// A JPEG quality, 1 (smallest files) to 100 (best pictures).
///
/// Every encoder and writer that takes a quality takes this type, so the range
/// is checked in one place: when the value is made, with [`Quality::new`],
/// [`TryFrom<u8>`](Quality#impl-TryFrom<u8>-for-Quality) or
/// [`FromStr`](Quality#impl-FromStr-for-Quality) (for command lines).
///
/// ```
/// use camreel::codec::Quality;
///
/// let q: Quality = "90".parse()?;
/// assert_eq!(q.get(), 90);
/// assert_eq!(Quality::try_from(85)?, Quality::DEFAULT);
/// assert!(Quality::try_from(0).is_err());
/// assert_eq!(
///     "101".parse::<Quality>().unwrap_err().to_string(),
///     "JPEG quality 101 is out of range (1 to 100)"
/// );
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quality(u8);

impl Quality {
    /// The lowest quality, 1.
    pub const MIN: Quality = Quality(1);
    /// The highest quality, 100.
    pub const MAX: Quality = Quality(100);
    /// The default, 85: libjpeg's and picamera's default quality, and that of
    /// camreel's recordings.
    pub const DEFAULT: Quality = Quality(85);

    /// `quality` if it is in 1..=100.
    pub const fn new(quality: u8) -> Option<Quality> {
        if quality >= 1 && quality <= 100 {
            Some(Quality(quality))
        } else {
            None
        }
    }

    /// The value, 1 to 100.
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl Default for Quality {
    fn default() -> Quality {
        Quality::DEFAULT
    }
}

impl TryFrom<u8> for Quality {
    type Error = Error;

    /// # Errors
    /// [`ErrorKind::InvalidArgument`] outside 1..=100.
    fn try_from(quality: u8) -> Result<Quality> {
        Quality::new(quality).ok_or_else(|| out_of_range(quality))
    }
}

impl From<Quality> for u8 {
    fn from(quality: Quality) -> u8 {
        quality.0
    }
}

fn out_of_range(quality: impl fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("JPEG quality {quality} is out of range (1 to 100)"),
    )
}

impl FromStr for Quality {
    type Err = Error;

    /// Parses a whole number from 1 to 100.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for anything else.
    fn from_str(s: &str) -> Result<Quality> {
        let t = s.trim();
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            // Digits only: a number too large for u8 is out of range too.
            return match t.parse::<u8>() {
                Ok(q) => Quality::try_from(q),
                Err(_) => Err(out_of_range(t)),
            };
        }
        Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("JPEG quality {s:?} is not a whole number from 1 to 100"),
        ))
    }
}

impl fmt::Display for Quality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_is_checked_everywhere() {
        assert_eq!(Quality::new(0), None);
        assert_eq!(Quality::new(1), Some(Quality::MIN));
        assert_eq!(Quality::new(100), Some(Quality::MAX));
        assert_eq!(Quality::new(101), None);
        assert_eq!(Quality::default().get(), 85);
        for bad in [0u8, 101, 255] {
            let e = Quality::try_from(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert_eq!(
                e.to_string(),
                format!("JPEG quality {bad} is out of range (1 to 100)")
            );
        }
        assert_eq!(u8::from(Quality::try_from(42).unwrap()), 42);
    }

    #[test]
    fn parses_command_line_values() {
        assert_eq!("1".parse::<Quality>().unwrap(), Quality::MIN);
        assert_eq!(" 100 ".parse::<Quality>().unwrap(), Quality::MAX);
        assert_eq!("085".parse::<Quality>().unwrap(), Quality::DEFAULT);
        assert_eq!(
            "1000".parse::<Quality>().unwrap_err().to_string(),
            "JPEG quality 1000 is out of range (1 to 100)"
        );
        for bad in ["", "-5", "8.5", "high", "+90"] {
            let e = bad.parse::<Quality>().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
            assert!(e.to_string().contains("not a whole number"), "{e}");
        }
        assert_eq!(Quality::DEFAULT.to_string(), "85");
    }
}
