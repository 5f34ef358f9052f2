//! `camreel record SOURCE --events PATTERN` (SPEC section 10): files per
//! event, what each one holds, the printed report, signals and bad flags.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use camreel::camera::CameraSource;
use camreel::replay::{self, ReplayOptions};

use crate::support::*;

/// The timestamps of a file's frames, in seconds, through camreel's reader.
fn timestamps(path: &Path) -> Vec<f64> {
    let mut clip = replay::open(path, &ReplayOptions::new()).unwrap();
    let mut t = Vec::new();
    while let Some(f) = clip.next_frame().unwrap() {
        t.push(f.timestamp.as_secs_f64());
    }
    t
}

/// One report line: the path and its `key=value` fields.
struct Report {
    path: String,
    start: f64,
    duration: f64,
    frames: u64,
    trigger: f64,
}

fn reports(out: &str) -> Vec<Report> {
    out.lines()
        .map(|line| {
            let mut parts = line.split('\t');
            let path = parts.next().unwrap().to_string();
            let mut field = |name: &str| -> f64 {
                let p = parts.next().unwrap_or_else(|| panic!("{line}"));
                let v = p
                    .strip_prefix(&format!("{name}="))
                    .unwrap_or_else(|| panic!("{line}"));
                v.parse().unwrap()
            };
            let start = field("start");
            let duration = field("duration");
            let frames = field("frames") as u64;
            let trigger = field("trigger");
            Report {
                path,
                start,
                duration,
                frames,
                trigger,
            }
        })
        .collect()
}

fn ffprobe_frames(path: &Path) -> Option<u64> {
    let probe = ffprobe()?;
    let o = std::process::Command::new(probe)
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    Some(stdout(&o).trim().parse().unwrap())
}

#[test]
fn a_line_on_stdin_records_one_event_with_pre_and_post_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("ev%02d.mp4");
    let mut child = command()
        .args(["record", "synthetic", "--events"])
        .arg(&pattern)
        .args(["--trigger", "stdin", "--pre", "0.5", "--post", "1"])
        .args(["--size", "160x120", "--seconds", "5", "--intra-period", "5"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(Duration::from_millis(2000));
    writeln!(stdin, "motion at the door").unwrap();
    stdin.flush().unwrap();
    let o = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = reports(&stdout(&o));
    assert_eq!(r.len(), 1, "{}", stdout(&o));
    let e = &r[0];
    let path = dir.path().join("ev01.mp4");
    assert_eq!(Path::new(&e.path), path);
    // The line came about 2 s in; the file starts at a key frame at most
    // 0.5 s + one GOP (5 frames at 30 fps) before it, and goes on for the
    // post seconds after it.
    assert!(e.trigger > 1.0 && e.trigger < 4.0, "trigger {}", e.trigger);
    assert!(e.start <= e.trigger - 0.45, "{} {}", e.start, e.trigger);
    assert!(
        e.start + e.duration >= e.trigger + 0.95,
        "{} {}",
        e.duration,
        e.trigger
    );
    assert!(
        e.start + e.duration <= e.trigger + 1.5,
        "{} {}",
        e.duration,
        e.trigger
    );
    // The file holds what the line says.
    let t = timestamps(&path);
    assert_eq!(t.len() as u64, e.frames);
    assert!(e.frames >= 15, "{} frames", e.frames);
    // At most one group of pictures (5 frames) more than the pre seconds.
    let gop = t[5] - t[0];
    assert!(
        e.start >= e.trigger - 0.5 - gop - 0.01,
        "{} {} {gop}",
        e.start,
        e.trigger
    );
    // The file's own times span the reported duration (less the last
    // frame's), whatever origin it counts from.
    let span = t[t.len() - 1] - t[0];
    assert!(
        span < e.duration && span > e.duration - 0.25,
        "{span} {}",
        e.duration
    );
    if let Some(n) = ffprobe_frames(&path) {
        assert_eq!(n, e.frames);
    }
}

#[test]
fn motion_starts_events_and_max_event_splits_them_into_numbered_files() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("clip%04d.avi");
    // The synthetic picture moves all the time: one long event, cut into
    // files of at most a second.
    let o = ok(&[
        "record",
        "synthetic",
        "--events",
        pattern.to_str().unwrap(),
        "--size",
        "160x120",
        "--pre",
        "0",
        "--post",
        "0.5",
        "--max-event",
        "1",
        "--seconds",
        "3.5",
    ]);
    let r = reports(&stdout(&o));
    assert!(r.len() >= 3, "{}", stdout(&o));
    for (i, e) in r.iter().enumerate() {
        let path = dir.path().join(format!("clip{:04}.avi", i + 1));
        assert_eq!(Path::new(&e.path), path);
        assert!(e.duration <= 1.05, "{}: {}", e.path, e.duration);
        assert_eq!(timestamps(&path).len() as u64, e.frames);
        if let Some(n) = ffprobe_frames(&path) {
            assert_eq!(n, e.frames, "{}", e.path);
        }
    }
    // Consecutive files of one event meet: no frame lost, none repeated.
    for w in r.windows(2) {
        let end = w[0].start + w[0].duration;
        assert!(
            (w[1].start - end).abs() < 0.1,
            "{} then {}",
            end,
            w[1].start
        );
    }
}

#[test]
fn a_signal_finishes_the_event_file() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("cam-%Y%m%d-%H%M%S.bin");
    let child = command()
        .args(["record", "synthetic", "--events"])
        .arg(&pattern)
        .args(["--size", "160x120", "--fps", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(
        err.contains("stopped by SIGINT: 1 event files saved"),
        "{err}"
    );
    let r = reports(&stdout(&o));
    assert_eq!(r.len(), 1);
    let name = Path::new(&r[0].path).file_name().unwrap().to_str().unwrap();
    // cam-YYYYMMDD-HHMMSS.bin from today's date.
    assert_eq!(name.len(), "cam-20261203-123456.bin".len(), "{name}");
    assert!(name[4..12].chars().all(|c| c.is_ascii_digit()), "{name}");
    assert_eq!(timestamps(Path::new(&r[0].path)).len() as u64, r[0].frames);
    assert!(r[0].frames >= 10, "{} frames", r[0].frames);
}

#[test]
fn bad_event_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.avi");
    let out = out.to_str().unwrap();
    assert_usage_error(
        &["record", "synthetic", out, "--events", "e%d.avi"],
        "cannot be used with",
    );
    assert_usage_error(&["record", "synthetic", out, "--pre", "1"], "--events");
    assert_usage_error(
        &[
            "record",
            "synthetic",
            "--events",
            "e%d.avi",
            "--trigger",
            "gpio",
        ],
        "gpio",
    );
    assert_usage_error(
        &["record", "synthetic", "--events", "e%d.avi", "--post", "x"],
        "--post",
    );
    assert_fails_with(
        &[
            "record",
            "synthetic",
            "--events",
            "event.txt",
            "--seconds",
            "1",
        ],
        "event.txt",
    );
    assert!(!dir.path().join("e1.avi").exists());
}

#[test]
fn event_folders_named_by_date_are_made_as_events_come() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("cam/%Y-%m-%d/clip%04d.bin");
    let o = ok(&[
        "record",
        "synthetic",
        "--events",
        pattern.to_str().unwrap(),
        "--size",
        "160x120",
        "--seconds",
        "1",
    ]);
    let r = reports(&stdout(&o));
    assert_eq!(r.len(), 1, "{}", stdout(&o));
    let path = Path::new(&r[0].path);
    assert!(path.is_file(), "{}", path.display());
    assert_eq!(path.file_name().unwrap(), "clip0001.bin");
    let day = path
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    assert_eq!(day.len(), "2026-12-03".len(), "{day}");
    assert_eq!(
        path.parent().unwrap().parent().unwrap(),
        dir.path().join("cam")
    );
    // A folder that cannot be made is a clear error.
    std::fs::write(dir.path().join("file"), b"").unwrap();
    let blocked = dir.path().join("file/clip%04d.bin");
    assert_fails_with(
        &[
            "record",
            "synthetic",
            "--events",
            blocked.to_str().unwrap(),
            "--size",
            "160x120",
            "--seconds",
            "1",
        ],
        "creating the folder",
    );
}
