//! The `camreel record` and `camreel raw` command lines, run as a user would.

use std::path::Path;
use std::process::Command;

use crate::support::*;

#[test]
fn record_refuses_bad_arguments_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.bin");
    let out = out.to_str().unwrap();
    assert_fails_with(
        &["record", "webcam", out],
        "unknown camera source \"webcam\"",
    );
    assert_fails_with(&["record", "replay", out], "unknown camera source");
    assert_fails_with(
        &["record", "replay:x.bin", out, "--size", "8x8"],
        "do not apply to replay",
    );
    assert_fails_with(&["record", "synthetic", out, "--frames", "0"], "--frames 0");
    // Values clap cannot take are usage errors: exit 2, the flag named.
    assert_usage_error(
        &["record", "synthetic", out, "--fps", "0"],
        "frame rate 0 is out of range",
    );
    assert_usage_error(&["record", "synthetic", out, "--fps", "NaN"], "--fps");
    for tiny in ["1e-20", "5e-324", "1e-300"] {
        assert_usage_error(&["record", "synthetic", out, "--fps", tiny], "out of range");
    }
    assert_usage_error(&["record", "synthetic", out, "--seconds=-1"], "--seconds");
    assert_usage_error(
        &["record", "synthetic", out, "--size", "0x10"],
        "has a zero side",
    );
    assert_usage_error(
        &["record", "synthetic", out, "--size", "99999x10"],
        "above 65535",
    );
    assert_usage_error(
        &["record", "synthetic", out, "--format", "h264"],
        "possible values",
    );
    let bad_kind = dir.path().join("x.mov");
    assert_fails_with(
        &[
            "record",
            "synthetic",
            bad_kind.to_str().unwrap(),
            "--frames",
            "1",
            "--fps",
            "1000",
        ],
        "unknown output kind",
    );
    assert!(!Path::new(out).exists());
}

#[cfg(not(feature = "v4l2"))]
#[test]
fn compiled_out_backends_name_the_feature() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.bin");
    let out = out.to_str().unwrap();
    assert_fails_with(&["record", "v4l2:/dev/video0", out], "--features v4l2");
    assert_fails_with(&["record", "rpi", out], "--features rpi");
}

#[cfg(feature = "v4l2")]
#[test]
fn missing_v4l2_device_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.bin");
    assert_fails_with(
        &["record", "v4l2:/dev/camreel-none", out.to_str().unwrap()],
        "/dev/camreel-none: open: no such device",
    );
}

#[test]
fn record_synthetic_to_bin_then_replay_it() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("clip.bin");
    let bin = bin.to_str().unwrap();
    ok(&[
        "record",
        "synthetic",
        bin,
        "--frames",
        "5",
        "--size",
        "64x48",
        "--fps",
        "200",
    ]);
    let info = ok(&["info", bin, "--json"]);
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(
        text.contains("\"count\":5")
            || text.contains("\"frames\":5")
            || text.matches("JPEG").count() >= 5,
        "{text}"
    );
    // RGB565 as asked, stored as is.
    let rgb565 = dir.path().join("565.bin");
    let rgb565 = rgb565.to_str().unwrap();
    ok(&[
        "record",
        "synthetic",
        rgb565,
        "--frames",
        "3",
        "--size",
        "32x16",
        "--format",
        "rgb565",
        "--fps",
        "500",
    ]);
    let info = String::from_utf8_lossy(&ok(&["info", rgb565]).stdout).into_owned();
    assert_eq!(info.matches("RGB565").count(), 3, "{info}");
    assert!(info.contains("1024"), "{info}");
    // Re-record the replayed file: same frames, same payloads.
    let copy = dir.path().join("copy.bin");
    let copy = copy.to_str().unwrap();
    ok(&["record", &format!("replay:{rgb565}"), copy]);
    let a = std::fs::read(rgb565).unwrap();
    let b = std::fs::read(copy).unwrap();
    assert_eq!(a.len(), b.len());
    // Payloads (after the 16-byte header and 32-byte chunk header) match.
    assert_eq!(a[48..48 + 1024], b[48..48 + 1024]);
    // --seconds stops by time.
    let timed = dir.path().join("timed.bin");
    ok(&[
        "record",
        "synthetic",
        timed.to_str().unwrap(),
        "--seconds",
        "0.3",
        "--size",
        "16x16",
        "--fps",
        "50",
    ]);
    let info = String::from_utf8_lossy(&ok(&["info", timed.to_str().unwrap()]).stdout).into_owned();
    let frames = info.matches("JPEG").count();
    assert!(
        (10..=20).contains(&frames),
        "{frames} frames in 0.3 s at 50 fps: {info}"
    );
}

/// A picamera-style capture file from the library's emulator.
fn pi_capture(dir: &Path, format: camreel::capture::picamera::PiFormat, name: &str) -> String {
    let mut cam = camreel::capture::picamera::PiCamera::emulator(100, 60, 5).unwrap();
    let data = cam.capture_bytes(format).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path.to_str().unwrap().to_owned()
}

fn png_size(path: &Path) -> (u32, u32, u8) {
    let img = camreel::codec::png::decode(&std::fs::read(path).unwrap()).unwrap();
    let depth = if img.format() == camreel::PixelFormat::Rgb48 {
        16
    } else {
        8
    };
    (img.width(), img.height(), depth)
}

#[test]
fn raw_decodes_yuv_rgb_and_bayer_to_png() {
    use camreel::capture::picamera::PiFormat;
    let dir = tempfile::tempdir().unwrap();
    let yuv = pi_capture(dir.path(), PiFormat::Yuv, "image.yuv");
    let rgb = pi_capture(dir.path(), PiFormat::Rgb, "image.rgb");
    let out = dir.path().join("out.png");
    let out_s = out.to_str().unwrap();
    ok(&["raw", &yuv, out_s, "--format", "yuv420", "--size", "100x60"]);
    assert_eq!(png_size(&out), (100, 60, 8));
    ok(&[
        "raw", &rgb, out_s, "--format", "rgb", "--size", "100x60", "--depth", "16",
    ]);
    assert_eq!(png_size(&out), (100, 60, 16));
    // The RGB PNG is exactly the cropped capture.
    ok(&["raw", &rgb, out_s, "--format", "rgb", "--size", "100x60"]);
    let png = camreel::codec::png::decode(&std::fs::read(&out).unwrap()).unwrap();
    let data = std::fs::read(&rgb).unwrap();
    let cropped = camreel::raw::crop_rgb(&data, 100, 60, camreel::PixelFormat::Rgb888).unwrap();
    assert_eq!(png, cropped);

    // A small JPEG+Bayer file built by hand (a full OV5647 block is 6 MB).
    let samples: Vec<u16> = (0..64 * 32).map(|i| (i * 3 % 1024) as u16).collect();
    let header = camreel::raw::BrcmHeader::new("test", 64, 32, camreel::BayerOrder::Bggr);
    let mut file = b"\xFF\xD8\xFF\xD9".to_vec();
    file.extend(camreel::raw::build_raw_block(&header, &samples).unwrap());
    let bayer = dir.path().join("bayer.jpg");
    std::fs::write(&bayer, file).unwrap();
    let bayer = bayer.to_str().unwrap();
    for d in ["average", "bilinear", "mhc"] {
        ok(&[
            "raw",
            bayer,
            out_s,
            "--format",
            "bayer",
            "--demosaic",
            d,
            "--depth",
            "16",
        ]);
        assert_eq!(png_size(&out), (64, 32, 16), "{d}");
    }

    assert_fails_with(&["raw", &yuv, out_s, "--format", "yuv420"], "needs --size");
    assert_fails_with(
        &["raw", bayer, out_s, "--format", "bayer", "--size", "4x4"],
        "--size does not apply",
    );
    assert_fails_with(
        &[
            "raw",
            &rgb,
            out_s,
            "--format",
            "rgb",
            "--size",
            "100x60",
            "--demosaic",
            "mhc",
        ],
        "bayer captures only",
    );
    assert_usage_error(
        &[
            "raw", &rgb, out_s, "--format", "rgb", "--size", "100x60", "--depth", "12",
        ],
        "[possible values: 8, 16]",
    );
    assert_fails_with(
        &["raw", &rgb, out_s, "--format", "rgb", "--size", "140x60"],
        "is 30720 bytes, got 24576",
    );
    assert_usage_error(
        &["raw", &rgb, out_s, "--format", "h264", "--size", "100x60"],
        "[possible values: yuv420, rgb, bayer]",
    );
    assert_fails_with(
        &["raw", &rgb, out_s, "--format", "bayer"],
        "no raw Bayer block",
    );
    assert_usage_error(
        &[
            "raw",
            bayer,
            out_s,
            "--format",
            "bayer",
            "--demosaic",
            "magic",
        ],
        "[possible values: average, bilinear, mhc]",
    );
    let jpg = dir.path().join("out.jpg");
    assert_fails_with(
        &[
            "raw",
            &rgb,
            jpg.to_str().unwrap(),
            "--format",
            "rgb",
            "--size",
            "100x60",
        ],
        ".png",
    );
    assert_fails_with(
        &["raw", "/nonexistent/x", out_s, "--format", "bayer"],
        "/nonexistent/x",
    );
}

#[test]
fn convert_raw_capture_to_bin_and_png() {
    use camreel::capture::picamera::PiFormat;
    let dir = tempfile::tempdir().unwrap();
    let yuv = pi_capture(dir.path(), PiFormat::Yuv, "image.yuv");
    let pattern = dir.path().join("frame%02d.png");
    ok(&[
        "convert",
        &yuv,
        pattern.to_str().unwrap(),
        "--raw",
        "yuv420",
        "--size",
        "100x60",
    ]);
    assert_eq!(png_size(&dir.path().join("frame00.png")), (100, 60, 8));
    let rgb = pi_capture(dir.path(), PiFormat::Rgb, "image.rgb");
    let single = dir.path().join("rgb%d.png");
    ok(&[
        "convert",
        &rgb,
        single.to_str().unwrap(),
        "--raw",
        "rgb",
        "--size",
        "100x60",
    ]);
    let png =
        camreel::codec::png::decode(&std::fs::read(dir.path().join("rgb0.png")).unwrap()).unwrap();
    let data = std::fs::read(&rgb).unwrap();
    assert_eq!(
        png,
        camreel::raw::crop_rgb(&data, 100, 60, camreel::PixelFormat::Rgb888).unwrap()
    );
    // ImageIO has no code for RGB888: the .bin stores the frame as PNG,
    // losslessly.
    let bin = dir.path().join("rgb.bin");
    ok(&[
        "convert",
        &rgb,
        bin.to_str().unwrap(),
        "--raw",
        "rgb",
        "--size",
        "100x60",
    ]);
    let mut stream = camreel::imageio::FileStream::open(&bin).unwrap();
    assert_eq!(stream.count(), 1);
    let stored = stream
        .read(camreel::imageio::ReadOptions::NO_WAIT)
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.format(), stored.size()),
        (camreel::PixelFormat::Png, (100, 60))
    );
    assert_eq!(camreel::codec::decode(stored.view()).unwrap(), png);
    assert_fails_with(
        &[
            "convert",
            &yuv,
            pattern.to_str().unwrap(),
            "--raw",
            "yuv420",
        ],
        "needs --size",
    );
}

#[test]
fn record_to_avi_and_gif_plays_in_ffprobe() {
    let dir = tempfile::tempdir().unwrap();
    let avi = dir.path().join("clip.avi");
    let gif = dir.path().join("clip.gif");
    for out in [&avi, &gif] {
        ok(&[
            "record",
            "synthetic",
            out.to_str().unwrap(),
            "--frames",
            "12",
            "--size",
            "96x64",
            "--fps",
            "25",
        ]);
    }
    let Some(ffprobe) = ffprobe() else {
        return;
    };
    let probe = |path: &Path| {
        let o = Command::new(ffprobe)
            .args([
                "-v",
                "error",
                "-count_frames",
                "-show_entries",
                "stream=codec_name,width,height,nb_read_frames",
                "-of",
                "csv=p=0",
            ])
            .arg(path)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    };
    assert_eq!(probe(&avi), "mjpeg,96,64,12");
    assert_eq!(probe(&gif), "gif,96,64,12");
}

#[test]
fn record_to_avi_keeps_the_sources_nominal_rate() {
    // Three frames 33.3 ms apart would measure as 1000/33 fps; the synthetic
    // camera is paced at exactly 30.
    let dir = tempfile::tempdir().unwrap();
    let avi = dir.path().join("clip.avi");
    let path = avi.to_str().unwrap();
    ok(&[
        "record",
        "synthetic",
        path,
        "--frames",
        "3",
        "--size",
        "32x24",
    ]);
    let info = camreel::avi::info(&avi).unwrap();
    assert_eq!(
        info.frame_rate,
        camreel::timing::FrameRate::new(30, 1).unwrap()
    );
    ok(&[
        "record",
        "synthetic",
        path,
        "--frames",
        "3",
        "--size",
        "32x24",
        "--fps",
        "12.5",
    ]);
    assert_eq!(
        camreel::avi::info(&avi).unwrap().frame_rate,
        camreel::timing::FrameRate::new(25, 2).unwrap()
    );
}
