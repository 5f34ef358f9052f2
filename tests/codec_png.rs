//! PNG: bit-exact 8- and 16-bit round trips, files checked by independent
//! decoders (the `png` crate directly, and ffmpeg), truncation, random bytes,
//! and the `codec::decode` dispatch.

mod codec_common;

use std::process::Command;

use camreel::codec::{self, png};
use camreel::{ErrorKind, Image, ImageRef, PixelFormat, Rect};
use codec_common::{have_tool, textured_rgb};
use proptest::prelude::*;

const SIZES: [(u32, u32); 4] = [(1, 1), (7, 5), (33, 17), (64, 48)];

/// Deterministic bytes for an image of `format`.
fn pattern(format: PixelFormat, w: u32, h: u32) -> Image {
    let len = format.payload_size(w, h).unwrap();
    let mut state = 0x1234_5678u32 ^ (w << 16) ^ h;
    let data = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 8) as u8
        })
        .collect();
    Image::new(format, w, h, data).unwrap()
}

const FORMATS: [PixelFormat; 5] = [
    PixelFormat::Grayscale,
    PixelFormat::Rgb888,
    PixelFormat::Argb8,
    PixelFormat::Gray16,
    PixelFormat::Rgb48,
];

#[test]
fn round_trips_are_bit_exact() {
    for format in FORMATS {
        for (w, h) in SIZES {
            let img = pattern(format, w, h);
            let mut file = Vec::new();
            png::encode(img.view(), &mut file).unwrap();
            assert_eq!(png::dimensions(&file).unwrap(), (w, h));
            assert_eq!(png::decode(&file).unwrap(), img, "{format} {w}x{h}");
            for level in [
                png::Compression::Fastest,
                png::Compression::Fast,
                png::Compression::Balanced,
                png::Compression::High,
                png::Compression::Level(1),
                png::Compression::Level(9),
            ] {
                let mut other = Vec::new();
                let options = png::PngOptions::new().compression(level);
                png::encode_with(img.view(), &options, &mut other).unwrap();
                assert_eq!(png::decode(&other).unwrap(), img, "{format} {level:?}");
            }
        }
    }
}

#[test]
fn bgr_decodes_as_rgb() {
    let bgr = pattern(PixelFormat::Bgr888, 7, 5);
    let file = png::encode_image(bgr.view()).unwrap();
    let back = png::decode(file.data()).unwrap();
    assert_eq!(back.format(), PixelFormat::Rgb888);
    let swapped: Vec<u8> = bgr
        .data()
        .chunks(3)
        .flat_map(|p| [p[2], p[1], p[0]])
        .collect();
    assert_eq!(back.data(), &swapped[..]);
}

#[test]
fn strided_input_encodes_like_packed() {
    let big = pattern(PixelFormat::Rgb48, 20, 10);
    let view = big.view().crop_view(Rect::new(3, 1, 11, 7)).unwrap();
    assert!(!view.is_packed());
    let mut a = Vec::new();
    let mut b = Vec::new();
    png::encode(view, &mut a).unwrap();
    png::encode(view.to_image().view(), &mut b).unwrap();
    assert_eq!(a, b);
    assert_eq!(png::decode(&a).unwrap(), view.to_image());
}

/// The files decode with the `png` crate used directly, with the sample
/// order the PNG spec prescribes (16-bit big-endian, RGBA).
#[test]
fn files_follow_the_png_spec() {
    for format in FORMATS {
        let img = pattern(format, 33, 17);
        let mut file = Vec::new();
        png::encode(img.view(), &mut file).unwrap();
        let mut reader = ::png::Decoder::new(std::io::Cursor::new(&file))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        let expected: Vec<u8> = match format {
            PixelFormat::Argb8 => img
                .data()
                .chunks(4)
                .flat_map(|p| [p[2], p[1], p[0], p[3]])
                .collect(),
            PixelFormat::Gray16 | PixelFormat::Rgb48 => {
                img.data().chunks(2).flat_map(|s| [s[1], s[0]]).collect()
            }
            _ => img.data().to_vec(),
        };
        assert_eq!(buf, expected, "{format}");
        let (color, depth) = (info.color_type, info.bit_depth as u8);
        let want = match format {
            PixelFormat::Grayscale => (::png::ColorType::Grayscale, 8),
            PixelFormat::Rgb888 => (::png::ColorType::Rgb, 8),
            PixelFormat::Argb8 => (::png::ColorType::Rgba, 8),
            PixelFormat::Gray16 => (::png::ColorType::Grayscale, 16),
            _ => (::png::ColorType::Rgb, 16),
        };
        assert_eq!((color, depth), want, "{format}");
    }
}

/// ffmpeg decodes the files to the same samples.
#[test]
fn ffmpeg_reads_the_files() {
    if !have_tool("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (format, pix_fmt) in [
        (PixelFormat::Grayscale, "gray"),
        (PixelFormat::Rgb888, "rgb24"),
        (PixelFormat::Argb8, "bgra"),
        (PixelFormat::Gray16, "gray16le"),
        (PixelFormat::Rgb48, "rgb48le"),
    ] {
        let img = pattern(format, 33, 17);
        let path = dir.path().join(format!("{format}.png"));
        let raw = dir.path().join(format!("{format}.raw"));
        let mut file = Vec::new();
        png::encode(img.view(), &mut file).unwrap();
        std::fs::write(&path, &file).unwrap();
        let status = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-i"])
            .arg(&path)
            .args(["-f", "rawvideo", "-pix_fmt", pix_fmt])
            .arg(&raw)
            .status()
            .unwrap();
        assert!(status.success(), "{format}");
        assert_eq!(std::fs::read(&raw).unwrap(), img.data(), "{format}");
    }
}

#[test]
fn every_truncated_prefix_is_an_error() {
    for format in [PixelFormat::Rgb888, PixelFormat::Gray16] {
        let img = pattern(format, 13, 9);
        let file = png::encode_image(img.view()).unwrap();
        let mut dst = Image::empty();
        for end in 0..file.data().len() {
            let Err(e) = png::decode_into(&file.data()[..end], &mut dst) else {
                panic!("{format} prefix {end} of {} decoded", file.data().len());
            };
            assert_eq!(e.kind(), ErrorKind::Format, "{format} prefix {end}: {e}");
            assert_eq!(dst.size(), (1, 1));
        }
        png::decode_into(file.data(), &mut dst).unwrap();
        assert_eq!(dst, img);
    }
}

#[test]
fn decode_dispatches_on_the_format() {
    let rgb = textured_rgb(16, 8);
    let img = ImageRef::new(PixelFormat::Rgb888, 16, 8, &rgb).unwrap();
    let png_file = png::encode_image(img).unwrap();
    assert_eq!(codec::decode(png_file.view()).unwrap().data(), &rgb[..]);
    let jpeg_file = codec::jpeg::JpegEncoder::new(codec::Quality::try_from(90).unwrap())
        .unwrap()
        .encode_image(img)
        .unwrap();
    let mut dst = Image::empty();
    codec::decode_into(jpeg_file.view(), &mut dst).unwrap();
    assert_eq!((dst.format(), dst.size()), (PixelFormat::Rgb888, (16, 8)));
    assert_eq!(
        codec::decode(img).unwrap_err().kind(),
        ErrorKind::UnsupportedFormat
    );
    // A JPEG in a PNG-labelled image is a format error, not a panic.
    let mislabelled = ImageRef::new(PixelFormat::Png, 16, 8, jpeg_file.data()).unwrap();
    assert_eq!(
        codec::decode(mislabelled).unwrap_err().kind(),
        ErrorKind::Format
    );
}

#[test]
fn huge_headers_hit_the_limits() {
    let img = pattern(PixelFormat::Grayscale, 4, 4);
    let mut file = png::encode_image(img.view()).unwrap().into_vec();
    // Patch IHDR to 100000 x 100000 (the CRC no longer matches, but the size
    // check comes first).
    file[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    file[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    assert_eq!(png::dimensions(&file).unwrap(), (100_000, 100_000));
    assert_eq!(
        png::decode(&file).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = png::decode(&data);
        let _ = png::dimensions(&data);
        let mut signed = b"\x89PNG\r\n\x1a\n".to_vec();
        signed.extend_from_slice(&data);
        let _ = png::decode(&signed);
    }

    #[test]
    fn mutated_files_never_panic(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
    ) {
        let img = pattern(PixelFormat::Rgb888, 9, 7);
        let mut file = png::encode_image(img.view()).unwrap().into_vec();
        for (at, v) in edits {
            let i = at % file.len();
            file[i] = v;
        }
        if let Ok(back) = png::decode(&file) {
            prop_assert_eq!(back.data().len(), back.format().payload_size(back.width(), back.height()).unwrap());
        }
    }

    #[test]
    fn any_size_round_trips(w in 1u32..40, h in 1u32..40, f in 0usize..5) {
        let img = pattern(FORMATS[f], w, h);
        let file = png::encode_image(img.view()).unwrap();
        prop_assert_eq!(png::decode(file.data()).unwrap(), img);
    }
}
