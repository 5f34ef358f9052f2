//! `camreel info FILE [--json]`: what a recording holds, by file kind.

use std::path::Path;

use camreel::camera::replay::ReplayKind;
use camreel::error::quote_path;
use camreel::{Error, ErrorKind, Result};

/// Runs `camreel info`.
pub fn run(path: &Path, json: bool) -> Result<()> {
    if path.to_string_lossy().contains('%') {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{}: PNG sequences are an output only (info reads .bin, .avi and .gif)",
                quote_path(path)
            ),
        ));
    }
    match ReplayKind::of(path)? {
        ReplayKind::ImageIo => crate::info_bin::info(path, json),
        ReplayKind::Avi => crate::info_avi::info(path, json),
        ReplayKind::Gif => crate::info_gif::info(path, json),
        _ => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{}: no information for this kind of file", quote_path(path)),
        )),
    }
}
