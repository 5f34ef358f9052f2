//! Helpers shared by the AVI integration tests: test JPEG frames, and
//! running ffprobe/ffmpeg on the files we write.
#![allow(dead_code)]

pub mod fuzz_body;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

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

/// A `width` x `height` RGB JPEG whose content depends on `seed`, made by the
/// `jpeg-encoder` crate at quality `q` (it writes a JFIF APP0 segment).
pub fn jpeg(width: u16, height: u16, seed: u32, q: u8) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(usize::from(width) * usize::from(height) * 3);
    for y in 0..u32::from(height) {
        for x in 0..u32::from(width) {
            let v = x.wrapping_mul(7) ^ y.wrapping_mul(13) ^ seed.wrapping_mul(2654435761);
            rgb.extend_from_slice(&[
                (x * 255 / u32::from(width).max(1)) as u8,
                (y * 255 / u32::from(height).max(1)) as u8,
                (v >> 3) as u8,
            ]);
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, q)
        .encode(&rgb, width, height, jpeg_encoder::ColorType::Rgb)
        .expect("jpeg-encoder");
    out
}

/// `jpeg` with its JFIF APP0 segment removed (as some cameras emit frames).
pub fn strip_app0(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..4], &[0xFF, 0xD8, 0xFF, 0xE0], "expected APP0 first");
    let len = usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&jpeg[4 + len..]);
    out
}

/// Decodes a JPEG to RGB with zune-jpeg; returns (width, height, pixels).
pub fn decode(jpeg: &[u8]) -> (usize, usize, Vec<u8>) {
    let options = zune_jpeg::zune_core::options::DecoderOptions::default()
        .jpeg_set_out_colorspace(zune_jpeg::zune_core::colorspace::ColorSpace::RGB);
    let mut d = zune_jpeg::JpegDecoder::new_with_options(
        zune_jpeg::zune_core::bytestream::ZCursor::new(jpeg),
        options,
    );
    let pixels = d.decode().expect("decodable JPEG");
    let info = d.info().expect("info");
    (usize::from(info.width), usize::from(info.height), pixels)
}

/// What ffprobe says about the first video stream.
#[derive(Debug)]
pub struct Probe {
    pub fields: HashMap<String, String>,
    pub stderr: String,
}

impl Probe {
    pub fn get(&self, key: &str) -> &str {
        self.fields
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("ffprobe gave no {key}: {:?} {}", self.fields, self.stderr))
    }

    pub fn num(&self, key: &str) -> u64 {
        self.get(key)
            .parse()
            .unwrap_or_else(|_| panic!("ffprobe {key} = {:?}", self.get(key)))
    }
}

fn probe_with(path: &Path, extra: &[&str]) -> Probe {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0"])
        .args(extra)
        .args([
            "-show_entries",
            "stream=codec_name,width,height,r_frame_rate,avg_frame_rate,nb_frames,nb_read_frames,nb_read_packets,duration",
            "-of",
            "default=noprint_wrappers=1",
        ])
        .arg(path)
        .output()
        .expect("running ffprobe");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "ffprobe failed on {}: {stderr}",
        path.display()
    );
    let fields = stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Probe { fields, stderr }
}

/// ffprobe of the stream headers, counting packets (demuxing only).
pub fn probe(path: &Path) -> Probe {
    probe_with(path, &["-count_packets"])
}

/// ffprobe decoding every frame (`-count_frames`): slow for big files.
pub fn probe_decoded(path: &Path) -> Probe {
    probe_with(path, &["-count_frames", "-count_packets"])
}

/// Runs `ffmpeg -v error [pre] -i path [post] -f null -` and returns what it
/// printed on stderr (empty when the file decodes cleanly).
pub fn ffmpeg_errors(path: &Path, pre: &[&str], post: &[&str]) -> String {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error"])
        .args(pre)
        .arg("-i")
        .arg(path)
        .args(post)
        .args(["-f", "null", "-"])
        .output()
        .expect("running ffmpeg");
    let mut s = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        s.push_str(&format!("\nffmpeg exit status {}", out.status));
    }
    s
}

/// Number of frames ffmpeg decodes when it starts at `seconds` (`-ss` before
/// `-i`: a seek through the index) and its stderr.
pub fn frames_after_seek(path: &Path, seconds: f64) -> (u64, String) {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-ss", &format!("{seconds}")])
        .arg("-i")
        .arg(path)
        .args(["-f", "framecrc", "-"])
        .output()
        .expect("running ffmpeg");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let n = stdout.lines().filter(|l| !l.starts_with('#')).count() as u64;
    (n, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Asserts that ffprobe and ffmpeg see `frames` frames of `w`x`h` at `rate`
/// ("30000/1001") in `path`, decoding all of them without any error.
pub fn assert_plays(path: &Path, frames: u64, w: u32, h: u32, rate: &str) {
    let p = probe_decoded(path);
    assert_eq!(p.get("codec_name"), "mjpeg");
    assert_eq!(p.num("width"), u64::from(w), "{p:?}");
    assert_eq!(p.num("height"), u64::from(h), "{p:?}");
    assert_eq!(p.get("r_frame_rate"), rate, "{p:?}");
    assert_eq!(p.num("nb_read_packets"), frames, "{p:?}");
    assert_eq!(p.num("nb_read_frames"), frames, "{p:?}");
    assert!(p.stderr.is_empty(), "ffprobe printed: {}", p.stderr);
    let errors = ffmpeg_errors(path, &[], &[]);
    assert!(errors.is_empty(), "ffmpeg printed: {errors}");
}

/// Where ffprobe's first video packet is after seeking to `seconds`
/// (`-read_intervals`): (pts in seconds, byte position of the chunk).
pub fn packet_after_seek(path: &Path, seconds: f64) -> (f64, u64) {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "packet=pts_time,pos",
        ])
        .args([
            "-read_intervals",
            &format!("{seconds}%+#1"),
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("running ffprobe");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .next()
        .unwrap_or_else(|| panic!("no packet after seeking to {seconds}"));
    let (pts, pos) = line
        .split_once(',')
        .unwrap_or_else(|| panic!("ffprobe printed {line:?}"));
    (pts.parse().unwrap(), pos.trim().parse().unwrap())
}

/// Free bytes in the file system holding `dir`, from `df` (None if unknown).
pub fn free_bytes(dir: &Path) -> Option<u64> {
    let out = Command::new("df").arg("-Pk").arg(dir).output().ok()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().nth(1)?;
    let kib: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
    Some(kib * 1024)
}
