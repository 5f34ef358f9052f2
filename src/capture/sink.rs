//! [`EncodedSink`]: a [`Write`] output fed frame by frame through an
//! [`Encoder`].

use std::io::Write;

use super::encoder::Encoder;
use crate::error::{Error, Result};
use crate::frame::Frame;
use crate::sink::{self, FrameSink, IntoInnerError};

/// A [`Write`] output fed by an [`Encoder`]: each frame is encoded and
/// written with one `write_all`, so a custom writer sees whole frames.
/// `sync` and `finish` flush the writer; after `finish` frames are refused
/// with [`ErrorKind::Finished`](crate::ErrorKind::Finished).
///
/// ```
/// use camreel::camera::synthetic::SyntheticCamera;
/// use camreel::capture::{CaptureExt, EncodedSink, RawEncoder};
///
/// let mut camera = SyntheticCamera::builder().size(8, 4).frame_limit(3).build()?;
/// let mut sink = EncodedSink::new(Vec::new(), RawEncoder);
/// camera.record(&mut sink, None)?;
/// assert_eq!((sink.frames(), sink.bytes()), (3, 3 * 8 * 4 * 3));
/// let bytes: Vec<u8> = sink.into_inner()?;
/// assert_eq!(bytes.len(), 288);
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Debug)]
pub struct EncodedSink<W, E> {
    writer: W,
    encoder: E,
    buf: Vec<u8>,
    frames: u64,
    bytes: u64,
    finished: bool,
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
            finished: false,
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

    /// Finishes the sink (flushes the writer) and returns the writer.
    ///
    /// # Errors
    /// The flush's error, with the sink.
    pub fn into_inner(mut self) -> std::result::Result<W, IntoInnerError<EncodedSink<W, E>>> {
        match FrameSink::finish(&mut self) {
            Ok(()) => Ok(self.writer),
            Err(e) => Err(IntoInnerError::new(e, self)),
        }
    }
}

impl<W: Write, E: Encoder> FrameSink for EncodedSink<W, E> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        if self.finished {
            return Err(sink::finished("the encoded sink"));
        }
        self.buf.clear();
        self.encoder.encode(frame.image, &mut self.buf)?;
        self.writer
            .write_all(&self.buf)
            .map_err(|e| Error::io(format!("writing frame {}", frame.sequence), e))?;
        self.frames += 1;
        self.bytes += self.buf.len() as u64;
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        self.writer
            .flush()
            .map_err(|e| Error::io("flushing the output", e))
    }

    fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.sync()?;
        self.finished = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::RawEncoder;
    use crate::error::ErrorKind;
    use crate::image::{Image, PixelFormat};
    use std::time::Duration;

    /// Counts flushes; fails them when asked to.
    #[derive(Debug, Default)]
    struct Flushes {
        data: Vec<u8>,
        flushes: u32,
        fail: bool,
    }

    impl Write for Flushes {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.data.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            if self.fail {
                return Err(std::io::Error::other("disk full"));
            }
            self.flushes += 1;
            Ok(())
        }
    }

    #[test]
    fn finish_flushes_once_and_refuses_later_frames() {
        let image = Image::zeroed(PixelFormat::Grayscale, 2, 2).unwrap();
        let frame = Frame::new(image.view(), 0, Duration::ZERO);
        let mut sink = EncodedSink::new(Flushes::default(), RawEncoder);
        sink.write_frame(&frame).unwrap();
        sink.sync().unwrap();
        sink.finish().unwrap();
        sink.finish().unwrap();
        assert_eq!(sink.get_ref().flushes, 2);
        let e = sink.write_frame(&frame).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Finished);
        assert_eq!(sink.frames(), 1);
        assert_eq!(sink.into_inner().unwrap().data, [0; 4]);
        // A failed flush gives the sink back.
        let failing = Flushes {
            fail: true,
            ..Flushes::default()
        };
        let e = EncodedSink::new(failing, RawEncoder)
            .into_inner()
            .unwrap_err();
        assert_eq!(e.to_string(), "flushing the output: disk full");
        assert_eq!(e.into_sink().frames(), 0);
    }
}
