//! Helpers shared by the GIF integration tests.

pub mod fuzz_body;
