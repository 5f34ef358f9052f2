//! [`MjpegWriter`]: JPEG frames into a RIFF AVI, with `idx1`, OpenDML past
//! the RIFF size limit, `sync` and best-effort finalisation on drop.

use std::fs::File;
use std::io::{self, BufWriter, IoSlice, Seek, SeekFrom, Write};
use std::sync::Arc;
use std::time::Duration;

use super::FrameOptions;
use super::encode::{self, EncodeSettings, FrameEncoder};
use super::jpeg;
use super::riff::{self, HeaderLayout, HeaderValues, OldIndexEntry, SuperIndexEntry};
use crate::clock::{Clock, MonotonicClock};
use crate::codec::jpeg::Subsampling;
use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::image::ImageRef;
use crate::io_util::write_all_vectored;
use crate::sink::{self, FrameSink, IntoInnerError};
use crate::timing::FrameRate;

/// RIFF size at which a new `RIFF AVIX` begins, as ffmpeg does (1 GiB).
const DEFAULT_RIFF_SIZE: u64 = 1 << 30;
/// Smallest and largest accepted [`MjpegWriterBuilder::riff_size`].
const MIN_RIFF_SIZE: u64 = 4096;
const MAX_RIFF_SIZE: u64 = 1 << 31;
/// Largest frame accepted (the default [`Limits`](crate::Limits) payload cap).
const MAX_FRAME_BYTES: usize = 512 << 20;
/// Chunk identifier of the video frames.
const FRAME_ID: riff::FourCc = *b"00dc";

/// Options of an [`MjpegWriter`]; [`MjpegWriterBuilder::build`] makes the writer.
///
/// ```
/// use std::io::Cursor;
/// use camreel::avi::MjpegWriterBuilder;
/// use camreel::timing::FrameRate;
/// use camreel::clock::ManualClock;
///
/// let clock = ManualClock::shared();
/// let writer = MjpegWriterBuilder::new(640, 480)
///     .clock(clock.clone())             // frame times come from this clock
///     .build(Cursor::new(Vec::new()))?;
/// assert_eq!(writer.frame_rate(), FrameRate::default()); // 30 until measured
/// # Ok::<(), camreel::Error>(())
/// ```
#[must_use]
#[derive(Clone)]
pub struct MjpegWriterBuilder {
    width: u32,
    height: u32,
    frame_rate: Option<FrameRate>,
    clock: Option<Arc<dyn Clock>>,
    riff_size: u64,
    encode: EncodeSettings,
}

impl std::fmt::Debug for MjpegWriterBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MjpegWriterBuilder")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("frame_rate", &self.frame_rate)
            .field("riff_size", &self.riff_size)
            .field("encode", &self.encode)
            .finish_non_exhaustive()
    }
}

impl MjpegWriterBuilder {
    /// A writer of `width` x `height` frames: rate measured from the frame
    /// times, monotonic clock, RIFF segments of 1 GiB.
    pub fn new(width: u32, height: u32) -> MjpegWriterBuilder {
        MjpegWriterBuilder {
            width,
            height,
            frame_rate: None,
            clock: None,
            riff_size: DEFAULT_RIFF_SIZE,
            encode: EncodeSettings::default(),
        }
    }

    /// A fixed frame rate written to the headers; frame times are then
    /// ignored. Without it the rate is measured from the frame times (the
    /// clock, or explicit timestamps): the mean interval between the first
    /// and the last frame, snapped to a standard rate such as 30000/1001 when
    /// within 0.1 % of it. Until two frames exist the headers say 30.
    pub fn frame_rate(mut self, rate: FrameRate) -> MjpegWriterBuilder {
        self.frame_rate = Some(rate);
        self
    }

    /// The clock that stamps frames added without an explicit timestamp
    /// (default: a [`MonotonicClock`]). Tests use a
    /// [`ManualClock`](crate::clock::ManualClock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> MjpegWriterBuilder {
        self.clock = Some(clock);
        self
    }

    /// Size in bytes after which a new `RIFF AVIX` segment begins and the file
    /// becomes an OpenDML (AVI 2.0) file. The default, 1 GiB, is what ffmpeg
    /// uses and what AVI 1.0 readers can still read in the first segment;
    /// accepted values are 4 KiB to 2 GiB.
    pub fn riff_size(mut self, bytes: u64) -> MjpegWriterBuilder {
        self.riff_size = bytes;
        self
    }

    /// The default JPEG quality (1-100) for frames that have to be encoded
    /// (default 85), on the scale of camreel's own encoder
    /// ([`Backend::Native`](crate::codec::jpeg::Backend::Native)), which
    /// encodes every recording: at 85 the frames keep at least the PSNR of
    /// libjpeg's quality 85 in about half the bytes.
    pub fn quality(mut self, quality: u8) -> MjpegWriterBuilder {
        self.encode.quality = quality;
        self
    }

    /// Chroma subsampling of encoded colour frames (default 4:4:4, which
    /// players show without the loss of their 4:2:0 upsampling: fewer bytes
    /// for the same PSNR).
    pub fn subsampling(mut self, subsampling: Subsampling) -> MjpegWriterBuilder {
        self.encode.subsampling = subsampling;
        self
    }

    /// Optimised Huffman tables for each encoded frame (default on): about
    /// 10 % smaller frames for a second pass over each frame's coefficients,
    /// still in one interleaved scan as Motion-JPEG decoders expect.
    pub fn optimize_coding(mut self, optimize: bool) -> MjpegWriterBuilder {
        self.encode.optimize_coding = optimize;
        self
    }

    /// Writes the AVI headers to `inner` at its current position and returns
    /// the writer.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a size of zero or above 65535 (the
    /// JPEG limit), a RIFF size out of range or a quality outside 1-100;
    /// [`ErrorKind::Io`] if writing fails.
    pub fn build<W: Write + Seek>(self, inner: W) -> Result<MjpegWriter<W>> {
        MjpegWriter::create(self, inner)
    }
}

/// Writes Motion-JPEG frames into a RIFF AVI over any `Write + Seek`.
///
/// Call order: [`MjpegWriterBuilder::build`] (or [`MjpegWriter::new`]), then any
/// number of [`add_jpeg`](MjpegWriter::add_jpeg) and
/// [`sync`](MjpegWriter::sync), then [`finish`](MjpegWriter::finish).
/// Dropping an unfinished writer finishes it, ignoring errors.
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
/// Offsets in the OpenDML indexes are counted from the position `inner` had
/// when the writer was built (normally 0, the start of the file).
///
/// A write error stops the recording: later frames and syncs are refused.
/// [`finish`](MjpegWriter::finish) (or drop) still writes the index and
/// headers for the frames completed before the error, over whatever part of
/// the failed write reached the file, so no completed frame is lost when the
/// error was transient.
pub struct MjpegWriter<W: Write + Seek> {
    inner: Option<W>,
    width: u32,
    height: u32,
    fixed_rate: Option<FrameRate>,
    clock: Arc<dyn Clock>,
    riff_limit: u64,
    encode: EncodeSettings,
    /// Made on the first frame that needs encoding.
    encoder: Option<Box<FrameEncoder>>,
    /// The last encoded frame (buffer reused).
    encoded: Vec<u8>,
    /// Stream position of the first byte of the file.
    base: u64,
    layout: HeaderLayout,
    /// Where the next chunk goes (relative to `base`; the stream is there
    /// between calls).
    pos: u64,
    /// The current RIFF segment's `RIFF` fourcc.
    riff_start: u64,
    /// The current segment's `movi` fourcc (base of its index offsets).
    movi: u64,
    /// 0 for the first (`AVI `) segment, then 1, 2... for `AVIX`.
    riff_number: u32,
    /// Frames of the current segment: chunk offset relative to `movi`, size.
    entries: Vec<(u32, u32)>,
    first_riff_frames: u32,
    super_entries: Vec<SuperIndexEntry>,
    frames: u64,
    max_chunk: u32,
    data_bytes: u64,
    first_ts: Option<Duration>,
    last_ts: Option<Duration>,
    failed: bool,
    /// [`FrameSink::finish`] wrote the index; no more frames.
    finished: bool,
    scratch: Vec<u8>,
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

impl<W: Write + Seek> MjpegWriter<W> {
    /// A writer of `width` x `height` frames with the default options (see
    /// [`MjpegWriterBuilder`]).
    ///
    /// # Errors
    /// As [`MjpegWriterBuilder::build`].
    pub fn new(inner: W, width: u32, height: u32) -> Result<MjpegWriter<W>> {
        MjpegWriterBuilder::new(width, height).build(inner)
    }

    fn create(options: MjpegWriterBuilder, mut inner: W) -> Result<MjpegWriter<W>> {
        let (width, height) = (options.width, options.height);
        if width == 0 || height == 0 || width > 65535 || height > 65535 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{width}x{height} is not a JPEG frame size (1 to 65535 each way)"),
            ));
        }
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
            clock: options.clock.unwrap_or_else(MonotonicClock::shared),
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
    pub fn frame_count(&self) -> u64 {
        self.frames
    }

    /// Bytes written so far up to the end of the last frame (indexes that
    /// [`finish`](MjpegWriter::finish) appends are not counted).
    pub fn bytes_written(&self) -> u64 {
        self.pos
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
    pub fn get_ref(&self) -> Option<&W> {
        self.inner.as_ref()
    }

    /// The underlying writer, mutably (to set options or sync it to disk). Do
    /// not move its position or write to it.
    pub fn get_mut(&mut self) -> Option<&mut W> {
        self.inner.as_mut()
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

    /// The frame time of the next frame (None with a fixed rate).
    fn timestamp(&self, explicit: Option<Duration>) -> Result<Option<Duration>> {
        if self.fixed_rate.is_some() {
            return Ok(None);
        }
        let t = explicit.unwrap_or_else(|| self.clock.now());
        if let Some(last) = self.last_ts
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
        Ok(Some(t))
    }

    /// The time a frame added now gets: `explicit`, else the clock's now;
    /// None with a fixed rate.
    pub(crate) fn stamp(&self, explicit: Option<Duration>) -> Option<Duration> {
        if self.fixed_rate.is_some() {
            return None;
        }
        Some(explicit.unwrap_or_else(|| self.clock.now()))
    }

    fn note_timestamp(&mut self, t: Option<Duration>) {
        if let Some(t) = t {
            self.first_ts.get_or_insert(t);
            self.last_ts = Some(t);
        }
    }

    /// Appends one JPEG file as a frame, untouched except for an AVI1 APP0
    /// segment inserted after SOI when it has neither JFIF nor AVI1.
    ///
    /// `timestamp` is the capture time (on any monotonic time line, such as
    /// [`Clock::now`]); `None` takes the writer's clock. Times only matter
    /// when the rate is measured (no [`MjpegWriterBuilder::frame_rate`]).
    ///
    /// # Errors
    /// [`ErrorKind::Format`] if `jpeg` has no complete JPEG header;
    /// [`ErrorKind::InvalidFrameSize`] if it is not the writer's size;
    /// [`ErrorKind::InvalidArgument`] for a timestamp before the previous
    /// one; [`ErrorKind::LimitExceeded`] for a frame over 512 MiB or a file
    /// past the 256 segments of the OpenDML index; [`ErrorKind::Io`].
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
    /// `options.timestamp`, else the writer's clock.
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
    /// let mut r = AviReader::new(w.finish()?)?;
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
            return self.add_jpeg(image.data(), options.timestamp);
        }
        let t = self.timestamp(options.timestamp)?;
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
        if size > MAX_FRAME_BYTES {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "frame {}: {size} bytes is more than the limit of {MAX_FRAME_BYTES}",
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
        self.entries.push((rel, size32));
        self.frames += 1;
        self.max_chunk = self.max_chunk.max(size32);
        self.data_bytes += size as u64;
        Ok(())
    }

    fn write_vectored(&mut self, bufs: &mut [IoSlice<'_>]) -> io::Result<()> {
        match self.inner.as_mut() {
            Some(w) => write_all_vectored(w, bufs),
            None => Err(io::Error::other("writer already finished")),
        }
    }

    fn inner(&mut self) -> io::Result<&mut W> {
        self.inner
            .as_mut()
            .ok_or_else(|| io::Error::other("writer already finished"))
    }

    fn write_at(&mut self, at: u64, bytes: &[u8]) -> io::Result<()> {
        let abs = self.base + at;
        let w = self.inner()?;
        w.seek(SeekFrom::Start(abs))?;
        w.write_all(bytes)
    }

    /// Writes the index(es) that end the current segment at `pos`, patches the
    /// segment sizes, the super index and the main headers. With `closing`
    /// the segment is final (a new one follows). Returns the end of the
    /// segment and, for an OpenDML file, the super index entry of the
    /// segment's `ix00`, which the caller records once the next segment has
    /// started (so that a failure in between leaves the state as it was and
    /// the tail can be written again). The stream position is then undefined.
    fn write_tail(&mut self, closing: bool) -> io::Result<(u64, Option<SuperIndexEntry>)> {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        let n = self.entries.len() as u32;
        let open_dml = closing || self.riff_number > 0;
        let mut super_entry = None;
        if open_dml {
            let size = riff::standard_index_size(n)
                .ok_or_else(|| io::Error::other("standard index too large"))?;
            buf.extend_from_slice(&riff::chunk_header(*b"ix00", size));
            buf.extend_from_slice(&riff::standard_index_header(FRAME_ID, n, self.movi));
            for &(rel, size) in &self.entries {
                riff::standard_index_entry(&mut buf, rel + 8, size, true);
            }
            super_entry = Some(SuperIndexEntry {
                offset: self.pos,
                size: buf.len() as u32,
                duration: n,
            });
        }
        let movi_end = self.pos + buf.len() as u64;
        if self.riff_number == 0 {
            let size = n
                .checked_mul(OldIndexEntry::SIZE as u32)
                .ok_or_else(|| io::Error::other("idx1 too large"))?;
            buf.reserve(8 + size as usize);
            buf.extend_from_slice(&riff::chunk_header(*b"idx1", size));
            for &(rel, size) in &self.entries {
                OldIndexEntry {
                    id: FRAME_ID,
                    flags: riff::AVIIF_KEYFRAME,
                    offset: rel,
                    size,
                }
                .write(&mut buf);
            }
        }
        let end = self.pos + buf.len() as u64;
        let movi_size = u32::try_from(movi_end - self.movi)
            .map_err(|_| io::Error::other("movi list over 4 GiB"))?;
        let riff_size = u32::try_from(end - self.riff_start - 8)
            .map_err(|_| io::Error::other("RIFF segment over 4 GiB"))?;
        let pos = self.pos;
        let result = (|| {
            self.write_at(pos, &buf)?;
            self.write_at(self.movi - 4, &movi_size.to_le_bytes())?;
            self.write_at(self.riff_start + 4, &riff_size.to_le_bytes())?;
            if let Some(entry) = super_entry {
                let mut entries = self.super_entries.clone();
                entries.push(entry);
                let mut indx = riff::chunk_header(
                    *b"indx",
                    riff::super_index_size(riff::SUPER_INDEX_CAPACITY),
                )
                .to_vec();
                indx.extend_from_slice(&riff::super_index(
                    FRAME_ID,
                    riff::SUPER_INDEX_CAPACITY,
                    &entries,
                ));
                self.write_at(self.layout.indx, &indx)?;
            }
            if closing && self.riff_number == 0 {
                self.first_riff_frames = n;
            }
            self.patch_headers(closing)
        })();
        self.scratch = buf;
        result.map(|()| (end, super_entry))
    }

    /// Rewrites `avih`, `strh` and (for OpenDML files) `odml`/`dmlh` with the
    /// current counters and rate.
    fn patch_headers(&mut self, closing: bool) -> io::Result<()> {
        let rate = self.frame_rate();
        let frames32 = u32::try_from(self.frames).unwrap_or(u32::MAX);
        let first_riff_frames = if self.riff_number == 0 && !closing {
            self.entries.len() as u32
        } else {
            self.first_riff_frames
        };
        let max_bytes_per_sec = if self.frames == 0 {
            0
        } else {
            let v = u128::from(self.data_bytes) * u128::from(rate.numerator())
                / (u128::from(self.frames) * u128::from(rate.denominator()));
            u32::try_from(v).unwrap_or(u32::MAX)
        };
        let avih = riff::MainHeader {
            micro_sec_per_frame: rate.micros_per_frame(),
            max_bytes_per_sec,
            flags: riff::AVIF_HASINDEX | riff::AVIF_ISINTERLEAVED,
            total_frames: first_riff_frames,
            streams: 1,
            suggested_buffer_size: self.max_chunk,
            width: self.width,
            height: self.height,
            ..riff::MainHeader::default()
        };
        self.write_at(self.layout.avih, &avih.to_bytes())?;
        let strh = riff::StreamHeader {
            fcc_type: *b"vids",
            fcc_handler: *b"MJPG",
            scale: rate.denominator(),
            rate: rate.numerator(),
            length: frames32,
            suggested_buffer_size: self.max_chunk,
            quality: u32::MAX,
            frame: [
                0,
                0,
                u16::try_from(self.width).unwrap_or(u16::MAX),
                u16::try_from(self.height).unwrap_or(u16::MAX),
            ],
            ..riff::StreamHeader::default()
        };
        self.write_at(self.layout.strh, &strh.to_bytes())?;
        if self.riff_number > 0 || closing {
            self.write_at(self.layout.odml, b"LIST")?;
            // 'LIST' size 'odml' 'dmlh' size, then dwTotalFrames.
            self.write_at(self.layout.odml + 20, &frames32.to_le_bytes())?;
        }
        Ok(())
    }

    /// Closes the current RIFF segment and starts a `RIFF AVIX` one.
    fn start_new_riff(&mut self) -> Result<()> {
        if self.riff_number + 1 >= riff::SUPER_INDEX_CAPACITY {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "frame {}: the recording fills all {} RIFF segments of the OpenDML index",
                    self.frames,
                    riff::SUPER_INDEX_CAPACITY
                ),
            ));
        }
        let at = self.pos;
        let result = self.write_tail(true).and_then(|(end, entry)| {
            let mut head = Vec::with_capacity(24);
            head.extend_from_slice(&riff::chunk_header(*b"RIFF", 0));
            head.extend_from_slice(b"AVIX");
            head.extend_from_slice(&riff::chunk_header(*b"LIST", 0));
            head.extend_from_slice(b"movi");
            self.write_at(end, &head)?;
            Ok((end, entry))
        });
        match result {
            Ok((end, entry)) => {
                self.super_entries.extend(entry);
                self.riff_start = end;
                self.movi = end + 20;
                self.pos = end + 24;
                self.riff_number += 1;
                self.entries.clear();
                Ok(())
            }
            Err(e) => {
                self.failed = true;
                Err(Error::io(
                    format!(
                        "starting RIFF segment {} at byte {at}",
                        self.riff_number + 1
                    ),
                    e,
                ))
            }
        }
    }

    /// Makes the file playable up to the last frame written: appends the
    /// index, patches every size, counter and the rate, and flushes `inner`.
    /// The next frame overwrites the appended index. To also push the bytes
    /// to stable storage, see [`MjpegWriter::sync_all`] (for files) or call
    /// the writer's own sync through [`MjpegWriter::get_mut`].
    ///
    /// # Errors
    /// [`ErrorKind::Io`]; the writer then takes no more frames (see
    /// [`MjpegWriter::finish`]).
    pub fn sync(&mut self) -> Result<()> {
        self.check_open()?;
        let pos = self.pos;
        let result = self.write_tail(false).and_then(|_| {
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

    /// Writes the index and final headers for the frames written so far,
    /// also after a failed frame or sync (whose bytes past `pos` it
    /// overwrites).
    fn finalize(&mut self) -> Result<()> {
        if self.inner.is_none() {
            return Err(Error::new(ErrorKind::Io, "writer already finished"));
        }
        let result = self.write_tail(false).and_then(|(end, _)| {
            let abs = self.base + end;
            let w = self.inner()?;
            w.seek(SeekFrom::Start(abs))?;
            w.flush()
        });
        result.map_err(|e| {
            self.failed = true;
            Error::io(format!("finishing the AVI after frame {}", self.frames), e)
        })
    }

    /// Writes the index and final headers, flushes, and returns the
    /// underlying writer, positioned at the end of the AVI.
    ///
    /// After an earlier write error this still indexes every frame completed
    /// before it (the error was already reported by the call that failed).
    ///
    /// # Errors
    /// [`ErrorKind::Io`].
    pub fn finish(mut self) -> Result<W> {
        if let Err(e) = FrameSink::finish(&mut self) {
            // Drop would only try again.
            self.inner = None;
            return Err(e);
        }
        self.inner
            .take()
            .ok_or_else(|| Error::new(ErrorKind::Io, "writer already finished"))
    }

    /// Frames written so far (as [`MjpegWriter::frame_count`]).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Bytes written so far (as [`MjpegWriter::bytes_written`]).
    pub fn bytes(&self) -> u64 {
        self.pos
    }

    /// Finishes the file (index, headers) and returns the underlying writer.
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
    /// Finishes the file if [`MjpegWriter::finish`] was not called (also
    /// after a write error, as `finish` does), ignoring errors. Never panics.
    fn drop(&mut self) {
        if self.inner.is_some() && !self.finished {
            let _ = self.finalize();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::avi::tiny_jpeg;

    fn le32(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    /// A JPEG of `w`x`h` whose length is odd (or even) as asked, by adding a
    /// one-byte comment segment when needed.
    fn jpeg_with_parity(w: u16, h: u16, odd: bool) -> Vec<u8> {
        let mut j = tiny_jpeg(w, h);
        if (j.len() % 2 == 1) != odd {
            let mut v = j[..2].to_vec();
            v.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x03, b'x']);
            v.extend_from_slice(&j[2..]);
            j = v;
        }
        assert_eq!(j.len() % 2 == 1, odd);
        j
    }

    #[test]
    fn chunks_padding_index_and_counters() {
        let odd = jpeg_with_parity(16, 8, true);
        let even = jpeg_with_parity(16, 8, false);
        let mut w = MjpegWriterBuilder::new(16, 8)
            .frame_rate(FrameRate::new(25, 1).unwrap())
            .build(Cursor::new(Vec::new()))
            .unwrap();
        let start = w.bytes_written();
        w.add_jpeg(&odd, None).unwrap();
        w.add_jpeg(&even, None).unwrap();
        assert_eq!(w.frame_count(), 2);
        let b = w.finish().unwrap().into_inner();
        let movi = 4654usize - 4; // the header is 4654 bytes, ending with 'movi'
        assert_eq!(start as usize, movi + 4);
        assert_eq!(&b[movi..movi + 4], b"movi");
        // First chunk: '00dc', odd size, data, one pad byte.
        let c0 = movi + 4;
        assert_eq!(&b[c0..c0 + 4], b"00dc");
        assert_eq!(le32(&b, c0 + 4) as usize, odd.len());
        assert_eq!(&b[c0 + 8..c0 + 8 + odd.len()], &odd[..]);
        assert_eq!(b[c0 + 8 + odd.len()], 0, "pad byte");
        let c1 = c0 + 8 + odd.len() + 1;
        assert_eq!(&b[c1..c1 + 4], b"00dc");
        assert_eq!(le32(&b, c1 + 4) as usize, even.len());
        let idx1 = c1 + 8 + even.len();
        assert_eq!(&b[idx1..idx1 + 4], b"idx1");
        assert_eq!(le32(&b, idx1 + 4), 32);
        // Entries: '00dc', AVIIF_KEYFRAME, offset from the 'movi' fourcc, size.
        assert_eq!(&b[idx1 + 8..idx1 + 12], b"00dc");
        assert_eq!(le32(&b, idx1 + 12), 0x10);
        assert_eq!(le32(&b, idx1 + 16) as usize, c0 - movi);
        assert_eq!(le32(&b, idx1 + 20) as usize, odd.len());
        assert_eq!(&b[idx1 + 24..idx1 + 28], b"00dc");
        assert_eq!(le32(&b, idx1 + 32) as usize, c1 - movi);
        assert_eq!(le32(&b, idx1 + 36) as usize, even.len());
        assert_eq!(b.len(), idx1 + 8 + 32);
        // Sizes: RIFF to the end, movi list up to idx1.
        assert_eq!(le32(&b, 4) as usize, b.len() - 8);
        assert_eq!(le32(&b, movi - 4) as usize, idx1 - movi);
        // avih: 40000 us/frame, 2 frames, buffer = largest frame.
        let largest = odd.len().max(even.len()) as u32;
        assert_eq!(le32(&b, 32), 40000);
        assert_eq!(le32(&b, 32 + 16), 2);
        assert_eq!(le32(&b, 32 + 28), largest);
        // dwMaxBytesPerSec: mean frame size times 25.
        assert_eq!(le32(&b, 32 + 4) as usize, (odd.len() + even.len()) * 25 / 2);
        // strh: scale 1, rate 25, length 2, buffer.
        assert_eq!(le32(&b, 108 + 20), 1);
        assert_eq!(le32(&b, 108 + 24), 25);
        assert_eq!(le32(&b, 108 + 32), 2);
        assert_eq!(le32(&b, 108 + 36), largest);
        // Not OpenDML: indx and odml stay JUNK.
        assert_eq!(&b[212..216], b"JUNK");
        assert_eq!(&b[4340..4344], b"JUNK");
    }

    #[test]
    fn unsynced_file_has_zero_sizes_and_sync_patches_them() {
        let j = tiny_jpeg(8, 8);
        let mut buf = Cursor::new(Vec::new());
        let mut w = MjpegWriter::new(&mut buf, 8, 8).unwrap();
        w.add_jpeg(&j, None).unwrap();
        let snapshot = w.get_ref().unwrap().get_ref().clone();
        assert_eq!(le32(&snapshot, 4), 0, "RIFF size 0 until synced");
        assert_eq!(le32(&snapshot, 4654 - 8), 0, "movi size 0 until synced");
        w.sync().unwrap();
        let synced = w.get_ref().unwrap().get_ref().clone();
        assert_eq!(le32(&synced, 4) as usize, synced.len() - 8);
        assert_eq!(&synced[synced.len() - 24..synced.len() - 20], b"idx1");
        assert_eq!(le32(&synced, 32 + 16), 1);
        // The next frame overwrites the index the sync appended.
        w.add_jpeg(&j, None).unwrap();
        assert_eq!(
            w.bytes_written() as usize,
            synced.len() - 24 + 8 + j.len() + j.len() % 2
        );
        drop(w);
        // Dropping finished the file.
        let b = buf.into_inner();
        assert_eq!(le32(&b, 4) as usize, b.len() - 8);
        assert_eq!(le32(&b, 32 + 16), 2);
        assert_eq!(&b[b.len() - 40..b.len() - 36], b"idx1");
    }

    #[test]
    fn refuses_wrong_frames_without_writing() {
        let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 16, 8).unwrap();
        let before = w.bytes_written();
        let e = w.add_jpeg(&tiny_jpeg(8, 8), None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        assert_eq!(
            e.to_string(),
            "frame 0: the JPEG is 8x8, the recording is 16x8"
        );
        let e = w.add_jpeg(b"not a jpeg", None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        assert!(e.to_string().starts_with("frame 0: jpeg at byte 0"), "{e}");
        assert_eq!(w.bytes_written(), before);
        // Still usable.
        w.add_jpeg(&tiny_jpeg(16, 8), None).unwrap();
        assert_eq!(w.frame_count(), 1);
    }

    #[test]
    fn builder_checks_arguments() {
        let build = |b: MjpegWriterBuilder| b.build(Cursor::new(Vec::new())).map(|_| ());
        for (w, h) in [(0, 8), (8, 0), (65536, 8)] {
            let e = build(MjpegWriterBuilder::new(w, h)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        }
        let e = build(MjpegWriterBuilder::new(8, 8).riff_size(100)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = build(MjpegWriterBuilder::new(8, 8).riff_size(3 << 30)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = build(MjpegWriterBuilder::new(8, 8).quality(0)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(build(MjpegWriterBuilder::new(65535, 1).riff_size(4096)).is_ok());
    }

    /// A writer that fails once `budget` bytes have been written.
    struct Failing {
        inner: Cursor<Vec<u8>>,
        budget: usize,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.budget == 0 {
                return Err(io::Error::other("disk full"));
            }
            let n = buf.len().min(self.budget);
            self.budget -= n;
            self.inner.write(&buf[..n])
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Seek for Failing {
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            self.inner.seek(pos)
        }
    }

    #[test]
    fn write_errors_poison_the_writer_and_drop_does_not_panic() {
        let j = tiny_jpeg(8, 8);
        let e = MjpegWriter::new(
            Failing {
                inner: Cursor::new(Vec::new()),
                budget: 100,
            },
            8,
            8,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        let mut w = MjpegWriter::new(
            Failing {
                inner: Cursor::new(Vec::new()),
                budget: 4654 + j.len() + 200,
            },
            8,
            8,
        )
        .unwrap();
        w.add_jpeg(&j, None).unwrap();
        let e = w.add_jpeg(&j, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(e.to_string().contains("writing frame 1 at byte"), "{e}");
        assert!(
            w.add_jpeg(&j, None)
                .unwrap_err()
                .to_string()
                .contains("failed earlier")
        );
        assert!(w.sync().is_err());
        drop(w);
        // A failure while finishing in drop is ignored.
        let mut w = MjpegWriter::new(
            Failing {
                inner: Cursor::new(Vec::new()),
                budget: 4654 + j.len() + 9,
            },
            8,
            8,
        )
        .unwrap();
        w.add_jpeg(&j, None).unwrap();
        drop(w);
    }

    /// A writer that, once armed, writes `budget` more bytes, fails one
    /// write (a transient error: a full disk that is then cleaned up, a
    /// signal), and works again after that.
    struct Flaky {
        inner: Cursor<Vec<u8>>,
        armed: Option<usize>,
        /// Receives the bytes when the writer is dropped.
        on_drop: Option<std::rc::Rc<std::cell::RefCell<Vec<u8>>>>,
    }

    impl Drop for Flaky {
        fn drop(&mut self) {
            if let Some(out) = &self.on_drop {
                out.replace(self.inner.get_ref().clone());
            }
        }
    }

    impl Write for Flaky {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            match self.armed {
                Some(0) => {
                    self.armed = None;
                    Err(io::Error::other("disk full"))
                }
                Some(budget) => {
                    let n = buf.len().min(budget);
                    self.armed = Some(budget - n);
                    self.inner.write(&buf[..n])
                }
                None => self.inner.write(buf),
            }
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Seek for Flaky {
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            self.inner.seek(pos)
        }
    }

    /// Three frames, a sync, two more frames, then a sixth frame whose write
    /// fails part-way.
    fn five_frames_then_a_failed_write() -> MjpegWriter<Flaky> {
        let j = tiny_jpeg(8, 8);
        let flaky = Flaky {
            inner: Cursor::new(Vec::new()),
            armed: None,
            on_drop: None,
        };
        let mut w = MjpegWriter::new(flaky, 8, 8).unwrap();
        for _ in 0..3 {
            w.add_jpeg(&j, None).unwrap();
        }
        w.sync().unwrap();
        for _ in 0..2 {
            w.add_jpeg(&j, None).unwrap();
        }
        w.get_mut().unwrap().armed = Some(20);
        assert_eq!(w.add_jpeg(&j, None).unwrap_err().kind(), ErrorKind::Io);
        assert_eq!(w.frame_count(), 5);
        w
    }

    fn assert_five_indexed_frames(b: Vec<u8>) {
        assert_eq!(le32(&b, 4) as usize, b.len() - 8, "RIFF size");
        let mut r = crate::avi::AviReader::new(Cursor::new(b)).unwrap();
        assert_eq!(r.info().index, crate::avi::IndexKind::Idx1);
        assert_eq!((r.frame_count(), r.info().header_frames), (5, 5));
        for i in 0..5 {
            assert_eq!(r.read_frame(i).unwrap(), tiny_jpeg(8, 8));
        }
    }

    #[test]
    fn finish_after_a_failed_frame_keeps_the_frames_written_before_it() {
        let mut w = five_frames_then_a_failed_write();
        // No more frames or syncs on a writer in an unknown state...
        assert!(w.add_jpeg(&tiny_jpeg(8, 8), None).is_err());
        assert!(w.sync().is_err());
        // ...but finishing indexes the five frames over the partial chunk.
        let b = w.finish().unwrap().inner.get_ref().clone();
        assert_five_indexed_frames(b);
    }

    #[test]
    fn drop_after_a_failed_frame_keeps_the_frames_written_before_it() {
        let mut w = five_frames_then_a_failed_write();
        let file = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        w.get_mut().unwrap().on_drop = Some(file.clone());
        drop(w);
        assert_five_indexed_frames(file.take());
    }

    #[test]
    fn a_failure_anywhere_in_a_segment_switch_keeps_every_completed_frame() {
        let j = tiny_jpeg(8, 8);
        let new_writer = || {
            let flaky = Flaky {
                inner: Cursor::new(Vec::new()),
                armed: None,
                on_drop: None,
            };
            MjpegWriterBuilder::new(8, 8)
                .riff_size(4096)
                .build(flaky)
                .unwrap()
        };
        // Frames that fit before the second and the third segment.
        let mut switches = Vec::new();
        let mut w = new_writer();
        for k in 0..200 {
            let segments = w.riff_number;
            w.add_jpeg(&j, None).unwrap();
            if w.riff_number != segments {
                switches.push(k);
            }
        }
        assert!(switches.len() >= 2, "{switches:?}");
        for &k in &switches[..2] {
            // The switch writes ix00 (+ idx1 for the first segment), the
            // RIFF and movi sizes, the super index, the headers and the next
            // segment's head: fail after every possible number of bytes.
            for budget in (0..1200).step_by(5) {
                let mut w = new_writer();
                for _ in 0..k {
                    w.add_jpeg(&j, None).unwrap();
                }
                w.get_mut().unwrap().armed = Some(budget);
                let failed = w.add_jpeg(&j, None).is_err();
                if !failed {
                    w.add_jpeg(&j, None).unwrap();
                }
                let frames = w.frame_count();
                assert_eq!(frames, k + if failed { 0 } else { 2 }, "budget {budget}");
                let b = w.finish().unwrap().inner.get_ref().clone();
                let mut r = crate::avi::AviReader::new(Cursor::new(b)).unwrap();
                assert_eq!(r.frame_count(), frames, "k {k} budget {budget}");
                assert_eq!(r.info().header_frames, frames, "k {k} budget {budget}");
                assert_ne!(r.info().index, crate::avi::IndexKind::Scanned);
                for i in 0..frames {
                    assert_eq!(r.read_frame(i).unwrap(), j, "frame {i} budget {budget}");
                }
            }
        }
    }

    #[test]
    fn starts_at_the_current_position() {
        let j = tiny_jpeg(8, 8);
        let mut c = Cursor::new(vec![0xAA; 100]);
        c.set_position(100);
        let mut w = MjpegWriterBuilder::new(8, 8)
            .riff_size(4096)
            .build(c)
            .unwrap();
        for _ in 0..40 {
            w.add_jpeg(&j, None).unwrap();
        }
        assert!(w.is_open_dml());
        let b = w.finish().unwrap().into_inner();
        assert_eq!(&b[..100], &[0xAA; 100][..]);
        let mut r = crate::avi::AviReader::new(Cursor::new(b[100..].to_vec())).unwrap();
        assert_eq!(r.info().index, crate::avi::IndexKind::OpenDml);
        assert_eq!(r.frame_count(), 40);
        assert_eq!(r.read_frame(39).unwrap(), j);
    }
}
