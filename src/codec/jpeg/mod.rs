//! JPEG encoding ([`JpegEncoder`]) and decoding ([`decode`], [`JpegDecoder`]).
//!
//! # Encoding
//!
//! [`JpegEncoder`] takes [`PixelFormat::Grayscale`], [`PixelFormat::Rgb888`],
//! [`PixelFormat::Bgr888`], [`PixelFormat::Argb8`] (composited over
//! [`ALPHA_BACKGROUND`](crate::convert::ALPHA_BACKGROUND), black, when it has
//! pixels that are not opaque) and [`PixelFormat::Yuv420`] and writes a baseline JFIF file (an `APP0 JFIF`
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
//! of the BT.601 limited-range formula (as picamera and
//! [`convert::yuv`](crate::convert::yuv) define it). Frames that are
//! already full range (`yuvj420p`) take [`YuvRange::Full`] and pass through
//! untouched. A YUV420 input always gives a 4:2:0 JPEG.
//!
//! ```
//! use camreel::codec::Quality;
//! use camreel::codec::jpeg::{self, JpegEncoder};
//! use camreel::{Image, PixelFormat};
//!
//! let frame = Image::zeroed(PixelFormat::Rgb888, 64, 48)?;
//! let mut encoder = JpegEncoder::new(Quality::DEFAULT)?;
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
//!
//! # Headers
//!
//! [`info`] and [`dimensions`] read a header without decoding; the same
//! parser serves the decoder and the MJPEG AVI writer and reader.
//!
//! # Files
//!
//! `header.rs` (the marker parser), `encoder.rs` ([`JpegEncoder`] and the
//! `jpeg-encoder` backend), `turbo.rs` (libjpeg-turbo), `decoder.rs`
//! ([`JpegDecoder`]), `dht.rs` (the standard Huffman tables).

mod decoder;
mod dht;
mod encoder;
mod header;
mod native;
#[cfg(feature = "turbojpeg")]
mod turbo;

pub use decoder::{JpegDecoder, decode, decode_into};
pub use encoder::{Backend, JpegEncoder, MAX_DIMENSION, Subsampling, YuvRange};
pub use header::{JpegInfo, dimensions, info};

pub(crate) use header::looks_like_jpeg;

#[cfg(doc)]
use crate::{
    error::ErrorKind,
    image::{Limits, PixelFormat},
};
