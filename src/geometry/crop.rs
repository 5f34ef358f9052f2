//! Cutting a [`Rect`] out of an image: a view where pixels are whole bytes,
//! a copy otherwise (BINARY bits, planar 4:2:0, RAW10 groups).

use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, PixelFormat, Rect};

fn bad_rect(rect: Rect, width: u32, height: u32) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "crop {}x{} at ({}, {}) is empty or outside the {width}x{height} image",
            rect.width, rect.height, rect.x, rect.y
        ),
    )
}

/// The Bayer order seen from `(x, y)` onwards.
fn shift_bayer(format: PixelFormat, x: u32, y: u32) -> PixelFormat {
    let shift = |o: crate::BayerOrder| {
        let o = if x % 2 == 1 { o.shifted_x() } else { o };
        if y % 2 == 1 { o.shifted_y() } else { o }
    };
    match format {
        PixelFormat::Bayer(o) => PixelFormat::Bayer(shift(o)),
        PixelFormat::Bayer16 { order, bits } => PixelFormat::Bayer16 {
            order: shift(order),
            bits,
        },
        PixelFormat::Raw10(o) => PixelFormat::Raw10(shift(o)),
        other => other,
    }
}

impl<'a> ImageRef<'a> {
    /// A view of the pixels inside `rect`, sharing this image's bytes (rows
    /// keep this image's stride).
    ///
    /// Works for formats whose pixels are whole bytes (all but BINARY, the
    /// planar YUV formats and RAW10), with an even `rect.x` for YUV422/YVU422.
    /// A Bayer view starting at an odd column or row has the shifted
    /// [`BayerOrder`](crate::BayerOrder).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an empty or out-of-bounds `rect` or
    /// an odd x in YUV422; [`ErrorKind::UnsupportedFormat`] for the formats
    /// above (use [`crop`], which copies).
    ///
    /// ```
    /// use camreel::{ImageRef, PixelFormat, Rect};
    /// let bytes: Vec<u8> = (0..12).collect();
    /// let img = ImageRef::new(PixelFormat::Grayscale, 4, 3, &bytes)?;
    /// let view = img.crop_view(Rect::new(1, 1, 2, 2))?;
    /// assert_eq!((view.stride(), view.row(0), view.row(1)), (4, &[5u8, 6][..], &[9u8, 10][..]));
    /// # Ok::<(), camreel::Error>(())
    /// ```
    pub fn crop_view(&self, rect: Rect) -> Result<ImageRef<'a>> {
        let format = self.format();
        let (width, height) = self.size();
        if format.is_compressed() {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!("cannot crop {format} data without decoding it"),
            ));
        }
        if !rect.fits_in(width, height) {
            return Err(bad_rect(rect, width, height));
        }
        let bpp = format.bytes_per_pixel().ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedFormat,
                format!("{format} pixels are not whole bytes; use geometry::crop"),
            )
        })? as usize;
        check_yuv422_x(format, rect)?;
        let offset = self.stride() * rect.y as usize + bpp * rect.x as usize;
        ImageRef::with_stride(
            shift_bayer(format, rect.x, rect.y),
            rect.width,
            rect.height,
            self.stride(),
            &self.data()[offset..],
        )
    }
}

fn check_yuv422_x(format: PixelFormat, rect: Rect) -> Result<()> {
    if matches!(format, PixelFormat::Yuv422 | PixelFormat::Yvu422) && rect.x % 2 == 1 {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{format} crop must start at an even column (x = {}): pixel pairs share chroma",
                rect.x
            ),
        ));
    }
    Ok(())
}

/// Copies the pixels inside `rect` into a new image.
///
/// # Errors
/// As [`crop_into`].
pub fn crop(src: ImageRef<'_>, rect: Rect) -> Result<Image> {
    let mut image = Image::empty();
    crop_into(src, rect, &mut image)?;
    Ok(image)
}

/// Copies the pixels inside `rect` into `dst`, reusing its memory.
///
/// Every uncompressed format is supported, with these rules:
/// - BINARY is cut at bit level (any x);
/// - Bayer formats starting at an odd column or row get the shifted
///   [`BayerOrder`](crate::BayerOrder), so colours stay right;
/// - YUV422/YVU422 need an even x (pixel pairs share their chroma);
/// - YUV420 and NV12 need an even x and y (2x2 blocks share chroma); the width
///   and height may be odd;
/// - RAW10 needs x to be a multiple of 4 (5-byte groups of 4 pixels).
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for an empty or out-of-bounds `rect` or an
/// offset the rules above forbid; [`ErrorKind::UnsupportedFormat`] for JPEG
/// and PNG. On error `dst` is unchanged.
pub fn crop_into(src: ImageRef<'_>, rect: Rect, dst: &mut Image) -> Result<()> {
    let format = src.format();
    let (width, height) = src.size();
    if format.is_compressed() {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("cannot crop {format} data without decoding it"),
        ));
    }
    if !rect.fits_in(width, height) {
        return Err(bad_rect(rect, width, height));
    }
    check_yuv422_x(format, rect)?;
    let x = rect.x as usize;
    match format {
        PixelFormat::Binary => {
            dst.reshape(format, rect.width, rect.height)?;
            crop_binary(src, rect, dst.data_mut());
        }
        PixelFormat::Yuv420 | PixelFormat::Nv12 => {
            if rect.x % 2 == 1 || rect.y % 2 == 1 {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "{format} crop must start at an even column and row, not ({}, {}): \
                         2x2 pixel blocks share chroma",
                        rect.x, rect.y
                    ),
                ));
            }
            dst.reshape(format, rect.width, rect.height)?;
            crop_planar(src, rect, dst.data_mut());
        }
        PixelFormat::Raw10(_) => {
            if !rect.x.is_multiple_of(4) {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "{format} crop must start at a multiple of 4 columns (x = {}): \
                         4 pixels share 5 bytes",
                        rect.x
                    ),
                ));
            }
            let out_format = shift_bayer(format, rect.x, rect.y);
            let row_len = out_format.row_bytes(rect.width)?;
            dst.reshape(out_format, rect.width, rect.height)?;
            copy_rows(src, rect.y, x / 4 * 5, row_len, dst.data_mut());
        }
        _ => {
            let bpp = format.bytes_per_pixel().ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedFormat,
                    format!("cropping {format} images is not supported"),
                )
            })? as usize;
            let out_format = shift_bayer(format, rect.x, rect.y);
            dst.reshape(out_format, rect.width, rect.height)?;
            copy_rows(
                src,
                rect.y,
                x * bpp,
                rect.width as usize * bpp,
                dst.data_mut(),
            );
        }
    }
    Ok(())
}

/// Copies `len` bytes from `offset` of each source row from `y0` on into the
/// rows of `dst` (packed, `len` bytes each).
fn copy_rows(src: ImageRef<'_>, y0: u32, offset: usize, len: usize, dst: &mut [u8]) {
    for (i, out) in dst.chunks_exact_mut(len).enumerate() {
        let row = src.row(y0 + i as u32);
        out.copy_from_slice(&row[offset..offset + len]);
    }
}

fn crop_binary(src: ImageRef<'_>, rect: Rect, dst: &mut [u8]) {
    let out_row = PixelFormat::Binary
        .row_bytes(rect.width)
        .unwrap_or_default();
    let word = |row: &[u8], i: usize| -> u64 {
        row.get(4 * i..4 * i + 4).map_or(0, |b| {
            u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        })
    };
    for (i, out) in dst.chunks_exact_mut(out_row).enumerate() {
        let row = src.row(rect.y + i as u32);
        for (k, chunk) in out.chunks_exact_mut(4).enumerate() {
            let sx = rect.x as usize + 32 * k;
            let (w, shift) = (sx / 32, sx % 32);
            let bits = ((word(row, w) | (word(row, w + 1) << 32)) >> shift) as u32;
            let remaining = rect.width as usize - 32 * k;
            let bits = if remaining < 32 {
                bits & ((1u32 << remaining) - 1)
            } else {
                bits
            };
            chunk.copy_from_slice(&bits.to_le_bytes());
        }
    }
}

fn crop_planar(src: ImageRef<'_>, rect: Rect, dst: &mut [u8]) {
    let (sw, sh) = (src.width() as usize, src.height() as usize);
    let (w, h) = (rect.width as usize, rect.height as usize);
    let (x, y) = (rect.x as usize, rect.y as usize);
    let data = src.data();
    let (src_luma, src_chroma) = data.split_at(sw * sh);
    let (dst_luma, dst_chroma) = dst.split_at_mut(w * h);
    for (r, out) in dst_luma.chunks_exact_mut(w).enumerate() {
        let start = (y + r) * sw + x;
        out.copy_from_slice(&src_luma[start..start + w]);
    }
    let (scw, sch) = (sw.div_ceil(2), sh.div_ceil(2));
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let (cx, cy) = (x / 2, y / 2);
    if src.format() == PixelFormat::Nv12 {
        // One plane of U, V pairs: 2 * cw bytes per row.
        for (r, out) in dst_chroma.chunks_exact_mut(2 * cw).enumerate() {
            let start = ((cy + r) * scw + cx) * 2;
            out.copy_from_slice(&src_chroma[start..start + 2 * cw]);
        }
    } else {
        let (su, sv) = src_chroma.split_at(scw * sch);
        let (du, dv) = dst_chroma.split_at_mut(cw * ch);
        for (plane, out_plane) in [(su, du), (sv, dv)] {
            for (r, out) in out_plane.chunks_exact_mut(cw).enumerate() {
                let start = (cy + r) * scw + cx;
                out.copy_from_slice(&plane[start..start + cw]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BayerOrder;

    #[test]
    fn crop_shifts_bayer_order() {
        let data: Vec<u8> = (0..16).collect();
        let img = ImageRef::new(PixelFormat::Bayer(BayerOrder::Rggb), 4, 4, &data).unwrap();
        let c = crop(img, Rect::new(1, 1, 2, 2)).unwrap();
        assert_eq!(c.format(), PixelFormat::Bayer(BayerOrder::Bggr));
        assert_eq!(c.data(), &[5, 6, 9, 10]);
        let v = img.crop_view(Rect::new(1, 0, 2, 1)).unwrap();
        assert_eq!(v.format(), PixelFormat::Bayer(BayerOrder::Grbg));
        assert_eq!(v.row(0), &[1, 2]);
    }
}
