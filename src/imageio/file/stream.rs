//! [`FileStream`]: an "OMV IMG STR" file, its index of frame headers, and
//! reading frames back.

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::super::header::{FILE_HEADER_LEN, FrameHeader, Version};
use super::super::{Carried, Pacer, ReadInfo, ReadOptions, Storer, StreamKind, reset_placeholder};
use super::FileOptions;
use crate::clock::Clock;
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::image::{Image, Limits, PixelFormat};
use crate::timing::Ticks;

/// Where and why a file stops holding valid frames: a chunk cut short (power
/// loss during a write) or a chunk header that fails its checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DamagedTail {
    /// Index of the first frame that cannot be read (= the stream's count).
    pub frame: u64,
    /// Byte offset of that frame's chunk.
    pub offset: u64,
    /// [`ErrorKind::Truncated`] for a chunk cut short; the header check's kind
    /// ([`ErrorKind::Format`], [`ErrorKind::UnsupportedFormat`],
    /// [`ErrorKind::LimitExceeded`], ...) otherwise.
    pub kind: ErrorKind,
    /// The full message, starting `frame N at byte M:`.
    pub message: String,
}

impl DamagedTail {
    /// The error a read reports for it.
    pub fn to_error(&self) -> Error {
        Error::new(self.kind, self.message.clone())
    }
}

impl fmt::Display for DamagedTail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    pub(super) offset: u64,
    pub(super) header: FrameHeader,
}

/// An "OMV IMG STR" file: written as V2.0, read as V1.0, V1.1 or V2.0.
///
/// # Writing
/// [`FileStream::create`] truncates the file and writes the header; each
/// [`FileStream::write`] appends one chunk with the milliseconds since the
/// previous write (the first: since the stream was created), in one vectored
/// system call and with no user-space buffer, so a frame is in the page cache
/// when `write` returns. [`FileStream::sync`] makes what was written durable;
/// call it every N frames in a long recording. Writing after a
/// [`FileStream::seek`] to an earlier frame replaces that frame and drops all
/// the frames after it (`count` becomes `offset`). Frames of any size and of any
/// format with an OpenMV code mix freely; in-memory formats such as RGB888 are
/// refused with [`ErrorKind::UnsupportedFormat`] (convert them first).
///
/// # Reading
/// [`FileStream::open`] checks the file header, then reads every chunk header
/// (one small positioned read per frame: 10,000 frames in about 5 ms from the
/// page cache)
/// to build an index of offsets and headers. So [`FileStream::count`] is exact
/// from the start, every [`FileStream::seek`] is O(1), and a read is a single
/// positioned read of the payload straight into the caller's buffer. The
/// index describes the file as it was when opened; frames appended later by
/// another writer are not seen.
///
/// # Damaged files
/// Every header field is checked before anything is allocated for the frame:
/// the pixel-format code, non-zero dimensions within [`Limits`], the payload
/// size (equal to the computed size for uncompressed formats, within
/// [`Limits::max_bytes`] for JPEG/PNG) and that the payload lies inside the
/// file. Indexing stops at the first chunk that fails; `open` still succeeds:
///
/// - [`FileStream::count`] is the number of complete frames before it, all
///   readable; [`FileStream::damaged_tail`] says where and why it stopped.
/// - Reading past the last complete frame returns the tail's error once
///   ([`ErrorKind::Truncated`] for a chunk cut short, with the frame index and
///   byte offset in the message); the offset stays at `count`, so the next read
///   behaves as at a clean end (`Ok(None)` without loop, frame 0 with loop, the
///   tail's error again on the pass after that).
/// - A file cut inside the zero padding after the last payload has lost no
///   data: that frame counts as complete and there is no damaged tail.
/// - Zero bytes from where the next chunk header would start to the end of
///   the file, at least a whole chunk header of them (a file padded or
///   preallocated after the recording), are trailing padding, not a frame
///   and not damage: [`FileStream::trailing_padding`] counts them.
///
/// ```
/// use camreel::imageio::{FileStream, ReadOptions};
/// use camreel::{ErrorKind, Image, PixelFormat};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("cut.bin");
/// let mut s = FileStream::create(&path)?;
/// for v in 0..3u8 {
///     s.write(&Image::new(PixelFormat::Grayscale, 4, 4, vec![v; 16])?)?;
/// }
/// s.close()?;
/// // Power loss in the middle of the last frame.
/// let len = std::fs::metadata(&path)?.len();
/// std::fs::OpenOptions::new().write(true).open(&path)?.set_len(len - 10)?;
///
/// let mut s = FileStream::open(&path)?;
/// assert_eq!(s.count(), 2);
/// let opts = ReadOptions::NO_WAIT;
/// assert_eq!(s.read(opts)?.unwrap().data(), &[0; 16]);
/// assert_eq!(s.read(opts)?.unwrap().data(), &[1; 16]);
/// let err = s.read(opts).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Truncated);
/// assert!(err.to_string().starts_with("frame 2 at byte 112:"), "{err}");
/// assert!(s.read(opts)?.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Closing: [`FileStream::close`] syncs a written stream and reports errors;
/// dropping the stream closes the file without syncing.
pub struct FileStream {
    pub(super) file: File,
    pub(super) path: PathBuf,
    pub(super) version: Version,
    pub(super) writable: bool,
    pub(super) entries: Vec<Entry>,
    /// Index of the frame the next read or write uses.
    pub(super) offset: usize,
    /// Byte offset just past the last complete chunk.
    pub(super) end: u64,
    /// The file's length (at open, for a read-only stream).
    pub(super) file_len: u64,
    /// The OS file position, when known.
    pub(super) cursor: Option<u64>,
    pub(super) tail: Option<DamagedTail>,
    pub(super) tail_reported: bool,
    /// Zero bytes after the last frame, to the end of the file.
    pub(super) padding: u64,
    /// Milliseconds between [`FileStream::write`]s, on the clock.
    pub(super) wall: Ticks,
    /// Milliseconds between frames written as a [`FrameSink`], from their
    /// timestamps.
    pub(super) ticks: Ticks,
    /// Milliseconds of the intervals given to [`FileStream::write_with_elapsed`].
    pub(super) given: Carried,
    pub(super) pacer: Pacer,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) limits: Limits,
    /// Rows of a strided frame gathered for writing.
    pub(super) scratch: Vec<u8>,
    /// The no-OpenMV-code policy and its encoder.
    pub(super) storer: Box<Storer>,
    /// [`FrameSink::finish`] ran.
    pub(super) finished: bool,
}

impl fmt::Debug for FileStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStream")
            .field("path", &self.path)
            .field("version", &self.version)
            .field("writable", &self.writable)
            .field("count", &self.entries.len())
            .field("offset", &self.offset)
            .field("byte_len", &self.file_len)
            .field("damaged_tail", &self.tail)
            .finish()
    }
}

#[cfg(unix)]
pub(super) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
pub(super) fn read_exact_at(mut file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::io::Read;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

/// Whether positioned reads leave the OS file position alone.
const READS_KEEP_CURSOR: bool = cfg!(unix);

pub(super) const ZEROS: [u8; 16] = [0; 16];

impl FileStream {
    /// Creates (or truncates) `path` for writing V2.0, with the OS monotonic
    /// clock and default [`Limits`]; see [`FileOptions`] for others.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the file cannot be created or written.
    pub fn create(path: impl AsRef<Path>) -> Result<FileStream> {
        FileOptions::new().create(path)
    }

    /// Opens `path` for reading (V1.0, V1.1 or V2.0) and indexes its frames.
    /// A damaged tail is not an error here; see [the type docs](FileStream).
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the file cannot be read;
    /// [`ErrorKind::Format`] if it is not an "OMV IMG STR" file;
    /// [`ErrorKind::UnsupportedVersion`] naming an unknown version;
    /// [`ErrorKind::Truncated`] if it is shorter than the 16-byte header.
    pub fn open(path: impl AsRef<Path>) -> Result<FileStream> {
        FileOptions::new().open(path)
    }

    /// Builds the index: every chunk header, checked, until the end of the
    /// file or the first damaged chunk.
    pub(super) fn index(&mut self) -> Result<()> {
        let hlen = self.version.chunk_header_len();
        let mut buf = [0u8; 32];
        let mut off = FILE_HEADER_LEN as u64;
        while off < self.file_len {
            let frame = self.entries.len() as u64;
            let remaining = self.file_len - off;
            let n = remaining.min(hlen as u64) as usize;
            read_exact_at(&self.file, &mut buf[..n], off).map_err(|e| {
                Error::io(
                    format!(
                        "frame {frame} at byte {off}: reading {}",
                        quote_path(&self.path)
                    ),
                    e,
                )
            })?;
            let checked = FrameHeader::parse(self.version, &buf[..n], &self.limits).and_then(|h| {
                let need = hlen as u64 + u64::from(h.byte_size);
                if need > remaining {
                    Err(Error::new(
                        ErrorKind::Truncated,
                        format!(
                            "{}x{} {} chunk needs {need} bytes, the file ends {remaining} bytes after its start",
                            h.width, h.height, h.format
                        ),
                    ))
                } else {
                    Ok(h)
                }
            });
            // A whole chunk header of zeros (no frame has one: its size is
            // never 0) and only zeros after it. A shorter run of zeros may be
            // a header cut short (one starting with 0 ms): truncation.
            if n == hlen && buf[..n].iter().all(|&b| b == 0) && self.zeros_to_end(off + n as u64)? {
                self.padding = remaining;
                break;
            }
            match checked {
                Ok(header) => {
                    self.entries.push(Entry {
                        offset: off,
                        header,
                    });
                    off = (off + header.chunk_len(self.version)).min(self.file_len);
                }
                Err(e) => {
                    self.tail = Some(DamagedTail {
                        frame,
                        offset: off,
                        kind: e.kind(),
                        message: format!("frame {frame} at byte {off}: {}", e.message()),
                    });
                    break;
                }
            }
        }
        self.end = off;
        Ok(())
    }

    /// Whether every byte from `off` to the end of the file is zero.
    fn zeros_to_end(&self, mut off: u64) -> Result<bool> {
        let mut buf = vec![0u8; 64 << 10];
        while off < self.file_len {
            let n = (self.file_len - off).min(buf.len() as u64) as usize;
            read_exact_at(&self.file, &mut buf[..n], off).map_err(|e| {
                Error::io(format!("byte {off}: reading {}", quote_path(&self.path)), e)
            })?;
            if buf[..n].iter().any(|&b| b != 0) {
                return Ok(false);
            }
            off += n as u64;
        }
        Ok(true)
    }

    /// Zero bytes after the last frame, to the end of the file: trailing
    /// padding (see [Damaged files](FileStream#damaged-files)), 0 if none.
    pub fn trailing_padding(&self) -> u64 {
        self.padding
    }

    /// [`StreamKind::File`].
    pub fn kind(&self) -> StreamKind {
        StreamKind::File
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The format version: V2.0 for a created stream, the file's for an opened one.
    pub fn version(&self) -> Version {
        self.version
    }

    /// Whether the stream was created for writing ([`FileStream::create`]).
    pub fn is_writable(&self) -> bool {
        self.writable
    }

    /// The number of complete frames.
    pub fn count(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Index of the frame the next read or write uses (`count()` at the end).
    pub fn offset(&self) -> u64 {
        self.offset as u64
    }

    /// The file's length in bytes (as it was at open, for a read-only stream),
    /// including a damaged tail.
    pub fn byte_len(&self) -> u64 {
        self.file_len
    }

    /// The limits applied to frame headers.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Header of frame `n`, without reading its payload.
    pub fn header(&self, n: u64) -> Option<FrameHeader> {
        let n = usize::try_from(n).ok()?;
        self.entries.get(n).map(|e| e.header)
    }

    /// Byte offset of frame `n`'s chunk.
    pub fn chunk_offset(&self, n: u64) -> Option<u64> {
        let n = usize::try_from(n).ok()?;
        self.entries.get(n).map(|e| e.offset)
    }

    /// The headers of all complete frames, in order.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = FrameHeader> + '_ {
        self.entries.iter().map(|e| e.header)
    }

    /// Where the file stops holding valid frames, if it does not end cleanly.
    pub fn damaged_tail(&self) -> Option<&DamagedTail> {
        self.tail.as_ref()
    }

    /// Moves to frame `n` (0 to `count()`; `count()` is the end). O(1).
    ///
    /// # Errors
    /// [`ErrorKind::SeekOutOfRange`] for `n > count()`.
    pub fn seek(&mut self, n: u64) -> Result<()> {
        match usize::try_from(n) {
            Ok(i) if i <= self.entries.len() => {
                self.offset = i;
                self.tail_reported = false;
                Ok(())
            }
            _ => Err(Error::new(
                ErrorKind::SeekOutOfRange,
                format!(
                    "{}: cannot seek to frame {n}, the stream has {} frames",
                    quote_path(&self.path),
                    self.entries.len()
                ),
            )),
        }
    }

    /// Reads the frame at the current offset into `image`, reusing its memory
    /// (a playback loop allocates nothing per frame once `image` is as large as
    /// the largest frame), and advances the offset.
    ///
    /// Returns `Ok(None)` at the end when not [looping](ReadOptions::looping)
    /// (and always for an empty stream); when looping, wraps to frame 0. When
    /// [pausing](ReadOptions::pausing), waits out the frame's interval from when the
    /// previous read returned (or the stream was opened). V1.0 RGB565 is
    /// returned as normal little-endian RGB565.
    ///
    /// # Errors
    /// The damaged tail's error, once per pass (see [the type docs](FileStream));
    /// [`ErrorKind::Truncated`] if the file shrank since it was opened;
    /// [`ErrorKind::Io`]. On error `image` is left as a 1x1 grayscale placeholder.
    pub fn read_into(&mut self, image: &mut Image, opts: ReadOptions) -> Result<Option<ReadInfo>> {
        if self.offset >= self.entries.len() {
            if let Some(tail) = &self.tail
                && !self.tail_reported
            {
                self.tail_reported = true;
                self.offset = self.entries.len();
                return Err(tail.to_error());
            }
            if !opts.is_looping() || self.entries.is_empty() {
                return Ok(None);
            }
            self.offset = 0;
            self.tail_reported = false;
        }
        let index = self.offset;
        let Entry { offset, header } = self.entries[index];
        let at = offset + self.version.chunk_header_len() as u64;
        let len = header.byte_size as usize;
        let buf = image.buffer_mut();
        buf.resize(len, 0);
        let read = read_exact_at(&self.file, buf, at);
        if !READS_KEEP_CURSOR {
            self.cursor = None;
        }
        if let Err(e) = read {
            reset_placeholder(image);
            let context = format!("frame {index} at byte {offset}");
            return Err(if e.kind() == io::ErrorKind::UnexpectedEof {
                Error::new(
                    ErrorKind::Truncated,
                    format!(
                        "{context}: the file ended inside the payload (it shrank after it was opened)"
                    ),
                )
            } else {
                Error::io(format!("{context}: reading {}", quote_path(&self.path)), e)
            });
        }
        if self.version == Version::V1_0 && header.format == PixelFormat::Rgb565 {
            for px in buf.chunks_exact_mut(2) {
                px.swap(0, 1);
            }
        }
        image.set_meta_unchecked(header.format, header.width, header.height);
        self.offset = index + 1;
        self.pacer
            .frame_ready(&*self.clock, header.elapsed_ms, opts.is_pausing());
        Ok(Some(ReadInfo {
            index: index as u64,
            elapsed_ms: header.elapsed_ms,
        }))
    }

    /// Reads the frame at the current offset as a new image; see
    /// [`FileStream::read_into`], which reuses memory.
    ///
    /// # Errors
    /// As [`FileStream::read_into`].
    pub fn read(&mut self, opts: ReadOptions) -> Result<Option<Image>> {
        let mut image = Image::empty();
        Ok(self.read_into(&mut image, opts)?.map(|_| image))
    }
}
