//! OpenMV's ImageIO recorder/player: "OMV IMG STR" file streams and memory rings.
//!
//! A stream holds a sequence of frames, each with the milliseconds since the
//! previous one, so playback can re-create the original frame rate.
//!
//! - [`FileStream`]: a file on disk. [`FileStream::create`] writes V2.0
//!   (truncating); [`FileStream::open`] reads V1.0, V1.1 and V2.0. Frames of
//!   different sizes and formats mix freely.
//! - [`MemoryStream`]: a fixed number of slots of one shape and format,
//!   allocated once; writing and reading allocate nothing.
//! - [`TriggerRecorder`]: a memory ring of the most recent frames that, when a
//!   trigger fires, goes to a file stream followed by the live frames.
//! - [`ImageIo`]: either kind, for code that takes whichever it is given.
//! - [`header`]: the byte layouts, without I/O.
//!
//! Time comes from a [`Clock`] (the OS monotonic clock by
//! default), so tests can use a [`ManualClock`](crate::clock::ManualClock):
//! `write` stamps each frame with the milliseconds since the previous write,
//! and `read` with [`ReadOptions::pause`] waits that long after the previous
//! read returned.
//!
//! ```
//! use camreel::imageio::{FileStream, ReadOptions};
//! use camreel::{Image, PixelFormat};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("run.bin");
//! let gray = Image::new(PixelFormat::Grayscale, 4, 2, (0..8).collect())?;
//! let rgb = Image::zeroed(PixelFormat::Rgb565, 3, 3)?;
//!
//! let mut out = FileStream::create(&path)?;
//! out.write(&gray)?.write(&rgb)?; // calls chain
//! out.close()?;
//!
//! let mut input = FileStream::open(&path)?;
//! assert_eq!(input.count(), 2);
//! let opts = ReadOptions { loop_: false, pause: false };
//! let mut frame = Image::empty();
//! while let Some(info) = input.read_into(&mut frame, opts)? {
//!     println!("frame {} after {} ms: {:?}", info.index, info.elapsed_ms, frame);
//! }
//! assert_eq!(frame, rgb);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod header;

mod file;
mod memory;
mod trigger;

use std::time::Duration;

pub use file::{DamagedTail, FileOptions, FileStream};
pub use header::{FrameHeader, Version};
pub use memory::MemoryStream;
pub use trigger::TriggerRecorder;

use crate::clock::Clock;
use crate::codec::jpeg::JpegEncoder;
use crate::error::Result;
use crate::image::{Image, ImageRef, PixelFormat};
use crate::timing::Ticks;

/// Which backing store a stream uses (OpenMV's `FILE_STREAM` / `MEMORY_STREAM`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// A file on disk ([`FileStream`]).
    File,
    /// A fixed buffer in memory ([`MemoryStream`]).
    Memory,
}

/// How `read` behaves at the end of a stream and between frames.
///
/// ```
/// use camreel::imageio::ReadOptions;
/// let defaults = ReadOptions::default();
/// assert!(defaults.loop_ && defaults.pause);
/// let fast = ReadOptions::default().with_pause(false).with_loop(false);
/// assert!(!fast.loop_ && !fast.pause);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadOptions {
    /// File streams: at the end, wrap to the first frame (`true`, the
    /// default) or return `Ok(None)` (`false`). Memory streams ignore it and
    /// report [`ErrorKind::EndOfStream`](crate::ErrorKind::EndOfStream).
    pub loop_: bool,
    /// Wait out the frame's recorded interval, measured from when the previous
    /// read returned (so the caller's processing time counts), before
    /// returning it. Default `true`.
    pub pause: bool,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            loop_: true,
            pause: true,
        }
    }
}

impl ReadOptions {
    /// Sets [`ReadOptions::loop_`].
    #[must_use]
    pub fn with_loop(mut self, loop_: bool) -> ReadOptions {
        self.loop_ = loop_;
        self
    }

    /// Sets [`ReadOptions::pause`].
    #[must_use]
    pub fn with_pause(mut self, pause: bool) -> ReadOptions {
        self.pause = pause;
        self
    }
}

/// What a read returned besides the pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameInfo {
    /// Index of the frame in the stream (0-based).
    pub index: u64,
    /// Milliseconds between this frame and the previous one when recorded.
    pub elapsed_ms: u32,
}

/// Playback timing shared by both stream kinds: waits out `elapsed_ms` from
/// the previous read (or from when the stream was opened).
#[derive(Clone, Copy, Debug)]
struct Pacer {
    last_read: Duration,
}

impl Pacer {
    fn new(clock: &dyn Clock) -> Pacer {
        Pacer {
            last_read: clock.now(),
        }
    }

    /// Called when a frame is ready to be returned.
    fn frame_ready(&mut self, clock: &dyn Clock, elapsed_ms: u32, pause: bool) {
        let now = clock.now();
        if !pause {
            self.last_read = now;
            return;
        }
        let target = self.last_read + Duration::from_millis(u64::from(elapsed_ms));
        if now < target {
            clock.sleep(target - now);
            // Measure the next interval from when this frame was due, so that
            // oversleeping does not accumulate.
            self.last_read = target;
        } else {
            self.last_read = now;
        }
    }
}

/// The [`Ticks`] that stamp OpenMV-style writes ([`FileStream::write`]):
/// milliseconds since the previous write, the first since `clock`'s now.
fn wall_ticks(clock: &dyn Clock) -> Ticks {
    Ticks::starting_at(Ticks::MILLIS, clock.now())
}

/// Milliseconds from [`Ticks`], saturated to ImageIO's 32-bit field.
fn ms_u32(units: u64) -> u32 {
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// What a stream does with a frame whose pixel format has no OpenMV code
/// (RGB888, BGR888, YUV420, NV12, 16-bit and RAW10 formats), which an
/// "OMV IMG STR" file cannot store as it is. One policy for every way of
/// writing a stream ([`FileStream::write`], [`FileStream::write_with_elapsed`]
/// and the [`FrameSink`](crate::sink::FrameSink) implementation).
///
/// ```
/// use camreel::imageio::{Fallback, FileOptions};
/// use camreel::{Image, PixelFormat};
///
/// let dir = tempfile::tempdir()?;
/// let rgb = Image::zeroed(PixelFormat::Rgb888, 8, 8)?;
/// let mut lossless = FileOptions::new().create(dir.path().join("png.bin"))?;
/// lossless.write(&rgb)?;
/// assert_eq!(lossless.header(0).unwrap().format, PixelFormat::Png);
/// let mut compact = FileOptions::new()
///     .fallback(Fallback::Jpeg { quality: 90 })
///     .create(dir.path().join("jpeg.bin"))?;
/// compact.write(&rgb)?;
/// assert_eq!(compact.header(0).unwrap().format, PixelFormat::Jpeg);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fallback {
    /// Store the frame as a PNG (lossless; the default). 8- and 16-bit RGB
    /// and gray keep every bit; YUV is converted to RGB888 and Bayer mosaics
    /// are demosaiced first, as [`codec::png::encode`](crate::codec::png::encode) does.
    #[default]
    Png,
    /// Store the frame as a JPEG of this quality (1-100): compact, lossy,
    /// and what OpenMV's IDE records.
    Jpeg {
        /// JPEG quality, 1-100.
        quality: u8,
    },
    /// Refuse the frame with [`ErrorKind::UnsupportedFormat`](crate::ErrorKind::UnsupportedFormat).
    Refuse,
}

/// A stream's [`Fallback`] with the buffers it encodes into.
#[derive(Debug, Default)]
pub(crate) struct Storer {
    pub(crate) fallback: Fallback,
    encoded: Image,
    jpeg: Option<JpegEncoder>,
}

impl Storer {
    pub(crate) fn new(fallback: Fallback) -> Storer {
        Storer {
            fallback,
            ..Storer::default()
        }
    }

    /// `image` as a stream can store it: itself when its format has an
    /// OpenMV code, else encoded as the fallback says.
    pub(crate) fn store<'a>(&'a mut self, image: ImageRef<'a>) -> Result<ImageRef<'a>> {
        let format = image.format();
        if format.code().is_some() {
            return Ok(image);
        }
        let (w, h) = image.size();
        match self.fallback {
            Fallback::Refuse => return Err(header::no_code(format)),
            Fallback::Png => self.encoded.set_encoded(PixelFormat::Png, w, h, |out| {
                crate::codec::png::encode(image, out)
            })?,
            Fallback::Jpeg { quality } => {
                let jpeg = match &mut self.jpeg {
                    Some(j) if j.quality().get() == quality => j,
                    slot => {
                        slot.insert(JpegEncoder::new(crate::codec::Quality::try_from(quality)?)?)
                    }
                };
                jpeg.encode_into(image, &mut self.encoded)?;
            }
        }
        Ok(self.encoded.view())
    }
}

/// Restores `image` to a valid placeholder after a failed fill.
fn reset_placeholder(image: &mut Image) {
    let buf = image.buffer_mut();
    buf.clear();
    buf.push(0);
    image.set_meta_unchecked(crate::PixelFormat::Grayscale, 1, 1);
}

/// Either stream kind, for code that adapts to the backing store it is given
/// (OpenMV's `ImageIO` object). Every method forwards to the stream.
///
/// ```
/// use camreel::imageio::{ImageIo, MemoryStream, ReadOptions, StreamKind};
/// use camreel::{Image, PixelFormat};
///
/// let mut io = ImageIo::from(MemoryStream::new(2, 2, PixelFormat::Grayscale, 4)?);
/// assert_eq!(io.kind(), StreamKind::Memory);
/// io.write(&Image::new(PixelFormat::Grayscale, 2, 2, vec![1, 2, 3, 4])?)?;
/// io.seek(0)?;
/// let img = io.read(ReadOptions::default().with_pause(false))?.unwrap();
/// assert_eq!(img.data(), &[1, 2, 3, 4]);
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Debug)]
pub enum ImageIo {
    /// A file stream.
    File(FileStream),
    /// A memory stream.
    Memory(MemoryStream),
}

impl From<FileStream> for ImageIo {
    fn from(s: FileStream) -> ImageIo {
        ImageIo::File(s)
    }
}

impl From<MemoryStream> for ImageIo {
    fn from(s: MemoryStream) -> ImageIo {
        ImageIo::Memory(s)
    }
}

impl ImageIo {
    /// [`StreamKind::File`] or [`StreamKind::Memory`].
    pub fn kind(&self) -> StreamKind {
        match self {
            ImageIo::File(_) => StreamKind::File,
            ImageIo::Memory(_) => StreamKind::Memory,
        }
    }

    /// Writes a frame; see [`FileStream::write`] and [`MemoryStream::write`].
    ///
    /// # Errors
    /// As the stream's `write`.
    pub fn write<'a>(&mut self, image: impl Into<ImageRef<'a>>) -> Result<&mut ImageIo> {
        match self {
            ImageIo::File(s) => {
                s.write(image)?;
            }
            ImageIo::Memory(s) => {
                s.write(image)?;
            }
        }
        Ok(self)
    }

    /// Reads the next frame into `image`; `Ok(None)` only from a file stream
    /// at its end with `loop_` off.
    ///
    /// # Errors
    /// As the stream's `read_into`.
    pub fn read_into(&mut self, image: &mut Image, opts: ReadOptions) -> Result<Option<FrameInfo>> {
        match self {
            ImageIo::File(s) => s.read_into(image, opts),
            ImageIo::Memory(s) => s.read_into(image, opts).map(Some),
        }
    }

    /// Reads the next frame as a new image.
    ///
    /// # Errors
    /// As the stream's `read`.
    pub fn read(&mut self, opts: ReadOptions) -> Result<Option<Image>> {
        match self {
            ImageIo::File(s) => s.read(opts),
            ImageIo::Memory(s) => s.read(opts).map(Some),
        }
    }

    /// Moves to frame `n`.
    ///
    /// # Errors
    /// [`ErrorKind::SeekOutOfRange`](crate::ErrorKind::SeekOutOfRange).
    pub fn seek(&mut self, n: u64) -> Result<()> {
        match self {
            ImageIo::File(s) => s.seek(n),
            ImageIo::Memory(s) => s.seek(n),
        }
    }

    /// Frames in the stream (written slots, for a memory stream).
    pub fn count(&self) -> u64 {
        match self {
            ImageIo::File(s) => s.count(),
            ImageIo::Memory(s) => s.count(),
        }
    }

    /// Index of the frame the next read or write uses.
    pub fn offset(&self) -> u64 {
        match self {
            ImageIo::File(s) => s.offset(),
            ImageIo::Memory(s) => s.offset(),
        }
    }

    /// Bytes of storage: the file's length, or the memory buffer's size.
    pub fn byte_len(&self) -> u64 {
        match self {
            ImageIo::File(s) => s.byte_len(),
            ImageIo::Memory(s) => s.byte_len(),
        }
    }

    /// The file format version (`None` for a memory stream).
    pub fn version(&self) -> Option<Version> {
        match self {
            ImageIo::File(s) => Some(s.version()),
            ImageIo::Memory(_) => None,
        }
    }

    /// Flushes a file stream to stable storage (no-op for memory).
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io).
    pub fn sync(&mut self) -> Result<()> {
        match self {
            ImageIo::File(s) => s.sync(),
            ImageIo::Memory(s) => s.sync(),
        }
    }

    /// Closes the stream (a file stream is synced first).
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io).
    pub fn close(self) -> Result<()> {
        match self {
            ImageIo::File(s) => s.close(),
            ImageIo::Memory(s) => s.close(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn pacer_waits_from_previous_read_and_does_not_drift() {
        let clock = Arc::new(ManualClock::new());
        let mut p = Pacer::new(&*clock);
        // The caller spends 10 ms processing; a 33 ms frame waits 23 more.
        clock.advance(Duration::from_millis(10));
        p.frame_ready(&*clock, 33, true);
        assert_eq!(clock.now(), Duration::from_millis(33));
        // Late by 50 ms: no wait, and the next interval counts from now.
        clock.advance(Duration::from_millis(50));
        p.frame_ready(&*clock, 33, true);
        assert_eq!(clock.now(), Duration::from_millis(83));
        p.frame_ready(&*clock, 20, true);
        assert_eq!(clock.now(), Duration::from_millis(103));
        p.frame_ready(&*clock, 1000, false);
        assert_eq!(clock.now(), Duration::from_millis(103));
    }

    #[test]
    fn wall_ticks_add_up() {
        let clock = Arc::new(ManualClock::new());
        clock.advance(Duration::from_secs(7));
        let mut s = wall_ticks(&*clock);
        let mut total = 0;
        for _ in 0..30 {
            clock.advance(Duration::from_micros(33_333));
            total += ms_u32(s.step(clock.now()));
        }
        assert_eq!(total, 1000); // 30 * 33.333 ms = 999.99 ms, no drift
    }
}
