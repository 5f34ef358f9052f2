//! `camreel raw IN OUT.png --format yuv420|rgb|bayer`: decode a picamera raw
//! capture to PNG.

use camreel::camera::CameraSource;
use camreel::camera::replay::{RawReplay, ReplayOptions};
use camreel::codec::png;
use camreel::convert::Demosaic;
use camreel::error::quote_path;
use camreel::raw::{DecodeOptions, RawKind};
use camreel::{Error, ErrorKind, Result};

use crate::{DemosaicArg, RawArgs, RawFormat, args};

/// Runs `camreel raw`.
pub fn run(a: &RawArgs) -> Result<()> {
    let kind = match a.format {
        RawFormat::Yuv420 => RawKind::Yuv420,
        RawFormat::Rgb => RawKind::Rgb,
        RawFormat::Bayer => RawKind::Bayer,
    };
    if kind == RawKind::Bayer && a.size.is_some() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "--size does not apply to bayer captures (the raw header gives the sensor size)",
        ));
    }
    if kind != RawKind::Bayer && a.size.is_none() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "--format {} needs --size WxH (the requested capture size)",
                if kind == RawKind::Yuv420 {
                    "yuv420"
                } else {
                    "rgb"
                }
            ),
        ));
    }
    let demosaic = match a.demosaic {
        Some(_) if kind != RawKind::Bayer => {
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
    let decode = DecodeOptions {
        size: a.size,
        demosaic,
        depth: if a.depth == "16" { 16 } else { 8 },
    };
    let mut capture = RawReplay::open(&a.input, &ReplayOptions::new().raw(kind, decode))?;
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
