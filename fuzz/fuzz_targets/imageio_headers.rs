#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/imageio_support/fuzz_body.rs"]
#[allow(dead_code)] // each target uses one of the bodies
mod fuzz_body;

fuzz_target!(|data: &[u8]| {
    fuzz_body::fuzz_headers(data);
});
