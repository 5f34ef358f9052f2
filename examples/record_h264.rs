//! picamera's everyday recording, with its split (basic recipes 3.x and
//! advanced recipe 5.8's `split_recording`), over the synthetic camera:
//!
//! ```python
//! camera.start_recording('before.h264')
//! camera.wait_recording(5)
//! camera.split_recording('after.h264')
//! camera.wait_recording(5)
//! camera.stop_recording()
//! ```
//!
//! One encoder feeds the current output. Splitting asks the encoder for a
//! key frame and switches to the new output when it comes, so no frame is
//! lost or repeated and each file starts with SPS+PPS+IDR. A third output,
//! `whole.mp4`, takes every encoded frame as it is (pass-through), a
//! fragmented MP4 with exact timestamps.
//!
//! ```text
//! cargo run --release --features h264 --example record_h264 [DIR]
//! ```

use std::path::PathBuf;
use std::sync::Arc;

use camreel::camera::CameraSource;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::clock::ManualClock;
use camreel::h264::{H264Encoder, H264Settings, H264Writer};
use camreel::mp4::{Mp4Options, Mp4Writer};
use camreel::sink::FrameSink;
use camreel::timing::FrameRate;
use camreel::video::VideoEncoder;
use camreel::{Error, PixelFormat, Result};

const FPS: f64 = 30.0;

fn camera() -> Result<SyntheticCamera> {
    // A manual clock: frames are stamped exactly 1/30 s apart without
    // waiting for real time.
    let clock: Arc<ManualClock> = ManualClock::shared();
    SyntheticCamera::builder()
        .size(640, 480)
        .format(PixelFormat::Yuv420)
        .fps(FPS)
        .clock(clock)
        .build()
}

fn settings() -> H264Settings {
    H264Settings::default()
        .intra_period(60)
        .frame_rate(FrameRate::default())
}

fn main() -> Result<()> {
    let dir = std::env::args().nth(1).map_or_else(
        || {
            std::env::temp_dir()
                .join("camreel-examples")
                .join("record_h264")
        },
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(dir.display().to_string(), e))?;

    let mut camera = camera()?;
    let mut encoder = H264Encoder::new(settings())?;
    // start_recording('before.h264')
    let mut output = H264Writer::create(dir.join("before.h264"))?;
    let mut whole = Mp4Writer::create(
        dir.join("whole.mp4"),
        Mp4Options::default().frame_rate(FrameRate::default()),
    )?;
    let mut split_pending = false;
    let mut files = vec![dir.join("before.h264")];
    for i in 0..(10.0 * FPS) as u64 {
        // wait_recording(5), then split_recording('after.h264')
        if i == (5.0 * FPS) as u64 + 7 {
            encoder.request_key_frame();
            split_pending = true;
        }
        let Some(frame) = camera.next_frame()? else {
            break;
        };
        let Some(encoded) = encoder.encode(&frame)? else {
            continue;
        };
        if split_pending && encoded.info.key_frame() {
            output.finish()?;
            let next = dir.join("after.h264");
            output = H264Writer::create(&next)?;
            files.push(next);
            split_pending = false;
            println!(
                "split at frame {} ({:?}), position {} of the encoder's stream",
                encoded.info.index, encoded.info.timestamp, encoded.info.position
            );
        }
        output.write_frame(&encoded.frame)?;
        whole.write_frame(&encoded.frame)?;
    }
    // stop_recording()
    output.finish()?;
    whole.finish()?;
    for f in files.iter().chain([&dir.join("whole.mp4")]) {
        let len = std::fs::metadata(f)
            .map_err(|e| Error::io(f.display().to_string(), e))?
            .len();
        println!("{}: {len} bytes", f.display());
    }
    Ok(())
}
