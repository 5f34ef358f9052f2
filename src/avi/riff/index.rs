//! The indexes: `idx1` entries (AVI 1.0), the OpenDML `indx` super index
//! and the `ix##` standard indexes it points at.

use super::chunk::{FourCc, IX_NON_KEYFRAME, fourcc, le16, le32, le64, put16, put32, put64, short};
use crate::error::{Error, ErrorKind, Result};

/// One `idx1` entry (16 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OldIndexEntry {
    pub id: FourCc,
    pub flags: u32,
    /// Offset of the chunk header, relative to the `movi` fourcc (or, in
    /// some old files, absolute).
    pub offset: u32,
    /// Data size, without the header and padding.
    pub size: u32,
}

impl OldIndexEntry {
    pub const SIZE: usize = 16;

    pub fn write(&self, v: &mut Vec<u8>) {
        v.extend_from_slice(&self.id);
        put32(v, self.flags);
        put32(v, self.offset);
        put32(v, self.size);
    }

    pub fn parse(b: &[u8; 16]) -> OldIndexEntry {
        OldIndexEntry {
            id: fourcc(b, 0),
            flags: le32(b, 4),
            offset: le32(b, 8),
            size: le32(b, 12),
        }
    }
}

/// One entry of an `indx` super index: where one `ix##` chunk is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SuperIndexEntry {
    /// Position of the `ix##` chunk header from the start of the file.
    pub offset: u64,
    /// Size of the `ix##` chunk, header included.
    pub size: u32,
    /// Frames it indexes.
    pub duration: u32,
}

/// Size of the `indx` chunk's data with room for `capacity` entries.
pub(crate) fn super_index_size(capacity: u32) -> u32 {
    24 + 16 * capacity
}

/// The data of an `indx` super index chunk (`AVI_INDEX_OF_INDEXES`) for the
/// chunks `chunk_id`, with `entries` in use and room for `capacity`.
pub(crate) fn super_index(chunk_id: FourCc, capacity: u32, entries: &[SuperIndexEntry]) -> Vec<u8> {
    let mut v = Vec::with_capacity(super_index_size(capacity) as usize);
    put16(&mut v, 4); // wLongsPerEntry
    v.push(0); // bIndexSubType
    v.push(0); // bIndexType: AVI_INDEX_OF_INDEXES
    put32(&mut v, entries.len() as u32);
    v.extend_from_slice(&chunk_id);
    v.extend_from_slice(&[0u8; 12]);
    for e in entries {
        put64(&mut v, e.offset);
        put32(&mut v, e.size);
        put32(&mut v, e.duration);
    }
    v.resize(super_index_size(capacity) as usize, 0);
    v
}

/// A parsed `indx` chunk: either a super index (entries point at `ix##`
/// chunks) or, rarely, a standard index stored directly in the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum IndxChunk {
    Super(Vec<SuperIndexEntry>),
    Standard(StandardIndex),
}

/// Parses the data of an `indx` chunk.
pub(crate) fn parse_indx(b: &[u8]) -> Result<IndxChunk> {
    if b.len() < 24 {
        return Err(short("indx", 24, b.len()));
    }
    let longs = le16(b, 0);
    let sub_type = b[2];
    let index_type = b[3];
    let in_use = le32(b, 4) as usize;
    match (index_type, longs, sub_type) {
        (0, 4, _) => {
            let room = (b.len() - 24) / 16;
            if in_use > room {
                return Err(Error::new(
                    ErrorKind::Format,
                    format!("indx claims {in_use} entries but has room for {room}"),
                ));
            }
            let entries = (0..in_use)
                .map(|i| {
                    let at = 24 + 16 * i;
                    SuperIndexEntry {
                        offset: le64(b, at),
                        size: le32(b, at + 8),
                        duration: le32(b, at + 12),
                    }
                })
                .collect();
            Ok(IndxChunk::Super(entries))
        }
        (1, 2, 0) => parse_standard_index(b).map(IndxChunk::Standard),
        _ => Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "indx of type {index_type}, sub-type {sub_type}, {longs} longs per entry is not supported"
            ),
        )),
    }
}

/// Size of the data of an `ix##` chunk with `n` entries.
pub(crate) fn standard_index_size(n: u32) -> Option<u32> {
    n.checked_mul(8)?.checked_add(24)
}

/// The data of an `ix##` standard index (`AVI_INDEX_OF_CHUNKS`) header for
/// `n` chunks `chunk_id` whose offsets are relative to `base`; the `n`
/// 8-byte entries ([`standard_index_entry`]) follow it.
pub(crate) fn standard_index_header(chunk_id: FourCc, n: u32, base: u64) -> [u8; 24] {
    let mut h = [0u8; 24];
    h[0..2].copy_from_slice(&2u16.to_le_bytes()); // wLongsPerEntry
    h[2] = 0; // bIndexSubType: frames
    h[3] = 1; // bIndexType: AVI_INDEX_OF_CHUNKS
    h[4..8].copy_from_slice(&n.to_le_bytes());
    h[8..12].copy_from_slice(&chunk_id);
    h[12..20].copy_from_slice(&base.to_le_bytes());
    // dwReserved3
    h
}

/// One `ix##` entry: data offset relative to the index base, and the data size
/// with bit 31 set for a non-key frame.
pub(crate) fn standard_index_entry(v: &mut Vec<u8>, data_offset: u32, size: u32, key: bool) {
    put32(v, data_offset);
    put32(v, if key { size } else { size | IX_NON_KEYFRAME });
}

/// A parsed `ix##` chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StandardIndex {
    pub chunk_id: FourCc,
    pub base: u64,
    /// (data offset relative to `base`, size, key frame)
    pub entries: Vec<(u32, u32, bool)>,
}

/// Parses the data of an `ix##` chunk.
pub(crate) fn parse_standard_index(b: &[u8]) -> Result<StandardIndex> {
    if b.len() < 24 {
        return Err(short("ix##", 24, b.len()));
    }
    let longs = le16(b, 0);
    let sub_type = b[2];
    let index_type = b[3];
    if index_type != 1 || longs != 2 || sub_type != 0 {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "standard index of type {index_type}, sub-type {sub_type}, {longs} longs per entry is not supported"
            ),
        ));
    }
    let in_use = le32(b, 4) as usize;
    let room = (b.len() - 24) / 8;
    if in_use > room {
        return Err(Error::new(
            ErrorKind::Format,
            format!("standard index claims {in_use} entries but has room for {room}"),
        ));
    }
    let entries = (0..in_use)
        .map(|i| {
            let at = 24 + 8 * i;
            let size = le32(b, at + 4);
            (
                le32(b, at),
                size & !IX_NON_KEYFRAME,
                size & IX_NON_KEYFRAME == 0,
            )
        })
        .collect();
    Ok(StandardIndex {
        chunk_id: fourcc(b, 8),
        base: le64(b, 12),
        entries,
    })
}
