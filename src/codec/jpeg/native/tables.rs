//! Quantisation tables of the native encoder and the zigzag order.

use crate::codec::Quality;

/// Zigzag position -> natural (row-major) index (T.81 figure A.6).
pub(super) const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// The MPEG-1 default intra matrix (ISO/IEC 11172-2), natural order.
const MPEG_INTRA: [u8; 64] = [
    8, 16, 19, 22, 26, 27, 29, 34, 16, 16, 22, 24, 27, 29, 34, 37, 19, 22, 26, 27, 29, 34, 34, 38,
    22, 22, 26, 27, 29, 34, 37, 40, 22, 26, 27, 29, 32, 35, 40, 48, 26, 27, 29, 32, 35, 40, 48, 58,
    26, 27, 29, 34, 38, 46, 56, 69, 27, 29, 35, 38, 46, 56, 69, 83,
];

/// What the encoder quantises with: the two tables (natural order, 1-255)
/// and the rounding offsets.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Tuning {
    pub(super) luma: [u8; 64],
    pub(super) chroma: [u8; 64],
    pub(super) dc_bias: f32,
    pub(super) ac_bias: f32,
}

/// `(quality, scale)` knots of the table scale: the MPEG matrix times this.
/// Calibrated on the 640x480 anchor sequence (camera-like: texture, edges,
/// sensor noise) so that every quality keeps at least the RGB PSNR of
/// libjpeg's 4:2:0 file at the same quality (decoded with fancy upsampling,
/// libjpeg's own decoder, which is kinder to 4:2:0 than ffmpeg's), less 3 %
/// for margin; past 90, where libjpeg's 4:2:0 stops improving, the scale
/// keeps falling until every step is 1 at quality 100.
const SCALE_KNOTS: [(u8, f64); 12] = [
    (1, 12.6),
    (10, 7.18),
    (25, 2.81),
    (40, 2.10),
    (55, 1.72),
    (70, 1.35),
    (80, 1.065),
    (85, 0.948),
    (90, 0.814),
    (95, 0.40),
    (98, 0.15),
    (100, 0.0121),
];

/// The table scale for `quality`: log-linear between the knots.
fn scale(quality: Quality) -> f64 {
    let q = quality.get();
    for pair in SCALE_KNOTS.windows(2) {
        let [(q0, s0), (q1, s1)] = [pair[0], pair[1]];
        if (q0..=q1).contains(&q) {
            let t = f64::from(q - q0) / f64::from(q1 - q0);
            return (s0.ln() + t * (s1.ln() - s0.ln())).exp();
        }
    }
    SCALE_KNOTS[SCALE_KNOTS.len() - 1].1
}

fn scaled(base: &[u8; 64], scale: f64) -> [u8; 64] {
    base.map(|v| (f64::from(v) * scale).round().clamp(1.0, 255.0) as u8)
}

impl Tuning {
    /// The tables for `quality`: the MPEG-1 intra matrix scaled (the same
    /// for luma and chroma: PSNR weighs their errors about alike), DC
    /// rounded to nearest and AC coefficients with a 3/8 rounding offset.
    pub(super) fn for_quality(quality: Quality) -> Tuning {
        let table = scaled(&MPEG_INTRA, scale(quality));
        Tuning {
            luma: table,
            chroma: table,
            dc_bias: 0.5,
            ac_bias: 0.375,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_follow_the_quality() {
        let t = |q: u8| Tuning::for_quality(Quality::new(q).unwrap());
        assert_eq!(t(100).luma, [1; 64]);
        assert_eq!(&t(1).luma[..4], &[101, 202, 239, 255]);
        let mut last = t(1).luma;
        for q in 2..=100 {
            let now = t(q).luma;
            assert!(now.iter().zip(&last).all(|(a, b)| a <= b), "q{q}");
            last = now;
        }
        // The knots: quality 85 is the MPEG matrix times 0.948.
        assert_eq!(t(85).luma[0], 8);
        assert_eq!(t(85).luma[63], 79);
        assert_eq!(t(85).luma, t(85).chroma);
        assert!((scale(Quality::new(85).unwrap()) - 0.948).abs() < 1e-12);
    }
}
