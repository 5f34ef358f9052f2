//! The [`Encoder`] trait (a frame to the bytes of an output) and the
//! encoder that keeps the bytes as they are.

use crate::error::Result;
use crate::image::ImageRef;

/// Turns a frame into the bytes of an output (a JPEG, a picamera raw
/// layout, ...). Encoders keep their buffers between frames.
///
/// Any `FnMut(ImageRef, &mut Vec<u8>) -> Result<()>` closure is an encoder.
pub trait Encoder {
    /// Appends the encoding of `image` to `out`.
    ///
    /// # Errors
    /// Whatever the encoding fails with (an unsupported input format, ...).
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()>;
}

impl<F> Encoder for F
where
    F: FnMut(ImageRef<'_>, &mut Vec<u8>) -> Result<()>,
{
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        self(image, out)
    }
}

/// The frame's bytes as they are: packed pixels, or the JPEG of an MJPEG
/// camera unchanged.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawEncoder;

impl Encoder for RawEncoder {
    fn encode(&mut self, image: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        if image.is_packed() {
            out.extend_from_slice(image.data());
        } else {
            for row in image.rows() {
                out.extend_from_slice(row);
            }
        }
        Ok(())
    }
}
