//! Animated GIF writer: OpenMV's `gif` module, with real compression.
//!
//! [`GifWriter`] writes a GIF89a animation to any [`Write`]: a fixed
//! width and height, frames with a delay in centiseconds (OpenMV's
//! `add_frame(img, delay=10)`) or a recorded interval in milliseconds, and the
//! NETSCAPE2.0 loop extension unless looping is turned off.
//!
//! ```
//! use camreel::gif::GifWriter;
//! use camreel::{Image, PixelFormat};
//!
//! let mut gif = GifWriter::new(Vec::new(), 32, 24)?;
//! for i in 0..10u8 {
//!     let mut frame = Image::zeroed(PixelFormat::Rgb888, 32, 24)?;
//!     frame.data_mut()[..96].fill(i * 25); // a bar that brightens
//!     gif.add_frame(&frame, 10)?;           // 10 cs = 100 ms
//! }
//! let bytes = gif.finish()?;
//! assert_eq!(&bytes[..6], b"GIF89a");
//! # Ok::<(), camreel::Error>(())
//! ```
//!
//! # Palettes
//!
//! * [`PaletteMode::Adaptive`] (the default) builds a palette of up to 256
//!   colours for every frame with Wu's quantiser refined by a k-means pass,
//!   computed only from the pixels the frame has to redraw; a frame with at
//!   most 255 distinct colours is stored exactly. Grayscale frames get up to
//!   255 exact gray levels. (A palette per frame was chosen by measurement:
//!   on the shared bench's noisy 320x240 camera sequence, reusing the first
//!   frame's palette for all frames cost 2.7 dB of mean PSNR for 3 % fewer
//!   bytes.)
//! * [`PaletteMode::Fixed`] uses OpenMV's fixed 7-bit palette (RGB232:
//!   2 bits red, 3 green, 2 blue; grayscale: 128 levels) as one global table,
//!   and writes every frame whole, like OpenMV's `gif.c`, but LZW-compressed
//!   (OpenMV emits a clear code every 126 pixels and never compresses). Pixels
//!   map to the nearest palette colour (OpenMV truncates).
//!
//! Both accept [`Dither::Ordered`] (an 8x8 Bayer matrix) or
//! [`Dither::ErrorDiffusion`] (Floyd-Steinberg).
//!
//! # Inter-frame optimisation
//!
//! In adaptive mode (unless [`GifOptions::inter_frame`] is turned off) every
//! frame after the first uses disposal "keep": a pixel whose currently shown
//! colour is at least as close to the new source pixel as the best palette
//! colour (or within a small threshold of it) becomes the transparent index,
//! and the frame is cropped to the bounding box of the pixels that are
//! redrawn. A pixel whose source did not change at all keeps what the last
//! frame showed, so a still scene settles to a few dozen bytes per frame. The
//! comparison is always against what a decoder shows, so errors do not
//! accumulate from frame to frame.
//!
//! Without dithering, [`GifOptions::lossy`] lets a pixel take a slightly
//! worse colour when that repeats its left neighbour or continues the string
//! the LZW encoder is matching (the encoder's dictionary is modelled exactly,
//! as gifsicle's "lossy" mode does); the compressed bytes themselves always
//! come from the `gif` crate's LZW encoder.
//!
//! # Speed
//!
//! Large frames use a second thread (when the machine has more than one
//! core) for the change survey and the palette search; the output does not
//! depend on it. See `scripts/gif_compare.sh` and `benches/gif.rs`.
//!
//! # Frame sizes and formats
//!
//! Any pixel format is accepted: JPEG and PNG frames are decoded
//! ([`crate::codec`]) and the others converted to RGB888, or to GRAYSCALE for
//! a grayscale writer ([`crate::convert`]). A frame of another size than the
//! writer's is scaled to fit, keeping its aspect ratio, centred between black
//! bars (letterbox, [`crate::geometry::fit`] with bilinear filtering), as
//! the MJPEG writer does.

mod encode;
mod quantize;
mod read;

pub use read::{GifFrameInfo, GifInfo, GifReader, read_info};

use std::io::Write;

use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::image::{Image, ImageRef, Limits, PixelFormat};
use crate::sink::{FrameSink, IntoInnerError};
use crate::timing::{FrameRate, Ticks, Timeline};

use encode::{Channels, FrameEncoder};
use quantize::Rgb;

/// How frames are reduced to 256 colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PaletteMode {
    /// A palette per frame fitted to the frame's colours (the default).
    #[default]
    Adaptive,
    /// OpenMV's fixed 7-bit palette (RGB232, or 128 gray levels).
    Fixed,
}

/// Dithering applied when mapping pixels to the palette.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Dither {
    /// Nearest palette colour (the default).
    #[default]
    None,
    /// Ordered dithering with an 8x8 Bayer matrix.
    Ordered,
    /// Floyd-Steinberg error diffusion.
    ErrorDiffusion,
}

/// Options of a [`GifWriter`].
///
/// ```
/// use camreel::gif::{Dither, GifOptions, PaletteMode};
/// let o = GifOptions::new().looping(false).grayscale(true).dither(Dither::Ordered);
/// assert!(!o.is_looping() && o.is_grayscale());
/// assert_eq!(o.palette_mode(), PaletteMode::Adaptive);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct GifOptions {
    looping: bool,
    grayscale: bool,
    palette: PaletteMode,
    dither: Dither,
    inter_frame: bool,
    lossy: u16,
    frame_rate: Option<FrameRate>,
}

impl Default for GifOptions {
    fn default() -> GifOptions {
        GifOptions {
            looping: true,
            grayscale: false,
            palette: PaletteMode::Adaptive,
            dither: Dither::None,
            inter_frame: true,
            lossy: GifOptions::DEFAULT_LOSSY,
            frame_rate: None,
        }
    }
}

impl GifOptions {
    /// The defaults: looping, colour, adaptive palette, no dithering,
    /// inter-frame optimisation on.
    pub fn new() -> GifOptions {
        GifOptions::default()
    }

    /// Whether viewers loop the animation forever (the NETSCAPE2.0
    /// extension). Default `true`, as in OpenMV.
    pub fn looping(mut self, looping: bool) -> GifOptions {
        self.looping = looping;
        self
    }

    /// Grayscale output (frames are converted to luma). Default `false`.
    pub fn grayscale(mut self, grayscale: bool) -> GifOptions {
        self.grayscale = grayscale;
        self
    }

    /// The palette mode. Default [`PaletteMode::Adaptive`].
    pub fn palette(mut self, palette: PaletteMode) -> GifOptions {
        self.palette = palette;
        self
    }

    /// The dithering. Default [`Dither::None`].
    pub fn dither(mut self, dither: Dither) -> GifOptions {
        self.dither = dither;
        self
    }

    /// Inter-frame optimisation (transparency + cropping) in adaptive mode.
    /// Default `true`; fixed mode always writes whole frames.
    pub fn inter_frame(mut self, inter_frame: bool) -> GifOptions {
        self.inter_frame = inter_frame;
        self
    }

    /// How much fidelity the adaptive mode may trade for size: the extra
    /// squared RGB error (summed over the three channels) a pixel may take to
    /// repeat its left neighbour's choice (twice this) or to continue the
    /// current LZW string (this), as gifsicle's "lossy" option does. 0 turns
    /// it off (best fidelity, larger files); the default,
    /// [`GifOptions::DEFAULT_LOSSY`], keeps the mean PSNR near 39 dB on noisy
    /// camera content. Ignored with dithering (it would erase the pattern)
    /// and in fixed mode.
    pub fn lossy(mut self, lossy: u16) -> GifOptions {
        self.lossy = lossy;
        self
    }

    /// The recording's nominal rate: how long the last frame written as a
    /// [`FrameSink`] is shown. Default: none (the mean of the earlier
    /// intervals).
    pub fn frame_rate(mut self, rate: FrameRate) -> GifOptions {
        self.frame_rate = Some(rate);
        self
    }

    /// The nominal rate, if set.
    pub fn nominal_rate(&self) -> Option<FrameRate> {
        self.frame_rate
    }

    /// The default of [`GifOptions::lossy`].
    pub const DEFAULT_LOSSY: u16 = 36;

    /// The lossiness level.
    pub fn lossy_level(&self) -> u16 {
        self.lossy
    }

    /// Whether the animation loops.
    pub fn is_looping(&self) -> bool {
        self.looping
    }

    /// Whether the output is grayscale.
    pub fn is_grayscale(&self) -> bool {
        self.grayscale
    }

    /// The palette mode.
    pub fn palette_mode(&self) -> PaletteMode {
        self.palette
    }

    /// The dithering.
    pub fn dither_mode(&self) -> Dither {
        self.dither
    }

    /// Whether inter-frame optimisation is on.
    pub fn is_inter_frame(&self) -> bool {
        self.inter_frame
    }
}

/// Writes an animated GIF, frame by frame.
///
/// Call order: [`GifWriter::new`] or [`GifWriter::with_options`] (writes the
/// header), any number of [`GifWriter::add_frame`] /
/// [`GifWriter::add_frame_ms`], then [`GifWriter::finish`] (writes the
/// trailer and returns the writer). Dropping the writer without `finish`
/// writes the trailer best-effort, ignoring errors.
pub struct GifWriter<W: Write> {
    /// `None` once finished (the trailer is written; `output` has the writer).
    encoder: Option<::gif::Encoder<W>>,
    output: Option<W>,
    /// The last frame written as a [`FrameSink`], not yet in the file: its
    /// delay is the time until the next frame's timestamp.
    held: Option<::gif::Frame<'static>>,
    /// Timestamps of the frames written as a [`FrameSink`].
    timeline: Timeline,
    /// Centiseconds of the held-back frames already written, from the first
    /// timestamp.
    timed_cs: u64,
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
    count: u64,
    /// Milliseconds given to `add_frame_ms` so far, and centiseconds written
    /// for them, to carry the rounding error forward.
    total_ms: u64,
    total_cs: u64,
}

impl<W: Write> std::fmt::Debug for GifWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GifWriter")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("options", &self.options)
            .field("frames", &self.count)
            .field("held_back", &self.held.is_some())
            .finish()
    }
}

fn gif_error(context: impl Into<String>, e: ::gif::EncodingError) -> Error {
    match e {
        ::gif::EncodingError::Io(io) => Error::io(context, io),
        other => Error::with_source(ErrorKind::Format, context, other),
    }
}

impl<W: Write> GifWriter<W> {
    /// A looping, adaptive-palette colour GIF of `width` x `height`; writes
    /// the header.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] for a zero dimension,
    /// [`ErrorKind::LimitExceeded`] above 65535 (GIF's limit) or the default
    /// [`Limits`]; I/O errors from `writer`.
    pub fn new(writer: W, width: u32, height: u32) -> Result<GifWriter<W>> {
        GifWriter::with_options(writer, width, height, GifOptions::default())
    }

    /// A GIF of `width` x `height` with `options`; writes the header.
    ///
    /// # Errors
    /// As [`GifWriter::new`].
    pub fn with_options(
        writer: W,
        width: u32,
        height: u32,
        options: GifOptions,
    ) -> Result<GifWriter<W>> {
        Limits::default().check(PixelFormat::Rgb888, width, height)?;
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
        let mut encoder = ::gif::Encoder::new(writer, w16, h16, &global)
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
            held: None,
            timeline: options
                .frame_rate
                .map_or_else(Timeline::new, Timeline::with_rate),
            timed_cs: 0,
            width,
            height,
            options,
            frames,
            work: Vec::new(),
            decoded: Image::empty(),
            converted: Image::empty(),
            fitted: Image::empty(),
            resizer: crate::geometry::Resizer::new(),
            count: 0,
            total_ms: 0,
            total_cs: 0,
        })
    }

    /// The options the writer was created with.
    pub fn options(&self) -> GifOptions {
        self.options
    }

    /// `(width, height)` of the animation.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Frames written so far.
    pub fn frame_count(&self) -> u64 {
        self.count
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> Option<&W> {
        match &self.encoder {
            Some(e) => Some(e.get_ref()),
            None => self.output.as_ref(),
        }
    }

    /// Frames written so far (a frame held back by the
    /// [`FrameSink`] implementation is counted once it is in the file).
    pub fn frames(&self) -> u64 {
        self.count
    }

    /// The encoder, unless the writer is finished.
    fn encoder(&mut self) -> Result<&mut ::gif::Encoder<W>> {
        self.encoder
            .as_mut()
            .ok_or_else(|| crate::sink::finished("the gif writer"))
    }

    /// Appends a frame shown for `delay_cs` centiseconds (10 = 100 ms), as
    /// OpenMV's `add_frame(img, delay=...)`.
    ///
    /// A frame of another size is letterboxed into the writer's size; any
    /// pixel format is converted (see the [module docs](self)).
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for a JPEG or PNG frame that does not decode,
    /// [`ErrorKind::UnsupportedFormat`] / [`ErrorKind::LimitExceeded`] from
    /// the conversion, I/O errors from the writer. A refused frame writes
    /// nothing: the writer stays usable.
    pub fn add_frame<'a>(&mut self, image: impl Into<ImageRef<'a>>, delay_cs: u16) -> Result<()> {
        self.flush_held()?;
        let mut frame = self.encode_frame(image.into())?;
        frame.delay = delay_cs;
        self.write_gif_frame(&frame)
    }

    /// Loads and encodes `image` into an owned GIF frame (delay 0).
    fn encode_frame(&mut self, image: ImageRef<'_>) -> Result<::gif::Frame<'static>> {
        self.encoder()?;
        let index = self.count + u64::from(self.held.is_some());
        self.load(image)
            .map_err(|e| e.context(format!("gif frame {index}")))?;
        let encoded = self.frames.encode(&self.work);
        Ok(::gif::Frame {
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
            buffer: std::borrow::Cow::Owned(encoded.indices.to_vec()),
        })
    }

    fn write_gif_frame(&mut self, frame: &::gif::Frame<'_>) -> Result<()> {
        let index = self.count;
        self.encoder()?
            .write_frame(frame)
            .map_err(|e| gif_error(format!("writing gif frame {index}"), e))?;
        self.count += 1;
        Ok(())
    }

    /// Writes the held-back frame, shown for `delay_cs` (at least 2).
    fn write_held(&mut self, delay_cs: u64) -> Result<()> {
        if let Some(mut frame) = self.held.take() {
            let delay = delay_cs.max(2);
            frame.delay = u16::try_from(delay).unwrap_or(u16::MAX);
            self.write_gif_frame(&frame)?;
            self.timed_cs += delay;
        }
        Ok(())
    }

    /// Writes the held-back frame for the last frame's duration (see
    /// [`Timeline::last_frame_duration`]).
    fn flush_held(&mut self) -> Result<()> {
        // Rounded as a whole so the delays add up to the true duration.
        let end = Ticks::new(Ticks::CENTIS).units(self.timeline.duration());
        self.write_held(end.saturating_sub(self.timed_cs))
    }

    /// Appends a frame shown for `interval_ms` milliseconds (the interval an
    /// ImageIO recording stores). GIF delays are centiseconds: each delay is
    /// rounded so that the total time so far stays within 5 ms of the sum of
    /// the intervals (the rounding error is carried to the next frame), and
    /// is at least 2 cs, since browsers show shorter delays as 10 cs. An
    /// interval longer than the longest GIF delay (65535 cs, about 11
    /// minutes) is shown for that long, and the rest of it is dropped rather
    /// than carried into the frames after it.
    ///
    /// ```
    /// use camreel::gif::GifWriter;
    /// use camreel::{Image, PixelFormat};
    /// let mut gif = GifWriter::new(Vec::new(), 8, 8)?;
    /// let frame = Image::zeroed(PixelFormat::Grayscale, 8, 8)?;
    /// // 33 ms per frame (30 fps): delays 3, 4, 3 cs = 100 ms in total.
    /// for _ in 0..3 {
    ///     gif.add_frame_ms(&frame, 33)?;
    /// }
    /// assert_eq!(gif.frame_count(), 3);
    /// # Ok::<(), camreel::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`GifWriter::add_frame`].
    pub fn add_frame_ms<'a>(
        &mut self,
        image: impl Into<ImageRef<'a>>,
        interval_ms: u32,
    ) -> Result<()> {
        let delay = self.delay_for_ms(interval_ms);
        self.add_frame(image, u16::try_from(delay).unwrap_or(u16::MAX))?;
        self.total_ms += u64::from(interval_ms);
        // Count the delay before it was capped at u16::MAX: the part of a
        // longer interval that no GIF delay can hold is not owed to the
        // next frames.
        self.total_cs += delay;
        Ok(())
    }

    /// The delay in centiseconds `add_frame_ms` would use for `interval_ms`,
    /// before it is capped at `u16::MAX`.
    fn delay_for_ms(&self, interval_ms: u32) -> u64 {
        let target_cs = (self.total_ms + u64::from(interval_ms) + 5) / 10;
        target_cs.saturating_sub(self.total_cs).max(2)
    }

    /// Brings `image` into the RGB work buffer: decoded if JPEG/PNG,
    /// converted to RGB888 (or GRAYSCALE for a grayscale writer), fitted into
    /// the writer's size with letterbox bars if its size differs.
    fn load(&mut self, image: ImageRef<'_>) -> Result<()> {
        let mut image = image;
        if image.format().is_compressed() {
            crate::codec::decode_into(image, &mut self.decoded)?;
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

    /// Writes the trailer and returns the writer.
    ///
    /// A GIF with no frames is still written (header, trailer), but many
    /// viewers refuse to open it.
    ///
    /// # Errors
    /// I/O errors from the writer.
    pub fn finish(mut self) -> Result<W> {
        FrameSink::finish(&mut self)?;
        self.output
            .take()
            .ok_or_else(|| crate::sink::finished("the gif writer"))
    }

    /// Writes the last frame and the trailer and returns the writer.
    ///
    /// # Errors
    /// I/O errors from the writer, with this writer.
    pub fn into_inner(mut self) -> Result<W, IntoInnerError<GifWriter<W>>> {
        if let Err(e) = FrameSink::finish(&mut self) {
            return Err(IntoInnerError::new(e, self));
        }
        match self.output.take() {
            Some(w) => Ok(w),
            None => Err(IntoInnerError::new(
                crate::sink::finished("the gif writer"),
                self,
            )),
        }
    }
}

/// Shows each frame until the next frame's timestamp: a frame is held back
/// until the next one arrives (or `finish`), then written with that delay
/// in centiseconds, rounded so the delays add up to the true time (at least
/// 2 cs, as browsers show shorter delays as 10 cs). The last frame is shown
/// for the nominal interval ([`GifOptions::frame_rate`]) or the mean of the
/// earlier ones.
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
        let encoded = self.encode_frame(frame.image)?;
        if let Some(first) = self.timeline.first() {
            let at = Ticks::new(Ticks::CENTIS).units(frame.timestamp.saturating_sub(first));
            self.write_held(at.saturating_sub(self.timed_cs))?;
        }
        self.timeline.push(frame.timestamp);
        self.held = Some(encoded);
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        if self.encoder.is_none() {
            return Ok(());
        }
        self.flush_held()?;
        if let Some(encoder) = self.encoder.take() {
            self.output = Some(
                encoder
                    .into_inner()
                    .map_err(|e| gif_error("writing the gif trailer", e))?,
            );
        }
        Ok(())
    }
}

impl<W: Write> Drop for GifWriter<W> {
    /// Writes a held-back frame; the encoder writes the trailer. Errors are
    /// ignored; never panics.
    fn drop(&mut self) {
        if self.encoder.is_some() {
            let _ = self.flush_held();
        }
    }
}
