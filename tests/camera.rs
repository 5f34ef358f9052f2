//! Integration tests of the camera HAL and the capture API, on the synthetic
//! backend (no hardware needed).

use std::ops::ControlFlow;
use std::time::Duration;

use camreel::camera::synthetic::{MotionEvent, SyntheticCamera};
use camreel::camera::{self, CameraSource, Frame, SourceConfig};
use camreel::capture::picamera::{PiCamera, PiFormat};
use camreel::capture::pipeline::{Overflow, Pipeline};
use camreel::capture::{CaptureExt, EncodedSink, FrameSink, RawEncoder, Splitter};
use camreel::clock::ManualClock;
use camreel::raw::{self, BayerCapture, Sensor};
use camreel::{BayerOrder, ErrorKind, Image, PixelFormat, Result};

/// Application code written once against the trait.
fn mean_luma_of_first(source: &mut dyn CameraSource, n: usize) -> Result<Vec<u64>> {
    let mut out = Vec::new();
    for _ in 0..n {
        let Some(frame) = source.next_frame()? else {
            break;
        };
        let data = frame.image.data();
        out.push(data.iter().map(|&b| u64::from(b)).sum::<u64>() / data.len() as u64);
    }
    Ok(out)
}

#[test]
fn backends_chosen_at_run_time_run_the_same_code() {
    let config = SourceConfig {
        size: Some((64, 48)),
        format: Some(PixelFormat::Grayscale),
        ..SourceConfig::default()
    };
    let mut boxed = camera::open("synthetic", &config).unwrap();
    let means = mean_luma_of_first(&mut *boxed, 5).unwrap();
    assert_eq!(means.len(), 5);
    assert!(means.iter().all(|&m| m > 20 && m < 235), "{means:?}");
    // The same code on a concrete type.
    let mut cam = SyntheticCamera::builder()
        .size(64, 48)
        .format(PixelFormat::Grayscale)
        .build()
        .unwrap();
    assert_eq!(mean_luma_of_first(&mut cam, 5).unwrap(), means);
}

#[test]
fn owned_frames_and_reused_buffers_agree() {
    let make = || {
        SyntheticCamera::builder()
            .size(80, 60)
            .seed(9)
            .frame_limit(6)
            .build()
            .unwrap()
    };
    let owned: Vec<_> = make().frames().collect::<Result<_>>().unwrap();
    assert_eq!(owned.len(), 6);
    let mut cam = make();
    let mut img = Image::empty();
    let cap = {
        cam.next_frame_into(&mut img).unwrap();
        img.capacity()
    };
    let mut i = 1;
    while let Some(info) = cam.next_frame_into(&mut img).unwrap() {
        assert_eq!(info.sequence, owned[i].sequence);
        assert_eq!(img, owned[i].image);
        assert_eq!(img.capacity(), cap, "no reallocation per frame");
        i += 1;
    }
    assert_eq!(i, 6);
}

#[test]
fn scripted_motion_is_visible_only_in_its_frames() {
    let event = MotionEvent::new(5..8, (4, 4), (40, 4), (10, 10));
    let cam = SyntheticCamera::builder()
        .size(64, 32)
        .pan(false)
        .objects(0)
        .noise(0)
        .motion_event(event)
        .build()
        .unwrap();
    let frames: Vec<Image> = (0..10).map(|i| cam.render(i).unwrap()).collect();
    for i in 1..10 {
        let changed = frames[i]
            .data()
            .iter()
            .zip(frames[i - 1].data())
            .filter(|(a, b)| a != b)
            .count();
        let moving = (5..=8).contains(&i);
        assert_eq!(changed > 0, moving, "frame {i}: {changed} bytes changed");
    }
}

#[test]
fn paced_camera_on_a_manual_clock() {
    let clock = ManualClock::shared();
    let mut cam = SyntheticCamera::builder()
        .size(16, 16)
        .fps(30.0)
        .clock(clock.clone())
        .frame_limit(31)
        .build()
        .unwrap();
    let stamps: Vec<Duration> = cam.frames().map(|f| f.unwrap().timestamp).collect();
    assert_eq!(stamps.len(), 31);
    // 30 intervals of 1/30 s: one second, to the nanosecond rounding.
    let total = stamps[30] - stamps[0];
    assert!(total.abs_diff(Duration::from_secs(1)) < Duration::from_micros(1));
}

#[test]
fn capture_sequence_to_files_in_a_temp_dir() {
    let dir = tempfile::tempdir().unwrap();
    let mut cam = SyntheticCamera::builder().size(40, 30).build().unwrap();
    let names: Vec<_> = (0..5)
        .map(|i| dir.path().join(format!("image{i:02}.data")))
        .collect();
    assert_eq!(
        cam.capture_sequence_files(&names, &mut RawEncoder).unwrap(),
        5
    );
    for (i, n) in names.iter().enumerate() {
        assert_eq!(
            std::fs::read(n).unwrap(),
            cam.render(i as u64).unwrap().data(),
            "{}",
            n.display()
        );
    }
}

/// A custom frame-level output: counts bytes and keeps the last sequence (the
/// picamera `MyOutput` recipe, with whole frames).
#[derive(Default)]
struct ByteCounter {
    bytes: usize,
    frames: u64,
    flushed: bool,
}

impl FrameSink for ByteCounter {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.bytes += frame.image.data().len();
        self.frames += 1;
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        self.flushed = true;
        Ok(())
    }
}

#[test]
fn multiple_resolutions_and_stills_while_recording() {
    let mut high = ByteCounter::default();
    let mut low = Vec::new();
    let cam = SyntheticCamera::builder()
        .size(64, 48)
        .frame_limit(30)
        .build()
        .unwrap();
    let mut splitter = Splitter::new(cam);
    splitter.add_port(&mut high);
    // Port 2 at half resolution (2x2 subsampling as the transform).
    splitter.add_port_with(
        EncodedSink::new(&mut low, RawEncoder),
        |src: camreel::ImageRef<'_>, dst: &mut Image| {
            let mut out = Vec::with_capacity(32 * 24 * 3);
            for row in src.rows().step_by(2) {
                for px in row.chunks_exact(6) {
                    out.extend_from_slice(&px[..3]);
                }
            }
            *dst = Image::new(PixelFormat::Rgb888, 32, 24, out)?;
            Ok(())
        },
    );
    let stills = splitter.still_handle();
    let mut pending = Vec::new();
    for i in 0..30 {
        if i % 10 == 5 {
            pending.push(stills.request(RawEncoder));
        }
        splitter.step().unwrap();
    }
    let stats = splitter.run(None).unwrap();
    drop(splitter);
    assert_eq!(stats.frames, 30);
    assert_eq!(stats.stills, 3);
    assert_eq!((high.frames, high.bytes), (30, 30 * 64 * 48 * 3));
    assert!(high.flushed);
    assert_eq!(low.len(), 30 * 32 * 24 * 3);
    let seqs: Vec<u64> = pending
        .into_iter()
        .map(|p| p.wait().unwrap().info.sequence)
        .collect();
    assert_eq!(seqs, [5, 15, 25]);
}

#[test]
fn pipeline_processes_in_parallel_in_order() {
    let cam = SyntheticCamera::builder()
        .size(64, 48)
        .frame_limit(40)
        .build()
        .unwrap();
    let reference = SyntheticCamera::builder().size(64, 48).build().unwrap();
    let mut got = Vec::new();
    let stats = Pipeline::new()
        .workers(3)
        .queue(2)
        .overflow(Overflow::Block)
        .run(
            cam,
            |f| {
                Ok((
                    f.image.data().iter().map(|&b| u64::from(b)).sum::<u64>(),
                    std::thread::current().id(),
                ))
            },
            |info, (sum, _thread)| {
                got.push((info.sequence, sum));
                Ok(ControlFlow::Continue(()))
            },
        )
        .unwrap();
    assert_eq!(stats.delivered, 40);
    assert_eq!(stats.dropped, 0);
    for (seq, sum) in got {
        let expected: u64 = reference
            .render(seq)
            .unwrap()
            .data()
            .iter()
            .map(|&b| u64::from(b))
            .sum();
        assert_eq!(sum, expected, "frame {seq}");
    }
}

#[test]
fn picamera_rgb_recipe_round_trips() {
    // Section 5.2: capture 'rgb' at 100x100, crop the padded buffer.
    let mut camera = PiCamera::emulator(100, 100, 3).unwrap();
    let expected = camera.get_ref().render(0).unwrap();
    let mut stream = Vec::new();
    camera.capture_as(&mut stream, PiFormat::Rgb).unwrap();
    let (fw, fh) = raw::padded_size(100, 100);
    assert_eq!(stream.len(), (fw * fh * 3) as usize);
    let image = raw::crop_rgb(&stream, 100, 100, PixelFormat::Rgb888).unwrap();
    assert_eq!(image, expected);
}

#[test]
fn emulated_ov5647_bayer_block_has_the_pi_layout() {
    let mut camera = PiCamera::emulator(64, 48, 1).unwrap().with_jpeg_encoder(
        |_: camreel::ImageRef<'_>, out: &mut Vec<u8>| {
            out.extend_from_slice(b"\xFF\xD8\xFF\xD9");
            Ok(())
        },
    );
    let data = camera.capture_bytes(PiFormat::JpegBayer).unwrap();
    assert_eq!(data.len(), 4 + 6_404_096);
    let block = &data[data.len() - 6_404_096..];
    assert_eq!(&block[..4], b"BRCM");
    let cap = BayerCapture::parse(&data).unwrap();
    assert_eq!(cap.header.bayer_order, 1);
    assert_eq!(cap.layout.order, BayerOrder::Gbrg);
    assert_eq!((cap.header.width, cap.header.height), (2592, 1944));
    assert_eq!((cap.layout.stride, cap.layout.rows), (3264, 1952));
    // Unused row tails and rows are zero.
    assert!(block[32768 + 3240..32768 + 3264].iter().all(|&b| b == 0));
    assert!(block[32768 + 1944 * 3264..].iter().all(|&b| b == 0));
    let b16 = cap.to_bayer16().unwrap();
    assert_eq!(b16.data().len(), 2592 * 1944 * 2);
    // The sensor sampled the synthetic scene: its 8-bit view matches the
    // green channel of the scene at a green site (GBRG: (0, 0) is green).
    let scene = SyntheticCamera::builder()
        .size(2592, 1944)
        .seed(1)
        .build()
        .unwrap()
        .render(0)
        .unwrap();
    let v = u16::from_le_bytes([b16.data()[0], b16.data()[1]]);
    assert_eq!((v >> 2) as u8, scene.data()[1]);
}

#[test]
fn emulated_imx219_block_length() {
    let mut camera = PiCamera::emulator(32, 16, 0)
        .unwrap()
        .sensor(Sensor::Imx219, BayerOrder::Bggr)
        .with_jpeg_encoder(|_: camreel::ImageRef<'_>, out: &mut Vec<u8>| {
            out.push(0);
            Ok(())
        });
    let data = camera.capture_bytes(PiFormat::JpegBayer).unwrap();
    assert_eq!(data.len(), 1 + 10_270_208);
    let cap = BayerCapture::parse(&data).unwrap();
    assert_eq!(cap.layout.order, BayerOrder::Bggr);
    assert_eq!((cap.layout.stride, cap.layout.rows), (4128, 2480));
}

#[test]
fn errors_map_to_kinds() {
    assert_eq!(
        camera::open("v4l2", &SourceConfig::default())
            .err()
            .unwrap()
            .kind(),
        ErrorKind::InvalidArgument
    );
    let mut cam = SyntheticCamera::builder()
        .size(8, 8)
        .frame_limit(1)
        .build()
        .unwrap();
    cam.capture(&mut Vec::new(), &mut RawEncoder).unwrap();
    assert_eq!(
        cam.capture(&mut Vec::new(), &mut RawEncoder)
            .unwrap_err()
            .kind(),
        ErrorKind::EndOfStream
    );
}

mod replay {
    use std::time::Duration;

    use camreel::camera::CameraSource;
    use camreel::camera::replay::ReplayCamera;
    use camreel::clock::{Clock, ManualClock};
    use camreel::imageio::FileStream;
    use camreel::{ErrorKind, Image, PixelFormat};

    fn clip(dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("clip.bin");
        let mut out = FileStream::create(&path).unwrap();
        for (i, ms) in [(0u8, 0u32), (1, 40), (2, 60)] {
            let img = Image::new(PixelFormat::Grayscale, 4, 2, vec![i; 8]).unwrap();
            out.write_with_elapsed(&img, Duration::from_millis(ms.into()))
                .unwrap();
        }
        let rgb = Image::new(PixelFormat::Rgb565, 2, 2, vec![9; 8]).unwrap();
        out.write_with_elapsed(&rgb, Duration::from_millis(100))
            .unwrap();
        out.close().unwrap();
        path
    }

    #[test]
    fn realtime_replay_waits_out_recorded_intervals() {
        let dir = tempfile::tempdir().unwrap();
        let path = clip(dir.path());
        let clock = ManualClock::shared();
        let mut cam = ReplayCamera::builder(&path)
            .realtime(true)
            .clock(clock.clone())
            .open()
            .unwrap();
        let f = cam.format();
        assert_eq!(
            (f.format, f.width, f.height),
            (PixelFormat::Grayscale, 4, 2)
        );
        assert_eq!(f.fps, Some(3.0 * 1000.0 / 200.0));
        let mut got = Vec::new();
        while let Some(frame) = cam.next_frame().unwrap() {
            got.push((
                frame.sequence,
                frame.image.format(),
                frame.timestamp.as_millis(),
                clock.now().as_millis(),
            ));
        }
        assert_eq!(
            got,
            [
                (0, PixelFormat::Grayscale, 0, 0),
                (1, PixelFormat::Grayscale, 40, 40),
                (2, PixelFormat::Grayscale, 100, 100),
                (3, PixelFormat::Rgb565, 200, 200),
            ]
        );
    }

    #[test]
    fn looping_and_fast_replay() {
        let dir = tempfile::tempdir().unwrap();
        let path = clip(dir.path());
        let clock = ManualClock::shared();
        let mut cam = ReplayCamera::builder(&path)
            .realtime(false)
            .looping(true)
            .clock(clock.clone())
            .open()
            .unwrap();
        let seqs: Vec<(u64, u8)> = (0..9)
            .map(|_| {
                let f = cam.next_frame().unwrap().unwrap();
                (f.sequence, f.image.data()[0])
            })
            .collect();
        assert_eq!(
            seqs,
            [
                (0, 0),
                (1, 1),
                (2, 2),
                (3, 9),
                (4, 0),
                (5, 1),
                (6, 2),
                (7, 9),
                (8, 0)
            ]
        );
        assert_eq!(clock.now(), Duration::ZERO, "no waiting");
    }

    #[test]
    fn truncated_and_missing_recordings() {
        let dir = tempfile::tempdir().unwrap();
        let path = clip(dir.path());
        let full = std::fs::read(&path).unwrap();
        // Cut inside the last frame's payload: three frames play.
        let cut = dir.path().join("cut.bin");
        std::fs::write(&cut, &full[..full.len() - 10]).unwrap();
        let mut cam = ReplayCamera::builder(&cut).realtime(false).open().unwrap();
        let mut n = 0;
        while cam.next_frame().unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 3);
        // Looping over a cut recording skips the partial frame every time round.
        let mut cam = ReplayCamera::builder(&cut)
            .realtime(false)
            .looping(true)
            .open()
            .unwrap();
        let firsts: Vec<u8> = (0..7)
            .map(|_| cam.next_frame().unwrap().unwrap().image.data()[0])
            .collect();
        assert_eq!(firsts, [0, 1, 2, 0, 1, 2, 0]);
        // Only a header: no frame to replay.
        let empty = dir.path().join("empty.bin");
        std::fs::write(&empty, &full[..16]).unwrap();
        let e = ReplayCamera::builder(&empty).open().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::EndOfStream);
        let e = ReplayCamera::builder(dir.path().join("none.bin"))
            .open()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert_eq!(e.to_string().matches("none.bin").count(), 1, "{e}");
    }
}
