//! H.264 throughput on 30 frames of the synthetic camera at 640x480: the
//! `Mp4Writer` encoding YUV420 and RGB888 frames (openh264, default
//! settings at 2 Mbit/s), and the pure-Rust parts on the access units it
//! made: Annex B splitting and MP4 pass-through muxing and demuxing.
//! `Throughput::Elements` counts frames.
//!
//! For the side-by-side comparison with libx264 on the shared bench's
//! 300-frame sequence, run `examples/h264_compare.rs`.

use std::io::Cursor;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use camreel::camera::CameraSource;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::clock::ManualClock;
use camreel::frame::{Frame, OwnedFrame};
use camreel::h264::annexb::AccessUnits;
use camreel::h264::{H264Settings, RateControl};
use camreel::mp4::{Mp4Demuxer, Mp4Options, Mp4Writer};
use camreel::sink::FrameSink;
use camreel::{Image, Limits, PixelFormat};

const FRAMES: u64 = 30;

fn frames(format: PixelFormat) -> Vec<OwnedFrame> {
    let mut cam = SyntheticCamera::builder()
        .size(640, 480)
        .format(format)
        .fps(30.0)
        .clock(ManualClock::shared())
        .frame_limit(FRAMES)
        .build()
        .expect("camera");
    cam.frames()
        .collect::<camreel::Result<_>>()
        .expect("frames")
}

fn options() -> Mp4Options {
    let settings = H264Settings::default()
        .rate_control(RateControl::Bitrate(2_000_000))
        .intra_period(30);
    Mp4Options::default().settings(settings)
}

fn record(frames: &[OwnedFrame]) -> Vec<u8> {
    let mut mp4 = Mp4Writer::seekable(Cursor::new(Vec::new()), options());
    for f in frames {
        mp4.write_frame(&f.as_frame()).expect("frame");
    }
    mp4.into_inner().expect("finish").into_inner()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("h264_640x480");
    g.throughput(Throughput::Elements(FRAMES));
    g.sample_size(10);
    for format in [PixelFormat::Yuv420, PixelFormat::Rgb888] {
        let input = frames(format);
        g.bench_function(format!("mp4_encode_{format}"), |b| {
            b.iter(|| record(&input))
        });
    }
    let mp4 = record(&frames(PixelFormat::Yuv420));
    let mut demux = Mp4Demuxer::open(Cursor::new(&mp4[..]), Limits::default()).expect("demux");
    let mut units = Vec::new();
    for i in 0..demux.samples().len() {
        let mut au = Vec::new();
        demux.read_access_unit(i, &mut au).expect("sample");
        units.push(Image::new(PixelFormat::H264, 640, 480, au).expect("au"));
    }
    let stream: Vec<u8> = units.iter().flat_map(|u| u.data().to_vec()).collect();
    g.bench_function("annexb_split", |b| {
        b.iter(|| AccessUnits::new(&stream).filter(|u| u.is_ok()).count())
    });
    g.bench_function("mp4_passthrough_mux", |b| {
        b.iter(|| {
            let mut w = Mp4Writer::new(Vec::new(), options());
            for (i, u) in units.iter().enumerate() {
                let t = Duration::from_millis(33 * i as u64);
                w.write_frame(&Frame::new(u.view(), i as u64, t))
                    .expect("frame");
            }
            w.into_inner().expect("finish").len()
        })
    });
    g.bench_function("mp4_demux_read", |b| {
        b.iter(|| {
            let mut d = Mp4Demuxer::open(Cursor::new(&mp4[..]), Limits::default()).expect("demux");
            let mut au = Vec::new();
            (0..d.samples().len())
                .map(|i| {
                    d.read_access_unit(i, &mut au)
                        .map(|()| au.len())
                        .unwrap_or(0)
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
