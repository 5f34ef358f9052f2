//! picamera advanced recipe 5.10, custom encoders: count the I-frames and
//! P-frames of a recording by wrapping the encoder. The wrapper sees every
//! raw frame before it is encoded and every encoded frame with its facts
//! (picamera's `PiVideoFrame`), and hands the encoder's output on without
//! copying it.
//!
//! ```text
//! cargo run --release --features h264 --example custom_encoder
//! ```

use camreel::camera::CameraSource;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::clock::ManualClock;
use camreel::frame::Frame;
use camreel::h264::{H264Encoder, H264Settings, H264Writer};
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
    let mut camera = SyntheticCamera::builder()
        .size(640, 480)
        .fps(30.0)
        .clock(ManualClock::shared())
        .frame_limit(300)
        .build()?;
    let mut encoder = MyEncoder {
        inner: H264Encoder::new(H264Settings::default().intra_period(60))?,
        raw_frames: 0,
        i_frames: 0,
        p_frames: 0,
    };
    // camera.start_recording('foo.h264'); wait_recording(10); stop_recording()
    let mut output = H264Writer::create(dir.join("foo.h264"))?;
    while let Some(frame) = camera.next_frame()? {
        if let Some(encoded) = encoder.encode(&frame)? {
            output.write_frame(&encoded.frame)?;
        }
    }
    output.finish()?;
    println!(
        "Recording contains {} I-frames and {} P-frames ({} raw frames in)",
        encoder.i_frames, encoder.p_frames, encoder.raw_frames
    );
    Ok(())
}
