//! The padded layouts of unencoded picamera captures: sizes, crops and pads.
//!
//! A Pi pads an unencoded capture: the width up to a multiple of 32, the
//! height up to a multiple of 16 ([`padded_size`]). A `'yuv'` capture holds
//! the padded Y plane then U and V planes of half its width and height; an
//! `'rgb'` (or `'bgr'`) capture holds padded rows of 3-byte pixels.

use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, Limits, PixelFormat};

/// The size picamera pads an unencoded capture to: width up to a multiple of
/// 32, height up to a multiple of 16 (saturating at the largest multiple).
pub fn padded_size(width: u32, height: u32) -> (u32, u32) {
    let up = |v: u32, m: u32| v.checked_next_multiple_of(m).unwrap_or(u32::MAX / m * m);
    (up(width, 32), up(height, 16))
}

fn check_request(width: u32, height: u32) -> Result<(usize, usize)> {
    Limits::default().check_dimensions(width, height)?;
    let (fw, fh) = padded_size(width, height);
    Ok((fw as usize, fh as usize))
}

/// Bytes in a picamera YUV420 capture of `width` x `height`: the padded Y
/// plane, then U and V of a quarter of its size each.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`] for a zero dimension,
/// [`ErrorKind::LimitExceeded`] above the default [`Limits`].
pub fn yuv420_capture_len(width: u32, height: u32) -> Result<usize> {
    let (fw, fh) = check_request(width, height)?;
    Ok(fw * fh + 2 * (fw / 2) * (fh / 2))
}

/// Bytes in a picamera RGB (or BGR) capture of `width` x `height`.
///
/// # Errors
/// As [`yuv420_capture_len`].
pub fn rgb_capture_len(width: u32, height: u32) -> Result<usize> {
    let (fw, fh) = check_request(width, height)?;
    Ok(fw * fh * 3)
}

fn check_len(what: &str, data: &[u8], expected: usize, width: u32, height: u32) -> Result<()> {
    if data.len() != expected {
        let (fw, fh) = padded_size(width, height);
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "a {width}x{height} {what} capture (padded to {fw}x{fh}) is {expected} bytes, got {}",
                data.len()
            ),
        ));
    }
    Ok(())
}

/// Crops a picamera YUV420 capture of a requested `width` x `height` to a
/// tightly packed [`PixelFormat::Yuv420`] image of that size (the
/// `PiYUVArray.array` equivalent).
///
/// ```
/// use camreel::raw::{crop_yuv420, yuv420_capture_len};
/// let data = vec![16u8; yuv420_capture_len(100, 100)?];
/// let img = crop_yuv420(&data, 100, 100)?;
/// assert_eq!(img.size(), (100, 100));
/// assert_eq!(img.data().len(), 100 * 100 + 2 * 50 * 50);
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`] if `data` is not exactly
/// [`yuv420_capture_len`] bytes.
pub fn crop_yuv420(data: &[u8], width: u32, height: u32) -> Result<Image> {
    let expected = yuv420_capture_len(width, height)?;
    check_len("YUV420", data, expected, width, height)?;
    let (fw, fh) = check_request(width, height)?;
    let (w, h) = (width as usize, height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let (y_plane, rest) = data.split_at(fw * fh);
    let (u_plane, v_plane) = rest.split_at((fw / 2) * (fh / 2));
    let mut out = Vec::with_capacity(w * h + 2 * cw * ch);
    for row in y_plane.chunks_exact(fw).take(h) {
        out.extend_from_slice(&row[..w]);
    }
    for plane in [u_plane, v_plane] {
        for row in plane.chunks_exact(fw / 2).take(ch) {
            out.extend_from_slice(&row[..cw]);
        }
    }
    Image::new(PixelFormat::Yuv420, width, height, out)
}

/// Crops a picamera RGB capture to a tightly packed `width` x `height` image
/// (the `PiRGBArray.array` equivalent). Pass [`PixelFormat::Bgr888`] for a
/// `'bgr'` capture, [`PixelFormat::Rgb888`] otherwise.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`] if `data` is not exactly
/// [`rgb_capture_len`] bytes; [`ErrorKind::UnsupportedFormat`] for another format.
pub fn crop_rgb(data: &[u8], width: u32, height: u32, format: PixelFormat) -> Result<Image> {
    if !matches!(format, PixelFormat::Rgb888 | PixelFormat::Bgr888) {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("picamera RGB captures are RGB888 or BGR888, not {format}"),
        ));
    }
    let expected = rgb_capture_len(width, height)?;
    check_len(format.name(), data, expected, width, height)?;
    let (fw, _) = check_request(width, height)?;
    let (w, h) = (width as usize, height as usize);
    let mut out = Vec::with_capacity(w * h * 3);
    for row in data.chunks_exact(fw * 3).take(h) {
        out.extend_from_slice(&row[..w * 3]);
    }
    Image::new(format, width, height, out)
}

/// Lays out a [`PixelFormat::Yuv420`] image the way a Pi delivers a `'yuv'`
/// capture: planes padded to [`padded_size`]. The padding repeats the last
/// column and row (a Pi leaves it undefined).
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] if `image` is not YUV420.
pub fn pad_yuv420(image: ImageRef<'_>) -> Result<Vec<u8>> {
    let (y, u, v) = image.yuv420_planes().ok_or_else(|| {
        Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "picamera 'yuv' captures need YUV420 frames, not {}",
                image.format()
            ),
        )
    })?;
    let (width, height) = image.size();
    let (fw, fh) = check_request(width, height)?;
    let (w, h) = (width as usize, height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut out = Vec::with_capacity(yuv420_capture_len(width, height)?);
    pad_plane(&mut out, y, w, h, fw, fh, 1);
    pad_plane(&mut out, u, cw, ch, fw / 2, fh / 2, 1);
    pad_plane(&mut out, v, cw, ch, fw / 2, fh / 2, 1);
    Ok(out)
}

/// Lays out an RGB888 (or BGR888) image the way a Pi delivers an `'rgb'`
/// capture: rows of [`padded_size`] width, padded rows at the bottom; the
/// padding repeats the last column and row.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] for other formats.
pub fn pad_rgb(image: ImageRef<'_>) -> Result<Vec<u8>> {
    if !matches!(image.format(), PixelFormat::Rgb888 | PixelFormat::Bgr888) {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "picamera 'rgb' captures need RGB888 frames, not {}",
                image.format()
            ),
        ));
    }
    let (width, height) = image.size();
    let (fw, fh) = check_request(width, height)?;
    let packed;
    let data = if image.is_packed() {
        image.data()
    } else {
        packed = image.to_image();
        packed.data()
    };
    let mut out = Vec::with_capacity(rgb_capture_len(width, height)?);
    pad_plane(&mut out, data, width as usize, height as usize, fw, fh, 3);
    Ok(out)
}

/// Appends a `w` x `h` plane of `bpp`-byte pixels padded to `fw` x `fh` by
/// repeating the last column and row.
fn pad_plane(
    out: &mut Vec<u8>,
    plane: &[u8],
    w: usize,
    h: usize,
    fw: usize,
    fh: usize,
    bpp: usize,
) {
    let start = out.len();
    let row_len = w * bpp;
    for row in plane.chunks_exact(row_len).take(h) {
        out.extend_from_slice(row);
        let last = &row[row_len - bpp..];
        for _ in w..fw {
            out.extend_from_slice(last);
        }
    }
    let padded_row = fw * bpp;
    let last_row = start + (h - 1) * padded_row;
    for _ in h..fh {
        out.extend_from_within(last_row..last_row + padded_row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_rules() {
        assert_eq!(padded_size(100, 100), (128, 112));
        assert_eq!(padded_size(1, 1), (32, 16));
        assert_eq!(padded_size(64, 32), (64, 32));
        assert_eq!(padded_size(1920, 1080), (1920, 1088));
        assert_eq!(rgb_capture_len(100, 100).unwrap(), 128 * 112 * 3);
        assert_eq!(yuv420_capture_len(100, 100).unwrap(), 21504);
        assert_eq!(
            yuv420_capture_len(0, 5).unwrap_err().kind(),
            ErrorKind::InvalidFrameSize
        );
        assert_eq!(
            rgb_capture_len(u32::MAX, 5).unwrap_err().kind(),
            ErrorKind::LimitExceeded
        );
        assert_eq!(
            padded_size(u32::MAX, u32::MAX),
            (u32::MAX / 32 * 32, u32::MAX / 16 * 16)
        );
    }

    #[test]
    fn yuv_crop_and_pad_round_trip() {
        // A 5x3 YUV420 image: Y 15, U 3x2, V 3x2.
        let data: Vec<u8> = (0..27).collect();
        let img = Image::new(PixelFormat::Yuv420, 5, 3, data.clone()).unwrap();
        let padded = pad_yuv420(img.view()).unwrap();
        assert_eq!(padded.len(), yuv420_capture_len(5, 3).unwrap());
        assert_eq!(padded.len(), 32 * 16 + 2 * 16 * 8);
        // Y row 0 then its padding repeats pixel 4.
        assert_eq!(&padded[..6], &[0, 1, 2, 3, 4, 4]);
        // Row 1 starts at 32.
        assert_eq!(padded[32], 5);
        // Padded rows repeat row 2.
        assert_eq!(padded[15 * 32], 10);
        // U plane starts after 32*16, V after another 16*8.
        assert_eq!(&padded[512..515], &[15, 16, 17]);
        assert_eq!(padded[512 + 16], 18);
        assert_eq!(&padded[512 + 128..512 + 131], &[21, 22, 23]);
        let back = crop_yuv420(&padded, 5, 3).unwrap();
        assert_eq!(back, img);
        let e = crop_yuv420(&padded[1..], 5, 3).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        assert_eq!(
            e.to_string(),
            "a 5x3 YUV420 capture (padded to 32x16) is 768 bytes, got 767"
        );
        assert!(pad_yuv420(Image::zeroed(PixelFormat::Rgb888, 2, 2).unwrap().view()).is_err());
    }

    #[test]
    fn rgb_crop_and_pad_round_trip() {
        let data: Vec<u8> = (0..(33 * 17 * 3)).map(|i| (i % 251) as u8).collect();
        let img = Image::new(PixelFormat::Rgb888, 33, 17, data).unwrap();
        let padded = pad_rgb(img.view()).unwrap();
        assert_eq!(padded.len(), 64 * 32 * 3);
        assert_eq!(crop_rgb(&padded, 33, 17, PixelFormat::Rgb888).unwrap(), img);
        let bgr = crop_rgb(&padded, 33, 17, PixelFormat::Bgr888).unwrap();
        assert_eq!(bgr.format(), PixelFormat::Bgr888);
        assert!(crop_rgb(&padded, 33, 17, PixelFormat::Grayscale).is_err());
        assert!(crop_rgb(&padded[3..], 33, 17, PixelFormat::Rgb888).is_err());
        // A strided view pads the same.
        let raw: Vec<u8> = (0..2 * 9).map(|i| i as u8).collect();
        let v = ImageRef::with_stride(PixelFormat::Rgb888, 2, 2, 9, &raw).unwrap();
        let p = pad_rgb(v).unwrap();
        assert_eq!(&p[..9], &[0, 1, 2, 3, 4, 5, 3, 4, 5]);
        assert_eq!(&p[96..99], &[9, 10, 11]);
    }
}
