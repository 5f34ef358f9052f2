//! The Raspberry Pi camera's capture layouts (picamera's
//! `capture(output, format)`) over any camera source.
//!
//! [`PiCamera`] wraps a [`CameraSource`](crate::camera::CameraSource) and produces the buffers picamera
//! gives: `'yuv'` (YUV420 planes padded to 32x16), `'rgb'`/`'bgr'` (rows
//! padded to 32x16), `'jpeg'`, and `'jpeg'` with `bayer=True` (the JPEG with
//! a raw Bayer block appended: `BRCM` header, RAW10 rows in the OV5647 or
//! IMX219 layout; see [`crate::raw`]). Each capture returns a
//! [`PiCaptureInfo`] whose [`CaptureSpec`] is all [`raw::decode`](crate::raw::decode)
//! needs to read the bytes back.
//!
//! On a Pi the source is the camera's V4L2 node (see
//! [`camera::rpi`](crate::camera::rpi)); anywhere else
//! [`PiCamera::emulator`] puts it on the synthetic camera, so every
//! picamera recipe runs, byte layout for byte layout, on a laptop.
//! [`capture_on_trigger`] takes stills when a
//! [`TriggerInput`](crate::camera::rpi::TriggerInput) fires, with an
//! [`Indicator`](crate::camera::rpi::Indicator) lit during each.
//!
//! | file | contents |
//! |---|---|
//! | `camera` | [`PiCamera`], [`PiCaptureInfo`] |
//! | `encoders` | [`PiYuvEncoder`], [`PiRgbEncoder`] |
//! | `sensor` | the raw block from a sensor frame |
//! | `emulator` | [`PiCamera::emulator`]: JPEG and raw block from one sensor frame |
//! | `trigger` | [`capture_on_trigger`] |
//!
//! ```
//! use camreel::capture::picamera::{PiCamera, PiFormat};
//! use camreel::raw::{self, DecodeOptions};
//!
//! let mut camera = PiCamera::emulator(100, 100, 1)?;
//! let mut data = Vec::new();
//! let capture = camera.capture_as(&mut data, PiFormat::Rgb)?;
//! assert_eq!(data.len(), 128 * 112 * 3); // padded, as on a Pi
//! let image = raw::decode(&data, &capture.spec, &DecodeOptions::new())?;
//! assert_eq!(image.size(), (100, 100));
//! # Ok::<(), camreel::Error>(())
//! ```

mod camera;
mod emulator;
mod encoders;
mod sensor;
mod trigger;

pub use crate::raw::{CaptureSpec, PiFormat};
pub use camera::{DEFAULT_QUALITY, PiCamera, PiCaptureInfo};
pub use encoders::{PiRgbEncoder, PiYuvEncoder};
pub use trigger::{TriggerStats, capture_on_trigger};
