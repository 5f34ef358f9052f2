//! Motion-JPEG in AVI: writer, reader and repair.
//!
//! [`MjpegWriter`] records JPEG frames into a RIFF AVI that ffmpeg, VLC and
//! browsers play: one `vids`/`MJPG` stream, frames as `00dc` chunks, an
//! `idx1` index, and past 1 GiB the OpenDML (AVI 2.0) extensions ffmpeg
//! writes (`indx` super index, `ix00` standard indexes, `RIFF AVIX`), so
//! recordings of any length play and seek. [`MjpegWriter::add_jpeg`] stores
//! a camera's JPEG frames untouched; [`MjpegWriter::add_frame`] takes any
//! pixel format, with a region of interest, and scales it into the
//! recording's size with black bars; [`ParallelMjpegWriter`] encodes on a
//! thread pool. The stream rate is an exact fraction ([`FrameRate`](crate::timing::FrameRate), such as
//! 30000/1001), fixed or measured from the capture times.
//! [`MjpegWriter::sync`] makes the file on disk playable up to the last
//! frame, and a file that was never closed is recovered by [`repair`].
//! Start a file with [`MjpegWriter::create`] (or [`MjpegWriterBuilder`] for
//! options), write [`Frame`](crate::frame::Frame)s through
//! [`FrameSink`](crate::sink::FrameSink), and end with `finish` or
//! `into_inner`.
//!
//! [`AviReader`] ([`AviReader::open`]) reads frame count, size, rate and the
//! frames of the files written here and of MJPEG AVIs written by ffmpeg and
//! OpenCV: decoded with their timestamps ([`AviReader::frames`]), or as the
//! stored JPEGs for pass-through ([`AviReader::encoded_frames`],
//! [`AviReader::read_frame`]). [`AviInfo::duration`] is the frame count over
//! the rate.
//!
//! ```
//! use std::io::Cursor;
//! use std::time::Duration;
//! use camreel::avi::{AviReader, MjpegWriterBuilder};
//! use camreel::timing::FrameRate;
//!
//! # let jpeg = camreel::codec::jpeg::JpegEncoder::new(camreel::codec::Quality::try_from(80)?)?.encode_image(camreel::Image::zeroed(camreel::PixelFormat::Grayscale, 16, 8)?.view())?.into_vec();
//! // `jpeg` is a 16x8 JPEG file (from a camera, or camreel's codec).
//! let mut writer = MjpegWriterBuilder::new(16, 8)
//!     .frame_rate(FrameRate::new(30000, 1001)?)
//!     .build(Cursor::new(Vec::new()))?;
//! for _ in 0..3 {
//!     writer.add_jpeg(&jpeg, None)?;
//! }
//! let file = writer.into_inner()?.into_inner();
//!
//! let mut reader = AviReader::new(Cursor::new(file))?;
//! assert_eq!(reader.frame_count(), 3);
//! assert_eq!(reader.info().frame_rate.to_string(), "30000/1001");
//! assert_eq!(reader.info().duration(), Duration::from_nanos(100_100_000));
//! assert_eq!(reader.read_frame(2)?, jpeg); // the stored bytes
//! assert_eq!(reader.read_image(2)?.size(), (16, 8)); // decoded pixels
//! # Ok::<(), camreel::Error>(())
//! ```

mod encode;
mod jpeg;
mod parallel;
mod reader;
mod repair;
mod riff;
mod writer;

use std::path::Path;

use crate::error::Result;

pub use encode::FrameOptions;
pub use parallel::ParallelMjpegWriter;
pub use reader::{
    AviInfo, AviReader, DecodedFrames, EncodedFrames, FrameEntry, IndexKind, ReaderOptions,
};
pub use repair::{RepairReport, repair, repair_file};
pub use writer::{MAX_REPEATED_SPAN, MjpegWriter, MjpegWriterBuilder};

/// Reads the headers and index of the AVI file at `path` (see
/// [`AviReader::open`]).
///
/// # Errors
/// As [`AviReader::new`], and [`ErrorKind::Io`](crate::ErrorKind::Io) if the file cannot be opened.
pub fn info(path: impl AsRef<Path>) -> Result<AviInfo> {
    Ok(AviReader::open(path)?.info().clone())
}

/// A grey `width` x `height` baseline JPEG for the unit tests.
#[cfg(test)]
pub(crate) fn tiny_jpeg(width: u16, height: u16) -> Vec<u8> {
    let gray = crate::Image::zeroed(
        crate::PixelFormat::Grayscale,
        u32::from(width),
        u32::from(height),
    )
    .expect("test sizes are non-zero");
    crate::codec::jpeg::JpegEncoder::new(crate::codec::Quality::try_from(80).expect("in range"))
        .and_then(|mut e| e.encode_image(gray.view()))
        .expect("encoding a gray test image")
        .into_vec()
}
