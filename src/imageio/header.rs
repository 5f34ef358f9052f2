//! The byte layouts of an "OMV IMG STR" file, free of I/O: the 16-byte file
//! header ([`Version`]) and the per-frame chunk header ([`FrameHeader`]).
//!
//! All integers are little-endian `u32`. A file is the 16 ASCII bytes
//! `OMV IMG STR Vx.y` followed by one chunk per frame:
//!
//! | version | chunk header | then |
//! |---|---|---|
//! | V2.0 | `elapsed_ms, width, height, pixformat_code, byte_size`, 12 zero bytes (32 bytes) | payload, zero padding to a multiple of 16 |
//! | V1.0, V1.1 | `elapsed_ms, width, height, bpp` (16 bytes) | payload, zero padding to a multiple of 16 |
//!
//! V1 `bpp`: 0 BINARY, 1 GRAYSCALE, 2 RGB565, 3 BAYER_BGGR, any value >= 4 a
//! JPEG of that many bytes. V1.0 stores RGB565 byte-swapped.
//!
//! ```
//! use camreel::PixelFormat;
//! use camreel::imageio::header::{FrameHeader, Version};
//!
//! assert_eq!(Version::parse(b"OMV IMG STR V1.1")?, Version::V1_1);
//! let h = FrameHeader { elapsed_ms: 33, width: 3, height: 2, format: PixelFormat::Grayscale, byte_size: 6 };
//! let bytes = h.to_v2_bytes()?;
//! assert_eq!(&bytes[..8], &[33, 0, 0, 0, 3, 0, 0, 0]);
//! assert_eq!(FrameHeader::parse(Version::V2_0, &bytes, &Default::default())?, h);
//! assert_eq!(h.chunk_len(Version::V2_0), 32 + 16); // 6 payload bytes padded to 16
//! # Ok::<(), camreel::Error>(())
//! ```

use std::fmt;

use crate::error::{Error, ErrorKind, Result};
use crate::image::{BayerOrder, Limits, PixelFormat};

/// Length of the file header (`OMV IMG STR Vx.y`).
pub const FILE_HEADER_LEN: usize = 16;

/// The part of the file header before the version digits.
pub const MAGIC_PREFIX: &[u8; 13] = b"OMV IMG STR V";

/// Chunks and payloads are padded to a multiple of this many bytes.
pub const ALIGN: u64 = 16;

/// A version of the "OMV IMG STR" format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// `V1.0`: 16-byte chunk headers with a `bpp` field; RGB565 byte-swapped.
    V1_0,
    /// `V1.1`: as V1.0 with little-endian RGB565.
    V1_1,
    /// `V2.0`: 32-byte chunk headers carrying the full pixel-format code.
    V2_0,
}

impl Version {
    /// Parses a 16-byte file header.
    ///
    /// # Errors
    /// [`ErrorKind::Truncated`] if `bytes` is shorter than 16 bytes but starts
    /// like a header (an empty slice included); [`ErrorKind::UnsupportedVersion`]
    /// naming the version for `OMV IMG STR V` followed by anything but `1.0`,
    /// `1.1` or `2.0`; [`ErrorKind::Format`] otherwise.
    pub fn parse(bytes: &[u8]) -> Result<Version> {
        if bytes.len() < FILE_HEADER_LEN {
            let n = bytes.len().min(MAGIC_PREFIX.len());
            if bytes[..n] == MAGIC_PREFIX[..n] {
                return Err(Error::new(
                    ErrorKind::Truncated,
                    format!(
                        "file is {} bytes, shorter than the {FILE_HEADER_LEN}-byte \"OMV IMG STR\" header",
                        bytes.len()
                    ),
                ));
            }
            return Err(not_imageio(bytes));
        }
        let header = &bytes[..FILE_HEADER_LEN];
        if !header.starts_with(MAGIC_PREFIX) {
            return Err(not_imageio(header));
        }
        match &header[MAGIC_PREFIX.len()..] {
            b"1.0" => Ok(Version::V1_0),
            b"1.1" => Ok(Version::V1_1),
            b"2.0" => Ok(Version::V2_0),
            other => Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!(
                    "\"OMV IMG STR\" version V{} is not supported (expected V1.0, V1.1 or V2.0)",
                    printable(other)
                ),
            )),
        }
    }

    /// The 16-byte file header of this version.
    pub fn magic(self) -> [u8; FILE_HEADER_LEN] {
        let mut out = [0u8; FILE_HEADER_LEN];
        out[..MAGIC_PREFIX.len()].copy_from_slice(MAGIC_PREFIX);
        out[MAGIC_PREFIX.len()..].copy_from_slice(self.as_str().as_bytes());
        out
    }

    /// `"1.0"`, `"1.1"` or `"2.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1_0 => "1.0",
            Version::V1_1 => "1.1",
            Version::V2_0 => "2.0",
        }
    }

    /// Length of a chunk header in this version: 16 (V1.x) or 32 (V2.0).
    pub fn chunk_header_len(self) -> usize {
        match self {
            Version::V1_0 | Version::V1_1 => 16,
            Version::V2_0 => 32,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "V{}", self.as_str())
    }
}

fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}

fn not_imageio(bytes: &[u8]) -> Error {
    let n = bytes.len().min(FILE_HEADER_LEN);
    Error::new(
        ErrorKind::Format,
        format!(
            "not an ImageIO stream: header {:?} is not \"OMV IMG STR Vx.y\"",
            printable(&bytes[..n])
        ),
    )
}

/// One frame's chunk header: when, what shape, and how many payload bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameHeader {
    /// Milliseconds since the previous frame was written (since the stream was
    /// created, for the first).
    pub elapsed_ms: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The pixel format (always one with an OpenMV code).
    pub format: PixelFormat,
    /// Payload length in bytes, without padding.
    pub byte_size: u32,
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}

impl FrameHeader {
    /// A header for a frame of `format` and `byte_size` payload bytes, checked
    /// as [`FrameHeader::validate`] does.
    ///
    /// # Errors
    /// As [`FrameHeader::validate`].
    pub fn new(
        elapsed_ms: u32,
        width: u32,
        height: u32,
        format: PixelFormat,
        byte_size: u32,
        limits: &Limits,
    ) -> Result<FrameHeader> {
        let header = FrameHeader {
            elapsed_ms,
            width,
            height,
            format,
            byte_size,
        };
        header.validate(limits)?;
        Ok(header)
    }

    /// Parses a chunk header of `version` from the start of `bytes` (16 bytes
    /// for V1.x, 32 for V2.0; extra bytes are ignored) and validates it.
    ///
    /// The 12 reserved bytes of a V2.0 header are not checked (OpenMV skips
    /// them too).
    ///
    /// # Errors
    /// [`ErrorKind::Truncated`] if `bytes` is shorter than a chunk header;
    /// otherwise as [`FrameHeader::validate`].
    pub fn parse(version: Version, bytes: &[u8], limits: &Limits) -> Result<FrameHeader> {
        let need = version.chunk_header_len();
        if bytes.len() < need {
            return Err(Error::new(
                ErrorKind::Truncated,
                format!(
                    "chunk header needs {need} bytes, only {} remain",
                    bytes.len()
                ),
            ));
        }
        let elapsed_ms = u32_at(bytes, 0);
        let width = u32_at(bytes, 4);
        let height = u32_at(bytes, 8);
        let field = u32_at(bytes, 12);
        let (format, byte_size) = match version {
            Version::V2_0 => (PixelFormat::try_from(field)?, u32_at(bytes, 16)),
            Version::V1_0 | Version::V1_1 => {
                let format = match field {
                    0 => PixelFormat::Binary,
                    1 => PixelFormat::Grayscale,
                    2 => PixelFormat::Rgb565,
                    3 => PixelFormat::Bayer(BayerOrder::Bggr),
                    _ => PixelFormat::Jpeg,
                };
                let size = if format == PixelFormat::Jpeg {
                    field
                } else {
                    raw_size_u32(format, width, height, limits)?
                };
                (format, size)
            }
        };
        FrameHeader::new(elapsed_ms, width, height, format, byte_size, limits)
    }

    /// Checks the header: non-zero dimensions within `limits`, a format that
    /// can be stored (one with an OpenMV code), a non-zero `byte_size` within
    /// `limits`, equal to the computed payload size for uncompressed formats.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] for a zero dimension;
    /// [`ErrorKind::LimitExceeded`] above `limits`;
    /// [`ErrorKind::UnsupportedFormat`] for an in-memory format;
    /// [`ErrorKind::Format`] for a `byte_size` that does not match.
    pub fn validate(&self, limits: &Limits) -> Result<()> {
        let (w, h, format) = (self.width, self.height, self.format);
        if format.code().is_none() {
            return Err(no_code(format));
        }
        limits.check_dimensions(w, h)?;
        if format.is_compressed() {
            if self.byte_size == 0 {
                return Err(Error::new(
                    ErrorKind::Format,
                    format!("{w}x{h} {format} chunk claims 0 bytes"),
                ));
            }
            return limits.check_bytes(u64::from(self.byte_size));
        }
        let expected = raw_size_u32(format, w, h, limits)?;
        if self.byte_size != expected {
            return Err(Error::new(
                ErrorKind::Format,
                format!(
                    "{w}x{h} {format} chunk claims {} bytes, expected {expected}",
                    self.byte_size
                ),
            ));
        }
        Ok(())
    }

    /// The V2.0 chunk header: five little-endian `u32` and 12 zero bytes.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for an in-memory format (no code).
    pub fn to_v2_bytes(&self) -> Result<[u8; 32]> {
        let code = self.format.code().ok_or_else(|| no_code(self.format))?;
        let mut out = [0u8; 32];
        for (i, v) in [
            self.elapsed_ms,
            self.width,
            self.height,
            code,
            self.byte_size,
        ]
        .into_iter()
        .enumerate()
        {
            out[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        Ok(out)
    }

    /// The V1.x chunk header (`elapsed_ms, width, height, bpp`).
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for formats V1 cannot express (only
    /// BINARY, GRAYSCALE, RGB565, BAYER_BGGR and JPEG of at least 4 bytes can).
    pub fn to_v1_bytes(&self) -> Result<[u8; 16]> {
        let bpp = match self.format {
            PixelFormat::Binary => 0,
            PixelFormat::Grayscale => 1,
            PixelFormat::Rgb565 => 2,
            PixelFormat::Bayer(BayerOrder::Bggr) => 3,
            PixelFormat::Jpeg if self.byte_size >= 4 => self.byte_size,
            other => {
                return Err(Error::new(
                    ErrorKind::UnsupportedFormat,
                    format!(
                        "{other} frames of {} bytes cannot be stored in a V1 stream",
                        self.byte_size
                    ),
                ));
            }
        };
        let mut out = [0u8; 16];
        for (i, v) in [self.elapsed_ms, self.width, self.height, bpp]
            .into_iter()
            .enumerate()
        {
            out[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        Ok(out)
    }

    /// Zero bytes after the payload to reach a multiple of 16.
    pub fn padding(&self) -> usize {
        padding(u64::from(self.byte_size))
    }

    /// The whole chunk's length in `version`: header, payload and padding.
    pub fn chunk_len(&self, version: Version) -> u64 {
        let payload = u64::from(self.byte_size);
        version.chunk_header_len() as u64 + payload + padding(payload) as u64
    }
}

/// Zero bytes needed after `len` payload bytes to reach a multiple of 16.
pub fn padding(len: u64) -> usize {
    ((ALIGN - len % ALIGN) % ALIGN) as usize
}

/// The payload size of an uncompressed frame, checked against `limits` and
/// the format's `u32` size field.
fn raw_size_u32(format: PixelFormat, w: u32, h: u32, limits: &Limits) -> Result<u32> {
    limits.check_dimensions(w, h)?;
    let size = format.payload_size(w, h)?;
    limits.check_bytes(size as u64)?;
    u32::try_from(size).map_err(|_| {
        Error::new(
            ErrorKind::LimitExceeded,
            format!("{w}x{h} {format} frame of {size} bytes does not fit a 32-bit size field"),
        )
    })
}

pub(crate) fn no_code(format: PixelFormat) -> Error {
    Error::new(
        ErrorKind::UnsupportedFormat,
        format!(
            "{format} is an in-memory format with no ImageIO code; convert frames to an OpenMV \
             format (RGB565, GRAYSCALE, JPEG, ...) before writing them to a file stream"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_headers() {
        assert_eq!(Version::parse(b"OMV IMG STR V1.0").unwrap(), Version::V1_0);
        assert_eq!(
            Version::parse(b"OMV IMG STR V2.0+++").unwrap(),
            Version::V2_0
        );
        assert_eq!(&Version::V2_0.magic(), b"OMV IMG STR V2.0");
        let e = Version::parse(b"OMV IMG STR V3.7").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedVersion);
        assert_eq!(
            e.to_string(),
            "\"OMV IMG STR\" version V3.7 is not supported (expected V1.0, V1.1 or V2.0)"
        );
        let e = Version::parse(b"RIFF\0\0\0\0AVI LIST").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        assert_eq!(
            Version::parse(b"OMV IMG").unwrap_err().kind(),
            ErrorKind::Truncated
        );
        assert_eq!(
            Version::parse(b"").unwrap_err().kind(),
            ErrorKind::Truncated
        );
        assert_eq!(
            Version::parse(b"GIF8").unwrap_err().kind(),
            ErrorKind::Format
        );
        assert_eq!(
            Version::parse(b"OMV IMG STR V2.").unwrap_err().kind(),
            ErrorKind::Truncated
        );
    }

    #[test]
    fn v2_header_bytes_by_hand() {
        let h = FrameHeader {
            elapsed_ms: 0x0102_0304,
            width: 320,
            height: 240,
            format: PixelFormat::Rgb565,
            byte_size: 153_600,
        };
        let b = h.to_v2_bytes().unwrap();
        let expected: [u8; 32] = [
            0x04, 0x03, 0x02, 0x01, // elapsed
            0x40, 0x01, 0, 0, // 320
            0xF0, 0, 0, 0, // 240
            0x02, 0x00, 0x03, 0x0C, // 0x0C030002
            0x00, 0x58, 0x02, 0x00, // 153600
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(b, expected);
        assert_eq!(
            FrameHeader::parse(Version::V2_0, &b, &Limits::default()).unwrap(),
            h
        );
        assert_eq!(h.padding(), 0);
        assert_eq!(h.chunk_len(Version::V2_0), 32 + 153_600);
    }

    #[test]
    fn v1_bpp_codes() {
        let l = Limits::default();
        let hdr = |bpp: u32, w: u32, h: u32| {
            let mut b = [0u8; 16];
            b[0..4].copy_from_slice(&7u32.to_le_bytes());
            b[4..8].copy_from_slice(&w.to_le_bytes());
            b[8..12].copy_from_slice(&h.to_le_bytes());
            b[12..16].copy_from_slice(&bpp.to_le_bytes());
            b
        };
        let p = |bpp, w, h| FrameHeader::parse(Version::V1_0, &hdr(bpp, w, h), &l);
        let f = p(0, 33, 2).unwrap();
        assert_eq!((f.format, f.byte_size), (PixelFormat::Binary, 16));
        let f = p(1, 5, 3).unwrap();
        assert_eq!((f.format, f.byte_size), (PixelFormat::Grayscale, 15));
        let f = p(2, 5, 3).unwrap();
        assert_eq!((f.format, f.byte_size), (PixelFormat::Rgb565, 30));
        let f = p(3, 4, 4).unwrap();
        assert_eq!(
            (f.format, f.byte_size),
            (PixelFormat::Bayer(BayerOrder::Bggr), 16)
        );
        let f = p(4321, 640, 480).unwrap();
        assert_eq!(
            (f.format, f.byte_size, f.elapsed_ms),
            (PixelFormat::Jpeg, 4321, 7)
        );
        assert_eq!(f.to_v1_bytes().unwrap(), hdr(4321, 640, 480));
        assert_eq!(f.chunk_len(Version::V1_1), 16 + 4321 + 15);
        // A JPEG of 3 bytes cannot be written to V1: bpp 3 would read back as BAYER_BGGR.
        let small = FrameHeader { byte_size: 3, ..f };
        assert_eq!(
            small.to_v1_bytes().unwrap_err().kind(),
            ErrorKind::UnsupportedFormat
        );
    }

    #[test]
    fn bad_headers_are_refused_before_any_allocation() {
        let l = Limits::default();
        let mut b = FrameHeader {
            elapsed_ms: 0,
            width: 16,
            height: 16,
            format: PixelFormat::Jpeg,
            byte_size: 100,
        }
        .to_v2_bytes()
        .unwrap();
        // A 4 GB JPEG.
        b[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = FrameHeader::parse(Version::V2_0, &b, &l).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        // An empty JPEG.
        b[16..20].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(
            FrameHeader::parse(Version::V2_0, &b, &l)
                .unwrap_err()
                .kind(),
            ErrorKind::Format
        );
        // A raw frame whose size does not match.
        b[12..16].copy_from_slice(&0x0802_0001u32.to_le_bytes());
        b[16..20].copy_from_slice(&255u32.to_le_bytes());
        let e = FrameHeader::parse(Version::V2_0, &b, &l).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        assert_eq!(
            e.to_string(),
            "16x16 GRAYSCALE chunk claims 255 bytes, expected 256"
        );
        // An unknown code.
        b[12..16].copy_from_slice(&0x1234_5678u32.to_le_bytes());
        assert_eq!(
            FrameHeader::parse(Version::V2_0, &b, &l)
                .unwrap_err()
                .kind(),
            ErrorKind::UnsupportedFormat
        );
        // Huge and zero dimensions.
        b[12..16].copy_from_slice(&0x0C03_0002u32.to_le_bytes());
        b[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            FrameHeader::parse(Version::V2_0, &b, &l)
                .unwrap_err()
                .kind(),
            ErrorKind::LimitExceeded
        );
        b[4..8].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(
            FrameHeader::parse(Version::V2_0, &b, &l)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidFrameSize
        );
        // Even with no limits, a raw size must fit the 32-bit field.
        b[4..8].copy_from_slice(&65536u32.to_le_bytes());
        b[8..12].copy_from_slice(&65536u32.to_le_bytes());
        assert_eq!(
            FrameHeader::parse(Version::V2_0, &b, &Limits::NONE)
                .unwrap_err()
                .kind(),
            ErrorKind::LimitExceeded
        );
        assert_eq!(
            FrameHeader::parse(Version::V2_0, &b[..31], &l)
                .unwrap_err()
                .kind(),
            ErrorKind::Truncated
        );
    }

    #[test]
    fn in_memory_formats_cannot_be_stored() {
        let h = FrameHeader {
            elapsed_ms: 0,
            width: 2,
            height: 2,
            format: PixelFormat::Rgb888,
            byte_size: 12,
        };
        let e = h.to_v2_bytes().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
        assert!(e.to_string().contains("convert"), "{e}");
        assert_eq!(
            h.validate(&Limits::default()).unwrap_err().kind(),
            ErrorKind::UnsupportedFormat
        );
    }

    #[test]
    fn paddings() {
        assert_eq!(padding(0), 0);
        assert_eq!(padding(1), 15);
        assert_eq!(padding(15), 1);
        assert_eq!(padding(16), 0);
        assert_eq!(padding(17), 15);
    }
}
