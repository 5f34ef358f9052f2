//! Cameras: the [`CameraSource`] trait and its backends.
//!
//! A camera source reports the format it negotiated ([`StreamFormat`]) and
//! lends one [`Frame`] at a time. The same application code runs on every
//! backend:
//!
//! | backend | type | built |
//! |---|---|---|
//! | synthetic scene (no hardware) | [`synthetic::SyntheticCamera`] | always |
//! | an ImageIO recording (`.bin`) | [`replay::ReplayCamera`] | always |
//! | V4L2 device `/dev/videoN` | `v4l2::V4l2Source` | feature `v4l2`, Linux |
//! | Raspberry Pi camera (its V4L2 node; LED and GPIO trigger in [`rpi`]) | `v4l2::V4l2Source` on `/dev/video0` | feature `rpi`, Linux |
//!
//! picamera's capture layouts (`'yuv'`, `'rgb'`, JPEG + raw Bayer) over any
//! of these, and an emulator that needs no Pi, are
//! [`capture::picamera`](crate::capture::picamera).
//!
//! [`open`] picks a backend at run time from a string such as `synthetic`,
//! `replay:clip.bin`, `v4l2:/dev/video0` or `rpi`, and returns a `Box<dyn CameraSource + Send>`.
//!
//! # For users
//!
//! Call [`CameraSource::next_frame`] in a loop. The frame borrows the source:
//! with a V4L2 backend it is the driver's mmap buffer, handed back to the
//! driver when the next frame is requested, so the borrow checker stops you
//! from keeping it too long. Copy it ([`Frame::to_owned`]) or use
//! [`CameraSource::next_frame_into`] (reuses your buffer) or the
//! [`CameraSource::frames`] iterator (owned frames) when you need to keep
//! frames around.
//!
//! ```
//! use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
//! use camreel::PixelFormat;
//!
//! let mut cam = SyntheticCamera::builder()
//!     .size(64, 48)
//!     .format(PixelFormat::Rgb888)
//!     .frame_limit(3)
//!     .build()?;
//! assert_eq!(cam.format().width, 64);
//! while let Some(frame) = cam.next_frame()? {
//!     assert_eq!(frame.image.data().len(), 64 * 48 * 3);
//!     println!("frame {} at {:?}", frame.sequence, frame.timestamp);
//! }
//! # Ok::<(), camreel::Error>(())
//! ```
//!
//! Errors carry an [`ErrorKind`](crate::ErrorKind) generic code can act on:
//! `Timeout` (no frame in time; trying again may work), `Disconnected` (the
//! device went away; reopen it), `BackendUnavailable` (the backend is not
//! compiled in; the message names the cargo feature to enable).
//!
//! # For backend authors
//!
//! Configuration (size, format, rate, controls) belongs in the backend's
//! builder; the trait does I/O only. Implement [`CameraSource::format`] to
//! report what the device actually chose, and [`CameraSource::next_frame`] to
//! return a [`Frame`] whose image is cut to the bytes the device filled
//! (V4L2's `bytesused`), numbered with a sequence that increases by one per
//! delivered frame (gaps mean dropped frames) and stamped with the capture time
//! on the backend's clock. Return `Ok(None)` when the source has no more
//! frames (end of a replayed file, a frame limit), and map device errors to
//! [`ErrorKind`](crate::ErrorKind)s. The other methods have default
//! implementations.

use std::time::Duration;

use crate::error::Result;
use crate::image::{Image, PixelFormat};

pub use crate::frame::{Frame, FrameInfo, OwnedFrame};

mod open;
pub mod replay;
pub mod rpi;
pub mod synthetic;
pub mod v4l2;

pub use open::{SourceConfig, open};

/// The format a source delivers, as negotiated with the device.
///
/// ```
/// use camreel::camera::StreamFormat;
/// use camreel::PixelFormat;
/// let f = StreamFormat::new(PixelFormat::Yuv422, 640, 480).with_fps(30.0);
/// assert_eq!(f.frame_interval(), Some(std::time::Duration::from_micros(33_333)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StreamFormat {
    /// Pixel format of the frames.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Frames per second the source is paced at, or `None` if it runs as
    /// fast as it can (or the device does not say).
    pub fps: Option<f64>,
}

impl StreamFormat {
    /// A free-running format of `width` x `height` in `format`.
    pub fn new(format: PixelFormat, width: u32, height: u32) -> StreamFormat {
        StreamFormat {
            format,
            width,
            height,
            fps: None,
        }
    }

    /// The same format paced at `fps` frames per second.
    #[must_use]
    pub fn with_fps(mut self, fps: f64) -> StreamFormat {
        self.fps = Some(fps);
        self
    }

    /// Time between two frames at the paced rate (rounded to the microsecond).
    pub fn frame_interval(&self) -> Option<Duration> {
        self.fps
            .filter(|f| f.is_finite() && *f > 0.0)
            .map(|f| Duration::from_micros((1e6 / f) as u64))
    }
}

/// A camera: something that delivers frames. See the [module docs](self).
///
/// Object safe: `Box<dyn CameraSource>` implements the trait too.
pub trait CameraSource {
    /// The negotiated format: what the device chose, which may differ from
    /// what was asked for.
    fn format(&self) -> StreamFormat;

    /// Waits for the next frame and lends it; `Ok(None)` when the source has
    /// no more frames.
    ///
    /// # Errors
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) when no frame came in
    /// time, [`ErrorKind::Disconnected`](crate::ErrorKind::Disconnected) when
    /// the device went away, and whatever the backend reads or converts.
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>>;

    /// Copies the next frame into `image`, reusing its allocation, and
    /// returns its sequence number and timestamp (`Ok(None)` at the end).
    ///
    /// # Errors
    /// As [`CameraSource::next_frame`].
    fn next_frame_into(&mut self, image: &mut Image) -> Result<Option<FrameInfo>> {
        match self.next_frame()? {
            Some(frame) => {
                frame.image.copy_into(image);
                Ok(Some(frame.info()))
            }
            None => Ok(None),
        }
    }

    /// An iterator of owned frames. It ends after the source ends or after
    /// the first error (which it yields).
    fn frames(&mut self) -> Frames<'_, Self>
    where
        Self: Sized,
    {
        Frames {
            source: self,
            done: false,
        }
    }
}

/// Iterator over owned frames of a source, from [`CameraSource::frames`].
#[derive(Debug)]
pub struct Frames<'a, S: ?Sized> {
    source: &'a mut S,
    done: bool,
}

/// Ends for good: after the source ended or after the error it yielded.
impl<S: CameraSource + ?Sized> std::iter::FusedIterator for Frames<'_, S> {}

impl<S: CameraSource + ?Sized> Iterator for Frames<'_, S> {
    type Item = Result<OwnedFrame>;

    fn next(&mut self) -> Option<Result<OwnedFrame>> {
        if self.done {
            return None;
        }
        match self.source.next_frame() {
            Ok(Some(frame)) => Some(Ok(frame.to_owned())),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[deny(clippy::missing_trait_methods)]
impl<S: CameraSource + ?Sized> CameraSource for &mut S {
    #[inline]
    fn format(&self) -> StreamFormat {
        S::format(self)
    }

    #[inline]
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        S::next_frame(self)
    }

    #[inline]
    fn next_frame_into(&mut self, image: &mut Image) -> Result<Option<FrameInfo>> {
        S::next_frame_into(self, image)
    }

    fn frames(&mut self) -> Frames<'_, Self>
    where
        Self: Sized,
    {
        Frames {
            source: self,
            done: false,
        }
    }
}

#[deny(clippy::missing_trait_methods)]
impl<S: CameraSource + ?Sized> CameraSource for Box<S> {
    #[inline]
    fn format(&self) -> StreamFormat {
        S::format(self)
    }

    #[inline]
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        S::next_frame(self)
    }

    #[inline]
    fn next_frame_into(&mut self, image: &mut Image) -> Result<Option<FrameInfo>> {
        S::next_frame_into(self, image)
    }

    fn frames(&mut self) -> Frames<'_, Self>
    where
        Self: Sized,
    {
        Frames {
            source: self,
            done: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::synthetic::SyntheticCamera;
    use crate::error::{Error, ErrorKind};

    /// A source that fails on its third frame.
    struct Failing {
        n: u64,
        image: Image,
    }

    impl CameraSource for Failing {
        fn format(&self) -> StreamFormat {
            StreamFormat::new(PixelFormat::Grayscale, 2, 2)
        }
        fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
            self.n += 1;
            if self.n == 3 {
                return Err(Error::new(ErrorKind::Disconnected, "unplugged"));
            }
            self.image.data_mut()[0] = self.n as u8;
            Ok(Some(Frame {
                image: self.image.view(),
                sequence: self.n,
                timestamp: Duration::from_millis(self.n),
            }))
        }
    }

    #[test]
    fn frames_iterator_ends_after_error() {
        let mut src = Failing {
            n: 0,
            image: Image::zeroed(PixelFormat::Grayscale, 2, 2).unwrap(),
        };
        let got: Vec<_> = src.frames().collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].as_ref().unwrap().image.data()[0], 1);
        assert_eq!(got[1].as_ref().unwrap().sequence, 2);
        assert_eq!(got[2].as_ref().unwrap_err().kind(), ErrorKind::Disconnected);
        // Fused: after the error the source is not asked again.
        fn fused<I: std::iter::FusedIterator>(i: I) -> I {
            i
        }
        let mut src = Failing {
            n: 0,
            image: Image::zeroed(PixelFormat::Grayscale, 2, 2).unwrap(),
        };
        let mut frames = fused(src.frames());
        assert_eq!(frames.by_ref().count(), 3);
        assert!(frames.next().is_none() && frames.next().is_none());
        assert_eq!(src.n, 3);
    }

    #[test]
    fn boxed_dyn_and_mut_ref_forward() {
        let cam = SyntheticCamera::builder()
            .size(8, 4)
            .frame_limit(2)
            .build()
            .unwrap();
        let mut boxed: Box<dyn CameraSource + Send> = Box::new(cam);
        assert_eq!(boxed.format().width, 8);
        let mut img = Image::empty();
        let info = boxed.next_frame_into(&mut img).unwrap().unwrap();
        assert_eq!(info.sequence, 0);
        assert_eq!(img.size(), (8, 4));
        {
            let mut by_ref = &mut boxed;
            // The `&mut S` forwarding impl, explicitly.
            let frames: Vec<_> =
                <&mut Box<dyn CameraSource + Send> as CameraSource>::frames(&mut by_ref)
                    .collect::<Result<_>>()
                    .unwrap();
            assert_eq!(frames.len(), 1);
            assert_eq!(frames[0].sequence, 1);
            assert!(by_ref.next_frame().unwrap().is_none());
        }
    }

    #[test]
    fn stream_format_interval() {
        let f = StreamFormat::new(PixelFormat::Jpeg, 1, 1);
        assert_eq!(f.frame_interval(), None);
        assert_eq!(
            f.with_fps(25.0).frame_interval(),
            Some(Duration::from_millis(40))
        );
        assert_eq!(f.with_fps(0.0).frame_interval(), None);
    }
}
