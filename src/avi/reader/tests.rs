//! Unit tests of the AVI reader: hostile indexes.

use std::io::Cursor;

use super::*;
use crate::avi::MjpegWriterBuilder;
use crate::avi::tiny_jpeg;
use crate::error::ErrorKind;

/// A two-segment OpenDML file of 8x8 frames and the position of its
/// first `ix00` chunk.
fn open_dml_file() -> (Vec<u8>, usize) {
    let j = tiny_jpeg(8, 8);
    let mut w = MjpegWriterBuilder::new(8, 8)
        .riff_size(4096)
        .build(Cursor::new(Vec::new()))
        .unwrap();
    for _ in 0..20 {
        w.add_jpeg(&j, None).unwrap();
    }
    let b = w.into_inner().unwrap().into_inner();
    let ix = b.windows(4).position(|w| w == b"ix00").unwrap();
    (b, ix)
}

#[test]
fn huge_index_bases_and_offsets_are_errors_not_overflows() {
    let (mut b, ix) = open_dml_file();
    // qwBaseOffset of the first ix00 (header 8 + 12 bytes in).
    b[ix + 8 + 12..ix + 8 + 20].copy_from_slice(&u64::MAX.to_le_bytes());
    let r = AviReader::new(Cursor::new(b.clone())).unwrap();
    // The OpenDML index is refused; the chunks are walked instead.
    assert_eq!(r.info().index, IndexKind::Scanned);
    assert_eq!(r.frame_count(), 20);
    // A super index entry pointing past the end of the file.
    let indx = b.windows(4).position(|w| w == b"indx").unwrap();
    b[indx + 8 + 24..indx + 8 + 32].copy_from_slice(&(u64::MAX - 4).to_le_bytes());
    let r = AviReader::new(Cursor::new(b)).unwrap();
    assert_eq!(r.info().index, IndexKind::Scanned);
    assert_eq!(r.frame_count(), 20);
}

#[test]
fn super_index_entries_must_not_repeat_or_go_backwards() {
    let (mut b, _) = open_dml_file();
    let indx = b.windows(4).position(|w| w == b"indx").unwrap();
    let data = indx + 8;
    let in_use = u32::from_le_bytes(b[data + 4..data + 8].try_into().unwrap()) as usize;
    assert!(in_use >= 2, "{in_use}");
    // Every entry points at the first ix00. Read as it is, each repeat
    // would list the same frames again, and a few MB of entries aimed at
    // one large chunk would make the reader read it millions of times.
    let first = b[data + 24..data + 40].to_vec();
    for k in 1..in_use {
        b[data + 24 + 16 * k..data + 40 + 16 * k].copy_from_slice(&first);
    }
    let r = AviReader::new(Cursor::new(b.clone())).unwrap();
    assert_eq!(r.info().index, IndexKind::Scanned);
    assert_eq!(r.frame_count(), 20);
    // Entries in the wrong order are refused too.
    let (mut b, _) = open_dml_file();
    let (e0, e1) = (data + 24, data + 40);
    let a = b[e0..e0 + 16].to_vec();
    let c = b[e1..e1 + 16].to_vec();
    b[e0..e0 + 16].copy_from_slice(&c);
    b[e1..e1 + 16].copy_from_slice(&a);
    let r = AviReader::new(Cursor::new(b)).unwrap();
    assert_eq!(r.info().index, IndexKind::Scanned);
    assert_eq!(r.frame_count(), 20);
}

#[test]
fn index_pointing_at_the_wrong_chunk_is_a_format_error() {
    let (b, _) = open_dml_file();
    let mut r = AviReader::new(Cursor::new(b)).unwrap();
    assert_eq!(r.info().index, IndexKind::OpenDml);
    // Aim frame 3's entry at frame 4's data minus one byte.
    r.entries[3].offset = r.entries[4].offset - 1;
    let e = r.read_frame(3).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format);
    assert!(e.to_string().starts_with("frame 3: at byte"), "{e}");
    assert_eq!(
        r.read_frame(99).unwrap_err().kind(),
        ErrorKind::SeekOutOfRange
    );
}
