//! `camreel info FILE.avi`: an AVI's frames, size, rate and index.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use camreel::avi::{AviInfo, AviReader};
use camreel::error::quote_path;
use camreel::{Error, Result};

use crate::json::Json;

fn open(path: &Path) -> Result<AviReader<BufReader<File>>> {
    let file =
        File::open(path).map_err(|e| Error::io(format!("opening {}", quote_path(path)), e))?;
    AviReader::new(BufReader::new(file)).map_err(|e| e.context(quote_path(path)))
}

/// The JSON object `camreel info --json` prints for an AVI.
fn info_json(info: &AviInfo, dropped: u64) -> Json {
    Json::obj([
        ("format", Json::str("avi")),
        ("codec", Json::str(info.codec.clone())),
        ("width", Json::int(info.width)),
        ("height", Json::int(info.height)),
        ("frames", Json::int(info.frame_count)),
        ("dropped_frames", Json::int(dropped)),
        ("header_frames", Json::int(info.header_frames)),
        ("frame_rate", Json::str(info.frame_rate.to_string())),
        ("fps", Json::Num(info.frame_rate.fps())),
        ("duration_s", Json::Num(info.duration().as_secs_f64())),
        ("index", Json::str(info.index.as_str())),
        ("riff_segments", Json::int(info.riff_segments)),
        ("open_dml", Json::Bool(info.riff_segments > 1)),
        ("file_size", Json::int(info.file_size)),
        ("skipped_bytes", Json::int(info.skipped_bytes)),
        ("tail_bytes", Json::int(info.tail_bytes)),
    ])
}

/// The text `camreel info` prints for an AVI.
fn info_text(path: &Path, info: &AviInfo, dropped: u64) -> String {
    let mut s = String::new();
    let kind = if info.riff_segments > 1 {
        format!("OpenDML, {} RIFF segments", info.riff_segments)
    } else {
        "AVI 1.0".to_string()
    };
    s.push_str(&format!("file: {}\n", quote_path(path)));
    s.push_str(&format!(
        "format: Motion-JPEG AVI ({kind}), codec {}\n",
        info.codec
    ));
    s.push_str(&format!("size: {}x{}\n", info.width, info.height));
    s.push_str(&format!("frames: {}\n", info.frame_count));
    if dropped > 0 {
        s.push_str(&format!(
            "dropped: {dropped} (empty chunks: the frame before stays on screen)\n"
        ));
    }
    s.push_str(&format!(
        "rate: {} fps ({:.3})\n",
        info.frame_rate,
        info.frame_rate.fps()
    ));
    s.push_str(&format!(
        "duration: {:.3} s\n",
        info.duration().as_secs_f64()
    ));
    s.push_str(&format!("index: {}\n", info.index.as_str()));
    s.push_str(&format!("bytes: {}\n", info.file_size));
    if info.header_frames != info.frame_count {
        s.push_str(&format!(
            "warning: the headers say {} frames; the file was not closed (repair it with `camreel convert IN.avi OUT.avi`)\n",
            info.header_frames
        ));
    }
    if info.tail_bytes > 0 {
        s.push_str(&format!(
            "warning: the last {} bytes hold no complete frame\n",
            info.tail_bytes
        ));
    }
    if info.skipped_bytes > 0 {
        s.push_str(&format!(
            "warning: {} damaged bytes skipped\n",
            info.skipped_bytes
        ));
    }
    s
}

/// `camreel info FILE.avi [--json]`.
pub fn info(path: &Path, json: bool) -> Result<()> {
    let reader = open(path)?;
    let info = reader.info();
    let dropped = (0..info.frame_count)
        .filter(|&i| reader.is_dropped(i))
        .count() as u64;
    if json {
        println!("{}", info_json(info, dropped));
    } else {
        print!("{}", info_text(path, info, dropped));
    }
    Ok(())
}
