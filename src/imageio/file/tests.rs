//! Unit tests of the file stream: byte layout, strides, refusals.

use std::time::Duration;

use super::*;
use crate::clock::ManualClock;
use crate::error::ErrorKind;
use crate::image::{Image, ImageRef, Limits, PixelFormat};
use crate::imageio::ReadOptions;

fn gray(w: u32, h: u32, seed: u8) -> Image {
    let n = (w * h) as usize;
    Image::new(
        PixelFormat::Grayscale,
        w,
        h,
        (0..n).map(|i| (i as u8).wrapping_mul(7) ^ seed).collect(),
    )
    .unwrap()
}

#[test]
fn layout_is_byte_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.bin");
    let clock = ManualClock::shared();
    let mut s = FileOptions::new()
        .clock(clock.clone())
        .create(&path)
        .unwrap();
    clock.advance(Duration::from_millis(5));
    s.write(&gray(3, 1, 0)).unwrap();
    clock.advance(Duration::from_millis(20));
    s.write(&gray(2, 2, 0)).unwrap();
    assert_eq!((s.count(), s.offset(), s.byte_len()), (2, 2, 16 + 48 + 48));
    s.close().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let mut expected = b"OMV IMG STR V2.0".to_vec();
    for (ms, w, h) in [(5u32, 3u32, 1u32), (20, 2, 2)] {
        for v in [ms, w, h, 0x0802_0001, w * h] {
            expected.extend_from_slice(&v.to_le_bytes());
        }
        expected.extend_from_slice(&[0; 12]);
        expected.extend_from_slice(gray(w, h, 0).data());
        expected.resize(expected.len() + 16 - (w * h) as usize, 0);
    }
    assert_eq!(bytes, expected);
}

#[test]
fn strided_frames_are_compacted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.bin");
    let buf: Vec<u8> = (0..20).collect();
    let view = ImageRef::with_stride(PixelFormat::Grayscale, 3, 4, 5, &buf).unwrap();
    let mut s = FileStream::create(&path).unwrap();
    s.write(view).unwrap();
    s.seek(0).unwrap();
    let img = s.read(ReadOptions::NO_WAIT).unwrap().unwrap();
    assert_eq!(img.data(), &[0, 1, 2, 5, 6, 7, 10, 11, 12, 15, 16, 17]);
}

#[test]
fn read_only_streams_refuse_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.bin");
    FileStream::create(&path).unwrap().close().unwrap();
    let mut s = FileStream::open(&path).unwrap();
    assert_eq!(s.count(), 0);
    assert!(s.read(ReadOptions::default()).unwrap().is_none());
    let e = s.write(&gray(1, 1, 0)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 16);
}

#[test]
fn frames_above_limits_are_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_width: 4,
        ..Limits::default()
    };
    let mut s = FileOptions::new()
        .limits(limits)
        .create(dir.path().join("l.bin"))
        .unwrap();
    let e = s.write(&gray(5, 1, 0)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert!(e.to_string().starts_with("frame 0: "), "{e}");
    s.write(&gray(4, 1, 0)).unwrap();
    assert_eq!(s.count(), 1);
}
