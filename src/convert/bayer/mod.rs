//! Bayer demosaicing (and its inverse, sampling an RGB image into a mosaic).
//!
//! Sources: 8-bit [`PixelFormat::Bayer`], [`PixelFormat::Bayer16`] with any
//! sample depth, and packed [`PixelFormat::Raw10`] (unpacked row by row into a
//! five-row ring as it goes, so a RAW10 frame is never unpacked whole), in all
//! four [`BayerOrder`]s, any size including odd and one-pixel-wide or -high
//! images. Outputs: RGB888, or RGB48 at full precision.
//!
//! Three algorithms ([`Demosaic`]) are computed at the samples' native depth,
//! then scaled: to 8 bits by `>> (bits - 8)`, to 16 bits by bit replication
//! ([`widen_to_16`](super::pixel::widen_to_16)).
//!
//! * [`Demosaic::Average`] is the picamera recipe (docs section 5.11) exactly:
//!   each channel of each pixel is the sum of that channel's samples in the
//!   3x3 window around it, divided (integer division, rounding down) by the
//!   number of that channel's sites in the window, where sites outside the
//!   image count for nothing. A channel with no site in the window (possible
//!   only in a one-pixel-wide or -high image) is 0, as numpy's integer
//!   division by zero gives. Note the window includes the pixel: at a green
//!   site, green is the mean of the pixel and its four diagonal greens. Sums
//!   are exact (the recipe's `uint16` sums would wrap for samples above 13
//!   bits; here they do not).
//! * [`Demosaic::Bilinear`] (the default): a pixel keeps its own channel; a
//!   missing channel is the rounded mean of the 2 or 4 nearest samples of that
//!   colour. Borders mirror the image without repeating the edge
//!   (`reflect-101`: column -1 reads column 1), which keeps the Bayer phase.
//! * [`Demosaic::MalvarHeCutler`]: the 5x5 gradient-corrected linear filters of
//!   Malvar, He and Cutler (ICASSP 2004), rounded and clamped to the sample
//!   range, with the same mirrored borders.
//!
//! Mirroring needs a second row and column, so Bilinear and Malvar-He-Cutler
//! fall back to Average for images one pixel wide or high.
//!
//! A [`PixelFormat::Bayer16`] sample above `2^bits - 1` is outside its format;
//! demosaicing it does not fail or panic but gives unspecified colours
//! (checking every sample would cost a pass over the frame). Mosaic-to-mosaic
//! conversions, which read each sample once anyway, refuse such samples.
//!
//! ```
//! use camreel::convert::bayer::{self, Demosaic};
//! use camreel::{BayerOrder, Image, ImageRef, PixelFormat};
//! // One 2x2 RGGB tile: R=200, G=100 and 50, B=10.
//! let mosaic = [200u8, 100, 50, 10];
//! let src = ImageRef::new(PixelFormat::Bayer(BayerOrder::Rggb), 2, 2, &mosaic)?;
//! let mut rgb = Image::empty();
//! bayer::demosaic_into(src, Demosaic::Average, &mut rgb)?;
//! assert_eq!(rgb.format(), PixelFormat::Rgb888);
//! // Top-left pixel: its own red, greens (100 + 50) / 2, blue 10.
//! assert_eq!(&rgb.data()[..3], &[200, 75, 10]);
//! # Ok::<(), camreel::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

mod io;
mod kernels;

use super::invalid_len;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{BayerOrder, Image, ImageRef, PixelFormat};
use io::{Depth, Rgb8, Rgb16, S8, S16, Samples, Sink};
use kernels::{RowCtx, demosaic_row, reflect};

/// A demosaicing algorithm; see the [module docs](self) for the exact rules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Demosaic {
    /// The picamera recipe's 3x3 same-colour average (integer division).
    Average,
    /// Bilinear interpolation from the nearest same-colour samples (the default:
    /// fast and free of the recipe's green blur).
    #[default]
    Bilinear,
    /// Malvar-He-Cutler gradient-corrected 5x5 linear interpolation (sharpest).
    MalvarHeCutler,
}

impl Demosaic {
    /// All algorithms.
    pub const ALL: [Demosaic; 3] = [
        Demosaic::Average,
        Demosaic::Bilinear,
        Demosaic::MalvarHeCutler,
    ];

    /// Lower-case name: `"average"`, `"bilinear"`, `"mhc"`.
    pub fn name(self) -> &'static str {
        match self {
            Demosaic::Average => "average",
            Demosaic::Bilinear => "bilinear",
            Demosaic::MalvarHeCutler => "mhc",
        }
    }
}

impl fmt::Display for Demosaic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Demosaic {
    type Err = Error;
    /// Parses `average` (or `picamera`), `bilinear`, `mhc` (or `malvar`),
    /// case-insensitively.
    fn from_str(s: &str) -> Result<Demosaic> {
        match s.trim().to_ascii_lowercase().as_str() {
            "average" | "avg" | "picamera" => Ok(Demosaic::Average),
            "bilinear" | "linear" => Ok(Demosaic::Bilinear),
            "mhc" | "malvar" | "malvar-he-cutler" | "malvarhecutler" => {
                Ok(Demosaic::MalvarHeCutler)
            }
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown demosaic algorithm {s:?} (expected average, bilinear or mhc)"),
            )),
        }
    }
}

/// Where the mosaic rows come from.
trait RowSource {
    /// Rows `ys` (all in range), borrowed together.
    fn rows5(&mut self, ys: [usize; 5]) -> [&[u8]; 5];
}

/// Rows straight from an 8- or 16-bit mosaic.
struct Direct<'a>(ImageRef<'a>);

impl RowSource for Direct<'_> {
    #[inline(always)]
    fn rows5(&mut self, ys: [usize; 5]) -> [&[u8]; 5] {
        let img = self.0;
        ys.map(|y| img.row(y as u32))
    }
}

/// RAW10 rows unpacked on demand into a ring of five little-endian u16 rows.
struct Raw10Ring<'a> {
    src: ImageRef<'a>,
    buf: &'a mut [u8],
    tags: [usize; 5],
    row_len: usize,
}

impl RowSource for Raw10Ring<'_> {
    #[inline(always)]
    fn rows5(&mut self, ys: [usize; 5]) -> [&[u8]; 5] {
        let rl = self.row_len;
        for y in ys {
            let slot = y % 5;
            if self.tags[slot] != y {
                let dst = &mut self.buf[slot * rl..(slot + 1) * rl];
                super::raw10::unpack_row_le_inline(self.src.row(y as u32), dst);
                self.tags[slot] = y;
            }
        }
        let buf: &[u8] = self.buf;
        ys.map(|y| &buf[(y % 5) * rl..(y % 5 + 1) * rl])
    }
}

#[inline(always)]
fn run<S: Samples, O: Sink>(
    algo: Demosaic,
    src: &mut impl RowSource,
    order: BayerOrder,
    (w, h): (usize, usize),
    d: Depth,
    out: &mut [u8],
) {
    // Mirroring needs two rows and two columns.
    let algo = if w < 2 || h < 2 {
        Demosaic::Average
    } else {
        algo
    };
    for (y, out_row) in out.chunks_exact_mut(w * O::BPP).enumerate().take(h) {
        let ys = [-2isize, -1, 0, 1, 2].map(|dy| reflect(y as isize + dy, h));
        let valid = [-2isize, -1, 0, 1, 2].map(|dy| (0..h as isize).contains(&(y as isize + dy)));
        let c0 = order.color_at(0, y);
        let c1 = order.color_at(1, y);
        let gfirst = c0 == 1;
        let ctx = RowCtx {
            w,
            gfirst,
            blue: (if gfirst { c1 } else { c0 }) == 2,
            valid,
            order,
            y,
            d,
        };
        let rows = src.rows5(ys);
        demosaic_row::<S, O>(algo, &rows, &ctx, out_row);
    }
}

simd_dispatch! {
    fn demosaic_dispatch(algo: Demosaic, src: ImageRef<'_>, deep_out: bool, ring: &mut [u8], out: &mut [u8]) {
        let (w, h) = (src.width() as usize, src.height() as usize);
        let (order, bits) = match src.format() {
            PixelFormat::Bayer(o) => (o, 8),
            PixelFormat::Bayer16 { order, bits } => (order, u32::from(bits)),
            PixelFormat::Raw10(o) => (o, 10),
            _ => return,
        };
        let d = Depth::new(bits);
        match (src.format(), deep_out) {
            (PixelFormat::Bayer(_), false) => run::<S8, Rgb8>(algo, &mut Direct(src), order, (w, h), d, out),
            (PixelFormat::Bayer(_), true) => run::<S8, Rgb16>(algo, &mut Direct(src), order, (w, h), d, out),
            (PixelFormat::Bayer16 { .. }, false) => run::<S16, Rgb8>(algo, &mut Direct(src), order, (w, h), d, out),
            (PixelFormat::Bayer16 { .. }, true) => run::<S16, Rgb16>(algo, &mut Direct(src), order, (w, h), d, out),
            (_, deep) => {
                let mut ring = Raw10Ring { src, buf: ring, tags: [usize::MAX; 5], row_len: 2 * w };
                if deep {
                    run::<S16, Rgb16>(algo, &mut ring, order, (w, h), d, out)
                } else {
                    run::<S16, Rgb8>(algo, &mut ring, order, (w, h), d, out)
                }
            }
        }
    }
}

/// Bytes of scratch [`demosaic_slice`] needs for a source of this format and
/// width (the RAW10 row ring; 0 otherwise).
pub(crate) fn scratch_len(format: PixelFormat, width: u32) -> usize {
    match format {
        PixelFormat::Raw10(_) => 10 * width as usize,
        _ => 0,
    }
}

/// Demosaics `src` into `out` (RGB888 or, when `deep`, RGB48 bytes, exactly
/// sized), using `scratch` (at least [`scratch_len`] bytes).
pub(crate) fn demosaic_slice(
    src: ImageRef<'_>,
    algo: Demosaic,
    deep: bool,
    scratch: &mut [u8],
    out: &mut [u8],
) -> Result<()> {
    if !src.format().is_bayer() {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("cannot demosaic {} (expected a bayer format)", src.format()),
        ));
    }
    let (w, h) = (src.width() as usize, src.height() as usize);
    let bpp = if deep { 6 } else { 3 };
    let want = w * h * bpp;
    if out.len() != want {
        return Err(invalid_len("demosaic output", w, want, out.len()));
    }
    let ring = scratch_len(src.format(), src.width());
    if scratch.len() < ring {
        return Err(invalid_len("demosaic scratch", w, ring, scratch.len()));
    }
    demosaic_dispatch(algo, src, deep, &mut scratch[..ring], out);
    Ok(())
}

/// Demosaics a Bayer image (8-bit, 16-bit or RAW10, any row stride) into an
/// RGB888 image, reusing `dst`'s memory.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] if `src` is not a Bayer format.
pub fn demosaic_into(src: ImageRef<'_>, algo: Demosaic, dst: &mut Image) -> Result<()> {
    demosaic_image(src, algo, false, dst)
}

/// Demosaics a Bayer image into an RGB48 image at full precision (each
/// `bits`-bit result widened to 16 bits by bit replication), reusing `dst`'s
/// memory.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] if `src` is not a Bayer format.
pub fn demosaic16_into(src: ImageRef<'_>, algo: Demosaic, dst: &mut Image) -> Result<()> {
    demosaic_image(src, algo, true, dst)
}

fn demosaic_image(src: ImageRef<'_>, algo: Demosaic, deep: bool, dst: &mut Image) -> Result<()> {
    if !src.format().is_bayer() {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("cannot demosaic {} (expected a bayer format)", src.format()),
        ));
    }
    let to = if deep {
        PixelFormat::Rgb48
    } else {
        PixelFormat::Rgb888
    };
    let (w, h) = src.size();
    let size = to.payload_size(w, h)?;
    let ring = scratch_len(src.format(), w);
    dst.reshape(to, w, h)?;
    let buf = dst.buffer_mut();
    buf.resize(size + ring, 0);
    let (out, scratch) = buf.split_at_mut(size);
    let r = demosaic_slice(src, algo, deep, scratch, out);
    buf.truncate(size);
    r
}

/// Samples an RGB888 or RGB48 image into a mosaic: each pixel keeps the channel
/// its Bayer site records. `to` is [`PixelFormat::Bayer`], [`PixelFormat::Bayer16`]
/// or [`PixelFormat::Raw10`]; 8-bit values widen by bit replication and 16-bit
/// ones narrow by dropping low bits.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] for another source or target format.
///
/// ```
/// use camreel::convert::bayer;
/// use camreel::{BayerOrder, Image, ImageRef, PixelFormat};
/// let rgb = [10u8, 20, 30, 40, 50, 60];
/// let src = ImageRef::new(PixelFormat::Rgb888, 2, 1, &rgb)?;
/// let mut m = Image::empty();
/// bayer::mosaic_into(src, PixelFormat::Bayer(BayerOrder::Rggb), &mut m)?;
/// assert_eq!(m.data(), &[10, 50]);
/// # Ok::<(), camreel::Error>(())
/// ```
pub fn mosaic_into(src: ImageRef<'_>, to: PixelFormat, dst: &mut Image) -> Result<()> {
    let (w, h) = src.size();
    if !to.is_bayer() || !matches!(src.format(), PixelFormat::Rgb888 | PixelFormat::Rgb48) {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("cannot sample {} into {}", src.format(), to),
        ));
    }
    dst.reshape(to, w, h)?;
    mosaic_slice(src, to, dst.data_mut())
}

/// [`mosaic_into`] writing into an exactly sized byte slice.
pub(crate) fn mosaic_slice(src: ImageRef<'_>, to: PixelFormat, out: &mut [u8]) -> Result<()> {
    let (w, h) = (src.width() as usize, src.height() as usize);
    let Some(order) = to.bayer_order() else {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("{to} is not a bayer format"),
        ));
    };
    let want = to.payload_size(src.width(), src.height())?;
    if out.len() != want {
        return Err(invalid_len("mosaic output", w, want, out.len()));
    }
    let deep_src = src.format() == PixelFormat::Rgb48;
    let row_bytes = want / h;
    // A sample of pixel (x, y) in 16-bit precision.
    let sample16 = |row: &[u8], x: usize, y: usize| -> u16 {
        let ch = order.color_at(x, y);
        if deep_src {
            u16::from_le_bytes([row[6 * x + 2 * ch], row[6 * x + 2 * ch + 1]])
        } else {
            u16::from(row[3 * x + ch]) * 257
        }
    };
    for (y, (row, o)) in src.rows().zip(out.chunks_exact_mut(row_bytes)).enumerate() {
        match to {
            PixelFormat::Bayer(_) if !deep_src => {
                let (px, _) = row.as_chunks::<3>();
                let t = [order.color_at(0, y), order.color_at(1, y)];
                for (x, (o, p)) in o.iter_mut().zip(px).enumerate() {
                    *o = p[t[x & 1]];
                }
            }
            PixelFormat::Bayer(_) => {
                for (x, o) in o.iter_mut().enumerate() {
                    *o = (sample16(row, x, y) >> 8) as u8;
                }
            }
            PixelFormat::Bayer16 { bits, .. } => {
                let shift = 16 - u32::from(bits);
                for (x, o) in o.chunks_exact_mut(2).enumerate() {
                    o.copy_from_slice(&(sample16(row, x, y) >> shift).to_le_bytes());
                }
            }
            _ => super::raw10::pack_row_with(w, |x| sample16(row, x, y) >> 6, o),
        }
    }
    Ok(())
}
