//! [`H264Writer`]: a raw `.h264` Annex B stream, as picamera records.

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Duration;

use super::annexb::{NalType, nal_units};
use super::settings::H264Settings;
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::frame::Frame;
use crate::h264::stage::EncodeStage;
use crate::image::{ImageRef, PixelFormat};
use crate::sink::{ByteOutput, FrameSink, IntoInnerError};
use crate::video::{VideoEncoder, VideoFrameInfo};

/// Writes an H.264 Annex B elementary stream (`.h264`): the access units
/// one after the other, SPS and PPS in front of every IDR picture
/// (picamera's `inline_headers`), so a player can start at any key frame.
/// The file has no timing: players assume 25 fps unless told.
///
/// Raw frames are placed by their timestamps at the settings' rate (see
/// [`H264Settings::frame_rate`]): when the time since the first frame says
/// slots were skipped (the camera or the recording dropped frames), the
/// previous raw frame is encoded again into each (an almost empty P frame),
/// so that the stream played at its rate keeps the recording's time; up to
/// [`MAX_REPEATED_SPAN`](crate::avi::MAX_REPEATED_SPAN) per gap. H.264
/// frames passed through are written as they come.
///
/// Takes raw frames, which it encodes (with an `H264Encoder` made from its
/// [`H264Settings`] on the first raw frame, which needs the `h264` cargo
/// feature, or with the encoder given to [`H264Writer::with_encoder`]), and
/// [`PixelFormat::H264`](crate::PixelFormat::H264) frames, which it writes
/// as they are (a key frame missing its parameter sets gets the last ones
/// seen). The first frame must be a key frame.
///
/// ```
/// use camreel::frame::Frame;
/// use camreel::h264::H264Writer;
/// use camreel::sink::FrameSink;
/// use camreel::{Image, PixelFormat};
///
/// // Pass-through of access units (an SPS, a PPS and an IDR slice here).
/// let idr = [
///     0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x68, 0x0a, 0x03, 0xda, 0x01, 0xe1, 0x10, 0x8d, 0x40,
///     0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80, 0, 0, 0, 1, 0x65, 0xb8, 0x00, 0x04,
/// ];
/// let au = Image::new(PixelFormat::H264, 640, 480, idr.to_vec())?;
/// let mut writer = H264Writer::new(Vec::new());
/// writer.write_frame(&Frame::new(au.view(), 0, Default::default()))?;
/// assert!(writer.last_frame().unwrap().key_frame());
/// assert_eq!(writer.into_inner()?, idr);
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct H264Writer<W: Write> {
    out: ByteOutput<W>,
    stage: EncodeStage,
    /// SPS and PPS NAL units (with start codes) of the last key frame.
    headers: Vec<u8>,
    /// The last raw frame, encoded again into the slots of frames that
    /// never came, and the first raw frame's time.
    last_raw: LastFrame,
    first: Option<Duration>,
    repeated: u64,
}

impl<W: Write> fmt::Debug for H264Writer<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("H264Writer")
            .field("frames", &self.out.frames())
            .field("bytes", &self.out.bytes())
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

impl H264Writer<BufWriter<File>> {
    /// Creates the file at `path`, encoding raw frames with default
    /// [`H264Settings`].
    ///
    /// # Errors
    /// I/O errors creating the file.
    pub fn create(path: impl AsRef<Path>) -> Result<H264Writer<BufWriter<File>>> {
        H264Writer::create_with(path, H264Settings::default())
    }

    /// Creates the file at `path`, encoding raw frames with `settings`.
    ///
    /// # Errors
    /// I/O errors creating the file; [`ErrorKind::InvalidArgument`] for
    /// settings out of range.
    pub fn create_with(
        path: impl AsRef<Path>,
        settings: H264Settings,
    ) -> Result<H264Writer<BufWriter<File>>> {
        settings.validate()?;
        let path = path.as_ref();
        let file = File::create(path)
            .map_err(|e| Error::io(format!("creating {}", quote_path(path)), e))?;
        Ok(H264Writer::with_settings(BufWriter::new(file), settings))
    }
}

impl<W: Write> H264Writer<W> {
    /// A stream into `writer`, encoding raw frames with default settings.
    pub fn new(writer: W) -> H264Writer<W> {
        H264Writer::with_settings(writer, H264Settings::default())
    }

    /// A stream into `writer`, encoding raw frames with `settings`.
    pub fn with_settings(writer: W, settings: H264Settings) -> H264Writer<W> {
        H264Writer::from_stage(writer, EncodeStage::new(settings))
    }

    /// A stream into `writer`, encoding raw frames with `encoder` (a custom
    /// encoder wrapping another, the Pi's hardware encoder, ...).
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] if `encoder` does not output H.264.
    pub fn with_encoder(writer: W, encoder: Box<dyn VideoEncoder + Send>) -> Result<H264Writer<W>> {
        Ok(H264Writer::from_stage(
            writer,
            EncodeStage::with_encoder(encoder)?,
        ))
    }

    fn from_stage(writer: W, stage: EncodeStage) -> H264Writer<W> {
        H264Writer {
            out: ByteOutput::new(writer, "the h.264 writer"),
            stage,
            headers: Vec::new(),
            last_raw: LastFrame::default(),
            first: None,
            repeated: 0,
        }
    }

    /// Asks the encoder to make the next raw frame a key frame (to split a
    /// recording there, for instance).
    pub fn request_key_frame(&mut self) {
        self.stage.request_key_frame();
    }

    /// picamera's `frame`: the facts of the last frame written (`position`
    /// is its offset in this stream).
    pub fn last_frame(&self) -> Option<VideoFrameInfo> {
        self.stage.last()
    }

    /// Frames written.
    pub fn frames(&self) -> u64 {
        self.out.frames()
    }

    /// Frames written as the previous raw frame encoded again, into the
    /// slots of frames that never came.
    pub fn repeated_frames(&self) -> u64 {
        self.repeated
    }

    /// Encodes the last raw frame again into the slots between it and a raw
    /// frame at `t` (the caller then keeps that frame as the last).
    fn fill_gap(&mut self, t: Duration) -> Result<()> {
        let rate = self.stage.rate();
        let first = *self.first.get_or_insert(t);
        let slot = rate.slot(t.saturating_sub(first));
        let missing = slot
            .saturating_sub(self.out.frames())
            .min(rate.slot(crate::avi::MAX_REPEATED_SPAN));
        if missing == 0 || self.last_raw.bytes.is_empty() {
            return Ok(());
        }
        let last = std::mem::take(&mut self.last_raw);
        let result =
            ImageRef::new(last.format, last.size.0, last.size.1, &last.bytes).and_then(|image| {
                for _ in 0..missing {
                    let n = self.out.frames();
                    let at = first.saturating_add(rate.frame_time(n));
                    self.write_one(&Frame::new(image, n, at))?;
                    self.repeated += 1;
                }
                Ok(())
            });
        self.last_raw = last;
        result
    }

    /// Bytes written.
    pub fn bytes(&self) -> u64 {
        self.out.bytes()
    }

    /// The underlying writer (`None` once given back).
    pub fn get_ref(&self) -> Option<&W> {
        self.out.get_ref()
    }

    /// Flushes and returns the underlying writer.
    ///
    /// # Errors
    /// I/O errors flushing, with this writer.
    pub fn into_inner(mut self) -> Result<W, IntoInnerError<H264Writer<W>>> {
        match FrameSink::finish(&mut self).and_then(|()| self.out.take()) {
            Ok(w) => Ok(w),
            Err(e) => Err(IntoInnerError::new(e, self)),
        }
    }
}

/// Whether `au` holds an SPS and a PPS; remembers them in `headers` if so.
fn parameter_sets(au: &[u8], headers: &mut Vec<u8>) -> Result<bool> {
    let (mut sps, mut pps) = (false, false);
    let mut found = Vec::new();
    for nal in nal_units(au) {
        let nal = nal?;
        match nal.nal_type() {
            NalType::Sps => sps = true,
            NalType::Pps => pps = true,
            _ => continue,
        }
        found.extend_from_slice(&[0, 0, 0, 1]);
        found.extend_from_slice(nal.data);
    }
    if sps && pps {
        *headers = found;
    }
    Ok(sps && pps)
}

/// A raw frame as it came (any format the encoder takes, a JPEG
/// included), kept to be encoded again into the slots of dropped frames.
struct LastFrame {
    format: PixelFormat,
    size: (u32, u32),
    bytes: Vec<u8>,
}

impl Default for LastFrame {
    fn default() -> LastFrame {
        LastFrame {
            format: PixelFormat::Grayscale,
            size: (0, 0),
            bytes: Vec::new(),
        }
    }
}

impl<W: Write> H264Writer<W> {
    /// Writes one frame (encoding a raw one).
    fn write_one(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.out.check_open()?;
        let index = self.out.frames();
        let Some(staged) = self.stage.process(frame)? else {
            return Ok(());
        };
        let au = staged.frame.image.data();
        let mut prefix: &[u8] = &[];
        if staged.info.key_frame() {
            if !parameter_sets(au, &mut self.headers)? {
                if self.headers.is_empty() {
                    return Err(Error::new(
                        ErrorKind::Format,
                        format!(
                            "frame {index}: key frame without SPS and PPS, and none seen before"
                        ),
                    ));
                }
                prefix = &self.headers;
            }
        } else if index == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "frame 0: an h.264 stream must start with a key frame",
            ));
        }
        self.out
            .write_frame([prefix, au], false, || format!("writing frame {index}"))
    }
}

impl<W: Write> FrameSink for H264Writer<W> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        if frame.image.format() == PixelFormat::H264 {
            return self.write_one(frame);
        }
        self.fill_gap(frame.timestamp)?;
        self.write_one(frame)?;
        let image = frame.image;
        let last = &mut self.last_raw;
        last.format = image.format();
        last.size = image.size();
        last.bytes.clear();
        last.bytes.extend_from_slice(image.data());
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> Result<()> {
        self.out.finish(&[])
    }
}

impl<W: Write> Drop for H264Writer<W> {
    /// Flushes, ignoring errors; never panics.
    fn drop(&mut self) {
        let _ = self.sync();
    }
}
