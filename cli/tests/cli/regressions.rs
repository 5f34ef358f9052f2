//! Regression tests for defects of issue 14 fixed before these tests: the
//! frame-rate range, timing of `--seconds` and of a GIF's last frame, a GIF
//! streamed from a pipe, and endless raw inputs.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::*;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn convert_refuses_rates_outside_the_range_as_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.bin");
    ok(&[
        "record",
        "synthetic",
        s(&src),
        "--size",
        "8x8",
        "--frames",
        "2",
    ]);
    let out = dir.path().join("o.avi");
    for tiny in ["5e-324", "1e-20"] {
        assert_usage_error(
            &["convert", s(&src), s(&out), "--fps", tiny],
            &format!("frame rate {tiny} is out of range (expected 1/86400 to 10000"),
        );
    }
    assert_usage_error(
        &["convert", s(&src), s(&out), "--fps", "20000"],
        "out of range",
    );
    assert!(!out.exists());
}

#[test]
fn seconds_times_fps_frames_and_a_gifs_last_delay_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    // --seconds 1 at 15 fps: 15 frames lasting exactly a second.
    let bin = dir.path().join("one-second.bin");
    ok(&[
        "record",
        "synthetic",
        s(&bin),
        "--seconds",
        "1",
        "--fps",
        "15",
        "--size",
        "16x16",
    ]);
    let text = stdout(&ok(&["info", s(&bin)]));
    assert!(
        text.contains(", 15 frames, ") && text.contains(", 1000 ms\n"),
        "{text}"
    );
    // A 1.00 s GIF of 30 frames (delays 3, 4, 3, ... cs) becomes a 30 fps,
    // 1.000 s AVI: its last frame's delay counts.
    let gif = dir.path().join("thirty.gif");
    ok(&[
        "record",
        "synthetic",
        s(&gif),
        "--frames",
        "30",
        "--fps",
        "30",
        "--size",
        "16x16",
    ]);
    assert!(stdout(&ok(&["info", s(&gif)])).contains("duration: 1.00 s\n"));
    let avi = dir.path().join("thirty.avi");
    ok(&["convert", s(&gif), s(&avi)]);
    let text = stdout(&ok(&["info", s(&avi)]));
    for line in [
        "frames: 30\n",
        "rate: 30 fps (30.000)\n",
        "duration: 1.000 s\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
}

#[test]
fn a_gif_streams_from_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("s.gif");
    ok(&[
        "record",
        "synthetic",
        s(&src),
        "--size",
        "16x16",
        "--frames",
        "5",
    ]);
    let fifo = dir.path().join("f.gif");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let bytes = std::fs::read(&src).unwrap();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            f.write_all(&bytes).unwrap();
        })
    };
    let out = dir.path().join("o.bin");
    let start = Instant::now();
    ok(&["convert", s(&fifo), s(&out)]);
    writer.join().unwrap();
    assert!(start.elapsed() < Duration::from_secs(30));
    assert!(stdout(&ok(&["info", s(&out)])).contains(", 5 frames, "));
}

#[test]
fn endless_raw_inputs_stop_at_the_limit_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("z.png");
    for args in [
        &["--format", "yuv420", "--size", "4x4"][..],
        &["--format", "rgb", "--size", "4x4"][..],
        &["--format", "bayer"][..],
    ] {
        let start = Instant::now();
        let mut all = vec!["raw", "/dev/zero", s(&out)];
        all.extend_from_slice(args);
        assert_fails_with(&all, "more than the limit");
        assert!(start.elapsed() < Duration::from_secs(60), "{args:?}");
    }
    assert!(!out.exists());
}
