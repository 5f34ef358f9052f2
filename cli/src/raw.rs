//! `camreel raw IN OUT.png --format yuv420|rgb|bayer`: decode a picamera raw
//! capture to PNG.

use camreel::camera::CameraSource;
use camreel::camera::replay::{RawReplay, ReplayOptions};
use camreel::codec::png;
use camreel::convert::Demosaic;
use camreel::error::quote_path;
use camreel::raw::{CaptureSpec, DecodeOptions, PiFormat};
use camreel::{Error, ErrorKind, Result};

use crate::{DemosaicArg, RawArgs, RawFormat, args};

/// Runs `camreel raw`.
pub fn run(a: &RawArgs) -> Result<()> {
    let kind = match a.format {
        RawFormat::Yuv420 => PiFormat::Yuv,
        RawFormat::Rgb => PiFormat::Rgb,
        RawFormat::Bayer => PiFormat::JpegBayer,
    };
    if kind == PiFormat::JpegBayer && a.size.is_some() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "--size does not apply to bayer captures (the raw header gives the sensor size)",
        ));
    }
    if kind != PiFormat::JpegBayer && a.size.is_none() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "--format {} needs --size WxH (the requested capture size)",
                if kind == PiFormat::Yuv {
                    "yuv420"
                } else {
                    "rgb"
                }
            ),
        ));
    }
    let demosaic = match a.demosaic {
        Some(_) if kind != PiFormat::JpegBayer => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "--demosaic applies to bayer captures only",
            ));
        }
        Some(DemosaicArg::Average) => Demosaic::Average,
        Some(DemosaicArg::Bilinear) | None => Demosaic::Bilinear,
        Some(DemosaicArg::Mhc) => Demosaic::MalvarHeCutler,
    };
    let is_png = a
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if !is_png {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{}: the output must be a .png file", quote_path(&a.output)),
        ));
    }
    args::refuse_same_file(&a.input, &a.output)?;
    let spec = match a.size {
        Some((w, h)) => CaptureSpec::new(kind, w, h),
        None => CaptureSpec::without_size(kind),
    };
    let decode = DecodeOptions::new()
        .demosaic(demosaic)
        .depth(if a.depth == "16" { 16 } else { 8 });
    let mut capture = RawReplay::open(&a.input, &ReplayOptions::new().raw(spec, decode))?;
    let Some(frame) = capture.next_frame()? else {
        return Err(Error::new(
            ErrorKind::EndOfStream,
            format!("{}: no frame decoded", quote_path(&a.input)),
        ));
    };
    let mut out = Vec::new();
    png::encode(frame.image, &mut out)?;
    let tmp = a.output.with_extension("png.part");
    std::fs::write(&tmp, &out)
        .and_then(|()| std::fs::rename(&tmp, &a.output))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(format!("writing {}", quote_path(&a.output)), e)
        })
}
