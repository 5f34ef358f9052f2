//! The writers side by side: the same verbs and counters on every writer,
//! timestamps (never a wall clock) for time, one duration for the same
//! frames whatever the file kind, and readers that decode.

use std::cell::Cell;
use std::io::{Cursor, Write};
use std::rc::Rc;
use std::time::Duration;

use camreel::avi::{self, AviReader, FrameOptions, MjpegWriter, MjpegWriterBuilder};
use camreel::camera::CameraSource;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::clock::{Clock, ManualClock};
use camreel::codec::jpeg::JpegEncoder;
use camreel::frame::Frame;
use camreel::gif::{self, GifOptions, GifReader, GifWriter, read_info};
use camreel::imageio::{self, FileStream, MemoryStream, ReadOptions};
use camreel::replay::ReplayCamera;
use camreel::sink::FrameSink;
use camreel::timing::FrameRate;
use camreel::{ErrorKind, Image, Limits, PixelFormat};

/// 30 fps, to the nanosecond.
const INTERVAL_30: Duration = Duration::from_nanos(33_333_333);

fn at(i: u32) -> Duration {
    INTERVAL_30 * i
}

fn gray(w: u32, h: u32, v: u8) -> Image {
    Image::new(PixelFormat::Grayscale, w, h, vec![v; (w * h) as usize]).unwrap()
}

fn jpeg(w: u32, h: u32, v: u8) -> Image {
    JpegEncoder::new(camreel::codec::Quality::try_from(80).unwrap())
        .unwrap()
        .encode_image(gray(w, h, v).view())
        .unwrap()
}

/// Writes three frames to `sink`, checks `frames()` after each, finishes it
/// and checks that a fourth frame is refused as finished and that finishing
/// again is harmless.
fn three_frames_then_finish<S: FrameSink>(sink: &mut S, frames: impl Fn(&S) -> u64, image: &Image) {
    for i in 0..3u32 {
        sink.write_frame(&Frame::new(image.view(), i.into(), at(i)))
            .unwrap();
        assert_eq!(frames(sink), u64::from(i) + 1);
    }
    sink.finish().unwrap();
    let e = sink
        .write_frame(&Frame::new(image.view(), 3, at(3)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Finished, "{e}");
    assert!(e.to_string().contains("already finished"), "{e}");
    sink.finish().unwrap();
    assert_eq!(frames(sink), 3);
}

#[test]
fn every_writer_counts_frames_and_real_bytes_and_refuses_frames_once_finished() {
    let image = jpeg(16, 8, 90);
    let dir = tempfile::tempdir().unwrap();

    let mut avi = MjpegWriter::new(Cursor::new(Vec::new()), 16, 8).unwrap();
    three_frames_then_finish(&mut avi, MjpegWriter::frames, &image);
    let bytes = avi.bytes();
    assert_eq!(avi.get_ref().get_ref().len() as u64, bytes);
    let file = avi.into_inner().unwrap().into_inner();
    assert_eq!(file.len() as u64, bytes);
    assert_eq!(AviReader::new(Cursor::new(file)).unwrap().frame_count(), 3);

    let mut gif = GifWriter::new(Vec::new(), 16, 8).unwrap();
    three_frames_then_finish(&mut gif, GifWriter::frames, &image);
    let bytes = gif.bytes();
    assert_eq!(gif.get_ref().len() as u64, bytes);
    let file = gif.into_inner().unwrap();
    assert_eq!((file.len() as u64, file.last()), (bytes, Some(&0x3B)));
    assert_eq!(read_info(&file[..]).unwrap().frame_count(), 3);

    let path = dir.path().join("three.bin");
    let mut bin = FileStream::create(&path).unwrap();
    three_frames_then_finish(&mut bin, FileStream::frames, &image);
    let bytes = bin.bytes();
    assert_eq!(bin.get_ref().metadata().unwrap().len(), bytes);
    drop(bin.into_inner().unwrap());
    assert_eq!(std::fs::metadata(&path).unwrap().len(), bytes);

    let mut ring = MemoryStream::new(16, 8, PixelFormat::Grayscale, 4).unwrap();
    let pixels = gray(16, 8, 77);
    three_frames_then_finish(&mut ring, MemoryStream::frames, &pixels);
    assert_eq!(ring.bytes(), 3 * 128);
    assert_eq!(ring.get_ref().len(), 4 * 128);
    let buffer = ring.into_inner().unwrap();
    assert_eq!(&buffer[..3 * 128], &[77; 3 * 128][..]);
    assert_eq!(&buffer[3 * 128..], &[0; 128][..]);
}

#[test]
fn files_are_created_from_a_path_by_every_writer() {
    let dir = tempfile::tempdir().unwrap();
    let image = jpeg(16, 8, 40);
    let frame = |i: u32| Frame::new(image.view(), i.into(), at(i));
    let avi_path = dir.path().join("a.avi");
    let mut avi = MjpegWriter::create(&avi_path, 16, 8).unwrap();
    let gif_path = dir.path().join("a.gif");
    let mut gif = GifWriter::create(&gif_path, 16, 8).unwrap();
    let gif2_path = dir.path().join("b.gif");
    let mut gif2 = GifOptions::new()
        .looping(false)
        .create(&gif2_path, 16, 8)
        .unwrap();
    let avi2_path = dir.path().join("b.avi");
    let mut avi2 = MjpegWriterBuilder::new(16, 8)
        .frame_rate(FrameRate::new(10, 1).unwrap())
        .create(&avi2_path)
        .unwrap();
    for i in 0..4 {
        avi.write_frame(&frame(i)).unwrap();
        avi2.write_frame(&frame(i)).unwrap();
        gif.write_frame(&frame(i)).unwrap();
        gif2.write_frame(&frame(i)).unwrap();
    }
    // Finishing flushes the buffered files: they are complete on disk
    // while the writers are still alive.
    avi.finish().unwrap();
    avi2.finish().unwrap();
    gif.finish().unwrap();
    gif2.finish().unwrap();
    assert_eq!(std::fs::metadata(&avi_path).unwrap().len(), avi.bytes());
    assert_eq!(std::fs::metadata(&gif_path).unwrap().len(), gif.bytes());
    assert_eq!(AviReader::open(&avi_path).unwrap().frame_count(), 4);
    assert_eq!(
        avi::info(&avi2_path).unwrap().frame_rate,
        FrameRate::new(10, 1).unwrap()
    );
    assert_eq!(GifReader::open(&gif_path).unwrap().frame_count(), Some(4));
    assert_eq!(GifReader::open(&gif2_path).unwrap().loop_count(), None);
    let e = MjpegWriter::create(dir.path().join("no/such/dir.avi"), 16, 8).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(e.to_string().contains("no/such/dir.avi"), "{e}");
}

#[test]
fn the_same_60_frames_at_30_fps_last_2_s_in_every_file_kind() {
    let dir = tempfile::tempdir().unwrap();
    let image = jpeg(32, 16, 128);
    let bin_path = dir.path().join("clip.bin");
    let mut bin = FileStream::create(&bin_path).unwrap();
    let mut avi = MjpegWriter::new(Cursor::new(Vec::new()), 32, 16).unwrap();
    let mut gif = GifWriter::new(Vec::new(), 32, 16).unwrap();
    for i in 0..60u32 {
        let frame = Frame::new(image.view(), i.into(), at(i));
        bin.write_frame(&frame).unwrap();
        avi.write_frame(&frame).unwrap();
        gif.write_frame(&frame).unwrap();
    }
    bin.finish().unwrap();
    // ImageIO stores 59 intervals of 33 or 34 ms (1967 ms), plus the last
    // frame's own 33.3 ms: 2.000 s, as the AVI (60 / 30) and the GIF (the
    // delays, the last included) say.
    let bin_info = imageio::info(&bin_path).unwrap();
    assert_eq!(bin_info.frame_count(), 60);
    assert_eq!(bin_info.timeline().span(), Duration::from_millis(1967));
    assert_eq!(bin_info.duration().as_millis(), 2000);
    assert_eq!(bin_info.timestamp(3), Duration::from_millis(100));
    let avi_info = AviReader::new(avi.into_inner().unwrap())
        .unwrap()
        .info()
        .clone();
    assert_eq!(avi_info.frame_rate, FrameRate::new(30, 1).unwrap());
    assert_eq!(avi_info.duration(), Duration::from_secs(2));
    let gif_info = read_info(&gif.into_inner().unwrap()[..]).unwrap();
    assert_eq!(gif_info.frame_count(), 60);
    assert_eq!(gif_info.duration(), Duration::from_secs(2));
    assert_eq!(gif_info.timestamp(3), Duration::from_millis(100));
    let shown = |d: Duration| format!("{:.3}", d.as_secs_f64());
    assert_eq!(shown(bin_info.duration()), "2.000");
    assert_eq!(shown(avi_info.duration()), "2.000");
    assert_eq!(shown(gif_info.duration()), "2.000");
}

#[test]
fn a_fast_replay_re_recorded_keeps_its_30_fps() {
    let dir = tempfile::tempdir().unwrap();
    // A 30 fps camera on a manual clock: 60 frames, no real waiting.
    let mut camera = SyntheticCamera::builder()
        .size(32, 24)
        .format(PixelFormat::Rgb565)
        .fps(30.0)
        .clock(ManualClock::shared())
        .frame_limit(60)
        .build()
        .unwrap();
    let clip = dir.path().join("clip.bin");
    let mut bin = FileStream::create(&clip).unwrap();
    while let Some(frame) = camera.next_frame().unwrap() {
        bin.write_frame(&frame).unwrap();
    }
    bin.finish().unwrap();
    // Replayed as fast as the disk allows (a few ms in all) into an AVI with
    // no fixed rate, a GIF and another ImageIO file.
    let mut replay = ReplayCamera::builder(&clip).realtime(false).open().unwrap();
    let mut avi = MjpegWriter::new(Cursor::new(Vec::new()), 32, 24).unwrap();
    let mut gif = GifWriter::new(Vec::new(), 32, 24).unwrap();
    let copy = dir.path().join("copy.bin");
    let mut bin = FileStream::create(&copy).unwrap();
    while let Some(frame) = replay.next_frame().unwrap() {
        avi.write_frame(&frame).unwrap();
        gif.write_frame(&frame).unwrap();
        bin.write_frame(&frame).unwrap();
    }
    bin.finish().unwrap();
    assert_eq!(avi.frame_rate(), FrameRate::new(30, 1).unwrap());
    let avi_info = AviReader::new(avi.into_inner().unwrap())
        .unwrap()
        .info()
        .clone();
    assert_eq!(avi_info.duration(), Duration::from_secs(2));
    let gif_info = read_info(&gif.into_inner().unwrap()[..]).unwrap();
    assert!(
        gif_info
            .frames
            .iter()
            .all(|f| f.delay_cs == 3 || f.delay_cs == 4),
        "{:?}",
        gif_info.frames
    );
    assert_eq!(gif_info.duration(), Duration::from_secs(2));
    let original = FileStream::open(&clip).unwrap();
    let copied = FileStream::open(&copy).unwrap();
    let intervals = |s: &FileStream| {
        s.headers()
            .skip(1)
            .map(|h| h.elapsed_ms)
            .collect::<Vec<_>>()
    };
    assert_eq!(intervals(&copied), intervals(&original));
    assert_eq!(imageio::info(&copy).unwrap().duration().as_millis(), 2000);
}

#[test]
fn frames_without_timestamps_take_the_next_30_fps_slot_not_the_wall_clock() {
    let j = jpeg(16, 8, 10);
    // Added as fast as possible: before, the rate was measured on the wall
    // clock (over 1000 fps); the frames now fill 30 fps slots.
    let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 16, 8).unwrap();
    for _ in 0..10 {
        w.add_jpeg(j.data(), None).unwrap();
    }
    assert_eq!(w.frame_rate(), FrameRate::new(30, 1).unwrap());
    let info = AviReader::new(w.into_inner().unwrap())
        .unwrap()
        .info()
        .clone();
    assert_eq!(info.frame_rate, FrameRate::new(30, 1).unwrap());
    // An untimed frame after timed ones goes one slot after the last.
    let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 16, 8).unwrap();
    w.add_jpeg(j.data(), Some(Duration::from_secs(10))).unwrap();
    w.add_jpeg(j.data(), None).unwrap();
    let e = w
        .add_jpeg(j.data(), Some(Duration::from_secs(10)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(w.frame_rate(), FrameRate::new(30, 1).unwrap());
    // So do frames queued on a thread pool: each gets its own slot when it
    // is added, whenever it is encoded.
    let mut par = avi::ParallelMjpegWriter::new(
        MjpegWriter::new(Cursor::new(Vec::new()), 32, 32).unwrap(),
        2,
    )
    .unwrap();
    let frame = Image::zeroed(PixelFormat::Rgb888, 32, 32).unwrap();
    for _ in 0..12 {
        par.add_frame(frame.view(), &FrameOptions::new()).unwrap();
    }
    par.sync().unwrap();
    assert_eq!(
        par.writer().unwrap().frame_rate(),
        FrameRate::new(30, 1).unwrap()
    );
}

#[test]
fn gif_delays_are_durations_with_the_rounding_carried() {
    let image = gray(8, 8, 7);
    // 33 ms a frame: 3 or 4 cs, 990 ms in all (99 cs), never 33 cs.
    let mut g = GifWriter::new(Vec::new(), 8, 8).unwrap();
    for _ in 0..30 {
        g.add_frame(&image, Duration::from_millis(33)).unwrap();
    }
    let info = read_info(&g.into_inner().unwrap()[..]).unwrap();
    let delays: Vec<u16> = info.frames.iter().map(|f| f.delay_cs).collect();
    assert!(delays.iter().all(|&d| d == 3 || d == 4), "{delays:?}");
    assert_eq!(info.duration(), Duration::from_millis(990));
    // Exactly 30 fps: 100 cs a second, 3-3-4 repeating.
    let mut g = GifWriter::new(Vec::new(), 8, 8).unwrap();
    for _ in 0..30 {
        g.add_frame(&image, INTERVAL_30).unwrap();
    }
    let info = read_info(&g.into_inner().unwrap()[..]).unwrap();
    let delays: Vec<u16> = info.frames.iter().map(|f| f.delay_cs).collect();
    assert_eq!(&delays[..6], &[3, 4, 3, 3, 4, 3]);
    assert_eq!(info.duration(), Duration::from_secs(1));
    assert_eq!(info.frames[1].delay(), Duration::from_millis(40));
    // Shorter than 2 cs is written as 2 cs, and the next frame gives the
    // time back.
    let mut g = GifWriter::new(Vec::new(), 8, 8).unwrap();
    g.add_frame(&image, Duration::from_millis(5)).unwrap();
    g.add_frame(&image, Duration::from_millis(100)).unwrap();
    let info = read_info(&g.into_inner().unwrap()[..]).unwrap();
    let delays: Vec<u16> = info.frames.iter().map(|f| f.delay_cs).collect();
    assert_eq!(delays, [2, 9]);
}

/// A `Write` that fails while `broken` is set.
struct Breakable {
    out: Vec<u8>,
    broken: Rc<Cell<bool>>,
}

impl Write for Breakable {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.broken.get() {
            return Err(std::io::Error::other("disk full"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_gif_whose_trailer_fails_keeps_its_writer_and_can_finish_later() {
    let broken = Rc::new(Cell::new(false));
    let out = Breakable {
        out: Vec::new(),
        broken: broken.clone(),
    };
    let mut g = GifWriter::new(out, 8, 8).unwrap();
    g.add_frame(&gray(8, 8, 1), Duration::from_millis(100))
        .unwrap();
    let before = g.bytes();
    broken.set(true);
    let Err(e) = g.into_inner() else {
        panic!("the trailer reached a broken writer");
    };
    assert_eq!(e.error().kind(), ErrorKind::Io);
    let mut g = e.into_sink();
    assert_eq!(g.bytes(), before, "nothing reached the writer");
    broken.set(false);
    g.finish().unwrap();
    let out = g.into_inner().unwrap().out;
    assert_eq!((out.len() as u64, out.last()), (before + 1, Some(&0x3B)));
    assert_eq!(read_info(&out[..]).unwrap().frame_count(), 1);
}

#[test]
fn limits_are_an_option_of_every_writer_and_reader() {
    let small = Limits {
        max_width: 32,
        max_height: 32,
        max_bytes: 200,
        ..Limits::DEFAULT
    };
    let e = MjpegWriterBuilder::new(64, 8)
        .limits(small)
        .build(Cursor::new(Vec::new()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    let mut w = MjpegWriterBuilder::new(16, 8)
        .limits(small)
        .build(Cursor::new(Vec::new()))
        .unwrap();
    let big = JpegEncoder::new(camreel::codec::Quality::MAX)
        .unwrap()
        .encode_image(
            Image::new(
                PixelFormat::Grayscale,
                16,
                8,
                (0..128).map(|i| (i * 37 % 251) as u8).collect(),
            )
            .unwrap()
            .view(),
        )
        .unwrap();
    assert!(big.data().len() > 200);
    let e = w.add_jpeg(big.data(), None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert!(e.to_string().starts_with("frame 0: "), "{e}");
    let e =
        GifWriter::with_options(Vec::new(), 64, 8, GifOptions::new().limits(small)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    let mut g = GifWriter::new(Vec::new(), 64, 8).unwrap();
    g.add_frame(&gray(64, 8, 3), Duration::from_millis(100))
        .unwrap();
    let file = g.into_inner().unwrap();
    let e = GifReader::with_options(&file[..], gif::ReaderOptions::default().limits(small))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    let mut a = MjpegWriter::new(Cursor::new(Vec::new()), 64, 8).unwrap();
    a.add_jpeg(jpeg(64, 8, 3).data(), None).unwrap();
    let file = a.into_inner().unwrap();
    let e = AviReader::with_options(file, avi::ReaderOptions::default().limits(small)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
}

#[test]
fn avi_readers_decode_and_pass_the_stored_jpeg_through() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("src.avi");
    let mut w = MjpegWriterBuilder::new(32, 16)
        .frame_rate(FrameRate::new(25, 1).unwrap())
        .create(&path)
        .unwrap();
    let stored: Vec<Image> = (0..5u8).map(|v| jpeg(32, 16, v * 50)).collect();
    for j in &stored {
        w.add_jpeg(j.data(), None).unwrap();
    }
    drop(w); // finishes the file
    let mut r = AviReader::open(&path).unwrap();
    assert_eq!(
        (r.frame_count(), r.frame_rate()),
        (5, FrameRate::new(25, 1).unwrap())
    );
    assert_eq!(r.timestamp(4), Duration::from_millis(160));
    // Decoded: pixels, which a PNG encoder takes (the JPEG bytes it used to
    // return made `png::encode` fail).
    let image = r.read_image(2).unwrap();
    assert_eq!(image.format(), PixelFormat::Grayscale);
    assert!(image.data().iter().all(|&v| v.abs_diff(100) <= 2));
    let mut png = Vec::new();
    camreel::codec::png::encode(image.view(), &mut png).unwrap();
    // Iterated with timestamps; the iterator is fused.
    let mut frames = r.frames();
    let first = frames.next().unwrap().unwrap();
    assert_eq!((first.sequence, first.timestamp), (0, Duration::ZERO));
    assert_eq!(frames.by_ref().count(), 4);
    assert!(frames.next().is_none());
    assert!(frames.next().is_none());
    // Encoded frames go into another recording byte for byte.
    let copy = dir.path().join("copy.avi");
    let mut out = MjpegWriter::create(&copy, 32, 16).unwrap();
    for frame in r.encoded_frames() {
        let frame = frame.unwrap();
        assert_eq!(frame.image.format(), PixelFormat::Jpeg);
        out.write_frame(&frame.as_frame()).unwrap();
    }
    out.finish().unwrap();
    let mut copied = AviReader::open(&copy).unwrap();
    assert_eq!(copied.frame_rate(), FrameRate::new(25, 1).unwrap());
    for (i, j) in stored.iter().enumerate() {
        assert_eq!(copied.read_frame(i as u64).unwrap(), j.data());
    }
    // A frame that cannot be read ends the iterator after its error (here:
    // frames larger than the reader's byte limit).
    let tight = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let mut r = avi::ReaderOptions::default()
        .limits(tight)
        .open(&path)
        .unwrap();
    let mut it = r.frames();
    let e = it.next().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert!(e.to_string().contains("frame 0: "), "{e}");
    assert!(it.next().is_none());
    assert!(it.next().is_none());
}

#[test]
fn gif_readers_count_iterate_and_time_their_frames() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.gif");
    let mut g = GifWriter::create(&path, 8, 4).unwrap();
    for (i, ms) in [100u64, 250, 40].into_iter().enumerate() {
        let v = u8::try_from(i).unwrap() * 100;
        g.add_frame(&gray(8, 4, v), Duration::from_millis(ms))
            .unwrap();
    }
    g.finish().unwrap();
    // Opened from a path: counted before the first frame is decoded.
    let mut r = GifReader::open(&path).unwrap();
    assert_eq!(r.frame_count(), Some(3));
    assert_eq!(r.info().unwrap().duration(), Duration::from_millis(390));
    let frames: Vec<_> = r.frames().map(Result::unwrap).collect();
    let times: Vec<_> = frames.iter().map(|f| f.timestamp.as_millis()).collect();
    assert_eq!(times, [0, 100, 350]);
    assert_eq!(frames[2].sequence, 2);
    assert_eq!(frames[1].image.format(), PixelFormat::Argb8);
    assert_eq!(&frames[1].image.data()[..4], &[100, 100, 100, 255]);
    // From any reader: unknown until the end.
    let bytes = std::fs::read(&path).unwrap();
    let mut r = GifReader::new(&bytes[..]).unwrap();
    assert_eq!(r.frame_count(), None);
    let mut it = r.frames();
    assert_eq!(it.by_ref().count(), 3);
    assert!(it.next().is_none());
    assert_eq!(r.frame_count(), Some(3));
}

#[test]
fn read_options_have_constants_for_the_common_cases() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.bin");
    let mut s = FileStream::create(&path).unwrap();
    s.write_with_elapsed(&gray(2, 2, 1), Duration::from_millis(500))
        .unwrap();
    s.write_with_elapsed(&gray(2, 2, 2), Duration::from_millis(500))
        .unwrap();
    s.finish().unwrap();
    let clock = ManualClock::shared();
    let mut r = imageio::FileOptions::new()
        .clock(clock.clone())
        .open(&path)
        .unwrap();
    // NO_WAIT: no waiting, no looping.
    assert!(r.read(ReadOptions::NO_WAIT).unwrap().is_some());
    assert!(r.read(ReadOptions::NO_WAIT).unwrap().is_some());
    assert!(r.read(ReadOptions::NO_WAIT).unwrap().is_none());
    assert_eq!(clock.now(), Duration::ZERO);
    // PLAYBACK: waits out the intervals and loops.
    r.seek(0).unwrap();
    for _ in 0..3 {
        assert!(r.read(ReadOptions::PLAYBACK).unwrap().is_some());
    }
    assert_eq!(clock.now(), Duration::from_millis(1500));
    // ONCE: waits, but stops at the end.
    r.seek(1).unwrap();
    assert!(r.read(ReadOptions::ONCE).unwrap().is_some());
    assert!(r.read(ReadOptions::ONCE).unwrap().is_none());
    assert_eq!(clock.now(), Duration::from_millis(2000));
    assert_eq!(ReadOptions::default(), ReadOptions::PLAYBACK);
    assert_eq!(
        ReadOptions::default().looping(false).pausing(false),
        ReadOptions::NO_WAIT
    );
}
