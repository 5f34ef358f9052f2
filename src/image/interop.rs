//! Conversions to and from the [`image`](https://docs.rs/image) crate's buffers
//! (cargo feature `image`).
//!
//! | `image` type | camreel format |
//! |---|---|
//! | [`GrayImage`] | GRAYSCALE |
//! | [`RgbImage`] | RGB888 (BGR888 converts to it) |
//! | [`RgbaImage`] | ARGB8 (bytes reordered R, G, B, A <-> B, G, R, A) |
//! | `ImageBuffer<Luma<u16>, Vec<u16>>` | GRAY16 |
//! | `ImageBuffer<Rgb<u16>, Vec<u16>>` | RGB48 |
//! | [`DynamicImage`] | any of the above |
//!
//! Owned conversions move the pixel buffer where the layouts agree (GRAYSCALE,
//! RGB888) and reorder in place otherwise (ARGB8); the 16-bit ones copy (a
//! `Vec<u16>` cannot become a `Vec<u8>` without `unsafe`). `&RgbImage` and
//! `&GrayImage` convert to a borrowed [`ImageRef`] without copying.
//!
//! From a [`DynamicImage`], gray + alpha becomes ARGB8 as in PNG decoding,
//! 16-bit images with alpha drop the alpha (RGB48, GRAY16), and floating-point
//! images are converted to 8 bits (RGB888, or ARGB8 with alpha).
//!
//! Every conversion is `TryFrom`: camreel images cannot be empty, and only the
//! formats above have an `image` counterpart
//! ([`ErrorKind::UnsupportedFormat`] otherwise).
//!
//! ```
//! use camreel::{Image, ImageRef, PixelFormat};
//! use image::{Rgb, RgbImage};
//!
//! let rgb = RgbImage::from_pixel(4, 2, Rgb([10, 20, 30]));
//! let view = ImageRef::try_from(&rgb)?; // no copy
//! assert_eq!(view.row(1), &[10, 20, 30].repeat(4)[..]);
//! let owned = Image::try_from(rgb)?; // moves the buffer
//! assert_eq!(owned.format(), PixelFormat::Rgb888);
//! let back = RgbImage::try_from(owned)?;
//! assert_eq!(back.get_pixel(3, 1), &Rgb([10, 20, 30]));
//! # Ok::<(), camreel::Error>(())
//! ```

use image::{DynamicImage, GrayImage, ImageBuffer, Luma, Rgb, RgbImage, RgbaImage};

use super::{Image, ImageRef, PixelFormat};
use crate::error::{Error, ErrorKind, Result};

/// 16-bit gray, as the `image` crate holds it.
type Gray16Buffer = ImageBuffer<Luma<u16>, Vec<u16>>;
/// 16-bit RGB, as the `image` crate holds it.
type Rgb16Buffer = ImageBuffer<Rgb<u16>, Vec<u16>>;

fn wrong_format(found: PixelFormat, wanted: &str) -> Error {
    Error::new(
        ErrorKind::UnsupportedFormat,
        format!("a {found} image cannot become an image::{wanted}"),
    )
}

/// The first `len` elements of an `image` buffer, which may be longer than
/// its pixels.
fn pixels<T>(raw: &[T], len: usize, width: u32, height: u32) -> Result<&[T]> {
    raw.get(..len).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "{width}x{height} image buffer holds {} samples, needs {len}",
                raw.len()
            ),
        )
    })
}

fn sample_count(format: PixelFormat, width: u32, height: u32) -> Result<usize> {
    let bytes = format.payload_size(width, height)?;
    Ok(match format {
        PixelFormat::Gray16 | PixelFormat::Rgb48 => bytes / 2,
        _ => bytes,
    })
}

/// Takes an 8-bit `image` buffer as `format`, trimming extra samples.
fn from_bytes(format: PixelFormat, width: u32, height: u32, mut raw: Vec<u8>) -> Result<Image> {
    let len = sample_count(format, width, height)?;
    pixels(&raw, len, width, height)?;
    raw.truncate(len);
    Image::new(format, width, height, raw)
}

fn from_words(format: PixelFormat, width: u32, height: u32, raw: &[u16]) -> Result<Image> {
    let len = sample_count(format, width, height)?;
    let words = pixels(raw, len, width, height)?;
    let bytes = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    Image::new(format, width, height, bytes)
}

fn swap_red_blue(data: &mut [u8], pixel: usize) {
    for px in data.chunks_exact_mut(pixel) {
        px.swap(0, 2);
    }
}

impl TryFrom<GrayImage> for Image {
    type Error = Error;

    /// A GRAYSCALE image owning the buffer.
    fn try_from(img: GrayImage) -> Result<Image> {
        let (w, h) = img.dimensions();
        from_bytes(PixelFormat::Grayscale, w, h, img.into_raw())
    }
}

impl TryFrom<RgbImage> for Image {
    type Error = Error;

    /// An RGB888 image owning the buffer.
    fn try_from(img: RgbImage) -> Result<Image> {
        let (w, h) = img.dimensions();
        from_bytes(PixelFormat::Rgb888, w, h, img.into_raw())
    }
}

impl TryFrom<RgbaImage> for Image {
    type Error = Error;

    /// An ARGB8 image owning the buffer, bytes reordered to B, G, R, A.
    fn try_from(img: RgbaImage) -> Result<Image> {
        let (w, h) = img.dimensions();
        let mut image = from_bytes(PixelFormat::Argb8, w, h, img.into_raw())?;
        swap_red_blue(image.data_mut(), 4);
        Ok(image)
    }
}

impl TryFrom<Gray16Buffer> for Image {
    type Error = Error;

    /// A GRAY16 copy.
    fn try_from(img: Gray16Buffer) -> Result<Image> {
        let (w, h) = img.dimensions();
        from_words(PixelFormat::Gray16, w, h, img.as_raw())
    }
}

impl TryFrom<Rgb16Buffer> for Image {
    type Error = Error;

    /// An RGB48 copy.
    fn try_from(img: Rgb16Buffer) -> Result<Image> {
        let (w, h) = img.dimensions();
        from_words(PixelFormat::Rgb48, w, h, img.as_raw())
    }
}

impl TryFrom<DynamicImage> for Image {
    type Error = Error;

    /// The camreel image of the same pixels (see the [module docs](self) for
    /// alpha and floating point).
    fn try_from(img: DynamicImage) -> Result<Image> {
        match img {
            DynamicImage::ImageLuma8(i) => Image::try_from(i),
            DynamicImage::ImageRgb8(i) => Image::try_from(i),
            DynamicImage::ImageRgba8(i) => Image::try_from(i),
            DynamicImage::ImageLuma16(i) => Image::try_from(i),
            DynamicImage::ImageRgb16(i) => Image::try_from(i),
            DynamicImage::ImageLumaA8(i) => {
                let (w, h) = i.dimensions();
                let len = sample_count(PixelFormat::Grayscale, w, h)?;
                let ga = pixels(i.as_raw(), 2 * len, w, h)?;
                let argb = ga
                    .chunks_exact(2)
                    .flat_map(|p| [p[0], p[0], p[0], p[1]])
                    .collect();
                Image::new(PixelFormat::Argb8, w, h, argb)
            }
            DynamicImage::ImageLumaA16(i) => {
                let (w, h) = i.dimensions();
                let len = sample_count(PixelFormat::Gray16, w, h)?;
                let ga = pixels(i.as_raw(), 2 * len, w, h)?;
                let gray = ga
                    .chunks_exact(2)
                    .flat_map(|p| p[0].to_le_bytes())
                    .collect();
                Image::new(PixelFormat::Gray16, w, h, gray)
            }
            DynamicImage::ImageRgba16(i) => {
                let (w, h) = i.dimensions();
                let len = sample_count(PixelFormat::Rgb48, w, h)?;
                let rgba = pixels(i.as_raw(), len / 3 * 4, w, h)?;
                let rgb = rgba
                    .chunks_exact(4)
                    .flat_map(|p| p[..3].iter().flat_map(|s| s.to_le_bytes()))
                    .collect();
                Image::new(PixelFormat::Rgb48, w, h, rgb)
            }
            other if other.color().has_alpha() => Image::try_from(other.to_rgba8()),
            other => Image::try_from(other.to_rgb8()),
        }
    }
}

impl<'a> TryFrom<&'a GrayImage> for ImageRef<'a> {
    type Error = Error;

    /// A GRAYSCALE view of the buffer, without copying.
    fn try_from(img: &'a GrayImage) -> Result<ImageRef<'a>> {
        let (w, h) = img.dimensions();
        let len = sample_count(PixelFormat::Grayscale, w, h)?;
        ImageRef::new(
            PixelFormat::Grayscale,
            w,
            h,
            pixels(img.as_raw(), len, w, h)?,
        )
    }
}

impl<'a> TryFrom<&'a RgbImage> for ImageRef<'a> {
    type Error = Error;

    /// An RGB888 view of the buffer, without copying.
    fn try_from(img: &'a RgbImage) -> Result<ImageRef<'a>> {
        let (w, h) = img.dimensions();
        let len = sample_count(PixelFormat::Rgb888, w, h)?;
        ImageRef::new(PixelFormat::Rgb888, w, h, pixels(img.as_raw(), len, w, h)?)
    }
}

/// Packed bytes of `img` (copied row by row when strided).
fn packed_bytes(img: ImageRef<'_>) -> Vec<u8> {
    if img.is_packed() {
        img.data().to_vec()
    } else {
        img.rows().flatten().copied().collect()
    }
}

fn to_words(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect()
}

fn buffer<P: image::Pixel>(
    width: u32,
    height: u32,
    data: Vec<P::Subpixel>,
) -> Result<ImageBuffer<P, Vec<P::Subpixel>>> {
    ImageBuffer::from_raw(width, height, data).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidFrameSize,
            format!("{width}x{height} pixels do not fill an image buffer"),
        )
    })
}

impl TryFrom<Image> for GrayImage {
    type Error = Error;

    /// Moves a GRAYSCALE image's buffer.
    fn try_from(img: Image) -> Result<GrayImage> {
        match img.format() {
            PixelFormat::Grayscale => {
                let (w, h) = img.size();
                buffer(w, h, img.into_vec())
            }
            other => Err(wrong_format(other, "GrayImage")),
        }
    }
}

impl TryFrom<Image> for RgbImage {
    type Error = Error;

    /// Moves an RGB888 image's buffer (a BGR888 one is reordered in place).
    fn try_from(mut img: Image) -> Result<RgbImage> {
        match img.format() {
            PixelFormat::Rgb888 => {}
            PixelFormat::Bgr888 => swap_red_blue(img.data_mut(), 3),
            other => return Err(wrong_format(other, "RgbImage")),
        }
        let (w, h) = img.size();
        buffer(w, h, img.into_vec())
    }
}

impl TryFrom<Image> for RgbaImage {
    type Error = Error;

    /// Moves an ARGB8 image's buffer, reordered in place to R, G, B, A.
    fn try_from(mut img: Image) -> Result<RgbaImage> {
        if img.format() != PixelFormat::Argb8 {
            return Err(wrong_format(img.format(), "RgbaImage"));
        }
        swap_red_blue(img.data_mut(), 4);
        let (w, h) = img.size();
        buffer(w, h, img.into_vec())
    }
}

impl TryFrom<Image> for Gray16Buffer {
    type Error = Error;

    /// Copies a GRAY16 image.
    fn try_from(img: Image) -> Result<Gray16Buffer> {
        if img.format() != PixelFormat::Gray16 {
            return Err(wrong_format(img.format(), "ImageBuffer<Luma<u16>>"));
        }
        buffer(img.width(), img.height(), to_words(img.data()))
    }
}

impl TryFrom<Image> for Rgb16Buffer {
    type Error = Error;

    /// Copies an RGB48 image.
    fn try_from(img: Image) -> Result<Rgb16Buffer> {
        if img.format() != PixelFormat::Rgb48 {
            return Err(wrong_format(img.format(), "ImageBuffer<Rgb<u16>>"));
        }
        buffer(img.width(), img.height(), to_words(img.data()))
    }
}

impl TryFrom<Image> for DynamicImage {
    type Error = Error;

    /// The `image` variant of a GRAYSCALE, RGB888, BGR888, ARGB8, GRAY16 or
    /// RGB48 image.
    fn try_from(img: Image) -> Result<DynamicImage> {
        Ok(match img.format() {
            PixelFormat::Grayscale => DynamicImage::ImageLuma8(img.try_into()?),
            PixelFormat::Rgb888 | PixelFormat::Bgr888 => DynamicImage::ImageRgb8(img.try_into()?),
            PixelFormat::Argb8 => DynamicImage::ImageRgba8(img.try_into()?),
            PixelFormat::Gray16 => DynamicImage::ImageLuma16(img.try_into()?),
            PixelFormat::Rgb48 => DynamicImage::ImageRgb16(img.try_into()?),
            other => return Err(wrong_format(other, "DynamicImage")),
        })
    }
}

impl TryFrom<ImageRef<'_>> for DynamicImage {
    type Error = Error;

    /// A copy of the pixels as the matching `image` variant.
    fn try_from(img: ImageRef<'_>) -> Result<DynamicImage> {
        let (w, h) = img.size();
        match img.format() {
            PixelFormat::Grayscale
            | PixelFormat::Rgb888
            | PixelFormat::Bgr888
            | PixelFormat::Argb8
            | PixelFormat::Gray16
            | PixelFormat::Rgb48 => {
                DynamicImage::try_from(Image::new(img.format(), w, h, packed_bytes(img))?)
            }
            other => Err(wrong_format(other, "DynamicImage")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GenericImageView, LumaA, Rgba};

    fn counting(format: PixelFormat, w: u32, h: u32) -> Image {
        let len = format.payload_size(w, h).unwrap();
        Image::new(
            format,
            w,
            h,
            (0..len).map(|i| (i * 13 % 256) as u8).collect(),
        )
        .unwrap()
    }

    #[test]
    fn round_trips_through_dynamic_image() {
        for format in [
            PixelFormat::Grayscale,
            PixelFormat::Rgb888,
            PixelFormat::Argb8,
            PixelFormat::Gray16,
            PixelFormat::Rgb48,
        ] {
            let img = counting(format, 7, 5);
            let dynamic = DynamicImage::try_from(img.clone()).unwrap();
            assert_eq!(dynamic.dimensions(), (7, 5));
            let from_ref = DynamicImage::try_from(img.view()).unwrap();
            assert_eq!(from_ref, dynamic);
            assert_eq!(Image::try_from(dynamic).unwrap(), img, "{format}");
        }
        let yuv = counting(PixelFormat::Yuv420, 4, 4);
        assert_eq!(
            DynamicImage::try_from(yuv).unwrap_err().kind(),
            ErrorKind::UnsupportedFormat
        );
    }

    #[test]
    fn pixels_land_where_expected() {
        let argb = Image::new(PixelFormat::Argb8, 1, 1, vec![1, 2, 3, 4]).unwrap();
        let rgba = RgbaImage::try_from(argb).unwrap();
        assert_eq!(rgba.get_pixel(0, 0), &Rgba([3, 2, 1, 4]));
        let back = Image::try_from(rgba).unwrap();
        assert_eq!(back.data(), &[1, 2, 3, 4]);

        let bgr = Image::new(PixelFormat::Bgr888, 1, 1, vec![1, 2, 3]).unwrap();
        assert_eq!(
            RgbImage::try_from(bgr).unwrap().get_pixel(0, 0),
            &Rgb([3, 2, 1])
        );

        let deep = Image::new(PixelFormat::Gray16, 2, 1, vec![0x34, 0x12, 0xFF, 0x00]).unwrap();
        let buf = Gray16Buffer::try_from(deep).unwrap();
        assert_eq!(buf.as_raw(), &[0x1234, 0x00FF]);

        let ga = ImageBuffer::<LumaA<u8>, Vec<u8>>::from_raw(1, 1, vec![9, 200]).unwrap();
        let img = Image::try_from(DynamicImage::ImageLumaA8(ga)).unwrap();
        assert_eq!(
            (img.format(), img.data()),
            (PixelFormat::Argb8, &[9, 9, 9, 200][..])
        );

        let rgba16 =
            ImageBuffer::<Rgba<u16>, Vec<u16>>::from_raw(1, 1, vec![1, 0x0203, 4, 5]).unwrap();
        let img = Image::try_from(DynamicImage::ImageRgba16(rgba16)).unwrap();
        assert_eq!(
            (img.format(), img.data()),
            (PixelFormat::Rgb48, &[1, 0, 3, 2, 4, 0][..])
        );

        let float =
            DynamicImage::ImageRgb32F(ImageBuffer::from_raw(1, 1, vec![1.0f32, 0.5, 0.0]).unwrap());
        let img = Image::try_from(float).unwrap();
        assert_eq!(img.format(), PixelFormat::Rgb888);
        assert_eq!(img.data()[0], 255);
        assert_eq!(img.data()[2], 0);
    }

    #[test]
    fn borrowed_views_share_memory() {
        let gray = GrayImage::from_raw(3, 2, vec![1, 2, 3, 4, 5, 6]).unwrap();
        let view = ImageRef::try_from(&gray).unwrap();
        assert_eq!(view.data().as_ptr(), gray.as_raw().as_ptr());
        assert_eq!(view.row(1), &[4, 5, 6]);
        // A buffer longer than its pixels is trimmed.
        let long = RgbImage::from_raw(1, 1, vec![1, 2, 3, 4, 5]).unwrap();
        assert_eq!(ImageRef::try_from(&long).unwrap().data(), &[1, 2, 3]);
        assert_eq!(Image::try_from(long).unwrap().data(), &[1, 2, 3]);
        // Empty images have no camreel counterpart.
        let empty = RgbImage::new(0, 4);
        assert_eq!(
            ImageRef::try_from(&empty).unwrap_err().kind(),
            ErrorKind::InvalidFrameSize
        );
        assert!(Image::try_from(empty).is_err());
        // Moving an RGB888 image keeps its allocation.
        let rgb = RgbImage::from_pixel(8, 8, Rgb([7, 8, 9]));
        let ptr = rgb.as_raw().as_ptr();
        let img = Image::try_from(rgb).unwrap();
        assert_eq!(img.data().as_ptr(), ptr);
        let rgb = RgbImage::try_from(img).unwrap();
        assert_eq!(rgb.as_raw().as_ptr(), ptr);
    }
}
