//! [`Fallback`]: what a stream stores for a frame whose pixel format has no
//! OpenMV code, and the encoder that applies it.

use crate::codec::jpeg::JpegEncoder;
use crate::error::Result;
use crate::image::{Image, ImageRef, PixelFormat};

#[cfg(doc)]
use super::FileStream;
use super::header;

/// What a stream does with a frame whose pixel format has no OpenMV code
/// (RGB888, BGR888, YUV420, NV12, 16-bit and RAW10 formats), which an
/// "OMV IMG STR" file cannot store as it is. One policy for every way of
/// writing a stream ([`FileStream::write`], [`FileStream::write_with_elapsed`]
/// and the [`FrameSink`](crate::sink::FrameSink) implementation).
///
/// ```
/// use camreel::imageio::{Fallback, FileOptions};
/// use camreel::{Image, PixelFormat};
///
/// let dir = tempfile::tempdir()?;
/// let rgb = Image::zeroed(PixelFormat::Rgb888, 8, 8)?;
/// let mut lossless = FileOptions::new().create(dir.path().join("png.bin"))?;
/// lossless.write(&rgb)?;
/// assert_eq!(lossless.header(0).unwrap().format, PixelFormat::Png);
/// let mut compact = FileOptions::new()
///     .fallback(Fallback::Jpeg { quality: 90 })
///     .create(dir.path().join("jpeg.bin"))?;
/// compact.write(&rgb)?;
/// assert_eq!(compact.header(0).unwrap().format, PixelFormat::Jpeg);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fallback {
    /// Store the frame as a PNG (lossless; the default). 8- and 16-bit RGB
    /// and gray keep every bit; YUV is converted to RGB888 and Bayer mosaics
    /// are demosaiced first, as [`codec::png::encode`](crate::codec::png::encode) does.
    #[default]
    Png,
    /// Store the frame as a JPEG of this quality (1-100): compact, lossy,
    /// and what OpenMV's IDE records.
    Jpeg {
        /// JPEG quality, 1-100.
        quality: u8,
    },
    /// Refuse the frame with [`ErrorKind::UnsupportedFormat`](crate::ErrorKind::UnsupportedFormat).
    Refuse,
}

/// A stream's [`Fallback`] with the buffers it encodes into.
#[derive(Debug, Default)]
pub(crate) struct Storer {
    pub(crate) fallback: Fallback,
    encoded: Image,
    jpeg: Option<JpegEncoder>,
}

impl Storer {
    pub(crate) fn new(fallback: Fallback) -> Storer {
        Storer {
            fallback,
            ..Storer::default()
        }
    }

    /// `image` as a stream can store it: itself when its format has an
    /// OpenMV code, else encoded as the fallback says.
    pub(crate) fn store<'a>(&'a mut self, image: ImageRef<'a>) -> Result<ImageRef<'a>> {
        let format = image.format();
        if format.code().is_some() {
            return Ok(image);
        }
        let (w, h) = image.size();
        match self.fallback {
            Fallback::Refuse => return Err(header::no_code(format)),
            Fallback::Png => self.encoded.set_encoded(PixelFormat::Png, w, h, |out| {
                crate::codec::png::encode(image, out)
            })?,
            Fallback::Jpeg { quality } => {
                let jpeg = match &mut self.jpeg {
                    Some(j) if j.quality().get() == quality => j,
                    slot => {
                        slot.insert(JpegEncoder::new(crate::codec::Quality::try_from(quality)?)?)
                    }
                };
                jpeg.encode_into(image, &mut self.encoded)?;
            }
        }
        Ok(self.encoded.view())
    }
}
