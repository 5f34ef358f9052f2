//! [`AviReplay`]: a Motion-JPEG AVI playing as a camera.

use std::collections::HashSet;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Pace, ReplayOptions};
use crate::avi::{AviReader, ReaderOptions};
use crate::camera::{CameraSource, Frame, StreamFormat};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::image::{Image, Limits, PixelFormat};
use crate::timing::FrameRate;

/// A Motion-JPEG AVI as a camera: its JPEG frames, untouched, at the
/// stream's exact rate (frame `i` at `i / rate`). A dropped frame (an empty
/// chunk, which players show as a repeat) repeats the previous frame; one
/// before any real frame is skipped. An AVI that was never closed plays
/// every complete frame (see [`AviReader`]).
///
/// ```
/// use std::io::Cursor;
/// use camreel::avi::MjpegWriter;
/// use camreel::camera::CameraSource;
/// use camreel::replay::{AviReplay, ReplayOptions};
/// use camreel::{Image, PixelFormat};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("clip.avi");
/// let mut avi = MjpegWriter::new(std::fs::File::create(&path)?, 32, 24)?;
/// for _ in 0..3 {
///     avi.add_frame(Image::zeroed(PixelFormat::Rgb888, 32, 24)?.view(), &Default::default())?;
/// }
/// drop(avi);
/// let mut clip = AviReplay::open(&path, &ReplayOptions::new())?;
/// let mut n = 0;
/// while let Some(frame) = clip.next_frame()? {
///     assert_eq!(frame.image.format(), PixelFormat::Jpeg);
///     n += 1;
/// }
/// assert_eq!(n, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AviReplay {
    reader: AviReader<BufReader<File>>,
    path: PathBuf,
    rate: FrameRate,
    /// Index of the next frame in the file.
    next: u64,
    /// Frames delivered in earlier passes (looping).
    passes: u64,
    looping: bool,
    pace: Option<Pace>,
    image: Image,
    have_image: bool,
    sequence: u64,
    tail: Option<Error>,
}

impl AviReplay {
    /// Opens the AVI at `path`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a file that is not seekable (a
    /// pipe); whatever [`AviReader`] returns, with the file named;
    /// [`ErrorKind::LimitExceeded`] for frames that are more work than the
    /// limits allow for their data ([`Limits::check_work`]: an index that
    /// names a few frames thousands of times).
    pub fn open(path: impl AsRef<Path>, options: &ReplayOptions) -> Result<AviReplay> {
        let path = path.as_ref();
        let name = quote_path(path);
        // Checked before opening: opening a pipe blocks until a writer comes.
        let meta = std::fs::metadata(path).map_err(|e| Error::io(format!("opening {name}"), e))?;
        if !meta.is_file() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{name}: an AVI is read by seeking to its index; give a regular file, not a pipe or device"
                ),
            ));
        }
        let file = File::open(path).map_err(|e| Error::io(format!("opening {name}"), e))?;
        let reader = AviReader::with_options(
            BufReader::new(file),
            ReaderOptions::default().limits(options.limits),
        )
        .map_err(|e| e.context(&name))?;
        check_work(&reader, &options.limits).map_err(|e| e.context(&name))?;
        let rate = reader.frame_rate();
        Ok(AviReplay {
            reader,
            path: path.to_path_buf(),
            rate,
            next: 0,
            passes: 0,
            looping: options.looping,
            pace: options
                .realtime
                .then(|| Pace::new(options.clock_or_default())),
            image: Image::empty(),
            have_image: false,
            sequence: 0,
            tail: None,
        })
    }

    /// Frames in the file.
    pub fn frame_count(&self) -> u64 {
        self.reader.frame_count()
    }

    /// The stream's exact rate.
    pub fn frame_rate(&self) -> FrameRate {
        self.rate
    }

    /// The reader (headers, index).
    pub fn reader(&self) -> &AviReader<BufReader<File>> {
        &self.reader
    }

    /// The error of a frame that could not be read at the end of a damaged
    /// file, once playback reached it.
    pub fn damaged_tail(&self) -> Option<&Error> {
        self.tail.as_ref()
    }

    /// Time of frame `n` (counted over all passes) at the stream's rate.
    fn time_of(&self, n: u64) -> Duration {
        self.rate.frame_time(n)
    }
}

/// Checks the work of playing every frame against `limits`
/// ([`Limits::check_work`]): each frame is a picture of the stream's size,
/// paid for by the frame data it comes from, counted once however often
/// the index names it (a dropped frame, which repeats the one before,
/// brings none).
fn check_work<R: std::io::Read + std::io::Seek>(
    reader: &AviReader<R>,
    limits: &Limits,
) -> Result<()> {
    let mut seen = HashSet::new();
    let mut bytes = 0u64;
    for e in reader.entries() {
        if e.size > 0 && seen.insert(e.offset) {
            bytes += u64::from(e.size) + 8;
        }
    }
    let frames = reader.frame_count();
    limits
        .check_work(frames, reader.width(), reader.height(), bytes)
        .map_err(|e| {
            let distinct = seen.len() as u64;
            if distinct < frames {
                e.context(format!(
                    "the index names {frames} frames with {distinct} distinct ones"
                ))
            } else {
                e
            }
        })
}

impl CameraSource for AviReplay {
    /// JPEG frames of the stream's size at its rate.
    fn format(&self) -> StreamFormat {
        StreamFormat::new(PixelFormat::Jpeg, self.reader.width(), self.reader.height())
            .with_fps(self.rate.fps())
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        let count = self.reader.frame_count();
        loop {
            if self.next >= count {
                if !self.looping || count == 0 || !self.have_image {
                    return Ok(None);
                }
                self.next = 0;
                self.passes += 1;
            }
            let index = self.next;
            self.next += 1;
            match self.reader.read_encoded_into(index, &mut self.image) {
                Ok(true) => self.have_image = true,
                // A dropped frame repeats the previous one.
                Ok(false) if self.have_image => {}
                Ok(false) => continue,
                Err(e) if e.kind() == ErrorKind::Truncated && self.have_image => {
                    self.tail = Some(e.context(quote_path(&self.path)));
                    self.next = count;
                    if self.looping {
                        continue;
                    }
                    return Ok(None);
                }
                Err(e) => return Err(e.context(quote_path(&self.path))),
            }
            let n = self.passes.saturating_mul(count).saturating_add(index);
            let timestamp = self.time_of(n);
            if let Some(pace) = &mut self.pace {
                pace.wait(timestamp);
            }
            let sequence = self.sequence;
            self.sequence += 1;
            return Ok(Some(Frame::new(self.image.view(), sequence, timestamp)));
        }
    }
}
