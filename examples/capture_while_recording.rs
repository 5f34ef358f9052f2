//! picamera recipe 5.5, capturing images whilst recording: record 800x600
//! to an ImageIO `.bin` for 2 seconds and take a JPEG still from the video
//! stream one second in, without dropping a recording frame.
//!
//! `cargo run --release --example capture_while_recording`

use camreel::camera::synthetic::SyntheticCamera;
use camreel::capture::{JpegCapture, Splitter};
use camreel::imageio::{Fallback, FileOptions};

fn main() -> camreel::Result<()> {
    let dir = std::env::temp_dir()
        .join("camreel-examples")
        .join("capture_while_recording");
    std::fs::create_dir_all(&dir).map_err(|e| camreel::Error::io(dir.display().to_string(), e))?;
    let fps = 30u32;
    let camera = SyntheticCamera::builder()
        .size(800, 600)
        .fps(f64::from(fps))
        .build()?;
    let video = FileOptions::new()
        .fallback(Fallback::Jpeg { quality: 80 })
        .create(dir.join("foo.bin"))?;
    let mut splitter = Splitter::new(camera);
    let port = splitter.add_port(video);
    let stills = splitter.still_handle();

    let frames = 2 * u64::from(fps);
    let mut still = None;
    for i in 0..frames {
        if i == frames / 2 {
            // capture('foo.jpg', use_video_port=True)
            still = Some(stills.request(JpegCapture::new(90)?));
        }
        splitter.step()?;
    }
    let recorded = splitter.port_frames(port);
    let stats = splitter.run(Some(0))?;
    let still = still.expect("requested").wait()?;
    std::fs::write(dir.join("foo.jpg"), &still.data)
        .map_err(|e| camreel::Error::io("writing foo.jpg", e))?;
    println!(
        "recorded {recorded} frames ({} skipped by the source) to {}",
        stats.source_gaps,
        dir.join("foo.bin").display()
    );
    println!(
        "still from frame {} at {:?}: {} bytes in {}",
        still.info.sequence,
        still.info.timestamp,
        still.data.len(),
        dir.join("foo.jpg").display()
    );
    Ok(())
}
