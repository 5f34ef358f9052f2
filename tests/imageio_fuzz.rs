//! The fuzz targets' bodies as property tests: arbitrary and mutated bytes
//! must never panic the ImageIO parser or file stream reader.

#[path = "imageio_support/fuzz_body.rs"]
mod fuzz_body;

use camreel::imageio::FileStream;
use camreel::{Image, PixelFormat};
use proptest::prelude::*;

/// A small valid V2.0 recording to mutate.
fn seed_recording() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.bin");
    let mut s = FileStream::create(&path).unwrap();
    s.write(&Image::new(PixelFormat::Grayscale, 3, 2, vec![1, 2, 3, 4, 5, 6]).unwrap())
        .unwrap();
    s.write(&Image::zeroed(PixelFormat::Rgb565, 4, 4).unwrap())
        .unwrap();
    let mut jpeg = Image::empty();
    jpeg.set_encoded(PixelFormat::Jpeg, 8, 8, |v| {
        v.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xD9, 7]);
        Ok(())
    })
    .unwrap();
    s.write(&jpeg).unwrap();
    s.close().unwrap();
    std::fs::read(&path).unwrap()
}

fn magic() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"OMV IMG STR V2.0".to_vec()),
        Just(b"OMV IMG STR V1.0".to_vec()),
        Just(b"OMV IMG STR V1.1".to_vec()),
        Just(Vec::new()),
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
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn arbitrary_header_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        fuzz_body::fuzz_headers(&bytes);
    }

    #[test]
    fn arbitrary_files_never_panic(
        head in magic(),
        body in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = head;
        bytes.extend_from_slice(&body);
        fuzz_body::fuzz_stream(dir.path(), &bytes);
    }

    #[test]
    fn mutated_recordings_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        words in prop::collection::vec((any::<prop::sample::Index>(), any::<u32>()), 0..3),
        cut in any::<prop::sample::Index>(),
        do_cut in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = seed_recording();
        for (at, v) in edits {
            let i = at.index(bytes.len());
            bytes[i] = v;
        }
        // Header fields are u32: overwrite whole words at 4-byte boundaries.
        for (at, v) in words {
            let i = at.index(bytes.len() / 4) * 4;
            bytes[i..i + 4].copy_from_slice(&v.to_le_bytes());
        }
        if do_cut {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        fuzz_body::fuzz_stream(dir.path(), &bytes);
    }
}

#[test]
fn the_unmutated_seed_reads_completely() {
    let dir = tempfile::tempdir().unwrap();
    fuzz_body::fuzz_stream(dir.path(), &seed_recording());
    let path = dir.path().join("fuzz.bin");
    let s = FileStream::open(&path).unwrap();
    assert_eq!(s.count(), 3);
    assert!(s.damaged_tail().is_none());
}
