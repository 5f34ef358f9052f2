//! Conversions against hand-computed values and straightforward references.

// The references index planes and windows the way the numpy recipe does.
#![allow(clippy::needless_range_loop)]

use camreel::codec::{self, Quality, TranscodeOptions};
use camreel::convert::{
    self, ConvertOptions, Demosaic, bayer, gray, pixel, raw10, rgb565, yuv, yuv422,
};
use camreel::{BayerOrder, ErrorKind, Image, ImageRef, Limits, PixelFormat};
use proptest::prelude::*;

fn conv(format: PixelFormat, w: u32, h: u32, data: &[u8], to: PixelFormat) -> Vec<u8> {
    let src = ImageRef::new(format, w, h, data).unwrap();
    let out = convert::convert(src, to).unwrap();
    assert_eq!((out.format(), out.size()), (to, (w, h)));
    out.into_vec()
}

fn conv_with(
    format: PixelFormat,
    w: u32,
    h: u32,
    data: &[u8],
    to: PixelFormat,
    opts: &ConvertOptions,
) -> Vec<u8> {
    let src = ImageRef::new(format, w, h, data).unwrap();
    let mut out = Image::empty();
    convert::convert_with(src, to, opts, &mut out).unwrap();
    out.into_vec()
}

/// Deterministic pseudo-random bytes.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

fn le16(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_le16(b: &[u8]) -> Vec<u16> {
    b.chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect()
}

// ---------------------------------------------------------------------------
// Hand-computed values
// ---------------------------------------------------------------------------

#[test]
fn rgb565_both_ways() {
    // red, green, blue, white, and 0b01000_010000_00100.
    let px: Vec<u8> = le16(&[0xF800, 0x07E0, 0x001F, 0xFFFF, 0x4204]);
    let rgb = conv(PixelFormat::Rgb565, 5, 1, &px, PixelFormat::Rgb888);
    assert_eq!(
        rgb,
        [
            255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0x42, 0x41, 0x21
        ]
    );
    assert_eq!(
        conv(PixelFormat::Rgb888, 5, 1, &rgb, PixelFormat::Rgb565),
        px
    );
    // Rounding: level 16.5 of 31 is 135.7 of 255, so 135 -> 16 and 136 -> 17
    // (truncation would give 16 for both).
    let mut out = [0u8; 2];
    rgb565::rgb888_to_rgb565(&[136, 0, 0], &mut out).unwrap();
    assert_eq!(u16::from_le_bytes(out) >> 11, 17);
    rgb565::rgb888_to_rgb565(&[135, 0, 0], &mut out).unwrap();
    assert_eq!(u16::from_le_bytes(out) >> 11, 16);
}

#[test]
fn gray_rgb_and_binary() {
    let rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
    // (77*10 + 150*20 + 29*30 + 128) >> 8 = (770 + 3000 + 870 + 128) >> 8 = 18
    assert_eq!(
        conv(PixelFormat::Rgb888, 2, 2, &rgb, PixelFormat::Grayscale),
        [77, 149, 29, 18]
    );
    assert_eq!(
        conv(
            PixelFormat::Grayscale,
            3,
            1,
            &[0, 128, 255],
            PixelFormat::Rgb888
        ),
        [0, 0, 0, 128, 128, 128, 255, 255, 255]
    );
    // 33x2 gray: row 0 ramps, row 1 constant 200.
    let mut g: Vec<u8> = (0..33).map(|x| (x * 8) as u8).collect();
    g.extend(std::iter::repeat_n(200u8, 33));
    let bin = conv(PixelFormat::Grayscale, 33, 2, &g, PixelFormat::Binary);
    // x*8 > 127 for 16 <= x < 32: bits 16..31 of word 0; pixel 32 wraps to 0.
    assert_eq!(
        bin,
        [
            0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0
        ]
    );
    let back = conv(PixelFormat::Binary, 33, 2, &bin, PixelFormat::Grayscale);
    let want: Vec<u8> = g.iter().map(|&v| if v > 127 { 255 } else { 0 }).collect();
    assert_eq!(back, want);
    // A custom threshold, from colour through luma.
    let opts = ConvertOptions::default().with_threshold(20);
    let bin = conv_with(PixelFormat::Rgb888, 4, 1, &rgb, PixelFormat::Binary, &opts);
    assert_eq!(bin, [0b0111, 0, 0, 0]);
    // BINARY to colour is black or white.
    assert_eq!(
        conv(
            PixelFormat::Binary,
            2,
            1,
            &[0b10, 0, 0, 0],
            PixelFormat::Rgb888
        ),
        [0, 0, 0, 255, 255, 255]
    );
}

#[test]
fn argb_and_bgr() {
    let rgb = [1, 2, 3, 4, 5, 6];
    assert_eq!(
        conv(PixelFormat::Rgb888, 2, 1, &rgb, PixelFormat::Argb8),
        [3, 2, 1, 255, 6, 5, 4, 255]
    );
    assert_eq!(
        conv(
            PixelFormat::Argb8,
            2,
            1,
            &[3, 2, 1, 255, 6, 5, 4, 255],
            PixelFormat::Rgb888
        ),
        rgb
    );
    // Alpha composites over ALPHA_BACKGROUND (black): transparent is black,
    // and a quarter alpha darkens to a quarter.
    assert_eq!(convert::ALPHA_BACKGROUND, [0, 0, 0]);
    assert_eq!(
        conv(
            PixelFormat::Argb8,
            2,
            1,
            &[3, 2, 1, 0, 200, 120, 40, 64],
            PixelFormat::Rgb888
        ),
        [0, 0, 0, 10, 30, 50]
    );
    assert_eq!(
        conv(PixelFormat::Rgb888, 2, 1, &rgb, PixelFormat::Bgr888),
        [3, 2, 1, 6, 5, 4]
    );
    // ARGB8 -> BGR888 goes through the hub.
    assert_eq!(
        conv(
            PixelFormat::Argb8,
            2,
            1,
            &[3, 2, 1, 255, 6, 5, 4, 255],
            PixelFormat::Bgr888
        ),
        [3, 2, 1, 6, 5, 4]
    );
}

#[test]
fn depth_changes() {
    assert_eq!(
        conv(
            PixelFormat::Grayscale,
            2,
            1,
            &[0x12, 0xFF],
            PixelFormat::Gray16
        ),
        [0x12, 0x12, 0xFF, 0xFF]
    );
    assert_eq!(
        conv(
            PixelFormat::Gray16,
            2,
            1,
            &[0x34, 0x12, 0xFF, 0xFF],
            PixelFormat::Grayscale
        ),
        [0x12, 0xFF]
    );
    assert_eq!(
        conv(PixelFormat::Rgb888, 1, 1, &[1, 2, 3], PixelFormat::Rgb48),
        [1, 1, 2, 2, 3, 3]
    );
    assert_eq!(
        conv(
            PixelFormat::Rgb48,
            1,
            1,
            &[0, 1, 0xFF, 2, 0x80, 3],
            PixelFormat::Rgb888
        ),
        [1, 2, 3]
    );
    // Gray16 <-> RGB48 keeps all 16 bits (hub RGB48).
    let g16 = le16(&[0x1234, 0xFFFF]);
    let rgb48 = conv(PixelFormat::Gray16, 2, 1, &g16, PixelFormat::Rgb48);
    assert_eq!(
        from_le16(&rgb48),
        [0x1234, 0x1234, 0x1234, 0xFFFF, 0xFFFF, 0xFFFF]
    );
    assert_eq!(
        conv(PixelFormat::Rgb48, 2, 1, &rgb48, PixelFormat::Gray16),
        g16
    );
    // Gray8 -> RGB48 -> Gray16 through luma16 of replicated values.
    assert_eq!(
        conv(PixelFormat::Rgb888, 1, 1, &[255, 0, 0], PixelFormat::Gray16),
        ((19595u64 * 65535 + 32768) >> 16).to_le_bytes()[..2]
    );
}

#[test]
fn yuv422_odd_width() {
    // 3x1 YUYV: pair (Y 76, U 85, Y 235, V 255), then a lone pixel (Y 16, U 200).
    // OpenMV's YUV422 is full-range YCbCr: (76, 85, 255) is red.
    let yuyv = [76, 85, 235, 255, 16, 200];
    let rgb = conv(PixelFormat::Yuv422, 3, 1, &yuyv, PixelFormat::Rgb888);
    assert_eq!(&rgb[..3], &yuv422::ycbcr_to_rgb(76, 85, 255));
    assert_eq!(&rgb[3..6], &yuv422::ycbcr_to_rgb(235, 85, 255));
    // The last pixel borrows V from the pair to its left.
    assert_eq!(&rgb[6..], &yuv422::ycbcr_to_rgb(16, 200, 255));
    assert_eq!(&rgb[..3], &[254, 1, 0]);
    // YVYU swaps the chroma bytes.
    let yvyu = [76, 255, 235, 85, 16, 200];
    let rgb2 = conv(PixelFormat::Yvu422, 3, 1, &yvyu, PixelFormat::Rgb888);
    assert_eq!(&rgb2[..6], &rgb[..6]);
    assert_eq!(&rgb2[6..], &yuv422::ycbcr_to_rgb(16, 85, 200));
    // One pixel wide: neutral partner chroma; full range, so Y 255 is white.
    let one = conv(PixelFormat::Yuv422, 1, 1, &[255, 128], PixelFormat::Rgb888);
    assert_eq!(one, [255, 255, 255]);
    let one = conv(PixelFormat::Yuv422, 1, 1, &[235, 128], PixelFormat::Rgb888);
    assert_eq!(one, [235, 235, 235]);
    // BGR output of the direct path.
    let bgr = conv(PixelFormat::Yuv422, 3, 1, &yuyv, PixelFormat::Bgr888);
    assert_eq!(&bgr[..3], &[0, 1, 254]);
    // GRAYSCALE is the Y samples.
    let gray = conv(PixelFormat::Yuv422, 3, 1, &yuyv, PixelFormat::Grayscale);
    assert_eq!(gray, [76, 235, 16]);
    // And back: white and black pair (chroma neutral), then red alone.
    let enc = conv(
        PixelFormat::Rgb888,
        3,
        1,
        &[255, 255, 255, 0, 0, 0, 255, 0, 0],
        PixelFormat::Yuv422,
    );
    assert_eq!(enc, [255, 128, 0, 128, 76, 85]);
    let enc = conv(
        PixelFormat::Rgb888,
        3,
        1,
        &[255, 255, 255, 0, 0, 0, 255, 0, 0],
        PixelFormat::Yvu422,
    );
    assert_eq!(enc, [255, 128, 0, 128, 76, 255]);
}

#[test]
fn yuv420_and_nv12_odd_sizes() {
    // 3x3: Y 9 bytes, U and V 2x2 each.
    let y: Vec<u8> = (0..9).map(|i| 20 + 25 * i as u8).collect();
    let u = [60, 120, 180, 240];
    let v = [250, 200, 100, 30];
    let mut i420 = y.clone();
    i420.extend_from_slice(&u);
    i420.extend_from_slice(&v);
    let rgb = conv(PixelFormat::Yuv420, 3, 3, &i420, PixelFormat::Rgb888);
    for py in 0..3 {
        for px in 0..3 {
            let c = (py / 2) * 2 + px / 2;
            let want = yuv::yuv_to_rgb_pixel(y[py * 3 + px], u[c], v[c]);
            assert_eq!(&rgb[(py * 3 + px) * 3..][..3], &want, "({px},{py})");
        }
    }
    let mut nv12 = y.clone();
    for i in 0..4 {
        nv12.extend_from_slice(&[u[i], v[i]]);
    }
    assert_eq!(
        conv(PixelFormat::Nv12, 3, 3, &nv12, PixelFormat::Rgb888),
        rgb
    );
    let bgr = conv(PixelFormat::Nv12, 3, 3, &nv12, PixelFormat::Bgr888);
    let swapped: Vec<u8> = rgb.chunks(3).flat_map(|p| [p[2], p[1], p[0]]).collect();
    assert_eq!(bgr, swapped);
    assert_eq!(
        conv(PixelFormat::Yuv420, 3, 3, &i420, PixelFormat::Bgr888),
        swapped
    );
    // YUV -> YUV goes through RGB and back; I420 <-> NV12 reorders chroma.
    let back = conv(PixelFormat::Rgb888, 3, 3, &rgb, PixelFormat::Nv12);
    assert_eq!(back.len(), 9 + 8);
}

#[test]
fn rgb_to_yuv420_averages_blocks() {
    // 3x2: block (0..2, 0..2) is red, red, white, black; column 2 is blue, blue.
    #[rustfmt::skip]
    let rgb = [
        255, 0, 0,   255, 0, 0,   0, 0, 255,
        255, 255, 255, 0, 0, 0,   0, 0, 255,
    ];
    let out = conv(PixelFormat::Rgb888, 3, 2, &rgb, PixelFormat::Yuv420);
    let (y, c) = out.split_at(6);
    assert_eq!(y, [82, 82, 41, 235, 16, 41]);
    // Block 0 sums: R = 765, G = 255, B = 255; U = ((-38*765 - 74*255 + 112*255 + 512) >> 10) + 128
    // = (-29070 - 18870 + 28560 + 512) >> 10 = -18868 >> 10 = -19 -> 109;
    // V = ((112*765 - 94*255 - 18*255 + 512) >> 10) + 128 = (85680 - 28560 + 512) >> 10 = 56 -> 184.
    // Block 1 (two blues): U = ((112*510 + 256) >> 9) + 128 = 112 + 128 = 240, V = ((-18*510 + 256) >> 9) + 128 = -18 + 128 = 110.
    assert_eq!(c, [109, 240, 184, 110]);
    let nv = conv(PixelFormat::Rgb888, 3, 2, &rgb, PixelFormat::Nv12);
    assert_eq!(&nv[6..], [109, 184, 240, 110]);
    // The slice API agrees.
    let (mut yy, mut u, mut v) = ([0u8; 6], [0u8; 2], [0u8; 2]);
    yuv::rgb_to_i420(&rgb, 3, 2, &mut yy, &mut u, &mut v).unwrap();
    assert_eq!(
        (yy, u, v),
        ([82, 82, 41, 235, 16, 41], [109, 240], [184, 110])
    );
}

#[test]
fn yuv_round_trip_is_close() {
    let rgb = noise(3 * 17 * 9, 5);
    let yuv = conv(PixelFormat::Rgb888, 17, 9, &rgb, PixelFormat::Yuv420);
    let back = conv(PixelFormat::Yuv420, 17, 9, &yuv, PixelFormat::Rgb888);
    // Luma survives; chroma is shared, so only compare the gray levels.
    let l1 = conv(PixelFormat::Rgb888, 17, 9, &rgb, PixelFormat::Grayscale);
    let l2 = conv(PixelFormat::Rgb888, 17, 9, &back, PixelFormat::Grayscale);
    let mean_err: f64 = l1
        .iter()
        .zip(&l2)
        .map(|(a, b)| f64::from(a.abs_diff(*b)))
        .sum::<f64>()
        / l1.len() as f64;
    assert!(mean_err < 12.0, "mean luma error {mean_err}");
}

/// The float formula of SPEC section 6.
fn yuv_float(y: u8, u: u8, v: u8) -> [f64; 3] {
    let (y, u, v) = (
        f64::from(y) - 16.0,
        f64::from(u) - 128.0,
        f64::from(v) - 128.0,
    );
    [
        1.164 * y + 1.596 * v,
        1.164 * y - 0.392 * u - 0.813 * v,
        1.164 * y + 2.017 * u,
    ]
    .map(|c| c.clamp(0.0, 255.0))
}

#[test]
fn yuv_within_one_of_float_for_every_triple() {
    let mut worst = 0.0f64;
    for y in 0..=255u8 {
        for u in 0..=255u8 {
            for v in 0..=255u8 {
                let got = yuv::yuv_to_rgb_pixel(y, u, v);
                let want = yuv_float(y, u, v);
                for c in 0..3 {
                    worst = worst.max((f64::from(got[c]) - want[c]).abs());
                }
            }
        }
    }
    assert!(worst < 1.0, "worst error {worst}");
}

#[test]
fn raw10_pack_unpack_through_convert() {
    let px: Vec<u16> = vec![1023, 0, 512, 3, 1, 1022, 77];
    let b16 = PixelFormat::Bayer16 {
        order: BayerOrder::Grbg,
        bits: 10,
    };
    let r10 = PixelFormat::Raw10(BayerOrder::Grbg);
    let packed = conv(b16, 7, 1, &le16(&px), r10);
    assert_eq!(
        packed,
        [255, 0, 128, 0, 0b11_00_00_11, 0, 255, 19, 0, 0b01_10_01]
    );
    assert_eq!(from_le16(&conv(r10, 7, 1, &packed, b16)), px);
    // RAW10 -> 8-bit Bayer drops the low 2 bits; -> 12-bit widens by replication.
    assert_eq!(
        conv(r10, 7, 1, &packed, PixelFormat::Bayer(BayerOrder::Grbg)),
        [255, 0, 128, 0, 0, 255, 19]
    );
    let b12 = conv(
        r10,
        7,
        1,
        &packed,
        PixelFormat::Bayer16 {
            order: BayerOrder::Grbg,
            bits: 12,
        },
    );
    assert_eq!(from_le16(&b12), [4095, 0, 2050, 12, 4, 4091, 308]);
    // A 10-bit Bayer16 sample above 1023 cannot be packed.
    let bad = le16(&[1024]);
    let e = convert::convert(ImageRef::new(b16, 1, 1, &bad).unwrap(), r10).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn raw10_strided_rows() {
    // 6x3 RAW10 rows take 10 bytes; stored 16 apart with junk padding.
    let w = 6;
    let vals: Vec<u16> = (0..18).map(|i| (i * 61 % 1024) as u16).collect();
    let mut buf = vec![0xA5u8; 16 * 3];
    for y in 0..3 {
        raw10::pack_row(&vals[y * w..(y + 1) * w], &mut buf[16 * y..16 * y + 10]).unwrap();
    }
    let src = ImageRef::with_stride(PixelFormat::Raw10(BayerOrder::Bggr), 6, 3, 16, &buf).unwrap();
    let mut un = Image::empty();
    raw10::unpack(src, &mut un).unwrap();
    assert_eq!(from_le16(un.data()), vals);
    for algo in Demosaic::ALL {
        let opts = ConvertOptions::default().with_demosaic(algo);
        let mut a = Image::empty();
        let mut b = Image::empty();
        convert::convert_with(src, PixelFormat::Rgb48, &opts, &mut a).unwrap();
        convert::convert_with(un.view(), PixelFormat::Rgb48, &opts, &mut b).unwrap();
        assert_eq!(a, b, "{algo}");
    }
}

#[test]
fn rgb_to_mosaic_samples_every_order() {
    // 3x2 image, pixel (x, y) = [10x + y + 1, 100 + 10x + y, 200 + 10x + y].
    let mut rgb = Vec::new();
    for y in 0..2u8 {
        for x in 0..3u8 {
            rgb.extend_from_slice(&[10 * x + y + 1, 100 + 10 * x + y, 200 + 10 * x + y]);
        }
    }
    for order in BayerOrder::ALL {
        let m = conv(PixelFormat::Rgb888, 3, 2, &rgb, PixelFormat::Bayer(order));
        for y in 0..2 {
            for x in 0..3 {
                let ch = order.color_at(x, y);
                assert_eq!(m[y * 3 + x], rgb[(y * 3 + x) * 3 + ch], "{order} ({x},{y})");
            }
        }
        let m16 = conv(
            PixelFormat::Rgb888,
            3,
            2,
            &rgb,
            PixelFormat::Bayer16 { order, bits: 12 },
        );
        let want: Vec<u16> = m
            .iter()
            .map(|&v| pixel::widen_to_16(u16::from(v), 8) >> 4)
            .collect();
        assert_eq!(from_le16(&m16), want);
        let r10 = conv(PixelFormat::Rgb888, 3, 2, &rgb, PixelFormat::Raw10(order));
        let mut row = [0u16; 3];
        raw10::unpack_row(&r10[5..], &mut row).unwrap();
        let want: Vec<u16> = m[3..]
            .iter()
            .map(|&v| (u16::from(v) << 2) | u16::from(v >> 6))
            .collect();
        assert_eq!(row.to_vec(), want);
    }
}

#[test]
fn average_demosaic_hand_values() {
    // 3x3 BGGR:   B=10  G=20  B=30
    //             G=40  R=50  G=60
    //             B=70  G=80  B=90
    let m = [10u8, 20, 30, 40, 50, 60, 70, 80, 90];
    let src = ImageRef::new(PixelFormat::Bayer(BayerOrder::Bggr), 3, 3, &m).unwrap();
    let mut out = Image::empty();
    bayer::demosaic_into(src, Demosaic::Average, &mut out).unwrap();
    let px = |x: usize, y: usize| &out.data()[(y * 3 + x) * 3..][..3];
    // Centre (R site): R = 50, G = (20+40+60+80)/4 = 50, B = (10+30+70+90)/4 = 50.
    assert_eq!(px(1, 1), [50, 50, 50]);
    // (0,0) B site: window has B 10; G 20, 40 -> 30; R 50.
    assert_eq!(px(0, 0), [50, 30, 10]);
    // (1,0) G site: G sites 20, 40, 60 -> 40; B 10, 30 -> 20; R 50.
    assert_eq!(px(1, 0), [50, 40, 20]);
    // (1,2) G site: G = (80 + 40 + 60) / 3 = 60; B = (70 + 90) / 2 = 80; R = 50.
    assert_eq!(px(1, 2), [50, 60, 80]);
    // Bilinear at the centre is the same; at (0,0) the mirror reads (1,1) for
    // all four diagonals and (1,0)/(0,1) twice each.
    bayer::demosaic_into(src, Demosaic::Bilinear, &mut out).unwrap();
    assert_eq!(&out.data()[12..15], &[50, 50, 50]);
    assert_eq!(&out.data()[..3], &[50, 30, 10]);
}

// ---------------------------------------------------------------------------
// Demosaic references
// ---------------------------------------------------------------------------

/// The picamera recipe transcribed literally: per plane, a zero-padded copy of
/// the samples at that colour's sites and of the site mask, 3x3 sums of both,
/// floor division (0 where the mask sum is 0).
fn reference_average(m: &[u16], w: usize, h: usize, order: BayerOrder) -> Vec<[u32; 3]> {
    let mut out = vec![[0u32; 3]; w * h];
    for plane in 0..3 {
        let mut rgb = vec![0u32; (w + 2) * (h + 2)];
        let mut mask = vec![0u32; (w + 2) * (h + 2)];
        for y in 0..h {
            for x in 0..w {
                if order.color_at(x, y) == plane {
                    rgb[(y + 1) * (w + 2) + x + 1] = u32::from(m[y * w + x]);
                    mask[(y + 1) * (w + 2) + x + 1] = 1;
                }
            }
        }
        for y in 0..h {
            for x in 0..w {
                let (mut s, mut c) = (0, 0);
                for dy in 0..3 {
                    for dx in 0..3 {
                        s += rgb[(y + dy) * (w + 2) + x + dx];
                        c += mask[(y + dy) * (w + 2) + x + dx];
                    }
                }
                out[y * w + x][plane] = s.checked_div(c).unwrap_or(0);
            }
        }
    }
    out
}

fn reflect(i: isize, n: usize) -> usize {
    let n = n as isize;
    let mut i = i;
    while i < 0 || i >= n {
        i = if i < 0 { -i } else { 2 * (n - 1) - i };
    }
    i as usize
}

/// Bilinear and Malvar-He-Cutler written directly from their definitions with
/// reflect-101 borders (images at least 2x2).
fn reference_linear(
    m: &[u16],
    w: usize,
    h: usize,
    order: BayerOrder,
    mhc: bool,
    max: i64,
) -> Vec<[u32; 3]> {
    let mut out = vec![[0u32; 3]; w * h];
    for y in 0..h {
        for x in 0..w {
            let s = |dx: isize, dy: isize| -> i64 {
                i64::from(m[reflect(y as isize + dy, h) * w + reflect(x as isize + dx, w)])
            };
            let own = order.color_at(x, y);
            // The colour to the left/right of this pixel, and above/below.
            let horiz_c = order.color_at(x + 1, y);
            let vert_c = order.color_at(x, y + 1);
            let mut px = [0i64; 3];
            px[own] = s(0, 0);
            let round = |v: i64, d: i64| (v + d / 2).div_euclid(d);
            if own == 1 {
                // Green site: the row colour lies horizontally.
                if mhc {
                    let c = s(0, 0);
                    let diag = s(-1, -1) + s(1, -1) + s(-1, 1) + s(1, 1);
                    // Weights x8: 5 centre, 4 near pair, -1 far pair, -1 diagonals, 1/2 far perpendicular pair.
                    let h2 =
                        10 * c + 8 * (s(-1, 0) + s(1, 0)) - 2 * (s(-2, 0) + s(2, 0)) - 2 * diag
                            + (s(0, -2) + s(0, 2));
                    let v2 =
                        10 * c + 8 * (s(0, -1) + s(0, 1)) - 2 * (s(0, -2) + s(0, 2)) - 2 * diag
                            + (s(-2, 0) + s(2, 0));
                    px[horiz_c] = round(h2, 16).clamp(0, max);
                    px[vert_c] = round(v2, 16).clamp(0, max);
                } else {
                    px[horiz_c] = round(s(-1, 0) + s(1, 0), 2);
                    px[vert_c] = round(s(0, -1) + s(0, 1), 2);
                }
            } else {
                let opp = 2 - own;
                let cross = s(-1, 0) + s(1, 0) + s(0, -1) + s(0, 1);
                let diag = s(-1, -1) + s(1, -1) + s(-1, 1) + s(1, 1);
                if mhc {
                    let far = s(-2, 0) + s(2, 0) + s(0, -2) + s(0, 2);
                    px[1] = round(8 * s(0, 0) + 4 * cross - 2 * far, 16).clamp(0, max);
                    px[opp] = round(12 * s(0, 0) + 4 * diag - 3 * far, 16).clamp(0, max);
                } else {
                    px[1] = round(cross, 4);
                    px[opp] = round(diag, 4);
                }
            }
            out[y * w + x] = px.map(|v| v as u32);
        }
    }
    out
}

fn reference(
    m: &[u16],
    w: usize,
    h: usize,
    order: BayerOrder,
    algo: Demosaic,
    bits: u32,
) -> Vec<[u32; 3]> {
    let max = (1i64 << bits) - 1;
    match algo {
        _ if w < 2 || h < 2 => reference_average(m, w, h, order),
        Demosaic::Average => reference_average(m, w, h, order),
        Demosaic::Bilinear => reference_linear(m, w, h, order, false, max),
        _ => reference_linear(m, w, h, order, true, max),
    }
}

/// Runs `src` through the crate at 8 and 16 bits and compares with `want`
/// (native-depth values).
fn check_demosaic(src: ImageRef<'_>, algo: Demosaic, bits: u32, want: &[[u32; 3]], what: &str) {
    let mut out8 = Image::empty();
    let mut out16 = Image::empty();
    bayer::demosaic_into(src, algo, &mut out8).unwrap();
    bayer::demosaic16_into(src, algo, &mut out16).unwrap();
    let got16 = from_le16(out16.data());
    for (i, px) in want.iter().enumerate() {
        for c in 0..3 {
            let v = px[c];
            assert_eq!(
                u32::from(out8.data()[3 * i + c]),
                v >> (bits - 8),
                "{what}: pixel {i} channel {c}"
            );
            let wide = pixel::widen_to_16(v as u16, bits as u8);
            assert_eq!(
                got16[3 * i + c],
                wide,
                "{what}: 16-bit pixel {i} channel {c}"
            );
        }
    }
}

/// Sizes for the demosaic references: tiny and odd ones for the edges, and
/// rows of more than two 64-pixel chunks (the planar kernels and their AVX2
/// interleave only run on whole chunks).
const SIZES: [(usize, usize); 11] = [
    (1, 1),
    (1, 4),
    (5, 1),
    (2, 2),
    (3, 5),
    (7, 3),
    (9, 8),
    (13, 11),
    (40, 7),
    (131, 4),
    (200, 3),
];

#[test]
fn demosaic_matches_references_8bit() {
    for (i, &(w, h)) in SIZES.iter().enumerate() {
        let m8 = noise(w * h, i as u64);
        let m: Vec<u16> = m8.iter().map(|&v| u16::from(v)).collect();
        for order in BayerOrder::ALL {
            let src = ImageRef::new(PixelFormat::Bayer(order), w as u32, h as u32, &m8).unwrap();
            for algo in Demosaic::ALL {
                let want = reference(&m, w, h, order, algo, 8);
                check_demosaic(
                    src,
                    algo,
                    8,
                    &want,
                    &format!("{w}x{h} {order} {algo} 8-bit"),
                );
            }
        }
    }
}

#[test]
fn demosaic_matches_references_deep() {
    for (i, &(w, h)) in SIZES.iter().enumerate() {
        for bits in [10u32, 12, 16] {
            let raw = noise(2 * w * h, 100 + i as u64 + u64::from(bits));
            let m: Vec<u16> = from_le16(&raw).iter().map(|v| v >> (16 - bits)).collect();
            let bytes = le16(&m);
            for order in BayerOrder::ALL {
                let f = PixelFormat::Bayer16 {
                    order,
                    bits: bits as u8,
                };
                let src = ImageRef::new(f, w as u32, h as u32, &bytes).unwrap();
                let mut packed = Image::empty();
                if bits == 10 {
                    raw10::pack(src, &mut packed).unwrap();
                }
                for algo in Demosaic::ALL {
                    let want = reference(&m, w, h, order, algo, bits);
                    let what = format!("{w}x{h} {order} {algo} {bits}-bit");
                    check_demosaic(src, algo, bits, &want, &what);
                    if bits == 10 {
                        check_demosaic(packed.view(), algo, 10, &want, &format!("{what} RAW10"));
                    }
                }
            }
        }
    }
}

#[test]
fn average_green_uses_five_sites() {
    // At an interior green site the recipe averages the pixel and its four
    // diagonal greens: (100 + 4 * 0) / 5 = 20.
    let mut m = vec![0u8; 25];
    m[2 * 5 + 1] = 100; // (1, 2) is green in RGGB (row 2 = R G R G R).
    let src = ImageRef::new(PixelFormat::Bayer(BayerOrder::Rggb), 5, 5, &m).unwrap();
    let mut out = Image::empty();
    bayer::demosaic_into(src, Demosaic::Average, &mut out).unwrap();
    assert_eq!(out.data()[(2 * 5 + 1) * 3 + 1], 20);
}

// ---------------------------------------------------------------------------
// Memory reuse
// ---------------------------------------------------------------------------

#[test]
fn into_forms_reuse_memory() {
    let m = noise(64 * 48, 9);
    let raw = noise(80 * 48, 10);
    let y420 = noise(64 * 48 * 3 / 2, 11);
    let cases: Vec<(ImageRef<'_>, PixelFormat)> = vec![
        (
            ImageRef::new(PixelFormat::Bayer(BayerOrder::Rggb), 64, 48, &m).unwrap(),
            PixelFormat::Rgb888,
        ),
        (
            ImageRef::new(PixelFormat::Bayer(BayerOrder::Rggb), 64, 48, &m).unwrap(),
            PixelFormat::Yuv420,
        ),
        (
            ImageRef::new(PixelFormat::Raw10(BayerOrder::Gbrg), 64, 48, &raw).unwrap(),
            PixelFormat::Rgb48,
        ),
        (
            ImageRef::new(PixelFormat::Raw10(BayerOrder::Gbrg), 64, 48, &raw).unwrap(),
            PixelFormat::Gray16,
        ),
        (
            ImageRef::new(PixelFormat::Yuv420, 64, 48, &y420).unwrap(),
            PixelFormat::Rgb888,
        ),
        (
            ImageRef::new(PixelFormat::Yuv420, 64, 48, &y420).unwrap(),
            PixelFormat::Rgb565,
        ),
        (
            ImageRef::new(PixelFormat::Grayscale, 64, 48, &m).unwrap(),
            PixelFormat::Binary,
        ),
    ];
    for (src, to) in cases {
        for algo in Demosaic::ALL {
            let opts = ConvertOptions::default().with_demosaic(algo);
            let mut dst = Image::empty();
            convert::convert_with(src, to, &opts, &mut dst).unwrap();
            let first = dst.clone();
            let (ptr, cap) = (dst.data().as_ptr(), dst.capacity());
            for _ in 0..3 {
                convert::convert_with(src, to, &opts, &mut dst).unwrap();
                assert_eq!(
                    (dst.data().as_ptr(), dst.capacity()),
                    (ptr, cap),
                    "{} -> {to}",
                    src.format()
                );
            }
            assert_eq!(dst, first);
        }
    }
    // Slice kernels write into the caller's buffer.
    let mut out = vec![0u8; 64 * 48 * 3];
    let src = ImageRef::new(PixelFormat::Yuv420, 64, 48, &y420).unwrap();
    let (y, u, v) = src.yuv420_planes().unwrap();
    let ptr = out.as_ptr();
    yuv::i420_to_rgb(y, u, v, 64, 48, &mut out).unwrap();
    assert_eq!(out.as_ptr(), ptr);
    assert_eq!(
        out,
        convert::convert(src, PixelFormat::Rgb888)
            .unwrap()
            .into_vec()
    );
}

// ---------------------------------------------------------------------------
// Encoded formats go through codec::transcode; convert refuses them
// ---------------------------------------------------------------------------

#[test]
fn encoded_sources_and_targets() {
    let mut rgb = Vec::new();
    for y in 0..6u8 {
        for x in 0..10u8 {
            rgb.extend([x * 20, y * 30, 100]);
        }
    }
    let src = ImageRef::new(PixelFormat::Rgb888, 10, 6, &rgb).unwrap();
    // PNG is lossless: RGB888 -> PNG -> RGB565 equals RGB888 -> RGB565.
    let png = codec::transcode(src, PixelFormat::Png).unwrap();
    assert_eq!((png.format(), png.size()), (PixelFormat::Png, (10, 6)));
    assert_eq!(&png.data()[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        codec::transcode(png.view(), PixelFormat::Rgb565).unwrap(),
        convert::convert(src, PixelFormat::Rgb565).unwrap()
    );
    // Between uncompressed formats transcode is convert.
    assert_eq!(
        codec::transcode(src, PixelFormat::Yuv420).unwrap(),
        convert::convert(src, PixelFormat::Yuv420).unwrap()
    );
    // JPEG at quality 100 comes back close (4:2:0 chroma blurs the 20-level
    // red steps between neighbours, so single samples may move by ~10).
    let opts = TranscodeOptions::default().with_quality(Quality::MAX);
    let mut jpeg = Image::empty();
    codec::transcode_with(src, PixelFormat::Jpeg, &opts, &mut jpeg).unwrap();
    assert_eq!(&jpeg.data()[..2], &[0xFF, 0xD8]);
    let back = codec::transcode(jpeg.view(), PixelFormat::Rgb888).unwrap();
    let diffs: Vec<u8> = back
        .data()
        .iter()
        .zip(&rgb)
        .map(|(a, b)| a.abs_diff(*b))
        .collect();
    let worst = *diffs.iter().max().unwrap();
    let mean = diffs.iter().map(|&d| f64::from(d)).sum::<f64>() / diffs.len() as f64;
    assert!(
        worst <= 16 && mean < 4.0,
        "worst difference {worst}, mean {mean}"
    );
    // JPEG to JPEG is a copy, with either function.
    assert_eq!(
        codec::transcode(jpeg.view(), PixelFormat::Jpeg).unwrap(),
        jpeg
    );
    assert_eq!(
        convert::convert(jpeg.view(), PixelFormat::Jpeg).unwrap(),
        jpeg
    );
    // convert itself knows pixels, not codecs.
    for (from, to) in [(png.view(), PixelFormat::Rgb888), (src, PixelFormat::Jpeg)] {
        let e = convert::convert(from, to).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
        assert!(e.to_string().contains("codec::transcode"), "{e}");
    }
}

#[test]
fn encoded_sources_decode_within_the_options_limits() {
    // A 64x64 source: 12288 bytes decoded (RGB888), 4096 bytes as GRAYSCALE.
    let rgb: Vec<u8> = (0..64 * 64 * 3).map(|i| (i % 251) as u8).collect();
    let src = ImageRef::new(PixelFormat::Rgb888, 64, 64, &rgb).unwrap();
    let png = codec::transcode(src, PixelFormat::Png).unwrap();
    let jpeg = codec::transcode(src, PixelFormat::Jpeg).unwrap();
    let with_limits = |limits| {
        TranscodeOptions::default().with_convert(ConvertOptions::default().with_limits(limits))
    };
    let small = with_limits(Limits {
        max_bytes: 8192,
        ..Limits::default()
    });
    let narrow = with_limits(Limits {
        max_width: 32,
        ..Limits::default()
    });
    let mut dst = Image::empty();
    for encoded in [&png, &jpeg] {
        let what = encoded.format();
        // The output fits, but the decoded image is an intermediate that
        // does not: refused before the codec allocates it.
        let e = codec::transcode_with(encoded.view(), PixelFormat::Grayscale, &small, &mut dst)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{what}: {e}");
        let e = codec::transcode_with(encoded.view(), PixelFormat::Grayscale, &narrow, &mut dst)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{what}: {e}");
        assert!(e.to_string().contains("64x64"), "{what}: {e}");
        // Within the limits it converts.
        codec::transcode_with(
            encoded.view(),
            PixelFormat::Grayscale,
            &TranscodeOptions::default(),
            &mut dst,
        )
        .unwrap();
        assert_eq!(
            (dst.format(), dst.size()),
            (PixelFormat::Grayscale, (64, 64))
        );
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

#[test]
fn refusals() {
    // A JPEG source that does not decode.
    let jpeg = ImageRef::new(PixelFormat::Jpeg, 4, 4, &[0xFF, 0xD8]).unwrap();
    let e = codec::transcode(jpeg, PixelFormat::Rgb888).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format);
    assert!(
        e.to_string().starts_with("transcoding JPEG to RGB888: "),
        "{e}"
    );
    let g = ImageRef::new(PixelFormat::Grayscale, 2, 2, &[0; 4]).unwrap();
    let bad = PixelFormat::Bayer16 {
        order: BayerOrder::Bggr,
        bits: 20,
    };
    assert_eq!(
        convert::convert(g, bad).unwrap_err().kind(),
        ErrorKind::UnsupportedFormat
    );
    let tight = ConvertOptions::default().with_limits(Limits {
        max_width: 1,
        ..Limits::default()
    });
    let e = convert::convert_with(g, PixelFormat::Rgb888, &tight, &mut Image::empty()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert!(
        e.to_string().starts_with("converting GRAYSCALE to RGB888"),
        "{e}"
    );
    let tight = ConvertOptions::default().with_limits(Limits {
        max_bytes: 10,
        ..Limits::default()
    });
    let e = convert::convert_with(g, PixelFormat::Rgb888, &tight, &mut Image::empty()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    // Slice kernels check every length.
    let mut out = [0u8; 12];
    assert!(yuv::i420_to_rgb(&[0; 4], &[0; 1], &[0; 1], 2, 2, &mut out[..11]).is_err());
    assert!(yuv::i420_to_rgb(&[0; 4], &[0; 2], &[0; 1], 2, 2, &mut out).is_err());
    assert!(yuv::i420_to_rgb(&[], &[], &[], 0, 2, &mut []).is_err());
    assert!(yuv::nv12_to_rgb(&[0; 4], &[0; 1], 2, 2, &mut out).is_err());
    assert!(yuv::rgb_to_nv12(&out, 2, 2, &mut [0; 4], &mut [0; 3]).is_err());
    assert!(yuv422::yuyv_row_to_rgb(&[0; 3], false, &mut [0; 3]).is_err());
    assert!(yuv422::rgb_row_to_yuyv(&[0; 6], false, &mut [0; 3]).is_err());
    assert!(gray::rgb888_to_gray(&[0; 6], &mut [0; 3]).is_err());
    assert!(pixel::argb8_to_rgb888(&[0; 7], &mut [0; 3]).is_err());
    assert_eq!(
        bayer::demosaic_into(g, Demosaic::Bilinear, &mut Image::empty())
            .unwrap_err()
            .kind(),
        ErrorKind::UnsupportedFormat
    );
    assert!(
        bayer::mosaic_into(g, PixelFormat::Bayer(BayerOrder::Bggr), &mut Image::empty()).is_err()
    );
    assert!(raw10::unpack(g, &mut Image::empty()).is_err());
    assert!(raw10::pack(g, &mut Image::empty()).is_err());
    assert_eq!("MHC".parse::<Demosaic>().unwrap(), Demosaic::MalvarHeCutler);
    assert!("cubic".parse::<Demosaic>().is_err());
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

fn all_formats() -> Vec<PixelFormat> {
    let mut v = PixelFormat::OPENMV.to_vec();
    v.extend([
        PixelFormat::Rgb888,
        PixelFormat::Bgr888,
        PixelFormat::Yuv420,
        PixelFormat::Nv12,
        PixelFormat::Gray16,
        PixelFormat::Rgb48,
    ]);
    for o in BayerOrder::ALL {
        v.push(PixelFormat::Raw10(o));
        for bits in [9, 10, 12, 16] {
            v.push(PixelFormat::Bayer16 { order: o, bits });
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn raw10_round_trip(px in prop::collection::vec(0u16..1024, 1..64)) {
        let mut packed = vec![0u8; raw10::row_bytes(px.len()).unwrap()];
        raw10::pack_row(&px, &mut packed).unwrap();
        let mut back = vec![0u16; px.len()];
        raw10::unpack_row(&packed, &mut back).unwrap();
        prop_assert_eq!(back, px);
    }

    #[test]
    fn bulk_yuv_matches_pixel_formula(w in 1u32..80, h in 1u32..5, seed in any::<u64>()) {
        let size = PixelFormat::Yuv420.payload_size(w, h).unwrap();
        let data = noise(size, seed);
        let src = ImageRef::new(PixelFormat::Yuv420, w, h, &data).unwrap();
        let (y, u, v) = src.yuv420_planes().unwrap();
        let rgb = convert::convert(src, PixelFormat::Rgb888).unwrap();
        let cw = w.div_ceil(2) as usize;
        for py in 0..h as usize {
            for px in 0..w as usize {
                let c = (py / 2) * cw + px / 2;
                let want = yuv::yuv_to_rgb_pixel(y[py * w as usize + px], u[c], v[c]);
                prop_assert_eq!(&rgb.data()[(py * w as usize + px) * 3..][..3], &want[..]);
            }
        }
        // The other kernels (each with its own AVX2 variant for rows of 32
        // pixels or more): BGR output, and NV12 holding the same samples.
        let swap = |rgb: &[u8]| -> Vec<u8> { rgb.chunks(3).flat_map(|p| [p[2], p[1], p[0]]).collect() };
        let bgr = conv(PixelFormat::Yuv420, w, h, &data, PixelFormat::Bgr888);
        prop_assert_eq!(&bgr, &swap(rgb.data()));
        let mut nv12 = y.to_vec();
        nv12.extend(u.iter().zip(v).flat_map(|(&a, &b)| [a, b]));
        prop_assert_eq!(&conv(PixelFormat::Nv12, w, h, &nv12, PixelFormat::Rgb888), rgb.data());
        prop_assert_eq!(&conv(PixelFormat::Nv12, w, h, &nv12, PixelFormat::Bgr888), &bgr);
        // OpenMV's 4:2:2, full range, against its own pixel formula.
        let yuyv = noise(2 * (w * h) as usize, seed ^ 1);
        let rgb = conv(PixelFormat::Yuv422, w, h, &yuyv, PixelFormat::Rgb888);
        for (row, out) in yuyv.chunks(2 * w as usize).zip(rgb.chunks(3 * w as usize)) {
            for x in 0..w as usize {
                let pair = x / 2 * 4;
                let u = row[pair + 1];
                let v = if pair + 3 < row.len() { row[pair + 3] } else if pair >= 4 { row[pair - 1] } else { 128 };
                prop_assert_eq!(&out[3 * x..3 * x + 3], &yuv422::ycbcr_to_rgb(row[2 * x], u, v)[..]);
            }
        }
        prop_assert_eq!(&conv(PixelFormat::Yuv422, w, h, &yuyv, PixelFormat::Bgr888), &swap(&rgb));
        // YVYU: the same samples with each pair's chroma bytes swapped (a lone
        // last pixel keeps its one chroma byte, which then means V).
        if w % 2 == 0 {
            let mut yvyu = yuyv.clone();
            for q in yvyu.chunks_exact_mut(4) {
                q.swap(1, 3);
            }
            prop_assert_eq!(&conv(PixelFormat::Yvu422, w, h, &yvyu, PixelFormat::Rgb888), &rgb);
            prop_assert_eq!(&conv(PixelFormat::Yvu422, w, h, &yvyu, PixelFormat::Bgr888), &swap(&rgb));
        }
    }

    #[test]
    fn random_inputs_never_panic(
        from in prop::sample::select(all_formats()),
        to in prop::sample::select(all_formats()),
        w in prop_oneof![Just(0u32), 1u32..12, Just(u32::MAX), Just(1u32 << 20)],
        h in prop_oneof![Just(0u32), 1u32..12, Just(u32::MAX), Just(1u32 << 20)],
        len in 0usize..2000,
        algo in prop::sample::select(Demosaic::ALL.to_vec()),
        seed in any::<u64>(),
    ) {
        let data = noise(len, seed);
        let opts = ConvertOptions::default().with_demosaic(algo);
        let mut dst = Image::empty();
        // A right-sized buffer too, when the size is small enough.
        let exact = from.payload_size(w, h).ok().filter(|&n| n < 4000).map(|n| noise(n, seed));
        for buf in std::iter::once(&data).chain(exact.as_ref()) {
            if let Ok(src) = ImageRef::new(from, w, h, buf) {
                match convert::convert_with(src, to, &opts, &mut dst) {
                    Ok(()) => {
                        prop_assert_eq!(dst.format(), to);
                        prop_assert_eq!(dst.size(), (w, h));
                        if to.is_compressed() {
                            prop_assert!(!dst.data().is_empty());
                        } else {
                            prop_assert_eq!(dst.data().len(), to.payload_size(w, h).unwrap());
                        }
                    }
                    Err(e) => prop_assert!(!e.to_string().is_empty()),
                }
            }
            // Strided views with a random stride.
            if let Ok(src) = ImageRef::with_stride(from, w, h, (seed % 64) as usize, buf) {
                let _ = convert::convert_with(src, to, &opts, &mut dst);
            }
        }
        // Slice kernels with arbitrary lengths.
        let mut out = vec![0u8; len / 2];
        let (a, b) = data.split_at(len / 3);
        let (b, c) = b.split_at(b.len() / 2);
        let _ = yuv::i420_to_rgb(a, b, c, w, h, &mut out);
        let _ = yuv::nv12_to_rgb(a, b, w, h, &mut out);
        let _ = yuv::rgb_to_i420(a, w, h, &mut out.clone(), &mut b.to_vec(), &mut c.to_vec());
        let _ = yuv422::yuyv_row_to_rgb(a, true, &mut out);
        let _ = yuv422::rgb_row_to_yuyv(a, true, &mut out);
        let _ = rgb565::rgb565_to_rgb888(a, &mut out);
        let _ = rgb565::rgb888_to_rgb565(a, &mut out);
        let _ = gray::gray_to_binary_row(a, 3, &mut out);
        let _ = gray::binary_to_gray_row(a, &mut out);
        let _ = pixel::swap_rb(a, &mut out);
        let mut px16 = vec![0u16; len / 5];
        let _ = raw10::unpack_row(a, &mut px16);
        let _ = raw10::pack_row(&px16, &mut out);
    }
}

/// OpenMV's YUV422 is full range: a scene recorded in YUV422 has the luma it
/// has in GRAYSCALE (a limited-range conversion squeezed it into 16-235).
#[test]
fn yuv422_luma_spans_the_grayscale_range() {
    use camreel::camera::CameraSource;
    use camreel::camera::synthetic::SyntheticCamera;
    let frame = |format| {
        let mut cam = SyntheticCamera::builder()
            .size(160, 120)
            .format(format)
            .seed(7)
            .build()
            .unwrap();
        cam.next_frame().unwrap().unwrap().image.to_image()
    };
    let gray = frame(PixelFormat::Grayscale);
    let yuyv = frame(PixelFormat::Yuv422);
    let luma: Vec<u8> = yuyv.data().iter().step_by(2).copied().collect();
    assert_eq!(luma.len(), gray.data().len());
    for (i, (&y, &g)) in luma.iter().zip(gray.data()).enumerate() {
        assert!(y.abs_diff(g) <= 1, "pixel {i}: Y {y}, gray {g}");
    }
    let range = |v: &[u8]| (*v.iter().min().unwrap(), *v.iter().max().unwrap());
    let (ymin, ymax) = range(&luma);
    let (gmin, gmax) = range(gray.data());
    assert!(ymin.abs_diff(gmin) <= 1 && ymax.abs_diff(gmax) <= 1);
    assert!(gmin < 16 || gmax > 235, "the scene spans {gmin}-{gmax}");
    // Reading it back as GRAYSCALE gives the Y samples.
    assert_eq!(
        convert::convert(yuyv.view(), PixelFormat::Grayscale)
            .unwrap()
            .data(),
        &luma[..]
    );
}
