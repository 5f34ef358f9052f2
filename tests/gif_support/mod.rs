//! Helpers shared by the GIF integration tests (the library's in
//! `tests/gif.rs` and the command line's in `cli/tests/cli/gif.rs`).
#![allow(dead_code)]

pub mod fuzz_body;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use camreel::gif::{GifOptions, GifWriter, read_info};
use camreel::{Image, PixelFormat};

/// A deterministic moving scene: a diagonal gradient that pans, a square that
/// moves, and +-`noise` levels of pseudo-random noise.
pub fn scene(w: u32, h: u32, frames: usize, noise: u8) -> Vec<Image> {
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

pub fn to_gray(img: &Image) -> Image {
    let d: Vec<u8> = img
        .data()
        .chunks_exact(3)
        .map(|p| {
            ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]) + 128) >> 8) as u8
        })
        .collect();
    Image::new(PixelFormat::Grayscale, img.width(), img.height(), d).unwrap()
}

pub struct Decoded {
    pub width: usize,
    pub height: usize,
    pub frames: Vec<Vec<u8>>,
    pub delays: Vec<u16>,
    pub rects: Vec<(u16, u16, u16, u16)>,
    pub transparent: Vec<Option<u8>>,
    pub local_palettes: Vec<Option<Vec<u8>>>,
    pub global_palette: Option<Vec<u8>>,
    pub repeat: gif::Repeat,
}

/// Decodes with the `gif` crate and composites every frame (RGB).
pub fn decode(bytes: &[u8]) -> Decoded {
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

pub fn psnr(a: &[u8], b: &[u8]) -> f64 {
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

pub fn rgb_of(img: &Image) -> Vec<u8> {
    match img.format() {
        PixelFormat::Rgb888 => img.data().to_vec(),
        PixelFormat::Grayscale => img.data().iter().flat_map(|&v| [v, v, v]).collect(),
        f => panic!("test source in {f}"),
    }
}

/// `n` centiseconds.
pub fn cs(n: u16) -> Duration {
    Duration::from_millis(u64::from(n) * 10)
}

/// `frames` shown for `delay` centiseconds each.
pub fn encode(frames: &[Image], options: GifOptions, delay: u16) -> Vec<u8> {
    let (w, h) = frames[0].size();
    let mut g = GifWriter::with_options(Vec::new(), w, h, options).unwrap();
    for f in frames {
        g.add_frame(f, cs(delay)).unwrap();
    }
    assert_eq!(g.frames(), frames.len() as u64);
    g.into_inner().unwrap()
}

pub fn has_netscape(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"NETSCAPE2.0")
}

/// Checks count, delays, loop and per-frame PSNR >= `min_db`; returns the mean PSNR.
pub fn check(bytes: &[u8], src: &[Image], delay: u16, looping: bool, min_db: f64) -> f64 {
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

pub fn require_ffmpeg() -> bool {
    std::env::var("CAMREEL_REQUIRE_FFMPEG").is_ok_and(|v| v == "1")
}

/// ffprobe's frame count and per-frame durations, when ffprobe is there.
pub fn ffprobe_check(bytes: &[u8], frames: usize, seconds: f64) {
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

pub fn ffprobe_durations(path: &Path) -> Option<Vec<f64>> {
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

/// A hand-made GIF with a 2-colour global palette on a `screen`, one frame
/// of each size in `frames` (its pixels: a clear code, index 1, the end
/// code), and the trailer if asked: tiny files that describe a lot of
/// pixels, for the hostile-input tests.
pub fn tiny_frames_gif(screen: (u16, u16), frames: &[(u16, u16)], trailer: bool) -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&screen.0.to_le_bytes());
    out.extend_from_slice(&screen.1.to_le_bytes());
    out.extend_from_slice(&[0xF0, 0, 0, 0, 0, 0, 255, 255, 255]);
    for (i, &(w, h)) in frames.iter().enumerate() {
        out.extend_from_slice(&[0x21, 0xF9, 4, 0x04, 2, 0, 0, 0, 0x2C]);
        let x = (i % usize::from(screen.0.max(1))) as u16;
        for v in [x, 0, w, h] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        // Min code size 2; codes 4 (clear), 1, 5 (end) in 3 bits each.
        let v: u16 = 4 | (1 << 3) | (5 << 6);
        out.extend_from_slice(&[0, 2, 2, v as u8, (v >> 8) as u8, 0]);
    }
    if trailer {
        out.push(0x3B);
    }
    out
}
