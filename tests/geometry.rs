//! Crop for every uncompressed format, crop views, nearest and bilinear
//! scaling against hand-computed values, and letterbox/pillarbox fitting.

use camreel::geometry::{self, Filter, Resizer};
use camreel::{BayerOrder, ErrorKind, Image, PixelFormat, Rect};
use proptest::prelude::*;

fn counting(format: PixelFormat, w: u32, h: u32) -> Image {
    let len = format.payload_size(w, h).unwrap();
    Image::new(
        format,
        w,
        h,
        (0..len).map(|i| (i * 7 % 251) as u8).collect(),
    )
    .unwrap()
}

/// Reference crop for formats of whole-byte pixels.
fn crop_bytes(img: &Image, rect: Rect) -> Vec<u8> {
    let bpp = img.format().bytes_per_pixel().unwrap() as usize;
    let stride = img.width() as usize * bpp;
    let mut out = Vec::new();
    for y in rect.y..rect.bottom() {
        let start = y as usize * stride + rect.x as usize * bpp;
        out.extend_from_slice(&img.data()[start..start + rect.width as usize * bpp]);
    }
    out
}

#[test]
fn crops_byte_formats() {
    let formats = [
        PixelFormat::Grayscale,
        PixelFormat::Rgb565,
        PixelFormat::Argb8,
        PixelFormat::Rgb888,
        PixelFormat::Bgr888,
        PixelFormat::Gray16,
        PixelFormat::Rgb48,
        PixelFormat::Yuv422,
        PixelFormat::Yvu422,
    ];
    for format in formats {
        let img = counting(format, 11, 7);
        for rect in [
            Rect::new(0, 0, 11, 7),
            Rect::new(2, 1, 5, 4),
            Rect::new(10, 6, 1, 1),
            Rect::new(4, 0, 7, 7),
        ] {
            let c = geometry::crop(img.view(), rect).unwrap();
            assert_eq!((c.format(), c.size()), (format, (rect.width, rect.height)));
            assert_eq!(c.data(), &crop_bytes(&img, rect)[..], "{format} {rect:?}");
            let v = img.view().crop_view(rect).unwrap();
            assert_eq!(v.to_image(), c, "{format} view {rect:?}");
        }
    }
}

#[test]
fn yuv422_needs_an_even_x() {
    let img = counting(PixelFormat::Yuv422, 8, 2);
    for f in [
        geometry::crop(img.view(), Rect::new(1, 0, 2, 2)).map(|_| ()),
        img.view().crop_view(Rect::new(3, 0, 2, 2)).map(|_| ()),
    ] {
        assert_eq!(f.unwrap_err().kind(), ErrorKind::InvalidArgument);
    }
}

#[test]
fn crops_bayer_with_the_right_order() {
    // RGGB: R at (0, 0), G at (1, 0) and (0, 1), B at (1, 1).
    for (x, y, order) in [
        (0, 0, BayerOrder::Rggb),
        (1, 0, BayerOrder::Grbg),
        (0, 1, BayerOrder::Gbrg),
        (1, 1, BayerOrder::Bggr),
        (2, 3, BayerOrder::Gbrg),
    ] {
        let rect = Rect::new(x, y, 4, 3);
        let img = counting(PixelFormat::Bayer(BayerOrder::Rggb), 8, 8);
        let c = geometry::crop(img.view(), rect).unwrap();
        assert_eq!(c.format(), PixelFormat::Bayer(order), "at ({x}, {y})");
        assert_eq!(c.data(), &crop_bytes(&img, rect)[..]);
        // The colour at every cropped pixel is the colour it had before.
        for cy in 0..3 {
            for cx in 0..4 {
                assert_eq!(
                    order.color_at(cx, cy),
                    BayerOrder::Rggb.color_at(cx + x as usize, cy + y as usize)
                );
            }
        }
        let deep = PixelFormat::Bayer16 {
            order: BayerOrder::Rggb,
            bits: 12,
        };
        let img16 = counting(deep, 8, 8);
        let c16 = geometry::crop(img16.view(), rect).unwrap();
        assert_eq!(c16.format(), PixelFormat::Bayer16 { order, bits: 12 });
        assert_eq!(c16.data(), &crop_bytes(&img16, rect)[..]);
    }
}

#[test]
fn crops_raw10_at_group_boundaries() {
    let format = PixelFormat::Raw10(BayerOrder::Bggr);
    // 10 pixels per row: groups of 5 bytes, the last one partial.
    let img = counting(format, 10, 4);
    let row = format.row_bytes(10).unwrap();
    assert_eq!(row, 15);
    let c = geometry::crop(img.view(), Rect::new(4, 1, 6, 2)).unwrap();
    assert_eq!(c.format(), PixelFormat::Raw10(BayerOrder::Grbg));
    assert_eq!(c.size(), (6, 2));
    let mut want = img.data()[row + 5..row + 15].to_vec();
    want.extend_from_slice(&img.data()[2 * row + 5..2 * row + 15]);
    assert_eq!(c.data(), &want[..]);
    let e = geometry::crop(img.view(), Rect::new(2, 0, 4, 1)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("multiple of 4"), "{e}");
    assert_eq!(
        img.view()
            .crop_view(Rect::new(0, 0, 4, 1))
            .unwrap_err()
            .kind(),
        ErrorKind::UnsupportedFormat
    );
}

fn binary_get(img: &Image, x: u32, y: u32) -> bool {
    let row = PixelFormat::Binary.row_bytes(img.width()).unwrap();
    let b = &img.data()[y as usize * row + (x as usize / 32) * 4..][..4];
    let word = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    word >> (x % 32) & 1 == 1
}

#[test]
fn crops_binary_at_bit_level() {
    let img = counting(PixelFormat::Binary, 70, 3);
    for rect in [
        Rect::new(0, 0, 70, 3),
        Rect::new(5, 1, 40, 2),
        Rect::new(31, 0, 33, 3),
        Rect::new(69, 2, 1, 1),
        Rect::new(1, 0, 64, 1),
    ] {
        let c = geometry::crop(img.view(), rect).unwrap();
        assert_eq!(c.format(), PixelFormat::Binary);
        for y in 0..rect.height {
            for x in 0..rect.width {
                assert_eq!(
                    binary_get(&c, x, y),
                    binary_get(&img, rect.x + x, rect.y + y),
                    "{rect:?} at ({x}, {y})"
                );
            }
        }
        // Padding bits past the width stay clear.
        let row = PixelFormat::Binary.row_bytes(rect.width).unwrap() as u32;
        for y in 0..rect.height {
            for x in rect.width..row * 8 {
                assert!(!binary_get(&c, x, y), "{rect:?} padding bit {x}");
            }
        }
    }
}

#[test]
fn crops_planar_yuv() {
    for format in [PixelFormat::Yuv420, PixelFormat::Nv12] {
        let (w, h) = (9u32, 7u32);
        let img = counting(format, w, h);
        let rect = Rect::new(2, 4, 5, 3);
        let c = geometry::crop(img.view(), rect).unwrap();
        assert_eq!((c.format(), c.size()), (format, (5, 3)));
        let d = img.data();
        let cd = c.data();
        // Luma.
        for y in 0..3 {
            for x in 0..5 {
                assert_eq!(cd[y * 5 + x], d[(y + 4) * 9 + x + 2]);
            }
        }
        // Chroma: 3x2 samples from (1, 2) of a 5x4 grid.
        let (luma, cluma) = (63, 15);
        for cy in 0..2 {
            for cx in 0..3 {
                let (s, t) = ((cy + 2) * 5 + cx + 1, cy * 3 + cx);
                if format == PixelFormat::Yuv420 {
                    assert_eq!(cd[cluma + t], d[luma + s], "U");
                    assert_eq!(cd[cluma + 6 + t], d[luma + 20 + s], "V");
                } else {
                    assert_eq!(cd[cluma + 2 * t], d[luma + 2 * s], "U");
                    assert_eq!(cd[cluma + 2 * t + 1], d[luma + 2 * s + 1], "V");
                }
            }
        }
        for rect in [Rect::new(1, 0, 2, 2), Rect::new(0, 1, 2, 2)] {
            let e = geometry::crop(img.view(), rect).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{format} {rect:?}");
        }
    }
}

#[test]
fn crop_rejects_bad_rects_and_keeps_dst() {
    let img = counting(PixelFormat::Grayscale, 8, 8);
    let mut dst = counting(PixelFormat::Rgb888, 2, 2);
    let before = dst.clone();
    for rect in [
        Rect::new(0, 0, 0, 4),
        Rect::new(0, 0, 9, 1),
        Rect::new(7, 7, 2, 1),
        Rect::new(u32::MAX, 0, 2, 1),
    ] {
        let e = geometry::crop_into(img.view(), rect, &mut dst).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{rect:?}");
        assert!(img.view().crop_view(rect).is_err());
    }
    assert_eq!(dst, before);
    let jpeg = Image::new(PixelFormat::Jpeg, 8, 8, vec![0xFF, 0xD8]).unwrap();
    assert_eq!(
        geometry::crop(jpeg.view(), Rect::new(0, 0, 1, 1))
            .unwrap_err()
            .kind(),
        ErrorKind::UnsupportedFormat
    );
}

#[test]
fn crop_of_a_strided_view() {
    let img = counting(PixelFormat::Rgb888, 12, 6);
    let view = img.view().crop_view(Rect::new(2, 1, 8, 4)).unwrap();
    let inner = geometry::crop(view, Rect::new(1, 1, 3, 2)).unwrap();
    assert_eq!(inner.data(), &crop_bytes(&img, Rect::new(3, 2, 3, 2))[..]);
}

#[test]
fn bilinear_hand_computed() {
    // 2x2 -> 4x4: source centres at 0.5 and 1.5 of 2; destination pixel d
    // samples (d + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> weights of
    // the second pixel 0, 1/4, 3/4, 1 (clamped at the edges).
    let src = Image::new(PixelFormat::Grayscale, 2, 2, vec![0, 100, 200, 40]).unwrap();
    let out = geometry::resize(src.view(), 4, 4, Filter::Bilinear).unwrap();
    let row0 = [0, 25, 75, 100];
    let row3 = [200, 160, 80, 40];
    let mix = |a: [i32; 4], b: [i32; 4], t: f64| -> Vec<u8> {
        a.iter()
            .zip(b)
            .map(|(&x, y)| (f64::from(x) * (1.0 - t) + f64::from(y) * t).round() as u8)
            .collect()
    };
    let mut want = Vec::new();
    want.extend(mix(row0, row3, 0.0));
    want.extend(mix(row0, row3, 0.25));
    want.extend(mix(row0, row3, 0.75));
    want.extend(mix(row0, row3, 1.0));
    assert_eq!(out.data(), &want[..]);
    assert_eq!(&out.data()[4..8], &[50, 59, 76, 85]);

    // 4x1 -> 2x1 averages pairs; 3x1 -> 2x1 samples 0.25 and 1.75.
    let src = Image::new(PixelFormat::Grayscale, 4, 1, vec![10, 20, 30, 50]).unwrap();
    let out = geometry::resize(src.view(), 2, 1, Filter::Bilinear).unwrap();
    assert_eq!(out.data(), &[15, 40]);
    let src = Image::new(PixelFormat::Grayscale, 3, 1, vec![0, 100, 200]).unwrap();
    let out = geometry::resize(src.view(), 2, 1, Filter::Bilinear).unwrap();
    assert_eq!(out.data(), &[25, 175]);
}

#[test]
fn bilinear_keeps_channels_apart() {
    // RGB and ARGB: each channel interpolated on its own.
    let rgb = Image::new(PixelFormat::Rgb888, 2, 1, vec![0, 10, 200, 100, 30, 0]).unwrap();
    let out = geometry::resize(rgb.view(), 4, 1, Filter::Bilinear).unwrap();
    assert_eq!(
        out.data(),
        &[0, 10, 200, 25, 15, 150, 75, 25, 50, 100, 30, 0]
    );
    let argb = Image::new(
        PixelFormat::Argb8,
        2,
        1,
        vec![0, 10, 200, 255, 100, 30, 0, 55],
    )
    .unwrap();
    let out = geometry::resize(argb.view(), 4, 1, Filter::Bilinear).unwrap();
    assert_eq!(
        &out.data()[4..8],
        &[25, 15, 150, 205],
        "second pixel: 3/4 of the first, 1/4 of the second"
    );
}

#[test]
fn sixteen_bit_scaling() {
    let samples = [0u16, 40000, 60000, 1000];
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let src = Image::new(PixelFormat::Gray16, 2, 2, data).unwrap();
    let out = geometry::resize(src.view(), 4, 1, Filter::Bilinear).unwrap();
    let got: Vec<u16> = out
        .data()
        .chunks(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    // Rows blend half and half (1 row from 2: position 0.5), then columns.
    assert_eq!(got, [30000, 27625, 22875, 20500]);
    let rgb48 = Image::new(PixelFormat::Rgb48, 1, 1, vec![1, 2, 3, 4, 5, 6]).unwrap();
    let out = geometry::resize(rgb48.view(), 3, 2, Filter::Nearest).unwrap();
    assert_eq!(out.data(), &[1, 2, 3, 4, 5, 6].repeat(6)[..]);
}

#[test]
fn nearest_hand_computed() {
    // 4x4 -> 2x2 takes the pixel holding each destination centre: columns
    // and rows 1 and 3.
    let src = Image::new(PixelFormat::Grayscale, 4, 4, (0..16).collect()).unwrap();
    let out = geometry::resize(src.view(), 2, 2, Filter::Nearest).unwrap();
    assert_eq!(out.data(), &[5, 7, 13, 15]);
    // 2x1 -> 5x1: centres at 0.2, 0.6, 1.0, 1.4, 1.8 of 2.
    let src = Image::new(PixelFormat::Rgb888, 2, 1, vec![1, 2, 3, 4, 5, 6]).unwrap();
    let out = geometry::resize(src.view(), 5, 1, Filter::Nearest).unwrap();
    assert_eq!(out.data(), &[1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 4, 5, 6]);
}

#[test]
fn same_size_is_a_copy() {
    for format in [PixelFormat::Rgb888, PixelFormat::Argb8, PixelFormat::Gray16] {
        let img = counting(format, 13, 7);
        for filter in [Filter::Nearest, Filter::Bilinear] {
            assert_eq!(geometry::resize(img.view(), 13, 7, filter).unwrap(), img);
            assert_eq!(geometry::fit(img.view(), 13, 7, filter).unwrap(), img);
        }
    }
}

#[test]
fn fit_letterboxes_and_pillarboxes() {
    // The foundation issue's example: 100x50 into 64x64 -> a 64x32 picture
    // with 16 black rows above and below.
    let white = Image::new(PixelFormat::Rgb888, 100, 50, vec![255; 100 * 50 * 3]).unwrap();
    for filter in [Filter::Nearest, Filter::Bilinear] {
        let out = geometry::fit(white.view(), 64, 64, filter).unwrap();
        assert_eq!(out.size(), (64, 64));
        for (y, row) in out.data().chunks(64 * 3).enumerate() {
            let want = if (16..48).contains(&y) { 255 } else { 0 };
            assert!(row.iter().all(|&v| v == want), "{filter:?} row {y}");
        }
    }
    // Tall into wide: bars left and right; ARGB bars are opaque black.
    let tall = Image::new(PixelFormat::Argb8, 30, 60, vec![200; 30 * 60 * 4]).unwrap();
    let out = geometry::fit(tall.view(), 40, 20, Filter::Bilinear).unwrap();
    assert_eq!(geometry::fit_rect(30, 60, 40, 20), Rect::new(15, 0, 10, 20));
    for row in out.data().chunks(40 * 4) {
        for (x, px) in row.chunks(4).enumerate() {
            let want = if (15..25).contains(&x) {
                [200; 4]
            } else {
                [0, 0, 0, 255]
            };
            assert_eq!(px, want, "column {x}");
        }
    }
}

#[test]
fn fit_scales_the_content() {
    // A 4x2 picture with a left and a right half, fitted into 8x8 with
    // nearest: 8x4 in rows 2..6, each source pixel a 2x2 block.
    let src = Image::new(
        PixelFormat::Grayscale,
        4,
        2,
        vec![10, 20, 30, 40, 50, 60, 70, 80],
    )
    .unwrap();
    let out = geometry::fit(src.view(), 8, 8, Filter::Nearest).unwrap();
    let rows: Vec<&[u8]> = out.data().chunks(8).collect();
    assert_eq!(rows[0], &[0; 8]);
    assert_eq!(rows[1], &[0; 8]);
    assert_eq!(rows[2], &[10, 10, 20, 20, 30, 30, 40, 40]);
    assert_eq!(rows[3], &[10, 10, 20, 20, 30, 30, 40, 40]);
    assert_eq!(rows[4], &[50, 50, 60, 60, 70, 70, 80, 80]);
    assert_eq!(rows[5], &[50, 50, 60, 60, 70, 70, 80, 80]);
    assert_eq!(rows[6], &[0; 8]);
    assert_eq!(rows[7], &[0; 8]);
}

#[test]
fn scaling_refuses_bad_input() {
    let yuv = counting(PixelFormat::Yuv420, 4, 4);
    assert_eq!(
        geometry::resize(yuv.view(), 2, 2, Filter::Bilinear)
            .unwrap_err()
            .kind(),
        ErrorKind::UnsupportedFormat
    );
    let gray = counting(PixelFormat::Grayscale, 4, 4);
    assert_eq!(
        geometry::resize(gray.view(), 0, 2, Filter::Bilinear)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidFrameSize
    );
    assert_eq!(
        geometry::fit(gray.view(), 100_000, 2, Filter::Bilinear)
            .unwrap_err()
            .kind(),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn resizer_reuses_memory() {
    let mut resizer = Resizer::new();
    let mut out = Image::empty();
    let a = counting(PixelFormat::Rgb888, 64, 48);
    let b = counting(PixelFormat::Rgb888, 80, 30);
    resizer
        .fit_into(a.view(), 40, 40, Filter::Bilinear, &mut out)
        .unwrap();
    let cap = out.capacity();
    for img in [&b, &a, &b] {
        resizer
            .fit_into(img.view(), 40, 40, Filter::Bilinear, &mut out)
            .unwrap();
        assert_eq!(out.capacity(), cap);
        // Same result as a fresh resizer.
        assert_eq!(
            out,
            geometry::fit(img.view(), 40, 40, Filter::Bilinear).unwrap()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn crop_matches_reference(
        w in 1u32..40, h in 1u32..20,
        x in 0u32..40, y in 0u32..20, cw in 1u32..40, ch in 1u32..20,
        f in 0usize..3,
    ) {
        let format = [PixelFormat::Grayscale, PixelFormat::Rgb888, PixelFormat::Gray16][f];
        let img = counting(format, w, h);
        let rect = Rect::new(x, y, cw, ch);
        match geometry::crop(img.view(), rect) {
            Ok(c) => {
                prop_assert!(rect.fits_in(w, h));
                prop_assert_eq!(c.data(), &crop_bytes(&img, rect)[..]);
            }
            Err(e) => {
                prop_assert!(!rect.fits_in(w, h));
                prop_assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            }
        }
    }

    #[test]
    fn bilinear_stays_within_the_source_range(
        w in 1u32..30, h in 1u32..30, dw in 1u32..50, dh in 1u32..50, seed in any::<u8>(),
    ) {
        let data: Vec<u8> = (0..w * h * 3).map(|i| (i as u8).wrapping_mul(seed | 1)).collect();
        let src = Image::new(PixelFormat::Rgb888, w, h, data).unwrap();
        let out = geometry::resize(src.view(), dw, dh, Filter::Bilinear).unwrap();
        prop_assert_eq!(out.size(), (dw, dh));
        for c in 0..3 {
            let channel = |img: &Image| img.data().iter().skip(c).step_by(3).copied().collect::<Vec<u8>>();
            let (s, o) = (channel(&src), channel(&out));
            let (lo, hi) = (s.iter().min().unwrap(), s.iter().max().unwrap());
            prop_assert!(o.iter().all(|v| v >= lo && v <= hi));
        }
        // A flat image stays flat.
        let flat = Image::new(PixelFormat::Grayscale, w, h, vec![seed; (w * h) as usize]).unwrap();
        let out = geometry::resize(flat.view(), dw, dh, Filter::Bilinear).unwrap();
        prop_assert!(out.data().iter().all(|&v| v == seed));
    }

    #[test]
    fn fit_keeps_the_aspect_ratio(sw in 1u32..500, sh in 1u32..500, w in 1u32..300, h in 1u32..300) {
        let r = geometry::fit_rect(sw, sh, w, h);
        prop_assert!(r.fits_in(w, h));
        prop_assert!(r.width == w || r.height == h);
        // Centred to within one pixel.
        prop_assert!((r.x as i64 * 2 + r.width as i64 - w as i64).abs() <= 1);
        prop_assert!((r.y as i64 * 2 + r.height as i64 - h as i64).abs() <= 1);
        // Aspect ratio within rounding of one pixel.
        let err = (r.width as f64 / r.height as f64) / (sw as f64 / sh as f64);
        let tol = 1.0 / r.width.min(r.height) as f64 + 1e-9;
        prop_assert!((err - 1.0).abs() <= tol * 1.01 || r.width == 1 || r.height == 1);
    }
}
