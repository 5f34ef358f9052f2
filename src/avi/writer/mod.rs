//! The Motion-JPEG AVI writer: [`MjpegWriterBuilder`] (options, `create`,
//! `build`), [`MjpegWriter`] (frames in, chunks and indexes out) and how it
//! ends a RIFF segment (`segments`).

mod builder;
mod mjpeg;
mod segments;
#[cfg(test)]
mod tests;

pub use builder::MjpegWriterBuilder;
pub use mjpeg::{MAX_REPEATED_SPAN, MjpegWriter};

/// Chunk identifier of the video frames.
const FRAME_ID: crate::avi::riff::FourCc = *b"00dc";
