//! Motion vectors (SPEC section 9): the matcher against a plainly written
//! brute-force reference, exact translations, every input format, the
//! detector on the synthetic camera's scripted motion, the `.data` reader,
//! and no panic on any size.

use std::time::Duration;

use camreel::camera::synthetic::{MotionEvent, SyntheticCamera};
use camreel::capture::CaptureExt;
use camreel::clock::ManualClock;
use camreel::codec::jpeg::JpegEncoder;
use camreel::motion::{
    self, DetectorOptions, Kernel, MagnitudeOptions, MotionData, MotionEstimator, MotionFrame,
    MotionLayout, MotionOptions, MotionOutput, MotionReader, MotionVector,
};
use camreel::sink::FrameSink;
use camreel::{ErrorKind, Image, ImageRef, PixelFormat, convert};
use proptest::prelude::*;

/// SPEC section 9, written as plainly as possible: records of `cur` against
/// `prev`, both `w` x `h` grayscale.
///
/// Both frames are padded to whole macroblocks by repeating the last column
/// and row; a candidate (x, y) is any offset within +-r whose block lies
/// wholly inside that padded previous frame; the best has the smallest
/// (SAD, |x| + |y|, y, x).
fn reference(prev: &[u8], cur: &[u8], w: usize, h: usize, r: i32) -> Vec<u8> {
    let (pw, ph) = (w.div_ceil(16) * 16, h.div_ceil(16) * 16);
    let px = |img: &[u8], x: usize, y: usize| img[y.min(h - 1) * w + x.min(w - 1)];
    let cols = w.div_ceil(16) + 1;
    let mut out = Vec::new();
    for by in (0..ph).step_by(16) {
        for bx in (0..pw).step_by(16) {
            let mut best: Option<(u32, i32, i32, i32)> = None;
            for y in -r..=r {
                for x in -r..=r {
                    let (sx, sy) = (bx as i32 + x, by as i32 + y);
                    if sx < 0 || sy < 0 || sx + 16 > pw as i32 || sy + 16 > ph as i32 {
                        continue;
                    }
                    let mut sad = 0u32;
                    for j in 0..16 {
                        for i in 0..16 {
                            let a = px(cur, bx + i, by + j);
                            let b = px(prev, sx as usize + i, sy as usize + j);
                            sad += u32::from(a.abs_diff(b));
                        }
                    }
                    let candidate = (sad, x.abs() + y.abs(), y, x);
                    if best.is_none_or(|b| candidate < b) {
                        best = Some(candidate);
                    }
                }
            }
            let (sad, _, y, x) = best.expect("the zero offset is always a candidate");
            out.extend_from_slice(&[x as i8 as u8, y as i8 as u8]);
            out.extend_from_slice(&(sad.min(65535) as u16).to_le_bytes());
        }
        out.extend_from_slice(&[0; 4]); // the extra column
    }
    assert_eq!(out.len(), cols * ph / 16 * 4);
    out
}

fn gray(w: usize, h: usize, data: &[u8]) -> ImageRef<'_> {
    ImageRef::new(PixelFormat::Grayscale, w as u32, h as u32, data).unwrap()
}

/// Records of frame 1 (`cur` after `prev`) with `kernel`, checking frame 0.
fn estimate(kernel: Kernel, r: u8, w: usize, h: usize, prev: &[u8], cur: &[u8]) -> Vec<u8> {
    let mut est =
        MotionEstimator::new(MotionOptions::default().search_range(r).kernel(kernel)).unwrap();
    let mut out = Vec::new();
    est.estimate_into(gray(w, h, prev), &mut out).unwrap();
    assert!(out.iter().all(|&b| b == 0), "first frame");
    est.estimate_into(gray(w, h, cur), &mut out).unwrap();
    let layout = est.layout().unwrap();
    for row in 0..layout.rows() {
        let at = layout.record_offset(layout.cols() - 1, row);
        assert_eq!(&out[at..at + 4], &[0; 4], "extra column");
    }
    out
}

fn kernels() -> Vec<Kernel> {
    if Kernel::Avx2.is_available() {
        vec![Kernel::Scalar, Kernel::Avx2]
    } else {
        eprintln!("this CPU has no AVX2: testing the portable kernel only");
        vec![Kernel::Scalar]
    }
}

/// xorshift32 bytes below `levels`.
fn noise(n: usize, seed: u32, levels: u32) -> Vec<u8> {
    let mut s = seed.wrapping_mul(0x9E37_79B9) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            ((s >> 8) % levels) as u8
        })
        .collect()
}

/// A texture with a unique match everywhere: a hash of the coordinates.
fn texture(x: i64, y: i64) -> u8 {
    let mut z = (x as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (y as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^= z >> 29;
    z = z.wrapping_mul(0x94D0_49BB_1331_11EB);
    (z >> 56) as u8
}

#[test]
fn fast_paths_equal_the_reference_bit_for_bit() {
    let sizes = [
        (1, 1),
        (5, 3),
        (16, 16),
        (17, 17),
        (31, 9),
        (40, 24),
        (64, 48),
        (50, 70),
        (100, 20),
    ];
    for (k, &(w, h)) in sizes.iter().enumerate() {
        let n = w * h;
        let base = noise(n, k as u32 + 1, 256);
        // Frame 1 variants: unrelated noise; frame 0 shifted by (3, -2)
        // plus noise; few grey levels (many exact ties); flat (all tie).
        let shifted: Vec<u8> = (0..n)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                let src = base[(y + 2).min(h - 1) * w + x.saturating_sub(3)];
                src.wrapping_add(noise(1, i as u32, 5)[0])
            })
            .collect();
        let contents = [
            ("noise", base.clone(), noise(n, k as u32 + 100, 256)),
            ("shifted", base.clone(), shifted),
            (
                "three levels",
                noise(n, k as u32 + 7, 3),
                noise(n, k as u32 + 8, 3),
            ),
            ("flat", vec![7; n], vec![9; n]),
        ];
        // The widest range only on the small frames: the reference is slow.
        let ranges: &[u8] = if w * h <= 40 * 24 {
            &[1, 2, 7, 16, 127]
        } else {
            &[1, 3, 16]
        };
        for &r in ranges {
            for (name, prev, cur) in &contents {
                let want = reference(prev, cur, w, h, i32::from(r));
                for kernel in kernels() {
                    let got = estimate(kernel, r, w, h, prev, cur);
                    assert!(got == want, "{w}x{h} +-{r} {name} {kernel:?}");
                }
            }
        }
    }
}

#[test]
fn every_translation_within_the_range_is_found_exactly() {
    let full = |r: i32| -> Vec<(i32, i32)> {
        (-r..=r)
            .flat_map(|y| (-r..=r).map(move |x| (x, y)))
            .collect()
    };
    let far = vec![(-127, 0), (127, 0), (-100, 5), (64, -9), (0, 0), (1, -1)];
    // Width, height, range, the shifts tried.
    type Case = (usize, usize, u8, Vec<(i32, i32)>);
    let cases: [Case; 3] = [
        (64, 64, 16, full(16)),
        (48, 40, 3, full(3)),
        (192, 32, 127, far),
    ];
    for (w, h, r, shifts) in cases {
        for (n, &(dx, dy)) in shifts.iter().enumerate() {
            // Content moving by (dx, dy) pixels: frame 1 at (x, y) shows what
            // frame 0 showed at (x - dx, y - dy).
            let prev: Vec<u8> = (0..w * h)
                .map(|i| texture((i % w) as i64, (i / w) as i64))
                .collect();
            let cur: Vec<u8> = (0..w * h)
                .map(|i| {
                    texture(
                        (i % w) as i64 - i64::from(dx),
                        (i / w) as i64 - i64::from(dy),
                    )
                })
                .collect();
            // The portable kernel on every 7th shift (it is slow unoptimised).
            let mut ks = vec![Kernel::Auto];
            if n % 7 == 0 {
                ks.push(Kernel::Scalar);
            }
            for kernel in ks {
                let out = estimate(kernel, r, w, h, &prev, &cur);
                let layout = MotionLayout::new(w as u32, h as u32).unwrap();
                let frame = MotionFrame::new(layout, &out).unwrap();
                let mut interior = 0;
                for (col, row, v) in frame.blocks() {
                    let (sx, sy) = ((col * 16) as i32 - dx, (row * 16) as i32 - dy);
                    if sx < 0 || sy < 0 || sx + 16 > w as i32 || sy + 16 > h as i32 {
                        continue; // the block came from outside the frame
                    }
                    interior += 1;
                    let want = MotionVector {
                        x: -dx as i8,
                        y: -dy as i8,
                        sad: 0,
                    };
                    assert_eq!(
                        v, want,
                        "{w}x{h} +-{r} shift ({dx}, {dy}) block ({col}, {row}) {kernel:?}"
                    );
                }
                assert!(interior > 0, "shift ({dx}, {dy}) has no interior block");
            }
        }
    }
}

#[test]
fn synthetic_pan_gives_the_known_global_motion() {
    // The background moves by +2 pixels per frame horizontally: the textured
    // ground below the horizon came from (x + 2, y + 1) in frame 0 -> 1.
    let mut cam = SyntheticCamera::builder()
        .size(320, 240)
        .format(PixelFormat::Yuv420)
        .objects(0)
        .noise(0)
        .frame_limit(2)
        .build()
        .unwrap();
    let mut data = Vec::new();
    motion::analyse_source(
        &mut cam,
        &mut data,
        &MotionOptions::default(),
        DetectorOptions::default(),
        |_, _| Ok(()),
    )
    .unwrap();
    let data = MotionData::from_bytes(data, 320, 240).unwrap();
    let f = data.frame(1).unwrap();
    // Rows 10 to 13 (row 14 would come from below the frame).
    let ground: Vec<MotionVector> = (10..14)
        .flat_map(|row| (1..19).map(move |col| (col, row)))
        .map(|(c, r)| f.vector(c, r))
        .collect();
    let exact = ground
        .iter()
        .filter(|v| (v.x, v.y, v.sad) == (2, 1, 0))
        .count();
    assert!(
        exact * 10 >= ground.len() * 9,
        "{exact} of {} ground blocks at (2, 1)",
        ground.len()
    );
}

#[test]
fn luma_comes_from_any_format_alike() {
    let (w, h) = (50u32, 36u32);
    let cam = SyntheticCamera::builder()
        .size(w, h)
        .objects(2)
        .build()
        .unwrap();
    let rgb: Vec<Image> = (0..3).map(|i| cam.render(i).unwrap()).collect();
    let run = |frames: &[Image]| {
        let mut est = MotionEstimator::new(MotionOptions::default().search_range(6)).unwrap();
        let mut all = Vec::new();
        let mut out = Vec::new();
        for f in frames {
            est.estimate_into(f.view(), &mut out).unwrap();
            all.extend_from_slice(&out);
        }
        all
    };
    let to = |f: PixelFormat| -> Vec<Image> {
        rgb.iter()
            .map(|i| convert::convert(i.view(), f).unwrap())
            .collect()
    };
    // RGB is converted to GRAYSCALE: the same records as GRAYSCALE frames.
    assert_eq!(run(&rgb), run(&to(PixelFormat::Grayscale)));
    // YUV frames: the Y plane, whatever the chroma.
    for f in [
        PixelFormat::Yuv420,
        PixelFormat::Nv12,
        PixelFormat::Yuv422,
        PixelFormat::Yvu422,
    ] {
        let yuv = to(f);
        let luma: Vec<Image> = yuv
            .iter()
            .map(|img| {
                let y: Vec<u8> = match f {
                    PixelFormat::Yuv420 | PixelFormat::Nv12 => {
                        img.data()[..(w * h) as usize].to_vec()
                    }
                    _ => img.data().iter().step_by(2).copied().collect(),
                };
                Image::new(PixelFormat::Grayscale, w, h, y).unwrap()
            })
            .collect();
        assert_eq!(run(&yuv), run(&luma), "{f}");
    }
    // JPEG frames are decoded first.
    let mut enc = JpegEncoder::new(camreel::codec::Quality::try_from(90).unwrap()).unwrap();
    let jpegs: Vec<Image> = rgb
        .iter()
        .map(|i| enc.encode_image(i.view()).unwrap())
        .collect();
    let decoded: Vec<Image> = jpegs
        .iter()
        .map(|j| camreel::codec::transcode(j.view(), PixelFormat::Grayscale).unwrap())
        .collect();
    assert_eq!(run(&jpegs), run(&decoded));
}

#[test]
fn a_frame_of_another_size_ends_the_data_with_an_error() {
    let mut est = MotionEstimator::new(MotionOptions::default()).unwrap();
    let mut out = Vec::new();
    let a = vec![1u8; 48 * 32];
    est.estimate_into(gray(48, 32, &a), &mut out).unwrap();
    est.estimate_into(gray(48, 32, &a), &mut out).unwrap();
    let b = vec![1u8; 48 * 33];
    let e = est.estimate_into(gray(48, 33, &b), &mut out).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
    assert_eq!(
        e.to_string(),
        "frame 2: 48x33 is not the size of the first frame (48x32)"
    );
    // A wrong output buffer is refused too; the estimator goes on afterwards.
    let e = est.estimate(gray(48, 32, &a), &mut [0; 3]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
    est.estimate_into(gray(48, 32, &a), &mut out).unwrap();
    assert_eq!(est.frames(), 3);
    // Bad settings.
    for r in [0u8, 128, 255] {
        let e = MotionEstimator::new(MotionOptions::default().search_range(r)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
}

/// A still 320x240 scene at 25 fps with `events`, `frames` frames long.
fn scene(seed: u64, noise: u8, events: &[MotionEvent], frames: u64) -> SyntheticCamera {
    let mut b = SyntheticCamera::builder()
        .size(320, 240)
        .format(PixelFormat::Grayscale)
        .objects(0)
        .pan(false)
        .noise(noise)
        .seed(seed)
        .fps(25.0)
        .clock(ManualClock::shared())
        .frame_limit(frames);
    for e in events {
        b = b.motion_event(e.clone());
    }
    b.build().unwrap()
}

fn colored(mut e: MotionEvent, color: [u8; 3]) -> MotionEvent {
    e.color = color;
    e
}

#[test]
fn scripted_motion_events_are_detected_within_one_frame() {
    let events = [
        // A white object crossing the sky, 8 px per frame.
        colored(
            MotionEvent::new(5..25, (10, 30), (170, 30), (48, 96)),
            [250, 250, 250],
        ),
        // A dark one moving left and down over the ground, 6 px per frame.
        colored(
            MotionEvent::new(45..60, (200, 100), (110, 130), (112, 112)),
            [20, 20, 30],
        ),
        // The default bright red one, 5 px per frame diagonally.
        MotionEvent::new(80..96, (40, 40), (120, 120), (80, 96)),
    ];
    let mut cam = scene(1, 2, &events, 110);
    let report = motion::analyse_source(
        &mut cam,
        std::io::sink(),
        &MotionOptions::default(),
        DetectorOptions::default(),
        |_, _| Ok(()),
    )
    .unwrap();
    let found: Vec<(u64, u64)> = report
        .events
        .iter()
        .map(|e| (e.start_frame, e.end_frame))
        .collect();
    assert_eq!(found.len(), events.len(), "{found:?}");
    for (e, got) in events.iter().zip(&report.events) {
        assert!(
            got.start_frame >= e.start && got.start_frame <= e.start + 1,
            "event {}..{} detected from frame {}",
            e.start,
            e.end,
            got.start_frame
        );
        // The last movement is the object's disappearance (frame `end`).
        assert!(
            got.end_frame + 1 >= e.end && got.end_frame <= e.end,
            "event {}..{} ends at {}",
            e.start,
            e.end,
            got.end_frame
        );
        // Timestamps are the frames' (25 fps on a manual clock).
        assert_eq!(
            got.start_time,
            Some(Duration::from_millis(40 * got.start_frame))
        );
        assert_eq!(
            got.end_time,
            Some(Duration::from_millis(40 * got.end_frame))
        );
    }
    // Per-frame summaries agree with the events.
    for s in &report.frames {
        let inside = report
            .events
            .iter()
            .any(|e| (e.start_frame..=e.end_frame).contains(&s.index));
        if s.motion {
            assert!(inside, "frame {} has motion outside an event", s.index);
        }
    }
}

#[test]
fn a_still_scene_with_sensor_noise_gives_no_event() {
    // The synthetic camera's noise is one fixed pattern shifted by a random
    // offset each frame, so now and then flat areas really do show that
    // pattern moving; at its default amplitude the detector ignores it.
    for seed in 0..3 {
        let mut cam = scene(seed, 2, &[], 40);
        let report = motion::analyse_source(
            &mut cam,
            std::io::sink(),
            &MotionOptions::default(),
            DetectorOptions::default(),
            |_, _| Ok(()),
        )
        .unwrap();
        assert!(report.events.is_empty(), "seed {seed}: {:?}", report.events);
        let worst = report.frames.iter().map(|s| s.moving_blocks).max().unwrap();
        assert!(worst <= 3, "seed {seed}: up to {worst} moving blocks");
        // Without the zero-vector test, the seed's rule alone would fire:
        // noise makes long random vectors in the flat sky.
        let random = report
            .frames
            .iter()
            .filter(|s| s.max_magnitude > 2.0)
            .count();
        assert!(
            random > 35,
            "seed {seed}: {random} frames with long vectors"
        );
    }
}

#[test]
fn motion_data_round_trips_through_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("motion.data");
    let opts = MotionOptions::default().search_range(8);
    let mut cam = SyntheticCamera::builder()
        .size(100, 70)
        .frame_limit(6)
        .build()
        .unwrap();
    let mut out = MotionOutput::new(std::fs::File::create(&path).unwrap(), opts).unwrap();
    cam.record(&mut out, None).unwrap();
    drop(out);
    // The same frames through a hook see the same records.
    let mut cam = SyntheticCamera::builder()
        .size(100, 70)
        .frame_limit(6)
        .build()
        .unwrap();
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut hook = motion::MotionAnalysisSink::new(
        |f: &MotionFrame<'_>| {
            seen.push(f.records().to_vec());
            Ok(())
        },
        opts,
    )
    .unwrap();
    cam.record(&mut hook, None).unwrap();
    drop(hook);

    let data = MotionData::open(&path, 100, 70).unwrap();
    let layout = data.layout();
    assert_eq!(
        (layout.cols(), layout.rows(), layout.frame_bytes()),
        (8, 5, 160)
    );
    assert_eq!(data.len(), 6);
    for (f, want) in data.frames().zip(&seen) {
        assert_eq!(f.records(), &want[..]);
    }
    assert!(data.frame(0).unwrap().records().iter().all(|&b| b == 0));
    assert!(
        data.frame(3)
            .unwrap()
            .blocks()
            .any(|(_, _, v)| v.magnitude_squared() > 0)
    );

    // Streaming, and lengths that are not whole frames.
    let bytes = std::fs::read(&path).unwrap();
    let mut reader = MotionReader::new(&bytes[..], 100, 70).unwrap();
    let mut n = 0;
    while let Some(f) = reader.next_frame().unwrap() {
        assert_eq!(f.records(), &seen[n][..]);
        n += 1;
    }
    assert_eq!(n, 6);
    std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    let e = MotionData::open(&path, 100, 70).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Truncated);
    assert!(e.to_string().contains("5 frames and 159 bytes over"), "{e}");
    // Read with the wrong size, the same bytes are refused rather than misread.
    let e = MotionData::from_bytes(bytes.clone(), 640, 480).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Truncated);
    let mut reader = MotionReader::new(&bytes[..bytes.len() - 7], 100, 70).unwrap();
    for _ in 0..5 {
        reader.next_frame().unwrap().unwrap();
    }
    let e = reader.next_frame().unwrap_err();
    assert_eq!(
        e.to_string(),
        "frame 5 at byte 800: motion data ends 153 bytes into a 160-byte frame"
    );
    let small = camreel::Limits {
        max_bytes: 500,
        ..camreel::Limits::default()
    };
    let e = MotionData::open_with_limits(&path, 100, 70, &small).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    let e = MotionData::open(dir.path().join("missing.data"), 100, 70).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
}

#[test]
fn magnitude_images_show_the_moving_blocks() {
    let mut cam = scene(
        3,
        2,
        &[colored(
            MotionEvent::new(2..6, (40, 60), (80, 60), (48, 64)),
            [250; 3],
        )],
        5,
    );
    let mut images = Vec::new();
    motion::analyse_source(
        &mut cam,
        std::io::sink(),
        &MotionOptions::default(),
        DetectorOptions::default(),
        |s, f| {
            let img = motion::magnitude_image(f, &MagnitudeOptions::default())?;
            images.push((s.index, img));
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(images.len(), 5);
    for (_, img) in &images {
        assert_eq!(
            (img.format(), img.size()),
            (PixelFormat::Grayscale, (320, 240))
        );
    }
    assert!(
        images[0].1.data().iter().all(|&p| p == 0),
        "the first frame has no motion"
    );
    // Frame 3: the object moved 10 pixels right; blocks at its edges light up.
    let lit = images[3]
        .1
        .data()
        .chunks_exact(16)
        .filter(|b| b[0] >= 100)
        .count();
    assert!(lit > 0);
    let png = camreel::codec::png::encode_image(images[3].1.view()).unwrap();
    assert_eq!(
        camreel::codec::png::decode(png.data()).unwrap(),
        images[3].1
    );
}

#[test]
fn the_motion_output_is_a_frame_sink() {
    let mut out = MotionOutput::new(Vec::new(), MotionOptions::default()).unwrap();
    let mut cam = SyntheticCamera::builder()
        .size(64, 48)
        .frame_limit(3)
        .build()
        .unwrap();
    while let Some(f) = camreel::camera::CameraSource::next_frame(&mut cam).unwrap() {
        out.write_frame(&f).unwrap();
    }
    out.finish().unwrap();
    assert_eq!(out.estimator().frames(), 3);
    assert_eq!(out.into_inner().unwrap().len(), 3 * 5 * 3 * 4);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_panic_on_any_size_or_format(
        w in 1u32..70,
        h in 1u32..70,
        w2 in 1u32..70,
        r in 1u8..=127,
        which in 0usize..7,
        seed in any::<u32>(),
    ) {
        let format = [
            PixelFormat::Grayscale,
            PixelFormat::Yuv420,
            PixelFormat::Nv12,
            PixelFormat::Rgb888,
            PixelFormat::Rgb565,
            PixelFormat::Yuv422,
            PixelFormat::Bayer(camreel::BayerOrder::Rggb),
        ][which];
        let frame = |w: u32, s: u32| {
            let n = format.payload_size(w, h).unwrap();
            Image::new(format, w, h, noise(n, s, 256)).unwrap()
        };
        let mut est = MotionEstimator::new(MotionOptions::default().search_range(r)).unwrap();
        let mut out = Vec::new();
        for i in 0..2 {
            let layout = est.estimate_into(frame(w, seed ^ i).view(), &mut out).unwrap();
            prop_assert_eq!(out.len(), layout.frame_bytes());
            let f = MotionFrame::new(layout, &out).unwrap();
            for row in 0..layout.rows() {
                prop_assert_eq!(f.vector(layout.cols() - 1, row), MotionVector::default());
            }
            for (_, _, v) in f.blocks() {
                prop_assert!(i32::from(v.x).abs() <= i32::from(r) && i32::from(v.y).abs() <= i32::from(r));
                // Candidates lie inside the padded previous frame.
                prop_assert!(i32::from(v.x).abs() <= 16 * (layout.block_cols() as i32 - 1));
                prop_assert!(i32::from(v.y).abs() <= 16 * (layout.rows() as i32 - 1));
            }
        }
        match est.estimate_into(frame(w2, seed).view(), &mut out) {
            Ok(_) => prop_assert_eq!(w2, w),
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::InvalidFrameSize),
        }
    }

    #[test]
    fn reading_any_bytes_never_panics(len in 0usize..2000, w in 0u32..100, h in 0u32..100) {
        let bytes = vec![0xA5u8; len];
        match MotionData::from_bytes(bytes.clone(), w, h) {
            Ok(d) => prop_assert_eq!(d.len() * d.layout().frame_bytes(), len),
            Err(e) => prop_assert!(matches!(e.kind(), ErrorKind::Truncated | ErrorKind::InvalidFrameSize)),
        }
        if let Ok(mut r) = MotionReader::new(&bytes[..], w, h) {
            while let Ok(Some(_)) = r.next_frame() {}
        }
    }
}
