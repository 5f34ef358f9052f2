//! One frame of block matching: every macroblock of the current plane against
//! the previous one, with the kernel chosen at construction.
//!
//! Each block first gets the SAD of the zero offset (kept for the detector)
//! and of up to three predictors (the vectors of its left and upper
//! neighbours in this frame and its own in the previous frame), which only
//! seed the bound the kernels drop candidates against: the result is the
//! exhaustive search's, whatever the predictors are.

use super::layout::{MotionLayout, MotionVector};
use super::plane::Plane;
use super::search::{Kernel, Ranks, Window, key, sad_scalar, search_block_scalar};

const MB: usize = 16;

/// The block matcher for one search range and kernel.
#[derive(Clone, Debug)]
pub(crate) struct Matcher {
    ranks: Ranks,
    /// `Scalar` or `Avx2` (resolved; `Avx2` only when the CPU has it).
    kernel: Kernel,
}

impl Matcher {
    /// A matcher searching `+-range`; `kernel` must be available on this CPU.
    pub(crate) fn new(range: u8, kernel: Kernel) -> Matcher {
        let kernel = match kernel.resolve() {
            Kernel::Avx2 if Kernel::Avx2.is_available() => Kernel::Avx2,
            _ => Kernel::Scalar,
        };
        Matcher {
            ranks: Ranks::new(range),
            kernel,
        }
    }

    /// The kernel in use (`Scalar` or `Avx2`).
    pub(crate) fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Matches every block of `cur` against `prev` (same padded size, that of
    /// `layout`) and writes the records of one frame into `out`
    /// (`layout.frame_bytes()` bytes, the extra column zeroed). `vectors` holds
    /// the previous frame's vectors on entry and this frame's on return;
    /// `zero_sads` gets the SAD of every block at the zero offset.
    pub(crate) fn match_frame(
        &self,
        cur: &Plane,
        prev: &Plane,
        layout: &MotionLayout,
        vectors: &mut [(i8, i8)],
        out: &mut [u8],
        zero_sads: &mut [u16],
    ) {
        let (bc, rows) = (layout.block_cols(), layout.rows());
        debug_assert_eq!((cur.width(), cur.height()), (bc * MB, rows * MB));
        debug_assert_eq!((prev.width(), prev.height()), (bc * MB, rows * MB));
        debug_assert_eq!(out.len(), layout.frame_bytes());
        let (pw, ph, stride) = (prev.width(), prev.height(), prev.stride());
        let (cd, pd) = (cur.data(), prev.data());
        for row in 0..rows {
            for col in 0..bc {
                let i = row * bc + col;
                let (bx, by) = (col * MB, row * MB);
                let window = Window::new(bx, by, pw, ph, self.ranks.range());
                let a = by * stride + bx;
                let sad0 = sad_scalar(cd, a, pd, a, stride, u32::MAX);
                zero_sads[i] = sad0 as u16;
                let mut best = key(sad0, self.ranks.rank(0, 0));
                if sad0 > 0 {
                    let left = if col > 0 { vectors[i - 1] } else { (0, 0) };
                    let up = if row > 0 { vectors[i - bc] } else { (0, 0) };
                    for (x, y) in [vectors[i], left, up] {
                        let (x, y) = (i32::from(x), i32::from(y));
                        if (x, y) == (0, 0) || !window.contains(x, y) {
                            continue;
                        }
                        let b = (by as i32 + y) as usize * stride + (bx as i32 + x) as usize;
                        let limit = best >> 16;
                        let sad = sad_scalar(cd, a, pd, b, stride, limit);
                        if sad <= limit {
                            best = best.min(key(sad, self.ranks.rank(x, y)));
                        }
                    }
                    best = self.search(cur, prev, bx, by, window, best);
                }
                let (x, y) = self.ranks.vector((best & 0xFFFF) as u16);
                vectors[i] = (x, y);
                let v = MotionVector {
                    x,
                    y,
                    sad: (best >> 16) as u16,
                };
                let at = layout.record_offset(col, row);
                out[at..at + 4].copy_from_slice(&v.to_bytes());
            }
            let at = layout.record_offset(bc, row);
            out[at..at + 4].fill(0);
        }
    }

    #[allow(unsafe_code)]
    fn search(
        &self,
        cur: &Plane,
        prev: &Plane,
        bx: usize,
        by: usize,
        window: Window,
        best: u32,
    ) -> u32 {
        #[cfg(target_arch = "x86_64")]
        if self.kernel == Kernel::Avx2 {
            // SAFETY: `kernel` is only `Avx2` when the CPU has AVX2
            // (`Matcher::new` checked at run time); the kernel is otherwise
            // safe Rust.
            return unsafe {
                super::sad_avx2::search_block(cur, prev, bx, by, window, &self.ranks, best)
            };
        }
        search_block_scalar(cur, prev, bx, by, window, &self.ranks, best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift32 noise with some smooth structure, so that matches differ.
    fn texture(w: usize, h: usize, seed: u32) -> Vec<u8> {
        let mut s = seed | 1;
        (0..w * h)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                let (x, y) = (i % w, i / w);
                ((x * 5 + y * 3) as u32 + (s >> 28)) as u8
            })
            .collect()
    }

    fn plane(w: usize, h: usize, px: &[u8]) -> Plane {
        let mut p = Plane::default();
        p.fill(w, h, |y| &px[y * w..(y + 1) * w]);
        p
    }

    fn run(
        kernel: Kernel,
        range: u8,
        w: usize,
        h: usize,
        a: &[u8],
        b: &[u8],
    ) -> (Vec<u8>, Vec<u16>) {
        let layout = MotionLayout::new(w as u32, h as u32).unwrap();
        let m = Matcher::new(range, kernel);
        assert_eq!(m.kernel(), kernel);
        let mut out = vec![0xAA; layout.frame_bytes()];
        let mut zero = vec![0; layout.blocks()];
        let mut vectors = vec![(1, -1); layout.blocks()];
        m.match_frame(
            &plane(w, h, b),
            &plane(w, h, a),
            &layout,
            &mut vectors,
            &mut out,
            &mut zero,
        );
        (out, zero)
    }

    #[test]
    fn kernels_agree() {
        if !Kernel::Avx2.is_available() {
            eprintln!("skipping: this CPU has no AVX2");
            return;
        }
        for (i, &(w, h, range)) in [
            (16, 16, 1),
            (40, 24, 1),
            (48, 48, 2),
            (64, 48, 16),
            (33, 17, 3),
            (71, 50, 7),
            (96, 64, 9),
            (80, 40, 40),
            (50, 30, 127),
            (160, 48, 24),
        ]
        .iter()
        .enumerate()
        {
            let a = texture(w, h, 7 + i as u32);
            // Frame 1: frame 0 shifted, with other noise, plus a patch of noise.
            let mut b = texture(w, h, 99 + i as u32);
            for y in 0..h {
                for x in 0..w {
                    let (sx, sy) = ((x + 3).min(w - 1), y.saturating_sub(2));
                    b[y * w + x] = b[y * w + x] / 8 + a[sy * w + sx] / 8 * 7;
                }
            }
            let s = run(Kernel::Scalar, range, w, h, &a, &b);
            let v = run(Kernel::Avx2, range, w, h, &a, &b);
            assert_eq!(s, v, "{w}x{h} +-{range}");
            // Flat frames: every candidate ties.
            let flat = vec![9u8; w * h];
            let s = run(Kernel::Scalar, range, w, h, &flat, &b);
            let v = run(Kernel::Avx2, range, w, h, &flat, &b);
            assert_eq!(s, v, "{w}x{h} +-{range} flat");
        }
    }
}
