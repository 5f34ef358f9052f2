//! Byte-exact checks of the RIFF layouts.

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
