//! GIF input against a corpus made at test time by other encoders, decoded
//! by Pillow and by camreel and compared pixel for pixel (RGBA).
//!
//! Nothing is fetched. The files come from Pillow (python3; interlaced
//! frames, a palette per frame, each disposal method 0-3 on frames with a
//! transparent colour, a zero-delay frame without a control extension, a
//! comment, RGBA sources), from ffmpeg (`testsrc`: cropped frames with
//! transparent unchanged pixels, whole frames, and a source with alpha),
//! from ImageMagick when it is installed, and from Pillow's files with
//! blocks spliced in by this test (an extension with an unknown label, a
//! plain text extension, application extensions other than NETSCAPE2.0).
//! Two files are written with the `gif` crate's encoder to pin where Pillow
//! and browsers part ways (below).
//!
//! Without python3 and Pillow the test is skipped with a message, unless
//! `CAMREEL_REQUIRE_PYTHON=1` (then it fails); likewise ffmpeg's files with
//! `CAMREEL_REQUIRE_FFMPEG=1` and ImageMagick's with
//! `CAMREEL_REQUIRE_IMAGEMAGICK=1`.
//!
//! # How pixels compare
//!
//! Every frame is composited (Pillow: `ImageSequence` frames converted to
//! RGBA). Alpha must be equal everywhere and colour equal wherever the
//! pixel is opaque; the colour of a transparent pixel means nothing (Pillow
//! gives it the transparent palette entry's, camreel zero).
//!
//! Exceptions, where camreel follows browsers (Chromium, Firefox) and the
//! GIF89a specification rather than Pillow, each pinned by its own file and
//! checked pixel by pixel (the differing pixels must be exactly these, and
//! there must be some):
//!
//! * A first frame smaller than the screen, without a transparent colour:
//!   Pillow paints the rest with palette entry 0; browsers leave it
//!   transparent.
//! * A frame without a transparent colour disposed to the background:
//!   Pillow paints its rectangle with the screen's background colour;
//!   browsers clear it to transparent. (With a transparent colour, Pillow
//!   clears it too, and the files agree.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use camreel::camera::CameraSource;
use camreel::gif::{GifReader, ReaderOptions, read_info};
use camreel::replay::{GifReplay, ReplayOptions};
use camreel::{Image, PixelFormat};

/// Pillow's files, written into the directory given as the argument.
const PILLOW_MAKE: &str = r#"
import sys, os
from PIL import Image, ImageDraw

out = sys.argv[1]

def path(name):
    return os.path.join(out, name)

def rgb(w, h, seed, colours):
    im = Image.new("RGB", (w, h), colours[0])
    d = ImageDraw.Draw(im)
    for i in range(0, w, 4):
        d.line([(i + seed, 0), (i + seed - h, h)], fill=colours[1 + (i // 4) % (len(colours) - 1)])
    d.rectangle([2 + seed, 3, 8 + seed, 9], fill=colours[-1])
    return im

# A frame of zero delay (Pillow writes it without a control extension), a
# comment.
warm = [(250, 240, 230), (200, 30, 30), (230, 120, 20), (90, 10, 60), (20, 20, 20)]
frames = [rgb(24, 20, s, warm) for s in (0, 3, 6)]
frames[0].save(path("pillow_animation.gif"), save_all=True, append_images=frames[1:],
               duration=[40, 0, 70], loop=0, comment=b"camreel gif corpus", optimize=False)

# Interlaced single frames (Pillow interlaces a still image of 16 pixels a
# side or more, never an animation's frames; the test joins them).
cool = [(230, 240, 250), (30, 30, 200), (20, 120, 230), (10, 90, 60), (200, 200, 200)]
for i, (seed, colours) in enumerate([(1, warm), (5, cool)]):
    rgb(24, 20, seed, colours).save(path(f"pillow_interlaced_{i}.gif"), interlace=True,
                                     duration=60)

# A palette per frame: three frames with no colour in common.
sets = [
    [(255, 0, 0), (128, 0, 0), (255, 128, 128), (64, 0, 0)],
    [(0, 255, 0), (0, 128, 0), (128, 255, 128), (0, 64, 0)],
    [(0, 0, 255), (0, 0, 128), (128, 128, 255), (0, 0, 64)],
]
frames = [rgb(20, 16, 2 * i, c).quantize(colors=len(c)) for i, c in enumerate(sets)]
frames[0].save(path("pillow_local_palettes.gif"), save_all=True, append_images=frames[1:],
               duration=100, loop=0, optimize=False)

# Every disposal method, on frames with a transparent colour (index 0),
# cropped by Pillow to what changes; the second frame has a zero delay in
# its control extension.
def pal_frame(w, h, boxes):
    im = Image.new("P", (w, h), 0)
    im.putpalette([0, 0, 0, 250, 250, 250, 220, 20, 60, 30, 144, 255, 60, 179, 113] + [0] * (251 * 3))
    d = ImageDraw.Draw(im)
    for box, colour in boxes:
        d.rectangle(box, fill=colour)
    return im

seq = [
    pal_frame(20, 16, [((0, 0, 19, 9), 1), ((4, 4, 11, 13), 2)]),
    pal_frame(20, 16, [((0, 0, 19, 9), 1), ((8, 2, 15, 11), 3)]),
    pal_frame(20, 16, [((0, 0, 19, 9), 1), ((10, 6, 17, 15), 4)]),
    pal_frame(20, 16, [((0, 0, 19, 9), 1)]),
]
for disposal in range(4):
    seq[0].save(path(f"pillow_disposal_{disposal}.gif"), save_all=True, append_images=seq[1:],
                transparency=0, disposal=disposal, duration=[50, 0, 70, 80], loop=0)

# One transparent pixel (a tracking pixel), and frames whose transparency
# comes from RGBA images, disposed to the background.
one = Image.new("P", (1, 1), 0)
one.putpalette([0, 0, 0, 255, 255, 255])
one.save(path("pillow_transparent_pixel.gif"), transparency=0)
rgba = Image.new("RGBA", (16, 12), (0, 0, 0, 0))
d = ImageDraw.Draw(rgba)
d.ellipse([2, 1, 13, 10], fill=(30, 200, 90, 255))
d.rectangle([6, 4, 9, 7], fill=(0, 0, 0, 0))
rgba2 = rgba.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
d = ImageDraw.Draw(rgba2)
d.rectangle([0, 0, 3, 3], fill=(250, 250, 10, 255))
rgba.save(path("pillow_rgba.gif"), save_all=True, append_images=[rgba2], duration=[30, 30],
          loop=0, disposal=2)
"#;

/// Pillow's composited frames of every file given: `FILE.rgba` gets the
/// frames' RGBA bytes one after another, and a line per file says
/// `index width height frames duration_ms...`.
const PILLOW_DECODE: &str = r#"
import sys
from PIL import Image, ImageSequence

for i, p in enumerate(sys.argv[1:]):
    with Image.open(p) as im:
        frames, durations = [], []
        for frame in ImageSequence.Iterator(im):
            frames.append(frame.convert("RGBA").tobytes())
            durations.append(frame.info.get("duration") or 0)
        with open(p + ".rgba", "wb") as f:
            f.write(b"".join(frames))
        print(i, im.size[0], im.size[1], len(frames), *durations)
"#;

/// Whether `check` (a command that must succeed) runs; without it the
/// caller skips, with a message, unless `env=1` (then this fails).
fn have(what: &str, check: &mut Command, env: &str) -> bool {
    let ok = check
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var(env).as_deref() != Ok("1"),
            "{what} is required ({env}=1) but cannot be run"
        );
        eprintln!("skipped: {what} is not available (set {env}=1 to fail instead)");
    }
    ok
}

/// ImageMagick's command (`magick`, or version 6's `convert`), if one runs
/// and says it is ImageMagick (a `convert` that is something else does not
/// count).
fn imagemagick() -> Option<&'static str> {
    let found = ["magick", "convert"].into_iter().find(|tool| {
        Command::new(tool).arg("-version").output().is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("ImageMagick")
        })
    });
    if found.is_none() {
        const ENV: &str = "CAMREEL_REQUIRE_IMAGEMAGICK";
        assert!(
            std::env::var(ENV).as_deref() != Ok("1"),
            "ImageMagick is required ({ENV}=1) but neither magick nor convert is ImageMagick"
        );
        eprintln!(
            "skipped: ImageMagick's files, ImageMagick is not installed (set {ENV}=1 to fail instead)"
        );
    }
    found
}

/// Runs `command`, which must succeed.
fn run(command: &mut Command) -> String {
    let out = command.output().expect("the tool runs");
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Where camreel and Pillow may differ in a file (see the crate docs).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// Pixel for pixel.
    Same,
    /// Where camreel's pixel is transparent, Pillow's may be this colour,
    /// opaque; there must be such pixels.
    PillowPaints([u8; 3]),
}

/// A block of a GIF file, as this test's own walk over the bytes finds it.
#[derive(Clone, Debug, PartialEq)]
enum Block {
    /// An extension: its label, and an application extension's
    /// identifier and authentication code.
    Extension(u8, Option<Vec<u8>>),
    /// An image: whether it is interlaced and has a local colour table.
    Image {
        interlaced: bool,
        local: bool,
    },
    Trailer,
}

/// The blocks of a well-formed GIF with their offsets.
fn blocks(bytes: &[u8]) -> Vec<(usize, Block)> {
    let table = |flags: u8| {
        if flags & 0x80 != 0 {
            3 << ((flags & 7) + 1)
        } else {
            0
        }
    };
    let sub_blocks = |mut at: usize| {
        while bytes[at] != 0 {
            at += 1 + usize::from(bytes[at]);
        }
        at + 1
    };
    let mut at = 13 + table(bytes[10]);
    let mut out = Vec::new();
    loop {
        match bytes[at] {
            0x21 => {
                let label = bytes[at + 1];
                let app = (label == 0xFF).then(|| bytes[at + 3..at + 14].to_vec());
                out.push((at, Block::Extension(label, app)));
                at = sub_blocks(at + 2);
            }
            0x2C => {
                let flags = bytes[at + 9];
                let block = Block::Image {
                    interlaced: flags & 0x40 != 0,
                    local: flags & 0x80 != 0,
                };
                out.push((at, block));
                at = sub_blocks(at + 10 + table(flags) + 1);
            }
            0x3B => {
                out.push((at, Block::Trailer));
                return out;
            }
            other => panic!("byte {other:#04x} at {at} starts no block"),
        }
    }
}

/// `bytes` with `extra` inserted at each offset (descending order kept
/// by the caller's choice of blocks).
fn splice(bytes: &[u8], mut inserts: Vec<(usize, Vec<u8>)>) -> Vec<u8> {
    inserts.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut out = bytes.to_vec();
    for (at, extra) in inserts {
        out.splice(at..at, extra);
    }
    out
}

/// An animation of the still GIFs `a` and `b` (the same screen size, one
/// frame each): `b`'s global colour table becomes its frame's local one.
fn join_frames(a: &[u8], b: &[u8]) -> Vec<u8> {
    assert_eq!(a[6..10], b[6..10], "the same screen");
    let trailer = blocks(a).last().expect("a trailer").0;
    let mut out = a[..trailer].to_vec();
    let flags = b[10];
    let table = if flags & 0x80 != 0 {
        3 << ((flags & 7) + 1)
    } else {
        0
    };
    let list = blocks(b);
    let (first, end) = (list[0].0, list.last().expect("a trailer").0);
    for (at, block) in &list {
        if let Block::Image { local: false, .. } = block {
            // Everything before this image, then its descriptor with the
            // local table flag and size, then the table.
            out.extend_from_slice(&b[first..at + 10]);
            let desc_flags = out.len() - 1;
            out[desc_flags] |= 0x80 | (flags & 7);
            out.extend_from_slice(&b[13..13 + table]);
            out.extend_from_slice(&b[at + 10..end]);
            out.push(0x3B);
            return out;
        }
    }
    panic!("no image in b");
}

/// Pillow's animation with extensions camreel must read past: an
/// unknown label before everything, an application extension of another
/// program before the second frame, a plain text extension and an
/// `ANIMEXTS1.0` loop extension before the trailer.
fn with_extensions(pillow: &[u8]) -> Vec<u8> {
    let list = blocks(pillow);
    let first = list[0].0;
    let second_frame = list
        .iter()
        .filter(|(_, b)| matches!(b, Block::Extension(0xF9, _)))
        .nth(1)
        .expect("a second control extension")
        .0;
    let trailer = list.last().expect("a trailer").0;
    let mut app = vec![0x21, 0xFF, 11];
    app.extend_from_slice(b"CAMREEL 1.0");
    app.extend_from_slice(&[3, 1, 2, 3, 2, 9, 9, 0]);
    let mut text = vec![0x21, 0x01, 12, 0, 0, 0, 0, 8, 0, 8, 0, 8, 8, 1, 0, 5];
    text.extend_from_slice(b"hello");
    text.push(0);
    let mut animexts = vec![0x21, 0xFF, 11];
    animexts.extend_from_slice(b"ANIMEXTS1.0");
    animexts.extend_from_slice(&[3, 1, 0, 0, 0]);
    text.extend_from_slice(&animexts);
    splice(
        pillow,
        vec![
            (
                first,
                vec![0x21, 0x99, 4, b'c', b'a', b'm', b'r', 1, b'!', 0],
            ),
            (second_frame, app),
            (trailer, text),
        ],
    )
}

/// A GIF from the `gif` crate's encoder: a 4-colour global palette (red,
/// green, blue, white), the screen's background colour green, and `frames`
/// of `(left, top, width, height, colour index, disposal)`, none with a
/// transparent colour.
fn gif_crate_file(
    screen: (u16, u16),
    frames: &[(u16, u16, u16, u16, u8, gif::DisposalMethod)],
) -> Vec<u8> {
    let palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
    let mut bytes = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut bytes, screen.0, screen.1, &palette).unwrap();
        for &(left, top, width, height, colour, dispose) in frames {
            let frame = gif::Frame {
                left,
                top,
                width,
                height,
                dispose,
                delay: 10,
                buffer: std::borrow::Cow::Owned(vec![colour; usize::from(width * height)]),
                ..gif::Frame::default()
            };
            enc.write_frame(&frame).unwrap();
        }
    }
    // The encoder writes background colour 0; make it green (index 1).
    bytes[11] = 1;
    bytes
}

/// One file of the corpus.
struct Entry {
    path: PathBuf,
    expect: Expect,
}

/// What was compared.
#[derive(Default)]
struct Tally {
    files: usize,
    frames: usize,
    /// Pixels where camreel follows browsers and Pillow does not.
    exceptions: usize,
}

/// Decodes `entry` with camreel every way it can (the reader with and
/// without alpha, the replay camera) and compares with Pillow's frames.
fn compare(
    entry: &Entry,
    pillow: &[u8],
    (w, h, n): (usize, usize, usize),
    durations: &[u64],
    tally: &mut Tally,
) {
    let name = entry
        .path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let bytes = std::fs::read(&entry.path).unwrap();
    let info = read_info(&bytes[..]).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        (usize::from(info.width), usize::from(info.height)),
        (w, h),
        "{name}"
    );
    assert_eq!(info.frames.len(), n, "{name}: frame count");
    let delays: Vec<u64> = info
        .frames
        .iter()
        .map(|f| u64::from(f.delay_cs) * 10)
        .collect();
    assert_eq!(delays, durations, "{name}: delays (ms)");

    let mut reader = GifReader::new(&bytes[..]).unwrap();
    let mut rgb_reader =
        GifReader::with_options(&bytes[..], ReaderOptions::default().alpha(false)).unwrap();
    let mut replay = GifReplay::open(&entry.path, &ReplayOptions::new()).unwrap();
    let opaque = info.is_opaque();
    let replay_format = replay.format().format;
    assert_eq!(
        replay_format,
        if opaque {
            PixelFormat::Rgb888
        } else {
            PixelFormat::Argb8
        },
        "{name}"
    );
    let (mut ours, mut rgb) = (Image::empty(), Image::empty());
    let frame_len = w * h * 4;
    assert_eq!(pillow.len(), n * frame_len, "{name}: pillow's bytes");
    let mut exceptions = 0;
    for (i, theirs) in pillow.chunks_exact(frame_len).enumerate() {
        let at = reader
            .read_frame_into(&mut ours)
            .unwrap_or_else(|e| panic!("{name} frame {i}: {e}"));
        assert!(at.is_some(), "{name}: camreel ends before frame {i}");
        assert_eq!(ours.format(), PixelFormat::Argb8);
        let mut bad = Vec::new();
        for (p, (b, t)) in ours
            .data()
            .chunks_exact(4)
            .zip(theirs.chunks_exact(4))
            .enumerate()
        {
            let mine = [b[2], b[1], b[0], b[3]];
            assert!(
                mine[3] == 255 || mine == [0; 4],
                "{name} frame {i}: pixel {mine:?}"
            );
            assert!(
                !opaque || mine[3] == 255,
                "{name} frame {i}: is_opaque, but a pixel is transparent"
            );
            let same = mine[3] == t[3] && (mine[3] == 0 || mine[..3] == t[..3]);
            if same {
                continue;
            }
            match entry.expect {
                Expect::PillowPaints(c) if mine[3] == 0 && t == [c[0], c[1], c[2], 255] => {
                    exceptions += 1
                }
                _ => bad.push(format!(
                    "({}, {}): camreel {mine:?}, Pillow {t:?}",
                    p % w,
                    p / w
                )),
            }
        }
        assert!(
            bad.is_empty(),
            "{name} frame {i}: {} pixels differ, first {:?}",
            bad.len(),
            &bad[..bad.len().min(5)]
        );
        // Without alpha: the same pixels over the black background.
        rgb_reader.read_frame_into(&mut rgb).unwrap();
        let dropped: Vec<u8> = ours
            .data()
            .chunks_exact(4)
            .flat_map(|p| [p[2], p[1], p[0]])
            .collect();
        assert_eq!(rgb.data(), &dropped[..], "{name} frame {i}: RGB888");
        // The replay camera: RGB888 when the file is proven opaque.
        let frame = replay.next_frame().unwrap().expect("a replayed frame");
        let want = if opaque { &dropped[..] } else { ours.data() };
        assert_eq!(frame.image.data(), want, "{name} frame {i}: replay");
    }
    assert_eq!(
        reader.read_frame_into(&mut ours).unwrap(),
        None,
        "{name}: camreel has more frames"
    );
    match entry.expect {
        Expect::Same => {}
        Expect::PillowPaints(_) => assert!(
            exceptions > 0,
            "{name}: the exception it pins did not happen"
        ),
    }
    eprintln!(
        "{name}: {n} frames of {w}x{h} match{}",
        if exceptions > 0 {
            format!(" ({exceptions} pixels as browsers, not Pillow)")
        } else {
            String::new()
        }
    );
    tally.files += 1;
    tally.frames += n;
    tally.exceptions += exceptions;
}

/// What the corpus must hold, checked on the files themselves so that a
/// change in a tool's output cannot quietly drop a case.
fn check_coverage(entries: &[Entry]) {
    let mut seen = BTreeSet::new();
    for entry in entries {
        let bytes = std::fs::read(&entry.path).unwrap();
        for (_, block) in blocks(&bytes) {
            match block {
                Block::Image {
                    interlaced: true, ..
                } => seen.insert("interlaced"),
                Block::Image { local: true, .. } => seen.insert("local palette"),
                Block::Extension(0xFE, _) => seen.insert("comment"),
                Block::Extension(0x01, _) => seen.insert("plain text"),
                Block::Extension(0xFF, Some(id)) if id != b"NETSCAPE2.0" => {
                    seen.insert("other application")
                }
                Block::Extension(0xF9 | 0xFF, _) => false,
                Block::Extension(_, _) => seen.insert("unknown label"),
                _ => false,
            };
        }
        let info = read_info(&bytes[..]).unwrap();
        for f in &info.frames {
            seen.insert(
                ["dispose 0", "dispose 1", "dispose 2", "dispose 3"][usize::from(f.dispose.min(3))],
            );
            if f.transparent.is_some() {
                seen.insert("transparent colour");
            }
            if f.delay_cs == 0 {
                seen.insert("zero delay");
            }
        }
        if info.frames.len() > 1
            && info.frames[1..]
                .iter()
                .any(|f| (f.width, f.height) != (info.width, info.height))
        {
            seen.insert("cropped frames");
        }
    }
    let want = [
        "interlaced",
        "local palette",
        "comment",
        "plain text",
        "other application",
        "unknown label",
        "dispose 0",
        "dispose 1",
        "dispose 2",
        "dispose 3",
        "transparent colour",
        "zero delay",
        "cropped frames",
    ];
    let missing: Vec<_> = want.iter().filter(|w| !seen.contains(*w)).collect();
    assert!(missing.is_empty(), "the corpus lacks {missing:?}");
}

/// ffmpeg's files (`testsrc`), if ffmpeg runs.
fn ffmpeg_files(dir: &Path) -> Vec<PathBuf> {
    if !have(
        "ffmpeg",
        Command::new("ffmpeg").arg("-version"),
        "CAMREEL_REQUIRE_FFMPEG",
    ) {
        return Vec::new();
    }
    let src = [
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=32x24:rate=5",
    ];
    // Transparent pixels from an alpha channel, with a palette that keeps a
    // transparent entry; ffmpeg disposes such frames to the background.
    let alpha = "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(X+2*N,14),0,255)',\
                 split[a][b];[a]palettegen=reserve_transparent=1:stats_mode=single[p];\
                 [b][p]paletteuse=alpha_threshold=128:new=1";
    let files: [(&str, &[&str]); 3] = [
        // The defaults: frames cropped to what changes, unchanged pixels transparent.
        ("ffmpeg_cropped.gif", &["-frames:v", "6"]),
        ("ffmpeg_whole.gif", &["-frames:v", "6", "-gifflags", "0"]),
        (
            "ffmpeg_alpha.gif",
            &["-frames:v", "4", "-filter_complex", alpha],
        ),
    ];
    files
        .iter()
        .map(|(name, args)| {
            let path = dir.join(name);
            run(Command::new("ffmpeg")
                .args(src)
                .args(*args)
                .arg("-y")
                .arg(&path));
            path
        })
        .collect()
}

/// ImageMagick's files, if it is installed: an interlaced two-frame
/// animation on a transparent canvas, disposed to the background.
fn imagemagick_files(dir: &Path) -> Vec<PathBuf> {
    let Some(tool) = imagemagick() else {
        return Vec::new();
    };
    let path = dir.join("imagemagick.gif");
    run(Command::new(tool)
        .args([
            "-delay",
            "10",
            "-dispose",
            "Background",
            "-size",
            "16x12",
            "xc:none",
            "-fill",
            "red",
            "-draw",
            "rectangle 2,2 9,7",
            "(",
            "-size",
            "16x12",
            "xc:none",
            "-fill",
            "blue",
            "-draw",
            "circle 8,6 8,2",
            ")",
            "-loop",
            "0",
            "-interlace",
            "GIF",
        ])
        .arg(&path));
    vec![path]
}

#[test]
fn corpus_frames_match_pillow() {
    if !have(
        "python3 with Pillow",
        Command::new("python3").args(["-c", "import PIL.Image"]),
        "CAMREEL_REQUIRE_PYTHON",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    run(Command::new("python3")
        .args(["-c", PILLOW_MAKE])
        .arg(dir.path()));
    let pillow = |name: &str| Entry {
        path: dir.path().join(name),
        expect: Expect::Same,
    };
    let mut entries: Vec<Entry> = [
        "pillow_animation.gif",
        "pillow_local_palettes.gif",
        "pillow_disposal_0.gif",
        "pillow_disposal_1.gif",
        "pillow_disposal_2.gif",
        "pillow_disposal_3.gif",
        "pillow_transparent_pixel.gif",
        "pillow_rgba.gif",
    ]
    .into_iter()
    .map(pillow)
    .collect();

    let still =
        |i: usize| std::fs::read(dir.path().join(format!("pillow_interlaced_{i}.gif"))).unwrap();
    let interlaced = dir.path().join("pillow_interlaced.gif");
    std::fs::write(&interlaced, join_frames(&still(0), &still(1))).unwrap();
    let animation = std::fs::read(dir.path().join("pillow_animation.gif")).unwrap();
    let spliced = dir.path().join("spliced_extensions.gif");
    std::fs::write(&spliced, with_extensions(&animation)).unwrap();
    for path in [interlaced, spliced] {
        entries.push(Entry {
            path,
            expect: Expect::Same,
        });
    }

    use gif::DisposalMethod::{Background, Keep};
    const GREEN: [u8; 3] = [0, 255, 0];
    const RED: [u8; 3] = [255, 0, 0];
    let partial = dir.path().join("partial_first_frame.gif");
    std::fs::write(
        &partial,
        gif_crate_file((6, 4), &[(1, 1, 3, 2, 2, Keep), (0, 0, 2, 1, 3, Keep)]),
    )
    .unwrap();
    entries.push(Entry {
        path: partial,
        expect: Expect::PillowPaints(RED),
    });
    let cleared = dir.path().join("background_disposal_opaque.gif");
    let frames = [
        (0, 0, 6, 4, 3, Keep),
        (2, 1, 2, 2, 2, Background),
        (0, 0, 1, 1, 0, Keep),
    ];
    std::fs::write(&cleared, gif_crate_file((6, 4), &frames)).unwrap();
    entries.push(Entry {
        path: cleared,
        expect: Expect::PillowPaints(GREEN),
    });

    for path in ffmpeg_files(dir.path())
        .into_iter()
        .chain(imagemagick_files(dir.path()))
    {
        entries.push(Entry {
            path,
            expect: Expect::Same,
        });
    }

    let listing = run(Command::new("python3")
        .args(["-c", PILLOW_DECODE])
        .args(entries.iter().map(|e| &e.path)));
    let mut tally = Tally::default();
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(lines.len(), entries.len(), "{listing}");
    for (entry, line) in entries.iter().zip(lines) {
        let fields: Vec<u64> = line
            .split_whitespace()
            .map(|f| f.parse().unwrap())
            .collect();
        let (w, h, n) = (fields[1] as usize, fields[2] as usize, fields[3] as usize);
        let rgba = std::fs::read(entry.path.with_extension("gif.rgba")).unwrap();
        compare(entry, &rgba, (w, h, n), &fields[4..], &mut tally);
    }
    check_coverage(&entries);
    eprintln!(
        "{} files, {} frames compared with Pillow ({} pixels where camreel follows browsers)",
        tally.files, tally.frames, tally.exceptions
    );
}
