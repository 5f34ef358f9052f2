//! JPEG: round trips for every input format and backend, quality, JFIF,
//! MJPEG frames without Huffman tables, foreign files, truncation, limits.

mod codec_common;
#[path = "jpeg_support/fuzz_body.rs"]
mod fuzz_body;

use std::process::Command;

use camreel::codec::Quality;
use camreel::codec::jpeg::{
    self, Backend, JpegDecoder, JpegEncoder, MAX_DIMENSION, Subsampling, YuvRange,
};
use camreel::{ErrorKind, Image, ImageRef, Limits, PixelFormat, Rect};
use codec_common::{gentle_rgb, gradient_rgb, have_tool, psnr, textured_rgb, yuv_to_rgb};
use proptest::prelude::*;

const SIZES: [(u32, u32); 4] = [(1, 1), (7, 5), (33, 17), (64, 48)];

fn backends() -> Vec<Backend> {
    [Backend::JpegEncoder, Backend::TurboJpeg, Backend::Native]
        .into_iter()
        .filter(|b| b.is_available())
        .collect()
}

/// A quality from a literal the tests know is in range.
fn q(quality: u8) -> Quality {
    Quality::try_from(quality).unwrap()
}

/// A quality at which every backend keeps a gentle gradient above 40 dB:
/// 90 on libjpeg's scale; the native backend's scale is its own (its
/// tables are calibrated on noisy camera footage, where 90 already keeps
/// libjpeg's PSNR), so it takes 95 for these tiny smooth images.
fn fine(backend: Backend) -> u8 {
    if backend == Backend::Native { 95 } else { 90 }
}

fn encode(backend: Backend, quality: u8, src: ImageRef<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::with_backend(q(quality), backend)
        .unwrap()
        .encode(src, &mut out)
        .unwrap();
    out
}

/// Marker segments before the first scan: (marker code, offset, total length).
fn segments(data: &[u8]) -> Vec<(u8, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 2;
    while pos + 4 <= data.len() && data[pos] == 0xFF {
        let code = data[pos + 1];
        let len = usize::from(u16::from_be_bytes([data[pos + 2], data[pos + 3]])) + 2;
        out.push((code, pos, len));
        if code == 0xDA {
            break;
        }
        pos += len;
    }
    out
}

fn strip_dht(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    for (code, pos, len) in segments(data).into_iter().rev() {
        if code == 0xC4 {
            out.drain(pos..pos + len);
        }
    }
    out
}

/// The luma sampling byte (H << 4 | V) of the frame header.
fn luma_sampling(data: &[u8]) -> u8 {
    let (_, pos, _) = segments(data)
        .into_iter()
        .find(|s| s.0 == 0xC0)
        .expect("baseline frame header");
    data[pos + 11]
}

#[test]
fn rgb_round_trips_every_backend_and_size() {
    for backend in backends() {
        for (w, h) in SIZES {
            let rgb = gentle_rgb(w, h);
            let src = ImageRef::new(PixelFormat::Rgb888, w, h, &rgb).unwrap();
            let file = encode(backend, fine(backend), src);
            assert_eq!(jpeg::dimensions(&file).unwrap(), (w, h));
            let back = jpeg::decode(&file).unwrap();
            assert_eq!((back.format(), back.size()), (PixelFormat::Rgb888, (w, h)));
            let p = psnr(back.data(), &rgb);
            assert!(p > 40.0, "{backend} {w}x{h}: {p:.2} dB");
        }
    }
}

#[test]
fn bgr_and_argb_inputs_encode_the_same_colours() {
    for backend in backends() {
        for (w, h) in SIZES {
            let rgb = gentle_rgb(w, h);
            let bgr: Vec<u8> = rgb.chunks(3).flat_map(|p| [p[2], p[1], p[0]]).collect();
            let argb: Vec<u8> = rgb
                .chunks(3)
                .flat_map(|p| [p[2], p[1], p[0], 255])
                .collect();
            let from_rgb = jpeg::decode(&encode(
                backend,
                fine(backend),
                ImageRef::new(PixelFormat::Rgb888, w, h, &rgb).unwrap(),
            ))
            .unwrap();
            for (format, data) in [(PixelFormat::Bgr888, &bgr), (PixelFormat::Argb8, &argb)] {
                let file = encode(
                    backend,
                    fine(backend),
                    ImageRef::new(format, w, h, data).unwrap(),
                );
                let back = jpeg::decode(&file).unwrap();
                assert_eq!(back.format(), PixelFormat::Rgb888);
                let p = psnr(back.data(), &rgb);
                assert!(p > 40.0, "{backend} {format} {w}x{h}: {p:.2} dB");
                // Same pixels in, same file out, whatever the byte order.
                assert_eq!(back, from_rgb, "{backend} {format} {w}x{h}");
            }
        }
    }
}

#[test]
fn argb_with_alpha_is_composited_over_the_background() {
    // Half the pixels transparent, a quarter half transparent: encoded as
    // the RGB888 image that compositing over ALPHA_BACKGROUND gives.
    let (w, h) = (32, 16);
    let rgb = gentle_rgb(w, h);
    let argb: Vec<u8> = rgb
        .chunks(3)
        .enumerate()
        .flat_map(|(i, p)| [p[2], p[1], p[0], [0, 128, 255, 0][i % 4]])
        .collect();
    let argb = ImageRef::new(PixelFormat::Argb8, w, h, &argb).unwrap();
    let composited = camreel::convert::convert(argb, PixelFormat::Rgb888).unwrap();
    assert_eq!(&composited.data()[..3], &[0, 0, 0]);
    for backend in backends() {
        let direct = encode(backend, fine(backend), argb);
        let via_rgb = encode(backend, fine(backend), composited.view());
        assert_eq!(direct, via_rgb, "{backend}");
    }
}

#[test]
fn grayscale_round_trips_as_grayscale() {
    for backend in backends() {
        for (w, h) in SIZES {
            let gray: Vec<u8> = gentle_rgb(w, h).chunks(3).map(|p| p[1]).collect();
            let file = encode(
                backend,
                90,
                ImageRef::new(PixelFormat::Grayscale, w, h, &gray).unwrap(),
            );
            let info = jpeg::info(&file).unwrap();
            assert_eq!(info.components, 1);
            let back = jpeg::decode(&file).unwrap();
            assert_eq!(back.format(), PixelFormat::Grayscale);
            let p = psnr(back.data(), &gray);
            assert!(p > 40.0, "{backend} {w}x{h}: {p:.2} dB");
        }
    }
}

/// I420 planes (limited range) for an RGB image, by the BT.601 formula, with
/// chroma from the top-left pixel of each 2x2 block.
fn i420_of(rgb: &[u8], w: u32, h: u32) -> Vec<u8> {
    let (w, h) = (w as usize, h as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut out = vec![0; w * h + 2 * cw * ch];
    for y in 0..h {
        for x in 0..w {
            let p = &rgb[(y * w + x) * 3..];
            let (r, g, b) = (f64::from(p[0]), f64::from(p[1]), f64::from(p[2]));
            out[y * w + x] = (16.0 + 0.257 * r + 0.504 * g + 0.098 * b).round() as u8;
            if x % 2 == 0 && y % 2 == 0 {
                let i = (y / 2) * cw + x / 2;
                out[w * h + i] = (128.0 - 0.148 * r - 0.291 * g + 0.439 * b).round() as u8;
                out[w * h + cw * ch + i] =
                    (128.0 + 0.439 * r - 0.368 * g - 0.071 * b).round() as u8;
            }
        }
    }
    out
}

/// The RGB the SPEC formula gives for every pixel of an I420 frame.
fn rgb_of_i420(yuv: &[u8], w: u32, h: u32) -> Vec<u8> {
    let (w, h) = (w as usize, h as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut out = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let i = (y / 2) * cw + x / 2;
            out.extend_from_slice(&yuv_to_rgb(
                yuv[y * w + x],
                yuv[w * h + i],
                yuv[w * h + cw * ch + i],
            ));
        }
    }
    out
}

#[test]
fn yuv420_encodes_to_the_bt601_limited_range_colours() {
    // Flat patches: no JPEG error beyond rounding, so the decoded colour must
    // be the formula's within a few levels.
    let patches: [(u8, u8, u8); 6] = [
        (81, 90, 240),   // red
        (145, 54, 34),   // green
        (41, 240, 110),  // blue
        (235, 128, 128), // white
        (16, 128, 128),  // black
        (120, 160, 90),
    ];
    for backend in backends() {
        for (y, u, v) in patches {
            let (w, h) = (16, 16);
            let mut frame = vec![y; 256];
            frame.extend_from_slice(&[u; 64]);
            frame.extend_from_slice(&[v; 64]);
            let src = ImageRef::new(PixelFormat::Yuv420, w, h, &frame).unwrap();
            let back = jpeg::decode(&encode(backend, 95, src)).unwrap();
            let want = yuv_to_rgb(y, u, v);
            for px in back.data().chunks(3) {
                for c in 0..3 {
                    let d = (i32::from(px[c]) - i32::from(want[c])).abs();
                    assert!(
                        d <= 3,
                        "{backend} yuv ({y},{u},{v}): got {px:?}, formula gives {want:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn yuv420_round_trips_every_size() {
    for backend in backends() {
        for (w, h) in SIZES {
            let yuv = i420_of(&gentle_rgb(w, h), w, h);
            let src = ImageRef::new(PixelFormat::Yuv420, w, h, &yuv).unwrap();
            let file = encode(backend, fine(backend), src);
            assert_eq!(luma_sampling(&file), 0x22, "yuv420 input stays 4:2:0");
            let back = jpeg::decode(&file).unwrap();
            assert_eq!(back.size(), (w, h));
            let want = rgb_of_i420(&yuv, w, h);
            let p = psnr(back.data(), &want);
            assert!(p > 40.0, "{backend} {w}x{h}: {p:.2} dB");
        }
    }
}

#[test]
fn full_range_yuv_passes_through() {
    for backend in backends() {
        // Full-range Y = 0 is black; limited-range Y = 0 would also clamp to
        // black, so use mid grey: full-range 128 stays 128, limited 128 -> 130.
        let mut frame = vec![128u8; 64];
        frame.extend_from_slice(&[128; 32]);
        let src = ImageRef::new(PixelFormat::Yuv420, 8, 8, &frame).unwrap();
        let mut encoder = JpegEncoder::with_backend(q(100), backend).unwrap();
        assert_eq!(encoder.yuv_range(), YuvRange::Limited);
        let limited = jpeg::decode(&encoder.encode_image(src).unwrap().into_vec()).unwrap();
        encoder.set_yuv_range(YuvRange::Full);
        let full = jpeg::decode(&encoder.encode_image(src).unwrap().into_vec()).unwrap();
        assert!(
            full.data().iter().all(|&v| v.abs_diff(128) <= 1),
            "{backend}"
        );
        assert!(
            limited.data().iter().all(|&v| v.abs_diff(130) <= 1),
            "{backend}"
        );
    }
}

#[test]
fn strided_input_encodes_like_packed() {
    let (w, h) = (40, 30);
    let rgb = textured_rgb(w, h);
    let full = ImageRef::new(PixelFormat::Rgb888, w, h, &rgb).unwrap();
    let view = full.crop_view(Rect::new(3, 2, 21, 17)).unwrap();
    assert!(!view.is_packed());
    let packed = view.to_image();
    for backend in backends() {
        assert_eq!(
            encode(backend, 80, view),
            encode(backend, 80, packed.view()),
            "{backend}"
        );
    }
}

#[test]
fn quality_is_monotonic() {
    let (w, h) = (96, 64);
    let rgb = textured_rgb(w, h);
    let src = ImageRef::new(PixelFormat::Rgb888, w, h, &rgb).unwrap();
    for backend in backends() {
        let mut last = (0usize, 0f64);
        for q in [10, 30, 50, 70, 90, 100] {
            let file = encode(backend, q, src);
            let p = psnr(jpeg::decode(&file).unwrap().data(), &rgb);
            assert!(
                file.len() > last.0 && p > last.1,
                "{backend} q{q}: {} bytes {p:.2} dB after {last:?}",
                file.len()
            );
            last = (file.len(), p);
        }
    }
}

#[test]
fn chroma_444_is_an_option() {
    let (w, h) = (64, 48);
    let rgb = textured_rgb(w, h);
    let src = ImageRef::new(PixelFormat::Rgb888, w, h, &rgb).unwrap();
    for backend in backends() {
        let mut encoder = JpegEncoder::with_backend(q(85), backend).unwrap();
        assert_eq!(encoder.subsampling(), Subsampling::Chroma420);
        let sub = encoder.encode_image(src).unwrap();
        encoder.set_subsampling(Subsampling::Chroma444);
        let full = encoder.encode_image(src).unwrap();
        assert_eq!(luma_sampling(sub.data()), 0x22);
        assert_eq!(luma_sampling(full.data()), 0x11);
        assert!(full.data().len() > sub.data().len());
        let p_sub = psnr(jpeg::decode(sub.data()).unwrap().data(), &rgb);
        let p_full = psnr(jpeg::decode(full.data()).unwrap().data(), &rgb);
        assert!(p_full > p_sub, "{backend}: {p_full:.2} <= {p_sub:.2}");
    }
}

#[test]
fn output_is_jfif() {
    let rgb = gradient_rgb(16, 16);
    for backend in backends() {
        for (format, data) in [
            (PixelFormat::Rgb888, &rgb[..]),
            (PixelFormat::Grayscale, &rgb[..256]),
        ] {
            let file = encode(backend, 75, ImageRef::new(format, 16, 16, data).unwrap());
            assert_eq!(&file[..4], &[0xFF, 0xD8, 0xFF, 0xE0], "{backend} {format}");
            assert_eq!(&file[6..11], b"JFIF\0", "{backend} {format}");
            assert_eq!(&file[file.len() - 2..], &[0xFF, 0xD9]);
        }
    }
}

#[test]
fn encode_appends_and_reuses_memory() {
    let rgb = gradient_rgb(32, 32);
    let src = ImageRef::new(PixelFormat::Rgb888, 32, 32, &rgb).unwrap();
    let mut encoder = JpegEncoder::new(q(70)).unwrap();
    let mut out = b"prefix".to_vec();
    encoder.encode(src, &mut out).unwrap();
    assert_eq!(&out[..6], b"prefix");
    assert_eq!(&out[6..8], &[0xFF, 0xD8]);
    let single = encoder.encode_image(src).unwrap();
    assert_eq!(&out[6..], single.data());

    let mut dst = Image::empty();
    encoder.encode_into(src, &mut dst).unwrap();
    let cap = dst.capacity();
    for _ in 0..3 {
        encoder.encode_into(src, &mut dst).unwrap();
        assert_eq!(dst.capacity(), cap);
    }
    assert_eq!((dst.format(), dst.size()), (PixelFormat::Jpeg, (32, 32)));
}

#[test]
fn encoder_converts_other_formats() {
    // RGB565 white and a mid gray, encoded via RGB888; and BINARY via GRAYSCALE.
    let px: Vec<u8> = (0..64)
        .flat_map(|i| {
            if i % 2 == 0 {
                [0xFF, 0xFF]
            } else {
                [0x10, 0x84]
            }
        })
        .collect();
    let img = ImageRef::new(PixelFormat::Rgb565, 8, 8, &px).unwrap();
    let mut encoder = JpegEncoder::new(q(95)).unwrap();
    let jpeg = encoder.encode_image(img).unwrap();
    let decoded = camreel::codec::decode(jpeg.view()).unwrap();
    assert_eq!(
        (decoded.format(), decoded.size()),
        (PixelFormat::Rgb888, (8, 8))
    );
    let expected = camreel::convert::convert(img, PixelFormat::Rgb888).unwrap();
    let mean_err = decoded
        .data()
        .iter()
        .zip(expected.data())
        .map(|(a, b)| f64::from(a.abs_diff(*b)))
        .sum::<f64>()
        / decoded.data().len() as f64;
    assert!(mean_err < 12.0, "mean error {mean_err}");
    let bits = Image::new(PixelFormat::Binary, 4, 2, vec![0xFF, 0, 0, 0, 0, 0, 0, 0]).unwrap();
    let gray = camreel::codec::decode(encoder.encode_image(bits.view()).unwrap().view()).unwrap();
    assert_eq!(gray.format(), PixelFormat::Grayscale);
    assert!(
        gray.data()[..4].iter().all(|&v| v > 200),
        "{:?}",
        gray.data()
    );
    assert!(
        gray.data()[4..].iter().all(|&v| v < 55),
        "{:?}",
        gray.data()
    );
}

#[test]
fn encoder_refuses_bad_arguments() {
    let mut encoder = JpegEncoder::new(q(50)).unwrap();
    encoder.set_quality(q(51));
    assert_eq!(encoder.quality().get(), 51);
    let img = ImageRef::new(PixelFormat::Png, 4, 4, &[0x89]).unwrap();
    let mut out = vec![9];
    let e = encoder.encode(img, &mut out).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
    assert!(e.to_string().contains("PNG"), "{e}");
    assert_eq!(out, [9]);
    let wide = Image::zeroed(PixelFormat::Grayscale, MAX_DIMENSION + 1, 1).unwrap();
    assert_eq!(
        encoder.encode(wide.view(), &mut out).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
    #[cfg(not(feature = "turbojpeg"))]
    {
        let e = JpegEncoder::with_backend(q(50), Backend::TurboJpeg).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BackendUnavailable);
        assert!(e.to_string().contains("turbojpeg"), "{e}");
        assert_eq!(Backend::default(), Backend::JpegEncoder);
    }
    #[cfg(feature = "turbojpeg")]
    assert_eq!(Backend::default(), Backend::TurboJpeg);
}

#[test]
fn mjpeg_frames_without_huffman_tables_decode_identically() {
    let (w, h) = (48, 32);
    let rgb = textured_rgb(w, h);
    for backend in backends() {
        for (format, data) in [
            (PixelFormat::Rgb888, rgb.clone()),
            (
                PixelFormat::Grayscale,
                rgb.chunks(3).map(|p| p[0]).collect(),
            ),
        ] {
            let file = encode(backend, 80, ImageRef::new(format, w, h, &data).unwrap());
            let stripped = strip_dht(&file);
            assert!(stripped.len() < file.len());
            assert!(!jpeg::info(&stripped).unwrap().has_huffman_tables);
            assert!(jpeg::info(&file).unwrap().has_huffman_tables);
            let want = jpeg::decode(&file).unwrap();
            assert_eq!(jpeg::decode(&stripped).unwrap(), want, "{backend} {format}");

            // The AVI1 flavour: an "AVI1" APP0 instead of JFIF.
            let mut avi1 = stripped.clone();
            let (_, pos, len) = segments(&avi1)[0];
            let mut app0 = vec![0xFF, 0xE0, 0x00, 0x10];
            app0.extend_from_slice(b"AVI1");
            app0.resize(18, 0);
            avi1.splice(pos..pos + len, app0);
            assert_eq!(
                jpeg::decode(&avi1).unwrap(),
                want,
                "{backend} {format} avi1"
            );
        }
    }
}

#[test]
fn decodes_a_jpeg_made_by_ffmpeg() {
    if !have_tool("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let jpg = dir.path().join("out.jpg");
    let raw = dir.path().join("out.rgb");
    let status = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48",
        ])
        .args(["-frames:v", "1"])
        .arg(&jpg)
        .status()
        .unwrap();
    assert!(status.success());
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&jpg)
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24"])
        .arg(&raw)
        .status()
        .unwrap();
    assert!(status.success());
    let file = std::fs::read(&jpg).unwrap();
    let ours = jpeg::decode(&file).unwrap();
    assert_eq!(
        (ours.format(), ours.size()),
        (PixelFormat::Rgb888, (64, 48))
    );
    let theirs = std::fs::read(&raw).unwrap();
    // Both decoders, different upsampling and IDCT: close, not identical.
    let p = psnr(ours.data(), &theirs);
    assert!(p > 30.0, "zune-jpeg vs ffmpeg decode: {p:.2} dB");
}

#[test]
fn every_truncated_prefix_is_an_error() {
    let rgb = textured_rgb(33, 17);
    for backend in backends() {
        let file = encode(
            backend,
            75,
            ImageRef::new(PixelFormat::Rgb888, 33, 17, &rgb).unwrap(),
        );
        let mut lenient = JpegDecoder::new();
        lenient.set_require_eoi(false);
        let mut dst = Image::empty();
        for end in 0..file.len() {
            let e = jpeg::decode(&file[..end]).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Format, "{backend} prefix {end}: {e}");
            // Without the EOI check: never a panic; an image of the right
            // size when enough of the scan is there.
            if let Ok(()) = lenient.decode_into(&file[..end], &mut dst) {
                assert_eq!(dst.size(), (33, 17));
            }
        }
        // Also stripped of its tables (the inserted-DHT path).
        let stripped = strip_dht(&file);
        for end in 0..stripped.len() {
            assert!(jpeg::decode(&stripped[..end]).is_err(), "{backend} {end}");
        }
    }
}

#[test]
fn corrupt_scans_never_panic() {
    let rgb = textured_rgb(24, 16);
    let file = encode(
        Backend::JpegEncoder,
        75,
        ImageRef::new(PixelFormat::Rgb888, 24, 16, &rgb).unwrap(),
    );
    for i in 0..file.len() {
        for xor in [0x01, 0x80, 0xFF] {
            let mut bad = file.clone();
            bad[i] ^= xor;
            if let Ok(img) = jpeg::decode(&bad) {
                assert!(img.data().len() >= img.size().0 as usize);
            }
        }
    }
}

/// The frame header's sampling byte (H << 4 | V) of every component.
fn sampling_bytes(data: &[u8]) -> Vec<(usize, u8)> {
    let (_, pos, _) = segments(data)
        .into_iter()
        .find(|s| s.0 == 0xC0)
        .expect("baseline frame header");
    let n = usize::from(data[pos + 9]);
    (0..n)
        .map(|i| (pos + 11 + 3 * i, data[pos + 11 + 3 * i]))
        .collect()
}

#[test]
fn separate_scans_with_subsampled_chroma_are_refused_not_misread() {
    // jpeg-encoder writes optimised colour JPEGs as one scan per component.
    // zune-jpeg 0.5 decoded the 4:2:0 ones into wrong colours without an
    // error; 4:4:4 ones and grayscale decode correctly.
    let (w, h) = (48, 32);
    let rgb = textured_rgb(w, h);
    let src = ImageRef::new(PixelFormat::Rgb888, w, h, &rgb).unwrap();
    let mut encoder = JpegEncoder::with_backend(q(85), Backend::JpegEncoder).unwrap();
    let plain = encoder.encode_image(src).unwrap();
    encoder.set_optimize_coding(true);
    let optimised = encoder.encode_image(src).unwrap();
    let scans = |d: &[u8]| d.windows(2).filter(|m| *m == [0xFF, 0xDA]).count();
    assert_eq!((scans(plain.data()), scans(optimised.data())), (1, 3));
    let plain_rgb = jpeg::decode(plain.data()).unwrap();
    if Backend::TurboJpeg.is_available() {
        // libjpeg-turbo decodes this layout: the same coefficients as the
        // plain file, so the same picture up to IDCT rounding.
        let decoded = jpeg::decode(optimised.data()).unwrap();
        let p = psnr(decoded.data(), plain_rgb.data());
        assert!(p > 45.0, "{p:.2} dB between the two decodes");
    } else {
        let e = jpeg::decode(optimised.data()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat, "{e}");
        assert!(
            e.to_string().contains("carries 1 of its 3 components"),
            "{e}"
        );
    }

    // Without subsampling the separate scans hold the same coefficients as
    // the interleaved one: the same pixels.
    encoder.set_subsampling(Subsampling::Chroma444);
    let optimised = encoder.encode_image(src).unwrap();
    encoder.set_optimize_coding(false);
    let plain = encoder.encode_image(src).unwrap();
    assert_eq!(scans(optimised.data()), 3);
    assert_eq!(
        jpeg::decode(optimised.data()).unwrap(),
        jpeg::decode(plain.data()).unwrap()
    );

    // libjpeg-turbo keeps one interleaved scan when it optimises.
    if Backend::TurboJpeg.is_available() {
        let mut turbo = JpegEncoder::with_backend(q(85), Backend::TurboJpeg).unwrap();
        let plain = turbo.encode_image(src).unwrap();
        turbo.set_optimize_coding(true);
        let optimised = turbo.encode_image(src).unwrap();
        assert_eq!(scans(optimised.data()), 1);
        assert_eq!(
            jpeg::decode(optimised.data()).unwrap(),
            jpeg::decode(plain.data()).unwrap()
        );
    }
}

#[test]
fn chroma_sampled_finer_than_luma_is_refused() {
    // zune-jpeg 0.5 decodes these into wrong pixels, or panics (1x1 luma
    // with 2x2 chroma): it never sees them.
    let (w, h) = (24, 16);
    let rgb = textured_rgb(w, h);
    let mut encoder = JpegEncoder::with_backend(q(85), Backend::JpegEncoder).unwrap();
    encoder.set_subsampling(Subsampling::Chroma444);
    let file = encoder
        .encode_image(ImageRef::new(PixelFormat::Rgb888, w, h, &rgb).unwrap())
        .unwrap();
    let file = file.data();
    let at = sampling_bytes(file);
    assert_eq!(
        at.iter().map(|s| s.1).collect::<Vec<_>>(),
        [0x11, 0x11, 0x11]
    );
    // The patched headers no longer match the scan data. Without the
    // `turbojpeg` feature the layout is refused before decoding; with it,
    // libjpeg-turbo decodes the layout and finds the data corrupt.
    let expected = if Backend::TurboJpeg.is_available() {
        ErrorKind::Format
    } else {
        ErrorKind::UnsupportedFormat
    };
    for (component, factors) in [(1, 0x22), (2, 0x21), (1, 0x12), (2, 0x41)] {
        let mut bad = file.to_vec();
        bad[at[component].0] = factors;
        let e = jpeg::decode(&bad).unwrap_err();
        assert_eq!(e.kind(), expected, "{factors:02X}: {e}");
        if expected == ErrorKind::UnsupportedFormat {
            assert!(
                e.to_string()
                    .starts_with(&format!("jpeg component {component} is sampled"))
            );
        }
    }
    // 4:2:0 is fine; 3x1 luma with 2x1 chroma is not a whole fraction.
    let mut bad = file.to_vec();
    bad[at[0].0] = 0x31;
    bad[at[1].0] = 0x21;
    assert_eq!(jpeg::decode(&bad).unwrap_err().kind(), expected);
    // Factors outside 1-4 are malformed.
    for factors in [0x01, 0x10, 0x51, 0x15] {
        let mut bad = file.to_vec();
        bad[at[1].0] = factors;
        let e = jpeg::info(&bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format, "{factors:02X}: {e}");
        assert!(e.to_string().contains("sampling factors"), "{e}");
    }
}

/// Reads a binary PPM (P6) as written by djpeg: (width, height, pixels).
fn read_ppm(data: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut fields = Vec::new();
    let mut pos = 0;
    while fields.len() < 4 {
        while data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let start = pos;
        while !data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(std::str::from_utf8(&data[start..pos]).unwrap().to_string());
    }
    assert_eq!((fields[0].as_str(), fields[3].as_str()), ("P6", "255"));
    let (w, h) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, data[pos + 1..].to_vec())
}

#[test]
fn unusual_layouts_decode_like_libjpeg_or_are_refused() {
    // libjpeg's cjpeg writes every sampling and scan layout the standard
    // allows; each decodes to what djpeg gives, or is refused. Never wrong
    // pixels, never a panic.
    let found = |tool: &str| {
        Command::new(tool)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !found("cjpeg") || !found("djpeg") {
        eprintln!("skipping: cjpeg/djpeg (libjpeg-turbo-progs) not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let scans = dir.path().join("separate.scans");
    std::fs::write(&scans, "0;\n1;\n2;\n").unwrap();
    let mut refused = 0;
    for (w, h) in [(7, 5), (33, 17)] {
        let ppm = dir.path().join("src.ppm");
        let mut data = format!("P6\n{w} {h}\n255\n").into_bytes();
        data.extend_from_slice(&textured_rgb(w, h));
        std::fs::write(&ppm, data).unwrap();
        for sample in [
            "1x1",
            "2x1",
            "1x2",
            "2x2",
            "4x1",
            "2x2,2x1,1x1",
            "1x1,2x2,1x1",
            "2x1,1x2,1x1",
        ] {
            for layout in ["interleaved", "separate", "progressive"] {
                let mut cjpeg = Command::new("cjpeg");
                cjpeg.args(["-quality", "90", "-sample", sample]);
                match layout {
                    "separate" => {
                        cjpeg.arg("-scans").arg(&scans);
                    }
                    "progressive" => {
                        cjpeg.arg("-progressive");
                    }
                    _ => {}
                }
                let out = cjpeg.arg(&ppm).output().unwrap();
                assert!(out.status.success(), "cjpeg -sample {sample} {layout}");
                let file = out.stdout;
                let jpg = dir.path().join("x.jpg");
                std::fs::write(&jpg, &file).unwrap();
                let out = Command::new("djpeg")
                    .arg("-pnm")
                    .arg(&jpg)
                    .output()
                    .unwrap();
                assert!(out.status.success());
                let (rw, rh, want) = read_ppm(&out.stdout);
                assert_eq!((rw, rh), (w, h));
                let what = format!("{w}x{h} -sample {sample} {layout}");
                match jpeg::decode(&file) {
                    Ok(img) => {
                        assert_eq!(img.size(), (w, h), "{what}");
                        let p = psnr(img.data(), &want);
                        assert!(p > 40.0, "{what}: {p:.2} dB against djpeg");
                    }
                    Err(e) => {
                        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat, "{what}: {e}");
                        refused += 1;
                    }
                }
                // What cameras and encoders write must decode.
                let common = ["1x1", "2x1", "1x2", "2x2", "4x1"].contains(&sample);
                if common && (layout != "separate" || sample == "1x1") {
                    assert!(jpeg::decode(&file).is_ok(), "{what}");
                }
            }
        }
    }
    if Backend::TurboJpeg.is_available() {
        // libjpeg-turbo takes the layouts zune-jpeg misreads.
        assert_eq!(refused, 0);
    } else {
        // Separate scans with subsampling, and chroma finer than luma.
        assert!(refused >= 2 * 11, "{refused}");
    }
}

#[test]
fn limits_apply_before_decoding() {
    // A header declaring 60000 x 60000 pixels, then a scan of junk.
    let mut file = vec![0xFF, 0xD8];
    file.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 8, 0xEA, 0x60, 0xEA, 0x60, 3]);
    file.extend_from_slice(&[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    file.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x0C, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]);
    file.extend_from_slice(&[0x55; 16]);
    file.extend_from_slice(&[0xFF, 0xD9]);
    assert_eq!(jpeg::dimensions(&file).unwrap(), (60000, 60000));
    let e = jpeg::decode(&file).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");

    let rgb = gradient_rgb(64, 64);
    let ok = encode(
        Backend::JpegEncoder,
        80,
        ImageRef::new(PixelFormat::Rgb888, 64, 64, &rgb).unwrap(),
    );
    let mut decoder = JpegDecoder::new();
    decoder.set_limits(Limits {
        max_bytes: 64 * 64 * 3 - 1,
        ..Limits::default()
    });
    assert_eq!(
        decoder.decode(&ok).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
    decoder.set_limits(Limits::default());
    assert_eq!(decoder.decode(&ok).unwrap().size(), (64, 64));
}

#[test]
fn cmyk_jpegs_decode_to_rgb() {
    // jpeg-encoder writes Adobe CMYK JPEGs; decoding gives RGB.
    let (w, h) = (16u16, 8u16);
    let cmyk: Vec<u8> = (0..usize::from(w) * usize::from(h))
        .flat_map(|_| [0u8, 255, 255, 0])
        .collect();
    let mut file = Vec::new();
    jpeg_encoder::Encoder::new(&mut file, 95)
        .encode(&cmyk, w, h, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    let img = jpeg::decode(&file).unwrap();
    assert_eq!((img.format(), img.size()), (PixelFormat::Rgb888, (16, 8)));
    assert_eq!(jpeg::info(&file).unwrap().components, 4);
}

/// `default` cases, or `PROPTEST_CASES` when set: scripts/fuzz_proptests.sh
/// runs these as the `jpeg_header` fuzz target's body for minutes.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small real JPEG of each kind a camera makes (4:2:0 and 4:2:2 colour,
/// grayscale, restart markers) to damage.
fn seed_jpegs() -> Vec<Vec<u8>> {
    let rgb = textured_rgb(20, 12);
    let mut out = vec![encode(
        Backend::JpegEncoder,
        60,
        ImageRef::new(PixelFormat::Rgb888, 20, 12, &rgb).unwrap(),
    )];
    let gray: Vec<u8> = rgb.iter().step_by(3).copied().collect();
    out.push(encode(
        Backend::Native,
        80,
        ImageRef::new(PixelFormat::Grayscale, 20, 12, &gray).unwrap(),
    ));
    let mut restart = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut restart, 70);
    encoder.set_restart_interval(1);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_2);
    encoder
        .encode(&rgb, 20, 12, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out.push(restart);
    out
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases(256))
    })]

    /// The fuzz target's body on arbitrary bytes, with and without a start
    /// of image marker in front.
    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_body::fuzz_jpeg(&data);
        let mut with_soi = vec![0xFF, 0xD8];
        with_soi.extend_from_slice(&data);
        fuzz_body::fuzz_jpeg(&with_soi);
    }

    /// The fuzz target's body on real files with bytes overwritten and cut
    /// anywhere; decoded leniently too (no end of image marker required).
    #[test]
    fn mutated_files_never_panic(
        which in 0..3usize,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        let file = seed_jpegs().swap_remove(which);
        let mut bad = file.clone();
        for (at, v) in edits {
            let i = at % bad.len();
            bad[i] = v;
        }
        bad.truncate(bad.len() - cut % bad.len());
        fuzz_body::fuzz_jpeg(&bad);
        let mut decoder = JpegDecoder::new();
        decoder.set_require_eoi(false);
        if let Ok(img) = decoder.decode(&bad) {
            prop_assert!(img.size().0 > 0);
        }
    }
}

#[test]
fn restart_markers_decode() {
    // Camera MJPEG often uses restart intervals; with and without tables.
    let (w, h) = (40u16, 24u16);
    let rgb = textured_rgb(40, 24);
    let mut file = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut file, 85);
    encoder.set_restart_interval(2);
    encoder
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    assert!(file.windows(2).any(|m| m == [0xFF, 0xD0]), "has RST0");
    // Restarts only reset the DC prediction: same coefficients, same pixels.
    let mut plain = Vec::new();
    jpeg_encoder::Encoder::new(&mut plain, 85)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    let img = jpeg::decode(&file).unwrap();
    assert_eq!(img, jpeg::decode(&plain).unwrap());
    assert_eq!(jpeg::decode(&strip_dht(&file)).unwrap(), img);
}

#[cfg(feature = "turbojpeg")]
#[test]
fn progressive_jpegs_decode() {
    let (w, h) = (48, 32);
    let rgb = textured_rgb(w, h);
    let mut compressor = turbojpeg::Compressor::new().unwrap();
    compressor.set_quality(90).unwrap();
    compressor.set_progressive(true).unwrap();
    let image = turbojpeg::Image {
        pixels: &rgb[..],
        width: w as usize,
        pitch: w as usize * 3,
        height: h as usize,
        format: turbojpeg::PixelFormat::RGB,
    };
    let file = compressor.compress_to_vec(image).unwrap();
    compressor.set_progressive(false).unwrap();
    let baseline = compressor.compress_to_vec(image).unwrap();
    assert!(jpeg::info(&file).unwrap().progressive);
    assert!(!jpeg::info(&baseline).unwrap().progressive);
    // Same coefficients in another order: the same pixels.
    let img = jpeg::decode(&file).unwrap();
    let want = jpeg::decode(&baseline).unwrap();
    let p = psnr(img.data(), want.data());
    assert!(p > 45.0, "progressive vs baseline decode: {p:.2} dB");
    for end in 0..file.len() {
        assert!(jpeg::decode(&file[..end]).is_err(), "prefix {end}");
    }
}

#[test]
fn encoders_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<JpegEncoder>();
    assert_send::<JpegDecoder>();
}
