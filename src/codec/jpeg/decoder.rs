//! JPEG decoding with `zune-jpeg` ([`JpegDecoder`], [`decode`]), falling back
//! to libjpeg-turbo (with the `turbojpeg` feature) for the component layouts
//! zune-jpeg misreads.

use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use super::dht::STANDARD_DHT;
use super::header::{Header, JpegInfo, has_eoi, parse_header};
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, Limits, PixelFormat};

fn format_error(msg: String) -> Error {
    Error::new(ErrorKind::Format, msg)
}

/// Refuses the component layouts that zune-jpeg 0.5 decodes into wrong
/// pixels without an error (or panics on), found by comparing its output with
/// libjpeg's on files made by `cjpeg -sample` and `cjpeg -scans`:
///
/// - a component sampled more finely than the first (luma) one in either
///   direction, or at a factor that does not divide the luma's (4:4:4, 4:2:2,
///   4:2:0, 4:4:0 and 4:1:1 all pass);
/// - a sequential (non-progressive) frame with subsampled chroma whose first
///   scan does not carry every component: one scan per component, as
///   `jpeg-encoder` writes with optimised Huffman tables. Without
///   subsampling, separate scans decode correctly.
fn check_layout(header: &Header) -> Result<()> {
    let components = header.info.components;
    if components < 2 {
        return Ok(());
    }
    let sampling = &header.sampling[..usize::from(components).min(4)];
    let (h0, v0) = sampling[0];
    for (i, &(h, v)) in sampling.iter().enumerate().skip(1) {
        if h > h0 || v > v0 || h0 % h != 0 || v0 % v != 0 {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "jpeg component {i} is sampled {h}x{v} against {h0}x{v0} for the first \
                     component (the decoder supports only components sampled at the first \
                     one's resolution or a whole fraction of it)"
                ),
            ));
        }
    }
    if !header.info.progressive && header.first_scan_components < components && (h0, v0) != (1, 1) {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "sequential jpeg with subsampled chroma ({h0}x{v0} luma) whose first scan at byte {} \
                 carries {} of its {components} components (the decoder supports separate \
                 scans per component only without subsampling)",
                header.sos, header.first_scan_components
            ),
        ));
    }
    Ok(())
}

/// A reusable JPEG decoder: [`Limits`], the end-of-image check, and scratch
/// memory for Motion-JPEG frames that need the standard Huffman tables.
///
/// ```
/// use camreel::codec::Quality;
/// use camreel::codec::jpeg::{JpegDecoder, JpegEncoder};
/// use camreel::{Image, Limits, PixelFormat};
///
/// let image = Image::zeroed(PixelFormat::Rgb888, 64, 64)?;
/// let jpeg = JpegEncoder::new(Quality::try_from(80)?)?.encode_image(image.view())?;
/// let mut decoder = JpegDecoder::new();
/// decoder.set_limits(Limits { max_width: 32, ..Limits::default() });
/// assert!(decoder.decode(jpeg.data()).is_err());
/// decoder.set_limits(Limits::default());
/// let mut frame = Image::empty();
/// decoder.decode_into(jpeg.data(), &mut frame)?;
/// assert_eq!((frame.format(), frame.size()), (PixelFormat::Rgb888, (64, 64)));
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct JpegDecoder {
    limits: Limits,
    require_eoi: bool,
    scratch: Vec<u8>,
}

impl Default for JpegDecoder {
    fn default() -> JpegDecoder {
        JpegDecoder::new()
    }
}

impl JpegDecoder {
    /// A decoder with default [`Limits`] that requires the end-of-image marker.
    pub fn new() -> JpegDecoder {
        JpegDecoder {
            limits: Limits::default(),
            require_eoi: true,
            scratch: Vec::new(),
        }
    }

    /// The limits checked against each header before decoding.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Replaces the limits.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Whether data without an end-of-image marker is refused (default true).
    /// Turn it off to accept frames from cameras that omit the marker; a
    /// truncated scan then decodes with grey blocks where data is missing
    /// only if the entropy decoder does not notice, so keep it on for files.
    pub fn set_require_eoi(&mut self, require: bool) {
        self.require_eoi = require;
    }

    /// Decodes `data` into a new image (RGB888, or GRAYSCALE for one-component
    /// JPEGs).
    ///
    /// # Errors
    /// As [`JpegDecoder::decode_into`].
    pub fn decode(&mut self, data: &[u8]) -> Result<Image> {
        let mut image = Image::empty();
        self.decode_into(data, &mut image)?;
        Ok(image)
    }

    /// Decodes `data` into `dst`, reusing its memory.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for malformed, truncated or unsupported (arithmetic
    /// coded, 12-bit) JPEG data; [`ErrorKind::UnsupportedFormat`] for a JPEG
    /// with 2 or more than 4 components, with a component sampled more finely
    /// than the first one, or a sequential JPEG with subsampled chroma coded
    /// in separate scans per component (what [`JpegEncoder`](super::JpegEncoder) writes with
    /// [`set_optimize_coding`](super::JpegEncoder::set_optimize_coding) on the `jpeg-encoder` backend),
    /// which `zune-jpeg` would decode into wrong colours (with the `turbojpeg`
    /// feature these two layouts are decoded by libjpeg-turbo instead);
    /// [`ErrorKind::LimitExceeded`] above the limits. On error `dst` holds an
    /// image of unspecified content.
    pub fn decode_into(&mut self, data: &[u8], dst: &mut Image) -> Result<()> {
        let header = parse_header(data)?;
        let JpegInfo {
            width,
            height,
            components,
            ..
        } = header.info;
        let (format, colorspace) = match components {
            1 => (PixelFormat::Grayscale, ColorSpace::Luma),
            3 | 4 => (PixelFormat::Rgb888, ColorSpace::RGB),
            n => {
                return Err(Error::new(
                    ErrorKind::UnsupportedFormat,
                    format!("jpeg with {n} components (expected 1, 3 or 4)"),
                ));
            }
        };
        let layout = check_layout(&header);
        let size = self
            .limits
            .check(format, width, height)?
            .unwrap_or_default();
        if self.require_eoi && !has_eoi(data, header.sos) {
            return Err(format_error(format!(
                "jpeg data ends at byte {} without an end-of-image marker (truncated?)",
                data.len()
            )));
        }
        let bytes: &[u8] = if header.info.has_huffman_tables {
            data
        } else {
            self.scratch.clear();
            self.scratch.reserve(data.len() + STANDARD_DHT.len());
            self.scratch.extend_from_slice(&data[..header.sos]);
            self.scratch.extend_from_slice(&STANDARD_DHT);
            self.scratch.extend_from_slice(&data[header.sos..]);
            &self.scratch
        };
        // Layouts zune-jpeg misreads: libjpeg-turbo decodes them right, and
        // without it they are refused.
        #[cfg(feature = "turbojpeg")]
        if layout.is_err() {
            return super::turbo::decode_into(bytes, format, width, height, dst);
        }
        #[cfg(not(feature = "turbojpeg"))]
        layout?;
        let options = DecoderOptions::default()
            .set_strict_mode(true)
            .jpeg_set_out_colorspace(colorspace)
            .set_max_width(width as usize)
            .set_max_height(height as usize);
        let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
        let zune = |e: zune_jpeg::errors::DecodeErrors| {
            Error::new(
                ErrorKind::Format,
                format!("corrupt {width}x{height} jpeg: {e}"),
            )
        };
        decoder.decode_headers().map_err(zune)?;
        if decoder.output_buffer_size() != Some(size) {
            return Err(format_error(format!(
                "jpeg decoder disagrees on the size of a {width}x{height} {format} image"
            )));
        }
        dst.reshape(format, width, height)?;
        decoder.decode_into(dst.data_mut()).map_err(zune)
    }
}

/// Decodes a JPEG file into RGB888 (GRAYSCALE for one-component JPEGs) with
/// default [`Limits`].
///
/// # Errors
/// As [`JpegDecoder::decode_into`].
///
/// ```
/// use camreel::codec::Quality;
/// use camreel::codec::jpeg::{self, JpegEncoder};
/// use camreel::{Image, PixelFormat};
/// let src = Image::new(PixelFormat::Grayscale, 2, 1, vec![0, 255])?;
/// let jpeg = JpegEncoder::new(Quality::MAX)?.encode_image(src.view())?;
/// let back = jpeg::decode(jpeg.data())?;
/// assert_eq!(back.format(), PixelFormat::Grayscale);
/// assert!(back.data()[0] < 8 && back.data()[1] > 247);
/// assert!(jpeg::decode(&jpeg.data()[..100]).is_err());
/// # Ok::<(), camreel::Error>(())
/// ```
pub fn decode(data: &[u8]) -> Result<Image> {
    JpegDecoder::new().decode(data)
}

/// Decodes a JPEG file into `dst`, reusing its memory, with default [`Limits`].
///
/// # Errors
/// As [`JpegDecoder::decode_into`].
pub fn decode_into(data: &[u8], dst: &mut Image) -> Result<()> {
    JpegDecoder::new().decode_into(data, dst)
}
