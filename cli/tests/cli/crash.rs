//! Recordings killed with SIGKILL (no chance to finish anything) keep every
//! frame older than the sync interval (a second), for every output kind:
//! the files are read back by camreel and, when installed, ffprobe.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use camreel::camera::CameraSource;
use camreel::replay::{self, ReplayOptions};

use crate::support::*;

/// Every output kind, by the name recorded to.
const OUTPUTS: [&str; 6] = ["k.bin", "k.avi", "k.gif", "k.h264", "k.mp4", "f%04d.png"];

fn spawn(out: &Path, fps: &str, seconds: &str) -> Child {
    command()
        .args(["record", "synthetic"])
        .arg(out)
        .args(["--size", "16x16", "--fps", fps, "--seconds", seconds])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("running camreel")
}

/// Frames camreel reads back from `out` (a PNG pattern: its files, each
/// decoded in full).
fn frames_in(out: &Path) -> u64 {
    let name = out.file_name().unwrap().to_string_lossy();
    if name.contains('%') {
        let dir = out.parent().unwrap();
        let mut n = 0;
        while let Ok(bytes) = std::fs::read(dir.join(format!("f{n:04}.png"))) {
            let png = camreel::Image::new(camreel::PixelFormat::Png, 16, 16, bytes).unwrap();
            let decoded = camreel::codec::decode(png.view());
            assert!(decoded.is_ok(), "f{n:04}.png: {decoded:?}");
            n += 1;
        }
        return n;
    }
    let options = ReplayOptions::new().encoded(true);
    let mut clip = replay::open(out, &options).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    let mut n = 0;
    while clip
        .next_frame()
        .unwrap_or_else(|e| panic!("{}: frame {n}: {e}", out.display()))
        .is_some()
    {
        n += 1;
    }
    n
}

/// What ffprobe counts in `out`, if installed.
fn probed(out: &Path) -> Option<u64> {
    if out.to_string_lossy().contains('%') || !have("ffprobe") {
        return None;
    }
    let o = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(out)
        .output()
        .unwrap();
    stdout(&o).trim().parse().ok()
}

fn outputs(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    OUTPUTS
        .iter()
        .map(|name| {
            let sub = dir.join(format!("{prefix}-{}", name.replace(['.', '%'], "-")));
            std::fs::create_dir_all(&sub).unwrap();
            sub.join(name)
        })
        .collect()
}

fn kill_all(children: &mut [Child]) {
    for child in children.iter_mut() {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[test]
fn a_killed_recording_keeps_every_frame_older_than_a_second() {
    let dir = tempfile::tempdir().unwrap();
    // 1 fps for a minute, killed after 13 s; and one frame every 1000 s,
    // killed after 3 s. All run at once.
    let steady = outputs(dir.path(), "steady");
    let slow = outputs(dir.path(), "slow");
    let start = Instant::now();
    let mut steady_children: Vec<Child> = steady.iter().map(|o| spawn(o, "1", "60")).collect();
    let mut slow_children: Vec<Child> = slow.iter().map(|o| spawn(o, "0.001", "6000")).collect();
    std::thread::sleep(Duration::from_secs(3));
    kill_all(&mut slow_children);
    std::thread::sleep(Duration::from_secs(13).saturating_sub(start.elapsed()));
    let elapsed = start.elapsed();
    kill_all(&mut steady_children);
    for out in &slow {
        assert_eq!(frames_in(out), 1, "{}", out.display());
        if let Some(n) = probed(out) {
            assert_eq!(n, 1, "ffprobe: {}", out.display());
        }
    }
    // Frame i is due i seconds after the camera starts (which takes a
    // moment after the spawn): every frame more than a second old at the
    // kill is in the file.
    let due = elapsed.as_secs() - 1;
    for out in &steady {
        let n = frames_in(out);
        assert!(
            (due..=elapsed.as_secs() + 1).contains(&n),
            "{}: {n} frames after {elapsed:?}",
            out.display()
        );
        if let Some(p) = probed(out) {
            assert_eq!(p, n, "ffprobe: {}", out.display());
        }
    }
}
