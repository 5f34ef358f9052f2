//! picamera advanced recipe 5.10, custom encoders: count the I-frames and
//! P-frames of a recording by wrapping the encoder. The wrapper sees every
//! raw frame before it is encoded and every encoded frame with its facts
//! (picamera's `PiVideoFrame`), and hands the encoder's output on without
//! copying it. The encoder goes into a [`Recording`] as picamera's
//! `MyCamera._get_video_encoder` puts it into `start_recording`.
//!
//! ```text
//! cargo run --release --features h264 --example custom_encoder
//! ```

use std::time::Duration;

use camreel::camera::synthetic::SyntheticCamera;
use camreel::clock::ManualClock;
use camreel::frame::Frame;
use camreel::h264::{H264Encoder, H264Settings};
use camreel::output::{FileSink, OutputOptions};
use camreel::recording::Recording;
use camreel::sink::FrameSink;
use camreel::video::{EncodedFrame, VideoEncoder, VideoFrameType};
use camreel::{PixelFormat, Result};

/// picamera's `MyEncoder`: counts key frames and delta frames.
struct MyEncoder<E> {
    inner: E,
    raw_frames: u64,
    i_frames: u64,
    p_frames: u64,
}

impl<E: VideoEncoder> VideoEncoder for MyEncoder<E> {
    fn format(&self) -> PixelFormat {
        self.inner.format()
    }

    fn encode<'a>(&'a mut self, frame: &Frame<'a>) -> Result<Option<EncodedFrame<'a>>> {
        self.raw_frames += 1;
        let out = self.inner.encode(frame)?;
        if let Some(encoded) = &out {
            // Only whole frames, not parameter sets on their own.
            if encoded.info.complete {
                match encoded.info.frame_type {
                    VideoFrameType::Key => self.i_frames += 1,
                    VideoFrameType::Delta => self.p_frames += 1,
                    VideoFrameType::SpsHeader => {}
                }
            }
        }
        Ok(out)
    }

    fn request_key_frame(&mut self) {
        self.inner.request_key_frame();
    }
}

fn main() -> Result<()> {
    let dir = std::env::temp_dir()
        .join("camreel-examples")
        .join("custom_encoder");
    std::fs::create_dir_all(&dir).map_err(|e| camreel::Error::io(dir.display().to_string(), e))?;
    let camera = SyntheticCamera::builder()
        .size(640, 480)
        .fps(30.0)
        .clock(ManualClock::shared())
        .build()?;
    // picamera's `_get_video_encoder` override: the recording is made with
    // our encoder (a `Box<dyn VideoEncoder + Send>` works the same way).
    let encoder = MyEncoder {
        inner: H264Encoder::new(H264Settings::default().intra_period(60))?,
        raw_frames: 0,
        i_frames: 0,
        p_frames: 0,
    };
    let output = FileSink::create(dir.join("foo.h264"), OutputOptions::new())?;
    // camera.start_recording('foo.h264')
    let mut recording = Recording::start_with(camera, encoder, output);
    // camera.wait_recording(10)
    recording.wait_recording(Duration::from_secs(10))?;
    let (_camera, recorder) = recording.into_parts();
    let (encoder, mut output, _) = recorder.into_parts();
    // camera.stop_recording()
    output.finish()?;
    println!(
        "Recording contains {} I-frames and {} P-frames ({} raw frames in, {} bytes)",
        encoder.i_frames,
        encoder.p_frames,
        encoder.raw_frames,
        output.bytes()
    );
    Ok(())
}
