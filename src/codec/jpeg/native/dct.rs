//! The forward DCT and quantisation of one 8x8 block.
//!
//! The DCT is the Arai-Agui-Nakajima factorisation in `f32` (5 multiplies per
//! 1-D transform), the arithmetic of libjpeg's `jfdctflt.c`: its outputs are
//! the true DCT coefficients times `8 * s[u] * s[v]`, and those scale
//! factors are folded into the quantisation multipliers. Each pass runs on
//! the eight rows of the block as `[f32; 8]` vectors, so it compiles to
//! straight-line SIMD; a transpose sits between the passes, which leaves the
//! result transposed (handled by the zigzag table). There is no fused
//! multiply-add, so the output is the same on every CPU.

/// `s[k] = cos(k pi / 16) * sqrt(2)` for k > 0, 1 for k = 0.
const AAN_SCALE: [f64; 8] = [
    1.0,
    1.387_039_845,
    1.306_562_965,
    1.175_875_602,
    1.0,
    0.785_694_958,
    0.541_196_100,
    0.275_899_379,
];

/// Zigzag position `k` -> index into the (transposed) DCT output: the
/// natural-order index `v * 8 + u` of zigzag coefficient `k`, transposed to
/// `u * 8 + v`.
pub(super) const ZIGZAG_T: [usize; 64] = {
    let mut t = [0usize; 64];
    let mut k = 0;
    while k < 64 {
        let n = super::tables::ZIGZAG[k];
        t[k] = (n % 8) * 8 + n / 8;
        k += 1;
    }
    t
};

type Rows = [[f32; 8]; 8];

/// The AAN rotation constants: `cos(4 pi / 16)`, `cos(6 pi / 16)`,
/// `cos(2 pi / 16) - cos(6 pi / 16)` and `cos(2 pi / 16) + cos(6 pi / 16)`.
const C4: f32 = std::f32::consts::FRAC_1_SQRT_2;
const C6: f32 = 0.382_683_43;
const C2_MINUS_C6: f32 = 0.541_196_1;
const C2_PLUS_C6: f32 = 1.306_563;

#[inline(always)]
fn add(a: [f32; 8], b: [f32; 8]) -> [f32; 8] {
    let mut r = [0f32; 8];
    for i in 0..8 {
        r[i] = a[i] + b[i];
    }
    r
}

#[inline(always)]
fn sub(a: [f32; 8], b: [f32; 8]) -> [f32; 8] {
    let mut r = [0f32; 8];
    for i in 0..8 {
        r[i] = a[i] - b[i];
    }
    r
}

#[inline(always)]
fn mul(a: [f32; 8], k: f32) -> [f32; 8] {
    let mut r = [0f32; 8];
    for i in 0..8 {
        r[i] = a[i] * k;
    }
    r
}

/// One 1-D AAN DCT down the rows: row `k` of the output holds frequency `k`
/// of every column.
#[inline(always)]
fn pass(d: &Rows) -> Rows {
    let tmp0 = add(d[0], d[7]);
    let tmp7 = sub(d[0], d[7]);
    let tmp1 = add(d[1], d[6]);
    let tmp6 = sub(d[1], d[6]);
    let tmp2 = add(d[2], d[5]);
    let tmp5 = sub(d[2], d[5]);
    let tmp3 = add(d[3], d[4]);
    let tmp4 = sub(d[3], d[4]);

    // Even part.
    let tmp10 = add(tmp0, tmp3);
    let tmp13 = sub(tmp0, tmp3);
    let tmp11 = add(tmp1, tmp2);
    let tmp12 = sub(tmp1, tmp2);
    let o0 = add(tmp10, tmp11);
    let o4 = sub(tmp10, tmp11);
    let z1 = mul(add(tmp12, tmp13), C4);
    let o2 = add(tmp13, z1);
    let o6 = sub(tmp13, z1);

    // Odd part.
    let tmp10 = add(tmp4, tmp5);
    let tmp11 = add(tmp5, tmp6);
    let tmp12 = add(tmp6, tmp7);
    let z5 = mul(sub(tmp10, tmp12), C6);
    let z2 = add(mul(tmp10, C2_MINUS_C6), z5);
    let z4 = add(mul(tmp12, C2_PLUS_C6), z5);
    let z3 = mul(tmp11, C4);
    let z11 = add(tmp7, z3);
    let z13 = sub(tmp7, z3);
    [
        o0,
        add(z11, z4),
        o2,
        sub(z13, z2),
        o4,
        add(z13, z2),
        o6,
        sub(z11, z4),
    ]
}

#[inline(always)]
fn transpose(d: &Rows) -> Rows {
    let mut t = [[0f32; 8]; 8];
    for i in 0..8 {
        for j in 0..8 {
            t[i][j] = d[j][i];
        }
    }
    t
}

/// Per-coefficient multipliers of one quantisation table, in the transposed
/// layout the DCT produces.
#[derive(Clone, Debug)]
pub(super) struct Quantizer {
    /// `1 / (q * 8 * s[u] * s[v])` at index `u * 8 + v`.
    recip: [f32; 64],
    /// Added to `|c| / q` before truncating: 0.5 rounds to nearest; less
    /// widens the zero bin (a dead zone), saving bits on noise.
    bias: [f32; 64],
}

impl Quantizer {
    /// For `table` (natural order, 1-255) with rounding offsets `dc_bias` for
    /// the DC coefficient and `ac_bias` for the others.
    pub(super) fn new(table: &[u8; 64], dc_bias: f32, ac_bias: f32) -> Quantizer {
        let mut recip = [0f32; 64];
        let mut bias = [ac_bias; 64];
        for u in 0..8 {
            for v in 0..8 {
                let q = f64::from(table[v * 8 + u].max(1));
                recip[u * 8 + v] = (1.0 / (q * 8.0 * AAN_SCALE[u] * AAN_SCALE[v])) as f32;
            }
        }
        bias[0] = dc_bias;
        Quantizer { recip, bias }
    }
}

/// Which kernels this CPU runs, detected once per frame.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cpu {
    avx2: bool,
}

impl Cpu {
    pub(super) fn detect() -> Cpu {
        Cpu {
            #[cfg(target_arch = "x86_64")]
            avx2: std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(not(target_arch = "x86_64"))]
            avx2: false,
        }
    }

    /// Whether the AVX2 kernels may run (true only if the CPU has AVX2).
    #[inline(always)]
    pub(super) fn avx2(self) -> bool {
        self.avx2
    }
}

/// Transforms and quantises the 8x8 samples at `src` (rows `stride` apart,
/// level 0-255; `src` holds at least `7 * stride + 8` bytes) into `out`, in
/// the transposed natural order the DCT produces (coefficient `(u, v)` at
/// `u * 8 + v`; [`ZIGZAG_T`] maps zigzag positions there). Every value fits
/// `i16`: the largest DCT coefficient of 8-bit samples is 1024 and a step
/// is at least 1.
#[inline(always)]
#[allow(unsafe_code)]
pub(super) fn block(cpu: Cpu, src: &[u8], stride: usize, quant: &Quantizer, out: &mut [i16; 64]) {
    let Some(rows) = load(src, stride) else {
        return;
    };
    #[cfg(target_arch = "x86_64")]
    if cpu.avx2() {
        // SAFETY: `cpu.avx2()` is true only when the CPU supports AVX2, the
        // only requirement of this safe `#[target_feature]` function.
        unsafe { avx2::transform(&rows, quant, out) };
        return;
    }
    let _ = cpu;
    let mut d: Rows = [[0.0; 8]; 8];
    for (row, s) in d.iter_mut().zip(rows) {
        for x in 0..8 {
            row[x] = f32::from(s[x]) - 128.0;
        }
    }
    let d = pass(&transpose(&pass(&d)));
    let coefs = d.as_flattened().iter().zip(&quant.recip).zip(&quant.bias);
    for (o, ((&d, &recip), &bias)) in out.iter_mut().zip(coefs) {
        let c = d * recip;
        let m = (c.abs() + bias) as i16;
        *o = if c < 0.0 { -m } else { m };
    }
}

/// The eight rows of 8 samples of a block.
#[inline(always)]
fn load(src: &[u8], stride: usize) -> Option<[&[u8; 8]; 8]> {
    let row = |y: usize| src.get(y * stride..y * stride + 8)?.try_into().ok();
    Some([
        row(0)?,
        row(1)?,
        row(2)?,
        row(3)?,
        row(4)?,
        row(5)?,
        row(6)?,
        row(7)?,
    ])
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! The same arithmetic in AVX2 registers, one row per register: every
    //! operation is the scalar path's, lane for lane (no FMA), so the
    //! results are bit-identical (the tests compare the two).

    use std::arch::x86_64::*;

    use super::{C2_MINUS_C6, C2_PLUS_C6, C4, C6, Quantizer};

    #[inline]
    #[target_feature(enable = "avx2")]
    fn pass(d: [__m256; 8]) -> [__m256; 8] {
        let (add, sub) = (_mm256_add_ps, _mm256_sub_ps);
        let mul = |a, k: f32| _mm256_mul_ps(a, _mm256_set1_ps(k));
        let tmp0 = add(d[0], d[7]);
        let tmp7 = sub(d[0], d[7]);
        let tmp1 = add(d[1], d[6]);
        let tmp6 = sub(d[1], d[6]);
        let tmp2 = add(d[2], d[5]);
        let tmp5 = sub(d[2], d[5]);
        let tmp3 = add(d[3], d[4]);
        let tmp4 = sub(d[3], d[4]);
        let tmp10 = add(tmp0, tmp3);
        let tmp13 = sub(tmp0, tmp3);
        let tmp11 = add(tmp1, tmp2);
        let tmp12 = sub(tmp1, tmp2);
        let o0 = add(tmp10, tmp11);
        let o4 = sub(tmp10, tmp11);
        let z1 = mul(add(tmp12, tmp13), C4);
        let o2 = add(tmp13, z1);
        let o6 = sub(tmp13, z1);
        let tmp10 = add(tmp4, tmp5);
        let tmp11 = add(tmp5, tmp6);
        let tmp12 = add(tmp6, tmp7);
        let z5 = mul(sub(tmp10, tmp12), C6);
        let z2 = add(mul(tmp10, C2_MINUS_C6), z5);
        let z4 = add(mul(tmp12, C2_PLUS_C6), z5);
        let z3 = mul(tmp11, C4);
        let z11 = add(tmp7, z3);
        let z13 = sub(tmp7, z3);
        [
            o0,
            add(z11, z4),
            o2,
            sub(z13, z2),
            o4,
            add(z13, z2),
            o6,
            sub(z11, z4),
        ]
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn transpose(r: [__m256; 8]) -> [__m256; 8] {
        let t0 = _mm256_unpacklo_ps(r[0], r[1]);
        let t1 = _mm256_unpackhi_ps(r[0], r[1]);
        let t2 = _mm256_unpacklo_ps(r[2], r[3]);
        let t3 = _mm256_unpackhi_ps(r[2], r[3]);
        let t4 = _mm256_unpacklo_ps(r[4], r[5]);
        let t5 = _mm256_unpackhi_ps(r[4], r[5]);
        let t6 = _mm256_unpacklo_ps(r[6], r[7]);
        let t7 = _mm256_unpackhi_ps(r[6], r[7]);
        let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let s1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
        let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let s3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
        let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let s5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
        let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let s7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
        [
            _mm256_permute2f128_ps::<0x20>(s0, s4),
            _mm256_permute2f128_ps::<0x20>(s1, s5),
            _mm256_permute2f128_ps::<0x20>(s2, s6),
            _mm256_permute2f128_ps::<0x20>(s3, s7),
            _mm256_permute2f128_ps::<0x31>(s0, s4),
            _mm256_permute2f128_ps::<0x31>(s1, s5),
            _mm256_permute2f128_ps::<0x31>(s2, s6),
            _mm256_permute2f128_ps::<0x31>(s3, s7),
        ]
    }

    /// DCT and quantisation of the eight rows into `q` (transposed layout).
    #[inline]
    #[target_feature(enable = "avx2")]
    #[allow(unsafe_code)]
    pub(super) fn transform(rows: &[&[u8; 8]; 8], quant: &Quantizer, out: &mut [i16; 64]) {
        let level = _mm256_set1_ps(128.0);
        let d: [__m256; 8] = std::array::from_fn(|y| {
            // SAFETY: `rows[y]` is 8 readable bytes; the load is unaligned.
            let b = unsafe { _mm_loadl_epi64(rows[y].as_ptr().cast()) };
            _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b)), level)
        });
        let d = pass(transpose(pass(d)));
        let sign = _mm256_set1_ps(-0.0);
        let (recips, _) = quant.recip.as_chunks::<8>();
        let (biases, _) = quant.bias.as_chunks::<8>();
        let q: [__m256i; 8] = std::array::from_fn(|u| {
            // SAFETY: `recips[u]` and `biases[u]` are 8 readable f32s; the
            // loads are unaligned.
            let (r, b) = unsafe {
                (
                    _mm256_loadu_ps(recips[u].as_ptr()),
                    _mm256_loadu_ps(biases[u].as_ptr()),
                )
            };
            let c = _mm256_mul_ps(d[u], r);
            let m = _mm256_cvttps_epi32(_mm256_add_ps(_mm256_andnot_ps(sign, c), b));
            _mm256_sign_epi32(m, _mm256_castps_si256(c))
        });
        let (outs, _) = out.as_chunks_mut::<16>();
        for (pair, out) in q.chunks_exact(2).zip(outs) {
            // Two rows of eight i32 to sixteen i16: packs works per 128-bit
            // lane, the permute puts the halves back in order.
            let packed = _mm256_permute4x64_epi64::<0xD8>(_mm256_packs_epi32(pair[0], pair[1]));
            // SAFETY: `out` is 32 writable bytes; the store is unaligned.
            unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), packed) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DCT-II of T.81 A.3.3, straight from the definition.
    fn reference(src: &[u8; 64]) -> [f64; 64] {
        let c = |k: usize| {
            if k == 0 {
                std::f64::consts::FRAC_1_SQRT_2
            } else {
                1.0
            }
        };
        let mut out = [0f64; 64];
        for v in 0..8 {
            for u in 0..8 {
                let mut s = 0.0;
                for y in 0..8 {
                    for x in 0..8 {
                        let p = f64::from(src[y * 8 + x]) - 128.0;
                        s += p
                            * (((2 * x + 1) as f64 * u as f64 * std::f64::consts::PI) / 16.0).cos()
                            * (((2 * y + 1) as f64 * v as f64 * std::f64::consts::PI) / 16.0).cos();
                    }
                }
                out[v * 8 + u] = 0.25 * c(u) * c(v) * s;
            }
        }
        out
    }

    #[test]
    fn matches_the_definition() {
        let mut state = 12345u32;
        let mut src = [0u8; 64];
        for s in &mut src {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *s = (state >> 16) as u8;
        }
        let want = reference(&src);
        // Quantising by 1 with round-to-nearest gives the rounded DCT.
        let quant = Quantizer::new(&[1; 64], 0.5, 0.5);
        let mut out = [0i16; 64];
        block(Cpu::detect(), &src, 8, &quant, &mut out);
        for (k, &n) in super::super::tables::ZIGZAG.iter().enumerate() {
            let w = want[n];
            let got = out[ZIGZAG_T[k]];
            assert!(
                (f64::from(got) - w).abs() <= 0.5 + 1e-3,
                "coefficient {n}: {got} vs {w}"
            );
        }
        // A flat block has only DC: (v - 128) * 8 / q.
        let flat = [200u8; 64];
        block(
            Cpu::detect(),
            &flat,
            8,
            &Quantizer::new(&[16; 64], 0.5, 0.5),
            &mut out,
        );
        assert_eq!(out[0], 36);
        assert!(out[1..].iter().all(|&c| c == 0));
    }

    /// The AVX2 path gives the portable path's coefficients, bit for bit.
    #[test]
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    fn avx2_matches_portable() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let mut state = 99u32;
        for round in 0..500 {
            let mut src = [0u8; 64];
            for s in &mut src {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                *s = if round % 3 == 0 {
                    (state >> 31) as u8 * 255
                } else {
                    (state >> 16) as u8
                };
            }
            let table: [u8; 64] =
                std::array::from_fn(|i| 1 + ((i as u32).wrapping_mul(state) % 40) as u8);
            let quant = Quantizer::new(&table, 0.5, 0.375);
            let rows = load(&src, 8).unwrap();
            let mut simd = [0i16; 64];
            // SAFETY: AVX2 was detected above.
            unsafe { avx2::transform(&rows, &quant, &mut simd) };
            let mut d: Rows = [[0.0; 8]; 8];
            for (row, s) in d.iter_mut().zip(rows) {
                for x in 0..8 {
                    row[x] = f32::from(s[x]) - 128.0;
                }
            }
            let d = pass(&transpose(&pass(&d)));
            for i in 0..64 {
                let c = d[i / 8][i % 8] * quant.recip[i];
                let m = (c.abs() + quant.bias[i]) as i16;
                assert_eq!(
                    simd[i],
                    if c < 0.0 { -m } else { m },
                    "round {round} coefficient {i}"
                );
            }
        }
    }

    #[test]
    fn dead_zone_widens_the_zero_bin() {
        // A horizontal ramp: coefficient 1 (u = 1, v = 0) carries it.
        let mut src = [0u8; 64];
        for y in 0..8 {
            for x in 0..8 {
                src[y * 8 + x] = 128 + (x as u8) * 2;
            }
        }
        let want = reference(&src)[1];
        let q = (want.abs() / 0.6).round() as u8; // |c| / q = 0.6
        let mut table = [1u8; 64];
        table[1] = q;
        let mut out = [0i16; 64];
        block(
            Cpu::detect(),
            &src,
            8,
            &Quantizer::new(&table, 0.5, 0.5),
            &mut out,
        );
        // Natural (v, u) = (0, 1) sits at transposed index 8.
        assert_eq!(out[8].abs(), 1);
        block(
            Cpu::detect(),
            &src,
            8,
            &Quantizer::new(&table, 0.5, 0.3),
            &mut out,
        );
        assert_eq!(out[8], 0);
    }
}
