//! V4L2 fourcc codes and the pixel formats they stand for.

use crate::image::{BayerOrder, PixelFormat};

/// The pixel format a V4L2 fourcc code stands for, if camreel handles it.
///
/// ```
/// use camreel::camera::v4l2::pixel_format_of;
/// use camreel::{BayerOrder, PixelFormat};
/// assert_eq!(pixel_format_of(*b"YUYV"), Some(PixelFormat::Yuv422));
/// assert_eq!(pixel_format_of(*b"MJPG"), Some(PixelFormat::Jpeg));
/// assert_eq!(pixel_format_of(*b"pBAA"), Some(PixelFormat::Raw10(BayerOrder::Bggr)));
/// assert_eq!(pixel_format_of(*b"H264"), None);
/// ```
pub fn pixel_format_of(fourcc: [u8; 4]) -> Option<PixelFormat> {
    use BayerOrder::*;
    use PixelFormat::*;
    let b16 = |order, bits| Bayer16 { order, bits };
    Some(match &fourcc {
        b"YUYV" => Yuv422,
        b"YVYU" => Yvu422,
        b"MJPG" | b"JPEG" => Jpeg,
        b"GREY" => Grayscale,
        b"Y16 " => Gray16,
        b"RGB3" => Rgb888,
        b"BGR3" => Bgr888,
        b"RGBP" => Rgb565,
        b"YU12" => Yuv420,
        b"NV12" => Nv12,
        b"BA81" => Bayer(Bggr),
        b"GBRG" => Bayer(Gbrg),
        b"GRBG" => Bayer(Grbg),
        b"RGGB" => Bayer(Rggb),
        b"BG10" => b16(Bggr, 10),
        b"GB10" => b16(Gbrg, 10),
        b"BA10" => b16(Grbg, 10),
        b"RG10" => b16(Rggb, 10),
        b"BG12" => b16(Bggr, 12),
        b"GB12" => b16(Gbrg, 12),
        b"BA12" => b16(Grbg, 12),
        b"RG12" => b16(Rggb, 12),
        b"pBAA" => Raw10(Bggr),
        b"pGAA" => Raw10(Gbrg),
        b"pgAA" => Raw10(Grbg),
        b"pRAA" => Raw10(Rggb),
        _ => return None,
    })
}

/// The V4L2 fourcc to request for `format` (`MJPG` for JPEG), or `None` if
/// V4L2 has no code for it.
///
/// ```
/// use camreel::camera::v4l2::fourcc_of;
/// use camreel::PixelFormat;
/// assert_eq!(fourcc_of(PixelFormat::Yuv420), Some(*b"YU12"));
/// assert_eq!(fourcc_of(PixelFormat::Binary), None);
/// ```
pub fn fourcc_of(format: PixelFormat) -> Option<[u8; 4]> {
    use BayerOrder::*;
    use PixelFormat::*;
    Some(*match format {
        Yuv422 => b"YUYV",
        Yvu422 => b"YVYU",
        Jpeg => b"MJPG",
        Grayscale => b"GREY",
        Gray16 => b"Y16 ",
        Rgb888 => b"RGB3",
        Bgr888 => b"BGR3",
        Rgb565 => b"RGBP",
        Yuv420 => b"YU12",
        Nv12 => b"NV12",
        Bayer(Bggr) => b"BA81",
        Bayer(Gbrg) => b"GBRG",
        Bayer(Grbg) => b"GRBG",
        Bayer(Rggb) => b"RGGB",
        Bayer16 { order, bits: 10 } => match order {
            Bggr => b"BG10",
            Gbrg => b"GB10",
            Grbg => b"BA10",
            Rggb => b"RG10",
        },
        Bayer16 { order, bits: 12 } => match order {
            Bggr => b"BG12",
            Gbrg => b"GB12",
            Grbg => b"BA12",
            Rggb => b"RG12",
        },
        Raw10(order) => match order {
            Bggr => b"pBAA",
            Gbrg => b"pGAA",
            Grbg => b"pgAA",
            Rggb => b"pRAA",
        },
        _ => return None,
    })
}

/// Printable form of a fourcc (non-printable bytes as `.`).
pub fn fourcc_name(fourcc: [u8; 4]) -> String {
    fourcc
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect()
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourcc_round_trips() {
        let codes: [&[u8; 4]; 26] = [
            b"YUYV", b"YVYU", b"MJPG", b"GREY", b"Y16 ", b"RGB3", b"BGR3", b"RGBP", b"YU12",
            b"NV12", b"BA81", b"GBRG", b"GRBG", b"RGGB", b"BG10", b"GB10", b"BA10", b"RG10",
            b"BG12", b"GB12", b"BA12", b"RG12", b"pBAA", b"pGAA", b"pgAA", b"pRAA",
        ];
        for code in codes {
            let f = pixel_format_of(*code).unwrap();
            assert_eq!(fourcc_of(f), Some(*code), "{}", fourcc_name(*code));
        }
        assert_eq!(pixel_format_of(*b"JPEG"), Some(PixelFormat::Jpeg));
        // V4L2's SGRBG10 is 'BA10', not 'GR10'.
        assert_eq!(
            pixel_format_of(*b"BA10"),
            Some(PixelFormat::Bayer16 {
                order: BayerOrder::Grbg,
                bits: 10
            })
        );
        assert_eq!(
            pixel_format_of(*b"pgAA"),
            Some(PixelFormat::Raw10(BayerOrder::Grbg))
        );
        assert_eq!(fourcc_of(PixelFormat::Argb8), None);
        assert_eq!(
            fourcc_of(PixelFormat::Bayer16 {
                order: BayerOrder::Bggr,
                bits: 14
            }),
            None
        );
        assert_eq!(fourcc_name([b'p', b'B', 0, 0xFF]), "pB..");
    }
}
