//! Records RGB888 frames into a Motion-JPEG AVI and prints the whole-recording
//! frame rate, the file size and the PSNR, to compare with the reference
//! numbers of `/work/shared/bench` (case 4: 300 frames 640x480).
//!
//! ```text
//! python3 /work/shared/bench/anchors.py --cases 4 --quick --json /tmp/a4.json \
//!     --dump-inputs /tmp/anchor_inputs
//! cargo run --release --features turbojpeg --example avi_compare -- \
//!     /tmp/anchor_inputs/seq_rgb24_640x480_x300.bin /tmp/out.avi --quality 75 --threads 2
//! ```
//!
//! Options: `--quality Q` (default 75), `--subsampling 444|420` (default
//! 444), `--optimize 1|0` (optimised Huffman tables, default 1), `--threads
//! N` (0: the sequential `MjpegWriter`; default 2: `ParallelMjpegWriter`),
//! `--reps R` timed runs (default 5; the median is printed), `--size WxH`
//! (default 640x480).
//!
//! PSNR is the mean over every 10th frame, as the anchors compute it, of
//! 10 log10(255^2 / MSE) between the source RGB and the frame decoded by
//! camreel's decoder (zune-jpeg). The anchors decode with OpenCV
//! (libjpeg-turbo); to get their exact figure for the file written here:
//!
//! ```text
//! python3 -c 'import sys, numpy as np; sys.path.insert(0, "/work/shared/bench"); import anchors
//! src = np.fromfile("/tmp/anchor_inputs/seq_rgb24_640x480_x300.bin", np.uint8).reshape(300, 480, 640, 3)
//! print(anchors.video_psnr("/tmp/out.avi", src, step=10))'
//! ```

use std::fs::File;
use std::io::{BufWriter, Cursor};
use std::path::PathBuf;
use std::time::Instant;

use camreel::avi::{AviReader, FrameOptions, MjpegWriterBuilder, ParallelMjpegWriter};
use camreel::codec::jpeg::{Backend, Subsampling};
use camreel::timing::FrameRate;
use camreel::{Image, ImageRef, PixelFormat, Result, codec};

struct Args {
    frames: PathBuf,
    out: PathBuf,
    quality: u8,
    threads: usize,
    reps: usize,
    width: u32,
    height: u32,
    subsampling: Subsampling,
    optimize: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: avi_compare FRAMES.rgb OUT.avi [--quality Q] [--threads N] [--reps R] [--size WxH] [--subsampling 444|420] [--optimize 1|0]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let (Some(frames), Some(out)) = (it.next(), it.next()) else {
        usage()
    };
    let mut args = Args {
        frames: frames.into(),
        out: out.into(),
        quality: 75,
        threads: 2,
        reps: 5,
        width: 640,
        height: 480,
        subsampling: Subsampling::Chroma444,
        optimize: true,
    };
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--quality" => args.quality = value.parse().unwrap_or_else(|_| usage()),
            "--threads" => args.threads = value.parse().unwrap_or_else(|_| usage()),
            "--reps" => args.reps = value.parse().unwrap_or_else(|_| usage()),
            "--subsampling" => {
                args.subsampling = match value.as_str() {
                    "444" => Subsampling::Chroma444,
                    "420" => Subsampling::Chroma420,
                    _ => usage(),
                }
            }
            "--optimize" => args.optimize = value == "1" || value == "true",
            "--size" => {
                let (w, h) = value.split_once('x').unwrap_or_else(|| usage());
                args.width = w.parse().unwrap_or_else(|_| usage());
                args.height = h.parse().unwrap_or_else(|_| usage());
            }
            _ => usage(),
        }
    }
    args
}

/// Writes every frame into `args.out` once.
fn record(args: &Args, frames: &[ImageRef<'_>]) -> Result<()> {
    let file = File::create(&args.out).map_err(|e| camreel::Error::io("creating the output", e))?;
    let writer = MjpegWriterBuilder::new(args.width, args.height)
        .frame_rate(FrameRate::new(30, 1)?)
        .quality(args.quality)
        .subsampling(args.subsampling)
        .optimize_coding(args.optimize)
        .build(BufWriter::new(file))?;
    let options = FrameOptions::new();
    if args.threads == 0 {
        let mut writer = writer;
        for f in frames {
            writer.add_frame(*f, &options)?;
        }
        writer.into_inner()?;
    } else {
        let mut writer = ParallelMjpegWriter::new(writer, args.threads)?;
        for f in frames {
            writer.add_frame(*f, &options)?;
        }
        writer.finish()?;
    }
    Ok(())
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let se: u64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| {
            let d = i64::from(x) - i64::from(y);
            (d * d) as u64
        })
        .sum();
    let mse = se as f64 / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}

fn main() -> Result<()> {
    let args = parse_args();
    let all = std::fs::read(&args.frames)
        .map_err(|e| camreel::Error::io(format!("reading {}", args.frames.display()), e))?;
    let frame_len = (args.width * args.height * 3) as usize;
    if all.is_empty() || all.len() % frame_len != 0 {
        eprintln!(
            "{}: {} bytes is not a whole number of {}x{} RGB888 frames",
            args.frames.display(),
            all.len(),
            args.width,
            args.height
        );
        std::process::exit(1);
    }
    let frames: Vec<ImageRef<'_>> = all
        .chunks_exact(frame_len)
        .map(|c| ImageRef::new(PixelFormat::Rgb888, args.width, args.height, c))
        .collect::<Result<_>>()?;
    let mut times = Vec::with_capacity(args.reps);
    for _ in 0..args.reps.max(1) {
        let t = Instant::now();
        record(&args, &frames)?;
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let bytes = std::fs::metadata(&args.out)
        .map_err(|e| camreel::Error::io("reading the output size", e))?
        .len();

    let data = std::fs::read(&args.out).map_err(|e| camreel::Error::io("reading the output", e))?;
    let mut reader = AviReader::new(Cursor::new(data))?;
    let mut sum = 0.0;
    let mut n = 0;
    let mut decoded = Image::empty();
    let mut jpeg = Vec::new();
    for i in (0..frames.len()).step_by(10) {
        reader.read_frame_into(i as u64, &mut jpeg)?;
        codec::jpeg::decode_into(&jpeg, &mut decoded)?;
        sum += psnr(decoded.data(), frames[i].data());
        n += 1;
    }
    println!(
        "encoder {}, quality {}, {:?}, optimized Huffman {}, {} ({} frames {}x{})",
        Backend::default_backend(),
        args.quality,
        args.subsampling,
        args.optimize,
        if args.threads == 0 {
            "sequential MjpegWriter".to_string()
        } else {
            format!("ParallelMjpegWriter, {} threads", args.threads)
        },
        frames.len(),
        args.width,
        args.height
    );
    println!(
        "median {:.1} ms of {} runs: {:.0} fps; {} bytes; PSNR every 10th frame {:.2} dB",
        median * 1000.0,
        times.len(),
        frames.len() as f64 / median,
        bytes,
        sum / f64::from(n)
    );
    Ok(())
}
