//! Crop, scale and letterbox.
//!
//! - [`crop`] / [`crop_into`] cut a [`Rect`] out of an image in any
//!   uncompressed format, and [`ImageRef::crop_view`] does it without copying
//!   for formats whose pixels are whole bytes.
//! - [`resize`] / [`resize_into`] scale to an exact size with [`Filter::Nearest`]
//!   or [`Filter::Bilinear`].
//! - [`fit`] / [`fit_into`] scale preserving the aspect ratio into a fixed
//!   frame, centred, with black bars (letterbox or pillarbox) around it: what
//!   the MJPEG writer does with frames of another size. [`fit_rect`] says where
//!   the picture lands.
//!
//! Scaling takes GRAYSCALE, RGB888, BGR888, ARGB8, GRAY16 and RGB48; other
//! formats are refused with [`ErrorKind::UnsupportedFormat`] (convert first).
//!
//! Both filters align pixel centres, as OpenCV's `INTER_NEAREST_EXACT` and
//! `INTER_LINEAR` do: destination pixel `x` samples source position
//! `(x + 0.5) * src_width / width - 0.5`. Bilinear weights are 11-bit fixed
//! point; scaling to the same size is an exact copy.
//!
//! For a per-frame loop keep a [`Resizer`], which reuses its tables and row
//! buffers; the free functions make a new one each call.
//!
//! ```
//! use camreel::geometry::{self, Filter};
//! use camreel::{Image, PixelFormat, Rect};
//!
//! let src = Image::new(PixelFormat::Grayscale, 4, 2, vec![0, 10, 20, 30, 40, 50, 60, 70])?;
//! let part = geometry::crop(src.view(), Rect::new(1, 0, 2, 2))?;
//! assert_eq!(part.data(), &[10, 20, 50, 60]);
//! let small = geometry::resize(src.view(), 2, 1, Filter::Bilinear)?;
//! assert_eq!(small.data(), &[25, 45]);
//! let boxed = geometry::fit(src.view(), 4, 4, Filter::Nearest)?;
//! assert_eq!(&boxed.data()[..4], &[0, 0, 0, 0]); // a black bar on top
//! # Ok::<(), camreel::Error>(())
//! ```

mod crop;
mod resize;

pub use crop::{crop, crop_into};
pub use resize::Resizer;

use crate::error::Result;
use crate::image::{Image, ImageRef, Rect};
#[cfg(doc)]
use crate::{error::ErrorKind, image::PixelFormat};

/// How [`resize`] and [`fit`] sample the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Filter {
    /// The source pixel whose area holds the destination pixel's centre.
    /// Fast, blocky, exact colours.
    Nearest,
    /// Linear interpolation between the four nearest source pixels.
    #[default]
    Bilinear,
}

/// Where a `src_width` x `src_height` picture lands when fitted into a
/// `width` x `height` frame: scaled to touch two opposite sides, aspect ratio
/// kept (rounded to whole pixels, at least 1), centred (extra pixel of an odd
/// margin at the bottom/right).
///
/// ```
/// use camreel::geometry::fit_rect;
/// use camreel::Rect;
/// assert_eq!(fit_rect(100, 50, 64, 64), Rect::new(0, 16, 64, 32));
/// assert_eq!(fit_rect(480, 640, 640, 480), Rect::new(140, 0, 360, 480));
/// assert_eq!(fit_rect(640, 480, 640, 480), Rect::new(0, 0, 640, 480));
/// ```
pub fn fit_rect(src_width: u32, src_height: u32, width: u32, height: u32) -> Rect {
    let (sw, sh) = (u64::from(src_width.max(1)), u64::from(src_height.max(1)));
    let (w, h) = (u64::from(width), u64::from(height));
    if sw * h >= sh * w {
        // Relatively wider than the frame: full width, bars top and bottom.
        let fh = ((sh * w * 2 + sw) / (2 * sw)).clamp(1, h.max(1)) as u32;
        Rect::new(0, (height - fh.min(height)) / 2, width, fh)
    } else {
        let fw = ((sw * h * 2 + sh) / (2 * sh)).clamp(1, w.max(1)) as u32;
        Rect::new((width - fw.min(width)) / 2, 0, fw, height)
    }
}

/// Scales `src` to exactly `width` x `height`.
///
/// # Errors
/// As [`Resizer::resize_into`].
pub fn resize(src: ImageRef<'_>, width: u32, height: u32, filter: Filter) -> Result<Image> {
    let mut image = Image::empty();
    Resizer::new().resize_into(src, width, height, filter, &mut image)?;
    Ok(image)
}

/// Scales `src` to exactly `width` x `height` into `dst`, reusing its memory.
///
/// # Errors
/// As [`Resizer::resize_into`].
pub fn resize_into(
    src: ImageRef<'_>,
    width: u32,
    height: u32,
    filter: Filter,
    dst: &mut Image,
) -> Result<()> {
    Resizer::new().resize_into(src, width, height, filter, dst)
}

/// Scales `src` into a `width` x `height` frame preserving its aspect ratio,
/// centred, with black bars.
///
/// # Errors
/// As [`Resizer::fit_into`].
///
/// ```
/// use camreel::geometry::{fit, Filter};
/// use camreel::{Image, PixelFormat};
/// let white = Image::new(PixelFormat::Grayscale, 100, 50, vec![255; 5000])?;
/// let framed = fit(white.view(), 64, 64, Filter::Bilinear)?;
/// let rows: Vec<&[u8]> = framed.data().chunks(64).collect();
/// assert!(rows[..16].iter().all(|r| r.iter().all(|&v| v == 0)));
/// assert!(rows[16..48].iter().all(|r| r.iter().all(|&v| v == 255)));
/// assert!(rows[48..].iter().all(|r| r.iter().all(|&v| v == 0)));
/// # Ok::<(), camreel::Error>(())
/// ```
pub fn fit(src: ImageRef<'_>, width: u32, height: u32, filter: Filter) -> Result<Image> {
    let mut image = Image::empty();
    Resizer::new().fit_into(src, width, height, filter, &mut image)?;
    Ok(image)
}

/// As [`fit`], into `dst`, reusing its memory.
///
/// # Errors
/// As [`Resizer::fit_into`].
pub fn fit_into(
    src: ImageRef<'_>,
    width: u32,
    height: u32,
    filter: Filter,
    dst: &mut Image,
) -> Result<()> {
    Resizer::new().fit_into(src, width, height, filter, dst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_rect_rounds_and_centres() {
        assert_eq!(fit_rect(100, 50, 64, 64), Rect::new(0, 16, 64, 32));
        assert_eq!(fit_rect(50, 100, 64, 64), Rect::new(16, 0, 32, 64));
        assert_eq!(fit_rect(1920, 1080, 640, 480), Rect::new(0, 60, 640, 360));
        assert_eq!(fit_rect(1000, 1, 10, 10), Rect::new(0, 4, 10, 1));
        // 3x3 into 5x4 is height-bound: 4x4, centred at x = (5 - 4) / 2 = 0.
        assert_eq!(fit_rect(3, 3, 5, 4), Rect::new(0, 0, 4, 4));
    }
}
