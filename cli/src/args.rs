//! Parsers for option values, so that a malformed value is a usage error
//! (exit 2, with clap's message) rather than a runtime one.

use std::path::Path;
use std::time::Duration;

use camreel::error::quote_path;
use camreel::record::Overflow;
use camreel::timing::{FrameRate, MAX_FPS};
use camreel::{Error, ErrorKind, PixelFormat, Result};
use clap::builder::{PossibleValue, TypedValueParser};

/// The longest `--seconds`: one day.
pub const MAX_SECONDS: f64 = 86_400.0;

/// `WxH` (such as `640x480`), each side 1 to 65535.
pub fn size(s: &str) -> Result<(u32, u32)> {
    let bad = |why: &str| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("size {s:?} {why} (expected WIDTHxHEIGHT, such as 640x480)"),
        )
    };
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| bad("is not WIDTHxHEIGHT"))?;
    let w: u32 = w
        .trim()
        .parse()
        .map_err(|_| bad("has a width that is not a number"))?;
    let h: u32 = h
        .trim()
        .parse()
        .map_err(|_| bad("has a height that is not a number"))?;
    if w == 0 || h == 0 {
        return Err(bad("has a zero side"));
    }
    if w > 65535 || h > 65535 {
        return Err(bad("has a side above 65535"));
    }
    Ok((w, h))
}

/// A frame rate: `30`, `29.97` or `30000/1001`, within the documented
/// range (`camreel::timing::MIN_FPS` to `MAX_FPS`).
pub fn fps(s: &str) -> Result<FrameRate> {
    let out_of_range = || {
        Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "frame rate {s} is out of range (expected 1/86400 to {MAX_FPS} frames per second)"
            ),
        )
    };
    if s.trim()
        .parse::<f64>()
        .is_ok_and(|v| v.is_nan() || v <= 0.0)
    {
        return Err(out_of_range());
    }
    let rate: FrameRate = s.parse()?;
    if !(camreel::timing::MIN_FPS..=MAX_FPS).contains(&rate.fps()) {
        return Err(out_of_range());
    }
    Ok(rate)
}

/// The command-line flag of an output option the library names.
pub fn flag_of(option: &str) -> &str {
    match option {
        "frame_rate" => "--fps",
        "quality" => "--quality",
        "width" => "--width",
        "height" => "--height",
        "palette" => "--palette",
        "dither" => "--dither",
        "h264" => "--bitrate/--intra-period",
        other => other,
    }
}

/// Seconds: a positive number up to a day.
pub fn seconds(s: &str) -> Result<Duration> {
    let v: f64 = s.trim().parse().map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("{s:?} is not a number of seconds"),
        )
    })?;
    if !(v.is_finite() && v > 0.0 && v <= MAX_SECONDS) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{s} seconds is out of range (expected more than 0, up to {MAX_SECONDS})"),
        ));
    }
    Ok(Duration::from_secs_f64(v))
}

/// The pixel formats `--format` accepts, with their aliases, for clap to
/// check and list.
pub fn pixel_formats() -> Vec<PossibleValue> {
    let mut values = vec![
        PossibleValue::new("grayscale").aliases(["gray", "grey"]),
        PossibleValue::new("rgb565"),
        PossibleValue::new("yuv422").alias("yuyv"),
        PossibleValue::new("yvu422").alias("yvyu"),
        PossibleValue::new("jpeg").aliases(["jpg", "mjpeg"]),
        PossibleValue::new("png"),
        PossibleValue::new("argb8").alias("argb"),
        PossibleValue::new("binary"),
        PossibleValue::new("rgb888").alias("rgb"),
        PossibleValue::new("bgr888").alias("bgr"),
        PossibleValue::new("yuv420").alias("i420"),
        PossibleValue::new("nv12"),
        PossibleValue::new("gray16"),
        PossibleValue::new("rgb48"),
    ];
    for order in ["bggr", "gbrg", "grbg", "rggb"] {
        for prefix in ["bayer", "bayer10", "bayer12", "bayer16", "raw10"] {
            values.push(PossibleValue::new(format!("{prefix}_{order}")));
        }
    }
    values
}

/// `--format`: one of [`pixel_formats`].
pub fn pixel_format() -> impl clap::builder::TypedValueParser<Value = PixelFormat> {
    clap::builder::PossibleValuesParser::new(pixel_formats()).try_map(|s| s.parse::<PixelFormat>())
}

/// `record --drop`: a `camreel::record::Overflow` by its name.
pub fn overflow() -> impl clap::builder::TypedValueParser<Value = Overflow> {
    clap::builder::PossibleValuesParser::new([
        PossibleValue::new("oldest").help("drop the oldest queued frame (the freshest frames win)"),
        PossibleValue::new("newest").help("drop the new frame (the queued frames win)"),
        PossibleValue::new("block")
            .help("wait for the output (a live camera then drops frames itself)"),
    ])
    .try_map(|s| Overflow::from_name(&s).ok_or("not a drop policy"))
}

/// Whether `a` and `b` name the same file (the same device and inode, so a
/// hard link or another spelling of the path counts); false when either
/// does not exist.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    }
}

/// Refuses to write `output` when it is the file `input` is read from.
pub fn refuse_same_file(input: &Path, output: &Path) -> Result<()> {
    if same_file(input, output) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{} is both the input and the output; write to another file",
                quote_path(output)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size("640x480").unwrap(), (640, 480));
        assert_eq!(size(" 2 X 3 ").unwrap(), (2, 3));
        for (bad, why) in [
            ("0x0", "has a zero side"),
            ("640", "is not WIDTHxHEIGHT"),
            ("ax3", "width that is not a number"),
            ("70000x1", "above 65535"),
        ] {
            let e = size(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn rates_and_seconds() {
        assert_eq!(fps("30000/1001").unwrap(), FrameRate::NTSC);
        assert_eq!(fps("0.001").unwrap(), FrameRate::new(1, 1000).unwrap());
        for bad in ["1e-20", "5e-324", "1e-300", "0", "-1", "20000", "x", "inf"] {
            assert!(fps(bad).is_err(), "{bad}");
        }
        assert_eq!(seconds("1.5").unwrap(), Duration::from_millis(1500));
        for bad in ["0", "-2", "nan", "1e9", "x"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_listed_format_parses() {
        for v in pixel_formats() {
            for name in v.get_name_and_aliases() {
                assert!(name.parse::<PixelFormat>().is_ok(), "{name}");
            }
        }
    }

    #[test]
    fn hard_links_are_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.bin");
        std::fs::write(&a, b"x").unwrap();
        let b = dir.path().join("hard.bin");
        std::fs::hard_link(&a, &b).unwrap();
        assert!(same_file(&a, &b));
        assert!(same_file(&a, &dir.path().join(".").join("a.bin")));
        assert!(!same_file(&a, &dir.path().join("new.bin")));
        assert!(refuse_same_file(&a, &b).is_err());
    }
}
