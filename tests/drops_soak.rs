//! Ten minutes of recording on a manual clock, through a sink slower than
//! the camera: memory stays flat (a counting allocator, in its own test
//! binary) and every count is exact.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use camreel::camera::synthetic::SyntheticCamera;
use camreel::clock::ManualClock;
use camreel::frame::Frame;
use camreel::output::{FileSink, OutputOptions};
use camreel::record::{RecordOptions, record_with};
use camreel::sink::FrameSink;
use camreel::{PixelFormat, replay};

struct Counting;

/// Bytes allocated and not yet freed, by every thread.
static LIVE: AtomicI64 = AtomicI64::new(0);

// SAFETY: forwards every call to the system allocator unchanged and only
// adds to an atomic counter, which never allocates.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Writes to the file, then lets 50 ms pass on the manual clock: a sink
/// that manages 20 fps against the camera's 30.
struct Slow {
    inner: FileSink,
    clock: Arc<ManualClock>,
    sequences: (Option<u64>, u64, u64),
}

impl FrameSink for Slow {
    fn write_frame(&mut self, frame: &Frame<'_>) -> camreel::Result<()> {
        self.inner.write_frame(frame)?;
        let (first, last, gaps) = &mut self.sequences;
        if first.is_some() {
            *gaps += frame.sequence - *last - 1;
        }
        first.get_or_insert(frame.sequence);
        *last = frame.sequence;
        self.clock.advance(Duration::from_millis(50));
        Ok(())
    }
    fn sync(&mut self) -> camreel::Result<()> {
        self.inner.sync()
    }
    fn finish(&mut self) -> camreel::Result<()> {
        self.inner.finish()
    }
}

#[test]
fn ten_minutes_of_a_slow_sink_keep_memory_flat_and_counts_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("soak.gif");
    let clock = ManualClock::shared();
    let mut camera = SyntheticCamera::builder()
        .size(16, 12)
        .format(PixelFormat::Grayscale)
        .fps(30.0)
        .clock(clock.clone())
        .build()
        .unwrap();
    let mut sink = Slow {
        inner: FileSink::create(&path, OutputOptions::new()).unwrap(),
        clock: clock.clone(),
        sequences: (None, 0, 0),
    };
    let options = RecordOptions::new()
        .duration(Duration::from_secs(600))
        .sync_interval(None);
    let mut at_one_minute = None;
    let mut peak_after = 0i64;
    let stats = record_with(&mut camera, &mut sink, &options, |s| {
        let minute = s.timeline.span() >= Duration::from_secs(60);
        match at_one_minute {
            None if minute => at_one_minute = Some(LIVE.load(Ordering::Relaxed)),
            Some(_) => peak_after = peak_after.max(LIVE.load(Ordering::Relaxed)),
            None => {}
        }
    })
    .unwrap();
    sink.finish().unwrap();
    // Every 50 ms of the sink, 1.5 frames came: a third of the camera's
    // frames were lost, all of them by the camera (nobody read in time).
    let (first, last, gaps) = sink.sequences;
    let captured = last - first.unwrap() + 1;
    assert_eq!(stats.captured(), captured);
    assert_eq!(stats.dropped.source, gaps);
    assert_eq!(stats.dropped.pipeline, 0);
    assert_eq!(stats.frames + gaps, captured);
    // 600 s at 20 fps, and the 4 frames the camera had buffered.
    assert_eq!(stats.frames, 12_004);
    assert!((17_990..=18_000).contains(&captured), "{captured}");
    // The camera counts the same drops, and those before the frame read
    // past the ten minutes (which was not recorded): at most its buffers.
    assert_eq!(camera.frames_delivered(), stats.frames + 1);
    let beyond = camera.frames_dropped() - stats.dropped.source;
    assert!(beyond <= 4, "{beyond}");
    // Memory: nothing grows with the frames after the first minute.
    let growth = peak_after - at_one_minute.unwrap();
    assert!(growth < 16 * 1024, "grew {growth} bytes over nine minutes");
    // The file keeps the ten minutes.
    let info = replay::open(&path, &replay::ReplayOptions::new()).unwrap();
    assert_eq!(info.frame_count(), Some(12_004));
    let d = stats.duration();
    assert!(
        d >= Duration::from_millis(599_900) && d <= Duration::from_secs(600),
        "{d:?}"
    );
}
