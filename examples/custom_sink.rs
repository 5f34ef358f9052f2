//! picamera recipe 5.9, custom outputs: a frame sink that throws the video
//! away while counting the bytes it would have written (and says so when
//! the recording is finished), next to a motion output that reports motion.
//!
//! Any type with a `write_frame` method is an output (`camreel::sink::FrameSink`);
//! `finish` is picamera's `flush`, called once at the end.
//!
//! `cargo run --release --example custom_sink`

use std::time::Duration;

use camreel::camera::synthetic::{MotionEvent, SyntheticCamera};
use camreel::clock::ManualClock;
use camreel::frame::Frame;
use camreel::motion::{
    DetectorOptions, MotionAnalysisSink, MotionDetector, MotionFrame, MotionOptions,
};
use camreel::record::{RecordOptions, record};
use camreel::sink::FrameSink;
use camreel::{PixelFormat, Result};

/// picamera's `MyOutput`: counts bytes, prints them at the end.
#[derive(Default)]
struct ByteCounter {
    size: u64,
    frames: u64,
}

impl FrameSink for ByteCounter {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.size += frame.image.data().len() as u64;
        self.frames += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        println!(
            "{} bytes would have been written ({} frames)",
            self.size, self.frames
        );
        Ok(())
    }
}

/// Both outputs at once: the video to one, each frame to the motion output.
struct Both<A, B>(A, B);

impl<A: FrameSink, B: FrameSink> FrameSink for Both<A, B> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.0.write_frame(frame)?;
        self.1.write_frame(frame)
    }

    fn finish(&mut self) -> Result<()> {
        self.0.finish()?;
        self.1.finish()
    }
}

fn main() -> Result<()> {
    // 640x480 MJPEG at 30 fps for 10 s, on a manual clock (no waiting): a
    // still scene that an object crosses between 3 and 5 s.
    let mut camera = SyntheticCamera::builder()
        .size(640, 480)
        .format(PixelFormat::Jpeg)
        .fps(30.0)
        .clock(ManualClock::shared())
        .pan(false)
        .objects(0)
        .motion_event(MotionEvent::new(90..150, (0, 200), (560, 200), (96, 96)))
        .build()?;
    // picamera's MyMotionDetector: "more than 10 vectors longer than M",
    // with a quiet period so that one movement is one event.
    let mut detector = MotionDetector::new(DetectorOptions::default());
    let motion = MotionAnalysisSink::new(
        move |frame: &MotionFrame<'_>| {
            let verdict = detector.update(frame)?;
            let at = frame.timestamp().unwrap_or_default();
            if verdict.started {
                println!("motion detected at {at:.2?}");
            }
            if verdict.ended.is_some() {
                println!("motion stopped at {at:.2?}");
            }
            Ok(())
        },
        MotionOptions::default(),
    )?;
    let mut outputs = Both(ByteCounter::default(), motion);
    let options = RecordOptions::new().duration(Duration::from_secs(10));
    let stats = record(&mut camera, &mut outputs, &options)?;
    outputs.finish()?;
    println!("recorded {} frames", stats.frames);
    Ok(())
}
