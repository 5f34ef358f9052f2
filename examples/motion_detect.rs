//! Motion detection, the seed's `PiMotionAnalysis` recipe: the synthetic
//! camera shows a still scene in which three scripted objects cross, and a
//! [`MotionDetector`] hooked to the frames prints when each movement starts
//! and ends.
//!
//! ```sh
//! cargo run --release --example motion_detect
//! ```
//!
//! The camera runs at 25 fps on a manual clock, so the times printed are the
//! frames' timestamps (frame n at n * 40 ms), and the example finishes at
//! once.

use camreel::PixelFormat;
use camreel::camera::synthetic::{MotionEvent, SyntheticCamera};
use camreel::capture::CaptureExt;
use camreel::clock::ManualClock;
use camreel::motion::{
    DetectorOptions, MotionAnalysisSink, MotionDetector, MotionFrame, MotionOptions,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut dark = MotionEvent::new(45..60, (200, 100), (110, 130), (112, 112));
    dark.color = [20, 20, 30];
    let mut white = MotionEvent::new(5..25, (10, 30), (170, 30), (48, 96));
    white.color = [250, 250, 250];
    let events = [
        white,
        dark,
        MotionEvent::new(80..96, (40, 40), (120, 120), (80, 96)),
    ];
    let mut builder = SyntheticCamera::builder()
        .size(320, 240)
        .format(PixelFormat::Yuv420)
        .objects(0)
        .pan(false)
        .fps(25.0)
        .clock(ManualClock::shared())
        .frame_limit(110);
    for e in &events {
        println!(
            "scripted: an object moves from frame {} to frame {}",
            e.start,
            e.end - 1
        );
        builder = builder.motion_event(e.clone());
    }
    let mut camera = builder.build()?;

    let mut detector = MotionDetector::new(DetectorOptions::default());
    let mut hook = MotionAnalysisSink::new(
        |frame: &MotionFrame<'_>| {
            let verdict = detector.update(frame)?;
            if verdict.started {
                println!(
                    "motion started at frame {} ({:?}): {} moving blocks",
                    frame.index(),
                    frame.timestamp().unwrap_or_default(),
                    verdict.moving_blocks
                );
            }
            if let Some(e) = verdict.ended {
                println!(
                    "motion ended: frames {}..={} ({:?} to {:?}), at most {} moving blocks",
                    e.start_frame,
                    e.end_frame,
                    e.start_time.unwrap_or_default(),
                    e.end_time.unwrap_or_default(),
                    e.peak_blocks
                );
            }
            Ok(())
        },
        MotionOptions::default(),
    )?;
    camera.record(&mut hook, None)?;
    drop(hook);
    if let Some(e) = detector.finish() {
        println!(
            "motion still going at the end: from frame {}",
            e.start_frame
        );
    }
    Ok(())
}
