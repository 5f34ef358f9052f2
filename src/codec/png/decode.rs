//! PNG decoding, checked against [`Limits`] before allocating.

use std::io::Cursor;

use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, Limits, PixelFormat};

/// The PNG file signature.
const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];

/// The IEND chunk: zero length, type, CRC.
const IEND: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];

/// Whether the complete IEND chunk is present (normally the last 12 bytes).
fn has_iend(data: &[u8]) -> bool {
    data.ends_with(&IEND) || data.windows(IEND.len()).rev().any(|w| w == IEND)
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
/// see the [module docs](super)), checking the header against `limits` before
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
    use crate::codec::png::encode_image;

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
}
