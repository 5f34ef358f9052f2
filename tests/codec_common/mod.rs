//! Helpers shared by the codec and geometry integration tests.
#![allow(dead_code)]

use std::process::Command;

/// A smooth colour gradient, `width` x `height` RGB888.
pub fn gradient_rgb(width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width.max(2) - 1, height.max(2) - 1);
    let mut out = Vec::new();
    for y in 0..height {
        for x in 0..width {
            out.push((40 + x * 170 / w) as u8);
            out.push((30 + y * 190 / h) as u8);
            out.push((200 - (x + y) * 150 / (w + h)) as u8);
        }
    }
    out
}

/// A gentle gradient whose channels change by at most 3 levels per pixel
/// (JPEG's 4:2:0 chroma then costs little even on tiny images).
pub fn gentle_rgb(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for y in 0..height {
        for x in 0..width {
            out.push((60 + 3 * x.min(60)) as u8);
            out.push((80 + 2 * y.min(80)) as u8);
            out.push((170 - x.min(60) - y.min(60)) as u8);
        }
    }
    out
}

/// A gradient with deterministic pseudo-random texture (+-24 levels).
pub fn textured_rgb(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    gradient_rgb(width, height)
        .into_iter()
        .map(|v| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (i32::from(v) + (state % 49) as i32 - 24).clamp(0, 255) as u8
        })
        .collect()
}

/// Peak signal-to-noise ratio in dB between two 8-bit buffers (infinite when equal).
pub fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let se: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum();
    if se == 0.0 {
        return f64::INFINITY;
    }
    10.0 * (255.0f64 * 255.0 * a.len() as f64 / se).log10()
}

/// BT.601 limited-range RGB of one Y, U, V sample (SPEC section 6), rounded.
pub fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let (y, u, v) = (
        f64::from(y) - 16.0,
        f64::from(u) - 128.0,
        f64::from(v) - 128.0,
    );
    let c = |x: f64| x.round().clamp(0.0, 255.0) as u8;
    [
        c(1.164 * y + 1.596 * v),
        c(1.164 * y - 0.392 * u - 0.813 * v),
        c(1.164 * y + 2.017 * u),
    ]
}

/// Whether `tool` (ffmpeg, ffprobe) can be run. Missing: skip with a printed
/// reason, or panic when `CAMREEL_REQUIRE_FFMPEG=1`.
pub fn have_tool(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("CAMREEL_REQUIRE_FFMPEG").as_deref() == Ok("1") {
            panic!("{tool} is missing and CAMREEL_REQUIRE_FFMPEG=1");
        }
        eprintln!("skipping: {tool} not found (set CAMREEL_REQUIRE_FFMPEG=1 to make this fail)");
    }
    found
}
