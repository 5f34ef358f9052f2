//! JPEG encode (q85, 640x480 and 1920x1080, every compiled-in backend, RGB888
//! and YUV420 input) and decode throughput.
//!
//! Input: the anchor scene when `anchors.py --dump-inputs DIR` has written it
//! (DIR from `CAMREEL_ANCHOR_INPUTS`, default `/tmp/anchor_inputs`), so sizes and
//! timings compare with OpenCV's `imencode` on the same bytes; otherwise a
//! generated gradient with noise. Bytes and PSNR of each backend are printed
//! once before timing.
//!
//! ```text
//! python3 /work/shared/bench/anchors.py --cases 3 --quick --dump-inputs /tmp/anchor_inputs
//! cargo bench --bench jpeg --features turbojpeg -- --quick
//! ```

use std::hint::black_box;
use std::path::PathBuf;

use camreel::codec::Quality;
use camreel::codec::jpeg::{self, Backend, JpegEncoder, Subsampling};
use camreel::{ImageRef, PixelFormat};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SIZES: [(u32, u32); 2] = [(640, 480), (1920, 1080)];

/// The anchor scene's RGB bytes, or a generated stand-in.
fn scene(width: u32, height: u32) -> (Vec<u8>, &'static str) {
    let dir = std::env::var_os("CAMREEL_ANCHOR_INPUTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/anchor_inputs"));
    let path = dir.join(format!("rgb24_{width}x{height}.bin"));
    let size = width as usize * height as usize * 3;
    if let Ok(bytes) = std::fs::read(&path)
        && bytes.len() == size
    {
        return (bytes, "anchor scene");
    }
    // Gradient plus xorshift noise of +-4 levels.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut data = Vec::with_capacity(size);
    for y in 0..height {
        for x in 0..width {
            for c in 0..3u32 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let base = (x * 255 / width + y * 127 / height + c * 60) % 256;
                let noise = (state % 9) as i32 - 4;
                data.push((base as i32 + noise).clamp(0, 255) as u8);
            }
        }
    }
    (data, "generated gradient")
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let se: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| {
            let d = f64::from(x) - f64::from(y);
            d * d
        })
        .sum();
    let mse = se / a.len() as f64;
    10.0 * (255.0 * 255.0 / mse).log10()
}

/// BT.601 limited-range I420 from RGB (the bench's own, for the YUV input case).
fn to_i420(rgb: &[u8], width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut out = vec![0u8; w * h + 2 * cw * ch];
    let (luma, chroma) = out.split_at_mut(w * h);
    let (u, v) = chroma.split_at_mut(cw * ch);
    for y in 0..h {
        for x in 0..w {
            let p = &rgb[(y * w + x) * 3..][..3];
            let (r, g, b) = (f64::from(p[0]), f64::from(p[1]), f64::from(p[2]));
            luma[y * w + x] = (16.0 + 0.257 * r + 0.504 * g + 0.098 * b).round() as u8;
            if x % 2 == 0 && y % 2 == 0 {
                let i = (y / 2) * cw + x / 2;
                u[i] = (128.0 - 0.148 * r - 0.291 * g + 0.439 * b).round() as u8;
                v[i] = (128.0 + 0.439 * r - 0.368 * g - 0.071 * b).round() as u8;
            }
        }
    }
    out
}

fn backends() -> Vec<Backend> {
    [Backend::JpegEncoder, Backend::TurboJpeg, Backend::Native]
        .into_iter()
        .filter(|b| b.is_available())
        .collect()
}

fn encode(c: &mut Criterion) {
    for (width, height) in SIZES {
        let (rgb, source) = scene(width, height);
        let image = ImageRef::new(PixelFormat::Rgb888, width, height, &rgb).unwrap();
        let i420 = to_i420(&rgb, width, height);
        let yuv = ImageRef::new(PixelFormat::Yuv420, width, height, &i420).unwrap();
        let mut group = c.benchmark_group(format!("jpeg_encode_q85_{width}x{height}"));
        group.throughput(Throughput::Bytes(rgb.len() as u64));
        for backend in backends() {
            let mut encoder = JpegEncoder::with_backend(Quality::DEFAULT, backend).unwrap();
            let mut out = Vec::new();
            for (input, name) in [(image, "rgb888"), (yuv, "yuv420")] {
                out.clear();
                encoder.encode(input, &mut out).unwrap();
                let decoded = jpeg::decode(&out).unwrap();
                eprintln!(
                    "{backend} {name} {width}x{height} q85 ({source}): {} bytes, PSNR {:.2} dB vs RGB source",
                    out.len(),
                    psnr(decoded.data(), &rgb)
                );
                group.bench_function(format!("{}/{name}", backend.name()), |b| {
                    b.iter(|| {
                        out.clear();
                        encoder.encode(black_box(input), &mut out).unwrap();
                        black_box(out.len())
                    })
                });
            }
            // The MJPEG AVI writer's settings: 4:4:4, optimised Huffman
            // tables (one interleaved scan, so not jpeg-encoder).
            if backend != Backend::JpegEncoder {
                encoder.set_subsampling(Subsampling::Chroma444);
                encoder.set_optimize_coding(true);
                out.clear();
                encoder.encode(image, &mut out).unwrap();
                let decoded = jpeg::decode(&out).unwrap();
                eprintln!(
                    "{backend} rgb888 {width}x{height} q85 4:4:4 optimised ({source}): {} bytes, PSNR {:.2} dB",
                    out.len(),
                    psnr(decoded.data(), &rgb)
                );
                group.bench_function(format!("{}/rgb888-444-optimized", backend.name()), |b| {
                    b.iter(|| {
                        out.clear();
                        encoder.encode(black_box(image), &mut out).unwrap();
                        black_box(out.len())
                    })
                });
            }
        }
        group.finish();
    }
}

fn decode(c: &mut Criterion) {
    let (width, height) = SIZES[0];
    let (rgb, _) = scene(width, height);
    let image = ImageRef::new(PixelFormat::Rgb888, width, height, &rgb).unwrap();
    let mut file = Vec::new();
    JpegEncoder::new(Quality::DEFAULT)
        .unwrap()
        .encode(image, &mut file)
        .unwrap();
    let mut group = c.benchmark_group(format!("jpeg_decode_q85_{width}x{height}"));
    group.throughput(Throughput::Bytes(rgb.len() as u64));
    let mut decoder = jpeg::JpegDecoder::new();
    let mut out = camreel::Image::empty();
    group.bench_function("zune-jpeg", |b| {
        b.iter(|| decoder.decode_into(black_box(&file), &mut out).unwrap())
    });
    group.finish();
}

criterion_group!(benches, encode, decode);
criterion_main!(benches);
