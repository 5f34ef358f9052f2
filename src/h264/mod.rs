//! H.264 video: the Annex B byte stream, parameter sets, and (with the
//! `h264` cargo feature) encoding and decoding with Cisco's openh264.
//!
//! | item | what | built |
//! |---|---|---|
//! | [`annexb`] | NAL units, access units, key frames, length-prefixed samples | always |
//! | [`Sps`] | picture size, profile, level and timing of a sequence parameter set | always |
//!
//! An encoded picture travels as a [`Frame`](crate::camera::Frame) whose
//! image is in [`PixelFormat::H264`](crate::PixelFormat::H264): the bytes of
//! one access unit, its SPS and PPS in front when it is a key frame.

pub mod annexb;
mod bits;
mod sps;

pub use annexb::{AccessUnitInfo, NalType};
pub use sps::Sps;
