//! Mosaic to mosaic of the same Bayer order: 8-bit, 16-bit and RAW10 samples
//! requantized without demosaicing.

use super::{pixel, raw10};
use crate::error::{Error, ErrorKind, Result};
use crate::image::{ImageRef, PixelFormat};

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
pub(super) fn requantize_mosaic(src: ImageRef<'_>, to: PixelFormat, out: &mut [u8]) -> Result<()> {
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
