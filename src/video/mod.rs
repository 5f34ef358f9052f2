//! Video encoders and what they report about each frame.
//!
//! A [`VideoEncoder`] turns raw [`Frame`](crate::camera::Frame)s into
//! encoded frames and tells, for each, picamera's `PiVideoFrame` facts
//! ([`VideoFrameInfo`]): index, key or delta frame, size, position in the
//! output, timestamp. [`MjpegEncoder`] is always built; the H.264 encoders
//! live in [`crate::h264`].
//!
//! [`VideoRecorder`] puts an encoder in front of any output: raw frames in,
//! encoded frames out, with picamera's `split_recording` (switch outputs at
//! a key frame, losing and repeating nothing), `request_key_frame`, the
//! last frame's facts and a motion output. picamera's recording calls over
//! a camera source (`start_recording`, `wait_recording`, ...) are
//! [`crate::recording::Recording`].

mod encoder;
mod info;
mod mjpeg;
mod recorder;

#[allow(unused_imports)] // for the H.264 encoders
pub(crate) use encoder::OutputCounter;
pub use encoder::{EncodedFrame, VideoEncoder, VideoFrameInfo, VideoFrameType};
pub use info::VideoInfo;
pub use mjpeg::MjpegEncoder;
pub use recorder::{Finished, RecorderHandle, VideoRecorder};
