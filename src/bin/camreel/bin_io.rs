//! ImageIO `.bin` files: reading frames, writing frames, and `camreel info`.

use std::io::Write;
use std::path::Path;

use camreel::imageio::{FileStream, ReadOptions};
use camreel::{Error, ErrorKind, Image, PixelFormat, Result};

use crate::frames::{Frame, FrameInput, FrameOutput, OutputOptions};
use crate::json::Json;

/// Frames of a `.bin` file (any version), with their recorded intervals.
pub struct BinInput {
    stream: FileStream,
}

/// Opens `path` for reading.
pub fn open(path: &Path) -> Result<Box<dyn FrameInput>> {
    Ok(Box::new(BinInput {
        stream: FileStream::open(path)?,
    }))
}

impl FrameInput for BinInput {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        let mut image = Image::empty();
        let info = self
            .stream
            .read_into(&mut image, ReadOptions::NO_WAIT)
            .map_err(|e| e.context(self.stream.path().display()))?;
        Ok(info.map(|info| Frame {
            image,
            elapsed_ms: info.elapsed_ms,
        }))
    }

    fn frame_count(&self) -> Option<u64> {
        Some(self.stream.count())
    }

    fn skip(&mut self, n: u64) -> Result<()> {
        let count = self.stream.count();
        if n > count {
            return Err(Error::new(
                ErrorKind::SeekOutOfRange,
                format!(
                    "--start {n} is past the end of {} ({count} frames)",
                    self.stream.path().display()
                ),
            ));
        }
        self.stream.seek(n)
    }
}

/// A V2.0 `.bin` being written: payloads byte for byte, intervals kept (or
/// set from `--fps`).
///
/// ImageIO stores OpenMV pixel formats only. Frames in a format with no
/// OpenMV code (RGB888 from a raw capture, YUV420, 16-bit Bayer, ...) are
/// stored as PNG, which is an OpenMV format and lossless for 8- and 16-bit
/// RGB and grayscale (mosaics are demosaiced first; see `codec::png::encode`).
pub struct BinOutput {
    stream: FileStream,
    fps: Option<f64>,
    /// The PNG of the last frame that needed one (its memory is reused).
    png: Image,
}

/// Creates `path`. Only `--fps` applies to ImageIO output.
pub fn create(path: &Path, options: &OutputOptions) -> Result<Box<dyn FrameOutput>> {
    let unused = [
        ("--quality", options.quality.is_some()),
        ("--width", options.width.is_some()),
        ("--height", options.height.is_some()),
        ("--palette", options.palette.is_some()),
        ("--dither", options.dither),
    ];
    if let Some((flag, _)) = unused.iter().find(|(_, set)| *set) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{flag} does not apply to .bin output (ImageIO stores frames unchanged)"),
        ));
    }
    Ok(Box::new(BinOutput {
        stream: FileStream::create(path)?,
        fps: options.fps,
        png: Image::empty(),
    }))
}

/// Milliseconds between frame `i - 1` and frame `i` at `fps` (0 for frame 0),
/// rounded so that the intervals add up without drift.
fn fps_interval(i: u64, fps: f64) -> u32 {
    if i == 0 {
        return 0;
    }
    let at = |n: u64| (n as f64 * 1000.0 / fps).round();
    (at(i) - at(i - 1)).clamp(0.0, f64::from(u32::MAX)) as u32
}

impl FrameOutput for BinOutput {
    fn write_frame(&mut self, frame: &Frame) -> Result<()> {
        let elapsed = match self.fps {
            Some(fps) => fps_interval(self.stream.count(), fps),
            None => frame.elapsed_ms,
        };
        let image = &frame.image;
        let stored = if image.format().code().is_some() {
            image
        } else {
            let (width, height) = image.size();
            self.png
                .set_encoded(PixelFormat::Png, width, height, |out| {
                    camreel::codec::png::encode(image.view(), out)
                })?;
            &self.png
        };
        self.stream
            .write_with_elapsed(stored, std::time::Duration::from_millis(elapsed.into()))
            .map(|_| ())
    }

    fn finish(self: Box<Self>) -> Result<u64> {
        let count = self.stream.count();
        self.stream.close()?;
        Ok(count)
    }
}

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
            Err(tail.to_error().context(path.display()))
        }
        _ => Ok(()),
    }
}

fn code_of(format: camreel::PixelFormat) -> u32 {
    // Every format in a file stream has a code; 0 cannot occur.
    format.code().unwrap_or(0)
}

fn info_text(path: &Path, stream: &FileStream) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let total_ms: u64 = stream.headers().map(|h| u64::from(h.elapsed_ms)).sum();
    let _ = writeln!(
        s,
        "{}: ImageIO stream (OMV IMG STR {}), {} frame{}, {} bytes, {} ms",
        path.display(),
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
        ("file", Json::str(path.display().to_string())),
        ("kind", Json::str("imageio")),
        ("version", Json::str(stream.version().to_string())),
        ("frame_count", Json::int(stream.count())),
        ("bytes", Json::int(stream.byte_len())),
        (
            "duration_ms",
            Json::int(
                stream
                    .headers()
                    .map(|h| u64::from(h.elapsed_ms))
                    .sum::<u64>(),
            ),
        ),
        ("truncated", Json::Bool(truncated)),
        ("tail", tail),
        ("frames", Json::Arr(frames)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fps_intervals_add_up() {
        let total: u32 = (0..31).map(|i| fps_interval(i, 30.0)).sum();
        assert_eq!(total, 1000);
        assert_eq!(fps_interval(0, 30.0), 0);
        assert_eq!(
            (1..4).map(|i| fps_interval(i, 30.0)).collect::<Vec<_>>(),
            [33, 34, 33]
        );
        assert_eq!(fps_interval(5, 0.5), 2000);
    }
}
