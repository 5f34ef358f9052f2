//! [`Limits`]: caps on sizes from outside, checked before allocating.

use super::PixelFormat;
use crate::error::{Error, ErrorKind, Result};

/// Caps on the size of anything that comes from outside (a file header, a
/// socket, a device), checked before any memory is allocated for it.
///
/// ```
/// use camreel::{Limits, PixelFormat};
/// let limits = Limits { max_width: 640, max_height: 480, ..Limits::default() };
/// assert!(limits.check(PixelFormat::Grayscale, 640, 480).is_ok());
/// assert!(limits.check(PixelFormat::Grayscale, 641, 480).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest accepted width in pixels.
    pub max_width: u32,
    /// Largest accepted height in pixels.
    pub max_height: u32,
    /// Largest accepted payload in bytes (one frame).
    pub max_bytes: u64,
}

impl Default for Limits {
    /// 16384 x 16384 pixels and 512 MiB per frame: room for any real sensor
    /// (a 16384-wide RGB888 frame is 768 MiB only at an absurd 16384 rows).
    fn default() -> Limits {
        Limits {
            max_width: 16384,
            max_height: 16384,
            max_bytes: 512 << 20,
        }
    }
}

impl Limits {
    /// No limits at all beyond what fits in memory arithmetic.
    pub const NONE: Limits = Limits {
        max_width: u32::MAX,
        max_height: u32::MAX,
        max_bytes: u64::MAX,
    };

    /// Checks a width and height, both non-zero and within the caps.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] for a zero dimension,
    /// [`ErrorKind::LimitExceeded`] above a cap.
    pub fn check_dimensions(&self, width: u32, height: u32) -> Result<()> {
        if width == 0 || height == 0 {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!("{width}x{height} image has a zero dimension"),
            ));
        }
        if width > self.max_width || height > self.max_height {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "{width}x{height} image is larger than the limit of {}x{}",
                    self.max_width, self.max_height
                ),
            ));
        }
        Ok(())
    }

    /// Checks a byte count against [`Limits::max_bytes`].
    ///
    /// # Errors
    /// [`ErrorKind::LimitExceeded`].
    pub fn check_bytes(&self, bytes: u64) -> Result<()> {
        if bytes > self.max_bytes {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "{bytes} bytes is more than the limit of {} bytes",
                    self.max_bytes
                ),
            ));
        }
        Ok(())
    }

    /// Checks the dimensions and, for uncompressed formats, the payload size of
    /// a `width` x `height` image in `format`; returns that payload size
    /// (`None` for JPEG and PNG, whose size is not implied by the dimensions).
    ///
    /// # Errors
    /// As [`Limits::check_dimensions`] and [`Limits::check_bytes`].
    pub fn check(&self, format: PixelFormat, width: u32, height: u32) -> Result<Option<usize>> {
        self.check_dimensions(width, height)?;
        if format.is_compressed() {
            return Ok(None);
        }
        let size = format.payload_size(width, height)?;
        self.check_bytes(size as u64)?;
        Ok(Some(size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        let l = Limits::default();
        assert_eq!(
            l.check(PixelFormat::Rgb565, 320, 240).unwrap(),
            Some(153_600)
        );
        assert_eq!(l.check(PixelFormat::Jpeg, 320, 240).unwrap(), None);
        assert_eq!(
            l.check(PixelFormat::Rgb565, 0, 240).unwrap_err().kind(),
            ErrorKind::InvalidFrameSize
        );
        assert_eq!(
            l.check(PixelFormat::Argb8, 16384, 16384)
                .unwrap_err()
                .kind(),
            ErrorKind::LimitExceeded
        );
        assert_eq!(
            l.check(PixelFormat::Argb8, 16385, 1).unwrap_err().kind(),
            ErrorKind::LimitExceeded
        );
        assert!(Limits::NONE.check(PixelFormat::Argb8, 16384, 16384).is_ok());
    }
}
