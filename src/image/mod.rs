//! Images: the owned [`Image`], the borrowed [`ImageRef`], [`PixelFormat`],
//! [`Rect`] and [`Limits`].
//!
//! Pixel code takes an [`ImageRef`], so a camera's mmap buffer, a frame read
//! from a file and an owned [`Image`] all go through the same path without a
//! copy. Both types check at construction that the buffer length matches the
//! width, height and format, so code that receives one can index rows without
//! re-checking.
//!
//! ```
//! use camreel::{Image, ImageRef, PixelFormat};
//!
//! // A borrowed 4x2 grayscale view over someone else's bytes.
//! let bytes = [0u8, 1, 2, 3, 10, 11, 12, 13];
//! let view = ImageRef::new(PixelFormat::Grayscale, 4, 2, &bytes)?;
//! assert_eq!(view.row(1), &[10, 11, 12, 13]);
//!
//! // An owned copy, and a wrong-sized buffer that is refused.
//! let owned: Image = view.to_image();
//! assert_eq!(owned.data(), &bytes);
//! assert!(Image::new(PixelFormat::Rgb565, 4, 2, vec![0; 15]).is_err());
//! # Ok::<(), camreel::Error>(())
//! ```

mod format;
#[cfg(feature = "image")]
#[cfg_attr(docsrs, doc(cfg(feature = "image")))]
pub mod interop;
mod work;

pub use format::{BayerOrder, PixelFormat};

use std::fmt;

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

/// A rectangle of pixels: top-left corner and size.
///
/// ```
/// use camreel::Rect;
/// let r = Rect::new(10, 20, 30, 40);
/// assert_eq!((r.right(), r.bottom()), (40, 60));
/// assert!(r.fits_in(40, 60));
/// assert!(!r.fits_in(39, 60));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rect {
    /// Left column.
    pub x: u32,
    /// Top row.
    pub y: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Rect {
    /// A rectangle at (`x`, `y`) of `width` x `height`.
    pub const fn new(x: u32, y: u32, width: u32, height: u32) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    /// One past the right-most column (saturating).
    pub const fn right(&self) -> u32 {
        self.x.saturating_add(self.width)
    }

    /// One past the bottom row (saturating).
    pub const fn bottom(&self) -> u32 {
        self.y.saturating_add(self.height)
    }

    /// Whether the rectangle is non-empty and lies inside a `width` x `height` image.
    pub fn fits_in(&self, width: u32, height: u32) -> bool {
        self.width > 0
            && self.height > 0
            && u64::from(self.x) + u64::from(self.width) <= u64::from(width)
            && u64::from(self.y) + u64::from(self.height) <= u64::from(height)
    }
}

/// A borrowed image: format, size, row stride and the bytes. Cheap to copy.
///
/// Rows of the row-based formats (everything except the planar 4:2:0 formats,
/// JPEG and PNG) may be further apart than their length
/// ([`ImageRef::with_stride`]), as in a V4L2 buffer with padded lines or the
/// padded RAW10 rows of a picamera Bayer capture.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    format: PixelFormat,
    width: u32,
    height: u32,
    stride: usize,
    data: &'a [u8],
}

fn check_encoded(format: PixelFormat, width: u32, height: u32, len: usize) -> Result<()> {
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

fn check_length(format: PixelFormat, width: u32, height: u32, len: usize) -> Result<usize> {
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
fn packed_row_bytes(format: PixelFormat, width: u32) -> usize {
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

/// An owned, tightly packed image.
///
/// [`Image::view`] borrows it as an [`ImageRef`] for the pixel functions;
/// the `_into` conversions write into an existing `Image`, reusing its memory.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    format: PixelFormat,
    width: u32,
    height: u32,
    data: Vec<u8>,
}

impl Image {
    /// An image over `data`.
    ///
    /// # Errors
    /// As [`ImageRef::new`]: the length must match exactly.
    pub fn new(format: PixelFormat, width: u32, height: u32, data: Vec<u8>) -> Result<Image> {
        check_length(format, width, height, data.len())?;
        Ok(Image {
            format,
            width,
            height,
            data,
        })
    }

    /// A `width` x `height` image of zero bytes (black for RGB formats, for
    /// YUV formats a Y of 0 with U=V=0 — use the conversions for true black).
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for JPEG and PNG; otherwise as
    /// [`PixelFormat::payload_size`].
    pub fn zeroed(format: PixelFormat, width: u32, height: u32) -> Result<Image> {
        let size = format.payload_size(width, height)?;
        Ok(Image {
            format,
            width,
            height,
            data: vec![0; size],
        })
    }

    /// A placeholder: one black grayscale pixel, to be overwritten by an
    /// `_into` function or a stream's `read_into`.
    pub fn empty() -> Image {
        Image {
            format: PixelFormat::Grayscale,
            width: 1,
            height: 1,
            data: vec![0],
        }
    }

    /// Borrows the image.
    pub fn view(&self) -> ImageRef<'_> {
        ImageRef {
            format: self.format,
            width: self.width,
            height: self.height,
            stride: packed_row_bytes(self.format, self.width),
            data: &self.data,
        }
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

    /// The bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The bytes, mutably (the length cannot change).
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// The bytes, consuming the image.
    pub fn into_vec(self) -> Vec<u8> {
        self.data
    }

    /// Bytes the image can hold without reallocating.
    pub fn capacity(&self) -> usize {
        self.data.capacity()
    }

    /// Changes the format and size of an uncompressed image, resizing the buffer
    /// (without reallocating when its capacity suffices). The contents are
    /// unspecified afterwards: callers overwrite them.
    ///
    /// # Errors
    /// As [`PixelFormat::payload_size`]; [`ErrorKind::UnsupportedFormat`] for
    /// JPEG and PNG.
    pub fn reshape(&mut self, format: PixelFormat, width: u32, height: u32) -> Result<()> {
        let size = format.payload_size(width, height)?;
        self.format = format;
        self.width = width;
        self.height = height;
        self.data.resize(size, 0);
        Ok(())
    }

    /// Replaces the contents with an encoded (JPEG or PNG) image produced by
    /// `fill`, which appends to the cleared buffer. Reuses the allocation.
    ///
    /// # Errors
    /// Whatever `fill` returns; [`ErrorKind::InvalidFrameSize`] if it wrote
    /// nothing or a dimension is zero; [`ErrorKind::UnsupportedFormat`] if
    /// `format` is not compressed. On error the image is left as one black
    /// grayscale pixel.
    pub fn set_encoded(
        &mut self,
        format: PixelFormat,
        width: u32,
        height: u32,
        fill: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    ) -> Result<()> {
        if !format.is_compressed() {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!("{format} is not an encoded format"),
            ));
        }
        self.data.clear();
        let filled = fill(&mut self.data)
            .and_then(|()| check_encoded(format, width, height, self.data.len()));
        if let Err(e) = filled {
            self.data.clear();
            self.data.push(0);
            self.set_meta_unchecked(PixelFormat::Grayscale, 1, 1);
            return Err(e);
        }
        self.format = format;
        self.width = width;
        self.height = height;
        Ok(())
    }

    /// Mutable access to the buffer for crate code that fills it in place.
    /// Callers must leave it valid for the metadata they set with
    /// [`Image::set_meta_unchecked`].
    #[allow(dead_code)] // for the codecs and readers that fill frames in place
    pub(crate) fn buffer_mut(&mut self) -> &mut Vec<u8> {
        &mut self.data
    }

    /// Sets the metadata without checking; see [`Image::buffer_mut`].
    pub(crate) fn set_meta_unchecked(&mut self, format: PixelFormat, width: u32, height: u32) {
        self.format = format;
        self.width = width;
        self.height = height;
    }
}

impl Default for Image {
    fn default() -> Image {
        Image::empty()
    }
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &self.data.len())
            .finish()
    }
}

impl<'a> From<&'a Image> for ImageRef<'a> {
    fn from(image: &'a Image) -> ImageRef<'a> {
        image.view()
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

    #[test]
    fn reshape_reuses_memory() {
        let mut img = Image::zeroed(PixelFormat::Rgb888, 64, 64).unwrap();
        let cap = img.capacity();
        img.reshape(PixelFormat::Grayscale, 8, 8).unwrap();
        assert_eq!(img.data().len(), 64);
        img.reshape(PixelFormat::Rgb888, 64, 64).unwrap();
        assert_eq!(img.capacity(), cap);
        let src = Image::zeroed(PixelFormat::Rgb565, 32, 32).unwrap();
        src.view().copy_into(&mut img);
        assert_eq!(img.capacity(), cap);
        assert_eq!(img, src);
    }

    #[test]
    fn set_encoded_validates() {
        let mut img = Image::empty();
        img.set_encoded(PixelFormat::Jpeg, 4, 4, |v| {
            v.extend_from_slice(&[1, 2, 3]);
            Ok(())
        })
        .unwrap();
        assert_eq!(
            (img.format(), img.size(), img.data()),
            (PixelFormat::Jpeg, (4, 4), &[1u8, 2, 3][..])
        );
        assert!(
            img.set_encoded(PixelFormat::Jpeg, 4, 4, |_| Ok(()))
                .is_err()
        );
        assert!(
            img.set_encoded(PixelFormat::Grayscale, 4, 4, |_| Ok(()))
                .is_err()
        );
    }

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
