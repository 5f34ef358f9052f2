//! Palettes: Wu's variance-minimising colour quantiser on a 5-bit-per-channel
//! histogram, a short k-means (Lloyd) refinement, and an exact palette when a
//! frame has few colours. Mapping pixels to a palette is in `nearest`.
//!
//! Everything works on `[u8; 3]` pixels; grayscale pixels are `[v, v, v]`.
//! Distances are squared Euclidean distances in RGB (the error PSNR measures).

/// One RGB pixel.
pub(crate) type Rgb = [u8; 3];

/// Squared Euclidean distance between two colours.
#[inline(always)]
pub(crate) fn dist(a: Rgb, b: Rgb) -> u32 {
    let dr = i32::from(a[0]) - i32::from(b[0]);
    let dg = i32::from(a[1]) - i32::from(b[1]);
    let db = i32::from(a[2]) - i32::from(b[2]);
    (dr * dr + dg * dg + db * db) as u32
}

/// Bits per channel of the histogram cells (and of the nearest-colour
/// search's cells): 32 x 32 x 32 cells of 8 x 8 x 8 colours.
const BITS: u32 = 5;
pub(super) const SIDE: usize = 1 << BITS;
const S1: usize = SIDE + 1;
const TABLE: usize = S1 * S1 * S1;
pub(super) const SHIFT: u32 = 8 - BITS;

#[inline(always)]
fn cell_index(p: Rgb) -> usize {
    ((usize::from(p[0] >> SHIFT) + 1) * S1 + usize::from(p[1] >> SHIFT) + 1) * S1
        + usize::from(p[2] >> SHIFT)
        + 1
}

/// A colour histogram on 32x32x32 cells with the moments Wu's algorithm needs.
pub(crate) struct Histogram {
    wt: Vec<i64>,
    mr: Vec<i64>,
    mg: Vec<i64>,
    mb: Vec<i64>,
    m2: Vec<f64>,
    /// Cells that received at least one pixel, in order of first use.
    used: Vec<u32>,
    /// The distinct colours seen while there are at most `EXACT_MAX`
    /// (open addressing; `EMPTY` marks a free slot).
    exact: Vec<u32>,
    exact_count: usize,
    exact_overflow: bool,
    total: u64,
    /// Whether the moments were turned into cumulative sums (all cells touched).
    cumulated: bool,
}

const EMPTY: u32 = u32::MAX;
const EXACT_MAX: usize = 256;
const EXACT_SLOTS: usize = 1024;

impl Histogram {
    pub(crate) fn new() -> Histogram {
        Histogram {
            wt: vec![0; TABLE],
            mr: vec![0; TABLE],
            mg: vec![0; TABLE],
            mb: vec![0; TABLE],
            m2: vec![0.0; TABLE],
            used: Vec::new(),
            exact: vec![EMPTY; EXACT_SLOTS],
            exact_count: 0,
            exact_overflow: false,
            total: 0,
            cumulated: false,
        }
    }

    /// Empties the histogram, keeping its memory.
    pub(crate) fn clear(&mut self) {
        if self.cumulated {
            self.wt.fill(0);
            self.mr.fill(0);
            self.mg.fill(0);
            self.mb.fill(0);
            self.m2.fill(0.0);
            self.cumulated = false;
        } else {
            for &c in &self.used {
                let c = c as usize;
                self.wt[c] = 0;
                self.mr[c] = 0;
                self.mg[c] = 0;
                self.mb[c] = 0;
                self.m2[c] = 0.0;
            }
        }
        self.used.clear();
        self.exact.fill(EMPTY);
        self.exact_count = 0;
        self.exact_overflow = false;
        self.total = 0;
    }

    /// Number of pixels added since the last clear.
    #[cfg(test)]
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// Adds one pixel.
    #[inline]
    pub(crate) fn add(&mut self, p: Rgb) {
        let i = cell_index(p);
        let (r, g, b) = (i64::from(p[0]), i64::from(p[1]), i64::from(p[2]));
        if self.wt[i] == 0 {
            self.used.push(i as u32);
        }
        self.wt[i] += 1;
        self.mr[i] += r;
        self.mg[i] += g;
        self.mb[i] += b;
        self.m2[i] += (r * r + g * g + b * b) as f64;
        if !self.exact_overflow {
            self.add_exact(u32::from(p[0]) << 16 | u32::from(p[1]) << 8 | u32::from(p[2]));
        }
        self.total += 1;
    }

    /// Adds the pixels of `other` (which must not have been cumulated).
    pub(crate) fn merge(&mut self, other: &Histogram) {
        debug_assert!(!other.cumulated && !self.cumulated);
        for &c in &other.used {
            let i = c as usize;
            if self.wt[i] == 0 {
                self.used.push(c);
            }
            self.wt[i] += other.wt[i];
            self.mr[i] += other.mr[i];
            self.mg[i] += other.mg[i];
            self.mb[i] += other.mb[i];
            self.m2[i] += other.m2[i];
        }
        self.total += other.total;
        if other.exact_overflow {
            self.exact_overflow = true;
        }
        for &v in &other.exact {
            if self.exact_overflow {
                break;
            }
            if v != EMPTY {
                self.add_exact(v);
            }
        }
    }

    fn add_exact(&mut self, packed: u32) {
        let mut slot = (packed.wrapping_mul(0x9E37_79B1) >> 22) as usize % EXACT_SLOTS;
        loop {
            let v = self.exact[slot];
            if v == packed {
                return;
            }
            if v == EMPTY {
                self.exact[slot] = packed;
                self.exact_count += 1;
                self.exact_overflow = self.exact_count > EXACT_MAX;
                return;
            }
            slot = (slot + 1) % EXACT_SLOTS;
        }
    }

    /// A palette of at most `max_colors` colours (at least 1) for the pixels
    /// added. Exact when the pixels have at most `max_colors` distinct colours.
    /// Consumes the moments: call [`Histogram::clear`] before reuse.
    pub(crate) fn palette(&mut self, max_colors: usize, refine_iterations: usize) -> Vec<Rgb> {
        let max_colors = max_colors.clamp(1, 256);
        if self.used.is_empty() {
            return vec![[0, 0, 0]];
        }
        if !self.exact_overflow && self.exact_count <= max_colors {
            let mut colors: Vec<Rgb> = self
                .exact
                .iter()
                .filter(|&&v| v != EMPTY)
                .map(|&v| [(v >> 16) as u8, (v >> 8) as u8, v as u8])
                .collect();
            colors.sort_unstable();
            return colors;
        }
        // Cell means and counts for the refinement, before the moments are
        // turned into cumulative sums.
        let cells: Vec<(f32, [f32; 3])> = self
            .used
            .iter()
            .map(|&c| {
                let c = c as usize;
                let w = self.wt[c] as f32;
                (
                    w,
                    [
                        self.mr[c] as f32 / w,
                        self.mg[c] as f32 / w,
                        self.mb[c] as f32 / w,
                    ],
                )
            })
            .collect();
        self.cumulate();
        let mut palette = self.wu_cut(max_colors);
        if refine_iterations > 0 && cells.len() > palette.len() {
            refine(&cells, &mut palette, refine_iterations);
        }
        palette
    }

    /// Turns the per-cell moments into 3-D cumulative sums.
    fn cumulate(&mut self) {
        self.cumulated = true;
        let mut area_w = [0i64; S1];
        let mut area_r = [0i64; S1];
        let mut area_g = [0i64; S1];
        let mut area_b = [0i64; S1];
        let mut area_2 = [0f64; S1];
        for r in 1..S1 {
            area_w.fill(0);
            area_r.fill(0);
            area_g.fill(0);
            area_b.fill(0);
            area_2.fill(0.0);
            for g in 1..S1 {
                let (mut lw, mut lr, mut lg, mut lb, mut l2) = (0i64, 0i64, 0i64, 0i64, 0f64);
                for b in 1..S1 {
                    let i = (r * S1 + g) * S1 + b;
                    lw += self.wt[i];
                    lr += self.mr[i];
                    lg += self.mg[i];
                    lb += self.mb[i];
                    l2 += self.m2[i];
                    area_w[b] += lw;
                    area_r[b] += lr;
                    area_g[b] += lg;
                    area_b[b] += lb;
                    area_2[b] += l2;
                    let p = i - S1 * S1;
                    self.wt[i] = self.wt[p] + area_w[b];
                    self.mr[i] = self.mr[p] + area_r[b];
                    self.mg[i] = self.mg[p] + area_g[b];
                    self.mb[i] = self.mb[p] + area_b[b];
                    self.m2[i] = self.m2[p] + area_2[b];
                }
            }
        }
    }

    fn vol(&self, b: &Cube, m: &[i64]) -> i64 {
        m[idx(b.r1, b.g1, b.b1)] - m[idx(b.r1, b.g1, b.b0)] - m[idx(b.r1, b.g0, b.b1)]
            + m[idx(b.r1, b.g0, b.b0)]
            - m[idx(b.r0, b.g1, b.b1)]
            + m[idx(b.r0, b.g1, b.b0)]
            + m[idx(b.r0, b.g0, b.b1)]
            - m[idx(b.r0, b.g0, b.b0)]
    }

    fn vol2(&self, b: &Cube) -> f64 {
        let m = &self.m2;
        m[idx(b.r1, b.g1, b.b1)] - m[idx(b.r1, b.g1, b.b0)] - m[idx(b.r1, b.g0, b.b1)]
            + m[idx(b.r1, b.g0, b.b0)]
            - m[idx(b.r0, b.g1, b.b1)]
            + m[idx(b.r0, b.g1, b.b0)]
            + m[idx(b.r0, b.g0, b.b1)]
            - m[idx(b.r0, b.g0, b.b0)]
    }

    /// Sum of `m` over the part of `b` whose coordinate on `dir` is <= `pos`
    /// (with `pos` = the lower bound: nothing; the caller adds `top`).
    fn bottom(&self, b: &Cube, dir: Dir, m: &[i64]) -> i64 {
        match dir {
            Dir::R => {
                -m[idx(b.r0, b.g1, b.b1)] + m[idx(b.r0, b.g1, b.b0)] + m[idx(b.r0, b.g0, b.b1)]
                    - m[idx(b.r0, b.g0, b.b0)]
            }
            Dir::G => {
                -m[idx(b.r1, b.g0, b.b1)] + m[idx(b.r1, b.g0, b.b0)] + m[idx(b.r0, b.g0, b.b1)]
                    - m[idx(b.r0, b.g0, b.b0)]
            }
            Dir::B => {
                -m[idx(b.r1, b.g1, b.b0)] + m[idx(b.r1, b.g0, b.b0)] + m[idx(b.r0, b.g1, b.b0)]
                    - m[idx(b.r0, b.g0, b.b0)]
            }
        }
    }

    fn top(&self, b: &Cube, dir: Dir, pos: usize, m: &[i64]) -> i64 {
        match dir {
            Dir::R => {
                m[idx(pos, b.g1, b.b1)] - m[idx(pos, b.g1, b.b0)] - m[idx(pos, b.g0, b.b1)]
                    + m[idx(pos, b.g0, b.b0)]
            }
            Dir::G => {
                m[idx(b.r1, pos, b.b1)] - m[idx(b.r1, pos, b.b0)] - m[idx(b.r0, pos, b.b1)]
                    + m[idx(b.r0, pos, b.b0)]
            }
            Dir::B => {
                m[idx(b.r1, b.g1, pos)] - m[idx(b.r1, b.g0, pos)] - m[idx(b.r0, b.g1, pos)]
                    + m[idx(b.r0, b.g0, pos)]
            }
        }
    }

    /// Weighted variance of a box (sum of squared distances to its mean).
    fn variance(&self, b: &Cube) -> f64 {
        let w = self.vol(b, &self.wt);
        if w == 0 {
            return 0.0;
        }
        let r = self.vol(b, &self.mr) as f64;
        let g = self.vol(b, &self.mg) as f64;
        let bl = self.vol(b, &self.mb) as f64;
        self.vol2(b) - (r * r + g * g + bl * bl) / w as f64
    }

    /// The best cut of `b` along `dir`: (score, position), position `None` if
    /// no cut leaves both halves non-empty.
    fn maximize(
        &self,
        b: &Cube,
        dir: Dir,
        first: usize,
        last: usize,
        whole: [i64; 4],
    ) -> (f64, Option<usize>) {
        let base_r = self.bottom(b, dir, &self.mr);
        let base_g = self.bottom(b, dir, &self.mg);
        let base_b = self.bottom(b, dir, &self.mb);
        let base_w = self.bottom(b, dir, &self.wt);
        let mut best = 0.0;
        let mut cut = None;
        for i in first..last {
            let hr = base_r + self.top(b, dir, i, &self.mr);
            let hg = base_g + self.top(b, dir, i, &self.mg);
            let hb = base_b + self.top(b, dir, i, &self.mb);
            let hw = base_w + self.top(b, dir, i, &self.wt);
            if hw == 0 {
                continue;
            }
            let ow = whole[0] - hw;
            if ow == 0 {
                continue;
            }
            let (hr, hg, hb) = (hr as f64, hg as f64, hb as f64);
            let (or, og, ob) = (
                (whole[1] as f64) - hr,
                (whole[2] as f64) - hg,
                (whole[3] as f64) - hb,
            );
            let score = (hr * hr + hg * hg + hb * hb) / hw as f64
                + (or * or + og * og + ob * ob) / ow as f64;
            if score > best {
                best = score;
                cut = Some(i);
            }
        }
        (best, cut)
    }

    /// Splits `a` in two (`a` keeps the lower half); `None` if it cannot be cut.
    fn cut(&self, a: &mut Cube) -> Option<Cube> {
        let whole = [
            self.vol(a, &self.wt),
            self.vol(a, &self.mr),
            self.vol(a, &self.mg),
            self.vol(a, &self.mb),
        ];
        let (sr, cr) = self.maximize(a, Dir::R, a.r0 + 1, a.r1, whole);
        let (sg, cg) = self.maximize(a, Dir::G, a.g0 + 1, a.g1, whole);
        let (sb, cb) = self.maximize(a, Dir::B, a.b0 + 1, a.b1, whole);
        let mut b = *a;
        if sr >= sg && sr >= sb {
            let c = cr?;
            b.r0 = c;
            a.r1 = c;
        } else if sg >= sr && sg >= sb {
            let c = cg?;
            b.g0 = c;
            a.g1 = c;
        } else {
            let c = cb?;
            b.b0 = c;
            a.b1 = c;
        }
        Some(b)
    }

    /// Wu's greedy splitting into at most `k` boxes; returns their mean colours.
    fn wu_cut(&self, k: usize) -> Vec<Rgb> {
        let mut cubes = vec![Cube {
            r0: 0,
            r1: SIDE,
            g0: 0,
            g1: SIDE,
            b0: 0,
            b1: SIDE,
        }];
        let mut var = vec![self.variance(&cubes[0])];
        while cubes.len() < k {
            // The box with the largest variance that can still be cut.
            let Some((next, v)) = var
                .iter()
                .copied()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1))
            else {
                break;
            };
            if v <= 0.0 {
                break;
            }
            let mut a = cubes[next];
            match self.cut(&mut a) {
                Some(b) => {
                    cubes[next] = a;
                    var[next] = if a.volume() > 1 {
                        self.variance(&a)
                    } else {
                        0.0
                    };
                    var.push(if b.volume() > 1 {
                        self.variance(&b)
                    } else {
                        0.0
                    });
                    cubes.push(b);
                }
                None => var[next] = 0.0,
            }
        }
        cubes
            .iter()
            .filter_map(|c| {
                let w = self.vol(c, &self.wt);
                if w == 0 {
                    return None;
                }
                let mean = |m: &[i64]| ((self.vol(c, m) + w / 2) / w).clamp(0, 255) as u8;
                Some([mean(&self.mr), mean(&self.mg), mean(&self.mb)])
            })
            .collect()
    }
}

#[inline(always)]
fn idx(r: usize, g: usize, b: usize) -> usize {
    (r * S1 + g) * S1 + b
}

#[derive(Clone, Copy)]
enum Dir {
    R,
    G,
    B,
}

/// A box of histogram cells: lower bounds exclusive, upper inclusive.
#[derive(Clone, Copy, Debug)]
struct Cube {
    r0: usize,
    r1: usize,
    g0: usize,
    g1: usize,
    b0: usize,
    b1: usize,
}

impl Cube {
    fn volume(&self) -> usize {
        (self.r1 - self.r0) * (self.g1 - self.g0) * (self.b1 - self.b0)
    }
}

/// Lloyd iterations on weighted cell means: moves each palette colour to the
/// mean of the cells nearest to it.
fn refine(cells: &[(f32, [f32; 3])], palette: &mut [Rgb], iterations: usize) {
    let mut centres: Vec<[f32; 3]> = palette
        .iter()
        .map(|p| [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])])
        .collect();
    let mut sums = vec![[0f64; 4]; centres.len()];
    for _ in 0..iterations {
        sums.fill([0.0; 4]);
        for &(w, c) in cells {
            let mut best = 0;
            let mut best_d = f32::MAX;
            for (i, p) in centres.iter().enumerate() {
                let d = (c[0] - p[0]) * (c[0] - p[0])
                    + (c[1] - p[1]) * (c[1] - p[1])
                    + (c[2] - p[2]) * (c[2] - p[2]);
                if d < best_d {
                    best_d = d;
                    best = i;
                }
            }
            let s = &mut sums[best];
            s[0] += f64::from(w);
            s[1] += f64::from(w * c[0]);
            s[2] += f64::from(w * c[1]);
            s[3] += f64::from(w * c[2]);
        }
        for (c, s) in centres.iter_mut().zip(&sums) {
            if s[0] > 0.0 {
                *c = [
                    (s[1] / s[0]) as f32,
                    (s[2] / s[0]) as f32,
                    (s[3] / s[0]) as f32,
                ];
            }
        }
    }
    for (p, c) in palette.iter_mut().zip(&centres) {
        *p = [
            c[0].round().clamp(0.0, 255.0) as u8,
            c[1].round().clamp(0.0, 255.0) as u8,
            c[2].round().clamp(0.0, 255.0) as u8,
        ];
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The distance to the nearest of `palette`, by trying every entry.
    pub(in crate::gif) fn brute(palette: &[Rgb], p: Rgb) -> u32 {
        palette.iter().map(|&c| dist(p, c)).min().unwrap()
    }

    /// A small pseudo-random byte generator.
    pub(in crate::gif) fn lcg(seed: &mut u64) -> u8 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 56) as u8
    }

    #[test]
    fn few_colours_give_an_exact_palette() {
        let mut h = Histogram::new();
        let colours = [
            [255, 0, 0],
            [0, 255, 0],
            [0, 0, 255],
            [10, 10, 10],
            [11, 11, 11],
        ];
        for (i, &c) in colours.iter().enumerate() {
            for _ in 0..=i {
                h.add(c);
            }
        }
        assert_eq!(h.total(), 15);
        let mut p = h.palette(8, 2);
        p.sort();
        let mut want = colours.to_vec();
        want.sort();
        assert_eq!(p, want);
    }

    #[test]
    fn wu_palette_has_low_error_on_noise() {
        let mut seed = 7;
        let pixels: Vec<Rgb> = (0..20_000)
            .map(|_| [lcg(&mut seed), lcg(&mut seed), lcg(&mut seed)])
            .collect();
        let mut h = Histogram::new();
        pixels.iter().for_each(|&p| h.add(p));
        let palette = h.palette(256, 2);
        assert_eq!(palette.len(), 256);
        let mse: f64 = pixels
            .iter()
            .map(|&p| f64::from(brute(&palette, p)))
            .sum::<f64>()
            / (pixels.len() * 3) as f64;
        // Uniform noise in a 256^3 cube with 256 cells of side ~40: RMS error
        // per channel about 40/sqrt(12) ~ 11.5.
        assert!(mse < 150.0, "mse {mse}");
        h.clear();
        assert_eq!(h.total(), 0);
        h.add([1, 2, 3]);
        assert_eq!(h.palette(256, 2), vec![[1, 2, 3]]);
    }
}
