//! Helpers shared by the H.264 and MP4 integration tests.

#![allow(dead_code)]

pub mod fuzz_body;
