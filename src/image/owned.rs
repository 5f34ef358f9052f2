//! [`Image`]: an owned, tightly packed image whose memory is reused.

use std::fmt;

use super::view::{check_encoded, check_length, packed_row_bytes};
use super::{ImageRef, PixelFormat};
use crate::error::{Error, ErrorKind, Result};

/// An owned, tightly packed image.
///
/// [`Image::view`] borrows it as an [`ImageRef`] for the pixel functions;
/// the `_into` conversions write into an existing `Image`, reusing its memory.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    pub(super) format: PixelFormat,
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) data: Vec<u8>,
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
}
