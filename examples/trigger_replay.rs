//! Trigger-and-replay (OpenMV seed section 7.33.6): keep the last second of
//! frames in a memory ring and, when something happens, save them followed by
//! the next second of live frames.
//!
//! ```sh
//! cargo run --example trigger_replay -- [OUT.bin]
//! ```
//!
//! The "camera" is synthetic: a 160x120 grayscale scene where a bright square
//! enters from the left at frame 75. The trigger is a crude motion detector:
//! the mean brightness of the frame jumps. The clock is a manual one stepped
//! 33 ms per frame so the example runs instantly and prints the same thing
//! every time; a camera loop would use the default monotonic clock
//! (`TriggerRecorder::new`).

use std::sync::Arc;
use std::time::Duration;

use camreel::clock::ManualClock;
use camreel::imageio::{FileStream, TriggerRecorder};
use camreel::{Image, PixelFormat};

const W: u32 = 160;
const H: u32 = 120;

/// Frame `t`: a dim gradient with noise-free texture; from frame 75 a bright
/// 40x40 square moving right 3 px per frame.
fn scene(t: u32, frame: &mut Image) -> camreel::Result<()> {
    frame.reshape(PixelFormat::Grayscale, W, H)?;
    let square_x = (t as i64 - 75) * 3;
    for (y, row) in frame.data_mut().chunks_exact_mut(W as usize).enumerate() {
        for (x, px) in row.iter_mut().enumerate() {
            let inside =
                (x as i64) < square_x && (x as i64) >= square_x - 40 && (40..80).contains(&y);
            *px = if inside {
                240
            } else {
                ((x + y + t as usize) % 32 + 20) as u8
            };
        }
    }
    Ok(())
}

fn mean(frame: &Image) -> f64 {
    frame.data().iter().map(|&b| f64::from(b)).sum::<f64>() / frame.data().len() as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("camreel-trigger.bin"));
    let clock = Arc::new(ManualClock::new());
    // One second of pre-trigger frames at 30 fps.
    let mut recorder =
        TriggerRecorder::with_clock(W, H, PixelFormat::Grayscale, 30, clock.clone())?;
    let mut frame = Image::empty();
    let mut baseline = None;
    let mut triggered_at = None;
    for t in 0..200u32 {
        clock.advance(Duration::from_millis(33));
        scene(t, &mut frame)?;
        recorder.push(&frame)?;
        let m = mean(&frame);
        let base = *baseline.get_or_insert(m);
        if triggered_at.is_none() && m > base + 2.0 {
            let pre = recorder.trigger(&out)?;
            println!(
                "frame {t}: mean {m:.1} > {base:.1} + 2: triggered, saved {pre} earlier frames"
            );
            triggered_at = Some(t);
        }
        if triggered_at.is_some_and(|at| t == at + 30) {
            let n = recorder.stop()?;
            println!("frame {t}: stopped, {n} frames in {}", out.display());
        }
    }

    let s = FileStream::open(&out)?;
    let first_ms: Vec<u32> = s.headers().take(3).map(|h| h.elapsed_ms).collect();
    println!(
        "{}: {} frames, {} bytes; intervals of the first frames {:?} ms",
        out.display(),
        s.count(),
        s.byte_len(),
        first_ms
    );
    Ok(())
}
