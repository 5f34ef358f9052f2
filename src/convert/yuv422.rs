//! OpenMV's 4:2:2 formats, YUV422 (YUYV) and YVU422 (YVYU): **full-range**
//! (JPEG) YCbCr, as OpenMV's imlib reads and writes them. picamera's 4:2:0
//! formats are limited range instead ([`yuv`](super::yuv)).
//!
//! Each pair of pixels stores `Y0 U Y1 V` (YVYU: `Y0 V Y1 U`) and both pixels
//! use that U and V. With an odd width the last pixel has only `Y U` (`Y V`
//! for YVYU): it takes the missing chroma from the pair to its left, or 128
//! (neutral) in a one-pixel-wide image.
//!
//! * **Reading** is OpenMV's fixed point exactly, with `u = U - 128`,
//!   `v = V - 128` and `>>` an arithmetic (flooring) shift:
//!
//!   ```text
//!   R = Y + ((91881 v) >> 16)                  (1.402)
//!   G = Y - ((22554 u + 46802 v) >> 16)        (0.344136, 0.714136)
//!   B = Y + ((116130 u) >> 16)                 (1.772)
//!   ```
//!
//!   each clamped to 0..=255.
//! * **Writing** is the inverse, the JFIF forward transform in libjpeg's
//!   16-bit fixed point (0.299, 0.587, 0.114; -0.168736, -0.331264, 0.5;
//!   0.5, -0.418688, -0.081312):
//!
//!   ```text
//!   Y = (19595 R + 38470 G + 7471 B + 32768) >> 16
//!   U = (-11059 R - 21709 G + 32768 B + (128 << (16 + k)) + (1 << (15 + k)) - 1) >> (16 + k)
//!   V = ( 32768 R - 27439 G -  5329 B + (128 << (16 + k)) + (1 << (15 + k)) - 1) >> (16 + k)
//!   ```
//!
//!   Y is per pixel; U and V take the sums `R`, `G`, `B` over the `n = 2^k`
//!   pixels that share them (the pair, or a lone last pixel), so the chroma
//!   is the pair's average rounded once. Y is within 1 of the GRAYSCALE value
//!   of the same pixel ([`gray::luma`](super::gray::luma), 8-bit weights), so
//!   a scene has the same luma range in YUV422 as in GRAYSCALE; reading a
//!   YUV422 image as GRAYSCALE takes its Y samples.
//!
//! ```
//! use camreel::convert::yuv422;
//! // Full range: Y 0 is black and 255 white, with neutral chroma.
//! let mut rgb = [0u8; 6];
//! yuv422::yuyv_row_to_rgb(&[0, 128, 255, 128], false, &mut rgb)?;
//! assert_eq!(rgb, [0, 0, 0, 255, 255, 255]);
//! let mut yuyv = [0u8; 4];
//! yuv422::rgb_row_to_yuyv(&rgb, false, &mut yuyv)?;
//! assert_eq!(yuyv, [0, 128, 255, 128]);
//! # Ok::<(), camreel::Error>(())
//! ```

use super::invalid_len;
use crate::error::Result;

/// One full-range (Y, U, V) triple to `[r, g, b]` with OpenMV's fixed point
/// (see the [module docs](self)).
#[inline(always)]
pub fn ycbcr_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let (r, g, b) = chroma_terms(i32::from(u) - 128, i32::from(v) - 128);
    let y = i32::from(y);
    [clamp8(y + r), clamp8(y - g), clamp8(y + b)]
}

/// The chroma terms OpenMV adds to (R, B) and subtracts from (G) the luma.
#[inline(always)]
fn chroma_terms(u: i32, v: i32) -> (i32, i32, i32) {
    (
        (91881 * v) >> 16,
        (22554 * u + 46802 * v) >> 16,
        (116130 * u) >> 16,
    )
}

#[inline(always)]
fn clamp8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// Chroma (U, V) of the sums of `n = 1 << k` RGB pixels (see the module docs).
#[inline]
pub(crate) fn rgb_sums_to_uv(r: i32, g: i32, b: i32, k: u32) -> (u8, u8) {
    let bias = (128 << (16 + k)) + (1 << (15 + k)) - 1;
    let u = (-11059 * r - 21709 * g + 32768 * b + bias) >> (16 + k);
    let v = (32768 * r - 27439 * g - 5329 * b + bias) >> (16 + k);
    (clamp8(u), clamp8(v))
}

/// Full-range luma: `(19595 R + 38470 G + 7471 B + 32768) >> 16`.
#[inline]
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((19595 * u32::from(r) + 38470 * u32::from(g) + 7471 * u32::from(b) + 32768) >> 16) as u8
}

/// One RGB pixel to full-range `(Y, U, V)` (see the [module docs](self)).
#[inline]
pub fn rgb_to_ycbcr(r: u8, g: u8, b: u8) -> [u8; 3] {
    let (u, v) = rgb_sums_to_uv(i32::from(r), i32::from(g), i32::from(b), 0);
    [luma(r, g, b), u, v]
}

/// Pixels converted per chunk of the row kernel.
const CHUNK: usize = 64;

/// 64 pixels (128 source bytes) to R, G and B planes.
#[inline(always)]
fn chunk_planes<const SWAP: bool>(
    s: &[u8; 2 * CHUNK],
    r: &mut [u8; CHUNK],
    g: &mut [u8; CHUNK],
    b: &mut [u8; CHUNK],
) {
    for i in 0..CHUNK / 2 {
        let (c0, c1) = (i32::from(s[4 * i + 1]) - 128, i32::from(s[4 * i + 3]) - 128);
        let (u, v) = if SWAP { (c1, c0) } else { (c0, c1) };
        let (rt, gt, bt) = chroma_terms(u, v);
        for k in 0..2 {
            let y = i32::from(s[4 * i + 2 * k]);
            r[2 * i + k] = clamp8(y + rt);
            g[2 * i + k] = clamp8(y - gt);
            b[2 * i + k] = clamp8(y + bt);
        }
    }
}

simd_dispatch! {
    fn row_to_rgb<const SWAP: bool, const BGR: bool>(src: &[u8], out: &mut [u8]) {
        let (sc, _) = src.as_chunks::<{ 2 * CHUNK }>();
        let (oc, _) = out.as_chunks_mut::<{ 3 * CHUNK }>();
        let mut done = 0;
        for (s, o) in sc.iter().zip(oc.iter_mut()) {
            let (mut r, mut g, mut b) = ([0u8; CHUNK], [0u8; CHUNK], [0u8; CHUNK]);
            chunk_planes::<SWAP>(s, &mut r, &mut g, &mut b);
            if BGR {
                std::mem::swap(&mut r, &mut b);
            }
            interleave(&r, &g, &b, o);
            done += CHUNK;
        }
        tail::<SWAP, BGR>(src, out, done);
    }
}

/// One row: the AVX2 kernel's 32-pixel chunks when the CPU has AVX2, the
/// portable path otherwise; the same results either way.
#[inline]
#[allow(unsafe_code)]
fn row<const SWAP: bool, const BGR: bool>(src: &[u8], out: &mut [u8], avx2: bool) {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: `avx2` is true only when the CPU supports AVX2 (detected
        // by the caller), the only requirement of this safe
        // `#[target_feature]` function.
        let done = unsafe { super::yuv_avx2::yuyv_full_chunks::<SWAP, BGR>(src, out) };
        tail::<SWAP, BGR>(src, out, done);
        return;
    }
    let _ = avx2;
    row_to_rgb::<SWAP, BGR>(src, out);
}

/// Interleaves three planes of 64 samples into 192 bytes.
#[inline(always)]
#[allow(unsafe_code)]
fn interleave(r: &[u8; CHUNK], g: &[u8; CHUNK], b: &[u8; CHUNK], out: &mut [u8; 3 * CHUNK]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (detected just above), the only
        // requirement of this safe `#[target_feature]` function.
        unsafe { super::yuv_avx2::interleave_rgb64(r, g, b, out) };
        return;
    }
    let (px, _) = out.as_chunks_mut::<3>();
    for (((p, &r), &g), &b) in px.iter_mut().zip(r).zip(g).zip(b) {
        *p = [r, g, b];
    }
}

/// Pixels `done..` of one row (`done` even): whole pairs, then a lone last
/// pixel.
#[inline(always)]
fn tail<const SWAP: bool, const BGR: bool>(src: &[u8], out: &mut [u8], done: usize) {
    let put = |o: &mut [u8; 3], p: [u8; 3]| *o = if BGR { [p[2], p[1], p[0]] } else { p };
    let stail = src.get(2 * done..).unwrap_or(&[]);
    let otail = out.get_mut(3 * done..).unwrap_or(&mut []);
    let (pairs, last) = stail.as_chunks::<4>();
    let (opairs, olast) = otail.as_chunks_mut::<6>();
    for (s, o) in pairs.iter().zip(opairs.iter_mut()) {
        let (u, v) = if SWAP { (s[3], s[1]) } else { (s[1], s[3]) };
        let (p, _) = o.as_chunks_mut::<3>();
        if let [p0, p1] = p {
            put(p0, ycbcr_to_rgb(s[0], u, v));
            put(p1, ycbcr_to_rgb(s[2], u, v));
        }
    }
    if let ([y, c], Ok(o)) = (last, <&mut [u8; 3]>::try_from(olast)) {
        // The partner chroma comes from the previous pair, if any.
        let prev = if src.len() >= 4 {
            src[src.len() - 3]
        } else {
            128
        };
        let (u, v) = if SWAP { (prev, *c) } else { (*c, prev) };
        put(o, ycbcr_to_rgb(*y, u, v));
    }
}

/// One row of YUYV (or YVYU when `yvyu`), `2 * w` bytes, to RGB888 (`3 * w`
/// bytes).
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) for an
/// empty or odd-length row or an output of the wrong length.
pub fn yuyv_row_to_rgb(src: &[u8], yvyu: bool, out: &mut [u8]) -> Result<()> {
    let w = src.len() / 2;
    if src.is_empty() || !src.len().is_multiple_of(2) || out.len() != 3 * w {
        return Err(invalid_len("YUV422 row", w, 3 * w, out.len()));
    }
    yuyv_rows_to_rgb(&mut std::iter::once(src), w, yvyu, false, out);
    Ok(())
}

/// Rows of `2 * w` bytes of YUYV/YVYU to `3 * w`-byte RGB888/BGR888 rows;
/// `out` has one output row per input row. Lengths are the caller's job.
pub(crate) fn yuyv_rows_to_rgb(
    rows: &mut dyn Iterator<Item = &[u8]>,
    w: usize,
    yvyu: bool,
    bgr: bool,
    out: &mut [u8],
) {
    #[cfg(target_arch = "x86_64")]
    let avx2 = std::arch::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    let avx2 = false;
    for (s, o) in rows.zip(out.chunks_exact_mut(3 * w)) {
        let s = &s[..(2 * w).min(s.len())];
        match (yvyu, bgr) {
            (false, false) => row::<false, false>(s, o, avx2),
            (false, true) => row::<false, true>(s, o, avx2),
            (true, false) => row::<true, false>(s, o, avx2),
            (true, true) => row::<true, true>(s, o, avx2),
        }
    }
}

/// Rows of YUYV/YVYU to GRAYSCALE rows of `w` bytes: the Y samples, which
/// are the GRAYSCALE values (full range).
pub(crate) fn yuyv_rows_to_gray(rows: &mut dyn Iterator<Item = &[u8]>, w: usize, out: &mut [u8]) {
    for (s, o) in rows.zip(out.chunks_exact_mut(w)) {
        for (o, y) in o.iter_mut().zip(s.iter().step_by(2)) {
            *o = *y;
        }
    }
}

/// One RGB888 row (`3 * w` bytes) to YUYV (or YVYU when `yvyu`), `2 * w`
/// bytes; each pair's chroma is the pair's average. With an odd width the last
/// pixel stores its own U (V for YVYU).
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`](crate::ErrorKind::InvalidFrameSize) for an
/// empty row or lengths that do not match.
pub fn rgb_row_to_yuyv(rgb: &[u8], yvyu: bool, out: &mut [u8]) -> Result<()> {
    let w = rgb.len() / 3;
    if rgb.is_empty() || !rgb.len().is_multiple_of(3) || out.len() != 2 * w {
        return Err(invalid_len("YUV422 row", w, 2 * w, out.len()));
    }
    let (px, _) = rgb.as_chunks::<3>();
    let (pairs, last) = px.as_chunks::<2>();
    let (opairs, olast) = out.as_chunks_mut::<4>();
    for (&[[r0, g0, b0], [r1, g1, b1]], o) in pairs.iter().zip(opairs.iter_mut()) {
        let (u, v) = rgb_sums_to_uv(
            i32::from(r0) + i32::from(r1),
            i32::from(g0) + i32::from(g1),
            i32::from(b0) + i32::from(b1),
            1,
        );
        let (c0, c1) = if yvyu { (v, u) } else { (u, v) };
        *o = [luma(r0, g0, b0), c0, luma(r1, g1, b1), c1];
    }
    if let ([[r, g, b]], [oy, oc]) = (last, olast) {
        let [y, u, v] = rgb_to_ycbcr(*r, *g, *b);
        *oy = y;
        *oc = if yvyu { v } else { u };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OpenMV's formula written out independently (floor division by 2^16).
    fn openmv(y: u8, u: u8, v: u8) -> [u8; 3] {
        let (y, u, v) = (i64::from(y), i64::from(u) - 128, i64::from(v) - 128);
        let f = |n: i64| n.div_euclid(65536);
        let c = |x: i64| x.clamp(0, 255) as u8;
        [
            c(y + f(91881 * v)),
            c(y - f(22554 * u + 46802 * v)),
            c(y + f(116130 * u)),
        ]
    }

    #[test]
    fn reading_is_openmvs_formula_for_every_triple() {
        for y in 0..=255u8 {
            for u in 0..=255u8 {
                for v in 0..=255u8 {
                    assert_eq!(ycbcr_to_rgb(y, u, v), openmv(y, u, v), "{y} {u} {v}");
                }
            }
        }
        assert_eq!(ycbcr_to_rgb(0, 128, 128), [0, 0, 0]);
        assert_eq!(ycbcr_to_rgb(255, 128, 128), [255, 255, 255]);
        // Pure red in JFIF YCbCr is Y 76, Cb 85, Cr 255; OpenMV's flooring
        // reads it back as (254, 1, 0).
        assert_eq!(ycbcr_to_rgb(76, 85, 255), [254, 1, 0]);
    }

    #[test]
    fn writing_is_the_jfif_transform() {
        // Against the real-valued formula: within rounding.
        for r in (0..=255u8).step_by(5) {
            for g in (0..=255u8).step_by(5) {
                for b in (0..=255u8).step_by(5) {
                    let [y, u, v] = rgb_to_ycbcr(r, g, b);
                    let (fr, fg, fb) = (f64::from(r), f64::from(g), f64::from(b));
                    let fy = 0.299 * fr + 0.587 * fg + 0.114 * fb;
                    let fu = -0.168736 * fr - 0.331264 * fg + 0.5 * fb + 128.0;
                    let fv = 0.5 * fr - 0.418688 * fg - 0.081312 * fb + 128.0;
                    assert!((f64::from(y) - fy).abs() < 0.51, "{r} {g} {b}: y {y} {fy}");
                    assert!((f64::from(u) - fu).abs() < 0.51, "{r} {g} {b}: u {u} {fu}");
                    assert!((f64::from(v) - fv).abs() < 0.51, "{r} {g} {b}: v {v} {fv}");
                }
            }
        }
        assert_eq!(rgb_to_ycbcr(255, 0, 0), [76, 85, 255]);
        assert_eq!(rgb_to_ycbcr(0, 0, 255), [29, 255, 107]);
        assert_eq!(rgb_to_ycbcr(255, 255, 255), [255, 128, 128]);
        assert_eq!(rgb_to_ycbcr(0, 0, 0), [0, 128, 128]);
        // A gray is gray both ways.
        for v in 0..=255u8 {
            assert_eq!(rgb_to_ycbcr(v, v, v), [v, 128, 128]);
            assert_eq!(ycbcr_to_rgb(v, 128, 128), [v, v, v]);
        }
        // Y is within one level of the GRAYSCALE conversion.
        for r in (0..=255u8).step_by(3) {
            for g in (0..=255u8).step_by(3) {
                for b in (0..=255u8).step_by(3) {
                    let gray = crate::convert::gray::luma(r, g, b);
                    assert!(rgb_to_ycbcr(r, g, b)[0].abs_diff(gray) <= 1);
                }
            }
        }
    }

    #[test]
    fn round_trip_stays_close() {
        let mut worst = 0;
        for r in (0..=255u8).step_by(3) {
            for g in (0..=255u8).step_by(3) {
                for b in (0..=255u8).step_by(3) {
                    let [y, u, v] = rgb_to_ycbcr(r, g, b);
                    let back = ycbcr_to_rgb(y, u, v);
                    for (a, c) in back.iter().zip([r, g, b]) {
                        worst = worst.max(a.abs_diff(c));
                    }
                }
            }
        }
        assert!(worst <= 3, "worst round-trip error {worst}");
    }

    #[test]
    fn rows_match_the_pixel_formula() {
        // 67 pixels: a 64-pixel chunk, whole pairs and a lone last pixel.
        let w = 67;
        let yuyv: Vec<u8> = (0..2 * w).map(|i| (i * 29 % 256) as u8).collect();
        for (yvyu, bgr) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut out = vec![0u8; 3 * w];
            yuyv_rows_to_rgb(&mut std::iter::once(&yuyv[..]), w, yvyu, bgr, &mut out);
            for x in 0..w {
                let p = x / 2 * 4;
                let first = yuyv[p + 1];
                let second = if p + 3 < yuyv.len() {
                    yuyv[p + 3]
                } else {
                    yuyv[p - 1]
                };
                let (u, v) = if yvyu {
                    (second, first)
                } else {
                    (first, second)
                };
                let [r, g, b] = openmv(yuyv[2 * x], u, v);
                let want = if bgr { [b, g, r] } else { [r, g, b] };
                assert_eq!(&out[3 * x..3 * x + 3], &want, "x {x} {yvyu} {bgr}");
            }
        }
        // The portable path too (the AVX2 one is what ran above).
        for (yvyu, bgr) in [(false, true), (true, false)] {
            let mut fast = vec![0u8; 3 * w];
            yuyv_rows_to_rgb(&mut std::iter::once(&yuyv[..]), w, yvyu, bgr, &mut fast);
            let mut portable = vec![0u8; 3 * w];
            row_to_rgb_generic_for_tests(yvyu, bgr, &yuyv, &mut portable);
            assert_eq!(fast, portable, "{yvyu} {bgr}");
        }
        let mut gray = vec![0u8; w];
        yuyv_rows_to_gray(&mut std::iter::once(&yuyv[..]), w, &mut gray);
        assert!(gray.iter().enumerate().all(|(x, &g)| g == yuyv[2 * x]));
        // One pixel wide: neutral partner chroma.
        let mut one = [0u8; 3];
        yuyv_row_to_rgb(&[100, 200], false, &mut one).unwrap();
        assert_eq!(one, openmv(100, 200, 128));
    }

    fn row_to_rgb_generic_for_tests(yvyu: bool, bgr: bool, src: &[u8], out: &mut [u8]) {
        match (yvyu, bgr) {
            (false, false) => row_to_rgb::<false, false>(src, out),
            (false, true) => row_to_rgb::<false, true>(src, out),
            (true, false) => row_to_rgb::<true, false>(src, out),
            (true, true) => row_to_rgb::<true, true>(src, out),
        }
    }

    /// The kernel (AVX2 where the CPU has it) against the pixel formula.
    #[test]
    fn avx2_kernel_matches_every_triple() {
        // Every (U, V) pair; luma at the clamping edges and a spread between.
        let lumas = (0..=255u8).step_by(17).chain([1, 2, 127, 128, 253, 254]);
        for y in lumas {
            for v in 0..=255u8 {
                // Four rows of 64 pairs (128 pixels): every U once.
                for quarter in 0..4u32 {
                    let yuyv: Vec<u8> = (0..64u32)
                        .flat_map(|k| [y, (64 * quarter + k) as u8, y, v])
                        .collect();
                    let mut out = vec![0u8; 384];
                    yuyv_rows_to_rgb(&mut std::iter::once(&yuyv[..]), 128, false, false, &mut out);
                    for (x, px) in out.chunks_exact(3).enumerate() {
                        let u = yuyv[(x / 2) * 4 + 1];
                        assert_eq!(px, ycbcr_to_rgb(y, u, v), "y {y} u {u} v {v}");
                    }
                }
            }
        }
    }

    #[test]
    fn writing_rows_averages_pairs() {
        let rgb = [255, 0, 0, 0, 0, 255, 10, 20, 30];
        let mut out = [0u8; 6];
        rgb_row_to_yuyv(&rgb, false, &mut out).unwrap();
        // Pair average: (127.5, 0, 127.5).
        let (u, v) = rgb_sums_to_uv(255, 0, 255, 1);
        assert_eq!(out[..4], [76, u, 29, v]);
        assert_eq!((u, v), (170, 181));
        assert_eq!(out[4..], [luma(10, 20, 30), rgb_to_ycbcr(10, 20, 30)[1]]);
        let mut swapped = [0u8; 6];
        rgb_row_to_yuyv(&rgb, true, &mut swapped).unwrap();
        assert_eq!(swapped[..4], [76, v, 29, u]);
        assert_eq!(swapped[5], rgb_to_ycbcr(10, 20, 30)[2]);
    }
}
