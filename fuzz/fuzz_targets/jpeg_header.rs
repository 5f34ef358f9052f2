#![no_main]

use camreel::Limits;
use camreel::codec::jpeg::{self, JpegDecoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = jpeg::info(data) {
        assert!(info.width > 0 && info.height > 0 && info.components > 0);
        assert_eq!(
            jpeg::dimensions(data).ok(),
            Some((info.width, info.height))
        );
    }
    let mut decoder = JpegDecoder::new();
    decoder.set_limits(Limits {
        max_width: 2048,
        max_height: 2048,
        max_bytes: 16 << 20,
    });
    if let Ok(image) = decoder.decode(data) {
        let info = jpeg::info(data).expect("a decoded jpeg has a header");
        assert_eq!(image.size(), (info.width, info.height));
    }
});
