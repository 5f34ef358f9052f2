//! `.avi` files in the CLI: `camreel info`, and reading and writing frames
//! for `camreel convert`.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;
use std::time::Duration;

use camreel::avi::{AviInfo, AviReader, FrameOptions, MjpegWriter, MjpegWriterBuilder};
use camreel::timing::FrameRate;
use camreel::{Error, ErrorKind, Image, Result};

use crate::frames::{Frame, FrameInput, FrameOutput, OutputOptions};
use crate::json::Json;

fn open(path: &Path) -> Result<AviReader<BufReader<File>>> {
    let file = File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    AviReader::new(BufReader::new(file)).map_err(|e| e.context(path.display()))
}

/// The JSON object `camreel info --json` prints for an AVI.
fn info_json(info: &AviInfo) -> Json {
    Json::obj([
        ("format", Json::str("avi")),
        ("codec", Json::str(info.codec.clone())),
        ("width", Json::int(info.width)),
        ("height", Json::int(info.height)),
        ("frames", Json::int(info.frame_count)),
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
fn info_text(path: &Path, info: &AviInfo) -> String {
    let mut s = String::new();
    let kind = if info.riff_segments > 1 {
        format!("OpenDML, {} RIFF segments", info.riff_segments)
    } else {
        "AVI 1.0".to_string()
    };
    s.push_str(&format!("file: {}\n", path.display()));
    s.push_str(&format!(
        "format: Motion-JPEG AVI ({kind}), codec {}\n",
        info.codec
    ));
    s.push_str(&format!("size: {}x{}\n", info.width, info.height));
    s.push_str(&format!("frames: {}\n", info.frame_count));
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
    if json {
        println!("{}", info_json(info));
    } else {
        print!("{}", info_text(path, info));
    }
    Ok(())
}

/// Frames of an AVI, as JPEG images, with the interval the frame rate gives.
pub struct AviInput {
    reader: AviReader<BufReader<File>>,
    next: u64,
    image: Image,
    have_image: bool,
}

impl AviInput {
    /// Opens `path` (an unclosed file is read by walking its chunks, so
    /// converting it recovers every complete frame).
    pub fn open(path: &Path) -> Result<AviInput> {
        Ok(AviInput {
            reader: open(path)?,
            next: 0,
            image: Image::empty(),
            have_image: false,
        })
    }

    /// Milliseconds from frame 0 to frame `i` at the stream's rate.
    fn time_ms(&self, i: u64) -> u64 {
        let r = self.reader.frame_rate();
        let ms = (u128::from(i) * u128::from(r.denominator()) * 1000
            + u128::from(r.numerator()) / 2)
            / u128::from(r.numerator());
        u64::try_from(ms).unwrap_or(u64::MAX)
    }
}

impl FrameInput for AviInput {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        // A dropped frame before any real one has nothing to repeat: skip it
        // (in a loop: a damaged file can hold any number of them).
        let i = loop {
            let i = self.next;
            if i >= self.reader.frame_count() {
                return Ok(None);
            }
            self.next += 1;
            if self.reader.read_image_into(i, &mut self.image)? {
                self.have_image = true;
                break i;
            }
            if self.have_image {
                break i;
            }
        };
        let elapsed = if i == 0 {
            0
        } else {
            self.time_ms(i) - self.time_ms(i - 1)
        };
        Ok(Some(Frame {
            image: self.image.clone(),
            elapsed_ms: u32::try_from(elapsed).unwrap_or(u32::MAX),
        }))
    }

    fn frame_count(&self) -> Option<u64> {
        Some(self.reader.frame_count())
    }

    fn frame_rate(&self) -> Option<f64> {
        Some(self.reader.frame_rate().fps())
    }

    fn skip(&mut self, n: u64) -> Result<()> {
        let count = self.reader.frame_count();
        if n > count {
            return Err(Error::new(
                ErrorKind::SeekOutOfRange,
                format!("--start {n} is past the end of the input ({count} frames)"),
            ));
        }
        self.next = n;
        Ok(())
    }
}

/// The output size: both of --width/--height, or one of them with the other
/// from the first frame's aspect ratio, or the first frame's size.
fn output_size(options: &OutputOptions, first: &Frame) -> Result<(u32, u32)> {
    let (fw, fh) = first.image.size();
    let scaled = |num: u32, a: u32, b: u32| -> u32 {
        let v = (u64::from(num) * u64::from(a) + u64::from(b) / 2) / u64::from(b);
        u32::try_from(v.max(1)).unwrap_or(u32::MAX)
    };
    let size = match (options.width, options.height) {
        (Some(w), Some(h)) => (w, h),
        (Some(w), None) => (w, scaled(w, fh, fw)),
        (None, Some(h)) => (scaled(h, fw, fh), h),
        (None, None) => (fw, fh),
    };
    if size.0 == 0 || size.1 == 0 || size.0 > 65535 || size.1 > 65535 {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "output size {}x{} is not a JPEG frame size (1 to 65535 each way)",
                size.0, size.1
            ),
        ));
    }
    Ok(size)
}

/// Writes frames into a Motion-JPEG AVI: JPEG frames of the output size
/// are copied, anything else converted, letterboxed and encoded.
pub struct AviOutput {
    writer: MjpegWriter<BufWriter<File>>,
    /// Capture time of the next frame, from the recorded intervals.
    time: Duration,
    frames: u64,
}

impl AviOutput {
    /// Creates `path` for frames like `first`.
    pub fn create(path: &Path, options: &OutputOptions, first: &Frame) -> Result<AviOutput> {
        let (width, height) = output_size(options, first)?;
        let mut builder = MjpegWriterBuilder::new(width, height);
        if let Some(quality) = options.quality {
            builder = builder.quality(quality);
        }
        if let Some(fps) = options.fps {
            builder = builder.frame_rate(FrameRate::from_fps(fps)?);
        }
        let file =
            File::create(path).map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        Ok(AviOutput {
            writer: builder.build(BufWriter::new(file))?,
            time: Duration::ZERO,
            frames: 0,
        })
    }
}

impl FrameOutput for AviOutput {
    fn write_frame(&mut self, frame: &Frame) -> Result<()> {
        // The first frame's interval is the time since the recording was
        // opened: it does not separate two frames.
        if self.frames > 0 {
            self.time += Duration::from_millis(u64::from(frame.elapsed_ms));
        }
        let options = FrameOptions::new().timestamp(self.time);
        self.writer.add_frame(frame.image.view(), &options)?;
        self.frames += 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<u64> {
        let frames = self.writer.frame_count();
        let file = self.writer.finish()?;
        let file = file
            .into_inner()
            .map_err(|e| Error::io("flushing the AVI", e.into_error()))?;
        file.sync_all()
            .map_err(|e| Error::io("syncing the AVI to disk", e))?;
        Ok(frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(w: u32, h: u32) -> Frame {
        Frame {
            image: Image::zeroed(camreel::PixelFormat::Grayscale, w, h).unwrap(),
            elapsed_ms: 0,
        }
    }

    #[test]
    fn output_size_keeps_the_aspect_ratio() {
        let first = frame(640, 480);
        let o = |w, h| OutputOptions {
            width: w,
            height: h,
            ..OutputOptions::default()
        };
        assert_eq!(output_size(&o(None, None), &first).unwrap(), (640, 480));
        assert_eq!(
            output_size(&o(Some(320), None), &first).unwrap(),
            (320, 240)
        );
        assert_eq!(
            output_size(&o(None, Some(120)), &first).unwrap(),
            (160, 120)
        );
        assert_eq!(
            output_size(&o(Some(100), Some(100)), &first).unwrap(),
            (100, 100)
        );
        assert!(output_size(&o(Some(70000), None), &first).is_err());
        assert!(output_size(&o(Some(0), Some(5)), &first).is_err());
    }
}
