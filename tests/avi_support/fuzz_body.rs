//! The body of the `avi_reader` fuzz target (fuzz/fuzz_targets/avi_reader.rs),
//! shared with the proptest in tests/avi_roundtrip.rs so stable CI runs it.

use std::io::Cursor;

use camreel::avi::{AviReader, ReaderOptions, repair};

/// Opens `data` as an AVI with and without its indexes, reads every frame
/// and repairs it: none of it may panic, hang or allocate without bound.
pub fn fuzz_reader(data: &[u8]) {
    for recover in [false, true] {
        let options = ReaderOptions::default().recover(recover);
        if let Ok(mut reader) = AviReader::with_options(Cursor::new(data), options) {
            // Every entry points inside the input, after an 8-byte header.
            assert!(reader.frame_count() <= data.len() as u64 / 8);
            let mut frame = Vec::new();
            for i in 0..reader.frame_count() {
                let _ = reader.read_frame_into(i, &mut frame);
            }
            let _ = reader.read_image(0);
        }
    }
    let _ = repair(Cursor::new(data), Cursor::new(Vec::new()));
}
