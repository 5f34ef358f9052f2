//! Steady-state motion estimation allocates nothing: proved with a counting
//! global allocator (in its own test binary, so that it does not affect
//! other tests). Counts are per thread, so the test harness's own threads do
//! not disturb them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

use camreel::frame::Frame;
use camreel::motion::{
    DetectorOptions, Kernel, MotionAnalysisSink, MotionDetector, MotionEstimator, MotionFrame,
    MotionOptions, MotionOutput,
};
use camreel::sink::FrameSink;
use camreel::{Image, PixelFormat};

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn note() {
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards every call to the system allocator unchanged; the
// counter is a thread-local `Cell` with a const initialiser and no
// destructor, so touching it never allocates or re-enters the allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
fn count<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let a0 = ALLOCS.with(Cell::get);
    let out = f();
    (ALLOCS.with(Cell::get) - a0, out)
}

/// Four frames of a texture drifting right and down, in `format`.
fn frames(format: PixelFormat, w: u32, h: u32) -> Vec<Image> {
    (0..4u32)
        .map(|k| {
            let gray: Vec<u8> = (0..w * h)
                .map(|i| {
                    let (x, y) = (i % w + 100 - 3 * k, i / w + 100 - k);
                    ((x * 7 + y * 13) ^ (x * y) ^ (x >> 2)) as u8
                })
                .collect();
            let g = Image::new(PixelFormat::Grayscale, w, h, gray).unwrap();
            camreel::convert::convert(g.view(), format).unwrap()
        })
        .collect()
}

#[test]
fn estimating_frames_allocates_nothing_once_sized() {
    let mut kernels = vec![Kernel::Scalar];
    if Kernel::Avx2.is_available() {
        kernels.push(Kernel::Avx2);
    }
    for kernel in kernels {
        for format in [
            PixelFormat::Grayscale,
            PixelFormat::Yuv420,
            PixelFormat::Nv12,
            PixelFormat::Yuv422,
            PixelFormat::Rgb888,
            PixelFormat::Rgb565,
        ] {
            let frames = frames(format, 72, 40);
            let opts = MotionOptions::default()
                .with_search_range(8)
                .with_kernel(kernel);
            let mut est = MotionEstimator::new(opts).unwrap();
            let mut out = Vec::new();
            // Warm-up: the first frame sizes every buffer.
            est.estimate_into(frames[0].view(), &mut out).unwrap();
            let (allocs, moved) = count(|| {
                let mut moved = 0;
                for round in 0..3 {
                    for f in frames.iter().skip(usize::from(round == 0)) {
                        est.estimate_into(f.view(), &mut out).unwrap();
                        moved += out.chunks_exact(4).filter(|r| r[0] != 0).count();
                        est.estimate(f.view(), &mut out).unwrap();
                    }
                }
                moved
            });
            assert_eq!(allocs, 0, "{kernel:?} {format}");
            assert!(moved > 0, "{kernel:?} {format}: no motion found");
        }
    }
}

#[test]
fn motion_sinks_and_the_detector_allocate_nothing_once_sized() {
    let frames = frames(PixelFormat::Yuv420, 96, 64);
    let frame = |i: usize| Frame {
        image: frames[i % 4].view(),
        sequence: i as u64,
        timestamp: Duration::from_millis(33 * i as u64),
    };
    let opts = MotionOptions::default().with_search_range(6);

    let mut out = MotionOutput::new(std::io::sink(), opts).unwrap();
    out.write_frame(&frame(0)).unwrap();
    let (allocs, ()) = count(|| {
        for i in 1..20 {
            out.write_frame(&frame(i)).unwrap();
        }
    });
    assert_eq!(allocs, 0, "motion output");

    let mut detector = MotionDetector::new(DetectorOptions::default().with_min_blocks(2));
    let mut moving = 0;
    let mut sink = MotionAnalysisSink::new(
        |f: &MotionFrame<'_>| {
            moving += detector.update(f)?.moving_blocks;
            Ok(())
        },
        opts,
    )
    .unwrap();
    sink.write_frame(&frame(0)).unwrap();
    let (allocs, ()) = count(|| {
        for i in 1..20 {
            sink.write_frame(&frame(i)).unwrap();
        }
    });
    assert_eq!(allocs, 0, "analysis sink");
    drop(sink);
    assert!(moving > 0);
}
