//! [`Mp4Reader`]: the frames of an `.mp4`, encoded or (with the `h264`
//! feature) decoded, with their timestamps.

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;
use std::time::Duration;

use super::demux::{Mp4Demuxer, Mp4Sample};
use crate::camera::{CameraSource, StreamFormat};
use crate::error::{Error, Result, quote_path};
use crate::frame::Frame;
use crate::image::{ImageRef, Limits, PixelFormat};
use crate::timing::{FrameRate, Timeline};
use crate::video::VideoInfo;

/// Reads the H.264 track of an MP4 file (camreel's fragmented files,
/// ffmpeg's normal ones): [`Mp4Reader::next_access_unit`] lends each sample
/// as a self-contained Annex B access unit ([`PixelFormat::H264`], SPS and
/// PPS in front of key frames) stamped with its presentation time; with the
/// `h264` feature it is also a [`CameraSource`] of decoded YUV420 frames.
///
/// A file cut short or damaged gives its frames up to the damage, then an
/// error naming the frame and byte offset.
pub struct Mp4Reader<R> {
    demux: Mp4Demuxer<R>,
    next: usize,
    au: Vec<u8>,
    damage_reported: bool,
    /// An error was returned: the reader has ended.
    failed: bool,
    limits: Limits,
    #[cfg(feature = "h264")]
    decode: Option<crate::h264::decode::DecodeQueue>,
    #[cfg(feature = "h264")]
    decoded_all: bool,
}

impl<R> fmt::Debug for Mp4Reader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mp4Reader")
            .field("demux", &self.demux)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl Mp4Reader<BufReader<File>> {
    /// Opens the file at `path`.
    ///
    /// # Errors
    /// As [`Mp4Reader::new`], with the path in the message.
    pub fn open(path: impl AsRef<Path>) -> Result<Mp4Reader<BufReader<File>>> {
        let path = path.as_ref();
        let file =
            File::open(path).map_err(|e| Error::io(format!("opening {}", quote_path(path)), e))?;
        Mp4Reader::new(BufReader::new(file), Limits::default())
            .map_err(|e| e.context(quote_path(path)))
    }
}

/// What `camreel info` says about the `.mp4` file at `path` (from its
/// index; nothing is decoded).
///
/// # Errors
/// As [`Mp4Reader::open`].
pub fn info(path: impl AsRef<Path>) -> Result<VideoInfo> {
    Ok(Mp4Reader::open(path)?.info())
}

fn copy_error(e: &Error) -> Error {
    Error::new(e.kind(), e.to_string())
}

impl<R: Read + Seek> Mp4Reader<R> {
    /// Indexes the file (see [`Mp4Demuxer::open`]).
    ///
    /// # Errors
    /// As [`Mp4Demuxer::open`].
    pub fn new(reader: R, limits: Limits) -> Result<Mp4Reader<R>> {
        Ok(Mp4Reader {
            demux: Mp4Demuxer::open(reader, limits)?,
            next: 0,
            au: Vec::new(),
            damage_reported: false,
            failed: false,
            limits,
            #[cfg(feature = "h264")]
            decode: None,
            #[cfg(feature = "h264")]
            decoded_all: false,
        })
    }

    /// The demuxer: the track and its sample index.
    pub fn demuxer(&self) -> &Mp4Demuxer<R> {
        &self.demux
    }

    /// Picture size.
    pub fn size(&self) -> (u32, u32) {
        let t = self.demux.track();
        (t.width, t.height)
    }

    /// Frames (samples) in the file.
    pub fn frame_count(&self) -> u64 {
        self.demux.samples().len() as u64
    }

    /// The frame rate: exact when every frame lasts as long, measured from
    /// the timestamps otherwise.
    pub fn frame_rate(&self) -> Option<FrameRate> {
        let samples = self.demux.samples();
        let timescale = self.demux.track().timescale;
        let first = samples.first()?.duration;
        if first > 0 && samples.iter().all(|s| s.duration == first) {
            return FrameRate::new(timescale, first).ok();
        }
        self.timeline().measured_rate()
    }

    /// Presentation time of `sample`, from the track's start.
    fn time_of(&self, sample: &Mp4Sample) -> Duration {
        let t = self.demux.track();
        let ticks = sample.presentation_time(t).max(0) as u128;
        let ns = ticks * 1_000_000_000 / u128::from(t.timescale);
        Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
    }

    fn timeline(&self) -> Timeline {
        let mut times: Vec<Duration> = self
            .demux
            .samples()
            .iter()
            .map(|s| self.time_of(s))
            .collect();
        times.sort_unstable();
        let mut t = Timeline::new();
        for time in times {
            t.push(time);
        }
        t
    }

    /// Reads the next sample into the access-unit buffer: its time and
    /// number (`None` at the end, an error once after it for a damaged file).
    fn advance(&mut self) -> Result<Option<(Duration, u64)>> {
        if self.failed {
            return Ok(None);
        }
        let index = self.next;
        let Some(sample) = self.demux.samples().get(index).copied() else {
            if let Some(e) = self.demux.damage()
                && !self.damage_reported
            {
                self.damage_reported = true;
                return Err(copy_error(e));
            }
            return Ok(None);
        };
        if let Err(e) = self.demux.read_access_unit(index, &mut self.au) {
            self.failed = true;
            return Err(e);
        }
        self.next += 1;
        Ok(Some((self.time_of(&sample), index as u64)))
    }

    /// The next sample as a [`PixelFormat::H264`] frame, in decoding
    /// order, stamped with its presentation time.
    ///
    /// # Errors
    /// The demuxer's damage once after the last good frame
    /// ([`ErrorKind::Truncated`](crate::ErrorKind::Truncated) for a file cut
    /// short); a sample that cannot be read; I/O errors. After an error the
    /// reader has ended: later calls return `Ok(None)`.
    pub fn next_access_unit(&mut self) -> Result<Option<Frame<'_>>> {
        let Some((timestamp, index)) = self.advance()? else {
            return Ok(None);
        };
        let (w, h) = self.size();
        let image = ImageRef::new(PixelFormat::H264, w, h, &self.au)?;
        Ok(Some(Frame::new(image, index, timestamp)))
    }

    /// Reports on the file (from the index; nothing is decoded). The
    /// duration is the samples' own: from the first one's decoding time
    /// to the end of the last one.
    pub fn info(&self) -> VideoInfo {
        let samples = self.demux.samples();
        let t = self.demux.track();
        let duration = match (samples.first(), samples.last()) {
            (Some(first), Some(last)) => {
                let ticks =
                    (last.decode_time + u64::from(last.duration)).saturating_sub(first.decode_time);
                let ns = u128::from(ticks) * 1_000_000_000 / u128::from(t.timescale);
                Some(Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX)))
            }
            _ => None,
        };
        VideoInfo {
            frames: samples.len() as u64,
            width: t.width,
            height: t.height,
            rate: self.frame_rate(),
            key_frames: samples.iter().filter(|s| s.key).count() as u64,
            duration,
            video_bytes: samples.iter().map(|s| u64::from(s.size)).sum(),
            bitrate: None,
            profile: t.sps.profile_name(),
            damage: self.demux.damage().map(ToString::to_string),
        }
        .with_bitrate()
    }
}

/// Decoded YUV420 frames in presentation order (feature `h264`; without it
/// `next_frame` fails with [`ErrorKind::BackendUnavailable`](crate::ErrorKind::BackendUnavailable)).
impl<R: Read + Seek> CameraSource for Mp4Reader<R> {
    fn format(&self) -> StreamFormat {
        let (w, h) = self.size();
        let f = StreamFormat::new(PixelFormat::Yuv420, w, h);
        match self.frame_rate() {
            Some(r) => f.with_fps(r.fps()),
            None => f,
        }
    }

    #[cfg(feature = "h264")]
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        if self.decode.is_none() {
            self.decode = Some(crate::h264::decode::DecodeQueue::new(self.limits)?);
        }
        loop {
            if self.decoded_all {
                return Ok(None);
            }
            let ready = match self.advance()? {
                Some((timestamp, index)) => {
                    let pushed = match self.decode.as_mut() {
                        Some(q) => q.push(&self.au, timestamp, index),
                        None => Ok(false),
                    };
                    match pushed {
                        Ok(ready) => ready,
                        Err(e) => {
                            self.decoded_all = true;
                            let offset = self.demux.samples()[index as usize].offset;
                            return Err(e.context(format!("frame {index} at byte {offset}")));
                        }
                    }
                }
                None => {
                    let more = match self.decode.as_mut() {
                        Some(q) => q.flush()?,
                        None => false,
                    };
                    self.decoded_all = !more;
                    more
                }
            };
            if ready {
                break;
            }
        }
        match self.decode.as_ref() {
            Some(q) => Ok(Some(q.frame())),
            None => Ok(None),
        }
    }

    #[cfg(not(feature = "h264"))]
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        let _ = self.limits;
        Err(Error::new(
            crate::error::ErrorKind::BackendUnavailable,
            "decoding h.264 needs the `h264` cargo feature",
        ))
    }
}
