//! The MP4 demuxer on files written by camreel (pass-through, no encoder
//! needed), damaged and cut: property tests sharing the body of the
//! `mp4_demux` fuzz target, and errors that name frame and byte.

#![cfg(feature = "mp4")]

mod h264_support;

use std::io::Cursor;
use std::time::Duration;

use camreel::frame::Frame;
use camreel::mp4::{Mp4Demuxer, Mp4Options, Mp4Reader, Mp4Writer};
use camreel::sink::FrameSink;
use camreel::{ErrorKind, Image, Limits, PixelFormat};
use h264_support::fuzz_body::fuzz_mp4;
use proptest::prelude::*;

const SPS: [u8; 14] = [
    0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x68, 0x0a, 0x03, 0xda, 0x01, 0xe1, 0x10, 0x8d, 0x40,
];

/// Access unit `i` of a GOP of `gop`: SPS+PPS+IDR or a P slice, with
/// `fill` bytes of payload.
fn access_unit(i: u32, gop: u32, fill: usize) -> Image {
    let mut au = Vec::new();
    if i.is_multiple_of(gop) {
        for nal in [&SPS[..], &[0x68, 0xce, 0x3c, 0x80]] {
            au.extend_from_slice(&[0, 0, 0, 1]);
            au.extend_from_slice(nal);
        }
        au.extend_from_slice(&[0, 0, 0, 1, 0x65, 0x88]);
    } else {
        au.extend_from_slice(&[0, 0, 0, 1, 0x41, 0x9a]);
    }
    au.extend((0..fill).map(|k| (k as u8 ^ i as u8) | 0x80));
    Image::new(PixelFormat::H264, 640, 480, au).unwrap()
}

/// An MP4 of `frames` access units at 25 fps, key frames every `gop`.
fn mp4(frames: u32, gop: u32, fill: usize) -> Vec<u8> {
    let options = Mp4Options::default().fragment_duration(Duration::from_millis(200));
    let mut w = Mp4Writer::seekable(Cursor::new(Vec::new()), options);
    for i in 0..frames {
        let au = access_unit(i, gop, fill);
        w.write_frame(&Frame::new(
            au.view(),
            i.into(),
            Duration::from_millis(40) * i,
        ))
        .unwrap();
    }
    w.into_inner().unwrap().into_inner()
}

#[test]
fn fragments_read_back_with_times_and_key_frames() {
    let bytes = mp4(23, 10, 50);
    let mut r = Mp4Reader::new(Cursor::new(&bytes[..]), Limits::default()).unwrap();
    let info = r.info();
    assert_eq!((info.frames, info.key_frames), (23, 3));
    assert_eq!(info.duration, Some(Duration::from_millis(920)));
    assert_eq!(info.rate.unwrap().to_string(), "25");
    let mut i = 0;
    while let Some(f) = r.next_access_unit().unwrap() {
        assert_eq!(f.timestamp, Duration::from_millis(40) * i);
        assert_eq!(f.image.data(), access_unit(i, 10, 50).data(), "frame {i}");
        i += 1;
    }
    assert_eq!(i, 23);
}

#[test]
fn a_cut_file_keeps_its_complete_fragments() {
    let bytes = mp4(30, 10, 100);
    let whole = Mp4Demuxer::open(Cursor::new(&bytes[..]), Limits::default()).unwrap();
    let samples = whole.samples().to_vec();
    // Cut inside frame 17's bytes.
    let cut = samples[17].offset as usize + 10;
    let mut r = Mp4Reader::new(Cursor::new(&bytes[..cut]), Limits::default()).unwrap();
    let mut n = 0;
    let err = loop {
        match r.next_access_unit() {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("no error after {n} frames"),
            Err(e) => break e,
        }
    };
    // Frames 15 to 19 are one fragment (200 ms): 15 and 16 are complete.
    assert_eq!(n, 17);
    assert_eq!(err.kind(), ErrorKind::Truncated);
    assert_eq!(
        err.to_string(),
        format!(
            "frame 17 at byte {}: the file ends inside it",
            samples[17].offset
        )
    );
    assert!(r.next_access_unit().unwrap().is_none());
}

#[test]
fn enormous_dimensions_are_refused_before_allocation() {
    // An SPS of 16384x16384 macroblocks in an otherwise valid file.
    let mut bytes = mp4(3, 10, 10);
    let at = bytes.windows(SPS.len()).position(|w| w == SPS).unwrap();
    // Replace the SPS with one of the same length declaring 4096x4096
    // macroblocks (65536x65536 pixels).
    let huge: [u8; 14] = [
        0x67, 0x42, 0xc0, 0x1e, 0x56, 0x80, 0x01, 0x00, 0x00, 0x00, 0x80, 0x06, 0x40, 0x00,
    ];
    bytes[at..at + 14].copy_from_slice(&huge);
    let e = Mp4Demuxer::open(Cursor::new(&bytes[..]), Limits::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    assert!(e.to_string().contains("65536x65536"), "{e}");
    // A moov claiming 4 GiB is refused before it is read.
    let mut bytes = mp4(3, 10, 10);
    let moov = bytes.windows(4).position(|w| w == b"moov").unwrap() - 4;
    bytes[moov..moov + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    let e = Mp4Demuxer::open(Cursor::new(&bytes[..]), Limits::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Truncated, "{e}");
    let small = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let e = Mp4Demuxer::open(Cursor::new(&mp4(3, 10, 10)[..]), small).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
}

/// `default` cases, or `PROPTEST_CASES` when set: scripts/fuzz_proptests.sh
/// runs the fuzz targets' bodies here for minutes.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases(128)) })]

    #[test]
    fn random_bytes(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        fuzz_mp4(&data);
    }

    #[test]
    fn damaged_and_cut_files(
        frames in 1u32..20,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<usize>(),
    ) {
        let mut bytes = mp4(frames, 7, 20);
        for (at, x) in flips {
            let n = bytes.len();
            bytes[at % n] ^= x;
        }
        fuzz_mp4(&bytes);
        fuzz_mp4(&bytes[..cut % (bytes.len() + 1)]);
    }

    #[test]
    fn every_prefix_keeps_its_complete_frames(frames in 1u32..12, cut in any::<usize>()) {
        let bytes = mp4(frames, 5, 30);
        let cut = cut % (bytes.len() + 1);
        if let Ok(d) = Mp4Demuxer::open(Cursor::new(&bytes[..cut]), Limits::default()) {
            for s in d.samples() {
                prop_assert!(s.offset + u64::from(s.size) <= cut as u64);
            }
        }
    }
}

/// Found by fuzzing `mp4_demux`: a fragment whose first sample is empty.
/// The reader reported it and then went on to the next sample; the
/// demuxer now refuses the sample, naming the frame and byte, and the
/// reader ends there, as for any damage.
#[test]
fn an_empty_sample_is_reported_once_and_ends_the_reader() {
    let data = std::fs::read("tests/data/fuzz/mp4_demux_empty_sample.mp4").unwrap();
    fuzz_mp4(&data);
    let mut reader = Mp4Reader::new(Cursor::new(&data[..]), Limits::default()).unwrap();
    assert_eq!(reader.info().frames, 2);
    let e = reader.next_access_unit().unwrap_err().to_string();
    assert!(e.starts_with("frame 0 at byte "), "{e}");
    assert!(e.contains("no data"), "{e}");
    assert!(reader.next_access_unit().unwrap().is_none());
    assert!(reader.next_access_unit().unwrap().is_none());
}
