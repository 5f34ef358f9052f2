//! Speed and quality of camreel's `.mp4` recording against ffmpeg's
//! libx264 `-preset ultrafast`, both run here in one go on the 300-frame
//! 640x480 sequence of `/work/shared/bench`.
//!
//! ```text
//! python3 /work/shared/bench/anchors.py --cases 4 --quick --dump-inputs /tmp/anchor_inputs
//! cargo run --release --features h264 --example h264_compare -- \
//!     /tmp/anchor_inputs/seq_rgb24_640x480_x300.bin [--bitrate 2000000] [--threads 2] [--reps 3]
//! ```
//!
//! Sides, each the median of `--reps` runs:
//!
//! * libx264: `ffmpeg -f rawvideo -pix_fmt rgb24 -s 640x480 -r 30 -i -
//!   -c:v libx264 -preset ultrafast -pix_fmt yuv420p -b:v 2M -threads 2
//!   out.mp4`, the RGB
//!   frames fed through a pipe; whole-process time.
//! * camreel, RGB input: the same RGB888 frames into an `Mp4Writer` with
//!   the default settings at the same bitrate (conversion to YUV420 and
//!   encoding timed together), into a file.
//! * camreel, YUV420 input: the frames converted beforehand (not timed),
//!   as a camera delivering YUV420 gives them.
//!
//! Quality: mean RGB PSNR over all frames, both files decoded the same way
//! (camreel's `Mp4Reader`, openh264, BT.601 to RGB).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use camreel::camera::CameraSource;
use camreel::frame::Frame;
use camreel::h264::{H264Settings, RateControl};
use camreel::mp4::{Mp4Options, Mp4Reader, Mp4Writer};
use camreel::sink::FrameSink;
use camreel::timing::FrameRate;
use camreel::{Error, Image, PixelFormat, Result, convert};

const W: u32 = 640;
const H: u32 = 480;

struct Args {
    frames: PathBuf,
    bitrate: u32,
    threads: u16,
    reps: usize,
}

fn usage() -> ! {
    eprintln!("usage: h264_compare FRAMES.rgb [--bitrate BPS] [--threads N] [--reps R]");
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let frames = it.next().unwrap_or_else(|| usage()).into();
    let mut args = Args {
        frames,
        bitrate: 2_000_000,
        threads: 2,
        reps: 3,
    };
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--bitrate" => args.bitrate = value.parse().unwrap_or_else(|_| usage()),
            "--threads" => args.threads = value.parse().unwrap_or_else(|_| usage()),
            "--reps" => args.reps = value.parse().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    args
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One libx264 run: whole-process time.
fn x264(raw: &[u8], out: &Path, args: &Args) -> Result<Duration> {
    let start = Instant::now();
    let mut child = Command::new("ffmpeg")
        .args([
            "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
        ])
        .args(["-s", &format!("{W}x{H}"), "-r", "30", "-i", "-"])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ])
        .args([
            "-b:v",
            &args.bitrate.to_string(),
            "-threads",
            &args.threads.to_string(),
        ])
        .arg(out)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io("running ffmpeg", e))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(raw)
            .map_err(|e| Error::io("feeding ffmpeg", e))?;
    }
    let status = child
        .wait()
        .map_err(|e| Error::io("waiting for ffmpeg", e))?;
    if !status.success() {
        return Err(Error::new(
            camreel::ErrorKind::Io,
            format!("ffmpeg failed: {status}"),
        ));
    }
    Ok(start.elapsed())
}

/// One camreel run over `frames` at 30 fps: time to write the file.
fn camreel(frames: &[Image], out: &Path, args: &Args) -> Result<Duration> {
    let settings = H264Settings::default()
        .rate_control(RateControl::Bitrate(args.bitrate))
        .threads(args.threads);
    let options = Mp4Options::default()
        .settings(settings)
        .frame_rate(FrameRate::default());
    let start = Instant::now();
    let mut mp4 = Mp4Writer::create(out, options)?;
    for (i, f) in frames.iter().enumerate() {
        let t = Duration::from_nanos(i as u64 * 1_000_000_000 / 30);
        mp4.write_frame(&Frame::new(f.view(), i as u64, t))?;
    }
    mp4.finish()?;
    drop(mp4);
    Ok(start.elapsed())
}

/// Mean RGB PSNR of the decoded `path` against `src`, and its size.
fn quality(path: &Path, src: &[Image]) -> Result<(f64, u64)> {
    let mut reader = Mp4Reader::open(path)?;
    let mut rgb = Image::empty();
    let mut total = 0.0;
    let mut n = 0usize;
    while let Some(frame) = reader.next_frame()? {
        let Some(want) = src.get(n) else { break };
        convert::convert_into(frame.image, PixelFormat::Rgb888, &mut rgb)?;
        let se: u64 = rgb
            .data()
            .iter()
            .zip(want.data())
            .map(|(&a, &b)| u64::from(a.abs_diff(b)).pow(2))
            .sum();
        let mse = se as f64 / rgb.data().len() as f64;
        total += 10.0 * (255.0f64 * 255.0 / mse.max(1e-10)).log10();
        n += 1;
    }
    let bytes = std::fs::metadata(path)
        .map_err(|e| Error::io("size", e))?
        .len();
    Ok((total / n.max(1) as f64, bytes))
}

fn main() -> Result<()> {
    let args = parse_args();
    let raw = std::fs::read(&args.frames).map_err(|e| Error::io("reading the frames", e))?;
    let frame_len = (W * H * 3) as usize;
    let rgb: Vec<Image> = raw
        .chunks_exact(frame_len)
        .map(|c| Image::new(PixelFormat::Rgb888, W, H, c.to_vec()))
        .collect::<Result<_>>()?;
    let yuv: Vec<Image> = rgb
        .iter()
        .map(|f| convert::convert(f.view(), PixelFormat::Yuv420))
        .collect::<Result<_>>()?;
    let n = rgb.len() as f64;
    let dir = std::env::temp_dir().join("camreel-h264-compare");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("temp dir", e))?;
    let (x_out, c_rgb_out, c_yuv_out) = (
        dir.join("x264.mp4"),
        dir.join("rgb.mp4"),
        dir.join("yuv.mp4"),
    );
    let (mut tx, mut tr, mut ty) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..args.reps.max(1) {
        tx.push(x264(&raw, &x_out, &args)?);
        tr.push(camreel(&rgb, &c_rgb_out, &args)?);
        ty.push(camreel(&yuv, &c_yuv_out, &args)?);
    }
    let (tx, tr, ty) = (median(tx), median(tr), median(ty));
    let (px, bx) = quality(&x_out, &rgb)?;
    let (pr, br) = quality(&c_rgb_out, &rgb)?;
    let (py, by) = quality(&c_yuv_out, &rgb)?;
    let fps = |t: Duration| n / t.as_secs_f64();
    println!(
        "{} frames {W}x{H}, {} bit/s, {} threads, median of {} runs",
        rgb.len(),
        args.bitrate,
        args.threads,
        args.reps
    );
    println!("| encoder | input | s | fps | x libx264 fps | bytes | mean RGB PSNR dB |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| libx264 ultrafast | rgb24 pipe | {:.3} | {:.1} | 1.00 | {bx} | {px:.2} |",
        tx.as_secs_f64(),
        fps(tx)
    );
    println!(
        "| camreel Mp4Writer | RGB888 | {:.3} | {:.1} | {:.2} | {br} | {pr:.2} |",
        tr.as_secs_f64(),
        fps(tr),
        fps(tr) / fps(tx)
    );
    println!(
        "| camreel Mp4Writer | YUV420 | {:.3} | {:.1} | {:.2} | {by} | {py:.2} |",
        ty.as_secs_f64(),
        fps(ty),
        fps(ty) / fps(tx)
    );
    Ok(())
}
