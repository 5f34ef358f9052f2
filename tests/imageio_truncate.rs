//! Power loss: a recording cut at every byte offset yields every complete
//! frame, then reports the truncated tail; a recording that syncs every N
//! frames keeps every synced frame wherever it is cut afterwards.

use std::path::Path;

use camreel::imageio::{FileStream, ReadOptions};
use camreel::{ErrorKind, Image, PixelFormat};

fn frames() -> Vec<Image> {
    let mut jpeg = Image::empty();
    jpeg.set_encoded(PixelFormat::Jpeg, 9, 9, |v| {
        v.extend((0..37u8).map(|i| i.wrapping_mul(13)));
        Ok(())
    })
    .unwrap();
    let raw = |format: PixelFormat, w: u32, h: u32, seed: u8| {
        let n = format.payload_size(w, h).unwrap();
        Image::new(
            format,
            w,
            h,
            (0..n).map(|i| (i as u8).wrapping_add(seed)).collect(),
        )
        .unwrap()
    };
    vec![
        raw(PixelFormat::Grayscale, 3, 2, 1),
        raw(PixelFormat::Rgb565, 5, 3, 2),
        jpeg,
        raw(PixelFormat::Binary, 33, 2, 3),
        raw(PixelFormat::Argb8, 2, 2, 4),
    ]
}

/// (chunk start, payload end, chunk end) of each frame.
type Layout = Vec<(u64, u64, u64)>;

/// Opens the first `cut` bytes of `full` and checks everything a reader sees.
fn check_cut(path: &Path, full: &[u8], cut: usize, layout: &Layout, frames: &[Image]) {
    std::fs::write(path, &full[..cut]).unwrap();
    let cut = cut as u64;
    if cut < 16 {
        let e = FileStream::open(path).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Truncated, "cut {cut}: {e}");
        return;
    }
    let mut s = FileStream::open(path).unwrap();
    let complete = layout.iter().filter(|l| l.1 <= cut).count();
    assert_eq!(s.count(), complete as u64, "cut {cut}");
    let clean = match complete.checked_sub(1) {
        None => cut == 16,
        Some(last) => cut <= layout[last].2,
    };
    match (clean, s.damaged_tail()) {
        (true, None) => {}
        (false, Some(t)) => {
            assert_eq!(t.kind, ErrorKind::Truncated, "cut {cut}");
            assert_eq!((t.frame, t.offset), (complete as u64, layout[complete].0));
        }
        (clean, tail) => panic!("cut {cut}: clean {clean} but tail {tail:?}"),
    }
    let mut img = Image::empty();
    for (i, want) in frames.iter().take(complete).enumerate() {
        let info = s
            .read_into(&mut img, ReadOptions::NO_WAIT)
            .unwrap()
            .unwrap();
        assert_eq!(info.index, i as u64);
        assert_eq!(&img, want, "cut {cut} frame {i}");
    }
    if !clean {
        let e = s.read_into(&mut img, ReadOptions::NO_WAIT).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Truncated);
        let prefix = format!("frame {complete} at byte {}: ", layout[complete].0);
        assert!(e.to_string().starts_with(&prefix), "cut {cut}: {e}");
    }
    assert!(
        s.read_into(&mut img, ReadOptions::NO_WAIT)
            .unwrap()
            .is_none(),
        "cut {cut}"
    );
}

#[test]
fn cut_at_every_byte_offset_v2() {
    let dir = tempfile::tempdir().unwrap();
    let full_path = dir.path().join("full.bin");
    let frames = frames();
    let mut s = FileStream::create(&full_path).unwrap();
    for f in &frames {
        s.write(f).unwrap();
    }
    s.close().unwrap();
    let full = std::fs::read(&full_path).unwrap();
    // The layout by hand: 32-byte headers, payloads padded to 16.
    let mut layout = Vec::new();
    let mut at = 16u64;
    for f in &frames {
        let payload = f.data().len() as u64;
        let end = at + 32 + payload.div_ceil(16) * 16;
        layout.push((at, at + 32 + payload, end));
        at = end;
    }
    assert_eq!(at, full.len() as u64);
    let cut_path = dir.path().join("cut.bin");
    for cut in 0..=full.len() {
        check_cut(&cut_path, &full, cut, &layout, &frames);
    }
}

#[test]
fn cut_at_every_byte_offset_v1() {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v1_0_raw.bin");
    let full = std::fs::read(&data).unwrap();
    let mut s = FileStream::open(&data).unwrap();
    let mut frames = Vec::new();
    while let Some(img) = s.read(ReadOptions::NO_WAIT).unwrap() {
        frames.push(img);
    }
    // tests/data/README.md: payloads of 8, 6, 8 and 4 bytes after 16-byte headers.
    let layout: Layout = vec![(16, 40, 48), (48, 70, 80), (80, 104, 112), (112, 132, 144)];
    let cut_path = dir.path().join("cut.bin");
    for cut in 0..=full.len() {
        check_cut(&cut_path, &full, cut, &layout, &frames);
    }
}

#[test]
fn synced_frames_survive_any_later_cut() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.bin");
    let mut s = FileStream::create(&path).unwrap();
    let frame = |i: u8| Image::new(PixelFormat::Grayscale, 5, 3, vec![i; 15]).unwrap();
    // (frames synced, file length at the sync)
    let mut syncs = Vec::new();
    for i in 0..14u8 {
        s.write(&frame(i)).unwrap();
        if i % 4 == 3 {
            s.sync().unwrap();
            syncs.push((s.count(), std::fs::metadata(&path).unwrap().len()));
        }
    }
    s.close().unwrap();
    let full = std::fs::read(&path).unwrap();
    let cut_path = dir.path().join("cut.bin");
    for &(synced, len) in &syncs {
        for cut in len as usize..=full.len() {
            std::fs::write(&cut_path, &full[..cut]).unwrap();
            let mut r = FileStream::open(&cut_path).unwrap();
            assert!(r.count() >= synced, "cut {cut}: {} < {synced}", r.count());
            for i in 0..synced as u8 {
                assert_eq!(
                    r.read(ReadOptions::NO_WAIT).unwrap().unwrap(),
                    frame(i),
                    "cut {cut}"
                );
            }
        }
    }
    assert_eq!(syncs.len(), 3);
}
