//! What an [`AviReader`] reports ([`AviInfo`], [`IndexKind`],
//! [`FrameEntry`]) and how it reads ([`ReaderOptions`]).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::time::Duration;

use super::AviReader;
use crate::error::{Error, Result, quote_path};
use crate::image::Limits;
use crate::timing::FrameRate;

/// How the frames of an [`AviReader`] were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IndexKind {
    /// From the OpenDML `indx` super index and its `ix##` chunks.
    OpenDml,
    /// From the `idx1` index.
    Idx1,
    /// By walking the `movi` chunks: the file has no usable index (it was
    /// never closed), or [`ReaderOptions::recover`] asked for it.
    Scanned,
}

impl IndexKind {
    /// `"opendml"`, `"idx1"` or `"scanned"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IndexKind::OpenDml => "opendml",
            IndexKind::Idx1 => "idx1",
            IndexKind::Scanned => "scanned",
        }
    }
}

/// Where one frame's bytes are in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameEntry {
    /// Position of the first byte of the frame (after the chunk header).
    pub offset: u64,
    /// Size in bytes; 0 for a dropped frame (players repeat the previous one).
    pub size: u32,
}

/// What an [`AviReader`] found in the headers and index.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AviInfo {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Frame rate (`dwRate` / `dwScale` of the stream header).
    pub frame_rate: FrameRate,
    /// Frames found (index entries, or complete chunks when scanned).
    pub frame_count: u64,
    /// Frames the headers claim (`dmlh`, else `strh` `dwLength`): differs from
    /// `frame_count` in a file that was not closed.
    pub header_frames: u64,
    /// Codec four-character code (`MJPG`).
    pub codec: String,
    /// Number of the video stream (the `NN` of its `NNdc` chunks).
    pub stream: u8,
    /// Where the frame list came from.
    pub index: IndexKind,
    /// RIFF segments (more than 1: an OpenDML file).
    pub riff_segments: u32,
    /// Size of the file in bytes.
    pub file_size: u64,
    /// Bytes skipped while scanning because they did not form chunks (a
    /// damaged region, or an index overwritten by later frames).
    pub skipped_bytes: u64,
    /// Bytes at the end that hold no complete chunk (a frame cut off by a
    /// crash), when scanned.
    pub tail_bytes: u64,
}

impl AviInfo {
    /// Duration of the recording: frames divided by the rate (each frame,
    /// the last one included, lasts one frame interval; see
    /// [the duration of a recording](crate::timing#the-duration-of-a-recording)).
    ///
    /// ```
    /// use std::time::Duration;
    /// use camreel::avi::MjpegWriterBuilder;
    /// use camreel::timing::FrameRate;
    /// # let jpeg = camreel::codec::jpeg::JpegEncoder::new(camreel::codec::Quality::try_from(80)?)?.encode_image(camreel::Image::zeroed(camreel::PixelFormat::Grayscale, 8, 8)?.view())?.into_vec();
    /// let mut w = MjpegWriterBuilder::new(8, 8)
    ///     .frame_rate(FrameRate::new(30, 1)?)
    ///     .build(std::io::Cursor::new(Vec::new()))?;
    /// for _ in 0..60 {
    ///     w.add_jpeg(&jpeg, None)?;
    /// }
    /// let reader = camreel::avi::AviReader::new(w.into_inner()?)?;
    /// assert_eq!(reader.info().duration(), Duration::from_secs(2));
    /// assert_eq!(reader.info().timestamp(45), Duration::from_millis(1500));
    /// # Ok::<(), camreel::Error>(())
    /// ```
    pub fn duration(&self) -> Duration {
        self.timestamp(self.frame_count)
    }

    /// The time of frame `index` from the start: `index` frame intervals,
    /// exact to the nanosecond (no rounding accumulates).
    pub fn timestamp(&self, index: u64) -> Duration {
        self.frame_rate.frame_time(index)
    }
}

/// Options of an [`AviReader`]: builder methods on the defaults, read
/// back with `is_`/`get_` getters. [`ReaderOptions::open`] opens a file,
/// [`AviReader::with_options`] any `Read + Seek`.
///
/// ```
/// use camreel::avi::ReaderOptions;
/// let options = ReaderOptions::default().recover(true).max_frames(1000);
/// assert!(options.is_recover());
/// assert_eq!(options.get_max_frames(), 1000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct ReaderOptions {
    pub(super) limits: Limits,
    pub(super) recover: bool,
    pub(super) max_frames: u64,
}

impl Default for ReaderOptions {
    /// Default [`Limits`], indexes used, at most 50 million frames.
    fn default() -> ReaderOptions {
        ReaderOptions {
            limits: Limits::default(),
            recover: false,
            max_frames: 50_000_000,
        }
    }
}

impl ReaderOptions {
    /// Caps on frame size and dimensions.
    pub fn limits(mut self, limits: Limits) -> ReaderOptions {
        self.limits = limits;
        self
    }

    /// Ignore the indexes and find the frames by walking the chunks, as for a
    /// file that was never closed, recovering every complete frame.
    pub fn recover(mut self, recover: bool) -> ReaderOptions {
        self.recover = recover;
        self
    }

    /// Most frames accepted (each costs 16 bytes of memory).
    pub fn max_frames(mut self, max_frames: u64) -> ReaderOptions {
        self.max_frames = max_frames;
        self
    }

    /// Whether [`ReaderOptions::recover`] is set.
    pub fn is_recover(&self) -> bool {
        self.recover
    }

    /// The limits set by [`ReaderOptions::limits`].
    pub fn get_limits(&self) -> Limits {
        self.limits
    }

    /// The cap set by [`ReaderOptions::max_frames`].
    pub fn get_max_frames(&self) -> u64 {
        self.max_frames
    }

    /// Opens the AVI file at `path` (buffered) and reads its headers and
    /// index with these options.
    ///
    /// # Errors
    /// As [`AviReader::with_options`]; [`ErrorKind::Io`](crate::ErrorKind::Io)
    /// if the file cannot be opened. Messages start with the path.
    pub fn open(self, path: impl AsRef<Path>) -> Result<AviReader<BufReader<File>>> {
        let path = path.as_ref();
        let file =
            File::open(path).map_err(|e| Error::io(format!("opening {}", quote_path(path)), e))?;
        AviReader::with_options(BufReader::new(file), self).map_err(|e| e.context(quote_path(path)))
    }
}
