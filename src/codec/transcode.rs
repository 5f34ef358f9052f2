//! Any format to any format: decode (JPEG, PNG), convert, encode.

use super::Quality;
use super::jpeg::JpegEncoder;
use super::png::{self, PngOptions};
use crate::convert::{self, ConvertOptions};
use crate::error::Result;
use crate::image::{Image, ImageRef, PixelFormat};

/// Options for [`transcode_with`]: how pixels are converted and how JPEG and
/// PNG targets are encoded.
///
/// ```
/// use camreel::codec::{Quality, TranscodeOptions};
/// use camreel::codec::png::{Compression, PngOptions};
/// use camreel::convert::{ConvertOptions, Demosaic};
///
/// let opts = TranscodeOptions::default()
///     .with_quality(Quality::try_from(95)?)
///     .with_png(PngOptions::new().compression(Compression::High))
///     .with_convert(ConvertOptions::default().with_demosaic(Demosaic::MalvarHeCutler));
/// assert_eq!(opts.quality.get(), 95);
/// assert_eq!(TranscodeOptions::default().quality, Quality::DEFAULT);
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TranscodeOptions {
    /// Demosaicing, BINARY threshold and size limits of the conversion; the
    /// limits also bound what a JPEG or PNG source may decode to.
    pub convert: ConvertOptions,
    /// Quality of a JPEG target (default [`Quality::DEFAULT`]).
    pub quality: Quality,
    /// Settings of a PNG target (default [`PngOptions::new`]).
    pub png: PngOptions,
}

impl TranscodeOptions {
    /// Sets the conversion options.
    #[must_use]
    pub fn with_convert(mut self, convert: ConvertOptions) -> TranscodeOptions {
        self.convert = convert;
        self
    }

    /// Sets the quality of JPEG targets.
    #[must_use]
    pub fn with_quality(mut self, quality: Quality) -> TranscodeOptions {
        self.quality = quality;
        self
    }

    /// Sets the settings of PNG targets.
    #[must_use]
    pub fn with_png(mut self, png: PngOptions) -> TranscodeOptions {
        self.png = png;
        self
    }
}

/// Converts `src` (any format, JPEG and PNG included) to a new image in
/// format `to`, with default options.
///
/// ```
/// use camreel::codec;
/// use camreel::{Image, PixelFormat};
///
/// let rgb = Image::new(PixelFormat::Rgb888, 2, 1, vec![255, 0, 0, 0, 0, 255])?;
/// let png = codec::transcode(rgb.view(), PixelFormat::Png)?;
/// let rgb565 = codec::transcode(png.view(), PixelFormat::Rgb565)?;
/// assert_eq!(rgb565.data(), &[0x00, 0xF8, 0x1F, 0x00]);
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// As [`transcode_with`].
pub fn transcode(src: ImageRef<'_>, to: PixelFormat) -> Result<Image> {
    let mut dst = Image::empty();
    transcode_with(src, to, &TranscodeOptions::default(), &mut dst)?;
    Ok(dst)
}

/// Converts `src` into `dst` (format `to`) with default options, reusing
/// `dst`'s memory.
///
/// # Errors
/// As [`transcode_with`].
pub fn transcode_into(src: ImageRef<'_>, to: PixelFormat, dst: &mut Image) -> Result<()> {
    transcode_with(src, to, &TranscodeOptions::default(), dst)
}

/// Converts `src` into `dst` (format `to`): a JPEG or PNG source is decoded
/// first (checked against `options.convert.limits` before allocating), then
/// converted with [`convert::convert_with`], then encoded if `to` is
/// [`PixelFormat::Jpeg`] (at `options.quality`, with the default
/// [`Backend`](super::jpeg::Backend)) or [`PixelFormat::Png`]. Between
/// uncompressed formats this is [`convert::convert_with`] itself; an encoded
/// image whose target is its own format is copied, not re-encoded.
///
/// Decoding and encoding allocate inside the codecs; a loop that must not
/// allocate keeps its own [`JpegDecoder`](super::jpeg::JpegDecoder) and
/// [`JpegEncoder`].
///
/// # Errors
/// [`ErrorKind::Format`](crate::ErrorKind::Format) for a JPEG or PNG source
/// that does not decode; [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded)
/// for a decoded or converted image above the limits; otherwise as
/// [`convert::convert_with`], [`JpegEncoder::encode`] and
/// [`png::encode_with`]. On error `dst` holds an unspecified image.
pub fn transcode_with(
    src: ImageRef<'_>,
    to: PixelFormat,
    options: &TranscodeOptions,
    dst: &mut Image,
) -> Result<()> {
    let from = src.format();
    if from == to {
        src.copy_into(dst);
        return Ok(());
    }
    let context = || format!("transcoding {from} to {to}");
    let decoded;
    let src = if from.is_compressed() {
        let mut image = Image::empty();
        super::decode_with_limits(src, &options.convert.limits, &mut image)
            .map_err(|e| e.context(context()))?;
        decoded = image;
        decoded.view()
    } else {
        src
    };
    let (width, height) = src.size();
    match to {
        PixelFormat::Jpeg => JpegEncoder::new(options.quality)
            .and_then(|mut encoder| encoder.encode_into(src, dst))
            .map_err(|e| e.context(context())),
        PixelFormat::Png => dst
            .set_encoded(PixelFormat::Png, width, height, |out| {
                png::encode_with(src, &options.png, out)
            })
            .map_err(|e| e.context(context())),
        _ => convert::convert_with(src, to, &options.convert, dst),
    }
}
