//! A deterministic synthetic camera: camera-like content with no hardware.
//!
//! The scene is a panning landscape (sky gradient, a wavy horizon, textured
//! ground, buildings with lit windows), shaded discs that bounce around,
//! optional scripted [`MotionEvent`]s (an object crossing a region between two
//! frames, for motion-detection tests) and sensor-like noise. Everything is a
//! pure function of the seed and the frame number, so two cameras built with
//! the same settings deliver byte-identical frames, and
//! [`SyntheticCamera::render`] reproduces any frame on its own.
//!
//! Frames come in any pixel format: RGB888, BGR888 and GRAYSCALE are
//! rendered directly, the others (YUV420, RGB565, Bayer, RAW10, PNG, ...)
//! are converted from RGB888, and JPEG frames are encoded like an MJPEG
//! webcam's.
//!
//! The background moves by exactly +2 pixels per frame horizontally and +-1
//! pixel vertically (a triangle wave), so frame 0 -> 1 has a known global
//! motion of (+2, +1).
//!
//! ```
//! use std::time::Duration;
//! use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
//! use camreel::clock::ManualClock;
//! use camreel::PixelFormat;
//!
//! let clock = ManualClock::shared();
//! let mut cam = SyntheticCamera::builder()
//!     .size(160, 120)
//!     .format(PixelFormat::Grayscale)
//!     .seed(7)
//!     .fps(25.0)
//!     .clock(clock.clone())
//!     .build()?;
//! let t0 = cam.next_frame()?.unwrap().timestamp;
//! let t1 = cam.next_frame()?.unwrap().timestamp;
//! assert_eq!(t1 - t0, Duration::from_millis(40)); // paced at 25 fps
//! # Ok::<(), camreel::Error>(())
//! ```

mod builder;
mod camera;
mod scene;

pub use builder::{DEFAULT_BUFFERS, MAX_BUFFERS, SyntheticBuilder};
pub use camera::{JPEG_QUALITY, SyntheticCamera};
pub use scene::MotionEvent;
