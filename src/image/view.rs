//! [`ImageRef`]: a borrowed image, checked at construction.

use std::fmt;

use super::{Image, Limits, PixelFormat};
use crate::error::{Error, ErrorKind, Result};

/// A borrowed image: format, size, row stride and the bytes. Cheap to copy.
///
/// Rows of the row-based formats (everything except the planar 4:2:0 formats,
/// JPEG and PNG) may be further apart than their length
/// ([`ImageRef::with_stride`]), as in a V4L2 buffer with padded lines or the
/// padded RAW10 rows of a picamera Bayer capture.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub(super) format: PixelFormat,
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) stride: usize,
    pub(super) data: &'a [u8],
}

pub(super) fn check_encoded(
    format: PixelFormat,
    width: u32,
    height: u32,
    len: usize,
) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!("{width}x{height} {format} image has a zero dimension"),
        ));
    }
    if len == 0 {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!("{width}x{height} {format} image has no data"),
        ));
    }
    Ok(())
}

pub(super) fn check_length(
    format: PixelFormat,
    width: u32,
    height: u32,
    len: usize,
) -> Result<usize> {
    if format.is_compressed() {
        check_encoded(format, width, height, len)?;
        return Ok(len);
    }
    let expected = format.payload_size(width, height)?;
    if len != expected {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!("{width}x{height} {format} image needs {expected} bytes, got {len}"),
        ));
    }
    Ok(expected)
}

/// Row length of an image already checked at construction (0 for JPEG/PNG),
/// without building the error `PixelFormat::row_bytes` returns for encoded
/// formats: views of encoded frames are taken per frame and must not allocate.
pub(super) fn packed_row_bytes(format: PixelFormat, width: u32) -> usize {
    if format.is_compressed() {
        0
    } else {
        format.row_bytes(width).unwrap_or(0)
    }
}

impl<'a> ImageRef<'a> {
    /// A view of `data` as a tightly packed `width` x `height` image in `format`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] if `data` is not exactly
    /// [`PixelFormat::payload_size`] bytes (or is empty for JPEG/PNG) or a
    /// dimension is zero; [`ErrorKind::LimitExceeded`] if the size overflows.
    pub fn new(format: PixelFormat, width: u32, height: u32, data: &'a [u8]) -> Result<Self> {
        check_length(format, width, height, data.len())?;
        let stride = if format.is_compressed() {
            0
        } else {
            format.row_bytes(width)?
        };
        Ok(ImageRef {
            format,
            width,
            height,
            stride,
            data,
        })
    }

    /// A view of `data` whose rows start `stride` bytes apart.
    ///
    /// `data` must hold at least `stride * (height - 1)` bytes plus one row;
    /// bytes past the last row are not part of the view.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for JPEG, PNG and the planar formats
    /// (whose planes are always packed); [`ErrorKind::InvalidFrameSize`] for a
    /// stride shorter than a row or too little data.
    ///
    /// ```
    /// use camreel::{BayerOrder, ImageRef, PixelFormat};
    /// // 8 RAW10 pixels per row take 10 bytes; rows padded to 16.
    /// let buf = vec![0u8; 16 * 3];
    /// let v = ImageRef::with_stride(PixelFormat::Raw10(BayerOrder::Bggr), 8, 3, 16, &buf)?;
    /// assert_eq!(v.row(2).len(), 10);
    /// # Ok::<(), camreel::Error>(())
    /// ```
    pub fn with_stride(
        format: PixelFormat,
        width: u32,
        height: u32,
        stride: usize,
        data: &'a [u8],
    ) -> Result<Self> {
        if format.is_compressed() || format.is_planar() {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!("{format} images cannot have a row stride"),
            ));
        }
        let row = format.row_bytes(width)?;
        if height == 0 {
            format.payload_size(width, height)?;
        }
        if stride < row {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!(
                    "row stride {stride} is shorter than a {width}-pixel {format} row of {row} bytes"
                ),
            ));
        }
        let span = stride
            .checked_mul(height as usize - 1)
            .and_then(|n| n.checked_add(row))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::LimitExceeded,
                    format!("{width}x{height} {format} image with stride {stride} does not fit in memory"),
                )
            })?;
        if data.len() < span {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!(
                    "{width}x{height} {format} image with stride {stride} needs {span} bytes, got {}",
                    data.len()
                ),
            ));
        }
        Ok(ImageRef {
            format,
            width,
            height,
            stride,
            data: &data[..span],
        })
    }

    /// The pixel format.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// `(width, height)`.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Bytes from the start of one row to the start of the next (the luma row
    /// for planar formats; 0 for JPEG and PNG).
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The bytes of the image, from the first byte of the first row to the last
    /// byte of the last row (or the whole encoded file for JPEG/PNG).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Bytes in one row without padding (0 for JPEG and PNG).
    pub fn row_bytes(&self) -> usize {
        packed_row_bytes(self.format, self.width)
    }

    /// Whether rows are packed with no padding between them, so that
    /// [`ImageRef::data`] is exactly the payload.
    pub fn is_packed(&self) -> bool {
        self.format.is_compressed() || self.stride == self.row_bytes()
    }

    /// Row `y` (the luma row for planar formats), without padding.
    ///
    /// # Panics
    /// If `y >= height` or the format is JPEG/PNG (which have no rows).
    #[inline]
    pub fn row(&self, y: u32) -> &'a [u8] {
        assert!(
            y < self.height && !self.format.is_compressed(),
            "row {y} out of range"
        );
        let start = self.stride * y as usize;
        &self.data[start..start + self.row_bytes()]
    }

    /// Iterator over the rows (luma rows for planar formats).
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &'a [u8]> + 'a {
        let this = *self;
        (0..self.height).map(move |y| this.row(y))
    }

    /// The Y, U and V planes of a [`PixelFormat::Yuv420`] image.
    pub fn yuv420_planes(&self) -> Option<(&'a [u8], &'a [u8], &'a [u8])> {
        if self.format != PixelFormat::Yuv420 {
            return None;
        }
        let luma = self.width as usize * self.height as usize;
        let chroma = (self.width as usize).div_ceil(2) * (self.height as usize).div_ceil(2);
        let (y, rest) = self.data.split_at(luma);
        let (u, v) = rest.split_at(chroma);
        Some((y, u, v))
    }

    /// The Y plane and the interleaved UV plane of a [`PixelFormat::Nv12`] image.
    pub fn nv12_planes(&self) -> Option<(&'a [u8], &'a [u8])> {
        if self.format != PixelFormat::Nv12 {
            return None;
        }
        Some(
            self.data
                .split_at(self.width as usize * self.height as usize),
        )
    }

    /// Checks the image against `limits`.
    ///
    /// # Errors
    /// [`ErrorKind::LimitExceeded`] if the image is larger than allowed.
    pub fn check_limits(&self, limits: &Limits) -> Result<()> {
        limits.check_dimensions(self.width, self.height)?;
        limits.check_bytes(self.data.len() as u64)
    }

    /// An owned, tightly packed copy.
    pub fn to_image(&self) -> Image {
        let mut image = Image::empty();
        self.copy_into(&mut image);
        image
    }

    /// Copies this image into `dst`, reusing `dst`'s allocation when it is large
    /// enough (no allocation per frame in a capture loop).
    pub fn copy_into(&self, dst: &mut Image) {
        dst.format = self.format;
        dst.width = self.width;
        dst.height = self.height;
        dst.data.clear();
        if self.is_packed() {
            dst.data.extend_from_slice(self.data);
        } else {
            for row in self.rows() {
                dst.data.extend_from_slice(row);
            }
        }
    }
}

impl fmt::Debug for ImageRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImageRef")
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("stride", &self.stride)
            .field("bytes", &self.data.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_check_lengths() {
        let e = ImageRef::new(PixelFormat::Rgb565, 3, 2, &[0; 11]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        assert_eq!(e.to_string(), "3x2 RGB565 image needs 12 bytes, got 11");
        assert!(ImageRef::new(PixelFormat::Rgb565, 3, 2, &[0; 12]).is_ok());
        assert!(ImageRef::new(PixelFormat::Rgb565, 0, 2, &[]).is_err());
        assert!(ImageRef::new(PixelFormat::Jpeg, 3, 2, &[]).is_err());
        assert!(ImageRef::new(PixelFormat::Jpeg, 0, 2, &[1]).is_err());
        let j = ImageRef::new(PixelFormat::Jpeg, 3, 2, &[0xFF, 0xD8]).unwrap();
        assert_eq!(j.stride(), 0);
        assert!(j.is_packed());
        assert!(Image::new(PixelFormat::Yuv420, 3, 3, vec![0; 9 + 8]).is_ok());
        assert!(Image::new(PixelFormat::Yuv420, 3, 3, vec![0; 9 + 9]).is_err());
    }

    #[test]
    fn strided_views_trim_and_compact() {
        let mut buf = vec![0xEEu8; 4 * 3];
        for y in 0..3 {
            for x in 0..3 {
                buf[y * 4 + x] = (y * 10 + x) as u8;
            }
        }
        let v = ImageRef::with_stride(PixelFormat::Grayscale, 3, 3, 4, &buf).unwrap();
        assert_eq!(v.data().len(), 11);
        assert!(!v.is_packed());
        assert_eq!(v.row(2), &[20, 21, 22]);
        let owned = v.to_image();
        assert_eq!(owned.data(), &[0, 1, 2, 10, 11, 12, 20, 21, 22]);
        assert!(ImageRef::with_stride(PixelFormat::Grayscale, 3, 3, 2, &buf).is_err());
        assert!(ImageRef::with_stride(PixelFormat::Grayscale, 3, 3, 4, &buf[..10]).is_err());
        assert!(ImageRef::with_stride(PixelFormat::Yuv420, 2, 2, 2, &buf).is_err());
        assert!(ImageRef::with_stride(PixelFormat::Grayscale, 3, 0, 4, &buf).is_err());
    }

    #[test]
    fn planes_split_where_expected() {
        let data: Vec<u8> = (0..(15 + 2 * 6)).map(|i| i as u8).collect();
        let img = ImageRef::new(PixelFormat::Yuv420, 5, 3, &data).unwrap();
        let (y, u, v) = img.yuv420_planes().unwrap();
        assert_eq!((y.len(), u.len(), v.len()), (15, 6, 6));
        assert_eq!((u[0], v[0]), (15, 21));
        let nv = ImageRef::new(PixelFormat::Nv12, 5, 3, &data).unwrap();
        let (y, uv) = nv.nv12_planes().unwrap();
        assert_eq!((y.len(), uv.len()), (15, 12));
        assert!(img.nv12_planes().is_none());
    }
}
