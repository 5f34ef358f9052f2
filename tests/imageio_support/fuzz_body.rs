// The body of the ImageIO fuzz targets, shared by `tests/imageio_fuzz.rs`
// (a proptest, run by `cargo test`) and `fuzz/fuzz_targets/*.rs` (cargo-fuzz),
// which include this file with `#[path]`.

use std::path::Path;

use camreel::imageio::header::{FrameHeader, Version};
use camreel::imageio::{FileOptions, ReadOptions};
use camreel::{ErrorKind, Image, Limits};

/// Parses `bytes` as a file header and as chunk headers of every version.
/// Must never panic; whatever parses must re-encode to the same fields.
pub fn fuzz_headers(bytes: &[u8]) {
    let _ = Version::parse(bytes);
    for version in [Version::V1_0, Version::V1_1, Version::V2_0] {
        for limits in [Limits::default(), Limits::NONE] {
            if let Ok(h) = FrameHeader::parse(version, bytes, &limits) {
                assert!(h.width > 0 && h.height > 0 && h.byte_size > 0);
                let again = match version {
                    Version::V2_0 => h.to_v2_bytes().map(|b| b.to_vec()),
                    _ => h.to_v1_bytes().map(|b| b.to_vec()),
                };
                let again = again.expect("a parsed header re-encodes");
                assert_eq!(FrameHeader::parse(version, &again, &limits).unwrap(), h);
            }
        }
    }
}

/// Writes `bytes` to `dir/fuzz.bin`, opens it as a file stream and reads
/// every frame twice over (looping). Must never panic, and the reads must
/// follow the documented contract: `count` frames, then the damaged tail's
/// error once if there is one, then the end.
pub fn fuzz_stream(dir: &Path, bytes: &[u8]) {
    let path = dir.join("fuzz.bin");
    std::fs::write(&path, bytes).expect("writing the fuzz input");
    let limits = Limits {
        max_bytes: 1 << 20,
        ..Limits::default()
    };
    let Ok(mut s) = FileOptions::new().limits(limits).open(&path) else {
        return;
    };
    let count = s.count();
    assert_eq!(s.headers().len() as u64, count);
    let tail = s.damaged_tail().cloned();
    if let Some(t) = &tail {
        assert_eq!(t.frame, count);
        assert!(
            t.message
                .starts_with(&format!("frame {count} at byte {}: ", t.offset))
        );
    }
    let opts = ReadOptions::NO_WAIT;
    let mut img = Image::empty();
    for pass in 0..2 {
        s.seek(0).expect("seek to 0");
        for i in 0..count {
            let info = s
                .read_into(&mut img, opts)
                .expect("an indexed frame reads")
                .expect("an indexed frame is there");
            assert_eq!(info.index, i);
            let h = s.header(i).expect("header of an indexed frame");
            assert_eq!((img.format(), img.size()), (h.format, (h.width, h.height)));
            assert_eq!(img.data().len(), h.byte_size as usize);
        }
        if let Some(t) = &tail {
            let e = s.read_into(&mut img, opts).expect_err("the damaged tail");
            assert_eq!(e.kind(), t.kind, "pass {pass}");
            assert_ne!(e.kind(), ErrorKind::Io);
        }
        assert!(s.read_into(&mut img, opts).expect("the end").is_none());
    }
}
