//! ImageIO file and memory streams: hand-made files of every version, round
//! trips, timing, seeking and the seed's examples.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use camreel::clock::{Clock, ManualClock};
use camreel::imageio::{
    Fallback, FileOptions, FileStream, ImageIo, MemoryStream, ReadOptions, StreamKind, Version,
};
use camreel::{BayerOrder, ErrorKind, Image, ImageRef, PixelFormat};
use proptest::prelude::*;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read_all(s: &mut FileStream) -> Vec<(Image, u32)> {
    let mut out = Vec::new();
    let mut img = Image::empty();
    while let Some(info) = s.read_into(&mut img, ReadOptions::NO_WAIT).unwrap() {
        out.push((img.clone(), info.elapsed_ms));
    }
    out
}

fn rgb565_2x2() -> Vec<u8> {
    [0xF800u16, 0x07E0, 0x001F, 0xFFFF]
        .iter()
        .flat_map(|p| p.to_le_bytes())
        .collect()
}

const GRAY_3X2: [u8; 6] = [0, 50, 100, 150, 200, 250];

fn jpeg_size(bytes: &[u8]) -> (usize, usize) {
    let mut d = zune_jpeg::JpegDecoder::new(std::io::Cursor::new(bytes));
    d.decode_headers().unwrap();
    let info = d.info().unwrap();
    (usize::from(info.width), usize::from(info.height))
}

#[test]
fn v1_0_ide_recording_with_jpeg_in_bpp() {
    let mut s = FileStream::open(data("v1_0_ide_jpeg.bin")).unwrap();
    assert_eq!(
        (s.version(), s.count(), s.byte_len()),
        (Version::V1_0, 2, 1408)
    );
    assert!(s.damaged_tail().is_none());
    let frames = read_all(&mut s);
    let jpeg = std::fs::read(data("jpeg_8x8.jpg")).unwrap();
    let (f0, ms0) = &frames[0];
    assert_eq!(
        (f0.format(), f0.size(), *ms0),
        (PixelFormat::Jpeg, (8, 8), 0)
    );
    assert_eq!(f0.data(), &jpeg[..]);
    let (f1, ms1) = &frames[1];
    assert_eq!(
        (f1.format(), f1.size(), *ms1),
        (PixelFormat::Jpeg, (16, 8), 40)
    );
    assert_eq!(jpeg_size(f1.data()), (16, 8));
    assert_eq!(s.header(1).unwrap().byte_size as usize, f1.data().len());
}

#[test]
fn v1_0_and_v1_1_raw_frames_read_the_same() {
    for name in ["v1_0_raw.bin", "v1_1_raw.bin"] {
        let mut s = FileStream::open(data(name)).unwrap();
        let expected_version = if name.starts_with("v1_0") {
            Version::V1_0
        } else {
            Version::V1_1
        };
        assert_eq!(s.version(), expected_version);
        let frames = read_all(&mut s);
        assert_eq!(frames.len(), 4, "{name}");
        // V1.0 stores RGB565 byte-swapped; both read back little-endian.
        assert_eq!(frames[0].0.format(), PixelFormat::Rgb565);
        assert_eq!(frames[0].0.data(), &rgb565_2x2()[..], "{name}");
        assert_eq!(
            (frames[1].0.format(), frames[1].0.size()),
            (PixelFormat::Grayscale, (3, 2))
        );
        assert_eq!(frames[1].0.data(), &GRAY_3X2);
        assert_eq!(
            (frames[2].0.format(), frames[2].0.size()),
            (PixelFormat::Binary, (33, 1))
        );
        assert_eq!(frames[2].0.data(), &[0b101, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(frames[3].0.format(), PixelFormat::Bayer(BayerOrder::Bggr));
        assert_eq!(frames[3].0.data(), &[10, 20, 30, 40]);
        let ms: Vec<u32> = frames.iter().map(|f| f.1).collect();
        assert_eq!(ms, [33, 34, 35, 36]);
    }
}

#[test]
fn v2_0_mixed_formats_and_sizes() {
    let mut s = FileStream::open(data("v2_0_mixed.bin")).unwrap();
    assert_eq!((s.version(), s.count()), (Version::V2_0, 8));
    let frames = read_all(&mut s);
    let expect: [(PixelFormat, (u32, u32)); 8] = [
        (PixelFormat::Rgb565, (2, 2)),
        (PixelFormat::Grayscale, (3, 2)),
        (PixelFormat::Binary, (33, 1)),
        (PixelFormat::Bayer(BayerOrder::Rggb), (2, 2)),
        (PixelFormat::Yuv422, (2, 1)),
        (PixelFormat::Argb8, (1, 1)),
        (PixelFormat::Jpeg, (8, 8)),
        (PixelFormat::Png, (4, 2)),
    ];
    for (i, ((img, ms), (format, size))) in frames.iter().zip(expect).enumerate() {
        assert_eq!(
            (img.format(), img.size(), *ms),
            (format, size, 10 * i as u32)
        );
    }
    assert_eq!(frames[0].0.data(), &rgb565_2x2()[..]);
    assert_eq!(frames[1].0.data(), &GRAY_3X2);
    assert_eq!(frames[3].0.data(), &[10, 20, 30, 40]);
    assert_eq!(frames[4].0.data(), &[16, 128, 235, 128]);
    // ARGB8 0x80FF4020 is stored B, G, R, A.
    assert_eq!(frames[5].0.data(), &[0x20, 0x40, 0xFF, 0x80]);
    assert_eq!(
        frames[6].0.data(),
        &std::fs::read(data("jpeg_8x8.jpg")).unwrap()[..]
    );
    let png = png::Decoder::new(std::io::Cursor::new(frames[7].0.data()))
        .read_info()
        .unwrap();
    assert_eq!((png.info().width, png.info().height), (4, 2));
}

#[test]
fn copying_a_v1_file_keeps_payloads_and_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("copy.bin");
    let mut src = FileStream::open(data("v1_0_ide_jpeg.bin")).unwrap();
    let mut dst = FileStream::create(&out).unwrap();
    let mut img = Image::empty();
    while let Some(info) = src.read_into(&mut img, ReadOptions::NO_WAIT).unwrap() {
        dst.write_with_elapsed(&img, info.elapsed()).unwrap();
    }
    dst.close().unwrap();
    let mut a = FileStream::open(data("v1_0_ide_jpeg.bin")).unwrap();
    let mut b = FileStream::open(&out).unwrap();
    assert_eq!(b.version(), Version::V2_0);
    assert_eq!(read_all(&mut a), read_all(&mut b));
}

fn sample(format: PixelFormat, w: u32, h: u32, seed: u32) -> Image {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(w * 31 + h);
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state as u8
    };
    if format.is_compressed() {
        let len = 1 + (seed as usize % 97);
        let bytes: Vec<u8> = (0..len).map(|_| next()).collect();
        let mut img = Image::empty();
        img.set_encoded(format, w, h, |v| {
            v.extend_from_slice(&bytes);
            Ok(())
        })
        .unwrap();
        return img;
    }
    let size = format.payload_size(w, h).unwrap();
    Image::new(format, w, h, (0..size).map(|_| next()).collect()).unwrap()
}

#[test]
fn every_openmv_format_round_trips_at_odd_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.bin");
    let clock = ManualClock::shared();
    let mut s = FileOptions::new()
        .clock(clock.clone())
        .create(&path)
        .unwrap();
    let mut written = Vec::new();
    let mut seed = 0;
    for format in PixelFormat::OPENMV {
        for (w, h) in [(1, 1), (3, 5), (33, 7), (17, 2)] {
            seed += 1;
            let img = sample(format, w, h, seed);
            clock.advance(Duration::from_millis(u64::from(seed)));
            s.write(&img).unwrap();
            written.push((img, seed));
        }
    }
    s.close().unwrap();
    let mut r = FileStream::open(&path).unwrap();
    assert_eq!(r.count(), written.len() as u64);
    assert_eq!(read_all(&mut r), written);
    // Every chunk starts on a 16-byte boundary.
    for i in 0..r.count() {
        assert_eq!(r.chunk_offset(i).unwrap() % 16, 0);
    }
}

#[test]
fn in_memory_formats_are_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = FileOptions::new()
        .fallback(Fallback::Refuse)
        .create(dir.path().join("x.bin"))
        .unwrap();
    for format in [
        PixelFormat::Rgb888,
        PixelFormat::Bgr888,
        PixelFormat::Yuv420,
        PixelFormat::Nv12,
        PixelFormat::Bayer16 {
            order: BayerOrder::Bggr,
            bits: 10,
        },
        PixelFormat::Raw10(BayerOrder::Rggb),
        PixelFormat::Gray16,
        PixelFormat::Rgb48,
    ] {
        let img = Image::zeroed(format, 4, 2).unwrap();
        let e = s.write(&img).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat, "{format}");
        assert!(e.to_string().contains(format.name()), "{e}");
        assert!(e.to_string().contains("convert"), "{e}");
    }
    assert_eq!((s.count(), s.byte_len()), (0, 16));
}

#[test]
fn in_memory_formats_are_stored_as_png_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = FileStream::create(dir.path().join("x.bin")).unwrap();
    let rgb = Image::new(
        PixelFormat::Rgb888,
        4,
        2,
        (0..24u8).map(|v| v * 10).collect(),
    )
    .unwrap();
    s.write(&rgb).unwrap();
    s.write(&Image::zeroed(PixelFormat::Gray16, 4, 2).unwrap())
        .unwrap();
    let formats: Vec<PixelFormat> = s.headers().map(|h| h.format).collect();
    assert_eq!(formats, [PixelFormat::Png, PixelFormat::Png]);
    s.seek(0).unwrap();
    let png = s.read(ReadOptions::NO_WAIT).unwrap().unwrap();
    assert_eq!(camreel::codec::decode(png.view()).unwrap(), rgb);
}

#[test]
fn loop_false_returns_none_at_the_end_and_loop_wraps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.bin");
    let mut s = FileStream::create(&path).unwrap();
    for v in 0..3u8 {
        s.write(&Image::new(PixelFormat::Grayscale, 1, 1, vec![v]).unwrap())
            .unwrap();
    }
    drop(s);
    let mut s = FileStream::open(&path).unwrap();
    let looping = ReadOptions::NO_WAIT.looping(true);
    let got: Vec<u8> = (0..7)
        .map(|_| s.read(looping).unwrap().unwrap().data()[0])
        .collect();
    assert_eq!(got, [0, 1, 2, 0, 1, 2, 0]);
    assert_eq!(s.read(ReadOptions::NO_WAIT).unwrap().unwrap().data(), &[1]);
    assert_eq!(s.read(ReadOptions::NO_WAIT).unwrap().unwrap().data(), &[2]);
    assert!(s.read(ReadOptions::NO_WAIT).unwrap().is_none());
    assert!(s.read(ReadOptions::NO_WAIT).unwrap().is_none());
    assert_eq!(s.offset(), 3);
}

#[test]
fn seek_then_write_truncates_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.bin");
    let mut s = FileStream::create(&path).unwrap();
    for v in 0..5u8 {
        s.write(&sample(PixelFormat::Rgb565, 3, 3, u32::from(v)))
            .unwrap();
    }
    let five = s.byte_len();
    s.seek(2).unwrap();
    let replacement = sample(PixelFormat::Grayscale, 2, 2, 99);
    s.write(&replacement).unwrap();
    assert_eq!((s.count(), s.offset()), (3, 3));
    assert!(s.byte_len() < five);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), s.byte_len());
    // Reading back through the same stream and through a new one.
    s.seek(2).unwrap();
    assert_eq!(s.read(ReadOptions::NO_WAIT).unwrap().unwrap(), replacement);
    assert!(s.read(ReadOptions::NO_WAIT).unwrap().is_none());
    s.close().unwrap();
    let mut r = FileStream::open(&path).unwrap();
    let frames = read_all(&mut r);
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[0].0, sample(PixelFormat::Rgb565, 3, 3, 0));
    assert_eq!(frames[2].0, replacement);
    // Seeking to the end appends; past it is an error.
    let mut w = FileStream::create(dir.path().join("u.bin")).unwrap();
    w.write(&replacement).unwrap();
    w.seek(1).unwrap();
    w.write(&replacement).unwrap();
    assert_eq!(w.count(), 2);
    let e = w.seek(3).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SeekOutOfRange);
    assert!(e.to_string().contains("frame 3"), "{e}");
}

#[test]
fn seek_reads_any_frame() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.bin");
    let mut s = FileStream::create(&path).unwrap();
    for v in 0..50u32 {
        s.write(&sample(PixelFormat::Grayscale, 1 + v % 7, 1 + v % 3, v))
            .unwrap();
    }
    drop(s);
    let mut r = FileStream::open(&path).unwrap();
    for n in [49u32, 0, 17, 17, 48, 3] {
        r.seek(u64::from(n)).unwrap();
        assert_eq!(r.offset(), u64::from(n));
        let img = r.read(ReadOptions::NO_WAIT).unwrap().unwrap();
        assert_eq!(img, sample(PixelFormat::Grayscale, 1 + n % 7, 1 + n % 3, n));
    }
    r.seek(50).unwrap();
    assert!(r.read(ReadOptions::NO_WAIT).unwrap().is_none());
    assert_eq!(r.seek(51).unwrap_err().kind(), ErrorKind::SeekOutOfRange);
}

#[test]
fn write_stamps_intervals_and_pause_replays_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.bin");
    let clock = ManualClock::shared();
    clock.advance(Duration::from_secs(100));
    let mut s = FileOptions::new()
        .clock(clock.clone())
        .create(&path)
        .unwrap();
    let img = Image::zeroed(PixelFormat::Grayscale, 2, 2).unwrap();
    for ms in [250u64, 33, 34, 33, 0, 1000] {
        clock.advance(Duration::from_millis(ms));
        s.write(&img).unwrap();
    }
    // Sub-millisecond intervals do not drift: 3 x 33.4 ms = 100.2 ms.
    for _ in 0..3 {
        clock.advance(Duration::from_micros(33_400));
        s.write(&img).unwrap();
    }
    s.close().unwrap();
    let r = FileStream::open(&path).unwrap();
    let ms: Vec<u32> = r.headers().map(|h| h.elapsed_ms).collect();
    assert_eq!(ms, [250, 33, 34, 33, 0, 1000, 33, 34, 33]);

    // Playback: pause waits each interval from the previous read; the
    // caller's own processing time is subtracted.
    let play = ManualClock::shared();
    let mut r = FileOptions::new().clock(play.clone()).open(&path).unwrap();
    let opts = ReadOptions::default().looping(false);
    let mut out = Image::empty();
    let t0 = play.now();
    r.read_into(&mut out, opts).unwrap().unwrap();
    assert_eq!(play.now() - t0, Duration::from_millis(250));
    play.advance(Duration::from_millis(20)); // processing
    r.read_into(&mut out, opts).unwrap().unwrap();
    assert_eq!(play.now() - t0, Duration::from_millis(283));
    play.advance(Duration::from_millis(50)); // too slow: no wait
    r.read_into(&mut out, opts).unwrap().unwrap();
    assert_eq!(play.now() - t0, Duration::from_millis(333));
    r.read_into(&mut out, opts.pausing(false)).unwrap().unwrap();
    assert_eq!(play.now() - t0, Duration::from_millis(333));
    while r.read_into(&mut out, opts).unwrap().is_some() {}
    assert_eq!(
        play.now() - t0,
        Duration::from_millis(333 + 1000 + 33 + 33 + 34)
    );
}

#[test]
fn crashes_lose_nothing_that_write_returned() {
    // No user-space buffering: a process that dies without closing the
    // stream leaves every written frame in the file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.bin");
    let mut s = FileStream::create(&path).unwrap();
    for v in 0..4 {
        s.write(&sample(PixelFormat::Rgb565, 5, 3, v)).unwrap();
    }
    std::mem::forget(s);
    let mut r = FileStream::open(&path).unwrap();
    assert_eq!(r.count(), 4);
    assert!(r.damaged_tail().is_none());
    assert_eq!(read_all(&mut r)[3].0, sample(PixelFormat::Rgb565, 5, 3, 3));
}

#[test]
fn a_tiny_file_claiming_a_huge_frame_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.bin");
    let mut bytes = b"OMV IMG STR V2.0".to_vec();
    for v in [0u32, 640, 480, 0x0606_0000, u32::MAX] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.resize(1024, 0);
    std::fs::write(&path, &bytes).unwrap();
    let mut s = FileStream::open(&path).unwrap();
    assert_eq!(s.count(), 0);
    let tail = s.damaged_tail().unwrap();
    assert_eq!(
        (tail.frame, tail.offset, tail.kind),
        (0, 16, ErrorKind::LimitExceeded)
    );
    let e = s.read(ReadOptions::NO_WAIT).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert!(e.to_string().starts_with("frame 0 at byte 16: "), "{e}");
    // Within the limits but larger than the file: truncated.
    bytes[32..36].copy_from_slice(&100_000u32.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let mut s = FileStream::open(&path).unwrap();
    let e = s.read(ReadOptions::NO_WAIT).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Truncated);
    assert_eq!(
        e.to_string(),
        "frame 0 at byte 16: 640x480 JPEG chunk needs 100032 bytes, the file ends 1008 bytes after its start"
    );
}

#[test]
fn bad_headers_mid_file_stop_the_index_there() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.bin");
    let mut s = FileStream::create(&path).unwrap();
    for v in 0..3 {
        s.write(&sample(PixelFormat::Grayscale, 4, 4, v)).unwrap();
    }
    drop(s);
    // Frame 1's pixel-format code becomes garbage.
    let mut bytes = std::fs::read(&path).unwrap();
    let at = 16 + 48 + 12;
    bytes[at..at + 4].copy_from_slice(&0xDEAD_BEEFu32.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let mut r = FileStream::open(&path).unwrap();
    assert_eq!(r.count(), 1);
    let e = r.seek(2).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SeekOutOfRange);
    r.read(ReadOptions::NO_WAIT).unwrap().unwrap();
    let e = r.read(ReadOptions::NO_WAIT).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
    assert_eq!(
        e.to_string(),
        "frame 1 at byte 64: unknown pixel format code 0xDEADBEEF"
    );
    // Looping: the error once per pass, then frame 0 again.
    let looping = ReadOptions::NO_WAIT.looping(true);
    assert!(r.read(looping).unwrap().is_some());
    assert_eq!(
        r.read(looping).unwrap_err().kind(),
        ErrorKind::UnsupportedFormat
    );
    assert!(r.read(looping).unwrap().is_some());
}

#[test]
fn bad_file_headers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.bin");
    for (bytes, kind) in [
        (&b"OMV IMG STR V3.0"[..], ErrorKind::UnsupportedVersion),
        (b"OMV IMG STR V1.", ErrorKind::Truncated),
        (b"", ErrorKind::Truncated),
        (b"RIFF....AVI LIST....", ErrorKind::Format),
    ] {
        std::fs::write(&path, bytes).unwrap();
        let e = FileStream::open(&path).unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert!(
            e.to_string().starts_with(&path.display().to_string()),
            "{e}"
        );
    }
    let e = FileStream::open(dir.path().join("missing.bin")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
}

#[test]
fn read_into_reuses_the_callers_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.bin");
    let mut s = FileStream::create(&path).unwrap();
    s.write(&sample(PixelFormat::Rgb565, 64, 48, 1)).unwrap();
    s.write(&sample(PixelFormat::Grayscale, 10, 10, 2)).unwrap();
    s.write(&sample(PixelFormat::Jpeg, 64, 48, 3)).unwrap();
    s.seek(0).unwrap();
    let mut img = Image::empty();
    s.read_into(&mut img, ReadOptions::NO_WAIT).unwrap();
    let cap = img.capacity();
    let ptr = img.data().as_ptr();
    for _ in 0..2 {
        s.read_into(&mut img, ReadOptions::NO_WAIT).unwrap();
        assert_eq!((img.capacity(), img.data().as_ptr()), (cap, ptr));
    }
    assert_eq!(img, sample(PixelFormat::Jpeg, 64, 48, 3));
}

// The seed's memory-stream examples.

#[test]
fn memory_eof_past_the_last_slot() {
    let mut m = MemoryStream::new(320, 240, PixelFormat::Rgb565, 32).unwrap();
    let frame = sample(PixelFormat::Rgb565, 320, 240, 5);
    for _ in 0..32 {
        m.write(&frame).unwrap();
    }
    let e = m.write(&frame).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::EndOfStream);
    assert_eq!(m.count(), 32);
    // Reading past the last written slot is also end-of-stream; loop is ignored.
    m.seek(31).unwrap();
    m.read(ReadOptions::NO_WAIT).unwrap();
    let e = m.read(ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::EndOfStream);
    let mut half = MemoryStream::new(4, 4, PixelFormat::Grayscale, 4).unwrap();
    half.write(&sample(PixelFormat::Grayscale, 4, 4, 0))
        .unwrap();
    half.seek(0).unwrap();
    half.read(ReadOptions::NO_WAIT).unwrap();
    assert_eq!(
        half.read(ReadOptions::NO_WAIT).unwrap_err().kind(),
        ErrorKind::EndOfStream
    );
    assert_eq!(half.seek(4).unwrap_err().kind(), ErrorKind::SeekOutOfRange);
}

#[test]
fn memory_oversized_and_mismatched_frames() {
    let mut m = MemoryStream::new(16, 16, PixelFormat::Jpeg, 2).unwrap();
    assert_eq!(m.slot_size(), 64);
    let fits = sample(PixelFormat::Jpeg, 16, 16, 63); // 64 bytes
    assert_eq!(fits.data().len(), 64);
    m.write(&fits).unwrap();
    let mut big = Image::empty();
    big.set_encoded(PixelFormat::Jpeg, 16, 16, |v| {
        v.resize(65, 1);
        Ok(())
    })
    .unwrap();
    let e = m.write(&big).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
    assert!(e.to_string().contains("65-byte"), "{e}");
    let other = sample(PixelFormat::Jpeg, 16, 8, 1);
    assert_eq!(
        m.write(&other).unwrap_err().kind(),
        ErrorKind::InvalidFrameSize
    );
    let png = sample(PixelFormat::Png, 16, 16, 1);
    assert_eq!(
        m.write(&png).unwrap_err().kind(),
        ErrorKind::InvalidFrameSize
    );
    assert_eq!((m.count(), m.offset()), (1, 1));
    m.seek(0).unwrap();
    assert_eq!(m.read(ReadOptions::NO_WAIT).unwrap(), fits);
}

#[test]
fn memory_round_trips_every_format() {
    let formats = PixelFormat::OPENMV.into_iter().chain([
        PixelFormat::Rgb888,
        PixelFormat::Yuv420,
        PixelFormat::Nv12,
        PixelFormat::Raw10(BayerOrder::Gbrg),
        PixelFormat::Gray16,
    ]);
    for format in formats {
        let (w, h) = (13, 7);
        let mut m = MemoryStream::new(w, h, format, 3).unwrap();
        let frames: Vec<Image> = (0..3).map(|i| sample(format, w, h, i + 10)).collect();
        for f in &frames {
            m.write(f).unwrap();
        }
        m.seek(0).unwrap();
        let mut out = Image::empty();
        for f in &frames {
            m.read_into(&mut out, ReadOptions::NO_WAIT).unwrap();
            assert_eq!(&out, f, "{format}");
        }
        m.seek(1).unwrap();
        let (view, info) = m.read_ref(ReadOptions::NO_WAIT).unwrap();
        assert_eq!((view, info.index), (frames[1].view(), 1));
    }
}

#[test]
fn memory_ring_wraps_with_explicit_seek() {
    let mut m = MemoryStream::new(1, 1, PixelFormat::Grayscale, 3).unwrap();
    for v in 0..7u8 {
        if m.offset() == 3 {
            m.seek(0).unwrap();
        }
        m.write(&Image::new(PixelFormat::Grayscale, 1, 1, vec![v]).unwrap())
            .unwrap();
    }
    // Slots hold 6, 4, 5; the next write goes to slot 1.
    assert_eq!((m.count(), m.offset()), (3, 1));
    m.seek(0).unwrap();
    let got: Vec<u8> = (0..3)
        .map(|_| m.read(ReadOptions::NO_WAIT).unwrap().data()[0])
        .collect();
    assert_eq!(got, [6, 4, 5]);
}

#[test]
fn image_io_adapts_to_either_kind() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = ManualClock::shared();
    let file = FileOptions::new()
        .clock(clock.clone())
        .create(dir.path().join("e.bin"))
        .unwrap();
    let mem = MemoryStream::with_clock(2, 2, PixelFormat::Grayscale, 2, clock).unwrap();
    for (mut io, kind) in [
        (ImageIo::from(file), StreamKind::File),
        (ImageIo::from(mem), StreamKind::Memory),
    ] {
        assert_eq!(io.kind(), kind);
        let img = sample(PixelFormat::Grayscale, 2, 2, 4);
        io.write(&img).unwrap().write(&img).unwrap();
        assert_eq!((io.count(), io.offset()), (2, 2));
        io.seek(1).unwrap();
        assert_eq!(io.read(ReadOptions::NO_WAIT).unwrap().unwrap(), img);
        io.sync().unwrap();
        match kind {
            StreamKind::File => {
                assert_eq!(io.version(), Some(Version::V2_0));
                assert!(io.read(ReadOptions::NO_WAIT).unwrap().is_none());
                assert_eq!(io.byte_len(), 16 + 2 * 48);
            }
            StreamKind::Memory => {
                assert_eq!(io.version(), None);
                assert_eq!(
                    io.read(ReadOptions::NO_WAIT).unwrap_err().kind(),
                    ErrorKind::EndOfStream
                );
                assert_eq!(io.byte_len(), 8);
            }
        }
        io.close().unwrap();
    }
}

#[test]
fn strided_views_write_compact_frames() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.bin");
    let buf: Vec<u8> = (0..64).collect();
    let view = ImageRef::with_stride(PixelFormat::Rgb565, 3, 4, 16, &buf).unwrap();
    let mut s = FileStream::create(&path).unwrap();
    s.write(view).unwrap();
    drop(s);
    let mut r = FileStream::open(&path).unwrap();
    assert_eq!(
        r.read(ReadOptions::NO_WAIT).unwrap().unwrap(),
        view.to_image()
    );
}

fn any_frame() -> impl Strategy<Value = (PixelFormat, u32, u32, u32, u32)> {
    (
        prop::sample::select(PixelFormat::OPENMV.to_vec()),
        1u32..40,
        1u32..20,
        any::<u32>(),
        any::<u32>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn write_then_read_is_identity(frames in prop::collection::vec(any_frame(), 1..12)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.bin");
        let mut s = FileStream::create(&path).unwrap();
        let images: Vec<(Image, u32)> = frames
            .iter()
            .map(|&(f, w, h, seed, ms)| (sample(f, w, h, seed), ms))
            .collect();
        for (img, ms) in &images {
            s.write_with_elapsed(img, Duration::from_millis(u64::from(*ms))).unwrap();
        }
        s.close().unwrap();
        let len = std::fs::metadata(&path).unwrap().len();
        prop_assert_eq!(len % 16, 0);
        let mut r = FileStream::open(&path).unwrap();
        prop_assert_eq!(read_all(&mut r), images);
    }
}
