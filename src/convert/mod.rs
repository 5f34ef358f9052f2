//! Pixel-format conversions.
//!
//! [`convert`] turns any uncompressed image into any uncompressed format;
//! [`convert_into`] and [`convert_with`] write into an existing [`Image`] and
//! reuse its memory, so a capture loop that converts every frame allocates
//! nothing once the first frame has sized the buffer.
//!
//! ```
//! use camreel::convert::{self, ConvertOptions, Demosaic};
//! use camreel::{BayerOrder, Image, ImageRef, PixelFormat};
//!
//! // RGB565 red and white pixels to RGB888.
//! let px = [0x00, 0xF8, 0xFF, 0xFF];
//! let rgb = convert::convert(ImageRef::new(PixelFormat::Rgb565, 2, 1, &px)?, PixelFormat::Rgb888)?;
//! assert_eq!(rgb.data(), &[255, 0, 0, 255, 255, 255]);
//!
//! // A capture loop: one output image, reused for every frame.
//! let mosaic = vec![128u8; 8 * 6];
//! let frame = ImageRef::new(PixelFormat::Bayer(BayerOrder::Bggr), 8, 6, &mosaic)?;
//! let opts = ConvertOptions::default().with_demosaic(Demosaic::MalvarHeCutler);
//! let mut out = Image::empty();
//! for _ in 0..3 {
//!     convert::convert_with(frame, PixelFormat::Yuv420, &opts, &mut out)?;
//! }
//! assert_eq!(out.format(), PixelFormat::Yuv420);
//! # Ok::<(), camreel::Error>(())
//! ```
//!
//! # How formats are reached
//!
//! Every source is decoded to a hub, RGB888, and the hub encoded to the
//! target; when both ends carry more than 8 bits per sample (GRAY16, RGB48,
//! 16-bit Bayer, RAW10) the hub is RGB48 instead, so nothing is lost. Common
//! pairs skip the hub: YUV to RGB/BGR, grayscale and BINARY, RGB888 to
//! anything, anything to RGB888, and depth changes between mosaics of the same
//! Bayer order (RAW10 <-> 10-bit Bayer16 is an unpack or a pack). A two-step
//! conversion keeps its intermediate image in the spare capacity of the
//! destination's buffer, so [`Image::capacity`] may exceed the payload.
//!
//! The exact arithmetic of each step is documented in the submodules:
//! [`rgb565`], [`gray`] (luma, BINARY threshold), [`pixel`] (ARGB8, BGR, 8 <->
//! 16 bits; ARGB8 to any format without alpha composites over
//! [`ALPHA_BACKGROUND`], black), [`yuv`] (picamera's 4:2:0, BT.601 limited range), [`yuv422`]
//! (OpenMV's 4:2:2, full range), [`raw10`] (MIPI bit order) and
//! [`bayer`] (demosaicing, and RGB -> mosaic by sampling).
//!
//! Encoded formats (JPEG, PNG) are not handled here: this module knows
//! pixels, not codecs. `camreel::codec::transcode` goes between any two
//! formats (decode, convert with this module, encode).

use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, Limits, PixelFormat};

/// Defines `fn $name` that runs `$body` compiled for AVX2 when the CPU has it
/// (detected at run time), and for the baseline target otherwise. The body is
/// plain safe Rust; helpers it calls must be `#[inline(always)]` to be
/// compiled with AVX2 too.
macro_rules! simd_dispatch {
    (
        fn $name:ident $(<$(const $cg:ident: $cty:ty),*>)? ($($arg:ident: $ty:ty),* $(,)?) $body:block
    ) => {
        #[allow(unsafe_code)]
        fn $name $(<$(const $cg: $cty),*>)? ($($arg: $ty),*) {
            #[inline(always)]
            fn generic $(<$(const $cg: $cty),*>)? ($($arg: $ty),*) $body

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn avx2 $(<$(const $cg: $cty),*>)? ($($arg: $ty),*) {
                generic $(::<$($cg),*>)? ($($arg),*)
            }

            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: `avx2` is safe Rust whose only requirement is that the
                // CPU supports AVX2, which was detected just above.
                return unsafe { avx2 $(::<$($cg),*>)? ($($arg),*) };
            }
            generic $(::<$($cg),*>)? ($($arg),*)
        }
    };
}

pub(crate) use simd_dispatch;

pub mod bayer;
pub mod gray;
mod hub;
mod lengths;
mod mosaic;
pub mod pixel;
pub mod raw10;
pub mod rgb565;
pub mod yuv;
pub mod yuv422;
#[cfg(target_arch = "x86_64")]
mod yuv_avx2;

pub use bayer::Demosaic;
pub(crate) use lengths::{check_pixels, image_len, invalid_len};
pub use pixel::ALPHA_BACKGROUND;

use hub::{decode, direct, encode};

/// Options for [`convert_with`].
///
/// ```
/// use camreel::convert::{ConvertOptions, Demosaic};
/// let opts = ConvertOptions::default()
///     .with_demosaic(Demosaic::Average)
///     .with_threshold(100);
/// assert_eq!(opts.demosaic, Demosaic::Average);
/// assert_eq!(ConvertOptions::default().threshold, 127);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ConvertOptions {
    /// How Bayer sources are demosaiced (default [`Demosaic::Bilinear`]).
    pub demosaic: Demosaic,
    /// For BINARY targets: a pixel is set when its gray level (BT.601 luma for
    /// colour sources) is greater than this (default 127).
    pub threshold: u8,
    /// Caps on the output image and any intermediate one (default
    /// [`Limits::default`]).
    pub limits: Limits,
}

impl Default for ConvertOptions {
    fn default() -> ConvertOptions {
        ConvertOptions {
            demosaic: Demosaic::default(),
            threshold: 127,
            limits: Limits::default(),
        }
    }
}

impl ConvertOptions {
    /// Sets the demosaicing algorithm.
    #[must_use]
    pub fn with_demosaic(mut self, demosaic: Demosaic) -> ConvertOptions {
        self.demosaic = demosaic;
        self
    }

    /// Sets the BINARY threshold.
    #[must_use]
    pub fn with_threshold(mut self, threshold: u8) -> ConvertOptions {
        self.threshold = threshold;
        self
    }

    /// Sets the size limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> ConvertOptions {
        self.limits = limits;
        self
    }
}

/// Converts `src` to a new image in format `to`, with default options.
///
/// # Errors
/// As [`convert_with`].
pub fn convert(src: ImageRef<'_>, to: PixelFormat) -> Result<Image> {
    let mut dst = Image::empty();
    convert_with(src, to, &ConvertOptions::default(), &mut dst)?;
    Ok(dst)
}

/// Converts `src` into `dst` (format `to`), with default options, reusing
/// `dst`'s memory.
///
/// # Errors
/// As [`convert_with`].
pub fn convert_into(src: ImageRef<'_>, to: PixelFormat, dst: &mut Image) -> Result<()> {
    convert_with(src, to, &ConvertOptions::default(), dst)
}

/// Converts `src` into `dst` (format `to`), reusing `dst`'s memory: no
/// allocation happens once `dst`'s capacity suffices.
///
/// An encoded image (JPEG, PNG) converted to its own format is copied; any
/// other conversion to or from an encoded format is refused (use
/// `camreel::codec::transcode_with`, which decodes and encodes around this
/// function).
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] if `to` is a 16-bit Bayer format with a
/// depth outside 9..=16, or if either side is encoded (JPEG, PNG) and the
/// other is not the same format; [`ErrorKind::LimitExceeded`] if the output
/// or an intermediate image is larger than `options.limits`. On error `dst`
/// holds an unspecified image.
pub fn convert_with(
    src: ImageRef<'_>,
    to: PixelFormat,
    options: &ConvertOptions,
    dst: &mut Image,
) -> Result<()> {
    let from = src.format();
    convert_impl(src, to, options, dst).map_err(|e| e.context(format!("converting {from} to {to}")))
}

fn convert_impl(
    src: ImageRef<'_>,
    to: PixelFormat,
    options: &ConvertOptions,
    dst: &mut Image,
) -> Result<()> {
    let from = src.format();
    if from.is_compressed() || to.is_compressed() {
        if from == to {
            src.copy_into(dst);
            return Ok(());
        }
        let encoded = if from.is_compressed() { from } else { to };
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "{encoded} is an encoded format (decode or encode it with \
                 codec::transcode, not convert)"
            ),
        ));
    }
    let (w, h) = src.size();
    let limits = &options.limits;
    // Validates the target (Bayer16 depth), the dimensions and the output size.
    let size = to.payload_size(w, h)?;
    limits.check(to, w, h)?;
    if from == to {
        src.copy_into(dst);
        return Ok(());
    }
    if direct(src, to, options, dst)? {
        return Ok(());
    }
    let hub = if is_deep(from) && is_deep(to) {
        PixelFormat::Rgb48
    } else {
        PixelFormat::Rgb888
    };
    if from == hub {
        dst.reshape(to, w, h)?;
        return encode(src, to, options, dst.data_mut());
    }
    let ring = bayer::scratch_len(from, w);
    if to == hub {
        return with_scratch(dst, to, (w, h), size, ring, |out, scratch| {
            decode(src, hub, options, scratch, out)
        });
    }
    let hub_size = hub.payload_size(w, h)?;
    let total = [size, hub_size, ring]
        .into_iter()
        .try_fold(0usize, usize::checked_add)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::LimitExceeded,
                format!("{w}x{h} conversion through {hub} does not fit in memory"),
            )
        })?;
    limits.check_bytes(total as u64)?;
    with_scratch(dst, to, (w, h), size, hub_size + ring, |out, scratch| {
        let (hub_bytes, ring) = scratch.split_at_mut(hub_size);
        decode(src, hub, options, ring, hub_bytes)?;
        let hub_img = ImageRef::new(hub, w, h, hub_bytes)?;
        encode(hub_img, to, options, out)
    })
}

/// Shapes `dst` as `to` and runs `f` on its payload and `extra` bytes of
/// scratch kept in the buffer's spare capacity.
fn with_scratch(
    dst: &mut Image,
    to: PixelFormat,
    (w, h): (u32, u32),
    size: usize,
    extra: usize,
    f: impl FnOnce(&mut [u8], &mut [u8]) -> Result<()>,
) -> Result<()> {
    dst.reshape(to, w, h)?;
    let buf = dst.buffer_mut();
    buf.resize(size.saturating_add(extra), 0);
    let (out, scratch) = buf.split_at_mut(size);
    let r = f(out, scratch);
    buf.truncate(size);
    r
}

/// Formats with more than 8 bits per sample.
fn is_deep(f: PixelFormat) -> bool {
    matches!(
        f,
        PixelFormat::Gray16
            | PixelFormat::Rgb48
            | PixelFormat::Bayer16 { .. }
            | PixelFormat::Raw10(_)
    )
}
