//! `camreel info FILE.gif`: a GIF's screen, frames, delays and loop.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::Path;

use camreel::error::quote_path;
use camreel::gif::{GifInfo, read_info_partial};
use camreel::{Error, Result};

use crate::json::Json;

fn loop_text(info: &GifInfo) -> String {
    match info.loop_count {
        None => "no (plays once)".to_string(),
        Some(0) => "forever".to_string(),
        Some(n) => format!("{n} times"),
    }
}

fn dispose_name(code: u8) -> &'static str {
    match code {
        0 => "any",
        1 => "keep",
        2 => "background",
        3 => "previous",
        _ => "unknown",
    }
}

/// `camreel info FILE.gif`. A GIF cut short (no trailer, a partial last
/// frame) shows its complete frames and where it ends, and is not an error
/// (as for `.bin`).
pub fn info(path: &Path, json: bool) -> Result<()> {
    let name = quote_path(path);
    let file = File::open(path).map_err(|e| Error::io(name.clone(), e))?;
    let (info, cut) = read_info_partial(BufReader::new(file)).map_err(|e| e.context(&name))?;
    let mut out = std::io::stdout().lock();
    let text = if json {
        let frames = info
            .frames
            .iter()
            .enumerate()
            .map(|(i, f)| {
                Json::obj([
                    ("index", Json::int(i as u64)),
                    ("left", Json::int(f.left)),
                    ("top", Json::int(f.top)),
                    ("width", Json::int(f.width)),
                    ("height", Json::int(f.height)),
                    ("delay_cs", Json::int(f.delay_cs)),
                    ("transparent", f.transparent.map_or(Json::Null, Json::int)),
                    ("local_palette", Json::Bool(f.local_palette)),
                    ("dispose", Json::str(dispose_name(f.dispose))),
                ])
            })
            .collect();
        let doc = Json::obj([
            ("file", Json::str(name.clone())),
            ("kind", Json::str("gif")),
            ("width", Json::int(info.width)),
            ("height", Json::int(info.height)),
            ("frames", Json::int(info.frames.len() as u64)),
            (
                "duration_cs",
                Json::int(u64::try_from(info.duration().as_millis() / 10).unwrap_or(u64::MAX)),
            ),
            (
                "loop",
                match info.loop_count {
                    None => Json::Null,
                    Some(n) => Json::int(n),
                },
            ),
            ("global_palette", Json::Bool(info.global_palette)),
            ("truncated", Json::Bool(cut.is_some())),
            (
                "tail",
                cut.as_ref().map_or(Json::Null, |e| {
                    Json::obj([
                        ("kind", Json::str(e.kind().as_str())),
                        ("frame", Json::int(info.frames.len() as u64)),
                        ("message", Json::str(e.to_string())),
                    ])
                }),
            ),
            ("frame_info", Json::Arr(frames)),
        ]);
        format!("{doc}\n")
    } else {
        let mut s = format!(
            "{name}: GIF {}x{}\nframes: {}\nduration: {:.2} s\nloop: {}\nglobal palette: {}\n",
            info.width,
            info.height,
            info.frames.len(),
            info.duration().as_secs_f64(),
            loop_text(&info),
            if info.global_palette { "yes" } else { "no" },
        );
        for (i, f) in info.frames.iter().enumerate() {
            s.push_str(&format!(
                "frame {i}: {}x{} at ({}, {}), delay {} cs, {} palette, transparent {}, dispose {}\n",
                f.width,
                f.height,
                f.left,
                f.top,
                f.delay_cs,
                if f.local_palette { "local" } else { "global" },
                f.transparent.map_or("-".to_string(), |t| t.to_string()),
                dispose_name(f.dispose),
            ));
        }
        if let Some(cut) = &cut {
            s.push_str(&format!("truncated: {cut}\n"));
        }
        s
    };
    out.write_all(text.as_bytes())
        .map_err(|e| Error::io("writing to stdout", e))
}
