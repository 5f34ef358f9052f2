//! Frame inputs and outputs by file kind: the plumbing shared by `convert`,
//! `record` and `info`. Each file kind implements its side in its own module;
//! this file only dispatches on the path.

use std::path::Path;

use camreel::{Error, ErrorKind, Image, Result};

use crate::{bin_io, gif_io, png_seq, raw_io};

/// One frame and the milliseconds since the previous one (as ImageIO records it).
#[derive(Debug)]
pub struct Frame {
    /// The pixels.
    pub image: Image,
    /// Milliseconds since the previous frame (since the start, for the first).
    pub elapsed_ms: u32,
}

/// A source of frames: a recording being read.
pub trait FrameInput {
    /// The next frame, or `None` at the end.
    fn next_frame(&mut self) -> Result<Option<Frame>>;

    /// Number of frames, if known without reading them all.
    fn frame_count(&self) -> Option<u64> {
        None
    }

    /// The input's own constant frame rate, if it has one (an AVI's), which
    /// an AVI output keeps unless `--fps` is given.
    fn frame_rate(&self) -> Option<f64> {
        None
    }

    /// Skips `n` frames (inputs that can seek override this).
    fn skip(&mut self, n: u64) -> Result<()> {
        for i in 0..n {
            if self.next_frame()?.is_none() {
                return Err(Error::new(
                    ErrorKind::SeekOutOfRange,
                    format!("--start {n} is past the end of the input ({i} frames)"),
                ));
            }
        }
        Ok(())
    }
}

/// A destination for frames: a recording being written.
pub trait FrameOutput {
    /// Appends one frame.
    fn write_frame(&mut self, frame: &Frame) -> Result<()>;

    /// Finalises the file (index, trailer) and reports how many frames were written.
    fn finish(self: Box<Self>) -> Result<u64>;
}

/// Options that shape an output file.
#[derive(Clone, Debug, Default)]
pub struct OutputOptions {
    /// JPEG quality 1-100.
    pub quality: Option<u8>,
    /// Output width.
    pub width: Option<u32>,
    /// Output height.
    pub height: Option<u32>,
    /// Frame rate overriding the recorded intervals.
    pub fps: Option<f64>,
    /// GIF palette mode.
    pub palette: Option<String>,
    /// GIF dithering.
    pub dither: bool,
}

/// How a raw capture given to `convert --raw` is laid out.
#[derive(Clone, Debug)]
pub struct RawInput {
    /// yuv420, rgb, bgr or bayer.
    pub kind: String,
    /// Requested capture size.
    pub size: Option<(u32, u32)>,
}

/// The kinds of file camreel reads and writes, known by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// ImageIO stream (`.bin`).
    Bin,
    /// Motion-JPEG AVI.
    Avi,
    /// Animated GIF.
    Gif,
    /// A numbered PNG sequence (a pattern containing `%d` or `%0Nd`).
    PngPattern,
}

impl FileKind {
    /// The kind of `path`, from its extension.
    pub fn of(path: &Path) -> Result<FileKind> {
        let name = path.to_string_lossy();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "bin" => Ok(FileKind::Bin),
            "avi" => Ok(FileKind::Avi),
            "gif" => Ok(FileKind::Gif),
            "png" if name.contains('%') => Ok(FileKind::PngPattern),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{}: unknown file kind (expected .bin, .avi, .gif or a pattern like frame%04d.png)",
                    path.display()
                ),
            )),
        }
    }
}

/// Opens `path` for reading frames (`raw` set: a picamera raw capture).
pub fn open_input(path: &Path, raw: Option<&RawInput>) -> Result<Box<dyn FrameInput>> {
    if let Some(raw) = raw {
        return raw_io::open(path, raw);
    }
    match FileKind::of(path)? {
        FileKind::Bin => bin_io::open(path),
        FileKind::Avi => Ok(Box::new(crate::avi_io::AviInput::open(path)?)),
        FileKind::Gif => gif_io::open(path),
        FileKind::PngPattern => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{}: PNG sequences are an output only", path.display()),
        )),
    }
}

/// Creates `path` for writing frames like `first` (which is not written yet).
pub fn create_output(
    path: &Path,
    options: &OutputOptions,
    first: &Frame,
) -> Result<Box<dyn FrameOutput>> {
    match FileKind::of(path)? {
        FileKind::Bin => bin_io::create(path, options),
        FileKind::Avi => Ok(Box::new(crate::avi_io::AviOutput::create(
            path, options, first,
        )?)),
        FileKind::Gif => gif_io::create(path, options, first),
        FileKind::PngPattern => png_seq::create(path, options),
    }
}
