//! Still encoders: [`JpegCapture`] (picamera's `'jpeg'`) and
//! [`PngCapture`] (`'png'`).

use super::encoder::{Encoder, RawEncoder};
use crate::codec::jpeg::JpegEncoder;
use crate::codec::png;
use crate::convert;
use crate::error::Result;
use crate::image::{Image, ImageRef, PixelFormat};

/// JPEG stills (picamera's `'jpeg'`): frames that are already JPEG (an MJPEG
/// camera's) pass through untouched; others are encoded by
/// [`JpegEncoder`], after a conversion to RGB888 for formats
/// the encoder does not take (RGB565, YUV422, Bayer, ...).
#[derive(Debug)]
pub struct JpegCapture {
    encoder: JpegEncoder,
    scratch: Image,
}

impl JpegCapture {
    /// An encoder at `quality` (1-100).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) for a quality outside 1-100.
    pub fn new(quality: u8) -> Result<JpegCapture> {
        Ok(JpegCapture {
            encoder: JpegEncoder::new(crate::codec::Quality::try_from(quality)?)?,
            scratch: Image::empty(),
        })
    }

    /// The codec's encoder, to change its settings (subsampling, backend).
    pub fn encoder_mut(&mut self) -> &mut JpegEncoder {
        &mut self.encoder
    }
}

impl Encoder for JpegCapture {
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        match image.format() {
            PixelFormat::Jpeg => RawEncoder.encode(image, out),
            PixelFormat::Grayscale
            | PixelFormat::Rgb888
            | PixelFormat::Bgr888
            | PixelFormat::Argb8
            | PixelFormat::Yuv420 => self.encoder.encode(image, out),
            _ => {
                crate::codec::transcode_into(image, PixelFormat::Rgb888, &mut self.scratch)?;
                self.encoder.encode(self.scratch.view(), out)
            }
        }
    }
}

/// PNG stills (picamera's `'png'`): 8-bit gray or RGB, 16-bit for GRAY16,
/// RGB48 and 16-bit Bayer (demosaiced); other formats go through RGB888.
#[derive(Debug, Default)]
pub struct PngCapture {
    scratch: Image,
}

impl PngCapture {
    /// A PNG encoder.
    pub fn new() -> PngCapture {
        PngCapture::default()
    }
}

impl Encoder for PngCapture {
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        match image.format() {
            PixelFormat::Grayscale
            | PixelFormat::Rgb888
            | PixelFormat::Bgr888
            | PixelFormat::Argb8
            | PixelFormat::Gray16
            | PixelFormat::Rgb48 => png::encode(image, out),
            PixelFormat::Bayer16 { .. } => {
                convert::convert_into(image, PixelFormat::Rgb48, &mut self.scratch)?;
                png::encode(self.scratch.view(), out)
            }
            PixelFormat::Jpeg | PixelFormat::Png => {
                crate::codec::jpeg::decode_into(image.data(), &mut self.scratch)
                    .or_else(|_| png::decode_into(image.data(), &mut self.scratch))?;
                png::encode(self.scratch.view(), out)
            }
            _ => {
                convert::convert_into(image, PixelFormat::Rgb888, &mut self.scratch)?;
                png::encode(self.scratch.view(), out)
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::super::testing::cam;
    use super::*;
    use crate::camera::synthetic::SyntheticCamera;
    use crate::capture::CaptureExt;

    #[test]
    fn jpeg_capture_encodes_converts_and_passes_through() {
        let mut jpeg = JpegCapture::new(85).unwrap();
        for format in [
            PixelFormat::Rgb888,
            PixelFormat::Rgb565,
            PixelFormat::Yuv420,
        ] {
            let mut c = SyntheticCamera::builder()
                .size(40, 20)
                .format(format)
                .build()
                .unwrap();
            let mut out = Vec::new();
            c.capture(&mut out, &mut jpeg).unwrap();
            assert_eq!(
                crate::codec::jpeg::dimensions(&out).unwrap(),
                (40, 20),
                "{format}"
            );
        }
        // An MJPEG camera's frames come out byte for byte.
        let mut mjpeg = SyntheticCamera::builder()
            .size(40, 20)
            .format(PixelFormat::Jpeg)
            .build()
            .unwrap();
        let original = mjpeg.render(0).unwrap();
        let mut out = Vec::new();
        mjpeg.capture(&mut out, &mut jpeg).unwrap();
        assert_eq!(out, original.data());
        assert!(JpegCapture::new(0).is_err());
    }

    #[test]
    fn png_capture_round_trips() {
        let mut c = cam(2);
        let reference = c.render(0).unwrap();
        let mut out = Vec::new();
        c.capture(&mut out, &mut PngCapture::new()).unwrap();
        assert_eq!(png::decode(&out).unwrap(), reference);
        // 16-bit Bayer is demosaiced to a 16-bit PNG.
        let mut b = SyntheticCamera::builder()
            .size(16, 8)
            .format(PixelFormat::Bayer16 {
                order: crate::image::BayerOrder::Rggb,
                bits: 10,
            })
            .build()
            .unwrap();
        let mut out = Vec::new();
        b.capture(&mut out, &mut PngCapture::new()).unwrap();
        assert_eq!(png::decode(&out).unwrap().format(), PixelFormat::Rgb48);
    }
}
