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
        .intra_period(30)
        .frame_rate(FrameRate::NTSC)
}

#[test]
fn mp4_plays_with_exact_ntsc_timing() {
    if !have("ffprobe") || !have("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ntsc.mp4");
    let options = Mp4Options::default()
        .settings(settings())
        .frame_rate(FrameRate::NTSC);
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

#[test]
fn mp4_seeks_to_a_middle_frame() {
    if !have("ffprobe") || !have("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seek.mp4");
    let options = Mp4Options::default()
        .settings(settings())
        .frame_rate(FrameRate::NTSC);
    let mut mp4 = Mp4Writer::create(&path, options).unwrap();
    record(&mut mp4, 90, 320, 240);
    drop(mp4);
    // Frame 45 starts at 1.5015 s: ffmpeg seeks to the key frame at 30 and
    // drops frames until 1.5015, so it outputs frames 45 to 89.
    let (n, err) = decoded_frames(&path, &["-ss", "1.5015"]);
    assert!(err.is_empty(), "ffmpeg printed: {err}");
    assert_eq!(n, 45);
    // ffprobe's reading of the packets after a seek starts at the key frame.
    let (out, err) = ffprobe(
        &path,
        &[
            "-read_intervals",
            "1.6%+#1",
            "-select_streams",
            "v:0",
            "-show_entries",
            "packet=pts_time,flags",
            "-of",
            "csv=p=0",
        ],
    );
    assert!(err.is_empty(), "{err}");
    assert_eq!(out.lines().next(), Some("1.001000,K_"), "{out}");
}

#[test]
fn mp4_to_a_pipe_plays_without_durations() {
    if !have("ffprobe") || !have("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipe.mp4");
    let options = Mp4Options::default().settings(settings());
    let mut mp4 = Mp4Writer::new(Vec::new(), options);
    record(&mut mp4, 40, 160, 120);
    std::fs::write(&path, mp4.into_inner().unwrap()).unwrap();
    let info = stream_info(&path);
    assert_eq!(info["nb_read_frames"], "40");
    assert_eq!(key_frames(&path), [0, 30]);
    // 40 frames at 30000/1001 fps: the last one lasts the mean interval.
    let times = packet_times(&path);
    assert_eq!(times.len(), 40);
    assert!(
        (times[39] - 39.0 * 1001.0 / 30000.0).abs() < 1e-4,
        "{times:?}"
    );
    let errors = ffmpeg_errors(&path, &[]);
    assert!(errors.is_empty(), "ffmpeg printed: {errors}");
}

#[test]
fn written_files_read_back_frame_for_frame() {
    use camreel::camera::CameraSource;
    use camreel::h264::H264Reader;
    use camreel::mp4::Mp4Reader;
    let dir = tempfile::tempdir().unwrap();
    let mp4_path = dir.path().join("back.mp4");
    let h264_path = dir.path().join("back.h264");
    let options = Mp4Options::default()
        .settings(settings())
        .frame_rate(FrameRate::NTSC);
    let mut mp4 = Mp4Writer::create(&mp4_path, options).unwrap();
    record(&mut mp4, 45, 64, 48);
    drop(mp4);
    let mut h264 = H264Writer::create_with(&h264_path, settings()).unwrap();
    record(&mut h264, 45, 64, 48);
    drop(h264);

    let mut reader = Mp4Reader::open(&mp4_path).unwrap();
    let info = reader.info();
    assert_eq!((info.frames, info.key_frames), (45, 2));
    assert_eq!(info.rate, Some(FrameRate::NTSC));
    assert_eq!(info.duration, Some(ntsc(45)));
    assert_eq!(info.damage, None);
    assert_eq!(reader.format().width, 64);
    let mut n = 0;
    while let Some(frame) = reader.next_frame().unwrap() {
        assert_eq!(frame.timestamp, ntsc(n), "frame {n}");
        assert_eq!(frame.image.size(), (64, 48));
        n += 1;
    }
    assert_eq!(n, 45);

    let info = camreel::h264::info(&h264_path, None).unwrap();
    assert_eq!((info.frames, info.key_frames, info.rate), (45, 2, None));
    assert_eq!((info.duration, info.bitrate), (None, None));
    assert_eq!(info.profile, "Constrained Baseline");
    let info = camreel::h264::info(&h264_path, Some(FrameRate::NTSC)).unwrap();
    assert_eq!(info.duration, Some(ntsc(45)));
    let bits = info.video_bytes * 8 * 30000 / (45 * 1001);
    assert_eq!(info.bitrate, Some(bits));
    assert_eq!(camreel::mp4::info(&mp4_path).unwrap().frames, 45);
    let mut reader = H264Reader::open(&h264_path)
        .unwrap()
        .with_rate(FrameRate::NTSC);
    let mut n = 0;
    while let Some(frame) = reader.next_frame().unwrap() {
        assert_eq!(frame.timestamp, ntsc(n));
        n += 1;
    }
    assert_eq!(n, 45);
    // Pass-through: .h264 access units into an .mp4 keep every byte.
    let mut reader = H264Reader::open(&h264_path).unwrap();
    let mut copy = Mp4Writer::new(Vec::new(), Mp4Options::default());
    while let Some(au) = reader.next_access_unit().unwrap() {
        copy.write_frame(&au).unwrap();
    }
    let bytes = copy.into_inner().unwrap();
    let mut back = Mp4Reader::new(std::io::Cursor::new(bytes), Default::default()).unwrap();
    let mut original = H264Reader::open(&h264_path).unwrap();
    while let Some(a) = original.next_access_unit().unwrap() {
        let a = a.image.data().to_vec();
        let b = back.next_access_unit().unwrap().unwrap();
        assert_eq!(b.image.data(), &a[..]);
    }
    assert!(back.next_access_unit().unwrap().is_none());
}
