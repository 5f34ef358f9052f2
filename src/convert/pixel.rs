//! Per-pixel channel shuffles and depth changes: ARGB8, BGR888, RGB48, GRAY16.
//!
//! * ARGB8 is a little-endian `u32` 0xAARRGGBB per pixel, so its bytes are
//!   B, G, R, A, with straight (not premultiplied) alpha. RGB -> ARGB8 sets
//!   A to 255; ARGB8 -> RGB composites each pixel over [`ALPHA_BACKGROUND`]
//!   (black): `(c * a + bg * (255 - a)) / 255`, rounded, so opaque pixels
//!   keep their colour and transparent ones become the background. Every
//!   output without alpha gets ARGB8 this way (JPEG in AVI and MJPEG
//!   streams, H.264, GIF, grayscale); PNG keeps the alpha.
//! * 8 -> 16 bits replicates the byte (`v * 257`), 16 -> 8 keeps the high
//!   byte (`v >> 8`); one undoes the other exactly.
//! * A `bits`-bit sample widens to 16 bits by bit replication
//!   ([`widen_to_16`]): `0` stays `0`, the maximum becomes `65535`.
//!
//! ```
//! use camreel::convert::pixel;
//! let mut argb = [0u8; 4];
//! pixel::rgb888_to_argb8(&[10, 20, 30], &mut argb)?;
//! assert_eq!(argb, [30, 20, 10, 255]);
//! // Opaque, half transparent and transparent white over the black background.
//! let mut rgb = [0u8; 9];
//! pixel::argb8_to_rgb888(&[255, 255, 255, 255, 255, 255, 255, 128, 255, 255, 255, 0], &mut rgb)?;
//! assert_eq!(rgb, [255, 255, 255, 128, 128, 128, 0, 0, 0]);
//! assert_eq!(pixel::widen_to_16(1023, 10), 65535);
//! assert_eq!(pixel::widen_to_16(512, 10), 0x8020);
//! # Ok::<(), camreel::Error>(())
//! ```

use super::check_pixels;
use crate::error::Result;

/// The colour, R, G, B, that pixels with alpha are composited over when
/// they go to a format without alpha: black, as the GIF reader's canvas
/// shows where no frame has drawn (and as ffmpeg shows a transparent GIF in
/// a video). See the [module docs](self).
pub const ALPHA_BACKGROUND: [u8; 3] = [0, 0, 0];

/// `c` with alpha `a` over `bg`, rounded: `(c * a + bg * (255 - a)) / 255`.
#[inline]
fn over(c: u8, a: u8, bg: u8) -> u8 {
    let x = u32::from(c) * u32::from(a) + u32::from(bg) * u32::from(255 - a) + 128;
    // x / 255 rounded, exact for x < 65536 + 128.
    ((x + (x >> 8)) >> 8) as u8
}

/// Widens a `bits`-bit sample (`bits` in 8..=16) to 16 bits by bit replication.
#[inline]
pub fn widen_to_16(v: u16, bits: u8) -> u16 {
    let bits = u32::from(bits.clamp(8, 16));
    let v = u32::from(v) & ((1 << bits) - 1);
    ((v << (16 - bits)) | (v >> (2 * bits - 16))) as u16
}

/// ARGB8 (bytes B, G, R, A; `4 * n` bytes) to RGB888 (`3 * n` bytes),
/// composited over [`ALPHA_BACKGROUND`] (an opaque pixel keeps its colour).
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) if the
/// lengths do not describe the same number of pixels.
pub fn argb8_to_rgb888(src: &[u8], dst: &mut [u8]) -> Result<()> {
    check_pixels("ARGB8", src.len(), 4, "RGB888", dst.len(), 3)?;
    let (s, _) = src.as_chunks::<4>();
    let (d, _) = dst.as_chunks_mut::<3>();
    // Opaque pixels (the common case) are a plain shuffle, which
    // vectorises; so does the check, an AND over the pixels as u32s.
    if s.iter()
        .fold(0xFF00_0000, |all, p| all & u32::from_le_bytes(*p))
        == 0xFF00_0000
    {
        shuffle_bgra(s, d);
    } else {
        composite_bgra(s, d);
    }
    Ok(())
}

/// B, G, R, A pixels to R, G, B, dropping A.
fn shuffle_bgra(s: &[[u8; 4]], d: &mut [[u8; 3]]) {
    for (d, &[b, g, r, _]) in d.iter_mut().zip(s) {
        *d = [r, g, b];
    }
}

/// B, G, R, A pixels to R, G, B over [`ALPHA_BACKGROUND`].
fn composite_bgra(s: &[[u8; 4]], d: &mut [[u8; 3]]) {
    let [br, bg, bb] = ALPHA_BACKGROUND;
    for (d, &[b, g, r, a]) in d.iter_mut().zip(s) {
        *d = if a == 255 {
            [r, g, b]
        } else {
            [over(r, a, br), over(g, a, bg), over(b, a, bb)]
        };
    }
}

/// RGB888 (`3 * n` bytes) to ARGB8 (bytes B, G, R, A; `4 * n` bytes), A = 255.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) if the
/// lengths do not describe the same number of pixels.
pub fn rgb888_to_argb8(src: &[u8], dst: &mut [u8]) -> Result<()> {
    check_pixels("RGB888", src.len(), 3, "ARGB8", dst.len(), 4)?;
    let (s, _) = src.as_chunks::<3>();
    let (d, _) = dst.as_chunks_mut::<4>();
    for (d, &[r, g, b]) in d.iter_mut().zip(s) {
        *d = [b, g, r, 255];
    }
    Ok(())
}

/// Swaps the first and third byte of every 3-byte pixel: RGB888 <-> BGR888.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) if the
/// lengths differ or are not a multiple of 3.
pub fn swap_rb(src: &[u8], dst: &mut [u8]) -> Result<()> {
    check_pixels("RGB888", src.len(), 3, "BGR888", dst.len(), 3)?;
    let (s, _) = src.as_chunks::<3>();
    let (d, _) = dst.as_chunks_mut::<3>();
    for (d, &[a, b, c]) in d.iter_mut().zip(s) {
        *d = [c, b, a];
    }
    Ok(())
}

/// 8-bit samples to little-endian 16-bit ones (`v * 257`).
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) unless
/// `dst` is twice as long as `src`.
pub fn widen_8_to_16(src: &[u8], dst: &mut [u8]) -> Result<()> {
    check_pixels("8-bit", src.len(), 1, "16-bit", dst.len(), 2)?;
    let (d, _) = dst.as_chunks_mut::<2>();
    for (d, &v) in d.iter_mut().zip(src) {
        *d = [v, v];
    }
    Ok(())
}

/// Little-endian 16-bit samples to 8-bit ones (the high byte).
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) unless
/// `src` is twice as long as `dst`.
pub fn narrow_16_to_8(src: &[u8], dst: &mut [u8]) -> Result<()> {
    check_pixels("16-bit", src.len(), 2, "8-bit", dst.len(), 1)?;
    let (s, _) = src.as_chunks::<2>();
    for (d, s) in dst.iter_mut().zip(s) {
        *d = s[1];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_replicates_bits() {
        assert_eq!(widen_to_16(0, 10), 0);
        assert_eq!(widen_to_16(1, 10), 0b0000_0000_0100_0000);
        assert_eq!(widen_to_16(0x3FF, 10), 0xFFFF);
        assert_eq!(widen_to_16(0xABC, 12), 0xABCA);
        assert_eq!(widen_to_16(0xFF, 8), 0xFFFF);
        assert_eq!(widen_to_16(0x1234, 16), 0x1234);
        for bits in 8..=16u8 {
            for v in [
                0u16,
                1,
                5,
                (1 << (bits - 1)) as u16,
                ((1u32 << bits) - 1) as u16,
            ] {
                // The top `bits` bits are the sample itself, and 16 -> bits is exact.
                assert_eq!(widen_to_16(v, bits) >> (16 - bits), v, "{bits} {v}");
            }
        }
    }

    #[test]
    fn compositing_over_the_background_rounds_exactly() {
        for bg in [0u8, 1, 127, 255] {
            for c in 0..=255u8 {
                for a in 0..=255u8 {
                    let exact =
                        (f64::from(c) * f64::from(a) + f64::from(bg) * f64::from(255 - a)) / 255.0;
                    assert_eq!(over(c, a, bg), exact.round() as u8, "{c} {a} {bg}");
                }
            }
        }
        let mut rgb = [9u8; 6];
        argb8_to_rgb888(&[10, 20, 30, 0, 200, 100, 50, 51], &mut rgb).unwrap();
        assert_eq!(rgb, [0, 0, 0, 10, 20, 40]);
    }

    #[test]
    fn channel_shuffles() {
        let mut rgb = [0u8; 6];
        argb8_to_rgb888(&[1, 2, 3, 255, 5, 6, 7, 255], &mut rgb).unwrap();
        assert_eq!(rgb, [3, 2, 1, 7, 6, 5]);
        let mut bgr = [0u8; 6];
        swap_rb(&rgb, &mut bgr).unwrap();
        assert_eq!(bgr, [1, 2, 3, 5, 6, 7]);
        let mut w = [0u8; 4];
        widen_8_to_16(&[0x12, 0xFF], &mut w).unwrap();
        assert_eq!(w, [0x12, 0x12, 0xFF, 0xFF]);
        let mut n = [0u8; 2];
        narrow_16_to_8(&w, &mut n).unwrap();
        assert_eq!(n, [0x12, 0xFF]);
        assert!(swap_rb(&rgb, &mut [0; 5]).is_err());
    }
}
