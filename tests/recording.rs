//! picamera's recording API (`camreel::recording`, `camreel::video::VideoRecorder`)
//! with real H.264: splits lose and repeat no frame, every file starts with
//! SPS + PPS + IDR and decodes in ffmpeg, errors surface, and a recorder on
//! a splitter port keeps recording while stills are taken.

#![cfg(feature = "h264")]

mod h264_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use camreel::camera::synthetic::SyntheticCamera;
use camreel::capture::{JpegCapture, Resize, Splitter};
use camreel::clock::ManualClock;
use camreel::frame::Frame;
use camreel::h264::annexb::{AccessUnits, NalType, nal_units};
use camreel::h264::{H264Decoder, H264Encoder, H264Settings, H264Writer};
use camreel::output::OutputOptions;
use camreel::recording::Recording;
use camreel::video::{EncodedFrame, VideoEncoder, VideoFrameType, VideoRecorder};
use camreel::{ErrorKind, Image, PixelFormat, Result};
use h264_support::*;

fn camera(w: u32, h: u32) -> SyntheticCamera {
    builder(w, h).build().unwrap()
}

fn builder(w: u32, h: u32) -> camreel::camera::synthetic::SyntheticBuilder {
    SyntheticCamera::builder()
        .size(w, h)
        .format(PixelFormat::Yuv420)
        .fps(30.0)
        .clock(ManualClock::shared())
}

/// A writer whose bytes stay readable after its owner is gone.
#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// picamera's recipe 5.10 as a test double: counts I- and P-frames and
/// keeps a copy of every access unit the encoder made (the whole stream).
struct Tee<E> {
    inner: E,
    stream: Arc<Mutex<Vec<u8>>>,
    i_frames: Arc<Mutex<(u64, u64)>>,
}

impl<E: VideoEncoder> VideoEncoder for Tee<E> {
    fn format(&self) -> PixelFormat {
        self.inner.format()
    }
    fn encode<'a>(&'a mut self, frame: &Frame<'a>) -> Result<Option<EncodedFrame<'a>>> {
        let out = self.inner.encode(frame)?;
        if let Some(e) = &out {
            self.stream
                .lock()
                .unwrap()
                .extend_from_slice(e.frame.image.data());
            let mut c = self.i_frames.lock().unwrap();
            match e.info.frame_type {
                VideoFrameType::Key => c.0 += 1,
                VideoFrameType::Delta => c.1 += 1,
                VideoFrameType::SpsHeader => {}
            }
        }
        Ok(out)
    }
    fn request_key_frame(&mut self) {
        self.inner.request_key_frame();
    }
}

/// The NAL types of the first three units of `stream`.
fn head(stream: &[u8]) -> Vec<NalType> {
    nal_units(stream)
        .take(3)
        .map(|n| n.unwrap().nal_type())
        .collect()
}

/// Every picture of an Annex B stream, decoded.
fn decode_all(stream: &[u8]) -> Vec<Image> {
    let mut dec = H264Decoder::new().unwrap();
    let mut out = Vec::new();
    for au in AccessUnits::new(stream) {
        let (range, _) = au.unwrap();
        if let Some(p) = dec.decode(&stream[range]).unwrap() {
            out.push(p.to_image());
        }
    }
    while let Some(p) = dec.flush().unwrap() {
        out.push(p.to_image());
    }
    out
}

#[test]
fn h264_splits_lose_and_repeat_nothing() {
    let stream = Arc::new(Mutex::new(Vec::new()));
    let counts = Arc::new(Mutex::new((0, 0)));
    let encoder: Box<dyn VideoEncoder + Send> = Box::new(Tee {
        inner: H264Encoder::new(H264Settings::default().intra_period(45)).unwrap(),
        stream: Arc::clone(&stream),
        i_frames: Arc::clone(&counts),
    });
    let mut rec = Recording::start_with(camera(160, 96), encoder, H264Writer::new(Vec::new()));
    let mut files = Vec::new();
    // Splits in the middle of GOPs, at odd times, one right after another.
    for wait in [700u64, 1300, 100, 33, 2000] {
        rec.wait_recording(Duration::from_millis(wait)).unwrap();
        let next = H264Writer::new(Vec::new());
        files.push(rec.split_recording(next).unwrap().into_inner().unwrap());
    }
    rec.wait_recording(Duration::from_millis(500)).unwrap();
    let frames = rec.frames();
    let (_, last) = rec.stop_recording().unwrap();
    files.push(last.into_inner().unwrap());

    let whole = stream.lock().unwrap().clone();
    // The files together are exactly the encoder's stream: no frame lost or
    // repeated at a split.
    assert_eq!(files.concat(), whole);
    let whole_pictures = decode_all(&whole);
    assert_eq!(whole_pictures.len() as u64, frames);
    let mut at = 0;
    let dir = tempfile::tempdir().unwrap();
    let ffmpeg = have("ffprobe") && have("ffmpeg");
    for (i, file) in files.iter().enumerate() {
        assert_eq!(
            head(file),
            [NalType::Sps, NalType::Pps, NalType::IdrSlice],
            "file {i}"
        );
        // Each file decodes on its own to the same pictures, in order.
        let pictures = decode_all(file);
        assert!(!pictures.is_empty(), "file {i}");
        assert_eq!(
            pictures[..],
            whole_pictures[at..at + pictures.len()],
            "file {i}"
        );
        at += pictures.len();
        if ffmpeg {
            let path = dir.path().join(format!("part{i}.h264"));
            std::fs::write(&path, file).unwrap();
            let info = stream_info(&path);
            assert_eq!(info["nb_read_frames"], pictures.len().to_string());
            assert_eq!(key_frames(&path)[0], 0);
            let errors = ffmpeg_errors(&path, &[]);
            assert!(errors.is_empty(), "file {i}: ffmpeg printed {errors}");
        }
    }
    assert_eq!(at as u64, frames);
    // Each split asked for a key frame: the I-frame count is the intra
    // period's plus one per split.
    let (i, p) = *counts.lock().unwrap();
    assert_eq!(i + p, frames);
    assert!(i >= 6, "{i} key frames");
}

#[test]
fn mp4_and_avi_files_split_by_name_and_play() {
    if !have("ffprobe") || !have("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for ext in ["mp4", "h264", "avi"] {
        let name = |i: usize| dir.path().join(format!("clip{i}.{ext}"));
        let mut rec = Recording::start(camera(160, 96), name(0), OutputOptions::new()).unwrap();
        let mut counts = Vec::new();
        for i in 1..4 {
            rec.wait_recording(Duration::from_millis(400 * i as u64))
                .unwrap();
            counts.push(rec.split_recording_to(name(i)).unwrap().frames());
        }
        rec.wait_recording(Duration::from_secs(1)).unwrap();
        let total = rec.frames();
        let (_, last) = rec.stop_recording().unwrap();
        counts.push(last.frames());
        assert_eq!(counts.iter().sum::<u64>(), total, "{ext}");
        for (i, &n) in counts.iter().enumerate() {
            let info = stream_info(&name(i));
            assert_eq!(info["nb_read_frames"], n.to_string(), "{ext} file {i}");
            assert_eq!(key_frames(&name(i))[0], 0);
            let errors = ffmpeg_errors(&name(i), &[]);
            assert!(errors.is_empty(), "{ext} file {i}: ffmpeg printed {errors}");
            if ext == "mp4" {
                assert_eq!(info["avg_frame_rate"], "30/1");
            }
        }
    }
}

#[test]
fn encoder_errors_surface_from_wait_recording() {
    // An odd width: 4:2:0 H.264 cannot take it.
    let cam = SyntheticCamera::builder()
        .size(33, 24)
        .fps(30.0)
        .clock(ManualClock::shared())
        .build()
        .unwrap();
    let enc = H264Encoder::new(H264Settings::default()).unwrap();
    let mut rec = Recording::start_with(cam, enc, H264Writer::new(Vec::new()));
    let e = rec.wait_recording(Duration::from_secs(1)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
    assert!(
        e.to_string().starts_with("frame 0: encoding: 33x24 frame"),
        "{e}"
    );
    // A sink that fails: a writer to a full disk.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let enc = H264Encoder::new(H264Settings::default()).unwrap();
    let mut rec = Recording::start_with(camera(64, 48), enc, H264Writer::new(full));
    let e = rec.wait_recording(Duration::from_secs(1)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(e.to_string().starts_with("writing frame 0: "), "{e}");
}

#[test]
fn recorder_on_a_splitter_port_with_a_still_while_recording() {
    let high = VideoRecorder::new(
        H264Encoder::new(H264Settings::default().intra_period(100)).unwrap(),
        H264Writer::new(SharedBuf::default()),
    );
    let low = VideoRecorder::new(
        H264Encoder::new(H264Settings::default()).unwrap(),
        H264Writer::new(Vec::new()),
    );
    let handle = high.handle();
    let low_handle = low.handle();
    let second = SharedBuf::default();
    let mut splitter = Splitter::new(builder(320, 192).frame_limit(90).build().unwrap());
    splitter.add_port(high);
    splitter.add_port_with(low, Resize::new(160, 96));
    let stills = splitter.still_handle();
    for _ in 0..40 {
        assert!(splitter.step().unwrap());
    }
    // From another thread: a still from the video port and a split.
    let pending = std::thread::scope(|s| {
        s.spawn(|| {
            handle.split(H264Writer::new(second.clone()));
            stills.request(JpegCapture::new(80).unwrap())
        })
        .join()
        .unwrap()
    });
    let stats = splitter.run(None).unwrap();
    assert_eq!((stats.frames, stats.stills), (90, 1));
    let still = pending.wait().unwrap();
    assert_eq!(still.info.sequence, 40);
    assert_eq!(&still.data[..2], [0xff, 0xd8]);
    let first = handle.take_finished().unwrap();
    assert_eq!(first.frames, 40);
    let first = first.into_result().unwrap().into_inner().unwrap();
    let first = first.0.lock().unwrap().clone();
    // The split came at frame 40, a requested key frame in the middle of
    // a 100-frame GOP.
    let last = handle.last_frame().unwrap();
    assert_eq!(last.index, 89);
    assert_eq!(decode_all(&first).len(), 40);
    drop(splitter);
    // The rest went to the new output, which starts with its key frame.
    let second = second.0.lock().unwrap().clone();
    assert_eq!(
        head(&second),
        [NalType::Sps, NalType::Pps, NalType::IdrSlice]
    );
    assert_eq!(decode_all(&second).len(), 50);
    assert_eq!(low_handle.last_frame().unwrap().index, 89);
    assert!(handle.take_finished().is_none());
}
