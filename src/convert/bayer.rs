//! Bayer demosaicing (and its inverse, sampling an RGB image into a mosaic).
//!
//! (One file of about 950 lines on purpose: split into modules, the same
//! code compiled into other codegen units and demosaicing ran 40 % slower
//! on the 2592x1944 RAW10 bench; the sections below are the seams.)
//!
//! Sources: 8-bit [`PixelFormat::Bayer`], [`PixelFormat::Bayer16`] with any
//! sample depth, and packed [`PixelFormat::Raw10`] (unpacked row by row into a
//! five-row ring as it goes, so a RAW10 frame is never unpacked whole), in all
//! four [`BayerOrder`]s, any size including odd and one-pixel-wide or -high
//! images. Outputs: RGB888, or RGB48 at full precision.
//!
//! Three algorithms ([`Demosaic`]) are computed at the samples' native depth,
//! then scaled: to 8 bits by `>> (bits - 8)`, to 16 bits by bit replication
//! ([`widen_to_16`](super::pixel::widen_to_16)).
//!
//! * [`Demosaic::Average`] is the picamera recipe (docs section 5.11) exactly:
//!   each channel of each pixel is the sum of that channel's samples in the
//!   3x3 window around it, divided (integer division, rounding down) by the
//!   number of that channel's sites in the window, where sites outside the
//!   image count for nothing. A channel with no site in the window (possible
//!   only in a one-pixel-wide or -high image) is 0, as numpy's integer
//!   division by zero gives. Note the window includes the pixel: at a green
//!   site, green is the mean of the pixel and its four diagonal greens. Sums
//!   are exact (the recipe's `uint16` sums would wrap for samples above 13
//!   bits; here they do not).
//! * [`Demosaic::Bilinear`] (the default): a pixel keeps its own channel; a
//!   missing channel is the rounded mean of the 2 or 4 nearest samples of that
//!   colour. Borders mirror the image without repeating the edge
//!   (`reflect-101`: column -1 reads column 1), which keeps the Bayer phase.
//! * [`Demosaic::MalvarHeCutler`]: the 5x5 gradient-corrected linear filters of
//!   Malvar, He and Cutler (ICASSP 2004), rounded and clamped to the sample
//!   range, with the same mirrored borders.
//!
//! Mirroring needs a second row and column, so Bilinear and Malvar-He-Cutler
//! fall back to Average for images one pixel wide or high.
//!
//! A [`PixelFormat::Bayer16`] sample above `2^bits - 1` is outside its format;
//! demosaicing it does not fail or panic but gives unspecified colours
//! (checking every sample would cost a pass over the frame). Mosaic-to-mosaic
//! conversions, which read each sample once anyway, refuse such samples.
//!
//! ```
//! use camreel::convert::bayer::{self, Demosaic};
//! use camreel::{BayerOrder, Image, ImageRef, PixelFormat};
//! // One 2x2 RGGB tile: R=200, G=100 and 50, B=10.
//! let mosaic = [200u8, 100, 50, 10];
//! let src = ImageRef::new(PixelFormat::Bayer(BayerOrder::Rggb), 2, 2, &mosaic)?;
//! let mut rgb = Image::empty();
//! bayer::demosaic_into(src, Demosaic::Average, &mut rgb)?;
//! assert_eq!(rgb.format(), PixelFormat::Rgb888);
//! // Top-left pixel: its own red, greens (100 + 50) / 2, blue 10.
//! assert_eq!(&rgb.data()[..3], &[200, 75, 10]);
//! # Ok::<(), camreel::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use super::invalid_len;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{BayerOrder, Image, ImageRef, PixelFormat};

/// A demosaicing algorithm; see the [module docs](self) for the exact rules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Demosaic {
    /// The picamera recipe's 3x3 same-colour average (integer division).
    Average,
    /// Bilinear interpolation from the nearest same-colour samples (the default:
    /// fast and free of the recipe's green blur).
    #[default]
    Bilinear,
    /// Malvar-He-Cutler gradient-corrected 5x5 linear interpolation (sharpest).
    MalvarHeCutler,
}

impl Demosaic {
    /// All algorithms.
    pub const ALL: [Demosaic; 3] = [
        Demosaic::Average,
        Demosaic::Bilinear,
        Demosaic::MalvarHeCutler,
    ];

    /// Lower-case name: `"average"`, `"bilinear"`, `"mhc"`.
    pub fn name(self) -> &'static str {
        match self {
            Demosaic::Average => "average",
            Demosaic::Bilinear => "bilinear",
            Demosaic::MalvarHeCutler => "mhc",
        }
    }
}

impl fmt::Display for Demosaic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Demosaic {
    type Err = Error;
    /// Parses `average` (or `picamera`), `bilinear`, `mhc` (or `malvar`),
    /// case-insensitively.
    fn from_str(s: &str) -> Result<Demosaic> {
        match s.trim().to_ascii_lowercase().as_str() {
            "average" | "avg" | "picamera" => Ok(Demosaic::Average),
            "bilinear" | "linear" => Ok(Demosaic::Bilinear),
            "mhc" | "malvar" | "malvar-he-cutler" | "malvarhecutler" => {
                Ok(Demosaic::MalvarHeCutler)
            }
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown demosaic algorithm {s:?} (expected average, bilinear or mhc)"),
            )),
        }
    }
}

// ---------------------------------------------------------------------------
// Sample readers and output writers
// ---------------------------------------------------------------------------

/// How mosaic samples are stored in a row of bytes.
trait Samples {
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

struct S8;
struct S16;

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
struct Depth {
    max: i32,
    /// 8-bit output: right shift.
    shr8: u32,
    /// 16-bit output: `(v << l) | (v >> r)`.
    l16: u32,
    r16: u32,
}

impl Depth {
    fn new(bits: u32) -> Depth {
        Depth {
            max: (1 << bits) - 1,
            shr8: bits - 8,
            l16: 16 - bits,
            r16: 2 * bits - 16,
        }
    }
}

/// How output pixels are written.
trait Sink {
    const BPP: usize;
    type Pair;
    fn pairs_mut(out: &mut [u8], x: usize) -> &mut [Self::Pair];
    fn write_pair(p: &mut Self::Pair, a: [i32; 3], b: [i32; 3], d: Depth);
    fn put(out: &mut [u8], x: usize, v: [i32; 3], d: Depth);
    /// Writes pixels `x0..x0 + r.len()` from planar channels.
    fn put_planar(out: &mut [u8], x0: usize, r: &[u16], g: &[u16], b: &[u16], d: Depth);
}

struct Rgb8;
struct Rgb16;

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
            unsafe { super::yuv_avx2::interleave_rgb64(&r8, &g8, &b8, o) };
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
fn reflect(i: isize, n: usize) -> usize {
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
struct RowCtx {
    w: usize,
    /// Whether even columns are green in this row.
    gfirst: bool,
    /// Whether the row's non-green colour is blue.
    blue: bool,
    /// Rows y-2..=y+2 that lie inside the image.
    valid: [bool; 5],
    order: BayerOrder,
    y: usize,
    d: Depth,
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
const CHUNK: usize = 64;

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
fn demosaic_row<S: Samples, O: Sink>(
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

/// Where the mosaic rows come from.
trait RowSource {
    /// Rows `ys` (all in range), borrowed together.
    fn rows5(&mut self, ys: [usize; 5]) -> [&[u8]; 5];
}

/// Rows straight from an 8- or 16-bit mosaic.
struct Direct<'a>(ImageRef<'a>);

impl RowSource for Direct<'_> {
    #[inline(always)]
    fn rows5(&mut self, ys: [usize; 5]) -> [&[u8]; 5] {
        let img = self.0;
        ys.map(|y| img.row(y as u32))
    }
}

/// RAW10 rows unpacked on demand into a ring of five little-endian u16 rows.
struct Raw10Ring<'a> {
    src: ImageRef<'a>,
    buf: &'a mut [u8],
    tags: [usize; 5],
    row_len: usize,
}

impl RowSource for Raw10Ring<'_> {
    #[inline(always)]
    fn rows5(&mut self, ys: [usize; 5]) -> [&[u8]; 5] {
        let rl = self.row_len;
        for y in ys {
            let slot = y % 5;
            if self.tags[slot] != y {
                let dst = &mut self.buf[slot * rl..(slot + 1) * rl];
                super::raw10::unpack_row_le_inline(self.src.row(y as u32), dst);
                self.tags[slot] = y;
            }
        }
        let buf: &[u8] = self.buf;
        ys.map(|y| &buf[(y % 5) * rl..(y % 5 + 1) * rl])
    }
}

#[inline(always)]
fn run<S: Samples, O: Sink>(
    algo: Demosaic,
    src: &mut impl RowSource,
    order: BayerOrder,
    (w, h): (usize, usize),
    d: Depth,
    out: &mut [u8],
) {
    // Mirroring needs two rows and two columns.
    let algo = if w < 2 || h < 2 {
        Demosaic::Average
    } else {
        algo
    };
    for (y, out_row) in out.chunks_exact_mut(w * O::BPP).enumerate().take(h) {
        let ys = [-2isize, -1, 0, 1, 2].map(|dy| reflect(y as isize + dy, h));
        let valid = [-2isize, -1, 0, 1, 2].map(|dy| (0..h as isize).contains(&(y as isize + dy)));
        let c0 = order.color_at(0, y);
        let c1 = order.color_at(1, y);
        let gfirst = c0 == 1;
        let ctx = RowCtx {
            w,
            gfirst,
            blue: (if gfirst { c1 } else { c0 }) == 2,
            valid,
            order,
            y,
            d,
        };
        let rows = src.rows5(ys);
        demosaic_row::<S, O>(algo, &rows, &ctx, out_row);
    }
}

simd_dispatch! {
    fn demosaic_dispatch(algo: Demosaic, src: ImageRef<'_>, deep_out: bool, ring: &mut [u8], out: &mut [u8]) {
        let (w, h) = (src.width() as usize, src.height() as usize);
        let (order, bits) = match src.format() {
            PixelFormat::Bayer(o) => (o, 8),
            PixelFormat::Bayer16 { order, bits } => (order, u32::from(bits)),
            PixelFormat::Raw10(o) => (o, 10),
            _ => return,
        };
        let d = Depth::new(bits);
        match (src.format(), deep_out) {
            (PixelFormat::Bayer(_), false) => run::<S8, Rgb8>(algo, &mut Direct(src), order, (w, h), d, out),
            (PixelFormat::Bayer(_), true) => run::<S8, Rgb16>(algo, &mut Direct(src), order, (w, h), d, out),
            (PixelFormat::Bayer16 { .. }, false) => run::<S16, Rgb8>(algo, &mut Direct(src), order, (w, h), d, out),
            (PixelFormat::Bayer16 { .. }, true) => run::<S16, Rgb16>(algo, &mut Direct(src), order, (w, h), d, out),
            (_, deep) => {
                let mut ring = Raw10Ring { src, buf: ring, tags: [usize::MAX; 5], row_len: 2 * w };
                if deep {
                    run::<S16, Rgb16>(algo, &mut ring, order, (w, h), d, out)
                } else {
                    run::<S16, Rgb8>(algo, &mut ring, order, (w, h), d, out)
                }
            }
        }
    }
}

/// Bytes of scratch [`demosaic_slice`] needs for a source of this format and
/// width (the RAW10 row ring; 0 otherwise).
pub(crate) fn scratch_len(format: PixelFormat, width: u32) -> usize {
    match format {
        PixelFormat::Raw10(_) => 10 * width as usize,
        _ => 0,
    }
}

/// Demosaics `src` into `out` (RGB888 or, when `deep`, RGB48 bytes, exactly
/// sized), using `scratch` (at least [`scratch_len`] bytes).
pub(crate) fn demosaic_slice(
    src: ImageRef<'_>,
    algo: Demosaic,
    deep: bool,
    scratch: &mut [u8],
    out: &mut [u8],
) -> Result<()> {
    if !src.format().is_bayer() {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("cannot demosaic {} (expected a bayer format)", src.format()),
        ));
    }
    let (w, h) = (src.width() as usize, src.height() as usize);
    let bpp = if deep { 6 } else { 3 };
    let want = w * h * bpp;
    if out.len() != want {
        return Err(invalid_len("demosaic output", w, want, out.len()));
    }
    let ring = scratch_len(src.format(), src.width());
    if scratch.len() < ring {
        return Err(invalid_len("demosaic scratch", w, ring, scratch.len()));
    }
    demosaic_dispatch(algo, src, deep, &mut scratch[..ring], out);
    Ok(())
}

/// Demosaics a Bayer image (8-bit, 16-bit or RAW10, any row stride) into an
/// RGB888 image, reusing `dst`'s memory.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] if `src` is not a Bayer format.
pub fn demosaic_into(src: ImageRef<'_>, algo: Demosaic, dst: &mut Image) -> Result<()> {
    demosaic_image(src, algo, false, dst)
}

/// Demosaics a Bayer image into an RGB48 image at full precision (each
/// `bits`-bit result widened to 16 bits by bit replication), reusing `dst`'s
/// memory.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] if `src` is not a Bayer format.
pub fn demosaic16_into(src: ImageRef<'_>, algo: Demosaic, dst: &mut Image) -> Result<()> {
    demosaic_image(src, algo, true, dst)
}

fn demosaic_image(src: ImageRef<'_>, algo: Demosaic, deep: bool, dst: &mut Image) -> Result<()> {
    if !src.format().is_bayer() {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("cannot demosaic {} (expected a bayer format)", src.format()),
        ));
    }
    let to = if deep {
        PixelFormat::Rgb48
    } else {
        PixelFormat::Rgb888
    };
    let (w, h) = src.size();
    let size = to.payload_size(w, h)?;
    let ring = scratch_len(src.format(), w);
    dst.reshape(to, w, h)?;
    let buf = dst.buffer_mut();
    buf.resize(size + ring, 0);
    let (out, scratch) = buf.split_at_mut(size);
    let r = demosaic_slice(src, algo, deep, scratch, out);
    buf.truncate(size);
    r
}

/// Samples an RGB888 or RGB48 image into a mosaic: each pixel keeps the channel
/// its Bayer site records. `to` is [`PixelFormat::Bayer`], [`PixelFormat::Bayer16`]
/// or [`PixelFormat::Raw10`]; 8-bit values widen by bit replication and 16-bit
/// ones narrow by dropping low bits.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] for another source or target format.
///
/// ```
/// use camreel::convert::bayer;
/// use camreel::{BayerOrder, Image, ImageRef, PixelFormat};
/// let rgb = [10u8, 20, 30, 40, 50, 60];
/// let src = ImageRef::new(PixelFormat::Rgb888, 2, 1, &rgb)?;
/// let mut m = Image::empty();
/// bayer::mosaic_into(src, PixelFormat::Bayer(BayerOrder::Rggb), &mut m)?;
/// assert_eq!(m.data(), &[10, 50]);
/// # Ok::<(), camreel::Error>(())
/// ```
pub fn mosaic_into(src: ImageRef<'_>, to: PixelFormat, dst: &mut Image) -> Result<()> {
    let (w, h) = src.size();
    if !to.is_bayer() || !matches!(src.format(), PixelFormat::Rgb888 | PixelFormat::Rgb48) {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("cannot sample {} into {}", src.format(), to),
        ));
    }
    dst.reshape(to, w, h)?;
    mosaic_slice(src, to, dst.data_mut())
}

/// [`mosaic_into`] writing into an exactly sized byte slice.
pub(crate) fn mosaic_slice(src: ImageRef<'_>, to: PixelFormat, out: &mut [u8]) -> Result<()> {
    let (w, h) = (src.width() as usize, src.height() as usize);
    let Some(order) = to.bayer_order() else {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("{to} is not a bayer format"),
        ));
    };
    let want = to.payload_size(src.width(), src.height())?;
    if out.len() != want {
        return Err(invalid_len("mosaic output", w, want, out.len()));
    }
    let deep_src = src.format() == PixelFormat::Rgb48;
    let row_bytes = want / h;
    // A sample of pixel (x, y) in 16-bit precision.
    let sample16 = |row: &[u8], x: usize, y: usize| -> u16 {
        let ch = order.color_at(x, y);
        if deep_src {
            u16::from_le_bytes([row[6 * x + 2 * ch], row[6 * x + 2 * ch + 1]])
        } else {
            u16::from(row[3 * x + ch]) * 257
        }
    };
    for (y, (row, o)) in src.rows().zip(out.chunks_exact_mut(row_bytes)).enumerate() {
        match to {
            PixelFormat::Bayer(_) if !deep_src => {
                let (px, _) = row.as_chunks::<3>();
                let t = [order.color_at(0, y), order.color_at(1, y)];
                for (x, (o, p)) in o.iter_mut().zip(px).enumerate() {
                    *o = p[t[x & 1]];
                }
            }
            PixelFormat::Bayer(_) => {
                for (x, o) in o.iter_mut().enumerate() {
                    *o = (sample16(row, x, y) >> 8) as u8;
                }
            }
            PixelFormat::Bayer16 { bits, .. } => {
                let shift = 16 - u32::from(bits);
                for (x, o) in o.chunks_exact_mut(2).enumerate() {
                    o.copy_from_slice(&(sample16(row, x, y) >> shift).to_le_bytes());
                }
            }
            _ => super::raw10::pack_row_with(w, |x| sample16(row, x, y) >> 6, o),
        }
    }
    Ok(())
}
