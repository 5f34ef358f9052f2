//! [`GifReplay`]: an animated GIF playing as a camera.

use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Pace, ReplayOptions, rate_of};
use crate::camera::{CameraSource, Frame, StreamFormat};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::gif::{GifReader, ReaderOptions, read_info_partial};
use crate::image::{Image, Limits};
use crate::timing::FrameRate;

/// An animated GIF as a camera: each frame composited as a browser shows it
/// (the screen's size), frame `i` at the sum of the delays before it. The
/// file is opened and read once; a regular file is first scanned for its
/// frame count and delays (then the nominal rate is its frames over its
/// duration), a pipe is played as it streams in. A GIF cut short plays its
/// complete frames, then ends ([`GifReplay::damaged_tail`]).
///
/// Frames are RGB888 when the scan proves the file opaque
/// ([`GifInfo::is_opaque`](crate::gif::GifInfo::is_opaque)), and ARGB8 with
/// the transparency kept otherwise (and for a pipe, which is not scanned):
/// see [`GifReader`]. Outputs without alpha composite ARGB8 over
/// [`ALPHA_BACKGROUND`](crate::convert::ALPHA_BACKGROUND) (black), which
/// gives the same pixels as the RGB888 frames would.
#[derive(Debug)]
pub struct GifReplay {
    reader: GifReader<BufReader<File>>,
    path: PathBuf,
    limits: Limits,
    /// Whether frames keep their alpha (ARGB8).
    alpha: bool,
    /// From the scan of a regular file.
    count: Option<u64>,
    duration: Option<Duration>,
    /// Time of the next frame.
    at: Duration,
    looping: bool,
    pace: Option<Pace>,
    image: Image,
    sequence: u64,
    /// Frames delivered in this pass.
    in_pass: u64,
    tail: Option<Error>,
}

fn open_reader(
    file: File,
    limits: &Limits,
    alpha: bool,
    name: &str,
) -> Result<GifReader<BufReader<File>>> {
    GifReader::with_options(
        BufReader::new(file),
        ReaderOptions::default().limits(*limits).alpha(alpha),
    )
    .map_err(|e| e.context(name))
}

impl GifReplay {
    /// Opens the GIF at `path`.
    ///
    /// # Errors
    /// Whatever [`GifReader`] returns for the header, with the file named;
    /// [`ErrorKind::LimitExceeded`] for frames that are more work than the
    /// limits allow for the file's size ([`Limits::check_work`]).
    pub fn open(path: impl AsRef<Path>, options: &ReplayOptions) -> Result<GifReplay> {
        let path = path.as_ref();
        let name = quote_path(path);
        let mut file = File::open(path).map_err(|e| Error::io(format!("opening {name}"), e))?;
        let regular = file.metadata().is_ok_and(|m| m.is_file());
        let (mut count, mut duration) = (None, None);
        let mut alpha = true;
        if regular {
            match read_info_partial(BufReader::new(&mut file)) {
                Ok((info, cut)) => {
                    // Refused at once rather than after the first frames
                    // (the reader checks as it goes, for pipes).
                    let bytes = file.metadata().map_or(0, |m| m.len());
                    options
                        .limits
                        .check_work(
                            info.frame_count(),
                            info.width.into(),
                            info.height.into(),
                            bytes,
                        )
                        .map_err(|e| e.context(&name))?;
                    // A cut file plays its complete frames, which the
                    // structure describes.
                    alpha = !info.is_opaque();
                    // A cut file: count unknown, its frames still play.
                    if cut.is_none() {
                        count = Some(info.frames.len() as u64);
                        duration = Some(info.duration());
                    }
                }
                Err(e) => return Err(e.context(&name)),
            }
            file.seek(SeekFrom::Start(0))
                .map_err(|e| Error::io(format!("reading {name}"), e))?;
        }
        let reader = open_reader(file, &options.limits, alpha, &name)?;
        Ok(GifReplay {
            reader,
            path: path.to_path_buf(),
            limits: options.limits,
            alpha,
            count,
            duration,
            at: Duration::ZERO,
            looping: options.looping,
            pace: options
                .realtime
                .then(|| Pace::new(options.clock_or_default())),
            image: Image::empty(),
            sequence: 0,
            in_pass: 0,
            tail: None,
        })
    }

    /// Frames in the file, when it was scanned (a regular file, complete).
    pub fn frame_count(&self) -> Option<u64> {
        self.count
    }

    /// The frames over the animation's duration (the delays, the last one
    /// included), when the file was scanned.
    pub fn frame_rate(&self) -> Option<FrameRate> {
        rate_of(self.count?, self.duration?)
    }

    /// The error that cut playback short, once reached.
    pub fn damaged_tail(&self) -> Option<&Error> {
        self.tail.as_ref()
    }

    /// Starts a new pass from the beginning of the file.
    fn rewind(&mut self) -> Result<()> {
        let name = quote_path(&self.path);
        let file = File::open(&self.path).map_err(|e| Error::io(format!("opening {name}"), e))?;
        self.reader = open_reader(file, &self.limits, self.alpha, &name)?;
        self.in_pass = 0;
        Ok(())
    }
}

impl CameraSource for GifReplay {
    /// RGB888 or ARGB8 frames (see [`GifReplay`]) of the screen's size.
    fn format(&self) -> StreamFormat {
        let (w, h) = self.reader.size();
        let format = StreamFormat::new(self.reader.format(), w, h);
        match self.frame_rate() {
            Some(rate) => format.with_fps(rate.fps()),
            None => format,
        }
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        let delay = loop {
            match self.reader.read_frame_into(&mut self.image) {
                Ok(Some(info)) => {
                    break self.reader.next_timestamp().saturating_sub(info.timestamp);
                }
                Ok(None) => {}
                Err(e) if e.kind() == ErrorKind::Truncated && self.in_pass > 0 => {
                    self.tail = Some(e.context(quote_path(&self.path)));
                }
                Err(e) => return Err(e.context(quote_path(&self.path))),
            }
            // The end of a pass.
            if !self.looping || self.in_pass == 0 || !self.path.is_file() {
                return Ok(None);
            }
            self.rewind()?;
        };
        let timestamp = self.at;
        self.at = self.at.saturating_add(delay);
        if let Some(pace) = &mut self.pace {
            pace.wait(timestamp);
        }
        let sequence = self.sequence;
        self.sequence += 1;
        self.in_pass += 1;
        Ok(Some(Frame::new(self.image.view(), sequence, timestamp)))
    }
}
