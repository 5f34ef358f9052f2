//! The body of the `raw_capture` fuzz target (fuzz/fuzz_targets/raw_capture.rs),
//! also run as a proptest by tests/raw.rs so stable CI exercises it.

use camreel::raw::{self, BayerCapture, BrcmHeader, CaptureSpec, DecodeOptions, PiFormat};

/// Parses `data` every way a picamera capture can be read; must never panic.
pub fn fuzz_raw(data: &[u8]) {
    let _ = BrcmHeader::parse(data);
    if let Ok(capture) = BayerCapture::parse(data) {
        let b16 = capture.to_bayer16().expect("a parsed block unpacks");
        assert_eq!(b16.size(), (capture.layout.width, capture.layout.height));
        // Demosaic only small mosaics (the block length bounds the size).
        if capture.layout.width * capture.layout.height <= 64 * 64 {
            raw::decode(
                data,
                &CaptureSpec::without_size(PiFormat::JpegBayer),
                &DecodeOptions::default(),
            )
            .expect("a parsed block decodes");
        }
    }
    // The first four bytes pick a requested size for the padded layouts.
    if let [w, h, ..] = data {
        let (w, h) = (u32::from(*w).max(1), u32::from(*h).max(1));
        for kind in [PiFormat::Yuv, PiFormat::Rgb, PiFormat::Bgr] {
            let spec = CaptureSpec::new(kind, w, h);
            let _ = raw::decode(&data[2..], &spec, &DecodeOptions::default());
        }
    }
}
