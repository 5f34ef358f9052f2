//! picamera recipe 5.3, rapid capture: `capture_sequence` of JPEG stills at
//! 1024x768 into generated file names, timing the burst. The encoder is set
//! up once for the whole sequence, which is what makes it the fast path.
//!
//! `cargo run --release --example rapid_capture`

use std::time::Instant;

use camreel::camera::synthetic::SyntheticCamera;
use camreel::capture::{CaptureExt, JpegCapture};

fn main() -> camreel::Result<()> {
    let frames = 60;
    let dir = std::env::temp_dir()
        .join("camreel-examples")
        .join("rapid_capture");
    std::fs::create_dir_all(&dir).map_err(|e| camreel::Error::io(dir.display().to_string(), e))?;
    let mut camera = SyntheticCamera::builder().size(1024, 768).build()?;
    let mut jpeg = JpegCapture::new(85)?;

    // A generator of file names, as in the recipe's `filenames()`.
    let names = (0..frames).map(|i| dir.join(format!("image{i:02}.jpg")));
    let start = Instant::now();
    let n = camera.capture_sequence_files(names, &mut jpeg)?;
    let secs = start.elapsed().as_secs_f64();
    println!("Captured {n} frames at {:.2}fps", n as f64 / secs);
    println!("files: {}/image00.jpg ...", dir.display());
    Ok(())
}
