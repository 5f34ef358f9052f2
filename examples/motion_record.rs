//! The seed's "recording motion vector data" recipe: a recording with a
//! motion output next to it, then the motion data loaded back and the
//! busiest macroblocks printed.
//!
//! ```sh
//! cargo run --release --example motion_record -- [DIR] [FRAMES]
//! ```
//!
//! Defaults: `$TMPDIR`, 90 frames. The synthetic camera (640x480 JPEG frames
//! like an MJPEG webcam's, 30 fps, panning scene with bouncing discs) is
//! recorded to `DIR/motion.avi` (Motion-JPEG) while a splitter tees the same
//! frames to a [`MotionOutput`](camreel::motion::MotionOutput) writing
//! `DIR/motion.data`, as picamera's
//! `start_recording('motion.h264', motion_output='motion.data')`.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;

use camreel::PixelFormat;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::capture::Splitter;
use camreel::motion::{MotionData, MotionOptions, MotionOutput};
use camreel::sink::{FileSink, OutputOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let frames: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(90);
    let (width, height) = (640, 480);

    let camera = SyntheticCamera::builder()
        .size(width, height)
        .format(PixelFormat::Jpeg)
        .fps(30.0)
        .frame_limit(frames)
        .build()?;
    let video = dir.join("motion.avi");
    let data = dir.join("motion.data");
    let mut splitter = Splitter::new(camera);
    splitter.add_port(FileSink::create(&video, OutputOptions::new())?);
    let motion = MotionOutput::new(
        BufWriter::new(File::create(&data)?),
        MotionOptions::default(),
    )?;
    splitter.add_port(motion);
    let stats = splitter.run(None)?;
    drop(splitter);
    println!(
        "recorded {} frames to {} and their motion to {}",
        stats.frames,
        video.display(),
        data.display()
    );

    // Load it back, as the seed does with numpy.
    let motion = MotionData::open(&data, width, height)?;
    let layout = motion.layout();
    println!(
        "{} frames of {} rows x {} columns ({} bytes each)",
        motion.len(),
        layout.rows(),
        layout.cols(),
        layout.frame_bytes()
    );
    if let Some(f) = motion.frame(4) {
        let xs: Vec<i8> = (0..layout.cols()).map(|c| f.vector(c, 20).x).collect();
        println!("frame 4, row 20, x: {xs:?}");
    }

    // The busiest blocks: the longest vectors summed over the recording.
    let mut total: HashMap<(usize, usize), f64> = HashMap::new();
    for frame in motion.frames() {
        for (col, row, v) in frame.blocks() {
            *total.entry((col, row)).or_default() += v.magnitude();
        }
    }
    let mut busiest: Vec<_> = total.into_iter().collect();
    busiest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("busiest macroblocks (column, row: mean vector length in pixels):");
    for ((col, row), sum) in busiest.iter().take(8) {
        println!(
            "  {col:>2}, {row:>2}: {:.2} (pixels {}..{} x {}..{})",
            sum / motion.len().max(1) as f64,
            col * 16,
            col * 16 + 16,
            row * 16,
            row * 16 + 16
        );
    }
    Ok(())
}
