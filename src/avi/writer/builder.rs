//! [`MjpegWriterBuilder`]: the options of an [`MjpegWriter`] and the two
//! ways to start one (a path, or any `Write + Seek`).

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::Path;

use super::MjpegWriter;
use crate::avi::encode::EncodeSettings;
use crate::codec::jpeg::Subsampling;
use crate::error::{Error, Result, quote_path};
use crate::image::Limits;
use crate::timing::FrameRate;

/// RIFF size at which a new `RIFF AVIX` begins, as ffmpeg does (1 GiB).
const DEFAULT_RIFF_SIZE: u64 = 1 << 30;

/// The default [`MjpegWriterBuilder::limits`]: any JPEG frame size (65535
/// each way) and 512 MiB per frame.
const DEFAULT_LIMITS: Limits = Limits {
    max_width: 65535,
    max_height: 65535,
    max_bytes: 512 << 20,
    ..Limits::DEFAULT
};

/// Options of an [`MjpegWriter`]; [`MjpegWriterBuilder::create`] (a file) or
/// [`MjpegWriterBuilder::build`] (any `Write + Seek`) makes the writer.
///
/// ```
/// use std::io::Cursor;
/// use camreel::avi::MjpegWriterBuilder;
/// use camreel::timing::FrameRate;
///
/// let writer = MjpegWriterBuilder::new(640, 480)
///     .frame_rate(FrameRate::new(25, 1)?) // fixed; default: measured from the timestamps
///     .quality(90)
///     .build(Cursor::new(Vec::new()))?;
/// assert_eq!(writer.frame_rate(), FrameRate::new(25, 1)?);
/// # Ok::<(), camreel::Error>(())
/// ```
#[must_use]
#[derive(Clone, Debug)]
pub struct MjpegWriterBuilder {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) frame_rate: Option<FrameRate>,
    pub(super) riff_size: u64,
    pub(super) limits: Limits,
    pub(super) encode: EncodeSettings,
}

impl MjpegWriterBuilder {
    /// A writer of `width` x `height` frames: rate measured from the frame
    /// timestamps, frames up to 512 MiB, RIFF segments of 1 GiB, JPEG quality
    /// 85 with 4:4:4 chroma and optimised Huffman tables.
    pub fn new(width: u32, height: u32) -> MjpegWriterBuilder {
        MjpegWriterBuilder {
            width,
            height,
            frame_rate: None,
            riff_size: DEFAULT_RIFF_SIZE,
            limits: DEFAULT_LIMITS,
            encode: EncodeSettings::default(),
        }
    }

    /// A fixed frame rate written to the headers. Frame `n` of the file then
    /// plays at `n / rate`, and frames are placed by their timestamps: when
    /// the time since the first frame says slots were skipped (the camera
    /// or the recording dropped frames), each is marked with an empty
    /// chunk, as ffmpeg's AVI muxer writes skipped frames (players keep the
    /// previous picture; ffprobe shows the gap in the packets' times), up
    /// to [`MAX_REPEATED_SPAN`](crate::avi::MAX_REPEATED_SPAN) per gap, so
    /// the file keeps the recording's time; see
    /// [`MjpegWriter::dropped_frames`]. Frames without a timestamp, or
    /// earlier than their slot, take the next slot. Without it the rate is measured from the timestamps (those
    /// of the [`Frame`](crate::frame::Frame)s written, or given to
    /// [`MjpegWriter::add_jpeg`]): the mean interval between the first and
    /// the last frame, snapped to a standard rate such as 30000/1001 when
    /// within 0.1 % of it. A frame added without a timestamp takes the next
    /// slot of the default 30 fps after the previous frame; no wall clock
    /// is ever read. Until two frames exist the headers say 30.
    pub fn frame_rate(mut self, rate: FrameRate) -> MjpegWriterBuilder {
        self.frame_rate = Some(rate);
        self
    }

    /// Size in bytes after which a new `RIFF AVIX` segment begins and the file
    /// becomes an OpenDML (AVI 2.0) file. The default, 1 GiB, is what ffmpeg
    /// uses and what AVI 1.0 readers can still read in the first segment;
    /// accepted values are 4 KiB to 2 GiB.
    pub fn riff_size(mut self, bytes: u64) -> MjpegWriterBuilder {
        self.riff_size = bytes;
        self
    }

    /// Caps on the recording's size and on each frame's bytes (default: any
    /// size a JPEG can have, 65535 x 65535, and 512 MiB per frame, as
    /// [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> MjpegWriterBuilder {
        self.limits = limits;
        self
    }

    /// The default JPEG quality (1-100) for frames that have to be encoded
    /// (default 85), on the scale of camreel's own encoder
    /// ([`Backend::Native`](crate::codec::jpeg::Backend::Native)), which
    /// encodes every recording: at 85 the frames keep at least the PSNR of
    /// libjpeg's quality 85 in about half the bytes.
    pub fn quality(mut self, quality: u8) -> MjpegWriterBuilder {
        self.encode.quality = quality;
        self
    }

    /// Chroma subsampling of encoded colour frames (default 4:4:4, which
    /// players show without the loss of their 4:2:0 upsampling: fewer bytes
    /// for the same PSNR).
    pub fn subsampling(mut self, subsampling: Subsampling) -> MjpegWriterBuilder {
        self.encode.subsampling = subsampling;
        self
    }

    /// Optimised Huffman tables for each encoded frame (default on): about
    /// 10 % smaller frames for a second pass over each frame's coefficients,
    /// still in one interleaved scan as Motion-JPEG decoders expect.
    pub fn optimize_coding(mut self, optimize: bool) -> MjpegWriterBuilder {
        self.encode.optimize_coding = optimize;
        self
    }

    /// Writes the AVI headers to `inner` at its current position and returns
    /// the writer.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) for
    /// a size of zero or above 65535 (the JPEG limit), a RIFF size out of
    /// range or a quality outside 1-100;
    /// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) for a
    /// size above the [`limits`](MjpegWriterBuilder::limits);
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) if writing fails.
    pub fn build<W: Write + Seek>(self, inner: W) -> Result<MjpegWriter<W>> {
        MjpegWriter::start(self, inner)
    }

    /// Creates (or truncates) the file at `path`, buffered, and writes the
    /// AVI headers to it.
    ///
    /// # Errors
    /// As [`MjpegWriterBuilder::build`]; [`ErrorKind::Io`](crate::ErrorKind::Io)
    /// naming the path if it cannot be created.
    pub fn create(self, path: impl AsRef<Path>) -> Result<MjpegWriter<BufWriter<File>>> {
        let path = path.as_ref();
        let file = File::create(path)
            .map_err(|e| Error::io(format!("creating {}", quote_path(path)), e))?;
        self.build(BufWriter::with_capacity(1 << 16, file))
            .map_err(|e| e.context(quote_path(path)))
    }
}
