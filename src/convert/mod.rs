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
//! 16 bits), [`yuv`] (BT.601 limited range), [`raw10`] (MIPI bit order) and
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

pub mod bayer;
pub mod gray;
pub mod pixel;
pub mod raw10;
pub mod rgb565;
pub mod yuv;
#[cfg(target_arch = "x86_64")]
mod yuv_avx2;

pub use bayer::Demosaic;

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

/// Conversions that skip the hub. Returns whether it handled the pair.
fn direct(
    src: ImageRef<'_>,
    to: PixelFormat,
    options: &ConvertOptions,
    dst: &mut Image,
) -> Result<bool> {
    let (w, h) = src.size();
    let wu = w as usize;
    let from = src.format();
    match (from, to) {
        (PixelFormat::Grayscale, PixelFormat::Binary) => {
            dst.reshape(to, w, h)?;
            let rb = to.row_bytes(w)?;
            for (row, o) in src.rows().zip(dst.data_mut().chunks_exact_mut(rb)) {
                gray::gray_to_binary_row(row, options.threshold, o)?;
            }
        }
        (PixelFormat::Binary, PixelFormat::Grayscale) => {
            dst.reshape(to, w, h)?;
            for (row, o) in src.rows().zip(dst.data_mut().chunks_exact_mut(wu)) {
                gray::binary_to_gray_row(row, o)?;
            }
        }
        (PixelFormat::Grayscale, PixelFormat::Gray16) => {
            dst.reshape(to, w, h)?;
            for (row, o) in src.rows().zip(dst.data_mut().chunks_exact_mut(2 * wu)) {
                pixel::widen_8_to_16(row, o)?;
            }
        }
        (PixelFormat::Gray16, PixelFormat::Grayscale) => {
            dst.reshape(to, w, h)?;
            for (row, o) in src.rows().zip(dst.data_mut().chunks_exact_mut(wu)) {
                pixel::narrow_16_to_8(row, o)?;
            }
        }
        (PixelFormat::Yuv420 | PixelFormat::Nv12, PixelFormat::Bgr888) => {
            dst.reshape(to, w, h)?;
            decode_yuv(src, true, dst.data_mut())?;
        }
        (PixelFormat::Yuv422 | PixelFormat::Yvu422, PixelFormat::Bgr888) => {
            dst.reshape(to, w, h)?;
            yuv::yuyv_rows_to_rgb(
                &mut src.rows(),
                wu,
                from == PixelFormat::Yvu422,
                true,
                dst.data_mut(),
            );
        }
        (f, t) if f.is_bayer() && t.is_bayer() && f.bayer_order() == t.bayer_order() => {
            dst.reshape(to, w, h)?;
            requantize_mosaic(src, to, dst.data_mut())?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn decode_yuv(src: ImageRef<'_>, bgr: bool, out: &mut [u8]) -> Result<()> {
    let (w, h) = src.size();
    if let Some((y, u, v)) = src.yuv420_planes() {
        if bgr {
            yuv::i420_to_bgr(y, u, v, w, h, out)
        } else {
            yuv::i420_to_rgb(y, u, v, w, h, out)
        }
    } else if let Some((y, uv)) = src.nv12_planes() {
        if bgr {
            yuv::nv12_to_bgr(y, uv, w, h, out)
        } else {
            yuv::nv12_to_rgb(y, uv, w, h, out)
        }
    } else {
        Err(internal(src.format(), "yuv decode"))
    }
}

fn internal(f: PixelFormat, what: &str) -> Error {
    Error::new(
        ErrorKind::UnsupportedFormat,
        format!("no {what} path for {f}"),
    )
}

/// Sample `x` of a mosaic row, with its depth in bits.
fn mosaic_sample(f: PixelFormat, row: &[u8], x: usize) -> u16 {
    match f {
        PixelFormat::Bayer(_) => row.get(x).copied().map_or(0, u16::from),
        PixelFormat::Bayer16 { .. } => match row.get(2 * x..2 * x + 2) {
            Some(&[a, b]) => u16::from_le_bytes([a, b]),
            _ => 0,
        },
        _ => {
            let g = 5 * (x / 4);
            let k = x % 4;
            match (row.get(g + k), row.get(g + 4)) {
                (Some(&hi), Some(&lo)) => (u16::from(hi) << 2) | u16::from((lo >> (2 * k)) & 3),
                _ => 0,
            }
        }
    }
}

fn mosaic_bits(f: PixelFormat) -> u8 {
    match f {
        PixelFormat::Bayer16 { bits, .. } => bits,
        PixelFormat::Raw10(_) => 10,
        _ => 8,
    }
}

/// Same-order mosaic to mosaic: samples widen by bit replication or narrow by
/// dropping low bits.
fn requantize_mosaic(src: ImageRef<'_>, to: PixelFormat, out: &mut [u8]) -> Result<()> {
    let from = src.format();
    let (sb, tb) = (mosaic_bits(from), mosaic_bits(to));
    let w = src.width() as usize;
    let rb = to.row_bytes(src.width())?;
    if let (PixelFormat::Raw10(_), PixelFormat::Bayer16 { bits: 10, .. }) = (from, to) {
        raw10::unpack_rows_to_le(&mut src.rows(), w, out);
        return Ok(());
    }
    let conv = |v: u16| -> u16 {
        if tb >= sb {
            pixel::widen_to_16(v, sb) >> (16 - tb)
        } else {
            v >> (sb - tb)
        }
    };
    for (y, row) in src.rows().enumerate() {
        if let PixelFormat::Bayer16 { bits, .. } = from
            && bits < 16
            && let Some(x) = (0..w).find(|&x| mosaic_sample(from, row, x) >> bits != 0)
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "row {y} pixel {x}: sample {} does not fit in {bits} bits",
                    mosaic_sample(from, row, x)
                ),
            ));
        }
    }
    for (row, o) in src.rows().zip(out.chunks_exact_mut(rb)) {
        match to {
            PixelFormat::Bayer(_) => {
                for (x, o) in o.iter_mut().enumerate() {
                    *o = conv(mosaic_sample(from, row, x)) as u8;
                }
            }
            PixelFormat::Bayer16 { .. } => {
                for (x, o) in o.chunks_exact_mut(2).enumerate() {
                    o.copy_from_slice(&conv(mosaic_sample(from, row, x)).to_le_bytes());
                }
            }
            _ => raw10::pack_row_with(w, |x| conv(mosaic_sample(from, row, x)), o),
        }
    }
    Ok(())
}

/// Decodes any source into the hub format (`RGB888`, or `RGB48` for deep
/// sources), `out` exactly sized; `scratch` holds the RAW10 ring.
fn decode(
    src: ImageRef<'_>,
    hub: PixelFormat,
    options: &ConvertOptions,
    scratch: &mut [u8],
    out: &mut [u8],
) -> Result<()> {
    let (w, _) = src.size();
    let w = w as usize;
    let from = src.format();
    if from.is_bayer() {
        return bayer::demosaic_slice(
            src,
            options.demosaic,
            hub == PixelFormat::Rgb48,
            scratch,
            out,
        );
    }
    let bpp = if hub == PixelFormat::Rgb48 { 6 } else { 3 };
    let rows = src.rows().zip(out.chunks_exact_mut(w * bpp));
    match (from, hub) {
        (PixelFormat::Gray16, PixelFormat::Rgb48) => {
            for (row, o) in rows {
                let (s, _) = row.as_chunks::<2>();
                let (d, _) = o.as_chunks_mut::<6>();
                for (d, &[a, b]) in d.iter_mut().zip(s) {
                    *d = [a, b, a, b, a, b];
                }
            }
        }
        (_, PixelFormat::Rgb48) => return Err(internal(from, "16-bit decode")),
        (PixelFormat::Binary, _) => {
            for (row, o) in rows {
                let (d, _) = o.as_chunks_mut::<3>();
                let (words, _) = row.as_chunks::<4>();
                for (px, word) in d.chunks_mut(32).zip(words) {
                    let bits = u32::from_le_bytes(*word);
                    for (i, p) in px.iter_mut().enumerate() {
                        *p = [0u8.wrapping_sub(((bits >> i) & 1) as u8); 3];
                    }
                }
            }
        }
        (PixelFormat::Grayscale, _) => {
            for (row, o) in rows {
                gray::gray_to_rgb888(row, o)?;
            }
        }
        (PixelFormat::Rgb565, _) => {
            for (row, o) in rows {
                rgb565::rgb565_to_rgb888(row, o)?;
            }
        }
        (PixelFormat::Yuv422 | PixelFormat::Yvu422, _) => {
            yuv::yuyv_rows_to_rgb(&mut src.rows(), w, from == PixelFormat::Yvu422, false, out);
        }
        (PixelFormat::Argb8, _) => {
            for (row, o) in rows {
                pixel::argb8_to_rgb888(row, o)?;
            }
        }
        (PixelFormat::Bgr888, _) => {
            for (row, o) in rows {
                pixel::swap_rb(row, o)?;
            }
        }
        (PixelFormat::Yuv420 | PixelFormat::Nv12, _) => decode_yuv(src, false, out)?,
        (PixelFormat::Gray16, _) => {
            for (row, o) in rows {
                let (s, _) = row.as_chunks::<2>();
                let (d, _) = o.as_chunks_mut::<3>();
                for (d, s) in d.iter_mut().zip(s) {
                    *d = [s[1]; 3];
                }
            }
        }
        (PixelFormat::Rgb48, _) => {
            for (row, o) in rows {
                pixel::narrow_16_to_8(row, o)?;
            }
        }
        (PixelFormat::Rgb888, _) => {
            for (row, o) in rows {
                o.copy_from_slice(row);
            }
        }
        _ => return Err(internal(from, "decode")),
    }
    Ok(())
}

/// Encodes a hub image (RGB888 or RGB48, any stride) into `to`, `out` exactly
/// sized.
fn encode(
    src: ImageRef<'_>,
    to: PixelFormat,
    options: &ConvertOptions,
    out: &mut [u8],
) -> Result<()> {
    let (w, h) = src.size();
    let (wu, hu) = (w as usize, h as usize);
    let from = src.format();
    if to.is_bayer() {
        return bayer::mosaic_slice(src, to, out);
    }
    let rb = to.row_bytes(w)?;
    let rows = src.rows().zip(out.chunks_exact_mut(rb));
    if from == PixelFormat::Rgb48 {
        match to {
            PixelFormat::Gray16 => {
                for (row, o) in rows {
                    let (s, _) = row.as_chunks::<6>();
                    let (d, _) = o.as_chunks_mut::<2>();
                    for (d, s) in d.iter_mut().zip(s) {
                        let c = |i: usize| u16::from_le_bytes([s[2 * i], s[2 * i + 1]]);
                        *d = gray::luma16(c(0), c(1), c(2)).to_le_bytes();
                    }
                }
            }
            _ => return Err(internal(to, "16-bit encode")),
        }
        return Ok(());
    }
    match to {
        PixelFormat::Binary => {
            let t = options.threshold;
            for (row, o) in rows {
                let (px, _) = row.as_chunks::<3>();
                let (words, _) = o.as_chunks_mut::<4>();
                for (word, px) in words.iter_mut().zip(px.chunks(32)) {
                    let mut bits = 0u32;
                    for (i, &[r, g, b]) in px.iter().enumerate() {
                        bits |= u32::from(gray::luma(r, g, b) > t) << i;
                    }
                    *word = bits.to_le_bytes();
                }
            }
        }
        PixelFormat::Grayscale => {
            for (row, o) in rows {
                gray::rgb888_to_gray(row, o)?;
            }
        }
        PixelFormat::Rgb565 => {
            for (row, o) in rows {
                rgb565::rgb888_to_rgb565(row, o)?;
            }
        }
        PixelFormat::Yuv422 | PixelFormat::Yvu422 => {
            for (row, o) in rows {
                yuv::rgb_row_to_yuyv(row, to == PixelFormat::Yvu422, o)?;
            }
        }
        PixelFormat::Argb8 => {
            for (row, o) in rows {
                pixel::rgb888_to_argb8(row, o)?;
            }
        }
        PixelFormat::Bgr888 => {
            for (row, o) in rows {
                pixel::swap_rb(row, o)?;
            }
        }
        PixelFormat::Gray16 => {
            for (row, o) in rows {
                let (s, _) = row.as_chunks::<3>();
                let (d, _) = o.as_chunks_mut::<2>();
                for (d, &[r, g, b]) in d.iter_mut().zip(s) {
                    let c = |v: u8| u16::from(v) * 257;
                    *d = gray::luma16(c(r), c(g), c(b)).to_le_bytes();
                }
            }
        }
        PixelFormat::Rgb48 => {
            for (row, o) in rows {
                pixel::widen_8_to_16(row, o)?;
            }
        }
        PixelFormat::Yuv420 | PixelFormat::Nv12 => {
            let (y, chroma) = out.split_at_mut(wu * hu);
            let cn = wu.div_ceil(2) * hu.div_ceil(2);
            let row = |r: usize| src.row(r as u32);
            if to == PixelFormat::Yuv420 {
                let (u, v) = chroma.split_at_mut(cn);
                yuv::rgb_rows_to_420(row, wu, hu, y, |i, cu, cv| {
                    u[i] = cu;
                    v[i] = cv;
                });
            } else {
                yuv::rgb_rows_to_420(row, wu, hu, y, |i, cu, cv| {
                    chroma[2 * i] = cu;
                    chroma[2 * i + 1] = cv;
                });
            }
        }
        _ => return Err(internal(to, "encode")),
    }
    Ok(())
}

/// Checks that two buffers hold the same whole number of pixels.
pub(crate) fn check_pixels(
    src_name: &str,
    src_len: usize,
    src_bpp: usize,
    dst_name: &str,
    dst_len: usize,
    dst_bpp: usize,
) -> Result<()> {
    if !src_len.is_multiple_of(src_bpp) {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "{src_name} buffer of {src_len} bytes is not a whole number of {src_bpp}-byte pixels"
            ),
        ));
    }
    let n = src_len / src_bpp;
    if n.checked_mul(dst_bpp) != Some(dst_len) {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "{src_name} buffer holds {n} pixels, so the {dst_name} buffer needs {} bytes, got {dst_len}",
                n.saturating_mul(dst_bpp)
            ),
        ));
    }
    Ok(())
}

/// "`what` for `width` pixels needs `expected` bytes, got `got`".
pub(crate) fn invalid_len(what: &str, width: usize, expected: usize, got: usize) -> Error {
    if width == 0 {
        return Error::new(ErrorKind::InvalidFrameSize, format!("{what} has no pixels"));
    }
    Error::new(
        ErrorKind::InvalidFrameSize,
        format!("{what} for {width} pixels needs {expected} bytes, got {got}"),
    )
}

/// `w * h * bpp`, refusing zero dimensions and overflow.
pub(crate) fn image_len(what: &str, width: u32, height: u32, bpp: usize) -> Result<usize> {
    if width == 0 || height == 0 {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!("{width}x{height} {what} image has a zero dimension"),
        ));
    }
    (width as usize)
        .checked_mul(height as usize)
        .and_then(|n| n.checked_mul(bpp))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::LimitExceeded,
                format!("{width}x{height} {what} image does not fit in memory"),
            )
        })
}
