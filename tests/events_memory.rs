//! Event recording's memory stays bounded: a 10-minute simulated run (a
//! camera on a manual clock, so it takes seconds) with events coming and
//! going and one that never stops, measured with a counting global
//! allocator (in its own test binary, so that no other test disturbs it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use camreel::PixelFormat;
use camreel::camera::CameraSource;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::clock::ManualClock;
use camreel::event::{EventOptions, EventRecorder};
use camreel::record::RecordOptions;
use camreel::sink::FrameSink;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: forwards every call to the system allocator unchanged and only
// updates two atomics, which never allocate.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Live bytes now, and the peak since the last call.
fn take_peak() -> (usize, usize) {
    let live = LIVE.load(Ordering::Relaxed);
    (live, PEAK.swap(live, Ordering::Relaxed))
}

const FPS: f64 = 10.0;

#[test]
fn ten_minutes_of_events_stay_within_the_buffer_and_a_constant() {
    let dir = tempfile::tempdir().unwrap();
    let mut camera = SyntheticCamera::builder()
        .size(96, 64)
        .format(PixelFormat::Grayscale)
        .fps(FPS)
        .clock(ManualClock::shared())
        .build()
        .unwrap();
    let options = EventOptions::new(&dir.path().join("e%05d.avi").to_string_lossy())
        .unwrap()
        .pre(Duration::from_secs(10))
        .post(Duration::from_secs(2))
        .max_event(Duration::from_secs(30))
        .buffer_bytes(1 << 20);
    let (before, _) = take_peak();
    let mut rec = EventRecorder::new(options, camera.format())
        .unwrap()
        .without_motion();
    let capacity = rec.buffer().capacity();
    assert_eq!(capacity, 1 << 20);
    let trigger = rec.handle();
    let files = std::sync::Arc::new(AtomicUsize::new(0));
    let f = std::sync::Arc::clone(&files);
    rec.on_event(move |_| {
        f.fetch_add(1, Ordering::Relaxed);
    });
    // The minute-by-minute peaks: ten minutes, an event of 5 s every
    // minute, and from minute 6 a trigger held for good.
    let mut peaks = Vec::new();
    for minute in 0..10 {
        for second in 0..60 {
            if second == 20 {
                trigger.fire();
            }
            if minute >= 6 {
                trigger.hold(true);
            }
            let one_second = RecordOptions::new().limit(FPS as u64).sync_interval(None);
            let stats = rec.record(&mut camera, &one_second).unwrap();
            assert_eq!(stats.frames, FPS as u64);
            if (20..25).contains(&second) {
                trigger.fire();
            }
        }
        let (_, peak) = take_peak();
        peaks.push(peak.saturating_sub(before));
    }
    assert!(rec.in_event());
    rec.finish().unwrap();
    let stats = rec.stats();
    assert_eq!(stats.frames, 6000);
    assert_eq!(stats.file_frames + stats.dropped + stats.buffered, 6000);
    // Six one-minute events, then 4 minutes cut into 30 s files.
    // Six short events, then the held one from 5:50 (its pre-trigger
    // time) to 10:00 cut into 30 s files: 9 more.
    assert_eq!(files.load(Ordering::Relaxed), 6 + 9);
    drop(rec);
    // Everything is given back.
    let (after, _) = take_peak();
    assert!(after <= before + 4096, "{before} -> {after}");

    // The buffer is allocated once; the rest (encoder, one event file's
    // writer and index, the frames in flight) is a constant, the same in
    // the first minute as in the last, whatever the events did.
    // (Measured here: about 37 KB above the buffer, and 1 KB more by the
    // last minute, the index of a 30 s AVI.)
    const CONSTANT: usize = 256 << 10;
    let worst = *peaks.iter().max().unwrap();
    eprintln!("buffer {capacity} bytes; peak per minute above what was live before: {peaks:?}");
    assert!(worst <= capacity + CONSTANT, "{peaks:?}");
    let settled = peaks[2..].iter().max().unwrap();
    assert!(
        *settled <= peaks[1] + (16 << 10),
        "grew after the first minutes: {peaks:?}"
    );
}
