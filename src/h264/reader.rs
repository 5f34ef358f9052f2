//! [`H264Reader`]: the access units of a `.h264` Annex B stream, and (with
//! the `h264` feature) its decoded pictures as a camera source.

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use super::annexb::{AccessUnitInfo, AccessUnitScanner, locate};
use super::sps::Sps;
use crate::camera::{CameraSource, StreamFormat};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::frame::Frame;
use crate::image::{ImageRef, Limits, PixelFormat};
use crate::timing::FrameRate;
use crate::video::VideoInfo;

/// The rate ffmpeg assumes for an elementary stream without timing.
const DEFAULT_FPS: u32 = 25;
const CHUNK: usize = 64 * 1024;

/// Reads a `.h264` Annex B stream access unit by access unit, without
/// loading the file: [`H264Reader::next_access_unit`] lends each one as a
/// [`PixelFormat::H264`] frame (for pass-through into an
/// [`H264Writer`](super::H264Writer) or `mp4::Mp4Writer`).
///
/// The stream has no timing: frame `n` is stamped `n / rate`, the rate
/// being the SPS's VUI timing if it has one, else the one given to
/// [`H264Reader::with_rate`], else 25 fps (what ffmpeg assumes). With the
/// `h264` feature the reader is also a [`CameraSource`] of decoded YUV420
/// frames, so replay, conversion and motion detection can use it.
///
/// A damaged stream yields its frames up to the damage, then an error
/// naming the access unit and its byte offset.
///
/// ```
/// use camreel::h264::H264Reader;
///
/// let sps = [0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x68, 0x0a, 0x03, 0xda, 0x01, 0xe1, 0x10, 0x8d, 0x40];
/// let mut stream = vec![0, 0, 0, 1];
/// stream.extend_from_slice(&sps);
/// stream.extend_from_slice(&[0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80, 0, 0, 0, 1, 0x65, 0xb8, 0x40]);
/// stream.extend_from_slice(&[0, 0, 0, 1, 0x41, 0x9a, 0x40]);
/// let mut reader = H264Reader::new(&stream[..])?;
/// assert_eq!(reader.size(), (640, 480));
/// let first = reader.next_access_unit()?.unwrap();
/// assert_eq!(first.image.data().len(), 33);
/// let second = reader.next_access_unit()?.unwrap();
/// assert_eq!(second.timestamp, std::time::Duration::from_millis(40));
/// assert!(reader.next_access_unit()?.is_none());
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct H264Reader<R> {
    reader: R,
    buf: Vec<u8>,
    /// Start of the next access unit in `buf`.
    start: usize,
    scanner: AccessUnitScanner,
    eof: bool,
    /// Bytes of the stream before `buf[0]`.
    base: u64,
    index: u64,
    sps: Sps,
    rate: FrameRate,
    rate_known: bool,
    limits: Limits,
    failed: bool,
    #[cfg(feature = "h264")]
    decode: Option<crate::h264::decode::DecodeQueue>,
    #[cfg(feature = "h264")]
    decoded_all: bool,
}

impl<R> fmt::Debug for H264Reader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("H264Reader")
            .field("index", &self.index)
            .field("sps", &self.sps)
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl H264Reader<BufReader<File>> {
    /// Opens the stream at `path`.
    ///
    /// # Errors
    /// As [`H264Reader::new`], with the path in the message.
    pub fn open(path: impl AsRef<Path>) -> Result<H264Reader<BufReader<File>>> {
        let path = path.as_ref();
        let file =
            File::open(path).map_err(|e| Error::io(format!("opening {}", quote_path(path)), e))?;
        H264Reader::new(BufReader::new(file)).map_err(|e| e.context(quote_path(path)))
    }
}

impl<R: Read> H264Reader<R> {
    /// A reader of the stream `reader`, with default [`Limits`]. Reads the
    /// first access unit to learn the picture size.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for a stream that does not start with an SPS
    /// and a picture; [`ErrorKind::LimitExceeded`] for a picture larger
    /// than the limits; I/O errors.
    pub fn new(reader: R) -> Result<H264Reader<R>> {
        H264Reader::with_limits(reader, Limits::default())
    }

    /// A reader refusing pictures and access units larger than `limits`.
    ///
    /// # Errors
    /// As [`H264Reader::new`].
    pub fn with_limits(reader: R, limits: Limits) -> Result<H264Reader<R>> {
        let mut r = H264Reader {
            reader,
            buf: Vec::new(),
            start: 0,
            scanner: AccessUnitScanner::new(),
            eof: false,
            base: 0,
            index: 0,
            sps: Sps::unknown(),
            rate: FrameRate::new(DEFAULT_FPS, 1)?,
            rate_known: false,
            limits,
            failed: false,
            #[cfg(feature = "h264")]
            decode: None,
            #[cfg(feature = "h264")]
            decoded_all: false,
        };
        let Some(range) = r.find_next()? else {
            return Err(Error::new(
                ErrorKind::Format,
                "no picture in the h.264 stream",
            ));
        };
        let info = AccessUnitInfo::of(&r.buf[range], &limits).map_err(|e| locate(e, 0, 0))?;
        let Some(sps) = info.sps else {
            return Err(Error::new(
                ErrorKind::Format,
                "access unit 0 at byte 0: the stream does not start with an SPS",
            ));
        };
        r.sps = sps;
        if let Some((num, den)) = sps.frame_rate()
            && let (Ok(num), Ok(den)) = (u32::try_from(num), u32::try_from(den))
            && let Ok(rate) = FrameRate::new(num, den)
        {
            r.rate = rate;
            r.rate_known = true;
        }
        Ok(r)
    }

    /// Stamps frames at `rate` (the stream itself has no timing).
    #[must_use]
    pub fn with_rate(mut self, rate: FrameRate) -> H264Reader<R> {
        self.rate = rate;
        self.rate_known = true;
        self
    }

    /// The picture size of the first SPS.
    pub fn size(&self) -> (u32, u32) {
        (self.sps.width, self.sps.height)
    }

    /// The SPS of the last key frame read (the first one before any).
    pub fn sps(&self) -> &Sps {
        &self.sps
    }

    /// The rate frames are stamped at, and whether it is known (VUI timing
    /// or given) rather than ffmpeg's 25 fps guess.
    pub fn rate(&self) -> (FrameRate, bool) {
        (self.rate, self.rate_known)
    }

    /// Finds the next access unit in the buffer (reading more as needed)
    /// without consuming it.
    fn find_next(&mut self) -> Result<Option<Range<usize>>> {
        loop {
            if let Some(len) = self.scanner.scan(&self.buf[self.start..], self.eof) {
                return Ok(Some(self.start..self.start + len));
            }
            if self.eof {
                return Ok(None);
            }
            let pending = (self.buf.len() - self.start) as u64;
            if pending > self.limits.max_bytes {
                return Err(locate(
                    Error::new(
                        ErrorKind::LimitExceeded,
                        format!("longer than the limit of {} bytes", self.limits.max_bytes),
                    ),
                    self.index,
                    self.base as usize + self.start,
                ));
            }
            if self.start > 0 && self.start >= self.buf.len() / 2 {
                self.buf.drain(..self.start);
                self.base += self.start as u64;
                self.start = 0;
            }
            let old = self.buf.len();
            self.buf.resize(old + CHUNK, 0);
            let n = loop {
                match self.reader.read(&mut self.buf[old..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.buf.truncate(old);
                        return Err(Error::io(format!("reading access unit {}", self.index), e));
                    }
                }
            };
            self.buf.truncate(old + n);
            self.eof = n == 0;
        }
    }

    /// Consumes the next access unit: its range in the buffer, info, time
    /// and number.
    fn advance(&mut self) -> Result<Option<Advanced>> {
        if self.failed {
            return Ok(None);
        }
        let found = self.find_next().and_then(|range| match range {
            Some(range) => {
                let offset = self.base as usize + range.start;
                AccessUnitInfo::of(&self.buf[range.clone()], &self.limits)
                    .map(|info| Some((range, info)))
                    .map_err(|e| locate(e, self.index, offset))
            }
            None => Ok(None),
        });
        let (range, info) = match found {
            Ok(Some(x)) => x,
            Ok(None) => return Ok(None),
            Err(e) => {
                self.failed = true;
                return Err(e);
            }
        };
        if let Some(sps) = info.sps {
            self.sps = sps;
        }
        self.start = range.end;
        self.scanner.reset();
        let index = self.index;
        self.index += 1;
        let timestamp = self.rate.frame_time(index);
        Ok(Some((range, info, timestamp, index)))
    }

    /// The next access unit as a [`PixelFormat::H264`] frame stamped at its
    /// place in the stream (`Ok(None)` at the end).
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for damaged bytes, naming the access unit and
    /// its byte offset (no further units are read after it);
    /// [`ErrorKind::LimitExceeded`] for an access unit or picture above
    /// the limits; I/O errors.
    pub fn next_access_unit(&mut self) -> Result<Option<Frame<'_>>> {
        let Some((range, _, timestamp, index)) = self.advance()? else {
            return Ok(None);
        };
        let image = ImageRef::new(
            PixelFormat::H264,
            self.sps.width,
            self.sps.height,
            &self.buf[range],
        )?;
        Ok(Some(Frame::new(image, index, timestamp)))
    }

    /// Reads the rest of the stream and reports on it (the rate is `None`
    /// unless known from the VUI or [`H264Reader::with_rate`]).
    ///
    /// # Errors
    /// I/O errors; damage is reported in [`VideoInfo::damage`].
    pub fn info(mut self) -> Result<VideoInfo> {
        let mut info = VideoInfo {
            width: self.sps.width,
            height: self.sps.height,
            profile: self.sps.profile_name(),
            ..VideoInfo::default()
        };
        loop {
            match self.advance() {
                Ok(Some((range, au, _, _))) => {
                    info.frames += 1;
                    info.key_frames += u64::from(au.key_frame);
                    info.video_bytes += range.len() as u64;
                }
                Ok(None) => break,
                Err(e) if e.kind() == ErrorKind::Io => return Err(e),
                Err(e) => {
                    info.damage = Some(e.to_string());
                    break;
                }
            }
        }
        if self.rate_known {
            info.rate = Some(self.rate);
            info.duration = Some(self.rate.frame_time(info.frames));
        }
        Ok(info.with_bitrate())
    }
}

/// An access unit consumed: its range in the buffer, what it holds, its
/// time and number.
type Advanced = (Range<usize>, AccessUnitInfo, Duration, u64);

/// What `camreel info` says about the `.h264` file at `path`: frames, size,
/// key frames, and the rate, duration and bitrate when the stream's VUI
/// gives its timing or `rate` is given (unknown otherwise).
///
/// # Errors
/// As [`H264Reader::open`]; damage after the first frame is reported in
/// [`VideoInfo::damage`].
pub fn info(path: impl AsRef<Path>, rate: Option<FrameRate>) -> Result<VideoInfo> {
    let reader = H264Reader::open(path)?;
    match rate {
        Some(r) => reader.with_rate(r).info(),
        None => reader.info(),
    }
}

/// Decoded YUV420 frames, stamped as [`H264Reader::next_access_unit`]
/// stamps access units (feature `h264`; without it `next_frame` fails with
/// [`ErrorKind::BackendUnavailable`]).
impl<R: Read> CameraSource for H264Reader<R> {
    fn format(&self) -> StreamFormat {
        StreamFormat::new(PixelFormat::Yuv420, self.sps.width, self.sps.height)
            .with_fps(self.rate.fps())
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
                Some((range, _, timestamp, index)) => {
                    let offset = self.base as usize + range.start;
                    let pushed = match self.decode.as_mut() {
                        Some(q) => q.push(&self.buf[range], timestamp, index),
                        None => Ok(false),
                    };
                    match pushed {
                        Ok(ready) => ready,
                        Err(e) => {
                            // Nothing after the damage is decoded.
                            self.failed = true;
                            self.decoded_all = true;
                            return Err(locate(e, index, offset));
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
        Err(Error::new(
            ErrorKind::BackendUnavailable,
            "decoding h.264 needs the `h264` cargo feature",
        ))
    }
}
