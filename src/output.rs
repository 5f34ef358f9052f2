//! [`FileSink`]: a recording to a file chosen by its name, the output side
//! of `camreel record` and `camreel convert`.
// Over 700 lines only because its unit tests are at the end: they test
// private parts and read best next to the code.

use std::fmt;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::avi::{MjpegWriter, MjpegWriterBuilder};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::frame::Frame;
use crate::gif::{Dither, GifOptions, GifWriter, PaletteMode};
use crate::h264::{H264Settings, H264Writer};
use crate::image::Limits;
use crate::imageio::{Fallback, FileOptions, FileStream};
#[cfg(feature = "mp4")]
use crate::mp4::{Mp4Options, Mp4Writer};
use crate::sink::{FrameSink, ImageSequence, SequencePattern};
use crate::timing::FrameRate;

/// The kinds of file a [`FileSink`] writes, known by the output's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OutputKind {
    /// An ImageIO stream (`.bin`).
    ImageIo,
    /// A Motion-JPEG AVI (`.avi`).
    Avi,
    /// An animated GIF (`.gif`).
    Gif,
    /// One PNG per frame, from a pattern such as `frame%04d.png`.
    PngSequence,
    /// A raw H.264 Annex B stream (`.h264`).
    H264,
    /// An MP4 file with one H.264 track (`.mp4`, feature `mp4`).
    Mp4,
}

impl OutputKind {
    /// The kind of output `path` names: `.bin`, `.avi`, `.gif` (any case),
    /// or a `.png` name with a `%` frame-number field.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for anything else.
    pub fn of(path: &Path) -> Result<OutputKind> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "bin" => Ok(OutputKind::ImageIo),
            "avi" => Ok(OutputKind::Avi),
            "gif" => Ok(OutputKind::Gif),
            "h264" | "264" => Ok(OutputKind::H264),
            "mp4" => Ok(OutputKind::Mp4),
            "png" if path.to_string_lossy().contains('%') => Ok(OutputKind::PngSequence),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{}: unknown output kind (expected .bin, .avi, .gif, .h264, .mp4 or a pattern like frame%04d.png)",
                    quote_path(path)
                ),
            )),
        }
    }

    /// A short name for messages: `ImageIO`, `AVI`, `GIF`, `PNG sequence`.
    pub fn name(self) -> &'static str {
        match self {
            OutputKind::ImageIo => "ImageIO",
            OutputKind::Avi => "AVI",
            OutputKind::Gif => "GIF",
            OutputKind::PngSequence => "PNG sequence",
            OutputKind::H264 => "H.264",
            OutputKind::Mp4 => "MP4",
        }
    }
}

/// How a [`FileSink`] writes: builder methods on the defaults.
///
/// | option | applies to |
/// |---|---|
/// | [`quality`](OutputOptions::quality) | AVI (JPEG quality of encoded frames); ImageIO (frames with no OpenMV code are stored as JPEG of this quality instead of PNG) |
/// | [`size`](OutputOptions::size), [`width`](OutputOptions::width), [`height`](OutputOptions::height) | AVI, GIF (frames are letterboxed into it; one side given, the other follows the first frame's aspect ratio) |
/// | [`frame_rate`](OutputOptions::frame_rate) | AVI (its one constant rate), GIF (how long the last frame shows); all kinds when the recording loop retimes frames |
/// | [`palette`](OutputOptions::palette), [`dither`](OutputOptions::dither) | GIF |
/// | [`h264`](OutputOptions::h264) | H.264, MP4 (bitrate or quantiser, intra period) |
///
/// An option given for a kind it does not apply to is an error when the
/// sink is created, so nothing is silently ignored.
///
/// ```
/// use camreel::output::{OutputKind, OutputOptions};
/// let options = OutputOptions::new().quality(90).width(320);
/// assert!(options.check(OutputKind::Avi).is_ok());
/// let e = options.check(OutputKind::PngSequence).unwrap_err();
/// assert_eq!(e.to_string(), "quality does not apply to PNG sequence output");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[must_use]
pub struct OutputOptions {
    quality: Option<u8>,
    width: Option<u32>,
    height: Option<u32>,
    frame_rate: Option<FrameRate>,
    palette: Option<PaletteMode>,
    dither: Option<Dither>,
    limits: Option<Limits>,
    h264: Option<H264Settings>,
}

impl OutputOptions {
    /// Every option at its default.
    pub fn new() -> OutputOptions {
        OutputOptions::default()
    }

    /// JPEG quality 1-100 for frames that are encoded.
    pub fn quality(mut self, quality: u8) -> OutputOptions {
        self.quality = Some(quality);
        self
    }

    /// Output width and height.
    pub fn size(mut self, width: u32, height: u32) -> OutputOptions {
        self.width = Some(width);
        self.height = Some(height);
        self
    }

    /// Output width (the height follows the first frame's aspect ratio
    /// unless given too).
    pub fn width(mut self, width: u32) -> OutputOptions {
        self.width = Some(width);
        self
    }

    /// Output height (the width follows the first frame's aspect ratio
    /// unless given too).
    pub fn height(mut self, height: u32) -> OutputOptions {
        self.height = Some(height);
        self
    }

    /// The recording's nominal rate.
    pub fn frame_rate(mut self, rate: FrameRate) -> OutputOptions {
        self.frame_rate = Some(rate);
        self
    }

    /// The GIF palette mode.
    pub fn palette(mut self, palette: PaletteMode) -> OutputOptions {
        self.palette = Some(palette);
        self
    }

    /// The GIF dithering.
    pub fn dither(mut self, dither: Dither) -> OutputOptions {
        self.dither = Some(dither);
        self
    }

    /// How raw frames are encoded to H.264 (`.h264`, `.mp4`; default
    /// [`H264Settings::default`]: 2 Mbit/s, a key frame every 30 frames).
    pub fn h264(mut self, settings: H264Settings) -> OutputOptions {
        self.h264 = Some(settings);
        self
    }

    /// Limits for every frame written (default: [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> OutputOptions {
        self.limits = Some(limits);
        self
    }

    /// The JPEG quality, if set.
    pub fn get_quality(&self) -> Option<u8> {
        self.quality
    }

    /// The nominal rate, if set.
    pub fn get_frame_rate(&self) -> Option<FrameRate> {
        self.frame_rate
    }

    /// The H.264 settings, if set.
    pub fn get_h264(&self) -> Option<H264Settings> {
        self.h264
    }

    /// The first option set that does not apply to `kind`, by its builder
    /// method's name (`"quality"`, `"width"`, `"height"`, `"frame_rate"`,
    /// `"palette"`, `"dither"`, `"h264"`).
    pub fn unused_option(&self, kind: OutputKind) -> Option<&'static str> {
        let sized = matches!(kind, OutputKind::Avi | OutputKind::Gif);
        let video = matches!(kind, OutputKind::H264 | OutputKind::Mp4);
        let unused = [
            (
                "quality",
                self.quality.is_some()
                    && (video || matches!(kind, OutputKind::Gif | OutputKind::PngSequence)),
            ),
            ("h264", self.h264.is_some() && !video),
            ("width", self.width.is_some() && !sized),
            ("height", self.height.is_some() && !sized),
            (
                "frame_rate",
                self.frame_rate.is_some() && kind == OutputKind::PngSequence,
            ),
            ("palette", self.palette.is_some() && kind != OutputKind::Gif),
            ("dither", self.dither.is_some() && kind != OutputKind::Gif),
        ];
        unused
            .iter()
            .find(|(_, unused)| *unused)
            .map(|(name, _)| *name)
    }

    /// Checks that every option set applies to `kind` and is in range.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the first option that does not
    /// apply (see [`OutputOptions::unused_option`]) or is out of range.
    pub fn check(&self, kind: OutputKind) -> Result<()> {
        if let Some(name) = self.unused_option(kind) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{name} does not apply to {} output", kind.name()),
            ));
        }
        if let Some(q) = self.quality {
            crate::codec::Quality::try_from(q)?;
        }
        Ok(())
    }

    /// The output size for a first frame of `(fw, fh)`: both sides given,
    /// one side with the other from the frame's aspect ratio (rounded, at
    /// least 1), or the frame's size.
    fn size_for(&self, (fw, fh): (u32, u32)) -> (u32, u32) {
        let scaled = |a: u32, num: u32, den: u32| -> u32 {
            let v =
                (u64::from(a) * u64::from(num) * 2 + u64::from(den)) / (2 * u64::from(den.max(1)));
            u32::try_from(v).unwrap_or(u32::MAX).max(1)
        };
        match (self.width, self.height) {
            (Some(w), Some(h)) => (w, h),
            (Some(w), None) => (w, scaled(w, fh, fw)),
            (None, Some(h)) => (scaled(h, fw, fh), h),
            (None, None) => (fw, fh),
        }
    }

    fn gif_options(&self) -> GifOptions {
        let mut options = GifOptions::new()
            .palette(self.palette.unwrap_or_default())
            .dither(self.dither.unwrap_or_default());
        if let Some(rate) = self.frame_rate {
            options = options.frame_rate(rate);
        }
        options
    }
}

enum Writer {
    ImageIo(Box<FileStream>),
    Avi(Box<MjpegWriter<BufWriter<File>>>),
    Gif(Box<GifWriter<BufWriter<File>>>),
    Png(Box<ImageSequence>),
    H264(Box<H264Writer<BufWriter<File>>>),
    #[cfg(feature = "mp4")]
    Mp4(Box<Mp4Writer<BufWriter<File>>>),
}

impl Writer {
    fn sink(&mut self) -> &mut dyn FrameSink {
        match self {
            Writer::ImageIo(w) => w.as_mut(),
            Writer::Avi(w) => w.as_mut(),
            Writer::Gif(w) => w.as_mut(),
            Writer::Png(w) => w.as_mut(),
            Writer::H264(w) => w.as_mut(),
            #[cfg(feature = "mp4")]
            Writer::Mp4(w) => w.as_mut(),
        }
    }

    fn bytes(&self) -> u64 {
        match self {
            Writer::ImageIo(w) => w.bytes(),
            Writer::Avi(w) => w.bytes(),
            Writer::Gif(w) => w.bytes(),
            Writer::Png(w) => w.bytes(),
            Writer::H264(w) => w.bytes(),
            #[cfg(feature = "mp4")]
            Writer::Mp4(w) => w.bytes(),
        }
    }
}

/// A recording to the file `path` names (see [`OutputKind::of`]), with
/// [`OutputOptions`]: the one place the command line's outputs are made.
///
/// The file is created when the first frame arrives, sized like it (so a
/// source that fails before its first frame leaves no file), and each frame
/// goes to that kind's writer, timed by its timestamp. `sync` makes what was
/// written durable and playable; `finish` completes the file and syncs it
/// to disk. Dropping an unfinished sink finishes it best-effort.
///
/// ```
/// use camreel::camera::synthetic::SyntheticCamera;
/// use camreel::capture::CaptureExt;
/// use camreel::output::{FileSink, OutputOptions};
/// use camreel::sink::FrameSink;
///
/// let dir = tempfile::tempdir()?;
/// let mut camera = SyntheticCamera::builder().size(64, 48).frame_limit(5).build()?;
/// let mut out = FileSink::create(dir.path().join("clip.avi"), OutputOptions::new().quality(80))?;
/// camera.record(&mut out, None)?;
/// out.finish()?;
/// assert_eq!(out.frames(), 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FileSink {
    path: PathBuf,
    kind: OutputKind,
    options: OutputOptions,
    writer: Option<Writer>,
    frames: u64,
    bytes: u64,
    finished: bool,
    /// Written under this name, renamed to `path` by `finish`.
    temp: Option<PathBuf>,
    /// Whether `finish` syncs the file to stable storage.
    durable: bool,
}

impl fmt::Debug for FileSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileSink")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .field("options", &self.options)
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

impl FileSink {
    /// A sink writing `path` as its name says. Nothing is created until the
    /// first frame.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an unknown kind, an option that
    /// does not apply to it (see [`OutputOptions::check`]), or a bad PNG
    /// pattern.
    pub fn create(path: impl AsRef<Path>, options: OutputOptions) -> Result<FileSink> {
        let path = path.as_ref();
        let kind = OutputKind::of(path)?;
        options.check(kind)?;
        if kind == OutputKind::PngSequence {
            SequencePattern::parse(&path.to_string_lossy())?;
        }
        Ok(FileSink {
            path: path.to_path_buf(),
            kind,
            options,
            writer: None,
            frames: 0,
            bytes: 0,
            finished: false,
            temp: None,
            durable: true,
        })
    }

    /// Writes to a temporary file beside the output and renames it into
    /// place when [`FrameSink::finish`] succeeds, so the output's name only
    /// ever holds a complete file and an existing file of that name (the
    /// input of a conversion, say) is untouched until then. A recording that
    /// must survive being killed writes in place instead (the default).
    /// PNG sequences write each file this way regardless.
    pub fn atomic(mut self, atomic: bool) -> FileSink {
        self.temp = (atomic && self.kind != OutputKind::PngSequence).then(|| {
            let name = self
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            self.path
                .with_file_name(format!(".{name}.{}.part", std::process::id()))
        });
        self
    }

    /// Whether [`FrameSink::finish`] syncs the file to stable storage
    /// (`fsync`) before it returns (default `true`). A conversion, whose
    /// input remains, can skip it as `cp` does: the file is complete in the
    /// page cache and reaches the disk in the background.
    pub fn durable(mut self, durable: bool) -> FileSink {
        self.durable = durable;
        self
    }

    /// Stops without completing the output: whatever was written is
    /// removed (an atomic sink's temporary file, or the file itself) and
    /// the output's name is left as it was. PNG files already written stay.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the file cannot be removed.
    pub fn discard(mut self) -> Result<()> {
        self.finished = true;
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        if matches!(writer, Writer::Png(_)) {
            return Ok(());
        }
        drop(writer);
        let file = self.temp.as_deref().unwrap_or(&self.path);
        std::fs::remove_file(file)
            .map_err(|e| Error::io(format!("removing {}", quote_path(file)), e))
    }

    /// Whether the output is written under a temporary name and renamed into
    /// place when finished ([`FileSink::atomic`]).
    pub fn is_atomic(&self) -> bool {
        self.temp.is_some()
    }

    /// Where the file is written until it is finished.
    fn file_path(&self) -> &Path {
        self.temp.as_deref().unwrap_or(&self.path)
    }

    /// The output's name.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The kind of file.
    pub fn kind(&self) -> OutputKind {
        self.kind
    }

    /// The options it was created with.
    pub fn options(&self) -> OutputOptions {
        self.options
    }

    /// Frames written.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Bytes written so far (a GIF counts frames until it is finished).
    pub fn bytes(&self) -> u64 {
        self.writer.as_ref().map_or(self.bytes, Writer::bytes)
    }

    fn create_file(&self) -> Result<BufWriter<File>> {
        File::create(self.file_path())
            .map(BufWriter::new)
            .map_err(|e| Error::io(format!("creating {}", quote_path(&self.path)), e))
    }

    /// Makes the writer for a first frame of `size`.
    fn open(&self, size: (u32, u32)) -> Result<Writer> {
        let limits = self.options.limits.unwrap_or_default();
        Ok(match self.kind {
            OutputKind::ImageIo => {
                let fallback = match self.options.quality {
                    Some(quality) => Fallback::Jpeg { quality },
                    None => Fallback::Png,
                };
                Writer::ImageIo(Box::new(
                    FileOptions::new()
                        .limits(limits)
                        .fallback(fallback)
                        .create(self.file_path())?,
                ))
            }
            OutputKind::Avi => {
                let (w, h) = self.options.size_for(size);
                if w == 0 || h == 0 || w > 65535 || h > 65535 {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        format!(
                            "output size {w}x{h} is not a JPEG frame size (1 to 65535 each way)"
                        ),
                    ));
                }
                let mut builder = MjpegWriterBuilder::new(w, h);
                if let Some(q) = self.options.quality {
                    builder = builder.quality(q);
                }
                if let Some(rate) = self.options.frame_rate {
                    builder = builder.frame_rate(rate);
                }
                Writer::Avi(Box::new(builder.build(self.create_file()?)?))
            }
            OutputKind::Gif => {
                let (w, h) = self.options.size_for(size);
                Writer::Gif(Box::new(GifWriter::seekable(
                    self.create_file()?,
                    w,
                    h,
                    self.options.gif_options(),
                )?))
            }
            OutputKind::H264 => {
                let mut settings = self.options.h264.unwrap_or_default();
                if let Some(rate) = self.options.frame_rate {
                    settings = settings.frame_rate(rate);
                }
                settings.validate()?;
                Writer::H264(Box::new(H264Writer::with_settings(
                    self.create_file()?,
                    settings,
                )))
            }
            #[cfg(feature = "mp4")]
            OutputKind::Mp4 => {
                let mut options =
                    Mp4Options::default().settings(self.options.h264.unwrap_or_default());
                if let Some(rate) = self.options.frame_rate {
                    options = options.frame_rate(rate);
                }
                options.get_settings().validate()?;
                Writer::Mp4(Box::new(Mp4Writer::seekable(self.create_file()?, options)))
            }
            #[cfg(not(feature = "mp4"))]
            OutputKind::Mp4 => {
                return Err(crate::replay::mp4_unavailable(&self.path));
            }
            OutputKind::PngSequence => Writer::Png(Box::new(ImageSequence::create(
                &self.path.to_string_lossy(),
            )?)),
        })
    }

    /// Completes the writer, flushes and (if durable) syncs the file.
    fn close(&mut self, mut writer: Writer) -> Result<()> {
        let name = quote_path(&self.path);
        let durable = self.durable;
        let sync = |file: BufWriter<File>| -> Result<()> {
            let file = file
                .into_inner()
                .map_err(|e| Error::io(format!("flushing {name}"), e.into_error()))?;
            if !durable {
                return Ok(());
            }
            file.sync_all()
                .map_err(|e| Error::io(format!("syncing {name}"), e))
        };
        // Finished first (it runs once), so the count includes the trailer
        // and an MP4's last fragment. An ImageIO stream is unbuffered:
        // finishing it is syncing it, which a non-durable sink skips.
        if durable || !matches!(writer, Writer::ImageIo(_)) {
            writer.sink().finish()?;
        }
        self.bytes = writer.bytes();
        match writer {
            Writer::ImageIo(_) => {}
            Writer::Avi(w) => sync(w.into_inner().map_err(Error::from)?)?,
            Writer::Gif(w) => sync(w.into_inner().map_err(Error::from)?)?,
            Writer::Png(mut w) => FrameSink::finish(w.as_mut())?,
            Writer::H264(w) => sync(w.into_inner().map_err(Error::from)?)?,
            #[cfg(feature = "mp4")]
            Writer::Mp4(w) => sync(w.into_inner().map_err(Error::from)?)?,
        }
        if let Some(temp) = &self.temp {
            std::fs::rename(temp, &self.path)
                .map_err(|e| Error::io(format!("renaming {} into place", quote_path(temp)), e))?;
        }
        Ok(())
    }
}

impl FrameSink for FileSink {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        if self.finished {
            return Err(crate::sink::finished(&quote_path(&self.path)));
        }
        let writer = match &mut self.writer {
            Some(w) => w,
            None => {
                let w = self.open(frame.image.size())?;
                self.writer.insert(w)
            }
        };
        writer.sink().write_frame(frame)?;
        self.frames += 1;
        Ok(())
    }

    /// Makes every frame written so far durable and playable in the file
    /// (see each writer's `sync`). An atomic sink ([`FileSink::atomic`])
    /// skips it: its temporary file only ever becomes the output complete.
    fn sync(&mut self) -> Result<()> {
        if self.temp.is_some() {
            return Ok(());
        }
        match &mut self.writer {
            Some(w) => w.sink().sync(),
            None => Ok(()),
        }
    }

    fn finish(&mut self) -> Result<()> {
        self.finished = true;
        match self.writer.take() {
            Some(w) => self.close(w),
            None => Ok(()),
        }
    }
}

impl Drop for FileSink {
    /// Finishes the file best-effort (the writers' own drops would too, but
    /// without syncing it to disk); never panics.
    fn drop(&mut self) {
        if let Some(w) = self.writer.take() {
            let _ = self.close(w);
        }
        if let Some(temp) = &self.temp {
            // Only left behind when finishing failed.
            let _ = std::fs::remove_file(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::image::{Image, PixelFormat};

    #[test]
    fn kinds_by_name() {
        let kind = |p: &str| OutputKind::of(Path::new(p));
        assert_eq!(kind("a.BIN").unwrap(), OutputKind::ImageIo);
        assert_eq!(kind("a.avi").unwrap(), OutputKind::Avi);
        assert_eq!(kind("a.gif").unwrap(), OutputKind::Gif);
        assert_eq!(kind("f%04d.png").unwrap(), OutputKind::PngSequence);
        let e = kind("a.png").unwrap_err();
        assert!(e.to_string().contains("frame%04d.png"), "{e}");
        let e = kind("a\nb.mov").unwrap_err();
        assert!(!e.to_string().contains('\n'), "{e}");
    }

    #[test]
    fn options_that_do_not_apply_are_refused() {
        let o = OutputOptions::new;
        assert!(o().quality(50).check(OutputKind::ImageIo).is_ok());
        assert!(o().width(10).check(OutputKind::Gif).is_ok());
        let msg = |opts: OutputOptions, kind| opts.check(kind).unwrap_err().to_string();
        assert_eq!(
            msg(o().width(10), OutputKind::ImageIo),
            "width does not apply to ImageIO output"
        );
        assert_eq!(
            msg(o().palette(PaletteMode::Fixed), OutputKind::Avi),
            "palette does not apply to AVI output"
        );
        assert_eq!(
            msg(o().quality(50), OutputKind::Gif),
            "quality does not apply to GIF output"
        );
        assert_eq!(
            msg(o().quality(0), OutputKind::Avi),
            "JPEG quality 0 is out of range (1 to 100)"
        );
    }

    #[test]
    fn atomic_sinks_replace_the_output_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.gif");
        std::fs::write(&path, b"old").unwrap();
        let image = Image::zeroed(PixelFormat::Rgb888, 8, 8).unwrap();
        let frame = Frame::new(image.view(), 0, Duration::ZERO);
        let mut sink = FileSink::create(&path, OutputOptions::new())
            .unwrap()
            .atomic(true);
        sink.write_frame(&frame).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        sink.finish().unwrap();
        assert_eq!(&std::fs::read(&path).unwrap()[..6], b"GIF89a");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // Discarded: the old file stays and no temporary file is left.
        std::fs::write(&path, b"old").unwrap();
        let mut sink = FileSink::create(&path, OutputOptions::new())
            .unwrap()
            .atomic(true);
        sink.write_frame(&frame).unwrap();
        sink.discard().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // In place, discard removes the partial file.
        let avi = dir.path().join("a.avi");
        let mut sink = FileSink::create(&avi, OutputOptions::new()).unwrap();
        sink.write_frame(&frame).unwrap();
        assert!(avi.exists());
        sink.discard().unwrap();
        assert!(!avi.exists());
    }

    #[test]
    fn sizes_follow_the_first_frame() {
        let o = OutputOptions::new;
        assert_eq!(o().size_for((640, 480)), (640, 480));
        assert_eq!(o().width(320).size_for((640, 480)), (320, 240));
        assert_eq!(o().height(100).size_for((320, 240)), (133, 100));
        assert_eq!(o().size(64, 64).size_for((320, 240)), (64, 64));
        assert_eq!(o().width(1).size_for((320, 2)), (1, 1));
    }

    #[test]
    fn nothing_is_created_before_the_first_frame() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.bin", "a.avi", "a.gif"] {
            let path = dir.path().join(name);
            let mut sink = FileSink::create(&path, OutputOptions::new()).unwrap();
            sink.finish().unwrap();
            assert!(!path.exists(), "{name}");
            let image = Image::zeroed(PixelFormat::Rgb888, 8, 8).unwrap();
            let e = sink
                .write_frame(&Frame::new(image.view(), 0, Duration::ZERO))
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Finished);
        }
    }

    #[test]
    fn every_kind_records_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let image = Image::new(
            PixelFormat::Rgb888,
            16,
            8,
            (0..384u32).map(|v| (v % 251) as u8).collect(),
        )
        .unwrap();
        for name in ["a.bin", "a.avi", "a.gif", "f%02d.png"] {
            let path = dir.path().join(name);
            let mut sink = FileSink::create(&path, OutputOptions::new()).unwrap();
            for i in 0..4u32 {
                let frame = Frame::new(image.view(), i.into(), Duration::from_millis(40) * i);
                sink.write_frame(&frame).unwrap();
            }
            sink.finish().unwrap();
            assert_eq!(sink.frames(), 4, "{name}");
            assert!(sink.bytes() > 0, "{name}");
        }
        let avi = crate::avi::info(dir.path().join("a.avi")).unwrap();
        assert_eq!(
            (avi.frame_count, avi.frame_rate.to_string()),
            (4, "25".into())
        );
        let gif =
            crate::gif::read_info(std::fs::File::open(dir.path().join("a.gif")).unwrap()).unwrap();
        let delays: Vec<u16> = gif.frames.iter().map(|f| f.delay_cs).collect();
        assert_eq!(delays, [4, 4, 4, 4]);
        let bin = FileStream::open(dir.path().join("a.bin")).unwrap();
        let ms: Vec<u32> = bin.headers().map(|h| h.elapsed_ms).collect();
        assert_eq!(ms, [0, 40, 40, 40]);
        assert!(dir.path().join("f03.png").exists());
    }
}
