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
    /// The work budget of one input: the most pixels all its frames
    /// together may decode to, per byte of frame data in it, beyond the
    /// [`Limits::WORK_FLOOR`] any input may use (see
    /// [`Limits::check_work`]). It stops a small file from keeping a
    /// conversion busy for hours (tiny GIF frames on a huge screen, an AVI
    /// index repeating one frame).
    pub max_pixels_per_byte: u64,
}

impl Default for Limits {
    /// 9216 x 9216 pixels and 512 MiB per frame, which agree: any frame
    /// within the dimensions fits the byte limit in every uncompressed
    /// format (RGB48, the largest at 6 bytes a pixel, is 486 MiB at
    /// 9216 x 9216), and a 64-megapixel sensor's frames fit. Work: 65536
    /// pixels per byte of input (see [`Limits::check_work`]).
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

impl Limits {
    /// The defaults, as a constant (see [`Limits::default`]).
    pub const DEFAULT: Limits = Limits {
        max_width: 9216,
        max_height: 9216,
        max_bytes: 512 << 20,
        max_pixels_per_byte: 65536,
    };

    /// No limits at all beyond what fits in memory arithmetic.
    pub const NONE: Limits = Limits {
        max_width: u32::MAX,
        max_height: u32::MAX,
        max_bytes: u64::MAX,
        max_pixels_per_byte: u64::MAX,
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
                    "{width}x{height} image is larger than the dimension limit of {}x{}",
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
        self.check_bytes(size as u64)
            .map_err(|e| e.context(format!("{width}x{height} {} image", format.name())))?;
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
        let e = l.check(PixelFormat::Argb8, 16384, 16384).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert_eq!(
            e.to_string(),
            "16384x16384 image is larger than the dimension limit of 9216x9216"
        );
        // The limits agree: every format fits the byte limit at the largest
        // dimensions.
        for format in [PixelFormat::Rgb48, PixelFormat::Argb8, PixelFormat::Rgb888] {
            assert!(l.check(format, 9216, 9216).is_ok(), "{format}");
        }
        let tight = Limits {
            max_bytes: 1000,
            ..Limits::default()
        };
        assert_eq!(
            tight
                .check(PixelFormat::Rgb888, 20, 20)
                .unwrap_err()
                .to_string(),
            "20x20 RGB888 image: 1200 bytes is more than the limit of 1000 bytes"
        );
        assert_eq!(
            l.check(PixelFormat::Argb8, 9217, 1).unwrap_err().kind(),
            ErrorKind::LimitExceeded
        );
        assert!(Limits::NONE.check(PixelFormat::Argb8, 16384, 16384).is_ok());
    }
}
