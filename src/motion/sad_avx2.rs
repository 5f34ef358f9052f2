//! The AVX2 kernel of the block matcher, chosen at run time by
//! [`super::matcher`]. It returns exactly what [`super::search::search_block_scalar`]
//! returns (the tests compare the two on random frames and every window shape).
//!
//! `vpmpsadbw` computes, per 128-bit lane, the SADs of one 4-pixel group of
//! the current block's row against eight consecutive 4-pixel windows of a
//! reference row: eight candidates at once. Four of them (one per group of
//! the 16-pixel row) and a saturating 16-bit add give one row of SADs for 8
//! candidates per lane, 16 per instruction stream; sixteen rows give the
//! block SADs. Lanes hold candidates `c..c+8` and `c+16..c+24` of one row of
//! the window (one unaligned 32-byte load feeds both) or, for what is left
//! over at the end of a row, any two groups of 8 (two 16-byte loads).
//! Candidates outside the window start at 0xFFFF and stay there (the adds
//! saturate; a real SAD is at most 65280). A window column that would leave
//! a group with one or two candidates is done one candidate at a time with
//! `vpsadbw`.
//!
//! After 8 rows, a group whose smallest partial SAD is already above the
//! best SAD found so far is dropped: its SADs can only grow. The survivors'
//! SADs are paired with the candidates' ranks into 32-bit keys (`sad << 16 |
//! rank`) and folded into a running minimum, which is exactly the best match the `motion` module defines.
//!
//! All memory access goes through raw-pointer loads whose bounds are
//! established by the assertions at the top of [`search_block`] (see the
//! `SAFETY` notes); the padding of [`Plane`] covers the loads that run past
//! the right edge of the window.

use std::arch::x86_64::*;

use super::plane::Plane;
use super::search::{Ranks, Window, key};

const MB: usize = 16;

/// Rows summed before a group is checked against the best SAD.
const CHECK_ROWS: usize = 8;

/// A leftover group with at most this many candidates is done one by one.
const SINGLES: i32 = 2;

/// Horizontal minimum of 16 unsigned 16-bit lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn hmin16(v: __m256i) -> u32 {
    let m = _mm_min_epu16(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
    (_mm_cvtsi128_si32(_mm_minpos_epu16(m)) & 0xFFFF) as u32
}

/// Horizontal minimum of 8 unsigned 32-bit lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn hmin32(v: __m256i) -> u32 {
    let m = _mm_min_epu32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
    let m = _mm_min_epu32(m, _mm_shuffle_epi32::<0b01_00_11_10>(m));
    let m = _mm_min_epu32(m, _mm_shuffle_epi32::<0b10_11_00_01>(m));
    _mm_cvtsi128_si32(m) as u32
}

/// Adds one row of SADs to `acc`: `a` holds reference bytes `0..16` of each
/// lane's group, `b` bytes `8..24`, `c` the current block's row in both lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn add_row(acc: __m256i, a: __m256i, b: __m256i, c: __m256i) -> __m256i {
    // imm bits: [1:0] / [4:3] pick the 4-byte group of `c` for lane 0 / 1,
    // bit 2 / 5 starts the reference windows 4 bytes further.
    let q01 = _mm256_add_epi16(
        _mm256_mpsadbw_epu8::<0b000_000>(a, c),
        _mm256_mpsadbw_epu8::<0b101_101>(a, c),
    );
    let q23 = _mm256_add_epi16(
        _mm256_mpsadbw_epu8::<0b010_010>(b, c),
        _mm256_mpsadbw_epu8::<0b111_111>(b, c),
    );
    _mm256_adds_epu16(acc, _mm256_add_epi16(q01, q23))
}

/// One group pair in progress: the best SAD so far and the running minimum key.
struct Best {
    sad: u32,
    keys: __m256i,
}

/// Where a group of 8 candidates reads: its reference bytes (at row 0), its
/// ranks, and how many of its 8 candidates are in the window.
#[derive(Clone, Copy)]
struct Group {
    prev: usize,
    rank: usize,
    valid: i32,
}

/// The matcher's inputs for one block, checked once.
struct Block<'a> {
    /// The current block, rows of 16 bytes one after the other.
    cur: [u8; 256],
    prev: &'a [u8],
    stride: usize,
    ranks: &'a [u16],
}

impl Block<'_> {
    /// The current block's row `r` in both lanes.
    #[inline]
    #[target_feature(enable = "avx2")]
    #[allow(unsafe_code)]
    fn cur_row(&self, r: usize) -> __m256i {
        let row = &self.cur[r * MB..r * MB + MB];
        // SAFETY: `row` is 16 readable bytes; the load is unaligned.
        _mm256_broadcastsi128_si256(unsafe { _mm_loadu_si128(row.as_ptr().cast()) })
    }

    /// 16 bytes of the reference plane at `at`.
    #[inline]
    #[target_feature(enable = "avx2")]
    #[allow(unsafe_code)]
    fn load16(&self, at: usize) -> __m128i {
        debug_assert!(at + 16 <= self.prev.len());
        // SAFETY: `search_block` checked that every group's loads (at most 40
        // bytes from the group start of any of its 16 rows) lie in `prev`.
        unsafe { _mm_loadu_si128(self.prev.as_ptr().add(at).cast()) }
    }

    /// 32 bytes of the reference plane at `at`.
    #[inline]
    #[target_feature(enable = "avx2")]
    #[allow(unsafe_code)]
    fn load32(&self, at: usize) -> __m256i {
        debug_assert!(at + 32 <= self.prev.len());
        // SAFETY: as in `load16`.
        unsafe { _mm256_loadu_si256(self.prev.as_ptr().add(at).cast()) }
    }

    /// 8 ranks at `at`.
    #[inline]
    #[target_feature(enable = "avx2")]
    #[allow(unsafe_code)]
    fn ranks8(&self, at: usize) -> __m128i {
        debug_assert!(at + 8 <= self.ranks.len());
        // SAFETY: `search_block` checked that 8 ranks from any group start
        // lie in the table (each row of it has 16 entries of padding).
        unsafe { _mm_loadu_si128(self.ranks.as_ptr().add(at).cast()) }
    }

    /// Sums `rows` of the groups `ga` (lane 0) and `gb` (lane 1); with `PAIRED`,
    /// `gb` is `ga` 16 pixels further along the same row.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn rows<const PAIRED: bool>(
        &self,
        mut acc: __m256i,
        ga: Group,
        gb: Group,
        rows: std::ops::Range<usize>,
    ) -> __m256i {
        for r in rows {
            let (pa, pb) = (ga.prev + r * self.stride, gb.prev + r * self.stride);
            let (a, b) = if PAIRED {
                (self.load32(pa), self.load32(pa + 8))
            } else {
                (
                    _mm256_set_m128i(self.load16(pb), self.load16(pa)),
                    _mm256_set_m128i(self.load16(pb + 8), self.load16(pa + 8)),
                )
            };
            acc = add_row(acc, a, b, self.cur_row(r));
        }
        acc
    }

    /// Evaluates two groups of 8 candidates and folds them into `best`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn pair<const PAIRED: bool>(&self, ga: Group, gb: Group, best: &mut Best) {
        let lane = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
        let limit = _mm256_set_m128i(
            _mm_set1_epi16((gb.valid - 1) as i16),
            _mm_set1_epi16((ga.valid - 1) as i16),
        );
        // 0xFFFF in the lanes of candidates outside the window.
        let mut acc = _mm256_cmpgt_epi16(lane, limit);
        acc = self.rows::<PAIRED>(acc, ga, gb, 0..CHECK_ROWS);
        if hmin16(acc) > best.sad {
            return;
        }
        acc = self.rows::<PAIRED>(acc, ga, gb, CHECK_ROWS..MB);
        best.sad = best.sad.min(hmin16(acc));
        let ranks = _mm256_set_m128i(self.ranks8(gb.rank), self.ranks8(ga.rank));
        let lo = _mm256_unpacklo_epi16(ranks, acc);
        let hi = _mm256_unpackhi_epi16(ranks, acc);
        best.keys = _mm256_min_epu32(best.keys, _mm256_min_epu32(lo, hi));
    }

    /// The SAD of the candidate whose reference block starts at `at`, or a
    /// partial sum above `limit`.
    #[inline]
    #[target_feature(enable = "avx2")]
    #[allow(unsafe_code)]
    fn single(&self, at: usize, limit: u32) -> u32 {
        let half = |rows: std::ops::Range<usize>| {
            let mut acc = _mm256_setzero_si256();
            for r in rows.step_by(2) {
                let p = _mm256_set_m128i(
                    self.load16(at + (r + 1) * self.stride),
                    self.load16(at + r * self.stride),
                );
                let c = &self.cur[r * MB..r * MB + 2 * MB];
                // SAFETY: `c` is 32 readable bytes (rows r and r + 1); the
                // load is unaligned.
                let c = unsafe { _mm256_loadu_si256(c.as_ptr().cast()) };
                acc = _mm256_add_epi64(acc, _mm256_sad_epu8(p, c));
            }
            let s = _mm_add_epi64(
                _mm256_castsi256_si128(acc),
                _mm256_extracti128_si256::<1>(acc),
            );
            let s = _mm_add_epi64(s, _mm_unpackhi_epi64(s, s));
            _mm_cvtsi128_si32(s) as u32
        };
        let first = half(0..CHECK_ROWS);
        if first > limit {
            return first;
        }
        first + half(CHECK_ROWS..MB)
    }
}

/// The AVX2 kernel: as [`super::search::search_block_scalar`].
///
/// # Panics
/// If the planes, block and window are inconsistent (a bug in the caller).
#[target_feature(enable = "avx2")]
pub(crate) fn search_block(
    cur: &Plane,
    prev: &Plane,
    bx: usize,
    by: usize,
    window: Window,
    ranks: &Ranks,
    best: u32,
) -> u32 {
    let stride = prev.stride();
    let r = ranks.range();
    // These bound every load below (see the SAFETY notes of `Block`): a
    // paired group starts at most at `x1 - 23` and reads 40 bytes, any other
    // group starts at most at `x1` and reads 24, a single reads 16 from `x1`,
    // so no load reaches byte `bx + x1 + 24 <= width + 8 <= stride` of a row
    // of the window, and the rows are those of the plane; rank loads reach 8
    // entries past a group start `x <= x1 <= R`, inside the 16 entries of
    // padding after each row of the table.
    assert!(cur.stride() == stride && cur.width() == prev.width() && cur.height() == prev.height());
    assert!(stride >= prev.width() + 8 && prev.data().len() >= stride * prev.height());
    assert!(bx + MB <= prev.width() && by + MB <= prev.height());
    assert!(window.x0 >= -(bx as i32) && window.x1 <= (prev.width() - MB - bx) as i32);
    assert!(window.y0 >= -(by as i32) && window.y1 <= (prev.height() - MB - by) as i32);
    assert!(window.x0 >= -r && window.x1 <= r && window.y0 >= -r && window.y1 <= r);
    assert!(ranks.table().len() >= ranks.index(r, r) + 16);

    let mut block = Block {
        cur: [0; 256],
        prev: prev.data(),
        stride,
        ranks: ranks.table(),
    };
    let cd = cur.data();
    for (row, dst) in block.cur.chunks_exact_mut(MB).enumerate() {
        let at = (by + row) * stride + bx;
        dst.copy_from_slice(&cd[at..at + MB]);
    }

    let mut best_key = best;
    let mut acc = Best {
        sad: best >> 16,
        keys: _mm256_set1_epi32(-1),
    };
    let mut pending: Option<Group> = None;
    // Rows of the window from the middle outwards (0, 1, -1, 2, -2, ...):
    // small offsets find a good match early, so more groups are dropped.
    for k in 0..=(2 * r) {
        let y = if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) };
        if y < window.y0 || y > window.y1 {
            continue;
        }
        let row = (by as i32 + y) as usize * stride;
        let group = |x: i32, valid: i32| Group {
            prev: row + (bx as i32 + x) as usize,
            rank: ranks.index(x, y),
            valid,
        };
        let mut x = window.x0;
        while window.x1 - x + 1 >= 32 {
            block.pair::<true>(group(x, 8), group(x + 16, 8), &mut acc);
            block.pair::<true>(group(x + 8, 8), group(x + 24, 8), &mut acc);
            x += 32;
        }
        while x <= window.x1 {
            let left = window.x1 - x + 1;
            if left <= SINGLES {
                for x in x..=window.x1 {
                    let g = group(x, 1);
                    let sad = block.single(g.prev, acc.sad);
                    if sad <= acc.sad {
                        acc.sad = sad;
                        best_key = best_key.min(key(sad, ranks.rank(x, y)));
                    }
                }
                break;
            }
            let g = group(x, left.min(8));
            match pending.take() {
                Some(p) => block.pair::<false>(p, g, &mut acc),
                None => pending = Some(g),
            }
            x += 8;
        }
    }
    if let Some(p) = pending {
        block.pair::<false>(p, Group { valid: 0, ..p }, &mut acc);
    }
    best_key.min(hmin32(acc.keys))
}
