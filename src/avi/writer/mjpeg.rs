//! [`MjpegWriter`]: JPEG frames into a RIFF AVI, with `idx1`, OpenDML past
//! the RIFF size limit, `sync` and best-effort finalisation on drop.

use std::fs::File;
use std::io::{BufWriter, IoSlice, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use super::{FRAME_ID, MjpegWriterBuilder};
use crate::avi::encode::{self, EncodeSettings, FrameEncoder, FrameOptions};
use crate::avi::jpeg;
use crate::avi::riff::{self, HeaderLayout, HeaderValues, SuperIndexEntry};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::image::{ImageRef, Limits};
use crate::sink::{self, FrameSink, IntoInnerError};
use crate::timing::FrameRate;

/// Smallest and largest accepted [`MjpegWriterBuilder::riff_size`].
const MIN_RIFF_SIZE: u64 = 4096;
const MAX_RIFF_SIZE: u64 = 1 << 31;
/// Largest chunk an AVI can hold (its size is a 32-bit field, plus a pad byte).
const MAX_CHUNK_BYTES: u64 = u32::MAX as u64 - 1;

/// The longest gap between two frames that a fixed-rate [`MjpegWriter`]
/// marks with dropped-frame chunks, or that a raw `.h264`
/// ([`H264Writer`](crate::h264::H264Writer)) fills with repeats: an hour (a
/// longer pause shortens the file's time line by the rest).
pub const MAX_REPEATED_SPAN: Duration = Duration::from_secs(3600);

/// Writes Motion-JPEG frames into a RIFF AVI over any `Write + Seek`.
///
/// Start one with [`MjpegWriter::create`] (a file) or [`MjpegWriter::new`]
/// (any `Write + Seek`), or with [`MjpegWriterBuilder`] for other options.
/// Then write frames: [`FrameSink::write_frame`] (a [`Frame`] with its
/// timestamp), [`add_jpeg`](MjpegWriter::add_jpeg) (a JPEG file, stored
/// untouched) or [`add_frame`](MjpegWriter::add_frame) (any image, encoded);
/// [`sync`](MjpegWriter::sync) whenever the file on disk should be playable;
/// finally [`FrameSink::finish`] or [`into_inner`](MjpegWriter::into_inner)
/// (which also returns the writer it wrapped). Dropping an unfinished writer
/// finishes it, ignoring errors.
///
/// ```
/// use std::time::Duration;
/// use camreel::avi::{AviReader, MjpegWriter};
/// use camreel::frame::Frame;
/// use camreel::sink::FrameSink;
/// use camreel::{Image, PixelFormat};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("clip.avi");
/// let mut avi = MjpegWriter::create(&path, 64, 48)?;
/// let image = Image::zeroed(PixelFormat::Rgb888, 64, 48)?;
/// for i in 0..50u32 {
///     // Written as fast as the encoder goes, timed by the timestamps: 25 fps.
///     avi.write_frame(&Frame::new(image.view(), i.into(), Duration::from_millis(40) * i))?;
/// }
/// avi.finish()?;
/// let info = AviReader::open(&path)?.info().clone();
/// assert_eq!((info.frame_count, info.frame_rate.to_string()), (50, "25".to_string()));
/// assert_eq!(info.duration(), Duration::from_secs(2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The file: one `vids`/`MJPG` stream, each frame a `00dc` chunk (odd sizes
/// padded), an `idx1` index with a key-frame entry per frame, and counters,
/// rate and the largest chunk size patched into `avih`/`strh`. Frames without
/// a JFIF or AVI1 APP0 segment get an AVI1 one inserted after SOI. When the
/// current RIFF segment passes [`MjpegWriterBuilder::riff_size`] (1 GiB) the
/// file becomes OpenDML as ffmpeg writes it: `ix00` standard index at the end
/// of each segment's `movi`, a `RIFF AVIX` segment after, the `indx` super
/// index in the stream header and the total frame count in `odml`/`dmlh`.
/// Until the first [`sync`](MjpegWriter::sync) the RIFF and `movi` sizes are
/// zero, which ffmpeg reads as "up to the end of the file", so even a file
/// that was never synced plays.
///
/// The stream rate is the builder's fixed [`frame_rate`](MjpegWriterBuilder::frame_rate),
/// or is measured from the frames' timestamps (never from a wall clock): a
/// recording replayed as fast as the disk allows keeps its rate.
///
/// Offsets in the OpenDML indexes are counted from the position `inner` had
/// when the writer was built (normally 0, the start of the file).
///
/// A write error stops the recording: later frames and syncs are refused.
/// Finishing (or drop) still writes the index and headers for the frames
/// completed before the error, over whatever part of the failed write
/// reached the file, so no completed frame is lost when the error was
/// transient.
pub struct MjpegWriter<W: Write + Seek> {
    pub(super) inner: Option<W>,
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) fixed_rate: Option<FrameRate>,
    pub(super) limits: Limits,
    pub(super) riff_limit: u64,
    pub(super) encode: EncodeSettings,
    /// Made on the first frame that needs encoding.
    pub(super) encoder: Option<Box<FrameEncoder>>,
    /// The last encoded frame (buffer reused).
    pub(super) encoded: Vec<u8>,
    /// Stream position of the first byte of the file.
    pub(super) base: u64,
    pub(super) layout: HeaderLayout,
    /// Where the next chunk goes (relative to `base`; the stream is there
    /// between calls).
    pub(super) pos: u64,
    /// The current RIFF segment's `RIFF` fourcc.
    pub(super) riff_start: u64,
    /// The current segment's `movi` fourcc (base of its index offsets).
    pub(super) movi: u64,
    /// 0 for the first (`AVI `) segment, then 1, 2... for `AVIX`.
    pub(super) riff_number: u32,
    /// Frames of the current segment: chunk offset relative to `movi`, size.
    pub(super) entries: Vec<(u32, u32)>,
    pub(super) first_riff_frames: u32,
    pub(super) super_entries: Vec<SuperIndexEntry>,
    pub(super) frames: u64,
    pub(super) max_chunk: u32,
    pub(super) data_bytes: u64,
    pub(super) first_ts: Option<Duration>,
    pub(super) last_ts: Option<Duration>,
    /// The latest timestamp handed out (by [`MjpegWriter::stamp`] or a
    /// frame written): the next untimed frame takes the slot after it.
    pub(super) stamped: Option<Duration>,
    /// Bytes of the file so far (relative to `base`), indexes included.
    pub(super) len: u64,
    pub(super) failed: bool,
    /// [`FrameSink::finish`] wrote the index; no more frames.
    pub(super) finished: bool,
    pub(super) scratch: Vec<u8>,
    /// Slots of frames that never came, written as empty chunks.
    pub(super) dropped: u64,
}

impl<W: Write + Seek> std::fmt::Debug for MjpegWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MjpegWriter")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("frames", &self.frames)
            .field("frame_rate", &self.frame_rate())
            .field("riff_segments", &(self.riff_number + 1))
            .field("bytes", &self.pos)
            .finish_non_exhaustive()
    }
}

fn too_big(what: &str) -> Error {
    Error::new(
        ErrorKind::LimitExceeded,
        format!("{what} does not fit the 32-bit fields of an AVI"),
    )
}

impl MjpegWriter<BufWriter<File>> {
    /// Creates (or truncates) the file at `path` for `width` x `height`
    /// frames with the default options (see [`MjpegWriterBuilder::create`]).
    ///
    /// # Errors
    /// As [`MjpegWriterBuilder::create`].
    pub fn create(
        path: impl AsRef<Path>,
        width: u32,
        height: u32,
    ) -> Result<MjpegWriter<BufWriter<File>>> {
        MjpegWriterBuilder::new(width, height).create(path)
    }
}

impl<W: Write + Seek> MjpegWriter<W> {
    /// A writer of `width` x `height` frames into `inner`, with the default
    /// options (see [`MjpegWriterBuilder`]).
    ///
    /// # Errors
    /// As [`MjpegWriterBuilder::build`].
    pub fn new(inner: W, width: u32, height: u32) -> Result<MjpegWriter<W>> {
        MjpegWriterBuilder::new(width, height).build(inner)
    }

    /// Checks `options` and writes the headers.
    pub(super) fn start(options: MjpegWriterBuilder, mut inner: W) -> Result<MjpegWriter<W>> {
        let (width, height) = (options.width, options.height);
        if width == 0 || height == 0 || width > 65535 || height > 65535 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{width}x{height} is not a JPEG frame size (1 to 65535 each way)"),
            ));
        }
        options.limits.check_dimensions(width, height)?;
        if !(MIN_RIFF_SIZE..=MAX_RIFF_SIZE).contains(&options.riff_size) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "RIFF size {} is out of range ({MIN_RIFF_SIZE} to {MAX_RIFF_SIZE} bytes)",
                    options.riff_size
                ),
            ));
        }
        crate::codec::Quality::try_from(options.encode.quality)?;
        let rate = options.frame_rate.unwrap_or_default();
        let (header, layout) = riff::build_header(
            &HeaderValues {
                width,
                height,
                rate: rate.numerator(),
                scale: rate.denominator(),
            },
            concat!("camreel ", env!("CARGO_PKG_VERSION")),
        );
        let base = inner
            .stream_position()
            .map_err(|e| Error::io("finding the start of the AVI", e))?;
        inner
            .write_all(&header)
            .map_err(|e| Error::io("writing the AVI header", e))?;
        Ok(MjpegWriter {
            inner: Some(inner),
            width,
            height,
            fixed_rate: options.frame_rate,
            limits: options.limits,
            riff_limit: options.riff_size,
            encode: options.encode,
            encoder: None,
            encoded: Vec::new(),
            base,
            layout,
            pos: layout.len,
            riff_start: 0,
            movi: layout.movi,
            riff_number: 0,
            entries: Vec::new(),
            first_riff_frames: 0,
            super_entries: Vec::new(),
            frames: 0,
            max_chunk: 0,
            data_bytes: 0,
            first_ts: None,
            last_ts: None,
            stamped: None,
            dropped: 0,
            len: layout.len,
            failed: false,
            finished: false,
            scratch: Vec::new(),
        })
    }

    /// Output width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Output height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Bytes written so far: headers and frames, and the indexes that a
    /// [`sync`](MjpegWriter::sync) or finishing appended (the size of the
    /// file, counted from where the writer started).
    pub fn bytes(&self) -> u64 {
        self.len
    }

    /// Whether the file has grown past its first RIFF segment (OpenDML).
    pub fn is_open_dml(&self) -> bool {
        self.riff_number > 0
    }

    /// The rate the headers say now: the fixed rate, or the one measured so
    /// far (30 before two frames).
    pub fn frame_rate(&self) -> FrameRate {
        if let Some(r) = self.fixed_rate {
            return r;
        }
        match (self.first_ts, self.last_ts) {
            (Some(a), Some(b)) => FrameRate::measured(self.frames, b.saturating_sub(a)),
            _ => None,
        }
        .unwrap_or_default()
    }

    /// The default JPEG quality of frames that are encoded.
    pub fn quality(&self) -> u8 {
        self.encode.quality
    }

    /// How frames are encoded.
    pub(crate) fn encode_settings(&self) -> EncodeSettings {
        self.encode
    }

    /// The underlying writer. Do not move its position or write to it.
    pub fn get_ref(&self) -> &W {
        match &self.inner {
            Some(w) => w,
            // Only `into_inner` takes the writer out, consuming `self`.
            None => unreachable!("an MjpegWriter always holds its writer"),
        }
    }

    /// The underlying writer, mutably (to set options or sync it to disk). Do
    /// not move its position or write to it.
    pub fn get_mut(&mut self) -> &mut W {
        match &mut self.inner {
            Some(w) => w,
            None => unreachable!("an MjpegWriter always holds its writer"),
        }
    }

    fn check_open(&self) -> Result<()> {
        if self.finished {
            return Err(sink::finished("the AVI writer"));
        }
        if self.failed || self.inner.is_none() {
            return Err(Error::new(
                ErrorKind::Io,
                "the AVI writer failed earlier and cannot continue",
            ));
        }
        Ok(())
    }

    /// The time of a frame added now: `explicit`, else the next slot after
    /// the latest time handed out (0 for the first frame) at the fixed rate
    /// or the default one.
    fn slot(&self, explicit: Option<Duration>) -> Option<Duration> {
        let interval = self.fixed_rate.unwrap_or_default().frame_interval();
        Some(explicit.unwrap_or_else(|| {
            self.stamped
                .map_or(Duration::ZERO, |t| t.saturating_add(interval))
        }))
    }

    /// The checked time of the next frame written (see [`MjpegWriter::slot`]).
    /// A fixed rate places frames by their time, so one going backwards just
    /// takes the next slot.
    fn timestamp(&self, explicit: Option<Duration>) -> Result<Option<Duration>> {
        let t = self.slot(explicit);
        if let (Some(t), Some(last), None) = (t, self.last_ts, self.fixed_rate)
            && t < last
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "frame {}: timestamp {t:?} is earlier than the previous frame's {last:?}",
                    self.frames
                ),
            ));
        }
        Ok(t)
    }

    /// With a fixed rate, marks the slots between the last frame and a
    /// frame at `t` (frames the source dropped) with empty `00dc` chunks, as
    /// ffmpeg's AVI muxer writes skipped frames and AVI players expect: the
    /// previous picture stays on screen, and the file keeps the recording's
    /// time (frame `n` plays at `n / rate`). At most [`MAX_REPEATED_SPAN`]
    /// of slots are marked for one gap.
    fn fill_gap(&mut self, t: Option<Duration>) -> Result<()> {
        // The first frame's time is noted once it is written.
        let (Some(rate), Some(t), Some(first)) = (self.fixed_rate, t, self.first_ts) else {
            return Ok(());
        };
        let slot = rate.slot(t.saturating_sub(first));
        let cap = rate.slot(MAX_REPEATED_SPAN);
        let missing = slot.saturating_sub(self.frames).min(cap);
        for _ in 0..missing {
            self.write_chunk(&[], false)?;
            self.dropped += 1;
        }
        Ok(())
    }

    /// Slots marked as dropped frames (empty chunks): frames that never
    /// came, between frames whose timestamps are further apart than the
    /// fixed rate's interval (see [`MjpegWriterBuilder::frame_rate`]).
    pub fn dropped_frames(&self) -> u64 {
        self.dropped
    }

    /// Hands out the time of a frame queued now, to be written later (by a
    /// [`ParallelMjpegWriter`](crate::avi::ParallelMjpegWriter)): `explicit`,
    /// else the next slot; None with a fixed rate.
    pub(crate) fn stamp(&mut self, explicit: Option<Duration>) -> Option<Duration> {
        let t = self.slot(explicit);
        if let Some(t) = t {
            self.stamped = Some(self.stamped.map_or(t, |s| s.max(t)));
        }
        t
    }

    fn note_timestamp(&mut self, t: Option<Duration>) {
        if let Some(t) = t {
            self.first_ts.get_or_insert(t);
            self.last_ts = Some(t);
            self.stamped = Some(self.stamped.map_or(t, |s| s.max(t)));
        }
    }

    /// Appends one JPEG file as a frame, untouched except for an AVI1 APP0
    /// segment inserted after SOI when it has neither JFIF nor AVI1.
    ///
    /// `timestamp` is the capture time (on the source's clock, as
    /// [`Frame::timestamp`]); `None` takes the next slot of the default 30
    /// fps after the previous frame. Times only matter when the rate is
    /// measured (no [`MjpegWriterBuilder::frame_rate`]).
    ///
    /// # Errors
    /// [`ErrorKind::Format`] if `jpeg` has no complete JPEG header;
    /// [`ErrorKind::InvalidFrameSize`] if it is not the writer's size;
    /// [`ErrorKind::InvalidArgument`] for a timestamp before the previous
    /// one; [`ErrorKind::LimitExceeded`] for a frame over the byte
    /// [`limits`](MjpegWriterBuilder::limits) (512 MiB by default) or a file
    /// past the 256 segments of the OpenDML index; [`ErrorKind::Io`];
    /// [`ErrorKind::Finished`] once the writer is finished.
    pub fn add_jpeg(&mut self, jpeg: &[u8], timestamp: Option<Duration>) -> Result<()> {
        self.check_open()?;
        let info = crate::codec::jpeg::info(jpeg)
            .map_err(|e| e.context(format!("frame {}", self.frames)))?;
        if (info.width, info.height) != (self.width, self.height) {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!(
                    "frame {}: the JPEG is {}x{}, the recording is {}x{}",
                    self.frames, info.width, info.height, self.width, self.height
                ),
            ));
        }
        let t = self.timestamp(timestamp)?;
        self.fill_gap(t)?;
        self.write_chunk(jpeg, !info.has_app0)?;
        self.note_timestamp(t);
        Ok(())
    }

    /// Appends one frame of any pixel format.
    ///
    /// A JPEG of the recording's size (and no region of interest) is stored
    /// untouched, as [`add_jpeg`](MjpegWriter::add_jpeg) does. Anything else
    /// is decoded if it is a JPEG or PNG, cut to `options.roi`, converted,
    /// scaled into the recording's size preserving its aspect ratio (centred,
    /// black bars) and encoded at `options.quality` (else the writer's
    /// [`quality`](MjpegWriterBuilder::quality)). The frame time is
    /// `options.timestamp`, else the next slot (as for
    /// [`add_jpeg`](MjpegWriter::add_jpeg)).
    ///
    /// ```
    /// use std::io::Cursor;
    /// use camreel::avi::{AviReader, FrameOptions, MjpegWriter};
    /// use camreel::{Image, PixelFormat, Rect};
    ///
    /// let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 64, 48)?;
    /// let gray = Image::new(PixelFormat::Grayscale, 32, 32, vec![200; 32 * 32])?;
    /// w.add_frame(gray.view(), &FrameOptions::new())?; // letterboxed 48x48 in 64x48
    /// let rgb = Image::zeroed(PixelFormat::Rgb888, 640, 480)?;
    /// w.add_frame(rgb.view(), &FrameOptions::new().quality(60).roi(Rect::new(0, 0, 320, 240)))?;
    /// let mut r = AviReader::new(w.into_inner()?)?;
    /// assert_eq!(r.read_image(1)?.size(), (64, 48));
    /// # Ok::<(), camreel::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a quality outside 1-100 or a region
    /// outside the frame; [`ErrorKind::UnsupportedFormat`] for a format that
    /// cannot be converted; [`ErrorKind::Format`] for a JPEG or PNG that does
    /// not decode; otherwise as [`add_jpeg`](MjpegWriter::add_jpeg).
    pub fn add_frame(&mut self, image: ImageRef<'_>, options: &FrameOptions) -> Result<()> {
        self.check_open()?;
        let context = |e: Error, n: u64| e.context(format!("frame {n}"));
        if encode::passes_through(image, options, self.width, self.height) {
            return self.add_jpeg(image.data(), options.get_timestamp());
        }
        let t = self.timestamp(options.get_timestamp())?;
        let encoder = match &mut self.encoder {
            Some(e) => e,
            None => self.encoder.insert(Box::new(
                FrameEncoder::new(self.width, self.height, self.encode)
                    .map_err(|e| context(e, self.frames))?,
            )),
        };
        let mut jpeg = std::mem::take(&mut self.encoded);
        jpeg.clear();
        let result = encoder
            .encode(image, options, &mut jpeg)
            .map_err(|e| context(e, self.frames))
            .and_then(|()| {
                let info = crate::codec::jpeg::info(&jpeg).map_err(|e| context(e, self.frames))?;
                self.fill_gap(t)?;
                self.write_chunk(&jpeg, !info.has_app0)
            });
        self.encoded = jpeg;
        result?;
        self.note_timestamp(t);
        Ok(())
    }

    /// Writes one `00dc` chunk holding `jpeg` (with an AVI1 APP0 inserted
    /// when `insert_app0`), starting a new RIFF segment first if needed.
    fn write_chunk(&mut self, jpeg: &[u8], insert_app0: bool) -> Result<()> {
        let extra = if insert_app0 { jpeg::AVI1_APP0_LEN } else { 0 };
        let size = jpeg.len() + extra;
        let max = self.limits.max_bytes.min(MAX_CHUNK_BYTES);
        if size as u64 > max {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "frame {}: {size} bytes is more than the limit of {max}",
                    self.frames
                ),
            ));
        }
        if self.frames >= u64::from(u32::MAX) {
            return Err(too_big("a frame count of 4294967295"));
        }
        let size32 = size as u32;
        let padded = (size + (size & 1)) as u64;
        let chunk = 8 + padded;
        if !self.entries.is_empty() && self.pos - self.riff_start + chunk > self.riff_limit {
            self.start_new_riff()?;
        }
        let rel = u32::try_from(self.pos - self.movi).map_err(|_| too_big("a RIFF segment"))?;
        let header = riff::chunk_header(FRAME_ID, size32);
        let app0 = jpeg::avi1_app0(size32);
        let pad = [0u8; 1];
        let pad = &pad[..size & 1];
        let result = if insert_app0 {
            let (soi, rest) = jpeg.split_at(2);
            let mut bufs = [
                IoSlice::new(&header),
                IoSlice::new(soi),
                IoSlice::new(&app0),
                IoSlice::new(rest),
                IoSlice::new(pad),
            ];
            self.write_vectored(&mut bufs)
        } else {
            let mut bufs = [IoSlice::new(&header), IoSlice::new(jpeg), IoSlice::new(pad)];
            self.write_vectored(&mut bufs)
        };
        if let Err(e) = result {
            self.failed = true;
            return Err(Error::io(
                format!("writing frame {} at byte {}", self.frames, self.pos),
                e,
            ));
        }
        self.pos += chunk;
        self.len = self.len.max(self.pos);
        self.entries.push((rel, size32));
        self.frames += 1;
        self.max_chunk = self.max_chunk.max(size32);
        self.data_bytes += size as u64;
        Ok(())
    }

    /// Makes the file playable up to the last frame written: appends the
    /// index, patches every size, counter and the rate, and flushes `inner`.
    /// The next frame overwrites the appended index. To also push the bytes
    /// to stable storage, see [`MjpegWriter::sync_all`] (for files) or call
    /// the writer's own sync through [`MjpegWriter::get_mut`].
    ///
    /// # Errors
    /// [`ErrorKind::Io`]; the writer then takes no more frames (finishing
    /// still indexes the frames written before).
    pub fn sync(&mut self) -> Result<()> {
        self.check_open()?;
        let pos = self.pos;
        let result = self.write_tail(false).and_then(|(end, _)| {
            self.len = self.len.max(end);
            let abs = self.base + pos;
            let w = self.inner()?;
            w.seek(SeekFrom::Start(abs))?;
            w.flush()
        });
        result.map_err(|e| {
            self.failed = true;
            Error::io(format!("syncing the AVI after frame {}", self.frames), e)
        })
    }

    /// Finishes the file (index, final headers; see [`FrameSink::finish`])
    /// and returns the underlying writer, positioned at the end of the AVI.
    ///
    /// After an earlier write error this still indexes every frame completed
    /// before it (the error was already reported by the call that failed).
    ///
    /// ```
    /// use std::io::Cursor;
    /// use camreel::avi::{AviReader, MjpegWriter};
    /// # let jpeg = camreel::codec::jpeg::JpegEncoder::new(camreel::codec::Quality::try_from(80)?)?.encode_image(camreel::Image::zeroed(camreel::PixelFormat::Grayscale, 8, 8)?.view())?.into_vec();
    /// let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 8, 8)?;
    /// w.add_jpeg(&jpeg, None)?;
    /// let file: Cursor<Vec<u8>> = w.into_inner()?;
    /// assert_eq!(AviReader::new(file)?.frame_count(), 1);
    /// # Ok::<(), camreel::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Io`], with the writer (which has stopped taking frames).
    pub fn into_inner(mut self) -> Result<W, IntoInnerError<MjpegWriter<W>>> {
        if let Err(e) = FrameSink::finish(&mut self) {
            return Err(IntoInnerError::new(e, self));
        }
        match self.inner.take() {
            Some(w) => Ok(w),
            None => Err(IntoInnerError::new(
                Error::new(ErrorKind::Io, "the AVI writer has no output left"),
                self,
            )),
        }
    }
}

/// Records each frame at its timestamp (the rate is measured from the
/// timestamps unless the writer has a fixed rate): JPEG frames of the
/// recording's size pass through, anything else is encoded as
/// [`MjpegWriter::add_frame`] does. `sync` makes the file playable so far;
/// `finish` writes the index.
impl<W: Write + Seek> FrameSink for MjpegWriter<W> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.add_frame(frame.image, &FrameOptions::new().timestamp(frame.timestamp))
    }

    fn sync(&mut self) -> Result<()> {
        MjpegWriter::sync(self)
    }

    fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finalize()?;
        self.finished = true;
        Ok(())
    }
}

impl MjpegWriter<File> {
    /// [`MjpegWriter::sync`], then `fdatasync` the file, so that what was
    /// recorded so far survives a power loss.
    ///
    /// # Errors
    /// [`ErrorKind::Io`].
    pub fn sync_all(&mut self) -> Result<()> {
        self.sync()?;
        self.inner()
            .and_then(|f| f.sync_data())
            .map_err(|e| Error::io("syncing the AVI to disk", e))
    }
}

impl MjpegWriter<BufWriter<File>> {
    /// [`MjpegWriter::sync`] (which flushes the buffer), then `fdatasync` the
    /// file.
    ///
    /// # Errors
    /// [`ErrorKind::Io`].
    pub fn sync_all(&mut self) -> Result<()> {
        self.sync()?;
        self.inner()
            .and_then(|f| f.get_ref().sync_data())
            .map_err(|e| Error::io("syncing the AVI to disk", e))
    }
}

impl<W: Write + Seek> Drop for MjpegWriter<W> {
    /// Finishes the file if it was not finished (also after a write error,
    /// as finishing does), ignoring errors. Never panics.
    fn drop(&mut self) {
        if self.inner.is_some() && !self.finished {
            let _ = self.finalize();
        }
    }
}
