//! Records synthetic frames to an ImageIO `.bin` file at a steady frame rate.
//!
//! ```sh
//! cargo run --example record -- [OUT.bin] [FRAMES] [FPS]
//! ```
//!
//! Defaults: `$TMPDIR/camreel-record.bin`, 60 frames, 30 fps. Frames are a
//! 320x240 RGB565 gradient that moves 4 pixels per frame; every 15th frame is
//! also stored as a grayscale thumbnail, to show that a file stream mixes
//! sizes and formats. The stream is synced every 30 frames, so a power cut
//! loses at most the last second. Play it back with the `replay` example or
//! inspect it with `camreel info`.

use std::time::{Duration, Instant};

use camreel::imageio::FileStream;
use camreel::{Image, PixelFormat};

/// A 320x240 RGB565 frame: red across, green down, blue moving with `t`.
fn gradient(t: u32, frame: &mut Image) -> camreel::Result<()> {
    let (w, h) = (320u32, 240u32);
    frame.reshape(PixelFormat::Rgb565, w, h)?;
    for (y, row) in frame
        .data_mut()
        .chunks_exact_mut(2 * w as usize)
        .enumerate()
    {
        for (x, px) in row.chunks_exact_mut(2).enumerate() {
            let (x, y) = (x as u32, y as u32);
            let r = ((x + 4 * t) % w) * 31 / w;
            let g = y * 63 / h;
            let b = ((x + y + 8 * t) / 16) % 32;
            px.copy_from_slice(&(((r << 11) | (g << 5) | b) as u16).to_le_bytes());
        }
    }
    Ok(())
}

/// An 80x60 grayscale thumbnail of an RGB565 frame (green channel, 4x4 subsampled).
fn thumbnail(frame: &Image) -> camreel::Result<Image> {
    let (w, h) = (frame.width() / 4, frame.height() / 4);
    let stride = frame.width() as usize * 2;
    let mut out = Vec::with_capacity((w * h) as usize);
    for y in 0..h as usize {
        for x in 0..w as usize {
            let at = 4 * y * stride + 4 * x * 2;
            let px = u16::from_le_bytes([frame.data()[at], frame.data()[at + 1]]);
            out.push((((px >> 5) & 63) << 2) as u8);
        }
    }
    Image::new(PixelFormat::Grayscale, w, h, out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("camreel-record.bin"));
    let frames: u32 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(60);
    let fps: f64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(30.0);
    if !(fps > 0.0 && fps <= 1000.0) {
        return Err("FPS must be more than 0 and at most 1000".into());
    }
    let period = Duration::from_secs_f64(1.0 / fps);

    let mut stream = FileStream::create(&out)?;
    let mut frame = Image::empty();
    let start = Instant::now();
    for t in 0..frames {
        // Wait for the next capture time, as a camera would deliver frames.
        let due = start + period * t;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        gradient(t, &mut frame)?;
        stream.write(&frame)?;
        if t % 15 == 14 {
            stream.write(&thumbnail(&frame)?)?;
        }
        if t % 30 == 29 {
            stream.sync()?;
        }
    }
    let (count, bytes) = (stream.count(), stream.byte_len());
    stream.close()?;
    println!(
        "recorded {count} frames ({frames} at {fps} fps + thumbnails), {bytes} bytes in {:.2} s to {}",
        start.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}
