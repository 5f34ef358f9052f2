//! What users and attackers did to the command line: signals, pipes,
//! inputs that are outputs, endless inputs.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use camreel::camera::CameraSource;
use camreel::camera::replay::{self, ReplayOptions};

use crate::support::*;

fn frames_in(path: &Path) -> u64 {
    let mut clip = replay::open(path, &ReplayOptions::new()).unwrap();
    let mut n = 0;
    while clip.next_frame().unwrap().is_some() {
        n += 1;
    }
    n
}

/// Sends `signal` to `pid`.
fn kill(signal: &str, pid: u32) {
    let status = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("running kill");
    assert!(status.success());
}

#[test]
fn a_signal_finishes_the_recording_and_exits_with_its_status() {
    let dir = tempfile::tempdir().unwrap();
    for (signal, code, name) in [
        ("-INT", 130, "SIGINT"),
        ("-TERM", 143, "SIGTERM"),
        ("-HUP", 129, "SIGHUP"),
    ] {
        for ext in ["avi", "gif", "bin"] {
            let out = dir.path().join(format!("slow-{name}.{ext}"));
            // 20 fps for up to a minute: stopped after about a second.
            let child = command()
                .args(["record", "synthetic"])
                .arg(&out)
                .args(["--size", "32x24", "--fps", "20", "--seconds", "60"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(1000));
            kill(signal, child.id());
            let o = child.wait_with_output().unwrap();
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(code), "{name} {ext}: {err}");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains(&format!("stopped by {name}")), "{err}");
            let saved: u64 = err
                .split(": ")
                .nth(2)
                .and_then(|s| s.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no count in {err}"));
            assert!(saved >= 5, "{name} {ext}: {err}");
            // The file is complete: an AVI's index, a GIF's trailer.
            assert_eq!(frames_in(&out), saved, "{name} {ext}");
        }
    }
}

#[test]
fn a_signal_does_not_wait_for_a_slow_source() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("crawl.avi");
    // One frame every 100 s: the second would come long after the signal.
    let child = command()
        .args(["record", "synthetic"])
        .arg(&out)
        .args(["--size", "16x16", "--fps", "0.01", "--seconds", "600"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let start = Instant::now();
    kill("-INT", child.id());
    let o = child.wait_with_output().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert_eq!(frames_in(&out), 1);
}

#[test]
fn inputs_are_never_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.bin");
    ok(&[
        "record",
        "synthetic",
        a.to_str().unwrap(),
        "--size",
        "16x16",
        "--frames",
        "3",
    ]);
    let before = std::fs::read(&a).unwrap();
    let hard = dir.path().join("hard.bin");
    std::fs::hard_link(&a, &hard).unwrap();
    assert_fails_with(
        &["convert", a.to_str().unwrap(), hard.to_str().unwrap()],
        "is both the input and the output",
    );
    let replay = format!("replay:{}", a.display());
    assert_fails_with(
        &["record", &replay, a.to_str().unwrap(), "--frames", "2"],
        "is both the input and the output",
    );
    let png = dir.path().join("x.png");
    std::fs::write(&png, b"not a capture").unwrap();
    assert_fails_with(
        &[
            "raw",
            png.to_str().unwrap(),
            png.to_str().unwrap(),
            "--format",
            "rgb",
            "--size",
            "4x4",
        ],
        "is both the input and the output",
    );
    assert_eq!(std::fs::read(&a).unwrap(), before);
}

#[test]
fn endless_and_unseekable_inputs_fail_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let z = dir.path().join("z.png");
    let start = Instant::now();
    assert_fails_with(
        &[
            "raw",
            "/dev/zero",
            z.to_str().unwrap(),
            "--format",
            "rgb",
            "--size",
            "4x4",
        ],
        "more than the limit",
    );
    assert!(start.elapsed() < Duration::from_secs(30));
    for ext in ["avi", "bin"] {
        let fifo = dir.path().join(format!("f.{ext}"));
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let out = dir.path().join("o.gif");
        assert_fails_with(
            &["convert", fifo.to_str().unwrap(), out.to_str().unwrap()],
            "not a pipe",
        );
    }
}
