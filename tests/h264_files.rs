//! `.h264` and `.mp4` files written by camreel, read by ffprobe and ffmpeg.

#![cfg(feature = "h264")]

mod h264_support;

use camreel::frame::Frame;
use camreel::h264::{H264Settings, H264Writer};
use camreel::mp4::{Mp4Options, Mp4Writer};
use camreel::sink::FrameSink;
use camreel::timing::FrameRate;
use h264_support::*;

fn record(sink: &mut dyn FrameSink, frames: u32, w: u32, h: u32) {
    for i in 0..frames {
        let img = picture(w, h, i);
        sink.write_frame(&Frame::new(img.view(), i.into(), ntsc(i.into())))
            .unwrap();
    }
    sink.finish().unwrap();
}

fn settings() -> H264Settings {
    H264Settings::default()
        .with_intra_period(30)
        .with_frame_rate(FrameRate::NTSC)
}

#[test]
fn mp4_plays_with_exact_ntsc_timing() {
    if !have("ffprobe") || !have("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ntsc.mp4");
    let options = Mp4Options::default()
        .with_settings(settings())
        .with_frame_rate(FrameRate::NTSC);
    let mut mp4 = Mp4Writer::create(&path, options).unwrap();
    record(&mut mp4, 90, 320, 240);
    assert_eq!(mp4.fragments(), 3);
    drop(mp4);
    let info = stream_info(&path);
    assert_eq!(info["codec_name"], "h264");
    assert_eq!(
        (info["width"].as_str(), info["height"].as_str()),
        ("320", "240")
    );
    assert_eq!(info["nb_read_frames"], "90");
    assert_eq!(info["avg_frame_rate"], "30000/1001");
    assert_eq!(info["r_frame_rate"], "30000/1001");
    assert_eq!(info["duration"], "3.003000");
    assert_eq!(key_frames(&path), [0, 30, 60]);
    let errors = ffmpeg_errors(&path, &[]);
    assert!(errors.is_empty(), "ffmpeg printed: {errors}");
}

#[test]
fn h264_plays_with_key_frames_at_the_intra_period() {
    if !have("ffprobe") || !have("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.h264");
    let mut h264 = H264Writer::create_with(&path, settings()).unwrap();
    record(&mut h264, 75, 320, 240);
    drop(h264);
    let info = stream_info(&path);
    assert_eq!(info["codec_name"], "h264");
    assert_eq!(info["nb_read_frames"], "75");
    // No timing in an elementary stream: ffmpeg assumes 25 fps.
    assert_eq!(info["r_frame_rate"], "25/1");
    assert_eq!(key_frames(&path), [0, 30, 60]);
    let errors = ffmpeg_errors(&path, &[]);
    assert!(errors.is_empty(), "ffmpeg printed: {errors}");
}
