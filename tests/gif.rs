//! GIF writer tests: every kind of file the writer produces is decoded with
//! the `gif` crate's decoder (an independent implementation of the format),
//! composited as a viewer does, and compared with the source frames; ffprobe
//! checks frame counts and durations when it is installed (required when
//! `CAMREEL_REQUIRE_FFMPEG=1`).

mod gif_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use camreel::gif::{Dither, GifOptions, GifReader, GifWriter, PaletteMode, read_info};
use camreel::{ErrorKind, Image, PixelFormat};

/// A deterministic moving scene: a diagonal gradient that pans, a square that
/// moves, and +-`noise` levels of pseudo-random noise.
fn scene(w: u32, h: u32, frames: usize, noise: u8) -> Vec<Image> {
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut rnd = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as u32
    };
    (0..frames)
        .map(|f| {
            let mut data = Vec::with_capacity((w * h * 3) as usize);
            for y in 0..h {
                for x in 0..w {
                    let xs = x + 2 * f as u32;
                    let mut px = [
                        (xs * 255 / (w + 2 * frames as u32)) as i32,
                        (y * 200 / h) as i32 + 30,
                        ((2 * xs + y) % 128) as i32 + 60,
                    ];
                    let (sx, sy) = (3 + 3 * f as u32, h / 4 + f as u32);
                    if x >= sx && x < sx + w / 4 && y >= sy && y < sy + h / 3 {
                        px = [220, 40, 30];
                    }
                    for c in &mut px {
                        if noise > 0 {
                            *c += (rnd() % (2 * u32::from(noise) + 1)) as i32 - i32::from(noise);
                        }
                        data.push((*c).clamp(0, 255) as u8);
                    }
                }
            }
            Image::new(PixelFormat::Rgb888, w, h, data).unwrap()
        })
        .collect()
}

fn to_gray(img: &Image) -> Image {
    let d: Vec<u8> = img
        .data()
        .chunks_exact(3)
        .map(|p| {
            ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]) + 128) >> 8) as u8
        })
        .collect();
    Image::new(PixelFormat::Grayscale, img.width(), img.height(), d).unwrap()
}

struct Decoded {
    width: usize,
    height: usize,
    frames: Vec<Vec<u8>>,
    delays: Vec<u16>,
    rects: Vec<(u16, u16, u16, u16)>,
    transparent: Vec<Option<u8>>,
    local_palettes: Vec<Option<Vec<u8>>>,
    global_palette: Option<Vec<u8>>,
    repeat: gif::Repeat,
}

/// Decodes with the `gif` crate and composites every frame (RGB).
fn decode(bytes: &[u8]) -> Decoded {
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::Indexed);
    let mut dec = opts.read_info(bytes).expect("gif header decodes");
    let (w, h) = (usize::from(dec.width()), usize::from(dec.height()));
    let global_palette = dec.global_palette().map(<[u8]>::to_vec);
    let mut canvas = vec![0u8; w * h * 3];
    let mut out = Decoded {
        width: w,
        height: h,
        frames: Vec::new(),
        delays: Vec::new(),
        rects: Vec::new(),
        transparent: Vec::new(),
        local_palettes: Vec::new(),
        global_palette: global_palette.clone(),
        repeat: gif::Repeat::Finite(0),
    };
    while let Some(frame) = dec.read_next_frame().expect("frame decodes") {
        let palette = frame
            .palette
            .clone()
            .or_else(|| global_palette.clone())
            .expect("a colour table");
        let saved = canvas.clone();
        let (l, t, fw, fh) = (
            usize::from(frame.left),
            usize::from(frame.top),
            usize::from(frame.width),
            usize::from(frame.height),
        );
        assert!(
            l + fw <= w && t + fh <= h,
            "frame rectangle inside the screen"
        );
        for y in 0..fh {
            for x in 0..fw {
                let i = frame.buffer[y * fw + x];
                if Some(i) == frame.transparent {
                    continue;
                }
                let p = usize::from(i) * 3;
                assert!(p + 3 <= palette.len(), "index {i} inside the palette");
                let c = ((t + y) * w + l + x) * 3;
                canvas[c..c + 3].copy_from_slice(&palette[p..p + 3]);
            }
        }
        out.frames.push(canvas.clone());
        out.delays.push(frame.delay);
        out.rects
            .push((frame.left, frame.top, frame.width, frame.height));
        out.transparent.push(frame.transparent);
        out.local_palettes.push(frame.palette.clone());
        match frame.dispose {
            gif::DisposalMethod::Background => {
                for y in t..t + fh {
                    canvas[(y * w + l) * 3..(y * w + l + fw) * 3].fill(0);
                }
            }
            gif::DisposalMethod::Previous => canvas = saved,
            _ => {}
        }
    }
    out.repeat = dec.repeat();
    out
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let se: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum();
    let mse = se / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}

fn rgb_of(img: &Image) -> Vec<u8> {
    match img.format() {
        PixelFormat::Rgb888 => img.data().to_vec(),
        PixelFormat::Grayscale => img.data().iter().flat_map(|&v| [v, v, v]).collect(),
        f => panic!("test source in {f}"),
    }
}

/// `frames` shown for `delay` centiseconds each.
fn encode(frames: &[Image], options: GifOptions, delay: u16) -> Vec<u8> {
    let (w, h) = frames[0].size();
    let mut g = GifWriter::with_options(Vec::new(), w, h, options).unwrap();
    for f in frames {
        g.add_frame(f, cs(delay)).unwrap();
    }
    assert_eq!(g.frames(), frames.len() as u64);
    g.into_inner().unwrap()
}

/// `n` centiseconds.
fn cs(n: u16) -> Duration {
    Duration::from_millis(u64::from(n) * 10)
}

fn has_netscape(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"NETSCAPE2.0")
}

/// Checks count, delays, loop and per-frame PSNR >= `min_db`; returns the mean PSNR.
fn check(bytes: &[u8], src: &[Image], delay: u16, looping: bool, min_db: f64) -> f64 {
    let d = decode(bytes);
    assert_eq!(&bytes[..6], b"GIF89a");
    assert_eq!(bytes.last(), Some(&0x3B), "trailer");
    assert_eq!(
        (d.width, d.height),
        (src[0].width() as usize, src[0].height() as usize)
    );
    assert_eq!(d.frames.len(), src.len());
    assert!(
        d.delays.iter().all(|&x| x == delay),
        "delays {:?}",
        d.delays
    );
    assert_eq!(has_netscape(bytes), looping);
    assert_eq!(
        d.repeat,
        if looping {
            gif::Repeat::Infinite
        } else {
            gif::Repeat::Finite(0)
        }
    );
    let mut sum = 0.0;
    for (i, (got, want)) in d.frames.iter().zip(src).enumerate() {
        let p = psnr(got, &rgb_of(want));
        assert!(p >= min_db, "frame {i}: {p:.2} dB < {min_db} dB");
        sum += p.min(99.0);
    }
    let info = read_info(bytes).unwrap();
    assert_eq!(info.frames.len(), src.len());
    assert_eq!(info.loop_count, if looping { Some(0) } else { None });
    assert_eq!(
        info.duration(),
        cs(delay) * u32::try_from(src.len()).unwrap()
    );
    ffprobe_check(bytes, src.len(), f64::from(delay) / 100.0);
    let mean = sum / src.len() as f64;
    eprintln!(
        "{} frames, {} bytes, mean {mean:.2} dB",
        src.len(),
        bytes.len()
    );
    mean
}

fn require_ffmpeg() -> bool {
    std::env::var("CAMREEL_REQUIRE_FFMPEG").is_ok_and(|v| v == "1")
}

/// ffprobe's frame count and per-frame durations, when ffprobe is there.
fn ffprobe_check(bytes: &[u8], frames: usize, seconds: f64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("probe.gif");
    std::fs::write(&path, bytes).unwrap();
    let Some(durations) = ffprobe_durations(&path) else {
        return;
    };
    assert_eq!(durations.len(), frames, "ffprobe frame count");
    for d in durations {
        assert!(
            (d - seconds).abs() < 1e-6,
            "ffprobe duration {d} != {seconds}"
        );
    }
}

fn ffprobe_durations(path: &Path) -> Option<Vec<f64>> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .arg("frame=pkt_duration_time")
        .args(["-of", "csv=p=0"])
        .arg(path)
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            assert!(
                !require_ffmpeg(),
                "CAMREEL_REQUIRE_FFMPEG=1 but ffprobe cannot run: {e}"
            );
            eprintln!("skipping the ffprobe check: ffprobe not available ({e})");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "ffprobe failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                l.trim()
                    .trim_end_matches(',')
                    .parse::<f64>()
                    .expect("a duration")
            })
            .collect(),
    )
}

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
    let mut enc = camreel::codec::jpeg::JpegEncoder::new(95).unwrap();
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
    let mut r = GifReader::new(&bytes[..]).unwrap();
    assert_eq!((r.size(), r.loop_count()), ((40, 24), Some(0)));
    let mut img = Image::empty();
    let mut n = 0;
    while let Some(info) = r.read_frame_into(&mut img).unwrap() {
        assert_eq!(info.sequence, n as u64);
        assert_eq!(info.timestamp, cs(6) * u32::try_from(n).unwrap());
        assert_eq!(img.format(), PixelFormat::Rgb888);
        assert_eq!(img.data(), &want.frames[n][..]);
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
    let mut r = GifReader::new(&bytes[..]).unwrap();
    let mut img = Image::empty();
    for (i, w) in want.frames.iter().enumerate() {
        let info = r.read_frame_into(&mut img).unwrap().unwrap();
        assert_eq!(info.timestamp, cs(5) * u32::try_from(i).unwrap());
        assert_eq!(img.data(), &w[..], "frame {i}");
    }
    // After the background disposal the patch is black, the rest red; the
    // blue patch is gone again after "previous".
    let last = &want.frames[3];
    assert_eq!(&last[..3], &[255, 0, 0]);
    assert_eq!(&last[(4 + 1) * 3..(4 + 1) * 3 + 3], &[0, 0, 0]);
    assert_eq!(&last[15 * 3..], &[255, 255, 255]);
    assert_eq!(r.read_frame_into(&mut img).unwrap(), None);
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

mod props {
    use super::*;
    use proptest::prelude::*;

    /// A small animation to damage: two colour frames, the second cropped and
    /// partly transparent, with the loop extension.
    fn seed_gif() -> Vec<u8> {
        encode(&scene(12, 8, 3, 4), GifOptions::new(), 7)
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(128) })]

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
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--palette"));
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
    let mixed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v2_0_mixed.bin");
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
    // 10 ms is raised to 2 cs, and the next frames give the time back.
    assert_eq!(d.delays, vec![2, 2, 2, 4, 5, 6, 7, 7]);
    // Frame 0 is the 2x2 RGB565 red, green / blue, white.
    assert_eq!(
        d.frames[0],
        vec![255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]
    );

    // The OpenMV IDE's V1.0 JPEG recording, 40 ms apart, scaled with --width.
    let ide = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v1_0_ide_jpeg.bin");
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
    // `info` names the frame and the byte where the file ends.
    let out = Command::new(exe)
        .arg("info")
        .arg(&gif_path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&want), "{err}");
}
