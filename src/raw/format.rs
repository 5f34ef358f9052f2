//! What a picamera capture is: its [`PiFormat`] and the size it was taken
//! at ([`CaptureSpec`]), all [`decode`](super::decode) needs besides the
//! bytes.

use crate::error::{Error, ErrorKind, Result};

/// The formats of picamera's `capture(output, format)`: how the bytes of a
/// capture are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PiFormat {
    /// `'yuv'`: YUV420 planes padded to 32x16.
    Yuv,
    /// `'rgb'`: interleaved R, G, B rows padded to 32x16.
    Rgb,
    /// `'bgr'`: interleaved B, G, R rows padded to 32x16.
    Bgr,
    /// `'jpeg'`.
    Jpeg,
    /// `'jpeg'` with `bayer=True`: the JPEG followed by the raw Bayer block.
    JpegBayer,
}

impl PiFormat {
    /// Every format, in declaration order.
    pub const ALL: [PiFormat; 5] = [
        PiFormat::Yuv,
        PiFormat::Rgb,
        PiFormat::Bgr,
        PiFormat::Jpeg,
        PiFormat::JpegBayer,
    ];

    /// The name [`FromStr`](std::str::FromStr) reads (`yuv`, `rgb`, `bgr`,
    /// `jpeg`, `bayer`).
    pub fn name(self) -> &'static str {
        match self {
            PiFormat::Yuv => "yuv",
            PiFormat::Rgb => "rgb",
            PiFormat::Bgr => "bgr",
            PiFormat::Jpeg => "jpeg",
            PiFormat::JpegBayer => "bayer",
        }
    }

    /// Whether the bytes say the capture's size (a JPEG header, a raw
    /// Bayer header), so that [`CaptureSpec::without_size`] is enough to
    /// decode it.
    pub fn is_self_describing(self) -> bool {
        matches!(self, PiFormat::Jpeg | PiFormat::JpegBayer)
    }
}

impl std::fmt::Display for PiFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for PiFormat {
    type Err = Error;

    /// `yuv` (or `yuv420`, `i420`), `rgb`, `bgr`, `jpeg` (or `jpg`),
    /// `bayer` (or `jpeg+bayer`), case-insensitively.
    fn from_str(s: &str) -> Result<PiFormat> {
        match s.to_ascii_lowercase().as_str() {
            "yuv" | "yuv420" | "i420" => Ok(PiFormat::Yuv),
            "rgb" => Ok(PiFormat::Rgb),
            "bgr" => Ok(PiFormat::Bgr),
            "jpeg" | "jpg" => Ok(PiFormat::Jpeg),
            "jpeg+bayer" | "bayer" => Ok(PiFormat::JpegBayer),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown picamera format {s:?} (expected yuv, rgb, bgr, jpeg or bayer)"),
            )),
        }
    }
}

/// What a capture is: its format and the size it was requested at. A
/// capture returns one ([`PiCaptureInfo::spec`](crate::capture::picamera::PiCaptureInfo)),
/// so it can be decoded with what it returned; for a file, build one.
///
/// ```
/// use camreel::raw::{CaptureSpec, PiFormat};
/// let yuv = CaptureSpec::new(PiFormat::Yuv, 100, 100);
/// assert_eq!(yuv.size(), Some((100, 100)));
/// // A raw Bayer block's header gives the sensor size.
/// let bayer = CaptureSpec::without_size(PiFormat::JpegBayer);
/// assert_eq!((bayer.format(), bayer.size()), (PiFormat::JpegBayer, None));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CaptureSpec {
    format: PiFormat,
    size: Option<(u32, u32)>,
}

impl CaptureSpec {
    /// A capture in `format` requested at `width` x `height`.
    pub fn new(format: PiFormat, width: u32, height: u32) -> CaptureSpec {
        CaptureSpec {
            format,
            size: Some((width, height)),
        }
    }

    /// A capture in `format` of unknown size: enough for the formats whose
    /// bytes say their size ([`PiFormat::is_self_describing`]);
    /// [`decode`](super::decode) refuses a YUV or RGB capture without one.
    pub fn without_size(format: PiFormat) -> CaptureSpec {
        CaptureSpec { format, size: None }
    }

    /// The format.
    pub fn format(&self) -> PiFormat {
        self.format
    }

    /// The requested width and height, if known.
    pub fn size(&self) -> Option<(u32, u32)> {
        self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_every_spelling() {
        for (s, f) in [
            ("YUV", PiFormat::Yuv),
            ("yuv420", PiFormat::Yuv),
            ("i420", PiFormat::Yuv),
            ("rgb", PiFormat::Rgb),
            ("BGR", PiFormat::Bgr),
            ("jpg", PiFormat::Jpeg),
            ("jpeg", PiFormat::Jpeg),
            ("bayer", PiFormat::JpegBayer),
            ("jpeg+bayer", PiFormat::JpegBayer),
        ] {
            assert_eq!(s.parse::<PiFormat>().unwrap(), f, "{s}");
        }
        for f in PiFormat::ALL {
            assert_eq!(f.to_string().parse::<PiFormat>().unwrap(), f);
        }
        let e = "h264".parse::<PiFormat>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            e.to_string(),
            "unknown picamera format \"h264\" (expected yuv, rgb, bgr, jpeg or bayer)"
        );
        assert!(PiFormat::JpegBayer.is_self_describing() && !PiFormat::Rgb.is_self_describing());
    }
}
