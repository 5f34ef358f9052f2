//! `camreel info FILE [--json]`.

use std::path::Path;

use camreel::{Error, ErrorKind, Result};

use crate::bin_io;
use crate::frames::FileKind;

/// Runs `camreel info`.
pub fn run(path: &Path, json: bool) -> Result<()> {
    match FileKind::of(path)? {
        FileKind::Bin => bin_io::info(path, json),
        FileKind::Avi => crate::avi_io::info(path, json),
        FileKind::Gif => crate::gif_io::info(path, json),
        FileKind::PngPattern => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{}: PNG sequences are an output only (info reads .bin, .avi and .gif)",
                path.display()
            ),
        )),
    }
}
