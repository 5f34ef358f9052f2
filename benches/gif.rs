//! GifWriter throughput on a 320x240 moving sequence (the shape of the shared
//! bench's case 5): a panning textured scene with moving discs and noise,
//! generated here so the bench needs no files. `Throughput::Bytes` counts the
//! RGB888 input bytes of the whole sequence.
//!
//! For the side-by-side comparison with Pillow, ffmpeg and gifski on the
//! exact case-5 frames, run `scripts/gif_compare.sh`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use camreel::gif::{Dither, GifOptions, GifWriter, PaletteMode};
use camreel::{Image, PixelFormat};

const W: u32 = 320;
const H: u32 = 240;
const FRAMES: usize = 30;

/// A camera-like sequence: sky gradient, textured ground that pans 2 px per
/// frame, two moving discs, +-2 levels of noise.
fn sequence() -> Vec<Image> {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 5) as i32 - 2
    };
    (0..FRAMES)
        .map(|f| {
            let mut data = Vec::with_capacity((W * H * 3) as usize);
            for y in 0..H as i32 {
                for x in 0..W as i32 {
                    let wx = x + 2 * f as i32;
                    let mut px = if y < 140 {
                        [90 + y / 3, 130 + y / 4, 220 - y / 5]
                    } else {
                        let t = ((wx * 7 + y * 13) % 23 + (wx / 3 + y) % 11) * 3;
                        [70 + t / 2, 110 + t, 50 + t / 3]
                    };
                    for (cx, cy, r, c) in [
                        (40 + 5 * f as i32, 80, 30, [220, 200, 40]),
                        (250 - 3 * f as i32, 170, 24, [200, 40, 30]),
                    ] {
                        if (x - cx).pow(2) + (y - cy).pow(2) < r * r {
                            px = c;
                        }
                    }
                    for v in px {
                        data.push((v + noise()).clamp(0, 255) as u8);
                    }
                }
            }
            Image::new(PixelFormat::Rgb888, W, H, data).expect("frame size")
        })
        .collect()
}

fn encode(frames: &[Image], options: GifOptions) -> usize {
    let mut gif = GifWriter::with_options(Vec::new(), W, H, options).expect("header");
    for f in frames {
        gif.add_frame(f, std::time::Duration::from_millis(100))
            .expect("frame");
    }
    gif.into_inner().expect("trailer").len()
}

fn bench(c: &mut Criterion) {
    let frames = sequence();
    let mut group = c.benchmark_group("gif_320x240x30");
    group.throughput(Throughput::Bytes((W * H * 3) as u64 * FRAMES as u64));
    group.sample_size(10);
    for (name, options) in [
        ("adaptive", GifOptions::new()),
        ("adaptive_lossless_lzw", GifOptions::new().lossy(0)),
        (
            "adaptive_floyd_steinberg",
            GifOptions::new().dither(Dither::ErrorDiffusion),
        ),
        (
            "adaptive_ordered",
            GifOptions::new().dither(Dither::Ordered),
        ),
        ("fixed", GifOptions::new().palette(PaletteMode::Fixed)),
    ] {
        eprintln!(
            "{name}: {} bytes for {FRAMES} frames",
            encode(&frames, options)
        );
        group.bench_with_input(BenchmarkId::from_parameter(name), &frames, |b, frames| {
            b.iter(|| encode(frames, options));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
