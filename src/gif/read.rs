//! Reading GIFs back: [`read_info`] (what `camreel info` shows) and
//! [`GifReader`] (composited frames with their timestamps, for converting a
//! GIF to other formats). Both use the `gif` crate's decoder.
//!
//! Both accept what browsers and Pillow accept: an extension with a label
//! the GIF89a specification does not define is skipped, as the
//! specification says a decoder may; comment, plain text and application
//! extensions (NETSCAPE2.0 gives the loop count, any other is skipped) are
//! read past. Any other byte where a block should start is damage
//! ([`ErrorKind::Format`], naming the frame and the byte).

use std::fs::File;
use std::io::{BufReader, Read};
use std::iter::FusedIterator;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::blocks::BlockWalker;
use crate::convert::pixel::argb8_to_rgb888;
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::frame::{FrameInfo, OwnedFrame};
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
    /// The duration of the animation: the sum of the frame delays, the last
    /// frame's included (each frame is shown for its own delay; see
    /// [the duration of a recording](crate::timing#the-duration-of-a-recording)).
    pub fn duration(&self) -> Duration {
        cs(self.frames.iter().map(|f| u64::from(f.delay_cs)).sum())
    }

    /// Number of frames.
    pub fn frame_count(&self) -> u64 {
        self.frames.len() as u64
    }

    /// Whether the structure proves every frame opaque once composited:
    /// the first frame covers the screen and has no transparent colour, it
    /// is not disposed to the background or to the (blank) screen before
    /// it, and no frame but the last is disposed to the background. A GIF
    /// without frames is opaque.
    ///
    /// A GIF this calls not opaque may still be (a transparent colour that
    /// no pixel uses, a frame that redraws a cleared area); [`GifReader`]
    /// keeps its alpha regardless, and the replay camera
    /// ([`crate::replay::GifReplay`]) gives RGB888 frames only for a file
    /// this calls opaque.
    ///
    /// ```
    /// use camreel::gif::{GifWriter, read_info};
    /// use camreel::{Image, PixelFormat};
    /// use std::time::Duration;
    /// let mut w = GifWriter::new(Vec::new(), 4, 4)?;
    /// w.add_frame(&Image::zeroed(PixelFormat::Rgb888, 4, 4)?, Duration::from_millis(100))?;
    /// assert!(read_info(&w.into_inner()?[..])?.is_opaque());
    /// # Ok::<(), camreel::Error>(())
    /// ```
    pub fn is_opaque(&self) -> bool {
        let Some((first, rest)) = self.frames.split_first() else {
            return true;
        };
        let covers = first.left == 0
            && first.top == 0
            && first.width >= self.width
            && first.height >= self.height;
        // Disposal of the last frame shows nowhere.
        let clears = |f: &GifFrameInfo| f.dispose == 2;
        let before_last = &self.frames[..self.frames.len() - 1];
        covers
            && first.transparent.is_none()
            && (rest.is_empty() || first.dispose != 3)
            && !before_last.iter().any(clears)
    }

    /// The time frame `index` starts at: the sum of the delays before it.
    pub fn timestamp(&self, index: u64) -> Duration {
        let n = usize::try_from(index).unwrap_or(usize::MAX);
        cs(self
            .frames
            .iter()
            .take(n)
            .map(|f| u64::from(f.delay_cs))
            .sum())
    }
}

/// `n` centiseconds.
fn cs(n: u64) -> Duration {
    Duration::from_millis(n.saturating_mul(10))
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
    /// Display time in centiseconds, as stored (see [`GifFrameInfo::delay`]).
    pub delay_cs: u16,
    /// The transparent palette index, if any.
    pub transparent: Option<u8>,
    /// Whether the frame has its own (local) colour table.
    pub local_palette: bool,
    /// The disposal method code (0 unspecified, 1 keep, 2 background,
    /// 3 previous).
    pub dispose: u8,
}

impl GifFrameInfo {
    /// How long the frame is shown, as stored (browsers show 0 and 1 cs as
    /// 10 cs).
    pub fn delay(&self) -> Duration {
        cs(u64::from(self.delay_cs))
    }
}

/// What the decoder has taken from the reader: how many bytes (at the end
/// of a cut file, where the file ends), the first 13 (the header and screen
/// descriptor), the last, and the block structure so far.
#[derive(Debug, Default)]
struct Tally {
    read: u64,
    head: Vec<u8>,
    last: Option<u8>,
    blocks: BlockWalker,
}

/// The screen descriptor's size: `GIF89a`, width, height, flags, background
/// colour, aspect ratio.
const HEAD: usize = 13;

/// A reader that keeps a [`Tally`]. The decoder owns the reader and does not
/// lend it back, so the tally is shared.
struct Counting<R> {
    inner: R,
    tally: Arc<Mutex<Tally>>,
}

impl<R: Read> Counting<R> {
    fn new(inner: R) -> (Counting<R>, Arc<Mutex<Tally>>) {
        let tally = Arc::new(Mutex::new(Tally::default()));
        let counting = Counting {
            inner,
            tally: Arc::clone(&tally),
        };
        (counting, tally)
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            let mut t = self.tally.lock().unwrap_or_else(PoisonError::into_inner);
            t.read += n as u64;
            let room = HEAD.saturating_sub(t.head.len()).min(n);
            t.head.extend_from_slice(&buf[..room]);
            t.last = Some(buf[n - 1]);
            t.blocks.feed(&buf[..n]);
        }
        Ok(n)
    }
}

/// Bytes read so far.
fn bytes_read(tally: &Mutex<Tally>) -> u64 {
    tally.lock().unwrap_or_else(PoisonError::into_inner).read
}

/// The error for a byte where a block should start that starts none, if
/// the decoder has read one before the end of frame `index` (the decoder
/// skips extensions with unknown labels only when told to allow unknown
/// blocks, which lets it take such a byte for an extension).
fn unknown_block(tally: &Mutex<Tally>, index: u64) -> Option<Error> {
    let t = tally.lock().unwrap_or_else(PoisonError::into_inner);
    let u = t.blocks.unknown().filter(|u| u.frame <= index)?;
    Some(Error::new(
        ErrorKind::Format,
        format!(
            "gif frame {}: unknown block type 0x{:02x} at byte {} (not an extension, an image or the trailer)",
            u.frame, u.byte, u.at
        ),
    ))
}

/// The `gif` crate's decoder options every reader starts from: extensions
/// with unknown labels are skipped ([`unknown_block`] keeps other unknown
/// blocks errors).
fn decode_options() -> ::gif::DecodeOptions {
    let mut options = ::gif::DecodeOptions::new();
    options.allow_unknown_blocks(true);
    options
}

/// The screen of a GIF that is a header, a screen descriptor, a global
/// palette and the trailer: a complete file without frames (which the `gif`
/// decoder takes for one cut short). `(width, height, global palette)`.
fn frameless(tally: &Mutex<Tally>) -> Option<(u16, u16, bool)> {
    let t = tally.lock().unwrap_or_else(PoisonError::into_inner);
    let head = t.head.get(..HEAD)?;
    let flags = head[10];
    let global = flags & 0x80 != 0;
    let palette = if global { 3u64 << ((flags & 7) + 1) } else { 0 };
    let whole = HEAD as u64 + palette + 1;
    (t.last == Some(0x3B) && t.read == whole).then(|| {
        (
            u16::from_le_bytes([head[6], head[7]]),
            u16::from_le_bytes([head[8], head[9]]),
            global,
        )
    })
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
        ::gif::DecodingError::OutOfMemory => Error::new(
            ErrorKind::LimitExceeded,
            format!("{context}: more than the memory limit of the gif decoder"),
        ),
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
/// use std::time::Duration;
/// let mut w = GifWriter::new(Vec::new(), 4, 4)?;
/// w.add_frame(&Image::zeroed(PixelFormat::Grayscale, 4, 4)?, Duration::from_millis(250))?;
/// let info = read_info(&w.into_inner()?[..])?;
/// assert_eq!((info.width, info.height, info.frame_count()), (4, 4, 1));
/// assert_eq!((info.frames[0].delay_cs, info.loop_count), (25, Some(0)));
/// assert_eq!(info.duration(), Duration::from_millis(250));
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::Format`] for data that is not a valid GIF;
/// [`ErrorKind::Truncated`] for a GIF that ends early (the message names the
/// frame and the byte where the data ends); I/O errors.
pub fn read_info<R: Read>(reader: R) -> Result<GifInfo> {
    match read_info_partial(reader)? {
        (info, None) => Ok(info),
        (_, Some(cut)) => Err(cut),
    }
}

/// [`read_info`] that keeps what it read of a GIF cut short (a recording
/// that was never finished): the structure of its complete frames, and the
/// [`ErrorKind::Truncated`] error saying where the file ends (`None` for a
/// complete file).
///
/// ```
/// use camreel::gif::{GifWriter, read_info_partial};
/// use camreel::{ErrorKind, Image, PixelFormat};
/// use std::time::Duration;
/// let mut w = GifWriter::new(Vec::new(), 4, 4)?;
/// for _ in 0..3 {
///     w.add_frame(&Image::zeroed(PixelFormat::Grayscale, 4, 4)?, Duration::from_millis(100))?;
/// }
/// let bytes = w.into_inner()?;
/// // Without its trailer and the last frame's last bytes.
/// let (info, cut) = read_info_partial(&bytes[..bytes.len() - 3])?;
/// assert_eq!(info.frame_count(), 2);
/// let cut = cut.unwrap();
/// assert_eq!(cut.kind(), ErrorKind::Truncated);
/// assert!(cut.to_string().starts_with("gif frame 2: the file ends at byte"), "{cut}");
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// As [`read_info`], but for a file cut after its header.
pub fn read_info_partial<R: Read>(reader: R) -> Result<(GifInfo, Option<Error>)> {
    let mut options = decode_options();
    options.skip_frame_decoding(true);
    let (reader, tally) = Counting::new(reader);
    let mut decoder = match options.read_info(reader) {
        Ok(decoder) => decoder,
        Err(::gif::DecodingError::UnexpectedEof) if frameless(&tally).is_some() => {
            let (width, height, global_palette) = frameless(&tally).unwrap_or_default();
            let info = GifInfo {
                width,
                height,
                loop_count: None,
                global_palette,
                frames: Vec::new(),
            };
            return Ok((info, None));
        }
        Err(e) => {
            return Err(decode_error(
                "reading the gif header",
                bytes_read(&tally),
                e,
            ));
        }
    };
    let mut frames = Vec::new();
    let mut cut = None;
    loop {
        let index = frames.len();
        // In skip mode this returns the frame with its data still compressed.
        let next = decoder.read_next_frame();
        if let Some(e) = unknown_block(&tally, index as u64) {
            return Err(e);
        }
        let frame = match next {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let read = bytes_read(&tally);
                let e = decode_error(&format!("gif frame {index}"), read, e);
                if e.kind() != ErrorKind::Truncated {
                    return Err(e);
                }
                cut = Some(e);
                break;
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
    let info = GifInfo {
        width: decoder.width(),
        height: decoder.height(),
        loop_count: repeat_to_loop(decoder.repeat()),
        global_palette: decoder.global_palette().is_some(),
        frames,
    };
    Ok((info, cut))
}

/// Options of a [`GifReader`]: builder methods on the defaults, read back
/// with `get_` getters. [`ReaderOptions::open`] opens a file,
/// [`GifReader::with_options`] any [`Read`].
///
/// ```
/// use camreel::Limits;
/// use camreel::gif::ReaderOptions;
/// let small = Limits { max_width: 640, max_height: 480, ..Limits::default() };
/// assert_eq!(ReaderOptions::default().limits(small).get_limits(), small);
/// assert!(ReaderOptions::default().get_alpha());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct ReaderOptions {
    limits: Limits,
    alpha: bool,
}

impl Default for ReaderOptions {
    fn default() -> ReaderOptions {
        ReaderOptions {
            limits: Limits::default(),
            alpha: true,
        }
    }
}

impl ReaderOptions {
    /// Whether frames keep their transparency (default `true`): ARGB8
    /// frames, or RGB888 ones composited over
    /// [`ALPHA_BACKGROUND`](crate::convert::ALPHA_BACKGROUND) (black). See
    /// [`GifReader`].
    pub fn alpha(mut self, alpha: bool) -> ReaderOptions {
        self.alpha = alpha;
        self
    }

    /// The setting of [`ReaderOptions::alpha`].
    pub fn get_alpha(&self) -> bool {
        self.alpha
    }

    /// Caps on the screen size and on each frame's decoded size (default
    /// [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> ReaderOptions {
        self.limits = limits;
        self
    }

    /// The limits set by [`ReaderOptions::limits`].
    pub fn get_limits(&self) -> Limits {
        self.limits
    }

    /// Opens the GIF at `path`: a first pass reads its structure
    /// ([`read_info`]), so [`GifReader::frame_count`] and
    /// [`GifReader::info`] are known before any frame is decoded; then the
    /// file is read again from the start to decode the frames.
    ///
    /// # Errors
    /// As [`read_info`] and [`GifReader::with_options`];
    /// [`ErrorKind::Io`] if the file cannot be opened. Messages start with
    /// the path.
    pub fn open(self, path: impl AsRef<Path>) -> Result<GifReader<BufReader<File>>> {
        let path = path.as_ref();
        let open = || {
            File::open(path)
                .map(BufReader::new)
                .map_err(|e| Error::io(format!("opening {}", quote_path(path)), e))
        };
        let info = read_info(open()?).map_err(|e| e.context(quote_path(path)))?;
        let mut reader =
            GifReader::with_options(open()?, self).map_err(|e| e.context(quote_path(path)))?;
        reader.info = Some(info);
        Ok(reader)
    }
}

/// Reads a GIF frame by frame as images of the full screen size, each
/// composited over the previous ones as a browser shows it, with its
/// timestamp: the sum of the delays of the frames before it.
///
/// # Transparency
///
/// Frames are [`PixelFormat::Argb8`] (bytes B, G, R, A), as browsers, ffmpeg
/// and the `image` crate decode GIFs: the canvas starts transparent, each
/// frame draws its pixels but those of its transparent colour, and a frame
/// disposed to the background clears its rectangle to transparent again
/// (browsers do; the screen descriptor's background colour is not used, nor
/// does Pillow use it for a frame that has a transparent colour). A
/// transparent pixel is `[0, 0, 0, 0]`; every other pixel is opaque (GIF has
/// no partial transparency). With [`ReaderOptions::alpha`] turned off,
/// frames are [`PixelFormat::Rgb888`] composited over
/// [`ALPHA_BACKGROUND`](crate::convert::ALPHA_BACKGROUND) (black), which is
/// the same as dropping the alpha. [`GifReader::format`] says which.
///
/// [`GifReader::open`] reads the file's structure first, so the frame count
/// is known at once; a reader made from any [`Read`] with
/// [`GifReader::new`] learns it when it reaches the end (see
/// [`GifReader::frame_count`]).
///
/// ```
/// use std::time::Duration;
/// use camreel::gif::{GifReader, GifWriter};
/// use camreel::{Image, PixelFormat};
/// let mut w = GifWriter::new(Vec::new(), 2, 1)?;
/// let red_blue = Image::new(PixelFormat::Rgb888, 2, 1, vec![255, 0, 0, 0, 0, 255])?;
/// w.add_frame(&red_blue, Duration::from_millis(70))?;
/// w.add_frame(&red_blue, Duration::from_millis(70))?;
/// let bytes = w.into_inner()?;
///
/// let mut r = GifReader::new(&bytes[..])?;
/// assert_eq!((r.format(), r.frame_count()), (PixelFormat::Argb8, None)); // not known before the end
/// let frames = r.frames().collect::<camreel::Result<Vec<_>>>()?;
/// assert_eq!(frames[0].image.data(), &[0, 0, 255, 255, 255, 0, 0, 255]); // B, G, R, A
/// assert_eq!(frames[1].timestamp, Duration::from_millis(70));
/// assert_eq!(r.frame_count(), Some(2));
///
/// let options = camreel::gif::ReaderOptions::default().alpha(false);
/// let mut r = GifReader::with_options(&bytes[..], options)?;
/// let mut image = Image::empty();
/// r.read_frame_into(&mut image)?;
/// assert_eq!(image.data(), &[255, 0, 0, 0, 0, 255]);
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct GifReader<R: Read> {
    /// `None` for a GIF without frames.
    decoder: Option<::gif::Decoder<Counting<R>>>,
    /// What the decoder has read.
    tally: Arc<Mutex<Tally>>,
    limits: Limits,
    /// Whether frames are ARGB8 (else RGB888).
    alpha: bool,
    /// A frame's RGBA pixels, as decoded.
    rgba: Vec<u8>,
    width: u32,
    height: u32,
    /// What is shown, ARGB8 (bytes B, G, R, A; transparent pixels zero).
    canvas: Vec<u8>,
    saved: Vec<u8>,
    index: u64,
    /// When the next frame starts: the sum of the delays read so far.
    time: Duration,
    /// The structure, from a first pass ([`GifReader::open`]).
    info: Option<GifInfo>,
    /// Frames in the file, once known (from `info` or the end).
    count: Option<u64>,
}

impl<R: Read> std::fmt::Debug for GifReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GifReader")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("index", &self.index)
            .field("frame_count", &self.frame_count())
            .finish_non_exhaustive()
    }
}

impl GifReader<BufReader<File>> {
    /// Opens the GIF at `path` with the default [`ReaderOptions`] (see
    /// [`ReaderOptions::open`]: the frame count is known at once).
    ///
    /// # Errors
    /// As [`ReaderOptions::open`].
    pub fn open(path: impl AsRef<Path>) -> Result<GifReader<BufReader<File>>> {
        ReaderOptions::default().open(path)
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
        GifReader::with_options(reader, ReaderOptions::default())
    }

    /// Like [`GifReader::new`] with `options` (whose limits also cap each
    /// frame's decoded size).
    ///
    /// # Errors
    /// As [`GifReader::new`].
    pub fn with_options(reader: R, options: ReaderOptions) -> Result<GifReader<R>> {
        let (limits, alpha) = (options.limits, options.alpha);
        let mut options = decode_options();
        options.set_color_output(::gif::ColorOutput::RGBA);
        // The decoder's RGBA frame buffer counts against the per-frame limit.
        let cap = std::num::NonZeroU64::new(limits.max_bytes).unwrap_or(std::num::NonZeroU64::MIN);
        options.set_memory_limit(::gif::MemoryLimit::Bytes(cap));
        let (reader, tally) = Counting::new(reader);
        let (decoder, (width, height)) = match options.read_info(reader) {
            Ok(d) => {
                let size = (u32::from(d.width()), u32::from(d.height()));
                (Some(d), size)
            }
            Err(::gif::DecodingError::UnexpectedEof) if frameless(&tally).is_some() => {
                let (w, h, _) = frameless(&tally).unwrap_or_default();
                (None, (u32::from(w), u32::from(h)))
            }
            Err(e) => {
                return Err(decode_error(
                    "reading the gif header",
                    bytes_read(&tally),
                    e,
                ));
            }
        };
        // The canvas has 4 bytes a pixel, whatever the frames' format.
        limits
            .check(PixelFormat::Argb8, width, height)
            .map_err(|e| e.context("the gif screen"))?;
        let n = width as usize * height as usize * 4;
        Ok(GifReader {
            decoder,
            tally,
            limits,
            alpha,
            rgba: Vec::new(),
            width,
            height,
            canvas: vec![0; n],
            saved: Vec::new(),
            index: 0,
            time: Duration::ZERO,
            info: None,
            count: None,
        })
    }

    /// `(width, height)` of the screen (every frame returned has this size).
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The format of every frame returned: [`PixelFormat::Argb8`], or
    /// [`PixelFormat::Rgb888`] with [`ReaderOptions::alpha`] turned off.
    pub fn format(&self) -> PixelFormat {
        if self.alpha {
            PixelFormat::Argb8
        } else {
            PixelFormat::Rgb888
        }
    }

    /// The loop count, as [`GifInfo::loop_count`].
    pub fn loop_count(&self) -> Option<u16> {
        self.decoder
            .as_ref()
            .and_then(|d| repeat_to_loop(d.repeat()))
    }

    /// The number of frames: known from the start for a reader made by
    /// [`GifReader::open`], otherwise `None` until the last frame has been
    /// read (a GIF does not store its frame count; [`read_info`] counts the
    /// frames in a pass of its own).
    pub fn frame_count(&self) -> Option<u64> {
        self.count
            .or_else(|| self.info.as_ref().map(GifInfo::frame_count))
    }

    /// The structure of the file (every frame's delay and rectangle), for a
    /// reader made by [`GifReader::open`].
    pub fn info(&self) -> Option<&GifInfo> {
        self.info.as_ref()
    }

    /// Frames read so far.
    pub fn frames_read(&self) -> u64 {
        self.index
    }

    /// The timestamp the next frame will have: the sum of the delays of the
    /// frames read so far (after the last frame, the animation's duration).
    pub fn next_timestamp(&self) -> Duration {
        self.time
    }

    /// Decodes the next frame into `dst` (reusing its memory) and returns its
    /// sequence number (its index in the file) and timestamp (the sum of the
    /// delays before it), or `None` after the last frame.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for corrupt data, [`ErrorKind::Truncated`] for a
    /// file that ends early (the message names the frame and the byte),
    /// [`ErrorKind::InvalidFrameSize`] for a frame with a zero dimension,
    /// [`ErrorKind::LimitExceeded`] for a frame larger than the limits or
    /// once the frames so far are more work than the limits allow for the
    /// bytes read ([`Limits::check_work`]: each frame is a screen of
    /// output), I/O errors.
    pub fn read_frame_into(&mut self, dst: &mut Image) -> Result<Option<FrameInfo>> {
        let index = self.index;
        let context = || format!("gif frame {index}");
        let Some(decoder) = self.decoder.as_mut() else {
            self.count = Some(0);
            return Ok(None);
        };
        let next = decoder.next_frame_info();
        if let Some(e) = unknown_block(&self.tally, index) {
            return Err(e);
        }
        let frame = match next {
            Ok(Some(f)) => f,
            Ok(None) => {
                self.count = Some(index);
                return Ok(None);
            }
            Err(e) => return Err(decode_error(&context(), bytes_read(&self.tally), e)),
        };
        let (left, top) = (usize::from(frame.left), usize::from(frame.top));
        let fw = usize::from(frame.width);
        let fh = usize::from(frame.height);
        let delay = cs(u64::from(frame.delay));
        let dispose = frame.dispose;
        // Checked before anything is decoded: the frame's own size (its
        // RGBA pixels), and the work of all frames so far.
        let rect = format!("{fw}x{fh} frame at ({left}, {top})");
        if fw == 0 || fh == 0 {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!("{}: {rect} has a zero dimension", context()),
            ));
        }
        self.limits
            .check(PixelFormat::Argb8, frame.width.into(), frame.height.into())
            .map_err(|e| e.context(format!("{} at ({left}, {top})", context())))?;
        // Every frame is a screen of output.
        self.limits
            .check_work(index + 1, self.width, self.height, bytes_read(&self.tally))
            .map_err(|e| e.context(context()))?;
        self.rgba.resize(fw * fh * 4, 0);
        decoder
            .read_into_buffer(&mut self.rgba)
            .map_err(|e| decode_error(&context(), bytes_read(&self.tally), e))?;
        let (w, h) = (self.width as usize, self.height as usize);
        if dispose == ::gif::DisposalMethod::Previous {
            self.saved.clone_from(&self.canvas);
        }
        for (y, row) in self.rgba.chunks_exact(fw * 4).take(fh).enumerate() {
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
                    let i = (cy * w + cx) * 4;
                    self.canvas[i..i + 4].copy_from_slice(&[px[2], px[1], px[0], 255]);
                }
            }
        }
        dst.reshape(self.format(), self.width, self.height)?;
        if self.alpha {
            dst.data_mut().copy_from_slice(&self.canvas);
        } else {
            argb8_to_rgb888(&self.canvas, dst.data_mut())?;
        }
        match dispose {
            // To transparent, as browsers do.
            ::gif::DisposalMethod::Background => {
                for cy in top..(top + fh).min(h) {
                    let start = (cy * w + left.min(w)) * 4;
                    let end = (cy * w + (left + fw).min(w)) * 4;
                    self.canvas[start..end].fill(0);
                }
            }
            ::gif::DisposalMethod::Previous => std::mem::swap(&mut self.canvas, &mut self.saved),
            _ => {}
        }
        let info = FrameInfo {
            sequence: index,
            timestamp: self.time,
        };
        self.index += 1;
        self.time = self.time.saturating_add(delay);
        Ok(Some(info))
    }

    /// The remaining frames, decoded and composited, with their sequence
    /// numbers and timestamps (see [`GifReader::read_frame_into`]). The
    /// iterator ends after an error.
    pub fn frames(&mut self) -> GifFrames<'_, R> {
        GifFrames {
            reader: self,
            done: false,
        }
    }
}

/// Iterator over the frames of a [`GifReader`], made by
/// [`GifReader::frames`].
#[derive(Debug)]
pub struct GifFrames<'a, R: Read> {
    reader: &'a mut GifReader<R>,
    done: bool,
}

impl<R: Read> Iterator for GifFrames<'_, R> {
    type Item = Result<OwnedFrame>;

    fn next(&mut self) -> Option<Result<OwnedFrame>> {
        if self.done {
            return None;
        }
        let mut image = Image::empty();
        match self.reader.read_frame_into(&mut image) {
            Ok(Some(info)) => Some(Ok(OwnedFrame::new(image, info.sequence, info.timestamp))),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            return (0, Some(0));
        }
        match self.reader.frame_count() {
            Some(n) => {
                let left =
                    usize::try_from(n.saturating_sub(self.reader.index)).unwrap_or(usize::MAX);
                (0, Some(left))
            }
            None => (0, None),
        }
    }
}

impl<R: Read> FusedIterator for GifFrames<'_, R> {}
