//! Frame outputs: the [`FrameSink`] trait every writer implements.
//!
//! One recording loop feeds any output: an ImageIO stream, a Motion-JPEG
//! AVI, a GIF, a PNG sequence, an encoded capture stream, a splitter port.
//! Each writer takes the same thing, a [`Frame`] (image + sequence number +
//! capture timestamp), and derives its own time unit from the timestamps
//! (see [`crate::timing`]).
//!
//! # For users
//!
//! Write frames with [`FrameSink::write_frame`]; call [`FrameSink::finish`]
//! when done (it writes the trailer or index; dropping a writer does it too,
//! best effort, ignoring errors). A writer's own `into_inner` finishes it and
//! gives back what it wrapped (the file or buffer), or an
//! [`IntoInnerError`] that keeps the writer if finishing failed. Generic code
//! takes `impl FrameSink` or `&mut dyn FrameSink`; `&mut S` and `Box<S>` are
//! sinks too, so a caller keeps ownership and finishes when it chooses.
//!
//! ```
//! use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
//! use camreel::sink::FrameSink;
//!
//! /// A custom output: counts frames and remembers the last timestamp.
//! #[derive(Default)]
//! struct Counter {
//!     frames: u64,
//!     last: std::time::Duration,
//! }
//!
//! impl FrameSink for Counter {
//!     fn write_frame(&mut self, frame: &camreel::frame::Frame<'_>) -> camreel::Result<()> {
//!         self.frames += 1;
//!         self.last = frame.timestamp;
//!         Ok(())
//!     }
//! }
//!
//! let mut camera = SyntheticCamera::builder().size(32, 24).frame_limit(5).build()?;
//! let mut counter = Counter::default();
//! while let Some(frame) = camera.next_frame()? {
//!     counter.write_frame(&frame)?;
//! }
//! counter.finish()?;
//! assert_eq!(counter.frames, 5);
//! # Ok::<(), camreel::Error>(())
//! ```
//!
//! # For sink authors
//!
//! Implement [`FrameSink::write_frame`]; override [`FrameSink::sync`] if
//! the output can be made durable part way (flush, rewrite a header) and
//! [`FrameSink::finish`] if it has a trailer or index. `finish` runs once:
//! later calls return `Ok(())`, and a `write_frame` after it fails with
//! [`ErrorKind::Finished`]. A frame that cannot be written must leave what
//! was written before intact. Time frames by [`Frame::timestamp`], never by
//! the wall clock.

mod bytes;
mod sequence;

use std::fmt;

pub(crate) use bytes::ByteOutput;
pub use sequence::{ImageSequence, SequencePattern};

use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;

/// A frame output. See the [module docs](self).
///
/// Object safe: `Box<dyn FrameSink>` and `&mut dyn FrameSink` are sinks too.
pub trait FrameSink {
    /// Writes one frame.
    ///
    /// # Errors
    /// [`ErrorKind::Finished`] after [`FrameSink::finish`]; whatever the
    /// output fails with (a format it cannot store, an I/O error). A refused
    /// frame leaves the frames already written intact.
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()>;

    /// Makes the frames written so far durable and, where the format allows,
    /// playable (flushes buffers, rewrites headers). The default does
    /// nothing.
    ///
    /// # Errors
    /// I/O errors.
    fn sync(&mut self) -> Result<()> {
        Ok(())
    }

    /// Completes the output: writes its trailer or index and flushes it.
    /// Runs once; later calls return `Ok(())`. The default does nothing.
    ///
    /// # Errors
    /// I/O errors; the frames written before stay where they are.
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

#[deny(clippy::missing_trait_methods)]
impl<S: FrameSink + ?Sized> FrameSink for &mut S {
    #[inline]
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        S::write_frame(self, frame)
    }

    #[inline]
    fn sync(&mut self) -> Result<()> {
        S::sync(self)
    }

    #[inline]
    fn finish(&mut self) -> Result<()> {
        S::finish(self)
    }
}

#[deny(clippy::missing_trait_methods)]
impl<S: FrameSink + ?Sized> FrameSink for Box<S> {
    #[inline]
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        S::write_frame(self, frame)
    }

    #[inline]
    fn sync(&mut self) -> Result<()> {
        S::sync(self)
    }

    #[inline]
    fn finish(&mut self) -> Result<()> {
        S::finish(self)
    }
}

/// The error of a writer's `into_inner`: why finishing failed, and the
/// writer itself, so nothing is lost (as csv's `IntoInnerError`).
///
/// Converts into [`Error`] with `?`.
pub struct IntoInnerError<S> {
    error: Error,
    sink: Box<S>,
}

impl<S> IntoInnerError<S> {
    /// Pairs `error` with the `sink` that failed to finish.
    pub fn new(error: Error, sink: S) -> IntoInnerError<S> {
        IntoInnerError {
            error,
            sink: Box::new(sink),
        }
    }

    /// Why finishing failed.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The error, dropping the sink.
    pub fn into_error(self) -> Error {
        self.error
    }

    /// The sink, dropping the error.
    pub fn into_sink(self) -> S {
        *self.sink
    }

    /// The error and the sink.
    pub fn into_parts(self) -> (Error, S) {
        (self.error, *self.sink)
    }
}

impl<S> fmt::Debug for IntoInnerError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoInnerError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<S> fmt::Display for IntoInnerError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<S> std::error::Error for IntoInnerError<S> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<S> From<IntoInnerError<S>> for Error {
    fn from(e: IntoInnerError<S>) -> Error {
        e.error
    }
}

/// The error of a write to a sink that was already finished.
pub(crate) fn finished(what: &str) -> Error {
    Error::new(
        ErrorKind::Finished,
        format!("{what} was already finished: frames cannot be added after finish"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::{Image, PixelFormat};
    use std::time::Duration;

    #[derive(Default)]
    struct Log {
        written: Vec<u64>,
        syncs: u32,
        finished: bool,
    }

    impl FrameSink for Log {
        fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
            if self.finished {
                return Err(finished("the log"));
            }
            self.written.push(frame.sequence);
            Ok(())
        }
        fn sync(&mut self) -> Result<()> {
            self.syncs += 1;
            Ok(())
        }
        fn finish(&mut self) -> Result<()> {
            self.finished = true;
            Ok(())
        }
    }

    #[test]
    fn forwarding_impls_reach_the_sink() {
        let image = Image::zeroed(PixelFormat::Grayscale, 2, 2).unwrap();
        let mut log = Log::default();
        {
            let by_ref: &mut Log = &mut log;
            by_ref
                .write_frame(&Frame::new(image.view(), 1, Duration::ZERO))
                .unwrap();
            by_ref.sync().unwrap();
            let mut boxed: Box<dyn FrameSink + '_> = Box::new(by_ref);
            boxed
                .write_frame(&Frame::new(image.view(), 2, Duration::ZERO))
                .unwrap();
            boxed.sync().unwrap();
            boxed.finish().unwrap();
            let err = boxed
                .write_frame(&Frame::new(image.view(), 3, Duration::ZERO))
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Finished);
            assert!(err.to_string().contains("already finished"), "{err}");
        }
        assert_eq!(log.written, [1, 2]);
        assert_eq!(log.syncs, 2);
        assert!(log.finished);
    }

    #[test]
    fn into_inner_error_keeps_the_sink() {
        let e = IntoInnerError::new(Error::new(ErrorKind::Io, "disk full"), vec![1u8, 2]);
        assert_eq!(e.to_string(), "disk full");
        assert_eq!(e.error().kind(), ErrorKind::Io);
        let (err, sink) = e.into_parts();
        assert_eq!(sink, [1, 2]);
        let back: Error = IntoInnerError::new(err, ()).into();
        assert_eq!(back.kind(), ErrorKind::Io);
    }
}
