//! Event recording proved on the synthetic camera's scripted motion: every
//! event file starts before the event minus the pre-trigger time and ends
//! after it plus the post-trigger time, plays in ffprobe/ffmpeg, holds the
//! frames it claims in order, and the files plus the buffer's drops account
//! for every frame captured.

#![cfg(feature = "h264")]

mod h264_support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use camreel::camera::CameraSource;
use camreel::camera::synthetic::{MotionEvent, SyntheticCamera};
use camreel::clock::ManualClock;
use camreel::event::{EventEnd, EventFiles, EventOptions, EventRecorder, EventReport, join};
use camreel::h264::H264Settings;
use camreel::output::OutputOptions;
use camreel::record::RecordOptions;
use camreel::replay::{self, ReplayOptions};
use camreel::sink::FrameSink;
use camreel::{Image, PixelFormat};
use h264_support::*;

const FPS: f64 = 10.0;
const W: u32 = 320;
const H: u32 = 240;
/// Frames recorded: the events and a quiet second after the last.
const FRAMES: u64 = 190;

fn secs(frames: u64) -> Duration {
    Duration::from_secs_f64(frames as f64 / FPS)
}

fn colored(mut e: MotionEvent, color: [u8; 3]) -> MotionEvent {
    e.color = color;
    e
}

/// The scripted events (the motion detector's test shapes): a white
/// object crossing the sky at 8 pixels a frame, a dark one over the ground
/// at 6, the default red one at 5 diagonally, then the white and the dark
/// ones 0.5 s apart.
fn scripted() -> Vec<MotionEvent> {
    let white = [250; 3];
    let dark = [20, 20, 30];
    vec![
        colored(
            MotionEvent::new(15..35, (10, 30), (170, 30), (48, 96)),
            white,
        ),
        colored(
            MotionEvent::new(60..75, (200, 100), (110, 130), (112, 112)),
            dark,
        ),
        MotionEvent::new(100..116, (40, 40), (120, 120), (80, 96)),
        colored(
            MotionEvent::new(140..155, (10, 30), (130, 30), (48, 96)),
            white,
        ),
        colored(
            MotionEvent::new(160..172, (200, 100), (128, 130), (112, 112)),
            dark,
        ),
    ]
}

fn camera(frames: u64, format: PixelFormat) -> SyntheticCamera {
    let mut b = SyntheticCamera::builder()
        .size(W, H)
        .format(format)
        .objects(0)
        .pan(false)
        .fps(FPS)
        .clock(ManualClock::shared())
        .frame_limit(frames);
    for e in scripted() {
        b = b.motion_event(e);
    }
    b.build().unwrap()
}

/// Records `frames` frames of the scripted camera into event files named
/// by `pattern`; returns the reports and the recorder's final counts.
fn run(
    format: PixelFormat,
    pattern: &Path,
    options: impl FnOnce(EventOptions) -> EventOptions,
    frames: u64,
) -> (Vec<EventReport>, camreel::event::EventStats) {
    let mut cam = camera(frames, format);
    let options = options(
        EventOptions::new(&pattern.to_string_lossy())
            .unwrap()
            .pre(Duration::from_secs(1))
            .post(Duration::from_secs(1)),
    );
    let mut rec = EventRecorder::new(options, cam.format()).unwrap();
    let reports = Arc::new(Mutex::new(Vec::new()));
    let r = Arc::clone(&reports);
    rec.on_event(move |e| r.lock().unwrap().push(e.clone()));
    let stats = rec.record(&mut cam, &RecordOptions::new()).unwrap();
    assert_eq!(stats.frames, frames);
    let before_finish = rec.stats();
    rec.finish().unwrap();
    let stats = rec.stats();
    assert_eq!(stats.file_frames, before_finish.file_frames);
    let reports = reports.lock().unwrap().clone();
    (reports, stats)
}

/// Mean absolute difference of two images' first `n` bytes (luma).
fn mad(a: &[u8], b: &[u8], n: usize) -> f64 {
    let s: u64 = a[..n]
        .iter()
        .zip(&b[..n])
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    s as f64 / n as f64
}

/// Checks the files against the script and the frame accounting.
fn check(reports: &[EventReport], stats: camreel::event::EventStats, frames: u64, gop: Duration) {
    // Events 4 and 5 overlap (0.5 s apart, post 1 s): one file.
    assert_eq!(reports.len(), 4, "{reports:#?}");
    let script = scripted();
    let groups = [(0, 0), (1, 1), (2, 2), (3, 4)];
    // Motion shows from a scripted event's second frame (its first move)
    // to its last; the buffer keeps `pre` back from the frame before the
    // trigger.
    let pre = Duration::from_secs(1);
    let post = Duration::from_secs(1);
    for (r, &(a, b)) in reports.iter().zip(&groups) {
        let (start, end) = (secs(script[a].start), secs(script[b].end));
        assert!(r.start <= start.saturating_sub(pre), "{r:#?}");
        // Within a GOP (and the detector's frame of delay) of it.
        assert!(
            r.start + pre + gop + secs(2) >= start,
            "started too early: {r:#?}"
        );
        assert!(r.start + r.duration >= end + post, "ended too soon: {r:#?}");
        assert_eq!(r.end, EventEnd::Quiet);
        assert_eq!(r.part, 0);
        assert_eq!(r.frames, r.last_sequence - r.first_sequence + 1);
    }
    // Files in order, disjoint; the buffer dropped the frames between them.
    for pair in reports.windows(2) {
        assert!(pair[0].last_sequence < pair[1].first_sequence);
    }
    let in_files: u64 = reports.iter().map(|r| r.frames).sum();
    assert_eq!(in_files, stats.file_frames);
    assert_eq!(stats.encoded, frames);
    assert_eq!(in_files + stats.dropped + stats.buffered, frames);
    assert_eq!(
        (stats.events, stats.files),
        (4, 4),
        "one event per file: {stats:?}"
    );
}

/// Decodes `path` and compares each picture's luma with the frame the
/// camera rendered for its sequence number.
/// (`format` is the camera's: YUV420 for H.264, grayscale for JPEG.)
fn check_pictures(format: PixelFormat, path: &Path, report: &EventReport) {
    let reference = camera(0, format);
    let mut clip = replay::open(path, &ReplayOptions::new()).unwrap();
    let n = (W * H) as usize;
    let mut seq = report.first_sequence;
    while let Some(frame) = clip.next_frame().unwrap() {
        let picture: Image = camreel::codec::transcode(frame.image, format).unwrap();
        let want = reference.render(seq).unwrap();
        let here = mad(picture.data(), want.data(), n);
        assert!(here < 3.0, "{}: frame {seq}: {here}", path.display());
        if let Ok(next) = reference.render(seq + 1)
            && mad(want.data(), next.data(), n) > 1.0
        {
            // While something moves, the neighbour is clearly further.
            assert!(mad(picture.data(), next.data(), n) > here, "frame {seq}");
        }
        seq += 1;
    }
    assert_eq!(seq, report.last_sequence + 1, "{}", path.display());
}

fn plays(path: &Path, frames: u64) {
    let info = stream_info(path);
    assert_eq!(
        info["nb_read_frames"],
        frames.to_string(),
        "{}",
        path.display()
    );
    assert_eq!(key_frames(path)[0], 0, "{}", path.display());
    let errors = ffmpeg_errors(path, &[]);
    assert!(
        errors.is_empty(),
        "{}: ffmpeg printed {errors}",
        path.display()
    );
}

#[test]
fn h264_and_mp4_event_files_follow_the_script() {
    let ffmpeg = have("ffprobe") && have("ffmpeg");
    for ext in ["mp4", "h264"] {
        let dir = tempfile::tempdir().unwrap();
        let gop = Duration::from_secs(1);
        let (reports, stats) = run(
            PixelFormat::Yuv420,
            &dir.path().join(format!("event-%Y%m%d-%H%M%S.{ext}")),
            |o| {
                o.output(OutputOptions::new().h264(H264Settings::default().intra_period(10)))
                    .start_time(std::time::UNIX_EPOCH + Duration::from_secs(1_709_210_096))
            },
            FRAMES,
        );
        check(&reports, stats, FRAMES, gop);
        // Named from the trigger's time: 2024-02-29 12:34:56 plus its
        // timestamp.
        let first = &reports[0];
        let t = 1_709_210_096 + first.trigger.as_secs();
        let c = camreel::event::CivilTime::of(std::time::UNIX_EPOCH + Duration::from_secs(t), 0);
        assert_eq!(
            first.path,
            dir.path().join(format!(
                "event-20240229-{:02}{:02}{:02}.{ext}",
                c.hour, c.minute, c.second
            ))
        );
        for r in &reports {
            check_pictures(PixelFormat::Yuv420, &r.path, r);
            if ffmpeg {
                plays(&r.path, r.frames);
            }
        }
    }
}

#[test]
fn mjpeg_and_imageio_event_files_follow_the_script() {
    let ffmpeg = have("ffprobe") && have("ffmpeg");
    for ext in ["avi", "bin"] {
        let dir = tempfile::tempdir().unwrap();
        // A grayscale camera: JPEG has one plane to code.
        let (reports, stats) = run(
            PixelFormat::Grayscale,
            &dir.path().join(format!("clip%04d.{ext}")),
            |o| o,
            FRAMES,
        );
        // Every JPEG frame is a key frame: the buffer starts anywhere.
        check(&reports, stats, FRAMES, Duration::ZERO);
        let names: Vec<PathBuf> = reports.iter().map(|r| r.path.clone()).collect();
        let want: Vec<PathBuf> = (1..=4)
            .map(|i| dir.path().join(format!("clip{i:04}.{ext}")))
            .collect();
        assert_eq!(names, want);
        for r in &reports {
            check_pictures(PixelFormat::Grayscale, &r.path, r);
            if ffmpeg && ext == "avi" {
                plays(&r.path, r.frames);
            }
        }
    }
}

#[test]
fn before_and_after_files_join_into_one() {
    let ffmpeg = have("ffprobe") && have("ffmpeg");
    for ext in ["h264", "avi"] {
        let dir = tempfile::tempdir().unwrap();
        let format = match ext {
            "h264" => PixelFormat::Yuv420,
            _ => PixelFormat::Grayscale,
        };
        let (reports, _) = run(
            format,
            &dir.path().join(format!("motion%02d.{ext}")),
            |o| {
                let o = o.files(EventFiles::BeforeAfter);
                match ext {
                    "h264" => o.output(
                        OutputOptions::new().h264(H264Settings::default().intra_period(10)),
                    ),
                    _ => o,
                }
            },
            50,
        );
        let r = &reports[0];
        let before = r.before.clone().unwrap();
        assert_eq!(before, dir.path().join(format!("motion01-before.{ext}")));
        assert_eq!(r.path, dir.path().join(format!("motion01-after.{ext}")));
        let joined = dir.path().join(format!("motion01.{ext}"));
        let j = join(&before, &r.path, &joined).unwrap();
        assert_eq!(j.before, r.pre_frames);
        assert_eq!(j.before + j.after, r.frames);
        if ext == "h264" {
            // Access units copied as they are: the two files back to back.
            let mut both = std::fs::read(&before).unwrap();
            both.extend(std::fs::read(&r.path).unwrap());
            assert_eq!(std::fs::read(&joined).unwrap(), both);
        }
        let mut whole = r.clone();
        whole.path = joined.clone();
        check_pictures(format, &joined, &whole);
        if ffmpeg {
            plays(&before, j.before);
            plays(&r.path, j.after);
            plays(&joined, r.frames);
        }
        // Mixed encodings are refused, and nothing is left behind.
        let other = dir.path().join("other.mp4");
        let e = join(&before, &r.path, &other);
        if ext == "avi" {
            assert!(e.unwrap_err().to_string().contains("without re-encoding"));
            assert!(!other.exists());
        }
    }
}

#[test]
fn a_trigger_that_never_stops_makes_capped_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut cam = camera(75, PixelFormat::Yuv420);
    let options = EventOptions::new(&dir.path().join("long%03d.mp4").to_string_lossy())
        .unwrap()
        .pre(Duration::from_secs(1))
        .max_event(Duration::from_secs(2))
        .output(OutputOptions::new().h264(H264Settings::default().intra_period(50)));
    let mut rec = EventRecorder::new(options, cam.format())
        .unwrap()
        .without_motion();
    let reports = Arc::new(Mutex::new(Vec::new()));
    let r = Arc::clone(&reports);
    rec.on_event(move |e| r.lock().unwrap().push(e.clone()));
    rec.record(&mut cam, &RecordOptions::new().limit(5))
        .unwrap();
    rec.handle().hold(true);
    rec.record(&mut cam, &RecordOptions::new()).unwrap();
    assert!(rec.in_event());
    rec.finish().unwrap();
    let reports = reports.lock().unwrap().clone();
    let ends: Vec<_> = reports.iter().map(|r| (r.part, r.end)).collect();
    assert_eq!(
        ends,
        [
            (0, EventEnd::MaxEvent),
            (1, EventEnd::MaxEvent),
            (2, EventEnd::MaxEvent),
            (3, EventEnd::Stopped)
        ]
    );
    let mut next = 0;
    for r in &reports {
        assert!(r.duration <= Duration::from_secs(2), "{r:#?}");
        assert_eq!(r.first_sequence, next);
        next = r.last_sequence + 1;
        if have("ffprobe") && have("ffmpeg") {
            plays(&r.path, r.frames);
        }
    }
    assert_eq!(next, 75);
    assert_eq!(reports[0].pre_frames, 5);
}

#[test]
fn events_do_not_disturb_a_motion_output() {
    // The motion output sees every raw frame, events or not.
    let dir = tempfile::tempdir().unwrap();
    let mut cam = camera(40, PixelFormat::Yuv420);
    let options = EventOptions::new(&dir.path().join("m%n.avi").to_string_lossy()).unwrap();
    let out = camreel::motion::MotionOutput::new(
        std::fs::File::create(dir.path().join("m.data")).unwrap(),
        camreel::motion::MotionOptions::default().search_range(4),
    )
    .unwrap();
    let mut rec = EventRecorder::new(options, cam.format())
        .unwrap()
        .motion_output(out)
        .trigger(|f: &camreel::frame::Frame<'_>| Ok(f.sequence == 20));
    rec.record(&mut cam, &RecordOptions::new()).unwrap();
    rec.finish().unwrap();
    drop(rec);
    let layout = camreel::motion::MotionLayout::new(W, H).unwrap();
    let len = std::fs::metadata(dir.path().join("m.data")).unwrap().len();
    assert_eq!(len, 40 * layout.frame_bytes() as u64);
    assert!(dir.path().join("m1.avi").exists());
}
