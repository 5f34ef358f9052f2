//! ImageIO speed against the raw baselines, in one run (issue 3, "Speed"):
//!
//! - `imageio_file/*`: 1000 QVGA RGB565 frames (153.6 MB, 10 distinct frames
//!   cycled, as `shared/bench` case 6) written with a raw `write_all` per frame
//!   vs `FileStream::write` (fresh file each time, only the write loop timed,
//!   as case 6 does), and read with a raw `read_exact` per frame vs
//!   `FileStream::read_into`, page cache warm. Throughput counts payload bytes
//!   for both sides. Target: stream >= 0.9x raw.
//! - `imageio_memory/*`: one QVGA RGB565 frame into a 32-slot ring and back
//!   out. Target: ring write+read >= 0.8x a memcpy of the frame.
//! - `imageio_seek/*`: seek to the last frame of a 10,000-frame file, second
//!   time. Target: < 10 us.
//!
//! Files go to a temporary directory under $TMPDIR (/tmp).
//! Run: `cargo bench --bench imageio` (add `-- --quick` while developing).

use std::fs::File;
use std::hint::black_box;
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, Instant};

use camreel::imageio::{FileStream, MemoryStream, ReadOptions};
use camreel::{Image, PixelFormat};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

const W: u32 = 320;
const H: u32 = 240;
const FRAME: usize = (W * H * 2) as usize;
const FRAMES: usize = 1000;

/// Ten distinct RGB565 frames: a gradient moving two pixels per frame.
fn frames() -> Vec<Image> {
    (0..10u32)
        .map(|f| {
            let mut data = Vec::with_capacity(FRAME);
            for y in 0..H {
                for x in 0..W {
                    let r = ((x + 2 * f) * 31 / W) & 31;
                    let g = ((y + f) * 63 / H) & 63;
                    let b = ((x + y) / 20) & 31;
                    data.extend_from_slice(&(((r << 11) | (g << 5) | b) as u16).to_le_bytes());
                }
            }
            Image::new(PixelFormat::Rgb565, W, H, data).unwrap()
        })
        .collect()
}

fn file_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let frames = frames();
    let mut g = c.benchmark_group("imageio_file");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(6))
        .throughput(Throughput::Bytes((FRAME * FRAMES) as u64));

    // As shared/bench case 6: each repetition starts from a fresh file
    // (removed and created untimed), times only the write loop, then fsyncs
    // untimed so that dirty pages do not pile up across repetitions.
    let raw_path = dir.path().join("raw.bin");
    g.bench_function("raw_write_all", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let _ = std::fs::remove_file(&raw_path);
                let mut f = File::create(&raw_path).unwrap();
                let t0 = Instant::now();
                for i in 0..FRAMES {
                    f.write_all(frames[i % 10].data()).unwrap();
                }
                total += t0.elapsed();
                f.sync_all().unwrap();
            }
            total
        })
    });
    let stream_path = dir.path().join("stream.bin");
    g.bench_function("stream_write", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let _ = std::fs::remove_file(&stream_path);
                let mut s = FileStream::create(&stream_path).unwrap();
                let t0 = Instant::now();
                for i in 0..FRAMES {
                    s.write(&frames[i % 10]).unwrap();
                }
                total += t0.elapsed();
                s.sync().unwrap();
            }
            total
        })
    });

    // Reads from the files just written (page cache warm), same chunking.
    let mut raw = File::open(&raw_path).unwrap();
    let mut buf = vec![0u8; FRAME];
    g.bench_function("raw_read_exact", |b| {
        b.iter(|| {
            raw.seek(SeekFrom::Start(0)).unwrap();
            for _ in 0..FRAMES {
                raw.read_exact(&mut buf).unwrap();
            }
            black_box(&buf);
        })
    });
    let mut s = FileStream::open(&stream_path).unwrap();
    assert_eq!(s.count(), FRAMES as u64);
    let mut img = Image::empty();
    g.bench_function("stream_read_into", |b| {
        b.iter(|| {
            s.seek(0).unwrap();
            while s
                .read_into(&mut img, ReadOptions::NO_WAIT)
                .unwrap()
                .is_some()
            {}
            black_box(&img);
        })
    });
    g.bench_function("stream_open_and_read_into", |b| {
        b.iter(|| {
            let mut s = FileStream::open(&stream_path).unwrap();
            while s
                .read_into(&mut img, ReadOptions::NO_WAIT)
                .unwrap()
                .is_some()
            {}
            black_box(&img);
        })
    });
    g.finish();
}

fn memory_benches(c: &mut Criterion) {
    const SLOTS: usize = 32;
    let frames = frames();
    let mut g = c.benchmark_group("imageio_memory");
    g.throughput(Throughput::Bytes(FRAME as u64));

    // Baselines: the bare copies into (and out of) a 32-slot ring buffer.
    let mut ring = vec![0u8; FRAME * SLOTS];
    let mut out = vec![0u8; FRAME];
    let mut k = 0usize;
    g.bench_function("memcpy_frame", |b| {
        b.iter(|| {
            let slot = k % SLOTS;
            ring[slot * FRAME..(slot + 1) * FRAME].copy_from_slice(frames[k % 10].data());
            k += 1;
            black_box(&ring);
        })
    });
    g.bench_function("memcpy_in_and_out", |b| {
        b.iter(|| {
            let slot = k % SLOTS;
            ring[slot * FRAME..(slot + 1) * FRAME].copy_from_slice(frames[k % 10].data());
            out.copy_from_slice(&ring[slot * FRAME..(slot + 1) * FRAME]);
            k += 1;
            black_box(&out);
        })
    });

    let mut m = MemoryStream::new(W, H, PixelFormat::Rgb565, SLOTS).unwrap();
    let mut k = 0usize;
    g.bench_function("ring_write_read_ref", |b| {
        b.iter(|| {
            if m.offset() == SLOTS as u64 {
                m.seek(0).unwrap();
            }
            let slot = m.offset();
            m.write(&frames[k % 10]).unwrap();
            m.seek(slot).unwrap();
            let (view, _) = m.read_ref(ReadOptions::NO_WAIT).unwrap();
            black_box(view.data());
            k += 1;
        })
    });
    let mut img = Image::zeroed(PixelFormat::Rgb565, W, H).unwrap();
    g.bench_function("ring_write_read_into", |b| {
        b.iter(|| {
            if m.offset() == SLOTS as u64 {
                m.seek(0).unwrap();
            }
            let slot = m.offset();
            m.write(&frames[k % 10]).unwrap();
            m.seek(slot).unwrap();
            m.read_into(&mut img, ReadOptions::NO_WAIT).unwrap();
            black_box(img.data());
            k += 1;
        })
    });
    g.finish();
}

fn seek_benches(c: &mut Criterion) {
    const N: u64 = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("10k.bin");
    let mut w = FileStream::create(&path).unwrap();
    let small = Image::zeroed(PixelFormat::Rgb565, 32, 24).unwrap();
    for _ in 0..N {
        w.write_with_elapsed(&small, Duration::from_millis(33))
            .unwrap();
    }
    w.close().unwrap();

    let mut g = c.benchmark_group("imageio_seek");
    g.sample_size(20);
    g.bench_function("open_index_10000_frames", |b| {
        b.iter(|| black_box(FileStream::open(&path).unwrap().count()))
    });
    let mut s = FileStream::open(&path).unwrap();
    s.seek(N - 1).unwrap();
    g.sample_size(100);
    g.bench_function("seek_last_of_10000_second_time", |b| {
        b.iter(|| {
            s.seek(black_box(N - 1)).unwrap();
            black_box(s.offset())
        })
    });
    let mut img = Image::empty();
    g.bench_function("seek_last_of_10000_and_read", |b| {
        b.iter(|| {
            s.seek(black_box(N - 1)).unwrap();
            s.read_into(&mut img, ReadOptions::NO_WAIT)
                .unwrap()
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, file_benches, memory_benches, seek_benches);
criterion_main!(benches);
