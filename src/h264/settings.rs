//! [`H264Settings`]: what every H.264 encoder here is told.

use crate::error::{Error, ErrorKind, Result};
use crate::timing::FrameRate;

/// How an encoder spends bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateControl {
    /// Aim at this many bits per second (picamera's `bitrate`).
    Bitrate(u32),
    /// Encode every macroblock at this quantiser, 0 (best) to 51 (smallest):
    /// constant quality, any size (picamera's `quality` with `bitrate=0`).
    Quantizer(u8),
}

/// Settings of an H.264 encoder.
///
/// ```
/// use camreel::h264::{H264Settings, RateControl};
/// let s = H264Settings::default()
///     .rate_control(RateControl::Bitrate(4_000_000))
///     .intra_period(60);
/// assert_eq!(s.get_intra_period(), 60);
/// assert!(s.validate().is_ok());
/// assert!(s.rate_control(RateControl::Quantizer(52)).validate().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct H264Settings {
    /// Bitrate or constant quantiser (default 2 Mbit/s).
    pub(crate) rate_control: RateControl,
    /// Frames from one key frame to the next (default 30); 0 makes only the
    /// first frame (and requested ones) key frames.
    pub(crate) intra_period: u32,
    /// The nominal frame rate, for rate control (default 30).
    pub(crate) frame_rate: FrameRate,
    /// Encoder threads, 1 to 4 (default: the number of CPUs, at most 4).
    /// With more than one, pictures are cut into slices coded in parallel,
    /// which costs about 1% in size.
    pub(crate) threads: u16,
}

impl Default for H264Settings {
    fn default() -> H264Settings {
        H264Settings {
            rate_control: RateControl::Bitrate(2_000_000),
            intra_period: 30,
            frame_rate: FrameRate::default(),
            threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(4) as u16),
        }
    }
}

impl H264Settings {
    /// Sets the rate control.
    pub fn rate_control(mut self, rate_control: RateControl) -> H264Settings {
        self.rate_control = rate_control;
        self
    }

    /// Sets the key frame interval in frames.
    pub fn intra_period(mut self, frames: u32) -> H264Settings {
        self.intra_period = frames;
        self
    }

    /// Sets the nominal frame rate.
    pub fn frame_rate(mut self, rate: FrameRate) -> H264Settings {
        self.frame_rate = rate;
        self
    }

    /// Sets the number of encoder threads.
    pub fn threads(mut self, threads: u16) -> H264Settings {
        self.threads = threads;
        self
    }

    /// The rate control.
    pub fn get_rate_control(&self) -> RateControl {
        self.rate_control
    }

    /// Frames from one key frame to the next.
    pub fn get_intra_period(&self) -> u32 {
        self.intra_period
    }

    /// The nominal frame rate.
    pub fn get_frame_rate(&self) -> FrameRate {
        self.frame_rate
    }

    /// Encoder threads.
    pub fn get_threads(&self) -> u16 {
        self.threads
    }

    /// Checks every field against its range.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the field.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::new(ErrorKind::InvalidArgument, m));
        match self.rate_control {
            RateControl::Bitrate(0) => return bad("a bitrate of 0 bits per second".into()),
            RateControl::Bitrate(b) if b > 240_000_000 => {
                return bad(format!("bitrate {b} is above 240 Mbit/s (level 5.2)"));
            }
            RateControl::Quantizer(q) if q > 51 => {
                return bad(format!("quantizer {q} is out of range (0 to 51)"));
            }
            _ => {}
        }
        if !(1..=4).contains(&self.threads) {
            return bad(format!(
                "{} encoder threads (expected 1 to 4)",
                self.threads
            ));
        }
        Ok(())
    }
}

/// Largest picture the encoders take (level 5.2): 3840x2160 either way round.
const MAX_LONG_SIDE: u32 = 3840;
const MAX_SHORT_SIDE: u32 = 2160;

/// Checks that an H.264 encoder can take a `width` x `height` 4:2:0 picture.
pub(crate) fn check_size(width: u32, height: u32) -> Result<()> {
    if !width.is_multiple_of(2) || !height.is_multiple_of(2) || width == 0 || height == 0 {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!("{width}x{height} frame: h.264 4:2:0 needs an even, non-zero width and height"),
        ));
    }
    let (long, short) = (width.max(height), width.min(height));
    if long > MAX_LONG_SIDE || short > MAX_SHORT_SIDE {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!("{width}x{height} frame is larger than h.264 level 5.2 allows (3840x2160)"),
        ));
    }
    Ok(())
}
