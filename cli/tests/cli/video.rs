//! H.264 and MP4 through the command line: record, convert both ways,
//! info, and what ffprobe and ffmpeg make of the files.

use std::process::Command;

use crate::support::*;

fn probe(path: &std::path::Path, entries: &str) -> String {
    let o = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", entries, "-of", "default=nw=1"])
        .arg(path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

fn decodes_cleanly(path: &std::path::Path) {
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(o.status.success() && o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn record_and_convert_h264_and_mp4() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let s = |n: &str| p(n).to_str().unwrap().to_string();
    ok(&[
        "record",
        "synthetic",
        &s("a.mp4"),
        "--size",
        "320x240",
        "--frames",
        "60",
        "--fps",
        "30000/1001",
        "--intra-period",
        "15",
    ]);
    ok(&[
        "record",
        "synthetic",
        &s("a.h264"),
        "--size",
        "320x240",
        "--frames",
        "45",
        "--bitrate",
        "800000",
    ]);
    // info: frames, rate (unknown for raw Annex B), key frames, duration.
    let info = stdout(&ok(&["info", &s("a.mp4")]));
    assert!(
        info.contains("frames: 60") && info.contains("rate: 30000/1001 fps"),
        "{info}"
    );
    assert!(
        info.contains("key frames: 4") && info.contains("duration: 2.002 s"),
        "{info}"
    );
    let info = stdout(&ok(&["info", &s("a.h264")]));
    assert!(
        info.contains("frames: 45") && info.contains("rate: unknown"),
        "{info}"
    );
    let json = stdout(&ok(&["info", &s("a.h264"), "--json", "--fps", "15"]));
    assert!(
        json.contains("\"frames\":45") && json.contains("\"duration_s\":3"),
        "{json}"
    );
    // Every other output from an .mp4, and .h264 <-> .mp4 by copying.
    ok(&["convert", &s("a.mp4"), &s("b.avi")]);
    ok(&["convert", &s("a.mp4"), &s("b.gif"), "--width", "160"]);
    ok(&["convert", &s("a.mp4"), &s("b.bin"), "--count", "5"]);
    ok(&["convert", &s("a.mp4"), &s("f%03d.png"), "--start", "58"]);
    assert!(p("f001.png").exists() && !p("f002.png").exists());
    ok(&["convert", &s("a.h264"), &s("c.mp4"), "--fps", "15"]);
    ok(&["convert", &s("a.mp4"), &s("c.h264")]);
    // A copy keeps every picture: the .h264 holds the MP4's access units
    // with the SPS and PPS (kept apart in an MP4's header) in front of each
    // key frame.
    let a = stdout(&ok(&["info", &s("a.mp4"), "--json"]));
    let c = stdout(&ok(&["info", &s("c.h264"), "--json"]));
    let field = |j: &str, k: &str| -> u64 {
        let rest = j.split(&format!("\"{k}\":")).nth(1).unwrap();
        rest.split(',').next().unwrap().parse().unwrap()
    };
    assert_eq!(field(&a, "frames"), field(&c, "frames"));
    assert_eq!(field(&a, "key_frames"), field(&c, "key_frames"));
    let extra = field(&c, "video_bytes") - field(&a, "video_bytes");
    assert!(extra > 0 && extra % field(&a, "key_frames") == 0, "{extra}");
    if !have("ffprobe") || !have("ffmpeg") {
        return;
    }
    let mp4 = probe(
        &p("a.mp4"),
        "stream=nb_read_frames,avg_frame_rate,codec_name",
    );
    assert!(
        mp4.contains("nb_read_frames=60") && mp4.contains("avg_frame_rate=30000/1001"),
        "{mp4}"
    );
    let c = probe(&p("c.mp4"), "stream=nb_read_frames,avg_frame_rate");
    assert!(
        c.contains("nb_read_frames=45") && c.contains("avg_frame_rate=15/1"),
        "{c}"
    );
    let avi = probe(&p("b.avi"), "stream=nb_read_frames,avg_frame_rate");
    assert!(
        avi.contains("nb_read_frames=60") && avi.contains("avg_frame_rate=30000/1001"),
        "{avi}"
    );
    for f in ["a.mp4", "a.h264", "c.mp4", "c.h264", "b.avi", "b.gif"] {
        decodes_cleanly(&p(f));
    }
}

#[test]
fn video_options_apply_to_video_outputs_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.avi");
    assert_fails_with(
        &[
            "record",
            "synthetic",
            out.to_str().unwrap(),
            "--frames",
            "2",
            "--bitrate",
            "100000",
        ],
        "--bitrate/--intra-period does not apply to AVI output",
    );
    let mp4 = dir.path().join("a.mp4");
    assert_fails_with(
        &[
            "record",
            "synthetic",
            mp4.to_str().unwrap(),
            "--frames",
            "2",
            "--quality",
            "50",
        ],
        "--quality does not apply to MP4 output",
    );
    assert_usage_error(
        &[
            "record",
            "synthetic",
            mp4.to_str().unwrap(),
            "--bitrate",
            "0",
        ],
        "--bitrate",
    );
}

#[test]
fn motion_vectors_of_a_recording() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    ok(&[
        "record",
        "synthetic",
        &p("clip.avi"),
        "--size",
        "160x120",
        "--frames",
        "8",
        "--motion-output",
        &p("rec.data"),
    ]);
    // 160x120: 11 columns (10 + 1) x 8 rows x 4 bytes per frame.
    assert_eq!(std::fs::read(p("rec.data")).unwrap().len(), 8 * 11 * 8 * 4);
    let o = ok(&[
        "motion",
        &p("clip.avi"),
        &p("clip.data"),
        "--json",
        "--png",
        &p("mag%02d.png"),
        "--search",
        "8",
    ]);
    assert_eq!(std::fs::read(p("clip.data")).unwrap().len(), 8 * 11 * 8 * 4);
    let lines: Vec<String> = stdout(&o).lines().map(String::from).collect();
    assert!(lines.len() >= 8, "{lines:?}");
    assert!(
        lines[0].starts_with('{') && lines[0].contains("\"frame\":0"),
        "{}",
        lines[0]
    );
    assert!(dir.path().join("mag07.png").exists());
    // The first frame's records are zero.
    let data = std::fs::read(p("clip.data")).unwrap();
    assert!(data[..11 * 8 * 4].iter().all(|&b| b == 0));
    assert_usage_error(
        &["motion", &p("clip.avi"), &p("x.data"), "--search", "200"],
        "--search",
    );
    assert_fails_with(&["motion", &p("missing.avi"), &p("x.data")], "missing.avi");
}
