//! picamera advanced recipe 5.8, "splitting to/from a circular stream": the
//! beginnings of a security application, on the synthetic camera's
//! scripted motion events.
//!
//! Part 1 follows the seed line by line: a circular buffer keeps the last
//! seconds of H.264 in memory (`PiCameraCircularIO(camera, seconds=10)`);
//! every second a still from the video port is compared with the previous
//! one; on motion the recording is split to `after.h264` and the buffer is
//! written to `before.h264`; when motion stops, the recording is split
//! back to the buffer. Part 2 does the same with one call,
//! `camreel::event::EventRecorder`, whose default trigger is the motion
//! vectors of every frame, one file per event.
//!
//! ```text
//! cargo run --release --features h264 --example circular_events [DIR]
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use camreel::camera::CameraSource;
use camreel::camera::synthetic::{MotionEvent, SyntheticCamera};
use camreel::capture::RawEncoder;
use camreel::circular::CircularBuffer;
use camreel::clock::ManualClock;
use camreel::event::{EventOptions, EventRecorder};
use camreel::frame::Frame;
use camreel::output::{FileSink, OutputOptions};
use camreel::record::RecordOptions;
use camreel::recording::{BoxedEncoder, Recording, video_encoder};
use camreel::sink::FrameSink;
use camreel::{Error, PixelFormat, Result};

const W: u32 = 320;
const H: u32 = 240;

/// 90 seconds with two visitors.
fn camera() -> Result<SyntheticCamera> {
    let mut white = MotionEvent::new(600..690, (10, 30), (250, 40), (48, 96));
    white.color = [250, 250, 250];
    SyntheticCamera::builder()
        .size(W, H)
        .format(PixelFormat::Yuv420)
        .objects(0)
        .pan(false)
        .fps(30.0)
        .clock(ManualClock::shared())
        .frame_limit(90 * 30)
        .motion_event(white)
        .motion_event(MotionEvent::new(1800..1950, (40, 40), (200, 120), (80, 96)))
        .build()
}

/// Where the recording goes: the ring, or a file (picamera switches
/// between a `PiCameraCircularIO` and a file name).
enum Output {
    Ring(CircularBuffer),
    File(FileSink),
}

impl FrameSink for Output {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        match self {
            Output::Ring(r) => r.write_frame(frame),
            Output::File(f) => f.write_frame(frame),
        }
    }
    fn finish(&mut self) -> Result<()> {
        match self {
            Output::Ring(r) => r.finish(),
            Output::File(f) => f.finish(),
        }
    }
}

/// The seed's `detect_motion`: a still from the video port, compared with
/// the one before (the seed leaves the comparison to the reader: here,
/// more than 1% of the pixels changed by more than 40 levels).
struct Detector {
    prior: Option<Vec<u8>>,
}

impl Detector {
    fn detect(
        &mut self,
        rec: &mut Recording<SyntheticCamera, BoxedEncoder, Output>,
    ) -> Result<bool> {
        let still = rec.capture(&mut RawEncoder)?;
        let luma = still.data[..(W * H) as usize].to_vec();
        let Some(prior) = self.prior.replace(luma) else {
            return Ok(false);
        };
        let current = self.prior.as_deref().unwrap_or_default();
        let changed = prior
            .iter()
            .zip(current)
            .filter(|(a, b)| a.abs_diff(**b) > 40)
            .count();
        Ok(changed * 100 > prior.len())
    }
}

/// The seed's `write_video`: the buffer's frames, from its first key frame
/// (where it always starts), to a file; then the buffer is wiped.
fn write_video(stream: &mut CircularBuffer, path: &Path) -> Result<u64> {
    let mut output = FileSink::create(path, OutputOptions::new())?;
    let n = stream.copy_to(&mut output)?;
    output.finish()?;
    stream.clear();
    Ok(n)
}

fn seed_recipe(dir: &Path) -> Result<()> {
    let camera = camera()?;
    // stream = picamera.PiCameraCircularIO(camera, seconds=10)
    let stream = CircularBuffer::new(8 << 20)?.seconds(Duration::from_secs(10));
    // camera.start_recording(stream, format='h264')
    let options = OutputOptions::new().frame_rate(camreel::timing::FrameRate::default());
    let (encoder, name) = video_encoder(camreel::output::OutputKind::H264, &options)?;
    println!("part 1: the seed's recipe ({name})");
    let mut rec = Recording::start_with(camera, encoder, Output::Ring(stream));
    // The synthetic camera's 90 s end the loop (a camera runs `while True`).
    match watch(&mut rec, dir, options) {
        Err(e) if e.kind() == camreel::ErrorKind::EndOfStream => {}
        other => other?,
    }
    // camera.stop_recording()
    rec.stop_recording()?;
    Ok(())
}

/// The seed's `while True` loop.
fn watch(
    rec: &mut Recording<SyntheticCamera, BoxedEncoder, Output>,
    dir: &Path,
    options: OutputOptions,
) -> Result<()> {
    let mut detector = Detector { prior: None };
    let mut event = 0;
    loop {
        // camera.wait_recording(1)
        rec.wait_recording(Duration::from_secs(1))?;
        if !detector.detect(rec)? {
            continue;
        }
        event += 1;
        println!(
            "  {:>6.2} s: Motion detected!",
            rec.duration().as_secs_f64()
        );
        // camera.split_recording('after.h264')
        let after = dir.join(format!("after{event}.h264"));
        let Output::Ring(mut stream) =
            rec.split_recording(Output::File(FileSink::create(&after, options)?))?
        else {
            return Err(Error::new(
                camreel::ErrorKind::InvalidArgument,
                "not the ring",
            ));
        };
        // write_video(stream)
        let before = dir.join(format!("before{event}.h264"));
        let n = write_video(&mut stream, &before)?;
        // while detect_motion(camera): camera.wait_recording(1)
        loop {
            rec.wait_recording(Duration::from_secs(1))?;
            if !detector.detect(rec)? {
                break;
            }
        }
        println!("  {:>6.2} s: Motion stopped!", rec.duration().as_secs_f64());
        // camera.split_recording(stream)
        if let Output::File(f) = rec.split_recording(Output::Ring(stream))? {
            println!(
                "  {}: {n} frames, {}: {} frames",
                before.display(),
                after.display(),
                f.frames()
            );
        }
    }
}

fn one_call(dir: &Path) -> Result<()> {
    println!("part 2: camreel::event::EventRecorder");
    let mut camera = camera()?;
    let pattern = dir.join("event-%Y%m%d-%H%M%S.mp4");
    let options = EventOptions::new(&pattern.to_string_lossy())?
        .pre(Duration::from_secs(10))
        .post(Duration::from_secs(2));
    let mut events = EventRecorder::new(options, camera.format())?;
    events.on_event(|e| {
        println!(
            "  {}: {:.2} s from {:.2} s (trigger at {:.2} s), {} frames",
            e.path.display(),
            e.duration.as_secs_f64(),
            e.start.as_secs_f64(),
            e.trigger.as_secs_f64(),
            e.frames
        );
    });
    events
        .record(&mut camera, &RecordOptions::new())
        .map_err(Error::from)?;
    events.finish()?;
    let s = events.stats();
    println!(
        "  {} frames: {} in event files, {} let go by the buffer, {} left in it",
        s.frames, s.file_frames, s.dropped, s.buffered
    );
    Ok(())
}

fn main() -> Result<()> {
    let dir = std::env::args().nth(1).map_or_else(
        || {
            std::env::temp_dir()
                .join("camreel-examples")
                .join("circular_events")
        },
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    seed_recipe(&dir)?;
    one_call(&dir)
}
