//! Property and robustness tests of the picamera raw layouts.

use camreel::convert::raw10;
use camreel::raw::{
    self, BayerCapture, BrcmHeader, build_raw_block, crop_rgb, crop_yuv420, pad_rgb, pad_yuv420,
};
use camreel::{BayerOrder, Image, ImageRef, PixelFormat};
use proptest::prelude::*;

#[path = "raw_support/fuzz_body.rs"]
mod fuzz_body;

fn order_strategy() -> impl Strategy<Value = BayerOrder> {
    prop_oneof![
        Just(BayerOrder::Bggr),
        Just(BayerOrder::Gbrg),
        Just(BayerOrder::Grbg),
        Just(BayerOrder::Rggb),
    ]
}

/// `default` cases, or `PROPTEST_CASES` when set: scripts/fuzz_proptests.sh
/// runs the fuzz targets' bodies here for minutes.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    #[test]
    fn yuv_pad_then_crop_is_identity(w in 1u32..80, h in 1u32..40, seed in any::<u8>()) {
        let len = PixelFormat::Yuv420.payload_size(w, h).unwrap();
        let data: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
        let img = Image::new(PixelFormat::Yuv420, w, h, data).unwrap();
        let padded = pad_yuv420(img.view()).unwrap();
        prop_assert_eq!(padded.len(), raw::yuv420_capture_len(w, h).unwrap());
        prop_assert_eq!(crop_yuv420(&padded, w, h).unwrap(), img);
    }

    #[test]
    fn rgb_pad_then_crop_is_identity(w in 1u32..80, h in 1u32..40, seed in any::<u8>()) {
        let data: Vec<u8> = (0..(w * h * 3) as usize).map(|i| (i as u8) ^ seed).collect();
        let img = Image::new(PixelFormat::Rgb888, w, h, data).unwrap();
        let padded = pad_rgb(img.view()).unwrap();
        let (fw, fh) = raw::padded_size(w, h);
        prop_assert_eq!(padded.len(), (fw * fh * 3) as usize);
        prop_assert_eq!(crop_rgb(&padded, w, h, PixelFormat::Rgb888).unwrap(), img);
    }

    #[test]
    fn raw10_pack_unpack_round_trip(samples in proptest::collection::vec(0u16..1024, 1..64)) {
        let n = samples.len();
        let mut packed = vec![0u8; n.div_ceil(4) * 5];
        raw10::pack_row(&samples, &mut packed).unwrap();
        let img = ImageRef::new(PixelFormat::Raw10(BayerOrder::Bggr), n as u32, 1, &packed).unwrap();
        let mut out = Image::empty();
        raw10::unpack(img, &mut out).unwrap();
        let vals: Vec<u16> = out.data().chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        prop_assert_eq!(vals, samples);
    }

    #[test]
    fn header_round_trips(width in 1u16.., height in 1u16.., pr in any::<u16>(), pd in any::<u16>(),
                          order in order_strategy(), t in any::<u16>(), f in any::<u16>(), bf in any::<u8>()) {
        let mut h = BrcmHeader::new("sensor", width, height, order);
        h.padding_right = pr;
        h.padding_down = pd;
        h.transform = t;
        h.format = f;
        h.bayer_format = bf;
        let parsed = BrcmHeader::parse(&h.to_bytes()).unwrap();
        prop_assert_eq!(parsed, h);
        let layout = parsed.layout().unwrap();
        prop_assert_eq!(layout.stride % 32, 0);
        prop_assert_eq!(layout.rows % 16, 0);
        prop_assert!(layout.stride * 4 >= (usize::from(width) + usize::from(pr)) * 5);
    }

    #[test]
    fn small_blocks_round_trip(w in 1u16..40, h in 1u16..20, order in order_strategy(), jpeg_len in 0usize..64) {
        let samples: Vec<u16> = (0..usize::from(w) * usize::from(h)).map(|i| (i * 7 % 1024) as u16).collect();
        let header = BrcmHeader::new("tiny", w, h, order);
        let block = build_raw_block(&header, &samples).unwrap();
        let mut file = vec![0xAB; jpeg_len];
        file.extend_from_slice(&block);
        let cap = BayerCapture::parse(&file).unwrap();
        prop_assert_eq!(cap.jpeg.len(), jpeg_len);
        prop_assert_eq!(cap.layout.order, order);
        let b16 = cap.to_bayer16().unwrap();
        prop_assert_eq!(b16.format(), PixelFormat::Bayer16 { order, bits: 10 });
        let vals: Vec<u16> = b16.data().chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        prop_assert_eq!(vals, samples);
    }

    #[test]
    fn fuzz_body_on_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        fuzz_body::fuzz_raw(&data);
    }

    #[test]
    fn fuzz_body_on_damaged_blocks(w in 1u16..24, h in 1u16..12, flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8)) {
        let samples: Vec<u16> = (0..usize::from(w) * usize::from(h)).map(|i| (i % 1024) as u16).collect();
        let mut file = b"\xFF\xD8\xFF\xD9".to_vec();
        file.extend(build_raw_block(&BrcmHeader::new("f", w, h, BayerOrder::Bggr), &samples).unwrap());
        fuzz_body::fuzz_raw(&file);
        // Damage the header region and the rows.
        for (at, v) in flips {
            let header_end = 4 + raw::HEADER_OFFSET + raw::HEADER_LEN;
            let i = at.index(header_end.min(file.len()));
            file[i] = v;
        }
        fuzz_body::fuzz_raw(&file);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..40_000), at in any::<prop::sample::Index>()) {
        let _ = BayerCapture::parse(&data);
        // With a magic planted somewhere.
        let mut d = data.clone();
        if d.len() >= 4 {
            let i = at.index(d.len() - 3);
            d[i..i + 4].copy_from_slice(b"BRCM");
            let _ = BayerCapture::parse(&d);
            let _ = BayerCapture::parse_at(&d, i);
        }
        let _ = crop_yuv420(&data, 100, 100);
        let _ = crop_rgb(&data, 33, 7, PixelFormat::Rgb888);
    }
}

#[test]
fn every_truncated_prefix_is_an_error() {
    let samples: Vec<u16> = (0..24 * 6).map(|i| i as u16).collect();
    let block = build_raw_block(&BrcmHeader::new("t", 24, 6, BayerOrder::Rggb), &samples).unwrap();
    let mut file = b"\xFF\xD8\xFF\xD9".to_vec();
    file.extend_from_slice(&block);
    assert!(BayerCapture::parse(&file).is_ok());
    // A block cut short anywhere no longer parses (a prefix that still ends
    // in a consistent block cannot exist: the header fixes the length).
    for cut in (0..file.len()).step_by(97).chain([file.len() - 1]) {
        assert!(
            BayerCapture::parse(&file[..cut]).is_err(),
            "prefix of {cut} bytes"
        );
    }
}

#[test]
fn picamera_docs_sizes() {
    // 5.1: a 100x100 YUV capture is 14336 Y + 3584 U + 3584 V bytes.
    assert_eq!(
        raw::yuv420_capture_len(100, 100).unwrap(),
        14336 + 3584 + 3584
    );
    // 5.2: RGB is 128*112*3.
    assert_eq!(raw::rgb_capture_len(100, 100).unwrap(), 43008);
    // 5.11: 1952 rows of 3264 bytes after a 32768-byte header.
    let l = raw::Sensor::Ov5647.layout(BayerOrder::Gbrg);
    assert_eq!(raw::DATA_OFFSET + l.rows * l.stride, 6_404_096);
}
