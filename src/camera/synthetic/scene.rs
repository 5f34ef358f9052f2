//! The synthetic scene: a panning landscape (sky gradient, a wavy horizon,
//! textured ground, buildings with lit windows), shaded discs that bounce
//! around, scripted objects and sensor-like noise, each a pure function of
//! the seed, the frame size and the frame number.

/// An object that crosses the scene during a range of frames, moving in a
/// straight line from `from` to `to` (top-left corners, in pixels).
///
/// ```
/// use camreel::camera::synthetic::MotionEvent;
/// let e = MotionEvent::new(10..20, (0, 40), (100, 40), (24, 16));
/// assert_eq!(e.position_at(15), Some((50, 40)));
/// assert_eq!(e.position_at(20), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MotionEvent {
    /// First frame the object is visible in.
    pub start: u64,
    /// First frame it is gone again.
    pub end: u64,
    /// Top-left corner at `start`.
    pub from: (i32, i32),
    /// Top-left corner at `end`.
    pub to: (i32, i32),
    /// Width and height.
    pub size: (u32, u32),
    /// RGB colour.
    pub color: [u8; 3],
}

impl MotionEvent {
    /// A bright red object visible in `frames`, moving from `from` to `to`.
    pub fn new(
        frames: std::ops::Range<u64>,
        from: (i32, i32),
        to: (i32, i32),
        size: (u32, u32),
    ) -> MotionEvent {
        MotionEvent {
            start: frames.start,
            end: frames.end,
            from,
            to,
            size,
            color: [230, 40, 30],
        }
    }

    /// Where the object is in frame `index`, or `None` when it is not visible.
    pub fn position_at(&self, index: u64) -> Option<(i32, i32)> {
        if index < self.start || index >= self.end {
            return None;
        }
        let span = (self.end - self.start) as i64;
        let t = (index - self.start) as i64;
        let lerp = |a: i32, b: i32| (a as i64 + (b as i64 - a as i64) * t / span) as i32;
        Some((lerp(self.from.0, self.to.0), lerp(self.from.1, self.to.1)))
    }
}

/// SplitMix64 finaliser: a good 64-bit hash.
#[inline]
pub(super) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Length of the noise tile: prime, so the pattern does not line up with rows.
const NOISE_LEN: usize = 65_521;

pub(super) fn noise_tile(seed: u64, amplitude: u8) -> Vec<i8> {
    if amplitude == 0 {
        return Vec::new();
    }
    let a = i32::from(amplitude.min(60));
    (0..NOISE_LEN as u64)
        .map(|i| {
            let h = mix(seed ^ 0x4E4F_4953_4554_494C, i);
            // Sum of two uniforms: a triangular distribution in -a..=a.
            let u = ((h & 0xFFFF) as i32 * (a + 1)) >> 16;
            let v = (((h >> 16) & 0xFFFF) as i32 * (a + 1)) >> 16;
            (u - v) as i8
        })
        .collect()
}

pub(super) fn add_noise(rgb: &mut [u8], tile: &[i8], hash: u64) {
    let mut offset = (hash % NOISE_LEN as u64) as usize;
    let mut rest = rgb;
    while !rest.is_empty() {
        let n = rest.len().min(NOISE_LEN - offset);
        let (head, tail) = rest.split_at_mut(n);
        for (p, &d) in head.iter_mut().zip(&tile[offset..offset + n]) {
            *p = p.saturating_add_signed(d);
        }
        rest = tail;
        offset = 0;
    }
}

/// The static world and the moving objects of the scene.
pub(super) struct Scene {
    pub(super) w: usize,
    pub(super) h: usize,
    pub(super) w32: u32,
    pub(super) h32: u32,
    seed: u64,
    /// Horizontally periodic background, `tw` x `th` RGB.
    world: Vec<u8>,
    tw: usize,
    th: usize,
    /// Vertical pan amplitude.
    amp: usize,
}

impl Scene {
    pub(super) fn new(width: u32, height: u32, seed: u64) -> Scene {
        let (w, h) = (width as usize, height as usize);
        let amp = (h / 8).min(30);
        let tw = (w + 64).div_ceil(64) * 64;
        let th = h + 2 * amp;
        let mut world = vec![0u8; tw * th * 3];
        let horizon = th * 11 / 20;
        // Buildings: a few blocks at seeded positions (x periodic in tw).
        let nb = 3 + (mix(seed, 1) % 4) as usize;
        let buildings: Vec<(usize, usize, usize, [u8; 3])> = (0..nb)
            .map(|i| {
                let hsh = mix(seed, 100 + i as u64);
                let bw = tw / 16 + (hsh % (tw as u64 / 10 + 1)) as usize;
                let bx = (hsh >> 20) as usize % tw;
                let bh = th / 8 + ((hsh >> 40) % (th as u64 / 4 + 1)) as usize;
                let shade = 90 + ((hsh >> 8) % 80) as u8;
                (
                    bx,
                    bw,
                    bh,
                    [shade, shade.saturating_sub(10), shade.saturating_sub(25)],
                )
            })
            .collect();
        // Per-column horizon wave and per-cell noise grids, so the per-pixel
        // work is a few integer operations.
        let horizon_at: Vec<usize> = (0..tw)
            .map(|x| {
                let phase = (x as f32 / tw as f32) * std::f32::consts::TAU;
                let wave = (phase.sin() * 3.0 + (phase * 5.0).sin()) * (th as f32 / 60.0);
                (horizon as f32 + wave).max(1.0) as usize
            })
            .collect();
        let clouds = NoiseGrid::new(seed ^ 0xC10D, tw, th, 32);
        let grass = NoiseGrid::new(seed ^ 0x6A55, tw, th, 16);
        let mut fine_state = mix(seed, 0x6E55) | 1;
        for y in 0..th {
            let row = &mut world[y * tw * 3..(y + 1) * tw * 3];
            for x in 0..tw {
                let hz = horizon_at[x];
                // xorshift64: cheap per-pixel grain.
                fine_state ^= fine_state << 13;
                fine_state ^= fine_state >> 7;
                fine_state ^= fine_state << 17;
                let fine = (fine_state & 31) as u32;
                let mut c = if y < hz {
                    // Sky: blue at the top, pale at the horizon, soft clouds.
                    let t = (y * 255 / hz) as u32;
                    let cloud = clouds.at(x, y) / 3;
                    [
                        (70 + t * 130 / 255 + cloud).min(255) as u8,
                        (120 + t * 100 / 255 + cloud).min(255) as u8,
                        (200 + t * 40 / 255 + cloud / 2).min(255) as u8,
                    ]
                } else {
                    // Ground: grass-like texture, darker towards the bottom.
                    let t = ((y - hz) * 80 / (th - hz).max(1)) as u32;
                    let coarse = grass.at(x, y);
                    let g = 60 + coarse / 2 + fine;
                    [
                        (40 + coarse / 4).saturating_sub(t / 4) as u8,
                        g.saturating_sub(t / 2).min(255) as u8,
                        (30 + fine / 2).saturating_sub(t / 4) as u8,
                    ]
                };
                for &(bx, bw, bh, shade) in &buildings {
                    let dx = (x + tw - bx) % tw;
                    if dx < bw && y < hz && y + bh >= hz {
                        c = shade;
                        // Windows: a lit grid.
                        let wy = hz - y;
                        if dx % 12 >= 4 && dx % 12 < 9 && wy % 14 >= 5 && wy % 14 < 11 {
                            c = [240, 220, 130];
                        }
                    }
                }
                row[x * 3..x * 3 + 3].copy_from_slice(&c);
            }
        }
        Scene {
            w,
            h,
            w32: width,
            h32: height,
            seed,
            world,
            tw,
            th,
            amp,
        }
    }

    /// Copies the background view of frame `index` into `rgb`.
    pub(super) fn background(&self, index: u64, pan: bool, rgb: &mut [u8]) {
        let (ox, oy) = if pan {
            let ox = (index.wrapping_mul(2) % self.tw as u64) as usize;
            // Triangle wave: 0, 1, ..., 2*amp, 2*amp-1, ..., 1, 0, ...
            let period = (4 * self.amp).max(1) as u64;
            let p = (index + self.amp as u64) % period;
            let oy = if self.amp == 0 {
                0
            } else if p <= 2 * self.amp as u64 {
                p as usize
            } else {
                (period - p) as usize
            };
            (ox, oy)
        } else {
            (0, self.amp)
        };
        let row_bytes = self.w * 3;
        for (y, dst) in rgb.chunks_exact_mut(row_bytes).enumerate() {
            let src_row = &self.world[(y + oy) * self.tw * 3..(y + oy + 1) * self.tw * 3];
            let first = (self.tw - ox).min(self.w);
            dst[..first * 3].copy_from_slice(&src_row[ox * 3..(ox + first) * 3]);
            if first < self.w {
                dst[first * 3..].copy_from_slice(&src_row[..(self.w - first) * 3]);
            }
        }
        debug_assert!(oy + self.h <= self.th);
    }

    /// Draws bouncing disc `k` at frame `index`.
    pub(super) fn disc(&self, k: u32, index: u64, rgb: &mut [u8]) {
        let h = mix(self.seed ^ 0xD15C, u64::from(k));
        let r = (self.h as u64 / 14 + (h % (self.h as u64 / 10 + 1))).max(2) as i64;
        let vx = ((h >> 12) % 9) as i64 - 4;
        let vy = ((h >> 20) % 7) as i64 - 3;
        let x0 = ((h >> 28) % self.w as u64) as i64;
        let y0 = ((h >> 40) % self.h as u64) as i64;
        let color = [
            80 + ((h >> 48) % 176) as u32,
            40 + ((h >> 56) % 200) as u32,
            60 + ((h >> 32) % 196) as u32,
        ];
        let t = index as i64;
        let cx = bounce(x0 + vx * t, self.w as i64);
        let cy = bounce(y0 + vy * t, self.h as i64);
        let (w, hh) = (self.w as i64, self.h as i64);
        let r2 = r * r;
        for y in (cy - r).max(0)..(cy + r + 1).min(hh) {
            let dy = y - cy;
            let row = &mut rgb[(y * w * 3) as usize..((y + 1) * w * 3) as usize];
            for x in (cx - r).max(0)..(cx + r + 1).min(w) {
                let dx = x - cx;
                let d2 = dx * dx + dy * dy;
                if d2 <= r2 {
                    // Lit from the top-left: brighter towards (-r/2, -r/2).
                    let lx = dx + r / 2;
                    let ly = dy + r / 2;
                    let l = 256 - ((lx * lx + ly * ly) * 128 / (r2 * 2)).min(160);
                    let px = &mut row[(x * 3) as usize..(x * 3 + 3) as usize];
                    for c in 0..3 {
                        px[c] = (color[c] * l as u32 / 256).min(255) as u8;
                    }
                }
            }
        }
    }

    /// Fills a rectangle (clipped to the frame).
    pub(super) fn rect(&self, pos: (i32, i32), size: (u32, u32), color: [u8; 3], rgb: &mut [u8]) {
        let x0 = i64::from(pos.0).clamp(0, self.w as i64) as usize;
        let y0 = i64::from(pos.1).clamp(0, self.h as i64) as usize;
        let x1 = (i64::from(pos.0) + i64::from(size.0)).clamp(0, self.w as i64) as usize;
        let y1 = (i64::from(pos.1) + i64::from(size.1)).clamp(0, self.h as i64) as usize;
        for y in y0..y1 {
            for px in rgb[(y * self.w + x0) * 3..(y * self.w + x1) * 3].chunks_exact_mut(3) {
                px.copy_from_slice(&color);
            }
        }
    }
}

/// Reflects `p` into `0..len` (a ball bouncing between two walls).
fn bounce(p: i64, len: i64) -> i64 {
    if len <= 1 {
        return 0;
    }
    let period = 2 * (len - 1);
    let m = p.rem_euclid(period);
    if m < len { m } else { period - m }
}

/// Smooth-ish value noise in 0..=255 on a grid of `cell`-pixel cells,
/// periodic in x over the texture width (a multiple of `cell`).
struct NoiseGrid {
    cell: usize,
    cols: usize,
    values: Vec<u32>,
}

impl NoiseGrid {
    fn new(seed: u64, tw: usize, th: usize, cell: usize) -> NoiseGrid {
        let cols = (tw / cell).max(1);
        let rows = th / cell + 2;
        let values = (0..rows * cols)
            .map(|i| (mix(seed, i as u64) & 255) as u32)
            .collect();
        NoiseGrid { cell, cols, values }
    }

    #[inline]
    fn at(&self, x: usize, y: usize) -> u32 {
        let (cx, cy) = (x / self.cell, y / self.cell);
        let (fx, fy) = ((x % self.cell) as u32, (y % self.cell) as u32);
        let v = |i: usize, j: usize| self.values[j * self.cols + i % self.cols];
        let c = self.cell as u32;
        let top = v(cx, cy) * (c - fx) + v(cx + 1, cy) * fx;
        let bottom = v(cx, cy + 1) * (c - fx) + v(cx + 1, cy + 1) * fx;
        (top * (c - fy) + bottom * fy) / (c * c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounce_reflects() {
        let v: Vec<i64> = (0..8).map(|p| bounce(p, 4)).collect();
        assert_eq!(v, [0, 1, 2, 3, 2, 1, 0, 1]);
        assert_eq!(bounce(-1, 4), 1);
        assert_eq!(bounce(5, 1), 0);
    }
}
