//! YUV <-> RGB for picamera's and cameras' 4:2:0 formats, I420 (YUV420) and
//! NV12.
//!
//! These use BT.601 limited range, as picamera documents it (OpenMV's 4:2:2
//! formats are full range: [`yuv422`](super::yuv422)):
//!
//! ```text
//! R = 1.164 (Y - 16) + 1.596 (V - 128)
//! G = 1.164 (Y - 16) - 0.392 (U - 128) - 0.813 (V - 128)
//! B = 1.164 (Y - 16) + 2.017 (U - 128)
//! ```
//!
//! clamped to 0..=255. The fixed-point kernels (16-bit lanes, 6 fractional
//! bits, rounded) stay within 1 level of the formula for every (Y, U, V); the
//! test suite checks all 2^24 triples.
//!
//! * **4:2:0** (I420, NV12): pixel (x, y) takes the chroma sample
//!   (x / 2, y / 2) (nearest upsampling, as the picamera recipe's `repeat(2)`);
//!   for odd sizes the chroma planes are `ceil(w/2) x ceil(h/2)`.
//! * **RGB -> YUV**: `Y = (66 R + 129 G + 25 B + 128) >> 8) + 16`,
//!   `U = ((-38 R - 74 G + 112 B) / n + 128) >> 8) + 128`,
//!   `V = ((112 R - 94 G - 18 B) / n + 128) >> 8) + 128`, where the chroma sums
//!   run over the `n` pixels that share a chroma sample: the 2x2 block
//!   (fewer at odd edges). This is the average of the block's colours,
//!   rounded once.
//!
//! ```
//! use camreel::convert::yuv;
//! // A 2x2 I420 image: white luma, neutral chroma.
//! let mut rgb = [0u8; 12];
//! yuv::i420_to_rgb(&[235; 4], &[128], &[128], 2, 2, &mut rgb)?;
//! assert_eq!(rgb, [255; 12]);
//! # Ok::<(), camreel::Error>(())
//! ```

use super::{image_len, invalid_len};
use crate::error::Result;

// Fixed-point BT.601 limited range, 6 fractional bits. y1 = (Y * 257 * YG) >> 16
// is 1.164 * 64 * Y; the offsets fold in -16 * 1.164 * 64 and the +32 that
// rounds the final >> 6.
pub(super) const YG: u32 = 18997;
pub(super) const Y_BIAS: i16 = -1192 + 32;
pub(super) const VR: i16 = 102; // 1.596 * 64
pub(super) const UG: i16 = 25; // 0.392 * 64
pub(super) const VG: i16 = 52; // 0.813 * 64
pub(super) const UB: i16 = 129; // 2.017 * 64

#[inline(always)]
fn luma_term(y: u8) -> i16 {
    let y257 = u32::from(y) * 257;
    (((y257 * YG) >> 16) as i16) + Y_BIAS
}

#[inline(always)]
fn clamp8(v: i16) -> u8 {
    (v >> 6).clamp(0, 255) as u8
}

/// Converts one (Y, U, V) triple to `[r, g, b]` with the crate's fixed-point
/// BT.601 limited-range formula (the same arithmetic as the bulk kernels).
#[inline]
pub fn yuv_to_rgb_pixel(y: u8, u: u8, v: u8) -> [u8; 3] {
    let yl = luma_term(y);
    let u = i16::from(u) - 128;
    let v = i16::from(v) - 128;
    [
        clamp8(yl.saturating_add(VR * v)),
        clamp8(yl.saturating_sub(UG * u + VG * v)),
        clamp8(yl.saturating_add(UB * u)),
    ]
}

/// Converts one RGB pixel to its (limited-range BT.601) luma Y.
#[inline]
pub fn rgb_to_y(r: u8, g: u8, b: u8) -> u8 {
    (((66 * i32::from(r) + 129 * i32::from(g) + 25 * i32::from(b) + 128) >> 8) + 16) as u8
}

/// Chroma (U, V) of the sums of `n` = `1 << shift` RGB pixels.
#[inline]
fn rgb_sums_to_uv(r: i32, g: i32, b: i32, shift: u32) -> (u8, u8) {
    let round = 128 << shift;
    let u = ((-38 * r - 74 * g + 112 * b + round) >> (8 + shift)) + 128;
    let v = ((112 * r - 94 * g - 18 * b + round) >> (8 + shift)) + 128;
    (u.clamp(0, 255) as u8, v.clamp(0, 255) as u8)
}

/// Converts 32 pixels: Y, and the 16 chroma samples they share in pairs.
#[inline(always)]
fn convert32<const BGR: bool>(y: &[u8; 32], u: &[u8; 16], v: &[u8; 16], out: &mut [u8; 96]) {
    let mut rt = [0i16; 16];
    let mut gt = [0i16; 16];
    let mut bt = [0i16; 16];
    for i in 0..16 {
        let uu = i16::from(u[i]) - 128;
        let vv = i16::from(v[i]) - 128;
        rt[i] = VR * vv;
        gt[i] = UG * uu + VG * vv;
        bt[i] = UB * uu;
    }
    let mut r = [0u8; 32];
    let mut g = [0u8; 32];
    let mut b = [0u8; 32];
    for i in 0..32 {
        let yl = luma_term(y[i]);
        r[i] = clamp8(yl.saturating_add(rt[i / 2]));
        g[i] = clamp8(yl.saturating_sub(gt[i / 2]));
        b[i] = clamp8(yl.saturating_add(bt[i / 2]));
    }
    let (px, _) = out.as_chunks_mut::<3>();
    for i in 0..32 {
        px[i] = if BGR {
            [b[i], g[i], r[i]]
        } else {
            [r[i], g[i], b[i]]
        };
    }
}

#[inline(always)]
fn put<const BGR: bool>(out: &mut [u8; 3], rgb: [u8; 3]) {
    *out = if BGR { [rgb[2], rgb[1], rgb[0]] } else { rgb };
}

/// One row of planar 4:2:0: `y` has the row's pixels, `u`/`v` at least
/// `ceil(y.len() / 2)` samples.
#[inline(always)]
fn planar_row<const BGR: bool>(y: &[u8], u: &[u8], v: &[u8], out: &mut [u8]) {
    let (yc, ytail) = y.as_chunks::<32>();
    let (uc, _) = u.as_chunks::<16>();
    let (vc, _) = v.as_chunks::<16>();
    let (oc, otail) = out.as_chunks_mut::<96>();
    for (((y, u), v), o) in yc.iter().zip(uc).zip(vc).zip(oc.iter_mut()) {
        convert32::<BGR>(y, u, v, o);
    }
    let x0 = yc.len() * 32;
    let (op, _) = otail.as_chunks_mut::<3>();
    for (i, (o, &yy)) in op.iter_mut().zip(ytail).enumerate() {
        let c = (x0 + i) / 2;
        put::<BGR>(o, yuv_to_rgb_pixel(yy, u[c], v[c]));
    }
}

/// One row of NV12: `uv` holds at least `ceil(y.len() / 2)` U, V pairs.
#[inline(always)]
fn semiplanar_row<const BGR: bool>(y: &[u8], uv: &[u8], out: &mut [u8]) {
    let (yc, ytail) = y.as_chunks::<32>();
    let (uvc, _) = uv.as_chunks::<32>();
    let (oc, otail) = out.as_chunks_mut::<96>();
    for ((y, uv), o) in yc.iter().zip(uvc).zip(oc.iter_mut()) {
        let mut u = [0u8; 16];
        let mut v = [0u8; 16];
        for i in 0..16 {
            u[i] = uv[2 * i];
            v[i] = uv[2 * i + 1];
        }
        convert32::<BGR>(y, &u, &v, o);
    }
    let x0 = yc.len() * 32;
    let (op, _) = otail.as_chunks_mut::<3>();
    for (i, (o, &yy)) in op.iter_mut().zip(ytail).enumerate() {
        let c = (x0 + i) / 2;
        put::<BGR>(o, yuv_to_rgb_pixel(yy, uv[2 * c], uv[2 * c + 1]));
    }
}

fn check_planes(
    what: &str,
    width: u32,
    height: u32,
    y: usize,
    chroma: &[(usize, usize)],
    out: usize,
    out_bpp: usize,
) -> Result<(usize, usize)> {
    let (w, h) = (width as usize, height as usize);
    let luma = image_len(what, width, height, 1)?;
    if y != luma {
        return Err(invalid_len(&format!("{what} Y plane"), w, luma, y));
    }
    let cw = w.div_ceil(2);
    let ch = h.div_ceil(2);
    for &(got, per) in chroma {
        let want = cw * ch * per;
        if got != want {
            return Err(invalid_len(&format!("{what} chroma plane"), w, want, got));
        }
    }
    let want = luma * out_bpp;
    if out != want {
        return Err(invalid_len("RGB output", w, want, out));
    }
    Ok((w, cw))
}

/// Whether the AVX2 kernels can run (detected once, then cached by std).
#[cfg(target_arch = "x86_64")]
#[inline]
fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

#[allow(unsafe_code)]
fn i420_image<const BGR: bool>(y: &[u8], u: &[u8], v: &[u8], w: usize, cw: usize, out: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports AVX2 (checked by `has_avx2`), the only
        // requirement of this safe `#[target_feature]` function.
        unsafe { super::yuv_avx2::i420_image::<BGR>(y, u, v, w, cw, out) };
        return;
    }
    for (row, (yr, o)) in y
        .chunks_exact(w)
        .zip(out.chunks_exact_mut(3 * w))
        .enumerate()
    {
        let c = (row / 2) * cw;
        planar_row::<BGR>(yr, &u[c..c + cw], &v[c..c + cw], o);
    }
}

#[allow(unsafe_code)]
fn nv12_image<const BGR: bool>(y: &[u8], uv: &[u8], w: usize, cw: usize, out: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports AVX2 (checked by `has_avx2`).
        unsafe { super::yuv_avx2::nv12_image::<BGR>(y, uv, w, cw, out) };
        return;
    }
    for (row, (yr, o)) in y
        .chunks_exact(w)
        .zip(out.chunks_exact_mut(3 * w))
        .enumerate()
    {
        let c = (row / 2) * 2 * cw;
        semiplanar_row::<BGR>(yr, &uv[c..c + 2 * cw], o);
    }
}

/// I420 planes of a `width` x `height` image to RGB888 (`3 * w * h` bytes).
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) for a
/// zero dimension or a plane or output of the wrong length.
pub fn i420_to_rgb(
    y: &[u8],
    u: &[u8],
    v: &[u8],
    width: u32,
    height: u32,
    out: &mut [u8],
) -> Result<()> {
    let (w, cw) = check_planes(
        "YUV420",
        width,
        height,
        y.len(),
        &[(u.len(), 1), (v.len(), 1)],
        out.len(),
        3,
    )?;
    i420_image::<false>(y, u, v, w, cw, out);
    Ok(())
}

/// As [`i420_to_rgb`], writing BGR888.
///
/// # Errors
/// As [`i420_to_rgb`].
pub fn i420_to_bgr(
    y: &[u8],
    u: &[u8],
    v: &[u8],
    width: u32,
    height: u32,
    out: &mut [u8],
) -> Result<()> {
    let (w, cw) = check_planes(
        "YUV420",
        width,
        height,
        y.len(),
        &[(u.len(), 1), (v.len(), 1)],
        out.len(),
        3,
    )?;
    i420_image::<true>(y, u, v, w, cw, out);
    Ok(())
}

/// NV12 (Y plane, then interleaved U, V) of a `width` x `height` image to
/// RGB888 (`3 * w * h` bytes).
///
/// # Errors
/// As [`i420_to_rgb`].
pub fn nv12_to_rgb(y: &[u8], uv: &[u8], width: u32, height: u32, out: &mut [u8]) -> Result<()> {
    let (w, cw) = check_planes(
        "NV12",
        width,
        height,
        y.len(),
        &[(uv.len(), 2)],
        out.len(),
        3,
    )?;
    nv12_image::<false>(y, uv, w, cw, out);
    Ok(())
}

/// As [`nv12_to_rgb`], writing BGR888.
///
/// # Errors
/// As [`i420_to_rgb`].
pub fn nv12_to_bgr(y: &[u8], uv: &[u8], width: u32, height: u32, out: &mut [u8]) -> Result<()> {
    let (w, cw) = check_planes(
        "NV12",
        width,
        height,
        y.len(),
        &[(uv.len(), 2)],
        out.len(),
        3,
    )?;
    nv12_image::<true>(y, uv, w, cw, out);
    Ok(())
}

/// RGB888 rows to the Y plane and the chroma of a 4:2:0 image.
///
/// `row(y)` returns RGB row `y` (`3 * w` bytes); `u` and `v` receive the
/// `ceil(w/2) x ceil(h/2)` chroma samples at indexes `(y/2 * cw + x/2) *
/// step + offset`, so I420 passes the two planes and NV12 the same plane
/// twice with offsets 0 and 1.
pub(crate) fn rgb_rows_to_420<'a>(
    row: impl Fn(usize) -> &'a [u8],
    w: usize,
    h: usize,
    y_out: &mut [u8],
    mut put_uv: impl FnMut(usize, u8, u8),
) {
    const CHUNK: usize = 64;
    let cw = w.div_ceil(2);
    let pairs = w / 2;
    let (mut cu, mut cv) = ([0u8; CHUNK], [0u8; CHUNK]);
    let mut y_rows = y_out.chunks_exact_mut(w);
    for cy in 0..h.div_ceil(2) {
        let r0 = row(2 * cy);
        let y0 = y_rows.next().unwrap_or_default();
        let (r1, y1) = match (2 * cy + 1 < h).then(|| y_rows.next()).flatten() {
            Some(y1) => (Some(row(2 * cy + 1)), Some(y1)),
            None => (None, None),
        };
        match (r1, y1) {
            // Whole 2x2 blocks: the fused kernel, CHUNK chroma samples at a time.
            (Some(r1), Some(y1)) => {
                let mut x = 0;
                while x < pairs {
                    let n = CHUNK.min(pairs - x);
                    rgb_blocks_420(
                        &r0[6 * x..6 * (x + n)],
                        &r1[6 * x..6 * (x + n)],
                        &mut y0[2 * x..2 * (x + n)],
                        &mut y1[2 * x..2 * (x + n)],
                        &mut cu[..n],
                        &mut cv[..n],
                    );
                    for i in 0..n {
                        put_uv(cy * cw + x + i, cu[i], cv[i]);
                    }
                    x += n;
                }
                if w % 2 == 1 {
                    let p0 = &r0[3 * (w - 1)..3 * w];
                    let p1 = &r1[3 * (w - 1)..3 * w];
                    y0[w - 1] = rgb_to_y(p0[0], p0[1], p0[2]);
                    y1[w - 1] = rgb_to_y(p1[0], p1[1], p1[2]);
                    let s = |c: usize| i32::from(p0[c]) + i32::from(p1[c]);
                    let (u, v) = rgb_sums_to_uv(s(0), s(1), s(2), 1);
                    put_uv(cy * cw + pairs, u, v);
                }
            }
            // The last row of an odd height: chroma from pairs of one row.
            _ => {
                let (px, _) = r0.as_chunks::<3>();
                for (d, &[r, g, b]) in y0.iter_mut().zip(px) {
                    *d = rgb_to_y(r, g, b);
                }
                for cx in 0..cw {
                    let (mut sr, mut sg, mut sb, mut n) = (0i32, 0i32, 0i32, 0u32);
                    for p in &px[2 * cx..(2 * cx + 2).min(w)] {
                        sr += i32::from(p[0]);
                        sg += i32::from(p[1]);
                        sb += i32::from(p[2]);
                        n += 1;
                    }
                    let (u, v) = rgb_sums_to_uv(sr, sg, sb, n.trailing_zeros());
                    put_uv(cy * cw + cx, u, v);
                }
            }
        }
    }
}

// Luma of two rows of `n` 2x2 blocks (`6n` RGB bytes each) and the blocks'
// average chroma: the arithmetic of `rgb_to_y` and `rgb_sums_to_uv`, written
// so that it vectorises.
simd_dispatch! {
    fn rgb_blocks_420(r0: &[u8], r1: &[u8], y0: &mut [u8], y1: &mut [u8], u: &mut [u8], v: &mut [u8]) {
        let rows = r0.chunks_exact(6).zip(r1.chunks_exact(6));
        let lumas = y0.chunks_exact_mut(2).zip(y1.chunks_exact_mut(2));
        for (((a, b), (ya, yb)), (u, v)) in rows.zip(lumas).zip(u.iter_mut().zip(v.iter_mut())) {
            let px = |p: &[u8], i: usize| (i32::from(p[i]), i32::from(p[i + 1]), i32::from(p[i + 2]));
            let luma = |(r, g, b): (i32, i32, i32)| (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8;
            let (p0, p1, p2, p3) = (px(a, 0), px(a, 3), px(b, 0), px(b, 3));
            ya[0] = luma(p0);
            ya[1] = luma(p1);
            yb[0] = luma(p2);
            yb[1] = luma(p3);
            let r = p0.0 + p1.0 + p2.0 + p3.0;
            let g = p0.1 + p1.1 + p2.1 + p3.1;
            let b = p0.2 + p1.2 + p2.2 + p3.2;
            let cu = ((-38 * r - 74 * g + 112 * b + (128 << 2)) >> 10) + 128;
            let cv = ((112 * r - 94 * g - 18 * b + (128 << 2)) >> 10) + 128;
            *u = cu.clamp(0, 255) as u8;
            *v = cv.clamp(0, 255) as u8;
        }
    }
}

/// RGB888 (`3 * w * h` bytes) to I420 planes (Y `w * h`, U and V
/// `ceil(w/2) * ceil(h/2)` each), chroma from the 2x2 average.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) for a
/// zero dimension or a buffer of the wrong length.
pub fn rgb_to_i420(
    rgb: &[u8],
    width: u32,
    height: u32,
    y: &mut [u8],
    u: &mut [u8],
    v: &mut [u8],
) -> Result<()> {
    let (w, _) = check_planes(
        "YUV420",
        width,
        height,
        y.len(),
        &[(u.len(), 1), (v.len(), 1)],
        rgb.len(),
        3,
    )?;
    rgb_rows_to_420(
        |r| &rgb[3 * w * r..3 * w * (r + 1)],
        w,
        height as usize,
        y,
        |i, cu, cv| {
            u[i] = cu;
            v[i] = cv;
        },
    );
    Ok(())
}

/// RGB888 (`3 * w * h` bytes) to NV12 (Y plane `w * h`, then `ceil(w/2) *
/// ceil(h/2)` U, V pairs), chroma from the 2x2 average.
///
/// # Errors
/// As [`rgb_to_i420`].
pub fn rgb_to_nv12(rgb: &[u8], width: u32, height: u32, y: &mut [u8], uv: &mut [u8]) -> Result<()> {
    let (w, _) = check_planes(
        "NV12",
        width,
        height,
        y.len(),
        &[(uv.len(), 2)],
        rgb.len(),
        3,
    )?;
    rgb_rows_to_420(
        |r| &rgb[3 * w * r..3 * w * (r + 1)],
        w,
        height as usize,
        y,
        |i, cu, cv| {
            uv[2 * i] = cu;
            uv[2 * i + 1] = cv;
        },
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_values() {
        assert_eq!(yuv_to_rgb_pixel(16, 128, 128), [0, 0, 0]);
        assert_eq!(yuv_to_rgb_pixel(235, 128, 128), [255, 255, 255]);
        // Y=81 U=90 V=240: BT.601 red: R = 1.164*65 + 1.596*112 = 254.4,
        // G = 75.66 + 14.9 - 91.06 = -0.5, B = 75.66 - 76.6 = -0.9.
        assert_eq!(yuv_to_rgb_pixel(81, 90, 240), [254, 0, 0]);
        assert_eq!(rgb_to_y(255, 0, 0), 82);
        assert_eq!(rgb_sums_to_uv(255, 0, 0, 0), (90, 240));
        assert_eq!(rgb_to_y(255, 255, 255), 235);
        assert_eq!(rgb_sums_to_uv(255, 255, 255, 0), (128, 128));
    }

    #[test]
    fn rgb_to_i420_matches_the_per_pixel_formula() {
        // Widths across the 64-block chunk of the fused kernel, odd and even
        // sides.
        for (w, h) in [
            (1usize, 1usize),
            (2, 2),
            (3, 3),
            (129, 5),
            (130, 4),
            (257, 3),
        ] {
            let rgb: Vec<u8> = (0..3 * w * h).map(|i| (i * 113 % 251) as u8).collect();
            let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
            let (mut y, mut u, mut v) = (vec![0; w * h], vec![0; cw * ch], vec![0; cw * ch]);
            rgb_to_i420(&rgb, w as u32, h as u32, &mut y, &mut u, &mut v).unwrap();
            let px = |x: usize, yy: usize| &rgb[3 * (yy * w + x)..3 * (yy * w + x) + 3];
            for yy in 0..h {
                for x in 0..w {
                    let p = px(x, yy);
                    assert_eq!(
                        y[yy * w + x],
                        rgb_to_y(p[0], p[1], p[2]),
                        "{w}x{h} ({x},{yy})"
                    );
                }
            }
            for cy in 0..ch {
                for cx in 0..cw {
                    let (mut s, mut n) = ([0i32; 3], 0u32);
                    for yy in 2 * cy..(2 * cy + 2).min(h) {
                        for x in 2 * cx..(2 * cx + 2).min(w) {
                            for (sum, &v) in s.iter_mut().zip(px(x, yy)) {
                                *sum += i32::from(v);
                            }
                            n += 1;
                        }
                    }
                    let want = rgb_sums_to_uv(s[0], s[1], s[2], n.trailing_zeros());
                    assert_eq!(
                        (u[cy * cw + cx], v[cy * cw + cx]),
                        want,
                        "{w}x{h} ({cx},{cy})"
                    );
                }
            }
        }
    }

    #[test]
    fn bulk_matches_scalar() {
        // 67 pixels: two 32-pixel chunks and a tail, and odd width.
        let w = 67;
        let y: Vec<u8> = (0..w).map(|i| (i * 37 % 256) as u8).collect();
        let u: Vec<u8> = (0..34).map(|i| (i * 91 % 256) as u8).collect();
        let v: Vec<u8> = (0..34).map(|i| (255 - i * 53 % 256) as u8).collect();
        let mut out = vec![0u8; 3 * w];
        planar_row::<false>(&y, &u, &v, &mut out);
        for x in 0..w {
            assert_eq!(
                &out[3 * x..3 * x + 3],
                &yuv_to_rgb_pixel(y[x], u[x / 2], v[x / 2]),
                "x {x}"
            );
        }
        let uv: Vec<u8> = u.iter().zip(&v).flat_map(|(&a, &b)| [a, b]).collect();
        let mut out2 = vec![0u8; 3 * w];
        semiplanar_row::<false>(&y, &uv, &mut out2);
        assert_eq!(out, out2);
    }
}
