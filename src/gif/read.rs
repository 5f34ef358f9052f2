//! Reading GIFs back: [`read_info`] (what `camreel info` shows) and
//! [`GifReader`] (composited frames, for converting a GIF to other formats).
//! Both use the `gif` crate's decoder.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, Limits, PixelFormat};

/// What a GIF holds, without decoding its pixels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GifInfo {
    /// Logical screen width.
    pub width: u16,
    /// Logical screen height.
    pub height: u16,
    /// The NETSCAPE2.0 loop count: `None` if the file has no loop extension
    /// (viewers play it once), `Some(0)` to loop forever, `Some(n)` for `n`
    /// repetitions.
    pub loop_count: Option<u16>,
    /// Whether the file has a global colour table.
    pub global_palette: bool,
    /// Every frame, in order.
    pub frames: Vec<GifFrameInfo>,
}

impl GifInfo {
    /// Sum of the frame delays in centiseconds.
    pub fn duration_cs(&self) -> u64 {
        self.frames.iter().map(|f| u64::from(f.delay_cs)).sum()
    }
}

/// One frame of a [`GifInfo`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GifFrameInfo {
    /// Left edge of the frame's rectangle on the screen.
    pub left: u16,
    /// Top edge of the frame's rectangle.
    pub top: u16,
    /// Width of the rectangle.
    pub width: u16,
    /// Height of the rectangle.
    pub height: u16,
    /// Display time in centiseconds.
    pub delay_cs: u16,
    /// The transparent palette index, if any.
    pub transparent: Option<u8>,
    /// Whether the frame has its own (local) colour table.
    pub local_palette: bool,
    /// The disposal method code (0 unspecified, 1 keep, 2 background,
    /// 3 previous).
    pub dispose: u8,
}

/// Counts the bytes the decoder has taken from the reader: at the end of a
/// cut file, where the file ends.
/// The decoder owns the reader and does not lend it back, so the count is
/// shared.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Counting<R> {
    fn new(inner: R) -> (Counting<R>, Arc<AtomicU64>) {
        let read = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner,
            read: Arc::clone(&read),
        };
        (counting, read)
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The error for a decoder error in `context` ("gif frame 3"), `read` bytes
/// into the input: [`ErrorKind::Truncated`] when the input ended early.
fn decode_error(context: &str, read: u64, e: ::gif::DecodingError) -> Error {
    match e {
        ::gif::DecodingError::UnexpectedEof => Error::new(
            ErrorKind::Truncated,
            format!(
                "{context}: the file ends at byte {read} (cut short, or the writer was never finished)"
            ),
        ),
        ::gif::DecodingError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::with_source(
                ErrorKind::Truncated,
                format!("{context}: the file ends at byte {read}"),
                io,
            )
        }
        ::gif::DecodingError::Io(io) => Error::io(context.to_string(), io),
        other => Error::with_source(ErrorKind::Format, context.to_string(), other),
    }
}

fn repeat_to_loop(r: ::gif::Repeat) -> Option<u16> {
    match r {
        ::gif::Repeat::Infinite => Some(0),
        ::gif::Repeat::Finite(0) => None,
        ::gif::Repeat::Finite(n) => Some(n),
    }
}

/// Reads the structure of a GIF: screen size, loop extension and every
/// frame's rectangle and delay, without decoding pixels.
///
/// ```
/// use camreel::gif::{GifWriter, read_info};
/// use camreel::{Image, PixelFormat};
/// let mut w = GifWriter::new(Vec::new(), 4, 4)?;
/// w.add_frame(&Image::zeroed(PixelFormat::Grayscale, 4, 4)?, 25)?;
/// let info = read_info(&w.finish()?[..])?;
/// assert_eq!((info.width, info.height, info.frames.len()), (4, 4, 1));
/// assert_eq!((info.frames[0].delay_cs, info.loop_count), (25, Some(0)));
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::Format`] for data that is not a valid GIF;
/// [`ErrorKind::Truncated`] for a GIF that ends early (the message names the
/// frame and the byte where the data ends); I/O errors.
pub fn read_info<R: Read>(reader: R) -> Result<GifInfo> {
    let mut options = ::gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    let (reader, read) = Counting::new(reader);
    let mut decoder = options
        .read_info(reader)
        .map_err(|e| decode_error("reading the gif header", 0, e))?;
    let mut frames = Vec::new();
    loop {
        let index = frames.len();
        // In skip mode this returns the frame with its data still compressed.
        let frame = match decoder.read_next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let read = read.load(Ordering::Relaxed);
                return Err(decode_error(&format!("gif frame {index}"), read, e));
            }
        };
        frames.push(GifFrameInfo {
            left: frame.left,
            top: frame.top,
            width: frame.width,
            height: frame.height,
            delay_cs: frame.delay,
            transparent: frame.transparent,
            local_palette: frame.palette.is_some(),
            dispose: frame.dispose as u8,
        });
    }
    Ok(GifInfo {
        width: decoder.width(),
        height: decoder.height(),
        loop_count: repeat_to_loop(decoder.repeat()),
        global_palette: decoder.global_palette().is_some(),
        frames,
    })
}

/// Reads a GIF frame by frame as RGB888 images of the full screen size, each
/// composited over the previous ones as a viewer shows it (transparency and
/// disposal honoured; the initial canvas is black).
///
/// ```
/// use camreel::gif::{GifReader, GifWriter};
/// use camreel::{Image, PixelFormat};
/// let mut w = GifWriter::new(Vec::new(), 2, 1)?;
/// w.add_frame(&Image::new(PixelFormat::Rgb888, 2, 1, vec![255, 0, 0, 0, 0, 255])?, 7)?;
/// let bytes = w.finish()?;
/// let mut r = GifReader::new(&bytes[..])?;
/// let mut frame = Image::empty();
/// assert_eq!(r.read_frame_into(&mut frame)?, Some(7));
/// assert_eq!(frame.data(), &[255, 0, 0, 0, 0, 255]);
/// assert_eq!(r.read_frame_into(&mut frame)?, None);
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct GifReader<R: Read> {
    decoder: ::gif::Decoder<Counting<R>>,
    /// Bytes the decoder has read.
    read: Arc<AtomicU64>,
    width: u32,
    height: u32,
    canvas: Vec<u8>,
    saved: Vec<u8>,
    index: u64,
}

impl<R: Read> std::fmt::Debug for GifReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GifReader")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("index", &self.index)
            .finish()
    }
}

impl<R: Read> GifReader<R> {
    /// Reads the header, checking the screen size against the default
    /// [`Limits`].
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for data that is not a GIF,
    /// [`ErrorKind::Truncated`] if it ends inside the header,
    /// [`ErrorKind::LimitExceeded`] / [`ErrorKind::InvalidFrameSize`] for
    /// an oversized or empty screen, I/O errors.
    pub fn new(reader: R) -> Result<GifReader<R>> {
        GifReader::with_limits(reader, &Limits::default())
    }

    /// Like [`GifReader::new`] with explicit limits (which also cap each
    /// frame's decoded size).
    ///
    /// # Errors
    /// As [`GifReader::new`].
    pub fn with_limits(reader: R, limits: &Limits) -> Result<GifReader<R>> {
        let mut options = ::gif::DecodeOptions::new();
        options.set_color_output(::gif::ColorOutput::RGBA);
        // The decoder's RGBA frame buffer counts against the per-frame limit.
        let cap = std::num::NonZeroU64::new(limits.max_bytes).unwrap_or(std::num::NonZeroU64::MIN);
        options.set_memory_limit(::gif::MemoryLimit::Bytes(cap));
        let (reader, read) = Counting::new(reader);
        let decoder = options
            .read_info(reader)
            .map_err(|e| decode_error("reading the gif header", 0, e))?;
        let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
        limits.check(PixelFormat::Rgb888, width, height)?;
        let n = width as usize * height as usize * 3;
        Ok(GifReader {
            decoder,
            read,
            width,
            height,
            canvas: vec![0; n],
            saved: Vec::new(),
            index: 0,
        })
    }

    /// `(width, height)` of the screen (every frame returned has this size).
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The loop count, as [`GifInfo::loop_count`].
    pub fn loop_count(&self) -> Option<u16> {
        repeat_to_loop(self.decoder.repeat())
    }

    /// Decodes the next frame into `dst` (reusing its memory) and returns its
    /// delay in centiseconds, or `None` after the last frame.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for corrupt data, [`ErrorKind::Truncated`] for a
    /// file that ends early (the message names the frame), I/O errors.
    pub fn read_frame_into(&mut self, dst: &mut Image) -> Result<Option<u16>> {
        let index = self.index;
        let frame = match self.decoder.read_next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(None),
            Err(e) => {
                let read = self.read.load(Ordering::Relaxed);
                return Err(decode_error(&format!("gif frame {index}"), read, e));
            }
        };
        let (w, h) = (self.width as usize, self.height as usize);
        let (left, top) = (usize::from(frame.left), usize::from(frame.top));
        let fw = usize::from(frame.width);
        let fh = usize::from(frame.height);
        if frame.dispose == ::gif::DisposalMethod::Previous {
            self.saved.clone_from(&self.canvas);
        }
        if fw > 0 {
            for (y, row) in frame.buffer.chunks_exact(fw * 4).take(fh).enumerate() {
                let cy = top + y;
                if cy >= h {
                    break;
                }
                for (x, px) in row.chunks_exact(4).enumerate() {
                    let cx = left + x;
                    if cx >= w {
                        break;
                    }
                    if px[3] != 0 {
                        let i = (cy * w + cx) * 3;
                        self.canvas[i..i + 3].copy_from_slice(&px[..3]);
                    }
                }
            }
        }
        let delay = frame.delay;
        let dispose = frame.dispose;
        dst.reshape(PixelFormat::Rgb888, self.width, self.height)?;
        dst.data_mut().copy_from_slice(&self.canvas);
        match dispose {
            ::gif::DisposalMethod::Background => {
                for cy in top..(top + fh).min(h) {
                    let start = (cy * w + left.min(w)) * 3;
                    let end = (cy * w + (left + fw).min(w)) * 3;
                    self.canvas[start..end].fill(0);
                }
            }
            ::gif::DisposalMethod::Previous => std::mem::swap(&mut self.canvas, &mut self.saved),
            _ => {}
        }
        self.index += 1;
        Ok(Some(delay))
    }
}
