//! Splitter-port transforms: the [`Transform`] trait and [`Resize`].

use crate::error::Result;
use crate::geometry::{Filter, Resizer};
use crate::image::{Image, ImageRef, PixelFormat};

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
