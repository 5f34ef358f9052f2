//! PNG encoding and decoding, 8 and 16 bits per sample (the `png` crate).
//!
//! | camreel format | PNG colour type |
//! |---|---|
//! | GRAYSCALE | gray, 8 bit |
//! | RGB888 / BGR888 | RGB, 8 bit |
//! | ARGB8 | RGBA, 8 bit |
//! | GRAY16 | gray, 16 bit |
//! | RGB48 | RGB, 16 bit |
//!
//! PNG stores 16-bit samples big-endian; camreel's GRAY16 and RGB48 hold
//! little-endian `u16`s, and both directions swap.
//!
//! Decoding expands palettes and 1/2/4-bit gray to 8 bits. A transparency
//! chunk (`tRNS`) or an alpha channel gives ARGB8 for 8-bit images (gray +
//! alpha becomes ARGB8 with R = G = B = gray). camreel has no 16-bit format
//! with alpha, so 16-bit RGBA decodes to RGB48 and 16-bit gray + alpha to
//! GRAY16, dropping the alpha. Only the first frame of an animated PNG is read.
//!
//! ```
//! use camreel::codec::png;
//! use camreel::{Image, PixelFormat};
//!
//! let samples: Vec<u8> = [0u16, 1000, 65535].iter().flat_map(|v| v.to_le_bytes()).collect();
//! let deep = Image::new(PixelFormat::Gray16, 3, 1, samples)?;
//! let mut file = Vec::new();
//! png::encode(deep.view(), &mut file)?;
//! assert_eq!(png::dimensions(&file)?, (3, 1));
//! assert_eq!(png::decode(&file)?, deep);
//! # Ok::<(), camreel::Error>(())
//! ```

use std::borrow::Cow;
use std::io::Cursor;

use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, Limits, PixelFormat};

/// The PNG file signature.
const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];

/// The IEND chunk: zero length, type, CRC.
const IEND: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];

/// Whether the complete IEND chunk is present (normally the last 12 bytes).
fn has_iend(data: &[u8]) -> bool {
    data.ends_with(&IEND) || data.windows(IEND.len()).rev().any(|w| w == IEND)
}

/// How hard the encoder compresses: a preset, or a deflate level.
///
/// Measured on 60 camera frames of 640x480 (`scripts/png_size.py`): sensor
/// noise leaves deflate little to find, and the fast encoder writes those
/// frames smallest (0.69 times the bytes of ffmpeg's PNG encoder, over ten
/// times as fast); smooth frames (the same frames after an MJPEG round trip)
/// are where a deflate level pays (level 3: 0.72 times the bytes of
/// ffmpeg's defaults and 1.03 times those of `ffmpeg -pred paeth`, about
/// three times as fast as ffmpeg).
/// [`Compression::Auto`], the default, picks between the two per image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// Per image: [`Compression::Fast`] when a sample band of rows shows the
    /// fast encoder cannot shrink it below 40 % (noise), else deflate
    /// level 3 with adaptive filters.
    #[default]
    Auto,
    /// Hardly any compression (`fdeflate`, the `Up` filter); fastest.
    Fastest,
    /// Fast compression (`fdeflate`, adaptive filters).
    Fast,
    /// Deflate level 6 with adaptive filters, as zlib's default.
    Balanced,
    /// Deflate level 9 with adaptive filters: slowest, smallest.
    High,
    /// Deflate at this level, 1 (fastest) to 9 (smallest), with adaptive
    /// filters.
    Level(u8),
}

/// The png crate's deflate setting and row filter.
type Settings = (png::DeflateCompression, png::Filter);

/// [`Compression::Fast`]'s settings.
const FAST: Settings = (
    png::DeflateCompression::FdeflateUltraFast,
    png::Filter::Adaptive,
);

/// [`Compression::Auto`]'s deflate level for compressible images.
const AUTO_LEVEL: u8 = 3;

/// Below this compressed/raw ratio of the fast encoder on the sample band,
/// [`Compression::Auto`] spends a deflate level on the image.
const AUTO_SMOOTH_RATIO: f64 = 0.4;

/// Rows in [`Compression::Auto`]'s sample band.
const AUTO_BAND: u32 = 32;

impl Compression {
    /// The settings of every variant but [`Compression::Auto`].
    fn settings(self) -> Result<Settings> {
        use png::{DeflateCompression as D, Filter as F};
        Ok(match self {
            Compression::Fastest => (D::FdeflateUltraFast, F::Up),
            Compression::Fast | Compression::Auto => FAST,
            Compression::Balanced => (D::Level(6), F::Adaptive),
            Compression::High => (D::Level(9), F::Adaptive),
            Compression::Level(level @ 1..=9) => (D::Level(level), F::Adaptive),
            Compression::Level(level) => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("png compression level {level} is out of range (1 to 9)"),
                ));
            }
        })
    }
}

/// [`Compression::Auto`]'s choice for `pixels` (PNG sample order, `rows` of
/// `row_bytes`): the fast encoder on a band of rows from the middle tells
/// noise (little to gain from deflate) from smooth content.
fn auto_settings(
    pixels: &[u8],
    (width, rows, row_bytes): (u32, u32, usize),
    (color, depth): (png::ColorType, png::BitDepth),
) -> Settings {
    let band = rows.min(AUTO_BAND);
    let first = (rows - band) / 2;
    let start = first as usize * row_bytes;
    let Some(sample) = pixels.get(start..start + band as usize * row_bytes) else {
        return FAST;
    };
    let mut out = Vec::with_capacity(sample.len() / 2);
    let trial = (|| {
        let mut encoder = png::Encoder::new(&mut out, width, band);
        encoder.set_color(color);
        encoder.set_depth(depth);
        encoder.set_deflate_compression(FAST.0);
        encoder.set_filter(FAST.1);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(sample)?;
        writer.finish()
    })();
    let ratio = out.len() as f64 / sample.len().max(1) as f64;
    if trial.is_ok() && ratio >= AUTO_SMOOTH_RATIO {
        FAST
    } else {
        (
            png::DeflateCompression::Level(AUTO_LEVEL),
            png::Filter::Adaptive,
        )
    }
}

/// PNG encoder settings, builder style.
///
/// ```
/// use camreel::codec::png::{self, Compression, PngOptions};
/// use camreel::{Image, PixelFormat};
///
/// let gradient: Vec<u8> = (0..64 * 64).map(|i| (i % 64 * 4) as u8).collect();
/// let image = Image::new(PixelFormat::Grayscale, 64, 64, gradient)?;
/// let (mut fast, mut small) = (Vec::new(), Vec::new());
/// png::encode_with(image.view(), &PngOptions::new().compression(Compression::Fastest), &mut fast)?;
/// png::encode_with(image.view(), &PngOptions::new().compression(Compression::Level(9)), &mut small)?;
/// assert!(small.len() < fast.len());
/// assert_eq!(png::decode(&small)?, image);
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PngOptions {
    /// How hard to compress (default [`Compression::Auto`]).
    pub compression: Compression,
}

impl PngOptions {
    /// The default settings.
    pub const fn new() -> PngOptions {
        PngOptions {
            compression: Compression::Auto,
        }
    }

    /// Sets how hard to compress.
    #[must_use]
    pub const fn compression(mut self, compression: Compression) -> PngOptions {
        self.compression = compression;
        self
    }
}

/// Encodes `src` as a PNG file appended to `out`, with the default
/// [`PngOptions`].
///
/// # Errors
/// As [`encode_with`].
pub fn encode(src: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
    encode_with(src, &PngOptions::new(), out)
}

/// Encodes `src` into a new [`PixelFormat::Png`] image with the default
/// [`PngOptions`].
///
/// # Errors
/// As [`encode_with`].
pub fn encode_image(src: ImageRef<'_>) -> Result<Image> {
    let mut image = Image::empty();
    let (width, height) = src.size();
    image.set_encoded(PixelFormat::Png, width, height, |out| encode(src, out))?;
    Ok(image)
}

/// Encodes `src` as a PNG file appended to `out`. On error `out` is left as
/// it was.
///
/// GRAYSCALE, RGB888, BGR888, ARGB8, GRAY16 and RGB48 are written as they are;
/// other uncompressed formats are converted first with [`crate::convert`]:
/// BINARY to GRAYSCALE, 16-bit and packed Bayer mosaics to RGB48 (keeping
/// their precision), everything else to RGB888.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] for JPEG and PNG input;
/// [`ErrorKind::InvalidArgument`] for a [`Compression::Level`] outside 1-9;
/// [`ErrorKind::Io`] if the encoder fails.
pub fn encode_with(src: ImageRef<'_>, options: &PngOptions, out: &mut Vec<u8>) -> Result<()> {
    let chosen = options.compression.settings()?;
    let target = match src.format() {
        PixelFormat::Binary => Some(PixelFormat::Grayscale),
        PixelFormat::Bayer16 { .. } | PixelFormat::Raw10(_) => Some(PixelFormat::Rgb48),
        PixelFormat::Rgb565
        | PixelFormat::Bayer(_)
        | PixelFormat::Yuv422
        | PixelFormat::Yvu422
        | PixelFormat::Yuv420
        | PixelFormat::Nv12 => Some(PixelFormat::Rgb888),
        _ => None,
    };
    if let Some(target) = target {
        let converted = crate::convert::convert(src, target)?;
        return encode_with(converted.view(), options, out);
    }
    let (color, depth) = match src.format() {
        PixelFormat::Grayscale => (png::ColorType::Grayscale, png::BitDepth::Eight),
        PixelFormat::Rgb888 | PixelFormat::Bgr888 => (png::ColorType::Rgb, png::BitDepth::Eight),
        PixelFormat::Argb8 => (png::ColorType::Rgba, png::BitDepth::Eight),
        PixelFormat::Gray16 => (png::ColorType::Grayscale, png::BitDepth::Sixteen),
        PixelFormat::Rgb48 => (png::ColorType::Rgb, png::BitDepth::Sixteen),
        other => {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "the png encoder takes GRAYSCALE, RGB888, BGR888, ARGB8, GRAY16 or RGB48 \
                     images, not {other} (convert it first)"
                ),
            ));
        }
    };
    let pixels = png_order(src);
    let start = out.len();
    let (width, height) = src.size();
    let (deflate, filter) = if options.compression == Compression::Auto {
        auto_settings(&pixels, (width, height, src.row_bytes()), (color, depth))
    } else {
        chosen
    };
    let result = (|| {
        let mut encoder = png::Encoder::new(&mut *out, width, height);
        encoder.set_color(color);
        encoder.set_depth(depth);
        encoder.set_deflate_compression(deflate);
        encoder.set_filter(filter);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels)?;
        writer.finish()
    })();
    result.map_err(|e| {
        out.truncate(start);
        let kind = match e {
            png::EncodingError::IoError(_) => ErrorKind::Io,
            _ => ErrorKind::InvalidArgument,
        };
        Error::with_source(
            kind,
            format!("encoding a {width}x{height} {} image as png", src.format()),
            e,
        )
    })
}

/// The pixels of `src` packed in PNG sample order: borrowed when they already
/// are (packed GRAYSCALE and RGB888), otherwise converted.
fn png_order<'a>(src: ImageRef<'a>) -> Cow<'a, [u8]> {
    let format = src.format();
    if src.is_packed() && matches!(format, PixelFormat::Grayscale | PixelFormat::Rgb888) {
        return Cow::Borrowed(src.data());
    }
    let mut buf = Vec::with_capacity(src.row_bytes() * src.height() as usize);
    for row in src.rows() {
        let start = buf.len();
        buf.extend_from_slice(row);
        let row = &mut buf[start..];
        match format {
            // B, G, R(, A) to R, G, B(, A).
            PixelFormat::Bgr888 => row.chunks_exact_mut(3).for_each(|p| p.swap(0, 2)),
            PixelFormat::Argb8 => row.chunks_exact_mut(4).for_each(|p| p.swap(0, 2)),
            // Little-endian to big-endian samples.
            PixelFormat::Gray16 | PixelFormat::Rgb48 => {
                row.chunks_exact_mut(2).for_each(|s| s.swap(0, 1))
            }
            _ => {}
        }
    }
    Cow::Owned(buf)
}

/// The width and height from a PNG's IHDR chunk, without decoding.
///
/// # Errors
/// [`ErrorKind::Format`] if the data does not start with the PNG signature and
/// an IHDR chunk.
pub fn dimensions(data: &[u8]) -> Result<(u32, u32)> {
    let bad = || {
        Error::new(
            ErrorKind::Format,
            "not a png: expected the png signature and an IHDR chunk in the first 24 bytes",
        )
    };
    let head = data.get(..24).ok_or_else(bad)?;
    if head[..8] != SIGNATURE || &head[12..16] != b"IHDR" {
        return Err(bad());
    }
    let width = u32::from_be_bytes([head[16], head[17], head[18], head[19]]);
    let height = u32::from_be_bytes([head[20], head[21], head[22], head[23]]);
    Ok((width, height))
}

/// Decodes a PNG file with default [`Limits`].
///
/// # Errors
/// As [`decode_with_limits`].
pub fn decode(data: &[u8]) -> Result<Image> {
    let mut image = Image::empty();
    decode_into(data, &mut image)?;
    Ok(image)
}

/// Decodes a PNG file into `dst`, reusing its memory, with default [`Limits`].
///
/// # Errors
/// As [`decode_with_limits`].
pub fn decode_into(data: &[u8], dst: &mut Image) -> Result<()> {
    decode_with_limits(data, &Limits::default(), dst)
}

/// How decoded PNG samples become camreel pixels, in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fixup {
    None,
    /// Big-endian 16-bit samples to little-endian.
    Swap16,
    /// RGBA to B, G, R, A.
    RgbaToArgb8,
    /// Gray + alpha to B, G, R, A.
    GrayAlphaToArgb8,
    /// 16-bit RGBA to little-endian RGB48.
    Rgba16ToRgb48,
    /// 16-bit gray + alpha to little-endian GRAY16.
    GrayAlpha16ToGray16,
}

fn png_error(e: png::DecodingError) -> Error {
    let kind = match &e {
        png::DecodingError::LimitsExceeded => ErrorKind::LimitExceeded,
        _ => ErrorKind::Format,
    };
    Error::with_source(kind, "invalid png", e)
}

/// Decodes a PNG file into `dst` (GRAYSCALE, RGB888, ARGB8, GRAY16 or RGB48,
/// see the [module docs](self)), checking the header against `limits` before
/// allocating.
///
/// # Errors
/// [`ErrorKind::Format`] for malformed or truncated data (including a bad
/// checksum, or a file that ends before its IEND chunk); [`ErrorKind::LimitExceeded`] above the limits. On error `dst`
/// is one black grayscale pixel.
pub fn decode_with_limits(data: &[u8], limits: &Limits, dst: &mut Image) -> Result<()> {
    let result = decode_inner(data, limits, dst);
    if result.is_err() {
        let buf = dst.buffer_mut();
        buf.clear();
        buf.push(0);
        dst.set_meta_unchecked(PixelFormat::Grayscale, 1, 1);
    }
    result
}

fn decode_inner(data: &[u8], limits: &Limits, dst: &mut Image) -> Result<()> {
    use png::{BitDepth, ColorType};

    let (width, height) = dimensions(data)?;
    limits.check_dimensions(width, height)?;
    let png_limits = png::Limits {
        bytes: usize::try_from(limits.max_bytes).unwrap_or(usize::MAX),
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(data), png_limits);
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(png_error)?;
    let (color, depth) = reader.output_color_type();
    let (format, fixup) = match (color, depth) {
        (ColorType::Grayscale, BitDepth::Eight) => (PixelFormat::Grayscale, Fixup::None),
        (ColorType::Rgb, BitDepth::Eight) => (PixelFormat::Rgb888, Fixup::None),
        (ColorType::Rgba, BitDepth::Eight) => (PixelFormat::Argb8, Fixup::RgbaToArgb8),
        (ColorType::GrayscaleAlpha, BitDepth::Eight) => {
            (PixelFormat::Argb8, Fixup::GrayAlphaToArgb8)
        }
        (ColorType::Grayscale, BitDepth::Sixteen) => (PixelFormat::Gray16, Fixup::Swap16),
        (ColorType::Rgb, BitDepth::Sixteen) => (PixelFormat::Rgb48, Fixup::Swap16),
        (ColorType::Rgba, BitDepth::Sixteen) => (PixelFormat::Rgb48, Fixup::Rgba16ToRgb48),
        (ColorType::GrayscaleAlpha, BitDepth::Sixteen) => {
            (PixelFormat::Gray16, Fixup::GrayAlpha16ToGray16)
        }
        (color, depth) => {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!("png with {color:?} samples of {} bits", depth as u8),
            ));
        }
    };
    let size = limits.check(format, width, height)?.unwrap_or_default();
    let png_size = reader.output_buffer_size().ok_or_else(|| {
        Error::new(
            ErrorKind::LimitExceeded,
            format!("{width}x{height} png does not fit in memory"),
        )
    })?;
    limits.check_bytes(png_size as u64)?;
    let buf = dst.buffer_mut();
    buf.clear();
    buf.resize(png_size.max(size), 0);
    let frame = reader.next_frame(&mut buf[..png_size]).map_err(png_error)?;
    // Read on to IEND so that a file cut short after its pixel data is
    // reported, as a truncated JPEG is (the png crate does not insist on the
    // IEND checksum, hence the second check).
    reader.finish().map_err(png_error)?;
    if !has_iend(data) {
        return Err(Error::new(
            ErrorKind::Format,
            format!(
                "png data ends at byte {} without a complete IEND chunk (truncated?)",
                data.len()
            ),
        ));
    }
    if (frame.width, frame.height) != (width, height) {
        return Err(Error::new(
            ErrorKind::Format,
            format!(
                "png frame is {}x{}, the header says {width}x{height}",
                frame.width, frame.height
            ),
        ));
    }
    let pixels = width as usize * height as usize;
    match fixup {
        Fixup::None => {}
        Fixup::Swap16 => buf[..png_size]
            .chunks_exact_mut(2)
            .for_each(|s| s.swap(0, 1)),
        Fixup::RgbaToArgb8 => buf[..png_size]
            .chunks_exact_mut(4)
            .for_each(|p| p.swap(0, 2)),
        Fixup::GrayAlphaToArgb8 => {
            // Widen in place from the end: pixel i moves from 2i to 4i.
            for i in (0..pixels).rev() {
                let (g, a) = (buf[2 * i], buf[2 * i + 1]);
                buf[4 * i..4 * i + 4].copy_from_slice(&[g, g, g, a]);
            }
        }
        Fixup::Rgba16ToRgb48 => {
            // Narrow in place from the start: pixel i moves from 8i to 6i.
            for i in 0..pixels {
                let s = 8 * i;
                let p = [
                    buf[s + 1],
                    buf[s],
                    buf[s + 3],
                    buf[s + 2],
                    buf[s + 5],
                    buf[s + 4],
                ];
                buf[6 * i..6 * i + 6].copy_from_slice(&p);
            }
        }
        Fixup::GrayAlpha16ToGray16 => {
            for i in 0..pixels {
                let p = [buf[4 * i + 1], buf[4 * i]];
                buf[2 * i..2 * i + 2].copy_from_slice(&p);
            }
        }
    }
    buf.truncate(size);
    dst.set_meta_unchecked(format, width, height);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_raw(
        width: u32,
        height: u32,
        color: png::ColorType,
        depth: png::BitDepth,
        setup: impl FnOnce(&mut png::Encoder<'_, &mut Vec<u8>>),
        data: &[u8],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(color);
        enc.set_depth(depth);
        setup(&mut enc);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(data).unwrap();
        w.finish().unwrap();
        out
    }

    #[test]
    fn palette_and_low_bit_depths_expand() {
        // 4 pixels of 2-bit palette indices 0, 1, 2, 3 in one byte.
        let palette = vec![10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120];
        let file = encode_raw(
            4,
            1,
            png::ColorType::Indexed,
            png::BitDepth::Two,
            |e| e.set_palette(palette),
            &[0b00_01_10_11],
        );
        let img = decode(&file).unwrap();
        assert_eq!(img.format(), PixelFormat::Rgb888);
        assert_eq!(
            img.data(),
            &[10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]
        );

        // 1-bit gray: 8 pixels 1,0,1,1,0,0,0,1 -> 255 or 0.
        let file = encode_raw(
            8,
            1,
            png::ColorType::Grayscale,
            png::BitDepth::One,
            |_| {},
            &[0b1011_0001],
        );
        let img = decode(&file).unwrap();
        assert_eq!(img.format(), PixelFormat::Grayscale);
        assert_eq!(img.data(), &[255, 0, 255, 255, 0, 0, 0, 255]);
    }

    #[test]
    fn alpha_handling() {
        let file = encode_raw(
            2,
            1,
            png::ColorType::GrayscaleAlpha,
            png::BitDepth::Eight,
            |_| {},
            &[7, 200, 9, 100],
        );
        let img = decode(&file).unwrap();
        assert_eq!(img.format(), PixelFormat::Argb8);
        assert_eq!(img.data(), &[7, 7, 7, 200, 9, 9, 9, 100]);

        let file = encode_raw(
            1,
            2,
            png::ColorType::Rgba,
            png::BitDepth::Sixteen,
            |_| {},
            &[
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0xFF, 0xFF, //
                0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x00, 0x00,
            ],
        );
        let img = decode(&file).unwrap();
        assert_eq!(img.format(), PixelFormat::Rgb48);
        assert_eq!(
            img.data(),
            &[2, 1, 4, 3, 6, 5, 0x12, 0x11, 0x14, 0x13, 0x16, 0x15]
        );

        let file = encode_raw(
            2,
            1,
            png::ColorType::GrayscaleAlpha,
            png::BitDepth::Sixteen,
            |_| {},
            &[0xAB, 0xCD, 0, 0, 0x12, 0x34, 0xFF, 0xFF],
        );
        let img = decode(&file).unwrap();
        assert_eq!(img.format(), PixelFormat::Gray16);
        assert_eq!(img.data(), &[0xCD, 0xAB, 0x34, 0x12]);

        // tRNS on an RGB image marks one colour transparent.
        let file = encode_raw(
            2,
            1,
            png::ColorType::Rgb,
            png::BitDepth::Eight,
            |e| e.set_trns(vec![0, 1, 0, 2, 0, 3]),
            &[1, 2, 3, 4, 5, 6],
        );
        let img = decode(&file).unwrap();
        assert_eq!(img.format(), PixelFormat::Argb8);
        assert_eq!(img.data(), &[3, 2, 1, 0, 6, 5, 4, 255]);
    }

    #[test]
    fn limits_are_checked_before_decoding() {
        let img = Image::zeroed(PixelFormat::Rgb888, 40, 30).unwrap();
        let file = encode_image(img.view()).unwrap();
        let mut dst = Image::zeroed(PixelFormat::Grayscale, 5, 5).unwrap();
        let small = Limits {
            max_width: 39,
            ..Limits::default()
        };
        let e = decode_with_limits(file.data(), &small, &mut dst).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert_eq!((dst.format(), dst.size()), (PixelFormat::Grayscale, (1, 1)));
        let tight = Limits {
            max_bytes: 40 * 30 * 3 - 1,
            ..Limits::default()
        };
        let e = decode_with_limits(file.data(), &tight, &mut dst).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        decode_with_limits(file.data(), &Limits::default(), &mut dst).unwrap();
        assert_eq!(dst, img);
    }

    #[test]
    fn converts_other_formats_first() {
        // Y=81, U=90, V=240 is BT.601 limited-range red: R = 1.164*65 + 1.596*112 = 254.4.
        let mut yuv = vec![81u8; 16];
        yuv.extend([90u8; 4]);
        yuv.extend([240u8; 4]);
        let img = Image::new(PixelFormat::Yuv420, 4, 4, yuv).unwrap();
        let png = encode_image(img.view()).unwrap();
        let back = decode(png.data()).unwrap();
        assert_eq!(back.format(), PixelFormat::Rgb888);
        assert_eq!(
            back,
            crate::convert::convert(img.view(), PixelFormat::Rgb888).unwrap()
        );
        assert_eq!(&back.data()[..3], &[254, 0, 0]);

        let raw = Image::new(
            PixelFormat::Raw10(crate::BayerOrder::Rggb),
            4,
            2,
            vec![0xFF; 10],
        )
        .unwrap();
        let deep = decode(encode_image(raw.view()).unwrap().data()).unwrap();
        assert_eq!(deep.format(), PixelFormat::Rgb48);
        assert!(deep.data().iter().all(|&b| b == 0xFF));
    }

    #[test]
    fn auto_compression_tells_noise_from_smooth_images() {
        let (w, h) = (96u32, 80u32);
        let mut state = 0x1234_5678u32;
        let noise: Vec<u8> = (0..w * h * 3)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        let smooth: Vec<u8> = (0..w * h * 3).map(|i| (i / 3 % w) as u8).collect();
        let size = (w, h, 3 * w as usize);
        let rgb8 = (png::ColorType::Rgb, png::BitDepth::Eight);
        assert!(matches!(
            auto_settings(&noise, size, rgb8).0,
            png::DeflateCompression::FdeflateUltraFast
        ));
        assert!(matches!(
            auto_settings(&smooth, size, rgb8).0,
            png::DeflateCompression::Level(3)
        ));
        // Auto's file for each is the one its choice writes.
        for (pixels, other) in [
            (&noise, Compression::Fast),
            (&smooth, Compression::Level(3)),
        ] {
            let img = ImageRef::new(PixelFormat::Rgb888, w, h, pixels).unwrap();
            let (mut auto, mut chosen) = (Vec::new(), Vec::new());
            encode_with(img, &PngOptions::new(), &mut auto).unwrap();
            encode_with(img, &PngOptions::new().compression(other), &mut chosen).unwrap();
            assert_eq!(auto, chosen, "{other:?}");
            assert_eq!(decode(&auto).unwrap().data(), &pixels[..]);
        }
        let e = encode_with(
            ImageRef::new(PixelFormat::Rgb888, w, h, &smooth).unwrap(),
            &PngOptions::new().compression(Compression::Level(10)),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            e.to_string(),
            "png compression level 10 is out of range (1 to 9)"
        );
    }

    #[test]
    fn refuses_encoded_input() {
        let jpeg = ImageRef::new(PixelFormat::Jpeg, 4, 4, &[0xFF, 0xD8]).unwrap();
        let mut out = vec![1, 2, 3];
        let e = encode(jpeg, &mut out).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
        assert_eq!(out, [1, 2, 3]);
        assert_eq!(
            dimensions(b"\x89PNG\r\n\x1a\n").unwrap_err().kind(),
            ErrorKind::Format
        );
    }
}
