//! Outputs that cannot be written to the end (a file size limit, a full
//! disk): a conversion leaves nothing behind, a recording closes what it
//! can and says how many frames it saved, and no partial PNG remains.

use std::path::Path;
use std::process::Output;

use crate::support::*;

/// Runs camreel with `args` in `dir` under a file size limit of `kib` KiB,
/// with SIGXFSZ at its default (the process is told) or ignored (as under
/// Python, whose children inherit that).
fn limited(dir: &Path, kib: u32, ignore_sigxfsz: bool, args: &[&str]) -> Output {
    let trap = if ignore_sigxfsz { "trap '' XFSZ; " } else { "" };
    let script = format!("{trap}ulimit -f {kib}; exec \"$0\" \"$@\"");
    std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_camreel"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("running bash")
}

/// The names in `dir` other than `keep`.
fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

#[test]
fn a_conversion_that_cannot_be_written_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 60 frames of 320x240: about 1.1 MB, over a 200 KiB limit in every kind.
    ok(&[
        "record",
        "synthetic",
        d.join("in.bin").to_str().unwrap(),
        "--size",
        "320x240",
        "--frames",
        "60",
    ]);
    for out in ["conv.avi", "conv.gif", "conv.bin", "conv.h264", "conv.mp4"] {
        for ignore in [false, true] {
            let o = limited(d, 200, ignore, &["convert", "in.bin", out]);
            let err = assert_fails_cleanly(&o);
            assert!(err.contains("File too large"), "{out}: {err}");
            assert_eq!(others(d, &["in.bin"]), Vec::<String>::new(), "{out}: {err}");
        }
    }
}

#[test]
fn a_recording_that_cannot_be_written_keeps_what_it_saved() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for out in ["rec.avi", "rec.bin"] {
        let o = limited(
            d,
            200,
            false,
            &[
                "record",
                "synthetic",
                out,
                "--size",
                "320x240",
                "--frames",
                "100",
            ],
        );
        let err = assert_fails_cleanly(&o);
        // "camreel: the N frames before it are saved in rec.avi: ..."
        let saved: u64 = err
            .strip_prefix("camreel: the ")
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{out}: {err}"));
        assert!(saved >= 5, "{err}");
        assert!(err.contains("File too large"), "{err}");
        // Closed: the index (AVI) or every chunk (ImageIO) reads back.
        let text = stdout(&ok(&["info", d.join(out).to_str().unwrap()]));
        if out.ends_with(".avi") {
            // A constant-rate AVI also counts the slots of frames dropped
            // while this debug build was behind (empty chunks).
            let slots: u64 = text
                .lines()
                .find_map(|l| l.strip_prefix("frames: "))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{text}"));
            assert!(slots >= saved, "{out}: {err}\n{text}");
        } else {
            let frames = format!(", {saved} frames, ");
            assert!(text.contains(&frames), "{out}: {err}\n{text}");
        }
        assert!(!text.contains("truncated"), "{text}");
    }
    assert_eq!(others(d, &["rec.avi", "rec.bin"]), Vec::<String>::new());
}

#[test]
fn a_png_that_cannot_be_written_is_not_left_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // PNGs of the 320x240 synthetic scene are over 64 KB: the first is
    // over a 16 KiB limit.
    let o = limited(
        d,
        16,
        true,
        &[
            "record",
            "synthetic",
            "f%03d.png",
            "--size",
            "320x240",
            "--frames",
            "3",
        ],
    );
    let err = assert_fails_cleanly(&o);
    assert!(err.contains("writing f000.png: File too large"), "{err}");
    assert_eq!(others(d, &[]), Vec::<String>::new(), "{err}");
}
