//! `camreel info FILE.h264|FILE.mp4`: frames, size, rate, key frames,
//! duration and bitrate of an H.264 recording.

use std::io::Write;
use std::path::Path;

use camreel::camera::replay::video_info;
use camreel::error::quote_path;
use camreel::timing::FrameRate;
use camreel::{Error, Result};

use crate::json::Json;

/// `camreel info FILE.h264|FILE.mp4 [--json] [--fps F]`.
pub fn info(path: &Path, json: bool, fps: Option<FrameRate>) -> Result<()> {
    let info = video_info(path, fps)?;
    let kind = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mp4"))
    {
        "mp4"
    } else {
        "h264"
    };
    let text = if json {
        let opt = |v: Option<u64>| v.map_or(Json::Null, Json::int);
        let doc = Json::obj([
            ("file", Json::str(quote_path(path))),
            ("kind", Json::str(kind)),
            ("codec", Json::str("h264")),
            ("profile", Json::str(info.profile)),
            ("width", Json::int(info.width)),
            ("height", Json::int(info.height)),
            ("frames", Json::int(info.frames)),
            ("key_frames", Json::int(info.key_frames)),
            (
                "frame_rate",
                info.rate.map_or(Json::Null, |r| Json::str(r.to_string())),
            ),
            ("fps", info.rate.map_or(Json::Null, |r| Json::Num(r.fps()))),
            (
                "duration_s",
                info.duration
                    .map_or(Json::Null, |d| Json::Num(d.as_secs_f64())),
            ),
            ("video_bytes", Json::int(info.video_bytes)),
            ("bitrate", opt(info.bitrate)),
            ("damage", info.damage.clone().map_or(Json::Null, Json::str)),
        ]);
        format!("{doc}\n")
    } else {
        let what = if kind == "mp4" {
            "MP4 (ISO BMFF), H.264"
        } else {
            "H.264 Annex B stream"
        };
        format!("file: {}\nformat: {what}\n{info}", quote_path(path))
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Error::io("writing to stdout", e))
}
