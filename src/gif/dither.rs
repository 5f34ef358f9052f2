//! Dithering: the 8x8 Bayer matrix of ordered dithering and the
//! Floyd-Steinberg error diffusion the encoder's mappings share.

use super::quantize::Rgb;

/// The 8x8 Bayer threshold matrix, values 0..64.
pub(super) const BAYER8: [[u8; 8]; 8] = [
    [0, 32, 8, 40, 2, 34, 10, 42],
    [48, 16, 56, 24, 50, 18, 58, 26],
    [12, 44, 4, 36, 14, 46, 6, 38],
    [60, 28, 52, 20, 62, 30, 54, 22],
    [3, 35, 11, 43, 1, 33, 9, 41],
    [51, 19, 59, 27, 49, 17, 57, 25],
    [15, 47, 7, 39, 13, 45, 5, 37],
    [63, 31, 55, 23, 61, 29, 53, 21],
];

/// Cap on the diffused error per channel (in 16ths of a level): keeps
/// Floyd-Steinberg stable where the palette lacks a colour.
pub(super) const ERR_CAP: i32 = 48 * 16;

#[inline(always)]
pub(super) fn clamp_u8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

#[inline(always)]
pub(super) fn offset(v: u8, o: i32) -> u8 {
    clamp_u8(i32::from(v) + o)
}

/// Floyd-Steinberg weights (in 16ths) of the error at `i` (index into rows
/// padded by one on each side).
#[inline(always)]
pub(super) fn spread(err: &mut [Vec<[i32; 3]>; 2], i: usize, qe: [i32; 3]) {
    for k in 0..3 {
        let e = qe[k];
        err[0][i + 1][k] += e * 7;
        err[1][i - 1][k] += e * 3;
        err[1][i][k] += e * 5;
        err[1][i + 1][k] += e;
    }
}

/// Whole-frame Floyd-Steinberg with a mapping function (fixed palettes).
pub(super) fn diffuse(
    src: &[Rgb],
    w: usize,
    out: &mut [u8],
    err: &mut [Vec<[i32; 3]>; 2],
    mut map: impl FnMut(Rgb) -> (u8, Rgb),
) {
    for e in err.iter_mut() {
        e.clear();
        e.resize(w + 2, [0; 3]);
    }
    for (srow, orow) in src.chunks_exact(w).zip(out.chunks_exact_mut(w)) {
        err.swap(0, 1);
        err[1].fill([0; 3]);
        for (x, (&s, o)) in srow.iter().zip(orow.iter_mut()).enumerate() {
            let e = err[0][x + 1].map(|v| v.clamp(-ERR_CAP, ERR_CAP));
            let t = [
                clamp_u8(i32::from(s[0]) + (e[0] >> 4)),
                clamp_u8(i32::from(s[1]) + (e[1] >> 4)),
                clamp_u8(i32::from(s[2]) + (e[2] >> 4)),
            ];
            let (i, shown) = map(t);
            *o = i;
            let qe = [
                i32::from(t[0]) - i32::from(shown[0]),
                i32::from(t[1]) - i32::from(shown[1]),
                i32::from(t[2]) - i32::from(shown[2]),
            ];
            spread(err, x + 1, qe);
        }
    }
}
