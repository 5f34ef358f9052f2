//! libjpeg-turbo through the `turbojpeg` crate (cargo feature `turbojpeg`):
//! the encoder backend [`Backend::TurboJpeg`](super::Backend::TurboJpeg) and the
//! decoder of the layouts zune-jpeg misreads.

use super::encoder::{Input, Subsampling, YuvRange, full_chroma, full_luma};
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
    let mut decompressor = turbojpeg::Decompressor::new().map_err(|e| tj_error("decoder", e))?;
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

    fn reserve(&mut self, width: usize, height: usize, subsamp: turbojpeg::Subsamp) -> Result<()> {
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
