//! Four-character codes, chunk headers, the flags and sizes the other
//! layouts share, and little-endian field access.

use crate::error::{Error, ErrorKind};

/// A four-character code.
pub(crate) type FourCc = [u8; 4];

/// `avih` flag: the file has an `idx1` index.
pub(crate) const AVIF_HASINDEX: u32 = 0x10;
/// `avih` flag: the streams are interleaved (trivially true for one stream).
pub(crate) const AVIF_ISINTERLEAVED: u32 = 0x100;
/// `idx1` entry flag: a key frame.
pub(crate) const AVIIF_KEYFRAME: u32 = 0x10;
/// Bit 31 of a standard-index (`ix##`) size: set for a non-key frame.
pub(crate) const IX_NON_KEYFRAME: u32 = 0x8000_0000;

/// Entries reserved in the `indx` super index: one per RIFF (about 1 GiB
/// each), as ffmpeg reserves.
pub(crate) const SUPER_INDEX_CAPACITY: u32 = 256;
/// Payload of the `dmlh` chunk (ffmpeg and the OpenDML reference use 248).
pub(crate) const DMLH_SIZE: u32 = 248;

pub(super) fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

pub(super) fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

pub(super) fn le64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

pub(super) fn fourcc(b: &[u8], at: usize) -> FourCc {
    [b[at], b[at + 1], b[at + 2], b[at + 3]]
}

pub(super) fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

pub(super) fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

pub(super) fn put64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// A four-character code as text, with non-printable bytes escaped.
pub(crate) fn show(cc: FourCc) -> String {
    cc.iter()
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect()
}

/// Whether `cc` looks like a RIFF chunk identifier (printable ASCII).
pub(crate) fn is_printable(cc: FourCc) -> bool {
    cc.iter().all(|&b| (0x20..0x7F).contains(&b))
}

/// An 8-byte chunk header: identifier and data size.
pub(crate) fn chunk_header(id: FourCc, size: u32) -> [u8; 8] {
    let mut h = [0u8; 8];
    h[..4].copy_from_slice(&id);
    h[4..].copy_from_slice(&size.to_le_bytes());
    h
}

/// Splits an 8-byte chunk header into identifier and size.
pub(crate) fn parse_chunk_header(h: &[u8; 8]) -> (FourCc, u32) {
    (fourcc(h, 0), le32(h, 4))
}

/// The chunk identifier of stream `stream`'s data chunks of type `kind`
/// (`b"dc"` for compressed video): `00dc`, `01wb`, ...
pub(crate) fn stream_chunk_id(stream: u8, kind: [u8; 2]) -> FourCc {
    [b'0' + stream / 10, b'0' + stream % 10, kind[0], kind[1]]
}

/// The stream number of a data chunk identifier such as `00dc` (None for
/// anything else).
pub(crate) fn chunk_stream(id: FourCc) -> Option<u8> {
    if id[0].is_ascii_digit() && id[1].is_ascii_digit() {
        Some((id[0] - b'0') * 10 + (id[1] - b'0'))
    } else {
        None
    }
}

pub(super) fn short(what: &str, need: usize, got: usize) -> Error {
    Error::new(
        ErrorKind::Format,
        format!("{what} chunk has {got} bytes, expected at least {need}"),
    )
}
