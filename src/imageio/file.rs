//! [`FileStream`]: "OMV IMG STR" files on disk.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, IoSlice, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::header::{FILE_HEADER_LEN, FrameHeader, Version};
use super::{
    Fallback, FrameInfo, Pacer, ReadOptions, Storer, StreamKind, ms_u32, reset_placeholder,
    wall_ticks,
};
use crate::clock::{Clock, MonotonicClock};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::image::{Image, ImageRef, Limits, PixelFormat};
use crate::io_util::write_all_vectored;
use crate::sink::{self, FrameSink, IntoInnerError};
use crate::timing::Ticks;

/// Settings for opening or creating a [`FileStream`]: the clock and the
/// [`Limits`] applied to every frame header.
///
/// ```
/// use std::time::Duration;
/// use camreel::clock::ManualClock;
/// use camreel::imageio::FileOptions;
/// use camreel::{Image, PixelFormat};
///
/// let dir = tempfile::tempdir()?;
/// let clock = ManualClock::shared();
/// let mut s = FileOptions::new().clock(clock.clone()).create(dir.path().join("a.bin"))?;
/// clock.advance(Duration::from_millis(40));
/// s.write(&Image::zeroed(PixelFormat::Grayscale, 2, 2)?)?;
/// assert_eq!(s.header(0).unwrap().elapsed_ms, 40);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct FileOptions {
    clock: Arc<dyn Clock>,
    limits: Limits,
    fallback: Fallback,
}

impl Default for FileOptions {
    fn default() -> FileOptions {
        FileOptions::new()
    }
}

impl fmt::Debug for FileOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileOptions")
            .field("limits", &self.limits)
            .field("fallback", &self.fallback)
            .finish_non_exhaustive()
    }
}

impl FileOptions {
    /// The OS monotonic clock and default [`Limits`].
    pub fn new() -> FileOptions {
        FileOptions {
            clock: MonotonicClock::shared(),
            limits: Limits::default(),
            fallback: Fallback::default(),
        }
    }

    /// Uses `clock` to stamp writes and pace reads.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> FileOptions {
        self.clock = clock;
        self
    }

    /// Checks every frame read or written against `limits`.
    pub fn limits(mut self, limits: Limits) -> FileOptions {
        self.limits = limits;
        self
    }

    /// Stores frames whose format has no OpenMV code as `fallback` says
    /// (default: [`Fallback::Png`]).
    pub fn fallback(mut self, fallback: Fallback) -> FileOptions {
        self.fallback = fallback;
        self
    }

    /// Creates (or truncates) `path` and writes the V2.0 header. The stream
    /// can also read back what it wrote.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the file cannot be created or written.
    pub fn create(&self, path: impl AsRef<Path>) -> Result<FileStream> {
        let path = path.as_ref();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        file.write_all(&Version::V2_0.magic())
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        let end = FILE_HEADER_LEN as u64;
        Ok(FileStream {
            file,
            path: path.to_path_buf(),
            version: Version::V2_0,
            writable: true,
            entries: Vec::new(),
            offset: 0,
            end,
            file_len: end,
            cursor: Some(end),
            tail: None,
            tail_reported: false,
            wall: wall_ticks(&*self.clock),
            ticks: Ticks::starting_at(Ticks::MILLIS, Duration::ZERO),
            pacer: Pacer::new(&*self.clock),
            clock: self.clock.clone(),
            limits: self.limits,
            scratch: Vec::new(),
            storer: Box::new(Storer::new(self.fallback)),
            finished: false,
        })
    }

    /// Opens `path` for reading and indexes it (see [`FileStream::open`]).
    ///
    /// # Errors
    /// As [`FileStream::open`].
    pub fn open(&self, path: impl AsRef<Path>) -> Result<FileStream> {
        let path = path.as_ref();
        let file =
            File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        let ctx = |e| Error::io(format!("reading {}", path.display()), e);
        let file_len = file.metadata().map_err(ctx)?.len();
        let mut magic = [0u8; FILE_HEADER_LEN];
        let n = (file_len.min(FILE_HEADER_LEN as u64)) as usize;
        read_exact_at(&file, &mut magic[..n], 0).map_err(ctx)?;
        let version = Version::parse(&magic[..n]).map_err(|e| e.context(path.display()))?;
        let mut stream = FileStream {
            file,
            path: path.to_path_buf(),
            version,
            writable: false,
            entries: Vec::new(),
            offset: 0,
            end: FILE_HEADER_LEN as u64,
            file_len,
            cursor: None,
            tail: None,
            tail_reported: false,
            wall: wall_ticks(&*self.clock),
            ticks: Ticks::starting_at(Ticks::MILLIS, Duration::ZERO),
            pacer: Pacer::new(&*self.clock),
            clock: self.clock.clone(),
            limits: self.limits,
            scratch: Vec::new(),
            storer: Box::new(Storer::new(self.fallback)),
            finished: false,
        };
        stream.index()?;
        Ok(stream)
    }
}

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
struct Entry {
    offset: u64,
    header: FrameHeader,
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
/// let opts = ReadOptions { loop_: false, pause: false };
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
    file: File,
    path: PathBuf,
    version: Version,
    writable: bool,
    entries: Vec<Entry>,
    /// Index of the frame the next read or write uses.
    offset: usize,
    /// Byte offset just past the last complete chunk.
    end: u64,
    /// The file's length (at open, for a read-only stream).
    file_len: u64,
    /// The OS file position, when known.
    cursor: Option<u64>,
    tail: Option<DamagedTail>,
    tail_reported: bool,
    /// Milliseconds between [`FileStream::write`]s, on the clock.
    wall: Ticks,
    /// Milliseconds between frames written as a [`FrameSink`], from their
    /// timestamps.
    ticks: Ticks,
    pacer: Pacer,
    clock: Arc<dyn Clock>,
    limits: Limits,
    /// Rows of a strided frame gathered for writing.
    scratch: Vec<u8>,
    /// The no-OpenMV-code policy and its encoder.
    storer: Box<Storer>,
    /// [`FrameSink::finish`] ran.
    finished: bool,
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
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_exact_at(mut file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::io::Read;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

/// Whether positioned reads leave the OS file position alone.
const READS_KEEP_CURSOR: bool = cfg!(unix);

const ZEROS: [u8; 16] = [0; 16];

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
    fn index(&mut self) -> Result<()> {
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
                        self.path.display()
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
                    self.path.display(),
                    self.entries.len()
                ),
            )),
        }
    }

    /// Writes `image` at the current offset, stamped with the milliseconds
    /// since the previous write (the first: since the stream was created),
    /// and returns the stream so calls chain.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a stream opened for reading;
    /// [`ErrorKind::UnsupportedFormat`] for an in-memory format (RGB888,
    /// YUV420, NV12, 16-bit, RAW10: convert first); [`ErrorKind::LimitExceeded`]
    /// for a frame above the stream's [`Limits`]; [`ErrorKind::Io`]. A write
    /// that fails part-way is cut back off the file, which then ends after the
    /// frames before the offset (no partial chunk is left behind).
    pub fn write<'a>(&mut self, image: impl Into<ImageRef<'a>>) -> Result<&mut FileStream> {
        let now = self.clock.now();
        self.write_chunk(image.into(), ms_u32(self.wall.peek(now)))?;
        self.wall.step(now);
        Ok(self)
    }

    /// Writes `image` with an explicit interval (when copying a recording or
    /// replaying buffered frames). Later [`FileStream::write`]s measure from now.
    ///
    /// # Errors
    /// As [`FileStream::write`].
    pub fn write_with_elapsed<'a>(
        &mut self,
        image: impl Into<ImageRef<'a>>,
        elapsed_ms: u32,
    ) -> Result<&mut FileStream> {
        let now = self.clock.now();
        self.write_chunk(image.into(), elapsed_ms)?;
        self.wall.step(now);
        Ok(self)
    }

    fn write_chunk(&mut self, image: ImageRef<'_>, elapsed_ms: u32) -> Result<()> {
        let index = self.offset;
        if self.finished {
            return Err(sink::finished(&self.path.display().to_string()));
        }
        if !self.writable {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{}: stream was opened for reading; use FileStream::create to write",
                    self.path.display()
                ),
            ));
        }
        let image = self
            .storer
            .store(image)
            .map_err(|e| e.context(format!("frame {index}")))?;
        let format = image.format();
        let (w, h) = image.size();
        let len = if image.is_packed() {
            image.data().len()
        } else {
            image.row_bytes() * image.height() as usize
        };
        let byte_size = u32::try_from(len).map_err(|_| {
            Error::new(
                ErrorKind::LimitExceeded,
                format!("frame {index}: {w}x{h} {format} frame of {len} bytes does not fit a 32-bit size field"),
            )
        })?;
        let header = FrameHeader::new(elapsed_ms, w, h, format, byte_size, &self.limits)
            .map_err(|e| e.context(format!("frame {index}")))?;
        let head = header.to_v2_bytes()?;
        let payload: &[u8] = if image.is_packed() {
            image.data()
        } else {
            self.scratch.clear();
            for row in image.rows() {
                self.scratch.extend_from_slice(row);
            }
            &self.scratch
        };
        let start = match self.entries.get(index) {
            Some(e) => e.offset,
            None => self.end,
        };
        let result = (|| {
            if start < self.file_len {
                self.file.set_len(start)?;
            }
            if self.cursor != Some(start) {
                self.cursor = None;
                self.file.seek(SeekFrom::Start(start))?;
            }
            let mut slices = [
                IoSlice::new(&head),
                IoSlice::new(payload),
                IoSlice::new(&ZEROS[..header.padding()]),
            ];
            write_all_vectored(&mut &self.file, &mut slices)
        })();
        if let Err(e) = result {
            // Leave no partial chunk behind (best effort).
            let _ = self.file.set_len(start);
            self.cursor = None;
            self.entries.truncate(index);
            self.end = start;
            self.file_len = start;
            return Err(Error::io(
                format!(
                    "frame {index} at byte {start}: writing {}",
                    self.path.display()
                ),
                e,
            ));
        }
        self.entries.truncate(index);
        self.entries.push(Entry {
            offset: start,
            header,
        });
        self.end = start + header.chunk_len(Version::V2_0);
        self.file_len = self.end;
        self.cursor = Some(self.end);
        self.offset = index + 1;
        Ok(())
    }

    /// Reads the frame at the current offset into `image`, reusing its memory
    /// (a playback loop allocates nothing per frame once `image` is as large as
    /// the largest frame), and advances the offset.
    ///
    /// Returns `Ok(None)` at the end when [`ReadOptions::loop_`] is off (and
    /// always for an empty stream); with it on, wraps to frame 0. With
    /// [`ReadOptions::pause`], waits out the frame's interval from when the
    /// previous read returned (or the stream was opened). V1.0 RGB565 is
    /// returned as normal little-endian RGB565.
    ///
    /// # Errors
    /// The damaged tail's error, once per pass (see [the type docs](FileStream));
    /// [`ErrorKind::Truncated`] if the file shrank since it was opened;
    /// [`ErrorKind::Io`]. On error `image` is left as a 1x1 grayscale placeholder.
    pub fn read_into(&mut self, image: &mut Image, opts: ReadOptions) -> Result<Option<FrameInfo>> {
        if self.offset >= self.entries.len() {
            if let Some(tail) = &self.tail
                && !self.tail_reported
            {
                self.tail_reported = true;
                self.offset = self.entries.len();
                return Err(tail.to_error());
            }
            if !opts.loop_ || self.entries.is_empty() {
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
                Error::io(format!("{context}: reading {}", self.path.display()), e)
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
            .frame_ready(&*self.clock, header.elapsed_ms, opts.pause);
        Ok(Some(FrameInfo {
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

    /// Flushes what was written to stable storage (fsync). A no-op for a
    /// stream opened for reading.
    ///
    /// # Errors
    /// [`ErrorKind::Io`].
    pub fn sync(&mut self) -> Result<()> {
        if self.writable {
            self.file
                .sync_all()
                .map_err(|e| Error::io(format!("syncing {}", self.path.display()), e))?;
        }
        Ok(())
    }

    /// Syncs a written stream and closes the file.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the sync fails.
    pub fn close(mut self) -> Result<()> {
        self.sync()
    }

    /// Frames in the stream (as [`FileStream::count`]).
    pub fn frames(&self) -> u64 {
        self.count()
    }

    /// Bytes in the file (as [`FileStream::byte_len`]).
    pub fn bytes(&self) -> u64 {
        self.byte_len()
    }

    /// Finishes the stream (syncs it) and returns its file.
    ///
    /// # Errors
    /// The sync's error, with the stream.
    pub fn into_inner(mut self) -> Result<File, IntoInnerError<FileStream>> {
        match FrameSink::finish(&mut self) {
            Ok(()) => Ok(self.file),
            Err(e) => Err(IntoInnerError::new(e, self)),
        }
    }
}

/// Records frames with the milliseconds between their timestamps, so a
/// recording copied at any speed keeps its timing. The first frame's
/// interval is its own timestamp: the time since its source started (a
/// camera stamps its first frame at about zero; a replayed `.bin` stamps it
/// with its recorded interval, so a copy keeps every interval). Frames whose format has no OpenMV code are
/// stored as the stream's [`Fallback`] says. `finish` syncs the file; later
/// writes fail with [`ErrorKind::Finished`].
///
/// ```
/// use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
/// use camreel::imageio::FileStream;
/// use camreel::sink::FrameSink;
/// use camreel::PixelFormat;
///
/// let dir = tempfile::tempdir()?;
/// // A camera paced at 25 fps on a manual clock: no real waiting.
/// let mut camera = SyntheticCamera::builder()
///     .size(32, 24)
///     .format(PixelFormat::Rgb565)
///     .fps(25.0)
///     .clock(camreel::clock::ManualClock::shared())
///     .frame_limit(3)
///     .build()?;
/// let mut stream = FileStream::create(dir.path().join("clip.bin"))?;
/// while let Some(frame) = camera.next_frame()? {
///     stream.write_frame(&frame)?;
/// }
/// stream.finish()?;
/// let elapsed: Vec<u32> = stream.headers().map(|h| h.elapsed_ms).collect();
/// assert_eq!(elapsed, [0, 40, 40]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl FrameSink for FileStream {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        let elapsed = ms_u32(self.ticks.peek(frame.timestamp));
        self.write_chunk(frame.image, elapsed)?;
        self.ticks.step(frame.timestamp);
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        FileStream::sync(self)
    }

    fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        FileStream::sync(self)?;
        self.finished = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::clock::ManualClock;

    fn gray(w: u32, h: u32, seed: u8) -> Image {
        let n = (w * h) as usize;
        Image::new(
            PixelFormat::Grayscale,
            w,
            h,
            (0..n).map(|i| (i as u8).wrapping_mul(7) ^ seed).collect(),
        )
        .unwrap()
    }

    const NO_WAIT: ReadOptions = ReadOptions {
        loop_: false,
        pause: false,
    };

    #[test]
    fn layout_is_byte_exact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        let clock = ManualClock::shared();
        let mut s = FileOptions::new()
            .clock(clock.clone())
            .create(&path)
            .unwrap();
        clock.advance(Duration::from_millis(5));
        s.write(&gray(3, 1, 0)).unwrap();
        clock.advance(Duration::from_millis(20));
        s.write(&gray(2, 2, 0)).unwrap();
        assert_eq!((s.count(), s.offset(), s.byte_len()), (2, 2, 16 + 48 + 48));
        s.close().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let mut expected = b"OMV IMG STR V2.0".to_vec();
        for (ms, w, h) in [(5u32, 3u32, 1u32), (20, 2, 2)] {
            for v in [ms, w, h, 0x0802_0001, w * h] {
                expected.extend_from_slice(&v.to_le_bytes());
            }
            expected.extend_from_slice(&[0; 12]);
            expected.extend_from_slice(gray(w, h, 0).data());
            expected.resize(expected.len() + 16 - (w * h) as usize, 0);
        }
        assert_eq!(bytes, expected);
    }

    #[test]
    fn strided_frames_are_compacted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.bin");
        let buf: Vec<u8> = (0..20).collect();
        let view = ImageRef::with_stride(PixelFormat::Grayscale, 3, 4, 5, &buf).unwrap();
        let mut s = FileStream::create(&path).unwrap();
        s.write(view).unwrap();
        s.seek(0).unwrap();
        let img = s.read(NO_WAIT).unwrap().unwrap();
        assert_eq!(img.data(), &[0, 1, 2, 5, 6, 7, 10, 11, 12, 15, 16, 17]);
    }

    #[test]
    fn read_only_streams_refuse_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.bin");
        FileStream::create(&path).unwrap().close().unwrap();
        let mut s = FileStream::open(&path).unwrap();
        assert_eq!(s.count(), 0);
        assert!(s.read(ReadOptions::default()).unwrap().is_none());
        let e = s.write(&gray(1, 1, 0)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 16);
    }

    #[test]
    fn frames_above_limits_are_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits {
            max_width: 4,
            ..Limits::default()
        };
        let mut s = FileOptions::new()
            .limits(limits)
            .create(dir.path().join("l.bin"))
            .unwrap();
        let e = s.write(&gray(5, 1, 0)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert!(e.to_string().starts_with("frame 0: "), "{e}");
        s.write(&gray(4, 1, 0)).unwrap();
        assert_eq!(s.count(), 1);
    }
}
