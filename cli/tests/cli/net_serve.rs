//! `camreel serve` as users and network video recorders use it, on
//! 127.0.0.1 only: ffprobe and ffmpeg read the MJPEG stream the way NVRs
//! ingest it (`-f mpjpeg`), curl fetches a snapshot, credentials come from
//! the command line, a file or the environment, SIGTERM stops it cleanly.
#![cfg(feature = "http")]

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::net_support::{Running, get, have_curl, have_ffmpeg, spawn_with_addr};
use crate::support::command;
use camreel::codec::jpeg;

fn serve(extra: &[&str]) -> Running {
    let mut args = vec![
        "serve",
        "synthetic",
        "--listen",
        "127.0.0.1:0",
        "--size",
        "160x120",
    ];
    args.extend_from_slice(extra);
    spawn_with_addr(command().args(&args), "http://")
}

#[test]
fn ffprobe_and_ffmpeg_read_the_stream() {
    if !have_ffmpeg("ffprobe") || !have_ffmpeg("ffmpeg") {
        return;
    }
    let server = serve(&[]);
    let url = format!("http://{}/stream.mjpg", server.addr);
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-f",
            "mpjpeg",
            "-show_entries",
            "stream=codec_name,width,height",
            "-of",
            "csv=p=0",
            &url,
        ])
        .output()
        .unwrap();
    assert!(
        probe.status.success(),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&probe.stdout).trim(),
        "mjpeg,160,120"
    );

    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("f%02d.jpg");
    let grab = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "mpjpeg",
            "-i",
            &url,
            "-frames:v",
            "12",
            "-c",
            "copy",
        ])
        .arg(&pattern)
        .output()
        .unwrap();
    assert!(
        grab.status.success(),
        "{}",
        String::from_utf8_lossy(&grab.stderr)
    );
    for i in 1..=12 {
        let data = std::fs::read(dir.path().join(format!("f{i:02}.jpg"))).unwrap();
        assert_eq!(jpeg::decode(&data).unwrap().size(), (160, 120), "frame {i}");
    }
    // Consecutive frames differ: the scene moves.
    let a = std::fs::read(dir.path().join("f01.jpg")).unwrap();
    let b = std::fs::read(dir.path().join("f12.jpg")).unwrap();
    assert_ne!(a, b);
}

#[test]
fn curl_fetches_a_snapshot_that_decodes() {
    if !have_curl() {
        return;
    }
    let server = serve(&[]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.jpg");
    let out = Command::new("curl")
        .args(["-sS", "--fail", "--max-time", "20", "-o"])
        .arg(&path)
        .arg(format!("http://{}/snapshot.jpg", server.addr))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let img = jpeg::decode(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(img.size(), (160, 120));
    // And with credentials: curl's --user against --auth.
    let server = serve(&["--auth", "cam:pw"]);
    let url = format!("http://{}/snapshot.jpg", server.addr);
    let denied = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "20",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &url,
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&denied.stdout), "401");
    let ok = Command::new("curl")
        .args([
            "-sS",
            "--fail",
            "--max-time",
            "20",
            "--user",
            "cam:pw",
            "-o",
        ])
        .arg(&path)
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    jpeg::decode(&std::fs::read(&path).unwrap()).unwrap();
}

#[test]
fn credentials_from_a_file_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("auth");
    std::fs::write(&file, "fileuser:filepass\n").unwrap();
    let good_file = "Authorization: Basic ZmlsZXVzZXI6ZmlsZXBhc3M="; // fileuser:filepass
    let good_env = "Authorization: Basic ZW52dXNlcjplbnZwYXNz"; // envuser:envpass

    let server = serve(&["--auth-file", file.to_str().unwrap()]);
    assert_eq!(get(server.addr, "/", &[]).unwrap().status, 401);
    assert_eq!(get(server.addr, "/", &[good_file]).unwrap().status, 200);
    drop(server);

    let mut child = command()
        .args([
            "serve",
            "synthetic",
            "--listen",
            "127.0.0.1:0",
            "--size",
            "64x48",
        ])
        .env("CAMREEL_AUTH", "envuser:envpass")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .trim()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let server = Running {
        child,
        addr,
        stdout: None,
    };
    assert_eq!(
        get(server.addr, "/stats.json", &[good_file])
            .unwrap()
            .status,
        401
    );
    assert_eq!(
        get(server.addr, "/stats.json", &[good_env]).unwrap().status,
        200
    );
}

#[test]
fn refuses_to_expose_the_camera_without_credentials() {
    // Refused before anything is bound or opened.
    for listen in ["0.0.0.0:0", "[::]:0"] {
        let out = command()
            .args(["serve", "synthetic", "--listen", listen])
            .env_remove("CAMREEL_AUTH")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("without credentials"), "{err}");
        assert!(err.contains("--no-auth"), "{err}");
    }
    for (args, needle) in [
        (
            &["--auth", "nocolon"][..],
            "credentials: expected USER:PASSWORD",
        ),
        (
            &["--auth-file", "/nonexistent/auth"][..],
            "/nonexistent/auth",
        ),
    ] {
        let out = command()
            .args(["serve", "synthetic", "--listen", "127.0.0.1:0"])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // Values out of range are usage errors.
    for (args, needle) in [
        (&["--timeout", "0"][..], "0 seconds is out of range"),
        (&["--fps", "0"][..], "frame rate 0 is out of range"),
        (&["--max-clients", "0"][..], "--max-clients"),
        (&["--quality", "101"][..], "--quality"),
    ] {
        let out = command()
            .args(["serve", "synthetic", "--listen", "127.0.0.1:0"])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn sigterm_ends_streams_and_exits_cleanly() {
    let mut server = serve(&[]);
    let mut c = crate::net_support::MjpegClient::open(server.addr, &[]).unwrap();
    c.next_part().unwrap().unwrap();
    let status = server
        .terminate(Duration::from_secs(10))
        .expect("serve exits");
    assert!(status.success(), "{status:?}");
    // The client got the closing boundary, then the end of the body.
    let mut n = 0;
    while c.next_part().unwrap().is_some() {
        n += 1;
        assert!(n < 30);
    }
}

/// `/stream.mp4` with the H.264 flags: ffmpeg records two seconds of it and
/// the key frames come every `--intra-period` frames.
#[cfg(feature = "h264")]
#[test]
fn the_live_mp4_takes_the_h264_flags() {
    if !have_ffmpeg("ffprobe") || !have_ffmpeg("ffmpeg") {
        return;
    }
    let server = serve(&["--intra-period", "6", "--bitrate", "400000"]);
    let url = format!("http://{}/stream.mp4", server.addr);
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("live.mp4");
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-rw_timeout", "10000000", "-i", &url])
        .args(["-t", "2", "-c", "copy"])
        .arg(&saved)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["frame=key_frame", "-of", "csv=p=0"])
        .arg(&saved)
        .output()
        .unwrap();
    assert!(probe.status.success());
    let keys: Vec<bool> = String::from_utf8_lossy(&probe.stdout)
        .lines()
        .map(|l| l.trim().starts_with('1'))
        .collect();
    assert!(keys.len() >= 30, "{} frames", keys.len());
    let at: Vec<usize> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| k.then_some(i))
        .collect();
    assert_eq!(at[0], 0);
    for w in at.windows(2) {
        assert_eq!(w[1] - w[0], 6, "key frames at {at:?}");
    }
    // Without the feature's encoder the flags would be refused; with a bad
    // value they are a usage error.
    let o = command()
        .args(["serve", "synthetic", "--intra-period", "0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
