//! Messages for damaged and hostile inputs (issue 14): one line that says
//! what and where without repeating itself, names escaped, limits named,
//! inputs cut short reported rather than refused, and small files that
//! would be hours of work refused at once.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::*;

use crate::gif_support::tiny_frames_gif as gif;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The error line of a failed run, checked for context said twice.
fn fails(args: &[&str], needle: &str) -> String {
    let o = camreel(args);
    let err = assert_fails_cleanly(&o);
    assert!(
        err.contains(needle),
        "{args:?}: expected {needle:?} in {err}"
    );
    let parts: Vec<&str> = err.trim_end().split(": ").collect();
    for (i, p) in parts.iter().enumerate() {
        assert!(!parts[i + 1..].contains(p), "{p:?} twice in {err}");
    }
    err
}

/// A 1-frame 320x240 AVI from camreel whose idx1 names that frame `n`
/// times (headers patched to match).
fn repeated_avi(dir: &Path, n: u32) -> PathBuf {
    let one = dir.join("one.avi");
    ok(&[
        "record",
        "synthetic",
        s(&one),
        "--size",
        "320x240",
        "--frames",
        "1",
    ]);
    let d = std::fs::read(&one).unwrap();
    let find = |tag: &[u8]| d.windows(4).position(|w| w == tag).unwrap();
    let idx = find(b"idx1");
    let mut out = d[..idx].to_vec();
    out.extend_from_slice(b"idx1");
    out.extend_from_slice(&(16 * n).to_le_bytes());
    for _ in 0..n {
        out.extend_from_slice(&d[idx + 8..idx + 24]);
    }
    let riff = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&riff.to_le_bytes());
    let avih = find(b"avih") + 8 + 16;
    out[avih..avih + 4].copy_from_slice(&n.to_le_bytes());
    let strh = find(b"strh") + 8 + 32;
    out[strh..strh + 4].copy_from_slice(&n.to_le_bytes());
    write(dir, "repeated.avi", &out)
}

#[test]
fn gif_frames_that_cannot_be_decoded_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("o.bin");
    let zero = write(d, "zero.gif", &gif((16, 16), &[(0, 0)], true));
    let err = fails(&["convert", s(&zero), s(&out)], "has a zero dimension");
    assert!(!err.contains("odd-sized"), "{err}");
    let huge = write(d, "huge.gif", &gif((16, 16), &[(65535, 65535)], true));
    let err = fails(
        &["convert", s(&huge), s(&out)],
        "huge.gif: gif frame 0 at (0, 0): 65535x65535 image is larger than the dimension limit of 9216x9216",
    );
    assert!(!err.contains("Memory"), "{err}");
    // Cut in the header: the byte where it ends, not byte 0.
    let cut = write(d, "cut.gif", &gif((16, 16), &[], true)[..10]);
    fails(&["info", s(&cut)], "the file ends at byte 10 ");
    // No frames: a GIF all the same.
    let empty = write(d, "empty.gif", &gif((7, 5), &[], true));
    let o = ok(&["info", s(&empty)]);
    assert!(
        stdout(&o).contains("GIF 7x5\nframes: 0\n"),
        "{}",
        stdout(&o)
    );
    fails(&["convert", s(&empty), s(&out)], "no frames to convert");
    assert!(!out.exists());
}

#[test]
fn info_reports_a_gif_cut_short_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let whole = gif((16, 16), &[(1, 1); 3], true);
    let path = write(dir.path(), "cut.gif", &whole[..whole.len() - 1]);
    let o = ok(&["info", s(&path)]);
    let text = stdout(&o);
    assert!(text.contains("frames: 3\n"), "{text}");
    assert!(
        text.ends_with(&format!(
            "truncated: gif frame 3: the file ends at byte {} (cut short, or the writer was never finished)\n",
            whole.len() - 1
        )),
        "{text}"
    );
    let o = ok(&["info", "--json", s(&path)]);
    let json = stdout(&o);
    assert!(json.contains("\"truncated\":true"), "{json}");
    assert!(json.contains("\"frame\":3"), "{json}");
    // convert keeps the complete frames.
    let out = dir.path().join("o.bin");
    let o = camreel(&["convert", s(&path), s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&ok(&["info", s(&out)])).contains(", 3 frames,"));
}

#[test]
fn zero_padding_after_an_imageio_file_is_not_a_frame() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("padded.bin");
    ok(&[
        "record",
        "synthetic",
        s(&path),
        "--size",
        "16x16",
        "--frames",
        "2",
    ]);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.resize(bytes.len() + 100, 0);
    std::fs::write(&path, &bytes).unwrap();
    let text = stdout(&ok(&["info", s(&path)]));
    assert!(text.contains(", 2 frames,"), "{text}");
    assert!(
        text.ends_with("padding: 100 zero bytes after the last frame (not a frame)\n"),
        "{text}"
    );
    let json = stdout(&ok(&["info", "--json", s(&path)]));
    assert!(json.contains("\"padding_bytes\":100"), "{json}");
    let out = dir.path().join("o.avi");
    let o = camreel(&["convert", s(&path), s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&ok(&["info", s(&out)])).contains("frames: 2\n"));
}

#[test]
fn names_with_control_characters_stay_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("a\nb.bin");
    let out = dir.path().join("o.avi");
    fails(&["convert", s(&odd), s(&out)], "\"");
    fails(&["info", s(&odd)], "a\\nb.bin");
    let replay = format!("replay:{}", s(&odd));
    fails(&["record", &replay, s(&out)], "a\\nb.bin");
    // Written to: the message on one line too.
    let gif_out = dir.path().join("x\ny.gif");
    ok(&[
        "record",
        "synthetic",
        s(&gif_out),
        "--size",
        "8x8",
        "--frames",
        "2",
    ]);
    fails(&["convert", s(&gif_out), s(&gif_out)], "x\\ny.gif");
}

#[test]
fn the_size_limit_is_the_stated_dimension_limit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("big.avi");
    fails(
        &[
            "record",
            "synthetic",
            s(&out),
            "--size",
            "16384x16384",
            "--frames",
            "1",
        ],
        "16384x16384 image is larger than the dimension limit of 9216x9216",
    );
    assert!(!out.exists());
}

#[test]
fn a_cut_jpeg_frame_in_an_avi_is_described_once() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.avi");
    ok(&[
        "record",
        "synthetic",
        s(&src),
        "--size",
        "16x16",
        "--frames",
        "2",
    ]);
    let mut bytes = std::fs::read(&src).unwrap();
    // The first frame's SOF0 declares 0x0.
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bytes[sof + 5..sof + 9].fill(0);
    std::fs::write(&src, &bytes).unwrap();
    let out = dir.path().join("o.gif");
    fails(
        &["convert", s(&src), s(&out)],
        "a.avi: frame 0: jpeg at byte",
    );
}

#[test]
fn tiny_files_that_would_be_hours_of_work_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("o.bin");
    let start = Instant::now();
    // 460 KB: 20,000 1x1 frames on a 4096x4096 screen.
    let tiny = write(d, "tiny.gif", &gif((4096, 4096), &[(1, 1); 20_000], true));
    fails(
        &["convert", s(&tiny), s(&out)],
        "tiny.gif: 20000 frames of 4096x4096 from 460020 bytes are more work than the limit of 65536 pixels a byte (max_pixels_per_byte)",
    );
    // One 320x240 frame named 200,000 times by the index.
    let avi = repeated_avi(d, 200_000);
    fails(
        &["convert", s(&avi), s(&out)],
        "repeated.avi: the index names 200000 frames with 1 distinct ones: 200000 frames of 320x240",
    );
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    assert!(!out.exists());
    // A few repeats are fine.
    let avi = repeated_avi(d, 30);
    ok(&["convert", s(&avi), s(&out)]);
    assert!(stdout(&ok(&["info", s(&out)])).contains(", 30 frames,"));
}

/// Found by fuzzing: a 32x24 AVI whose JPEG claims 8192x6144 made
/// `convert` to GIF or PNG decode 50 megapixels (a minute in a debug build,
/// a 66 MB PNG). The picture is larger than the stream header says: refused
/// at once, naming the frame.
#[test]
fn an_avi_frame_larger_than_its_header_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.avi");
    ok(&[
        "record",
        "synthetic",
        small.to_str().unwrap(),
        "--size",
        "32x24",
        "--frames",
        "1",
    ]);
    let mut file = std::fs::read(&small).unwrap();
    let sof = file.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
    assert_eq!(&file[sof + 5..sof + 9], &[0, 24, 0, 32]);
    file[sof + 5..sof + 9].copy_from_slice(&[0x18, 0x00, 0x20, 0x00]);
    let big = write(dir.path(), "claims-8192x6144.avi", &file);
    for out in ["o.gif", "o%02d.png", "o.avi"] {
        let started = Instant::now();
        let out = dir.path().join(out);
        assert_fails_with(
            &["convert", big.to_str().unwrap(), out.to_str().unwrap()],
            "frame 0: the JPEG is 8192x6144, larger than the 32x24 the stream header gives",
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
