//! Running the `camreel` binary in tests: one helper for every module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use camreel::imageio::ReadOptions;

/// Reads that neither loop nor wait.
pub const NO_WAIT: ReadOptions = ReadOptions::NO_WAIT;

/// The binary under test, for commands that need more than arguments
/// (stdin, environment, signals).
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_camreel"))
}

/// Runs `camreel` with `args` and waits for it.
pub fn camreel<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    command().args(args).output().expect("running camreel")
}

/// A file in the repository's `tests/data`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(name)
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A success (exit 0), or a panic showing stderr.
pub fn ok<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S]) -> Output {
    let o = camreel(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    o
}

/// A runtime failure: exit 1, exactly one line on stderr starting
/// `camreel: `, no panic. Returns the line.
pub fn assert_fails_cleanly(o: &Output) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "stderr: {err}");
    assert!(err.starts_with("camreel: "), "stderr: {err}");
    assert!(!err.contains("panicked"), "stderr: {err}");
    err
}

/// Runs `args` and expects a runtime failure whose line contains `needle`.
pub fn assert_fails_with<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S], needle: &str) {
    let o = camreel(args);
    let err = assert_fails_cleanly(&o);
    assert!(
        err.contains(needle),
        "{args:?}: expected {needle:?} in {err}"
    );
}

/// Runs `args` and expects a usage error: exit 2, clap's message naming
/// `needle`.
pub fn assert_usage_error<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S], needle: &str) {
    let o = camreel(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        err.contains(needle),
        "{args:?}: expected {needle:?} in {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Whether `tool` runs; when it does not and `CAMREEL_REQUIRE_FFMPEG=1`
/// (CI), a panic; otherwise a printed reason to skip.
pub fn have(tool: &str) -> bool {
    if Command::new(tool).arg("-version").output().is_ok() {
        return true;
    }
    if std::env::var("CAMREEL_REQUIRE_FFMPEG").as_deref() == Ok("1") {
        panic!("{tool} is required (CAMREEL_REQUIRE_FFMPEG=1) but not installed");
    }
    eprintln!("skipping a check: {tool} is not installed");
    false
}

/// `ffprobe`, when installed (see [`have`]).
pub fn ffprobe() -> Option<&'static str> {
    have("ffprobe").then_some("ffprobe")
}
