//! Video encoders and what they report about each frame.
//!
//! A [`VideoEncoder`] turns raw [`Frame`](crate::camera::Frame)s into
//! encoded frames and tells, for each, picamera's `PiVideoFrame` facts
//! ([`VideoFrameInfo`]): index, key or delta frame, size, position in the
//! output, timestamp. [`MjpegEncoder`] is always built; the H.264 encoders
//! live in [`crate::h264`].

#[cfg(feature = "h264")]
pub(crate) mod decode;
mod encoder;
mod info;
mod mjpeg;
pub(crate) mod stage;

#[allow(unused_imports)] // for the H.264 encoders
pub(crate) use encoder::OutputCounter;
pub use encoder::{EncodedFrame, VideoEncoder, VideoFrameInfo, VideoFrameType};
pub use info::VideoInfo;
pub use mjpeg::MjpegEncoder;
