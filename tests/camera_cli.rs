//! The `camreel record` and `camreel raw` command lines, run as a user would.

use std::path::Path;
use std::process::{Command, Output};

fn camreel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_camreel"))
        .args(args)
        .output()
        .expect("run camreel")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A failure: exit 1, one line on stderr containing `needle`, no panic.
fn assert_fails_with(args: &[&str], needle: &str) {
    let o = camreel(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(err.starts_with("camreel: "), "{err}");
    assert!(
        err.contains(needle),
        "{args:?}: expected {needle:?} in {err}"
    );
}

#[test]
fn record_refuses_bad_arguments_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.bin");
    let out = out.to_str().unwrap();
    assert_fails_with(
        &["record", "webcam", out],
        "unknown camera source \"webcam\"",
    );
    assert_fails_with(&["record", "replay", out], "unknown camera source");
    assert_fails_with(&["record", "synthetic", out, "--frames", "0"], "--frames 0");
    assert_fails_with(
        &["record", "synthetic", out, "--fps", "0"],
        "--fps 0 is out of range",
    );
    assert_fails_with(
        &["record", "synthetic", out, "--fps", "NaN"],
        "out of range",
    );
    assert_fails_with(
        &["record", "synthetic", out, "--seconds=-1"],
        "--seconds -1",
    );
    assert_fails_with(
        &["record", "synthetic", out, "--size", "0x10"],
        "is not WIDTHxHEIGHT",
    );
    assert_fails_with(&["record", "synthetic", out, "--size", "99999x10"], "limit");
    assert_fails_with(
        &["record", "synthetic", out, "--format", "h264"],
        "unknown pixel format",
    );
    assert_fails_with(&["record", "synthetic", out, "--format", "jpeg"], "JPEG");
    let bad_kind = dir.path().join("x.mp4");
    assert_fails_with(
        &[
            "record",
            "synthetic",
            bad_kind.to_str().unwrap(),
            "--frames",
            "1",
            "--fps",
            "1000",
        ],
        "unknown file kind",
    );
    assert!(!Path::new(out).exists());
}

#[cfg(not(feature = "v4l2"))]
#[test]
fn compiled_out_backends_name_the_feature() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.bin");
    let out = out.to_str().unwrap();
    assert_fails_with(&["record", "v4l2:/dev/video0", out], "--features v4l2");
    assert_fails_with(&["record", "rpi", out], "--features rpi");
}

#[cfg(feature = "v4l2")]
#[test]
fn missing_v4l2_device_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.bin");
    assert_fails_with(
        &["record", "v4l2:/dev/camreel-none", out.to_str().unwrap()],
        "/dev/camreel-none: open: no such device",
    );
}
