//! `MjpegWriter::add_frame` with every pixel format, letterboxing, regions of
//! interest and quality; `ParallelMjpegWriter` against the sequential writer;
//! ffmpeg checks of letterboxed and parallel recordings.

mod avi_support;

use std::fs::File;
use std::io::{BufWriter, Cursor};
use std::time::Duration;

use avi_support::{assert_plays, decode, have};
use camreel::avi::{AviReader, FrameOptions, MjpegWriter, MjpegWriterBuilder, ParallelMjpegWriter};
use camreel::codec::jpeg::JpegEncoder;
use camreel::timing::FrameRate;
use camreel::{BayerOrder, ErrorKind, Image, PixelFormat, Rect, codec, convert};

/// An RGB888 image: left half `a`, right half `b`.
fn halves(w: u32, h: u32, a: [u8; 3], b: [u8; 3]) -> Image {
    let mut data = Vec::with_capacity((w * h * 3) as usize);
    for _ in 0..h {
        for x in 0..w {
            data.extend_from_slice(if x < w / 2 { &a } else { &b });
        }
    }
    Image::new(PixelFormat::Rgb888, w, h, data).unwrap()
}

/// RGB of pixel (x, y) of a decoded frame.
fn pixel(rgb: &[u8], w: usize, x: usize, y: usize) -> [i32; 3] {
    let i = (y * w + x) * 3;
    [
        i32::from(rgb[i]),
        i32::from(rgb[i + 1]),
        i32::from(rgb[i + 2]),
    ]
}

fn near(a: [i32; 3], b: [i32; 3], tol: i32) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
}

fn frames_of(file: Vec<u8>) -> Vec<Vec<u8>> {
    let mut r = AviReader::new(Cursor::new(file)).unwrap();
    (0..r.frame_count())
        .map(|i| r.read_frame(i).unwrap())
        .collect()
}

#[test]
fn every_pixel_format_is_recorded() {
    let src = halves(64, 48, [200, 40, 40], [40, 40, 200]);
    let formats = [
        PixelFormat::Rgb888,
        PixelFormat::Bgr888,
        PixelFormat::Argb8,
        PixelFormat::Rgb565,
        PixelFormat::Yuv422,
        PixelFormat::Yvu422,
        PixelFormat::Yuv420,
        PixelFormat::Nv12,
        PixelFormat::Rgb48,
        PixelFormat::Grayscale,
        PixelFormat::Gray16,
        PixelFormat::Binary,
        PixelFormat::Bayer(BayerOrder::Rggb),
    ];
    let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 64, 48).unwrap();
    for format in formats {
        let image = convert::convert(src.view(), format).unwrap();
        w.add_frame(image.view(), &FrameOptions::new().quality(95))
            .unwrap_or_else(|e| panic!("{format}: {e}"));
    }
    // Encoded inputs: a PNG, and a JPEG of another size (decoded, fitted).
    let png = codec::png::encode_image(src.view()).unwrap();
    w.add_frame(png.view(), &FrameOptions::new()).unwrap();
    let small = JpegEncoder::new(camreel::codec::Quality::try_from(95).unwrap())
        .unwrap()
        .encode_image(halves(32, 24, [200, 40, 40], [40, 40, 200]).view())
        .unwrap();
    w.add_frame(small.view(), &FrameOptions::new()).unwrap();
    let frames = frames_of(w.into_inner().unwrap().into_inner());
    assert_eq!(frames.len(), formats.len() + 2);
    for (i, frame) in frames.iter().enumerate() {
        let (fw, fh, rgb) = decode(frame);
        assert_eq!((fw, fh), (64, 48), "frame {i}");
        let (l, r) = (pixel(&rgb, fw, 8, 24), pixel(&rgb, fw, 56, 24));
        let name = formats
            .get(i)
            .map_or("encoded".to_string(), |f| f.to_string());
        if formats.get(i).is_some_and(|f| !f.is_color()) {
            // Gray formats: the left half (red) is brighter than the right.
            assert!(l[0] > r[0] || name == "BINARY", "{name}: {l:?} {r:?}");
        } else if formats.get(i) == Some(&PixelFormat::Bayer(BayerOrder::Rggb)) {
            assert!(l[0] > l[2] && r[2] > r[0], "{name}: {l:?} {r:?}");
        } else {
            assert!(near(l, [200, 40, 40], 24), "{name}: left {l:?}");
            assert!(near(r, [40, 40, 200], 24), "{name}: right {r:?}");
        }
    }
}

#[test]
fn other_sizes_are_letterboxed_in_black() {
    // A 4:3 frame into a 16:9 recording: bars left and right.
    let src = halves(120, 90, [250, 250, 250], [250, 250, 250]);
    let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 160, 90).unwrap();
    w.add_frame(src.view(), &FrameOptions::new().quality(95))
        .unwrap();
    // A tall frame: bars top and bottom.
    let tall = halves(40, 200, [250, 250, 250], [250, 250, 250]);
    let mut w2 = MjpegWriter::new(Cursor::new(Vec::new()), 100, 100).unwrap();
    w2.add_frame(tall.view(), &FrameOptions::new().quality(95))
        .unwrap();
    let (fw, _, rgb) = decode(&frames_of(w.into_inner().unwrap().into_inner())[0]);
    // 120x90 scaled to 120x90 centred in 160x90: bars of 20 columns.
    assert!(near(pixel(&rgb, fw, 5, 45), [0, 0, 0], 8));
    assert!(near(pixel(&rgb, fw, 154, 45), [0, 0, 0], 8));
    assert!(near(pixel(&rgb, fw, 80, 45), [250, 250, 250], 8));
    let (fw, _, rgb) = decode(&frames_of(w2.into_inner().unwrap().into_inner())[0]);
    // 40x200 scaled to 20x100, centred at x 40..60.
    assert!(near(pixel(&rgb, fw, 20, 50), [0, 0, 0], 8));
    assert!(near(pixel(&rgb, fw, 50, 50), [250, 250, 250], 8));
    assert!(near(pixel(&rgb, fw, 80, 50), [0, 0, 0], 8));
}

#[test]
fn region_of_interest_and_quality() {
    let src = halves(128, 64, [230, 20, 20], [20, 20, 230]);
    let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 64, 64).unwrap();
    // The right half only: all blue, filling the frame.
    w.add_frame(
        src.view(),
        &FrameOptions::new().roi(Rect::new(64, 0, 64, 64)),
    )
    .unwrap();
    let e = w
        .add_frame(
            src.view(),
            &FrameOptions::new().roi(Rect::new(100, 0, 64, 64)),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = w
        .add_frame(src.view(), &FrameOptions::new().quality(0))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(w.frames(), 1);
    let noisy: Vec<u8> = (0..64u32 * 64 * 3)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let noisy = Image::new(PixelFormat::Rgb888, 64, 64, noisy).unwrap();
    w.add_frame(noisy.view(), &FrameOptions::new().quality(10))
        .unwrap();
    w.add_frame(noisy.view(), &FrameOptions::new().quality(95))
        .unwrap();
    let frames = frames_of(w.into_inner().unwrap().into_inner());
    let (fw, _, rgb) = decode(&frames[0]);
    for (x, y) in [(2, 2), (32, 32), (61, 61)] {
        assert!(near(pixel(&rgb, fw, x, y), [20, 20, 230], 16), "({x}, {y})");
    }
    assert!(
        frames[1].len() * 2 < frames[2].len(),
        "q10 {} q95 {}",
        frames[1].len(),
        frames[2].len()
    );
}

#[test]
fn jpeg_frames_of_the_right_size_pass_through() {
    let jpeg = JpegEncoder::new(camreel::codec::Quality::try_from(70).unwrap())
        .unwrap()
        .encode_image(halves(64, 48, [1, 2, 3], [4, 5, 6]).view())
        .unwrap();
    let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 64, 48).unwrap();
    w.add_frame(jpeg.view(), &FrameOptions::new().quality(5))
        .unwrap();
    // With a region of interest it is decoded and encoded again.
    w.add_frame(
        jpeg.view(),
        &FrameOptions::new().roi(Rect::new(0, 0, 32, 24)),
    )
    .unwrap();
    let frames = frames_of(w.into_inner().unwrap().into_inner());
    assert_eq!(frames[0], jpeg.data());
    assert_ne!(frames[1], jpeg.data());
    assert_eq!(decode(&frames[1]).0, 64);
}

fn noise_frames(n: u32, w: u32, h: u32) -> Vec<Image> {
    (0..n)
        .map(|k| {
            let data = (0..w * h * 3)
                .map(|i| {
                    ((i % (3 * w)) / 3 * 255 / w) as u8 ^ ((i.wrapping_mul(k + 7) >> 5) as u8 & 15)
                })
                .collect();
            Image::new(PixelFormat::Rgb888, w, h, data).unwrap()
        })
        .collect()
}

#[test]
fn parallel_writer_writes_what_the_sequential_one_does() {
    let frames = noise_frames(23, 96, 64);
    let rate = FrameRate::new(25, 1).unwrap();
    let mut seq = MjpegWriterBuilder::new(80, 60)
        .frame_rate(rate)
        .quality(80)
        .build(Cursor::new(Vec::new()))
        .unwrap();
    for f in &frames {
        seq.add_frame(f.view(), &FrameOptions::new()).unwrap();
    }
    let seq = seq.into_inner().unwrap().into_inner();
    for threads in [1, 3] {
        let w = MjpegWriterBuilder::new(80, 60)
            .frame_rate(rate)
            .quality(80)
            .build(Cursor::new(Vec::new()))
            .unwrap();
        let mut par = ParallelMjpegWriter::new(w, threads).unwrap();
        assert_eq!(par.threads(), threads);
        for (i, f) in frames.iter().enumerate() {
            if i % 2 == 0 {
                par.add_frame(f.view(), &FrameOptions::new()).unwrap();
            } else {
                par.add_image(f.clone(), &FrameOptions::new()).unwrap();
            }
        }
        assert_eq!(par.frames_added(), 23);
        let par = par.finish().unwrap().into_inner();
        assert_eq!(par, seq, "{threads} threads");
    }
}

#[test]
fn parallel_writer_stamps_frames_when_added_and_reports_errors() {
    let w = MjpegWriterBuilder::new(32, 32)
        .build(Cursor::new(Vec::new()))
        .unwrap();
    let mut par = ParallelMjpegWriter::new(w, 2).unwrap();
    let frame = Image::zeroed(PixelFormat::Rgb888, 64, 64).unwrap();
    for i in 0..12u32 {
        let at = FrameOptions::new().timestamp(Duration::from_millis(40) * i);
        par.add_frame(frame.view(), &at).unwrap();
    }
    par.sync().unwrap();
    assert_eq!(par.frames_written(), 12);
    assert_eq!(
        par.writer().unwrap().frame_rate(),
        FrameRate::new(25, 1).unwrap()
    );
    // A bad frame fails in a worker; the error names it and stops the recording.
    let bad = FrameOptions::new().roi(Rect::new(60, 60, 10, 10));
    let mut failed = par.add_frame(frame.view(), &bad).err();
    for _ in 0..10 {
        if failed.is_some() {
            break;
        }
        failed = par.add_frame(frame.view(), &FrameOptions::new()).err();
    }
    let failed = failed
        .or_else(|| par.sync().err())
        .expect("the bad frame is reported");
    assert!(failed.to_string().contains("frame 12"), "{failed}");
    assert!(par.add_frame(frame.view(), &FrameOptions::new()).is_err());
    // Dropping after an error does not panic, and the 12 good frames are kept.
    drop(par);
}

#[test]
fn letterboxed_and_parallel_recordings_play_in_ffmpeg() {
    if !(have("ffprobe") && have("ffmpeg")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("letterbox.avi");
    let mut w = MjpegWriterBuilder::new(176, 99)
        .frame_rate(FrameRate::NTSC)
        .build(BufWriter::new(File::create(&path).unwrap()))
        .unwrap();
    for f in noise_frames(9, 64, 64) {
        w.add_frame(f.view(), &FrameOptions::new()).unwrap();
    }
    let gray = Image::new(PixelFormat::Grayscale, 33, 77, vec![128; 33 * 77]).unwrap();
    w.add_frame(gray.view(), &FrameOptions::new()).unwrap();
    w.into_inner().unwrap();
    assert_plays(&path, 10, 176, 99, "30000/1001");

    let path = dir.path().join("parallel.avi");
    let w = MjpegWriterBuilder::new(320, 240)
        .frame_rate(FrameRate::new(25, 1).unwrap())
        .build(BufWriter::new(File::create(&path).unwrap()))
        .unwrap();
    let mut par = ParallelMjpegWriter::new(w, 2).unwrap();
    for f in noise_frames(30, 320, 240) {
        par.add_image(f, &FrameOptions::new()).unwrap();
    }
    par.finish().unwrap();
    assert_plays(&path, 30, 320, 240, "25/1");
}

/// Luma sampling factors (h, v) from a baseline JPEG's SOF0 segment.
fn luma_sampling(jpeg: &[u8]) -> (u8, u8) {
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("SOF0");
    let f = jpeg[sof + 11];
    (f >> 4, f & 15)
}

#[test]
fn subsampling_and_huffman_optimisation_options() {
    use camreel::codec::jpeg::Subsampling;
    let frames = noise_frames(3, 64, 48);
    let record = |subsampling, optimize| {
        let mut w = MjpegWriterBuilder::new(64, 48)
            .quality(70)
            .subsampling(subsampling)
            .optimize_coding(optimize)
            .build(Cursor::new(Vec::new()))
            .unwrap();
        for f in &frames {
            w.add_frame(f.view(), &FrameOptions::new()).unwrap();
        }
        frames_of(w.into_inner().unwrap().into_inner())
    };
    let s420 = record(Subsampling::Chroma420, false);
    let s444 = record(Subsampling::Chroma444, false);
    let opt = record(Subsampling::Chroma444, true);
    assert_eq!(luma_sampling(&s420[0]), (2, 2));
    assert_eq!(luma_sampling(&s444[0]), (1, 1));
    for i in 0..3 {
        // Every frame is one interleaved scan, as MJPEG decoders expect, and
        // the writer's encoder (camreel's own, in every build) optimises it.
        let scans = opt[i].windows(2).filter(|w| *w == [0xFF, 0xDA]).count();
        assert_eq!(scans, 1, "frame {i}");
        assert!(opt[i].len() < s444[i].len(), "frame {i}");
        // Optimised tables change the entropy coding, not the picture.
        let (a, b) = (decode(&opt[i]).2, decode(&s444[i]).2);
        let worst = a.iter().zip(&b).map(|(x, y)| x.abs_diff(*y)).max();
        assert!(
            worst.is_some_and(|d| d <= 2),
            "frame {i}: differs by {worst:?}"
        );
    }
}

/// Found by fuzzing `avi_reader`: a 32x24 recording whose JPEG claims
/// 8192x6144 took half a second (eleven under the sanitizer) to decode to
/// 150 MB of gray. The reader refuses a picture larger than the stream's
/// header before decoding it; a smaller one still decodes.
#[test]
fn a_jpeg_larger_than_the_stream_header_is_refused_before_decoding() {
    let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 32, 24).unwrap();
    w.add_frame(
        Image::zeroed(PixelFormat::Rgb888, 32, 24).unwrap().view(),
        &FrameOptions::default(),
    )
    .unwrap();
    let mut file = w.into_inner().unwrap().into_inner();
    // The baseline SOF0 segment: FF C0, length, precision, height, width.
    let sof = file.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
    assert_eq!(&file[sof + 5..sof + 9], &[0, 24, 0, 32]);
    file[sof + 5..sof + 9].copy_from_slice(&[0x18, 0x00, 0x20, 0x00]); // 6144 x 8192
    let started = std::time::Instant::now();
    let mut r = AviReader::new(Cursor::new(file.clone())).unwrap();
    let e = r.read_image(0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
    assert_eq!(
        e.to_string(),
        "frame 0: the JPEG is 8192x6144, larger than the 32x24 the stream header gives"
    );
    assert!(started.elapsed() < Duration::from_millis(100));
    // The stored bytes are still there for pass-through.
    let mut jpeg = Vec::new();
    r.read_frame_into(0, &mut jpeg).unwrap();
    assert_eq!(
        camreel::codec::jpeg::dimensions(&jpeg).unwrap(),
        (8192, 6144)
    );
}
