//! [`Resizer`]: nearest and bilinear scaling with reusable tables and row
//! buffers, and the letterboxing fit.

use super::{Filter, fit_rect};
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, Limits, PixelFormat, Rect};

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
}
