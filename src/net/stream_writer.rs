//! Writing the length-prefixed JPEG stream: a [`FrameSink`] over any [`Write`].

use std::io::Write;

use crate::capture::{Encoder, JpegCapture};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::sink::{ByteOutput, FrameSink, IntoInnerError, finished};

/// Sends frames as picamera's network stream: each frame a little-endian
/// `u32` length then that many JPEG bytes; [`finish`](FrameSink::finish)
/// writes the zero length that ends the stream.
///
/// Frames already in JPEG (an MJPEG camera's, a [`JpegStreamSource`]'s) pass
/// through unchanged; others are encoded by a [`JpegCapture`]. Each frame
/// goes out with one vectored write and a flush, so the receiver sees it at
/// once even through a `BufWriter`. Dropping the writer finishes it,
/// ignoring errors; call `finish` or [`into_inner`](Self::into_inner) to
/// see them. A frame written after `finish` fails with
/// [`ErrorKind::Finished`].
///
/// [`JpegStreamSource`]: super::JpegStreamSource
///
/// ```no_run
/// use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
/// use camreel::sink::FrameSink;
/// use camreel::net::{JpegStreamWriter, tcp};
///
/// let socket = tcp::connect("192.168.1.20:8000", &tcp::TcpOptions::default())?;
/// let mut stream = JpegStreamWriter::new(socket, 85)?;
/// let mut camera = SyntheticCamera::builder().size(640, 480).fps(30.0).frame_limit(300).build()?;
/// while let Some(frame) = camera.next_frame()? {
///     stream.write_frame(&frame)?;
/// }
/// stream.finish()?;
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Debug)]
pub struct JpegStreamWriter<W: Write> {
    out: ByteOutput<W>,
    encoder: JpegCapture,
    buf: Vec<u8>,
}

impl<W: Write> JpegStreamWriter<W> {
    /// A stream into `writer`, encoding non-JPEG frames at `quality` (1-100).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a quality outside 1-100.
    pub fn new(writer: W, quality: u8) -> Result<JpegStreamWriter<W>> {
        Ok(JpegStreamWriter::with_encoder(
            writer,
            JpegCapture::new(quality)?,
        ))
    }

    /// A stream into `writer` encoding with `encoder` (its subsampling,
    /// backend, ... as set there).
    pub fn with_encoder(writer: W, encoder: JpegCapture) -> JpegStreamWriter<W> {
        JpegStreamWriter {
            out: ByteOutput::new(writer, "the stream"),
            encoder,
            buf: Vec::new(),
        }
    }

    /// Frames written.
    pub fn frames(&self) -> u64 {
        self.out.frames()
    }

    /// Bytes written, lengths included.
    pub fn bytes(&self) -> u64 {
        self.out.bytes()
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        self.out
            .get_ref()
            .expect("the writer is present until into_inner")
    }

    /// The writer, mutably (writing to it directly corrupts the stream).
    pub fn get_mut(&mut self) -> &mut W {
        self.out
            .get_mut()
            .expect("the writer is present until into_inner")
    }

    /// Finishes the stream (the zero length) and returns the writer.
    ///
    /// # Errors
    /// What writing the end of the stream fails with, with the stream writer.
    pub fn into_inner(mut self) -> Result<W, IntoInnerError<JpegStreamWriter<W>>> {
        match self.finish().and_then(|()| self.out.take()) {
            Ok(w) => Ok(w),
            Err(e) => Err(IntoInnerError::new(e, self)),
        }
    }
}

impl<W: Write> FrameSink for JpegStreamWriter<W> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        if self.out.is_finished() {
            return Err(finished("the stream").context(format!("frame {}", frame.sequence)));
        }
        self.buf.clear();
        self.encoder
            .encode(frame.image, &mut self.buf)
            .map_err(|e| e.context(format!("frame {}", frame.sequence)))?;
        let len = u32::try_from(self.buf.len()).map_err(|_| {
            Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "frame {}: a {}-byte JPEG does not fit the stream's 32-bit length",
                    frame.sequence,
                    self.buf.len()
                ),
            )
        })?;
        let head = len.to_le_bytes();
        self.out.write_frame([&head, &self.buf], true, || {
            format!("sending frame {}", frame.sequence)
        })
    }

    /// Flushes the writer.
    fn sync(&mut self) -> Result<()> {
        self.out.flush()
    }

    /// Writes the zero length that ends the stream, and flushes.
    fn finish(&mut self) -> Result<()> {
        self.out.finish(&[0; 4])
    }
}

impl<W: Write> Drop for JpegStreamWriter<W> {
    fn drop(&mut self) {
        if self.out.get_ref().is_some() {
            let _ = self.out.finish(&[0; 4]);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::codec::jpeg;
    use crate::image::{Image, PixelFormat};

    fn frame(image: &Image, sequence: u64) -> Frame<'_> {
        Frame {
            image: image.view(),
            sequence,
            timestamp: Duration::from_millis(sequence * 33),
        }
    }

    #[test]
    fn jpeg_passes_through_and_others_are_encoded() {
        let rgb = Image::zeroed(PixelFormat::Rgb565, 16, 8).unwrap();
        let encoded = jpeg::JpegEncoder::new(crate::codec::Quality::try_from(90).unwrap())
            .unwrap()
            .encode_image(Image::zeroed(PixelFormat::Rgb888, 24, 16).unwrap().view())
            .unwrap();
        let mut w = JpegStreamWriter::new(Vec::new(), 70).unwrap();
        w.write_frame(&frame(&encoded, 0)).unwrap();
        w.write_frame(&frame(&rgb, 1)).unwrap();
        assert_eq!(w.frames(), 2);
        let bytes = w.bytes();
        let out = w.into_inner().unwrap();
        assert_eq!(out.len() as u64, bytes + 4);

        let n0 = u32::from_le_bytes(out[..4].try_into().unwrap()) as usize;
        assert_eq!(&out[4..4 + n0], encoded.data());
        let rest = &out[4 + n0..];
        let n1 = u32::from_le_bytes(rest[..4].try_into().unwrap()) as usize;
        assert_eq!(jpeg::dimensions(&rest[4..4 + n1]).unwrap(), (16, 8));
        assert_eq!(&rest[4 + n1..], &[0, 0, 0, 0]);
    }

    #[test]
    fn finish_is_idempotent_and_later_frames_fail() {
        let img = Image::zeroed(PixelFormat::Grayscale, 8, 8).unwrap();
        let mut w = JpegStreamWriter::new(Vec::new(), 50).unwrap();
        w.finish().unwrap();
        w.finish().unwrap();
        let e = w.write_frame(&frame(&img, 3)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Finished);
        assert!(
            e.to_string()
                .starts_with("frame 3: the stream was already finished"),
            "{e}"
        );
        assert_eq!(w.get_ref(), &[0, 0, 0, 0]);
        assert!(JpegStreamWriter::new(Vec::new(), 0).is_err());
    }

    #[test]
    fn drop_ends_the_stream() {
        let img = Image::zeroed(PixelFormat::Grayscale, 8, 8).unwrap();
        let mut out = Vec::new();
        {
            let mut w = JpegStreamWriter::new(&mut out, 50).unwrap();
            w.write_frame(&frame(&img, 0)).unwrap();
        }
        assert_eq!(&out[out.len() - 4..], &[0, 0, 0, 0]);
        assert!(out.len() > 8);
    }

    /// Refuses every write.
    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_peer_is_disconnected() {
        let img = Image::zeroed(PixelFormat::Grayscale, 8, 8).unwrap();
        let mut w = JpegStreamWriter::new(Closed, 50).unwrap();
        let e = w.write_frame(&frame(&img, 7)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Disconnected);
        assert!(e.to_string().starts_with("sending frame 7: "), "{e}");
        assert_eq!(w.frames(), 0);
    }
}
