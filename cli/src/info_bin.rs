//! `camreel info FILE.bin`: an ImageIO stream's version, frames and timing.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use camreel::error::quote_path;
use camreel::imageio::FileStream;
use camreel::timing::Timeline;
use camreel::{Error, ErrorKind, Result};

use crate::json::Json;

/// `camreel info` for a `.bin` file: version, frame count and each frame's
/// header. A truncated last chunk is reported and is not an error; any other
/// damage is reported and then returned as the error.
pub fn info(path: &Path, json: bool) -> Result<()> {
    let stream = FileStream::open(path)?;
    let text = if json {
        format!("{}\n", info_json(path, &stream))
    } else {
        info_text(path, &stream)
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("writing to stdout", e))?;
    match stream.damaged_tail() {
        Some(tail) if tail.kind != ErrorKind::Truncated => {
            Err(tail.to_error().context(quote_path(path)))
        }
        _ => Ok(()),
    }
}

fn code_of(format: camreel::PixelFormat) -> u32 {
    // Every format in a file stream has a code; 0 cannot occur.
    format.code().unwrap_or(0)
}

/// The recording's duration in whole milliseconds (see `camreel::timing`):
/// the intervals between frames plus the last frame's own.
fn duration_ms(stream: &FileStream) -> u64 {
    Timeline::from_intervals(
        stream
            .headers()
            .skip(1)
            .map(|h| Duration::from_millis(u64::from(h.elapsed_ms))),
    )
    .duration()
    .as_micros()
    .saturating_add(500)
    .checked_div(1000)
    .and_then(|ms| u64::try_from(ms).ok())
    .unwrap_or(u64::MAX)
}

fn info_text(path: &Path, stream: &FileStream) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let total_ms = if stream.count() == 0 {
        0
    } else {
        duration_ms(stream)
    };
    let _ = writeln!(
        s,
        "{}: ImageIO stream (OMV IMG STR {}), {} frame{}, {} bytes, {} ms",
        quote_path(path),
        stream.version(),
        stream.count(),
        if stream.count() == 1 { "" } else { "s" },
        stream.byte_len(),
        total_ms
    );
    let _ = writeln!(
        s,
        "{:>6}  {:>6}  {:>6}  {:<12}  {:<10}  {:>10}  {:>10}",
        "index", "width", "height", "pixformat", "code", "bytes", "elapsed_ms"
    );
    for (i, h) in stream.headers().enumerate() {
        let _ = writeln!(
            s,
            "{:>6}  {:>6}  {:>6}  {:<12}  0x{:08X}  {:>10}  {:>10}",
            i,
            h.width,
            h.height,
            h.format.name(),
            code_of(h.format),
            h.byte_size,
            h.elapsed_ms
        );
    }
    if let Some(tail) = stream.damaged_tail() {
        let label = if tail.kind == ErrorKind::Truncated {
            "truncated"
        } else {
            "damaged"
        };
        let _ = writeln!(s, "{label}: {tail}");
    }
    if stream.trailing_padding() > 0 {
        let _ = writeln!(
            s,
            "padding: {} zero bytes after the last frame (not a frame)",
            stream.trailing_padding()
        );
    }
    s
}

fn info_json(path: &Path, stream: &FileStream) -> Json {
    let frames = stream
        .headers()
        .enumerate()
        .map(|(i, h)| {
            let code = code_of(h.format);
            Json::obj([
                ("index", Json::int(i as u64)),
                ("width", Json::int(h.width)),
                ("height", Json::int(h.height)),
                ("pixformat", Json::str(h.format.name())),
                ("code", Json::int(code)),
                ("code_hex", Json::str(format!("0x{code:08X}"))),
                ("bytes", Json::int(h.byte_size)),
                ("elapsed_ms", Json::int(h.elapsed_ms)),
                (
                    "offset",
                    Json::int(stream.chunk_offset(i as u64).unwrap_or(0)),
                ),
            ])
        })
        .collect();
    let tail = match stream.damaged_tail() {
        None => Json::Null,
        Some(t) => Json::obj([
            ("kind", Json::str(t.kind.as_str())),
            ("frame", Json::int(t.frame)),
            ("offset", Json::int(t.offset)),
            ("message", Json::str(t.message.clone())),
        ]),
    };
    let truncated = stream
        .damaged_tail()
        .is_some_and(|t| t.kind == ErrorKind::Truncated);
    Json::obj([
        ("file", Json::str(quote_path(path).to_string())),
        ("kind", Json::str("imageio")),
        ("version", Json::str(stream.version().to_string())),
        ("frame_count", Json::int(stream.count())),
        ("bytes", Json::int(stream.byte_len())),
        (
            "duration_ms",
            Json::int(if stream.count() == 0 {
                0
            } else {
                duration_ms(stream)
            }),
        ),
        ("truncated", Json::Bool(truncated)),
        ("tail", tail),
        ("padding_bytes", Json::int(stream.trailing_padding())),
        ("frames", Json::Arr(frames)),
    ])
}
