//! The body of the `gif_reader` fuzz target (fuzz/fuzz_targets/gif_reader.rs),
//! shared with the property tests in tests/gif.rs so stable CI runs it.

use camreel::gif::{GifReader, ReaderOptions, read_info};
use camreel::{ErrorKind, Image, Limits};

/// Reads `data` as a GIF: its structure ([`read_info`]), then every frame
/// composited ([`GifReader`]), under limits small enough that no input can
/// make the reader allocate much. None of it may panic or hang; a frame is
/// always the screen's size; the decoder never finds more frames than the
/// structure holds, and a file the structure reader calls cut short is
/// never decoded to its end without an error.
pub fn fuzz_reader(data: &[u8]) {
    let info = read_info(data);
    let limits = Limits {
        max_width: 1024,
        max_height: 1024,
        max_bytes: 4 << 20,
        ..Limits::DEFAULT
    };
    let Ok(mut reader) = GifReader::with_options(data, ReaderOptions::default().limits(limits))
    else {
        return;
    };
    let mut image = Image::empty();
    let mut frames = 0u64;
    let end = loop {
        match reader.read_frame_into(&mut image) {
            Ok(Some(_)) => {
                frames += 1;
                assert_eq!(image.size(), reader.size());
            }
            Ok(None) => break None,
            Err(e) => break Some(e.kind()),
        }
    };
    match info {
        Ok(info) => assert!(frames <= info.frames.len() as u64),
        Err(e) if e.kind() == ErrorKind::Truncated => assert!(end.is_some()),
        Err(_) => {}
    }
}
