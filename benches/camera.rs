//! Capture throughput: the synthetic camera -> JPEG -> `capture_sequence`
//! burst path at 1024x768 (picamera's headline: 30 fps on a Pi) and the
//! threaded pipeline at 640x480 against the same work on one thread.
//!
//! Throughput is in frames (`Elements`): criterion's "elem/s" is frames per
//! second. Run with `cargo bench --bench camera -- --quick` on a busy machine.

use std::cell::Cell;
use std::ops::ControlFlow;

use camreel::camera::CameraSource;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::capture::pipeline::{Overflow, Pipeline};
use camreel::capture::{CaptureExt, Encoder, JpegCapture};
use camreel::{Image, PixelFormat};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const QUALITY: u8 = 85;
/// Frames per measured run: enough that filling and draining the
/// pipeline (a frame or two) is a small part of the run.
const FRAMES: u64 = 120;

fn camera(width: u32, height: u32) -> SyntheticCamera {
    SyntheticCamera::builder()
        .size(width, height)
        .format(PixelFormat::Rgb888)
        .build()
        .expect("synthetic camera")
}

/// An output that only counts bytes, so the numbers measure capture and
/// encoding.
struct Count<'a>(&'a Cell<u64>);

impl std::io::Write for Count<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + b.len() as u64);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn parts(c: &mut Criterion) {
    // The two halves of the work, to see where a frame's time goes.
    let mut g = c.benchmark_group("parts");
    g.throughput(Throughput::Elements(1));
    for (w, h) in [(640, 480), (1024, 768)] {
        let mut cam = camera(w, h);
        g.bench_function(format!("synthetic_rgb888_{w}x{h}"), |b| {
            b.iter(|| cam.next_frame().unwrap().unwrap().sequence)
        });
        let frame: Image = camera(w, h).render(0).unwrap();
        let mut jpeg = JpegCapture::new(QUALITY).unwrap();
        let mut out = Vec::new();
        g.bench_function(format!("jpeg_q{QUALITY}_{w}x{h}"), |b| {
            b.iter(|| {
                out.clear();
                jpeg.encode(frame.view(), &mut out).unwrap();
                out.len()
            })
        });
    }
    g.finish();
}

fn capture_sequence(c: &mut Criterion) {
    let mut g = c.benchmark_group("capture_sequence_jpeg");
    g.throughput(Throughput::Elements(FRAMES));
    g.sample_size(10);
    for (w, h) in [(1024, 768), (640, 480)] {
        let mut cam = camera(w, h);
        let mut jpeg = JpegCapture::new(QUALITY).unwrap();
        g.bench_function(format!("{w}x{h}"), |b| {
            b.iter(|| {
                let bytes = Cell::new(0);
                let outputs = (0..FRAMES).map(|_| Count(&bytes));
                let n = cam.capture_sequence(outputs, &mut jpeg).unwrap();
                assert_eq!(n, FRAMES);
                bytes.get()
            })
        });
    }
    g.finish();
}

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("pipeline_jpeg_640x480");
    g.throughput(Throughput::Elements(FRAMES));
    g.sample_size(10);
    let mut cam = camera(640, 480);
    for workers in [1usize, 2] {
        g.bench_function(format!("{workers}_workers"), |b| {
            b.iter(|| {
                let mut bytes = 0usize;
                let stats = Pipeline::new()
                    .workers(workers)
                    .queue(4)
                    .overflow(Overflow::Block)
                    .limit(FRAMES)
                    .run_init(
                        &mut cam,
                        // Each worker's encoder and output buffer, built once.
                        || Ok((JpegCapture::new(QUALITY)?, Vec::new())),
                        |(jpeg, out), frame| {
                            out.clear();
                            jpeg.encode(frame.image.view(), out)?;
                            Ok(out.len())
                        },
                        |_, n| {
                            bytes += n;
                            Ok(ControlFlow::Continue(()))
                        },
                    )
                    .unwrap();
                assert_eq!((stats.delivered, stats.dropped), (FRAMES, 0));
                bytes
            })
        });
    }
    g.finish();
}

criterion_group!(benches, parts, capture_sequence, pipeline);
criterion_main!(benches);
