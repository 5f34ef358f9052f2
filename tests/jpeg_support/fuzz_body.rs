//! The body of the `jpeg_header` fuzz target (fuzz/), shared with the
//! proptests in tests/codec_jpeg.rs so that stable CI runs it too: the
//! header parser and the decoder on any bytes never panic, agree with each
//! other, and stay within the limits.

use camreel::Limits;
use camreel::codec::jpeg::{self, JpegDecoder};

/// Parses and decodes `data`; panics only on a real defect.
pub fn fuzz_jpeg(data: &[u8]) {
    if let Ok(info) = jpeg::info(data) {
        assert!(info.width > 0 && info.height > 0 && info.components > 0);
        assert_eq!(jpeg::dimensions(data).ok(), Some((info.width, info.height)));
    }
    let mut decoder = JpegDecoder::new();
    decoder.set_limits(Limits {
        max_width: 2048,
        max_height: 2048,
        max_bytes: 16 << 20,
        ..Limits::DEFAULT
    });
    if let Ok(image) = decoder.decode(data) {
        let info = jpeg::info(data).expect("a decoded jpeg has a header");
        assert_eq!(image.size(), (info.width, info.height));
        assert!(info.width <= 2048 && info.height <= 2048);
    }
}
