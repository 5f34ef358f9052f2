//! picamera recipe 5.3, rapid capture and processing with a pool of
//! processors: a capture thread, a bounded queue, four workers that encode
//! and analyse each frame (each builds its JPEG encoder once), and results
//! delivered in capture order with their timestamps; no sleeps, no shared
//! flags, and every dropped frame counted.
//!
//! `cargo run --release --example rapid_capture_pool`

use std::ops::ControlFlow;

use camreel::camera::synthetic::SyntheticCamera;
use camreel::capture::pipeline::{Overflow, Pipeline};
use camreel::capture::{Encoder, JpegCapture};

fn main() -> camreel::Result<()> {
    let camera = SyntheticCamera::builder()
        .size(640, 480)
        .fps(30.0)
        .build()?;
    let mut done = 0u64;
    let stats = Pipeline::new()
        .workers(4)
        .queue(4)
        .overflow(Overflow::DropOldest)
        .limit(90)
        .run_init(
            camera,
            // Each worker's encoder and output buffer, built once.
            || Ok((JpegCapture::new(85)?, Vec::new())),
            |(encoder, jpeg), frame| {
                // The processing: a JPEG encode and a mean brightness.
                jpeg.clear();
                encoder.encode(frame.image.view(), jpeg)?;
                let data = frame.image.data();
                let mean = data.iter().map(|&b| u64::from(b)).sum::<u64>() / data.len() as u64;
                Ok((jpeg.len(), mean))
            },
            |info, (bytes, mean)| {
                done += 1;
                if info.sequence % 30 == 0 {
                    println!(
                        "frame {} at {:?}: {bytes} JPEG bytes, mean level {mean}",
                        info.sequence, info.timestamp
                    );
                }
                Ok(ControlFlow::Continue(()))
            },
        )?;
    println!(
        "captured {}, processed {}, dropped {} (queue full), {:.1} fps",
        stats.captured,
        stats.processed,
        stats.dropped,
        stats.fps()
    );
    assert_eq!(stats.delivered + stats.dropped, stats.captured);
    assert_eq!(done, stats.delivered);
    Ok(())
}
