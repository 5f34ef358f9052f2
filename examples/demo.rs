//! camreel in one run, with no hardware: record a short clip from the
//! synthetic camera to an ImageIO `.bin`, replay it at its recorded rate and
//! measure the timing, then convert it to PNG stills. Files go to
//! `target/demo/`.
//!
//! `cargo run --release --example demo`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use camreel::camera::CameraSource;
use camreel::camera::replay::ReplayCamera;
use camreel::camera::synthetic::{MotionEvent, SyntheticCamera};
use camreel::capture::{CaptureExt, ImageIoSink, JpegCapture};
use camreel::codec::{jpeg, png};
use camreel::imageio::FileStream;
use camreel::{Error, Result};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 240;
const FPS: f64 = 30.0;
const FRAMES: u64 = 60;

fn main() -> Result<()> {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("demo");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(dir.display().to_string(), e))?;

    // 1. Record: 2 seconds of the synthetic camera, paced at 30 fps, with a
    //    red object crossing the scene, as JPEG frames in an ImageIO file.
    let clip = dir.join("clip.bin");
    let mut camera = SyntheticCamera::builder()
        .size(WIDTH, HEIGHT)
        .fps(FPS)
        .frame_limit(FRAMES)
        .seed(2024)
        .motion_event(MotionEvent::new(15..45, (-40, 150), (320, 120), (40, 24)))
        .build()?;
    let mut sink = ImageIoSink::with_jpeg(FileStream::create(&clip)?, JpegCapture::new(85)?);
    let start = Instant::now();
    let recorded = camera.record(&mut sink, None)?;
    drop(sink);
    let bytes = std::fs::metadata(&clip).map(|m| m.len()).unwrap_or(0);
    println!(
        "recorded {recorded} frames ({WIDTH}x{HEIGHT} JPEG, {FPS} fps) in {:.2} s: {} ({bytes} bytes)",
        start.elapsed().as_secs_f64(),
        clip.display()
    );

    // 2. Replay at the recorded rate, measuring when frames arrive.
    let mut replay = ReplayCamera::builder(&clip).realtime(true).open()?;
    let format = replay.format();
    println!(
        "replaying {} frames of {} {}x{} at {:.1} fps (recorded rate)",
        replay.frame_count(),
        format.format,
        format.width,
        format.height,
        format.fps.unwrap_or(0.0)
    );
    let mut arrivals = Vec::new();
    let t0 = Instant::now();
    while let Some(frame) = replay.next_frame()? {
        arrivals.push((t0.elapsed(), frame.timestamp));
    }
    let intervals: Vec<Duration> = arrivals.windows(2).map(|w| w[1].0 - w[0].0).collect();
    let mean = intervals.iter().sum::<Duration>() / intervals.len().max(1) as u32;
    let worst = arrivals
        .iter()
        .map(|&(wall, recorded)| {
            let offset = arrivals[0].1;
            wall.abs_diff(recorded.saturating_sub(offset))
        })
        .max()
        .unwrap_or_default();
    println!(
        "replayed {} frames in {:.2} s: mean interval {:.1} ms (recorded {:.1} ms), worst drift {:.1} ms",
        arrivals.len(),
        t0.elapsed().as_secs_f64(),
        mean.as_secs_f64() * 1e3,
        1e3 / FPS,
        worst.as_secs_f64() * 1e3
    );

    // 3. Convert: decode the JPEG frames and keep every 15th as a PNG.
    let mut fast = ReplayCamera::builder(&clip).realtime(false).open()?;
    while let Some(frame) = fast.next_frame()? {
        if frame.sequence % 15 != 0 {
            continue;
        }
        let rgb = jpeg::decode(frame.image.data())?;
        let mut out = Vec::new();
        png::encode(rgb.view(), &mut out)?;
        let path = dir.join(format!("frame{:02}.png", frame.sequence));
        std::fs::write(&path, &out).map_err(|e| Error::io(path.display().to_string(), e))?;
        println!(
            "wrote {} ({} bytes, {} ms into the clip)",
            path.display(),
            out.len(),
            frame.timestamp.as_millis()
        );
    }
    println!("try: cargo run --release -- info {}", clip.display());
    Ok(())
}
