//! Files camreel did not write (ffmpeg's libx264 MP4s, fragmented or not,
//! with B-frames) and damaged ones, read by camreel; a recording split at
//! a requested key frame loses and repeats nothing.

#![cfg(feature = "h264")]

mod h264_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use camreel::camera::CameraSource;
use camreel::frame::Frame;
use camreel::h264::annexb::{AccessUnits, nal_units};
use camreel::h264::{H264Decoder, H264Encoder, H264Reader, H264Settings, H264Writer, NalType};
use camreel::mp4::Mp4Reader;
use camreel::sink::FrameSink;
use camreel::video::VideoEncoder;
use camreel::{ErrorKind, Image};
use h264_support::*;

/// Makes a test clip with ffmpeg's libx264; false if ffmpeg cannot.
fn x264(path: &Path, extra: &[&str]) -> bool {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=176x144:rate=30000/1001:duration=2")
        .args([
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "24", "-bf", "2",
        ])
        .args(extra)
        .arg("-y")
        .arg(path)
        .output()
        .expect("running ffmpeg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

#[test]
fn ffmpeg_mp4s_decode_with_their_timestamps() {
    if !have("ffmpeg") || !have("ffprobe") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, extra) in [
        ("plain.mp4", &[][..]),
        ("frag.mp4", &["-movflags", "frag_keyframe+empty_moov"][..]),
    ] {
        let path = dir.path().join(name);
        assert!(x264(&path, extra));
        let mut want = packet_times(&path);
        want.sort_by(f64::total_cmp);
        assert_eq!(want.len(), 60, "{name}");
        let mut reader = Mp4Reader::open(&path).unwrap();
        let info = reader.info();
        assert_eq!(
            (info.frames, info.width, info.height),
            (60, 176, 144),
            "{name}"
        );
        assert_eq!(info.key_frames, key_frames(&path).len() as u64, "{name}");
        assert_eq!(info.profile, "High", "{name}");
        let mut got = Vec::new();
        while let Some(frame) = reader.next_frame().unwrap() {
            assert_eq!(frame.image.size(), (176, 144));
            got.push(frame.timestamp);
        }
        assert_eq!(got.len(), 60, "{name}");
        // Presentation order, each time within a tick of ffprobe's (which
        // applies the edit list of the plain file, as the reader does).
        for (g, w) in got.iter().zip(&want) {
            assert!((g.as_secs_f64() - w).abs() < 1e-4, "{name}: {g:?} vs {w}");
        }
    }
}

#[test]
fn damaged_h264_decodes_up_to_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.h264");
    let mut w = H264Writer::create_with(&path, H264Settings::default().intra_period(10)).unwrap();
    for i in 0..30u32 {
        let img = picture(96, 64, i);
        w.write_frame(&Frame::new(img.view(), i.into(), ntsc(i.into())))
            .unwrap();
    }
    w.finish().unwrap();
    drop(w);
    let mut bytes = std::fs::read(&path).unwrap();
    // Set the forbidden bit of access unit 20's first slice header (the
    // encoder cuts pictures into slices, one per thread).
    let units: Vec<_> = AccessUnits::new(&bytes).map(|u| u.unwrap()).collect();
    assert_eq!(units.len(), 30);
    let (au_start, slice) = (
        units[20].0.start,
        units[20].0.start + units[20].1.header_bytes,
    );
    let header = slice + if bytes[slice + 2] == 1 { 3 } else { 4 };
    bytes[header] |= 0x80;
    std::fs::write(&path, &bytes).unwrap();

    let mut reader = H264Reader::open(&path).unwrap();
    let mut n = 0;
    let err = loop {
        match reader.next_frame() {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("no error after {n} frames"),
            Err(e) => break e,
        }
    };
    assert_eq!(n, 20);
    assert_eq!(err.kind(), ErrorKind::Format);
    assert_eq!(
        err.to_string(),
        format!(
            "access unit 20 at byte {au_start}: byte {}: nal unit header 0x{:02x} has its forbidden bit set",
            slice - au_start,
            bytes[header]
        )
    );
    assert!(reader.next_frame().unwrap().is_none());
    let info = H264Reader::open(&path).unwrap().info().unwrap();
    assert_eq!(info.frames, 20);
    assert!(info.damage.unwrap().starts_with("access unit 20 at byte "));
}

/// The frames before and after a split, decoded, are the frames encoded,
/// in order, and each file starts with SPS+PPS+IDR.
#[test]
fn split_at_a_requested_key_frame_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut encoder = H264Encoder::new(H264Settings::default().intra_period(100)).unwrap();
    let mut reference = H264Decoder::new().unwrap();
    let mut expected: Vec<Image> = Vec::new();
    let paths = [dir.path().join("a.h264"), dir.path().join("b.h264")];
    let mut out = H264Writer::create(&paths[0]).unwrap();
    let mut pending = false;
    for i in 0..40u32 {
        if i == 23 {
            encoder.request_key_frame();
            pending = true;
        }
        let img = picture(64, 48, i);
        let encoded = encoder
            .encode(&Frame::new(img.view(), i.into(), ntsc(i.into())))
            .unwrap()
            .unwrap();
        if pending && encoded.info.key_frame() {
            assert_eq!(encoded.info.index, 23);
            out.finish().unwrap();
            out = H264Writer::create(&paths[1]).unwrap();
            pending = false;
        }
        out.write_frame(&encoded.frame).unwrap();
        let picture = reference
            .decode(encoded.frame.image.data())
            .unwrap()
            .unwrap();
        expected.push(picture.to_image());
    }
    out.finish().unwrap();
    drop(out);
    let mut got = Vec::new();
    for (k, path) in paths.iter().enumerate() {
        let bytes = std::fs::read(path).unwrap();
        let types: Vec<NalType> = nal_units(&bytes)
            .take(3)
            .map(|n| n.unwrap().nal_type())
            .collect();
        assert_eq!(
            types,
            [NalType::Sps, NalType::Pps, NalType::IdrSlice],
            "file {k}"
        );
        let mut reader = H264Reader::open(path).unwrap();
        while let Some(frame) = reader.next_frame().unwrap() {
            got.push(frame.image.to_image());
        }
    }
    assert_eq!(got.len(), 40);
    assert!(
        got == expected,
        "decoded frames differ from the frames encoded"
    );
    let _ = Duration::ZERO;
}
