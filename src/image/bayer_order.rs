//! [`BayerOrder`]: the 2x2 colour-filter tile of a Bayer sensor, and its
//! numberings (OpenMV's, Broadcom's).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};

/// The 2x2 colour-filter tile of a Bayer sensor, named by its four pixels read
/// first row then second row (`Bggr` = `B G / G R`).
///
/// Two numberings exist in the wild and both are supported: OpenMV's pixel
/// format sub-id ([`BayerOrder::from_openmv`]) and the `bayer_order` byte of the
/// Broadcom raw header picamera appends to JPEGs ([`BayerOrder::from_brcm`]).
///
/// ```
/// use camreel::BayerOrder;
/// // The OV5647 example in the picamera docs: first row G B, second row R G.
/// let order = BayerOrder::from_brcm(1).unwrap();
/// assert_eq!(order, BayerOrder::Gbrg);
/// assert_eq!(order.color_at(0, 0), 1); // green
/// assert_eq!(order.color_at(1, 0), 2); // blue
/// assert_eq!(order.color_at(0, 1), 0); // red
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BayerOrder {
    /// `B G / G R`.
    Bggr,
    /// `G B / R G`.
    Gbrg,
    /// `G R / B G`.
    Grbg,
    /// `R G / G B`.
    Rggb,
}

impl BayerOrder {
    /// All four orders, in OpenMV sub-id order.
    pub const ALL: [BayerOrder; 4] = [
        BayerOrder::Bggr,
        BayerOrder::Gbrg,
        BayerOrder::Grbg,
        BayerOrder::Rggb,
    ];

    /// The order with OpenMV pixel-format sub-id `sub` (0 BGGR, 1 GBRG, 2 GRBG, 3 RGGB).
    pub fn from_openmv(sub: u8) -> Option<BayerOrder> {
        BayerOrder::ALL.get(usize::from(sub)).copied()
    }

    /// OpenMV's sub-id of this order.
    pub fn openmv(self) -> u8 {
        match self {
            BayerOrder::Bggr => 0,
            BayerOrder::Gbrg => 1,
            BayerOrder::Grbg => 2,
            BayerOrder::Rggb => 3,
        }
    }

    /// The order with Broadcom raw-header `bayer_order` value `v`
    /// (0 RGGB, 1 GBRG, 2 BGGR, 3 GRBG).
    pub fn from_brcm(v: u8) -> Option<BayerOrder> {
        match v {
            0 => Some(BayerOrder::Rggb),
            1 => Some(BayerOrder::Gbrg),
            2 => Some(BayerOrder::Bggr),
            3 => Some(BayerOrder::Grbg),
            _ => None,
        }
    }

    /// The Broadcom raw-header `bayer_order` value of this order.
    pub fn brcm(self) -> u8 {
        match self {
            BayerOrder::Rggb => 0,
            BayerOrder::Gbrg => 1,
            BayerOrder::Bggr => 2,
            BayerOrder::Grbg => 3,
        }
    }

    /// The colour channel (0 red, 1 green, 2 blue) of the pixel at column `x`,
    /// row `y`.
    #[inline]
    pub fn color_at(self, x: usize, y: usize) -> usize {
        self.tile()[(y & 1) * 2 + (x & 1)]
    }

    /// The 2x2 tile as channels (0 red, 1 green, 2 blue), first row then second row.
    #[inline]
    pub fn tile(self) -> [usize; 4] {
        match self {
            BayerOrder::Bggr => [2, 1, 1, 0],
            BayerOrder::Gbrg => [1, 2, 0, 1],
            BayerOrder::Grbg => [1, 0, 2, 1],
            BayerOrder::Rggb => [0, 1, 1, 2],
        }
    }

    /// The order seen after dropping the first column (a horizontal shift by one pixel).
    pub fn shifted_x(self) -> BayerOrder {
        match self {
            BayerOrder::Bggr => BayerOrder::Gbrg,
            BayerOrder::Gbrg => BayerOrder::Bggr,
            BayerOrder::Grbg => BayerOrder::Rggb,
            BayerOrder::Rggb => BayerOrder::Grbg,
        }
    }

    /// The order seen after dropping the first row (a vertical shift by one pixel).
    pub fn shifted_y(self) -> BayerOrder {
        match self {
            BayerOrder::Bggr => BayerOrder::Grbg,
            BayerOrder::Grbg => BayerOrder::Bggr,
            BayerOrder::Gbrg => BayerOrder::Rggb,
            BayerOrder::Rggb => BayerOrder::Gbrg,
        }
    }

    /// Upper-case four-letter name, such as `"BGGR"`.
    pub fn name(self) -> &'static str {
        match self {
            BayerOrder::Bggr => "BGGR",
            BayerOrder::Gbrg => "GBRG",
            BayerOrder::Grbg => "GRBG",
            BayerOrder::Rggb => "RGGB",
        }
    }
}

impl fmt::Display for BayerOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BayerOrder {
    type Err = Error;
    fn from_str(s: &str) -> Result<BayerOrder> {
        BayerOrder::ALL
            .into_iter()
            .find(|o| o.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("unknown bayer order {s:?} (expected bggr, gbrg, grbg or rggb)"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bayer_numberings() {
        for o in BayerOrder::ALL {
            assert_eq!(BayerOrder::from_openmv(o.openmv()), Some(o));
            assert_eq!(BayerOrder::from_brcm(o.brcm()), Some(o));
            assert_eq!(o.shifted_x().shifted_x(), o);
            assert_eq!(o.shifted_y().shifted_y(), o);
            for y in 0..2 {
                for x in 0..2 {
                    assert_eq!(o.shifted_x().color_at(x, y), o.color_at(x + 1, y));
                    assert_eq!(o.shifted_y().color_at(x, y), o.color_at(x, y + 1));
                }
            }
        }
        assert_eq!(BayerOrder::from_brcm(0), Some(BayerOrder::Rggb));
        assert_eq!(BayerOrder::from_brcm(2), Some(BayerOrder::Bggr));
        assert_eq!(BayerOrder::from_brcm(4), None);
        assert_eq!(BayerOrder::from_openmv(4), None);
    }
}
