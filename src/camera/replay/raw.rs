//! [`RawReplay`]: a picamera raw capture as a one-frame camera.

use std::path::Path;
use std::time::Duration;

use super::ReplayOptions;
use crate::camera::{CameraSource, Frame, StreamFormat};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::image::Image;
use crate::io_util::read_capped;

/// A picamera raw capture (YUV420, RGB, BGR or JPEG + Bayer) decoded once
/// (see [`crate::raw::decode`]) and delivered as one frame at time zero.
/// The file is read once, capped at the [`Limits`](crate::Limits) byte limit
/// as it is read (a pipe or a device cannot make it grow without bound).
#[derive(Debug)]
pub struct RawReplay {
    image: Image,
    delivered: bool,
}

impl RawReplay {
    /// Reads and decodes the capture at `path` as [`ReplayOptions::raw`]
    /// says.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] without [`ReplayOptions::raw`];
    /// [`ErrorKind::LimitExceeded`] past the byte limit; whatever
    /// [`crate::raw::decode`] returns, with the file named.
    pub fn open(path: impl AsRef<Path>, options: &ReplayOptions) -> Result<RawReplay> {
        let path = path.as_ref();
        let name = quote_path(path);
        let Some((spec, decode)) = &options.raw else {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{name}: a raw capture needs its format (yuv420, rgb, bgr or bayer)"),
            ));
        };
        let data = read_capped(path, &options.limits)?;
        let image = crate::raw::decode(&data, spec, decode).map_err(|e| e.context(&name))?;
        Ok(RawReplay {
            image,
            delivered: false,
        })
    }
}

impl CameraSource for RawReplay {
    fn format(&self) -> StreamFormat {
        let (w, h) = self.image.size();
        StreamFormat::new(self.image.format(), w, h)
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        if self.delivered {
            return Ok(None);
        }
        self.delivered = true;
        Ok(Some(Frame::new(self.image.view(), 0, Duration::ZERO)))
    }
}
