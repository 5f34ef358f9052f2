//! The command line on GIF files: `info`, conversions to and from GIFs.

use std::process::Command;

use camreel::gif::{GifOptions, GifReader, read_info};
use camreel::{ErrorKind, Image, PixelFormat};

use crate::gif_support::*;
use crate::support::data;

#[test]
fn cli_info_and_convert_gif() {
    let exe = env!("CARGO_BIN_EXE_camreel");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.gif");
    let src = scene(32, 24, 6, 2);
    std::fs::write(&input, encode(&src, GifOptions::new(), 10)).unwrap();

    let out = Command::new(exe).arg("info").arg(&input).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("32x24"), "{text}");
    assert!(text.contains("frames: 6"), "{text}");
    assert!(text.contains("loop: forever"), "{text}");

    let out = Command::new(exe)
        .arg("info")
        .arg(&input)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success());
    let json = String::from_utf8(out.stdout).unwrap();
    assert!(
        json.contains("\"frames\":6") || json.contains("\"frames\": 6"),
        "{json}"
    );
    assert!(json.contains("\"delay_cs\""), "{json}");

    // gif -> gif, fixed palette, not re-timed: delays survive.
    let output = dir.path().join("out.gif");
    let out = Command::new(exe)
        .args(["convert"])
        .arg(&input)
        .arg(&output)
        .args(["--palette", "fixed", "--dither"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&output).unwrap();
    let d = decode(&bytes);
    assert_eq!(d.frames.len(), 6);
    assert_eq!(d.delays, vec![10; 6]);
    assert_eq!(d.global_palette.map(|p| p.len()), Some(384));
    ffprobe_check(&bytes, 6, 0.1);

    // --fps re-times every frame.
    let out = Command::new(exe)
        .arg("convert")
        .arg(&input)
        .arg(&output)
        .args(["--fps", "25"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(decode(&std::fs::read(&output).unwrap()).delays, vec![4; 6]);

    // --width alone: the height follows the aspect ratio (32x24 -> 16x12).
    let out = Command::new(exe)
        .arg("convert")
        .arg(&input)
        .arg(&output)
        .args(["--width", "16"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = decode(&std::fs::read(&output).unwrap());
    assert_eq!((d.width, d.height, d.frames.len()), (16, 12, 6));

    // Bad options and files fail with one line, exit 1.
    let out = Command::new(exe)
        .arg("convert")
        .arg(&input)
        .arg(&output)
        .args(["--palette", "octree"])
        .output()
        .unwrap();
    // An enumerated flag's bad value is a usage error listing the values.
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--palette") && err.contains("adaptive, fixed"),
        "{err}"
    );
    let junk = dir.path().join("junk.gif");
    std::fs::write(&junk, b"GIF89a\x10\x00").unwrap();
    let out = Command::new(exe).arg("info").arg(&junk).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn cli_converts_imageio_recordings_with_their_timing() {
    let exe = env!("CARGO_BIN_EXE_camreel");
    let dir = tempfile::tempdir().unwrap();
    // 12 RGB565 frames recorded 33 ms apart (30 fps).
    let bin = dir.path().join("rec.bin");
    let mut stream = camreel::imageio::FileStream::create(&bin).unwrap();
    for f in scene(40, 30, 12, 1) {
        let rgb565 = camreel::convert::convert(f.view(), PixelFormat::Rgb565).unwrap();
        stream
            .write_with_elapsed(&rgb565, std::time::Duration::from_millis(33))
            .unwrap();
    }
    stream.close().unwrap();
    let gif_path = dir.path().join("rec.gif");
    let out = Command::new(exe)
        .arg("convert")
        .arg(&bin)
        .arg(&gif_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&gif_path).unwrap();
    let d = decode(&bytes);
    assert_eq!((d.width, d.height, d.frames.len()), (40, 30, 12));
    // Each frame shows until the next was recorded: 33 ms, rounded to
    // centiseconds with the error carried: 12 * 33 ms = 396 ms -> 40 cs.
    assert!(d.delays.iter().all(|&x| x == 3 || x == 4), "{:?}", d.delays);
    assert_eq!(d.delays.iter().map(|&x| u32::from(x)).sum::<u32>(), 40);
    let path = dir.path().join("probe.gif");
    std::fs::write(&path, &bytes).unwrap();
    if let Some(durations) = ffprobe_durations(&path) {
        assert_eq!(durations.len(), 12);
        let total: f64 = durations.iter().sum();
        assert!((total - 0.40).abs() < 1e-6, "ffprobe total {total}");
    }

    // .bin -> .avi (MJPEG at 30 fps) -> .gif: the AVI's frame rate gives the
    // delays, 1/30 s each with the rounding carried.
    let avi = dir.path().join("rec.avi");
    let out = Command::new(exe)
        .arg("convert")
        .arg(&bin)
        .arg(&avi)
        .args(["--fps", "30"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(exe)
        .arg("convert")
        .arg(&avi)
        .arg(&gif_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = decode(&std::fs::read(&gif_path).unwrap());
    assert_eq!((d.width, d.height, d.frames.len()), (40, 30, 12));
    assert_eq!(d.delays, vec![3, 4, 3, 3, 4, 3, 3, 4, 3, 3, 4, 3]);
    let src = scene(40, 30, 12, 1);
    for (got, want) in d.frames.iter().zip(&src) {
        // RGB565, then JPEG, then the GIF palette.
        assert!(psnr(got, want.data()) > 25.0);
    }

    // A V2.0 file whose frames change size and format (RGB565, GRAYSCALE,
    // BINARY, Bayer, YUV422, ARGB8, JPEG, PNG), 10..70 ms apart: every frame
    // is converted and letterboxed into the first frame's 2x2.
    let mixed = data("v2_0_mixed.bin");
    let out = Command::new(exe)
        .arg("convert")
        .arg(&mixed)
        .arg(&gif_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = decode(&std::fs::read(&gif_path).unwrap());
    assert_eq!((d.width, d.height, d.frames.len()), (2, 2, 8));
    // 10 ms is raised to 2 cs, and the next frames give the time back; the
    // last frame shows for the mean interval (40 ms), so the delays add up
    // to the 320 ms `camreel info` reports for the .bin.
    assert_eq!(d.delays, vec![2, 2, 2, 4, 5, 6, 7, 4]);
    // Frame 0 is the 2x2 RGB565 red, green / blue, white.
    assert_eq!(
        d.frames[0],
        vec![255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]
    );

    // The OpenMV IDE's V1.0 JPEG recording, 40 ms apart, scaled with --width.
    let ide = data("v1_0_ide_jpeg.bin");
    let out = Command::new(exe)
        .arg("convert")
        .arg(&ide)
        .arg(&gif_path)
        .args(["--width", "32", "--palette", "fixed"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = decode(&std::fs::read(&gif_path).unwrap());
    assert_eq!((d.width, d.height, d.frames.len()), (32, 32, 2));
    assert_eq!(d.delays, vec![4, 4]);
}

#[test]
fn cli_keeps_every_converted_frame_when_the_input_fails_part_way() {
    // Four frames, then a chunk whose header is damaged (an unknown pixel
    // format code): convert exits 1 naming it, and the GIF written so far
    // holds all four frames (the GIF output is one frame behind, since a
    // frame's delay is the next frame's interval).
    let exe = env!("CARGO_BIN_EXE_camreel");
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("damaged.bin");
    let mut stream = camreel::imageio::FileStream::create(&bin).unwrap();
    for f in scene(16, 12, 5, 1) {
        let rgb565 = camreel::convert::convert(f.view(), PixelFormat::Rgb565).unwrap();
        stream
            .write_with_elapsed(&rgb565, std::time::Duration::from_millis(50))
            .unwrap();
    }
    let at = stream.chunk_offset(4).unwrap() as usize;
    stream.close().unwrap();
    let mut bytes = std::fs::read(&bin).unwrap();
    bytes[at + 12..at + 16].copy_from_slice(&0x1234_5678u32.to_le_bytes());
    std::fs::write(&bin, bytes).unwrap();

    let gif_path = dir.path().join("out.gif");
    let out = Command::new(exe)
        .arg("convert")
        .arg(&bin)
        .arg(&gif_path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("frame 4 at byte"), "{err}");
    let d = decode(&std::fs::read(&gif_path).unwrap());
    assert_eq!(d.frames.len(), 4);
    assert_eq!(d.delays, vec![5, 5, 5, 5]);
}

#[test]
fn a_cut_gif_is_a_truncated_error_naming_the_frame_and_byte() {
    // A recording killed before `finish`: the frames are complete, the
    // trailer (one byte) is missing; or the file is cut inside frame 2.
    let src = scene(20, 12, 4, 2);
    let bytes = encode(&src, GifOptions::new(), 10);
    assert_eq!(bytes.last(), Some(&0x3B));
    let no_trailer = &bytes[..bytes.len() - 1];
    let e = read_info(no_trailer).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Truncated, "{e}");
    let want = format!("gif frame 4: the file ends at byte {}", no_trailer.len());
    assert!(e.to_string().starts_with(&want), "{e}");
    let mut r = GifReader::new(no_trailer).unwrap();
    let mut img = Image::empty();
    for _ in 0..4 {
        assert!(r.read_frame_into(&mut img).unwrap().is_some());
    }
    assert_eq!(
        r.read_frame_into(&mut img).unwrap_err().kind(),
        ErrorKind::Truncated
    );
    // A cut inside a frame's pixel data: the frame is named.
    let info = read_info(&bytes[..]).unwrap();
    assert_eq!(info.frames.len(), 4);
    let cut = &bytes[..bytes.len() - 20];
    let e = read_info(cut).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Truncated, "{e}");
    assert!(e.to_string().starts_with("gif frame 3: "), "{e}");

    // The CLI converts the complete frames of a cut GIF and says what it left.
    let exe = env!("CARGO_BIN_EXE_camreel");
    let dir = tempfile::tempdir().unwrap();
    let gif_path = dir.path().join("cut.gif");
    std::fs::write(&gif_path, no_trailer).unwrap();
    let bin = dir.path().join("out.bin");
    let out = Command::new(exe)
        .arg("convert")
        .arg(&gif_path)
        .arg(&bin)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("kept the 4 complete frames"), "{err}");
    assert_eq!(camreel::imageio::FileStream::open(&bin).unwrap().count(), 4);
    // `info` shows the complete frames and names the frame and the byte
    // where the file ends (a recording cut short is information, not a
    // failure: exit 0).
    let out = Command::new(exe)
        .arg("info")
        .arg(&gif_path)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(info.contains("frames: 4"), "{info}");
    assert!(info.contains(&format!("truncated: {want}")), "{info}");
}

/// A 16x8 GIF with transparency: frame 0 has its left half transparent and
/// its right half white; frame 1 a green 4x4 square at the top left,
/// disposed to the background (cleared to transparent again); frame 2 a
/// red 4x4 square at the bottom right.
fn transparent_gif() -> Vec<u8> {
    let palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
    let mut bytes = Vec::new();
    let mut enc = gif::Encoder::new(&mut bytes, 16, 8, &palette).unwrap();
    let first: Vec<u8> = (0..16 * 8)
        .map(|i| if i % 16 < 8 { 2 } else { 3 })
        .collect();
    let frames = [
        (0, 0, 16, 8, first, Some(2), gif::DisposalMethod::Keep),
        (
            0,
            0,
            4,
            4,
            vec![1; 16],
            None,
            gif::DisposalMethod::Background,
        ),
        (12, 4, 4, 4, vec![0; 16], None, gif::DisposalMethod::Keep),
    ];
    for (left, top, width, height, pixels, transparent, dispose) in frames {
        let f = gif::Frame {
            left,
            top,
            width,
            height,
            transparent,
            dispose,
            delay: 10,
            buffer: std::borrow::Cow::Owned(pixels),
            ..gif::Frame::default()
        };
        enc.write_frame(&f).unwrap();
    }
    drop(enc);
    bytes
}

/// The R, G, B, A a browser shows at (x, y) in frame `i` of
/// [`transparent_gif`].
fn transparent_gif_pixel(i: usize, x: usize, y: usize) -> [u8; 4] {
    if i == 1 && x < 4 && y < 4 {
        [0, 255, 0, 255]
    } else if i == 2 && x >= 12 && y >= 4 {
        [255, 0, 0, 255]
    } else if x >= 8 {
        [255, 255, 255, 255]
    } else {
        [0, 0, 0, 0]
    }
}

/// The PNG files `dir/f000.png`... as `(colour type, image)`.
fn png_frames(dir: &std::path::Path, prefix: &str, n: usize) -> Vec<(u8, Image)> {
    (0..n)
        .map(|i| {
            let bytes = std::fs::read(dir.join(format!("{prefix}{i:03}.png"))).unwrap();
            // IHDR's colour type: 2 RGB, 6 RGBA.
            (bytes[25], camreel::codec::png::decode(&bytes).unwrap())
        })
        .collect()
}

#[test]
fn cli_keeps_gif_transparency_in_png_frames_and_composites_it_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("transparent.gif");
    std::fs::write(&input, transparent_gif()).unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let out = crate::support::camreel(args);
        assert!(out.status.success(), "{}", crate::support::stderr(&out));
    };
    let pattern = dir.path().join("f%03d.png");
    run(&["convert".as_ref(), input.as_ref(), pattern.as_ref()]);
    let check = |frames: Vec<(u8, Image)>| {
        assert_eq!(frames.len(), 3);
        for (i, (colour_type, img)) in frames.into_iter().enumerate() {
            assert_eq!(
                (colour_type, img.format()),
                (6, PixelFormat::Argb8),
                "frame {i}"
            );
            for (p, bgra) in img.data().chunks_exact(4).enumerate() {
                let want = transparent_gif_pixel(i, p % 16, p / 16);
                let got = [bgra[2], bgra[1], bgra[0], bgra[3]];
                assert_eq!(got, want, "frame {i} ({}, {})", p % 16, p / 16);
            }
        }
    };
    check(png_frames(dir.path(), "f", 3));
    assert!(!dir.path().join("f003.png").exists());

    // Through an ImageIO recording (ARGB8 frames stored as they are) and
    // back: the same alpha.
    let bin = dir.path().join("transparent.bin");
    run(&["convert".as_ref(), input.as_ref(), bin.as_ref()]);
    let pattern = dir.path().join("b%03d.png");
    run(&["convert".as_ref(), bin.as_ref(), pattern.as_ref()]);
    check(png_frames(dir.path(), "b", 3));

    // JPEG has no alpha: the AVI's frames show transparent pixels over
    // black (camreel::convert::ALPHA_BACKGROUND).
    let avi = dir.path().join("transparent.avi");
    run(&[
        "convert".as_ref(),
        input.as_ref(),
        avi.as_ref(),
        "--quality".as_ref(),
        "95".as_ref(),
    ]);
    let mut r = camreel::avi::AviReader::new(std::fs::File::open(&avi).unwrap()).unwrap();
    assert_eq!(r.frame_count(), 3);
    let jpeg = r.read_frame(0).unwrap();
    let img = camreel::codec::jpeg::decode(&jpeg).unwrap();
    for (p, px) in img.data().chunks_exact(3).enumerate() {
        let (x, y) = (p % 16, p / 16);
        let want = if x >= 8 { 255 } else { 0 };
        // Away from the edge, where JPEG blurs.
        if !(6..10).contains(&x) {
            assert!(
                px.iter().all(|&c| c.abs_diff(want) < 12),
                "({x}, {y}): {px:?}"
            );
        }
    }

    // An opaque GIF (camreel's own) still gives RGB PNGs.
    let opaque = dir.path().join("opaque.gif");
    std::fs::write(&opaque, encode(&scene(16, 8, 2, 0), GifOptions::new(), 10)).unwrap();
    let pattern = dir.path().join("o%03d.png");
    run(&["convert".as_ref(), opaque.as_ref(), pattern.as_ref()]);
    for (colour_type, img) in png_frames(dir.path(), "o", 2) {
        assert_eq!((colour_type, img.format()), (2, PixelFormat::Rgb888));
    }
}
