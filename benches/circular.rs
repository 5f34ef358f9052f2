//! The circular buffer against a plain `Vec`: ten seconds of a 2 Mbit/s,
//! 30 fps H.264 stream (300 access units: a 40 KB key frame, with its SPS
//! and PPS, every 30 frames and 7 KB delta frames between) written into
//! the buffer and then copied out, oldest first, into an output `Vec`;
//! against appending the same bytes to a `Vec` and copying that `Vec` out.
//! Both store every byte once and copy it out once.
//!
//! The buffer is kept full from one iteration to the next (10 s of age, 3
//! MB), so every write drops the oldest group of pictures as a running
//! recorder's does. A 10-second buffer holds whole groups back to a key
//! frame at least 10 s old, so it copies out 11 s (330 frames) where the
//! `Vec` copies out 10 s: `Throughput::Bytes` counts the bytes each side
//! stores plus the bytes it copies out, and the two are compared per byte.
//!
//! ```text
//! cargo bench --bench circular
//! ```

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use camreel::circular::CircularBuffer;
use camreel::frame::Frame;
use camreel::{Image, PixelFormat};

const FRAMES: u32 = 300;
const GOP: u32 = 30;

/// An access unit of `len` bytes: SPS, PPS and an IDR slice for a key
/// frame, a non-IDR slice otherwise, with payload bytes that hold no start
/// code.
fn access_unit(key: bool, len: usize, seed: u32) -> Image {
    let mut au = Vec::with_capacity(len);
    if key {
        au.extend_from_slice(&[0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x68]);
        au.extend_from_slice(&[0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80]);
        au.extend_from_slice(&[0, 0, 0, 1, 0x65]);
    } else {
        au.extend_from_slice(&[0, 0, 0, 1, 0x41]);
    }
    let mut x = seed.wrapping_mul(2_654_435_761) | 1;
    while au.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        au.push((x % 255) as u8 + 1);
    }
    Image::new(PixelFormat::H264, 640, 480, au).expect("access unit")
}

fn stream() -> Vec<(Image, bool, Duration)> {
    (0..FRAMES)
        .map(|i| {
            let key = i % GOP == 0;
            let len = if key { 40_000 } else { 7_000 };
            let t = Duration::from_nanos(u64::from(i) * 1_000_000_000 / 30);
            (access_unit(key, len, i), key, t)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let frames = stream();
    let bytes: usize = frames.iter().map(|(f, _, _)| f.data().len()).sum();
    let mut g = c.benchmark_group("circular");
    g.sample_size(50);

    let mut ring = CircularBuffer::new(3 << 20)
        .expect("buffer")
        .seconds(Duration::from_secs(10));
    let mut out: Vec<u8> = Vec::with_capacity(4 << 20);
    // Two rounds before measuring: the buffer is in its steady state.
    for round in 0..2u32 {
        for (i, (image, key, t)) in frames.iter().enumerate() {
            let t = Duration::from_secs(10) * round + *t;
            ring.push(&Frame::new(image.view(), i as u64, t), *key)
                .expect("push");
        }
    }
    let mut round = 2u64;
    g.throughput(Throughput::Bytes((bytes as u64) + ring.bytes()));
    g.bench_function(BenchmarkId::new("ring_write_copy_out", "10s_2Mbps"), |b| {
        b.iter(|| {
            // Timestamps go on from round to round, as a recording's do.
            let base = Duration::from_secs(10) * u32::try_from(round).unwrap_or(0);
            round += 1;
            for (i, (image, key, t)) in frames.iter().enumerate() {
                let frame = Frame::new(image.view(), i as u64, base + *t);
                ring.push(&frame, *key).expect("push");
            }
            out.clear();
            ring.for_each(|f| {
                out.extend_from_slice(f.image.data());
                Ok(())
            })
            .expect("copy out");
            out.len()
        });
    });

    let mut store: Vec<u8> = Vec::with_capacity(4 << 20);
    g.throughput(Throughput::Bytes(2 * bytes as u64));
    g.bench_function(BenchmarkId::new("vec_append_copy_out", "10s_2Mbps"), |b| {
        b.iter(|| {
            store.clear();
            for (image, _, _) in &frames {
                store.extend_from_slice(image.data());
            }
            out.clear();
            out.extend_from_slice(&store);
            out.len()
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
