//! picamera's everyday recording with a split (basic recipes 3.x and the
//! `split_recording` of advanced recipe 5.8), over the synthetic camera:
//!
//! ```python
//! camera.start_recording('before.h264')
//! camera.wait_recording(5)
//! camera.split_recording('after.h264')
//! camera.wait_recording(5)
//! camera.stop_recording()
//! ```
//!
//! `split_recording` asks the encoder for a key frame and switches files
//! when it comes, so no frame is lost or repeated and `after.h264` starts
//! with SPS + PPS + IDR. The same again into `.mp4` files: fragmented MP4
//! with exact timestamps.
//!
//! ```text
//! cargo run --release --features h264 --example record_h264 [DIR]
//! ```

use std::path::PathBuf;
use std::time::Duration;

use camreel::camera::synthetic::SyntheticCamera;
use camreel::clock::ManualClock;
use camreel::h264::H264Settings;
use camreel::output::OutputOptions;
use camreel::recording::Recording;
use camreel::{Error, PixelFormat, Result};

fn camera() -> Result<SyntheticCamera> {
    // A manual clock: frames are stamped exactly 1/30 s apart without
    // waiting for real time (a real camera paces itself).
    SyntheticCamera::builder()
        .size(640, 480)
        .format(PixelFormat::Yuv420)
        .fps(30.0)
        .clock(ManualClock::shared())
        .build()
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
    let options = OutputOptions::new().h264(H264Settings::default().intra_period(60));

    for ext in ["h264", "mp4"] {
        let before = dir.join(format!("before.{ext}"));
        let after = dir.join(format!("after.{ext}"));
        // camera.start_recording('before.h264')
        let mut recording = Recording::start(camera()?, &before, options)?;
        // camera.wait_recording(5)
        recording.wait_recording(Duration::from_secs(5))?;
        // camera.split_recording('after.h264')
        let first = recording.split_recording_to(&after)?;
        if let Some(frame) = recording.frame() {
            println!(
                "split at frame {} ({:?}, {:?}), {} bytes into {}",
                frame.index,
                frame.frame_type,
                frame.timestamp,
                frame.video_size,
                after.display()
            );
        }
        // camera.wait_recording(5)
        recording.wait_recording(Duration::from_secs(5))?;
        // camera.stop_recording()
        let (_camera, second) = recording.stop_recording()?;
        for (path, sink) in [(&before, &first), (&after, &second)] {
            println!(
                "{}: {} frames, {} bytes",
                path.display(),
                sink.frames(),
                sink.bytes()
            );
        }
    }
    Ok(())
}
