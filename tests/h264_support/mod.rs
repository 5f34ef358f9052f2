//! Helpers shared by the H.264 and MP4 integration tests: test frames, and
//! running ffprobe/ffmpeg on the files we write.

#![allow(dead_code)]

pub mod fuzz_body;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use camreel::{Image, PixelFormat};

/// Whether `tool` (ffprobe, ffmpeg) can run. Without it the test is skipped
/// with a printed reason, unless `CAMREEL_REQUIRE_FFMPEG=1`, which makes a
/// missing tool a failure (CI sets it).
pub fn have(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("-version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("CAMREEL_REQUIRE_FFMPEG").as_deref() == Ok("1") {
            panic!("{tool} is required (CAMREEL_REQUIRE_FFMPEG=1) but cannot be run");
        }
        eprintln!(
            "skipped: {tool} is not installed (set CAMREEL_REQUIRE_FFMPEG=1 to fail instead)"
        );
    }
    ok
}

/// Timestamp of frame `i` at exactly 30000/1001 fps.
pub fn ntsc(i: u64) -> Duration {
    Duration::from_nanos(i * 1_001_000_000_000 / 30_000)
}

/// A moving YUV420 test picture: a diagonal gradient and a bright square
/// that moves 4 pixels a frame.
pub fn picture(w: u32, h: u32, t: u32) -> Image {
    let mut img = Image::zeroed(PixelFormat::Yuv420, w, h).unwrap();
    let (wu, hu) = (w as usize, h as usize);
    let data = img.data_mut();
    for y in 0..hu {
        for x in 0..wu {
            let in_square =
                (x as u32).wrapping_sub(4 * t) % w < 32 && y >= hu / 3 && y < hu / 3 + 32;
            data[y * wu + x] = if in_square {
                235
            } else {
                (16 + (x + y) * 200 / (wu + hu)) as u8
            };
        }
    }
    for (i, b) in data[wu * hu..].iter_mut().enumerate() {
        *b = 128u8.wrapping_add((i % 7) as u8);
    }
    img
}

/// Output of `ffprobe -v error` with `args` on `path`: stdout and stderr.
pub fn ffprobe(path: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new("ffprobe")
        .args(["-v", "error"])
        .args(args)
        .arg(path)
        .output()
        .expect("running ffprobe");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `key=value` lines of ffprobe's default output for the video stream,
/// decoding every frame.
pub fn stream_info(path: &Path) -> std::collections::HashMap<String, String> {
    let (out, err) = ffprobe(
        path,
        &[
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,profile,width,height,avg_frame_rate,r_frame_rate,nb_read_frames,duration,pix_fmt:format=duration,format_name",
            "-of",
            "default=noprint_wrappers=1",
        ],
    );
    assert!(err.is_empty(), "ffprobe printed: {err}");
    out.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Indexes of the frames ffprobe calls key frames.
pub fn key_frames(path: &Path) -> Vec<usize> {
    let (out, err) = ffprobe(
        path,
        &[
            "-select_streams",
            "v:0",
            "-show_entries",
            "packet=flags",
            "-of",
            "csv=p=0",
        ],
    );
    assert!(err.is_empty(), "ffprobe printed: {err}");
    out.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with('K'))
        .map(|(i, _)| i)
        .collect()
}

/// Presentation times (seconds) of the packets ffprobe reads.
pub fn packet_times(path: &Path) -> Vec<f64> {
    let (out, err) = ffprobe(
        path,
        &[
            "-select_streams",
            "v:0",
            "-show_entries",
            "packet=pts_time",
            "-of",
            "csv=p=0",
        ],
    );
    assert!(err.is_empty(), "ffprobe printed: {err}");
    out.lines().filter_map(|l| l.trim().parse().ok()).collect()
}

/// Runs `ffmpeg -v error [pre] -i path -f null -` and returns what it
/// printed on stderr (empty when the file decodes cleanly).
pub fn ffmpeg_errors(path: &Path, pre: &[&str]) -> String {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error"])
        .args(pre)
        .arg("-i")
        .arg(path)
        .args(["-f", "null", "-"])
        .output()
        .expect("running ffmpeg");
    let mut s = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        s.push_str(&format!("\nffmpeg exit status {}", out.status));
    }
    s
}

/// Frames ffmpeg decodes from `path` (`-f framecrc`), with `pre` before
/// `-i` (a seek), and its stderr.
pub fn decoded_frames(path: &Path, pre: &[&str]) -> (u64, String) {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error"])
        .args(pre)
        .arg("-i")
        .arg(path)
        .args(["-f", "framecrc", "-"])
        .output()
        .expect("running ffmpeg");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let n = stdout.lines().filter(|l| !l.starts_with('#')).count() as u64;
    (n, String::from_utf8_lossy(&out.stderr).into_owned())
}
