//! Network streaming: picamera's length-prefixed JPEG stream and, with the
//! `http` feature, MJPEG over HTTP.
//!
//! # The length-prefixed stream
//!
//! picamera's "capturing to a network stream" recipe sends each JPEG as a
//! little-endian `u32` length followed by that many bytes, and ends the
//! stream with a zero length. camreel speaks it both ways, over any
//! [`Write`](std::io::Write) or [`Read`](std::io::Read):
//!
//! | type | role |
//! |---|---|
//! | [`JpegStreamWriter`] | a [`FrameSink`](crate::sink::FrameSink): JPEG frames pass through, others are encoded once; [`finish`](crate::sink::FrameSink::finish) writes the zero length |
//! | [`JpegStreamReader`] | the protocol alone: one frame's bytes at a time, every length checked against [`Limits`](crate::Limits) before anything is allocated |
//! | [`JpegStreamSource`] | a [`CameraSource`](crate::camera::CameraSource) over a reader: JPEG frames numbered in order and stamped on arrival |
//! | [`tcp`] | connect, listen and accept with timeouts; `camera::open("tcp:ADDR")` listens and takes one sender |
//!
//! ```
//! use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
//! use camreel::sink::FrameSink;
//! use camreel::net::{JpegStreamSource, JpegStreamWriter};
//!
//! // Send three frames into a buffer (a socket in real use)...
//! let mut camera = SyntheticCamera::builder().size(64, 48).frame_limit(3).build()?;
//! let mut writer = JpegStreamWriter::new(Vec::new(), 80)?;
//! while let Some(frame) = camera.next_frame()? {
//!     writer.write_frame(&frame)?;
//! }
//! let wire = writer.into_inner()?;
//!
//! // ...and receive them as a camera.
//! let mut remote = JpegStreamSource::new(&wire[..])?;
//! assert_eq!((remote.format().width, remote.format().height), (64, 48));
//! let mut n = 0;
//! while let Some(frame) = remote.next_frame()? {
//!     assert_eq!(frame.sequence, n);
//!     n += 1;
//! }
//! assert_eq!(n, 3);
//! # Ok::<(), camreel::Error>(())
//! ```
//!
//! # MJPEG over HTTP
//!
//! With the `http` feature, [`http::MjpegServer`] serves one capture to any
//! number of browsers, `ffmpeg` and network video recorders: a page, the
//! `multipart/x-mixed-replace` stream, snapshots and counters, loopback by
//! default, with Basic authentication, a client cap and timeouts.

#[cfg(feature = "http")]
pub mod http;
mod stream_reader;
mod stream_source;
mod stream_writer;
pub mod tcp;

pub use stream_reader::JpegStreamReader;
pub use stream_source::{JpegStreamSource, JpegStreamSourceBuilder};
pub use stream_writer::JpegStreamWriter;
