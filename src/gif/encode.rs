//! Turning one RGB frame into GIF image data: palette choice, mapping to
//! indices (with optional dithering), inter-frame transparency against the
//! displayed canvas, and cropping to what changed.
//!
//! The encoder keeps the *canvas*: the picture a decoder shows after the
//! previous frame (every frame uses disposal "keep"). A pixel becomes the
//! transparent index only when the canvas colour there is about as close to
//! the source as the best palette colour, so skipping pixels never lets
//! fidelity drift from frame to frame: the error is always measured against
//! the source frame, never against the previous source frame.

use super::dither::{BAYER8, ERR_CAP, clamp_u8, diffuse, offset, spread};
use super::lzw::Lzw;
use super::nearest::{Nearest, gray_levels, nearest_level_lut};
use super::quantize::{Histogram, Rgb, dist};
use super::{Dither, PaletteMode};

/// How the per-pixel choices trade size for fidelity (squared RGB distances).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tuning {
    /// A pixel whose canvas colour is at most this far from the source is left
    /// as it is (transparent) without looking at the palette.
    pub keep: u32,
    /// Keep the canvas colour when it is at most this much worse than the best
    /// palette colour.
    pub keep_slack: u32,
    /// Lossy LZW: continue the current dictionary string with a symbol (an
    /// index or transparency) at most this much worse than the best choice.
    pub lossy: u32,
    /// Repeat the previous pixel's choice (an index or transparency) when it
    /// is at most this much worse than the best choice: longer runs.
    pub run_slack: u32,
    /// Lloyd iterations refining the Wu palette.
    pub refine: usize,
    /// Ordered-dither amplitude (peak to peak) for adaptive palettes.
    pub ordered_amplitude: i32,
}

impl Tuning {
    /// The tuning for a dithering mode and a lossiness level (see
    /// `GifOptions::lossy`): run and LZW steering only without dithering,
    /// where they would otherwise erase the dither pattern.
    pub(crate) fn new(dither: Dither, lossy: u16) -> Tuning {
        let lossy = if dither == Dither::None {
            u32::from(lossy)
        } else {
            0
        };
        Tuning {
            keep: 6,
            keep_slack: 0,
            lossy,
            run_slack: 2 * lossy,
            refine: 1,
            ordered_amplitude: 12,
        }
    }
}

/// One encoded frame: a rectangle of palette indices.
pub(crate) struct Encoded<'a> {
    pub left: u16,
    pub top: u16,
    pub width: u16,
    pub height: u16,
    pub indices: &'a [u8],
    /// The local colour table, `[r, g, b, ...]` (`None`: the global table).
    pub palette: Option<Vec<u8>>,
    pub transparent: Option<u8>,
}

/// Colour or grayscale output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Channels {
    Color,
    Gray,
}

/// Levels of OpenMV's 7-bit colour palette: 2 bits red, 3 green, 2 blue.
const FIXED_R: [u8; 4] = [0, 85, 170, 255];
const FIXED_G: [u8; 8] = [0, 36, 73, 109, 146, 182, 219, 255];

/// The fixed 128-entry colour table (index `r << 5 | g << 2 | b`), as
/// OpenMV's `gif.c` writes it.
pub(crate) fn fixed_color_table() -> Vec<u8> {
    let mut t = Vec::with_capacity(128 * 3);
    for i in 0..128usize {
        t.extend_from_slice(&[FIXED_R[(i >> 5) & 3], FIXED_G[(i >> 2) & 7], FIXED_R[i & 3]]);
    }
    t
}

/// The fixed 128-level gray table.
pub(crate) fn fixed_gray_table() -> Vec<u8> {
    (0..128u32)
        .flat_map(|i| {
            let v = ((i * 255 + 63) / 127) as u8;
            [v, v, v]
        })
        .collect()
}

/// Per-writer encoding state, reused from frame to frame.
pub(crate) struct FrameEncoder {
    width: usize,
    height: usize,
    channels: Channels,
    mode: PaletteMode,
    dither: Dither,
    inter_frame: bool,
    tuning: Tuning,
    canvas: Vec<Rgb>,
    has_canvas: bool,
    /// The previous source frame: a pixel that did not change at all since
    /// then keeps what the last frame decided for it (still scenes converge).
    prev_src: Vec<Rgb>,
    hist: Histogram,
    gray_hist: Box<[u64; 256]>,
    /// The helper thread's share of step 1.
    hist2: Histogram,
    gray_hist2: Box<[u64; 256]>,
    nearest: Nearest,
    /// A second search structure for the helper thread.
    nearest2: Nearest,
    /// Per pixel of the box: `keep_err << 32 | best_err << 8 | best`.
    pre: Vec<u64>,
    out: Vec<u8>,
    lzw: Lzw,
    /// Error-diffusion rows (this row, next row), one entry per pixel + 2.
    err: [Vec<[i32; 3]>; 2],
    fixed_lut: [[u8; 256]; 3],
    fixed_palette: Vec<Rgb>,
}

impl FrameEncoder {
    pub(crate) fn new(
        width: usize,
        height: usize,
        channels: Channels,
        mode: PaletteMode,
        dither: Dither,
        inter_frame: bool,
        lossy: u16,
    ) -> FrameEncoder {
        let (fixed_lut, fixed_palette) = match channels {
            Channels::Color => (
                [
                    nearest_level_lut(&FIXED_R),
                    nearest_level_lut(&FIXED_G),
                    nearest_level_lut(&FIXED_R),
                ],
                fixed_color_table()
                    .chunks_exact(3)
                    .map(|c| [c[0], c[1], c[2]])
                    .collect(),
            ),
            Channels::Gray => {
                let table = fixed_gray_table();
                let levels: Vec<u8> = table.iter().step_by(3).copied().collect();
                let lut = nearest_level_lut(&levels);
                ([lut; 3], levels.iter().map(|&v| [v, v, v]).collect())
            }
        };
        FrameEncoder {
            width,
            height,
            channels,
            mode,
            dither,
            inter_frame: inter_frame && mode == PaletteMode::Adaptive,
            tuning: Tuning::new(dither, lossy),
            canvas: Vec::new(),
            has_canvas: false,
            prev_src: Vec::new(),
            hist: Histogram::new(),
            gray_hist: Box::new([0; 256]),
            hist2: Histogram::new(),
            gray_hist2: Box::new([0; 256]),
            nearest: Nearest::new(),
            nearest2: Nearest::new(),
            pre: Vec::new(),
            out: Vec::new(),
            lzw: Lzw::new(),
            err: [Vec::new(), Vec::new()],
            fixed_lut,
            fixed_palette,
        }
    }

    /// Encodes `src` (`width * height` pixels; gray pixels as `[v, v, v]`).
    ///
    /// `serial` is called when the steps that may use a second thread are
    /// done and the single-threaded mapping pass begins (not at all for a
    /// frame with nothing to redraw): the GIF writer then gives the previous
    /// frame to its LZW thread, which has the second core to itself.
    pub(crate) fn encode(&mut self, src: &[Rgb], serial: impl FnOnce()) -> Encoded<'_> {
        debug_assert_eq!(src.len(), self.width * self.height);
        match self.mode {
            PaletteMode::Fixed => {
                serial();
                self.encode_fixed(src)
            }
            PaletteMode::Adaptive => self.encode_adaptive(src, serial),
        }
    }

    fn encode_fixed(&mut self, src: &[Rgb]) -> Encoded<'_> {
        let (w, h) = (self.width, self.height);
        self.out.clear();
        self.out.resize(w * h, 0);
        let lut = &self.fixed_lut;
        let gray = self.channels == Channels::Gray;
        let index = |p: Rgb| -> u8 {
            if gray {
                lut[0][usize::from(p[0])]
            } else {
                lut[0][usize::from(p[0])] << 5
                    | lut[1][usize::from(p[1])] << 2
                    | lut[2][usize::from(p[2])]
            }
        };
        match self.dither {
            Dither::None => {
                for (o, &p) in self.out.iter_mut().zip(src) {
                    *o = index(p);
                }
            }
            Dither::Ordered => {
                // Amplitude = the spacing of each channel's levels.
                let amp: [i32; 3] = if gray { [2, 2, 2] } else { [85, 36, 85] };
                for (y, (orow, srow)) in self
                    .out
                    .chunks_exact_mut(w)
                    .zip(src.chunks_exact(w))
                    .enumerate()
                {
                    let m = &BAYER8[y & 7];
                    for (x, (o, &p)) in orow.iter_mut().zip(srow).enumerate() {
                        let t = i32::from(m[x & 7]) * 2 - 63;
                        let q = [
                            offset(p[0], t * amp[0] / 128),
                            offset(p[1], t * amp[1] / 128),
                            offset(p[2], t * amp[2] / 128),
                        ];
                        *o = index(q);
                    }
                }
            }
            Dither::ErrorDiffusion => {
                let palette = &self.fixed_palette;
                diffuse(src, w, &mut self.out, &mut self.err, |t| {
                    let i = index(t);
                    (i, palette[usize::from(i)])
                });
            }
        }
        Encoded {
            left: 0,
            top: 0,
            width: w as u16,
            height: h as u16,
            indices: &self.out,
            palette: None,
            transparent: None,
        }
    }

    fn encode_adaptive(&mut self, src: &[Rgb], serial: impl FnOnce()) -> Encoded<'_> {
        let w = self.width;
        let t = self.tuning;
        let first = !(self.inter_frame && self.has_canvas);
        if self.canvas.len() != src.len() {
            self.canvas.clear();
            self.canvas.resize(src.len(), [0; 3]);
        }
        // 1. Pixels worth redrawing, their bounding box and their histogram.
        let gray = self.channels == Channels::Gray;
        if self.prev_src.len() != src.len() {
            self.prev_src.clear();
            self.prev_src.resize(src.len(), [0; 3]);
        }
        let (count, (x0, y0, x1, y1)) = self.survey(src, first);
        if count == 0 {
            self.prev_src.copy_from_slice(src);
            return self.empty_frame();
        }
        // 2. The palette: 255 colours plus the transparent index, or 256 on a
        // frame drawn from scratch.
        let max = if first { 256 } else { 255 };
        if gray {
            let levels = gray_levels(&self.gray_hist, max);
            self.nearest.set_gray_palette(&levels);
            self.nearest2.set_gray_palette(&levels);
        } else {
            let palette = self.hist.palette(max, t.refine);
            self.nearest.set_palette(&palette);
            self.nearest2.set_palette(&palette);
        }
        let transparent = (!first).then_some(self.nearest.palette().len() as u8);

        // 3. Map the box, choosing per pixel between the canvas and the
        // palette, steered by a simulation of the LZW dictionary (see `Lzw`).
        let (bw, bh) = (x1 - x0, y1 - y0);
        self.out.clear();
        self.out.resize(bw * bh, 0);
        let dither = self.dither;
        let lossy = if dither == Dither::None { t.lossy } else { 0 };
        if dither == Dither::ErrorDiffusion {
            for e in &mut self.err {
                e.clear();
                e.resize(bw + 2, [0; 3]);
            }
        }
        let palette_len = self.nearest.palette().len();
        let symbols = palette_len + usize::from(transparent.is_some());
        self.lzw.start(symbols);
        let t_sym = transparent.unwrap_or(u8::MAX);
        if dither != Dither::ErrorDiffusion {
            self.precompute(src, (x0, y0, bw, bh), first, t_sym);
        }
        serial();
        let mut drawn = false;
        for by in 0..bh {
            let y = y0 + by;
            let srow = &src[y * w + x0..y * w + x1];
            let prev = &self.prev_src[y * w + x0..y * w + x1];
            let crow = &mut self.canvas[y * w + x0..y * w + x1];
            let orow = &mut self.out[by * bw..(by + 1) * bw];
            if dither == Dither::ErrorDiffusion {
                self.err.swap(0, 1);
                self.err[1].fill([0; 3]);
            }
            for bx in 0..bw {
                let s = srow[bx];
                let c = crow[bx];
                let (best, best_err, keep_err, target) = if dither == Dither::ErrorDiffusion {
                    let e = self.err[0][bx + 1].map(|v| v.clamp(-ERR_CAP, ERR_CAP));
                    let target = [
                        clamp_u8(i32::from(s[0]) + (e[0] >> 4)),
                        clamp_u8(i32::from(s[1]) + (e[1] >> 4)),
                        clamp_u8(i32::from(s[2]) + (e[2] >> 4)),
                    ];
                    let (best, best_err, keep_err) = decide(
                        s,
                        c,
                        target,
                        first,
                        s == prev[bx],
                        t_sym,
                        &t,
                        dither,
                        &mut self.nearest,
                    );
                    (best, best_err, keep_err, target)
                } else {
                    let d = self.pre[by * bw + bx];
                    (
                        (d & 255) as u8,
                        (d >> 8) as u32 & 0xFF_FFFF,
                        (d >> 32) as u32,
                        s,
                    )
                };
                let palette = self.nearest.palette();
                let error_of = |sym: u8| -> u32 {
                    if sym == t_sym && transparent.is_some() {
                        keep_err
                    } else {
                        palette
                            .get(usize::from(sym))
                            .map_or(u32::MAX, |&p| dist(s, p))
                    }
                };
                // Without a lossy budget only the best symbol itself may
                // continue the string (plain LZW).
                let limit = if lossy > 0 {
                    best_err.saturating_add(lossy)
                } else {
                    0
                };
                let best = if bx > 0 && t.run_slack > 0 && keep_err > t.keep {
                    let p = orow[bx - 1];
                    if p != best && error_of(p) <= best_err.saturating_add(t.run_slack) {
                        p
                    } else {
                        best
                    }
                } else {
                    best
                };
                let sym = self.lzw.step(best, limit, error_of);
                orow[bx] = sym;
                let shown = if transparent == Some(sym) {
                    c
                } else {
                    drawn = true;
                    palette[usize::from(sym)]
                };
                crow[bx] = shown;
                if dither == Dither::ErrorDiffusion && keep_err > t.keep {
                    let qe = [
                        i32::from(target[0]) - i32::from(shown[0]),
                        i32::from(target[1]) - i32::from(shown[1]),
                        i32::from(target[2]) - i32::from(shown[2]),
                    ];
                    spread(&mut self.err, bx + 1, qe);
                }
            }
        }
        self.prev_src.copy_from_slice(src);
        self.has_canvas = true;
        if !drawn {
            return self.empty_frame();
        }
        let mut table = Vec::with_capacity(3 * 256);
        for p in self.nearest.palette() {
            table.extend_from_slice(p);
        }
        if transparent.is_some() {
            table.extend_from_slice(&[0, 0, 0]);
        }
        Encoded {
            left: x0 as u16,
            top: y0 as u16,
            width: bw as u16,
            height: bh as u16,
            indices: &self.out,
            palette: Some(table),
            transparent,
        }
    }

    /// Step 1: finds the pixels worth redrawing (all on a first frame;
    /// otherwise those that changed since the last source frame and are
    /// farther than `keep` from the canvas), fills the histogram with them and
    /// returns their count and bounding box `(x0, y0, x1, y1)` (exclusive
    /// ends). Splits the rows with a helper thread on large frames.
    fn survey(&mut self, src: &[Rgb], first: bool) -> (usize, (usize, usize, usize, usize)) {
        let (w, h) = (self.width, self.height);
        let keep = self.tuning.keep;
        let gray = self.channels == Channels::Gray;
        let (canvas, prev_src) = (&self.canvas, &self.prev_src);
        let scan =
            |rows: std::ops::Range<usize>, hist: &mut Histogram, gray_hist: &mut [u64; 256]| {
                if gray {
                    gray_hist.fill(0);
                } else {
                    hist.clear();
                }
                let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
                let mut count = 0usize;
                for y in rows {
                    let r = y * w..(y + 1) * w;
                    let mut row_any = false;
                    for (x, ((&s, &c), &p)) in src[r.clone()]
                        .iter()
                        .zip(&canvas[r.clone()])
                        .zip(&prev_src[r])
                        .enumerate()
                    {
                        if first || (s != p && dist(s, c) > keep) {
                            if gray {
                                gray_hist[usize::from(s[0])] += 1;
                            } else {
                                hist.add(s);
                            }
                            count += 1;
                            x0 = x0.min(x);
                            x1 = x1.max(x + 1);
                            row_any = true;
                        }
                    }
                    if row_any {
                        y0 = y0.min(y);
                        y1 = y + 1;
                    }
                }
                (count, (x0, y0, x1, y1))
            };
        if w * h >= PARALLEL_MIN_PIXELS && h >= 2 && *PARALLEL {
            let mid = h / 2;
            let (h1, g1) = (&mut self.hist, &mut self.gray_hist);
            let (h2, g2) = (&mut self.hist2, &mut self.gray_hist2);
            let ((c1, b1), (c2, b2)) = std::thread::scope(|scope| {
                let other = scope.spawn(|| scan(mid..h, h2, g2));
                let mine = scan(0..mid, h1, g1);
                (mine, other.join().unwrap_or((0, (w, h, 0, 0))))
            });
            if gray {
                for (a, b) in self.gray_hist.iter_mut().zip(self.gray_hist2.iter()) {
                    *a += *b;
                }
            } else {
                self.hist.merge(&self.hist2);
            }
            (
                c1 + c2,
                (
                    b1.0.min(b2.0),
                    b1.1.min(b2.1),
                    b1.2.max(b2.2),
                    b1.3.max(b2.3),
                ),
            )
        } else {
            scan(0..h, &mut self.hist, &mut self.gray_hist)
        }
    }

    /// Fills `pre` for the box `(x0, y0, bw, bh)`: each pixel's best symbol,
    /// its error and the error of keeping the canvas. Splits the rows between
    /// this thread and a helper when the box is large and a second core exists.
    fn precompute(
        &mut self,
        src: &[Rgb],
        (x0, y0, bw, bh): (usize, usize, usize, usize),
        first: bool,
        t_sym: u8,
    ) {
        let w = self.width;
        self.pre.clear();
        self.pre.resize(bw * bh, 0);
        let t = self.tuning;
        let dither = self.dither;
        let canvas = &self.canvas;
        let prev_src = &self.prev_src;
        let fill = |rows: std::ops::Range<usize>, pre: &mut [u64], nearest: &mut Nearest| {
            for (by, prow) in rows.zip(pre.chunks_exact_mut(bw)) {
                let y = y0 + by;
                let srow = &src[y * w + x0..y * w + x0 + bw];
                let crow = &canvas[y * w + x0..y * w + x0 + bw];
                let vrow = &prev_src[y * w + x0..y * w + x0 + bw];
                let m = &BAYER8[y & 7];
                for (bx, (((&s, &c), &v), p)) in srow
                    .iter()
                    .zip(crow)
                    .zip(vrow)
                    .zip(prow.iter_mut())
                    .enumerate()
                {
                    let target = if dither == Dither::Ordered {
                        let o = (i32::from(m[(x0 + bx) & 7]) * 2 - 63) * t.ordered_amplitude / 128;
                        [offset(s[0], o), offset(s[1], o), offset(s[2], o)]
                    } else {
                        s
                    };
                    let (best, best_err, keep_err) =
                        decide(s, c, target, first, s == v, t_sym, &t, dither, nearest);
                    *p = u64::from(keep_err) << 32
                        | u64::from(best_err.min(0xFF_FFFF)) << 8
                        | u64::from(best);
                }
            }
        };
        let helper = bw * bh >= PARALLEL_MIN_PIXELS && bh >= 2 && *PARALLEL;
        if helper {
            let mid = bh / 2;
            let (top, bottom) = self.pre.split_at_mut(mid * bw);
            let (n1, n2) = (&mut self.nearest, &mut self.nearest2);
            std::thread::scope(|scope| {
                scope.spawn(|| fill(mid..bh, bottom, n2));
                fill(0..mid, top, n1);
            });
        } else {
            fill(0..bh, &mut self.pre, &mut self.nearest);
        }
    }

    /// A 1x1 fully transparent frame: nothing changed.
    fn empty_frame(&mut self) -> Encoded<'_> {
        self.has_canvas = true;
        self.out.clear();
        self.out.push(0);
        Encoded {
            left: 0,
            top: 0,
            width: 1,
            height: 1,
            indices: &self.out,
            palette: Some(vec![0, 0, 0]),
            transparent: Some(0),
        }
    }
}

/// Boxes smaller than this are mapped on one thread.
const PARALLEL_MIN_PIXELS: usize = 16 * 1024;

/// Whether a second core is there to help.
pub(super) static PARALLEL: std::sync::LazyLock<bool> =
    std::sync::LazyLock::new(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1));

/// The best symbol for source pixel `s` shown as `c` so far, when the
/// palette is searched for `target` (`s` itself or a dithered `s`): returns
/// `(symbol, its error against s, error of keeping c)`. `t_sym` is the
/// transparent index (unused when `first`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn decide(
    s: Rgb,
    c: Rgb,
    target: Rgb,
    first: bool,
    unchanged: bool,
    t_sym: u8,
    t: &Tuning,
    dither: Dither,
    nearest: &mut Nearest,
) -> (u8, u32, u32) {
    let keep_err = if first { u32::MAX } else { dist(s, c) };
    if keep_err <= t.keep || (unchanged && !first) {
        return (t_sym, keep_err, keep_err);
    }
    let (k, target_err) = nearest.nearest(target);
    let k_err = if dither == Dither::None {
        target_err
    } else {
        dist(s, nearest.palette()[usize::from(k)])
    };
    if keep_err <= k_err.saturating_add(t.keep_slack) {
        (t_sym, keep_err, keep_err)
    } else {
        (k, k_err, keep_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_tables_match_openmv() {
        let t = fixed_color_table();
        assert_eq!(t.len(), 384);
        // Index r << 5 | g << 2 | b; r, b in {0, 85, 170, 255}, g in sevenths.
        assert_eq!(&t[(3 << 5 | 7 << 2 | 3) * 3..][..3], &[255, 255, 255]);
        assert_eq!(&t[(1 << 5 | 3 << 2 | 2) * 3..][..3], &[85, 109, 170]);
        let g = fixed_gray_table();
        assert_eq!((g[3], g[64 * 3], g[127 * 3]), (2, 129, 255));
    }
}
