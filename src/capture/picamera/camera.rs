//! [`PiCamera`]: picamera's `capture(output, format)` over any source.

use std::io::Write;

use super::emulator::Emulation;
use super::encoders::{PiRgbEncoder, PiYuvEncoder};
use super::sensor;
use crate::camera::{CameraSource, Frame, FrameInfo, StreamFormat};
use crate::capture::{Encoder, JpegCapture, RawEncoder};
use crate::error::{Error, ErrorKind, Result};
use crate::image::{BayerOrder, PixelFormat};
use crate::raw::{CaptureSpec, PiFormat, Sensor};

/// picamera's default JPEG quality.
pub const DEFAULT_QUALITY: u8 = crate::codec::Quality::DEFAULT.get();

/// What a capture wrote: the frame it came from, and what
/// [`raw::decode`](crate::raw::decode) needs to read the bytes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PiCaptureInfo {
    /// Sequence number and timestamp of the frame.
    pub frame: FrameInfo,
    /// The capture's format and size (the frame's size).
    pub spec: CaptureSpec,
}

/// A camera with picamera's capture layouts. See the [module docs](super).
pub struct PiCamera<S> {
    source: S,
    sensor: Sensor,
    order: BayerOrder,
    raw_source: Option<Box<dyn CameraSource + Send>>,
    pub(super) emulation: Option<Emulation>,
    jpeg: Box<dyn Encoder + Send>,
    yuv: PiYuvEncoder,
    rgb: PiRgbEncoder,
    bgr: PiRgbEncoder,
    buf: Vec<u8>,
}

impl<S> std::fmt::Debug for PiCamera<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PiCamera")
            .field("sensor", &self.sensor)
            .field("order", &self.order)
            .field("emulated", &self.emulation.is_some())
            .finish_non_exhaustive()
    }
}

impl<S: CameraSource> PiCamera<S> {
    /// picamera layouts over `source`, JPEG at quality 85. Raw Bayer
    /// captures need [`PiCamera::with_raw_source`] (or the emulator).
    pub fn new(source: S) -> PiCamera<S> {
        let jpeg = match JpegCapture::new(DEFAULT_QUALITY) {
            Ok(j) => j,
            Err(_) => unreachable!("85 is a valid quality"),
        };
        PiCamera {
            source,
            sensor: Sensor::Ov5647,
            order: BayerOrder::Gbrg,
            raw_source: None,
            emulation: None,
            jpeg: Box::new(jpeg),
            yuv: PiYuvEncoder::new(),
            rgb: PiRgbEncoder::rgb(),
            bgr: PiRgbEncoder::bgr(),
            buf: Vec::new(),
        }
    }

    /// The sensor module (raw block layout) and, for an emulated sensor,
    /// its colour-filter order.
    #[must_use]
    pub fn sensor(mut self, sensor: Sensor, order: BayerOrder) -> Self {
        self.sensor = sensor;
        self.order = order;
        self
    }

    /// The source of full-resolution sensor frames for `bayer` captures: a
    /// V4L2 raw node (RAW10, 16-bit or 8-bit Bayer) on a Pi, or any source
    /// of RGB888 frames that the sensor model turns into a mosaic.
    #[must_use]
    pub fn with_raw_source(mut self, raw: impl CameraSource + Send + 'static) -> Self {
        self.raw_source = Some(Box::new(raw));
        self
    }

    /// The JPEG encoder for `'jpeg'` captures of frames that are not already
    /// JPEG (an MJPEG camera's frames are passed through); the default is a
    /// [`JpegCapture`] at quality 85.
    #[must_use]
    pub fn with_jpeg_encoder(mut self, encoder: impl Encoder + Send + 'static) -> Self {
        self.jpeg = Box::new(encoder);
        self
    }

    /// The source.
    pub fn get_ref(&self) -> &S {
        &self.source
    }

    /// The source, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.source
    }

    /// Captures one frame into `output`, laid out as `format` says
    /// (picamera's `capture(output, format)`; the order of
    /// [`CaptureExt::capture`](crate::capture::CaptureExt::capture), whose
    /// second argument is an [`Encoder`]).
    ///
    /// Frames are converted as needed (an RGB888 camera gives `'yuv'`
    /// captures through BT.601, a YUV camera `'rgb'` ones).
    ///
    /// # Errors
    /// [`ErrorKind::EndOfStream`] if the source ended;
    /// [`ErrorKind::UnsupportedFormat`] if the source's frames cannot be
    /// converted; the source's, the encoder's and the writer's errors.
    pub fn capture_as<W: Write + ?Sized>(
        &mut self,
        output: &mut W,
        format: PiFormat,
    ) -> Result<PiCaptureInfo> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let result = self.capture_into(format, &mut buf);
        let written = result.and_then(|info| {
            output
                .write_all(&buf)
                .and_then(|()| output.flush())
                .map_err(|e| {
                    Error::io(
                        format!("writing the capture of frame {}", info.frame.sequence),
                        e,
                    )
                })
                .map(|()| info)
        });
        self.buf = buf;
        written
    }

    /// Captures one frame in `format` and returns the bytes.
    ///
    /// # Errors
    /// As [`PiCamera::capture_as`].
    pub fn capture_bytes(&mut self, format: PiFormat) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.capture_into(format, &mut out)?;
        Ok(out)
    }

    fn capture_into(&mut self, format: PiFormat, out: &mut Vec<u8>) -> Result<PiCaptureInfo> {
        let frame = self.source.next_frame()?.ok_or_else(|| {
            Error::new(
                ErrorKind::EndOfStream,
                "capture: the camera has no more frames",
            )
        })?;
        let info = PiCaptureInfo {
            frame: frame.info(),
            spec: CaptureSpec::new(format, frame.image.width(), frame.image.height()),
        };
        if format == PiFormat::JpegBayer
            && self.raw_source.is_none()
            && let Some(emulation) = &mut self.emulation
        {
            // Both parts from one full-resolution sensor frame.
            let size = frame.image.size();
            emulation.jpeg_bayer(
                info.frame.sequence,
                size,
                (self.sensor, self.order),
                &mut *self.jpeg,
                out,
            )?;
            return Ok(info);
        }
        match format {
            PiFormat::Yuv => self.yuv.encode(frame.image, out)?,
            PiFormat::Rgb => self.rgb.encode(frame.image, out)?,
            PiFormat::Bgr => self.bgr.encode(frame.image, out)?,
            PiFormat::Jpeg | PiFormat::JpegBayer => {
                if frame.image.format() == PixelFormat::Jpeg {
                    RawEncoder.encode(frame.image, out)?;
                } else {
                    self.jpeg.encode(frame.image, out)?;
                }
            }
        }
        if format == PiFormat::JpegBayer {
            let block = self.raw_block()?;
            out.extend_from_slice(&block);
        }
        Ok(info)
    }

    /// Builds the raw Bayer block from the raw source's next frame.
    fn raw_block(&mut self) -> Result<Vec<u8>> {
        let raw = self.raw_source.as_mut().ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedFormat,
                "raw Bayer captures need a raw sensor source (PiCamera::with_raw_source)",
            )
        })?;
        let frame = raw.next_frame()?.ok_or_else(|| {
            Error::new(
                ErrorKind::EndOfStream,
                "raw capture: the sensor source has no more frames",
            )
        })?;
        sensor::raw_block(frame.image, self.sensor, self.order, frame.sequence)
    }
}

impl<S: CameraSource> CameraSource for PiCamera<S> {
    fn format(&self) -> StreamFormat {
        self.source.format()
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        self.source.next_frame()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::CaptureExt;
    use crate::image::{Image, ImageRef};
    use crate::raw::{self, BayerCapture, DecodeOptions};
    use std::time::Duration;

    #[test]
    fn emulated_rgb_and_bgr_layouts() {
        let mut cam = PiCamera::emulator(100, 100, 5).unwrap();
        let reference = cam.get_ref().render(0).unwrap();
        let rgb = cam.capture_bytes(PiFormat::Rgb).unwrap();
        assert_eq!(rgb.len(), 128 * 112 * 3);
        // Row 1 starts at 128*3 in the padded buffer.
        assert_eq!(&rgb[128 * 3..128 * 3 + 3], &reference.data()[300..303]);
        let img = raw::crop_rgb(&rgb, 100, 100, PixelFormat::Rgb888).unwrap();
        assert_eq!(img, reference);
        let frame1 = cam.get_ref().render(1).unwrap();
        let bgr = cam.capture_bytes(PiFormat::Bgr).unwrap();
        let img = raw::crop_rgb(&bgr, 100, 100, PixelFormat::Bgr888).unwrap();
        assert_eq!(img.data()[0], frame1.data()[2]);
    }

    #[test]
    fn jpeg_by_default_or_a_custom_encoder() {
        let mut cam = PiCamera::emulator(48, 32, 0).unwrap();
        let j = cam.capture_bytes(PiFormat::Jpeg).unwrap();
        assert_eq!(&j[..2], &[0xFF, 0xD8]);
        assert_eq!(crate::codec::jpeg::dimensions(&j).unwrap(), (48, 32));
        let mut cam = cam.with_jpeg_encoder(|img: ImageRef<'_>, out: &mut Vec<u8>| {
            out.extend_from_slice(&[0xFF, 0xD8]);
            out.extend_from_slice(&img.width().to_le_bytes());
            out.extend_from_slice(&[0xFF, 0xD9]);
            Ok(())
        });
        let j = cam.capture_bytes(PiFormat::Jpeg).unwrap();
        assert_eq!(j, [0xFF, 0xD8, 48, 0, 0, 0, 0xFF, 0xD9]);
        let mut out = Vec::new();
        let info = cam.capture_as(&mut out, PiFormat::Jpeg).unwrap();
        assert_eq!(info.frame.sequence, 2);
        assert_eq!(info.spec, CaptureSpec::new(PiFormat::Jpeg, 48, 32));
        assert_eq!(out.len(), 8);
    }

    #[test]
    fn emulated_yuv_layout() {
        let mut cam = PiCamera::emulator(100, 100, 4).unwrap();
        let reference = cam.get_ref().render(0).unwrap();
        let yuv = cam.capture_bytes(PiFormat::Yuv).unwrap();
        assert_eq!(yuv.len(), 14336 + 3584 + 3584);
        let cropped = raw::crop_yuv420(&yuv, 100, 100).unwrap();
        let expected = crate::convert::convert(reference.view(), PixelFormat::Yuv420).unwrap();
        assert_eq!(cropped, expected);
        // Y of pixel (0, 1) sits at the start of the second padded row.
        assert_eq!(yuv[128], expected.data()[100]);
    }

    #[test]
    fn a_capture_decodes_with_what_it_returned() {
        // No size asked again: the capture's spec has it.
        let mut cam = PiCamera::emulator(50, 30, 2).unwrap();
        for format in [PiFormat::Yuv, PiFormat::Rgb, PiFormat::Bgr, PiFormat::Jpeg] {
            let reference = cam
                .get_ref()
                .render(cam.get_ref().frames_delivered())
                .unwrap();
            let mut data = Vec::new();
            let info = cam.capture_as(&mut data, format).unwrap();
            assert_eq!(info.spec.format(), format);
            assert_eq!(info.spec.size(), Some((50, 30)));
            let rgb = raw::decode(&data, &info.spec, &DecodeOptions::new()).unwrap();
            assert_eq!((rgb.format(), rgb.size()), (PixelFormat::Rgb888, (50, 30)));
            let se: f64 = rgb
                .data()
                .iter()
                .zip(reference.data())
                .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
                .sum();
            let psnr = 10.0 * (255.0f64.powi(2) * rgb.data().len() as f64 / se.max(1e-9)).log10();
            // RGB is exact; YUV420 loses chroma detail, a JPEG a little more.
            let bound = match format {
                PiFormat::Rgb | PiFormat::Bgr => 90.0,
                PiFormat::Yuv => 26.0,
                _ => 24.0,
            };
            assert!(psnr > bound, "{format}: {psnr:.1} dB");
            if format == PiFormat::Rgb {
                assert_eq!(rgb, reference);
            }
        }
    }

    #[test]
    fn capture_as_and_capture_ext_do_not_shadow_each_other() {
        let mut cam = PiCamera::emulator(32, 16, 0).unwrap();
        let mut out = Vec::new();
        // The generic capture (output, encoder) is reachable on a PiCamera.
        let info = cam.capture(&mut out, &mut RawEncoder).unwrap();
        assert_eq!((info.sequence, out.len()), (0, 32 * 16 * 3));
        let mut out = Vec::new();
        let info = cam.capture_as(&mut out, PiFormat::Rgb).unwrap();
        assert_eq!((info.frame.sequence, out.len()), (1, 32 * 16 * 3));
    }

    /// A source of fixed 8-bit Bayer frames at the OV5647's resolution.
    struct FixedBayer(Image);
    impl CameraSource for FixedBayer {
        fn format(&self) -> StreamFormat {
            StreamFormat::new(self.0.format(), self.0.width(), self.0.height())
        }
        fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
            Ok(Some(Frame {
                image: self.0.view(),
                sequence: 0,
                timestamp: Duration::ZERO,
            }))
        }
    }

    #[test]
    fn raw_source_bayer_block_is_byte_exact() {
        let (w, h) = Sensor::Ov5647.resolution();
        let data: Vec<u8> = (0..(w * h) as usize).map(|i| (i % 253) as u8).collect();
        let bayer = Image::new(PixelFormat::Bayer(BayerOrder::Rggb), w, h, data).unwrap();
        let mut cam = PiCamera::new(FixedBayer(bayer.clone()))
            .with_raw_source(FixedBayer(bayer))
            .with_jpeg_encoder(|_: ImageRef<'_>, out: &mut Vec<u8>| {
                out.extend_from_slice(b"\xFF\xD8\xFF\xD9");
                Ok(())
            });
        let file = cam.capture_bytes(PiFormat::JpegBayer).unwrap();
        assert_eq!(file.len(), 4 + 6_404_096);
        let cap = BayerCapture::parse(&file).unwrap();
        assert_eq!(cap.jpeg, b"\xFF\xD8\xFF\xD9");
        assert_eq!(cap.header.bayer_order, 0); // RGGB from the source's format
        assert_eq!(cap.header.name(), "ov5647");
        assert_eq!((cap.layout.stride, cap.layout.rows), (3264, 1952));
        // Pixel (1, 0) = 1 -> 10-bit 4: high byte 1, low bits 0.
        let first = &file[4 + raw::DATA_OFFSET..4 + raw::DATA_OFFSET + 5];
        assert_eq!(first, &[0, 1, 2, 3, 0]);
        // Row padding is zero.
        let row0_pad = &file[4 + raw::DATA_OFFSET + 3240..4 + raw::DATA_OFFSET + 3264];
        assert!(row0_pad.iter().all(|&b| b == 0));
    }

    #[test]
    fn bayer_without_a_raw_source_is_refused() {
        let source = crate::camera::synthetic::SyntheticCamera::builder()
            .size(8, 8)
            .build()
            .unwrap();
        let e = PiCamera::new(source)
            .capture_bytes(PiFormat::JpegBayer)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
    }
}
