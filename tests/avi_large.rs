//! A recording past 1 GiB becomes OpenDML (AVI 2.0): `RIFF AVIX`
//! segments, `ix00` standard indexes and the `indx` super index. This test
//! writes a 1.14 GB file in a temporary directory (deleted after, also on
//! failure), then proves with ffprobe and ffmpeg that it plays to the end and
//! that seeking near the end goes through the index.
//!
//! To stay quick it reuses one frame thousands of times through the
//! pass-through path: a 64x48 JPEG carrying ~196 KB of comment segments, so
//! the file is large while decoding it all costs little. Skipped with a
//! printed reason when the temporary directory has less than 3 GiB free, or
//! without ffmpeg (unless CAMREEL_REQUIRE_FFMPEG=1).

mod avi_support;

use std::fs::File;
use std::io::BufWriter;

use avi_support::{
    ffmpeg_errors, frames_after_seek, free_bytes, have, jpeg, packet_after_seek, probe,
};
use camreel::avi::{AviReader, IndexKind, MjpegWriterBuilder};
use camreel::timing::FrameRate;

/// `jpeg` with `n` comment segments of 65533 bytes after SOI.
fn padded(jpeg: &[u8], n: usize) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    for i in 0..n {
        out.extend_from_slice(&[0xFF, 0xFE, 0xFF, 0xFF]);
        out.extend((0..65533u32).map(|k| (k as u8) ^ (i as u8)));
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[test]
fn recording_over_one_gib_is_open_dml_and_seeks() {
    let tmp = std::env::temp_dir();
    match free_bytes(&tmp) {
        Some(free) if free >= 3 << 30 => {}
        Some(free) => {
            eprintln!(
                "skipped: {} has {} MiB free, the test needs 3 GiB",
                tmp.display(),
                free >> 20
            );
            return;
        }
        None => {
            eprintln!(
                "skipped: cannot tell the free space of {} (no df)",
                tmp.display()
            );
            return;
        }
    }
    if !(have("ffprobe") && have("ffmpeg")) {
        return;
    }
    let dir = tempfile::tempdir_in(&tmp).unwrap();
    let path = dir.path().join("big.avi");
    let frame = padded(&jpeg(64, 48, 7, 80), 3);
    let frames = 5800u64;
    let rate = FrameRate::new(25, 1).unwrap();
    let mut w = MjpegWriterBuilder::new(64, 48)
        .frame_rate(rate)
        .build(BufWriter::new(File::create(&path).unwrap()))
        .unwrap();
    for i in 0..frames {
        w.add_jpeg(&frame, None).unwrap();
        if i == 3000 || i == 5600 {
            w.sync().unwrap();
        }
    }
    assert!(w.is_open_dml());
    w.into_inner().unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 1 << 30, "{size} bytes");

    // Our reader: OpenDML index, every frame, the last one intact.
    let mut r = AviReader::new(File::open(&path).unwrap()).unwrap();
    let info = r.info().clone();
    assert_eq!(info.index, IndexKind::OpenDml);
    assert_eq!(info.riff_segments, 2);
    assert_eq!((info.frame_count, info.header_frames), (frames, frames));
    assert_eq!(r.read_frame(frames - 1).unwrap(), frame);
    assert!(r.entries()[frames as usize - 1].offset > 1 << 30);

    // ffprobe: headers (dmlh total frames) and every packet demuxed.
    let p = probe(&path);
    assert_eq!(p.get("codec_name"), "mjpeg");
    assert_eq!((p.num("width"), p.num("height")), (64, 48));
    assert_eq!(p.get("r_frame_rate"), "25/1");
    assert_eq!(p.num("nb_frames"), frames);
    assert_eq!(p.num("nb_read_packets"), frames);
    assert!(p.stderr.is_empty(), "{}", p.stderr);

    // Seeking to 4 s before the end lands, through the index, on the right
    // chunk in the second RIFF segment, and the rest decodes cleanly.
    let t = (frames - 100) as f64 / 25.0;
    let target = r.entries()[frames as usize - 100].offset;
    assert!(target > 1 << 30);
    assert_eq!(packet_after_seek(&path, t), (t, target));
    let (n, errors) = frames_after_seek(&path, t);
    assert_eq!(errors, "");
    assert_eq!(n, 100);

    // The whole file plays without an error.
    assert_eq!(ffmpeg_errors(&path, &[], &[]), "");
}
