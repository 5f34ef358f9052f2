//! PNG encoding: [`PngOptions`], [`Compression`] and the `encode` functions.

use std::borrow::Cow;

use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, PixelFormat};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::png::{decode, dimensions};

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
