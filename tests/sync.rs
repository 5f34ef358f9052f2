//! `FrameSink::sync` puts every frame taken so far in the output: the GIF
//! writer's held-back frame (with a provisional delay, patched in place on a
//! seekable output), and the MP4 writer's last sample.

use std::io::Cursor;
use std::time::Duration;

use camreel::frame::Frame;
use camreel::gif::{GifOptions, GifWriter, read_info};
use camreel::sink::FrameSink;
use camreel::timing::FrameRate;
use camreel::{ErrorKind, Image, PixelFormat};

fn image(v: u8) -> Image {
    Image::new(PixelFormat::Rgb888, 8, 8, vec![v; 192]).unwrap()
}

fn delays(bytes: &[u8]) -> Vec<u16> {
    read_info(bytes)
        .unwrap()
        .frames
        .iter()
        .map(|f| f.delay_cs)
        .collect()
}

#[test]
fn a_synced_gif_file_is_complete_and_its_delays_are_patched() {
    let options = GifOptions::new().frame_rate(FrameRate::new(1, 1).unwrap());
    let mut gif = GifWriter::seekable(Cursor::new(Vec::new()), 8, 8, options).unwrap();
    let ms = Duration::from_millis;
    for (i, t) in [0u64, 1000, 2000, 3500].into_iter().enumerate() {
        gif.write_frame(&Frame::new(image(i as u8 * 60).view(), i as u64, ms(t)))
            .unwrap();
        gif.sync().unwrap();
        // Every frame is in the file, which ends with a trailer; the last
        // frame shows for the nominal second until the next one comes.
        let bytes = gif.get_ref().get_ref().clone();
        let mut want: Vec<u16> = [100, 100, 150][..i].to_vec();
        want.push(100);
        assert_eq!(delays(&bytes), want, "after frame {i}");
        assert_eq!(gif.frames(), i as u64 + 1);
    }
    // Syncing twice changes nothing.
    gif.sync().unwrap();
    let bytes = gif.into_inner().unwrap().into_inner();
    assert_eq!(delays(&bytes), [100, 100, 150, 100]);
    assert_eq!(bytes.iter().rev().take_while(|&&b| b == 0x3B).count(), 1);
}

#[test]
fn a_synced_gif_on_a_pipe_carries_the_provisional_delay() {
    let options = GifOptions::new().frame_rate(FrameRate::new(1, 1).unwrap());
    let mut gif = GifWriter::with_options(Vec::new(), 8, 8, options).unwrap();
    let ms = Duration::from_millis;
    gif.write_frame(&Frame::new(image(0).view(), 0, ms(0)))
        .unwrap();
    gif.sync().unwrap();
    // The frame is out, without a trailer (a pipe cannot take one back).
    let e = read_info(&gif.get_ref()[..]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Truncated);
    gif.write_frame(&Frame::new(image(9).view(), 1, ms(1500)))
        .unwrap();
    gif.write_frame(&Frame::new(image(99).view(), 2, ms(2000)))
        .unwrap();
    let bytes = gif.into_inner().unwrap();
    // 100 cs stay written for the first frame; the next makes up the time.
    assert_eq!(delays(&bytes), [100, 100, 100]);
    let info = read_info(&bytes[..]).unwrap();
    assert_eq!(info.timestamp(2), ms(2000));
}

#[test]
fn a_sync_before_any_frame_or_after_finish() {
    let mut gif = GifWriter::seekable(Cursor::new(Vec::new()), 8, 8, GifOptions::new()).unwrap();
    gif.sync().unwrap();
    gif.finish().unwrap();
    assert_eq!(gif.sync().unwrap_err().kind(), ErrorKind::Finished);
    let bytes = gif.into_inner().unwrap().into_inner();
    assert_eq!(read_info(&bytes[..]).unwrap().frames.len(), 0);
}

#[cfg(feature = "mp4")]
mod mp4 {
    use super::*;
    use camreel::Limits;
    use camreel::mp4::{Mp4Demuxer, Mp4Options, Mp4Writer};

    const SPS: [u8; 14] = [
        0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x68, 0x0a, 0x03, 0xda, 0x01, 0xe1, 0x10, 0x8d, 0x40,
    ];

    /// A key frame (SPS, PPS, IDR slice) or a P slice of a 640x480 stream.
    fn access_unit(key: bool) -> Image {
        let mut au = Vec::new();
        if key {
            for nal in [&SPS[..], &[0x68, 0xce, 0x3c, 0x80]] {
                au.extend_from_slice(&[0, 0, 0, 1]);
                au.extend_from_slice(nal);
            }
            au.extend_from_slice(&[0, 0, 0, 1, 0x65, 0x88, 0x84]);
        } else {
            au.extend_from_slice(&[0, 0, 0, 1, 0x41, 0x9a, 0x84]);
        }
        Image::new(PixelFormat::H264, 640, 480, au).unwrap()
    }

    fn durations(bytes: &[u8]) -> Vec<u32> {
        let d = Mp4Demuxer::open(Cursor::new(bytes), Limits::default()).unwrap();
        d.samples().iter().map(|s| s.duration).collect()
    }

    #[test]
    fn a_synced_mp4_holds_its_last_frame_and_patches_its_duration() {
        let options = Mp4Options::default().frame_rate(FrameRate::new(1, 1).unwrap());
        let mut w = Mp4Writer::seekable(Cursor::new(Vec::new()), options);
        let ms = Duration::from_millis;
        for (i, t) in [0u64, 1000, 2500].into_iter().enumerate() {
            let au = access_unit(i == 0);
            w.write_frame(&Frame::new(au.view(), i as u64, ms(t)))
                .unwrap();
            w.sync().unwrap();
            // Every frame is in the file; the last lasts the nominal second
            // (90000 units) until the next one comes.
            let bytes = w.get_ref().unwrap().get_ref().clone();
            let mut want: Vec<u32> = [90_000, 135_000][..i].to_vec();
            want.push(90_000);
            assert_eq!(durations(&bytes), want, "after frame {i}");
        }
        let bytes = w.into_inner().unwrap().into_inner();
        assert_eq!(durations(&bytes), [90_000, 135_000, 90_000]);
    }

    #[test]
    fn an_mp4_on_a_pipe_keeps_the_last_frame_until_its_duration_is_known() {
        let mut w = Mp4Writer::new(Vec::new(), Mp4Options::default());
        let au = access_unit(true);
        w.write_frame(&Frame::new(au.view(), 0, Duration::ZERO))
            .unwrap();
        w.sync().unwrap();
        assert_eq!(w.fragments(), 0);
    }
}
