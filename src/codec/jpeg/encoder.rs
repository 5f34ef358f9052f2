//! [`JpegEncoder`]: settings, the input formats, and the `jpeg-encoder`
//! (pure Rust) backend; the libjpeg-turbo backend is in `turbo.rs`.

use std::fmt;

use crate::codec::Quality;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, PixelFormat};

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
#[non_exhaustive]
pub enum Backend {
    /// The pure-Rust `jpeg-encoder` crate (always available).
    JpegEncoder,
    /// libjpeg-turbo through the `turbojpeg` crate (cargo feature `turbojpeg`).
    TurboJpeg,
    /// camreel's own baseline encoder (always available, pure Rust with
    /// AVX2 kernels), tuned for bytes per PSNR: quantisation tables are the
    /// MPEG-1 intra matrix scaled by the quality (the same for luma and
    /// chroma), coefficients round with a dead zone, and optimised Huffman
    /// tables stay in one interleaved scan. Its quality scale is its own,
    /// calibrated on camera footage so that a quality keeps at least the
    /// PSNR of libjpeg's 4:2:0 file at the same number, in about half the
    /// bytes or less with 4:4:4 and optimised tables. The MJPEG AVI writer
    /// uses it; the bytes are the same in every build.
    Native,
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
            Backend::JpegEncoder | Backend::Native => true,
            Backend::TurboJpeg => cfg!(feature = "turbojpeg"),
        }
    }

    /// A short lowercase name (`"jpeg-encoder"`, `"libjpeg-turbo"`,
    /// `"camreel"`).
    pub const fn name(self) -> &'static str {
        match self {
            Backend::JpegEncoder => "jpeg-encoder",
            Backend::TurboJpeg => "libjpeg-turbo",
            Backend::Native => "camreel",
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

/// Whether an ARGB8 image has a pixel that is not opaque.
fn has_alpha(src: ImageRef<'_>) -> bool {
    src.rows()
        .any(|row| row.chunks_exact(4).any(|px| px[3] != 255))
}

/// The encoder inputs, by how the backends consume them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Input {
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
pub(super) fn full_luma(s: u8) -> u8 {
    (((i32::from(s) - 16) * 19077 + 8192) >> 14).clamp(0, 255) as u8
}

/// Limited-range chroma (16-240 around 128) to full range:
/// `(c - 128) * 255 / 224 + 128`, rounded and clamped.
#[inline]
pub(super) fn full_chroma(s: u8) -> u8 {
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
/// use camreel::codec::Quality;
/// use camreel::codec::jpeg::{JpegEncoder, Subsampling};
/// use camreel::{Image, PixelFormat};
///
/// let mut encoder = JpegEncoder::new(Quality::try_from(90)?)?;
/// encoder.set_subsampling(Subsampling::Chroma444);
/// let gray = Image::zeroed(PixelFormat::Grayscale, 16, 16)?;
/// let jpeg = encoder.encode_image(gray.view())?;
/// assert_eq!(jpeg.format(), PixelFormat::Jpeg);
/// assert_eq!(jpeg.size(), (16, 16));
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct JpegEncoder {
    quality: Quality,
    subsampling: Subsampling,
    optimize_coding: bool,
    yuv_range: YuvRange,
    backend: Backend,
    /// Packed copy of a strided input, or range-converted YUV planes.
    scratch: Vec<u8>,
    /// Inputs in other pixel formats, converted to RGB888 or GRAYSCALE.
    converted: Option<Image>,
    /// The native backend's planes and tables, made on first use.
    native: Option<Box<super::native::Native>>,
    #[cfg(feature = "turbojpeg")]
    turbo: Option<super::turbo::Turbo>,
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

impl JpegEncoder {
    /// An encoder at `quality` with the default backend
    /// ([`Backend::default_backend`]), 4:2:0 chroma and limited-range YUV input.
    ///
    /// # Errors
    /// [`ErrorKind::BackendUnavailable`] if libjpeg-turbo fails to initialise.
    pub fn new(quality: Quality) -> Result<JpegEncoder> {
        JpegEncoder::with_backend(quality, Backend::default_backend())
    }

    /// An encoder at `quality` using `backend`.
    ///
    /// # Errors
    /// [`ErrorKind::BackendUnavailable`] for [`Backend::TurboJpeg`] without the
    /// `turbojpeg` feature, or if libjpeg-turbo fails to initialise.
    pub fn with_backend(quality: Quality, backend: Backend) -> Result<JpegEncoder> {
        #[cfg(feature = "turbojpeg")]
        let turbo = match backend {
            Backend::TurboJpeg => Some(super::turbo::Turbo::new()?),
            Backend::JpegEncoder | Backend::Native => None,
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
            native: None,
            #[cfg(feature = "turbojpeg")]
            turbo,
        })
    }

    /// The quality.
    pub fn quality(&self) -> Quality {
        self.quality
    }

    /// Changes the quality.
    pub fn set_quality(&mut self, quality: Quality) {
        self.quality = quality;
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
    /// [`decode`](super::decode) uses, misreads them when chroma is subsampled, so without
    /// the `turbojpeg` feature [`decode`](super::decode) refuses those with
    /// [`ErrorKind::UnsupportedFormat`]); libjpeg-turbo keeps one interleaved
    /// scan.
    ///
    /// ```
    /// use camreel::codec::Quality;
    /// use camreel::codec::jpeg::JpegEncoder;
    /// use camreel::{Image, PixelFormat};
    ///
    /// let noise: Vec<u8> = (0..64u32 * 64 * 3).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect();
    /// let image = Image::new(PixelFormat::Rgb888, 64, 64, noise)?;
    /// let mut encoder = JpegEncoder::new(Quality::try_from(80)?)?;
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
    /// GRAYSCALE, RGB888, BGR888, opaque ARGB8 and YUV420 are encoded
    /// directly. Other uncompressed formats are first converted with
    /// [`crate::convert`] (to GRAYSCALE for BINARY and GRAY16, to RGB888
    /// otherwise; ARGB8 with a pixel that is not opaque is composited over
    /// [`ALPHA_BACKGROUND`](crate::convert::ALPHA_BACKGROUND)) into a buffer
    /// the encoder keeps, so a loop over frames of one size allocates once.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for JPEG and PNG input (pass those
    /// through, or decode them first); [`ErrorKind::LimitExceeded`] for a side
    /// above [`MAX_DIMENSION`]; [`ErrorKind::InvalidArgument`] if the backend
    /// fails.
    pub fn encode(&mut self, src: ImageRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        let format = src.format();
        // JPEG has no alpha, and the backends would drop it.
        let translucent = format == PixelFormat::Argb8 && has_alpha(src);
        if translucent || (Input::of(format).is_err() && !format.is_compressed()) {
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
            Backend::Native => {
                let settings = super::native::Settings {
                    quality: self.quality,
                    subsampling: self.subsampling,
                    optimize_coding: self.optimize_coding,
                    yuv_range: self.yuv_range,
                };
                self.native
                    .get_or_insert_default()
                    .encode(src, input, &settings, out);
                Ok(())
            }
            #[cfg(feature = "turbojpeg")]
            Backend::TurboJpeg => match self.turbo.as_mut() {
                Some(turbo) => turbo.encode(
                    src,
                    input,
                    super::turbo::Settings {
                        quality: self.quality.get(),
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
        let mut encoder = Encoder::new(&mut *out, self.quality.get());
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
}
