//! Motion-JPEG AVI benchmarks.
//!
//! * `avi_passthrough`: 300 already-encoded 640x480 JPEG frames written to a
//!   file, by `MjpegWriter::add_jpeg` versus a raw `write_all` of the same
//!   bytes (the writer's overhead; target >= 0.9x the raw write).
//!
//! Frames: the anchors' case-4 sequence when `CAMREEL_ANCHOR_INPUTS` names
//! a directory written by `python3 /work/shared/bench/anchors.py --cases 4
//! --dump-inputs DIR` (file `seq_rgb24_640x480_x300.bin`), else a synthetic
//! sequence of the same size.
//!
//! Run: `cargo bench --bench avi -- --quick` (add `--features turbojpeg`
//! for the libjpeg-turbo encoder).

use std::fs::File;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use camreel::avi::{FrameRate, MjpegWriterBuilder};
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
            w.finish().expect("finish");
        })
    });
    g.finish();
}

criterion_group!(benches, passthrough);
criterion_main!(benches);
