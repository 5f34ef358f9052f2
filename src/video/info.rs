//! [`VideoInfo`]: what `camreel info` says about a video file.

use std::fmt;
use std::time::Duration;

use crate::timing::FrameRate;

/// The facts of an H.264 recording (`.h264` or `.mp4`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VideoInfo {
    /// Pictures (access units) in the file.
    pub frames: u64,
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// The frame rate: exact when every frame lasts as long (an MP4 at a
    /// constant rate), measured otherwise; `None` when the file does not
    /// say (a raw `.h264` without VUI timing, unless a rate was given).
    pub rate: Option<FrameRate>,
    /// Key frames (IDR pictures).
    pub key_frames: u64,
    /// How long the recording lasts, when its timing is known.
    pub duration: Option<Duration>,
    /// Bytes of video data (the access units).
    pub video_bytes: u64,
    /// Mean bits per second, when the duration is known.
    pub bitrate: Option<u64>,
    /// The H.264 profile ("Constrained Baseline", "High", ...).
    pub profile: &'static str,
    /// Where reading stopped early, if it did (a damaged or cut file).
    pub damage: Option<String>,
}

impl VideoInfo {
    /// Sets [`VideoInfo::bitrate`] from the bytes and the duration.
    pub(crate) fn with_bitrate(mut self) -> VideoInfo {
        self.bitrate = self.duration.filter(|d| !d.is_zero()).map(|d| {
            (u128::from(self.video_bytes) * 8 * 1_000_000_000 / d.as_nanos().max(1)) as u64
        });
        self
    }
}

impl fmt::Display for VideoInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "size: {}x{}", self.width, self.height)?;
        writeln!(f, "profile: {}", self.profile)?;
        writeln!(f, "frames: {}", self.frames)?;
        writeln!(f, "key frames: {}", self.key_frames)?;
        match self.rate {
            Some(r) => writeln!(f, "rate: {r} fps")?,
            None => writeln!(f, "rate: unknown")?,
        }
        match self.duration {
            Some(d) => writeln!(f, "duration: {:.3} s", d.as_secs_f64())?,
            None => writeln!(f, "duration: unknown")?,
        }
        match self.bitrate {
            Some(b) => writeln!(f, "bitrate: {b} bit/s")?,
            None => writeln!(f, "bitrate: unknown")?,
        }
        if let Some(d) = &self.damage {
            writeln!(f, "damage: {d}")?;
        }
        Ok(())
    }
}
