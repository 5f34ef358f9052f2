//! The little JPEG marker parsing the AVI container needs: frame size and
//! whether a JFIF or AVI1 APP0 segment is present. Pure bytes, no I/O.

use crate::error::{Error, ErrorKind, Result};

/// What the container needs to know about one JPEG frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct JpegInfo {
    /// Width from the SOF segment.
    pub width: u16,
    /// Height from the SOF segment.
    pub height: u16,
    /// Whether an APP0 segment named `JFIF` or `AVI1` precedes the scan.
    pub has_app0: bool,
}

/// Length of the AVI1 APP0 segment [`avi1_app0`] makes (marker included).
pub(crate) const AVI1_APP0_LEN: usize = 18;

/// Whether `data` starts like a JPEG file (SOI followed by a marker).
pub(crate) fn looks_like_jpeg(data: &[u8]) -> bool {
    data.len() >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF
}

fn bad(offset: usize, what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Format, format!("jpeg at byte {offset}: {what}"))
}

/// Walks the marker segments of `data` up to the start of scan and returns
/// the frame size and whether an APP0 `JFIF` / `AVI1` segment is present.
///
/// # Errors
/// [`ErrorKind::Format`] if `data` is not a baseline/progressive JPEG whose
/// headers are complete: no SOI, a segment running past the end, a scan
/// before the frame header, a zero height (DNL) or width.
pub(crate) fn parse(data: &[u8]) -> Result<JpegInfo> {
    if data.len() < 2 || data[0] != 0xFF || data[1] != 0xD8 {
        return Err(bad(0, "missing the start-of-image marker ff d8"));
    }
    let mut pos = 2usize;
    let mut has_app0 = false;
    loop {
        // Markers may be preceded by any number of 0xff fill bytes.
        let Some(&first) = data.get(pos) else {
            return Err(bad(pos, "ends before the frame header"));
        };
        if first != 0xFF {
            return Err(bad(pos, format!("expected a marker, found {first:#04x}")));
        }
        while data.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = data.get(pos) else {
            return Err(bad(pos, "ends inside a marker"));
        };
        pos += 1;
        match marker {
            // Standalone markers without a length.
            0x01 | 0xD0..=0xD7 => continue,
            0xD8 => return Err(bad(pos - 2, "second start-of-image marker")),
            0xD9 => return Err(bad(pos - 2, "end of image before the frame header")),
            0xDA => return Err(bad(pos - 2, "scan before the frame header")),
            _ => {}
        }
        let len = match data.get(pos..pos + 2) {
            Some(b) => usize::from(u16::from_be_bytes([b[0], b[1]])),
            None => return Err(bad(pos, "ends inside a segment length")),
        };
        if len < 2 {
            return Err(bad(pos, format!("segment {marker:#04x} has length {len}")));
        }
        let body_start = pos + 2;
        let end = pos + len;
        if end > data.len() {
            return Err(bad(
                pos,
                format!(
                    "segment {marker:#04x} of {len} bytes runs past the end ({} bytes)",
                    data.len()
                ),
            ));
        }
        let body = &data[body_start..end];
        match marker {
            0xE0 if body.starts_with(b"JFIF\0") || body.starts_with(b"AVI1") => has_app0 = true,
            // SOF0..SOF15 except DHT (c4), JPG (c8) and DAC (cc).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if body.len() < 6 {
                    return Err(bad(pos, "frame header shorter than 6 bytes"));
                }
                let height = u16::from_be_bytes([body[1], body[2]]);
                let width = u16::from_be_bytes([body[3], body[4]]);
                if width == 0 || height == 0 {
                    return Err(bad(
                        pos,
                        format!("frame header gives {width}x{height} (a zero dimension)"),
                    ));
                }
                return Ok(JpegInfo {
                    width,
                    height,
                    has_app0,
                });
            }
            _ => {}
        }
        pos = end;
    }
}

/// The APP0 `AVI1` segment (OpenDML's Motion-JPEG marker) for a frame of
/// `field_size` bytes in total (this segment included): not interlaced, one
/// field. Sizes are big-endian like every JPEG field.
pub(crate) fn avi1_app0(field_size: u32) -> [u8; AVI1_APP0_LEN] {
    let mut b = [0u8; AVI1_APP0_LEN];
    b[0] = 0xFF;
    b[1] = 0xE0;
    b[2..4].copy_from_slice(&16u16.to_be_bytes());
    b[4..8].copy_from_slice(b"AVI1");
    // b[8] polarity 0 (not interlaced), b[9] reserved
    b[10..14].copy_from_slice(&field_size.to_be_bytes());
    b[14..18].copy_from_slice(&field_size.to_be_bytes());
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOI, optional APP0, DQT stub, SOF0 for `w`x`h`, SOS, EOI.
    fn fake(w: u16, h: u16, app0: Option<&[u8]>) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        if let Some(id) = app0 {
            v.extend_from_slice(&[0xFF, 0xE0]);
            v.extend_from_slice(&((id.len() + 2) as u16).to_be_bytes());
            v.extend_from_slice(id);
        }
        v.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01]);
        v.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8]);
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&[1, 1, 0x11, 0]);
        v.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]);
        v
    }

    #[test]
    fn reads_size_and_app0() {
        let j = parse(&fake(640, 480, None)).unwrap();
        assert_eq!((j.width, j.height, j.has_app0), (640, 480, false));
        let j = parse(&fake(33, 17, Some(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"))).unwrap();
        assert_eq!((j.width, j.height, j.has_app0), (33, 17, true));
        let j = parse(&fake(8, 8, Some(b"AVI1\0\0\0\0\0\0\0\0\0\0"))).unwrap();
        assert!(j.has_app0);
        // An APP0 with another identifier (a JFXX thumbnail) does not count.
        let j = parse(&fake(8, 8, Some(b"JFXX\0\x10"))).unwrap();
        assert!(!j.has_app0);
    }

    #[test]
    fn fill_bytes_before_markers_are_skipped() {
        let mut v = fake(4, 2, None);
        v.insert(2, 0xFF);
        v.insert(2, 0xFF);
        assert_eq!(parse(&v).unwrap().width, 4);
    }

    #[test]
    fn refuses_broken_headers() {
        assert!(parse(b"").is_err());
        assert!(parse(b"\xff\xd8").is_err());
        assert!(parse(b"GIF89a").is_err());
        let full = fake(16, 16, None);
        // Every prefix that cuts the headers is an error, never a panic.
        let sof_end = full.len() - 8;
        for n in 0..sof_end {
            assert_eq!(
                parse(&full[..n]).unwrap_err().kind(),
                ErrorKind::Format,
                "prefix {n}"
            );
        }
        // A zero height (DNL) is refused.
        let mut z = fake(16, 16, None);
        let sof = z.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        z[sof + 5] = 0;
        z[sof + 6] = 0;
        assert!(
            parse(&z)
                .unwrap_err()
                .to_string()
                .contains("zero dimension")
        );
    }

    #[test]
    fn avi1_segment_layout() {
        let s = avi1_app0(0x0102_0304);
        assert_eq!(&s[..4], &[0xFF, 0xE0, 0x00, 0x10]);
        assert_eq!(&s[4..8], b"AVI1");
        assert_eq!(&s[8..10], &[0, 0]);
        assert_eq!(&s[10..14], &[1, 2, 3, 4]);
        assert_eq!(&s[14..18], &[1, 2, 3, 4]);
        let mut j = vec![0xFF, 0xD8];
        j.extend_from_slice(&s);
        j.extend_from_slice(&fake(2, 2, None)[2..]);
        assert!(parse(&j).unwrap().has_app0);
    }
}
