//! `camreel info FILE [--json]`: what a recording holds, by file kind.

use std::path::Path;

use camreel::camera::replay::ReplayKind;
use camreel::error::quote_path;
use camreel::timing::FrameRate;
use camreel::{Error, ErrorKind, Result};

/// Runs `camreel info`.
pub fn run(path: &Path, json: bool, fps: Option<FrameRate>) -> Result<()> {
    if path.to_string_lossy().contains('%') {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{}: PNG sequences are an output only (info reads .bin, .avi, .gif, .h264 and .mp4)",
                quote_path(path)
            ),
        ));
    }
    match ReplayKind::of(path)? {
        ReplayKind::ImageIo => crate::info_bin::info(path, json),
        ReplayKind::Avi => crate::info_avi::info(path, json),
        ReplayKind::Gif => crate::info_gif::info(path, json),
        ReplayKind::H264 | ReplayKind::Mp4 => crate::info_video::info(path, json, fps),
        _ => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{}: no information for this kind of file", quote_path(path)),
        )),
    }
}
