#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/imageio_support/fuzz_body.rs"]
#[allow(dead_code)] // each target uses one of the bodies
mod fuzz_body;

/// One scratch directory per fuzzing process (file streams need a real file).
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("camreel-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("creating the scratch directory");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    fuzz_body::fuzz_stream(scratch(), data);
});
