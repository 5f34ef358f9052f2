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

use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, Limits, PixelFormat, Rect};

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

/// One destination column: the two source sample offsets (pixel index times
/// channels) and the weight of the second, out of 2048.
#[derive(Clone, Copy, Debug, Default)]
struct Tap {
    i0: u32,
    i1: u32,
    f: u32,
}

const FRAC_BITS: u32 = 11;
const ONE: u32 = 1 << FRAC_BITS;

/// Source pixel and weight of its right/lower neighbour for destination pixel
/// `d` of `dst_len`, sampling a line of `src_len` pixels at pixel centres.
fn bilinear_tap(d: u32, src_len: u32, dst_len: u32) -> (u32, u32, u32) {
    // Source coordinate (d + 0.5) * src / dst - 0.5 = num / den.
    let num = (2 * i64::from(d) + 1) * i64::from(src_len) - i64::from(dst_len);
    let den = 2 * i64::from(dst_len);
    if num <= 0 {
        return (0, 0, 0);
    }
    let mut s = num / den;
    let mut f = ((num % den) * i64::from(ONE) + den / 2) / den;
    if f == i64::from(ONE) {
        s += 1;
        f = 0;
    }
    let last = i64::from(src_len) - 1;
    if s >= last {
        return (last as u32, last as u32, 0);
    }
    (s as u32, s as u32 + 1, f as u32)
}

/// The source pixel holding the centre of destination pixel `d`.
fn nearest_tap(d: u32, src_len: u32, dst_len: u32) -> u32 {
    let s = (2 * u64::from(d) + 1) * u64::from(src_len) / (2 * u64::from(dst_len));
    (s as u32).min(src_len - 1)
}

/// How one format is scaled: channels per pixel and bytes per sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    channels: usize,
    wide: bool,
}

impl Layout {
    fn of(format: PixelFormat) -> Result<Layout> {
        let (channels, wide) = match format {
            PixelFormat::Grayscale => (1, false),
            PixelFormat::Rgb888 | PixelFormat::Bgr888 => (3, false),
            PixelFormat::Argb8 => (4, false),
            PixelFormat::Gray16 => (1, true),
            PixelFormat::Rgb48 => (3, true),
            other => {
                return Err(Error::new(
                    ErrorKind::UnsupportedFormat,
                    format!(
                        "scaling takes GRAYSCALE, RGB888, BGR888, ARGB8, GRAY16 or RGB48 \
                         images, not {other} (convert it first)"
                    ),
                ));
            }
        };
        Ok(Layout { channels, wide })
    }

    fn pixel_bytes(self) -> usize {
        self.channels * if self.wide { 2 } else { 1 }
    }
}

/// A reusable scaler: keeps its column tables and row buffers between calls,
/// so scaling frame after frame allocates nothing once warmed up.
///
/// ```
/// use camreel::geometry::{Filter, Resizer};
/// use camreel::{Image, PixelFormat};
/// let mut resizer = Resizer::new();
/// let mut out = Image::empty();
/// for _ in 0..3 {
///     let frame = Image::zeroed(PixelFormat::Rgb888, 320, 240)?;
///     resizer.fit_into(frame.view(), 160, 160, Filter::Bilinear, &mut out)?;
/// }
/// assert_eq!(out.size(), (160, 160));
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Resizer {
    taps: Vec<Tap>,
    /// Key of the current taps: (source width, width, channels, filter).
    taps_for: Option<(u32, u32, usize, Filter)>,
    /// Horizontally filtered source rows, and which source row each holds.
    rows: [Vec<u32>; 2],
    row_src: [Option<u32>; 2],
}

impl Resizer {
    /// A resizer with empty buffers.
    pub fn new() -> Resizer {
        Resizer::default()
    }

    /// Scales `src` to exactly `width` x `height` into `dst`.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for formats other than GRAYSCALE,
    /// RGB888, BGR888, ARGB8, GRAY16 and RGB48; [`ErrorKind::InvalidFrameSize`]
    /// for a zero `width` or `height`; [`ErrorKind::LimitExceeded`] for a size
    /// above the default [`Limits`]. On error `dst` is unchanged.
    pub fn resize_into(
        &mut self,
        src: ImageRef<'_>,
        width: u32,
        height: u32,
        filter: Filter,
        dst: &mut Image,
    ) -> Result<()> {
        let layout = Layout::of(src.format())?;
        Limits::default().check(src.format(), width, height)?;
        dst.reshape(src.format(), width, height)?;
        let stride = src.format().row_bytes(width)?;
        self.scale(
            src,
            layout,
            filter,
            dst.data_mut(),
            stride,
            Rect::new(0, 0, width, height),
        );
        Ok(())
    }

    /// Scales `src` into a `width` x `height` frame in `dst` preserving the
    /// aspect ratio, centred at [`fit_rect`], with black bars (opaque black
    /// for ARGB8).
    ///
    /// # Errors
    /// As [`Resizer::resize_into`].
    pub fn fit_into(
        &mut self,
        src: ImageRef<'_>,
        width: u32,
        height: u32,
        filter: Filter,
        dst: &mut Image,
    ) -> Result<()> {
        let layout = Layout::of(src.format())?;
        Limits::default().check(src.format(), width, height)?;
        dst.reshape(src.format(), width, height)?;
        let stride = src.format().row_bytes(width)?;
        let area = fit_rect(src.width(), src.height(), width, height);
        if area.width != width || area.height != height {
            let data = dst.data_mut();
            if src.format() == PixelFormat::Argb8 {
                for px in data.chunks_exact_mut(4) {
                    px.copy_from_slice(&[0, 0, 0, 255]);
                }
            } else {
                data.fill(0);
            }
        }
        self.scale(src, layout, filter, dst.data_mut(), stride, area);
        Ok(())
    }

    /// Scales `src` into the `area` of a packed destination with rows `stride`
    /// bytes apart. `area` lies inside the destination.
    fn scale(
        &mut self,
        src: ImageRef<'_>,
        layout: Layout,
        filter: Filter,
        dst: &mut [u8],
        stride: usize,
        area: Rect,
    ) {
        let pb = layout.pixel_bytes();
        let (sw, sh) = src.size();
        let x_off = area.x as usize * pb;
        let row_len = area.width as usize * pb;
        let mut out_rows = dst[area.y as usize * stride..]
            .chunks_mut(stride)
            .take(area.height as usize)
            .map(|r| &mut r[x_off..x_off + row_len]);
        if (sw, sh) == (area.width, area.height) {
            for (y, out) in (0..sh).zip(out_rows) {
                out.copy_from_slice(src.row(y));
            }
            return;
        }
        self.prepare_taps(sw, area.width, layout.channels, filter);
        match filter {
            Filter::Nearest => {
                // When enlarging, runs of output rows come from one source
                // row: copy the previous output row instead of redoing it.
                let mut prev: Option<(u32, &mut [u8])> = None;
                for (dy, out) in (0..area.height).zip(&mut out_rows) {
                    let sy = nearest_tap(dy, sh, area.height);
                    match &prev {
                        Some((py, last)) if *py == sy => out.copy_from_slice(last),
                        _ => nearest_row(src.row(sy), out, &self.taps, pb, layout.channels),
                    }
                    prev = Some((sy, out));
                }
            }
            Filter::Bilinear => {
                self.row_src = [None, None];
                for (dy, out) in (0..area.height).zip(&mut out_rows) {
                    let (y0, y1, fy) = bilinear_tap(dy, sh, area.height);
                    let (h0, h1) = self.filtered_rows(src, layout, y0, y1);
                    if layout.wide {
                        vertical::<true>(h0, h1, fy, out);
                    } else {
                        vertical::<false>(h0, h1, fy, out);
                    }
                }
            }
        }
    }

    fn prepare_taps(&mut self, src_w: u32, dst_w: u32, channels: usize, filter: Filter) {
        let key = (src_w, dst_w, channels, filter);
        if self.taps_for == Some(key) {
            return;
        }
        let c = channels as u32;
        self.taps.clear();
        self.taps.extend((0..dst_w).map(|d| match filter {
            Filter::Nearest => {
                let s = nearest_tap(d, src_w, dst_w) * c;
                Tap { i0: s, i1: s, f: 0 }
            }
            Filter::Bilinear => {
                let (s0, s1, f) = bilinear_tap(d, src_w, dst_w);
                Tap {
                    i0: s0 * c,
                    i1: s1 * c,
                    f,
                }
            }
        }));
        self.taps_for = Some(key);
    }

    /// The horizontally filtered source rows `y0` and `y1`, computing only the
    /// ones not already buffered.
    fn filtered_rows(
        &mut self,
        src: ImageRef<'_>,
        layout: Layout,
        y0: u32,
        y1: u32,
    ) -> (&[u32], &[u32]) {
        // Keep y0 in slot 0 and y1 in slot 1, moving a buffered row if needed.
        if self.row_src[0] != Some(y0) && self.row_src[1] == Some(y0) {
            self.rows.swap(0, 1);
            self.row_src.swap(0, 1);
        }
        for (slot, y) in [(0, y0), (1, y1)] {
            if self.row_src[slot] == Some(y) {
                continue;
            }
            if slot == 1 && y == y0 {
                let (a, b) = self.rows.split_at_mut(1);
                b[0].clear();
                b[0].extend_from_slice(&a[0]);
            } else {
                horizontal(src.row(y), &self.taps, layout, &mut self.rows[slot]);
            }
            self.row_src[slot] = Some(y);
        }
        (&self.rows[0], &self.rows[1])
    }
}

fn nearest_row(row: &[u8], out: &mut [u8], taps: &[Tap], pb: usize, channels: usize) {
    let sample_bytes = pb / channels;
    match pb {
        1 => nearest_row_n::<1>(row, out, taps, sample_bytes),
        2 => nearest_row_n::<2>(row, out, taps, sample_bytes),
        3 => nearest_row_n::<3>(row, out, taps, sample_bytes),
        4 => nearest_row_n::<4>(row, out, taps, sample_bytes),
        _ => nearest_row_n::<6>(row, out, taps, sample_bytes),
    }
}

/// Copies pixel `tap.i0` of `row` to each `N`-byte pixel of `out`.
fn nearest_row_n<const N: usize>(row: &[u8], out: &mut [u8], taps: &[Tap], sample_bytes: usize) {
    for (px, tap) in out.chunks_exact_mut(N).zip(taps) {
        let s = tap.i0 as usize * sample_bytes;
        if let Some(src) = row.get(s..s + N) {
            px.copy_from_slice(src);
        }
    }
}

/// Horizontal pass: each destination sample as `s0 * (2048 - f) + s1 * f`.
fn horizontal(row: &[u8], taps: &[Tap], layout: Layout, out: &mut Vec<u32>) {
    let c = layout.channels;
    out.clear();
    out.resize(taps.len() * c, 0);
    if layout.wide {
        let sample = |i: usize| {
            row.get(2 * i..2 * i + 2)
                .map_or(0, |b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        };
        for (px, t) in out.chunks_exact_mut(c).zip(taps) {
            let (i0, i1, f) = (t.i0 as usize, t.i1 as usize, t.f);
            for (k, o) in px.iter_mut().enumerate() {
                *o = sample(i0 + k) * (ONE - f) + sample(i1 + k) * f;
            }
        }
    } else {
        match c {
            1 => horizontal_n::<1>(row, taps, out),
            3 => horizontal_n::<3>(row, taps, out),
            _ => horizontal_n::<4>(row, taps, out),
        }
    }
}

fn horizontal_n<const C: usize>(row: &[u8], taps: &[Tap], out: &mut [u32]) {
    for (px, t) in out.chunks_exact_mut(C).zip(taps) {
        let (i0, i1, f) = (t.i0 as usize, t.i1 as usize, t.f);
        let a: [u8; C] = row
            .get(i0..i0 + C)
            .and_then(|s| s.try_into().ok())
            .unwrap_or([0; C]);
        let b: [u8; C] = row
            .get(i1..i1 + C)
            .and_then(|s| s.try_into().ok())
            .unwrap_or([0; C]);
        for k in 0..C {
            px[k] = u32::from(a[k]) * (ONE - f) + u32::from(b[k]) * f;
        }
    }
}

/// Vertical pass: blends two filtered rows with weight `fy` of the second and
/// writes the rounded samples (little-endian u16 when `WIDE`).
fn vertical<const WIDE: bool>(h0: &[u32], h1: &[u32], fy: u32, out: &mut [u8]) {
    const SHIFT: u32 = 2 * FRAC_BITS;
    const HALF: u64 = 1 << (2 * FRAC_BITS - 1);
    if WIDE {
        for ((o, &a), &b) in out.chunks_exact_mut(2).zip(h0).zip(h1) {
            let v =
                (u64::from(a) * u64::from(ONE - fy) + u64::from(b) * u64::from(fy) + HALF) >> SHIFT;
            o.copy_from_slice(&(v as u16).to_le_bytes());
        }
    } else if fy == 0 {
        for (o, &a) in out.iter_mut().zip(h0) {
            *o = ((a + (1 << (FRAC_BITS - 1))) >> FRAC_BITS) as u8;
        }
    } else {
        let (w0, w1) = (ONE - fy, fy);
        for ((o, &a), &b) in out.iter_mut().zip(h0).zip(h1) {
            // a, b <= 255 * 2048, so the sum stays below 2^31.
            *o = ((a * w0 + b * w1 + HALF as u32) >> SHIFT) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BayerOrder;

    #[test]
    fn taps_align_centres() {
        // Halving: destination pixel 0 sits between source pixels 0 and 1.
        assert_eq!(bilinear_tap(0, 4, 2), (0, 1, 1024));
        assert_eq!(bilinear_tap(1, 4, 2), (2, 3, 1024));
        // Doubling: 0 -> -0.25 clamps to 0; 1 -> 0.25; last clamps to the end.
        assert_eq!(bilinear_tap(0, 2, 4), (0, 0, 0));
        assert_eq!(bilinear_tap(1, 2, 4), (0, 1, 512));
        assert_eq!(bilinear_tap(2, 2, 4), (0, 1, 1536));
        assert_eq!(bilinear_tap(3, 2, 4), (1, 1, 0));
        // Same size is the identity.
        for d in 0..7 {
            let (s, _, f) = bilinear_tap(d, 7, 7);
            assert_eq!((s, f), (d, 0));
        }
        assert_eq!(nearest_tap(0, 4, 2), 1);
        assert_eq!(nearest_tap(1, 4, 2), 3);
        assert_eq!(nearest_tap(3, 2, 4), 1);
        assert_eq!(nearest_tap(0, 3, 1), 1);
    }

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
