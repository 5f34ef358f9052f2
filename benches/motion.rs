//! Motion-vector estimation: the exhaustive +-16 block matcher, one thread.
//!
//! * `motion_640x480`: the AVX2 and the portable kernel on consecutive
//!   frames of the anchors' case-4/7 sequence (grayscale), and the AVX2
//!   kernel on the exact frame pair of the anchors' case 7 (numpy full
//!   search 471 ms, OpenCV Farneback 51 ms per frame; ffmpeg's `mestimate`
//!   with 16x16 blocks and range 16 took 28.5 ms per frame with its EPZS
//!   search and 1.49 s with its exhaustive search, issue 11).
//! * `motion_1280x720`, `motion_1920x1080`: the AVX2 kernel on the
//!   synthetic camera's panning scene (the same kind of content).
//!
//! Every iteration estimates one frame against the one before: frames are
//! fed in the order 0, 1, .., n-1, n-2, .., 0, 1, .. so that every pair is
//! two consecutive frames. Throughput is in frames.
//!
//! Frames: the anchors' sequence when `CAMREEL_ANCHOR_INPUTS` (or
//! `/tmp/anchor_inputs`) holds `seq_rgb24_640x480_x300.bin` and
//! `gray_640x480_frame{0,1}.bin`, written by `python3
//! /work/shared/bench/anchors.py --cases 7 --dump-inputs DIR`; else synthetic
//! frames.
//!
//! Run: `cargo bench --bench motion -- --quick`.

use std::hint::black_box;
use std::path::PathBuf;

use camreel::camera::CameraSource;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::motion::{Kernel, MotionEstimator, MotionOptions};
use camreel::{Image, ImageRef, PixelFormat, convert};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Frames in a sequence (enough pairs to average over content).
const N: usize = 30;

fn anchor_dir() -> PathBuf {
    std::env::var_os("CAMREEL_ANCHOR_INPUTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/anchor_inputs"))
}

/// `N` grayscale frames of the anchors' 640x480 sequence, if present.
fn anchor_sequence() -> Option<Vec<Image>> {
    let path = anchor_dir().join("seq_rgb24_640x480_x300.bin");
    let all = std::fs::read(&path).ok()?;
    let frame = 640 * 480 * 3;
    if all.len() != frame * 300 {
        eprintln!("{}: not the anchors' sequence", path.display());
        return None;
    }
    Some(
        all.chunks_exact(frame)
            .take(N)
            .map(|f| {
                let rgb = ImageRef::new(PixelFormat::Rgb888, 640, 480, f).expect("rgb frame");
                convert::convert(rgb, PixelFormat::Grayscale).expect("gray")
            })
            .collect(),
    )
}

/// The two grayscale frames of the anchors' case 7, if present.
fn anchor_pair() -> Option<Vec<Image>> {
    (0..2)
        .map(|i| {
            let path = anchor_dir().join(format!("gray_640x480_frame{i}.bin"));
            let data = std::fs::read(path).ok()?;
            Image::new(PixelFormat::Grayscale, 640, 480, data).ok()
        })
        .collect()
}

/// `N` grayscale frames of the synthetic camera's panning scene.
fn synthetic(w: u32, h: u32) -> Vec<Image> {
    let mut cam = SyntheticCamera::builder()
        .size(w, h)
        .format(PixelFormat::Grayscale)
        .frame_limit(N as u64)
        .build()
        .expect("camera");
    cam.frames().map(|f| f.expect("frame").image).collect()
}

/// Frame order 0, 1, .., n-1, n-2, .., 1, then again.
fn ping_pong(n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.extend((1..n.saturating_sub(1)).rev());
    order
}

fn bench_frames(c: &mut Criterion, group: &str, frames: &[Image], label: &str, kernels: &[Kernel]) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
    let order = ping_pong(frames.len());
    for &kernel in kernels {
        if !kernel.is_available() {
            eprintln!("{kernel:?} kernel not available on this CPU");
            continue;
        }
        let opts = MotionOptions::default().with_kernel(kernel);
        let mut est = MotionEstimator::new(opts).expect("estimator");
        let mut out = Vec::new();
        est.estimate_into(frames[0].view(), &mut out)
            .expect("first frame");
        let mut i = 1;
        g.bench_function(format!("{label}/{kernel:?}"), |b| {
            b.iter(|| {
                let f = &frames[order[i % order.len()]];
                i += 1;
                est.estimate(f.view(), black_box(&mut out))
                    .expect("estimate")
            })
        });
    }
    g.finish();
}

fn vga(c: &mut Criterion) {
    let (frames, label) = match anchor_sequence() {
        Some(f) => (f, "anchor_seq"),
        None => {
            eprintln!(
                "no anchor inputs in {}: synthetic frames",
                anchor_dir().display()
            );
            (synthetic(640, 480), "synthetic_seq")
        }
    };
    bench_frames(
        c,
        "motion_640x480",
        &frames,
        label,
        &[Kernel::Avx2, Kernel::Scalar],
    );
    if let Some(pair) = anchor_pair() {
        bench_frames(
            c,
            "motion_640x480",
            &pair,
            "anchor_case7_pair",
            &[Kernel::Avx2],
        );
    }
}

fn hd(c: &mut Criterion) {
    for (w, h) in [(1280, 720), (1920, 1080)] {
        let frames = synthetic(w, h);
        bench_frames(
            c,
            &format!("motion_{w}x{h}"),
            &frames,
            "synthetic_seq",
            &[Kernel::Avx2],
        );
    }
}

criterion_group!(benches, vga, hd);
criterion_main!(benches);
