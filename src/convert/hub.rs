//! The two halves of a conversion through the hub format (RGB888, or RGB48
//! when both ends are deep): [`decode`] any source to the hub, [`encode`] the
//! hub to any target, and the [`direct`] pairs that skip it.

use super::mosaic::requantize_mosaic;
use super::{ConvertOptions, bayer, gray, pixel, rgb565, yuv, yuv422};
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, PixelFormat};

/// Conversions that skip the hub. Returns whether it handled the pair.
pub(super) fn direct(
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
        (PixelFormat::Yuv422 | PixelFormat::Yvu422, PixelFormat::Grayscale) => {
            // Full-range Y is the gray level.
            dst.reshape(to, w, h)?;
            yuv422::yuyv_rows_to_gray(&mut src.rows(), wu, dst.data_mut());
        }
        (PixelFormat::Yuv420 | PixelFormat::Nv12, PixelFormat::Bgr888) => {
            dst.reshape(to, w, h)?;
            decode_yuv(src, true, dst.data_mut())?;
        }
        (PixelFormat::Yuv422 | PixelFormat::Yvu422, PixelFormat::Bgr888) => {
            dst.reshape(to, w, h)?;
            yuv422::yuyv_rows_to_rgb(
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

/// Decodes any source into the hub format (`RGB888`, or `RGB48` for deep
/// sources), `out` exactly sized; `scratch` holds the RAW10 ring.
pub(super) fn decode(
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
            yuv422::yuyv_rows_to_rgb(&mut src.rows(), w, from == PixelFormat::Yvu422, false, out);
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
pub(super) fn encode(
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
                yuv422::rgb_row_to_yuyv(row, to == PixelFormat::Yvu422, o)?;
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
