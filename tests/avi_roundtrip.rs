//! Write-then-read round trips, every truncated prefix, and damaged files:
//! the reader and repair never panic and recover every complete frame.

mod avi_support;

use std::io::Cursor;

use avi_support::{jpeg, strip_app0};
use camreel::avi::{AviReader, IndexKind, MjpegWriterBuilder, ReaderOptions, repair};
use camreel::timing::FrameRate;
use proptest::prelude::*;

/// A few frames of different sizes, some without an APP0 segment.
fn pool() -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    for i in 0..6u32 {
        let j = jpeg(24, 16, i, 40 + 10 * i as u8);
        v.push(if i % 2 == 0 { strip_app0(&j) } else { j });
    }
    v
}

/// What the writer stores for `frame`: itself, or with an AVI1 APP0 after SOI.
fn stored(frame: &[u8]) -> Vec<u8> {
    if frame[2..4] == [0xFF, 0xE0] {
        return frame.to_vec();
    }
    let total = (frame.len() + 18) as u32;
    let mut v = frame[..2].to_vec();
    v.extend_from_slice(&[0xFF, 0xE0, 0, 16]);
    v.extend_from_slice(b"AVI1\0\0");
    v.extend_from_slice(&total.to_be_bytes());
    v.extend_from_slice(&total.to_be_bytes());
    v.extend_from_slice(&frame[2..]);
    v
}

fn write(frames: &[usize], riff_size: u64, syncs: &[usize]) -> Vec<u8> {
    let pool = pool();
    let mut w = MjpegWriterBuilder::new(24, 16)
        .frame_rate(FrameRate::new(10, 1).unwrap())
        .riff_size(riff_size)
        .build(Cursor::new(Vec::new()))
        .unwrap();
    for (i, &f) in frames.iter().enumerate() {
        w.add_jpeg(&pool[f], None).unwrap();
        if syncs.contains(&i) {
            w.sync().unwrap();
        }
    }
    w.into_inner().unwrap().into_inner()
}

#[test]
fn every_truncated_prefix_recovers_its_complete_frames() {
    let frames: Vec<usize> = (0..14).map(|i| i % 6).collect();
    let file = write(&frames, 4096, &[5]);
    let full = AviReader::new(Cursor::new(file.clone())).unwrap();
    assert_eq!(full.info().index, IndexKind::OpenDml);
    assert!(full.info().riff_segments >= 2);
    let entries = full.entries().to_vec();
    let pool = pool();
    for len in 0..file.len() {
        let prefix = file[..len].to_vec();
        let indexed = AviReader::new(Cursor::new(prefix.clone()));
        let recovered = AviReader::recover(Cursor::new(prefix.clone()));
        if len < 4654 {
            assert!(recovered.is_err(), "prefix {len} has no movi list");
            continue;
        }
        let complete = entries
            .iter()
            .filter(|e| e.offset + u64::from(e.size) <= len as u64)
            .count() as u64;
        let mut recovered = recovered.unwrap();
        assert_eq!(recovered.frame_count(), complete, "prefix {len}");
        for i in 0..recovered.frame_count() {
            let frame = recovered.read_frame(i);
            let i = usize::try_from(i).unwrap();
            assert_eq!(
                frame.unwrap(),
                stored(&pool[frames[i]]),
                "prefix {len} frame {i}"
            );
        }
        // The default reader too (it falls back to walking the chunks when
        // an index is missing or cut).
        let indexed = indexed.unwrap();
        assert!(indexed.frame_count() <= complete.max(1), "prefix {len}");
        let (_, report) = match repair(Cursor::new(prefix), Cursor::new(Vec::new())) {
            Ok(r) => r,
            Err(e) => {
                assert_eq!(complete, 0, "prefix {len}: {e}");
                continue;
            }
        };
        assert_eq!(report.frames, complete, "prefix {len}");
    }
}

#[test]
fn damaged_regions_are_skipped() {
    let frames: Vec<usize> = (0..10).map(|i| i % 6).collect();
    let mut file = write(&frames, 1 << 20, &[]);
    let entries = AviReader::new(Cursor::new(file.clone()))
        .unwrap()
        .entries()
        .to_vec();
    // Zero out frame 4's chunk header and part of its data (a hole left by a
    // crash); cut the idx1 off too.
    let at = (entries[4].offset - 8) as usize;
    file[at..at + 40].fill(0);
    let idx1 = file.len() - (8 + 16 * 10);
    file.truncate(idx1);
    let mut r = AviReader::new(Cursor::new(file)).unwrap();
    assert_eq!(r.info().index, IndexKind::Scanned);
    assert_eq!(r.frame_count(), 9);
    assert!(r.info().skipped_bytes >= 40, "{:?}", r.info());
    let pool = pool();
    let want: Vec<Vec<u8>> = frames
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != 4)
        .map(|(_, &f)| stored(&pool[f]))
        .collect();
    let got: Vec<Vec<u8>> = (0..r.frame_count())
        .map(|i| r.read_frame(i).unwrap())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn limits_are_enforced() {
    let file = write(&[0, 1, 2, 3], 1 << 20, &[]);
    let e = AviReader::with_options(
        Cursor::new(file.clone()),
        ReaderOptions::default().max_frames(3),
    )
    .unwrap_err();
    assert_eq!(e.kind(), camreel::ErrorKind::LimitExceeded);
    let small = camreel::Limits {
        max_bytes: 10,
        ..camreel::Limits::default()
    };
    let mut r = AviReader::with_options(
        Cursor::new(file.clone()),
        ReaderOptions::default().limits(small),
    )
    .unwrap();
    assert_eq!(
        r.read_frame(0).unwrap_err().kind(),
        camreel::ErrorKind::LimitExceeded
    );
    let narrow = camreel::Limits {
        max_width: 16,
        ..camreel::Limits::default()
    };
    let e = AviReader::with_options(Cursor::new(file), ReaderOptions::default().limits(narrow))
        .unwrap_err();
    assert_eq!(e.kind(), camreel::ErrorKind::LimitExceeded);
    let e = AviReader::new(Cursor::new(b"RIFF\0\0\0\0WAVEfmt ".to_vec())).unwrap_err();
    assert_eq!(e.kind(), camreel::ErrorKind::Format);
    assert!(e.to_string().contains("not an AVI file"), "{e}");
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
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    #[test]
    fn write_then_read(
        frames in prop::collection::vec(0usize..6, 0..40),
        riff_size in 4096u64..20_000,
        syncs in prop::collection::vec(0usize..40, 0..4),
    ) {
        let file = write(&frames, riff_size, &syncs);
        let pool = pool();
        let mut r = AviReader::new(Cursor::new(file.clone())).unwrap();
        prop_assert_eq!(r.frame_count(), frames.len() as u64);
        prop_assert_eq!(r.info().header_frames, frames.len() as u64);
        prop_assert_eq!(r.frame_rate(), FrameRate::new(10, 1).unwrap());
        let want = if r.info().riff_segments > 1 { IndexKind::OpenDml } else { IndexKind::Idx1 };
        prop_assert_eq!(r.info().index, want);
        for (i, &f) in frames.iter().enumerate() {
            prop_assert_eq!(r.read_frame(i as u64).unwrap(), stored(&pool[f]));
        }
        let scanned = AviReader::recover(Cursor::new(file.clone())).unwrap();
        prop_assert_eq!(scanned.entries(), r.entries());
        prop_assert_eq!(scanned.info().tail_bytes, 0);
        prop_assert_eq!(scanned.info().skipped_bytes, 0);
    }

    #[test]
    fn random_bytes_after_a_riff_header_never_panic(
        body in prop::collection::vec(any::<u8>(), 0..3000),
        size in any::<u32>(),
    ) {
        let mut data = b"RIFF".to_vec();
        data.extend_from_slice(&size.to_le_bytes());
        data.extend_from_slice(b"AVI ");
        data.extend_from_slice(&body);
        avi_support::fuzz_body::fuzz_reader(&data);
    }

    #[test]
    fn damaged_bytes_never_panic(
        flips in prop::collection::vec((0usize..8000, any::<u8>()), 1..40),
    ) {
        let mut file = write(&[0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5], 4096, &[3]);
        for (at, v) in flips {
            let n = file.len();
            file[at % n] = v;
        }
        avi_support::fuzz_body::fuzz_reader(&file);
    }
}

#[test]
fn reads_an_avi_written_by_opencv() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/avi/opencv_mjpg_32x24.avi"
    );
    let mut r = AviReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let info = r.info().clone();
    assert_eq!((info.width, info.height, info.frame_count), (32, 24, 3));
    assert_eq!(info.frame_rate, FrameRate::new(12, 1).unwrap());
    assert_eq!(info.index, IndexKind::Idx1);
    assert_eq!(info.header_frames, 3);
    for i in 0..3u64 {
        let mut image = camreel::Image::empty();
        assert!(r.read_encoded_into(i, &mut image).unwrap());
        assert_eq!(image.format(), camreel::PixelFormat::Jpeg);
        assert_eq!(image.size(), (32, 24));
        let (w, h, rgb) = avi_support::decode(image.data());
        assert_eq!((w, h), (32, 24));
        // Red channel of pixel (0, 0) is 80 i (JPEG is lossy: within 12).
        let red = i32::from(rgb[0]);
        assert!((red - 80 * i as i32).abs() <= 12, "frame {i}: red {red}");
        // read_image decodes: the same pixels.
        let decoded = r.read_image(i).unwrap();
        assert_eq!(decoded.format(), camreel::PixelFormat::Rgb888);
        assert_eq!(decoded.size(), (32, 24));
        assert_eq!(decoded.data(), &rgb[..]);
    }
    let scanned = AviReader::recover(std::fs::File::open(path).unwrap()).unwrap();
    assert_eq!(scanned.entries(), r.entries());
    let (fixed, report) =
        repair(std::fs::File::open(path).unwrap(), Cursor::new(Vec::new())).unwrap();
    assert_eq!(report.frames, 3);
    let mut fixed = AviReader::new(fixed).unwrap();
    for i in 0..3 {
        assert_eq!(fixed.read_frame(i).unwrap(), r.read_frame(i).unwrap());
    }
}

#[test]
fn info_and_repair_file_on_paths() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.avi");
    std::fs::write(&path, write(&[0, 1, 2], 1 << 20, &[])).unwrap();
    let info = camreel::avi::info(&path).unwrap();
    assert_eq!((info.width, info.height, info.frame_count), (24, 16, 3));
    assert_eq!(info.duration(), std::time::Duration::from_millis(300));
    let e = camreel::avi::repair_file(&path, &path).unwrap_err();
    assert_eq!(e.kind(), camreel::ErrorKind::InvalidArgument);
    assert_eq!(
        std::fs::metadata(&path).unwrap().len() as usize,
        write(&[0, 1, 2], 1 << 20, &[]).len()
    );
    let e = camreel::avi::info(dir.path().join("missing.avi")).unwrap_err();
    assert_eq!(e.kind(), camreel::ErrorKind::Io);
    let empty = dir.path().join("empty.avi");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(
        camreel::avi::info(&empty).unwrap_err().kind(),
        camreel::ErrorKind::Format
    );
    // A file with headers but no frame cannot be repaired.
    let none = dir.path().join("none.avi");
    std::fs::write(&none, write(&[], 1 << 20, &[])).unwrap();
    let e = camreel::avi::repair_file(&none, dir.path().join("out.avi")).unwrap_err();
    assert_eq!(e.kind(), camreel::ErrorKind::EndOfStream);
}
