//! [`PixelFormat`]: what the bytes of an image mean.

use std::fmt;
use std::str::FromStr;

use super::BayerOrder;
use crate::error::{Error, ErrorKind, Result};

/// What the bytes of an image mean.
///
/// The first twelve variants are OpenMV's pixel formats and have a 32-bit code
/// ([`PixelFormat::code`]) that appears verbatim in ImageIO V2.0 files. The rest
/// are in-memory formats that cameras and hosts need; they have no code, and a
/// file stream refuses them.
///
/// Layouts (all little-endian, rows top to bottom, tightly packed unless an
/// [`ImageRef`](crate::ImageRef) says otherwise):
///
/// | format | layout |
/// |---|---|
/// | `Binary` | 1 bit per pixel; pixel x of a row in bit x % 32 of u32 word x / 32; rows padded to whole words |
/// | `Grayscale`, `Bayer` | 1 byte per pixel |
/// | `Rgb565` | u16 per pixel, r in bits 11-15, g 5-10, b 0-4 |
/// | `Yuv422` / `Yvu422` | 2 bytes per pixel: Y then U (even x) or V (odd x); `Yvu422` swaps U and V; full-range (JPEG) YCbCr, as OpenMV reads and writes it |
/// | `Argb8` | u32 per pixel 0xAARRGGBB, so bytes B, G, R, A |
/// | `Rgb888` / `Bgr888` | 3 bytes per pixel in that order |
/// | `Yuv420` | I420: Y plane w x h, then U and V planes ceil(w/2) x ceil(h/2); BT.601 limited range, as picamera's captures (also `Nv12`) |
/// | `Nv12` | Y plane w x h, then one plane of interleaved U, V pairs, ceil(w/2) pairs x ceil(h/2) rows |
/// | `Bayer16` | u16 per pixel holding a `bits`-bit sample in its low bits |
/// | `Gray16` | u16 per pixel, full 16-bit range |
/// | `Rgb48` | three u16 per pixel (R, G, B), full 16-bit range |
/// | `Raw10` | MIPI CSI-2 RAW10: 4 pixels in 5 bytes (four high bytes, then the four 2-bit remainders, first pixel in bits 0-1); a partial group at the end of a row takes 5 bytes |
/// | `Jpeg`, `Png` | an encoded file of any length |
/// | `H264` | one H.264 access unit (one picture) as Annex B NAL units with start codes |
///
/// ```
/// use camreel::PixelFormat;
/// let f = PixelFormat::try_from(0x0C03_0002).unwrap();
/// assert_eq!(f, PixelFormat::Rgb565);
/// assert_eq!(f.name(), "RGB565");
/// assert_eq!(f.payload_size(320, 240).unwrap(), 153_600);
/// assert_eq!(PixelFormat::Binary.payload_size(33, 2).unwrap(), 16);
/// assert_eq!(PixelFormat::Nv12.code(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PixelFormat {
    /// 1 bit per pixel (OpenMV BINARY).
    Binary,
    /// 8-bit luminance (OpenMV GRAYSCALE).
    Grayscale,
    /// 16-bit RGB 5-6-5, little-endian (OpenMV RGB565).
    Rgb565,
    /// 8-bit Bayer mosaic (OpenMV BAYER_*).
    Bayer(BayerOrder),
    /// YUYV 4:2:2 (OpenMV YUV422), full-range YCbCr.
    Yuv422,
    /// YVYU 4:2:2 (OpenMV YVU422), full-range YCbCr.
    Yvu422,
    /// A JPEG file.
    Jpeg,
    /// A PNG file.
    Png,
    /// 32-bit ARGB, little-endian u32 0xAARRGGBB (OpenMV ARGB8).
    Argb8,
    /// 24-bit interleaved R, G, B.
    Rgb888,
    /// 24-bit interleaved B, G, R.
    Bgr888,
    /// Planar YUV 4:2:0 (I420 / YU12).
    Yuv420,
    /// Semi-planar YUV 4:2:0 (Y plane, then interleaved U/V).
    Nv12,
    /// 16-bit Bayer mosaic holding `bits`-bit samples (10 or 12 from sensors) in u16.
    Bayer16 {
        /// Filter tile.
        order: BayerOrder,
        /// Significant bits per sample, 9 to 16.
        bits: u8,
    },
    /// Packed 10-bit Bayer mosaic (MIPI CSI-2 RAW10, V4L2 `SBGGR10P` and siblings).
    Raw10(BayerOrder),
    /// 16-bit luminance, u16 per pixel, full range 0-65535.
    Gray16,
    /// 48-bit RGB, three u16 per pixel (R, G, B), full range 0-65535.
    Rgb48,
    /// One H.264 access unit: the Annex B NAL units (with start codes) of one
    /// picture, preceded by its SPS and PPS when it is a key frame. Width and
    /// height are the picture size. See [`crate::h264`].
    H264,
}

const BPP_SHIFT: u32 = 0;
const SUB_SHIFT: u32 = 8;
const ID_SHIFT: u32 = 16;
const FLAG_RAW: u32 = 1 << 24;
const FLAG_COMPRESSED: u32 = 1 << 25;
const FLAG_COLOR: u32 = 1 << 26;
const FLAG_MUTABLE: u32 = 1 << 27;
const FLAG_YUV: u32 = 1 << 28;

const fn code(id: u32, sub: u32, bpp: u32, flags: u32) -> u32 {
    (id << ID_SHIFT) | (sub << SUB_SHIFT) | (bpp << BPP_SHIFT) | flags
}

impl PixelFormat {
    /// The twelve OpenMV formats, in code order.
    pub const OPENMV: [PixelFormat; 12] = [
        PixelFormat::Binary,
        PixelFormat::Grayscale,
        PixelFormat::Rgb565,
        PixelFormat::Bayer(BayerOrder::Bggr),
        PixelFormat::Bayer(BayerOrder::Gbrg),
        PixelFormat::Bayer(BayerOrder::Grbg),
        PixelFormat::Bayer(BayerOrder::Rggb),
        PixelFormat::Yuv422,
        PixelFormat::Yvu422,
        PixelFormat::Jpeg,
        PixelFormat::Png,
        PixelFormat::Argb8,
    ];

    /// OpenMV's 32-bit code, or `None` for an in-memory format.
    pub const fn code(self) -> Option<u32> {
        Some(match self {
            PixelFormat::Binary => code(1, 0, 0, FLAG_MUTABLE),
            PixelFormat::Grayscale => code(2, 0, 1, FLAG_MUTABLE),
            PixelFormat::Rgb565 => code(3, 0, 2, FLAG_COLOR | FLAG_MUTABLE),
            PixelFormat::Bayer(order) => {
                let sub = match order {
                    BayerOrder::Bggr => 0,
                    BayerOrder::Gbrg => 1,
                    BayerOrder::Grbg => 2,
                    BayerOrder::Rggb => 3,
                };
                code(4, sub, 1, FLAG_COLOR | FLAG_RAW)
            }
            PixelFormat::Yuv422 => code(5, 0, 2, FLAG_COLOR | FLAG_YUV),
            PixelFormat::Yvu422 => code(5, 1, 2, FLAG_COLOR | FLAG_YUV),
            PixelFormat::Jpeg => code(6, 0, 0, FLAG_COLOR | FLAG_COMPRESSED),
            PixelFormat::Png => code(7, 0, 0, FLAG_COLOR | FLAG_COMPRESSED),
            PixelFormat::Argb8 => code(8, 0, 4, FLAG_COLOR | FLAG_MUTABLE),
            _ => return None,
        })
    }

    /// The canonical upper-case name: OpenMV's for its formats (`"RGB565"`,
    /// `"BAYER_BGGR"`), and `"RGB888"`, `"BGR888"`, `"YUV420"`, `"NV12"`,
    /// `"BAYER10_BGGR"` / `"BAYER12_BGGR"` / `"BAYER16_BGGR"`, `"RAW10_BGGR"` for
    /// the others.
    pub fn name(self) -> &'static str {
        use BayerOrder::*;
        match self {
            PixelFormat::Binary => "BINARY",
            PixelFormat::Grayscale => "GRAYSCALE",
            PixelFormat::Rgb565 => "RGB565",
            PixelFormat::Bayer(o) => {
                ["BAYER_BGGR", "BAYER_GBRG", "BAYER_GRBG", "BAYER_RGGB"][usize::from(o.openmv())]
            }
            PixelFormat::Yuv422 => "YUV422",
            PixelFormat::Yvu422 => "YVU422",
            PixelFormat::Jpeg => "JPEG",
            PixelFormat::Png => "PNG",
            PixelFormat::Argb8 => "ARGB8",
            PixelFormat::Rgb888 => "RGB888",
            PixelFormat::Bgr888 => "BGR888",
            PixelFormat::Yuv420 => "YUV420",
            PixelFormat::Nv12 => "NV12",
            PixelFormat::Bayer16 { order, bits } => match (bits, order) {
                (10, Bggr) => "BAYER10_BGGR",
                (10, Gbrg) => "BAYER10_GBRG",
                (10, Grbg) => "BAYER10_GRBG",
                (10, Rggb) => "BAYER10_RGGB",
                (12, Bggr) => "BAYER12_BGGR",
                (12, Gbrg) => "BAYER12_GBRG",
                (12, Grbg) => "BAYER12_GRBG",
                (12, Rggb) => "BAYER12_RGGB",
                (_, Bggr) => "BAYER16_BGGR",
                (_, Gbrg) => "BAYER16_GBRG",
                (_, Grbg) => "BAYER16_GRBG",
                (_, Rggb) => "BAYER16_RGGB",
            },
            PixelFormat::Raw10(o) => {
                ["RAW10_BGGR", "RAW10_GBRG", "RAW10_GRBG", "RAW10_RGGB"][usize::from(o.openmv())]
            }
            PixelFormat::Gray16 => "GRAY16",
            PixelFormat::Rgb48 => "RGB48",
            PixelFormat::H264 => "H264",
        }
    }

    /// Whether the payload is encoded (a JPEG or PNG file, an H.264 access
    /// unit) rather than pixels.
    pub const fn is_compressed(self) -> bool {
        matches!(
            self,
            PixelFormat::Jpeg | PixelFormat::Png | PixelFormat::H264
        )
    }

    /// Whether this is a Bayer mosaic (8-bit, 16-bit or packed RAW10).
    pub const fn is_bayer(self) -> bool {
        matches!(
            self,
            PixelFormat::Bayer(_) | PixelFormat::Bayer16 { .. } | PixelFormat::Raw10(_)
        )
    }

    /// The filter tile of a Bayer format.
    pub const fn bayer_order(self) -> Option<BayerOrder> {
        match self {
            PixelFormat::Bayer(o)
            | PixelFormat::Bayer16 { order: o, .. }
            | PixelFormat::Raw10(o) => Some(o),
            _ => None,
        }
    }

    /// Whether this is a YUV format (4:2:2 or 4:2:0).
    pub const fn is_yuv(self) -> bool {
        matches!(
            self,
            PixelFormat::Yuv422 | PixelFormat::Yvu422 | PixelFormat::Yuv420 | PixelFormat::Nv12
        )
    }

    /// Whether the image is stored as planes (Y, then chroma) rather than rows of pixels.
    pub const fn is_planar(self) -> bool {
        matches!(self, PixelFormat::Yuv420 | PixelFormat::Nv12)
    }

    /// Whether the image carries colour (Bayer mosaics count as colour).
    pub const fn is_color(self) -> bool {
        !matches!(
            self,
            PixelFormat::Binary | PixelFormat::Grayscale | PixelFormat::Gray16
        )
    }

    /// Bits of storage per pixel, or `None` for JPEG, PNG and H.264.
    /// Planar 4:2:0 formats average 12 bits.
    pub const fn bits_per_pixel(self) -> Option<u32> {
        Some(match self {
            PixelFormat::Binary => 1,
            PixelFormat::Grayscale | PixelFormat::Bayer(_) => 8,
            PixelFormat::Rgb565 | PixelFormat::Yuv422 | PixelFormat::Yvu422 => 16,
            PixelFormat::Argb8 => 32,
            PixelFormat::Rgb888 | PixelFormat::Bgr888 => 24,
            PixelFormat::Yuv420 | PixelFormat::Nv12 => 12,
            PixelFormat::Bayer16 { .. } | PixelFormat::Gray16 => 16,
            PixelFormat::Rgb48 => 48,
            PixelFormat::Raw10(_) => 10,
            PixelFormat::Jpeg | PixelFormat::Png | PixelFormat::H264 => return None,
        })
    }

    /// Whole bytes per pixel for formats whose pixels are byte-aligned and
    /// interleaved; `None` for BINARY, the planar 4:2:0 formats, RAW10, JPEG and PNG.
    pub const fn bytes_per_pixel(self) -> Option<u32> {
        match self.bits_per_pixel() {
            Some(bits) if bits % 8 == 0 && !self.is_planar() => Some(bits / 8),
            _ => None,
        }
    }

    /// Checks the format's own parameters (the sample depth of `Bayer16`).
    pub(crate) fn validate(self) -> Result<()> {
        if let PixelFormat::Bayer16 { bits, .. } = self
            && !(9..=16).contains(&bits)
        {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!("16-bit bayer with {bits}-bit samples (expected 9 to 16)"),
            ));
        }
        Ok(())
    }

    /// Bytes in one tightly packed row of `width` pixels (the luma row for the
    /// planar formats).
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for JPEG and PNG, which have no rows;
    /// [`ErrorKind::InvalidFrameSize`] for a zero width;
    /// [`ErrorKind::LimitExceeded`] if the size does not fit in `usize`.
    pub fn row_bytes(self, width: u32) -> Result<usize> {
        self.validate()?;
        if width == 0 {
            return Err(zero_dimension(self, width, 1));
        }
        let w = width as usize;
        let bytes = match self {
            PixelFormat::Binary => w.div_ceil(32).checked_mul(4),
            PixelFormat::Raw10(_) => w.div_ceil(4).checked_mul(5),
            PixelFormat::Yuv420 | PixelFormat::Nv12 => Some(w),
            PixelFormat::Jpeg | PixelFormat::Png | PixelFormat::H264 => {
                return Err(Error::new(
                    ErrorKind::UnsupportedFormat,
                    format!("{} data has no pixel rows", self.name()),
                ));
            }
            other => match other.bytes_per_pixel() {
                Some(bpp) => w.checked_mul(bpp as usize),
                None => None,
            },
        };
        bytes.ok_or_else(|| overflow(self, width, 1))
    }

    /// The exact byte size of a `width` x `height` image in this format.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for JPEG and PNG (their size is whatever the
    /// encoder produced); [`ErrorKind::InvalidFrameSize`] for a zero dimension;
    /// [`ErrorKind::LimitExceeded`] if the size overflows `usize`.
    pub fn payload_size(self, width: u32, height: u32) -> Result<usize> {
        let row = self.row_bytes(width)?;
        if height == 0 {
            return Err(zero_dimension(self, width, height));
        }
        let h = height as usize;
        let luma = row.checked_mul(h);
        let total = match self {
            PixelFormat::Yuv420 | PixelFormat::Nv12 => {
                let chroma = (width as usize)
                    .div_ceil(2)
                    .checked_mul(h.div_ceil(2))
                    .and_then(|c| c.checked_mul(2));
                luma.zip(chroma).and_then(|(l, c)| l.checked_add(c))
            }
            _ => luma,
        };
        total.ok_or_else(|| overflow(self, width, height))
    }
}

fn zero_dimension(format: PixelFormat, width: u32, height: u32) -> Error {
    Error::new(
        ErrorKind::InvalidFrameSize,
        format!(
            "{width}x{height} {} image has a zero dimension",
            format.name()
        ),
    )
}

fn overflow(format: PixelFormat, width: u32, height: u32) -> Error {
    Error::new(
        ErrorKind::LimitExceeded,
        format!(
            "{width}x{height} {} image does not fit in memory",
            format.name()
        ),
    )
}

impl TryFrom<u32> for PixelFormat {
    type Error = Error;

    /// The OpenMV format whose code is exactly `code`.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] naming the code in hex.
    fn try_from(code: u32) -> Result<PixelFormat> {
        PixelFormat::OPENMV
            .into_iter()
            .find(|f| f.code() == Some(code))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedFormat,
                    format!("unknown pixel format code 0x{code:08X}"),
                )
            })
    }
}

impl fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PixelFormat {
    type Err = Error;

    /// Parses a name as [`PixelFormat::name`] prints it, case-insensitively, plus
    /// the common aliases `gray`/`grey`, `rgb`, `bgr`, `yuyv`, `yvyu`, `i420`/`yu12`,
    /// `argb`, `jpg`, `avc`, `bayer_xxxx`/`bayer8_xxxx`, `bayer10_xxxx`, `bayer12_xxxx`,
    /// `bayer16_xxxx`, `raw10_xxxx`, `gray16` and `rgb48`.
    ///
    /// ```
    /// use camreel::{BayerOrder, PixelFormat};
    /// assert_eq!("yuyv".parse::<PixelFormat>().unwrap(), PixelFormat::Yuv422);
    /// assert_eq!(
    ///     "bayer10_rggb".parse::<PixelFormat>().unwrap(),
    ///     PixelFormat::Bayer16 { order: BayerOrder::Rggb, bits: 10 }
    /// );
    /// ```
    fn from_str(s: &str) -> Result<PixelFormat> {
        let lower = s.trim().to_ascii_lowercase();
        let simple = match lower.as_str() {
            "binary" => Some(PixelFormat::Binary),
            "grayscale" | "gray" | "grey" | "y8" | "l8" => Some(PixelFormat::Grayscale),
            "rgb565" => Some(PixelFormat::Rgb565),
            "yuv422" | "yuyv" => Some(PixelFormat::Yuv422),
            "yvu422" | "yvyu" => Some(PixelFormat::Yvu422),
            "jpeg" | "jpg" | "mjpeg" | "mjpg" => Some(PixelFormat::Jpeg),
            "png" => Some(PixelFormat::Png),
            "argb8" | "argb" => Some(PixelFormat::Argb8),
            "rgb888" | "rgb" | "rgb24" => Some(PixelFormat::Rgb888),
            "bgr888" | "bgr" | "bgr24" => Some(PixelFormat::Bgr888),
            "yuv420" | "i420" | "yu12" => Some(PixelFormat::Yuv420),
            "nv12" => Some(PixelFormat::Nv12),
            "gray16" | "grayscale16" | "grey16" | "y16" => Some(PixelFormat::Gray16),
            "h264" | "avc" => Some(PixelFormat::H264),
            "rgb48" | "rgb16" => Some(PixelFormat::Rgb48),
            _ => None,
        };
        if let Some(f) = simple {
            return Ok(f);
        }
        let unknown = || {
            Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "unknown pixel format {s:?} (expected binary, grayscale, rgb565, yuv422, yvu422, jpeg, png, argb8, rgb888, bgr888, yuv420, nv12, gray16, rgb48, h264, bayer_XXXX, bayer10_XXXX, bayer12_XXXX, bayer16_XXXX or raw10_XXXX with XXXX one of bggr, gbrg, grbg, rggb)"
                ),
            )
        };
        let (prefix, order) = lower.rsplit_once('_').ok_or_else(unknown)?;
        let order: BayerOrder = order.parse().map_err(|_| unknown())?;
        match prefix {
            "bayer" | "bayer8" => Ok(PixelFormat::Bayer(order)),
            "bayer10" => Ok(PixelFormat::Bayer16 { order, bits: 10 }),
            "bayer12" => Ok(PixelFormat::Bayer16 { order, bits: 12 }),
            "bayer16" => Ok(PixelFormat::Bayer16 { order, bits: 16 }),
            "raw10" => Ok(PixelFormat::Raw10(order)),
            _ => Err(unknown()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_spec_table() {
        let table: [(PixelFormat, u32, &str); 12] = [
            (PixelFormat::Binary, 0x0801_0000, "BINARY"),
            (PixelFormat::Grayscale, 0x0802_0001, "GRAYSCALE"),
            (PixelFormat::Rgb565, 0x0C03_0002, "RGB565"),
            (
                PixelFormat::Bayer(BayerOrder::Bggr),
                0x0504_0001,
                "BAYER_BGGR",
            ),
            (
                PixelFormat::Bayer(BayerOrder::Gbrg),
                0x0504_0101,
                "BAYER_GBRG",
            ),
            (
                PixelFormat::Bayer(BayerOrder::Grbg),
                0x0504_0201,
                "BAYER_GRBG",
            ),
            (
                PixelFormat::Bayer(BayerOrder::Rggb),
                0x0504_0301,
                "BAYER_RGGB",
            ),
            (PixelFormat::Yuv422, 0x1405_0002, "YUV422"),
            (PixelFormat::Yvu422, 0x1405_0102, "YVU422"),
            (PixelFormat::Jpeg, 0x0606_0000, "JPEG"),
            (PixelFormat::Png, 0x0607_0000, "PNG"),
            (PixelFormat::Argb8, 0x0C08_0004, "ARGB8"),
        ];
        for (format, code, name) in table {
            assert_eq!(format.code(), Some(code), "{name}");
            assert_eq!(format.name(), name);
            assert_eq!(PixelFormat::try_from(code).unwrap(), format);
            assert_eq!(name.parse::<PixelFormat>().unwrap(), format);
            // The low byte of the code is OpenMV's bytes-per-pixel.
            assert_eq!(
                code & 0xFF,
                format
                    .bytes_per_pixel()
                    .filter(|_| format != PixelFormat::Binary)
                    .unwrap_or(0)
            );
        }
    }

    #[test]
    fn unknown_codes_are_refused() {
        for code in [0, 0x0801_0001, 0x0C03_0003, 0x0504_0401, 0xFFFF_FFFF] {
            let err = PixelFormat::try_from(code).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedFormat);
            assert!(err.to_string().contains(&format!("{code:08X}")), "{err}");
        }
    }

    #[test]
    fn in_memory_formats_have_no_code() {
        let fmts = [
            PixelFormat::Rgb888,
            PixelFormat::Bgr888,
            PixelFormat::Yuv420,
            PixelFormat::Nv12,
            PixelFormat::Bayer16 {
                order: BayerOrder::Bggr,
                bits: 10,
            },
            PixelFormat::Raw10(BayerOrder::Rggb),
            PixelFormat::Gray16,
            PixelFormat::Rgb48,
            PixelFormat::H264,
        ];
        for f in fmts {
            assert_eq!(f.code(), None);
            assert_eq!(f.name().parse::<PixelFormat>().unwrap(), f);
        }
    }

    #[test]
    fn payload_sizes() {
        use PixelFormat::*;
        assert_eq!(Binary.payload_size(32, 3).unwrap(), 12);
        assert_eq!(Binary.payload_size(1, 1).unwrap(), 4);
        assert_eq!(Binary.payload_size(65, 2).unwrap(), 24);
        assert_eq!(Grayscale.payload_size(7, 5).unwrap(), 35);
        assert_eq!(Bayer(BayerOrder::Rggb).payload_size(7, 5).unwrap(), 35);
        assert_eq!(Rgb565.payload_size(7, 5).unwrap(), 70);
        assert_eq!(Yuv422.payload_size(7, 5).unwrap(), 70);
        assert_eq!(Argb8.payload_size(7, 5).unwrap(), 140);
        assert_eq!(Rgb888.payload_size(7, 5).unwrap(), 105);
        assert_eq!(Gray16.payload_size(7, 5).unwrap(), 70);
        assert_eq!(Rgb48.payload_size(7, 5).unwrap(), 210);
        // picamera's 100x100 YUV capture is padded to 128x112.
        assert_eq!(Yuv420.payload_size(128, 112).unwrap(), 14336 + 2 * 3584);
        assert_eq!(Yuv420.payload_size(7, 5).unwrap(), 35 + 2 * 4 * 3);
        assert_eq!(Nv12.payload_size(7, 5).unwrap(), 35 + 2 * 4 * 3);
        let b10 = Bayer16 {
            order: BayerOrder::Bggr,
            bits: 10,
        };
        assert_eq!(b10.payload_size(7, 5).unwrap(), 70);
        assert_eq!(
            Raw10(BayerOrder::Bggr).payload_size(2592, 1944).unwrap(),
            3240 * 1944
        );
        assert_eq!(Raw10(BayerOrder::Bggr).payload_size(5, 1).unwrap(), 10);
        for encoded in [Jpeg, Png, H264] {
            assert_eq!(
                encoded.payload_size(5, 1).unwrap_err().kind(),
                ErrorKind::UnsupportedFormat
            );
            assert!(encoded.is_compressed());
            assert_eq!(encoded.bits_per_pixel(), None);
        }
    }

    #[test]
    fn payload_size_rejects_zero_and_overflow() {
        for f in [
            PixelFormat::Grayscale,
            PixelFormat::Yuv420,
            PixelFormat::Binary,
        ] {
            assert_eq!(
                f.payload_size(0, 4).unwrap_err().kind(),
                ErrorKind::InvalidFrameSize
            );
            assert_eq!(
                f.payload_size(4, 0).unwrap_err().kind(),
                ErrorKind::InvalidFrameSize
            );
        }
        let e = PixelFormat::Argb8
            .payload_size(u32::MAX, u32::MAX)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        let e = PixelFormat::Yuv420
            .payload_size(u32::MAX, u32::MAX)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        #[cfg(target_pointer_width = "64")]
        assert_eq!(
            PixelFormat::Rgb888.payload_size(u32::MAX, 2).unwrap(),
            6 * u32::MAX as usize
        );
        let bad = PixelFormat::Bayer16 {
            order: BayerOrder::Bggr,
            bits: 4,
        };
        assert_eq!(
            bad.payload_size(2, 2).unwrap_err().kind(),
            ErrorKind::UnsupportedFormat
        );
    }
}
