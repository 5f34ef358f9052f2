//! The seed's magnitude pictures: one PNG per frame of motion data, each
//! macroblock a grey square as bright as its vector is long.
//!
//! ```sh
//! cargo run --release --example motion_png -- [OUT_DIR] [FRAMES]
//! ```
//!
//! Defaults: `$TMPDIR/camreel-motion-png`, 30 frames. The frames come from
//! the synthetic camera (320x240, panning, bouncing discs); the PNGs are
//! `frame000.png`, `frame001.png`, ... (320x240: 16x16 pixels per block).
//! Turn them into a video as the seed does:
//! `ffmpeg -r 30 -i frame%03d.png -c:v libx264 motion.mp4`.

use camreel::camera::synthetic::SyntheticCamera;
use camreel::codec::png;
use camreel::motion::{self, DetectorOptions, MagnitudeOptions, MotionOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("camreel-motion-png"));
    let frames: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(30);
    std::fs::create_dir_all(&dir)?;

    let mut camera = SyntheticCamera::builder()
        .size(320, 240)
        .frame_limit(frames)
        .build()?;
    let options = MagnitudeOptions::default();
    let mut encoded = Vec::new();
    motion::analyse_source(
        &mut camera,
        std::io::sink(),
        &MotionOptions::default(),
        DetectorOptions::default(),
        |summary, frame| {
            let image = motion::magnitude_image(frame, &options)?;
            encoded.clear();
            png::encode(image.view(), &mut encoded)?;
            let path = dir.join(format!("frame{:03}.png", summary.index));
            std::fs::write(&path, &encoded)
                .map_err(|e| camreel::Error::io(path.display().to_string(), e))?;
            println!(
                "Writing {} (mean vector {:.2} px)",
                path.display(),
                summary.mean_magnitude
            );
            Ok(())
        },
    )?;
    Ok(())
}
