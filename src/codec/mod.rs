//! JPEG and PNG encoding and decoding.
//!
//! | module | encodes | decodes to |
//! |---|---|---|
//! | [`jpeg`] | GRAYSCALE, RGB888, BGR888, ARGB8, YUV420 (quality 1-100, 4:2:0 or 4:4:4) | RGB888, GRAYSCALE |
//! | [`png`] | GRAYSCALE, RGB888, BGR888, ARGB8, GRAY16, RGB48 | GRAYSCALE, RGB888, ARGB8, GRAY16, RGB48 |
//!
//! The encoders convert other uncompressed formats with [`crate::convert`]
//! first. Decoders read the header first and check it against [`Limits`]
//! before allocating. [`transcode`] goes from any format to any other,
//! encoded ones included (decode, convert, encode); [`crate::convert`] itself
//! handles uncompressed formats only, so this module depends on it and not
//! the other way round. [`Quality`] is the one JPEG quality type of the
//! crate.
//!
//! JPEG encoding uses the pure-Rust `jpeg-encoder` crate, or libjpeg-turbo with
//! the `turbojpeg` cargo feature ([`jpeg::Backend`]); decoding uses `zune-jpeg`
//! and the `png` crate.
//!
//! ```
//! use camreel::codec::{self, Quality};
//! use camreel::codec::jpeg::JpegEncoder;
//! use camreel::{Image, PixelFormat};
//!
//! let frame = Image::zeroed(PixelFormat::Rgb888, 32, 24)?;
//! let jpeg = JpegEncoder::new(Quality::DEFAULT)?.encode_image(frame.view())?;
//! let png = codec::png::encode_image(frame.view())?;
//! assert_eq!(codec::decode(jpeg.view())?.size(), (32, 24));
//! assert_eq!(codec::decode(png.view())?, frame);
//! # Ok::<(), camreel::Error>(())
//! ```

pub mod jpeg;
pub mod png;
mod quality;
mod transcode;

pub use quality::Quality;
pub use transcode::{TranscodeOptions, transcode, transcode_into, transcode_with};

use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, Limits, PixelFormat};

/// Decodes a [`PixelFormat::Jpeg`] or [`PixelFormat::Png`] image with default
/// limits. The result has the size the file itself declares, which is what
/// counts if it differs from the size recorded beside it.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] for an image that is not JPEG or PNG
/// (H.264 access units depend on the frames before them: see `crate::h264`);
/// otherwise as [`jpeg::decode`] and [`png::decode`].
pub fn decode(src: ImageRef<'_>) -> Result<Image> {
    let mut image = Image::empty();
    decode_into(src, &mut image)?;
    Ok(image)
}

/// Decodes a JPEG or PNG image into `dst`, reusing its memory.
///
/// # Errors
/// As [`decode`].
pub fn decode_into(src: ImageRef<'_>, dst: &mut Image) -> Result<()> {
    decode_with_limits(src, &Limits::default(), dst)
}

/// Decodes a JPEG or PNG image into `dst`, checking the size its header
/// declares against `limits` before allocating.
///
/// # Errors
/// [`ErrorKind::LimitExceeded`] for an image larger than `limits`; otherwise
/// as [`decode`].
///
/// ```
/// use camreel::codec::{self, Quality, jpeg::JpegEncoder};
/// use camreel::{ErrorKind, Image, Limits, PixelFormat};
///
/// let image = Image::zeroed(PixelFormat::Rgb888, 64, 48)?;
/// let jpeg = JpegEncoder::new(Quality::try_from(80)?)?.encode_image(image.view())?;
/// let small = Limits { max_width: 32, ..Limits::default() };
/// let mut frame = Image::empty();
/// let e = codec::decode_with_limits(jpeg.view(), &small, &mut frame).unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::LimitExceeded);
/// codec::decode_with_limits(jpeg.view(), &Limits::default(), &mut frame)?;
/// assert_eq!(frame.size(), (64, 48));
/// # Ok::<(), camreel::Error>(())
/// ```
pub fn decode_with_limits(src: ImageRef<'_>, limits: &Limits, dst: &mut Image) -> Result<()> {
    match src.format() {
        PixelFormat::Jpeg => {
            let mut decoder = jpeg::JpegDecoder::new();
            decoder.set_limits(*limits);
            decoder.decode_into(src.data(), dst)
        }
        PixelFormat::Png => png::decode_with_limits(src.data(), limits, dst),
        PixelFormat::H264 => Err(Error::new(
            ErrorKind::UnsupportedFormat,
            "an H264 access unit is not a still image (decode it with an H.264 decoder)",
        )),
        other => Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("{other} image is not encoded (expected JPEG or PNG)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h264_access_units_are_not_still_images() {
        let au = [0u8, 0, 0, 1, 0x65, 0x88];
        let src = ImageRef::new(PixelFormat::H264, 16, 16, &au).unwrap();
        let e = decode(src).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
        assert!(e.to_string().contains("H264"), "{e}");
        let e = crate::convert::convert(src, PixelFormat::Rgb888).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
        // Same format: a copy, like JPEG to JPEG.
        let same = crate::convert::convert(src, PixelFormat::H264).unwrap();
        assert_eq!(same.data(), &au);
    }
}
