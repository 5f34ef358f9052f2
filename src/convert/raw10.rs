//! Packed RAW10 (MIPI CSI-2 order) <-> 16-bit samples.
//!
//! Four pixels take five bytes: bytes 0-3 are the high 8 bits of pixels 0-3,
//! byte 4 holds their low 2 bits with pixel 0 in bits 1:0, pixel 1 in bits
//! 3:2, pixel 2 in bits 5:4 and pixel 3 in bits 7:6 (this is
//! V4L2's `SBGGR10P`, not the reversed order drawn in the picamera docs). A
//! row whose width is not a multiple of 4 still ends with a whole 5-byte group;
//! the unused slots are written as 0 and ignored when reading.
//!
//! ```
//! use camreel::convert::raw10;
//! // Pixels 0x3FF, 0x001, 0x200, 0x0AB.
//! let packed = [0xFF, 0x00, 0x80, 0x2A, 0b11_00_01_11];
//! let mut px = [0u16; 4];
//! raw10::unpack_row(&packed, &mut px)?;
//! assert_eq!(px, [0x3FF, 0x001, 0x200, 0x0AB]);
//! let mut back = [0u8; 5];
//! raw10::pack_row(&px, &mut back)?;
//! assert_eq!(back, packed);
//! # Ok::<(), camreel::Error>(())
//! ```

use super::invalid_len;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, PixelFormat};

/// Bytes in a packed row of `width` pixels: `ceil(width / 4) * 5`.
pub fn row_bytes(width: usize) -> Option<usize> {
    width.div_ceil(4).checked_mul(5)
}

#[inline(always)]
fn unpack_group(s: &[u8; 5]) -> [u16; 4] {
    let lo = s[4];
    [
        (u16::from(s[0]) << 2) | u16::from(lo & 3),
        (u16::from(s[1]) << 2) | u16::from((lo >> 2) & 3),
        (u16::from(s[2]) << 2) | u16::from((lo >> 4) & 3),
        (u16::from(s[3]) << 2) | u16::from(lo >> 6),
    ]
}

/// Unpacks `width` samples to little-endian u16 bytes (`2 * width`), the
/// layout of a 10-bit [`PixelFormat::Bayer16`] row. `src` holds at least
/// `row_bytes(width)` bytes; `dst` exactly `2 * width`.
#[inline(always)]
pub(crate) fn unpack_row_le_inline(src: &[u8], dst: &mut [u8]) {
    let (groups, _) = src.as_chunks::<5>();
    let (out, tail) = dst.as_chunks_mut::<8>();
    for (o, g) in out.iter_mut().zip(groups) {
        let [a, b, c, d] = unpack_group(g);
        let (a, b, c, d) = (
            a.to_le_bytes(),
            b.to_le_bytes(),
            c.to_le_bytes(),
            d.to_le_bytes(),
        );
        *o = [a[0], a[1], b[0], b[1], c[0], c[1], d[0], d[1]];
    }
    if !tail.is_empty()
        && let Some(g) = groups.get(out.len())
    {
        for (o, p) in tail.chunks_exact_mut(2).zip(unpack_group(g)) {
            o.copy_from_slice(&p.to_le_bytes());
        }
    }
}

simd_dispatch! {
    fn unpack_rows_le(rows: &mut dyn Iterator<Item = &[u8]>, w: usize, dst: &mut [u8]) {
        for (s, d) in rows.zip(dst.chunks_exact_mut(2 * w)) {
            unpack_row_le_inline(s, d);
        }
    }
}

/// Unpacks rows as [`unpack_row`] does, into little-endian u16 bytes.
pub(crate) fn unpack_rows_to_le(rows: &mut dyn Iterator<Item = &[u8]>, w: usize, dst: &mut [u8]) {
    unpack_rows_le(rows, w, dst);
}

/// Unpacks one row: `dst.len()` pixels from the first `ceil(dst.len() / 4) * 5`
/// bytes of `src` (bytes after them, such as row padding, are ignored).
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`] for an empty `dst` or a `src` too short.
pub fn unpack_row(src: &[u8], dst: &mut [u16]) -> Result<()> {
    let w = dst.len();
    let need = row_bytes(w).unwrap_or(usize::MAX);
    if w == 0 || src.len() < need {
        return Err(invalid_len("RAW10 row", w, need, src.len()));
    }
    let (groups, _) = src.as_chunks::<5>();
    let (out, tail) = dst.as_chunks_mut::<4>();
    for (o, g) in out.iter_mut().zip(groups) {
        *o = unpack_group(g);
    }
    if let Some(g) = groups.get(out.len()) {
        for (o, p) in tail.iter_mut().zip(unpack_group(g)) {
            *o = p;
        }
    }
    Ok(())
}

/// Packs one row of 10-bit samples into `dst`, which must be exactly
/// `ceil(src.len() / 4) * 5` bytes; unused slots of a final partial group are 0.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`] for an empty row or a `dst` of the wrong
/// length; [`ErrorKind::InvalidArgument`] for a sample above 1023.
pub fn pack_row(src: &[u16], dst: &mut [u8]) -> Result<()> {
    let w = src.len();
    let need = row_bytes(w).unwrap_or(usize::MAX);
    if w == 0 || dst.len() != need {
        return Err(invalid_len("RAW10 row", w, need, dst.len()));
    }
    if let Some(x) = src.iter().position(|&v| v > 1023) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "pixel {x} has value {} which does not fit in 10 bits",
                src[x]
            ),
        ));
    }
    pack_row_with(w, |x| src[x], dst);
    Ok(())
}

/// Packs `w` samples given by `sample(x)` (each at most 1023) into `dst`
/// (`row_bytes(w)` bytes).
#[inline]
pub(crate) fn pack_row_with(w: usize, sample: impl Fn(usize) -> u16, dst: &mut [u8]) {
    let (groups, _) = dst.as_chunks_mut::<5>();
    for (gi, g) in groups.iter_mut().enumerate() {
        let mut lo = 0u8;
        for (k, hi) in g[..4].iter_mut().enumerate() {
            let x = 4 * gi + k;
            let v = if x < w { sample(x) & 0x3FF } else { 0 };
            *hi = (v >> 2) as u8;
            lo |= ((v & 3) as u8) << (2 * k);
        }
        g[4] = lo;
    }
}

/// Unpacks a [`PixelFormat::Raw10`] image (any row stride) into a 10-bit
/// [`PixelFormat::Bayer16`] image of the same Bayer order, reusing `dst`'s
/// memory.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] if `src` is not RAW10.
pub fn unpack(src: ImageRef<'_>, dst: &mut Image) -> Result<()> {
    let PixelFormat::Raw10(order) = src.format() else {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("cannot unpack {} as RAW10", src.format()),
        ));
    };
    let (w, h) = src.size();
    dst.reshape(PixelFormat::Bayer16 { order, bits: 10 }, w, h)?;
    unpack_rows_le(&mut src.rows(), w as usize, dst.data_mut());
    Ok(())
}

/// Packs a 10-bit [`PixelFormat::Bayer16`] image into [`PixelFormat::Raw10`]
/// of the same Bayer order, reusing `dst`'s memory.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] if `src` is not 10-bit Bayer16;
/// [`ErrorKind::InvalidArgument`] for a sample above 1023 (`dst` then holds
/// unspecified bytes of the right size).
pub fn pack(src: ImageRef<'_>, dst: &mut Image) -> Result<()> {
    let PixelFormat::Bayer16 { order, bits: 10 } = src.format() else {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "cannot pack {} as RAW10 (expected 10-bit bayer)",
                src.format()
            ),
        ));
    };
    let (w, h) = src.size();
    dst.reshape(PixelFormat::Raw10(order), w, h)?;
    let rb = row_bytes(w as usize).unwrap_or(0);
    for (y, (row, out)) in src
        .rows()
        .zip(dst.data_mut().chunks_exact_mut(rb))
        .enumerate()
    {
        let (s, _) = row.as_chunks::<2>();
        if let Some(x) = s.iter().position(|p| u16::from_le_bytes(*p) > 1023) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("row {y} pixel {x} does not fit in 10 bits"),
            ));
        }
        pack_row_with(w as usize, |x| u16::from_le_bytes(s[x]), out);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mipi_bit_order() {
        // Low bits 0b01, 0b10, 0b11, 0b00 -> byte 4 = 0b00_11_10_01.
        let px = [4u16 | 1, 8 | 2, 12 | 3, 16];
        let mut packed = [0u8; 5];
        pack_row(&px, &mut packed).unwrap();
        assert_eq!(packed, [1, 2, 3, 4, 0b00_11_10_01]);
    }

    #[test]
    fn partial_groups_and_padding() {
        let px = [1023u16, 0, 512, 3, 1, 1022];
        let mut packed = [0xEEu8; 10];
        pack_row(&px, &mut packed).unwrap();
        assert_eq!(
            packed,
            [255, 0, 128, 0, 0b11_00_00_11, 0, 255, 0, 0, 0b10_01]
        );
        let mut padded = packed.to_vec();
        padded.extend_from_slice(&[9, 9, 9]);
        let mut back = [0u16; 6];
        unpack_row(&padded, &mut back).unwrap();
        assert_eq!(back, px);
        let mut le = [0u8; 12];
        unpack_row_le_inline(&padded, &mut le);
        let from_le: Vec<u16> = le
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(from_le, px);
    }

    #[test]
    fn bad_lengths_and_values() {
        assert!(unpack_row(&[0; 4], &mut [0; 1]).is_err());
        assert!(unpack_row(&[0; 5], &mut []).is_err());
        assert!(pack_row(&[0; 5], &mut [0; 5]).is_err());
        let e = pack_row(&[0, 1024], &mut [0; 5]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
}
