//! AVX2 kernels for YUV -> RGB, selected at run time by [`super::yuv`] and
//! [`super::yuv422`], and the planar-to-RGB interleave the demosaic uses.
//!
//! The arithmetic is the fixed-point formula of [`super::yuv::yuv_to_rgb_pixel`]
//! lane for lane (16-bit lanes, `mulhi` for the luma scale, saturating adds,
//! `>> 6`, unsigned saturation to 0..=255), so results are bit-identical to
//! the portable path; the tests compare the two.
//!
//! The only `unsafe` is in [`load16`], [`load32`] and [`store96`]: unaligned
//! loads and stores through references to fixed-size arrays of exactly the
//! accessed size.

use std::arch::x86_64::*;

use super::yuv::{UB, UG, VG, VR, Y_BIAS, YG, yuv_to_rgb_pixel};

/// `pshufb` masks that interleave 16 R, G, B bytes into 48 RGB bytes:
/// `MASKS[3 * block + channel]` picks, for output bytes `16 * block ..`, the
/// source byte of that channel or zero (0x80).
const MASKS: [[u8; 16]; 9] = {
    let mut m = [[0x80u8; 16]; 9];
    let mut block = 0;
    while block < 3 {
        let mut j = 0;
        while j < 16 {
            let n = 16 * block + j;
            m[3 * block + n % 3][j] = (n / 3) as u8;
            j += 1;
        }
        block += 1;
    }
    m
};

#[inline]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
fn load16(a: &[u8; 16]) -> __m128i {
    // SAFETY: `a` is 16 readable bytes; the load is unaligned.
    unsafe { _mm_loadu_si128(a.as_ptr().cast()) }
}

#[inline]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
fn load32(a: &[u8; 32]) -> __m256i {
    // SAFETY: `a` is 32 readable bytes; the load is unaligned.
    unsafe { _mm256_loadu_si256(a.as_ptr().cast()) }
}

#[inline]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
fn store96(out: &mut [u8; 96], a: __m256i, b: __m256i, c: __m256i) {
    let p = out.as_mut_ptr();
    // SAFETY: `out` is 96 writable bytes; three unaligned 32-byte stores at
    // offsets 0, 32 and 64 stay inside it.
    unsafe {
        _mm256_storeu_si256(p.cast(), a);
        _mm256_storeu_si256(p.add(32).cast(), b);
        _mm256_storeu_si256(p.add(64).cast(), c);
    }
}

/// Interleaves R, G, B (each 32 bytes, pixels 0-15 in the low lane, 16-31 in
/// the high lane) into 96 bytes.
#[inline]
#[target_feature(enable = "avx2")]
fn interleave_store(out: &mut [u8; 96], r: __m256i, g: __m256i, b: __m256i) {
    let m = |i: usize| _mm256_broadcastsi128_si256(load16(&MASKS[i]));
    let block = |k: usize| {
        let x = _mm256_shuffle_epi8(r, m(3 * k));
        let y = _mm256_shuffle_epi8(g, m(3 * k + 1));
        let z = _mm256_shuffle_epi8(b, m(3 * k + 2));
        _mm256_or_si256(_mm256_or_si256(x, y), z)
    };
    let (o0, o1, o2) = (block(0), block(1), block(2));
    // Low lanes hold output bytes 0..48, high lanes bytes 48..96.
    let s0 = _mm256_permute2x128_si256::<0x20>(o0, o1);
    let s1 = _mm256_permute2x128_si256::<0x30>(o2, o0);
    let s2 = _mm256_permute2x128_si256::<0x31>(o1, o2);
    store96(out, s0, s1, s2);
}

/// 32 pixels: luma as 16-bit lanes (pixels 0-15 and 16-31) and the 16 chroma
/// samples as 16-bit lanes in the order [c0-3, c8-11 | c4-7, c12-15].
#[inline]
#[target_feature(enable = "avx2")]
fn core<const BGR: bool>(y_lo: __m256i, y_hi: __m256i, u: __m256i, v: __m256i, out: &mut [u8; 96]) {
    let luma = |y: __m256i| {
        let y257 = _mm256_or_si256(_mm256_slli_epi16::<8>(y), y);
        _mm256_add_epi16(
            _mm256_mulhi_epu16(y257, _mm256_set1_epi16(YG as i16)),
            _mm256_set1_epi16(Y_BIAS),
        )
    };
    let (yl0, yl1) = (luma(y_lo), luma(y_hi));
    let c128 = _mm256_set1_epi16(128);
    let uu = _mm256_sub_epi16(u, c128);
    let vv = _mm256_sub_epi16(v, c128);
    let rt = _mm256_mullo_epi16(vv, _mm256_set1_epi16(VR));
    let gt = _mm256_add_epi16(
        _mm256_mullo_epi16(uu, _mm256_set1_epi16(UG)),
        _mm256_mullo_epi16(vv, _mm256_set1_epi16(VG)),
    );
    let bt = _mm256_mullo_epi16(uu, _mm256_set1_epi16(UB));
    let chan = |t: __m256i, sub: bool| {
        let (t0, t1) = (_mm256_unpacklo_epi16(t, t), _mm256_unpackhi_epi16(t, t));
        let (a, b) = if sub {
            (_mm256_subs_epi16(yl0, t0), _mm256_subs_epi16(yl1, t1))
        } else {
            (_mm256_adds_epi16(yl0, t0), _mm256_adds_epi16(yl1, t1))
        };
        let packed = _mm256_packus_epi16(_mm256_srai_epi16::<6>(a), _mm256_srai_epi16::<6>(b));
        _mm256_permute4x64_epi64::<0xD8>(packed)
    };
    let (r, g, b) = (chan(rt, false), chan(gt, true), chan(bt, false));
    if BGR {
        interleave_store(out, b, g, r);
    } else {
        interleave_store(out, r, g, b);
    }
}

/// Widens 32 luma bytes to two vectors of 16-bit lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn widen_y(y: &[u8; 32]) -> (__m256i, __m256i) {
    let y = load32(y);
    (
        _mm256_cvtepu8_epi16(_mm256_castsi256_si128(y)),
        _mm256_cvtepu8_epi16(_mm256_extracti128_si256::<1>(y)),
    )
}

#[inline]
#[target_feature(enable = "avx2")]
fn tail<const BGR: bool>(y: &[u8], x0: usize, out: &mut [u8], chroma: impl Fn(usize) -> (u8, u8)) {
    let (op, _) = out.as_chunks_mut::<3>();
    for (i, (o, &yy)) in op.iter_mut().zip(y).enumerate() {
        let (u, v) = chroma((x0 + i) / 2);
        let p = yuv_to_rgb_pixel(yy, u, v);
        *o = if BGR { [p[2], p[1], p[0]] } else { p };
    }
}

/// One planar 4:2:0 row; `u`, `v` hold at least `ceil(y.len() / 2)` samples.
#[target_feature(enable = "avx2")]
pub(super) fn i420_image<const BGR: bool>(
    y: &[u8],
    u: &[u8],
    v: &[u8],
    w: usize,
    cw: usize,
    out: &mut [u8],
) {
    for (row, (yr, o)) in y
        .chunks_exact(w)
        .zip(out.chunks_exact_mut(3 * w))
        .enumerate()
    {
        let c = (row / 2) * cw;
        let (ur, vr) = (&u[c..c + cw], &v[c..c + cw]);
        let (yc, ytail) = yr.as_chunks::<32>();
        let (uc, _) = ur.as_chunks::<16>();
        let (vc, _) = vr.as_chunks::<16>();
        let (oc, otail) = o.as_chunks_mut::<96>();
        for (((y, u), v), o) in yc.iter().zip(uc).zip(vc).zip(oc.iter_mut()) {
            let (y0, y1) = widen_y(y);
            let u = _mm256_permute4x64_epi64::<0xD8>(_mm256_cvtepu8_epi16(load16(u)));
            let v = _mm256_permute4x64_epi64::<0xD8>(_mm256_cvtepu8_epi16(load16(v)));
            core::<BGR>(y0, y1, u, v, o);
        }
        tail::<BGR>(ytail, yc.len() * 32, otail, |i| (ur[i], vr[i]));
    }
}

/// NV12 rows; the UV plane rows hold at least `ceil(w / 2)` pairs.
#[target_feature(enable = "avx2")]
pub(super) fn nv12_image<const BGR: bool>(
    y: &[u8],
    uv: &[u8],
    w: usize,
    cw: usize,
    out: &mut [u8],
) {
    let lo = _mm256_set1_epi16(0xFF);
    for (row, (yr, o)) in y
        .chunks_exact(w)
        .zip(out.chunks_exact_mut(3 * w))
        .enumerate()
    {
        let c = (row / 2) * 2 * cw;
        let uvr = &uv[c..c + 2 * cw];
        let (yc, ytail) = yr.as_chunks::<32>();
        let (uvc, _) = uvr.as_chunks::<32>();
        let (oc, otail) = o.as_chunks_mut::<96>();
        for ((y, uv), o) in yc.iter().zip(uvc).zip(oc.iter_mut()) {
            let (y0, y1) = widen_y(y);
            let uv = load32(uv);
            let u = _mm256_permute4x64_epi64::<0xD8>(_mm256_and_si256(uv, lo));
            let v = _mm256_permute4x64_epi64::<0xD8>(_mm256_srli_epi16::<8>(uv));
            core::<BGR>(y0, y1, u, v, o);
        }
        tail::<BGR>(ytail, yc.len() * 32, otail, |i| {
            (uvr[2 * i], uvr[2 * i + 1])
        });
    }
}

/// 32 pixels of OpenMV's full-range 4:2:2 ([`super::yuv422`]): luma as
/// 16-bit lanes (pixels 0-15 and 16-31), the 16 chroma samples as 16-bit
/// lanes in the order [c0-3, c8-11 | c4-7, c12-15]. OpenMV's products do not
/// fit 16-bit lanes, so each is split exactly:
/// `(91881 v) >> 16 = v + ((26345 v) >> 16)`,
/// `(116130 u) >> 16 = 2 u + ((-14942 u) >> 16)`, and
/// `(22554 u + 46802 v) >> 16 = v + ((22554 u - 18734 v) >> 16)` with the
/// sum formed in 32 bits (`madd`) before the shift.
#[inline]
#[target_feature(enable = "avx2")]
fn core_full<const BGR: bool>(
    y_lo: __m256i,
    y_hi: __m256i,
    u: __m256i,
    v: __m256i,
    out: &mut [u8; 96],
) {
    let c128 = _mm256_set1_epi16(128);
    let uu = _mm256_sub_epi16(u, c128);
    let vv = _mm256_sub_epi16(v, c128);
    let rt = _mm256_add_epi16(vv, _mm256_mulhi_epi16(vv, _mm256_set1_epi16(26345)));
    let bt = _mm256_add_epi16(
        _mm256_add_epi16(uu, uu),
        _mm256_mulhi_epi16(uu, _mm256_set1_epi16(-14942)),
    );
    let k = _mm256_set1_epi32((((-18734i32 as u32) << 16) | 22554) as i32);
    let g_lo = _mm256_srai_epi32::<16>(_mm256_madd_epi16(_mm256_unpacklo_epi16(uu, vv), k));
    let g_hi = _mm256_srai_epi32::<16>(_mm256_madd_epi16(_mm256_unpackhi_epi16(uu, vv), k));
    let gt = _mm256_add_epi16(vv, _mm256_packs_epi32(g_lo, g_hi));
    let chan = |t: __m256i, sub: bool| {
        let (t0, t1) = (_mm256_unpacklo_epi16(t, t), _mm256_unpackhi_epi16(t, t));
        let (a, b) = if sub {
            (_mm256_subs_epi16(y_lo, t0), _mm256_subs_epi16(y_hi, t1))
        } else {
            (_mm256_adds_epi16(y_lo, t0), _mm256_adds_epi16(y_hi, t1))
        };
        _mm256_permute4x64_epi64::<0xD8>(_mm256_packus_epi16(a, b))
    };
    let (r, g, b) = (chan(rt, false), chan(gt, true), chan(bt, false));
    if BGR {
        interleave_store(out, b, g, r);
    } else {
        interleave_store(out, r, g, b);
    }
}

/// The 32-pixel chunks of one full-range YUYV (YVYU when `SWAP`) row;
/// returns how many pixels it converted. Bit-identical to
/// [`super::yuv422::ycbcr_to_rgb`].
#[target_feature(enable = "avx2")]
pub(super) fn yuyv_full_chunks<const SWAP: bool, const BGR: bool>(
    src: &[u8],
    out: &mut [u8],
) -> usize {
    let lo = _mm256_set1_epi16(0xFF);
    let lo32 = _mm256_set1_epi32(0xFFFF);
    let (sc, _) = src.as_chunks::<64>();
    let (oc, _) = out.as_chunks_mut::<96>();
    for (s, o) in sc.iter().zip(oc.iter_mut()) {
        let (halves, _) = s.as_chunks::<32>();
        let [s0, s1] = halves else { continue };
        let (a, b) = (load32(s0), load32(s1));
        let (y0, y1) = (_mm256_and_si256(a, lo), _mm256_and_si256(b, lo));
        // Chroma bytes as 16-bit lanes: c0 c1 c0 c1 ... (U V pairs); the
        // packs leave them in the lane order `core_full` takes.
        let (ca, cb) = (_mm256_srli_epi16::<8>(a), _mm256_srli_epi16::<8>(b));
        let first = _mm256_packus_epi32(_mm256_and_si256(ca, lo32), _mm256_and_si256(cb, lo32));
        let second = _mm256_packus_epi32(_mm256_srli_epi32::<16>(ca), _mm256_srli_epi32::<16>(cb));
        let (u, v) = if SWAP {
            (second, first)
        } else {
            (first, second)
        };
        core_full::<BGR>(y0, y1, u, v, o);
    }
    sc.len().min(oc.len()) * 32
}

/// Interleaves 64 R, G and B bytes into 192 RGB bytes. `#[inline]` so that
/// the AVX2 kernels of other modules (and codegen units) inline it.
#[inline]
#[target_feature(enable = "avx2")]
pub(super) fn interleave_rgb64(r: &[u8; 64], g: &[u8; 64], b: &[u8; 64], out: &mut [u8; 192]) {
    let (r, _) = r.as_chunks::<32>();
    let (g, _) = g.as_chunks::<32>();
    let (b, _) = b.as_chunks::<32>();
    let (o, _) = out.as_chunks_mut::<96>();
    for (((r, g), b), o) in r.iter().zip(g).zip(b).zip(o.iter_mut()) {
        interleave_store(o, load32(r), load32(g), load32(b));
    }
}
