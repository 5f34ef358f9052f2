//! picamera recipe 5.6, recording at multiple resolutions: one 1024x768
//! stream recorded at full size and, through a second splitter port,
//! resized to 320x240 (for analysis on the small one while the big one is
//! kept).
//!
//! `cargo run --release --example multiple_resolutions`

use camreel::camera::synthetic::SyntheticCamera;
use camreel::capture::{Resize, Splitter};
use camreel::imageio::{Fallback, FileOptions};

fn main() -> camreel::Result<()> {
    let dir = std::env::temp_dir()
        .join("camreel-examples")
        .join("multiple_resolutions");
    std::fs::create_dir_all(&dir).map_err(|e| camreel::Error::io(dir.display().to_string(), e))?;
    let camera = SyntheticCamera::builder()
        .size(1024, 768)
        .fps(30.0)
        .frame_limit(45)
        .build()?;
    let mut splitter = Splitter::new(camera);
    // ImageIO has no code for the camera's RGB888: store JPEG frames.
    let jpeg = FileOptions::new().fallback(Fallback::Jpeg { quality: 85 });
    let high = splitter.add_port(jpeg.create(dir.join("highres.bin"))?);
    let low = splitter.add_port_with(jpeg.create(dir.join("lowres.bin"))?, Resize::new(320, 240));
    let stats = splitter.run(None)?;
    println!(
        "{} frames: {} to highres.bin (1024x768), {} to lowres.bin (320x240) in {}",
        stats.frames,
        splitter.port_frames(high),
        splitter.port_frames(low),
        dir.display()
    );
    Ok(())
}
