//! Pixel-format conversion throughput (single thread).
//!
//! Compare with /work/shared/bench (OpenCV / numpy anchors, cases 1 and 2):
//! `cargo bench --bench convert -- --quick` and
//! `python3 shared/bench/anchors.py --cases 1,2 --quick`.

use std::hint::black_box;

use camreel::convert::{self, ConvertOptions, Demosaic, raw10, rgb565, yuv};
use camreel::{BayerOrder, Image, ImageRef, PixelFormat};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Deterministic camera-like bytes: a gradient plus xorshift noise.
fn bytes(n: usize, seed: u32) -> Vec<u8> {
    let mut s = seed | 1;
    (0..n)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            ((i / 7) as u32).wrapping_add(s & 15) as u8
        })
        .collect()
}

fn yuv420(c: &mut Criterion) {
    let mut g = c.benchmark_group("yuv420_to_rgb888");
    for (w, h) in [(1920u32, 1080u32), (640, 480)] {
        let size = PixelFormat::Yuv420.payload_size(w, h).unwrap();
        let data = bytes(size, w);
        let src = ImageRef::new(PixelFormat::Yuv420, w, h, &data).unwrap();
        let (y, u, v) = src.yuv420_planes().unwrap();
        let mut out = vec![0u8; 3 * (w * h) as usize];
        g.throughput(Throughput::Elements(u64::from(w * h)));
        g.bench_function(format!("{w}x{h}/slice"), |b| {
            b.iter(|| yuv::i420_to_rgb(y, u, v, w, h, black_box(&mut out)).unwrap())
        });
        let mut dst = Image::empty();
        g.bench_function(format!("{w}x{h}/convert_into"), |b| {
            b.iter(|| convert::convert_into(src, PixelFormat::Rgb888, black_box(&mut dst)).unwrap())
        });
    }
    g.finish();
}

fn yuv422(c: &mut Criterion) {
    let mut g = c.benchmark_group("yuv422_to_rgb888");
    for (w, h) in [(1920u32, 1080u32), (640, 480)] {
        let data = bytes(2 * (w * h) as usize, w ^ 5);
        let src = ImageRef::new(PixelFormat::Yuv422, w, h, &data).unwrap();
        let mut dst = Image::empty();
        g.throughput(Throughput::Elements(u64::from(w * h)));
        g.bench_function(format!("{w}x{h}/convert_into"), |b| {
            b.iter(|| convert::convert_into(src, PixelFormat::Rgb888, black_box(&mut dst)).unwrap())
        });
    }
    g.finish();
}

/// A picamera OV5647 frame: 2592x1944 RAW10 BGGR, rows of 3264 bytes.
fn raw10_frame() -> (Vec<u8>, u32, u32, usize) {
    let (w, h, stride) = (2592u32, 1944u32, 3264usize);
    (bytes(stride * h as usize, 7), w, h, stride)
}

fn raw10(c: &mut Criterion) {
    let (data, w, h, stride) = raw10_frame();
    let src =
        ImageRef::with_stride(PixelFormat::Raw10(BayerOrder::Bggr), w, h, stride, &data).unwrap();
    let mut g = c.benchmark_group("raw10_2592x1944");
    g.sample_size(20);
    g.throughput(Throughput::Elements(u64::from(w * h)));
    let mut unpacked = Image::empty();
    g.bench_function("unpack", |b| {
        b.iter(|| raw10::unpack(src, black_box(&mut unpacked)).unwrap())
    });
    let mut dst = Image::empty();
    for algo in Demosaic::ALL {
        let opts = ConvertOptions::default().with_demosaic(algo);
        g.bench_function(format!("unpack+{algo}/rgb888"), |b| {
            b.iter(|| {
                convert::convert_with(src, PixelFormat::Rgb888, &opts, black_box(&mut dst)).unwrap()
            })
        });
    }
    let opts = ConvertOptions::default();
    g.bench_function("unpack+bilinear/rgb48", |b| {
        b.iter(|| {
            convert::convert_with(src, PixelFormat::Rgb48, &opts, black_box(&mut dst)).unwrap()
        })
    });
    g.finish();
}

fn rgb565(c: &mut Criterion) {
    let (w, h) = (320u32, 240u32);
    let data = bytes(2 * (w * h) as usize, 3);
    let mut out = vec![0u8; 3 * (w * h) as usize];
    let mut g = c.benchmark_group("rgb565_to_rgb888");
    g.throughput(Throughput::Elements(u64::from(w * h)));
    g.bench_function("320x240", |b| {
        b.iter(|| rgb565::rgb565_to_rgb888(&data, black_box(&mut out)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, yuv420, yuv422, raw10, rgb565);
criterion_main!(benches);
