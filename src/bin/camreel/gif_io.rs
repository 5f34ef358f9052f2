//! `.gif` files in the CLI: writing (`convert ... OUT.gif`), reading
//! (`convert IN.gif ...`) and `info`.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use camreel::gif::{Dither, GifInfo, GifOptions, GifReader, GifWriter, PaletteMode, read_info};
use camreel::{Error, ErrorKind, Image, Result};

use crate::frames::{Frame, FrameInput, FrameOutput, OutputOptions};
use crate::json::Json;

/// The GIF options the command-line options ask for.
fn gif_options(options: &OutputOptions) -> Result<GifOptions> {
    let palette = match options.palette.as_deref() {
        None | Some("adaptive") => PaletteMode::Adaptive,
        Some("fixed") => PaletteMode::Fixed,
        Some(other) => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("--palette {other:?} is not adaptive or fixed"),
            ));
        }
    };
    let dither = if options.dither {
        Dither::ErrorDiffusion
    } else {
        Dither::None
    };
    Ok(GifOptions::new().palette(palette).dither(dither))
}

/// Writes frames to a GIF. Each frame is shown until the next one was
/// recorded (the next frame's `elapsed_ms`), so frames are written one behind;
/// the last frame keeps the interval before it. With `--fps` every frame gets
/// 1/fps seconds. Delays are rounded to centiseconds with the error carried.
///
/// Dropped without [`FrameOutput::finish`] (convert stopped on an error), it
/// still writes the frame it holds back, so the GIF keeps every frame that
/// was converted.
pub struct GifOutput {
    path: PathBuf,
    /// `None` once finished.
    writer: Option<GifWriter<BufWriter<File>>>,
    fps: Option<f64>,
    pending: Option<Image>,
    last_interval_ms: u32,
}

/// The output size: `--width` and `--height`, the one given with the other
/// following the first frame's aspect ratio, or the first frame's size.
/// Frames are letterboxed into it by the writer.
fn output_size(options: &OutputOptions, (fw, fh): (u32, u32)) -> (u32, u32) {
    let scaled = |a: u32, num: u32, den: u32| -> u32 {
        let v = (u64::from(a) * u64::from(num) * 2 + u64::from(den)) / (2 * u64::from(den.max(1)));
        u32::try_from(v).unwrap_or(u32::MAX).max(1)
    };
    match (options.width, options.height) {
        (Some(w), Some(h)) => (w, h),
        (Some(w), None) => (w, scaled(w, fh, fw)),
        (None, Some(h)) => (scaled(h, fw, fh), h),
        (None, None) => (fw, fh),
    }
}

/// Creates `path` as a GIF sized by `--width`/`--height` or by `first`.
pub fn create(path: &Path, options: &OutputOptions, first: &Frame) -> Result<Box<dyn FrameOutput>> {
    let gif = gif_options(options)?;
    let (width, height) = output_size(options, first.image.size());
    let file = File::create(path).map_err(|e| Error::io(path.display().to_string(), e))?;
    let writer = GifWriter::with_options(BufWriter::new(file), width, height, gif)
        .map_err(|e| e.context(path.display()))?;
    Ok(Box::new(GifOutput {
        path: path.to_path_buf(),
        writer: Some(writer),
        fps: options.fps,
        pending: None,
        last_interval_ms: 100,
    }))
}

fn finished(path: &Path) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("{}: the GIF is already finished", path.display()),
    )
}

impl GifOutput {
    fn writer(&mut self) -> Result<&mut GifWriter<BufWriter<File>>> {
        self.writer.as_mut().ok_or_else(|| finished(&self.path))
    }

    /// Writes the frame held back, shown for the last interval.
    fn write_pending(&mut self) -> Result<()> {
        if let Some(last) = self.pending.take() {
            let interval = self.last_interval_ms;
            let delay = Duration::from_millis(interval.into());
            self.writer()?.add_frame(&last, delay)?;
        }
        Ok(())
    }
}

impl FrameOutput for GifOutput {
    fn write_frame(&mut self, frame: &Frame) -> Result<()> {
        if let Some(fps) = self.fps {
            let delay = Duration::from_secs_f64(1.0 / fps);
            return self.writer()?.add_frame(&frame.image, delay);
        }
        if self.pending.is_some() && frame.elapsed_ms > 0 {
            self.last_interval_ms = frame.elapsed_ms;
        }
        if let (Some(prev), Some(writer)) = (&self.pending, &mut self.writer) {
            writer.add_frame(prev, Duration::from_millis(self.last_interval_ms.into()))?;
        }
        match &mut self.pending {
            Some(img) => frame.image.view().copy_into(img),
            None => self.pending = Some(frame.image.clone()),
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<u64> {
        self.write_pending()?;
        let Some(writer) = self.writer.take() else {
            return Err(finished(&self.path));
        };
        let count = writer.frames();
        let path = self.path.display().to_string();
        let mut out = writer
            .into_inner()
            .map_err(|e| e.into_error().context(&path))?;
        out.flush().map_err(|e| Error::io(path.clone(), e))?;
        out.into_inner()
            .map_err(|e| Error::io(path.clone(), e.into_error()))?
            .sync_all()
            .map_err(|e| Error::io(path, e))?;
        Ok(count)
    }
}

impl Drop for GifOutput {
    /// Writes the frame held back when `finish` was not called (an error
    /// stopped the conversion), ignoring errors; the GIF writer's own drop
    /// then writes the trailer.
    fn drop(&mut self) {
        let _ = self.write_pending();
    }
}

/// Frames of a GIF as a viewer composites them; `elapsed_ms` of a frame is
/// the previous frame's delay (0 for the first). A GIF that ends early (cut,
/// or never finished) yields its complete frames, then the
/// [`ErrorKind::Truncated`] error that `convert` reports as a warning.
pub struct GifInput {
    reader: GifReader<BufReader<File>>,
    /// `None` for a GIF that ends early.
    count: Option<u64>,
    prev_time: Duration,
}

/// Opens `path` for reading frames.
pub fn open(path: &Path) -> Result<Box<dyn FrameInput>> {
    let name = path.display().to_string();
    let count = match read_info(BufReader::new(
        File::open(path).map_err(|e| Error::io(name.clone(), e))?,
    )) {
        Ok(info) => Some(info.frames.len() as u64),
        Err(e) if e.kind() == ErrorKind::Truncated => None,
        Err(e) => return Err(e.context(&name)),
    };
    let file = File::open(path).map_err(|e| Error::io(name.clone(), e))?;
    let reader = GifReader::new(BufReader::new(file)).map_err(|e| e.context(&name))?;
    Ok(Box::new(GifInput {
        reader,
        count,
        prev_time: Duration::ZERO,
    }))
}

impl FrameInput for GifInput {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        let mut image = Image::empty();
        let Some(info) = self.reader.read_frame_into(&mut image)? else {
            return Ok(None);
        };
        let elapsed = info.timestamp.saturating_sub(self.prev_time);
        let elapsed_ms = u32::try_from(elapsed.as_millis()).unwrap_or(u32::MAX);
        self.prev_time = info.timestamp;
        Ok(Some(Frame { image, elapsed_ms }))
    }

    fn frame_count(&self) -> Option<u64> {
        self.count
    }
}

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

/// `camreel info FILE.gif`.
pub fn info(path: &Path, json: bool) -> Result<()> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| Error::io(name.clone(), e))?;
    let info = read_info(BufReader::new(file)).map_err(|e| e.context(&name))?;
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
        s
    };
    out.write_all(text.as_bytes())
        .map_err(|e| Error::io("writing to stdout", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_size_keeps_the_aspect_ratio_of_a_missing_side() {
        let o = |width, height| OutputOptions {
            width,
            height,
            ..OutputOptions::default()
        };
        assert_eq!(output_size(&o(None, None), (320, 240)), (320, 240));
        assert_eq!(output_size(&o(Some(160), None), (320, 240)), (160, 120));
        assert_eq!(output_size(&o(None, Some(100)), (320, 240)), (133, 100));
        assert_eq!(output_size(&o(Some(64), Some(64)), (320, 240)), (64, 64));
        assert_eq!(output_size(&o(Some(1), None), (320, 2)), (1, 1));
    }

    #[test]
    fn palette_option_is_checked() {
        let o = |p: &str| OutputOptions {
            palette: Some(p.to_string()),
            ..OutputOptions::default()
        };
        assert_eq!(
            gif_options(&o("fixed")).unwrap().get_palette(),
            PaletteMode::Fixed
        );
        assert_eq!(
            gif_options(&o("adaptive")).unwrap().get_palette(),
            PaletteMode::Adaptive
        );
        assert_eq!(
            gif_options(&o("median")).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
}
