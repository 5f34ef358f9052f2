//! Plays an ImageIO `.bin` file at its natural rate and prints per-frame stats.
//!
//! ```sh
//! cargo run --example replay -- FILE.bin [--fast] [--loops N]
//! ```
//!
//! For each frame: index, size and format, payload bytes, the interval
//! recorded at write time, the interval measured during playback, and the
//! mean byte value of the payload. `--fast` reads without pausing; `--loops N`
//! plays the file N times (wrapping with `loop`). A truncated or damaged tail
//! is reported and playback goes on with the complete frames.

use std::io::Write;
use std::time::Instant;

use camreel::Image;
use camreel::imageio::{FileStream, ReadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut path = None;
    let mut pause = true;
    let mut loops = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--fast" => pause = false,
            "--loops" => loops = args.next().ok_or("--loops needs a number")?.parse()?,
            _ => path = Some(arg),
        }
    }
    let path = path.ok_or("usage: replay FILE.bin [--fast] [--loops N]")?;

    // writeln! rather than println!, so that a closed pipe (`| head`) ends
    // the program with an error instead of a panic.
    let mut out = std::io::stdout().lock();
    let mut stream = FileStream::open(&path)?;
    writeln!(
        out,
        "{path}: OMV IMG STR {}, {} frames, {} bytes",
        stream.version(),
        stream.count(),
        stream.byte_len()
    )?;
    if let Some(tail) = stream.damaged_tail() {
        writeln!(out, "note: {tail}")?;
    }
    let total = stream.count() * loops;
    let opts = ReadOptions::PLAYBACK.pausing(pause);
    writeln!(
        out,
        "{:>6}  {:>9}  {:<10}  {:>8}  {:>8}  {:>8}  {:>6}",
        "frame", "size", "format", "bytes", "rec ms", "play ms", "mean"
    )?;
    let mut img = Image::empty();
    let start = Instant::now();
    let mut last = start;
    let mut shown = 0u64;
    let mut recorded_ms = 0u64;
    while shown < total {
        let info = match stream.read_into(&mut img, opts) {
            Ok(Some(info)) => info,
            Ok(None) => break,
            Err(e) => {
                // The damaged tail is reported once per pass; then the stream wraps.
                writeln!(out, "  tail: {e}")?;
                continue;
            }
        };
        let now = Instant::now();
        let played = now.duration_since(last).as_secs_f64() * 1e3;
        last = now;
        let mean =
            img.data().iter().map(|&b| u64::from(b)).sum::<u64>() as f64 / img.data().len() as f64;
        writeln!(
            out,
            "{:>6}  {:>9}  {:<10}  {:>8}  {:>8}  {:>8.1}  {:>6.1}",
            info.index,
            format!("{}x{}", img.width(), img.height()),
            img.format().name(),
            img.data().len(),
            info.elapsed_ms,
            played,
            mean
        )?;
        recorded_ms += u64::from(info.elapsed_ms);
        shown += 1;
    }
    writeln!(
        out,
        "played {shown} frames in {:.1} ms (recorded: {recorded_ms} ms)",
        start.elapsed().as_secs_f64() * 1e3
    )?;
    Ok(())
}
