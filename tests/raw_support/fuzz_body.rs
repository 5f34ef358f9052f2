//! The body of the `raw_capture` fuzz target (fuzz/fuzz_targets/raw_capture.rs),
//! also run as a proptest by tests/raw.rs so stable CI exercises it.

use camreel::raw::{self, BayerCapture, BrcmHeader, DecodeOptions, RawKind};

/// Parses `data` every way a picamera capture can be read; must never panic.
pub fn fuzz_raw(data: &[u8]) {
    let _ = BrcmHeader::parse(data);
    if let Ok(capture) = BayerCapture::parse(data) {
        let b16 = capture.to_bayer16().expect("a parsed block unpacks");
        assert_eq!(b16.size(), (capture.layout.width, capture.layout.height));
        // Demosaic only small mosaics (the block length bounds the size).
        if capture.layout.width * capture.layout.height <= 64 * 64 {
            raw::decode(data, RawKind::Bayer, &DecodeOptions::default())
                .expect("a parsed block decodes");
        }
    }
    // The first four bytes pick a requested size for the padded layouts.
    if let [w, h, ..] = data {
        let size = Some((u32::from(*w).max(1), u32::from(*h).max(1)));
        for kind in [RawKind::Yuv420, RawKind::Rgb, RawKind::Bgr] {
            let opts = DecodeOptions {
                size,
                ..DecodeOptions::default()
            };
            let _ = raw::decode(&data[2..], kind, &opts);
        }
    }
}
