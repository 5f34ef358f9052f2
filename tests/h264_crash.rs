//! A recording process killed with SIGKILL keeps every complete fragment:
//! this test binary runs itself as the recording process (the
//! `recorder_child` test, which records to an MP4 until killed when
//! `CAMREEL_CRASH_CHILD` names the file), then ffmpeg and camreel's reader
//! decode what is left.

#![cfg(all(feature = "h264", unix))]

mod h264_support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use camreel::camera::CameraSource;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::clock::ManualClock;
use camreel::h264::H264Settings;
use camreel::mp4::{Mp4Options, Mp4Reader, Mp4Writer};
use camreel::sink::FrameSink;
use camreel::timing::FrameRate;
use camreel::{ErrorKind, Limits, PixelFormat};
use h264_support::*;

/// The recording process: 640x480 at 30 fps, a key frame every 15
/// frames, into the MP4 `CAMREEL_CRASH_CHILD` names, until killed. Does
/// nothing in a normal test run.
#[test]
fn recorder_child() {
    let Ok(path) = std::env::var("CAMREEL_CRASH_CHILD") else {
        return;
    };
    let mut camera = SyntheticCamera::builder()
        .size(640, 480)
        .format(PixelFormat::Yuv420)
        .fps(30.0)
        .clock(ManualClock::shared())
        .build()
        .unwrap();
    let settings = H264Settings::default().intra_period(15);
    let options = Mp4Options::default()
        .settings(settings)
        .frame_rate(FrameRate::default());
    let mut mp4 = Mp4Writer::create(path, options).unwrap();
    while let Some(frame) = camera.next_frame().unwrap() {
        mp4.write_frame(&frame).unwrap();
    }
}

#[test]
fn sigkilled_recording_keeps_complete_fragments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.mp4");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "recorder_child", "--nocapture"])
        .env("CAMREEL_CRASH_CHILD", &path)
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it part way through a fragment, after several complete ones.
    let start = Instant::now();
    loop {
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if len > 400_000 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "recording too slow"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // camreel: every frame of the complete fragments, then the damage.
    let mut reader = Mp4Reader::new(
        std::io::BufReader::new(std::fs::File::open(&path).unwrap()),
        Limits::default(),
    )
    .unwrap();
    let info = reader.info();
    assert!(info.frames >= 30, "{info:?}");
    // Fragments hold 15 frames (the intra period) unless the cut fell
    // exactly between two.
    assert_eq!(info.frames % 15, 0, "{info:?}");
    assert_eq!(info.key_frames, info.frames / 15);
    let mut decoded = 0u64;
    let end = loop {
        match reader.next_frame() {
            Ok(Some(frame)) => {
                assert_eq!(
                    frame.timestamp,
                    Duration::from_nanos(decoded * 1_000_000_000 / 30)
                );
                decoded += 1;
            }
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    assert_eq!(decoded, info.frames);
    if let Some(e) = end {
        assert_eq!(e.kind(), ErrorKind::Truncated, "{e}");
    }

    // ffmpeg decodes the same frames.
    if !have("ffmpeg") {
        return;
    }
    let (n, err) = decoded_frames(&path, &[]);
    assert_eq!(n, info.frames, "ffmpeg printed: {err}");
}
