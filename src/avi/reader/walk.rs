//! The first pass over an AVI: the RIFF segments, the `hdrl` headers
//! (`avih`, the streams' `strh`/`strf`/`indx`, `odml`/`dmlh`), where each
//! `movi` list is and where `idx1` is. Also the positioned-read helpers the
//! index and scan passes share.

use std::io::{self, Read, Seek, SeekFrom};

use crate::avi::riff::{self, BitmapInfoHeader, FourCc, MainHeader, StreamHeader};
use crate::error::{Error, ErrorKind, Result};

/// Largest `hdrl` list read into memory.
const MAX_HEADER_BYTES: u64 = 16 << 20;

#[derive(Default)]
pub(super) struct Layout {
    pub(super) file_len: u64,
    pub(super) avih: Option<MainHeader>,
    pub(super) streams: Vec<Stream>,
    pub(super) dmlh_frames: Option<u32>,
    /// (position of the `movi` fourcc, end of the list) per RIFF segment.
    pub(super) movis: Vec<(u64, u64)>,
    /// (position of the data, size) of `idx1`.
    pub(super) idx1: Option<(u64, u64)>,
    pub(super) riffs: u32,
}

#[derive(Default)]
pub(super) struct Stream {
    pub(super) strh: Option<StreamHeader>,
    pub(super) strf: Option<BitmapInfoHeader>,
    pub(super) indx: Option<Vec<u8>>,
}

pub(super) fn format_err(at: u64, what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Format, format!("at byte {at}: {what}"))
}

pub(super) fn read_err(at: u64, e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        Error::with_source(
            ErrorKind::Truncated,
            format!("at byte {at}: file ends early"),
            e,
        )
    } else {
        Error::io(format!("reading at byte {at}"), e)
    }
}

pub(super) fn padded(size: u32) -> u64 {
    u64::from(size) + u64::from(size & 1)
}

pub(super) fn read_at<R: Read + Seek>(r: &mut R, at: u64, buf: &mut [u8]) -> Result<()> {
    r.seek(SeekFrom::Start(at)).map_err(|e| read_err(at, e))?;
    r.read_exact(buf).map_err(|e| read_err(at, e))
}

fn walk_hdrl(b: &[u8], layout: &mut Layout, depth: u32) {
    let mut pos = 0usize;
    while pos + 8 <= b.len() {
        let id: FourCc = [b[pos], b[pos + 1], b[pos + 2], b[pos + 3]];
        let size = u32::from_le_bytes([b[pos + 4], b[pos + 5], b[pos + 6], b[pos + 7]]) as usize;
        let start = pos + 8;
        let end = start.saturating_add(size).min(b.len());
        let body = &b[start..end];
        match &id {
            b"avih" => layout.avih = MainHeader::parse(body).ok(),
            b"LIST" if body.len() >= 4 && depth < 2 => match &body[..4] {
                b"strl" => {
                    layout.streams.push(Stream::default());
                    walk_hdrl(&body[4..], layout, depth + 1);
                }
                b"odml" => walk_hdrl(&body[4..], layout, depth + 1),
                _ => {}
            },
            b"strh" => {
                if let Some(s) = layout.streams.last_mut() {
                    s.strh = StreamHeader::parse(body).ok();
                }
            }
            b"strf" => {
                if let Some(s) = layout.streams.last_mut() {
                    s.strf = BitmapInfoHeader::parse(body).ok();
                }
            }
            b"indx" => {
                if let Some(s) = layout.streams.last_mut() {
                    s.indx = Some(body.to_vec());
                }
            }
            b"dmlh" if body.len() >= 4 => {
                layout.dmlh_frames = Some(u32::from_le_bytes([body[0], body[1], body[2], body[3]]));
            }
            _ => {}
        }
        pos = start.saturating_add(size).saturating_add(size & 1);
    }
}

/// Walks the RIFF segments and their top-level chunks.
pub(super) fn walk<R: Read + Seek>(r: &mut R) -> Result<Layout> {
    let file_len = r
        .seek(SeekFrom::End(0))
        .map_err(|e| Error::io("finding the file size", e))?;
    let mut layout = Layout {
        file_len,
        ..Layout::default()
    };
    let mut head = [0u8; 12];
    if file_len < 12 {
        return Err(Error::new(
            ErrorKind::Format,
            format!("not an AVI file: {file_len} bytes is too short for a RIFF header"),
        ));
    }
    read_at(r, 0, &mut head)?;
    if &head[..4] != b"RIFF" || &head[8..12] != b"AVI " {
        return Err(Error::new(
            ErrorKind::Format,
            format!(
                "not an AVI file: starts with '{}' '{}' instead of 'RIFF' 'AVI '",
                riff::show([head[0], head[1], head[2], head[3]]),
                riff::show([head[8], head[9], head[10], head[11]])
            ),
        ));
    }
    let mut riff_pos = 0u64;
    while riff_pos + 12 <= file_len {
        read_at(r, riff_pos, &mut head)?;
        let expected: &[u8] = if layout.riffs == 0 { b"AVI " } else { b"AVIX" };
        if &head[..4] != b"RIFF" || &head[8..12] != expected {
            break;
        }
        let size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        let riff_end = if size == 0 {
            file_len
        } else {
            (riff_pos + 8 + padded(size)).min(file_len)
        };
        layout.riffs += 1;
        let mut pos = riff_pos + 12;
        while pos + 8 <= riff_end {
            let mut h = [0u8; 12];
            let n = if pos + 12 <= riff_end { 12 } else { 8 };
            read_at(r, pos, &mut h[..n])?;
            let (id, size) =
                riff::parse_chunk_header(&[h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
            let end = pos + 8 + padded(size);
            match (&id, &h[8..12]) {
                (b"LIST", b"hdrl") if layout.riffs == 1 && n == 12 => {
                    let len = u64::from(size).saturating_sub(4).min(riff_end - pos - 12);
                    if len > MAX_HEADER_BYTES {
                        return Err(Error::new(
                            ErrorKind::LimitExceeded,
                            format!("at byte {pos}: header list of {len} bytes is too large"),
                        ));
                    }
                    let mut b = vec![0u8; len as usize];
                    read_at(r, pos + 12, &mut b)?;
                    walk_hdrl(&b, &mut layout, 0);
                }
                (b"LIST", b"movi") if n == 12 => {
                    let list_end = if size == 0 {
                        riff_end
                    } else {
                        end.min(riff_end)
                    };
                    layout.movis.push((pos + 8, list_end));
                    if size == 0 {
                        break;
                    }
                }
                (b"idx1", _) if layout.riffs == 1 => {
                    let len = u64::from(size).min(riff_end - pos - 8);
                    layout.idx1 = Some((pos + 8, len));
                }
                _ => {}
            }
            if !riff::is_printable(id) {
                break;
            }
            pos = end;
        }
        riff_pos = riff_end;
        if riff_end >= file_len {
            break;
        }
    }
    Ok(layout)
}
