//! [`AviReader`]: opening an AVI (headers, then an index: OpenDML, `idx1`
//! or a scan of the chunks) and what it found.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use super::walk::walk;
use super::{AviInfo, FrameEntry, IndexKind, ReaderOptions};
use crate::avi::riff::{self, FourCc};
use crate::error::{Error, ErrorKind, Result};
use crate::timing::FrameRate;

/// Reads a Motion-JPEG AVI: ours, ffmpeg's, OpenCV's; with `idx1`, OpenDML
/// indexes or none (then the chunks are walked).
///
/// Open a file with [`AviReader::open`] (or [`ReaderOptions::open`]), any
/// `Read + Seek` with [`AviReader::new`]. The headers and index are read
/// up front, so [`frame_count`](AviReader::frame_count),
/// [`frame_rate`](AviReader::frame_rate) and [`info`](AviReader::info) are
/// known at once, and any frame can be read in any order:
///
/// - decoded: [`frames`](AviReader::frames) iterates [`OwnedFrame`](crate::frame::OwnedFrame)s
///   (RGB888 or GRAYSCALE pixels, sequence number, timestamp);
///   [`read_image`](AviReader::read_image) decodes frame `i`;
/// - encoded, for pass-through: [`encoded_frames`](AviReader::encoded_frames)
///   iterates frames whose image is the stored JPEG
///   ([`PixelFormat::Jpeg`](crate::PixelFormat::Jpeg)), which any
///   [`FrameSink`](crate::sink::FrameSink) takes as it is;
///   [`read_frame_into`](AviReader::read_frame_into) reads frame `i`'s bytes
///   and [`timestamp`](AviReader::timestamp) gives its time.
///
/// ```
/// use std::io::Cursor;
/// use std::time::Duration;
/// use camreel::avi::{AviReader, MjpegWriter};
/// use camreel::PixelFormat;
/// # let jpeg = camreel::codec::jpeg::JpegEncoder::new(camreel::codec::Quality::try_from(80)?)?.encode_image(camreel::Image::zeroed(camreel::PixelFormat::Grayscale, 8, 8)?.view())?.into_vec();
/// let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 8, 8)?;
/// w.add_jpeg(&jpeg, None)?;
/// w.add_jpeg(&jpeg, None)?;
/// let mut reader = AviReader::new(w.into_inner()?)?;
/// let info = reader.info();
/// assert_eq!((info.width, info.height, info.frame_count), (8, 8, 2));
/// let frames = reader.frames().collect::<camreel::Result<Vec<_>>>()?;
/// assert_eq!(frames[0].image.format(), PixelFormat::Grayscale); // decoded
/// assert_eq!(frames[1].timestamp, Duration::from_nanos(33_333_333)); // at 30 fps
/// assert_eq!(reader.read_frame(1)?, jpeg); // the stored bytes
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Debug)]
pub struct AviReader<R> {
    pub(super) inner: R,
    pub(super) info: AviInfo,
    pub(super) entries: Vec<FrameEntry>,
    pub(super) chunk_ids: [FourCc; 2],
    pub(super) options: ReaderOptions,
    /// The last frame's JPEG bytes, kept to reuse their memory.
    pub(super) jpeg: Vec<u8>,
}

impl AviReader<BufReader<File>> {
    /// Opens the AVI file at `path` (buffered) and reads its headers and
    /// index, with the default [`ReaderOptions`].
    ///
    /// # Errors
    /// As [`AviReader::new`]; [`ErrorKind::Io`] if the file cannot be
    /// opened. Messages start with the path.
    pub fn open(path: impl AsRef<Path>) -> Result<AviReader<BufReader<File>>> {
        ReaderOptions::default().open(path)
    }
}

impl<R: Read + Seek> AviReader<R> {
    /// Reads the headers and the index (OpenDML, else `idx1`, else walks the
    /// chunks).
    ///
    /// # Errors
    /// [`ErrorKind::Format`] if this is not an AVI or has no video stream or
    /// no `movi` list; [`ErrorKind::UnsupportedFormat`] if the video is not
    /// Motion-JPEG; [`ErrorKind::LimitExceeded`] above the limits;
    /// [`ErrorKind::Io`].
    pub fn new(inner: R) -> Result<AviReader<R>> {
        AviReader::with_options(inner, ReaderOptions::default())
    }

    /// Like [`AviReader::new`], ignoring the indexes to recover every
    /// complete frame of a file that was never closed.
    ///
    /// # Errors
    /// As [`AviReader::new`].
    pub fn recover(inner: R) -> Result<AviReader<R>> {
        AviReader::with_options(inner, ReaderOptions::default().recover(true))
    }

    /// [`AviReader::new`] with options.
    ///
    /// # Errors
    /// As [`AviReader::new`].
    pub fn with_options(mut inner: R, options: ReaderOptions) -> Result<AviReader<R>> {
        let layout = walk(&mut inner)?;
        let (stream_no, stream) = layout
            .streams
            .iter()
            .enumerate()
            .find(|(_, s)| s.strh.is_some_and(|h| &h.fcc_type == b"vids"))
            .ok_or_else(|| Error::new(ErrorKind::Format, "the AVI has no video stream header"))?;
        let stream_no = u8::try_from(stream_no).map_err(|_| {
            Error::new(
                ErrorKind::UnsupportedFormat,
                "video stream number above 255",
            )
        })?;
        let strh = stream.strh.unwrap_or_default();
        let compression = stream.strf.map(|f| f.compression).unwrap_or([0; 4]);
        let codec = if compression != [0; 4] {
            compression
        } else {
            strh.fcc_handler
        };
        let upper = codec.to_ascii_uppercase();
        if !matches!(
            &upper[..],
            b"MJPG" | b"JPEG" | b"AVRN" | b"LJPG" | b"DMB1" | b"AVDJ"
        ) {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "video stream {stream_no} is '{}', not Motion-JPEG",
                    riff::show(codec)
                ),
            ));
        }
        let (mut width, mut height) = match stream.strf {
            Some(f) => (f.width.unsigned_abs(), f.height.unsigned_abs()),
            None => (0, 0),
        };
        if (width == 0 || height == 0)
            && let Some(a) = layout.avih
        {
            (width, height) = (a.width, a.height);
        }
        options
            .limits
            .check_dimensions(width, height)
            .map_err(|e| e.context("video stream"))?;
        let frame_rate = FrameRate::new(strh.rate, strh.scale)
            .ok()
            .or_else(|| {
                layout
                    .avih
                    .filter(|a| a.micro_sec_per_frame > 0)
                    .and_then(|a| {
                        FrameRate::from_interval(std::time::Duration::from_micros(u64::from(
                            a.micro_sec_per_frame,
                        )))
                        .ok()
                    })
            })
            .unwrap_or_default();
        let header_frames = match layout.dmlh_frames {
            Some(n) if n > 0 && layout.riffs > 1 => u64::from(n),
            _ => u64::from(strh.length),
        };
        let Some(&(first_movi, _)) = layout.movis.first() else {
            return Err(Error::new(ErrorKind::Format, "the AVI has no movi list"));
        };
        let mut reader = AviReader {
            inner,
            info: AviInfo {
                width,
                height,
                frame_rate,
                frame_count: 0,
                header_frames,
                codec: riff::show(codec),
                stream: stream_no,
                index: IndexKind::Scanned,
                riff_segments: layout.riffs,
                file_size: layout.file_len,
                skipped_bytes: 0,
                tail_bytes: 0,
            },
            entries: Vec::new(),
            chunk_ids: [
                riff::stream_chunk_id(stream_no, *b"dc"),
                riff::stream_chunk_id(stream_no, *b"db"),
            ],
            options,
            jpeg: Vec::new(),
        };
        let mut found = None;
        if !options.recover {
            if let Some(indx) = &stream.indx
                && let Ok(entries) = reader.read_open_dml(indx, layout.file_len)
                && (!entries.is_empty() || header_frames == 0)
            {
                found = Some((entries, IndexKind::OpenDml));
            }
            // An idx1 covers only the first segment.
            if found.is_none()
                && layout.riffs == 1
                && let Some((at, len)) = layout.idx1
                && let Ok(entries) = reader.read_idx1(at, len, first_movi, layout.file_len)
                && (!entries.is_empty() || header_frames == 0)
            {
                found = Some((entries, IndexKind::Idx1));
            }
        }
        let (entries, kind) = match found {
            Some(f) => f,
            None => (
                reader.scan(first_movi + 4, layout.file_len)?,
                IndexKind::Scanned,
            ),
        };
        reader.info.frame_count = entries.len() as u64;
        reader.info.index = kind;
        reader.entries = entries;
        Ok(reader)
    }

    pub(super) fn is_ours(&self, id: FourCc) -> bool {
        id == self.chunk_ids[0] || id == self.chunk_ids[1]
    }

    pub(super) fn push(&self, entries: &mut Vec<FrameEntry>, entry: FrameEntry) -> Result<()> {
        if entries.len() as u64 >= self.options.max_frames {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("the AVI has more than {} frames", self.options.max_frames),
            ));
        }
        entries.push(entry);
        Ok(())
    }

    /// Headers, index kind and counts.
    pub fn info(&self) -> &AviInfo {
        &self.info
    }

    /// Number of frames.
    pub fn frame_count(&self) -> u64 {
        self.info.frame_count
    }

    /// Frame width in pixels.
    pub fn width(&self) -> u32 {
        self.info.width
    }

    /// Frame height in pixels.
    pub fn height(&self) -> u32 {
        self.info.height
    }

    /// The stream's nominal frame rate (`dwRate` / `dwScale`).
    pub fn frame_rate(&self) -> FrameRate {
        self.info.frame_rate
    }

    /// The time of frame `index` from the start of the recording (see
    /// [`AviInfo::timestamp`]).
    pub fn timestamp(&self, index: u64) -> std::time::Duration {
        self.info.timestamp(index)
    }

    /// The options the reader was opened with.
    pub fn options(&self) -> ReaderOptions {
        self.options
    }

    /// Where every frame is.
    pub fn entries(&self) -> &[FrameEntry] {
        &self.entries
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Gives the underlying reader back.
    pub fn into_inner(self) -> R {
        self.inner
    }
}
