//! [`FileInfo`]: what an "OMV IMG STR" file holds (version, every frame's
//! header, a damaged tail) and how long the recording lasts.

use std::path::Path;
use std::time::Duration;

use super::{DamagedTail, FileStream, FrameHeader, Version};
use crate::error::Result;
use crate::timing::Timeline;

/// What an ImageIO file holds, from its headers: [`FileStream::info`] or
/// [`info`].
///
/// ```
/// use std::time::Duration;
/// use camreel::frame::Frame;
/// use camreel::imageio::{self, FileStream};
/// use camreel::sink::FrameSink;
/// use camreel::{Image, PixelFormat};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("clip.bin");
/// let image = Image::zeroed(PixelFormat::Grayscale, 8, 8)?;
/// let mut stream = FileStream::create(&path)?;
/// for i in 0..60u32 {
///     // 30 fps: stored as intervals of 33 and 34 ms.
///     let t = Duration::from_nanos(33_333_333) * i;
///     stream.write_frame(&Frame::new(image.view(), i.into(), t))?;
/// }
/// stream.finish()?;
/// let info = imageio::info(&path)?;
/// assert_eq!(info.frame_count(), 60);
/// assert_eq!(info.duration().as_millis(), 2000); // as the same frames in an AVI or a GIF
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileInfo {
    /// The format version of the file.
    pub version: Version,
    /// The header of every complete frame, in order.
    pub frames: Vec<FrameHeader>,
    /// Where the file stops holding valid frames, if it does not end cleanly.
    pub damaged_tail: Option<DamagedTail>,
    /// Size of the file in bytes.
    pub file_size: u64,
}

impl FileInfo {
    /// Number of complete frames.
    pub fn frame_count(&self) -> u64 {
        self.frames.len() as u64
    }

    /// The time line of the frames: the first at 0, each later one its
    /// `elapsed_ms` after the one before. The first frame's own `elapsed_ms`
    /// (the time from when the stream was opened, or 0) is not part of the
    /// recording.
    pub fn timeline(&self) -> Timeline {
        Timeline::from_intervals(
            self.frames
                .iter()
                .skip(1)
                .map(|h| Duration::from_millis(u64::from(h.elapsed_ms))),
        )
    }

    /// The recording's duration: from the first frame to the last, plus the
    /// last frame's own duration, the mean of the earlier intervals (see
    /// [the duration of a recording](crate::timing#the-duration-of-a-recording)).
    /// 60 frames recorded at 30 fps last 2.000 s, whether stored here (59
    /// intervals of 33 or 34 ms), in an AVI or in a GIF. Zero for an empty
    /// file.
    pub fn duration(&self) -> Duration {
        if self.frames.is_empty() {
            return Duration::ZERO;
        }
        self.timeline().duration()
    }

    /// The time of frame `index` from the first frame: the sum of the
    /// intervals of the frames after the first, up to it.
    pub fn timestamp(&self, index: u64) -> Duration {
        let n = usize::try_from(index).unwrap_or(usize::MAX);
        let ms: u64 = self
            .frames
            .iter()
            .take(n.saturating_add(1))
            .skip(1)
            .map(|h| u64::from(h.elapsed_ms))
            .sum();
        Duration::from_millis(ms)
    }
}

/// Reads the headers of the ImageIO file at `path` (see
/// [`FileStream::open`]; a damaged tail is reported in
/// [`FileInfo::damaged_tail`], not as an error).
///
/// # Errors
/// As [`FileStream::open`].
pub fn info(path: impl AsRef<Path>) -> Result<FileInfo> {
    Ok(FileStream::open(path)?.info())
}

impl FileStream {
    /// What the file holds: version, every frame's header, a damaged tail,
    /// and from them the recording's duration ([`FileInfo::duration`]).
    pub fn info(&self) -> FileInfo {
        FileInfo {
            version: self.version(),
            frames: self.headers().collect(),
            damaged_tail: self.damaged_tail().cloned(),
            file_size: self.byte_len(),
        }
    }
}
