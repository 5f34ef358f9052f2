//! Motion-JPEG in AVI: writer, reader and repair.
//!
//! [`MjpegWriter`] records JPEG frames into a RIFF AVI that ffmpeg, VLC and
//! browsers play: one `vids`/`MJPG` stream, frames as `00dc` chunks, an
//! `idx1` index, and past 1 GiB the OpenDML (AVI 2.0) extensions ffmpeg
//! writes (`indx` super index, `ix00` standard indexes, `RIFF AVIX`), so
//! recordings of any length play and seek. [`MjpegWriter::add_jpeg`] stores
//! a camera's JPEG frames untouched; [`MjpegWriter::add_frame`] takes any
//! pixel format, with a region of interest, and scales it into the
//! recording's size with black bars; [`ParallelMjpegWriter`] encodes on a
//! thread pool. The stream rate is an exact fraction ([`FrameRate`], such as
//! 30000/1001), fixed or measured from the capture times.
//! [`MjpegWriter::sync`] makes the file on disk playable up to the last
//! frame, and a file that was never closed is recovered by [`repair`].
//! [`AviReader`] reads frame count, size, rate and the frames of the files
//! written here and of MJPEG AVIs written by ffmpeg and OpenCV.
//!
//! ```
//! use std::io::Cursor;
//! use std::time::Duration;
//! use camreel::avi::{AviReader, FrameRate, MjpegWriterBuilder};
//!
//! # let jpeg = camreel::codec::jpeg::JpegEncoder::new(80)?.encode_image(camreel::Image::zeroed(camreel::PixelFormat::Grayscale, 16, 8)?.view())?.into_vec();
//! // `jpeg` is a 16x8 JPEG file (from a camera, or camreel's codec).
//! let mut writer = MjpegWriterBuilder::new(16, 8)
//!     .frame_rate(FrameRate::new(30000, 1001)?)
//!     .build(Cursor::new(Vec::new()))?;
//! for _ in 0..3 {
//!     writer.add_jpeg(&jpeg, None)?;
//! }
//! let file = writer.finish()?.into_inner();
//!
//! let mut reader = AviReader::new(Cursor::new(file))?;
//! assert_eq!(reader.frame_count(), 3);
//! assert_eq!(reader.info().frame_rate.to_string(), "30000/1001");
//! assert_eq!(reader.read_frame(2)?, jpeg);
//! # Ok::<(), camreel::Error>(())
//! ```

mod encode;
mod jpeg;
mod parallel;
mod reader;
mod repair;
mod riff;
mod writer;

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::image::Rect;

pub use parallel::ParallelMjpegWriter;
pub use reader::{AviInfo, AviReader, FrameEntry, Frames, IndexKind, ReaderOptions};
pub use repair::{RepairReport, repair, repair_file};
pub use writer::{MjpegWriter, MjpegWriterBuilder};

/// Reads the headers and index of the AVI file at `path` (see
/// [`AviReader::new`]).
///
/// # Errors
/// As [`AviReader::new`], and [`ErrorKind::Io`] if the file cannot be opened.
pub fn info(path: impl AsRef<Path>) -> Result<AviInfo> {
    let path = path.as_ref();
    let file = std::fs::File::open(path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let reader =
        AviReader::new(std::io::BufReader::new(file)).map_err(|e| e.context(path.display()))?;
    Ok(reader.info().clone())
}

/// How [`MjpegWriter::add_frame`] stores one frame.
///
/// ```
/// use std::time::Duration;
/// use camreel::Rect;
/// use camreel::avi::FrameOptions;
///
/// let options = FrameOptions::new()
///     .quality(75)
///     .roi(Rect::new(80, 60, 480, 360))
///     .timestamp(Duration::from_millis(1234));
/// assert_eq!(options.quality, Some(75));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FrameOptions {
    /// JPEG quality 1-100 for frames that are encoded (default: the
    /// writer's, [`MjpegWriterBuilder::quality`]).
    pub quality: Option<u8>,
    /// Region of interest: only this part of the frame is recorded (scaled
    /// to fit the recording's size).
    pub roi: Option<Rect>,
    /// Capture time of the frame on a monotonic time line (default: the
    /// writer's clock when the frame is added).
    pub timestamp: Option<Duration>,
}

impl FrameOptions {
    /// The defaults: writer's quality, whole frame, writer's clock.
    pub fn new() -> FrameOptions {
        FrameOptions::default()
    }

    /// Sets [`FrameOptions::quality`].
    #[must_use]
    pub fn quality(mut self, quality: u8) -> FrameOptions {
        self.quality = Some(quality);
        self
    }

    /// Sets [`FrameOptions::roi`].
    #[must_use]
    pub fn roi(mut self, roi: Rect) -> FrameOptions {
        self.roi = Some(roi);
        self
    }

    /// Sets [`FrameOptions::timestamp`].
    #[must_use]
    pub fn timestamp(mut self, timestamp: Duration) -> FrameOptions {
        self.timestamp = Some(timestamp);
        self
    }
}

/// A frame rate as an exact fraction, `numerator / denominator` frames per
/// second: the `dwRate` / `dwScale` pair of an AVI stream header, so that
/// NTSC's 30000/1001 is represented exactly.
///
/// ```
/// use std::time::Duration;
/// use camreel::avi::FrameRate;
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
    /// [`ErrorKind::InvalidArgument`] unless `fps` is finite, positive and
    /// below 4 million.
    pub fn from_fps(fps: f64) -> Result<FrameRate> {
        if !(fps.is_finite() && fps > 0.0 && fps < 4.0e6) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("frame rate {fps} is not a positive number below 4000000"),
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
    pub(crate) fn measured(frames: u64, span: Duration) -> Option<FrameRate> {
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

    /// `dwMicroSecPerFrame` of the AVI main header: the interval rounded to
    /// the microsecond.
    pub fn micros_per_frame(self) -> u32 {
        riff::micros_per_frame(self.num, self.den)
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

/// A grey `width` x `height` baseline JPEG for the unit tests.
#[cfg(test)]
pub(crate) fn tiny_jpeg(width: u16, height: u16) -> Vec<u8> {
    let gray = crate::Image::zeroed(
        crate::PixelFormat::Grayscale,
        u32::from(width),
        u32::from(height),
    )
    .expect("test sizes are non-zero");
    crate::codec::jpeg::JpegEncoder::new(80)
        .and_then(|mut e| e.encode_image(gray.view()))
        .expect("encoding a gray test image")
        .into_vec()
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
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 5.0e6] {
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
}
