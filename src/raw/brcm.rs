//! The raw Bayer block a Pi appends to a JPEG: the `BRCM` header region and
//! the layout of its RAW10 rows.

use crate::error::{Error, ErrorKind, Result};
use crate::image::BayerOrder;

/// Where the [`BrcmHeader`] sits inside a raw Bayer block.
pub const HEADER_OFFSET: usize = 176;
/// Where the pixel rows start inside a raw Bayer block.
pub const DATA_OFFSET: usize = 32768;
/// The first four bytes of a raw Bayer block.
pub const MAGIC: &[u8; 4] = b"BRCM";
/// Bytes of the header struct.
pub const HEADER_LEN: usize = 70;

/// The Broadcom raw header at offset 176 of a raw Bayer block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrcmHeader {
    /// Sensor/mode name, NUL-padded.
    pub name: [u8; 32],
    /// Active width in pixels.
    pub width: u16,
    /// Active height in pixels.
    pub height: u16,
    /// Extra pixels at the end of each row.
    pub padding_right: u16,
    /// Extra rows at the bottom.
    pub padding_down: u16,
    /// Six fields picamera ignores, kept verbatim.
    pub dummy: [u32; 6],
    /// Flip/rotation applied by the firmware.
    pub transform: u16,
    /// Firmware format code, kept verbatim.
    pub format: u16,
    /// Colour-filter order, 0 RGGB, 1 GBRG, 2 BGGR, 3 GRBG ([`BayerOrder::from_brcm`]).
    pub bayer_order: u8,
    /// Firmware Bayer format code, kept verbatim.
    pub bayer_format: u8,
}

impl BrcmHeader {
    /// A header for `width` x `height` RAW10 in `order`, no padding, named `name`.
    pub fn new(name: &str, width: u16, height: u16, order: BayerOrder) -> BrcmHeader {
        let mut n = [0u8; 32];
        let bytes = name.as_bytes();
        let len = bytes.len().min(31);
        n[..len].copy_from_slice(&bytes[..len]);
        BrcmHeader {
            name: n,
            width,
            height,
            padding_right: 0,
            padding_down: 0,
            dummy: [0; 6],
            transform: 0,
            format: 0,
            bayer_order: order.brcm(),
            bayer_format: 0,
        }
    }

    /// Parses the 70 header bytes (little-endian, as the Pi's ARM writes them).
    ///
    /// # Errors
    /// [`ErrorKind::Truncated`] if fewer than [`HEADER_LEN`] bytes are given.
    pub fn parse(bytes: &[u8]) -> Result<BrcmHeader> {
        let b: &[u8; HEADER_LEN] = bytes
            .get(..HEADER_LEN)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Truncated,
                    format!("raw header needs {HEADER_LEN} bytes, got {}", bytes.len()),
                )
            })?;
        let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
        let u32_at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        let mut name = [0u8; 32];
        name.copy_from_slice(&b[..32]);
        let mut dummy = [0u32; 6];
        for (i, d) in dummy.iter_mut().enumerate() {
            *d = u32_at(40 + 4 * i);
        }
        Ok(BrcmHeader {
            name,
            width: u16_at(32),
            height: u16_at(34),
            padding_right: u16_at(36),
            padding_down: u16_at(38),
            dummy,
            transform: u16_at(64),
            format: u16_at(66),
            bayer_order: b[68],
            bayer_format: b[69],
        })
    }

    /// The 70 header bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[..32].copy_from_slice(&self.name);
        b[32..34].copy_from_slice(&self.width.to_le_bytes());
        b[34..36].copy_from_slice(&self.height.to_le_bytes());
        b[36..38].copy_from_slice(&self.padding_right.to_le_bytes());
        b[38..40].copy_from_slice(&self.padding_down.to_le_bytes());
        for (i, d) in self.dummy.iter().enumerate() {
            b[40 + 4 * i..44 + 4 * i].copy_from_slice(&d.to_le_bytes());
        }
        b[64..66].copy_from_slice(&self.transform.to_le_bytes());
        b[66..68].copy_from_slice(&self.format.to_le_bytes());
        b[68] = self.bayer_order;
        b[69] = self.bayer_format;
        b
    }

    /// The name up to its first NUL, lossily decoded.
    pub fn name(&self) -> String {
        let end = self.name.iter().position(|&c| c == 0).unwrap_or(32);
        String::from_utf8_lossy(&self.name[..end]).into_owned()
    }

    /// The colour-filter order.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for a value above 3.
    pub fn order(&self) -> Result<BayerOrder> {
        BayerOrder::from_brcm(self.bayer_order).ok_or_else(|| {
            Error::new(
                ErrorKind::Format,
                format!(
                    "raw header at byte {HEADER_OFFSET}: bayer_order {} is not 0-3",
                    self.bayer_order
                ),
            )
        })
    }

    /// The row layout this header describes.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for a zero size or a bad Bayer order.
    pub fn layout(&self) -> Result<RawLayout> {
        if self.width == 0 || self.height == 0 {
            return Err(Error::new(
                ErrorKind::Format,
                format!(
                    "raw header at byte {HEADER_OFFSET}: {}x{} sensor has a zero dimension",
                    self.width, self.height
                ),
            ));
        }
        let order = self.order()?;
        let (w, pr) = (u32::from(self.width), u32::from(self.padding_right));
        let (h, pd) = (u32::from(self.height), u32::from(self.padding_down));
        // picamera's layout: ceil(((width + padding_right) * 5 / 4) / 32) * 32. For widths
        // that are not a multiple of 4 the last, partial group still takes 5
        // bytes, so the stride is never shorter than that.
        let packed = ((w + pr) * 5).div_ceil(4).max(w.div_ceil(4) * 5);
        Ok(RawLayout {
            width: w,
            height: h,
            stride: packed.div_ceil(32) as usize * 32,
            rows: (h + pd).div_ceil(16) as usize * 16,
            order,
        })
    }
}

/// How the RAW10 rows of a raw Bayer block are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawLayout {
    /// Active width in pixels.
    pub width: u32,
    /// Active height in pixels.
    pub height: u32,
    /// Bytes from one row to the next: the packed row (5 bytes per 4 pixels,
    /// padding included) rounded up to a multiple of 32.
    pub stride: usize,
    /// Rows stored: the height (padding included) rounded up to a multiple of 16.
    pub rows: usize,
    /// Colour-filter order.
    pub order: BayerOrder,
}

impl RawLayout {
    /// Bytes of pixel data.
    pub fn data_len(&self) -> usize {
        self.stride * self.rows
    }

    /// Bytes of the whole block (header region and pixel data).
    pub fn block_len(&self) -> usize {
        DATA_OFFSET + self.data_len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_bytes_by_hand() {
        let mut h = BrcmHeader::new("ov5647", 2592, 1944, BayerOrder::Gbrg);
        h.padding_right = 8;
        h.dummy[5] = 0x0102_0304;
        h.transform = 3;
        h.format = 0x21;
        h.bayer_format = 7;
        let b = h.to_bytes();
        assert_eq!(&b[..7], b"ov5647\0");
        assert_eq!(&b[32..40], &[0x20, 0x0A, 0x98, 0x07, 8, 0, 0, 0]);
        assert_eq!(&b[60..64], &[4, 3, 2, 1]);
        assert_eq!(&b[64..70], &[3, 0, 0x21, 0, 1, 7]);
        let p = BrcmHeader::parse(&b).unwrap();
        assert_eq!(p, h);
        assert_eq!(p.name(), "ov5647");
        assert_eq!(p.order().unwrap(), BayerOrder::Gbrg);
        // padding_right 8 widens the stride: (2600*5/4 = 3250) -> 3264.
        assert_eq!(p.layout().unwrap().stride, 3264);
        assert_eq!(
            BrcmHeader::parse(&b[..69]).unwrap_err().kind(),
            ErrorKind::Truncated
        );
        let mut bad = h;
        bad.bayer_order = 4;
        assert_eq!(bad.layout().unwrap_err().kind(), ErrorKind::Format);
        bad = h;
        bad.width = 0;
        assert_eq!(bad.layout().unwrap_err().kind(), ErrorKind::Format);
    }
}
