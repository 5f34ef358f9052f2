//! Mapping pixels to a palette: an exact nearest-colour search that only
//! tests the palette entries that can win in each cell of RGB space, and
//! the 1-D quantiser and lookup tables for gray levels.

use super::quantize::{Rgb, SHIFT, SIDE, dist};

/// At most `max_levels` gray levels (at least 1) for a 256-bin histogram:
/// exact when there are that few distinct levels, otherwise the closest pair of
/// adjacent levels (by added squared error) is merged until few enough remain.
pub(crate) fn gray_levels(hist: &[u64; 256], max_levels: usize) -> Vec<u8> {
    let max_levels = max_levels.clamp(1, 256);
    let mut levels: Vec<(f64, f64)> = hist
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(v, &c)| (c as f64, v as f64))
        .collect();
    if levels.is_empty() {
        return vec![0];
    }
    while levels.len() > max_levels {
        let mut best = 0;
        let mut best_cost = f64::MAX;
        for i in 0..levels.len() - 1 {
            let (wa, va) = levels[i];
            let (wb, vb) = levels[i + 1];
            let cost = wa * wb / (wa + wb) * (va - vb) * (va - vb);
            if cost < best_cost {
                best_cost = cost;
                best = i;
            }
        }
        let (wa, va) = levels[best];
        let (wb, vb) = levels.remove(best + 1);
        levels[best] = (wa + wb, (wa * va + wb * vb) / (wa + wb));
    }
    let mut out: Vec<u8> = levels
        .iter()
        .map(|&(_, v)| v.round().clamp(0.0, 255.0) as u8)
        .collect();
    out.dedup();
    out
}

/// For each 8-bit value, the index of the nearest of `levels` (the first
/// on a tie): a lookup table for palettes of gray or per-channel levels.
pub(crate) fn nearest_level_lut(levels: &[u8]) -> [u8; 256] {
    let mut lut = [0u8; 256];
    for (v, slot) in lut.iter_mut().enumerate() {
        let mut best = 0;
        let mut best_d = i32::MAX;
        for (i, &l) in levels.iter().enumerate() {
            let d = (i32::from(l) - v as i32).abs();
            if d < best_d {
                best_d = d;
                best = i;
            }
        }
        *slot = best as u8;
    }
    lut
}

/// Exact nearest-palette-colour search.
///
/// Each 8x8x8 cell of RGB space gets, on first use, the list of palette
/// entries that can be nearest to some point of the cell (those no farther
/// from the cell than the best entry's farthest corner); a query then tests
/// only those, typically a handful. The per-cell test runs over the palette
/// in structure-of-arrays form so that the compiler vectorises it.
pub(crate) struct Nearest {
    palette: Vec<Rgb>,
    /// The palette by channel, padded to a multiple of 8 with far-away
    /// entries that never qualify.
    soa: [Vec<f32>; 3],
    near: Vec<f32>,
    far: Vec<f32>,
    /// Per cell: `start << 9 | len` into `candidates`, or `u32::MAX` if not built.
    cells: Vec<u32>,
    /// Candidates as `index << 24 | r << 16 | g << 8 | b`.
    candidates: Vec<u32>,
    gray: Option<[u8; 256]>,
}

const NCELLS: usize = SIDE * SIDE * SIDE;

impl Nearest {
    pub(crate) fn new() -> Nearest {
        Nearest {
            palette: Vec::new(),
            soa: [Vec::new(), Vec::new(), Vec::new()],
            near: Vec::new(),
            far: Vec::new(),
            cells: vec![u32::MAX; NCELLS],
            candidates: Vec::new(),
            gray: None,
        }
    }

    /// Searches `palette` (at most 256 colours, at least 1) from now on.
    pub(crate) fn set_palette(&mut self, palette: &[Rgb]) {
        debug_assert!(!palette.is_empty() && palette.len() <= 256);
        self.palette.clear();
        self.palette.extend_from_slice(palette);
        let padded = palette.len().div_ceil(8) * 8;
        for (k, ch) in self.soa.iter_mut().enumerate() {
            ch.clear();
            ch.extend(palette.iter().map(|p| f32::from(p[k])));
            ch.resize(padded, 1.0e6);
        }
        self.near.resize(padded, 0.0);
        self.far.resize(padded, 0.0);
        self.cells.fill(u32::MAX);
        self.candidates.clear();
        self.gray = None;
    }

    /// Like [`Nearest::set_palette`] for a palette of gray levels, to be
    /// queried with gray pixels only (`[v, v, v]`): a direct lookup table.
    pub(crate) fn set_gray_palette(&mut self, levels: &[u8]) {
        let palette: Vec<Rgb> = levels.iter().map(|&v| [v, v, v]).collect();
        self.set_palette(&palette);
        self.gray = Some(nearest_level_lut(levels));
    }

    /// The palette being searched.
    pub(crate) fn palette(&self) -> &[Rgb] {
        &self.palette
    }

    /// Index and squared distance of the palette colour nearest to `p`.
    #[inline]
    pub(crate) fn nearest(&mut self, p: Rgb) -> (u8, u32) {
        if let Some(lut) = &self.gray {
            let i = lut[usize::from(p[0])];
            return (i, dist(p, self.palette[usize::from(i)]));
        }
        let c = (usize::from(p[0] >> SHIFT) * SIDE + usize::from(p[1] >> SHIFT)) * SIDE
            + usize::from(p[2] >> SHIFT);
        let mut e = self.cells[c];
        if e == u32::MAX {
            e = self.build(c);
        }
        let start = (e >> 9) as usize;
        let len = (e & 511) as usize;
        let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
        let mut best = u32::MAX;
        for &q in &self.candidates[start..start + len] {
            let dr = r - ((q >> 16) & 255) as i32;
            let dg = g - ((q >> 8) & 255) as i32;
            let db = b - (q & 255) as i32;
            // Distance in the high bits, index in the low byte: one compare.
            let key = ((dr * dr + dg * dg + db * db) as u32) << 8 | q >> 24;
            best = best.min(key);
        }
        ((best & 255) as u8, best >> 8)
    }

    #[cold]
    fn build(&mut self, c: usize) -> u32 {
        let span = ((1 << SHIFT) - 1) as f32;
        let lo = [
            ((c / (SIDE * SIDE)) << SHIFT) as f32,
            (((c / SIDE) % SIDE) << SHIFT) as f32,
            ((c % SIDE) << SHIFT) as f32,
        ];
        let hi = [lo[0] + span, lo[1] + span, lo[2] + span];
        let [pr, pg, pb] = &self.soa;
        for ((((near, far), &r), &g), &b) in self
            .near
            .iter_mut()
            .zip(self.far.iter_mut())
            .zip(pr)
            .zip(pg)
            .zip(pb)
        {
            let nr = (lo[0] - r).max(r - hi[0]).max(0.0);
            let ng = (lo[1] - g).max(g - hi[1]).max(0.0);
            let nb = (lo[2] - b).max(b - hi[2]).max(0.0);
            let fr = (r - lo[0]).max(hi[0] - r);
            let fg = (g - lo[1]).max(hi[1] - g);
            let fb = (b - lo[2]).max(hi[2] - b);
            *near = nr * nr + ng * ng + nb * nb;
            *far = fr * fr + fg * fg + fb * fb;
        }
        let min_far = self.far.iter().fold(f32::MAX, |m, &f| m.min(f));
        let start = self.candidates.len();
        for (i, (&n, p)) in self.near.iter().zip(&self.palette).enumerate() {
            if n <= min_far {
                self.candidates.push(
                    (i as u32) << 24
                        | u32::from(p[0]) << 16
                        | u32::from(p[1]) << 8
                        | u32::from(p[2]),
                );
            }
        }
        let len = self.candidates.len() - start;
        let e = (start as u32) << 9 | len as u32;
        self.cells[c] = e;
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gif::quantize::tests::{brute, lcg};

    #[test]
    fn nearest_is_exact() {
        let mut seed = 99;
        let palette: Vec<Rgb> = (0..200)
            .map(|_| [lcg(&mut seed), lcg(&mut seed) / 2, lcg(&mut seed)])
            .collect();
        let mut n = Nearest::new();
        n.set_palette(&palette);
        for _ in 0..50_000 {
            let p = [lcg(&mut seed), lcg(&mut seed), lcg(&mut seed)];
            let (i, d) = n.nearest(p);
            assert_eq!(d, brute(&palette, p));
            assert_eq!(dist(p, palette[usize::from(i)]), d);
        }
        n.set_palette(&[[9, 9, 9]]);
        assert_eq!(n.nearest([0, 0, 0]), (0, 243));
    }

    #[test]
    fn gray_levels_merge_the_cheapest_pair() {
        let mut hist = [0u64; 256];
        hist[10] = 100;
        hist[11] = 1;
        hist[200] = 50;
        assert_eq!(gray_levels(&hist, 3), vec![10, 11, 200]);
        assert_eq!(gray_levels(&hist, 2), vec![10, 200]);
        let full = [1u64; 256];
        let l = gray_levels(&full, 255);
        assert_eq!(l.len(), 255);
        let mut n = Nearest::new();
        n.set_gray_palette(&l);
        let worst = (0..=255u8).map(|v| n.nearest([v, v, v]).1).max().unwrap();
        assert!(worst <= 3, "worst {worst}");
        assert_eq!(gray_levels(&[0; 256], 4), vec![0]);
    }
}
