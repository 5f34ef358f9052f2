//! Every kind of AVI the writer makes, checked with the real clients: ffprobe
//! (stream headers, packet and frame counts) and `ffmpeg -v error -i out.avi
//! -f null -` (decodes every frame, must print nothing). Skipped with a
//! printed reason when ffmpeg is missing, unless CAMREEL_REQUIRE_FFMPEG=1.

mod avi_support;

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use avi_support::{
    assert_plays, decode, ffmpeg_errors, frames_after_seek, have, jpeg, packet_after_seek, probe,
    strip_app0,
};
use camreel::ErrorKind;
use camreel::avi::{AviReader, IndexKind, MjpegWriter, MjpegWriterBuilder, repair_file};
use camreel::timing::FrameRate;

fn tools() -> bool {
    have("ffprobe") && have("ffmpeg")
}

fn create(path: &Path, builder: MjpegWriterBuilder) -> MjpegWriter<BufWriter<File>> {
    builder
        .build(BufWriter::new(File::create(path).unwrap()))
        .unwrap()
}

#[test]
fn short_recording_plays_with_exact_ntsc_rate() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.avi");
    let mut w = create(
        &path,
        MjpegWriterBuilder::new(160, 120).frame_rate(FrameRate::NTSC),
    );
    for i in 0..12 {
        w.add_jpeg(&jpeg(160, 120, i, 80), None).unwrap();
    }
    w.into_inner().unwrap();
    assert_plays(&path, 12, 160, 120, "30000/1001");
    let mut r = AviReader::new(File::open(&path).unwrap()).unwrap();
    assert_eq!(r.info().index, IndexKind::Idx1);
    assert_eq!(r.frame_rate(), FrameRate::NTSC);
    assert_eq!(r.read_frame(11).unwrap(), jpeg(160, 120, 11, 80));
}

#[test]
fn odd_sizes_and_frames_without_app0_play() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.avi");
    let mut w = create(
        &path,
        MjpegWriterBuilder::new(33, 17).frame_rate(FrameRate::new(25, 1).unwrap()),
    );
    let mut odd = 0;
    let mut originals = Vec::new();
    for i in 0..15 {
        let mut j = jpeg(33, 17, i, 70 + i as u8);
        if i % 3 == 0 {
            // No JFIF: the writer must insert an AVI1 APP0.
            j = strip_app0(&j);
        }
        odd += j.len() % 2;
        w.add_jpeg(&j, None).unwrap();
        originals.push(j);
    }
    assert!(odd > 0, "the test needs frames of odd length");
    w.into_inner().unwrap();
    assert_plays(&path, 15, 33, 17, "25/1");
    let mut r = AviReader::new(File::open(&path).unwrap()).unwrap();
    for (i, original) in originals.iter().enumerate() {
        let stored = r.read_frame(i as u64).unwrap();
        if i % 3 == 0 {
            // SOI, then the inserted AVI1 segment, then the original rest.
            assert_eq!(&stored[2..4], &[0xFF, 0xE0]);
            assert_eq!(&stored[6..10], b"AVI1");
            assert_eq!(&stored[20..], &original[2..]);
            assert_eq!(decode(&stored).2, decode(original).2);
        } else {
            assert_eq!(&stored, original, "frame {i} passed through untouched");
        }
    }
}

#[test]
fn measured_rate_from_the_timestamps() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("timed.avi");
    let mut w = create(&path, MjpegWriterBuilder::new(64, 48));
    let frame = jpeg(64, 48, 1, 80);
    for i in 0..20u32 {
        let at = Duration::from_micros(41_708) * i; // 23.976 fps
        w.add_jpeg(&frame, Some(at)).unwrap();
    }
    assert_eq!(w.frame_rate(), FrameRate::new(24000, 1001).unwrap());
    w.into_inner().unwrap();
    assert_plays(&path, 20, 64, 48, "24000/1001");

    // Explicit timestamps: 8 frames 200 ms apart -> 5 fps.
    let path = dir.path().join("stamped.avi");
    let mut w = create(&path, MjpegWriterBuilder::new(64, 48));
    for i in 0..8u64 {
        w.add_jpeg(&frame, Some(Duration::from_millis(1000 + 200 * i)))
            .unwrap();
    }
    let err = w
        .add_jpeg(&frame, Some(Duration::from_millis(5)))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    w.into_inner().unwrap();
    assert_plays(&path, 8, 64, 48, "5/1");
}

#[test]
fn synced_but_unclosed_file_plays_to_the_synced_frame() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.avi");
    let mut w = create(
        &path,
        MjpegWriterBuilder::new(96, 64).frame_rate(FrameRate::new(30, 1).unwrap()),
    );
    for i in 0..7 {
        w.add_jpeg(&jpeg(96, 64, i, 80), None).unwrap();
    }
    w.sync_all().unwrap();
    // The process is killed right now: this is what is on disk.
    let at_sync = dir.path().join("at_sync.avi");
    std::fs::copy(&path, &at_sync).unwrap();
    // More frames after the sync overwrite the index appended by it.
    for i in 7..11 {
        w.add_jpeg(&jpeg(96, 64, i, 80), None).unwrap();
    }
    w.get_mut().flush_for_test();
    // Killed again, before the next sync, in the middle of a frame.
    let later = dir.path().join("later.avi");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.truncate(bytes.len() - 300);
    std::fs::write(&later, &bytes).unwrap();
    drop(w);

    assert_plays(&at_sync, 7, 96, 64, "30/1");
    let r = AviReader::new(File::open(&at_sync).unwrap()).unwrap();
    assert_eq!((r.frame_count(), r.info().index), (7, IndexKind::Idx1));

    // Our reader recovers every complete frame of the later copy.
    let r = AviReader::new(File::open(&later).unwrap()).unwrap();
    assert_eq!(r.info().index, IndexKind::Scanned);
    assert_eq!(r.frame_count(), 10);
    assert_eq!(r.info().header_frames, 7);
    assert!(r.info().tail_bytes > 0);

    // And repair makes a complete file of it.
    let fixed = dir.path().join("fixed.avi");
    let report = repair_file(&later, &fixed).unwrap();
    assert_eq!(report.frames, 10);
    assert_plays(&fixed, 10, 96, 64, "30/1");
    let mut r = AviReader::new(File::open(&fixed).unwrap()).unwrap();
    assert_eq!(r.info().index, IndexKind::Idx1);
    assert_eq!(r.read_frame(9).unwrap(), jpeg(96, 64, 9, 80));
}

#[test]
fn never_synced_file_plays_and_repairs() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.avi");
    let mut w = create(
        &path,
        MjpegWriterBuilder::new(80, 60).frame_rate(FrameRate::new(15, 1).unwrap()),
    );
    for i in 0..9 {
        w.add_jpeg(&jpeg(80, 60, i, 80), None).unwrap();
    }
    w.get_mut().flush_for_test();
    let crashed = dir.path().join("crashed.avi");
    std::fs::copy(&path, &crashed).unwrap();
    drop(w);

    // Sizes are still zero ("to the end of the file"): ffmpeg plays it
    // without an index.
    let p = probe(&crashed);
    assert_eq!(p.num("nb_read_packets"), 9, "{p:?}");
    assert_eq!(ffmpeg_errors(&crashed, &[], &[]), "");

    let fixed = dir.path().join("fixed.avi");
    let report = repair_file(&crashed, &fixed).unwrap();
    assert_eq!(
        (report.frames, report.header_frames, report.tail_bytes),
        (9, 0, 0)
    );
    assert_plays(&fixed, 9, 80, 60, "15/1");
}

trait FlushForTest {
    fn flush_for_test(&mut self);
}

impl FlushForTest for BufWriter<File> {
    fn flush_for_test(&mut self) {
        std::io::Write::flush(self).unwrap();
    }
}

#[test]
fn open_dml_with_small_segments_plays_and_seeks() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odml.avi");
    // 64 KiB segments: a few hundred frames make several RIFF AVIX.
    let mut w = create(
        &path,
        MjpegWriterBuilder::new(128, 96)
            .frame_rate(FrameRate::new(25, 1).unwrap())
            .riff_size(64 << 10),
    );
    let frames: Vec<Vec<u8>> = (0..8).map(|i| jpeg(128, 96, i, 60)).collect();
    for i in 0..200 {
        w.add_jpeg(&frames[i % frames.len()], None).unwrap();
        if i == 120 {
            w.sync().unwrap();
        }
    }
    assert!(w.is_open_dml());
    w.into_inner().unwrap();

    assert_plays(&path, 200, 128, 96, "25/1");
    // Seek to 7 s: ffmpeg lands on frame 175's chunk, found through the
    // OpenDML index, and decodes the 25 frames from there.
    let mut r = AviReader::new(File::open(&path).unwrap()).unwrap();
    assert_eq!(
        packet_after_seek(&path, 7.0),
        (7.0, r.entries()[175].offset)
    );
    let (n, errors) = frames_after_seek(&path, 7.0);
    assert_eq!(errors, "");
    assert_eq!(n, 25);

    let info = r.info().clone();
    assert_eq!(info.index, IndexKind::OpenDml);
    assert!(info.riff_segments > 3, "{info:?}");
    assert_eq!((info.frame_count, info.header_frames), (200, 200));
    for i in [0u64, 57, 199] {
        assert_eq!(r.read_frame(i).unwrap(), frames[i as usize % frames.len()]);
    }
    // The walk without indexes finds the same frames.
    let scanned = AviReader::recover(File::open(&path).unwrap()).unwrap();
    assert_eq!(scanned.entries(), r.entries());
}

#[test]
fn open_dml_synced_copy_plays_to_the_synced_frame() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odml_live.avi");
    let mut w = create(
        &path,
        MjpegWriterBuilder::new(128, 96)
            .frame_rate(FrameRate::new(25, 1).unwrap())
            .riff_size(32 << 10),
    );
    let frame = jpeg(128, 96, 3, 60);
    for _ in 0..90 {
        w.add_jpeg(&frame, None).unwrap();
    }
    assert!(w.is_open_dml());
    w.sync().unwrap();
    let copy = dir.path().join("copy.avi");
    std::fs::copy(&path, &copy).unwrap();
    for _ in 0..10 {
        w.add_jpeg(&frame, None).unwrap();
    }
    drop(w);
    assert_plays(&copy, 90, 128, 96, "25/1");
    assert_plays(&path, 100, 128, 96, "25/1");
    let r = AviReader::new(File::open(&copy).unwrap()).unwrap();
    assert_eq!((r.frame_count(), r.info().index), (90, IndexKind::OpenDml));
}

fn ffmpeg_make(dir: &Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i"])
        .args(args)
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    path
}

#[test]
fn reads_avis_written_by_ffmpeg() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = ffmpeg_make(
        dir.path(),
        "ff.avi",
        &[
            "testsrc=size=96x64:rate=25",
            "-frames:v",
            "20",
            "-c:v",
            "mjpeg",
            "-q:v",
            "4",
        ],
    );
    let mut r = AviReader::new(File::open(&path).unwrap()).unwrap();
    let info = r.info().clone();
    assert_eq!((info.width, info.height), (96, 64));
    assert_eq!(info.frame_rate, FrameRate::new(25, 1).unwrap());
    assert_eq!((info.frame_count, info.header_frames), (20, 20));
    assert_eq!(info.index, IndexKind::Idx1);
    assert_eq!(info.codec, "MJPG");
    for frame in r.encoded_frames() {
        let (w, h, _) = decode(frame.unwrap().image.data());
        assert_eq!((w, h), (96, 64));
    }

    // With an audio stream interleaved, NTSC rate.
    let path = ffmpeg_make(
        dir.path(),
        "ff_audio.avi",
        &[
            "testsrc=size=64x48:rate=30000/1001",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=8000",
            "-frames:v",
            "15",
            "-shortest",
            "-c:v",
            "mjpeg",
            "-c:a",
            "pcm_s16le",
        ],
    );
    let mut r = AviReader::new(File::open(&path).unwrap()).unwrap();
    assert_eq!(r.frame_rate(), FrameRate::NTSC);
    assert_eq!(r.frame_count(), 15);
    assert_eq!(decode(&r.read_frame(14).unwrap()).0, 64);
    let scanned = AviReader::recover(File::open(&path).unwrap()).unwrap();
    assert_eq!(scanned.entries(), r.entries());

    // Written to a pipe, ffmpeg cannot seek back: no idx1, zero sizes.
    let piped = dir.path().join("piped.avi");
    let out = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=48x32:rate=10",
            "-frames:v",
            "12",
            "-c:v",
            "mjpeg",
            "-f",
            "avi",
            "pipe:1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(&piped, &out.stdout).unwrap();
    let mut r = AviReader::new(File::open(&piped).unwrap()).unwrap();
    assert_eq!(r.info().index, IndexKind::Scanned);
    assert_eq!(r.frame_count(), 12);
    assert_eq!(decode(&r.read_frame(11).unwrap()).0, 48);
}
