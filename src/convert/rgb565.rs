//! RGB565 <-> RGB888.
//!
//! RGB565 is a little-endian `u16` per pixel with red in bits 11-15, green in
//! bits 5-10 and blue in bits 0-4 (OpenMV's layout).
//!
//! * Expanding uses bit replication: `r8 = r5 << 3 | r5 >> 2`,
//!   `g8 = g6 << 2 | g6 >> 4`, so 0 maps to 0 and the maximum to 255.
//! * Compressing rounds to the nearest level: `r5 = (r8 * 31 + 127) / 255`,
//!   `g6 = (g8 * 63 + 127) / 255`. Expanding and compressing again gives back
//!   every RGB565 value exactly.
//!
//! ```
//! use camreel::convert::rgb565;
//! let px = 0xF800u16.to_le_bytes(); // pure red
//! let mut rgb = [0u8; 3];
//! rgb565::rgb565_to_rgb888(&px, &mut rgb)?;
//! assert_eq!(rgb, [255, 0, 0]);
//! let mut back = [0u8; 2];
//! rgb565::rgb888_to_rgb565(&rgb, &mut back)?;
//! assert_eq!(back, px);
//! # Ok::<(), camreel::Error>(())
//! ```

use super::check_pixels;
use crate::error::Result;

/// Expands one RGB565 value to `[r, g, b]` by bit replication.
#[inline]
pub fn expand(v: u16) -> [u8; 3] {
    let r5 = (v >> 11) as u8;
    let g6 = ((v >> 5) & 0x3F) as u8;
    let b5 = (v & 0x1F) as u8;
    [
        (r5 << 3) | (r5 >> 2),
        (g6 << 2) | (g6 >> 4),
        (b5 << 3) | (b5 >> 2),
    ]
}

/// Compresses `[r, g, b]` to the nearest RGB565 value.
#[inline]
pub fn compress([r, g, b]: [u8; 3]) -> u16 {
    // x / 255 for x < 65536 is (x * 257 + 257) >> 16; keep it in u32.
    let q = |v: u8, max: u32| -> u16 {
        let x = u32::from(v) * max + 127;
        ((x * 257 + 257) >> 16) as u16
    };
    (q(r, 31) << 11) | (q(g, 63) << 5) | q(b, 31)
}

/// Converts RGB565 pixels (`2 * n` bytes) to RGB888 (`3 * n` bytes).
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) if the
/// lengths do not describe the same number of pixels.
pub fn rgb565_to_rgb888(src: &[u8], dst: &mut [u8]) -> Result<()> {
    check_pixels("RGB565", src.len(), 2, "RGB888", dst.len(), 3)?;
    let (s, _) = src.as_chunks::<2>();
    let (d, _) = dst.as_chunks_mut::<3>();
    for (d, s) in d.iter_mut().zip(s) {
        *d = expand(u16::from_le_bytes(*s));
    }
    Ok(())
}

/// Converts RGB888 pixels (`3 * n` bytes) to RGB565 (`2 * n` bytes), rounding
/// each channel to the nearest level.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) if the
/// lengths do not describe the same number of pixels.
pub fn rgb888_to_rgb565(src: &[u8], dst: &mut [u8]) -> Result<()> {
    check_pixels("RGB888", src.len(), 3, "RGB565", dst.len(), 2)?;
    let (s, _) = src.as_chunks::<3>();
    let (d, _) = dst.as_chunks_mut::<2>();
    for (d, s) in d.iter_mut().zip(s) {
        *d = compress(*s).to_le_bytes();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_hand_values() {
        assert_eq!(expand(0x0000), [0, 0, 0]);
        assert_eq!(expand(0xFFFF), [255, 255, 255]);
        assert_eq!(expand(0x07E0), [0, 255, 0]);
        assert_eq!(expand(0x001F), [0, 0, 255]);
        // r5 = 0b10000 -> 0b10000100, g6 = 0b100000 -> 0b10000010, b5 = 1 -> 0b00001000
        assert_eq!(expand(0b1000_0100_0000_0001), [0x84, 0x82, 0x08]);
    }

    #[test]
    fn compress_is_nearest_and_inverts_expand() {
        for v in 0..=u16::MAX {
            assert_eq!(compress(expand(v)), v);
        }
        for c in 0..=255u8 {
            let r5 = compress([c, 0, 0]) >> 11;
            let g6 = (compress([0, c, 0]) >> 5) & 0x3F;
            let best5 = (0..32u32)
                .min_by_key(|&l| (l * 255).abs_diff(u32::from(c) * 31))
                .unwrap();
            let best6 = (0..64u32)
                .min_by_key(|&l| (l * 255).abs_diff(u32::from(c) * 63))
                .unwrap();
            assert_eq!(u32::from(r5), best5, "red {c}");
            assert_eq!(u32::from(g6), best6, "green {c}");
        }
    }

    #[test]
    fn lengths_are_checked() {
        assert!(rgb565_to_rgb888(&[0; 4], &mut [0; 5]).is_err());
        assert!(rgb565_to_rgb888(&[0; 3], &mut [0; 3]).is_err());
        assert!(rgb888_to_rgb565(&[0; 6], &mut [0; 4]).is_ok());
    }
}
