//! `camreel info` and `camreel convert` on ImageIO `.bin` files, run as a
//! process: exit codes, output, JSON, and bad input (exit 1 with one line on
//! stderr, never a panic).

use std::path::Path;

use camreel::imageio::FileStream;
use camreel::{Image, PixelFormat};

use crate::support::*;

fn frames_of(path: &Path) -> Vec<(Image, u32)> {
    let mut s = FileStream::open(path).unwrap();
    let mut out = Vec::new();
    let mut img = Image::empty();
    while let Some(info) = s.read_into(&mut img, NO_WAIT).unwrap() {
        out.push((img.clone(), info.elapsed_ms));
    }
    out
}

// A tiny JSON reader, enough to check `info --json` output.
#[derive(Debug, Clone, PartialEq)]
enum J {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    fn get(&self, key: &str) -> &J {
        match self {
            J::Obj(pairs) => pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("no key {key}")),
            _ => panic!("not an object"),
        }
    }
    fn num(&self) -> f64 {
        match self {
            J::Num(n) => *n,
            other => panic!("not a number: {other:?}"),
        }
    }
    fn str(&self) -> &str {
        match self {
            J::Str(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }
    fn arr(&self) -> &[J] {
        match self {
            J::Arr(a) => a,
            other => panic!("not an array: {other:?}"),
        }
    }
}

fn parse_json(s: &str) -> J {
    fn ws(b: &[u8], i: &mut usize) {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    }
    fn string(b: &[u8], i: &mut usize) -> String {
        assert_eq!(b[*i], b'"');
        *i += 1;
        let mut out = String::new();
        loop {
            match b[*i] {
                b'"' => {
                    *i += 1;
                    return out;
                }
                b'\\' => {
                    *i += 1;
                    match b[*i] {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'u' => {
                            let hex = std::str::from_utf8(&b[*i + 1..*i + 5]).unwrap();
                            out.push(
                                char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap(),
                            );
                            *i += 4;
                        }
                        c => out.push(char::from(c)),
                    }
                    *i += 1;
                }
                _ => {
                    let start = *i;
                    while b[*i] != b'"' && b[*i] != b'\\' {
                        *i += 1;
                    }
                    out.push_str(std::str::from_utf8(&b[start..*i]).unwrap());
                }
            }
        }
    }
    fn value(b: &[u8], i: &mut usize) -> J {
        ws(b, i);
        match b[*i] {
            b'{' => {
                *i += 1;
                let mut pairs = Vec::new();
                ws(b, i);
                if b[*i] == b'}' {
                    *i += 1;
                    return J::Obj(pairs);
                }
                loop {
                    ws(b, i);
                    let k = string(b, i);
                    ws(b, i);
                    assert_eq!(b[*i], b':');
                    *i += 1;
                    pairs.push((k, value(b, i)));
                    ws(b, i);
                    match b[*i] {
                        b',' => *i += 1,
                        b'}' => {
                            *i += 1;
                            return J::Obj(pairs);
                        }
                        c => panic!("unexpected {}", char::from(c)),
                    }
                }
            }
            b'[' => {
                *i += 1;
                let mut items = Vec::new();
                ws(b, i);
                if b[*i] == b']' {
                    *i += 1;
                    return J::Arr(items);
                }
                loop {
                    items.push(value(b, i));
                    ws(b, i);
                    match b[*i] {
                        b',' => *i += 1,
                        b']' => {
                            *i += 1;
                            return J::Arr(items);
                        }
                        c => panic!("unexpected {}", char::from(c)),
                    }
                }
            }
            b'"' => J::Str(string(b, i)),
            b't' if b[*i..].starts_with(b"true") => {
                *i += 4;
                J::Bool(true)
            }
            b'f' if b[*i..].starts_with(b"false") => {
                *i += 5;
                J::Bool(false)
            }
            b'n' if b[*i..].starts_with(b"null") => {
                *i += 4;
                J::Null
            }
            _ => {
                let start = *i;
                while *i < b.len()
                    && matches!(b[*i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    *i += 1;
                }
                J::Num(std::str::from_utf8(&b[start..*i]).unwrap().parse().unwrap())
            }
        }
    }
    let b = s.as_bytes();
    let mut i = 0;
    let v = value(b, &mut i);
    ws(b, &mut i);
    assert_eq!(i, b.len(), "trailing characters in {s}");
    v
}

#[test]
fn info_lists_every_frame() {
    let o = camreel(&["info", data("v2_0_mixed.bin").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].ends_with(
            // 280 ms between the first and last frames, plus the last one's
            // own time (the mean interval, 40 ms): see camreel::timing.
            "v2_0_mixed.bin: ImageIO stream (OMV IMG STR V2.0), 8 frames, 1120 bytes, 320 ms"
        ),
        "{out}"
    );
    assert_eq!(lines.len(), 2 + 8, "{out}");
    let row = |i: usize| lines[2 + i].split_whitespace().collect::<Vec<_>>();
    assert_eq!(row(0), ["0", "2", "2", "RGB565", "0x0C030002", "8", "0"]);
    assert_eq!(
        row(3),
        ["3", "2", "2", "BAYER_RGGB", "0x05040301", "4", "30"]
    );
    assert_eq!(row(6), ["6", "8", "8", "JPEG", "0x06060000", "665", "60"]);
    assert_eq!(row(7), ["7", "4", "2", "PNG", "0x06070000", "75", "70"]);
    assert!(stderr(&o).is_empty());
}

#[test]
fn info_json_parses() {
    let o = camreel(&["info", "--json", data("v1_0_raw.bin").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j = parse_json(stdout(&o).trim_end());
    assert_eq!(j.get("kind").str(), "imageio");
    assert_eq!(j.get("version").str(), "V1.0");
    assert_eq!(j.get("frame_count").num(), 4.0);
    assert_eq!(j.get("bytes").num(), 144.0);
    assert_eq!(j.get("truncated"), &J::Bool(false));
    assert_eq!(j.get("tail"), &J::Null);
    let frames = j.get("frames").arr();
    assert_eq!(frames.len(), 4);
    let f = &frames[0];
    assert_eq!(f.get("index").num(), 0.0);
    assert_eq!((f.get("width").num(), f.get("height").num()), (2.0, 2.0));
    assert_eq!(f.get("pixformat").str(), "RGB565");
    assert_eq!(f.get("code").num(), f64::from(0x0C03_0002u32));
    assert_eq!(f.get("code_hex").str(), "0x0C030002");
    assert_eq!(f.get("bytes").num(), 8.0);
    assert_eq!(f.get("elapsed_ms").num(), 33.0);
    assert_eq!(frames[3].get("pixformat").str(), "BAYER_BGGR");
    assert_eq!(frames[3].get("offset").num(), 112.0);
}

#[test]
fn info_reports_a_truncated_tail_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.bin");
    let full = std::fs::read(data("v1_0_ide_jpeg.bin")).unwrap();
    std::fs::write(&cut, &full[..1000]).unwrap();
    let o = camreel(&["info", cut.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("1 frame, 1000 bytes"), "{out}");
    let last = out.lines().last().unwrap();
    assert_eq!(
        last,
        "truncated: frame 1 at byte 704: 16x8 JPEG chunk needs 691 bytes, the file ends 296 bytes after its start"
    );
    let o = camreel(&["info", "--json", cut.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let j = parse_json(stdout(&o).trim_end());
    assert_eq!(j.get("truncated"), &J::Bool(true));
    assert_eq!(j.get("frame_count").num(), 1.0);
    let tail = j.get("tail");
    assert_eq!(
        (tail.get("frame").num(), tail.get("offset").num()),
        (1.0, 704.0)
    );
    assert_eq!(tail.get("kind").str(), "truncated data");
}

#[test]
fn info_on_a_damaged_header_lists_then_fails() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.bin");
    let mut bytes = std::fs::read(data("v2_0_mixed.bin")).unwrap();
    // Frame 1 (at byte 16 + 48) gets an unknown pixel-format code.
    bytes[64 + 12..64 + 16].copy_from_slice(&0x0BAD_C0DEu32.to_le_bytes());
    std::fs::write(&bad, &bytes).unwrap();
    let o = camreel(&["info", bad.to_str().unwrap()]);
    let err = assert_fails_cleanly(&o);
    assert!(
        err.contains("frame 1 at byte 64: unknown pixel format code 0x0BADC0DE"),
        "{err}"
    );
    let out = stdout(&o);
    assert!(out.contains("1 frame,"), "{out}");
    assert!(
        out.lines()
            .last()
            .unwrap()
            .starts_with("damaged: frame 1 at byte 64"),
        "{out}"
    );
}

#[test]
fn convert_bin_to_bin_keeps_payloads_and_intervals() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "v1_0_raw.bin",
        "v1_1_raw.bin",
        "v1_0_ide_jpeg.bin",
        "v2_0_mixed.bin",
    ] {
        let out = dir.path().join(format!("out_{name}"));
        let o = camreel(&[
            "convert",
            data(name).to_str().unwrap(),
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert!(stdout(&o).is_empty() && stderr(&o).is_empty());
        let s = FileStream::open(&out).unwrap();
        assert_eq!(s.version(), camreel::imageio::Version::V2_0);
        assert_eq!(frames_of(&out), frames_of(&data(name)), "{name}");
    }
    // A V2.0 input is reproduced byte for byte.
    let out = dir.path().join("out_v2_0_mixed.bin");
    assert_eq!(
        std::fs::read(out).unwrap(),
        std::fs::read(data("v2_0_mixed.bin")).unwrap()
    );
    // V1.0's byte-swapped RGB565 comes out little-endian.
    let frames = frames_of(&dir.path().join("out_v1_0_raw.bin"));
    assert_eq!(frames[0].0.format(), PixelFormat::Rgb565);
    assert_eq!(&frames[0].0.data()[..2], &0xF800u16.to_le_bytes());
}

#[test]
fn convert_start_count_and_fps() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("part.bin");
    let input = data("v2_0_mixed.bin");
    let o = camreel(&[
        "convert",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "--start",
        "2",
        "--count",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = frames_of(&input);
    assert_eq!(frames_of(&out), all[2..5].to_vec());

    let o = camreel(&[
        "convert",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "--fps",
        "30",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ms: Vec<u32> = frames_of(&out).iter().map(|f| f.1).collect();
    assert_eq!(ms, [0, 33, 34, 33, 33, 34, 33, 33]);

    let o = camreel(&[
        "convert",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "--start",
        "9",
    ]);
    let err = assert_fails_cleanly(&o);
    assert!(err.contains("--start 9 is past the end"), "{err}");
    let o = camreel(&[
        "convert",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "--start",
        "8",
    ]);
    assert!(assert_fails_cleanly(&o).contains("no frames to convert"));
    let o = camreel(&[
        "convert",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "--quality",
        "80",
    ]);
    // --quality only sets how a .bin stores frames it has no OpenMV code
    // for (JPEG instead of PNG); these all have codes and stay as they were.
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(frames_of(&out), frames_of(&input));
}

#[test]
fn convert_keeps_complete_frames_of_a_truncated_input() {
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.bin");
    let full = std::fs::read(data("v2_0_mixed.bin")).unwrap();
    std::fs::write(&cut, &full[..full.len() - 50]).unwrap();
    let out = dir.path().join("out.bin");
    let o = camreel(&["convert", cut.to_str().unwrap(), out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: input ends in a partial frame, kept the 7 complete frames"),
        "{err}"
    );
    assert_eq!(
        frames_of(&out),
        frames_of(&data("v2_0_mixed.bin"))[..7].to_vec()
    );
}

#[test]
fn convert_refuses_to_overwrite_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("same.bin");
    std::fs::copy(data("v1_0_raw.bin"), &path).unwrap();
    let o = camreel(&["convert", path.to_str().unwrap(), path.to_str().unwrap()]);
    assert!(assert_fails_cleanly(&o).contains("both the input and the output"));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(data("v1_0_raw.bin")).unwrap()
    );
}

#[test]
fn bad_input_exits_1_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(data("v2_0_mixed.bin")).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.bin", Vec::new()),
        ("text.bin", b"hello, this is not a recording\n".to_vec()),
        ("v9.bin", b"OMV IMG STR V9.9\0\0\0\0".to_vec()),
        ("short.bin", full[..10].to_vec()),
    ];
    let out = dir.path().join("out.bin");
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        for args in [
            vec!["info", path.to_str().unwrap()],
            vec!["info", "--json", path.to_str().unwrap()],
            vec!["convert", path.to_str().unwrap(), out.to_str().unwrap()],
        ] {
            let o = camreel(&args);
            let err = assert_fails_cleanly(&o);
            assert!(err.contains(name), "{args:?}: {err}");
        }
    }
    let o = camreel(&["info", dir.path().join("missing.bin").to_str().unwrap()]);
    assert_fails_cleanly(&o);
    // A PNG pattern is an output only: info says so (it is not a feature
    // that is still to come).
    let pattern = dir.path().join("f%04d.png");
    let err = assert_fails_cleanly(&camreel(&["info", pattern.to_str().unwrap()]));
    assert!(err.contains("PNG sequences are an output only"), "{err}");
    assert!(!err.contains("not available yet"), "{err}");
}

#[test]
fn mangled_files_never_panic_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(data("v2_0_mixed.bin")).unwrap();
    let path = dir.path().join("m.bin");
    let out = dir.path().join("o.bin");
    // Overwrite each header word of the first three chunks with extreme values.
    for at in (16..16 + 3 * 48).step_by(4) {
        for v in [0u32, 1, 0xFFFF_FFFF, 0x8000_0000] {
            let mut bytes = full.clone();
            let i = at.min(bytes.len() - 4);
            bytes[i..i + 4].copy_from_slice(&v.to_le_bytes());
            std::fs::write(&path, &bytes).unwrap();
            for args in [
                vec!["info", "--json", path.to_str().unwrap()],
                vec!["convert", path.to_str().unwrap(), out.to_str().unwrap()],
            ] {
                let o = camreel(&args);
                match o.status.code() {
                    Some(0) => {}
                    Some(1) => {
                        assert_fails_cleanly(&o);
                    }
                    other => panic!("{args:?} at {at} = {v:#x}: exit {other:?}: {}", stderr(&o)),
                }
            }
        }
    }
}

#[test]
fn convert_bin_to_png_sequence_handles_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("f%03d.png");
    let input = data("v2_0_mixed.bin");
    let o = camreel(&[
        "convert",
        input.to_str().unwrap(),
        pattern.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let expected: Vec<String> = (0..8).map(|i| format!("f{i:03}.png")).collect();
    assert_eq!(names, expected);
    let png = |i: usize| -> (Vec<u8>, Image) {
        let bytes = std::fs::read(dir.path().join(&expected[i])).unwrap();
        let img = camreel::codec::png::decode(&bytes).unwrap();
        (bytes, img)
    };
    let frames = frames_of(&input);
    // RGB565 red, green, blue, white -> RGB888.
    let (_, img) = png(0);
    assert_eq!((img.format(), img.size()), (PixelFormat::Rgb888, (2, 2)));
    assert_eq!(
        img.data(),
        &[255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]
    );
    // GRAYSCALE as is.
    let (_, img) = png(1);
    assert_eq!(
        (img.format(), img.data()),
        (PixelFormat::Grayscale, &[0u8, 50, 100, 150, 200, 250][..])
    );
    // BINARY -> GRAYSCALE: pixels 0, 2 and 32 set.
    let (_, img) = png(2);
    assert_eq!(
        (img.format(), img.size()),
        (PixelFormat::Grayscale, (33, 1))
    );
    let set: Vec<usize> = (0..33).filter(|&x| img.data()[x] == 255).collect();
    assert_eq!(set, [0, 2, 32]);
    assert!(img.data().iter().all(|&v| v == 0 || v == 255));
    // BAYER_RGGB and YUV422 -> RGB888, the same pixels as the library's conversion.
    for i in [3, 4] {
        let (_, img) = png(i);
        let want = camreel::convert::convert(frames[i].0.view(), PixelFormat::Rgb888).unwrap();
        assert_eq!(img, want, "frame {i}");
    }
    // ARGB8 keeps its alpha.
    let (_, img) = png(5);
    assert_eq!(
        (img.format(), img.data()),
        (PixelFormat::Argb8, &[0x20, 0x40, 0xFF, 0x80][..])
    );
    // JPEG decoded.
    let (_, img) = png(6);
    assert_eq!(img, camreel::codec::decode(frames[6].0.view()).unwrap());
    // PNG frames are written byte for byte.
    let (bytes, _) = png(7);
    assert_eq!(bytes, frames[7].0.data());
}

#[test]
fn png_sequences_number_output_frames_and_check_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("ide_%d.png");
    let input = data("v1_0_ide_jpeg.bin");
    let o = camreel(&[
        "convert",
        input.to_str().unwrap(),
        pattern.to_str().unwrap(),
        "--start",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Numbered from 0 in output order: input frame 1 is ide_0.png.
    let img =
        camreel::codec::png::decode(&std::fs::read(dir.path().join("ide_0.png")).unwrap()).unwrap();
    assert_eq!((img.format(), img.size()), (PixelFormat::Rgb888, (16, 8)));
    assert!(!dir.path().join("ide_1.png").exists());

    for (pattern, want) in [
        ("two_%d_%d.png", "more than one number"),
        ("space_%4d.png", "use %0Nd"),
        ("str_%s_%d.png", "not %d, %0Nd or %%"),
    ] {
        let p = dir.path().join(pattern);
        let o = camreel(&["convert", input.to_str().unwrap(), p.to_str().unwrap()]);
        let err = assert_fails_cleanly(&o);
        assert!(err.contains(want), "{pattern}: {err}");
    }
    let p = dir.path().join("fps_%d.png");
    let o = camreel(&[
        "convert",
        input.to_str().unwrap(),
        p.to_str().unwrap(),
        "--fps",
        "10",
    ]);
    assert!(assert_fails_cleanly(&o).contains("--fps does not apply to PNG sequence output"));
    let p = dir.path().join("missing_dir/f%d.png");
    let o = camreel(&["convert", input.to_str().unwrap(), p.to_str().unwrap()]);
    assert!(assert_fails_cleanly(&o).contains("missing_dir/f0.png"));
}
