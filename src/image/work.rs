//! The work budget of one input ([`Limits::max_pixels_per_byte`]).
//!
//! Some files make a reader produce far more than they hold: a GIF of
//! thousands of 1x1 frames on a 4096x4096 screen is 20 bytes a frame but 16
//! million pixels of output each, and an AVI index can name one stored frame
//! 200,000 times. Such work is legitimate only in proportion to the data: an
//! input may decode to [`Limits::WORK_FLOOR`] pixels whatever its size, and
//! beyond that to [`Limits::max_pixels_per_byte`] pixels per byte of frame
//! data. Real recordings are far below it: a Motion-JPEG frame holds at most
//! a few hundred pixels a byte, and a GIF frame of tiny changes on a large
//! screen some thousands.

use crate::error::{Error, ErrorKind, Result};

use super::Limits;

impl Limits {
    /// Pixels any input may decode to, whatever its size: a gigapixel (64
    /// frames of 4096x4096, 500 of 1920x1080).
    pub const WORK_FLOOR: u64 = 1 << 30;

    /// The least a frame counts for, in pixels (64x64): a frame has a cost
    /// of its own (headers, buffers, an encoder's setup) however small it is.
    pub const MIN_FRAME_WORK: u64 = 4096;

    /// The work of one `width` x `height` frame, in pixels (at least
    /// [`Limits::MIN_FRAME_WORK`]).
    pub fn frame_work(width: u32, height: u32) -> u64 {
        (u64::from(width) * u64::from(height)).max(Limits::MIN_FRAME_WORK)
    }

    /// The most pixels an input with `bytes` bytes of frame data may decode
    /// to: [`Limits::WORK_FLOOR`], or [`Limits::max_pixels_per_byte`] per
    /// byte if that is more (`u64::MAX` for [`Limits::NONE`]).
    ///
    /// ```
    /// use camreel::Limits;
    /// let l = Limits::default();
    /// assert_eq!(l.work_budget(100), Limits::WORK_FLOOR);
    /// assert_eq!(l.work_budget(1 << 20), 65536 << 20);
    /// assert_eq!(Limits::NONE.work_budget(0), u64::MAX);
    /// ```
    pub fn work_budget(&self, bytes: u64) -> u64 {
        if self.max_pixels_per_byte == u64::MAX {
            return u64::MAX;
        }
        bytes
            .saturating_mul(self.max_pixels_per_byte)
            .max(Limits::WORK_FLOOR)
    }

    /// Checks that `frames` frames of `width` x `height` (each counted as
    /// [`Limits::frame_work`]) fit the work budget of `bytes` bytes of
    /// frame data ([`Limits::work_budget`]).
    ///
    /// ```
    /// use camreel::{ErrorKind, Limits};
    /// let l = Limits::default();
    /// // A 460 KB GIF of 20,000 frames on a 4096x4096 screen.
    /// let e = l.check_work(20_000, 4096, 4096, 460_020).unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    /// assert_eq!(
    ///     e.to_string(),
    ///     "20000 frames of 4096x4096 from 460020 bytes are more work than the limit of 65536 pixels a byte (max_pixels_per_byte)"
    /// );
    /// // A 30 MB AVI of 1000 1920x1080 frames.
    /// assert!(l.check_work(1000, 1920, 1080, 30_000_000).is_ok());
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::LimitExceeded`] naming the frames, the bytes and the
    /// budget.
    pub fn check_work(&self, frames: u64, width: u32, height: u32, bytes: u64) -> Result<()> {
        let work = frames.saturating_mul(Limits::frame_work(width, height));
        if work <= self.work_budget(bytes) {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "{frames} frames of {width}x{height} from {bytes} bytes are more work than the limit of {} pixels a byte (max_pixels_per_byte)",
                self.max_pixels_per_byte
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets() {
        let l = Limits::default();
        // Tiny frames count as 64x64.
        assert_eq!(Limits::frame_work(1, 1), 4096);
        assert_eq!(Limits::frame_work(640, 480), 307_200);
        // The floor: 64 frames of 4096x4096 from nothing, not 65.
        assert!(l.check_work(64, 4096, 4096, 0).is_ok());
        assert!(l.check_work(65, 4096, 4096, 0).is_err());
        // An AVI index naming one 17 KB frame of 320x240 200,000 times.
        assert!(l.check_work(200_000, 320, 240, 17_694).is_err());
        // ... or a 16x16 one: each frame counts as 64x64.
        assert!(l.check_work(200_000, 16, 16, 200).is_ok());
        assert!(l.check_work(300_000, 16, 16, 200).is_err());
        assert!(Limits::NONE.check_work(u64::MAX, 65535, 65535, 0).is_ok());
        let strict = Limits {
            max_pixels_per_byte: 1,
            ..Limits::default()
        };
        assert_eq!(strict.work_budget(u64::MAX), u64::MAX);
    }
}
