//! The demosaicing arithmetic: per-pixel formulas of the three algorithms,
//! the bounds-checked border path, the unrolled interior loops and the
//! planar 3x3 kernels, and one output row from five source rows.

use super::Demosaic;
use super::io::{Depth, Samples, Sink};
use crate::image::BayerOrder;

// ---------------------------------------------------------------------------
// Per-pixel formulas
// ---------------------------------------------------------------------------
//
// `s(dx, dy)` reads the sample at offset (dx, dy) from the pixel. Each formula
// returns [row colour, green, other colour], where "row colour" is the
// non-green colour of the pixel's row (it lies left and right of a green site).

#[inline(always)]
fn bilinear_px(green: bool, s: impl Fn(isize, isize) -> i32) -> [i32; 3] {
    let c = s(0, 0);
    if green {
        let horiz = (s(-1, 0) + s(1, 0) + 1) >> 1;
        let vert = (s(0, -1) + s(0, 1) + 1) >> 1;
        [horiz, c, vert]
    } else {
        let cross = s(-1, 0) + s(1, 0) + s(0, -1) + s(0, 1);
        let diag = s(-1, -1) + s(1, -1) + s(-1, 1) + s(1, 1);
        [c, (cross + 2) >> 2, (diag + 2) >> 2]
    }
}

/// The recipe's average for an interior pixel (all nine window sites inside).
#[inline(always)]
fn average_px(green: bool, s: impl Fn(isize, isize) -> i32) -> [i32; 3] {
    let c = s(0, 0);
    let diag = s(-1, -1) + s(1, -1) + s(-1, 1) + s(1, 1);
    if green {
        let horiz = (s(-1, 0) + s(1, 0)) >> 1;
        let vert = (s(0, -1) + s(0, 1)) >> 1;
        [horiz, (c + diag) / 5, vert]
    } else {
        let cross = s(-1, 0) + s(1, 0) + s(0, -1) + s(0, 1);
        [c, cross >> 2, diag >> 2]
    }
}

#[inline(always)]
fn mhc_px(green: bool, s: impl Fn(isize, isize) -> i32, max: i32) -> [i32; 3] {
    let c = s(0, 0);
    let (w, e, n, so) = (s(-1, 0), s(1, 0), s(0, -1), s(0, 1));
    let (w2, e2, n2, s2) = (s(-2, 0), s(2, 0), s(0, -2), s(0, 2));
    let diag = s(-1, -1) + s(1, -1) + s(-1, 1) + s(1, 1);
    let f = |v: i32| ((v + 8) >> 4).clamp(0, max);
    if green {
        // x16: 10c + 8(E+W) - 2(E2+W2) - 2 diag + (N2+S2), and its transpose.
        let common = 10 * c - 2 * diag;
        let horiz = common + 8 * (w + e) - 2 * (w2 + e2) + (n2 + s2);
        let vert = common + 8 * (n + so) - 2 * (n2 + s2) + (w2 + e2);
        [f(horiz), c, f(vert)]
    } else {
        let far = w2 + e2 + n2 + s2;
        let g = 8 * c + 4 * (w + e + n + so) - 2 * far;
        let opp = 12 * c + 4 * diag - 3 * far;
        [c, f(g), f(opp)]
    }
}

/// The recipe's average for any pixel: zero padding, counts of in-image sites.
/// `at(dx, dy)` is `None` outside the image; `color(dx, dy)` is the channel.
#[inline]
fn average_border(
    at: impl Fn(isize, isize) -> Option<i32>,
    color: impl Fn(isize, isize) -> usize,
) -> [i32; 3] {
    let mut sum = [0i32; 3];
    let mut count = [0i32; 3];
    for dy in -1..=1 {
        for dx in -1..=1 {
            if let Some(v) = at(dx, dy) {
                let ch = color(dx, dy);
                sum[ch] += v;
                count[ch] += 1;
            }
        }
    }
    [0, 1, 2].map(|ch| {
        if count[ch] == 0 {
            0
        } else {
            sum[ch] / count[ch]
        }
    })
}

// ---------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------

/// reflect-101 index into `0..n`.
#[inline]
pub(super) fn reflect(i: isize, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let n = n as isize;
    let p = 2 * (n - 1);
    let m = i.rem_euclid(p);
    (if m >= n { p - m } else { m }) as usize
}

/// The geometry of one output row.
#[derive(Clone, Copy)]
pub(super) struct RowCtx {
    pub(super) w: usize,
    /// Whether even columns are green in this row.
    pub(super) gfirst: bool,
    /// Whether the row's non-green colour is blue.
    pub(super) blue: bool,
    /// Rows y-2..=y+2 that lie inside the image.
    pub(super) valid: [bool; 5],
    pub(super) order: BayerOrder,
    pub(super) y: usize,
    pub(super) d: Depth,
}

impl RowCtx {
    #[inline(always)]
    fn rgb(&self, v: [i32; 3]) -> [i32; 3] {
        if self.blue { [v[2], v[1], v[0]] } else { v }
    }
    #[inline(always)]
    fn is_green(&self, x: usize) -> bool {
        x.is_multiple_of(2) == self.gfirst
    }
}

/// One pixel through the generic (bounds-checked, mirrored) path.
#[inline]
fn slow_px<S: Samples, O: Sink>(
    algo: Demosaic,
    rows: &[&[u8]; 5],
    ctx: &RowCtx,
    x: usize,
    out: &mut [u8],
) {
    let w = ctx.w;
    let mirrored = |dx: isize, dy: isize| -> i32 {
        let row = rows[(2 + dy) as usize];
        S::at(row, reflect(x as isize + dx, w))
    };
    let green = ctx.is_green(x);
    let v = match algo {
        Demosaic::Bilinear => ctx.rgb(bilinear_px(green, mirrored)),
        Demosaic::MalvarHeCutler => ctx.rgb(mhc_px(green, mirrored, ctx.d.max)),
        Demosaic::Average => average_border(
            |dx, dy| {
                let xx = x as isize + dx;
                if !ctx.valid[(2 + dy) as usize] || xx < 0 || xx >= w as isize {
                    return None;
                }
                Some(S::at(rows[(2 + dy) as usize], xx as usize))
            },
            |dx, dy| {
                ctx.order
                    .color_at((x as isize + dx) as usize, (ctx.y as isize + dy) as usize)
            },
        ),
    };
    O::put(out, x, v, ctx.d);
}

/// Interior pairs for the 3x3 kernels: pixels xs..xs+2n, with xs even and >= 2
/// and xs + 2n + 1 <= w (columns xs-1 ..= xs+2n are read).
#[inline(always)]
fn interior3<S: Samples, O: Sink, const AVG: bool, const GFIRST: bool, const BLUE: bool>(
    rows: &[&[u8]; 5],
    xs: usize,
    n: usize,
    d: Depth,
    out: &mut [u8],
) {
    let lo = [1, 2, 3].map(|r| &S::pairs(rows[r], xs - 1)[..n]);
    let hi = [1, 2, 3].map(|r| &S::pairs(rows[r], xs + 1)[..n]);
    let out = &mut O::pairs_mut(out, xs)[..n];
    for k in 0..n {
        // win[r][c]: rows y-1..=y+1, columns x-1..=x+2.
        let mut win = [[0i32; 4]; 3];
        for r in 0..3 {
            let (a, b) = S::split(lo[r][k]);
            let (c, e) = S::split(hi[r][k]);
            win[r] = [a, b, c, e];
        }
        let px = |cx: isize| {
            let s = |dx: isize, dy: isize| win[(1 + dy) as usize][(cx + dx) as usize];
            let green = (cx == 1) == GFIRST;
            let v = if AVG {
                average_px(green, s)
            } else {
                bilinear_px(green, s)
            };
            if BLUE { [v[2], v[1], v[0]] } else { v }
        };
        O::write_pair(&mut out[k], px(1), px(2), d);
    }
}

/// Interior pairs for the 5x5 kernel: xs even and >= 2, xs + 2n + 2 <= w.
#[inline(always)]
fn interior5<S: Samples, O: Sink, const GFIRST: bool, const BLUE: bool>(
    rows: &[&[u8]; 5],
    xs: usize,
    n: usize,
    d: Depth,
    out: &mut [u8],
) {
    let p0 = rows.map(|r| &S::pairs(r, xs - 2)[..n]);
    let p1 = rows.map(|r| &S::pairs(r, xs)[..n]);
    let p2 = rows.map(|r| &S::pairs(r, xs + 2)[..n]);
    let out = &mut O::pairs_mut(out, xs)[..n];
    for k in 0..n {
        // win[r][c]: rows y-2..=y+2, columns x-2..=x+3.
        let mut win = [[0i32; 6]; 5];
        for r in 0..5 {
            let (a, b) = S::split(p0[r][k]);
            let (c, e) = S::split(p1[r][k]);
            let (f, g) = S::split(p2[r][k]);
            win[r] = [a, b, c, e, f, g];
        }
        let px = |cx: isize| {
            let s = |dx: isize, dy: isize| win[(2 + dy) as usize][(cx + dx) as usize];
            let green = (cx == 2) == GFIRST;
            let v = mhc_px(green, s, d.max);
            if BLUE { [v[2], v[1], v[0]] } else { v }
        };
        O::write_pair(&mut out[k], px(2), px(3), d);
    }
}

/// Pixels per chunk of the planar 3x3 kernels.
pub(super) const CHUNK: usize = 64;

/// The 3x3 kernels (average, bilinear) as unit-stride stencils over 16-bit
/// lanes, for samples of at most 13 bits (so no sum exceeds `u16`): pixels
/// `xs..end`, `xs` even and >= 1, `end < w`. Same results as [`interior3`].
#[inline(always)]
fn planar3<S: Samples, O: Sink, const AVG: bool, const GFIRST: bool, const BLUE: bool>(
    rows: &[&[u8]; 5],
    xs: usize,
    end: usize,
    d: Depth,
    out: &mut [u8],
) {
    let mut x0 = xs;
    while x0 < end {
        let n = (end - x0).min(CHUNK);
        // Rows y-1, y, y+1 from column x0 - 1: index i + 1 is column x0 + i.
        // Read straight from the rows (copies to the stack would be re-read
        // at shifted offsets and stall store forwarding).
        let Some(a) = S::elems(rows[1], x0 - 1).get(..n + 2) else {
            return;
        };
        let Some(c) = S::elems(rows[2], x0 - 1).get(..n + 2) else {
            return;
        };
        let Some(b) = S::elems(rows[3], x0 - 1).get(..n + 2) else {
            return;
        };
        let mut rc = [0u16; CHUNK];
        let mut gg = [0u16; CHUNK];
        let mut oc = [0u16; CHUNK];
        for i in 0..n {
            let at = |r: &[S::Elem], k: usize| S::val(r[k]);
            let v = |k: usize| at(a, k).wrapping_add(at(b, k));
            let own = at(c, i + 1);
            let h = at(c, i).wrapping_add(at(c, i + 2));
            let vv = v(i + 1);
            let dg = v(i).wrapping_add(v(i + 2));
            let cross = h.wrapping_add(vv);
            // Both site types for every lane, then a branch-free pick: x0 is
            // even, so i has the parity of the column.
            let ((gr, gg_, go), (nr, ng, no)) = if AVG {
                (
                    (h >> 1, own.wrapping_add(dg) / 5, vv >> 1),
                    (own, cross >> 2, dg >> 2),
                )
            } else {
                (
                    (h.wrapping_add(1) >> 1, own, vv.wrapping_add(1) >> 1),
                    (own, cross.wrapping_add(2) >> 2, dg.wrapping_add(2) >> 2),
                )
            };
            let even = ((i & 1) as u16).wrapping_sub(1);
            let green = if GFIRST { even } else { !even };
            let pick = |g: u16, n: u16| (g & green) | (n & !green);
            rc[i] = pick(gr, nr);
            gg[i] = pick(gg_, ng);
            oc[i] = pick(go, no);
        }
        let (r, bl) = if BLUE { (&oc, &rc) } else { (&rc, &oc) };
        O::put_planar(out, x0, &r[..n], &gg[..n], &bl[..n], d);
        x0 += n;
    }
}

#[inline(always)]
fn interior<S: Samples, O: Sink, const GFIRST: bool, const BLUE: bool>(
    algo: Demosaic,
    rows: &[&[u8]; 5],
    xs: usize,
    n: usize,
    d: Depth,
    out: &mut [u8],
) {
    let narrow = d.max < 1 << 13;
    match algo {
        Demosaic::Average if narrow => {
            planar3::<S, O, true, GFIRST, BLUE>(rows, xs, xs + 2 * n, d, out)
        }
        Demosaic::Bilinear if narrow => {
            planar3::<S, O, false, GFIRST, BLUE>(rows, xs, xs + 2 * n, d, out)
        }
        Demosaic::Average => interior3::<S, O, true, GFIRST, BLUE>(rows, xs, n, d, out),
        Demosaic::Bilinear => interior3::<S, O, false, GFIRST, BLUE>(rows, xs, n, d, out),
        Demosaic::MalvarHeCutler => interior5::<S, O, GFIRST, BLUE>(rows, xs, n, d, out),
    }
}

/// Demosaics one output row from the five source rows around it (mirrored at
/// the top and bottom).
#[inline(always)]
pub(super) fn demosaic_row<S: Samples, O: Sink>(
    algo: Demosaic,
    rows: &[&[u8]; 5],
    ctx: &RowCtx,
    out: &mut [u8],
) {
    let w = ctx.w;
    let radius = if algo == Demosaic::MalvarHeCutler {
        2
    } else {
        1
    };
    let full_window = algo != Demosaic::Average || (ctx.valid[1] && ctx.valid[3]);
    // Pairs start at column 2 and end where the kernel still fits.
    let xs = 2;
    let n = if full_window && w >= xs + radius + 2 {
        (w - radius - xs) / 2
    } else {
        0
    };
    if n > 0 {
        match (ctx.gfirst, ctx.blue) {
            (false, false) => interior::<S, O, false, false>(algo, rows, xs, n, ctx.d, out),
            (false, true) => interior::<S, O, false, true>(algo, rows, xs, n, ctx.d, out),
            (true, false) => interior::<S, O, true, false>(algo, rows, xs, n, ctx.d, out),
            (true, true) => interior::<S, O, true, true>(algo, rows, xs, n, ctx.d, out),
        }
    }
    let done = if n > 0 { xs..xs + 2 * n } else { 0..0 };
    for x in (0..w).filter(|x| !done.contains(x)) {
        slow_px::<S, O>(algo, rows, ctx, x, out);
    }
}
