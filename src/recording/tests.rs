use std::time::Duration;

use super::*;
use crate::camera::synthetic::SyntheticCamera;
use crate::clock::ManualClock;
use crate::frame::Frame;
use crate::video::MjpegEncoder;

/// Remembers what it was given.
#[derive(Default, Debug)]
struct Log {
    seqs: Vec<u64>,
    jpeg: bool,
    finished: bool,
    fail_after: Option<usize>,
}

impl FrameSink for Log {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        if self.fail_after.is_some_and(|n| self.seqs.len() >= n) {
            return Err(Error::new(ErrorKind::Io, "disk full"));
        }
        self.jpeg = frame.image.format() == crate::PixelFormat::Jpeg;
        self.seqs.push(frame.sequence);
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        self.finished = true;
        Ok(())
    }
}

fn camera(fps: f64) -> SyntheticCamera {
    SyntheticCamera::builder()
        .size(32, 24)
        .fps(fps)
        .clock(ManualClock::shared())
        .build()
        .unwrap()
}

#[test]
fn waits_are_measured_on_timestamps_and_mjpeg_splits_at_once() {
    let enc = MjpegEncoder::new(70).unwrap();
    let mut rec = Recording::start_with(camera(30.0), enc, Log::default());
    rec.wait_recording(Duration::from_secs(1)).unwrap();
    assert_eq!(rec.frames(), 30);
    // 30 intervals of 1/30 s, each rounded down to the nanosecond.
    assert_eq!(rec.duration(), Duration::from_nanos(999_999_999));
    let first = rec.split_recording(Log::default()).unwrap();
    assert!(first.finished && first.jpeg);
    assert_eq!(first.seqs, (0..30).collect::<Vec<_>>());
    rec.wait_recording(Duration::from_millis(500)).unwrap();
    let second = rec.split_recording(Log::default()).unwrap();
    assert_eq!(second.seqs, (30..45).collect::<Vec<_>>());
    let still = rec.capture(&mut crate::capture::RawEncoder).unwrap();
    assert_eq!(still.info.sequence, 45);
    assert_eq!(still.data.len(), 32 * 24 * 3);
    rec.wait_recording(Duration::from_millis(100)).unwrap();
    let frame = rec.frame().unwrap();
    assert!(frame.key_frame());
    assert_eq!(frame.index, 48);
    let (_, last) = rec.stop_recording().unwrap();
    assert!(last.finished);
    assert_eq!(last.seqs, (45..49).collect::<Vec<_>>());
}

#[test]
fn sink_and_source_errors_surface_from_wait_recording() {
    let enc = MjpegEncoder::new(70).unwrap();
    let out = Log {
        fail_after: Some(5),
        ..Log::default()
    };
    let mut rec = Recording::start_with(camera(30.0), enc, out);
    let e = rec.wait_recording(Duration::from_secs(1)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert_eq!(e.to_string(), "frame 5: disk full");
    let short = SyntheticCamera::builder()
        .size(32, 24)
        .frame_limit(3)
        .build()
        .unwrap();
    let mut rec = Recording::start_with(short, MjpegEncoder::new(70).unwrap(), Log::default());
    let e = rec.wait_recording(Duration::from_secs(5)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::EndOfStream);
    assert!(
        e.to_string().starts_with("the source ended after 3 frames"),
        "{e}"
    );
}

#[test]
fn outputs_by_name_and_writer() {
    let dir = tempfile::tempdir().unwrap();
    let e =
        Recording::start(camera(10.0), dir.path().join("a.gif"), OutputOptions::new()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GIF is not a video output: record to .h264, .mp4, .avi or .bin"
    );
    let mut rec =
        Recording::start(camera(10.0), dir.path().join("a.bin"), OutputOptions::new()).unwrap();
    rec.wait_recording(Duration::from_secs(1)).unwrap();
    let a = rec.split_recording_to(dir.path().join("b.bin")).unwrap();
    rec.wait_recording(Duration::from_secs(1)).unwrap();
    let (_, b) = rec.stop_recording().unwrap();
    assert_eq!((a.frames(), b.frames()), (10, 10));
    let s = crate::imageio::FileStream::open(dir.path().join("b.bin")).unwrap();
    assert_eq!(s.count(), 10);
    assert!(s.headers().skip(1).all(|h| h.elapsed_ms == 100));

    let mut rec = Recording::start_writer(
        camera(10.0),
        Vec::new(),
        VideoFormat::Mjpeg,
        OutputOptions::new().quality(60),
    )
    .unwrap();
    rec.wait_recording(Duration::from_millis(300)).unwrap();
    let (_, out) = rec.stop_recording().unwrap();
    let bytes = out.into_inner().unwrap();
    // Three JPEGs back to back.
    let soi = bytes
        .windows(3)
        .filter(|w| w == &[0xff, 0xd8, 0xff])
        .count();
    assert_eq!(soi, 3);
}
