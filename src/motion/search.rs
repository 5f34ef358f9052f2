//! The exhaustive block matcher (the best match as the `motion` module's
//! docs define it), and its portable kernel.
//!
//! For the 16x16 macroblock at (`bx`, `by`) of frame n the candidates are the
//! offsets (`x`, `y`) with `|x|, |y| <= R` whose 16x16 block at (`bx + x`,
//! `by + y`) lies wholly inside frame n-1, where both frames are padded to
//! whole macroblocks by repeating their last column and row ([`super::plane`]).
//! That padded picture is what an H.264 encoder codes and keeps as its
//! reference (the crop to the real size only applies on display), so every
//! block has at least the zero candidate, even in a frame narrower than 16
//! pixels, and frames whose sizes are multiples of 16 see exactly the
//! candidates that lie inside the real frame.
//!
//! The best candidate has the smallest SAD, then the smallest `|x| + |y|`,
//! then the smallest `y`, then the smallest `x`. Both kernels compare
//! 32-bit keys `sad << 16 | rank`, where `rank` numbers the offsets of the
//! search window in that tie order ([`Ranks`]), so "smallest key" is exactly
//! the rule above, whatever order candidates are visited in. A candidate is
//! only skipped when a lower bound of its SAD (the sum over some of its rows)
//! is already larger than the best SAD found, which cannot change the result.
//!
//! The SAD of a 16x16 block is at most 256 * 255 = 65280, so the saturation
//! to 65535 the layout allows for never happens.

use super::plane::Plane;

/// Largest search range: offsets stay within an `i8`.
pub const MAX_SEARCH_RANGE: u8 = 127;

/// Default search range (+-16 pixels), as picamera's hardware and ffmpeg's
/// `mestimate` use.
pub const DEFAULT_SEARCH_RANGE: u8 = 16;

const MB: usize = 16;

/// Which SAD kernel the matcher runs. Every kernel gives the same vectors,
/// bit for bit; they differ only in speed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kernel {
    /// AVX2 when the CPU has it (detected at run time), else portable.
    #[default]
    Auto,
    /// The portable kernel.
    Scalar,
    /// The AVX2 kernel; refused by [`crate::motion::MotionEstimator::new`] on
    /// a CPU without AVX2.
    Avx2,
}

impl Kernel {
    /// Whether this machine can run the kernel.
    pub fn is_available(self) -> bool {
        match self {
            Kernel::Auto | Kernel::Scalar => true,
            Kernel::Avx2 => avx2_available(),
        }
    }

    /// `Auto` resolved for this machine.
    pub(crate) fn resolve(self) -> Kernel {
        match self {
            Kernel::Auto if avx2_available() => Kernel::Avx2,
            Kernel::Auto => Kernel::Scalar,
            other => other,
        }
    }
}

fn avx2_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The offsets of a `+-R` window numbered in the tie order: smaller `|x| +
/// |y|` first, then smaller `y`, then smaller `x`.
#[derive(Clone, Debug)]
pub(crate) struct Ranks {
    range: i32,
    /// Entries per table row: `2R + 1` offsets, then 16 of padding (0xFFFF)
    /// so a kernel may read 8 ranks from any column of the window.
    row_len: usize,
    /// `table[(y + R) * row_len + (x + R)]` = rank of (x, y).
    table: Vec<u16>,
    /// The offset of each rank.
    by_rank: Vec<(i8, i8)>,
}

impl Ranks {
    /// The ranks of the `+-range` window (`range` in 1..=127).
    pub(crate) fn new(range: u8) -> Ranks {
        let r = i32::from(range.clamp(1, MAX_SEARCH_RANGE));
        let side = (2 * r + 1) as usize;
        let row_len = side + 16;
        let mut by_rank: Vec<(i8, i8)> = (-r..=r)
            .flat_map(|y| (-r..=r).map(move |x| (x as i8, y as i8)))
            .collect();
        by_rank.sort_by_key(|&(x, y)| {
            (
                i32::from(x).abs() + i32::from(y).abs(),
                i32::from(y),
                i32::from(x),
            )
        });
        let mut table = vec![u16::MAX; row_len * side];
        for (rank, &(x, y)) in by_rank.iter().enumerate() {
            let at = (i32::from(y) + r) as usize * row_len + (i32::from(x) + r) as usize;
            // At most 255 * 255 = 65025 offsets: every rank fits in a u16.
            table[at] = rank as u16;
        }
        Ranks {
            range: r,
            row_len,
            table,
            by_rank,
        }
    }

    /// The search range R.
    pub(crate) fn range(&self) -> i32 {
        self.range
    }

    /// The rank of offset (x, y), which must lie in the window.
    #[inline]
    pub(crate) fn rank(&self, x: i32, y: i32) -> u16 {
        self.table[self.index(x, y)]
    }

    /// Index of (x, y) in [`Ranks::table`].
    #[inline]
    pub(crate) fn index(&self, x: i32, y: i32) -> usize {
        (y + self.range) as usize * self.row_len + (x + self.range) as usize
    }

    /// The whole table (see [`Ranks::index`]), padded after each row.
    pub(crate) fn table(&self) -> &[u16] {
        &self.table
    }

    /// The offset of `rank`.
    #[inline]
    pub(crate) fn vector(&self, rank: u16) -> (i8, i8) {
        self.by_rank[usize::from(rank)]
    }
}

/// A comparable candidate: `sad << 16 | rank`. Smaller is better.
#[inline]
pub(crate) fn key(sad: u32, rank: u16) -> u32 {
    (sad << 16) | u32::from(rank)
}

/// The candidate offsets of one block: `x0..=x1` by `y0..=y1`, the `+-R`
/// window cut to the padded previous frame. Never empty (0 is always in it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) x0: i32,
    pub(crate) x1: i32,
    pub(crate) y0: i32,
    pub(crate) y1: i32,
}

impl Window {
    /// The window of the block at (`bx`, `by`) in a padded `width` x `height` plane.
    pub(crate) fn new(bx: usize, by: usize, width: usize, height: usize, range: i32) -> Window {
        Window {
            x0: (-range).max(-(bx as i32)),
            x1: range.min((width - MB - bx) as i32),
            y0: (-range).max(-(by as i32)),
            y1: range.min((height - MB - by) as i32),
        }
    }

    /// Whether (x, y) is a candidate.
    pub(crate) fn contains(&self, x: i32, y: i32) -> bool {
        (self.x0..=self.x1).contains(&x) && (self.y0..=self.y1).contains(&y)
    }
}

/// SAD of the 16x16 blocks at byte offsets `a` of `cur` and `b` of `prev`
/// (both with row distance `stride`), or some partial sum larger than
/// `limit` as soon as one is found.
#[inline]
pub(crate) fn sad_scalar(
    cur: &[u8],
    a: usize,
    prev: &[u8],
    b: usize,
    stride: usize,
    limit: u32,
) -> u32 {
    let mut sum = 0u32;
    for r in 0..MB {
        let ra = &cur[a + r * stride..a + r * stride + MB];
        let rb = &prev[b + r * stride..b + r * stride + MB];
        sum += ra
            .iter()
            .zip(rb)
            .map(|(&p, &q)| u32::from(p.abs_diff(q)))
            .sum::<u32>();
        if sum > limit {
            return sum;
        }
    }
    sum
}

/// The portable kernel: the best key of the block at (`bx`, `by`) over
/// `window`, starting from `best` (a key already known to be reachable).
pub(crate) fn search_block_scalar(
    cur: &Plane,
    prev: &Plane,
    bx: usize,
    by: usize,
    window: Window,
    ranks: &Ranks,
    mut best: u32,
) -> u32 {
    let stride = cur.stride();
    let a = by * stride + bx;
    let (cd, pd) = (cur.data(), prev.data());
    for y in window.y0..=window.y1 {
        let row = (by as i32 + y) as usize * stride;
        for x in window.x0..=window.x1 {
            let b = row + (bx as i32 + x) as usize;
            let limit = best >> 16;
            let sad = sad_scalar(cd, a, pd, b, stride, limit);
            if sad <= limit {
                best = best.min(key(sad, ranks.rank(x, y)));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_the_tie_order() {
        let r = Ranks::new(2);
        assert_eq!(r.vector(0), (0, 0));
        // |x|+|y| = 1: y = -1 first, then x = -1, x = 1, then y = 1.
        assert_eq!(
            (1..5).map(|k| r.vector(k)).collect::<Vec<_>>(),
            vec![(0, -1), (-1, 0), (1, 0), (0, 1)]
        );
        assert_eq!(r.rank(0, 0), 0);
        assert_eq!(r.rank(0, 1), 4);
        assert_eq!(r.vector(24), (2, 2));
        assert_eq!(r.vector(5), (0, -2));
        assert_eq!(r.vector(20), (1, 2));
        // Padding after each row reads as "no candidate".
        assert_eq!(r.table()[r.index(2, 0) + 1], u16::MAX);
        let big = Ranks::new(127);
        assert_eq!(big.by_rank.len(), 255 * 255);
        assert_eq!(big.vector(0), (0, 0));
        assert_eq!(big.rank(127, 127) as usize, 255 * 255 - 1);
    }

    #[test]
    fn windows_stay_in_the_padded_frame() {
        let w = Window::new(0, 0, 64, 48, 16);
        assert_eq!((w.x0, w.x1, w.y0, w.y1), (0, 16, 0, 16));
        let w = Window::new(48, 32, 64, 48, 16);
        assert_eq!((w.x0, w.x1, w.y0, w.y1), (-16, 0, -16, 0));
        let w = Window::new(0, 0, 16, 16, 127);
        assert_eq!((w.x0, w.x1, w.y0, w.y1), (0, 0, 0, 0));
        assert!(w.contains(0, 0) && !w.contains(1, 0));
    }

    #[test]
    fn keys_order_sad_then_rank() {
        assert!(key(5, 100) < key(6, 0));
        assert!(key(5, 1) < key(5, 2));
        assert_eq!(key(65280, 65024) >> 16, 65280);
    }
}
