//! Turning any frame into a JPEG of the recording's size: pass-through,
//! decode, region of interest, conversion, letterboxed fit, encode.

use std::time::Duration;

use crate::codec::jpeg::{Backend, JpegEncoder, Subsampling};
use crate::codec::{self, Quality};
use crate::convert;
use crate::error::{ErrorKind, Result};
use crate::geometry::{self, Filter, Resizer};
use crate::image::{Image, ImageRef, PixelFormat, Rect};

/// How [`MjpegWriter::add_frame`](crate::avi::MjpegWriter::add_frame) stores
/// one frame: builder methods on the defaults (the writer's quality, the
/// whole frame, the next time slot), read back with `get_` getters.
///
/// ```
/// use std::time::Duration;
/// use camreel::Rect;
/// use camreel::avi::FrameOptions;
///
/// let options = FrameOptions::new()
///     .quality(75)
///     .roi(Rect::new(80, 60, 480, 360))
///     .timestamp(Duration::from_millis(1234));
/// assert_eq!(options.get_quality(), Some(75));
/// assert_eq!(FrameOptions::default().get_timestamp(), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct FrameOptions {
    quality: Option<u8>,
    roi: Option<Rect>,
    timestamp: Option<Duration>,
}

impl FrameOptions {
    /// The defaults: the writer's quality, the whole frame, the next slot.
    pub fn new() -> FrameOptions {
        FrameOptions::default()
    }

    /// JPEG quality 1-100 for a frame that is encoded (default: the
    /// writer's, [`MjpegWriterBuilder::quality`](crate::avi::MjpegWriterBuilder::quality)).
    pub fn quality(mut self, quality: u8) -> FrameOptions {
        self.quality = Some(quality);
        self
    }

    /// Region of interest: only this part of the frame is recorded (scaled
    /// to fit the recording's size).
    pub fn roi(mut self, roi: Rect) -> FrameOptions {
        self.roi = Some(roi);
        self
    }

    /// Capture time of the frame, on the source's clock (as
    /// [`Frame::timestamp`](crate::frame::Frame::timestamp)). Default: the
    /// slot after the previous frame at the default 30 fps.
    pub fn timestamp(mut self, timestamp: Duration) -> FrameOptions {
        self.timestamp = Some(timestamp);
        self
    }

    /// The quality set by [`FrameOptions::quality`], if any.
    pub fn get_quality(&self) -> Option<u8> {
        self.quality
    }

    /// The region set by [`FrameOptions::roi`], if any.
    pub fn get_roi(&self) -> Option<Rect> {
        self.roi
    }

    /// The time set by [`FrameOptions::timestamp`], if any.
    pub fn get_timestamp(&self) -> Option<Duration> {
        self.timestamp
    }

    /// The options with the timestamp set to `timestamp` (or cleared).
    pub(crate) fn with_timestamp(mut self, timestamp: Option<Duration>) -> FrameOptions {
        self.timestamp = timestamp;
        self
    }
}

/// How a recording encodes its frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EncodeSettings {
    pub quality: u8,
    pub subsampling: Subsampling,
    pub optimize_coding: bool,
    pub backend: Backend,
}

impl Default for EncodeSettings {
    /// The defaults of every MJPEG AVI recording: camreel's own encoder
    /// (smaller files than libjpeg's or ffmpeg's for the same PSNR, the same
    /// bytes with or without the `turbojpeg` feature), 4:4:4 chroma and
    /// optimised Huffman tables in one interleaved scan.
    fn default() -> EncodeSettings {
        EncodeSettings {
            quality: Quality::DEFAULT.get(),
            subsampling: Subsampling::Chroma444,
            optimize_coding: true,
            backend: Backend::Native,
        }
    }
}

/// Encodes frames for one recording, reusing its buffers and encoder from
/// frame to frame. One per thread.
#[derive(Debug)]
pub(crate) struct FrameEncoder {
    width: u32,
    height: u32,
    quality: Quality,
    encoder: JpegEncoder,
    resizer: Resizer,
    decoded: Image,
    cropped: Image,
    converted: Image,
    fitted: Image,
}

/// Formats the JPEG encoder takes as they are.
fn encodable(format: PixelFormat) -> bool {
    matches!(
        format,
        PixelFormat::Grayscale
            | PixelFormat::Rgb888
            | PixelFormat::Bgr888
            | PixelFormat::Argb8
            | PixelFormat::Yuv420
    )
}

/// Formats the resizer scales as they are.
fn scalable(format: PixelFormat) -> bool {
    matches!(
        format,
        PixelFormat::Grayscale | PixelFormat::Rgb888 | PixelFormat::Bgr888 | PixelFormat::Argb8
    )
}

/// Whether `image` can be stored as it is in a `width` x `height` recording:
/// a JPEG of that size, no region of interest.
pub(crate) fn passes_through(
    image: ImageRef<'_>,
    options: &FrameOptions,
    width: u32,
    height: u32,
) -> bool {
    image.format() == PixelFormat::Jpeg
        && options.roi.is_none()
        && codec::jpeg::info(image.data()).is_ok_and(|j| (j.width, j.height) == (width, height))
}

impl FrameEncoder {
    /// An encoder for `width` x `height` frames with `settings` (the
    /// quality is the default of frames that set none).
    pub(crate) fn new(width: u32, height: u32, settings: EncodeSettings) -> Result<FrameEncoder> {
        let quality = Quality::try_from(settings.quality)?;
        let mut encoder = JpegEncoder::with_backend(quality, settings.backend)?;
        encoder.set_subsampling(settings.subsampling);
        // jpeg-encoder writes optimised frames as one scan per component,
        // which MJPEG decoders (zune-jpeg among them) do not all read: only
        // the backends that keep the single interleaved scan optimise.
        encoder.set_optimize_coding(
            settings.optimize_coding && encoder.backend() != Backend::JpegEncoder,
        );
        Ok(FrameEncoder {
            width,
            height,
            quality,
            encoder,
            resizer: Resizer::new(),
            decoded: Image::empty(),
            cropped: Image::empty(),
            converted: Image::empty(),
            fitted: Image::empty(),
        })
    }

    /// Appends to `out` the JPEG file that stores `image` as a frame: the
    /// image itself when it [`passes_through`], otherwise decoded (JPEG, PNG),
    /// cut to `options.roi`, converted, fitted into the frame with black bars
    /// and encoded at `options.quality` (or the default).
    pub(crate) fn encode(
        &mut self,
        image: ImageRef<'_>,
        options: &FrameOptions,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let (width, height) = (self.width, self.height);
        if passes_through(image, options, width, height) {
            out.extend_from_slice(image.data());
            return Ok(());
        }
        let quality = match options.quality {
            Some(q) => Quality::try_from(q)?,
            None => self.quality,
        };
        let FrameEncoder {
            encoder,
            resizer,
            decoded,
            cropped,
            converted,
            fitted,
            ..
        } = self;
        let mut src = image;
        if src.format().is_compressed() {
            codec::decode_into(src, decoded)?;
            src = decoded.view();
        }
        if let Some(roi) = options.roi {
            src = match src.crop_view(roi) {
                Ok(view) => view,
                Err(e) if e.kind() == ErrorKind::UnsupportedFormat => {
                    geometry::crop_into(src, roi, cropped)?;
                    cropped.view()
                }
                Err(e) => return Err(e),
            };
        }
        let same_size = src.size() == (width, height);
        let direct = scalable(src.format()) || (same_size && encodable(src.format()));
        if !direct {
            let to = if src.format().is_color() {
                PixelFormat::Rgb888
            } else {
                PixelFormat::Grayscale
            };
            convert::convert_into(src, to, converted)?;
            src = converted.view();
        }
        if !same_size {
            resizer.fit_into(src, width, height, Filter::Bilinear, fitted)?;
            src = fitted.view();
        }
        encoder.set_quality(quality);
        encoder.encode(src, out)
    }
}
