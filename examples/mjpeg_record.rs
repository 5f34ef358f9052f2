//! Records synthetic frames to a Motion-JPEG `.avi` that any player opens.
//!
//! ```sh
//! cargo run --release --example mjpeg_record -- [OUT.avi] [FRAMES] [FPS]
//! ```
//!
//! Defaults: `$TMPDIR/camreel-record.avi`, 90 frames, 30 fps. Frames are
//! 640x480 RGB888, a gradient moving 4 pixels per frame, encoded on two
//! threads by a `ParallelMjpegWriter`; every 20th frame is a 320x320
//! grayscale square instead, letterboxed into the 640x480 recording. The
//! frame rate is measured from the frames' capture timestamps (never from
//! the wall clock); the file is synced to disk every second of recording,
//! so a crash loses at most the last second (and `camreel
//! convert broken.avi fixed.avi` recovers even that). Inspect the result
//! with `camreel info OUT.avi` or play it with `ffplay`.

use std::time::{Duration, Instant};

use camreel::avi::{FrameOptions, MjpegWriterBuilder, ParallelMjpegWriter};
use camreel::{Image, PixelFormat};

/// A 640x480 RGB888 frame: red across, green down, blue moving with `t`.
fn gradient(t: u32, frame: &mut Image) -> camreel::Result<()> {
    let (w, h) = (640u32, 480u32);
    frame.reshape(PixelFormat::Rgb888, w, h)?;
    for (y, row) in frame
        .data_mut()
        .chunks_exact_mut(3 * w as usize)
        .enumerate()
    {
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            let (x, y) = (x as u32, y as u32);
            px[0] = (((x + 4 * t) % w) * 255 / w) as u8;
            px[1] = (y * 255 / h) as u8;
            px[2] = ((t * 8) % 256) as u8;
        }
    }
    Ok(())
}

fn main() -> camreel::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .map(Into::into)
        .unwrap_or_else(|| std::env::temp_dir().join("camreel-record.avi"));
    let frames: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(90);
    let fps: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(30.0);
    let interval = Duration::from_secs_f64(1.0 / fps.max(0.1));

    let writer = MjpegWriterBuilder::new(640, 480).quality(80).create(&out)?;
    let mut recorder = ParallelMjpegWriter::new(writer, 2)?;
    let square = Image::new(PixelFormat::Grayscale, 320, 320, vec![160; 320 * 320])?;
    let mut frame = Image::empty();
    let start = Instant::now();
    for t in 0..frames {
        // The capture time, as a camera stamps it.
        let captured = FrameOptions::new().timestamp(interval * t);
        if t % 20 == 19 {
            recorder.add_frame(square.view(), &captured)?;
        } else {
            gradient(t, &mut frame)?;
            recorder.add_frame(frame.view(), &captured)?;
        }
        let next = interval * (t + 1);
        if next.as_secs() > (interval * t).as_secs() {
            recorder.sync()?; // a second of recording is on disk
        }
        // Wait for the next capture time, as a camera would.
        if let Some(wait) = next.checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
    }
    let rate = recorder.writer().map(|w| w.frame_rate());
    recorder.finish()?;
    let info = camreel::avi::info(&out)?;
    println!(
        "{}: {} frames {}x{} at {} fps (measured {:?}), {} bytes",
        out.display(),
        info.frame_count,
        info.width,
        info.height,
        info.frame_rate,
        rate,
        info.file_size
    );
    Ok(())
}
