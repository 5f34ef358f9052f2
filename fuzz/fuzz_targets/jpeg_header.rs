#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/jpeg_support/fuzz_body.rs"]
mod fuzz_body;

fuzz_target!(|data: &[u8]| {
    fuzz_body::fuzz_jpeg(data);
});
