//! [`VideoEncoder`]: raw frames in, encoded frames with picamera's
//! `PiVideoFrame` facts out.

use std::time::Duration;

use crate::camera::Frame;
use crate::error::Result;
use crate::image::PixelFormat;

/// What an encoded frame is (picamera's `PiVideoFrameType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VideoFrameType {
    /// A key frame (an H.264 IDR picture, every MJPEG frame): decoding can
    /// start here. An H.264 key frame carries its SPS and PPS in front
    /// ([`VideoFrameInfo::header_size`] bytes).
    Key,
    /// A frame that depends on earlier frames.
    Delta,
    /// Parameter sets alone, without a picture (what some hardware
    /// encoders emit before a key frame).
    SpsHeader,
}

/// picamera's `PiVideoFrame`: the facts about one encoded frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VideoFrameInfo {
    /// Number of the frame in the encoder's output, from 0.
    pub index: u64,
    /// Key frame, delta frame or parameter sets.
    pub frame_type: VideoFrameType,
    /// Bytes of the encoded frame (picamera's `frame_size`).
    pub frame_size: usize,
    /// Bytes of parameter sets (SPS, PPS) at the start of the frame; 0 when
    /// it has none.
    pub header_size: usize,
    /// Offset of the frame's first byte in the encoder's output stream: the
    /// sum of the sizes of the frames before it. A key frame's position is
    /// where a player can start (picamera's `position`).
    pub position: u64,
    /// Bytes the encoder has output so far, this frame included
    /// (picamera's `video_size`).
    pub video_size: u64,
    /// Capture time of the raw frame it encodes.
    pub timestamp: Duration,
    /// Whether the bytes are the whole frame (always true here: encoders
    /// hand out whole access units).
    pub complete: bool,
}

impl VideoFrameInfo {
    /// Whether decoding can start at this frame.
    pub fn key_frame(&self) -> bool {
        self.frame_type == VideoFrameType::Key
    }

    /// Whether the frame carries parameter sets (picamera's `header`).
    pub fn header(&self) -> bool {
        self.header_size > 0 || self.frame_type == VideoFrameType::SpsHeader
    }
}

/// One encoded frame lent by a [`VideoEncoder`]: its bytes (an image in the
/// encoder's compressed [`PixelFormat`], with the raw frame's sequence
/// number and timestamp) and its facts. Valid until the next call on the
/// encoder.
#[derive(Clone, Copy, Debug)]
pub struct EncodedFrame<'a> {
    /// The encoded bytes as a frame: any [`FrameSink`](crate::capture::FrameSink)
    /// that takes encoded frames stores it as it is.
    pub frame: Frame<'a>,
    /// picamera's `PiVideoFrame` facts.
    pub info: VideoFrameInfo,
}

/// A video encoder: takes raw frames, gives encoded frames with their
/// [`VideoFrameInfo`].
///
/// Implemented by the H.264 encoders (`H264Encoder` with the `h264`
/// feature, the Raspberry Pi's hardware encoder with `rpi`) and by
/// [`MjpegEncoder`](super::MjpegEncoder). Writers such as the `.h264` and
/// `.mp4` writers own one and call it for every raw frame.
///
/// # Custom encoders
///
/// picamera lets a custom encoder react to every frame (its advanced recipe
/// 5.10 counts I-frames). Here that is a type that wraps any encoder: it
/// sees each raw frame before it is encoded and each encoded frame with its
/// facts, and hands the encoder's borrowed output on without copying it.
///
/// ```
/// use camreel::camera::Frame;
/// use camreel::video::{EncodedFrame, MjpegEncoder, VideoEncoder, VideoFrameType};
/// use camreel::{PixelFormat, Result};
///
/// struct Counting<E> {
///     inner: E,
///     raw_frames: u64,
///     key_frames: u64,
///     delta_frames: u64,
/// }
///
/// impl<E: VideoEncoder> VideoEncoder for Counting<E> {
///     fn format(&self) -> PixelFormat {
///         self.inner.format()
///     }
///     fn encode<'a>(&'a mut self, frame: &Frame<'a>) -> Result<Option<EncodedFrame<'a>>> {
///         self.raw_frames += 1; // the raw frame, before encoding
///         let out = self.inner.encode(frame)?;
///         if let Some(encoded) = &out {
///             match encoded.info.frame_type {
///                 VideoFrameType::Key => self.key_frames += 1,
///                 VideoFrameType::Delta => self.delta_frames += 1,
///                 VideoFrameType::SpsHeader => {}
///             }
///         }
///         Ok(out)
///     }
///     fn request_key_frame(&mut self) {
///         self.inner.request_key_frame()
///     }
/// }
///
/// let mut enc = Counting { inner: MjpegEncoder::new(80)?, raw_frames: 0, key_frames: 0, delta_frames: 0 };
/// let image = camreel::Image::zeroed(PixelFormat::Rgb888, 32, 16)?;
/// let frame = Frame { image: image.view(), sequence: 0, timestamp: Default::default() };
/// let encoded = enc.encode(&frame)?.expect("mjpeg encodes every frame");
/// assert_eq!(encoded.frame.image.format(), PixelFormat::Jpeg);
/// assert_eq!((enc.raw_frames, enc.key_frames), (1, 1));
/// # Ok::<(), camreel::Error>(())
/// ```
pub trait VideoEncoder {
    /// The compressed format of the frames it outputs
    /// ([`PixelFormat::H264`], [`PixelFormat::Jpeg`]).
    fn format(&self) -> PixelFormat;

    /// Encodes one raw frame and lends the result; `Ok(None)` when the
    /// encoder produced nothing for it (a skipped frame).
    ///
    /// # Errors
    /// A frame the encoder cannot take (size, format) or an encoder failure.
    fn encode<'a>(&'a mut self, frame: &Frame<'a>) -> Result<Option<EncodedFrame<'a>>>;

    /// Asks for the next encoded frame to be a key frame (picamera's
    /// `request_key_frame`); encoders whose frames are all key frames
    /// ignore it.
    fn request_key_frame(&mut self);
}

#[deny(clippy::missing_trait_methods)]
impl<E: VideoEncoder + ?Sized> VideoEncoder for &mut E {
    fn format(&self) -> PixelFormat {
        E::format(self)
    }
    fn encode<'a>(&'a mut self, frame: &Frame<'a>) -> Result<Option<EncodedFrame<'a>>> {
        E::encode(self, frame)
    }
    fn request_key_frame(&mut self) {
        E::request_key_frame(self)
    }
}

#[deny(clippy::missing_trait_methods)]
impl<E: VideoEncoder + ?Sized> VideoEncoder for Box<E> {
    fn format(&self) -> PixelFormat {
        E::format(self)
    }
    fn encode<'a>(&'a mut self, frame: &Frame<'a>) -> Result<Option<EncodedFrame<'a>>> {
        E::encode(self, frame)
    }
    fn request_key_frame(&mut self) {
        E::request_key_frame(self)
    }
}

/// Counts frames and bytes of an encoder's output, for the
/// [`VideoFrameInfo`] every encoder reports.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OutputCounter {
    index: u64,
    position: u64,
}

impl OutputCounter {
    /// The facts of the next output frame, and counts it.
    pub(crate) fn next(
        &mut self,
        frame_type: VideoFrameType,
        frame_size: usize,
        header_size: usize,
        timestamp: Duration,
    ) -> VideoFrameInfo {
        let info = VideoFrameInfo {
            index: self.index,
            frame_type,
            frame_size,
            header_size,
            position: self.position,
            video_size: self.position + frame_size as u64,
            timestamp,
            complete: true,
        };
        self.index += 1;
        self.position = info.video_size;
        info
    }
}
