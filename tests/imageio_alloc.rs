//! Steady-state ImageIO writes and reads allocate nothing: proved with a
//! counting global allocator (in its own test binary, so that it does not
//! affect other tests). Counts are per thread, so the test harness's own
//! threads do not disturb them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

use camreel::clock::ManualClock;
use camreel::imageio::{FileOptions, MemoryStream, ReadOptions, TriggerRecorder};
use camreel::{Image, PixelFormat};

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

fn note(bytes: usize) {
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
    let _ = BYTES.try_with(|c| c.set(c.get() + bytes as u64));
}

// SAFETY: forwards every call to the system allocator unchanged; the
// counters are thread-local `Cell`s with const initialisers and no destructor,
// so touching them never allocates or re-enters the allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
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

/// (allocations, bytes) made by `f` on this thread.
fn count<T>(f: impl FnOnce() -> T) -> (u64, u64, T) {
    let (a0, b0) = (ALLOCS.with(Cell::get), BYTES.with(Cell::get));
    let out = f();
    let (a1, b1) = (ALLOCS.with(Cell::get), BYTES.with(Cell::get));
    (a1 - a0, b1 - b0, out)
}

fn frame(format: PixelFormat, w: u32, h: u32, seed: u8) -> Image {
    let n = format.payload_size(w, h).unwrap();
    Image::new(format, w, h, (0..n).map(|i| (i as u8) ^ seed).collect()).unwrap()
}

#[test]
fn memory_stream_write_and_read_into_allocate_nothing() {
    let clock = ManualClock::shared();
    let mut m = MemoryStream::with_clock(320, 240, PixelFormat::Rgb565, 8, clock.clone()).unwrap();
    let frames: Vec<Image> = (0..8)
        .map(|i| frame(PixelFormat::Rgb565, 320, 240, i))
        .collect();
    let mut out = Image::empty();
    // Warm-up: the caller's image grows once.
    m.write(&frames[0]).unwrap();
    m.seek(0).unwrap();
    m.read_into(&mut out, ReadOptions::default()).unwrap();
    let pause = ReadOptions::default();
    let (allocs, _, ()) = count(|| {
        for round in 0..50 {
            m.seek(0).unwrap();
            for f in &frames {
                clock.advance(Duration::from_millis(33));
                m.write(f).unwrap();
            }
            m.seek(0).unwrap();
            for f in &frames {
                m.read_into(&mut out, pause).unwrap();
                assert!(out == *f, "round {round}");
            }
            m.seek(3).unwrap();
            let (view, _) = m.read_ref(pause).unwrap();
            assert!(view == frames[3].view());
        }
    });
    assert_eq!(allocs, 0);

    // A JPEG ring: frames of varying length.
    let mut j = MemoryStream::new(64, 64, PixelFormat::Jpeg, 4).unwrap();
    let mut jpegs = Vec::new();
    for len in [100usize, 1000, 17, 1024] {
        let mut img = Image::empty();
        img.set_encoded(PixelFormat::Jpeg, 64, 64, |v| {
            v.resize(len, len as u8);
            Ok(())
        })
        .unwrap();
        jpegs.push(img);
    }
    let mut out = Image::empty();
    for img in &jpegs {
        j.write(img).unwrap();
    }
    j.seek(0).unwrap();
    for _ in 0..4 {
        j.read_into(&mut out, ReadOptions::NO_WAIT.looping(true))
            .unwrap();
    }
    let (allocs, _, ()) = count(|| {
        j.seek(0).unwrap();
    });
    assert_eq!(allocs, 0, "seek");
    let (allocs, _, r) = count(|| j.write(&jpegs[0]).map(|_| ()));
    assert_eq!(allocs, 0, "write {r:?}");
    let (allocs, _, ()) = count(|| {
        j.seek(0).unwrap();
        j.read_into(&mut out, ReadOptions::NO_WAIT.looping(true))
            .unwrap();
    });
    assert_eq!(allocs, 0, "read_into");
    let (allocs, _, ()) = count(|| {
        for _ in 0..20 {
            j.seek(0).unwrap();
            for img in &jpegs {
                j.write(img).unwrap();
            }
            j.seek(0).unwrap();
            for img in &jpegs {
                j.read_into(&mut out, ReadOptions::NO_WAIT.looping(true))
                    .unwrap();
                assert!(out == *img);
            }
        }
    });
    assert_eq!(allocs, 0);
}

#[test]
fn trigger_recorder_ring_mode_allocates_nothing() {
    let clock = ManualClock::shared();
    let mut rec =
        TriggerRecorder::with_clock(160, 120, PixelFormat::Grayscale, 16, clock.clone()).unwrap();
    let f = frame(PixelFormat::Grayscale, 160, 120, 9);
    rec.push(&f).unwrap();
    let (allocs, _, ()) = count(|| {
        for _ in 0..100 {
            clock.advance(Duration::from_millis(10));
            rec.push(&f).unwrap();
        }
    });
    assert_eq!(allocs, 0);
}

#[test]
fn file_stream_read_into_allocates_nothing_and_writes_only_grow_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.bin");
    let clock = ManualClock::shared();
    let mut s = FileOptions::new()
        .clock(clock.clone())
        .create(&path)
        .unwrap();
    let frames: Vec<Image> = (0..4)
        .map(|i| frame(PixelFormat::Rgb565, 64, 48, i))
        .collect();
    // Writing: no allocation except the index doubling (amortised O(1)).
    let (allocs, _, ()) = count(|| {
        for i in 0..1000 {
            clock.advance(Duration::from_millis(33));
            s.write(&frames[i % 4]).unwrap();
        }
    });
    assert!(allocs <= 11, "{allocs} allocations for 1000 writes");
    s.close().unwrap();

    let mut r = FileOptions::new().clock(clock.clone()).open(&path).unwrap();
    let mut out = Image::empty();
    r.read_into(&mut out, ReadOptions::default()).unwrap();
    let (allocs, _, ()) = count(|| {
        // Looping playback with pause, across the wrap-around.
        for _ in 0..2002 {
            let info = r
                .read_into(&mut out, ReadOptions::default())
                .unwrap()
                .unwrap();
            assert!(out == frames[info.index as usize % 4]);
        }
        r.seek(1000).unwrap();
        r.read_into(&mut out, ReadOptions::default())
            .unwrap()
            .unwrap();
    });
    assert_eq!(allocs, 0);
}

#[test]
fn a_huge_claim_allocates_nothing_big() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.bin");
    let mut bytes = b"OMV IMG STR V2.0".to_vec();
    // Within the default limits (a 500 MB JPEG), but the file is 1 KB.
    for v in [0u32, 640, 480, 0x0606_0000, 500 << 20] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.resize(1024, 0);
    std::fs::write(&path, &bytes).unwrap();
    let (_, allocated, ()) = count(|| {
        let mut s = camreel::imageio::FileStream::open(&path).unwrap();
        assert_eq!(s.count(), 0);
        let e = s.read(ReadOptions::default()).unwrap_err();
        assert_eq!(e.kind(), camreel::ErrorKind::Truncated);
    });
    assert!(allocated < 16 * 1024, "{allocated} bytes allocated");
}
