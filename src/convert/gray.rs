//! Grayscale and BINARY conversions.
//!
//! * RGB -> grayscale is BT.601 luma in 8-bit fixed point:
//!   `(77 R + 150 G + 29 B + 128) >> 8` (the weights sum to 256, so a gray
//!   pixel `(v, v, v)` maps back to exactly `v`). The 16-bit version uses
//!   `(19595 R + 38470 G + 7471 B + 32768) >> 16`.
//! * Grayscale -> RGB copies the value to the three channels.
//! * BINARY (OpenMV's 1-bit format) stores pixel x of a row in bit `x % 32` of the
//!   little-endian `u32` word `x / 32`; rows are padded to whole words (the
//!   padding bits are written as 0). BINARY -> grayscale gives 0 or 255.
//!   Grayscale -> BINARY sets a bit when the value is **greater than** the
//!   threshold (default 127, as [`ConvertOptions`](super::ConvertOptions) says).
//!
//! ```
//! use camreel::convert::gray;
//! let mut bits = [0u8; 4];
//! gray::gray_to_binary_row(&[0, 200, 127, 128], 127, &mut bits)?;
//! assert_eq!(bits, [0b1010, 0, 0, 0]);
//! let mut back = [0u8; 4];
//! gray::binary_to_gray_row(&bits, &mut back)?;
//! assert_eq!(back, [0, 255, 0, 255]);
//! # Ok::<(), camreel::Error>(())
//! ```

use super::{check_pixels, invalid_len};
use crate::error::Result;

/// BT.601 luma of an 8-bit RGB pixel: `(77 R + 150 G + 29 B + 128) >> 8`.
#[inline]
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

/// BT.601 luma of a 16-bit RGB pixel: `(19595 R + 38470 G + 7471 B + 32768) >> 16`.
#[inline]
pub fn luma16(r: u16, g: u16, b: u16) -> u16 {
    ((19595 * u64::from(r) + 38470 * u64::from(g) + 7471 * u64::from(b) + 32768) >> 16) as u16
}

/// RGB888 (`3 * n` bytes) to grayscale (`n` bytes), BT.601 luma.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) if the
/// lengths do not describe the same number of pixels.
pub fn rgb888_to_gray(src: &[u8], dst: &mut [u8]) -> Result<()> {
    check_pixels("RGB888", src.len(), 3, "GRAYSCALE", dst.len(), 1)?;
    let (s, _) = src.as_chunks::<3>();
    for (d, &[r, g, b]) in dst.iter_mut().zip(s) {
        *d = luma(r, g, b);
    }
    Ok(())
}

/// Grayscale (`n` bytes) to RGB888 (`3 * n` bytes).
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) if the
/// lengths do not describe the same number of pixels.
pub fn gray_to_rgb888(src: &[u8], dst: &mut [u8]) -> Result<()> {
    check_pixels("GRAYSCALE", src.len(), 1, "RGB888", dst.len(), 3)?;
    let (d, _) = dst.as_chunks_mut::<3>();
    for (d, &v) in d.iter_mut().zip(src) {
        *d = [v; 3];
    }
    Ok(())
}

fn binary_row_bytes(width: usize) -> usize {
    width.div_ceil(32) * 4
}

/// One row of grayscale pixels to one BINARY row: bit set where the value is
/// greater than `threshold`. `dst` must be `ceil(src.len() / 32) * 4` bytes;
/// the padding bits are cleared.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) for an
/// empty row or a `dst` of the wrong length.
pub fn gray_to_binary_row(src: &[u8], threshold: u8, dst: &mut [u8]) -> Result<()> {
    let want = binary_row_bytes(src.len());
    if src.is_empty() || dst.len() != want {
        return Err(invalid_len("BINARY row", src.len(), want, dst.len()));
    }
    let (words, _) = dst.as_chunks_mut::<4>();
    for (word, px) in words.iter_mut().zip(src.chunks(32)) {
        let mut w = 0u32;
        for (i, &v) in px.iter().enumerate() {
            w |= u32::from(v > threshold) << i;
        }
        *word = w.to_le_bytes();
    }
    Ok(())
}

/// One BINARY row to grayscale pixels (0 or 255); the row width is `dst.len()`.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) for an
/// empty `dst` or a `src` that is not `ceil(dst.len() / 32) * 4` bytes.
pub fn binary_to_gray_row(src: &[u8], dst: &mut [u8]) -> Result<()> {
    let want = binary_row_bytes(dst.len());
    if dst.is_empty() || src.len() != want {
        return Err(invalid_len("BINARY row", dst.len(), want, src.len()));
    }
    let (words, _) = src.as_chunks::<4>();
    for (px, word) in dst.chunks_mut(32).zip(words) {
        let w = u32::from_le_bytes(*word);
        for (i, d) in px.iter_mut().enumerate() {
            *d = 0u8.wrapping_sub(((w >> i) & 1) as u8);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_weights() {
        assert_eq!(luma(255, 255, 255), 255);
        assert_eq!(luma(0, 0, 0), 0);
        assert_eq!(luma(255, 0, 0), 77); // (19635 + 128) >> 8
        assert_eq!(luma(0, 255, 0), 149); // (38250 + 128) >> 8
        assert_eq!(luma(0, 0, 255), 29); // (7395 + 128) >> 8
        for v in 0..=255u8 {
            assert_eq!(luma(v, v, v), v);
            let w = u16::from(v) * 257;
            assert_eq!(luma16(w, w, w), w);
        }
        assert_eq!(luma16(65535, 65535, 65535), 65535);
    }

    #[test]
    fn binary_rows_pad_to_words() {
        let src: Vec<u8> = (0..33).map(|i| if i % 3 == 0 { 255 } else { 0 }).collect();
        let mut bits = [0xAAu8; 8];
        gray_to_binary_row(&src, 127, &mut bits).unwrap();
        // bits 0,3,...,30 set in word 0, bit 0 (pixel 32 = 33 % 3 != 0 -> 0).
        let w0 = (0..32).filter(|i| i % 3 == 0).fold(0u32, |w, i| w | 1 << i);
        assert_eq!(&bits[..4], &w0.to_le_bytes());
        assert_eq!(&bits[4..], &[0, 0, 0, 0]);
        let mut gray = vec![7u8; 33];
        binary_to_gray_row(&bits, &mut gray).unwrap();
        assert_eq!(gray, src);
        assert!(gray_to_binary_row(&src, 127, &mut [0; 4]).is_err());
        assert!(binary_to_gray_row(&bits, &mut []).is_err());
    }
}
