//! [`GifWriter`]: frames in, GIF89a out, each frame shown for its delay in
//! centiseconds with the rounding carried from frame to frame.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use super::compress::{Compressor, Data};
use super::encode::{self, Channels, FrameEncoder};
use super::quantize::Rgb;
use super::{GifOptions, PaletteMode};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::image::{Image, ImageRef, PixelFormat};
use crate::sink::{self, FrameSink, IntoInnerError};
use crate::timing::{Ticks, Timeline};

/// The shortest delay written, in centiseconds: browsers show shorter ones
/// (0 and 1) as 10 cs.
const MIN_DELAY_CS: u64 = 2;

/// The GIF trailer byte.
const TRAILER: u8 = 0x3B;

/// Where the delay of a frame's graphic control extension is, from the
/// frame's first byte (`21 F9 04 flags delay_lo delay_hi ...`; the `gif`
/// encoder writes the extension before every frame).
const DELAY_OFFSET: u64 = 4;

/// Moves a seekable output's position by a signed offset.
type SeekBy<W> = fn(&mut W, i64) -> io::Result<()>;

fn seek_by<W: Seek>(w: &mut W, offset: i64) -> io::Result<()> {
    w.seek(SeekFrom::Current(offset)).map(drop)
}

/// The output, counting the bytes that reach it. While the trailer is
/// written (`hold` set) bytes are kept instead, so that the `gif` encoder,
/// which drops the writer if its last write fails, cannot lose it: they
/// reach the output in [`Counted::release`], which can be retried.
struct Counted<W> {
    inner: W,
    bytes: u64,
    hold: Option<Vec<u8>>,
    /// For a seekable output: how to move back to patch a delay or to
    /// overwrite a provisional trailer.
    seek: Option<SeekBy<W>>,
}

impl<W: Write> Counted<W> {
    /// Overwrites the bytes `back` bytes before the end of what was written
    /// with `bytes`, and returns to the end (seekable outputs only).
    fn patch(&mut self, back: u64, bytes: &[u8]) -> io::Result<()> {
        let Some(seek) = self.seek else {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the output cannot seek",
            ));
        };
        let back = i64::try_from(back).map_err(io::Error::other)?;
        let len = i64::try_from(bytes.len()).map_err(io::Error::other)?;
        seek(&mut self.inner, -back)?;
        self.inner.write_all(bytes)?;
        seek(&mut self.inner, back - len)
    }

    /// Writes a trailer after what was written and flushes, then moves back
    /// over it, so the file is a complete GIF until the next frame
    /// overwrites the trailer (seekable outputs; others are only flushed).
    fn provisional_trailer(&mut self) -> io::Result<()> {
        if let Some(seek) = self.seek {
            self.inner.write_all(&[TRAILER])?;
            self.inner.flush()?;
            seek(&mut self.inner, -1)?;
        }
        self.inner.flush()
    }

    /// Writes the held bytes and flushes.
    fn release(&mut self) -> std::io::Result<()> {
        if let Some(held) = &self.hold {
            self.inner.write_all(held)?;
            self.bytes += held.len() as u64;
            self.hold = None;
        }
        self.inner.flush()
    }
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(held) = &mut self.hold {
            held.extend_from_slice(buf);
            return Ok(buf.len());
        }
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.hold.is_some() {
            return Ok(());
        }
        self.inner.flush()
    }
}

/// Writes an animated GIF, frame by frame.
///
/// Start one with [`GifWriter::create`] (a file), [`GifWriter::new`] (any
/// [`Write`]) or with options ([`GifOptions::create`],
/// [`GifWriter::with_options`]); each writes the header. Then add frames:
/// [`FrameSink::write_frame`] (a [`Frame`]: each frame is shown until the
/// next one's timestamp) or [`GifWriter::add_frame`] (an image and how long
/// to show it). Finish with [`FrameSink::finish`] or
/// [`GifWriter::into_inner`] (which also returns the writer); dropping the
/// writer writes the trailer best-effort, ignoring errors.
///
/// GIF delays are whole centiseconds. Every way of adding frames rounds the
/// time so far, not each delay, so the delays add up to the true time (30
/// fps is 3, 4, 3, 3, 4, 3... cs), and writes at least 2 cs, since browsers
/// show shorter delays as 10 cs. A delay longer than the longest GIF delay
/// (65535 cs, about 11 minutes) is shown for that long, and the rest of it
/// is dropped rather than carried into the frames after it.
///
/// When the machine has more than one core, large frames (64K pixels or
/// more to redraw) are LZW-compressed on a helper thread (one per writer)
/// while the next frame is mapped to its palette: such a frame reaches the
/// output during the call that adds the next frame, or in
/// [`GifWriter::sync`], [`FrameSink::finish`] or [`GifWriter::into_inner`],
/// and an error writing it is reported there, naming the frame (a panic of
/// the helper is an [`ErrorKind::Io`] error). The output is the same either
/// way.
///
/// ```
/// use std::time::Duration;
/// use camreel::gif::{GifWriter, read_info};
/// use camreel::{Image, PixelFormat};
///
/// let mut gif = GifWriter::new(Vec::new(), 8, 8)?;
/// let frame = Image::zeroed(PixelFormat::Grayscale, 8, 8)?;
/// // 30 fps: 33.3 ms a frame, written as 3, 4, 3 cs = exactly 100 ms.
/// for _ in 0..3 {
///     gif.add_frame(&frame, Duration::from_nanos(33_333_333))?;
/// }
/// assert_eq!(gif.frames(), 3);
/// let info = read_info(&gif.into_inner()?[..])?;
/// let delays: Vec<u16> = info.frames.iter().map(|f| f.delay_cs).collect();
/// assert_eq!(delays, [3, 4, 3]);
/// assert_eq!(info.duration(), Duration::from_millis(100));
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct GifWriter<W: Write> {
    /// `None` once finished (the trailer is written; `output` has the writer).
    encoder: Option<::gif::Encoder<Counted<W>>>,
    output: Option<Counted<W>>,
    /// The last frame taken, not yet in the file: written as a
    /// [`FrameSink`] (its delay is the time until the next frame's
    /// timestamp), or being compressed on the helper thread.
    pending: Option<Pending>,
    /// The last frame in the file, when [`FrameSink::sync`] wrote it before
    /// its delay was known: shown for a provisional delay until the next
    /// frame's timestamp gives the real one.
    provisional: Option<Provisional>,
    /// Timestamps of the frames written as a [`FrameSink`].
    timeline: Timeline,
    /// The display time asked for so far (delays given, intervals between
    /// timestamps) and the centiseconds written for it: each delay is the
    /// rounded total minus what was written, so rounding never accumulates.
    requested: Duration,
    written_cs: u64,
    width: u32,
    height: u32,
    options: GifOptions,
    frames: FrameEncoder,
    work: Vec<Rgb>,
    /// Intermediate frames, kept to reuse their memory.
    decoded: Image,
    converted: Image,
    fitted: Image,
    resizer: crate::geometry::Resizer,
    /// LZW compression, on a helper thread for large frames.
    lzw: Compressor,
    /// Frames in the file.
    count: u64,
}

/// A frame mapped to palette indices.
struct Mapped {
    /// Its header; `buffer` is empty.
    frame: ::gif::Frame<'static>,
    indices: Vec<u8>,
}

/// A frame taken but not yet in the file.
struct Pending {
    /// Its header; `buffer` is empty (the compressed data is `data`).
    frame: ::gif::Frame<'static>,
    data: Data,
    /// How long it is shown, as given to [`GifWriter::add_frame`]; `None`
    /// for a [`FrameSink`] frame, held back until the next timestamp.
    delay: Option<Duration>,
}

/// A frame written with a provisional delay (see [`GifWriter::sync`]).
#[derive(Clone, Copy, Debug)]
struct Provisional {
    /// Where its delay field is: bytes from the start of the output.
    delay_at: u64,
    /// The centiseconds written there.
    cs: u64,
}

impl<W: Write> std::fmt::Debug for GifWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GifWriter")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("options", &self.options)
            .field("frames", &self.frames())
            .field("bytes", &self.bytes())
            .field("held_back", &self.pending.is_some())
            .finish_non_exhaustive()
    }
}

fn gif_error(context: impl Into<String>, e: ::gif::EncodingError) -> Error {
    match e {
        ::gif::EncodingError::Io(io) => Error::io(context, io),
        other => Error::with_source(ErrorKind::Format, context, other),
    }
}

impl GifWriter<BufWriter<File>> {
    /// Creates (or truncates) the file at `path` for a looping,
    /// adaptive-palette colour GIF of `width` x `height` and writes the
    /// header (see [`GifOptions::create`] for other options).
    ///
    /// # Errors
    /// As [`GifWriter::new`]; [`ErrorKind::Io`] naming the path if it cannot
    /// be created.
    pub fn create(
        path: impl AsRef<Path>,
        width: u32,
        height: u32,
    ) -> Result<GifWriter<BufWriter<File>>> {
        GifOptions::default().create(path, width, height)
    }
}

impl<W: Write + Seek> GifWriter<W> {
    /// A GIF of `width` x `height` with `options` written to a seekable
    /// `writer` (a file): as [`GifWriter::with_options`], and
    /// [`GifWriter::sync`] leaves a complete file (a provisional trailer, the
    /// delay of the last frame patched in place when the next one comes).
    ///
    /// # Errors
    /// As [`GifWriter::with_options`].
    pub fn seekable(
        writer: W,
        width: u32,
        height: u32,
        options: GifOptions,
    ) -> Result<GifWriter<W>> {
        let mut gif = GifWriter::with_options(writer, width, height, options)?;
        gif.encoder()?.get_mut().seek = Some(seek_by::<W>);
        Ok(gif)
    }
}

impl<W: Write> GifWriter<W> {
    /// A looping, adaptive-palette colour GIF of `width` x `height` written
    /// to `writer`; writes the header.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] for a zero dimension,
    /// [`ErrorKind::LimitExceeded`] above 65535 (GIF's limit) or the
    /// [`Limits`](crate::Limits); I/O errors from `writer`.
    pub fn new(writer: W, width: u32, height: u32) -> Result<GifWriter<W>> {
        GifWriter::with_options(writer, width, height, GifOptions::default())
    }

    /// A GIF of `width` x `height` with `options`, written to `writer`;
    /// writes the header.
    ///
    /// # Errors
    /// As [`GifWriter::new`], with the options' [`GifOptions::limits`].
    pub fn with_options(
        writer: W,
        width: u32,
        height: u32,
        options: GifOptions,
    ) -> Result<GifWriter<W>> {
        options.limits.check(PixelFormat::Rgb888, width, height)?;
        let (w16, h16) = match (u16::try_from(width), u16::try_from(height)) {
            (Ok(w), Ok(h)) => (w, h),
            _ => {
                return Err(Error::new(
                    ErrorKind::LimitExceeded,
                    format!("{width}x{height} is larger than a GIF can be (65535x65535)"),
                ));
            }
        };
        let channels = if options.grayscale {
            Channels::Gray
        } else {
            Channels::Color
        };
        let global: Vec<u8> = match (options.palette, channels) {
            (PaletteMode::Fixed, Channels::Color) => encode::fixed_color_table(),
            (PaletteMode::Fixed, Channels::Gray) => encode::fixed_gray_table(),
            (PaletteMode::Adaptive, _) => Vec::new(),
        };
        let output = Counted {
            inner: writer,
            bytes: 0,
            hold: None,
            seek: None,
        };
        let mut encoder = ::gif::Encoder::new(output, w16, h16, &global)
            .map_err(|e| gif_error("writing the GIF header", e))?;
        if options.looping {
            encoder
                .set_repeat(::gif::Repeat::Infinite)
                .map_err(|e| gif_error("writing the loop extension", e))?;
        }
        let frames = FrameEncoder::new(
            width as usize,
            height as usize,
            channels,
            options.palette,
            options.dither,
            options.inter_frame,
            options.lossy,
        );
        Ok(GifWriter {
            encoder: Some(encoder),
            output: None,
            pending: None,
            provisional: None,
            timeline: options
                .frame_rate
                .map_or_else(Timeline::new, Timeline::with_rate),
            requested: Duration::ZERO,
            written_cs: 0,
            width,
            height,
            options,
            frames,
            work: Vec::new(),
            decoded: Image::empty(),
            converted: Image::empty(),
            fitted: Image::empty(),
            resizer: crate::geometry::Resizer::new(),
            lzw: Compressor::new(),
            count: 0,
        })
    }

    /// The LZW compressor (tests: to choose when the helper thread is used).
    #[cfg(test)]
    pub(super) fn compressor(&mut self) -> &mut Compressor {
        &mut self.lzw
    }

    /// The options the writer was created with.
    pub fn options(&self) -> GifOptions {
        self.options
    }

    /// `(width, height)` of the animation.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Frames taken so far: those in the file and the one not yet in it
    /// (the [`FrameSink`] implementation holds a frame back until it knows
    /// its delay; a large frame waits for its compression, see
    /// [`GifWriter`]).
    pub fn frames(&self) -> u64 {
        self.count + u64::from(self.pending.is_some())
    }

    /// Bytes that reached the underlying writer so far (the trailer
    /// included once finished).
    pub fn bytes(&self) -> u64 {
        self.counted().bytes
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.counted().inner
    }

    fn counted(&self) -> &Counted<W> {
        match (&self.encoder, &self.output) {
            (Some(e), _) => e.get_ref(),
            (None, Some(out)) => out,
            // Finishing moves the writer from the encoder to `output`, and
            // only `into_inner` takes it from there, consuming `self`.
            (None, None) => unreachable!("a GifWriter always holds its writer"),
        }
    }

    /// The encoder, unless the writer is finished.
    fn encoder(&mut self) -> Result<&mut ::gif::Encoder<Counted<W>>> {
        self.encoder
            .as_mut()
            .ok_or_else(|| sink::finished("the gif writer"))
    }

    /// Appends a frame shown for `delay` (OpenMV's `add_frame(img,
    /// delay=...)`, whose centiseconds are `Duration::from_millis(10 *
    /// delay)` here), rounded to centiseconds with the rounding carried to
    /// the next frame (see [`GifWriter`]).
    ///
    /// A frame of another size is letterboxed into the writer's size; any
    /// pixel format is converted (see the [module docs](super)).
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for a JPEG or PNG frame that does not decode,
    /// [`ErrorKind::UnsupportedFormat`] / [`ErrorKind::LimitExceeded`] from
    /// the conversion, I/O errors from the writer (for a large frame, while
    /// writing the frame before it: see [`GifWriter`]),
    /// [`ErrorKind::Finished`] once the writer is finished. A refused frame
    /// writes nothing: the writer stays usable.
    pub fn add_frame<'a>(&mut self, image: impl Into<ImageRef<'a>>, delay: Duration) -> Result<()> {
        let mapped = self.encode_frame(image.into())?;
        if let Err(e) = self.flush_held() {
            self.lzw.recycle_indices(mapped.indices);
            return Err(e);
        }
        self.push(mapped, Some(delay))
    }

    /// Loads `image` and maps it to palette indices (a frame of delay 0).
    fn encode_frame(&mut self, image: ImageRef<'_>) -> Result<Mapped> {
        self.encoder()?;
        let index = self.frames();
        self.load(image)
            .map_err(|e| e.context(format!("gif frame {index}")))?;
        let mut indices = self.lzw.indices_buffer();
        let lzw = &mut self.lzw;
        // The previous frame is compressed on the helper thread, if it has
        // one, during this frame's single-threaded mapping pass.
        let encoded = self.frames.encode(&self.work, || lzw.release());
        debug_assert_eq!(
            encoded.indices.len(),
            usize::from(encoded.width) * usize::from(encoded.height)
        );
        indices.extend_from_slice(encoded.indices);
        let frame = ::gif::Frame {
            delay: 0,
            dispose: ::gif::DisposalMethod::Keep,
            transparent: encoded.transparent,
            needs_user_input: false,
            top: encoded.top,
            left: encoded.left,
            width: encoded.width,
            height: encoded.height,
            interlaced: false,
            palette: encoded.palette,
            buffer: Cow::Borrowed(&[]),
        };
        Ok(Mapped { frame, indices })
    }

    /// Starts compressing `mapped` and makes it the pending frame, or, when
    /// it was compressed on this thread and its `delay` is known, writes it.
    fn push(&mut self, mapped: Mapped, delay: Option<Duration>) -> Result<()> {
        let pending = Pending {
            frame: mapped.frame,
            data: self.lzw.start(mapped.indices),
            delay,
        };
        match (&pending.data, delay) {
            (Data::Ready(_), Some(delay)) => self.write_pending(pending, delay),
            _ => {
                self.pending = Some(pending);
                Ok(())
            }
        }
    }

    /// The frame of `pending` with its compressed data (waited for if it
    /// is on the helper thread).
    fn ready(&mut self, pending: Pending) -> Result<::gif::Frame<'static>> {
        let data = match pending.data {
            Data::Ready(data) => data,
            Data::InFlight => self
                .lzw
                .wait()
                .map_err(|e| Error::io(format!("compressing gif frame {}", self.count), e))?,
        };
        let mut frame = pending.frame;
        frame.buffer = Cow::Owned(data);
        Ok(frame)
    }

    /// Takes back the compressed data of a written frame.
    fn recycle(&mut self, frame: &mut ::gif::Frame<'static>) {
        if let Cow::Owned(data) = std::mem::take(&mut frame.buffer) {
            self.lzw.recycle(data);
        }
    }

    /// Writes `pending` shown for `delay` (see [`GifWriter::write_timed`]).
    fn write_pending(&mut self, pending: Pending, delay: Duration) -> Result<()> {
        let mut frame = self.ready(pending)?;
        let written = self.write_timed(&mut frame, delay);
        self.recycle(&mut frame);
        written
    }

    /// Writes `frame` shown for `delay`: the rounded total time minus the
    /// centiseconds already written, at least [`MIN_DELAY_CS`], capped at
    /// the largest GIF delay.
    fn write_timed(&mut self, frame: &mut ::gif::Frame<'_>, delay: Duration) -> Result<()> {
        let (requested, cs) = self.delay_cs(delay);
        self.write_encoded(frame, cs)?;
        self.requested = requested;
        // The delay before it was capped: the part of a longer delay that
        // no GIF delay can hold is not owed to the next frames.
        self.written_cs += cs;
        Ok(())
    }

    /// The display time asked for after a frame shown for `delay`, and the
    /// centiseconds to write for it: the rounded total time minus the
    /// centiseconds already written, at least [`MIN_DELAY_CS`].
    fn delay_cs(&self, delay: Duration) -> (Duration, u64) {
        let requested = self.requested.saturating_add(delay);
        let target = Ticks::new(Ticks::CENTIS).units(requested);
        let cs = target.saturating_sub(self.written_cs).max(MIN_DELAY_CS);
        (requested, cs)
    }

    /// Writes `frame` (its `buffer` LZW-compressed, see [`Compressor`])
    /// with a delay of `cs` centiseconds (capped at the largest GIF delay);
    /// returns where the frame starts.
    fn write_encoded(&mut self, frame: &mut ::gif::Frame<'_>, cs: u64) -> Result<u64> {
        frame.delay = u16::try_from(cs).unwrap_or(u16::MAX);
        let index = self.count;
        let encoder = self.encoder()?;
        let start = encoder.get_ref().bytes;
        encoder
            .write_lzw_pre_encoded_frame(frame)
            .map_err(|e| gif_error(format!("writing gif frame {index}"), e))?;
        self.count += 1;
        Ok(start)
    }

    /// Writes the pending frame, shown for its own delay or, if held back,
    /// for `delay`, or gives the frame written with a provisional delay its
    /// real one.
    fn write_held(&mut self, delay: Duration) -> Result<()> {
        if let Some(pending) = self.pending.take() {
            let delay = pending.delay.unwrap_or(delay);
            self.write_pending(pending, delay)?;
        } else if let Some(p) = self.provisional.take() {
            let (requested, cs) = self.delay_cs(delay);
            let encoder = self.encoder()?;
            let out = encoder.get_mut();
            // A seekable output gets the real delay; otherwise the
            // provisional one stays, and the rounding carried to the next
            // frames makes up the difference.
            let cs = if out.seek.is_some() {
                let delay = u16::try_from(cs).unwrap_or(u16::MAX).to_le_bytes();
                out.patch(out.bytes - p.delay_at, &delay).map_err(|e| {
                    Error::io(
                        format!("writing the delay of gif frame {}", self.count - 1),
                        e,
                    )
                })?;
                cs
            } else {
                p.cs
            };
            self.requested = requested;
            self.written_cs += cs;
        }
        Ok(())
    }

    /// Writes the pending frame: a held-back one for the last frame's
    /// duration (see [`Timeline::last_frame_duration`]).
    fn flush_held(&mut self) -> Result<()> {
        self.write_held(self.timeline.last_frame_duration())
    }

    /// Puts every frame taken in the output and flushes it (a frame left to
    /// the helper thread is waited for): the frame held back for its delay
    /// is written with a provisional one (the last frame's duration, see
    /// [`Timeline::last_frame_duration`]). On a seekable output
    /// ([`GifWriter::seekable`], files from [`GifWriter::create`]) a
    /// trailer follows, so the file is a complete GIF, and the next frame
    /// overwrites the trailer and patches the delay in place; on others the
    /// delay stays and the difference is carried into the next frames'
    /// delays.
    ///
    /// # Errors
    /// I/O errors from the writer (or [`ErrorKind::Io`] if the compression
    /// thread panicked); [`ErrorKind::Finished`] once finished.
    pub fn sync(&mut self) -> Result<()> {
        if let Some(pending) = self.pending.take() {
            let delay = pending.delay;
            let mut frame = self.ready(pending)?;
            let written = match delay {
                Some(delay) => self.write_timed(&mut frame, delay),
                None => {
                    let (_, cs) = self.delay_cs(self.timeline.last_frame_duration());
                    self.write_encoded(&mut frame, cs).map(|start| {
                        self.provisional = Some(Provisional {
                            delay_at: start + DELAY_OFFSET,
                            cs,
                        });
                    })
                }
            };
            if let Err(e) = written {
                // Kept to be written again.
                let data = match std::mem::take(&mut frame.buffer) {
                    Cow::Owned(data) => data,
                    Cow::Borrowed(data) => data.to_vec(),
                };
                self.pending = Some(Pending {
                    frame,
                    data: Data::Ready(data),
                    delay,
                });
                return Err(e);
            }
            self.recycle(&mut frame);
        }
        self.encoder()?
            .get_mut()
            .provisional_trailer()
            .map_err(|e| Error::io("flushing the gif", e))
    }

    /// Brings `image` into the RGB work buffer: decoded if JPEG/PNG,
    /// converted to RGB888 (or GRAYSCALE for a grayscale writer), fitted into
    /// the writer's size with letterbox bars if its size differs.
    fn load(&mut self, image: ImageRef<'_>) -> Result<()> {
        let mut image = image;
        if image.format().is_compressed() {
            crate::codec::decode_with_limits(image, &self.options.limits, &mut self.decoded)?;
            image = self.decoded.view();
        }
        let want = if self.options.grayscale {
            PixelFormat::Grayscale
        } else {
            PixelFormat::Rgb888
        };
        if image.format() != want && image.format() != PixelFormat::Grayscale {
            crate::convert::convert_into(image, want, &mut self.converted)?;
            image = self.converted.view();
        }
        if image.size() != (self.width, self.height) {
            self.resizer.fit_into(
                image,
                self.width,
                self.height,
                crate::geometry::Filter::Bilinear,
                &mut self.fitted,
            )?;
            image = self.fitted.view();
        }
        self.work.clear();
        self.work
            .reserve(self.width as usize * self.height as usize);
        for row in image.rows() {
            match image.format() {
                PixelFormat::Rgb888 => {
                    self.work
                        .extend(row.chunks_exact(3).map(|p| [p[0], p[1], p[2]]));
                }
                PixelFormat::Grayscale => self.work.extend(row.iter().map(|&v| [v, v, v])),
                other => {
                    // Unreachable: everything was converted above.
                    return Err(Error::new(
                        ErrorKind::UnsupportedFormat,
                        format!("{other} frames cannot be written to a gif"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Writes the last frame and the trailer and returns the writer.
    ///
    /// A GIF with no frames is still written (header, trailer), but many
    /// viewers refuse to open it.
    ///
    /// # Errors
    /// I/O errors from the writer, with this writer.
    pub fn into_inner(mut self) -> Result<W, IntoInnerError<GifWriter<W>>> {
        if let Err(e) = FrameSink::finish(&mut self) {
            return Err(IntoInnerError::new(e, self));
        }
        match self.output.take() {
            Some(w) => Ok(w.inner),
            None => Err(IntoInnerError::new(sink::finished("the gif writer"), self)),
        }
    }
}

/// Shows each frame until the next frame's timestamp: a frame is held back
/// until the next one arrives (or `finish`), then written with that delay
/// in centiseconds, rounded so the delays add up to the true time (at least
/// 2 cs, as browsers show shorter delays as 10 cs). The last frame is shown
/// for the nominal interval ([`GifOptions::frame_rate`]) or the mean of the
/// earlier ones. `sync` puts the held frame in the file with a provisional
/// delay and flushes (see [`GifWriter::sync`]). `finish` writes the last
/// frame and the trailer; later frames fail with [`ErrorKind::Finished`].
///
/// ```
/// use std::time::Duration;
/// use camreel::frame::Frame;
/// use camreel::gif::{GifWriter, read_info};
/// use camreel::sink::FrameSink;
/// use camreel::{Image, PixelFormat};
///
/// let image = Image::zeroed(PixelFormat::Rgb888, 8, 8)?;
/// let mut gif = GifWriter::new(Vec::new(), 8, 8)?;
/// for i in 0..3u32 {
///     gif.write_frame(&Frame::new(image.view(), i.into(), Duration::from_millis(250) * i))?;
/// }
/// let info = read_info(&gif.into_inner()?[..])?;
/// let delays: Vec<u16> = info.frames.iter().map(|f| f.delay_cs).collect();
/// assert_eq!(delays, [25, 25, 25]);
/// # Ok::<(), camreel::Error>(())
/// ```
impl<W: Write> FrameSink for GifWriter<W> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        let mapped = self.encode_frame(frame.image)?;
        let interval = self.timeline.push(frame.timestamp);
        if let Err(e) = self.write_held(interval) {
            self.lzw.recycle_indices(mapped.indices);
            return Err(e);
        }
        self.push(mapped, None)
    }

    fn sync(&mut self) -> Result<()> {
        GifWriter::sync(self)
    }

    fn finish(&mut self) -> Result<()> {
        if self.encoder.is_some() {
            self.flush_held()?;
        }
        if let Some(mut encoder) = self.encoder.take() {
            // No more frames: the helper thread, if any, ends.
            self.lzw.stop();
            encoder.get_mut().hold = Some(Vec::new());
            // Writes the trailer into `hold`, which cannot fail.
            let output = encoder
                .into_inner()
                .map_err(|e| gif_error("writing the gif trailer", e))?;
            self.output = Some(output);
        }
        match &mut self.output {
            Some(out) => out
                .release()
                .map_err(|e| Error::io("writing the gif trailer", e)),
            None => Ok(()),
        }
    }
}

impl<W: Write> Drop for GifWriter<W> {
    /// Writes the pending frame; the encoder writes the trailer, and the
    /// helper thread, if any, ends. Errors are ignored; never panics.
    fn drop(&mut self) {
        if self.encoder.is_some() {
            let _ = self.flush_held();
        }
    }
}
