//! Video4Linux2 cameras (`/dev/videoN`).
//!
//! The device backend, `V4l2Source`, needs the cargo feature `v4l2` on Linux
//! (it uses the `v4l` crate: mmap streaming, buffers owned by types that
//! unmap on drop). Everything above the ioctls is plain code that is always
//! built and unit-tested:
//!
//! | file | contents |
//! |---|---|
//! | `fourcc` | [`pixel_format_of`] / [`fourcc_of`]: fourcc <-> [`PixelFormat`](crate::PixelFormat) |
//! | `negotiate` | which of the device's formats and sizes ([`Offer`]s) to ask for |
//! | `frame` | a dequeued buffer cut to `bytesused`; padded YUV420/NV12 lines repacked |
//! | `os_error` | `errno` to [`ErrorKind`] (`ENODEV` is `Disconnected`, a poll timeout `Timeout`) |
//! | `controls` | [`Controls`] (exposure, gain, white balance) to control writes, clamped to what the device reports |
//! | `device` | `V4l2Source`, `V4l2Builder`: the ioctls |
//!
//! ```no_run
//! # #[cfg(all(feature = "v4l2", target_os = "linux"))]
//! # fn main() -> camreel::Result<()> {
//! use camreel::camera::{CameraSource, v4l2::{Controls, Exposure, V4l2Source}};
//! use camreel::PixelFormat;
//!
//! let mut cam = V4l2Source::builder("/dev/video0")
//!     .size(1280, 720)
//!     .format(PixelFormat::Jpeg) // MJPEG frames are passed through as JPEG
//!     .fps(30.0)
//!     .controls(Controls::new().exposure(Exposure::Auto).gain(16))
//!     .open()?;
//! println!("negotiated {:?}", cam.format());
//! let frame = cam.next_frame()?.expect("cameras do not end");
//! std::fs::write("frame.jpg", frame.image.data())?;
//! # Ok(()) }
//! # #[cfg(not(all(feature = "v4l2", target_os = "linux")))]
//! # fn main() {}
//! ```

mod controls;
#[cfg(all(feature = "v4l2", target_os = "linux"))]
mod device;
mod fourcc;
mod frame;
mod negotiate;
mod os_error;

use crate::error::{Error, ErrorKind};

pub use controls::{Controls, Exposure, WhiteBalance};
#[cfg(all(feature = "v4l2", target_os = "linux"))]
pub use device::{V4l2Builder, V4l2Source};
pub use fourcc::{fourcc_name, fourcc_of, pixel_format_of};
pub use negotiate::{Offer, SizeRange};

/// The error for opening a V4L2 device when the backend is not compiled in.
#[cfg_attr(all(feature = "v4l2", target_os = "linux"), allow(dead_code))]
pub(crate) fn unavailable(path: &str) -> Error {
    Error::new(
        ErrorKind::BackendUnavailable,
        format!(
            "{path}: the V4L2 backend is not compiled in (rebuild with `--features v4l2`, on Linux)"
        ),
    )
}

#[cfg(test)]
mod tests {
    #[cfg(not(all(feature = "v4l2", target_os = "linux")))]
    #[test]
    fn unavailable_names_the_feature() {
        let e = super::unavailable("/dev/video0");
        assert_eq!(e.kind(), crate::ErrorKind::BackendUnavailable);
        assert!(e.to_string().contains("`--features v4l2`"));
    }
}
