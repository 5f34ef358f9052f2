use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use crate::avi_support::jpeg;
use camreel::avi::{AviReader, IndexKind, MjpegWriterBuilder};
use camreel::timing::FrameRate;

use crate::support::*;

/// Writes `n` 48x32 frames at `rate`; with `close` false the file is cut as
/// if the recorder died after `sync` and two more frames.
fn record(path: &Path, n: u32, rate: FrameRate, close: bool) {
    let mut w = MjpegWriterBuilder::new(48, 32)
        .frame_rate(rate)
        .build(BufWriter::new(File::create(path).unwrap()))
        .unwrap();
    for i in 0..n {
        w.add_jpeg(&jpeg(48, 32, i, 75), None).unwrap();
    }
    if close {
        w.into_inner().unwrap();
        return;
    }
    w.sync().unwrap();
    w.add_jpeg(&jpeg(48, 32, n, 75), None).unwrap();
    w.add_jpeg(&jpeg(48, 32, n + 1, 75), None).unwrap();
    std::io::Write::flush(w.get_mut()).unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    drop(w);
    bytes.truncate(bytes.len() - 50);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn info_prints_frames_size_and_rate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.avi");
    record(&path, 12, FrameRate::NTSC, true);
    let p = path.to_str().unwrap();
    let out = camreel(&["info", p]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("size: 48x32\n"), "{s}");
    assert!(s.contains("frames: 12\n"), "{s}");
    assert!(s.contains("rate: 30000/1001 fps (29.970)\n"), "{s}");
    assert!(s.contains("index: idx1\n"), "{s}");
    assert!(!s.contains("warning"), "{s}");

    let out = camreel(&["info", p, "--json"]);
    assert!(out.status.success());
    let s = text(&out.stdout);
    for field in [
        "\"format\":\"avi\"",
        "\"width\":48",
        "\"height\":32",
        "\"frames\":12",
        "\"frame_rate\":\"30000/1001\"",
        "\"index\":\"idx1\"",
        "\"open_dml\":false",
    ] {
        assert!(s.contains(field), "{field} missing in {s}");
    }
}

#[test]
fn info_warns_about_an_unclosed_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.avi");
    record(&path, 5, FrameRate::new(10, 1).unwrap(), false);
    let out = camreel(&["info", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("frames: 6\n"), "{s}");
    assert!(s.contains("index: scanned\n"), "{s}");
    assert!(s.contains("the headers say 5 frames"), "{s}");
    assert!(s.contains("hold no complete frame"), "{s}");
}

#[test]
fn convert_repairs_an_unclosed_avi() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.avi");
    let fixed = dir.path().join("fixed.avi");
    record(&broken, 5, FrameRate::new(15, 2).unwrap(), false);
    let out = camreel(&["convert", broken.to_str().unwrap(), fixed.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut r = AviReader::new(File::open(&fixed).unwrap()).unwrap();
    assert_eq!(r.info().index, IndexKind::Idx1);
    assert_eq!(r.frame_count(), 6);
    assert_eq!(r.info().header_frames, 6);
    assert_eq!(r.frame_rate(), FrameRate::new(15, 2).unwrap());
    for i in 0..6 {
        assert_eq!(r.read_frame(i).unwrap(), jpeg(48, 32, i as u32, 75));
    }
}

#[test]
fn convert_keeps_the_exact_rate_and_honours_start_count_fps() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.avi");
    record(&src, 40, FrameRate::NTSC, true);
    let s = src.to_str().unwrap();
    let part = dir.path().join("part.avi");
    let out = camreel(&[
        "convert",
        s,
        part.to_str().unwrap(),
        "--start",
        "5",
        "--count",
        "30",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut r = AviReader::new(File::open(&part).unwrap()).unwrap();
    assert_eq!(r.frame_count(), 30);
    assert_eq!(r.frame_rate(), FrameRate::NTSC);
    assert_eq!(r.read_frame(0).unwrap(), jpeg(48, 32, 5, 75));

    let fast = dir.path().join("fast.avi");
    let out = camreel(&["convert", s, fast.to_str().unwrap(), "--fps", "12.5"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r = AviReader::new(File::open(&fast).unwrap()).unwrap();
    assert_eq!(r.frame_rate(), FrameRate::new(25, 2).unwrap());
    assert_eq!(r.frame_count(), 40);
}

#[test]
fn bad_inputs_fail_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.avi");
    std::fs::write(&junk, b"RIFF\x10\0\0\0WAVEfmt \0\0\0\0").unwrap();
    for args in [
        vec!["info", junk.to_str().unwrap()],
        vec!["convert", junk.to_str().unwrap(), "/nonexistent/out.avi"],
        vec!["info", "/nonexistent/in.avi"],
    ] {
        let out = camreel(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.starts_with("camreel: "), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = camreel(&["info", junk.to_str().unwrap()]);
    assert!(text(&out.stderr).contains("not an AVI file"));
}

#[test]
fn bin_to_avi_takes_the_rate_from_the_recorded_intervals() {
    use camreel::imageio::FileStream;
    use camreel::{Image, PixelFormat, convert};
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("run.bin");
    let mut s = FileStream::create(&bin).unwrap();
    // Mixed sizes and formats, 40 ms apart (the first interval is the time
    // since the stream was opened and does not count).
    let rgb = Image::new(
        PixelFormat::Rgb888,
        64,
        48,
        (0..64 * 48 * 3).map(|i| (i % 251) as u8).collect(),
    )
    .unwrap();
    let rgb565 = convert::convert(rgb.view(), PixelFormat::Rgb565).unwrap();
    s.write_with_elapsed(&rgb565, std::time::Duration::from_millis(500))
        .unwrap();
    for i in 0..10u32 {
        let f = if i % 2 == 0 {
            rgb565.clone()
        } else {
            Image::new(PixelFormat::Grayscale, 32, 32, vec![i as u8 * 20; 1024]).unwrap()
        };
        s.write_with_elapsed(&f, std::time::Duration::from_millis(40))
            .unwrap();
    }
    s.close().unwrap();
    let avi = dir.path().join("run.avi");
    let out = camreel(&[
        "convert",
        bin.to_str().unwrap(),
        avi.to_str().unwrap(),
        "--quality",
        "70",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut r = AviReader::new(File::open(&avi).unwrap()).unwrap();
    assert_eq!(r.frame_count(), 11);
    assert_eq!((r.width(), r.height()), (64, 48));
    assert_eq!(r.frame_rate(), FrameRate::new(25, 1).unwrap());
    for i in 0..11 {
        assert_eq!(r.read_image(i).unwrap().size(), (64, 48));
    }

    // --width alone keeps the first frame's aspect ratio; --fps overrides.
    let small = dir.path().join("small.avi");
    let out = camreel(&[
        "convert",
        bin.to_str().unwrap(),
        small.to_str().unwrap(),
        "--width",
        "32",
        "--fps",
        "29.97",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r = AviReader::new(File::open(&small).unwrap()).unwrap();
    assert_eq!((r.width(), r.height()), (32, 24));
    assert_eq!(r.frame_rate(), FrameRate::NTSC);
}

#[test]
fn avi_to_bin_and_png_frames() {
    use camreel::PixelFormat;
    use camreel::imageio::{FileStream, ReadOptions};
    let dir = tempfile::tempdir().unwrap();
    let avi = dir.path().join("a.avi");
    record(&avi, 6, FrameRate::new(20, 1).unwrap(), true);
    let bin = dir.path().join("a.bin");
    let out = camreel(&["convert", avi.to_str().unwrap(), bin.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut s = FileStream::open(&bin).unwrap();
    assert_eq!(s.count(), 6);
    let opts = ReadOptions::NO_WAIT;
    let mut i = 0;
    while let Some(frame) = s.read(opts).unwrap() {
        assert_eq!(frame.format(), PixelFormat::Jpeg);
        assert_eq!(frame.size(), (48, 32));
        assert_eq!(
            frame.data(),
            jpeg(48, 32, i, 75),
            "JPEG payload kept byte for byte"
        );
        i += 1;
    }
    let elapsed: Vec<u32> = s.headers().map(|h| h.elapsed_ms).collect();
    assert_eq!(elapsed, [0, 50, 50, 50, 50, 50]);

    // And back: the same frames, the rate from the 50 ms intervals.
    let back = dir.path().join("back.avi");
    let out = camreel(&["convert", bin.to_str().unwrap(), back.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut r = AviReader::new(File::open(&back).unwrap()).unwrap();
    assert_eq!(r.frame_rate(), FrameRate::new(20, 1).unwrap());
    assert_eq!(r.read_frame(5).unwrap(), jpeg(48, 32, 5, 75));

    let pattern = dir.path().join("f%03d.png");
    let out = camreel(&[
        "convert",
        avi.to_str().unwrap(),
        pattern.to_str().unwrap(),
        "--start",
        "2",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for k in 0..4 {
        let png = std::fs::read(dir.path().join(format!("f{k:03}.png"))).unwrap();
        let image = camreel::codec::png::decode(&png).unwrap();
        assert_eq!(image.size(), (48, 32));
    }
    assert!(!dir.path().join("f004.png").exists());
}

#[test]
fn many_dropped_frames_before_the_first_image_do_not_overflow_the_stack() {
    // An unclosed AVI whose movi list starts with 300,000 empty (dropped)
    // frame chunks, then one real frame. Converting it must skip the
    // dropped frames (nothing to repeat yet) without recursing per frame.
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.avi");
    record(&good, 1, FrameRate::new(25, 1).unwrap(), true);
    let b = std::fs::read(&good).unwrap();
    let movi = b.windows(4).position(|w| w == b"movi").unwrap();
    let c = movi + 4;
    assert_eq!(&b[c..c + 4], b"00dc");
    let size = u32::from_le_bytes(b[c + 4..c + 8].try_into().unwrap()) as usize;
    let mut bad = b[..c].to_vec();
    bad[4..8].fill(0); // RIFF size: to the end of the file
    bad[movi - 4..movi].fill(0); // movi size: likewise
    for _ in 0..300_000 {
        bad.extend_from_slice(b"00dc\0\0\0\0");
    }
    bad.extend_from_slice(&b[c..c + 8 + size + (size & 1)]);
    let avi = dir.path().join("dropped.avi");
    std::fs::write(&avi, bad).unwrap();
    // 300,001 index entries naming one 812-byte frame are more work than
    // the default budget allows: the command line says so, cleanly.
    let bin = dir.path().join("out.bin");
    assert_fails_with(
        &["convert", avi.to_str().unwrap(), bin.to_str().unwrap()],
        "max_pixels_per_byte",
    );
    assert!(!bin.exists());
    // Without limits the replay walks every entry iteratively and gives
    // the one real frame.
    let options = camreel::replay::ReplayOptions::new().limits(camreel::Limits::NONE);
    let mut clip = camreel::replay::open(&avi, &options).unwrap();
    let frame = camreel::camera::CameraSource::next_frame(&mut clip)
        .unwrap()
        .unwrap();
    assert_eq!(frame.image.data().len(), size);
    assert!(
        camreel::camera::CameraSource::next_frame(&mut clip)
            .unwrap()
            .is_none()
    );
}
