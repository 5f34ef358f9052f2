//! camreel in one run, with no hardware: record a short clip from the
//! synthetic camera to an ImageIO `.bin`, replay it at its recorded rate and
//! measure the timing, then convert it to a Motion-JPEG `.avi`, an animated
//! `.gif` and a PNG of its first frame. Files go to `target/demo/`.
//!
//! `cargo run --release --example demo`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use camreel::avi::{self, MjpegWriterBuilder};
use camreel::camera::CameraSource;
use camreel::camera::synthetic::{MotionEvent, SyntheticCamera};
use camreel::capture::CaptureExt;
use camreel::codec::{jpeg, png};
use camreel::gif::{GifReader, GifWriter};
use camreel::imageio::{self, Fallback, FileOptions};
use camreel::replay::ReplayCamera;
use camreel::sink::FrameSink;
use camreel::timing::FrameRate;
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
    let mut sink = FileOptions::new()
        .fallback(Fallback::Jpeg { quality: 85 })
        .create(&clip)?;
    let start = Instant::now();
    let recorded = camera.record(&mut sink, None)?;
    sink.finish()?;
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
    let count = u32::try_from(intervals.len().max(1)).unwrap_or(u32::MAX);
    let mean = intervals.iter().sum::<Duration>() / count;
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

    // 3. Convert: the JPEG frames go into an AVI untouched; decoded, into a GIF.
    let avi_path = dir.join("clip.avi");
    let gif_path = dir.join("clip.gif");
    let png_path = dir.join("frame0.png");
    // Both are written as fast as the replay goes; each frame's timestamp
    // times it, so both keep the recorded 30 fps.
    let mut avi = MjpegWriterBuilder::new(WIDTH, HEIGHT)
        .frame_rate(FrameRate::from_fps(FPS)?)
        .create(&avi_path)?;
    let mut gif = GifWriter::create(&gif_path, WIDTH, HEIGHT)?;
    let mut fast = ReplayCamera::builder(&clip).realtime(false).open()?;
    let mut first = true;
    while let Some(frame) = fast.next_frame()? {
        avi.write_frame(&frame)?; // JPEG of the right size: stored untouched
        gif.write_frame(&frame)?; // decoded, quantised, shown until the next timestamp
        if first {
            let rgb = jpeg::decode(frame.image.data())?;
            let mut out = Vec::new();
            png::encode(rgb.view(), &mut out)?;
            std::fs::write(&png_path, out)
                .map_err(|e| Error::io(png_path.display().to_string(), e))?;
            first = false;
        }
    }
    avi.finish()?;
    gif.finish()?;
    // The same 60 frames last the same time in every file kind.
    println!(
        "durations: .bin {:.3} s, .avi {:.3} s, .gif {:.3} s",
        imageio::info(&clip)?.duration().as_secs_f64(),
        avi::info(&avi_path)?.duration().as_secs_f64(),
        GifReader::open(&gif_path)?
            .info()
            .map_or(0.0, |i| i.duration().as_secs_f64()),
    );
    for path in [&avi_path, &gif_path, &png_path] {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!("wrote {} ({size} bytes)", path.display());
    }
    println!(
        "try: cargo run --release -p camreel-cli -- info {}",
        clip.display()
    );
    Ok(())
}
