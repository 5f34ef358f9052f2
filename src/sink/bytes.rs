//! [`ByteOutput`]: what the writers that put each frame's bytes straight on
//! a [`Write`] share (a motion-JPEG stream, an Annex B stream, picamera's
//! length-prefixed stream): the writer, the counters, the finished state,
//! and one way to write, flush, finish and give the writer back.

use std::io::{IoSlice, Write};

use crate::error::{Error, Result};
use crate::io_util::write_all_vectored;

/// A [`Write`] with frame and byte counters that is finished once.
#[derive(Debug)]
pub(crate) struct ByteOutput<W> {
    /// `None` only after [`ByteOutput::take`].
    writer: Option<W>,
    frames: u64,
    bytes: u64,
    finished: bool,
    /// What the output is, for messages ("the h.264 writer").
    what: &'static str,
}

impl<W: Write> ByteOutput<W> {
    /// An output into `writer`, named `what` in messages.
    pub(crate) fn new(writer: W, what: &'static str) -> ByteOutput<W> {
        ByteOutput {
            writer: Some(writer),
            frames: 0,
            bytes: 0,
            finished: false,
            what,
        }
    }

    /// Frames written.
    pub(crate) fn frames(&self) -> u64 {
        self.frames
    }

    /// Bytes written.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The writer (`None` once taken).
    pub(crate) fn get_ref(&self) -> Option<&W> {
        self.writer.as_ref()
    }

    /// The writer, mutably (`None` once taken).
    pub(crate) fn get_mut(&mut self) -> Option<&mut W> {
        self.writer.as_mut()
    }

    /// Whether [`ByteOutput::finish`] ran.
    pub(crate) fn is_finished(&self) -> bool {
        self.finished
    }

    /// [`ErrorKind::Finished`](crate::ErrorKind::Finished) once finished.
    pub(crate) fn check_open(&self) -> Result<()> {
        if self.finished || self.writer.is_none() {
            return Err(crate::sink::finished(self.what));
        }
        Ok(())
    }

    /// Writes one frame made of `parts` with one vectored write (`flush`:
    /// and flushes, so that a receiver sees it at once); counts it.
    /// `failed` names the frame in an I/O error ("writing frame 3").
    pub(crate) fn write_frame<const N: usize>(
        &mut self,
        parts: [&[u8]; N],
        flush: bool,
        failed: impl FnOnce() -> String,
    ) -> Result<()> {
        let Some(w) = self.writer.as_mut().filter(|_| !self.finished) else {
            return Err(crate::sink::finished(self.what));
        };
        // An array, not a Vec: no allocation per frame.
        let mut slices = parts.map(IoSlice::new);
        write_all_vectored(w, &mut slices)
            .and_then(|()| if flush { w.flush() } else { Ok(()) })
            .map_err(|e| Error::io(failed(), e))?;
        self.frames += 1;
        self.bytes += parts.iter().map(|p| p.len() as u64).sum::<u64>();
        Ok(())
    }

    /// Flushes the writer (nothing once it was taken).
    pub(crate) fn flush(&mut self) -> Result<()> {
        match self.writer.as_mut() {
            Some(w) => w
                .flush()
                .map_err(|e| Error::io(format!("flushing {}", self.what), e)),
            None => Ok(()),
        }
    }

    /// Writes `tail` (the end of the stream, if it has one) and flushes,
    /// once; later calls do nothing.
    pub(crate) fn finish(&mut self, tail: &[u8]) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        if let Some(w) = self.writer.as_mut()
            && !tail.is_empty()
        {
            w.write_all(tail)
                .map_err(|e| Error::io(format!("ending {}", self.what), e))?;
            self.bytes += tail.len() as u64;
        }
        self.flush()?;
        self.finished = true;
        Ok(())
    }

    /// Gives the writer back (finish first); `Finished` if it was taken.
    pub(crate) fn take(&mut self) -> Result<W> {
        self.writer
            .take()
            .ok_or_else(|| crate::sink::finished(self.what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn counts_finishes_once_and_refuses_after() {
        let mut out = ByteOutput::new(Vec::new(), "the test stream");
        out.write_frame([b"ab", b"cde"], false, || "writing frame 0".into())
            .unwrap();
        assert_eq!((out.frames(), out.bytes()), (1, 5));
        out.finish(&[0; 4]).unwrap();
        out.finish(&[0; 4]).unwrap();
        assert_eq!(out.bytes(), 9);
        let e = out
            .write_frame([b"x"], false, || "writing frame 1".into())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Finished);
        assert_eq!(out.take().unwrap(), b"abcde\0\0\0\0");
        assert_eq!(out.take().unwrap_err().kind(), ErrorKind::Finished);
    }
}
