//! A frame with its time: the one thing every source delivers and every
//! writer takes.
//!
//! A [`Frame`] is a borrowed image plus the source's sequence number and the
//! capture timestamp. Cameras lend them ([`CameraSource::next_frame`]),
//! replayed recordings produce them, and every [`FrameSink`] (ImageIO, AVI,
//! GIF, PNG sequences, H.264, network outputs) consumes them. Writers derive
//! their own time unit from the timestamps (see [`crate::timing`]); none of
//! them reads a wall clock, so a recording replayed as fast as the disk
//! allows is re-recorded with its original timing.
//!
//! Encoded frames are frames too: an image in a compressed
//! [`PixelFormat`](crate::PixelFormat) (`Jpeg`, `Png`) carries the encoded
//! bytes, which writers that store that encoding pass through unchanged.
//!
//! ```
//! use std::time::Duration;
//! use camreel::frame::{Frame, OwnedFrame};
//! use camreel::{Image, PixelFormat};
//!
//! let image = Image::zeroed(PixelFormat::Grayscale, 4, 2)?;
//! let frame = Frame::new(image.view(), 7, Duration::from_millis(233));
//! let owned: OwnedFrame = frame.to_owned();
//! assert_eq!(owned.as_frame().info(), frame.info());
//! # Ok::<(), camreel::Error>(())
//! ```
//!
//! [`CameraSource::next_frame`]: crate::camera::CameraSource::next_frame
//! [`FrameSink`]: crate::sink::FrameSink

use std::time::Duration;

use crate::image::{Image, ImageRef};

/// One frame and its time: lent by a [`CameraSource`](crate::camera::CameraSource) (valid until
/// the next call on the source) or built by a caller to feed a [`FrameSink`](crate::sink::FrameSink).
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// The pixels, cut to the bytes the device filled.
    pub image: ImageRef<'a>,
    /// Frame number as the source counts them: a gap means frames were dropped.
    pub sequence: u64,
    /// Capture time on the source's clock.
    pub timestamp: Duration,
}

impl<'a> Frame<'a> {
    /// A frame of `image`, numbered `sequence`, captured at `timestamp`.
    pub fn new(image: ImageRef<'a>, sequence: u64, timestamp: Duration) -> Frame<'a> {
        Frame {
            image,
            sequence,
            timestamp,
        }
    }

    /// An owned copy of the frame.
    pub fn to_owned(&self) -> OwnedFrame {
        OwnedFrame {
            image: self.image.to_image(),
            sequence: self.sequence,
            timestamp: self.timestamp,
        }
    }

    /// The sequence number and timestamp.
    pub fn info(&self) -> FrameInfo {
        FrameInfo {
            sequence: self.sequence,
            timestamp: self.timestamp,
        }
    }
}

/// A frame that owns its pixels (from [`CameraSource::frames`](crate::camera::CameraSource::frames) or [`Frame::to_owned`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedFrame {
    /// The pixels, tightly packed.
    pub image: Image,
    /// Frame number as the source counts them.
    pub sequence: u64,
    /// Capture time on the source's clock.
    pub timestamp: Duration,
}

impl OwnedFrame {
    /// A frame owning `image`, numbered `sequence`, captured at `timestamp`.
    pub fn new(image: Image, sequence: u64, timestamp: Duration) -> OwnedFrame {
        OwnedFrame {
            image,
            sequence,
            timestamp,
        }
    }

    /// Borrows the frame as a [`Frame`].
    pub fn as_frame(&self) -> Frame<'_> {
        Frame {
            image: self.image.view(),
            sequence: self.sequence,
            timestamp: self.timestamp,
        }
    }
}

/// Sequence number and timestamp of a frame copied by
/// [`CameraSource::next_frame_into`](crate::camera::CameraSource::next_frame_into).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameInfo {
    /// Frame number as the source counts them.
    pub sequence: u64,
    /// Capture time on the source's clock.
    pub timestamp: Duration,
}
