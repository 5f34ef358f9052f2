//! The Raspberry Pi camera modules whose raw blocks picamera knows.

use super::brcm::{BrcmHeader, RawLayout};
use crate::image::BayerOrder;

/// The Raspberry Pi camera modules picamera knows the raw blocks of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sensor {
    /// OmniVision OV5647 (camera module V1), 2592x1944.
    Ov5647,
    /// Sony IMX219 (camera module V2), 3280x2464.
    Imx219,
}

impl Sensor {
    /// Full-resolution size in pixels.
    pub fn resolution(self) -> (u32, u32) {
        match self {
            Sensor::Ov5647 => (2592, 1944),
            Sensor::Imx219 => (3280, 2464),
        }
    }

    /// The name written into emulated headers.
    pub fn name(self) -> &'static str {
        match self {
            Sensor::Ov5647 => "ov5647",
            Sensor::Imx219 => "imx219",
        }
    }

    /// The header a block from this sensor carries (as the emulator writes
    /// it). The IMX219's 2464 rows are already a multiple of 16, yet its
    /// block holds 2480 rows: its header has `padding_down` 16.
    pub fn header(self, order: BayerOrder) -> BrcmHeader {
        let (w, h) = self.resolution();
        let mut header = BrcmHeader::new(self.name(), w as u16, h as u16, order);
        if self == Sensor::Imx219 {
            header.padding_down = 16;
        }
        header
    }

    /// The raw block layout in `order`.
    pub fn layout(self, order: BayerOrder) -> RawLayout {
        match self.header(order).layout() {
            Ok(l) => l,
            Err(_) => unreachable!("sensor sizes are non-zero"),
        }
    }

    /// Total bytes of the raw block (6,404,096 for the OV5647, 10,270,208 for the IMX219).
    pub fn block_len(self) -> usize {
        self.layout(BayerOrder::Bggr).block_len()
    }

    /// The sensor whose raw block is `len` bytes.
    pub fn from_block_len(len: usize) -> Option<Sensor> {
        [Sensor::Ov5647, Sensor::Imx219]
            .into_iter()
            .find(|s| s.block_len() == len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensor_layouts_match_spec() {
        let l = Sensor::Ov5647.layout(BayerOrder::Gbrg);
        assert_eq!(
            (l.width, l.height, l.stride, l.rows),
            (2592, 1944, 3264, 1952)
        );
        assert_eq!(l.block_len(), 6_404_096);
        let l = Sensor::Imx219.layout(BayerOrder::Bggr);
        assert_eq!((l.stride, l.rows), (4128, 2480));
        assert_eq!(l.block_len(), 10_270_208);
        assert_eq!(Sensor::from_block_len(6_404_096), Some(Sensor::Ov5647));
        assert_eq!(Sensor::from_block_len(10_270_208), Some(Sensor::Imx219));
        assert_eq!(Sensor::from_block_len(1), None);
    }
}
