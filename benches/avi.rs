//! Motion-JPEG AVI benchmarks.
//!
//! * `avi_passthrough`: 300 already-encoded 640x480 JPEG frames written to a
//!   file, by `MjpegWriter::add_jpeg` versus a raw `write_all` of the same
//!   bytes (the writer's overhead; target >= 0.9x the raw write).
//! * `avi_record_rgb`: the whole recording of 300 RGB888 640x480 frames into
//!   an AVI file (writer set-up, `add_frame` of every frame, `finish`), as
//!   the anchors' case 4 times OpenCV's `VideoWriter`: the sequential
//!   `MjpegWriter` and `ParallelMjpegWriter` on 2 threads, at the settings
//!   that give fewer bytes and a higher PSNR than OpenCV's fastest writer
//!   (7.77 MB, 36.6 dB; see `matched`), and at the writer's defaults
//!   (quality 85, 4:2:0).
//!   Throughput is in frames per second. `examples/avi_compare.rs` prints
//!   the bytes and PSNR of the same recording.
//!
//! Frames: the anchors' case-4 sequence when `CAMREEL_ANCHOR_INPUTS` names
//! a directory written by `python3 /work/shared/bench/anchors.py --cases 4
//! --dump-inputs DIR` (file `seq_rgb24_640x480_x300.bin`), else a synthetic
//! sequence of the same size.
//!
//! Run: `CAMREEL_ANCHOR_INPUTS=/tmp/anchor_inputs cargo bench --bench avi
//! --features turbojpeg -- --quick` (without the feature: the pure-Rust
//! encoder).

use std::fs::File;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use camreel::avi::{FrameOptions, MjpegWriterBuilder, ParallelMjpegWriter};
use camreel::codec::jpeg::{Backend, Subsampling};
use camreel::timing::FrameRate;
use camreel::{ImageRef, PixelFormat};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const W: usize = 640;
const H: usize = 480;
const N: usize = 300;

/// 300 RGB888 640x480 frames.
fn frames() -> Vec<Vec<u8>> {
    let frame = W * H * 3;
    if let Ok(dir) = std::env::var("CAMREEL_ANCHOR_INPUTS") {
        let path = Path::new(&dir).join("seq_rgb24_640x480_x300.bin");
        match std::fs::read(&path) {
            Ok(all) if all.len() == frame * N => {
                return all.chunks_exact(frame).map(<[u8]>::to_vec).collect();
            }
            _ => eprintln!(
                "{}: not the anchors' sequence, using synthetic frames",
                path.display()
            ),
        }
    }
    (0..N)
        .map(|i| {
            let mut f = Vec::with_capacity(frame);
            let mut seed = 0x9E37_79B9u32.wrapping_mul(i as u32 + 1);
            for y in 0..H {
                for x in 0..W {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    let noise = (seed & 7) as usize;
                    let xs = (x + 2 * i) % W;
                    f.push(((xs * 255) / W + noise) as u8);
                    f.push(((y * 255) / H + noise) as u8);
                    f.push((((xs / 40 + y / 40) % 2) * 160 + noise * 4) as u8);
                }
            }
            f
        })
        .collect()
}

fn encode_all(frames: &[Vec<u8>], quality: u8) -> Vec<Vec<u8>> {
    frames
        .iter()
        .map(|f| {
            let mut out = Vec::new();
            jpeg_encoder::Encoder::new(&mut out, quality)
                .encode(f, W as u16, H as u16, jpeg_encoder::ColorType::Rgb)
                .expect("encode");
            out
        })
        .collect()
}

fn passthrough(c: &mut Criterion) {
    let jpegs = encode_all(&frames(), 85);
    let bytes: u64 = jpegs.iter().map(|j| j.len() as u64).sum();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.avi");
    let mut g = c.benchmark_group("avi_passthrough");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(20);
    g.bench_function("raw_write_300x640x480", |b| {
        b.iter(|| {
            let mut f = File::create(&path).expect("create");
            for j in &jpegs {
                f.write_all(black_box(j)).expect("write");
            }
        })
    });
    g.bench_function("mjpeg_writer_300x640x480", |b| {
        b.iter(|| {
            let f = File::create(&path).expect("create");
            let mut w = MjpegWriterBuilder::new(W as u32, H as u32)
                .frame_rate(FrameRate::new(30, 1).expect("rate"))
                .build(f)
                .expect("writer");
            for j in &jpegs {
                w.add_jpeg(black_box(j), None).expect("add");
            }
            w.into_inner().expect("finish");
        })
    });
    g.finish();
}

/// Quality, subsampling and Huffman optimisation of a recording.
#[derive(Clone, Copy)]
struct Settings {
    name: &'static str,
    quality: u8,
    subsampling: Subsampling,
    optimize: bool,
}

/// The settings that beat OpenCV's fastest writer on bytes and PSNR: with
/// libjpeg-turbo quality 68, 4:4:4, optimised Huffman tables (7.57 MB,
/// 37.6 dB); the pure-Rust encoder has no optimised tables for MJPEG, so
/// quality 62, 4:4:4 (7.70 MB, 37.1 dB).
fn matched() -> Settings {
    if Backend::default_backend() == Backend::TurboJpeg {
        Settings {
            name: "q68_444_opt",
            quality: 68,
            subsampling: Subsampling::Chroma444,
            optimize: true,
        }
    } else {
        Settings {
            name: "q62_444",
            quality: 62,
            subsampling: Subsampling::Chroma444,
            optimize: false,
        }
    }
}

const DEFAULTS: Settings = Settings {
    name: "q85_420",
    quality: 85,
    subsampling: Subsampling::Chroma420,
    optimize: false,
};

fn record(path: &Path, frames: &[ImageRef<'_>], s: Settings, threads: usize) {
    let file = std::io::BufWriter::new(File::create(path).expect("create"));
    let writer = MjpegWriterBuilder::new(W as u32, H as u32)
        .frame_rate(FrameRate::new(30, 1).expect("rate"))
        .quality(s.quality)
        .subsampling(s.subsampling)
        .optimize_coding(s.optimize)
        .build(file)
        .expect("writer");
    let options = FrameOptions::new();
    if threads == 0 {
        let mut w = writer;
        for f in frames {
            w.add_frame(*f, &options).expect("add");
        }
        w.into_inner().expect("finish");
    } else {
        let mut w = ParallelMjpegWriter::new(writer, threads).expect("pool");
        for f in frames {
            w.add_frame(*f, &options).expect("add");
        }
        w.finish().expect("finish");
    }
}

fn record_rgb(c: &mut Criterion) {
    let raw = frames();
    let frames: Vec<ImageRef<'_>> = raw
        .iter()
        .map(|f| ImageRef::new(PixelFormat::Rgb888, W as u32, H as u32, f).expect("frame"))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rec.avi");
    let mut g = c.benchmark_group("avi_record_rgb");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    for s in [matched(), DEFAULTS] {
        for (label, threads) in [("sequential", 0), ("parallel2", 2)] {
            g.bench_function(format!("{label}_{}_300x640x480", s.name), |b| {
                b.iter(|| record(&path, &frames, s, threads))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, passthrough, record_rgb);
criterion_main!(benches);
