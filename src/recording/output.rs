//! The encoder an output needs, and video outputs to any [`Write`].

use std::fmt;
use std::io::Write;

use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::h264::H264Writer;
use crate::image::PixelFormat;
#[cfg(feature = "mp4")]
use crate::mp4::{Mp4Options, Mp4Writer};
use crate::output::{OutputKind, OutputOptions};
use crate::sink::{ByteOutput, FrameSink, IntoInnerError};
use crate::video::{MjpegEncoder, VideoEncoder};

/// JPEG quality of the frames of `.avi` and `.bin` recordings when
/// [`OutputOptions::quality`] is not given.
pub const DEFAULT_QUALITY: u8 = 85;

/// The encoder for a recording to an output of `kind`: H.264 for `.h264`
/// and `.mp4` (the Raspberry Pi's hardware encoder when it opens, else
/// openh264 with the `h264` feature; see
/// [`open_encoder`](crate::h264::v4l2m2m::open_encoder)), with the
/// options' H.264 settings and frame rate; motion JPEG at the options'
/// quality (default [`DEFAULT_QUALITY`]) for `.avi` and `.bin`. Returns the
/// encoder and its name (`"openh264"`, `"v4l2 m2m (/dev/video11)"`,
/// `"mjpeg"`).
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for GIF and PNG outputs (not video);
/// [`ErrorKind::BackendUnavailable`] for H.264 without an encoder built in.
pub fn video_encoder(
    kind: OutputKind,
    options: &OutputOptions,
) -> Result<(Box<dyn VideoEncoder + Send>, &'static str)> {
    match kind {
        OutputKind::H264 | OutputKind::Mp4 => {
            let mut settings = options.get_h264().unwrap_or_default();
            if let Some(rate) = options.get_frame_rate() {
                settings = settings.frame_rate(rate);
            }
            crate::h264::v4l2m2m::open_encoder(settings)
        }
        OutputKind::Avi | OutputKind::ImageIo => Ok((
            Box::new(MjpegEncoder::new(
                options.get_quality().unwrap_or(DEFAULT_QUALITY),
            )?),
            "mjpeg",
        )),
        other => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{} is not a video output: record to .h264, .mp4, .avi or .bin",
                other.name()
            ),
        )),
    }
}

/// The encoding of a [`VideoOutput`] (picamera's `format=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VideoFormat {
    /// A raw H.264 Annex B stream (picamera's `'h264'`).
    H264,
    /// A fragmented MP4 (feature `mp4`, turned on by `h264`); to a plain
    /// [`Write`] its header carries no durations (the fragments do).
    Mp4,
    /// Motion JPEG: the JPEG frames one after the other (picamera's
    /// `'mjpeg'`).
    Mjpeg,
}

impl VideoFormat {
    /// The output kind of files in this format.
    pub fn kind(self) -> OutputKind {
        match self {
            VideoFormat::H264 => OutputKind::H264,
            VideoFormat::Mp4 => OutputKind::Mp4,
            VideoFormat::Mjpeg => OutputKind::Avi,
        }
    }
}

/// Motion JPEG to any [`Write`]: each JPEG frame's bytes, one after the
/// other, as picamera writes `format='mjpeg'`.
pub struct MjpegStream<W: Write> {
    out: ByteOutput<W>,
}

impl<W: Write> fmt::Debug for MjpegStream<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MjpegStream")
            .field("frames", &self.out.frames())
            .field("bytes", &self.out.bytes())
            .finish_non_exhaustive()
    }
}

impl<W: Write> MjpegStream<W> {
    /// A stream into `writer`.
    pub fn new(writer: W) -> MjpegStream<W> {
        MjpegStream {
            out: ByteOutput::new(writer, "the mjpeg stream"),
        }
    }

    /// Frames written.
    pub fn frames(&self) -> u64 {
        self.out.frames()
    }

    /// Bytes written.
    pub fn bytes(&self) -> u64 {
        self.out.bytes()
    }

    /// The writer (`None` once given back).
    pub fn get_ref(&self) -> Option<&W> {
        self.out.get_ref()
    }

    /// Flushes and returns the writer.
    ///
    /// # Errors
    /// The flush error, with the stream.
    pub fn into_inner(mut self) -> Result<W, IntoInnerError<MjpegStream<W>>> {
        match self.finish().and_then(|()| self.out.take()) {
            Ok(w) => Ok(w),
            Err(e) => Err(IntoInnerError::new(e, self)),
        }
    }
}

impl<W: Write> FrameSink for MjpegStream<W> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.out.check_open()?;
        if frame.image.format() != PixelFormat::Jpeg {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "frame {}: an mjpeg stream takes jpeg frames, not {}",
                    frame.sequence,
                    frame.image.format()
                ),
            ));
        }
        self.out.write_frame([frame.image.data()], false, || {
            format!("writing frame {}", frame.sequence)
        })
    }

    fn sync(&mut self) -> Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> Result<()> {
        self.out.finish(&[])
    }
}

/// A video recording to any [`Write`] in a [`VideoFormat`]: what
/// [`Recording::start_writer`](super::Recording::start_writer) writes to.
/// [`VideoOutput::into_inner`] finishes it and gives the writer back.
// One per recording, never in a collection: the MP4 writer's size costs
// nothing, and boxing it would put an allocation in the public variant.
#[allow(clippy::large_enum_variant)]
pub enum VideoOutput<W: Write> {
    /// `.h264` Annex B.
    H264(H264Writer<W>),
    /// Fragmented MP4.
    #[cfg(feature = "mp4")]
    #[cfg_attr(docsrs, doc(cfg(feature = "mp4")))]
    Mp4(Mp4Writer<W>),
    /// Concatenated JPEG frames.
    Mjpeg(MjpegStream<W>),
}

impl<W: Write> fmt::Debug for VideoOutput<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VideoOutput::H264(w) => f.debug_tuple("H264").field(w).finish(),
            #[cfg(feature = "mp4")]
            VideoOutput::Mp4(w) => f.debug_tuple("Mp4").field(w).finish(),
            VideoOutput::Mjpeg(w) => f.debug_tuple("Mjpeg").field(w).finish(),
        }
    }
}

impl<W: Write> VideoOutput<W> {
    /// An output of `format` into `writer`; an MP4 takes the options'
    /// frame rate as its nominal rate.
    ///
    /// # Errors
    /// [`ErrorKind::BackendUnavailable`] for MP4 without the `mp4` feature.
    pub fn new(writer: W, format: VideoFormat, options: &OutputOptions) -> Result<VideoOutput<W>> {
        Ok(match format {
            VideoFormat::H264 => VideoOutput::H264(H264Writer::new(writer)),
            #[cfg(feature = "mp4")]
            VideoFormat::Mp4 => {
                let mut o = Mp4Options::default();
                if let Some(rate) = options.get_frame_rate() {
                    o = o.frame_rate(rate);
                }
                VideoOutput::Mp4(Mp4Writer::new(writer, o))
            }
            #[cfg(not(feature = "mp4"))]
            VideoFormat::Mp4 => {
                let _ = (writer, options);
                return Err(Error::new(
                    ErrorKind::BackendUnavailable,
                    "mp4 output needs the `mp4` cargo feature",
                ));
            }
            VideoFormat::Mjpeg => VideoOutput::Mjpeg(MjpegStream::new(writer)),
        })
    }

    /// The format.
    pub fn format(&self) -> VideoFormat {
        match self {
            VideoOutput::H264(_) => VideoFormat::H264,
            #[cfg(feature = "mp4")]
            VideoOutput::Mp4(_) => VideoFormat::Mp4,
            VideoOutput::Mjpeg(_) => VideoFormat::Mjpeg,
        }
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        match self {
            VideoOutput::H264(w) => w.bytes(),
            #[cfg(feature = "mp4")]
            VideoOutput::Mp4(w) => w.bytes(),
            VideoOutput::Mjpeg(w) => w.bytes(),
        }
    }

    /// Finishes the output and returns the writer.
    ///
    /// # Errors
    /// Finishing's error (the writer is dropped with the output).
    pub fn into_inner(self) -> Result<W> {
        Ok(match self {
            VideoOutput::H264(w) => w.into_inner()?,
            #[cfg(feature = "mp4")]
            VideoOutput::Mp4(w) => w.into_inner()?,
            VideoOutput::Mjpeg(w) => w.into_inner()?,
        })
    }

    fn sink(&mut self) -> &mut dyn FrameSink {
        match self {
            VideoOutput::H264(w) => w,
            #[cfg(feature = "mp4")]
            VideoOutput::Mp4(w) => w,
            VideoOutput::Mjpeg(w) => w,
        }
    }
}

impl<W: Write> FrameSink for VideoOutput<W> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.sink().write_frame(frame)
    }

    fn sync(&mut self) -> Result<()> {
        self.sink().sync()
    }

    fn finish(&mut self) -> Result<()> {
        self.sink().finish()
    }
}
