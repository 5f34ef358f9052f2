//! H.264 video: the Annex B byte stream, parameter sets, and (with the
//! `h264` cargo feature) encoding and decoding with Cisco's openh264.
//!
//! | item | what | built |
//! |---|---|---|
//! | [`annexb`] | NAL units, access units, key frames, length-prefixed samples | always |
//! | [`Sps`] | picture size, profile, level and timing of a sequence parameter set | always |
//! | [`H264Settings`] | bitrate or quantiser, intra period, frame rate, threads | always |
//! | `H264Encoder` | openh264 as a [`VideoEncoder`](crate::video::VideoEncoder) | feature `h264` |
//! | `H264Decoder` | access units to YUV420 pictures (openh264) | feature `h264` |
//! | [`H264Writer`] | `.h264` Annex B files (a [`FrameSink`](crate::sink::FrameSink)) | always; raw frames need `h264` |
//! | [`v4l2m2m`] | the Raspberry Pi's hardware encoder (V4L2 memory-to-memory), with software fallback | logic always; the device with `rpi` on Linux |
//! | [`H264Reader`] | `.h264` access units; decoded frames as a [`CameraSource`](crate::camera::CameraSource) | always; decoding needs `h264` |
//!
//! An encoded picture travels as a [`Frame`](crate::camera::Frame) whose
//! image is in [`PixelFormat::H264`](crate::PixelFormat::H264): the bytes of
//! one access unit, its SPS and PPS in front when it is a key frame.

pub mod annexb;
mod bits;
#[cfg(feature = "h264")]
#[cfg_attr(docsrs, doc(cfg(feature = "h264")))]
mod decoder;
#[cfg(feature = "h264")]
#[cfg_attr(docsrs, doc(cfg(feature = "h264")))]
mod encoder;
mod reader;
mod settings;
mod sps;
pub mod v4l2m2m;
mod writer;

pub use annexb::{AccessUnitInfo, NalType};
#[cfg(feature = "h264")]
pub use decoder::H264Decoder;
#[cfg(feature = "h264")]
pub use encoder::H264Encoder;
pub use reader::{H264Reader, info};
pub use settings::{H264Settings, RateControl};
pub use sps::Sps;
pub use writer::H264Writer;
