//! JPEG encoding ([`JpegEncoder`]) and decoding ([`decode`], [`JpegDecoder`]).
//!
//! # Encoding
//!
//! [`JpegEncoder`] takes [`PixelFormat::Grayscale`], [`PixelFormat::Rgb888`],
//! [`PixelFormat::Bgr888`], [`PixelFormat::Argb8`] (alpha ignored) and
//! [`PixelFormat::Yuv420`] and writes a baseline JFIF file (an `APP0 JFIF`
//! segment follows SOI, which is what the MJPEG AVI writer relies on). Colour is
//! subsampled 4:2:0 by default, as libjpeg does, so sizes and quality compare
//! with OpenCV's `imencode` and Pillow; [`Subsampling::Chroma444`] keeps full
//! chroma.
//!
//! Two backends exist ([`Backend`]): the pure-Rust `jpeg-encoder` crate (with its
//! AVX2 code) and, with the `turbojpeg` cargo feature, libjpeg-turbo. With the
//! feature on, libjpeg-turbo is the default.
//!
//! YUV420 (I420) frames are encoded from their planes, without a detour
//! through RGB: JPEG stores Y, Cb and Cr at 4:2:0 anyway. Cameras deliver
//! *limited-range* BT.601 YUV (Y 16-235, U/V 16-240) while JFIF means
//! *full-range* YCbCr, so by default every sample is stretched to full range
//! on the way in ([`YuvRange::Limited`]); the decoded JPEG then shows the RGB
//! of the BT.601 limited-range formula (SPEC section 6). Frames that are
//! already full range (`yuvj420p`) take [`YuvRange::Full`] and pass through
//! untouched. A YUV420 input always gives a 4:2:0 JPEG.
//!
//! ```
//! use camreel::codec::jpeg::{self, JpegEncoder};
//! use camreel::{Image, PixelFormat};
//!
//! let frame = Image::zeroed(PixelFormat::Rgb888, 64, 48)?;
//! let mut encoder = JpegEncoder::new(85)?;
//! let mut out = Vec::new();
//! encoder.encode(frame.view(), &mut out)?;
//! assert_eq!(&out[..2], &[0xFF, 0xD8]);
//! assert_eq!(jpeg::dimensions(&out)?, (64, 48));
//! # Ok::<(), camreel::Error>(())
//! ```
//!
//! # Decoding
//!
//! [`decode`] gives [`PixelFormat::Rgb888`] (or [`PixelFormat::Grayscale`] for
//! a one-component JPEG), using the `zune-jpeg` crate. The header is read first
//! and checked against [`Limits`] before any pixel memory is allocated.
//! Motion-JPEG frames without Huffman tables (many UVC cameras, the AVI1
//! convention) are decoded with the standard tables of ITU T.81 Annex K.3.
//! Truncated or corrupt data is an [`ErrorKind::Format`] error; so is data that
//! lacks the end-of-image marker, unless [`JpegDecoder::set_require_eoi`] turns
//! that check off.

use std::fmt;

use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use super::dht::STANDARD_DHT;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, Limits, PixelFormat};

/// The largest width or height a JPEG can declare.
pub const MAX_DIMENSION: u32 = 65535;

/// How colour (chroma) is sampled in an encoded JPEG.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Subsampling {
    /// Cb and Cr at half resolution both ways (4:2:0), libjpeg's default.
    #[default]
    Chroma420,
    /// Cb and Cr at full resolution (4:4:4): larger files, sharper colour edges.
    Chroma444,
}

/// The range of the samples of a YUV420 input frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum YuvRange {
    /// BT.601 limited ("video", "TV") range: Y 16-235, U and V 16-240, as
    /// cameras and the picamera YUV captures deliver. Stretched to full range
    /// while encoding.
    #[default]
    Limited,
    /// Full ("JPEG", `yuvj`) range 0-255; passed to the encoder unchanged.
    Full,
}

/// Which JPEG encoder does the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The pure-Rust `jpeg-encoder` crate (always available).
    JpegEncoder,
    /// libjpeg-turbo through the `turbojpeg` crate (cargo feature `turbojpeg`).
    TurboJpeg,
}

impl Backend {
    /// libjpeg-turbo when the `turbojpeg` feature is compiled in, otherwise
    /// `jpeg-encoder`.
    pub const fn default_backend() -> Backend {
        if cfg!(feature = "turbojpeg") {
            Backend::TurboJpeg
        } else {
            Backend::JpegEncoder
        }
    }

    /// Whether this backend is compiled in.
    pub const fn is_available(self) -> bool {
        match self {
            Backend::JpegEncoder => true,
            Backend::TurboJpeg => cfg!(feature = "turbojpeg"),
        }
    }

    /// A short lowercase name (`"jpeg-encoder"`, `"libjpeg-turbo"`).
    pub const fn name(self) -> &'static str {
        match self {
            Backend::JpegEncoder => "jpeg-encoder",
            Backend::TurboJpeg => "libjpeg-turbo",
        }
    }
}

impl Default for Backend {
    fn default() -> Backend {
        Backend::default_backend()
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The encoder inputs, by how the backends consume them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Input {
    Gray,
    Rgb,
    Bgr,
    /// ARGB8: bytes B, G, R, A.
    Bgra,
    I420,
}

impl Input {
    fn of(format: PixelFormat) -> Result<Input> {
        match format {
            PixelFormat::Grayscale => Ok(Input::Gray),
            PixelFormat::Rgb888 => Ok(Input::Rgb),
            PixelFormat::Bgr888 => Ok(Input::Bgr),
            PixelFormat::Argb8 => Ok(Input::Bgra),
            PixelFormat::Yuv420 => Ok(Input::I420),
            other => Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "the jpeg encoder takes GRAYSCALE, RGB888, BGR888, ARGB8 or YUV420 images, \
                     not {other} (convert it first)"
                ),
            )),
        }
    }
}

/// Limited-range luma (16-235) to full range (0-255): `(y - 16) * 255 / 219`,
/// rounded and clamped, in 14-bit fixed point (exact for every input; plain
/// arithmetic so that whole rows vectorise).
#[inline]
fn full_luma(s: u8) -> u8 {
    (((i32::from(s) - 16) * 19077 + 8192) >> 14).clamp(0, 255) as u8
}

/// Limited-range chroma (16-240 around 128) to full range:
/// `(c - 128) * 255 / 224 + 128`, rounded and clamped.
#[inline]
fn full_chroma(s: u8) -> u8 {
    ((((i32::from(s) - 128) * 18652 + 8192) >> 14) + 128).clamp(0, 255) as u8
}

/// A reusable JPEG encoder: quality, chroma subsampling, YUV range and backend,
/// plus the scratch memory and (with libjpeg-turbo) the compressor handle that
/// successive frames share.
///
/// Encoding a frame allocates nothing in camreel once the scratch buffers have
/// grown to the frame size; the `jpeg-encoder` backend allocates its own
/// per-image block buffers internally.
///
/// ```
/// use camreel::codec::jpeg::{JpegEncoder, Subsampling};
/// use camreel::{Image, PixelFormat};
///
/// let mut encoder = JpegEncoder::new(90)?;
/// encoder.set_subsampling(Subsampling::Chroma444);
/// let gray = Image::zeroed(PixelFormat::Grayscale, 16, 16)?;
/// let jpeg = encoder.encode_image(gray.view())?;
/// assert_eq!(jpeg.format(), PixelFormat::Jpeg);
/// assert_eq!(jpeg.size(), (16, 16));
/// assert!(JpegEncoder::new(0).is_err());
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct JpegEncoder {
    quality: u8,
    subsampling: Subsampling,
    optimize_coding: bool,
    yuv_range: YuvRange,
    backend: Backend,
    /// Packed copy of a strided input, or range-converted YUV planes.
    scratch: Vec<u8>,
    /// Inputs in other pixel formats, converted to RGB888 or GRAYSCALE.
    converted: Option<Image>,
    #[cfg(feature = "turbojpeg")]
    turbo: Option<turbo::Turbo>,
}

impl fmt::Debug for JpegEncoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JpegEncoder")
            .field("quality", &self.quality)
            .field("subsampling", &self.subsampling)
            .field("optimize_coding", &self.optimize_coding)
            .field("yuv_range", &self.yuv_range)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

fn check_quality(quality: u8) -> Result<()> {
    if !(1..=100).contains(&quality) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("jpeg quality {quality} is out of range (expected 1 to 100)"),
        ));
    }
    Ok(())
}

impl JpegEncoder {
    /// An encoder at `quality` (1-100) with the default backend
    /// ([`Backend::default_backend`]), 4:2:0 chroma and limited-range YUV input.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a quality outside 1-100;
    /// [`ErrorKind::BackendUnavailable`] if libjpeg-turbo fails to initialise.
    pub fn new(quality: u8) -> Result<JpegEncoder> {
        JpegEncoder::with_backend(quality, Backend::default_backend())
    }

    /// An encoder at `quality` (1-100) using `backend`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a quality outside 1-100;
    /// [`ErrorKind::BackendUnavailable`] for [`Backend::TurboJpeg`] without the
    /// `turbojpeg` feature, or if libjpeg-turbo fails to initialise.
    pub fn with_backend(quality: u8, backend: Backend) -> Result<JpegEncoder> {
        check_quality(quality)?;
        #[cfg(feature = "turbojpeg")]
        let turbo = match backend {
            Backend::TurboJpeg => Some(turbo::Turbo::new()?),
            Backend::JpegEncoder => None,
        };
        #[cfg(not(feature = "turbojpeg"))]
        if backend == Backend::TurboJpeg {
            return Err(Error::new(
                ErrorKind::BackendUnavailable,
                "the libjpeg-turbo jpeg encoder needs the `turbojpeg` cargo feature",
            ));
        }
        Ok(JpegEncoder {
            quality,
            subsampling: Subsampling::default(),
            optimize_coding: false,
            yuv_range: YuvRange::default(),
            backend,
            scratch: Vec::new(),
            converted: None,
            #[cfg(feature = "turbojpeg")]
            turbo,
        })
    }

    /// The quality, 1-100.
    pub fn quality(&self) -> u8 {
        self.quality
    }

    /// Changes the quality.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] outside 1-100 (the quality is unchanged).
    pub fn set_quality(&mut self, quality: u8) -> Result<()> {
        check_quality(quality)?;
        self.quality = quality;
        Ok(())
    }

    /// The chroma subsampling of colour images from RGB-type inputs.
    pub fn subsampling(&self) -> Subsampling {
        self.subsampling
    }

    /// Sets the chroma subsampling for RGB888, BGR888 and ARGB8 inputs
    /// (grayscale has no chroma; YUV420 input is 4:2:0 already).
    pub fn set_subsampling(&mut self, subsampling: Subsampling) {
        self.subsampling = subsampling;
    }

    /// Whether Huffman tables are optimised for each image.
    pub fn optimize_coding(&self) -> bool {
        self.optimize_coding
    }

    /// Optimises the Huffman tables for each image (off by default): a few
    /// percent smaller files for the same pixels, at the cost of a second
    /// pass over the coefficients. The `jpeg-encoder` backend then writes
    /// colour images as one scan per component (valid baseline JPEG, read by
    /// libjpeg and ffmpeg, but not by every decoder: zune-jpeg 0.5, which
    /// [`decode`] uses, misreads them when chroma is subsampled, so without
    /// the `turbojpeg` feature [`decode`] refuses those with
    /// [`ErrorKind::UnsupportedFormat`]); libjpeg-turbo keeps one interleaved
    /// scan.
    ///
    /// ```
    /// use camreel::codec::jpeg::JpegEncoder;
    /// use camreel::{Image, PixelFormat};
    ///
    /// let noise: Vec<u8> = (0..64u32 * 64 * 3).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect();
    /// let image = Image::new(PixelFormat::Rgb888, 64, 64, noise)?;
    /// let mut encoder = JpegEncoder::new(80)?;
    /// let standard = encoder.encode_image(image.view())?;
    /// encoder.set_optimize_coding(true);
    /// let optimized = encoder.encode_image(image.view())?;
    /// assert!(optimized.data().len() < standard.data().len());
    /// # Ok::<(), camreel::Error>(())
    /// ```
    pub fn set_optimize_coding(&mut self, optimize: bool) {
        self.optimize_coding = optimize;
    }

    /// The assumed range of YUV420 input.
    pub fn yuv_range(&self) -> YuvRange {
        self.yuv_range
    }

    /// Sets the range of YUV420 input (default [`YuvRange::Limited`]).
    pub fn set_yuv_range(&mut self, range: YuvRange) {
        self.yuv_range = range;
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Encodes `src` and appends the JPEG file to `out` (clear `out` first to
    /// overwrite). On error `out` is left as it was.
    ///
    /// GRAYSCALE, RGB888, BGR888, ARGB8 and YUV420 are encoded directly. Other
    /// uncompressed formats are first converted with [`crate::convert`] (to
    /// GRAYSCALE for BINARY and GRAY16, to RGB888 otherwise) into a buffer the
    /// encoder keeps, so a loop over frames of one size allocates once.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for JPEG and PNG input (pass those
    /// through, or decode them first); [`ErrorKind::LimitExceeded`] for a side
    /// above [`MAX_DIMENSION`]; [`ErrorKind::InvalidArgument`] if the backend
    /// fails.
    pub fn encode(&mut self, src: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        let format = src.format();
        if Input::of(format).is_err() && !format.is_compressed() {
            let target = match format {
                PixelFormat::Binary | PixelFormat::Gray16 => PixelFormat::Grayscale,
                _ => PixelFormat::Rgb888,
            };
            let mut converted = self.converted.take().unwrap_or_default();
            let result = crate::convert::convert_into(src, target, &mut converted)
                .and_then(|()| self.encode(converted.view(), out));
            self.converted = Some(converted);
            return result;
        }
        let input = Input::of(format)?;
        let (width, height) = src.size();
        if width > MAX_DIMENSION || height > MAX_DIMENSION {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "{width}x{height} image is too large for jpeg (at most {MAX_DIMENSION} pixels a side)"
                ),
            ));
        }
        let start = out.len();
        let result = match self.backend {
            Backend::JpegEncoder => self.encode_rust(src, input, out),
            #[cfg(feature = "turbojpeg")]
            Backend::TurboJpeg => match self.turbo.as_mut() {
                Some(turbo) => turbo.encode(
                    src,
                    input,
                    turbo::Settings {
                        quality: self.quality,
                        subsampling: self.subsampling,
                        optimize_coding: self.optimize_coding,
                        yuv_range: self.yuv_range,
                    },
                    &mut self.scratch,
                    out,
                ),
                None => Err(Error::new(
                    ErrorKind::BackendUnavailable,
                    "libjpeg-turbo compressor missing",
                )),
            },
            #[cfg(not(feature = "turbojpeg"))]
            Backend::TurboJpeg => Err(Error::new(
                ErrorKind::BackendUnavailable,
                "the libjpeg-turbo jpeg encoder needs the `turbojpeg` cargo feature",
            )),
        };
        if result.is_err() {
            out.truncate(start);
        }
        result.map_err(|e| {
            e.context(format!(
                "encoding a {width}x{height} {} image",
                src.format()
            ))
        })
    }

    /// Encodes `src` into a new [`PixelFormat::Jpeg`] image.
    ///
    /// # Errors
    /// As [`JpegEncoder::encode`].
    pub fn encode_image(&mut self, src: ImageRef<'_>) -> Result<Image> {
        let mut image = Image::empty();
        self.encode_into(src, &mut image)?;
        Ok(image)
    }

    /// Encodes `src` into `dst` (which becomes a [`PixelFormat::Jpeg`] image),
    /// reusing `dst`'s memory.
    ///
    /// # Errors
    /// As [`JpegEncoder::encode`]; on error `dst` is one black grayscale pixel.
    pub fn encode_into(&mut self, src: ImageRef<'_>, dst: &mut Image) -> Result<()> {
        let (width, height) = src.size();
        dst.set_encoded(PixelFormat::Jpeg, width, height, |out| {
            self.encode(src, out)
        })
    }

    fn encode_rust(&mut self, src: ImageRef<'_>, input: Input, out: &mut Vec<u8>) -> Result<()> {
        use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder, SamplingFactor};

        // Checked by `encode`: both sides fit in u16.
        let width = src.width() as u16;
        let height = src.height() as u16;
        let mut encoder = Encoder::new(&mut *out, self.quality);
        let sampling = match (input, self.subsampling) {
            (Input::I420, _) | (_, Subsampling::Chroma420) => SamplingFactor::F_2_2,
            (_, Subsampling::Chroma444) => SamplingFactor::F_1_1,
        };
        encoder.set_sampling_factor(sampling);
        encoder.set_optimized_huffman_tables(self.optimize_coding);
        // Box-average chroma as libjpeg does. I420 chroma arrives duplicated
        // over each 2x2 block, so taking one sample gives it back exactly.
        encoder.set_chroma_subsampling_method(if input == Input::I420 {
            ChromaSubsamplingMethod::Nearest
        } else {
            ChromaSubsamplingMethod::Average
        });
        let result = if input == Input::I420 {
            let (y, u, v) = src.yuv420_planes().ok_or_else(|| {
                Error::new(ErrorKind::UnsupportedFormat, "expected a YUV420 image")
            })?;
            encoder.encode_image(I420Buffer {
                y,
                u,
                v,
                width,
                height,
                full_range: self.yuv_range == YuvRange::Full,
            })
        } else {
            let color = match input {
                Input::Gray => ColorType::Luma,
                Input::Rgb => ColorType::Rgb,
                Input::Bgr => ColorType::Bgr,
                // I420 took the branch above.
                Input::Bgra | Input::I420 => ColorType::Bgra,
            };
            let data = packed(src, &mut self.scratch);
            encoder.encode(data, width, height, color)
        };
        result.map_err(|e| {
            let kind = match e {
                jpeg_encoder::EncodingError::IoError(_) => ErrorKind::Io,
                _ => ErrorKind::InvalidArgument,
            };
            Error::with_source(kind, "jpeg-encoder failed", e)
        })
    }
}

/// The bytes of `src` with rows packed together: `src.data()` itself when it
/// is packed, otherwise a copy in `scratch`.
fn packed<'s>(src: ImageRef<'s>, scratch: &'s mut Vec<u8>) -> &'s [u8] {
    if src.is_packed() {
        return src.data();
    }
    scratch.clear();
    for row in src.rows() {
        scratch.extend_from_slice(row);
    }
    scratch
}

/// I420 planes as `jpeg-encoder` input: each row hands over its luma and the
/// chroma of its row pair, every chroma sample twice (the encoder, set to
/// nearest subsampling, keeps one sample of each 2x2 block: the original).
struct I420Buffer<'a> {
    y: &'a [u8],
    u: &'a [u8],
    v: &'a [u8],
    width: u16,
    height: u16,
    full_range: bool,
}

impl jpeg_encoder::ImageBuffer for I420Buffer<'_> {
    fn get_jpeg_color_type(&self) -> jpeg_encoder::JpegColorType {
        jpeg_encoder::JpegColorType::Ycbcr
    }

    fn width(&self) -> u16 {
        self.width
    }

    fn height(&self) -> u16 {
        self.height
    }

    fn fill_buffers(&self, row: u16, buffers: &mut [Vec<u8>; 4]) {
        let w = usize::from(self.width);
        let cw = w.div_ceil(2);
        let row = usize::from(row);
        // The plane sizes were checked when the ImageRef was made and the
        // encoder asks only for rows below `height`.
        let y_row = &self.y[row * w..(row + 1) * w];
        let c_start = (row / 2) * cw;
        let u_row = &self.u[c_start..c_start + cw];
        let v_row = &self.v[c_start..c_start + cw];
        let [yb, ub, vb, _] = buffers;
        if self.full_range {
            yb.extend_from_slice(y_row);
        } else {
            yb.extend(y_row.iter().map(|&s| full_luma(s)));
        }
        for (buf, plane) in [(ub, u_row), (vb, v_row)] {
            let start = buf.len();
            buf.resize(start + w, 0);
            let out = &mut buf[start..];
            // Each chroma sample twice; an odd width ends with a single one.
            let mut pairs = out.chunks_exact_mut(2);
            for (pair, &s) in (&mut pairs).zip(plane) {
                let f = if self.full_range { s } else { full_chroma(s) };
                pair[0] = f;
                pair[1] = f;
            }
            if let ([last], Some(&s)) = (pairs.into_remainder(), plane.last()) {
                *last = if self.full_range { s } else { full_chroma(s) };
            }
        }
    }
}

#[cfg(feature = "turbojpeg")]
mod turbo {
    //! libjpeg-turbo through the `turbojpeg` crate.

    use super::{Input, Subsampling, YuvRange, full_chroma, full_luma};
    use crate::error::{Error, ErrorKind, Result};
    use crate::image::{Image, ImageRef, PixelFormat};

    /// Decodes `data` (already checked: a `width` x `height` JPEG within the
    /// limits) into `dst` as `format` (RGB888 or GRAYSCALE).
    pub(super) fn decode_into(
        data: &[u8],
        format: PixelFormat,
        width: u32,
        height: u32,
        dst: &mut Image,
    ) -> Result<()> {
        let corrupt = |e: turbojpeg::Error| {
            Error::with_source(
                ErrorKind::Format,
                format!("corrupt {width}x{height} jpeg"),
                e,
            )
        };
        let mut decompressor =
            turbojpeg::Decompressor::new().map_err(|e| tj_error("decoder", e))?;
        let header = decompressor.read_header(data).map_err(corrupt)?;
        if (header.width, header.height) != (width as usize, height as usize) {
            return Err(Error::new(
                ErrorKind::Format,
                format!(
                    "libjpeg-turbo reads a {}x{} jpeg where the header says {width}x{height}",
                    header.width, header.height
                ),
            ));
        }
        let (pixel_format, bytes_per_pixel) = match format {
            PixelFormat::Grayscale => (turbojpeg::PixelFormat::GRAY, 1),
            _ => (turbojpeg::PixelFormat::RGB, 3),
        };
        dst.reshape(format, width, height)?;
        let output = turbojpeg::Image {
            pixels: dst.data_mut(),
            width: width as usize,
            pitch: width as usize * bytes_per_pixel,
            height: height as usize,
            format: pixel_format,
        };
        decompressor.decompress(data, output).map_err(corrupt)
    }

    pub(super) struct Settings {
        pub quality: u8,
        pub subsampling: Subsampling,
        pub optimize_coding: bool,
        pub yuv_range: YuvRange,
    }

    pub(super) struct Turbo {
        compressor: turbojpeg::Compressor,
        /// Worst-case-sized output buffer, kept between frames (libjpeg-turbo
        /// writes into it without reallocating; the JPEG is then copied out).
        out: Vec<u8>,
    }

    fn tj_error(what: &str, e: turbojpeg::Error) -> Error {
        Error::with_source(
            ErrorKind::InvalidArgument,
            format!("libjpeg-turbo {what}"),
            e,
        )
    }

    impl Turbo {
        pub(super) fn new() -> Result<Turbo> {
            let compressor = turbojpeg::Compressor::new().map_err(|e| {
                Error::with_source(
                    ErrorKind::BackendUnavailable,
                    "libjpeg-turbo compressor could not be created",
                    e,
                )
            })?;
            Ok(Turbo {
                compressor,
                out: Vec::new(),
            })
        }

        fn reserve(
            &mut self,
            width: usize,
            height: usize,
            subsamp: turbojpeg::Subsamp,
        ) -> Result<()> {
            let need = turbojpeg::compressed_buf_len(width, height, subsamp)
                .map_err(|e| tj_error("buffer size", e))?;
            if self.out.len() < need {
                self.out.resize(need, 0);
            }
            Ok(())
        }

        pub(super) fn encode(
            &mut self,
            src: ImageRef<'_>,
            input: Input,
            settings: Settings,
            scratch: &mut Vec<u8>,
            out: &mut Vec<u8>,
        ) -> Result<()> {
            use turbojpeg::{PixelFormat as Tj, Subsamp};

            let width = src.width() as usize;
            let height = src.height() as usize;
            self.compressor
                .set_quality(i32::from(settings.quality))
                .map_err(|e| tj_error("quality", e))?;
            self.compressor
                .set_optimize(settings.optimize_coding)
                .map_err(|e| tj_error("entropy optimisation", e))?;
            let written = if input == Input::I420 {
                let (y, u, v) = src.yuv420_planes().ok_or_else(|| {
                    Error::new(ErrorKind::UnsupportedFormat, "expected a YUV420 image")
                })?;
                // libjpeg-turbo reads whole 2x2 blocks of luma: a plane of
                // odd width or height gets its last column/row repeated.
                let (pw, ph) = (width + width % 2, height + height % 2);
                let full = settings.yuv_range == YuvRange::Full;
                let (y, u, v, y_stride) = if full && (pw, ph) == (width, height) {
                    (y, u, v, width)
                } else {
                    scratch.clear();
                    let rows = y.chunks_exact(width);
                    let last = rows.clone().last();
                    for row in rows.chain(last).take(ph) {
                        let start = scratch.len();
                        if full {
                            scratch.extend_from_slice(row);
                        } else {
                            scratch.extend(row.iter().map(|&s| full_luma(s)));
                        }
                        if pw != width {
                            scratch.push(scratch[start + width - 1]);
                        }
                    }
                    if full {
                        scratch.extend_from_slice(u);
                        scratch.extend_from_slice(v);
                    } else {
                        scratch.extend(u.iter().chain(v).map(|&s| full_chroma(s)));
                    }
                    let (ys, uv) = scratch.split_at(pw * ph);
                    let (us, vs) = uv.split_at(u.len());
                    (ys, us, vs, pw)
                };
                self.reserve(width, height, Subsamp::Sub2x2)?;
                let cw = width.div_ceil(2);
                let planes = turbojpeg::YuvPlanesImage {
                    y_plane: y,
                    u_plane: u,
                    v_plane: v,
                    width,
                    height,
                    y_stride,
                    u_stride: cw,
                    v_stride: cw,
                    subsamp: Subsamp::Sub2x2,
                };
                self.compressor
                    .compress_yuv_planes_to_slice(&planes, &mut self.out)
                    .map_err(|e| tj_error("compression failed", e))?
            } else {
                let (format, subsamp) = match input {
                    Input::Gray => (Tj::GRAY, Subsamp::Gray),
                    Input::Rgb => (Tj::RGB, chroma(settings.subsampling)),
                    Input::Bgr => (Tj::BGR, chroma(settings.subsampling)),
                    Input::Bgra | Input::I420 => (Tj::BGRA, chroma(settings.subsampling)),
                };
                self.compressor
                    .set_subsamp(subsamp)
                    .map_err(|e| tj_error("subsampling", e))?;
                self.reserve(width, height, subsamp)?;
                let image = turbojpeg::Image {
                    pixels: src.data(),
                    width,
                    pitch: src.stride(),
                    height,
                    format,
                };
                self.compressor
                    .compress_to_slice(image, &mut self.out)
                    .map_err(|e| tj_error("compression failed", e))?
            };
            let jpeg = self.out.get(..written).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    "libjpeg-turbo reported more output than its buffer holds",
                )
            })?;
            out.extend_from_slice(jpeg);
            Ok(())
        }
    }

    fn chroma(s: Subsampling) -> turbojpeg::Subsamp {
        match s {
            Subsampling::Chroma420 => turbojpeg::Subsamp::Sub2x2,
            Subsampling::Chroma444 => turbojpeg::Subsamp::None,
        }
    }
}

/// What a JPEG header says, read without decoding the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct JpegInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Number of colour components (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK).
    pub components: u8,
    /// Bits per sample (8 for nearly every JPEG, 12 for some medical images).
    pub precision: u8,
    /// Whether the frame is progressive (SOF2, SOF6, SOF10 or SOF14).
    pub progressive: bool,
    /// Whether a DHT segment precedes the first scan. Motion-JPEG camera
    /// frames often have none and rely on the standard tables.
    pub has_huffman_tables: bool,
}

/// A parsed header plus where the first scan starts.
#[derive(Clone, Copy, Debug)]
struct Header {
    info: JpegInfo,
    /// Offset of the `FF DA` of the first start-of-scan marker.
    sos: usize,
    /// Horizontal and vertical sampling factors of the first four
    /// components, in frame-header order.
    sampling: [(u8, u8); 4],
    /// How many components the first scan carries.
    first_scan_components: u8,
}

fn format_error(msg: String) -> Error {
    Error::new(ErrorKind::Format, msg)
}

fn be16(data: &[u8], pos: usize) -> Option<u16> {
    let b = data.get(pos..pos.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// Walks the marker segments from SOI to the first SOS.
fn parse_header(data: &[u8]) -> Result<Header> {
    if data.len() < 2 || data[0] != 0xFF || data[1] != 0xD8 {
        return Err(format_error(format!(
            "not a jpeg: expected the start-of-image marker FF D8 at byte 0, found {:02X?}",
            &data[..data.len().min(2)]
        )));
    }
    let mut pos = 2;
    let mut frame: Option<(u32, u32, u8, u8, bool)> = None;
    let mut sampling = [(1, 1); 4];
    let mut has_dht = false;
    loop {
        match data.get(pos) {
            None => {
                return Err(format_error(format!(
                    "jpeg data ends at byte {pos} before the start of scan"
                )));
            }
            Some(0xFF) => {}
            Some(&b) => {
                return Err(format_error(format!(
                    "expected a jpeg marker at byte {pos}, found 0x{b:02X}"
                )));
            }
        }
        let marker_start = pos;
        // Skip fill bytes (any number of FF before the marker code).
        while data.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&code) = data.get(pos) else {
            return Err(format_error(format!(
                "jpeg data ends at byte {pos} inside a marker"
            )));
        };
        pos += 1;
        match code {
            // Standalone markers: TEM and the restart markers.
            0x01 | 0xD0..=0xD7 => continue,
            0xD8 => {
                return Err(format_error(format!(
                    "second start-of-image marker at byte {marker_start}"
                )));
            }
            0xD9 => {
                return Err(format_error(format!(
                    "end-of-image marker at byte {marker_start} before any scan"
                )));
            }
            0x00 => {
                return Err(format_error(format!(
                    "stuffed byte FF 00 at byte {marker_start} outside a scan"
                )));
            }
            _ => {}
        }
        let length = be16(data, pos).ok_or_else(|| {
            format_error(format!(
                "jpeg data ends at byte {} inside the length of marker FF {code:02X} at byte {marker_start}",
                data.len()
            ))
        })?;
        if length < 2 {
            return Err(format_error(format!(
                "marker FF {code:02X} at byte {marker_start} has an invalid length {length}"
            )));
        }
        let end = pos + usize::from(length);
        if end > data.len() {
            return Err(format_error(format!(
                "marker FF {code:02X} at byte {marker_start} claims {length} bytes but the data ends at byte {}",
                data.len()
            )));
        }
        let body = &data[pos + 2..end];
        match code {
            0xC4 => has_dht = true,
            0xC0..=0xCF if !matches!(code, 0xC4 | 0xC8 | 0xCC) => {
                if frame.is_some() {
                    return Err(format_error(format!(
                        "second frame header (FF {code:02X}) at byte {marker_start}"
                    )));
                }
                if body.len() < 6 {
                    return Err(format_error(format!(
                        "frame header at byte {marker_start} is {} bytes long (expected at least 8)",
                        length
                    )));
                }
                let precision = body[0];
                let height = u16::from_be_bytes([body[1], body[2]]);
                let width = u16::from_be_bytes([body[3], body[4]]);
                let components = body[5];
                if body.len() < 6 + 3 * usize::from(components) {
                    return Err(format_error(format!(
                        "frame header at byte {marker_start} lists {components} components in {length} bytes"
                    )));
                }
                if components == 0 {
                    return Err(format_error(format!(
                        "frame header at byte {marker_start} has no components"
                    )));
                }
                if width == 0 || height == 0 {
                    return Err(format_error(format!(
                        "frame header at byte {marker_start} declares a {width}x{height} image \
                         (a height set later by a DNL marker is not supported)"
                    )));
                }
                for (i, spec) in body[6..]
                    .chunks_exact(3)
                    .take(usize::from(components))
                    .enumerate()
                {
                    let (h, v) = (spec[1] >> 4, spec[1] & 0x0F);
                    if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
                        return Err(format_error(format!(
                            "frame header at byte {marker_start} gives component {i} sampling \
                             factors {h}x{v} (expected 1 to 4)"
                        )));
                    }
                    if let Some(slot) = sampling.get_mut(i) {
                        *slot = (h, v);
                    }
                }
                let progressive = matches!(code, 0xC2 | 0xC6 | 0xCA | 0xCE);
                frame = Some((
                    u32::from(width),
                    u32::from(height),
                    components,
                    precision,
                    progressive,
                ));
            }
            0xDA => {
                let Some((width, height, components, precision, progressive)) = frame else {
                    return Err(format_error(format!(
                        "start of scan at byte {marker_start} before any frame header"
                    )));
                };
                return Ok(Header {
                    info: JpegInfo {
                        width,
                        height,
                        components,
                        precision,
                        progressive,
                        has_huffman_tables: has_dht,
                    },
                    sos: marker_start,
                    sampling,
                    first_scan_components: body.first().copied().unwrap_or(0),
                });
            }
            _ => {}
        }
        pos = end;
    }
}

/// Reads the header of a JPEG file up to its first scan.
///
/// # Errors
/// [`ErrorKind::Format`] if the data does not start with a well-formed JPEG
/// header (SOI, marker segments, a frame header, a start of scan).
///
/// ```
/// use camreel::codec::jpeg::{self, JpegEncoder};
/// use camreel::{Image, PixelFormat};
/// let jpeg = JpegEncoder::new(75)?.encode_image(Image::zeroed(PixelFormat::Rgb888, 33, 17)?.view())?;
/// let info = jpeg::info(jpeg.data())?;
/// assert_eq!((info.width, info.height, info.components), (33, 17, 3));
/// assert!(info.has_huffman_tables && !info.progressive);
/// # Ok::<(), camreel::Error>(())
/// ```
pub fn info(data: &[u8]) -> Result<JpegInfo> {
    parse_header(data).map(|h| h.info)
}

/// The width and height from a JPEG's frame header, without decoding.
///
/// # Errors
/// As [`info`].
pub fn dimensions(data: &[u8]) -> Result<(u32, u32)> {
    info(data).map(|i| (i.width, i.height))
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

/// Whether an EOI marker (`FF D9`) follows the first scan at `sos`.
fn has_eoi(data: &[u8], sos: usize) -> bool {
    // Usual case: EOI is the last thing, perhaps followed by zero padding
    // (V4L2 buffers, 16-byte-aligned ImageIO payloads).
    let end = data.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    if end >= sos + 2 && data[end - 2..end] == [0xFF, 0xD9] {
        return true;
    }
    // Otherwise something else follows (picamera appends its raw Bayer data
    // after the JPEG): look for the marker anywhere after the first scan.
    data.get(sos..)
        .is_some_and(|scan| scan.windows(2).any(|w| w == [0xFF, 0xD9]))
}

/// A reusable JPEG decoder: [`Limits`], the end-of-image check, and scratch
/// memory for Motion-JPEG frames that need the standard Huffman tables.
///
/// ```
/// use camreel::codec::jpeg::{JpegDecoder, JpegEncoder};
/// use camreel::{Image, Limits, PixelFormat};
///
/// let jpeg = JpegEncoder::new(80)?.encode_image(Image::zeroed(PixelFormat::Rgb888, 64, 64)?.view())?;
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
    /// in separate scans per component (what [`JpegEncoder`] writes with
    /// [`JpegEncoder::set_optimize_coding`] on the `jpeg-encoder` backend),
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
            return turbo::decode_into(bytes, format, width, height, dst);
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
/// use camreel::codec::jpeg::{self, JpegEncoder};
/// use camreel::{Image, PixelFormat};
/// let src = Image::new(PixelFormat::Grayscale, 2, 1, vec![0, 255])?;
/// let jpeg = JpegEncoder::new(100)?.encode_image(src.view())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Round half away from zero of `(i - offset) * num / den + bias`, clamped.
    fn exact(i: i32, offset: i32, num: i32, den: i32, bias: i32) -> u8 {
        let d = (i - offset) * num;
        let q = if d >= 0 {
            (2 * d + den) / (2 * den)
        } else {
            -((-2 * d + den) / (2 * den))
        };
        (q + bias).clamp(0, 255) as u8
    }

    #[test]
    fn range_stretch_is_exact() {
        for i in 0..=255u8 {
            assert_eq!(full_luma(i), exact(i32::from(i), 16, 255, 219, 0), "y {i}");
            assert_eq!(
                full_chroma(i),
                exact(i32::from(i), 128, 255, 224, 128),
                "c {i}"
            );
        }
        assert_eq!(
            (full_luma(16), full_luma(235), full_luma(126)),
            (0, 255, 128)
        );
        assert_eq!(
            (full_chroma(16), full_chroma(128), full_chroma(240)),
            (0, 128, 255)
        );
        assert_eq!(full_chroma(72), 64); // -56 * 255 / 224 = -63.75
    }

    #[test]
    fn header_walk() {
        // SOI, APP0 (4 bytes), SOF0 8x4 1 component, SOS.
        let mut d = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB];
        d.extend_from_slice(&[0xFF, 0xFF, 0xC0, 0x00, 0x0B, 8, 0x00, 0x04, 0x00, 0x08, 1]);
        d.extend_from_slice(&[1, 0x11, 0]);
        let sos = d.len();
        d.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0]);
        let h = parse_header(&d).unwrap();
        assert_eq!(h.sos, sos);
        assert_eq!((h.info.width, h.info.height, h.info.components), (8, 4, 1));
        assert!(!h.info.has_huffman_tables);
        assert!(!has_eoi(&d, h.sos));
        d.extend_from_slice(&[0x12, 0xFF, 0xD9, 0, 0, 0]);
        assert!(has_eoi(&d, h.sos));
        d.extend_from_slice(b"BRCM");
        assert!(has_eoi(&d, h.sos));

        // A segment length running past the end.
        let e = parse_header(&d[..16]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        assert!(e.to_string().contains("claims 11 bytes"), "{e}");
        let e = parse_header(&d[..12]).unwrap_err();
        assert!(e.to_string().contains("inside the length"), "{e}");
        // Garbage where a marker should be.
        let mut bad = d.clone();
        bad[8] = 0x12;
        let e = parse_header(&bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected a jpeg marker at byte 8, found 0x12"
        );
        assert!(parse_header(&[0xFF]).is_err());
        assert!(parse_header(&[]).is_err());
        assert!(parse_header(&[0xFF, 0xD8, 0xFF, 0xD9]).is_err());
    }
}
