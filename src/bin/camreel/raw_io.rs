//! `convert --raw`: a picamera raw capture as a one-frame input.

use std::path::Path;

use camreel::raw::{self, CaptureSpec, DecodeOptions, PiFormat};
use camreel::{Error, ErrorKind, Result};

use crate::frames::{Frame, FrameInput, RawInput};

/// A raw capture decoded to one RGB888 frame.
pub struct RawFrameInput {
    frame: Option<Frame>,
}

/// Opens `path` as a raw capture of the kind and size in `raw`.
pub fn open(path: &Path, raw: &RawInput) -> Result<Box<dyn FrameInput>> {
    let kind: PiFormat = raw.kind.parse()?;
    if kind == PiFormat::Jpeg {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("--raw {}: expected yuv420, rgb, bgr or bayer", raw.kind),
        ));
    }
    if kind != PiFormat::JpegBayer && raw.size.is_none() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "--raw {} needs --size WxH (the requested capture size)",
                raw.kind
            ),
        ));
    }
    let data = crate::raw::read_capped(path)?;
    let spec = match raw.size {
        Some((w, h)) => CaptureSpec::new(kind, w, h),
        None => CaptureSpec::without_size(kind),
    };
    let image =
        raw::decode(&data, &spec, &DecodeOptions::new()).map_err(|e| e.context(path.display()))?;
    Ok(Box::new(RawFrameInput {
        frame: Some(Frame {
            image,
            elapsed_ms: 0,
        }),
    }))
}

impl FrameInput for RawFrameInput {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        Ok(self.frame.take())
    }

    fn frame_count(&self) -> Option<u64> {
        Some(u64::from(self.frame.is_some()))
    }
}
