//! [`EncodedSink`]: a [`Write`] output fed frame by frame through an
//! [`Encoder`].

use std::io::Write;

use super::encoder::Encoder;
use crate::error::{Error, Result};
use crate::frame::Frame;
use crate::sink::FrameSink;

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
