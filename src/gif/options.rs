//! [`GifOptions`]: how a [`GifWriter`](super::GifWriter) reduces colours,
//! optimises frames, loops and times its last frame.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use super::GifWriter;
use crate::error::{Error, Result, quote_path};
use crate::image::Limits;
use crate::timing::FrameRate;

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

/// Options of a [`GifWriter`]: builder methods on the defaults, read back
/// with `is_` (flags) and `get_` (values) getters.
///
/// ```
/// use camreel::gif::{Dither, GifOptions, PaletteMode};
/// let o = GifOptions::new().looping(false).grayscale(true).dither(Dither::Ordered);
/// assert!(!o.is_looping() && o.is_grayscale());
/// assert_eq!(o.get_palette(), PaletteMode::Adaptive);
/// assert_eq!(o.get_dither(), Dither::Ordered);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct GifOptions {
    pub(super) looping: bool,
    pub(super) grayscale: bool,
    pub(super) palette: PaletteMode,
    pub(super) dither: Dither,
    pub(super) inter_frame: bool,
    pub(super) lossy: u16,
    pub(super) frame_rate: Option<FrameRate>,
    pub(super) limits: Limits,
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
            limits: Limits::default(),
        }
    }
}

impl GifOptions {
    /// The default of [`GifOptions::lossy`].
    pub const DEFAULT_LOSSY: u16 = 36;

    /// The defaults: looping, colour, adaptive palette, no dithering,
    /// inter-frame optimisation on, default [`Limits`].
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
    /// [`FrameSink`](crate::sink::FrameSink) is shown. Default: none (the
    /// mean of the earlier intervals).
    pub fn frame_rate(mut self, rate: FrameRate) -> GifOptions {
        self.frame_rate = Some(rate);
        self
    }

    /// Caps on the animation's size (default [`Limits::default`]; a GIF
    /// cannot exceed 65535 x 65535 in any case).
    pub fn limits(mut self, limits: Limits) -> GifOptions {
        self.limits = limits;
        self
    }

    /// Whether the animation loops ([`GifOptions::looping`]).
    pub fn is_looping(&self) -> bool {
        self.looping
    }

    /// Whether the output is grayscale ([`GifOptions::grayscale`]).
    pub fn is_grayscale(&self) -> bool {
        self.grayscale
    }

    /// Whether inter-frame optimisation is on ([`GifOptions::inter_frame`]).
    pub fn is_inter_frame(&self) -> bool {
        self.inter_frame
    }

    /// The palette mode ([`GifOptions::palette`]).
    pub fn get_palette(&self) -> PaletteMode {
        self.palette
    }

    /// The dithering ([`GifOptions::dither`]).
    pub fn get_dither(&self) -> Dither {
        self.dither
    }

    /// The lossiness level ([`GifOptions::lossy`]).
    pub fn get_lossy(&self) -> u16 {
        self.lossy
    }

    /// The nominal rate ([`GifOptions::frame_rate`]), if set.
    pub fn get_frame_rate(&self) -> Option<FrameRate> {
        self.frame_rate
    }

    /// The limits ([`GifOptions::limits`]).
    pub fn get_limits(&self) -> Limits {
        self.limits
    }

    /// Creates (or truncates) the file at `path`, buffered, and writes the
    /// header of a `width` x `height` GIF with these options.
    ///
    /// # Errors
    /// As [`GifWriter::with_options`]; [`ErrorKind::Io`](crate::ErrorKind::Io)
    /// naming the path if it cannot be created.
    pub fn create(
        &self,
        path: impl AsRef<Path>,
        width: u32,
        height: u32,
    ) -> Result<GifWriter<BufWriter<File>>> {
        let path = path.as_ref();
        let file = File::create(path)
            .map_err(|e| Error::io(format!("creating {}", quote_path(path)), e))?;
        GifWriter::seekable(BufWriter::new(file), width, height, *self)
            .map_err(|e| e.context(quote_path(path)))
    }
}
