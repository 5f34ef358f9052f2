//! Recording under load keeps true time and says what it dropped: a paced
//! synthetic camera (a real clock) into each output kind through a sink
//! slower than the camera. The file's duration matches the captured span
//! within one frame interval, the drops reported are exactly the frames
//! captured minus the frames written, and the sequence numbers written
//! show exactly those gaps.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use camreel::camera::CameraSource;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::frame::Frame;
use camreel::output::{FileSink, OutputOptions};
use camreel::record::{Overflow, RecordOptions, RecordStats, record_live};
use camreel::replay::{self, ReplayOptions};
use camreel::sink::FrameSink;
use camreel::timing::FrameRate;

mod avi_support;

const FPS: u32 = 30;

/// A sink that takes `delay` longer than the file it writes, and notes the
/// frames it was given.
struct Slow<K> {
    inner: K,
    delay: Duration,
    written: Vec<(u64, Duration)>,
}

impl<K: FrameSink> FrameSink for Slow<K> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> camreel::Result<()> {
        std::thread::sleep(self.delay);
        self.inner.write_frame(frame)?;
        self.written.push((frame.sequence, frame.timestamp));
        Ok(())
    }
    fn sync(&mut self) -> camreel::Result<()> {
        self.inner.sync()
    }
    fn finish(&mut self) -> camreel::Result<()> {
        self.inner.finish()
    }
}

fn camera() -> SyntheticCamera {
    SyntheticCamera::builder()
        .size(64, 48)
        .fps(f64::from(FPS))
        .build()
        .unwrap()
}

/// The frames' timestamps as the file plays them.
fn played(path: &Path) -> Vec<Duration> {
    // A raw .h264 has no timing: played at the rate it was recorded at.
    let options = ReplayOptions::new().rate(FrameRate::new(FPS, 1).unwrap());
    let mut clip = replay::open(path, &options).unwrap();
    let mut stamps = Vec::new();
    while let Some(f) = clip.next_frame().unwrap() {
        stamps.push(f.timestamp);
    }
    stamps
}

/// Records 1.5 s through a sink that takes `delay` a frame.
fn record_slowly(
    path: &Path,
    delay: Duration,
    overflow: Overflow,
) -> (RecordStats, Vec<(u64, Duration)>) {
    let rate = FrameRate::new(FPS, 1).unwrap();
    let sink = FileSink::create(path, OutputOptions::new().frame_rate(rate)).unwrap();
    let mut slow = Slow {
        inner: sink,
        delay,
        written: Vec::new(),
    };
    let options = RecordOptions::new()
        .duration(Duration::from_millis(1500))
        .overflow(overflow)
        .queue(4);
    let stats = record_live(&mut camera(), &mut slow, &options, |_| {}).unwrap();
    slow.finish().unwrap();
    (stats, slow.written)
}

/// Every frame the camera captured in the 1.5 s (45 frames, sequences 0 to
/// 44) is written or counted as dropped, and the gaps in the sequences
/// written are the drops.
fn check_counts(name: &str, stats: &RecordStats, written: &[(u64, Duration)]) {
    assert_eq!(stats.frames, written.len() as u64, "{name}");
    assert_eq!(written[0].0, 0, "{name}");
    assert_eq!(stats.captured(), 45, "{name}: {stats:?}");
    let last = written[written.len() - 1].0;
    let gaps: u64 = written.windows(2).map(|w| w[1].0 - w[0].0 - 1).sum();
    assert_eq!(
        gaps + (44 - last),
        stats.dropped.total(),
        "{name}: {stats:?}"
    );
}

#[test]
fn a_slow_output_drops_frames_but_keeps_time_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let interval = Duration::from_secs(1) / FPS;
    let mut names = vec!["slow.bin", "slow.avi", "slow.gif"];
    if cfg!(feature = "h264") {
        names.extend(["slow.mp4", "slow.h264"]);
    }
    for name in names {
        let path = dir.path().join(name);
        // 55 ms a frame: under 20 fps against the camera's 30.
        let (stats, written) =
            record_slowly(&path, Duration::from_millis(55), Overflow::DropOldest);
        check_counts(name, &stats, &written);
        assert!(
            stats.dropped.pipeline >= 10,
            "{name}: the queue should have dropped frames: {stats:?}"
        );
        // The captured span: first to last frame written, plus the last
        // frame's interval.
        let span = written[written.len() - 1].1 - written[0].1 + interval;
        let stamps = played(&path);
        let file = stamps[stamps.len() - 1] - stamps[0] + interval;
        let diff = file.abs_diff(span);
        assert!(
            diff <= interval,
            "{name}: the file lasts {file:?}, the camera captured {span:?}"
        );
        if name.ends_with(".avi") {
            ffprobe_sees_the_gaps(&path, &written);
        }
        if name.ends_with(".avi") || name.ends_with(".h264") {
            // A constant-rate file: the missing slots up to the last frame
            // written hold repeats.
            let last = written[written.len() - 1].0;
            assert_eq!(stamps.len() as u64, last + 1, "{name}");
        } else {
            assert_eq!(stamps.len(), written.len(), "{name}");
            // Each interval in the file is the frames' distance on the
            // camera's clock (1 ms for ImageIO, 10 ms for GIF rounding).
            for (pair, t) in written.windows(2).zip(stamps.windows(2)) {
                let want = pair[1].1 - pair[0].1;
                let got = t[1] - t[0];
                let err = got.abs_diff(want);
                assert!(
                    err <= Duration::from_millis(10),
                    "{name}: {want:?} vs {got:?}"
                );
            }
        }
    }
}

/// ffprobe reads the AVI's packets at the slots of the frames written: the
/// dropped frames' empty chunks are gaps in their times, one per frame the
/// recording lost, and the file lasts to the last frame's slot.
fn ffprobe_sees_the_gaps(path: &Path, written: &[(u64, Duration)]) {
    if !avi_support::have("ffprobe") {
        return;
    }
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["packet=pts,size", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pts: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split(',').next()?.parse().ok())
        .collect();
    let slots: Vec<u64> = written.iter().map(|w| w.0).collect();
    assert_eq!(pts, slots, "{}", path.display());
}

#[test]
fn blocking_leaves_the_drops_to_the_camera() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("block.bin");
    let (stats, written) = record_slowly(&path, Duration::from_millis(55), Overflow::Block);
    check_counts("block", &stats, &written);
    assert_eq!(stats.dropped.pipeline, 0, "{stats:?}");
    assert!(stats.dropped.source >= 10, "{stats:?}");
}

#[test]
fn dropping_the_newest_keeps_the_first_frames() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newest.gif");
    let (stats, written) = record_slowly(&path, Duration::from_millis(55), Overflow::DropNewest);
    check_counts("newest", &stats, &written);
    assert!(stats.dropped.pipeline >= 10, "{stats:?}");
    // The queue's first frames all went through.
    let seqs: Vec<u64> = written.iter().take(5).map(|w| w.0).collect();
    assert_eq!(seqs, [0, 1, 2, 3, 4]);
}

#[test]
fn a_fast_output_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fast.bin");
    let (stats, written) = record_slowly(&path, Duration::ZERO, Overflow::DropOldest);
    check_counts("fast", &stats, &written);
    assert_eq!(stats.dropped.total(), 0, "{stats:?}");
    assert_eq!(stats.frames, 45);
}

/// A sink that keeps nothing.
struct Nothing;

impl FrameSink for Nothing {
    fn write_frame(&mut self, _: &Frame<'_>) -> camreel::Result<()> {
        Ok(())
    }
}

/// A source that fails after some frames: the frames before the error are
/// written, then the error comes through the queue.
struct Failing {
    camera: SyntheticCamera,
    left: u32,
}

impl CameraSource for Failing {
    fn format(&self) -> camreel::camera::StreamFormat {
        self.camera.format()
    }
    fn next_frame(&mut self) -> camreel::Result<Option<Frame<'_>>> {
        if self.left == 0 {
            return Err(camreel::Error::new(
                camreel::ErrorKind::Disconnected,
                "unplugged",
            ));
        }
        self.left -= 1;
        self.camera.next_frame()
    }
}

#[test]
fn a_source_error_reaches_the_caller_after_the_queued_frames() {
    let mut source = Failing {
        camera: SyntheticCamera::builder().size(8, 8).build().unwrap(),
        left: 7,
    };
    let mut log = Slow {
        inner: Nothing,
        delay: Duration::from_millis(2),
        written: Vec::new(),
    };
    let e = record_live(
        &mut source,
        &mut log,
        &RecordOptions::new().overflow(Overflow::Block),
        |_| {},
    )
    .unwrap_err();
    assert_eq!(e.error.kind(), camreel::ErrorKind::Disconnected);
    assert_eq!(e.stats.frames, 7);
    assert_eq!(log.written.len(), 7);
}

/// A raw .h264 repeats the frame before a gap, whatever its format (a
/// JPEG from a replayed .bin is encoded again, not its bytes misread).
#[cfg(feature = "h264")]
#[test]
fn an_h264_stream_repeats_encoded_and_raw_frames_into_gaps() {
    use camreel::PixelFormat;
    use camreel::h264::H264Writer;

    let dir = tempfile::tempdir().unwrap();
    for format in [PixelFormat::Jpeg, PixelFormat::Rgb888] {
        let path = dir.path().join(format!("gap-{}.h264", format.name()));
        let mut camera = SyntheticCamera::builder()
            .size(64, 48)
            .format(format)
            .build()
            .unwrap();
        let mut w = H264Writer::create(&path).unwrap();
        let interval = Duration::from_secs(1) / FPS;
        // Slots 0, 1, then 4: slots 2 and 3 repeat frame 1.
        for (i, slot) in [0u32, 1, 4].into_iter().enumerate() {
            let f = camera.next_frame().unwrap().unwrap();
            let f = Frame::new(f.image, i as u64, interval * slot);
            w.write_frame(&f).unwrap();
        }
        assert_eq!((w.frames(), w.repeated_frames()), (5, 2), "{format}");
        w.finish().unwrap();
        assert_eq!(played(&path).len(), 5, "{format}");
    }
}
