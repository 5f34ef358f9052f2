//! The one JPEG header parser: marker segments from SOI to the first scan,
//! read from bytes alone (no I/O, no allocation), so it can be fuzzed on its
//! own. The decoder, the AVI writer and reader and [`info`] all use it.

use crate::error::{Error, ErrorKind, Result};

/// What a JPEG header says, read without decoding the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct JpegInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Number of colour components (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK).
    pub components: u8,
    /// Bits per sample (8 for nearly every JPEG, 12 for some medical images).
    pub precision: u8,
    /// Whether the frame is progressive (SOF2, SOF6, SOF10 or SOF14).
    pub progressive: bool,
    /// Whether a DHT segment precedes the first scan. Motion-JPEG camera
    /// frames often have none and rely on the standard tables.
    pub has_huffman_tables: bool,
    /// Whether an APP0 segment named `JFIF` or `AVI1` precedes the first scan
    /// (an MJPEG AVI frame without one gets an `AVI1` segment inserted).
    pub has_app0: bool,
}

/// A parsed header plus where the first scan starts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header {
    pub(crate) info: JpegInfo,
    /// Offset of the `FF` of the first start-of-scan marker.
    pub(crate) sos: usize,
    /// Horizontal and vertical sampling factors of the first four
    /// components, in frame-header order.
    pub(crate) sampling: [(u8, u8); 4],
    /// How many components the first scan carries.
    pub(crate) first_scan_components: u8,
}

/// "jpeg at byte `offset`: `what`".
fn bad(offset: usize, what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Format, format!("jpeg at byte {offset}: {what}"))
}

fn be16(data: &[u8], pos: usize) -> Option<u16> {
    let b = data.get(pos..pos.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// Whether `data` starts like a JPEG file (SOI followed by a marker).
pub(crate) fn looks_like_jpeg(data: &[u8]) -> bool {
    data.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// The frame header fields kept until the scan is found.
#[derive(Clone, Copy)]
struct Frame {
    width: u32,
    height: u32,
    components: u8,
    precision: u8,
    progressive: bool,
}

/// Walks the marker segments from SOI to the first SOS.
///
/// # Errors
/// [`ErrorKind::Format`], naming the byte offset, for data that is not a
/// JPEG whose headers are complete: no SOI, a segment running past the end,
/// a second SOI or frame header, a scan before the frame header, a zero
/// dimension (a height set later by a DNL marker), a frame header too short
/// for its components, sampling factors outside 1-4.
pub(crate) fn parse_header(data: &[u8]) -> Result<Header> {
    if !data.starts_with(&[0xFF, 0xD8]) {
        return Err(bad(
            0,
            format!(
                "expected the start-of-image marker ff d8, found {:02x?}",
                &data[..data.len().min(2)]
            ),
        ));
    }
    let mut pos = 2;
    let mut frame: Option<Frame> = None;
    let mut sampling = [(1, 1); 4];
    let mut has_dht = false;
    let mut has_app0 = false;
    loop {
        match data.get(pos) {
            None => return Err(bad(pos, "the data ends before the start of scan")),
            Some(0xFF) => {}
            Some(&b) => return Err(bad(pos, format!("expected a marker, found 0x{b:02x}"))),
        }
        let marker_start = pos;
        // Any number of FF fill bytes may precede the marker code.
        while data.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&code) = data.get(pos) else {
            return Err(bad(pos, "the data ends inside a marker"));
        };
        pos += 1;
        match code {
            // Standalone markers: TEM and the restart markers.
            0x01 | 0xD0..=0xD7 => continue,
            0xD8 => return Err(bad(marker_start, "second start-of-image marker")),
            0xD9 => return Err(bad(marker_start, "end-of-image marker before any scan")),
            0x00 => return Err(bad(marker_start, "stuffed byte ff 00 outside a scan")),
            _ => {}
        }
        let Some(length) = be16(data, pos) else {
            return Err(bad(
                marker_start,
                format!(
                    "the data ends at byte {} inside the length of marker ff {code:02x}",
                    data.len()
                ),
            ));
        };
        if length < 2 {
            return Err(bad(
                marker_start,
                format!("marker ff {code:02x} has an invalid length {length}"),
            ));
        }
        let end = pos + usize::from(length);
        if end > data.len() {
            return Err(bad(
                marker_start,
                format!(
                    "marker ff {code:02x} claims {length} bytes but the data ends at byte {}",
                    data.len()
                ),
            ));
        }
        let body = &data[pos + 2..end];
        match code {
            0xC4 => has_dht = true,
            0xE0 if body.starts_with(b"JFIF\0") || body.starts_with(b"AVI1") => has_app0 = true,
            // SOF0..SOF15 except DHT (c4), JPG (c8) and DAC (cc).
            0xC0..=0xCF if !matches!(code, 0xC4 | 0xC8 | 0xCC) => {
                if frame.is_some() {
                    return Err(bad(
                        marker_start,
                        format!("second frame header (ff {code:02x})"),
                    ));
                }
                frame = Some(frame_header(body, code, marker_start, &mut sampling)?);
            }
            0xDA => {
                let Some(f) = frame else {
                    return Err(bad(marker_start, "start of scan before any frame header"));
                };
                return Ok(Header {
                    info: JpegInfo {
                        width: f.width,
                        height: f.height,
                        components: f.components,
                        precision: f.precision,
                        progressive: f.progressive,
                        has_huffman_tables: has_dht,
                        has_app0,
                    },
                    sos: marker_start,
                    sampling,
                    first_scan_components: body.first().copied().unwrap_or(0),
                });
            }
            _ => {}
        }
        pos = end;
    }
}

/// Reads a frame header (SOFn) body.
fn frame_header(body: &[u8], code: u8, at: usize, sampling: &mut [(u8, u8); 4]) -> Result<Frame> {
    if body.len() < 6 {
        return Err(bad(
            at,
            format!(
                "frame header is {} bytes long (expected at least 8)",
                body.len() + 2
            ),
        ));
    }
    let precision = body[0];
    let height = u16::from_be_bytes([body[1], body[2]]);
    let width = u16::from_be_bytes([body[3], body[4]]);
    let components = body[5];
    if body.len() < 6 + 3 * usize::from(components) {
        return Err(bad(
            at,
            format!(
                "frame header lists {components} components in {} bytes",
                body.len() + 2
            ),
        ));
    }
    if components == 0 {
        return Err(bad(at, "frame header has no components"));
    }
    if width == 0 || height == 0 {
        return Err(bad(
            at,
            format!(
                "frame header declares a {width}x{height} image (a zero dimension; a height \
                 set later by a DNL marker is not supported)"
            ),
        ));
    }
    for (i, spec) in body[6..]
        .chunks_exact(3)
        .take(usize::from(components))
        .enumerate()
    {
        let (h, v) = (spec[1] >> 4, spec[1] & 0x0F);
        if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
            return Err(bad(
                at,
                format!(
                    "frame header gives component {i} sampling factors {h}x{v} (expected 1 to 4)"
                ),
            ));
        }
        if let Some(slot) = sampling.get_mut(i) {
            *slot = (h, v);
        }
    }
    Ok(Frame {
        width: u32::from(width),
        height: u32::from(height),
        components,
        precision,
        progressive: matches!(code, 0xC2 | 0xC6 | 0xCA | 0xCE),
    })
}

/// Whether an EOI marker (`FF D9`) follows the first scan at `sos`.
pub(crate) fn has_eoi(data: &[u8], sos: usize) -> bool {
    // Usual case: EOI is the last thing, perhaps followed by zero padding
    // (V4L2 buffers, 16-byte-aligned ImageIO payloads).
    let end = data.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    if end >= sos + 2 && data[end - 2..end] == [0xFF, 0xD9] {
        return true;
    }
    // Otherwise something else follows (picamera appends its raw Bayer data
    // after the JPEG): look for the marker anywhere after the first scan.
    data.get(sos..)
        .is_some_and(|scan| scan.windows(2).any(|w| w == [0xFF, 0xD9]))
}

/// Reads the header of a JPEG file up to its first scan.
///
/// # Errors
/// [`ErrorKind::Format`] if the data does not start with a well-formed JPEG
/// header (SOI, marker segments, a frame header, a start of scan); the
/// message names the byte offset.
///
/// ```
/// use camreel::codec::Quality;
/// use camreel::codec::jpeg::{self, JpegEncoder};
/// use camreel::{Image, PixelFormat};
/// let image = Image::zeroed(PixelFormat::Rgb888, 33, 17)?;
/// let jpeg = JpegEncoder::new(Quality::try_from(75)?)?.encode_image(image.view())?;
/// let info = jpeg::info(jpeg.data())?;
/// assert_eq!((info.width, info.height, info.components), (33, 17, 3));
/// assert!(info.has_huffman_tables && info.has_app0 && !info.progressive);
/// # Ok::<(), camreel::Error>(())
/// ```
pub fn info(data: &[u8]) -> Result<JpegInfo> {
    parse_header(data).map(|h| h.info)
}

/// The width and height from a JPEG's frame header, without decoding.
///
/// # Errors
/// As [`info`].
pub fn dimensions(data: &[u8]) -> Result<(u32, u32)> {
    info(data).map(|i| (i.width, i.height))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOI, optional APP0 with `app0` as its body, DQT stub, SOF0 for
    /// `w` x `h` gray, SOS, a scan byte, EOI.
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
        v.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0]);
        v.extend_from_slice(&[0x12, 0xFF, 0xD9]);
        v
    }

    #[test]
    fn reads_size_and_app0() {
        let j = info(&fake(640, 480, None)).unwrap();
        assert_eq!((j.width, j.height, j.has_app0), (640, 480, false));
        let j = info(&fake(33, 17, Some(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"))).unwrap();
        assert_eq!((j.width, j.height, j.has_app0), (33, 17, true));
        assert!(
            info(&fake(8, 8, Some(b"AVI1\0\0\0\0\0\0\0\0\0\0")))
                .unwrap()
                .has_app0
        );
        // An APP0 with another identifier (a JFXX thumbnail) does not count.
        assert!(!info(&fake(8, 8, Some(b"JFXX\0\x10"))).unwrap().has_app0);
        assert_eq!(dimensions(&fake(65535, 1, None)).unwrap(), (65535, 1));
    }

    #[test]
    fn header_walk() {
        let mut d = fake(8, 4, Some(b"AB"));
        let sos = d.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let h = parse_header(&d).unwrap();
        assert_eq!(h.sos, sos);
        assert_eq!((h.info.width, h.info.height, h.info.components), (8, 4, 1));
        assert_eq!((h.first_scan_components, h.sampling[0]), (1, (1, 1)));
        assert!(!h.info.has_huffman_tables && !h.info.progressive);
        assert!(has_eoi(&d, h.sos));
        d.extend_from_slice(b"BRCM");
        assert!(has_eoi(&d, h.sos));
        d.truncate(d.len() - 6);
        assert!(!has_eoi(&d, h.sos));
        d.extend_from_slice(&[0xFF, 0xD9, 0, 0, 0]);
        assert!(has_eoi(&d, h.sos));

        // A segment length running past the end.
        let e = parse_header(&d[..12]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        assert_eq!(
            e.to_string(),
            "jpeg at byte 8: marker ff db claims 4 bytes but the data ends at byte 12"
        );
        let e = parse_header(&d[..11]).unwrap_err();
        assert!(e.to_string().contains("inside the length"), "{e}");
        let e = parse_header(&d[..9]).unwrap_err();
        assert!(e.to_string().contains("inside a marker"), "{e}");
        // Garbage where a marker should be.
        let mut bad = d.clone();
        bad[8] = 0x12;
        let e = parse_header(&bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            "jpeg at byte 8: expected a marker, found 0x12"
        );
        assert!(parse_header(&[0xFF]).is_err());
        assert!(parse_header(&[]).is_err());
        assert!(parse_header(&[0xFF, 0xD8, 0xFF, 0xD9]).is_err());
        assert!(looks_like_jpeg(&d) && !looks_like_jpeg(b"\xff\xd8"));
    }

    #[test]
    fn fill_bytes_before_markers_are_skipped() {
        let mut v = fake(4, 2, None);
        v.insert(2, 0xFF);
        v.insert(2, 0xFF);
        assert_eq!(info(&v).unwrap().width, 4);
    }

    #[test]
    fn refuses_broken_headers() {
        assert!(info(b"GIF89a").is_err());
        let e = info(b"not a jpeg").unwrap_err();
        assert!(e.to_string().starts_with("jpeg at byte 0: "), "{e}");
        let full = fake(16, 16, None);
        let sos = full.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        // Every prefix that cuts the headers is an error, never a panic.
        for n in 0..sos + 10 {
            assert_eq!(
                info(&full[..n]).unwrap_err().kind(),
                ErrorKind::Format,
                "prefix {n}"
            );
        }
        // A zero height (DNL) is refused.
        let mut z = full.clone();
        let sof = z.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        z[sof + 5] = 0;
        z[sof + 6] = 0;
        assert!(info(&z).unwrap_err().to_string().contains("zero dimension"));
        // A second frame header, a scan before any frame header.
        let mut two = full[..sos].to_vec();
        two.extend_from_slice(&full[sof..sos]);
        two.extend_from_slice(&full[sos..]);
        assert!(
            info(&two)
                .unwrap_err()
                .to_string()
                .contains("second frame header")
        );
        let mut early = full[..sof].to_vec();
        early.extend_from_slice(&full[sos..]);
        assert!(
            info(&early)
                .unwrap_err()
                .to_string()
                .contains("before any frame header")
        );
    }

    /// Every byte string parses or fails cleanly (a cheap stand-in for the
    /// fuzz target over the same function).
    #[test]
    fn arbitrary_bytes_never_panic() {
        let base = fake(16, 8, Some(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            let mut d = base.clone();
            for _ in 0..3 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let i = (state % d.len() as u64) as usize;
                d[i] = (state >> 32) as u8;
            }
            let cut = (state >> 40) as usize % (d.len() + 1);
            let _ = parse_header(&d[..cut]);
        }
    }
}
