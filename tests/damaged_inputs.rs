//! Damaged and hostile inputs found by trying camreel as an attacker would
//! (issue 14): each gives a clear error, or is read for what it is.

use std::time::Instant;

mod gif_support;

use camreel::gif::{GifReader, read_info, read_info_partial};
use camreel::imageio::FileStream;
use camreel::{ErrorKind, Image, Limits, PixelFormat};

use gif_support::tiny_frames_gif as gif;

fn decode_all(bytes: &[u8]) -> camreel::Result<u64> {
    let mut r = GifReader::new(bytes)?;
    let mut image = Image::empty();
    let mut n = 0;
    while r.read_frame_into(&mut image)?.is_some() {
        n += 1;
    }
    Ok(n)
}

#[test]
fn gif_frames_of_zero_or_enormous_size_say_so() {
    let e = decode_all(&gif((16, 16), &[(0, 0)], true)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
    assert_eq!(
        e.to_string(),
        "gif frame 0: 0x0 frame at (0, 0) has a zero dimension"
    );
    let e = decode_all(&gif((16, 16), &[(1, 1), (65535, 65535)], true)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert_eq!(
        e.to_string(),
        "gif frame 1 at (1, 0): 65535x65535 image is larger than the dimension limit of 9216x9216"
    );
    assert_eq!(decode_all(&gif((16, 16), &[(1, 1); 3], true)).unwrap(), 3);
}

#[test]
fn frameless_and_cut_gifs_say_where_they_end() {
    // Header, palette, trailer: a complete GIF without frames.
    let empty = gif((7, 5), &[], true);
    let info = read_info(&empty[..]).unwrap();
    assert_eq!((info.width, info.height, info.frame_count()), (7, 5, 0));
    assert_eq!(decode_all(&empty).unwrap(), 0);
    // Cut inside the header: where, not "byte 0".
    let e = read_info(&empty[..10]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Truncated);
    assert!(
        e.to_string()
            .starts_with("reading the gif header: the file ends at byte 10 "),
        "{e}"
    );
    // Without the trailer and cut in a frame: the frame and the byte.
    let whole = gif((16, 16), &[(1, 1); 3], true);
    for (len, frame) in [(whole.len() - 1, 3), (whole.len() - 5, 2)] {
        let e = read_info(&whole[..len]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Truncated);
        let want = format!("gif frame {frame}: the file ends at byte {len} ");
        assert!(e.to_string().starts_with(&want), "{e}");
        let (info, cut) = read_info_partial(&whole[..len]).unwrap();
        assert_eq!(info.frame_count(), frame);
        assert_eq!(cut.unwrap().to_string(), e.to_string());
    }
    let (info, cut) = read_info_partial(&whole[..]).unwrap();
    assert_eq!((info.frame_count(), cut.is_none()), (3, true));
}

#[test]
fn a_gif_of_tiny_frames_on_a_huge_screen_stops_at_its_work_budget() {
    // 20,000 1x1 frames on 4096x4096: 460 KB that would decode to 335
    // gigapixels. Read as a stream (no size known up front), the reader
    // stops once the frames so far are more work than the bytes so far
    // allow: after the first gigapixel (64 screens).
    let bytes = gif((4096, 4096), &[(1, 1); 20_000], true);
    let start = Instant::now();
    let mut r = GifReader::new(&bytes[..]).unwrap();
    let mut image = Image::empty();
    let mut n = 0;
    let e = loop {
        match r.read_frame_into(&mut image) {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("all {n} frames decoded"),
            Err(e) => break e,
        }
    };
    assert_eq!(n, 64);
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert!(
        e.to_string()
            .starts_with("gif frame 64: 65 frames of 4096x4096 from "),
        "{e}"
    );
    assert!(e.to_string().ends_with(
        "bytes are more work than the limit of 65536 pixels a byte (max_pixels_per_byte)"
    ));
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
    // Without a budget, the frames are real.
    let options = camreel::gif::ReaderOptions::default().limits(Limits {
        max_pixels_per_byte: u64::MAX,
        ..Limits::default()
    });
    let mut r = GifReader::with_options(&bytes[..], options).unwrap();
    for _ in 0..70 {
        assert!(r.read_frame_into(&mut image).unwrap().is_some());
    }
}

#[test]
fn zero_bytes_after_the_last_imageio_frame_are_padding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("padded.bin");
    let mut s = FileStream::create(&path).unwrap();
    for v in [1u8, 2] {
        s.write(&Image::new(PixelFormat::Grayscale, 4, 4, vec![v; 16]).unwrap())
            .unwrap();
    }
    s.close().unwrap();
    let clean = std::fs::read(&path).unwrap();
    for zeros in [32, 100, 70_000] {
        let mut padded = clean.clone();
        padded.resize(clean.len() + zeros, 0);
        std::fs::write(&path, &padded).unwrap();
        let s = FileStream::open(&path).unwrap();
        assert_eq!(s.count(), 2, "{zeros}");
        assert!(s.damaged_tail().is_none(), "{zeros}");
        assert_eq!(s.trailing_padding(), zeros as u64);
        // Anything but zeros after them is damage.
        padded.push(1);
        std::fs::write(&path, &padded).unwrap();
        let s = FileStream::open(&path).unwrap();
        assert_eq!((s.count(), s.trailing_padding()), (2, 0));
        assert_eq!(s.damaged_tail().unwrap().kind, ErrorKind::UnsupportedFormat);
    }
    // Fewer zeros than a chunk header: a header cut short.
    let mut short = clean.clone();
    short.resize(clean.len() + 5, 0);
    std::fs::write(&path, &short).unwrap();
    let s = FileStream::open(&path).unwrap();
    assert_eq!(s.damaged_tail().unwrap().kind, ErrorKind::Truncated);
}

#[test]
fn an_unknown_pixel_format_lists_the_known_ones() {
    let e = "rgbx".parse::<PixelFormat>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
    let msg = e.to_string();
    assert!(
        msg.starts_with("unknown pixel format \"rgbx\" (expected binary, grayscale, rgb565,"),
        "{msg}"
    );
    // Every name it lists parses.
    for name in [
        "binary",
        "grayscale",
        "rgb565",
        "yuv422",
        "yvu422",
        "jpeg",
        "png",
        "argb8",
        "rgb888",
        "bgr888",
        "yuv420",
        "nv12",
        "gray16",
        "rgb48",
        "h264",
        "bayer_rggb",
        "bayer10_bggr",
        "bayer12_gbrg",
        "bayer16_grbg",
        "raw10_rggb",
    ] {
        assert!(msg.contains(name.split('_').next().unwrap()), "{name}");
        assert!(name.parse::<PixelFormat>().is_ok(), "{name}");
    }
    let e = "a\nb".parse::<PixelFormat>().unwrap_err();
    assert!(!e.to_string().contains('\n'), "{e}");
}
