//! [`VideoReplay`]: an H.264 recording (`.h264` or `.mp4`) playing as a
//! camera.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::{Pace, ReplayOptions};
use crate::camera::{CameraSource, Frame, StreamFormat};
use crate::error::{Error, Result, quote_path};
use crate::h264::H264Reader;
#[cfg(feature = "mp4")]
use crate::mp4::Mp4Reader;
use crate::timing::FrameRate;
use crate::video::VideoInfo;

enum Reader {
    H264(Box<H264Reader<BufReader<File>>>),
    #[cfg(feature = "mp4")]
    Mp4(Box<Mp4Reader<BufReader<File>>>),
}

/// An H.264 recording as a camera: decoded YUV420 pictures (feature
/// `h264`), or with [`ReplayOptions::encoded`] the access units themselves
/// ([`PixelFormat::H264`](crate::PixelFormat::H264) frames, for writers that
/// store them as they are: a conversion between `.h264` and `.mp4` without
/// re-encoding). A raw `.h264` stream has no timing of its own: frames are
/// stamped at [`ReplayOptions::rate`], else at the rate its VUI gives, else
/// 25 fps as ffmpeg assumes. An `.mp4` keeps its exact timestamps.
pub struct VideoReplay {
    reader: Reader,
    path: PathBuf,
    encoded: bool,
    rate: Option<FrameRate>,
    pace: Option<Pace>,
    tail: Option<Error>,
    delivered: u64,
}

impl std::fmt::Debug for VideoReplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoReplay")
            .field("path", &self.path)
            .field("encoded", &self.encoded)
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl VideoReplay {
    /// Opens the `.h264` stream at `path`.
    ///
    /// # Errors
    /// As [`H264Reader::open`].
    pub fn open_h264(path: impl AsRef<Path>, options: &ReplayOptions) -> Result<VideoReplay> {
        let path = path.as_ref();
        let file =
            File::open(path).map_err(|e| Error::io(format!("opening {}", quote_path(path)), e))?;
        let mut reader = H264Reader::with_limits(BufReader::new(file), options.limits)
            .map_err(|e| e.context(quote_path(path)))?;
        if let Some(rate) = options.rate {
            reader = reader.with_rate(rate);
        }
        let (rate, _) = reader.rate();
        Ok(VideoReplay::new(
            Reader::H264(Box::new(reader)),
            path,
            options,
            Some(rate),
        ))
    }

    /// Opens the `.mp4` file at `path`.
    ///
    /// # Errors
    /// As [`Mp4Reader::open`].
    #[cfg(feature = "mp4")]
    pub fn open_mp4(path: impl AsRef<Path>, options: &ReplayOptions) -> Result<VideoReplay> {
        let path = path.as_ref();
        let file =
            File::open(path).map_err(|e| Error::io(format!("opening {}", quote_path(path)), e))?;
        let reader = Mp4Reader::new(BufReader::new(file), options.limits)
            .map_err(|e| e.context(quote_path(path)))?;
        let rate = reader.frame_rate();
        Ok(VideoReplay::new(
            Reader::Mp4(Box::new(reader)),
            path,
            options,
            rate,
        ))
    }

    fn new(
        reader: Reader,
        path: &Path,
        options: &ReplayOptions,
        rate: Option<FrameRate>,
    ) -> VideoReplay {
        VideoReplay {
            reader,
            path: path.to_path_buf(),
            encoded: options.encoded,
            rate,
            pace: options
                .realtime
                .then(|| Pace::new(options.clock_or_default())),
            tail: None,
            delivered: 0,
        }
    }

    /// Pictures in the file, when its index says (an `.mp4`).
    pub fn frame_count(&self) -> Option<u64> {
        match &self.reader {
            Reader::H264(_) => None,
            #[cfg(feature = "mp4")]
            Reader::Mp4(r) => Some(r.frame_count()),
        }
    }

    /// The stream's rate: given, from the VUI or 25 fps for `.h264`; an
    /// `.mp4`'s when its frames are evenly spaced.
    pub fn frame_rate(&self) -> Option<FrameRate> {
        self.rate
    }

    /// What was cut short, once playback reached it.
    pub fn damaged_tail(&self) -> Option<&Error> {
        self.tail.as_ref()
    }
}

/// The facts `camreel info` prints for the `.h264` or `.mp4` file at
/// `path` (a raw stream is read through; `rate` stamps it when given).
///
/// # Errors
/// As the readers' `open`; [`ErrorKind::BackendUnavailable`](crate::ErrorKind::BackendUnavailable)
/// for an `.mp4` without the `mp4` feature.
pub fn video_info(path: &Path, rate: Option<FrameRate>) -> Result<VideoInfo> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext == "mp4" {
        #[cfg(feature = "mp4")]
        return crate::mp4::info(path);
        #[cfg(not(feature = "mp4"))]
        return Err(mp4_unavailable(path));
    }
    crate::h264::info(path, rate)
}

/// The error for an `.mp4` when the `mp4` feature is off.
#[cfg(not(feature = "mp4"))]
pub(crate) fn mp4_unavailable(path: &Path) -> Error {
    Error::new(
        crate::ErrorKind::BackendUnavailable,
        format!(
            "{}: .mp4 files need the `mp4` cargo feature",
            quote_path(path)
        ),
    )
}

impl CameraSource for VideoReplay {
    fn format(&self) -> StreamFormat {
        let format = match &self.reader {
            Reader::H264(r) => r.format(),
            #[cfg(feature = "mp4")]
            Reader::Mp4(r) => r.format(),
        };
        if self.encoded {
            StreamFormat {
                format: crate::PixelFormat::H264,
                ..format
            }
        } else {
            format
        }
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        let next = match (&mut self.reader, self.encoded) {
            (Reader::H264(r), true) => r.next_access_unit(),
            (Reader::H264(r), false) => r.next_frame(),
            #[cfg(feature = "mp4")]
            (Reader::Mp4(r), true) => r.next_access_unit(),
            #[cfg(feature = "mp4")]
            (Reader::Mp4(r), false) => r.next_frame(),
        };
        let frame = match next {
            Ok(Some(frame)) => frame,
            Ok(None) => return Ok(None),
            Err(e) if e.kind() == crate::ErrorKind::Truncated && self.delivered > 0 => {
                self.tail = Some(e.context(quote_path(&self.path)));
                return Ok(None);
            }
            Err(e) => return Err(e.context(quote_path(&self.path))),
        };
        if let Some(pace) = &mut self.pace {
            pace.wait(frame.timestamp);
        }
        self.delivered += 1;
        Ok(Some(frame))
    }
}
