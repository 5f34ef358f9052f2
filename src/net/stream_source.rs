//! The receiving end of the length-prefixed stream as a [`CameraSource`].

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use super::JpegStreamReader;
use super::tcp::{self, TcpOptions};
use crate::camera::{CameraSource, Frame, StreamFormat};
use crate::clock::{Clock, MonotonicClock};
use crate::codec::jpeg;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{ImageRef, Limits, PixelFormat};

/// A remote camera: JPEG frames read from a length-prefixed stream (a
/// socket, a file, any [`Read`]), delivered as a [`CameraSource`].
///
/// Frames are numbered from 0 in the order they arrive and stamped with the
/// time they arrived on the source's [`Clock`]. Opening the source reads the
/// first frame, so [`format`](CameraSource::format) reports the sender's
/// size (JPEG, no nominal rate); every later frame must have that size.
/// The zero length ends the source (`Ok(None)`); a stream cut short is an
/// error saying at which frame and byte. A read timeout is an
/// [`ErrorKind::Timeout`] after which the source can be asked again.
///
/// ```
/// use camreel::camera::CameraSource;
/// use camreel::codec::jpeg::JpegEncoder;
/// use camreel::net::JpegStreamSource;
/// use camreel::{Image, PixelFormat};
///
/// let jpeg = JpegEncoder::new(camreel::codec::Quality::try_from(80)?)?.encode_image(Image::zeroed(PixelFormat::Grayscale, 32, 16)?.view())?;
/// let mut wire = (jpeg.data().len() as u32).to_le_bytes().to_vec();
/// wire.extend_from_slice(jpeg.data());
/// wire.extend_from_slice(&[0, 0, 0, 0]);
///
/// let mut remote = JpegStreamSource::new(&wire[..])?;
/// let frame = remote.next_frame()?.unwrap();
/// assert_eq!((frame.image.format(), frame.image.size()), (PixelFormat::Jpeg, (32, 16)));
/// assert!(remote.next_frame()?.is_none());
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct JpegStreamSource<R> {
    reader: JpegStreamReader<R>,
    clock: Arc<dyn Clock>,
    format: StreamFormat,
    /// The first frame was read at open time and not delivered yet.
    first_pending: bool,
    /// Arrival time of the last frame read.
    timestamp: Duration,
}

impl<R> std::fmt::Debug for JpegStreamSource<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JpegStreamSource")
            .field("format", &self.format)
            .field("frames", &self.reader.frames())
            .field("bytes", &self.reader.bytes())
            .finish_non_exhaustive()
    }
}

/// Options of a [`JpegStreamSource`]: its clock, its limits and, for
/// [`listen`](Self::listen), the socket's timeouts.
#[derive(Clone)]
#[must_use]
pub struct JpegStreamSourceBuilder {
    clock: Option<Arc<dyn Clock>>,
    limits: Limits,
    tcp: TcpOptions,
}

impl std::fmt::Debug for JpegStreamSourceBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JpegStreamSourceBuilder")
            .field("limits", &self.limits)
            .field("tcp", &self.tcp)
            .finish_non_exhaustive()
    }
}

impl JpegStreamSourceBuilder {
    /// The clock that stamps arrivals (default: a new monotonic clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Largest frame accepted, in bytes and pixels (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Timeouts of the socket [`listen`](Self::listen) accepts (default
    /// [`TcpOptions::default`]).
    pub fn tcp_options(mut self, options: TcpOptions) -> Self {
        self.tcp = options;
        self
    }

    /// A source over `reader`; reads the first frame to learn its size.
    ///
    /// # Errors
    /// [`ErrorKind::EndOfStream`] when the stream ends before its first
    /// frame; what reading the first frame fails with (as
    /// [`CameraSource::next_frame`]).
    pub fn build<R: Read>(self, reader: R) -> Result<JpegStreamSource<R>> {
        let clock = self.clock.unwrap_or_else(MonotonicClock::shared);
        let mut reader = JpegStreamReader::with_limits(reader, self.limits);
        let first = match reader.read_frame()? {
            Some(data) => check_jpeg(data, &self.limits, 0, 0)?,
            None => {
                return Err(Error::new(
                    ErrorKind::EndOfStream,
                    "the sender ended the stream before its first frame",
                ));
            }
        };
        Ok(JpegStreamSource {
            format: StreamFormat::new(PixelFormat::Jpeg, first.0, first.1),
            timestamp: clock.now(),
            reader,
            clock,
            first_pending: true,
        })
    }

    /// Listens on `addr`, accepts one sender and reads its first frame.
    /// Blocks until a sender connects.
    ///
    /// # Errors
    /// What binding, accepting or [`build`](Self::build) fails with.
    pub fn listen(self, addr: &str) -> Result<JpegStreamSource<TcpStream>> {
        let listener = tcp::listen(addr)?;
        let (stream, peer) = tcp::accept(&listener, &self.tcp)?;
        self.build(stream).map_err(|e| e.context(peer))
    }
}

/// Checks that `data` is a JPEG within `limits` and returns its size.
fn check_jpeg(data: &[u8], limits: &Limits, frame: u64, at: u64) -> Result<(u32, u32)> {
    let (w, h) = jpeg::dimensions(data)
        .and_then(|(w, h)| limits.check_dimensions(w, h).map(|()| (w, h)))
        .map_err(|e| e.context(format!("frame {frame} at byte {at}")))?;
    Ok((w, h))
}

impl JpegStreamSource<()> {
    /// A builder with the default clock, limits and socket timeouts.
    pub fn builder() -> JpegStreamSourceBuilder {
        JpegStreamSourceBuilder {
            clock: None,
            limits: Limits::default(),
            tcp: TcpOptions::default(),
        }
    }
}

impl<R: Read> JpegStreamSource<R> {
    /// A source over `reader` with the defaults of
    /// [`builder`](JpegStreamSource::builder); reads the first frame.
    ///
    /// # Errors
    /// As [`JpegStreamSourceBuilder::build`].
    pub fn new(reader: R) -> Result<JpegStreamSource<R>> {
        JpegStreamSource::builder().build(reader)
    }
}

impl JpegStreamSource<TcpStream> {
    /// Listens on `addr` and accepts one sender, with the default options.
    ///
    /// # Errors
    /// As [`JpegStreamSourceBuilder::listen`].
    pub fn listen(addr: &str) -> Result<JpegStreamSource<TcpStream>> {
        JpegStreamSource::builder().listen(addr)
    }

    /// The sender's address.
    ///
    /// # Errors
    /// What the operating system reports for a socket that is gone.
    pub fn peer_addr(&self) -> Result<SocketAddr> {
        self.reader
            .get_ref()
            .peer_addr()
            .map_err(|e| Error::io("the sender's address", e))
    }
}

impl<R> JpegStreamSource<R> {
    /// Frames received completely so far.
    pub fn frames_received(&self) -> u64 {
        self.reader.frames()
    }

    /// Bytes received so far, lengths included.
    pub fn bytes_received(&self) -> u64 {
        self.reader.bytes()
    }

    /// The reader.
    pub fn get_ref(&self) -> &R {
        self.reader.get_ref()
    }

    /// The reader, consuming the source.
    pub fn into_inner(self) -> R {
        self.reader.into_inner()
    }
}

impl<R: Read> CameraSource for JpegStreamSource<R> {
    fn format(&self) -> StreamFormat {
        self.format
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        if !self.first_pending {
            let at = self.reader.bytes();
            let index = self.reader.frames();
            if self.reader.read_frame()?.is_none() {
                return Ok(None);
            }
            let size = check_jpeg(self.reader.last_frame(), self.reader.limits(), index, at)?;
            let expected = (self.format.width, self.format.height);
            if size != expected {
                return Err(Error::new(
                    ErrorKind::InvalidFrameSize,
                    format!(
                        "frame {index} at byte {at}: {}x{} frame in a {}x{} stream",
                        size.0, size.1, expected.0, expected.1
                    ),
                ));
            }
            self.timestamp = self.clock.now();
        }
        self.first_pending = false;
        let (w, h) = (self.format.width, self.format.height);
        let image = ImageRef::new(PixelFormat::Jpeg, w, h, self.reader.last_frame())?;
        Ok(Some(Frame {
            image,
            sequence: self.reader.frames() - 1,
            timestamp: self.timestamp,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::synthetic::SyntheticCamera;
    use crate::clock::ManualClock;
    use crate::net::JpegStreamWriter;
    use crate::sink::FrameSink;

    fn stream(frames: u64, w: u32, h: u32) -> Vec<u8> {
        let mut cam = SyntheticCamera::builder()
            .size(w, h)
            .frame_limit(frames)
            .build()
            .unwrap();
        let mut out = JpegStreamWriter::new(Vec::new(), 75).unwrap();
        while let Some(f) = cam.next_frame().unwrap() {
            out.write_frame(&f).unwrap();
        }
        out.into_inner().unwrap()
    }

    #[test]
    fn delivers_numbered_frames_stamped_on_arrival() {
        let wire = stream(4, 48, 32);
        let clock = ManualClock::shared();
        clock.advance(Duration::from_secs(2));
        let mut src = JpegStreamSource::builder()
            .clock(clock.clone())
            .build(&wire[..])
            .unwrap();
        assert_eq!(src.format(), StreamFormat::new(PixelFormat::Jpeg, 48, 32));
        let mut seen = Vec::new();
        while let Some(f) = src.next_frame().unwrap() {
            assert_eq!(f.image.size(), (48, 32));
            jpeg::decode(f.image.data()).unwrap();
            seen.push((f.sequence, f.timestamp));
            clock.advance(Duration::from_millis(40));
        }
        // The first frame arrived at open time; each later one on its read.
        let ms = |n: u64| Duration::from_millis(2000 + n);
        assert_eq!(seen, [(0, ms(0)), (1, ms(40)), (2, ms(80)), (3, ms(120))]);
        assert!(src.next_frame().unwrap().is_none());
        assert_eq!(src.frames_received(), 4);
        assert_eq!(src.bytes_received(), wire.len() as u64);
    }

    #[test]
    fn refuses_what_is_not_a_camera_stream() {
        let e = JpegStreamSource::new(&[0u8, 0, 0, 0][..]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::EndOfStream);
        let e = JpegStreamSource::new(&[3u8, 0, 0, 0, 1, 2, 3][..]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        assert!(e.to_string().starts_with("frame 0 at byte 0: "), "{e}");

        // A size change mid-stream.
        let mut wire = stream(1, 16, 16);
        wire.truncate(wire.len() - 4);
        let first = wire.len() as u64;
        wire.extend_from_slice(&stream(1, 8, 8));
        let mut src = JpegStreamSource::new(&wire[..]).unwrap();
        src.next_frame().unwrap().unwrap();
        let e = src.next_frame().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        assert_eq!(
            e.to_string(),
            format!("frame 1 at byte {first}: 8x8 frame in a 16x16 stream")
        );

        // Pixel limits apply to the JPEG's header.
        let wire = stream(1, 64, 8);
        let e = JpegStreamSource::builder()
            .limits(Limits {
                max_width: 32,
                ..Limits::default()
            })
            .build(&wire[..])
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    }

    #[test]
    fn a_cut_stream_keeps_the_frames_before_it() {
        let wire = stream(3, 16, 16);
        let cut = &wire[..wire.len() - 10];
        let mut src = JpegStreamSource::new(cut).unwrap();
        assert_eq!(src.next_frame().unwrap().unwrap().sequence, 0);
        assert_eq!(src.next_frame().unwrap().unwrap().sequence, 1);
        let e = src.next_frame().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Truncated);
        assert!(e.to_string().starts_with("frame 2 at byte "), "{e}");
    }
}
