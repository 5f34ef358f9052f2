//! How mosaic samples are read from rows of bytes (8- or 16-bit) and how
//! RGB888 or RGB48 pixels are written, with the depth conversion between.

use super::kernels::CHUNK;

// ---------------------------------------------------------------------------
// Sample readers and output writers
// ---------------------------------------------------------------------------

/// How mosaic samples are stored in a row of bytes.
pub(super) trait Samples {
    type Pair: Copy;
    /// Samples from index `x` on, as pairs.
    fn pairs(row: &[u8], x: usize) -> &[Self::Pair];
    fn split(p: Self::Pair) -> (i32, i32);
    fn at(row: &[u8], x: usize) -> i32;
    /// One stored sample.
    type Elem: Copy;
    /// The samples from index `x` on.
    fn elems(row: &[u8], x: usize) -> &[Self::Elem];
    fn val(e: Self::Elem) -> u16;
}

pub(super) struct S8;
pub(super) struct S16;

impl Samples for S8 {
    type Pair = [u8; 2];
    #[inline(always)]
    fn pairs(row: &[u8], x: usize) -> &[[u8; 2]] {
        row.get(x..).unwrap_or(&[]).as_chunks::<2>().0
    }
    #[inline(always)]
    fn split(p: [u8; 2]) -> (i32, i32) {
        (i32::from(p[0]), i32::from(p[1]))
    }
    #[inline(always)]
    fn at(row: &[u8], x: usize) -> i32 {
        row.get(x).map_or(0, |&v| i32::from(v))
    }
    type Elem = u8;
    #[inline(always)]
    fn elems(row: &[u8], x: usize) -> &[u8] {
        row.get(x..).unwrap_or(&[])
    }
    #[inline(always)]
    fn val(e: u8) -> u16 {
        u16::from(e)
    }
}

impl Samples for S16 {
    type Pair = [u8; 4];
    #[inline(always)]
    fn pairs(row: &[u8], x: usize) -> &[[u8; 4]] {
        row.get(2 * x..).unwrap_or(&[]).as_chunks::<4>().0
    }
    #[inline(always)]
    fn split(p: [u8; 4]) -> (i32, i32) {
        (
            i32::from(u16::from_le_bytes([p[0], p[1]])),
            i32::from(u16::from_le_bytes([p[2], p[3]])),
        )
    }
    #[inline(always)]
    fn at(row: &[u8], x: usize) -> i32 {
        match row.get(2 * x..2 * x + 2) {
            Some(&[a, b]) => i32::from(u16::from_le_bytes([a, b])),
            _ => 0,
        }
    }
    type Elem = [u8; 2];
    #[inline(always)]
    fn elems(row: &[u8], x: usize) -> &[[u8; 2]] {
        row.get(2 * x..).unwrap_or(&[]).as_chunks::<2>().0
    }
    #[inline(always)]
    fn val(e: [u8; 2]) -> u16 {
        u16::from_le_bytes(e)
    }
}

/// Depth conversion from native `bits`-bit values to the output.
#[derive(Clone, Copy)]
pub(super) struct Depth {
    pub(super) max: i32,
    /// 8-bit output: right shift.
    pub(super) shr8: u32,
    /// 16-bit output: `(v << l) | (v >> r)`.
    pub(super) l16: u32,
    pub(super) r16: u32,
}

impl Depth {
    pub(super) fn new(bits: u32) -> Depth {
        Depth {
            max: (1 << bits) - 1,
            shr8: bits - 8,
            l16: 16 - bits,
            r16: 2 * bits - 16,
        }
    }
}

/// How output pixels are written.
pub(super) trait Sink {
    const BPP: usize;
    type Pair;
    fn pairs_mut(out: &mut [u8], x: usize) -> &mut [Self::Pair];
    fn write_pair(p: &mut Self::Pair, a: [i32; 3], b: [i32; 3], d: Depth);
    fn put(out: &mut [u8], x: usize, v: [i32; 3], d: Depth);
    /// Writes pixels `x0..x0 + r.len()` from planar channels.
    fn put_planar(out: &mut [u8], x0: usize, r: &[u16], g: &[u16], b: &[u16], d: Depth);
}

pub(super) struct Rgb8;
pub(super) struct Rgb16;

impl Sink for Rgb8 {
    const BPP: usize = 3;
    type Pair = [u8; 6];
    #[inline(always)]
    fn pairs_mut(out: &mut [u8], x: usize) -> &mut [[u8; 6]] {
        out.get_mut(3 * x..)
            .unwrap_or(&mut [])
            .as_chunks_mut::<6>()
            .0
    }
    #[inline(always)]
    fn write_pair(p: &mut [u8; 6], a: [i32; 3], b: [i32; 3], d: Depth) {
        let s = d.shr8;
        *p = [
            (a[0] >> s) as u8,
            (a[1] >> s) as u8,
            (a[2] >> s) as u8,
            (b[0] >> s) as u8,
            (b[1] >> s) as u8,
            (b[2] >> s) as u8,
        ];
    }
    #[inline(always)]
    fn put(out: &mut [u8], x: usize, v: [i32; 3], d: Depth) {
        if let Some(o) = out.get_mut(3 * x..3 * x + 3) {
            for (o, v) in o.iter_mut().zip(v) {
                *o = (v >> d.shr8) as u8;
            }
        }
    }
    #[inline(always)]
    #[allow(unsafe_code)]
    fn put_planar(out: &mut [u8], x0: usize, r: &[u16], g: &[u16], b: &[u16], d: Depth) {
        let s = d.shr8;
        #[cfg(target_arch = "x86_64")]
        if let (Ok(r), Ok(g), Ok(b)) = (
            <&[u16; CHUNK]>::try_from(r),
            <&[u16; CHUNK]>::try_from(g),
            <&[u16; CHUNK]>::try_from(b),
        ) && let Some(Ok(o)) = out
            .get_mut(3 * x0..3 * (x0 + CHUNK))
            .map(<&mut [u8; 3 * CHUNK]>::try_from)
            && std::arch::is_x86_feature_detected!("avx2")
        {
            let narrow = |v: &[u16; CHUNK]| v.map(|v| (v >> s) as u8);
            let (r8, g8, b8) = (narrow(r), narrow(g), narrow(b));
            // SAFETY: the CPU supports AVX2 (detected just above), the only
            // requirement of this safe `#[target_feature]` function.
            unsafe { super::super::yuv_avx2::interleave_rgb64(&r8, &g8, &b8, o) };
            return;
        }
        let (px, _) = out
            .get_mut(3 * x0..)
            .unwrap_or(&mut [])
            .as_chunks_mut::<3>();
        for (((p, &r), &g), &b) in px.iter_mut().zip(r).zip(g).zip(b) {
            *p = [(r >> s) as u8, (g >> s) as u8, (b >> s) as u8];
        }
    }
}

impl Sink for Rgb16 {
    const BPP: usize = 6;
    type Pair = [u8; 12];
    #[inline(always)]
    fn pairs_mut(out: &mut [u8], x: usize) -> &mut [[u8; 12]] {
        out.get_mut(6 * x..)
            .unwrap_or(&mut [])
            .as_chunks_mut::<12>()
            .0
    }
    #[inline(always)]
    fn write_pair(p: &mut [u8; 12], a: [i32; 3], b: [i32; 3], d: Depth) {
        let w = |v: i32| {
            let v = v as u32;
            (((v << d.l16) | (v >> d.r16)) as u16).to_le_bytes()
        };
        let (a0, a1, a2, b0, b1, b2) = (w(a[0]), w(a[1]), w(a[2]), w(b[0]), w(b[1]), w(b[2]));
        *p = [
            a0[0], a0[1], a1[0], a1[1], a2[0], a2[1], b0[0], b0[1], b1[0], b1[1], b2[0], b2[1],
        ];
    }
    #[inline(always)]
    fn put_planar(out: &mut [u8], x0: usize, r: &[u16], g: &[u16], b: &[u16], d: Depth) {
        let (px, _) = out
            .get_mut(6 * x0..)
            .unwrap_or(&mut [])
            .as_chunks_mut::<6>();
        let w = |v: u16| {
            let v = u32::from(v);
            (((v << d.l16) | (v >> d.r16)) as u16).to_le_bytes()
        };
        for (((p, &r), &g), &b) in px.iter_mut().zip(r).zip(g).zip(b) {
            let (r, g, b) = (w(r), w(g), w(b));
            *p = [r[0], r[1], g[0], g[1], b[0], b[1]];
        }
    }
    #[inline(always)]
    fn put(out: &mut [u8], x: usize, v: [i32; 3], d: Depth) {
        if let Some(o) = out.get_mut(6 * x..6 * x + 6) {
            for (o, v) in o.chunks_exact_mut(2).zip(v) {
                let v = v as u32;
                o.copy_from_slice(&(((v << d.l16) | (v >> d.r16)) as u16).to_le_bytes());
            }
        }
    }
}
