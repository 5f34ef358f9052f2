//! Byte layouts of the RIFF AVI structures, free of I/O: headers and index
//! entries to bytes and back. All integers are little-endian.
//!
//! References: Microsoft's AVI RIFF reference (`avih`, `strh`, `strf`,
//! `idx1`) and the OpenDML AVI File Format Extensions 1.02 (`indx`, `ix##`,
//! `odml`/`dmlh`, `RIFF AVIX`).

use crate::error::{Error, ErrorKind, Result};

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

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

fn fourcc(b: &[u8], at: usize) -> FourCc {
    [b[at], b[at + 1], b[at + 2], b[at + 3]]
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn put64(v: &mut Vec<u8>, x: u64) {
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

fn short(what: &str, need: usize, got: usize) -> Error {
    Error::new(
        ErrorKind::Format,
        format!("{what} chunk has {got} bytes, expected at least {need}"),
    )
}

/// `MainAVIHeader` (`avih`, 56 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct MainHeader {
    pub micro_sec_per_frame: u32,
    pub max_bytes_per_sec: u32,
    pub padding_granularity: u32,
    pub flags: u32,
    pub total_frames: u32,
    pub initial_frames: u32,
    pub streams: u32,
    pub suggested_buffer_size: u32,
    pub width: u32,
    pub height: u32,
}

impl MainHeader {
    pub const SIZE: u32 = 56;
    /// Offset of `dwTotalFrames` inside the structure.
    #[cfg(test)]
    pub const TOTAL_FRAMES_AT: usize = 16;

    pub fn to_bytes(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(56);
        for x in [
            self.micro_sec_per_frame,
            self.max_bytes_per_sec,
            self.padding_granularity,
            self.flags,
            self.total_frames,
            self.initial_frames,
            self.streams,
            self.suggested_buffer_size,
            self.width,
            self.height,
            0,
            0,
            0,
            0,
        ] {
            put32(&mut v, x);
        }
        v
    }

    pub fn parse(b: &[u8]) -> Result<MainHeader> {
        if b.len() < 40 {
            return Err(short("avih", 40, b.len()));
        }
        Ok(MainHeader {
            micro_sec_per_frame: le32(b, 0),
            max_bytes_per_sec: le32(b, 4),
            padding_granularity: le32(b, 8),
            flags: le32(b, 12),
            total_frames: le32(b, 16),
            initial_frames: le32(b, 20),
            streams: le32(b, 24),
            suggested_buffer_size: le32(b, 28),
            width: le32(b, 32),
            height: le32(b, 36),
        })
    }
}

/// `AVIStreamHeader` (`strh`, 56 bytes; old files have 48 without the frame
/// rectangle).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StreamHeader {
    pub fcc_type: FourCc,
    pub fcc_handler: FourCc,
    pub flags: u32,
    pub priority: u16,
    pub language: u16,
    pub initial_frames: u32,
    pub scale: u32,
    pub rate: u32,
    pub start: u32,
    pub length: u32,
    pub suggested_buffer_size: u32,
    pub quality: u32,
    pub sample_size: u32,
    pub frame: [u16; 4],
}

impl StreamHeader {
    pub const SIZE: u32 = 56;

    pub fn to_bytes(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(56);
        v.extend_from_slice(&self.fcc_type);
        v.extend_from_slice(&self.fcc_handler);
        put32(&mut v, self.flags);
        put16(&mut v, self.priority);
        put16(&mut v, self.language);
        for x in [
            self.initial_frames,
            self.scale,
            self.rate,
            self.start,
            self.length,
            self.suggested_buffer_size,
            self.quality,
            self.sample_size,
        ] {
            put32(&mut v, x);
        }
        for x in self.frame {
            put16(&mut v, x);
        }
        v
    }

    pub fn parse(b: &[u8]) -> Result<StreamHeader> {
        if b.len() < 48 {
            return Err(short("strh", 48, b.len()));
        }
        let mut frame = [0u16; 4];
        if b.len() >= 56 {
            for (i, f) in frame.iter_mut().enumerate() {
                *f = le16(b, 48 + 2 * i);
            }
        }
        Ok(StreamHeader {
            fcc_type: fourcc(b, 0),
            fcc_handler: fourcc(b, 4),
            flags: le32(b, 8),
            priority: le16(b, 12),
            language: le16(b, 14),
            initial_frames: le32(b, 16),
            scale: le32(b, 20),
            rate: le32(b, 24),
            start: le32(b, 28),
            length: le32(b, 32),
            suggested_buffer_size: le32(b, 36),
            quality: le32(b, 40),
            sample_size: le32(b, 44),
            frame,
        })
    }
}

/// `BITMAPINFOHEADER` (the video `strf`, 40 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BitmapInfoHeader {
    pub width: i32,
    pub height: i32,
    pub planes: u16,
    pub bit_count: u16,
    pub compression: FourCc,
    pub size_image: u32,
}

impl BitmapInfoHeader {
    pub const SIZE: u32 = 40;

    pub fn to_bytes(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(40);
        put32(&mut v, Self::SIZE);
        v.extend_from_slice(&self.width.to_le_bytes());
        v.extend_from_slice(&self.height.to_le_bytes());
        put16(&mut v, self.planes);
        put16(&mut v, self.bit_count);
        v.extend_from_slice(&self.compression);
        put32(&mut v, self.size_image);
        // biXPelsPerMeter, biYPelsPerMeter, biClrUsed, biClrImportant
        v.extend_from_slice(&[0u8; 16]);
        v
    }

    pub fn parse(b: &[u8]) -> Result<BitmapInfoHeader> {
        if b.len() < 40 {
            return Err(short("strf", 40, b.len()));
        }
        Ok(BitmapInfoHeader {
            width: le32(b, 4) as i32,
            height: le32(b, 8) as i32,
            planes: le16(b, 12),
            bit_count: le16(b, 14),
            compression: fourcc(b, 16),
            size_image: le32(b, 20),
        })
    }
}

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

/// Where the patchable fields of a header made by [`build_header`] are,
/// relative to its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HeaderLayout {
    /// Data of `avih`.
    pub avih: u64,
    /// Data of `strh`.
    pub strh: u64,
    /// Header of the chunk reserved for the `indx` super index (`JUNK` until
    /// the file needs OpenDML).
    pub indx: u64,
    /// Header of the `JUNK` chunk that becomes `LIST odml` (`dmlh`).
    pub odml: u64,
    /// The `movi` fourcc (the base of `idx1` offsets).
    pub movi: u64,
    /// Total length: where the first frame chunk goes.
    pub len: u64,
}

/// The values the header of a Motion-JPEG AVI is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HeaderValues {
    pub width: u32,
    pub height: u32,
    pub rate: u32,
    pub scale: u32,
}

/// Everything from `RIFF` to the `movi` fourcc of a one-stream `MJPG` AVI,
/// with zero placeholders for the RIFF and `movi` sizes (zero: "to the end of
/// the file" for ffmpeg, so a file that was never closed still plays) and
/// room for an OpenDML super index and `dmlh`, as ffmpeg lays them out.
pub(crate) fn build_header(h: &HeaderValues, software: &str) -> (Vec<u8>, HeaderLayout) {
    let mut v = Vec::with_capacity(4608 + 64);
    v.extend_from_slice(b"RIFF");
    put32(&mut v, 0);
    v.extend_from_slice(b"AVI ");
    let hdrl = v.len();
    v.extend_from_slice(b"LIST\0\0\0\0hdrl");

    let avih = MainHeader {
        micro_sec_per_frame: micros_per_frame(h.rate, h.scale),
        flags: AVIF_HASINDEX | AVIF_ISINTERLEAVED,
        streams: 1,
        width: h.width,
        height: h.height,
        ..MainHeader::default()
    };
    v.extend_from_slice(&chunk_header(*b"avih", MainHeader::SIZE));
    let avih_at = v.len() as u64;
    v.extend_from_slice(&avih.to_bytes());

    let strl = v.len();
    v.extend_from_slice(b"LIST\0\0\0\0strl");
    let strh = StreamHeader {
        fcc_type: *b"vids",
        fcc_handler: *b"MJPG",
        scale: h.scale,
        rate: h.rate,
        quality: u32::MAX,
        frame: [
            0,
            0,
            u16::try_from(h.width).unwrap_or(u16::MAX),
            u16::try_from(h.height).unwrap_or(u16::MAX),
        ],
        ..StreamHeader::default()
    };
    v.extend_from_slice(&chunk_header(*b"strh", StreamHeader::SIZE));
    let strh_at = v.len() as u64;
    v.extend_from_slice(&strh.to_bytes());
    let strf = BitmapInfoHeader {
        width: i32::try_from(h.width).unwrap_or(i32::MAX),
        height: i32::try_from(h.height).unwrap_or(i32::MAX),
        planes: 1,
        bit_count: 24,
        compression: *b"MJPG",
        size_image: h.width.saturating_mul(h.height).saturating_mul(3),
    };
    v.extend_from_slice(&chunk_header(*b"strf", BitmapInfoHeader::SIZE));
    v.extend_from_slice(&strf.to_bytes());
    let indx_at = v.len() as u64;
    v.extend_from_slice(&chunk_header(
        *b"JUNK",
        super_index_size(SUPER_INDEX_CAPACITY),
    ));
    v.extend_from_slice(&super_index(
        stream_chunk_id(0, *b"dc"),
        SUPER_INDEX_CAPACITY,
        &[],
    ));
    let strl_size = (v.len() - strl - 8) as u32;
    v[strl + 4..strl + 8].copy_from_slice(&strl_size.to_le_bytes());

    let odml_at = v.len() as u64;
    v.extend_from_slice(&chunk_header(*b"JUNK", 4 + 8 + DMLH_SIZE));
    v.extend_from_slice(b"odml");
    v.extend_from_slice(&chunk_header(*b"dmlh", DMLH_SIZE));
    v.resize(v.len() + DMLH_SIZE as usize, 0);
    let hdrl_size = (v.len() - hdrl - 8) as u32;
    v[hdrl + 4..hdrl + 8].copy_from_slice(&hdrl_size.to_le_bytes());

    // LIST INFO / ISFT: the software that wrote the file.
    let mut isft = software.as_bytes().to_vec();
    isft.push(0);
    let isft_len = isft.len() as u32;
    if isft.len() % 2 == 1 {
        isft.push(0);
    }
    v.extend_from_slice(&chunk_header(*b"LIST", 4 + 8 + isft.len() as u32));
    v.extend_from_slice(b"INFO");
    v.extend_from_slice(&chunk_header(*b"ISFT", isft_len));
    v.extend_from_slice(&isft);

    v.extend_from_slice(b"LIST\0\0\0\0");
    let movi_at = v.len() as u64;
    v.extend_from_slice(b"movi");
    let layout = HeaderLayout {
        avih: avih_at,
        strh: strh_at,
        indx: indx_at,
        odml: odml_at,
        movi: movi_at,
        len: v.len() as u64,
    };
    (v, layout)
}

/// `dwMicroSecPerFrame` for a rate of `rate / scale` frames per second,
/// rounded to the nearest microsecond (saturating).
pub(crate) fn micros_per_frame(rate: u32, scale: u32) -> u32 {
    if rate == 0 {
        return 0;
    }
    let us = (u128::from(scale) * 1_000_000 + u128::from(rate) / 2) / u128::from(rate);
    u32::try_from(us).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> HeaderValues {
        HeaderValues {
            width: 640,
            height: 480,
            rate: 30000,
            scale: 1001,
        }
    }

    #[test]
    fn header_layout_matches_hand_written_bytes() {
        let (b, l) = build_header(&values(), "camreel test");
        assert_eq!(&b[0..4], b"RIFF");
        assert_eq!(&b[4..8], &[0, 0, 0, 0], "RIFF size placeholder");
        assert_eq!(&b[8..12], b"AVI ");
        assert_eq!(&b[12..16], b"LIST");
        assert_eq!(&b[20..24], b"hdrl");
        assert_eq!(&b[24..28], b"avih");
        assert_eq!(le32(&b, 28), 56);
        assert_eq!(l.avih, 32);
        // dwMicroSecPerFrame for 30000/1001: 33366.67 -> 33367.
        assert_eq!(le32(&b, 32), 33367);
        assert_eq!(le32(&b, 32 + 12), AVIF_HASINDEX | AVIF_ISINTERLEAVED);
        assert_eq!(le32(&b, 32 + 24), 1, "dwStreams");
        assert_eq!(le32(&b, 32 + 32), 640);
        assert_eq!(le32(&b, 32 + 36), 480);
        assert_eq!(&b[88..92], b"LIST");
        assert_eq!(&b[96..100], b"strl");
        assert_eq!(&b[100..104], b"strh");
        assert_eq!(l.strh, 108);
        assert_eq!(&b[108..116], b"vidsMJPG");
        assert_eq!(le32(&b, 108 + 20), 1001);
        assert_eq!(le32(&b, 108 + 24), 30000);
        assert_eq!(le32(&b, 108 + 40), u32::MAX, "dwQuality -1");
        assert_eq!(le16(&b, 108 + 52), 640);
        assert_eq!(le16(&b, 108 + 54), 480);
        assert_eq!(&b[164..168], b"strf");
        assert_eq!(le32(&b, 168), 40);
        assert_eq!(le32(&b, 172), 40, "biSize");
        assert_eq!(le32(&b, 176), 640);
        assert_eq!(le32(&b, 180), 480);
        assert_eq!(le16(&b, 184), 1);
        assert_eq!(le16(&b, 186), 24);
        assert_eq!(&b[188..192], b"MJPG");
        assert_eq!(le32(&b, 192), 640 * 480 * 3);
        assert_eq!(l.indx, 212);
        assert_eq!(&b[212..216], b"JUNK");
        assert_eq!(le32(&b, 216), 24 + 16 * 256);
        assert_eq!(&b[220 + 8..220 + 12], b"00dc");
        let strl_end = 212 + 8 + 24 + 16 * 256;
        assert_eq!(le32(&b, 92) as usize, strl_end - 96, "strl size");
        assert_eq!(l.odml, strl_end as u64);
        assert_eq!(&b[strl_end..strl_end + 4], b"JUNK");
        assert_eq!(le32(&b, strl_end + 4), 260);
        assert_eq!(&b[strl_end + 8..strl_end + 16], b"odmldmlh");
        assert_eq!(le32(&b, strl_end + 16), 248);
        let hdrl_end = strl_end + 8 + 260;
        assert_eq!(le32(&b, 16) as usize, hdrl_end - 20, "hdrl size");
        assert_eq!(&b[hdrl_end..hdrl_end + 4], b"LIST");
        assert_eq!(&b[hdrl_end + 8..hdrl_end + 16], b"INFOISFT");
        // "camreel test\0" is 13 bytes, padded to 14.
        assert_eq!(le32(&b, hdrl_end + 16), 13);
        assert_eq!(le32(&b, hdrl_end + 4), 4 + 8 + 14);
        let movi_list = hdrl_end + 8 + 4 + 8 + 14;
        assert_eq!(&b[movi_list..movi_list + 4], b"LIST");
        assert_eq!(le32(&b, movi_list + 4), 0, "movi size placeholder");
        assert_eq!(l.movi, movi_list as u64 + 8);
        assert_eq!(&b[movi_list + 8..], b"movi");
        assert_eq!(l.len, b.len() as u64);
        assert_eq!(l.len % 2, 0);
    }

    #[test]
    fn headers_round_trip() {
        let (b, l) = build_header(&values(), "x");
        let avih = MainHeader::parse(&b[l.avih as usize..]).unwrap();
        assert_eq!((avih.width, avih.height, avih.streams), (640, 480, 1));
        let strh = StreamHeader::parse(&b[l.strh as usize..l.strh as usize + 56]).unwrap();
        assert_eq!((strh.rate, strh.scale), (30000, 1001));
        assert_eq!(StreamHeader::parse(&strh.to_bytes()).unwrap(), strh);
        let strf = BitmapInfoHeader::parse(&b[l.strh as usize + 64..]).unwrap();
        assert_eq!(strf.compression, *b"MJPG");
        assert_eq!(BitmapInfoHeader::parse(&strf.to_bytes()).unwrap(), strf);
        assert_eq!(MainHeader::parse(&avih.to_bytes()).unwrap(), avih);
        assert!(MainHeader::parse(&[0; 39]).is_err());
        assert!(StreamHeader::parse(&[0; 47]).is_err());
        assert!(BitmapInfoHeader::parse(&[0; 39]).is_err());
        assert_eq!(MainHeader::TOTAL_FRAMES_AT, 16);
    }

    #[test]
    fn idx1_entry_bytes() {
        let e = OldIndexEntry {
            id: *b"00dc",
            flags: AVIIF_KEYFRAME,
            offset: 4,
            size: 1001,
        };
        let mut v = Vec::new();
        e.write(&mut v);
        assert_eq!(
            v,
            [
                b'0', b'0', b'd', b'c', 0x10, 0, 0, 0, 4, 0, 0, 0, 0xE9, 0x03, 0, 0
            ]
        );
        let a: [u8; 16] = v.try_into().unwrap();
        assert_eq!(OldIndexEntry::parse(&a), e);
    }

    #[test]
    fn super_index_bytes() {
        let e = SuperIndexEntry {
            offset: 0x1_0000_0010,
            size: 32 + 16,
            duration: 2,
        };
        let b = super_index(*b"00dc", 4, &[e]);
        assert_eq!(b.len(), 24 + 64);
        assert_eq!(&b[..4], &[4, 0, 0, 0]);
        assert_eq!(le32(&b, 4), 1);
        assert_eq!(&b[8..12], b"00dc");
        assert_eq!(&b[24..32], &[0x10, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(le32(&b, 32), 48);
        assert_eq!(le32(&b, 36), 2);
        assert_eq!(parse_indx(&b).unwrap(), IndxChunk::Super(vec![e]));
        let mut lying = b.clone();
        lying[4] = 5;
        assert!(parse_indx(&lying).is_err());
        assert!(parse_indx(&b[..23]).is_err());
    }

    #[test]
    fn standard_index_bytes() {
        let mut b = standard_index_header(*b"00dc", 2, 0x4000_0000).to_vec();
        standard_index_entry(&mut b, 12, 1000, true);
        standard_index_entry(&mut b, 1020, 7, false);
        assert_eq!(&b[..4], &[2, 0, 0, 1]);
        assert_eq!(le32(&b, 4), 2);
        assert_eq!(&b[8..12], b"00dc");
        assert_eq!(le64(&b, 12), 0x4000_0000);
        assert_eq!(le32(&b, 20), 0);
        assert_eq!(le32(&b, 28), 1000);
        assert_eq!(le32(&b, 36), 7 | IX_NON_KEYFRAME);
        assert_eq!(standard_index_size(2), Some(b.len() as u32));
        let ix = parse_standard_index(&b).unwrap();
        assert_eq!(ix.entries, vec![(12, 1000, true), (1020, 7, false)]);
        assert_eq!(ix.base, 0x4000_0000);
        assert_eq!(parse_indx(&b).unwrap(), IndxChunk::Standard(ix));
        assert!(parse_standard_index(&b[..30]).is_err());
    }

    #[test]
    fn chunk_ids() {
        assert_eq!(stream_chunk_id(0, *b"dc"), *b"00dc");
        assert_eq!(stream_chunk_id(12, *b"wb"), *b"12wb");
        assert_eq!(chunk_stream(*b"03db"), Some(3));
        assert_eq!(chunk_stream(*b"ix00"), None);
        assert_eq!(show(*b"a\0\xffZ"), "a\\x00\\xffZ");
        assert!(is_printable(*b"rec "));
        assert!(!is_printable(*b"\0\0\0\0"));
        assert_eq!(
            parse_chunk_header(&chunk_header(*b"idx1", 32)),
            (*b"idx1", 32)
        );
    }

    #[test]
    fn micros() {
        assert_eq!(micros_per_frame(30, 1), 33333);
        assert_eq!(micros_per_frame(25, 1), 40000);
        assert_eq!(micros_per_frame(0, 1), 0);
        assert_eq!(micros_per_frame(1, u32::MAX), u32::MAX);
    }
}
