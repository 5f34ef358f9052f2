//! GIF writer tests: every kind of file the writer produces is decoded with
//! the `gif` crate's decoder (an independent implementation of the format),
//! composited as a viewer does, and compared with the source frames; ffprobe
//! checks frame counts and durations when it is installed (required when
//! `CAMREEL_REQUIRE_FFMPEG=1`).

mod gif_support;

use gif_support::*;

use camreel::gif::{
    Dither, GifOptions, GifReader, GifWriter, PaletteMode, ReaderOptions, read_info,
};
use camreel::{ErrorKind, Image, PixelFormat};
use std::time::Duration;

#[test]
fn adaptive_colour_looping() {
    let src = scene(64, 48, 8, 2);
    let bytes = encode(&src, GifOptions::new(), 10);
    let mean = check(&bytes, &src, 10, true, 33.0);
    assert!(mean >= 35.5, "mean {mean:.2} dB");
    // Without the lossy steering: better fidelity, bigger file.
    let exact = encode(&src, GifOptions::new().lossy(0), 10);
    let mean0 = check(&exact, &src, 10, true, 35.0);
    assert!(
        mean0 > mean + 0.5 && exact.len() > bytes.len(),
        "{mean0:.2} dB {} B vs {mean:.2} dB {} B",
        exact.len(),
        bytes.len()
    );
    let d = decode(&bytes);
    // Frame 0 is whole and opaque; later frames are cropped, with transparency.
    assert_eq!(d.rects[0], (0, 0, 64, 48));
    assert_eq!(d.transparent[0], None);
    assert!(d.transparent[1..].iter().all(Option::is_some));
    assert!(d.local_palettes.iter().all(Option::is_some));
}

#[test]
fn lossless_when_lossy_is_off_and_colours_are_few() {
    // 3 colours: exact palettes, so every frame decodes exactly.
    let src = scene(40, 30, 5, 0);
    let few: Vec<Image> = src
        .iter()
        .map(|img| {
            let d = img
                .data()
                .chunks_exact(3)
                .flat_map(|p| {
                    if p[0] > 200 {
                        [220, 40, 30]
                    } else if p[1] > 120 {
                        [0, 200, 0]
                    } else {
                        [10, 10, 90]
                    }
                })
                .collect();
            Image::new(PixelFormat::Rgb888, 40, 30, d).unwrap()
        })
        .collect();
    let bytes = encode(&few, GifOptions::new().lossy(0), 4);
    let d = decode(&bytes);
    for (got, want) in d.frames.iter().zip(&few) {
        assert_eq!(got, want.data());
    }
    check(&bytes, &few, 4, true, 99.0);
}

#[test]
fn grayscale_adaptive_is_near_exact() {
    let src: Vec<Image> = scene(48, 32, 6, 3).iter().map(to_gray).collect();
    let bytes = encode(&src, GifOptions::new().grayscale(true).lossy(0), 7);
    let mean = check(&bytes, &src, 7, true, 45.0);
    assert!(mean >= 50.0, "mean {mean:.2} dB");
    // Palettes are gray.
    let d = decode(&bytes);
    for p in d.local_palettes.iter().flatten() {
        assert!(p.chunks_exact(3).all(|c| c[0] == c[1] && c[1] == c[2]));
    }
    // A colour frame given to a grayscale writer becomes its luma.
    let colour = scene(48, 32, 1, 0);
    let bytes = encode(&colour, GifOptions::new().grayscale(true).lossy(0), 5);
    check(&bytes, &[to_gray(&colour[0])], 5, true, 45.0);
}

#[test]
fn fixed_palette_is_openmv_rgb232() {
    // Index r << 5 | g << 2 | b for levels r = 2, g = 5, b = 1.
    const RGB_2_5_1: usize = 2 << 5 | 5 << 2 | 1;
    let src = scene(33, 21, 4, 2);
    let bytes = encode(&src, GifOptions::new().palette(PaletteMode::Fixed), 10);
    // RGB232 with nearest levels: at most 42/18/42 levels off per channel.
    let mean = check(&bytes, &src, 10, true, 19.5);
    assert!(
        mean < 30.0,
        "a 7-bit palette cannot be near exact: {mean:.2} dB"
    );
    let d = decode(&bytes);
    let global = d.global_palette.expect("one global table");
    assert_eq!(global.len(), 128 * 3);
    // OpenMV's gif.c levels: r,b in thirds of 255, g in sevenths.
    assert_eq!(&global[..6], &[0, 0, 0, 0, 0, 85]);
    assert_eq!(&global[(0x7F * 3)..], &[255, 255, 255]);
    assert_eq!(
        &global[(RGB_2_5_1 * 3)..(RGB_2_5_1 * 3 + 3)],
        &[170, 182, 85]
    );
    assert!(d.local_palettes.iter().all(Option::is_none));
    assert!(d.rects.iter().all(|&r| r == (0, 0, 33, 21)), "whole frames");
    assert!(d.transparent.iter().all(Option::is_none));
    // Real LZW: much smaller than OpenMV's uncompressed stream (w*h*128/126 per frame).
    let openmv = 13 + 384 + 19 + 4 * (22 + 33 * 21 + 2 * (33 * 21usize).div_ceil(126)) + 1;
    assert!(bytes.len() < openmv, "{} >= {openmv}", bytes.len());
}

#[test]
fn fixed_grayscale_has_128_levels() {
    let src: Vec<Image> = scene(30, 20, 3, 1).iter().map(to_gray).collect();
    let bytes = encode(
        &src,
        GifOptions::new()
            .grayscale(true)
            .palette(PaletteMode::Fixed)
            .looping(false),
        12,
    );
    // 128 levels: at most 1 level off.
    check(&bytes, &src, 12, false, 48.0);
    let global = decode(&bytes).global_palette.unwrap();
    assert_eq!(global.len(), 128 * 3);
    assert_eq!(&global[..3], &[0, 0, 0]);
    assert_eq!(&global[3..6], &[2, 2, 2]);
    assert_eq!(&global[381..], &[255, 255, 255]);
}

#[test]
fn dithered_modes_decode_with_bounded_error() {
    let src = scene(48, 40, 6, 2);
    for dither in [Dither::Ordered, Dither::ErrorDiffusion] {
        let bytes = encode(&src, GifOptions::new().dither(dither), 10);
        let mean = check(&bytes, &src, 10, true, 32.0);
        assert!(mean >= 34.5, "{dither:?}: mean {mean:.2} dB");
        let fixed = encode(
            &src,
            GifOptions::new().dither(dither).palette(PaletteMode::Fixed),
            10,
        );
        check(&fixed, &src, 10, true, 17.0);
    }
}

#[test]
fn not_looping_has_no_netscape_extension() {
    let src = scene(20, 10, 3, 1);
    let bytes = encode(&src, GifOptions::new().looping(false), 3);
    check(&bytes, &src, 3, false, 30.0);
    let looping = encode(&src, GifOptions::new(), 3);
    assert!(has_netscape(&looping));
    // The extension sits right after the header, loop count 0 = forever.
    let at = looping
        .windows(11)
        .position(|w| w == b"NETSCAPE2.0")
        .unwrap();
    assert_eq!(&looping[at + 11..at + 16], &[3, 1, 0, 0, 0]);
}

#[test]
fn odd_sizes() {
    for (w, h) in [(1, 1), (3, 7), (17, 5), (2, 33)] {
        let src = scene(w, h, 3, 2);
        for options in [
            GifOptions::new(),
            GifOptions::new().palette(PaletteMode::Fixed),
            GifOptions::new().dither(Dither::ErrorDiffusion),
            GifOptions::new().grayscale(true),
        ] {
            let bytes = encode(&src, options, 10);
            let d = decode(&bytes);
            assert_eq!(
                (d.width, d.height, d.frames.len()),
                (w as usize, h as usize, 3)
            );
        }
        let bytes = encode(&src, GifOptions::new().lossy(0), 10);
        check(&bytes, &src, 10, true, 25.0);
    }
}

#[test]
fn still_scenes_cost_almost_nothing() {
    let one = scene(64, 48, 1, 2).remove(0);
    let frames: Vec<Image> = std::iter::repeat_n(one.clone(), 20).collect();
    for options in [GifOptions::new(), GifOptions::new().lossy(0)] {
        let first = encode(&frames[..1], options, 10);
        let all = encode(&frames, options, 10);
        let per_frame = (all.len() - first.len()) as f64 / 19.0;
        // Lossy steering leaves a few pixels to refine on the next frames;
        // once nothing changes, a frame is a 1x1 transparent pixel.
        assert!(
            per_frame < first.len() as f64 / 20.0,
            "{per_frame} bytes per still frame"
        );
        let d = decode(&all);
        let p0 = psnr(&d.frames[0], one.data());
        for f in &d.frames[1..] {
            assert!(psnr(f, one.data()) >= p0);
        }
        let tail = decode(&all).rects[15..].to_vec();
        assert!(tail.iter().all(|&r| r == (0, 0, 1, 1)), "{tail:?}");
        check(&all, &frames, 10, true, 29.0);
    }
}

#[test]
fn fidelity_does_not_drift_on_slow_changes() {
    // A slow fade: each frame differs from the last by at most 1 level, well
    // under the keep threshold; the canvas must still follow the source.
    let frames: Vec<Image> = (0..40u32)
        .map(|f| {
            let d = (0..32 * 24)
                .flat_map(|i| {
                    let v = (40 + f + (i % 32)) as u8;
                    [v, v / 2, 200 - v]
                })
                .collect();
            Image::new(PixelFormat::Rgb888, 32, 24, d).unwrap()
        })
        .collect();
    let bytes = encode(&frames, GifOptions::new(), 5);
    let d = decode(&bytes);
    for (i, (got, want)) in d.frames.iter().zip(&frames).enumerate() {
        let max = got
            .iter()
            .zip(want.data())
            .map(|(&a, &b)| a.abs_diff(b))
            .max()
            .unwrap();
        assert!(max <= 8, "frame {i}: a channel is {max} levels off");
    }
}

#[test]
fn delays_from_milliseconds_carry_the_rounding() {
    let src = scene(16, 16, 30, 1);
    let mut g = GifWriter::new(Vec::new(), 16, 16).unwrap();
    for f in &src {
        g.add_frame(f, Duration::from_millis(33)).unwrap(); // 30 fps
    }
    let bytes = g.into_inner().unwrap();
    let d = decode(&bytes);
    assert!(d.delays.iter().all(|&x| x == 3 || x == 4), "{:?}", d.delays);
    let total: u32 = d.delays.iter().map(|&x| u32::from(x)).sum();
    assert_eq!(total, 99); // 30 * 33 ms = 990 ms
    // Very short intervals still get 2 cs (browsers slow shorter ones down),
    // and the next frame gives the time back: 1004 ms in total.
    let mut g = GifWriter::new(Vec::new(), 16, 16).unwrap();
    g.add_frame(&src[0], Duration::from_millis(4)).unwrap();
    g.add_frame(&src[1], Duration::from_millis(1000)).unwrap();
    let d = decode(&g.into_inner().unwrap());
    assert_eq!(d.delays, vec![2, 98]);
}

#[test]
fn an_interval_longer_than_a_gif_delay_is_not_carried_into_later_frames() {
    // A gap of 700 s (a paused or time-lapse recording) is more than the
    // 655.35 s a GIF delay can hold. It is shown for the longest delay; the
    // frames after it keep their own intervals.
    let src = scene(16, 16, 4, 1);
    let mut g = GifWriter::new(Vec::new(), 16, 16).unwrap();
    g.add_frame(&src[0], Duration::from_millis(33)).unwrap();
    g.add_frame(&src[1], Duration::from_millis(700_000))
        .unwrap();
    g.add_frame(&src[2], Duration::from_millis(33)).unwrap();
    g.add_frame(&src[3], Duration::from_millis(33)).unwrap();
    let d = decode(&g.into_inner().unwrap());
    assert_eq!(d.delays, vec![3, 65535, 4, 3]);
}

#[test]
fn other_pixel_formats_are_converted() {
    let rgb = scene(8, 4, 1, 0).remove(0);
    let bgr: Vec<u8> = rgb
        .data()
        .chunks_exact(3)
        .flat_map(|p| [p[2], p[1], p[0]])
        .collect();
    let argb: Vec<u8> = rgb
        .data()
        .chunks_exact(3)
        .flat_map(|p| [p[2], p[1], p[0], 255])
        .collect();
    let want = decode(&encode(
        std::slice::from_ref(&rgb),
        GifOptions::new().lossy(0),
        1,
    ))
    .frames;
    for img in [
        Image::new(PixelFormat::Bgr888, 8, 4, bgr).unwrap(),
        Image::new(PixelFormat::Argb8, 8, 4, argb).unwrap(),
    ] {
        let got = decode(&encode(&[img], GifOptions::new().lossy(0), 1)).frames;
        assert_eq!(got, want);
    }
    // RGB565: 5/6/5 bits expanded.
    let px565 = [0x1Fu16 << 11 | 0x3F << 5 | 0x1F, 0];
    let bytes: Vec<u8> = px565.iter().flat_map(|v| v.to_le_bytes()).collect();
    let img = Image::new(PixelFormat::Rgb565, 2, 1, bytes).unwrap();
    let d = decode(&encode(&[img], GifOptions::new().lossy(0), 1));
    assert_eq!(d.frames[0], vec![255, 255, 255, 0, 0, 0]);
}

#[test]
fn bad_input_is_refused_with_clear_errors() {
    assert_eq!(
        GifWriter::new(Vec::new(), 0, 5).unwrap_err().kind(),
        ErrorKind::InvalidFrameSize
    );
    assert_eq!(
        GifWriter::new(Vec::new(), 70_000, 5).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
    let mut g = GifWriter::new(Vec::new(), 8, 8).unwrap();
    let junk = Image::new(PixelFormat::Jpeg, 8, 8, vec![0xFF, 0xD8, 0x00, 0x13]).unwrap();
    let e = g.add_frame(&junk, cs(1)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format);
    assert!(e.to_string().starts_with("gif frame 0: "), "{e}");
    // The writer is still usable after a refused frame.
    g.add_frame(&Image::zeroed(PixelFormat::Rgb888, 8, 8).unwrap(), cs(1))
        .unwrap();
    assert_eq!(decode(&g.into_inner().unwrap()).frames.len(), 1);
}

#[test]
fn other_sizes_are_letterboxed() {
    // 40x20 frames in a 40x40 gif: same width, so the picture is copied
    // unscaled between 10-row black bars.
    let src = scene(40, 20, 3, 1);
    let mut g = GifWriter::with_options(Vec::new(), 40, 40, GifOptions::new().lossy(0)).unwrap();
    for f in &src {
        g.add_frame(f, cs(10)).unwrap();
    }
    let bytes = g.into_inner().unwrap();
    let d = decode(&bytes);
    assert_eq!((d.width, d.height, d.frames.len()), (40, 40, 3));
    let row = 40 * 3;
    for (got, want) in d.frames.iter().zip(&src) {
        assert!(got[..10 * row].iter().all(|&v| v == 0), "top bar");
        assert!(got[30 * row..].iter().all(|&v| v == 0), "bottom bar");
        assert!(psnr(&got[10 * row..30 * row], want.data()) > 33.0);
    }
    ffprobe_check(&bytes, 3, 0.1);
    // A wider picture is scaled down: 80x40 into 40x40 keeps 2:1.
    let wide = scene(80, 40, 1, 0).remove(0);
    let mut g = GifWriter::new(Vec::new(), 40, 40).unwrap();
    g.add_frame(&wide, cs(10)).unwrap();
    let d = decode(&g.into_inner().unwrap());
    let f = &d.frames[0];
    assert!(f[..10 * row].iter().all(|&v| v == 0) && f[30 * row..].iter().all(|&v| v == 0));
    assert!(f[10 * row..30 * row].iter().any(|&v| v > 100));
}

#[test]
fn encoded_and_camera_formats_are_converted() {
    let src = scene(48, 32, 2, 1);
    // JPEG frames (as an OpenMV IDE recording holds) are decoded: the GIF
    // matches the decoded JPEG closely.
    let mut enc =
        camreel::codec::jpeg::JpegEncoder::new(camreel::codec::Quality::try_from(95).unwrap())
            .unwrap();
    let jpegs: Vec<Image> = src
        .iter()
        .map(|f| enc.encode_image(f.view()).unwrap())
        .collect();
    let decoded: Vec<Image> = jpegs
        .iter()
        .map(|j| camreel::codec::decode(j.view()).unwrap())
        .collect();
    let mut g = GifWriter::with_options(Vec::new(), 48, 32, GifOptions::new().lossy(0)).unwrap();
    for j in &jpegs {
        g.add_frame(j, cs(10)).unwrap();
    }
    check(&g.into_inner().unwrap(), &decoded, 10, true, 35.0);
    // YUV 4:2:0 from a camera is converted.
    let yuv = camreel::convert::convert(src[0].view(), PixelFormat::Yuv420).unwrap();
    let rgb = camreel::convert::convert(yuv.view(), PixelFormat::Rgb888).unwrap();
    let mut g = GifWriter::with_options(Vec::new(), 48, 32, GifOptions::new().lossy(0)).unwrap();
    g.add_frame(&yuv, cs(10)).unwrap();
    check(&g.into_inner().unwrap(), &[rgb], 10, true, 35.0);
}

/// A writer that fails after `budget` bytes.
struct Failing {
    budget: usize,
}

impl std::io::Write for Failing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.budget < buf.len() {
            return Err(std::io::Error::other("disk full"));
        }
        self.budget -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn io_errors_are_reported_and_drop_does_not_panic() {
    let src = scene(32, 32, 3, 2);
    let mut g = GifWriter::new(Failing { budget: 900 }, 32, 32).unwrap();
    let mut failed = None;
    for (i, f) in src.iter().enumerate() {
        if let Err(e) = g.add_frame(f, cs(5)) {
            failed = Some((i, e));
            break;
        }
    }
    let (i, e) = failed.expect("the writer runs out of space");
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(
        e.to_string().contains(&format!("writing gif frame {i}")),
        "{e}"
    );
    drop(g); // best-effort trailer, error ignored
}

#[test]
fn drop_finalises_a_playable_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dropped.gif");
    let src = scene(24, 16, 4, 2);
    {
        let file = std::fs::File::create(&path).unwrap();
        let mut g = GifWriter::new(std::io::BufWriter::new(file), 24, 16).unwrap();
        for f in &src {
            g.add_frame(f, cs(10)).unwrap();
        }
        // no finish()
    }
    let bytes = std::fs::read(&path).unwrap();
    check(&bytes, &src, 10, true, 30.0);
}

#[test]
fn reader_composites_what_the_writer_wrote() {
    let src = scene(40, 24, 5, 2);
    let bytes = encode(&src, GifOptions::new(), 6);
    let want = decode(&bytes);
    assert!(read_info(&bytes[..]).unwrap().is_opaque());
    let rgb_only = ReaderOptions::default().alpha(false);
    let mut r = GifReader::with_options(&bytes[..], rgb_only).unwrap();
    assert_eq!((r.size(), r.loop_count()), ((40, 24), Some(0)));
    assert_eq!(r.format(), PixelFormat::Rgb888);
    let mut argb = GifReader::new(&bytes[..]).unwrap();
    assert_eq!(argb.format(), PixelFormat::Argb8);
    let (mut img, mut with_alpha) = (Image::empty(), Image::empty());
    let mut n = 0;
    while let Some(info) = r.read_frame_into(&mut img).unwrap() {
        assert_eq!(info.sequence, n as u64);
        assert_eq!(info.timestamp, cs(6) * u32::try_from(n).unwrap());
        assert_eq!(img.format(), PixelFormat::Rgb888);
        assert_eq!(img.data(), &want.frames[n][..]);
        // The same pixels, all opaque, with the alpha kept.
        assert_eq!(argb.read_frame_into(&mut with_alpha).unwrap(), Some(info));
        assert_eq!(with_alpha.format(), PixelFormat::Argb8);
        let bgra: Vec<u8> = want.frames[n]
            .chunks_exact(3)
            .flat_map(|p| [p[2], p[1], p[0], 255])
            .collect();
        assert_eq!(with_alpha.data(), &bgra[..]);
        n += 1;
    }
    assert_eq!(n, 5);
}

#[test]
fn reader_honours_background_and_previous_disposal() {
    // A file from another encoder (the gif crate's own): a red full frame,
    // a green 2x2 patch disposed to background, a blue patch disposed to
    // previous, then a 1x1 white pixel.
    let mut bytes = Vec::new();
    {
        let palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
        let mut enc = gif::Encoder::new(&mut bytes, 4, 4, &palette).unwrap();
        let frames = [
            (0, 0, 4, 4, 0u8, gif::DisposalMethod::Keep),
            (1, 1, 2, 2, 1, gif::DisposalMethod::Background),
            (0, 0, 2, 2, 2, gif::DisposalMethod::Previous),
            (3, 3, 1, 1, 3, gif::DisposalMethod::Keep),
        ];
        for (left, top, w, h, colour, dispose) in frames {
            let f = gif::Frame {
                left,
                top,
                width: w,
                height: h,
                dispose,
                delay: 5,
                buffer: std::borrow::Cow::Owned(vec![colour; usize::from(w * h)]),
                ..gif::Frame::default()
            };
            enc.write_frame(&f).unwrap();
        }
    }
    let want = decode(&bytes);
    let info = read_info(&bytes[..]).unwrap();
    assert!(!info.is_opaque(), "a frame is disposed to the background");
    let rgb_only = ReaderOptions::default().alpha(false);
    let mut r = GifReader::with_options(&bytes[..], rgb_only).unwrap();
    let mut argb = GifReader::new(&bytes[..]).unwrap();
    let (mut img, mut with_alpha) = (Image::empty(), Image::empty());
    for (i, w) in want.frames.iter().enumerate() {
        let info = r.read_frame_into(&mut img).unwrap().unwrap();
        assert_eq!(info.timestamp, cs(5) * u32::try_from(i).unwrap());
        assert_eq!(img.data(), &w[..], "frame {i}");
        argb.read_frame_into(&mut with_alpha).unwrap().unwrap();
    }
    // After the background disposal the patch is black, the rest red; the
    // blue patch is gone again after "previous".
    let last = &want.frames[3];
    assert_eq!(&last[..3], &[255, 0, 0]);
    assert_eq!(&last[(4 + 1) * 3..(4 + 1) * 3 + 3], &[0, 0, 0]);
    assert_eq!(&last[15 * 3..], &[255, 255, 255]);
    assert_eq!(r.read_frame_into(&mut img).unwrap(), None);
    // With the alpha kept, the cleared patch is transparent, as browsers
    // show it; everything else is opaque.
    let alpha: Vec<u8> = with_alpha.data().chunks_exact(4).map(|p| p[3]).collect();
    #[rustfmt::skip]
    assert_eq!(alpha, [
        255, 255, 255, 255,
        255, 0, 0, 255,
        255, 0, 0, 255,
        255, 255, 255, 255,
    ]);
    assert_eq!(&with_alpha.data()[(4 + 1) * 4..(4 + 2) * 4], &[0; 4]);
}

#[test]
fn truncated_files_give_errors_not_panics() {
    let src = scene(20, 12, 3, 2);
    let bytes = encode(&src, GifOptions::new(), 10);
    for len in 0..bytes.len() {
        let prefix = &bytes[..len];
        let _ = read_info(prefix);
        if let Ok(mut r) = GifReader::new(prefix) {
            let mut img = Image::empty();
            while let Ok(Some(_)) = r.read_frame_into(&mut img) {}
        }
    }
    // Damaged bytes anywhere: errors or garbage pixels, never a panic.
    let mut seed = 77u64;
    for _ in 0..400 {
        let mut bad = bytes.clone();
        for _ in 0..3 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let at = (seed >> 33) as usize % bad.len();
            bad[at] = (seed >> 17) as u8;
        }
        let _ = read_info(&bad[..]);
        if let Ok(mut r) = GifReader::new(&bad[..]) {
            let mut img = Image::empty();
            while let Ok(Some(_)) = r.read_frame_into(&mut img) {}
        }
    }
    assert!(read_info(&b"GIF89a"[..]).is_err());
    assert_eq!(
        read_info(&b"not a gif at all"[..]).unwrap_err().kind(),
        ErrorKind::Format
    );
}

/// A 1x1 GIF of `frames` frames (palette: red, blue; each frame a blue
/// pixel) with `extra` spliced in before frame `at` (before the trailer
/// when `at` is the frame count).
fn one_pixel_gif(frames: usize, extra: &[u8], at: usize) -> Vec<u8> {
    let mut out = b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec();
    out.extend_from_slice(&[255, 0, 0, 0, 0, 255]);
    for i in 0..=frames {
        if i == at {
            out.extend_from_slice(extra);
        }
        if i == frames {
            break;
        }
        // Delay 3 cs; codes clear (4), 1, end (5) at 3 bits.
        out.extend_from_slice(&[0x21, 0xF9, 4, 0, 3, 0, 0, 0]);
        out.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0]);
    }
    out.push(0x3B);
    out
}

#[test]
fn unknown_extensions_are_skipped() {
    // An extension whose label GIF89a does not define (0x99 here; real files
    // carry such blocks), with two sub-blocks: skipped wherever it is, as
    // browsers and Pillow skip it.
    let unknown = [0x21, 0x99, 2, b'h', b'i', 3, 1, 2, 3, 0];
    for at in 0..=2 {
        let bytes = one_pixel_gif(2, &unknown, at);
        let info = read_info(&bytes[..]).unwrap();
        assert_eq!((info.frame_count(), info.duration()), (2, cs(6)), "{at}");
        let mut r = GifReader::new(&bytes[..]).unwrap();
        let frames: Vec<_> = r.frames().map(Result::unwrap).collect();
        assert_eq!(frames.len(), 2);
        for f in frames {
            assert_eq!(f.image.data(), &[255, 0, 0, 255], "{at}"); // blue, B G R A
        }
    }
    // The smallest such file: 1 frame, the unknown block first.
    let bytes = one_pixel_gif(1, &[0x21, 0x42, 0], 0);
    assert_eq!(bytes.len(), 46);
    assert_eq!(read_info(&bytes[..]).unwrap().frame_count(), 1);
}

#[test]
fn a_byte_that_starts_no_block_is_still_damage() {
    // A stray byte where the second frame's blocks should start: the first
    // frame decodes, then a format error names the frame and the byte.
    let bytes = one_pixel_gif(2, &[0x07], 1);
    let at = 13 + 6 + 8 + 15;
    assert_eq!(bytes[at], 0x07);
    let want = format!(
        "gif frame 1: unknown block type 0x07 at byte {at} (not an extension, an image or the trailer)"
    );
    let e = read_info(&bytes[..]).unwrap_err();
    assert_eq!((e.kind(), e.to_string()), (ErrorKind::Format, want.clone()));
    let mut r = GifReader::new(&bytes[..]).unwrap();
    let mut img = Image::empty();
    assert!(r.read_frame_into(&mut img).unwrap().is_some());
    let e = r.read_frame_into(&mut img).unwrap_err();
    assert_eq!((e.kind(), e.to_string()), (ErrorKind::Format, want));
    // Before the trailer, and before the first frame.
    let e = read_info(&one_pixel_gif(2, &[0], 2)[..]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("gif frame 2: unknown block type 0x00"),
        "{e}"
    );
    let first = one_pixel_gif(1, &[0xAB], 0);
    let mut r = GifReader::new(&first[..]).unwrap();
    let e = r.read_frame_into(&mut img).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("gif frame 0: unknown block type 0xab at byte 19"),
        "{e}"
    );
}

/// `default` cases, or `PROPTEST_CASES` when set: scripts/fuzz_proptests.sh
/// runs the fuzz targets' bodies here for minutes.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// A small animation to damage: two colour frames, the second cropped and
    /// partly transparent, with the loop extension.
    fn seed_gif() -> Vec<u8> {
        encode(&scene(12, 8, 3, 4), GifOptions::new(), 7)
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases(128)) })]

        /// The fuzz target's body on arbitrary bytes after a GIF signature.
        #[test]
        fn arbitrary_bytes_never_panic(
            head in prop_oneof![Just(b"GIF89a".to_vec()), Just(b"GIF87a".to_vec()), Just(Vec::new())],
            body in prop::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut data = head;
            data.extend_from_slice(&body);
            gif_support::fuzz_body::fuzz_reader(&data);
        }

        /// The fuzz target's body on a real file with bytes overwritten and
        /// cut anywhere.
        #[test]
        fn damaged_gifs_never_panic(
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut data = seed_gif();
            for (at, v) in edits {
                let i = at.index(data.len());
                data[i] = v;
            }
            let len = cut.index(data.len() + 1);
            gif_support::fuzz_body::fuzz_reader(&data[..len]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(24) })]

        /// Any small frames, any mode: the file decodes to the right number
        /// of frames and delays, and grayscale-exact content stays exact.
        #[test]
        fn any_frames_round_trip(
            w in 1u32..12,
            h in 1u32..12,
            n in 1usize..5,
            seed in any::<u64>(),
            mode in 0u8..6,
            delay in 0u16..500,
        ) {
            let mut s = seed;
            let frames: Vec<Image> = (0..n).map(|_| {
                let d = (0..w * h * 3).map(|_| {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
                    (s >> 56) as u8
                }).collect();
                Image::new(PixelFormat::Rgb888, w, h, d).unwrap()
            }).collect();
            let options = match mode {
                0 => GifOptions::new(),
                1 => GifOptions::new().lossy(0),
                2 => GifOptions::new().palette(PaletteMode::Fixed),
                3 => GifOptions::new().dither(Dither::ErrorDiffusion),
                4 => GifOptions::new().dither(Dither::Ordered).looping(false),
                _ => GifOptions::new().grayscale(true).lossy(0),
            };
            let bytes = encode(&frames, options, delay);
            let d = decode(&bytes);
            prop_assert_eq!(d.frames.len(), n);
            // The writer writes at least 2 cs (browsers show less as 10 cs).
            prop_assert!(d.delays.iter().all(|&x| x == delay.max(2)));
            if mode == 1 && w * h <= 85 {
                // At most 255 distinct colours per frame: stored exactly.
                for (got, want) in d.frames.iter().zip(&frames) {
                    prop_assert_eq!(got, &want.data().to_vec());
                }
            }
        }
    }
}
