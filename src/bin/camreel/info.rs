//! `camreel info FILE [--json]`.

use std::path::Path;

use camreel::Result;

use crate::frames::FileKind;
use crate::{bin_io, gif_io, unavailable};

/// Runs `camreel info`.
pub fn run(path: &Path, json: bool) -> Result<()> {
    match FileKind::of(path)? {
        FileKind::Bin => bin_io::info(path, json),
        FileKind::Avi => crate::avi_io::info(path, json),
        FileKind::Gif => gif_io::info(path, json),
        FileKind::PngPattern => unavailable::later("info on PNG sequences", "a later issue"),
    }
}
