//! picamera's unencoded layouts as [`Encoder`]s: [`PiYuvEncoder`] (`'yuv'`)
//! and [`PiRgbEncoder`] (`'rgb'`, `'bgr'`).

use crate::capture::Encoder;
use crate::convert;
use crate::error::Result;
use crate::image::{Image, ImageRef, PixelFormat};
use crate::raw;

/// Converts `image` to `format` through `scratch` unless it already is.
fn as_format<'a>(
    image: ImageRef<'a>,
    format: PixelFormat,
    scratch: &'a mut Image,
) -> Result<ImageRef<'a>> {
    if image.format() == format {
        return Ok(image);
    }
    if image.format() == PixelFormat::Jpeg {
        let mut decoded = Image::empty();
        crate::codec::jpeg::decode_into(image.data(), &mut decoded)?;
        if decoded.format() == format {
            *scratch = decoded;
        } else {
            convert::convert_into(decoded.view(), format, scratch)?;
        }
    } else {
        crate::codec::transcode_into(image, format, scratch)?;
    }
    Ok(scratch.view())
}

/// picamera's `'yuv'` capture: YUV420 planes padded to 32x16
/// ([`raw::pad_yuv420`]); frames in other formats are converted (BT.601
/// limited range) first.
#[derive(Clone, Debug, Default)]
pub struct PiYuvEncoder {
    scratch: Image,
}

impl PiYuvEncoder {
    /// A `'yuv'` encoder.
    pub fn new() -> PiYuvEncoder {
        PiYuvEncoder::default()
    }
}

impl Encoder for PiYuvEncoder {
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        let yuv = as_format(image, PixelFormat::Yuv420, &mut self.scratch)?;
        out.extend_from_slice(&raw::pad_yuv420(yuv)?);
        Ok(())
    }
}

/// picamera's `'rgb'` (or `'bgr'`) capture: rows padded to 32x16
/// ([`raw::pad_rgb`]); frames in other formats are converted first.
#[derive(Clone, Debug)]
pub struct PiRgbEncoder {
    order: PixelFormat,
    scratch: Image,
}

impl PiRgbEncoder {
    /// An `'rgb'` encoder.
    pub fn rgb() -> PiRgbEncoder {
        PiRgbEncoder {
            order: PixelFormat::Rgb888,
            scratch: Image::empty(),
        }
    }

    /// A `'bgr'` encoder.
    pub fn bgr() -> PiRgbEncoder {
        PiRgbEncoder {
            order: PixelFormat::Bgr888,
            scratch: Image::empty(),
        }
    }
}

impl Default for PiRgbEncoder {
    fn default() -> PiRgbEncoder {
        PiRgbEncoder::rgb()
    }
}

impl Encoder for PiRgbEncoder {
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        let rgb = as_format(image, self.order, &mut self.scratch)?;
        out.extend_from_slice(&raw::pad_rgb(rgb)?);
        Ok(())
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::synthetic::SyntheticCamera;
    use crate::capture::CaptureExt;
    use crate::capture::testing::cam;

    #[test]
    fn pi_rgb_encoder_pads_and_swaps() {
        let mut c = cam(2);
        let f0 = c.render(0).unwrap();
        let mut out = Vec::new();
        c.capture(&mut out, &mut PiRgbEncoder::default()).unwrap();
        assert_eq!(out.len(), raw::rgb_capture_len(40, 20).unwrap());
        assert_eq!(
            raw::crop_rgb(&out, 40, 20, PixelFormat::Rgb888).unwrap(),
            f0
        );
        let f1 = c.render(1).unwrap();
        let mut out = Vec::new();
        c.capture(&mut out, &mut PiRgbEncoder::bgr()).unwrap();
        assert_eq!(&out[..3], &[f1.data()[2], f1.data()[1], f1.data()[0]]);
    }

    #[test]
    fn pi_encoders_convert_any_format() {
        let mut c = SyntheticCamera::builder()
            .size(40, 20)
            .format(PixelFormat::Rgb565)
            .build()
            .unwrap();
        let mut out = Vec::new();
        c.capture(&mut out, &mut PiYuvEncoder::new()).unwrap();
        assert_eq!(out.len(), raw::yuv420_capture_len(40, 20).unwrap());
        let mut out = Vec::new();
        c.capture(&mut out, &mut PiRgbEncoder::rgb()).unwrap();
        assert_eq!(out.len(), raw::rgb_capture_len(40, 20).unwrap());
        let mut j = SyntheticCamera::builder()
            .size(40, 20)
            .format(PixelFormat::Jpeg)
            .build()
            .unwrap();
        let mut out = Vec::new();
        j.capture(&mut out, &mut PiRgbEncoder::bgr()).unwrap();
        assert_eq!(out.len(), raw::rgb_capture_len(40, 20).unwrap());
    }
}
