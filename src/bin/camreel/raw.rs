//! `camreel raw IN OUT.png --format yuv420|rgb|bayer`: decode a picamera raw
//! capture to PNG.

use std::path::Path;

use camreel::codec::png;
use camreel::convert::Demosaic;
use camreel::raw::{self, CaptureSpec, DecodeOptions, PiFormat};
use camreel::{Error, ErrorKind, Limits, Result};

use crate::{RawArgs, parse_size};

/// Runs `camreel raw`.
pub fn run(args: &RawArgs) -> Result<()> {
    let kind: PiFormat = args.format.parse()?;
    if matches!(kind, PiFormat::Bgr | PiFormat::Jpeg) {
        // `camreel raw` takes the three formats of the SPEC; bgr is for convert --raw.
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("--format {}: expected yuv420, rgb or bayer", args.format),
        ));
    }
    let size = args.size.as_deref().map(parse_size).transpose()?;
    if kind == PiFormat::JpegBayer && size.is_some() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "--size does not apply to bayer captures (the raw header gives the sensor size)",
        ));
    }
    if kind != PiFormat::JpegBayer && size.is_none() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "--format {} needs --size WxH (the requested capture size)",
                args.format
            ),
        ));
    }
    let demosaic = match &args.demosaic {
        Some(_) if kind != PiFormat::JpegBayer => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "--demosaic applies to bayer captures only",
            ));
        }
        Some(d) => d.parse::<Demosaic>()?,
        None => Demosaic::default(),
    };
    if args.depth != 8 && args.depth != 16 {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("--depth {} is not 8 or 16", args.depth),
        ));
    }
    let is_png = args
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if !is_png {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{}: the output must be a .png file", args.output.display()),
        ));
    }
    let data = read_capped(&args.input)?;
    let spec = match size {
        Some((w, h)) => CaptureSpec::new(kind, w, h),
        None => CaptureSpec::without_size(kind),
    };
    let options = DecodeOptions::new().demosaic(demosaic).depth(args.depth);
    let rgb = raw::decode(&data, &spec, &options).map_err(|e| e.context(args.input.display()))?;
    let mut out = Vec::new();
    png::encode(rgb.view(), &mut out)?;
    std::fs::write(&args.output, &out)
        .map_err(|e| Error::io(format!("writing {}", args.output.display()), e))
}

/// Reads a whole capture file, refusing one larger than the default frame limit.
pub fn read_capped(path: &Path) -> Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?
        .len();
    Limits::default()
        .check_bytes(len)
        .map_err(|e| e.context(path.display()))?;
    std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))
}
