//! [`MjpegEncoder`]: motion JPEG as a [`VideoEncoder`], every frame a key frame.

use super::encoder::{EncodedFrame, OutputCounter, VideoEncoder, VideoFrameType};
use crate::camera::Frame;
use crate::codec::jpeg::JpegEncoder;
use crate::error::Result;
use crate::image::{Image, PixelFormat};

/// Motion JPEG: each raw frame encoded with a
/// [`JpegEncoder`](crate::codec::jpeg::JpegEncoder); JPEG frames are passed
/// through as they are. Every frame is a key frame.
///
/// ```
/// use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
/// use camreel::video::{MjpegEncoder, VideoEncoder};
///
/// let mut cam = SyntheticCamera::builder().size(64, 48).frame_limit(3).build()?;
/// let mut enc = MjpegEncoder::new(85)?;
/// while let Some(frame) = cam.next_frame()? {
///     let out = enc.encode(&frame)?.unwrap();
///     assert!(out.info.key_frame());
///     assert_eq!(out.frame.sequence, frame.sequence);
/// }
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Debug)]
pub struct MjpegEncoder {
    jpeg: JpegEncoder,
    out: Image,
    counter: OutputCounter,
}

impl MjpegEncoder {
    /// An encoder at JPEG `quality` (1-100).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) for
    /// a quality outside 1-100.
    pub fn new(quality: u8) -> Result<MjpegEncoder> {
        Ok(MjpegEncoder::with_encoder(JpegEncoder::new(
            crate::codec::Quality::try_from(quality)?,
        )?))
    }

    /// An encoder using `jpeg` (its quality, subsampling and backend).
    pub fn with_encoder(jpeg: JpegEncoder) -> MjpegEncoder {
        MjpegEncoder {
            jpeg,
            out: Image::empty(),
            counter: OutputCounter::default(),
        }
    }

    /// The JPEG encoder, to change its settings.
    pub fn jpeg_mut(&mut self) -> &mut JpegEncoder {
        &mut self.jpeg
    }
}

impl VideoEncoder for MjpegEncoder {
    fn format(&self) -> PixelFormat {
        PixelFormat::Jpeg
    }

    fn encode<'a>(&'a mut self, frame: &Frame<'a>) -> Result<Option<EncodedFrame<'a>>> {
        let image = if frame.image.format() == PixelFormat::Jpeg {
            frame.image
        } else {
            self.jpeg.encode_into(frame.image, &mut self.out)?;
            self.out.view()
        };
        let info = self
            .counter
            .next(VideoFrameType::Key, image.data().len(), 0, frame.timestamp);
        Ok(Some(EncodedFrame {
            frame: Frame {
                image,
                sequence: frame.sequence,
                timestamp: frame.timestamp,
            },
            info,
        }))
    }

    fn request_key_frame(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn positions_add_up_and_jpeg_passes_through() {
        let mut enc = MjpegEncoder::new(80).unwrap();
        let raw = Image::zeroed(PixelFormat::Grayscale, 16, 8).unwrap();
        let mut sizes = Vec::new();
        for i in 0..3u64 {
            let f = Frame {
                image: raw.view(),
                sequence: i + 10,
                timestamp: Duration::from_millis(40 * i),
            };
            let out = enc.encode(&f).unwrap().unwrap();
            assert_eq!(out.info.index, i);
            assert_eq!(out.info.position, sizes.iter().sum::<u64>());
            assert_eq!(out.info.timestamp, f.timestamp);
            assert_eq!(out.frame.sequence, i + 10);
            assert!(out.info.complete && !out.info.header());
            sizes.push(out.info.frame_size as u64);
        }
        let jpeg = enc.jpeg_mut().encode_image(raw.view()).unwrap();
        let f = Frame {
            image: jpeg.view(),
            sequence: 0,
            timestamp: Duration::ZERO,
        };
        let out = enc.encode(&f).unwrap().unwrap();
        assert_eq!(out.frame.image.data().as_ptr(), jpeg.data().as_ptr());
        assert_eq!(
            out.info.video_size,
            sizes.iter().sum::<u64>() + jpeg.data().len() as u64
        );
    }
}
