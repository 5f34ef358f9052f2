//! [`Continuous`], the iterator of [`CaptureExt::capture_continuous`], and
//! the [`Capture`] it yields.
//!
//! [`CaptureExt::capture_continuous`]: super::CaptureExt::capture_continuous

use std::iter::FusedIterator;

use super::encoder::Encoder;
use crate::camera::{CameraSource, FrameInfo};
use crate::error::Result;

/// One encoded capture from [`CaptureExt::capture_continuous`](super::CaptureExt::capture_continuous).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capture {
    /// Sequence number and timestamp of the frame.
    pub info: FrameInfo,
    /// The encoded bytes.
    pub data: Vec<u8>,
}

/// The iterator of [`CaptureExt::capture_continuous`](super::CaptureExt::capture_continuous).
#[derive(Debug)]
pub struct Continuous<'a, S: ?Sized, E> {
    source: &'a mut S,
    encoder: E,
    done: bool,
}

impl<'a, S: ?Sized, E> Continuous<'a, S, E> {
    pub(super) fn new(source: &'a mut S, encoder: E) -> Self {
        Continuous {
            source,
            encoder,
            done: false,
        }
    }
}

/// Ends for good: after the source ended or after the error it yielded.
impl<S: CameraSource + ?Sized, E: Encoder> FusedIterator for Continuous<'_, S, E> {}

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
#[cfg(test)]
mod tests {
    use super::super::testing::cam;
    use super::*;
    use crate::capture::{CaptureExt, RawEncoder};
    use crate::error::{Error, ErrorKind};
    use crate::image::ImageRef;

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
        // Fused: nothing more after the end, and the source is left alone.
        fn fused<I: std::iter::FusedIterator>(i: I) -> I {
            i
        }
        assert!(fused(it).next().is_none());
        assert_eq!(c.frames_delivered(), 1);
    }
}
