//! picamera-style capture over any [`CameraSource`].
//!
//! - [`CaptureExt::capture`]: one frame, encoded, to any [`Write`] (or a
//!   path with [`CaptureExt::capture_file`]).
//! - [`CaptureExt::capture_sequence`]: a burst into an iterator of outputs,
//!   the fast path: the encoder and its buffers are set up once.
//! - [`CaptureExt::capture_continuous`]: an endless iterator of captures.
//! - [`Splitter`]: one stream to several outputs (picamera's splitter ports),
//!   each at its own resolution, plus stills taken while recording without
//!   dropping recording frames.
//! - Custom outputs: anything implementing [`Write`] (with an [`Encoder`]),
//!   or a [`FrameSink`], which sees each whole frame (every writer is one:
//!   an ImageIO [`FileStream`](crate::imageio::FileStream), an AVI, a GIF).
//! - [`pipeline`]: a capture thread, a bounded queue, a worker pool and
//!   ordered output (picamera's rapid-capture-and-processing recipe).
//!
//! ```
//! use camreel::camera::synthetic::SyntheticCamera;
//! use camreel::capture::{CaptureExt, RawEncoder};
//!
//! let mut cam = SyntheticCamera::builder().size(32, 16).build()?;
//! let mut outputs = vec![Vec::new(), Vec::new(), Vec::new()];
//! let n = cam.capture_sequence(outputs.iter_mut(), &mut RawEncoder)?;
//! assert_eq!(n, 3);
//! assert!(outputs.iter().all(|o| o.len() == 32 * 16 * 3));
//! # Ok::<(), camreel::Error>(())
//! ```

use std::io::Write;
use std::path::Path;
use std::sync::mpsc;

use crate::camera::{CameraSource, Frame, FrameInfo};
use crate::codec::jpeg::JpegEncoder;
use crate::codec::png;
use crate::convert;
use crate::error::{Error, ErrorKind, Result};
use crate::geometry::{Filter, Resizer};
use crate::image::{Image, ImageRef, PixelFormat};
use crate::raw;
pub use crate::sink::FrameSink;

pub mod pipeline;

/// Turns a frame into the bytes of an output (a JPEG, a picamera raw
/// layout, ...). Encoders keep their buffers between frames.
///
/// Any `FnMut(ImageRef, &mut Vec<u8>) -> Result<()>` closure is an encoder.
pub trait Encoder {
    /// Appends the encoding of `image` to `out`.
    ///
    /// # Errors
    /// Whatever the encoding fails with (an unsupported input format, ...).
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()>;
}

impl<F> Encoder for F
where
    F: FnMut(ImageRef<'_>, &mut Vec<u8>) -> Result<()>,
{
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        self(image, out)
    }
}

/// The frame's bytes as they are: packed pixels, or the JPEG of an MJPEG
/// camera unchanged.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawEncoder;

impl Encoder for RawEncoder {
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        if image.is_packed() {
            out.extend_from_slice(image.data());
        } else {
            for row in image.rows() {
                out.extend_from_slice(row);
            }
        }
        Ok(())
    }
}

/// Converts `image` to `format` through `scratch` unless it already is.
fn as_format<'a>(
    image: ImageRef<'a>,
    format: PixelFormat,
    scratch: &'a mut Image,
) -> Result<ImageRef<'a>> {
    if image.format() == format {
        return Ok(image);
    }
    if image.format() == PixelFormat::Jpeg {
        let mut decoded = Image::empty();
        crate::codec::jpeg::decode_into(image.data(), &mut decoded)?;
        if decoded.format() == format {
            *scratch = decoded;
        } else {
            convert::convert_into(decoded.view(), format, scratch)?;
        }
    } else {
        crate::codec::transcode_into(image, format, scratch)?;
    }
    Ok(scratch.view())
}

/// picamera's `'yuv'` capture: YUV420 planes padded to 32x16
/// ([`raw::pad_yuv420`]); frames in other formats are converted (BT.601
/// limited range) first.
#[derive(Clone, Debug, Default)]
pub struct PiYuvEncoder {
    scratch: Image,
}

impl PiYuvEncoder {
    /// A `'yuv'` encoder.
    pub fn new() -> PiYuvEncoder {
        PiYuvEncoder::default()
    }
}

impl Encoder for PiYuvEncoder {
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        let yuv = as_format(image, PixelFormat::Yuv420, &mut self.scratch)?;
        out.extend_from_slice(&raw::pad_yuv420(yuv)?);
        Ok(())
    }
}

/// picamera's `'rgb'` (or `'bgr'`) capture: rows padded to 32x16
/// ([`raw::pad_rgb`]); frames in other formats are converted first.
#[derive(Clone, Debug)]
pub struct PiRgbEncoder {
    order: PixelFormat,
    scratch: Image,
}

impl PiRgbEncoder {
    /// An `'rgb'` encoder.
    pub fn rgb() -> PiRgbEncoder {
        PiRgbEncoder {
            order: PixelFormat::Rgb888,
            scratch: Image::empty(),
        }
    }

    /// A `'bgr'` encoder.
    pub fn bgr() -> PiRgbEncoder {
        PiRgbEncoder {
            order: PixelFormat::Bgr888,
            scratch: Image::empty(),
        }
    }
}

impl Default for PiRgbEncoder {
    fn default() -> PiRgbEncoder {
        PiRgbEncoder::rgb()
    }
}

impl Encoder for PiRgbEncoder {
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        let rgb = as_format(image, self.order, &mut self.scratch)?;
        out.extend_from_slice(&raw::pad_rgb(rgb)?);
        Ok(())
    }
}

/// A [`Write`] output fed by an [`Encoder`]: each frame is encoded and
/// written with one `write_all`, so a custom writer sees whole frames.
#[derive(Debug)]
pub struct EncodedSink<W, E> {
    writer: W,
    encoder: E,
    buf: Vec<u8>,
    frames: u64,
    bytes: u64,
}

impl<W: Write, E: Encoder> EncodedSink<W, E> {
    /// Frames from `encoder` into `writer`.
    pub fn new(writer: W, encoder: E) -> Self {
        EncodedSink {
            writer,
            encoder,
            buf: Vec::new(),
            frames: 0,
            bytes: 0,
        }
    }

    /// Frames written.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Bytes written.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        &self.writer
    }

    /// The writer, consuming the sink (call [`FrameSink::finish`] first to flush).
    pub fn into_inner(self) -> W {
        self.writer
    }
}

impl<W: Write, E: Encoder> FrameSink for EncodedSink<W, E> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.buf.clear();
        self.encoder.encode(frame.image, &mut self.buf)?;
        self.writer
            .write_all(&self.buf)
            .map_err(|e| Error::io(format!("writing frame {}", frame.sequence), e))?;
        self.frames += 1;
        self.bytes += self.buf.len() as u64;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.writer
            .flush()
            .map_err(|e| Error::io("flushing the output", e))
    }
}

/// One encoded capture from [`CaptureExt::capture_continuous`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capture {
    /// Sequence number and timestamp of the frame.
    pub info: FrameInfo,
    /// The encoded bytes.
    pub data: Vec<u8>,
}

fn end_of_stream(what: &str) -> Error {
    Error::new(
        ErrorKind::EndOfStream,
        format!("{what}: the camera has no more frames"),
    )
}

/// The picamera capture methods, for every [`CameraSource`].
pub trait CaptureExt: CameraSource {
    /// Captures the next frame, encoded by `encoder`, into `output`.
    ///
    /// # Errors
    /// [`ErrorKind::EndOfStream`] if the source has ended; the source's,
    /// the encoder's and the writer's errors.
    fn capture<W: Write + ?Sized, E: Encoder + ?Sized>(
        &mut self,
        output: &mut W,
        encoder: &mut E,
    ) -> Result<FrameInfo> {
        let mut buf = Vec::new();
        let frame = self.next_frame()?.ok_or_else(|| end_of_stream("capture"))?;
        encoder.encode(frame.image, &mut buf)?;
        output
            .write_all(&buf)
            .map_err(|e| Error::io(format!("writing frame {}", frame.sequence), e))?;
        output
            .flush()
            .map_err(|e| Error::io("flushing the output", e))?;
        Ok(frame.info())
    }

    /// Captures the next frame into a new file at `path`.
    ///
    /// # Errors
    /// As [`CaptureExt::capture`], plus creating the file.
    fn capture_file<E: Encoder + ?Sized>(
        &mut self,
        path: impl AsRef<Path>,
        encoder: &mut E,
    ) -> Result<FrameInfo> {
        let path = path.as_ref();
        let file = std::fs::File::create(path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        let mut file = std::io::BufWriter::new(file);
        self.capture(&mut file, encoder)
            .map_err(|e| e.context(path.display()))
    }

    /// Captures one frame per output, as fast as the source delivers: the
    /// burst path (one encoder and one buffer for the whole sequence).
    /// Stops early, without error, when the source ends; returns the number
    /// of frames captured.
    ///
    /// # Errors
    /// The first error of the source, the encoder or an output.
    fn capture_sequence<I, W, E>(&mut self, outputs: I, encoder: &mut E) -> Result<u64>
    where
        I: IntoIterator<Item = W>,
        W: Write,
        E: Encoder + ?Sized,
    {
        let mut buf = Vec::new();
        let mut count = 0;
        for mut output in outputs {
            let Some(frame) = self.next_frame()? else {
                break;
            };
            buf.clear();
            encoder.encode(frame.image, &mut buf)?;
            let seq = frame.sequence;
            output
                .write_all(&buf)
                .and_then(|()| output.flush())
                .map_err(|e| Error::io(format!("writing frame {seq} (capture {count})"), e))?;
            count += 1;
        }
        Ok(count)
    }

    /// Captures into a series of files whose names come from `names`
    /// (`image{:02}.jpg` style, built by the caller); returns the count.
    ///
    /// # Errors
    /// As [`CaptureExt::capture_sequence`], plus creating the files.
    fn capture_sequence_files<I, P, E>(&mut self, names: I, encoder: &mut E) -> Result<u64>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
        E: Encoder + ?Sized,
    {
        let mut buf = Vec::new();
        let mut count = 0;
        for name in names {
            let Some(frame) = self.next_frame()? else {
                break;
            };
            buf.clear();
            encoder.encode(frame.image, &mut buf)?;
            let path = name.as_ref();
            std::fs::write(path, &buf)
                .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
            count += 1;
        }
        Ok(count)
    }

    /// An iterator of captures, one per frame, until the source ends (or
    /// after the first error, which it yields).
    fn capture_continuous<E: Encoder>(&mut self, encoder: E) -> Continuous<'_, Self, E> {
        Continuous {
            source: self,
            encoder,
            done: false,
        }
    }

    /// Sends every frame to `sink` until the source ends or `frames` frames
    /// went out (`None`: no limit); returns the count. The sink is not
    /// finished, so several calls can record into one output: call
    /// [`FrameSink::finish`] (or the writer's `into_inner`) when done.
    ///
    /// # Errors
    /// The first error of the source or the sink.
    fn record<K: FrameSink + ?Sized>(&mut self, sink: &mut K, frames: Option<u64>) -> Result<u64> {
        let mut count = 0;
        while frames.is_none_or(|n| count < n) {
            let Some(frame) = self.next_frame()? else {
                break;
            };
            sink.write_frame(&frame)?;
            count += 1;
        }
        Ok(count)
    }
}

impl<S: CameraSource + ?Sized> CaptureExt for S {}

/// The iterator of [`CaptureExt::capture_continuous`].
#[derive(Debug)]
pub struct Continuous<'a, S: ?Sized, E> {
    source: &'a mut S,
    encoder: E,
    done: bool,
}

impl<S: CameraSource + ?Sized, E: Encoder> Iterator for Continuous<'_, S, E> {
    type Item = Result<Capture>;

    fn next(&mut self) -> Option<Result<Capture>> {
        if self.done {
            return None;
        }
        let result = match self.source.next_frame() {
            Ok(Some(frame)) => {
                let mut data = Vec::new();
                self.encoder
                    .encode(frame.image, &mut data)
                    .map(|()| Capture {
                        info: frame.info(),
                        data,
                    })
            }
            Ok(None) => {
                self.done = true;
                return None;
            }
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.done = true;
        }
        Some(result)
    }
}

/// Identifies a port of a [`Splitter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PortId(usize);

/// A frame transform for a splitter port (picamera's `resize`).
///
/// Any `FnMut(ImageRef, &mut Image) -> Result<()>` closure is a transform.
pub trait Transform {
    /// Writes the transformed `src` into `dst` (reusing its memory).
    ///
    /// # Errors
    /// Whatever the transform fails with.
    fn apply(&mut self, src: ImageRef<'_>, dst: &mut Image) -> Result<()>;
}

impl<F> Transform for F
where
    F: FnMut(ImageRef<'_>, &mut Image) -> Result<()>,
{
    fn apply(&mut self, src: ImageRef<'_>, dst: &mut Image) -> Result<()> {
        self(src, dst)
    }
}

struct Port<'s> {
    sink: Box<dyn FrameSink + Send + 's>,
    transform: Option<Box<dyn Transform + Send + 's>>,
    scratch: Image,
    frames: u64,
    open: bool,
}

/// A request for a still from a [`Splitter`], taken from the next frame.
struct StillRequest {
    encoder: Box<dyn Encoder + Send>,
    reply: mpsc::Sender<Result<Capture>>,
}

/// Asks a running [`Splitter`] for stills, from any thread.
#[derive(Clone, Debug)]
pub struct StillHandle {
    tx: mpsc::Sender<StillRequest>,
}

impl std::fmt::Debug for StillRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StillRequest")
    }
}

/// A pending still; [`PendingStill::wait`] blocks until the splitter took it.
#[derive(Debug)]
pub struct PendingStill {
    rx: mpsc::Receiver<Result<Capture>>,
}

impl PendingStill {
    /// Waits for the still.
    ///
    /// # Errors
    /// The encoder's error, or [`ErrorKind::EndOfStream`] if the splitter
    /// stopped before the next frame.
    pub fn wait(self) -> Result<Capture> {
        self.rx
            .recv()
            .unwrap_or_else(|_| Err(end_of_stream("still capture")))
    }

    /// The still if it is ready, without blocking.
    pub fn try_get(&self) -> Option<Result<Capture>> {
        self.rx.try_recv().ok()
    }
}

impl StillHandle {
    /// Requests a still from the next frame, encoded by `encoder`
    /// (picamera's `capture(..., use_video_port=True)` while recording).
    pub fn request(&self, encoder: impl Encoder + Send + 'static) -> PendingStill {
        let (reply, rx) = mpsc::channel();
        // If the splitter is gone, `wait` reports the end of the stream.
        let _ = self.tx.send(StillRequest {
            encoder: Box::new(encoder),
            reply,
        });
        PendingStill { rx }
    }
}

/// Statistics of a [`Splitter`] run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SplitterStats {
    /// Frames read from the source.
    pub frames: u64,
    /// Stills taken (each encoded on its own thread; see [`PendingStill`]).
    pub stills: u64,
    /// Frames the source skipped (gaps in the sequence numbers).
    pub source_gaps: u64,
}

/// One camera stream fanned out to several outputs (picamera's splitter
/// ports): each port gets every frame, optionally transformed (resized) for
/// that port, and stills can be taken from the stream while it records
/// without a recording frame being dropped.
///
/// ```
/// use camreel::camera::synthetic::SyntheticCamera;
/// use camreel::capture::{EncodedSink, RawEncoder, Splitter};
///
/// let mut high = Vec::new();
/// let cam = SyntheticCamera::builder().size(64, 32).frame_limit(10).build()?;
/// let mut splitter = Splitter::new(cam);
/// splitter.add_port(EncodedSink::new(&mut high, RawEncoder));
/// let stills = splitter.still_handle();
/// let pending = stills.request(RawEncoder);
/// let stats = splitter.run(None)?;
/// drop(splitter);
/// assert_eq!(stats.frames, 10);
/// assert_eq!(high.len(), 10 * 64 * 32 * 3);
/// assert_eq!(pending.wait()?.info.sequence, 0);
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct Splitter<'s, S> {
    source: S,
    ports: Vec<Port<'s>>,
    still_tx: mpsc::Sender<StillRequest>,
    still_rx: mpsc::Receiver<StillRequest>,
    stats: SplitterStats,
    last_sequence: Option<u64>,
}

impl<S> std::fmt::Debug for Splitter<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Splitter")
            .field("ports", &self.ports.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<'s, S: CameraSource> Splitter<'s, S> {
    /// A splitter over `source`, with no ports yet.
    pub fn new(source: S) -> Self {
        let (still_tx, still_rx) = mpsc::channel();
        Splitter {
            source,
            ports: Vec::new(),
            still_tx,
            still_rx,
            stats: SplitterStats::default(),
            last_sequence: None,
        }
    }

    /// Adds a port that gets every frame as the source delivers it.
    pub fn add_port(&mut self, sink: impl FrameSink + Send + 's) -> PortId {
        self.ports.push(Port {
            sink: Box::new(sink),
            transform: None,
            scratch: Image::empty(),
            frames: 0,
            open: true,
        });
        PortId(self.ports.len() - 1)
    }

    /// Adds a port that gets every frame through `transform` (a resize, a
    /// format conversion, ...).
    pub fn add_port_with(
        &mut self,
        sink: impl FrameSink + Send + 's,
        transform: impl Transform + Send + 's,
    ) -> PortId {
        let id = self.add_port(sink);
        self.ports[id.0].transform = Some(Box::new(transform));
        id
    }

    /// Stops feeding a port and finishes its sink; returns its frame count.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a port already closed; the sink's
    /// `finish` error.
    pub fn close_port(&mut self, id: PortId) -> Result<u64> {
        let port = self.ports.get_mut(id.0).filter(|p| p.open).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("port {} is not open", id.0),
            )
        })?;
        port.open = false;
        port.sink.finish()?;
        Ok(port.frames)
    }

    /// Frames a port received so far.
    pub fn port_frames(&self, id: PortId) -> u64 {
        self.ports.get(id.0).map_or(0, |p| p.frames)
    }

    /// A handle to request stills while the splitter runs (cloneable, `Send`).
    pub fn still_handle(&self) -> StillHandle {
        StillHandle {
            tx: self.still_tx.clone(),
        }
    }

    /// Statistics so far.
    pub fn stats(&self) -> SplitterStats {
        self.stats
    }

    /// The source.
    pub fn get_ref(&self) -> &S {
        &self.source
    }

    /// Reads one frame and feeds it to every open port and pending still;
    /// `Ok(false)` when the source has ended.
    ///
    /// # Errors
    /// The first error of the source, a transform or a sink.
    pub fn step(&mut self) -> Result<bool> {
        let Some(frame) = self.source.next_frame()? else {
            return Ok(false);
        };
        self.stats.frames += 1;
        if let Some(last) = self.last_sequence {
            self.stats.source_gaps += frame.sequence.saturating_sub(last.saturating_add(1));
        }
        self.last_sequence = Some(frame.sequence);
        for port in self.ports.iter_mut().filter(|p| p.open) {
            match &mut port.transform {
                None => port.sink.write_frame(&frame)?,
                Some(t) => {
                    t.apply(frame.image, &mut port.scratch)?;
                    let out = Frame {
                        image: port.scratch.view(),
                        ..frame
                    };
                    port.sink.write_frame(&out)?;
                }
            }
            port.frames += 1;
        }
        while let Ok(mut req) = self.still_rx.try_recv() {
            // The still is encoded on its own thread from a copy of the frame,
            // so the recording ports are not held up by it.
            let still = frame.to_owned();
            self.stats.stills += 1;
            std::thread::spawn(move || {
                let mut data = Vec::new();
                let result = req
                    .encoder
                    .encode(still.image.view(), &mut data)
                    .map(|()| Capture {
                        info: still.as_frame().info(),
                        data,
                    });
                let _ = req.reply.send(result);
            });
        }
        Ok(true)
    }

    /// Steps until the source ends or `frames` frames were read (`None`: no
    /// limit), then finishes every open port.
    ///
    /// # Errors
    /// As [`Splitter::step`] and the sinks' `finish`.
    pub fn run(&mut self, frames: Option<u64>) -> Result<SplitterStats> {
        let start = self.stats.frames;
        while frames.is_none_or(|n| self.stats.frames - start < n) {
            if !self.step()? {
                break;
            }
        }
        for port in self.ports.iter_mut().filter(|p| p.open) {
            port.open = false;
            port.sink.finish()?;
        }
        Ok(self.stats)
    }

    /// The source back, dropping the ports.
    pub fn into_source(self) -> S {
        self.source
    }
}

/// JPEG stills (picamera's `'jpeg'`): frames that are already JPEG (an MJPEG
/// camera's) pass through untouched; others are encoded by
/// [`JpegEncoder`], after a conversion to RGB888 for formats
/// the encoder does not take (RGB565, YUV422, Bayer, ...).
#[derive(Debug)]
pub struct JpegCapture {
    encoder: JpegEncoder,
    scratch: Image,
}

impl JpegCapture {
    /// An encoder at `quality` (1-100).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a quality outside 1-100.
    pub fn new(quality: u8) -> Result<JpegCapture> {
        Ok(JpegCapture {
            encoder: JpegEncoder::new(crate::codec::Quality::try_from(quality)?)?,
            scratch: Image::empty(),
        })
    }

    /// The codec's encoder, to change its settings (subsampling, backend).
    pub fn encoder_mut(&mut self) -> &mut JpegEncoder {
        &mut self.encoder
    }
}

impl Encoder for JpegCapture {
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        match image.format() {
            PixelFormat::Jpeg => RawEncoder.encode(image, out),
            PixelFormat::Grayscale
            | PixelFormat::Rgb888
            | PixelFormat::Bgr888
            | PixelFormat::Argb8
            | PixelFormat::Yuv420 => self.encoder.encode(image, out),
            _ => {
                crate::codec::transcode_into(image, PixelFormat::Rgb888, &mut self.scratch)?;
                self.encoder.encode(self.scratch.view(), out)
            }
        }
    }
}

/// PNG stills (picamera's `'png'`): 8-bit gray or RGB, 16-bit for GRAY16,
/// RGB48 and 16-bit Bayer (demosaiced); other formats go through RGB888.
#[derive(Debug, Default)]
pub struct PngCapture {
    scratch: Image,
}

impl PngCapture {
    /// A PNG encoder.
    pub fn new() -> PngCapture {
        PngCapture::default()
    }
}

impl Encoder for PngCapture {
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        match image.format() {
            PixelFormat::Grayscale
            | PixelFormat::Rgb888
            | PixelFormat::Bgr888
            | PixelFormat::Argb8
            | PixelFormat::Gray16
            | PixelFormat::Rgb48 => png::encode(image, out),
            PixelFormat::Bayer16 { .. } => {
                convert::convert_into(image, PixelFormat::Rgb48, &mut self.scratch)?;
                png::encode(self.scratch.view(), out)
            }
            PixelFormat::Jpeg | PixelFormat::Png => {
                crate::codec::jpeg::decode_into(image.data(), &mut self.scratch)
                    .or_else(|_| png::decode_into(image.data(), &mut self.scratch))?;
                png::encode(self.scratch.view(), out)
            }
            _ => {
                convert::convert_into(image, PixelFormat::Rgb888, &mut self.scratch)?;
                png::encode(self.scratch.view(), out)
            }
        }
    }
}

/// A splitter-port [`Transform`] that scales frames to a fixed size
/// (picamera's `resize=`), bilinear, through RGB888 for formats the scaler
/// does not take.
#[derive(Debug)]
pub struct Resize {
    width: u32,
    height: u32,
    filter: Filter,
    resizer: Resizer,
    scratch: Image,
}

impl Resize {
    /// Scales to `width` x `height` (bilinear).
    pub fn new(width: u32, height: u32) -> Resize {
        Resize {
            width,
            height,
            filter: Filter::Bilinear,
            resizer: Resizer::new(),
            scratch: Image::empty(),
        }
    }

    /// Uses `filter` instead of bilinear.
    #[must_use]
    pub fn filter(mut self, filter: Filter) -> Resize {
        self.filter = filter;
        self
    }
}

impl Transform for Resize {
    fn apply(&mut self, src: ImageRef<'_>, dst: &mut Image) -> Result<()> {
        match src.format() {
            PixelFormat::Grayscale
            | PixelFormat::Rgb888
            | PixelFormat::Bgr888
            | PixelFormat::Argb8
            | PixelFormat::Gray16
            | PixelFormat::Rgb48 => {
                self.resizer
                    .resize_into(src, self.width, self.height, self.filter, dst)
            }
            PixelFormat::Jpeg => {
                crate::codec::jpeg::decode_into(src.data(), &mut self.scratch)?;
                self.resizer.resize_into(
                    self.scratch.view(),
                    self.width,
                    self.height,
                    self.filter,
                    dst,
                )
            }
            _ => {
                crate::codec::transcode_into(src, PixelFormat::Rgb888, &mut self.scratch)?;
                self.resizer.resize_into(
                    self.scratch.view(),
                    self.width,
                    self.height,
                    self.filter,
                    dst,
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::synthetic::SyntheticCamera;

    fn cam(frames: u64) -> SyntheticCamera {
        SyntheticCamera::builder()
            .size(40, 20)
            .frame_limit(frames)
            .build()
            .unwrap()
    }

    #[test]
    fn capture_writes_one_encoded_frame() {
        let mut c = cam(5);
        let reference = c.render(0).unwrap();
        let mut out = Vec::new();
        let info = c.capture(&mut out, &mut RawEncoder).unwrap();
        assert_eq!(info.sequence, 0);
        assert_eq!(out, reference.data());
        // A closure is an encoder.
        let mut sizes = Vec::new();
        let mut enc = |img: ImageRef<'_>, out: &mut Vec<u8>| {
            sizes.push(img.data().len());
            out.push(1);
            Ok(())
        };
        let mut out = Vec::new();
        c.capture(&mut out, &mut enc).unwrap();
        assert_eq!(out, [1]);
        assert_eq!(sizes, [2400]);
    }

    #[test]
    fn capture_file_and_sequence_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = cam(4);
        let p = dir.path().join("one.data");
        c.capture_file(&p, &mut RawEncoder).unwrap();
        assert_eq!(std::fs::read(&p).unwrap().len(), 2400);
        let names: Vec<_> = (0..5)
            .map(|i| dir.path().join(format!("image{i:02}.data")))
            .collect();
        // Only 3 frames left: stops early without error.
        assert_eq!(
            c.capture_sequence_files(&names, &mut RawEncoder).unwrap(),
            3
        );
        assert!(names[2].exists() && !names[3].exists());
        let e = c
            .capture_file(dir.path().join("x"), &mut RawEncoder)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::EndOfStream);
        let e = cam(1)
            .capture_file(dir.path().join("no/such/dir/x"), &mut RawEncoder)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
    }

    #[test]
    fn sequence_into_generated_outputs() {
        let mut c = cam(100);
        let mut outs: Vec<Vec<u8>> = Vec::new();
        let n = {
            let outputs = (0..7).map(|_| {
                outs.push(Vec::new());
                CountingWriter(0)
            });
            c.capture_sequence(outputs, &mut RawEncoder).unwrap()
        };
        assert_eq!(n, 7);
        assert_eq!(c.frames_delivered(), 7);
    }

    struct CountingWriter(usize);
    impl Write for CountingWriter {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    struct FailingWriter;
    impl Write for FailingWriter {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writer_errors_say_which_frame() {
        let mut c = cam(3);
        let e = c
            .capture_sequence([FailingWriter], &mut RawEncoder)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert_eq!(e.to_string(), "writing frame 0 (capture 0): disk full");
    }

    #[test]
    fn continuous_yields_until_the_end() {
        let mut c = cam(4);
        let caps: Vec<Capture> = c
            .capture_continuous(RawEncoder)
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(caps.len(), 4);
        assert_eq!(
            caps.iter().map(|c| c.info.sequence).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        // An encoder error ends the iterator after yielding it.
        let mut c = cam(4);
        let failing = |_: ImageRef<'_>, _: &mut Vec<u8>| -> Result<()> {
            Err(Error::new(ErrorKind::UnsupportedFormat, "no"))
        };
        let mut it = c.capture_continuous(failing);
        assert_eq!(
            it.next().unwrap().unwrap_err().kind(),
            ErrorKind::UnsupportedFormat
        );
        assert!(it.next().is_none());
    }

    #[test]
    fn pi_rgb_encoder_pads_and_swaps() {
        let mut c = cam(2);
        let f0 = c.render(0).unwrap();
        let mut out = Vec::new();
        c.capture(&mut out, &mut PiRgbEncoder::default()).unwrap();
        assert_eq!(out.len(), raw::rgb_capture_len(40, 20).unwrap());
        assert_eq!(
            raw::crop_rgb(&out, 40, 20, PixelFormat::Rgb888).unwrap(),
            f0
        );
        let f1 = c.render(1).unwrap();
        let mut out = Vec::new();
        c.capture(&mut out, &mut PiRgbEncoder::bgr()).unwrap();
        assert_eq!(&out[..3], &[f1.data()[2], f1.data()[1], f1.data()[0]]);
    }

    /// A sink that records sequence numbers and sizes.
    #[derive(Default)]
    struct Log {
        seqs: Vec<u64>,
        sizes: Vec<(u32, u32)>,
        finished: bool,
    }
    impl FrameSink for Log {
        fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
            self.seqs.push(frame.sequence);
            self.sizes.push(frame.image.size());
            Ok(())
        }
        fn finish(&mut self) -> Result<()> {
            self.finished = true;
            Ok(())
        }
    }

    #[test]
    fn splitter_ports_and_stills_while_recording() {
        let mut rec = Log::default();
        let mut low = Log::default();
        let (a, b) = {
            let mut sp = Splitter::new(cam(20));
            let a = sp.add_port(&mut rec);
            // A transform port: keep the top-left quarter.
            let b = sp.add_port_with(&mut low, |src: ImageRef<'_>, dst: &mut Image| {
                let rows: Vec<u8> = src.rows().take(10).flat_map(|r| r[..60].to_vec()).collect();
                *dst = Image::new(PixelFormat::Rgb888, 20, 10, rows)?;
                Ok(())
            });
            let stills = sp.still_handle();
            for _ in 0..10 {
                assert!(sp.step().unwrap());
            }
            // A still from another thread while recording.
            let pending =
                std::thread::scope(|s| s.spawn(|| stills.request(RawEncoder)).join().unwrap());
            assert!(pending.try_get().is_none());
            let stats = sp.run(None).unwrap();
            assert_eq!(stats.frames, 20);
            assert_eq!(stats.stills, 1);
            assert_eq!(stats.source_gaps, 0);
            let still = pending.wait().unwrap();
            assert_eq!(still.info.sequence, 10);
            assert_eq!(still.data.len(), 2400);
            (sp.port_frames(a), sp.port_frames(b))
        };
        assert_eq!((a, b), (20, 20));
        // Recording got every frame: no drops around the still.
        assert_eq!(rec.seqs, (0..20).collect::<Vec<_>>());
        assert!(rec.finished && low.finished);
        assert!(low.sizes.iter().all(|&s| s == (20, 10)));
    }

    #[test]
    fn splitter_close_port_and_dangling_still() {
        let mut log = Log::default();
        let mut sp = Splitter::new(cam(3));
        let p = sp.add_port(&mut log);
        sp.step().unwrap();
        assert_eq!(sp.close_port(p).unwrap(), 1);
        assert_eq!(
            sp.close_port(p).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        let handle = sp.still_handle();
        sp.run(None).unwrap();
        assert!(!sp.step().unwrap());
        let pending = handle.request(RawEncoder);
        drop(sp);
        assert_eq!(pending.wait().unwrap_err().kind(), ErrorKind::EndOfStream);
        assert_eq!(log.seqs, [0]);
    }

    #[test]
    fn splitter_at_the_top_of_the_sequence_space() {
        let mut log = Log::default();
        let cam = SyntheticCamera::builder()
            .size(4, 4)
            .frame_limit(3)
            .first_sequence(u64::MAX - 1)
            .build()
            .unwrap();
        let mut sp = Splitter::new(cam);
        sp.add_port(&mut log);
        let stats = sp.run(None).unwrap();
        drop(sp);
        assert_eq!((stats.frames, stats.source_gaps), (3, 0));
        // The counter wraps like a camera's.
        assert_eq!(log.seqs, [u64::MAX - 1, u64::MAX, 0]);
    }

    #[test]
    fn record_to_an_encoded_sink() {
        let mut c = cam(10);
        let mut sink = EncodedSink::new(Vec::new(), RawEncoder);
        assert_eq!(c.record(&mut sink, Some(4)).unwrap(), 4);
        assert_eq!(sink.frames(), 4);
        assert_eq!(sink.bytes(), 4 * 2400);
        assert_eq!(sink.into_inner().len(), 9600);
        let mut rest = Log::default();
        assert_eq!(c.record(&mut rest, None).unwrap(), 6);
        assert_eq!(rest.seqs.first(), Some(&4));
    }

    #[test]
    fn jpeg_capture_encodes_converts_and_passes_through() {
        let mut jpeg = JpegCapture::new(85).unwrap();
        for format in [
            PixelFormat::Rgb888,
            PixelFormat::Rgb565,
            PixelFormat::Yuv420,
        ] {
            let mut c = SyntheticCamera::builder()
                .size(40, 20)
                .format(format)
                .build()
                .unwrap();
            let mut out = Vec::new();
            c.capture(&mut out, &mut jpeg).unwrap();
            assert_eq!(
                crate::codec::jpeg::dimensions(&out).unwrap(),
                (40, 20),
                "{format}"
            );
        }
        // An MJPEG camera's frames come out byte for byte.
        let mut mjpeg = SyntheticCamera::builder()
            .size(40, 20)
            .format(PixelFormat::Jpeg)
            .build()
            .unwrap();
        let original = mjpeg.render(0).unwrap();
        let mut out = Vec::new();
        mjpeg.capture(&mut out, &mut jpeg).unwrap();
        assert_eq!(out, original.data());
        assert!(JpegCapture::new(0).is_err());
    }

    #[test]
    fn png_capture_round_trips() {
        let mut c = cam(2);
        let reference = c.render(0).unwrap();
        let mut out = Vec::new();
        c.capture(&mut out, &mut PngCapture::new()).unwrap();
        assert_eq!(png::decode(&out).unwrap(), reference);
        // 16-bit Bayer is demosaiced to a 16-bit PNG.
        let mut b = SyntheticCamera::builder()
            .size(16, 8)
            .format(PixelFormat::Bayer16 {
                order: crate::image::BayerOrder::Rggb,
                bits: 10,
            })
            .build()
            .unwrap();
        let mut out = Vec::new();
        b.capture(&mut out, &mut PngCapture::new()).unwrap();
        assert_eq!(png::decode(&out).unwrap().format(), PixelFormat::Rgb48);
    }

    #[test]
    fn resize_ports_scale_any_format() {
        let mut sizes = Log::default();
        let mut yuv_sizes = Log::default();
        {
            let mut sp = Splitter::new(cam(3));
            sp.add_port_with(&mut sizes, Resize::new(10, 5));
            sp.run(None).unwrap();
            let yuv = SyntheticCamera::builder()
                .size(40, 20)
                .format(PixelFormat::Yuv420)
                .frame_limit(2)
                .build()
                .unwrap();
            let mut sp = Splitter::new(yuv);
            sp.add_port_with(&mut yuv_sizes, Resize::new(8, 4).filter(Filter::Nearest));
            sp.run(None).unwrap();
        }
        assert_eq!(sizes.sizes, [(10, 5); 3]);
        assert_eq!(yuv_sizes.sizes, [(8, 4); 2]);
    }

    #[test]
    fn pi_encoders_convert_any_format() {
        let mut c = SyntheticCamera::builder()
            .size(40, 20)
            .format(PixelFormat::Rgb565)
            .build()
            .unwrap();
        let mut out = Vec::new();
        c.capture(&mut out, &mut PiYuvEncoder::new()).unwrap();
        assert_eq!(out.len(), raw::yuv420_capture_len(40, 20).unwrap());
        let mut out = Vec::new();
        c.capture(&mut out, &mut PiRgbEncoder::rgb()).unwrap();
        assert_eq!(out.len(), raw::rgb_capture_len(40, 20).unwrap());
        let mut j = SyntheticCamera::builder()
            .size(40, 20)
            .format(PixelFormat::Jpeg)
            .build()
            .unwrap();
        let mut out = Vec::new();
        j.capture(&mut out, &mut PiRgbEncoder::bgr()).unwrap();
        assert_eq!(out.len(), raw::rgb_capture_len(40, 20).unwrap());
    }

    #[test]
    fn imageio_sink_records_and_replays() {
        use crate::camera::replay::ReplayCamera;
        use crate::clock::ManualClock;
        use crate::imageio::{Fallback, FileOptions, FileStream};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.bin");
        let clock = ManualClock::shared();
        let mut c = SyntheticCamera::builder()
            .size(32, 24)
            .fps(30.0)
            .clock(clock)
            .frame_limit(4)
            .build()
            .unwrap();
        let mut sink = FileOptions::new()
            .fallback(Fallback::Jpeg { quality: 90 })
            .create(&path)
            .unwrap();
        assert_eq!(c.record(&mut sink, None).unwrap(), 4);
        sink.finish().unwrap();
        let mut replay = ReplayCamera::builder(&path).realtime(false).open().unwrap();
        assert_eq!(replay.frame_count(), 4);
        let elapsed: Vec<u32> = replay.stream().headers().map(|h| h.elapsed_ms).collect();
        // 33.3 ms intervals, rounded so they add up to 100 ms.
        assert_eq!(elapsed, [0, 33, 34, 33]);
        let f = replay.next_frame().unwrap().unwrap();
        assert_eq!(f.image.format(), PixelFormat::Jpeg);
        // Frames with an OpenMV code are stored as they are.
        let path2 = dir.path().join("gray.bin");
        let mut g = SyntheticCamera::builder()
            .size(8, 8)
            .format(PixelFormat::Grayscale)
            .frame_limit(2)
            .build()
            .unwrap();
        let first = g.render(0).unwrap();
        let mut sink = FileStream::create(&path2).unwrap();
        g.record(&mut sink, None).unwrap();
        sink.finish().unwrap();
        let mut replay = ReplayCamera::builder(&path2)
            .realtime(false)
            .open()
            .unwrap();
        assert_eq!(
            replay.next_frame().unwrap().unwrap().image.data(),
            first.data()
        );
        assert_eq!(
            sink.write_frame(&replay.next_frame().unwrap().unwrap())
                .unwrap_err()
                .kind(),
            ErrorKind::Finished
        );
    }
}
