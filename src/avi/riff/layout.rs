//! The header of a Motion-JPEG AVI as this crate writes it (ffmpeg's
//! layout): `RIFF AVI `, `hdrl` with room for the OpenDML super index and
//! `dmlh`, up to the `movi` fourcc, and where its patchable fields are.

use super::chunk::*;
use super::headers::{BitmapInfoHeader, MainHeader, StreamHeader};
use super::index::{super_index, super_index_size};

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
