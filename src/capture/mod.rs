//! picamera-style capture over any [`CameraSource`](crate::camera::CameraSource).
//!
//! - [`CaptureExt::capture`]: one frame, encoded, to any [`Write`](std::io::Write)
//!   (or a path with [`CaptureExt::capture_file`]).
//! - [`CaptureExt::capture_sequence`]: a burst into an iterator of outputs,
//!   the fast path: the encoder and its buffers are set up once.
//! - [`CaptureExt::capture_continuous`]: an endless iterator of captures.
//! - [`Splitter`]: one stream to several outputs (picamera's splitter ports),
//!   each at its own resolution, plus stills taken while recording without
//!   dropping recording frames.
//! - Custom outputs: anything implementing [`Write`](std::io::Write) (with an
//!   [`Encoder`]), or a [`FrameSink`], which sees each whole frame (every
//!   writer is one: an ImageIO [`FileStream`](crate::imageio::FileStream), an
//!   AVI, a GIF).
//! - [`pipeline`]: a capture thread, a bounded queue, a worker pool and
//!   ordered output (picamera's rapid-capture-and-processing recipe).
//! - [`picamera`]: the Raspberry Pi camera's capture layouts (`'yuv'`,
//!   `'rgb'`, JPEG + raw Bayer), capture on a trigger, and an emulator.
//!
//! | file | contents |
//! |---|---|
//! | `encoder` | [`Encoder`], [`RawEncoder`] |
//! | `still` | [`JpegCapture`], [`PngCapture`] |
//! | `sink` | [`EncodedSink`] |
//! | `ext` | [`CaptureExt`] |
//! | `continuous` | [`Continuous`], [`Capture`] |
//! | `splitter` | [`Splitter`] and its stills |
//! | `transform` | [`Transform`], [`Resize`] |
//!
//! ```
//! use camreel::camera::synthetic::SyntheticCamera;
//! use camreel::capture::{CaptureExt, RawEncoder};
//!
//! let mut cam = SyntheticCamera::builder().size(32, 16).build()?;
//! let mut outputs = vec![Vec::new(), Vec::new(), Vec::new()];
//! let n = cam.capture_sequence(outputs.iter_mut(), &mut RawEncoder)?;
//! assert_eq!(n, 3);
//! assert!(outputs.iter().all(|o| o.len() == 32 * 16 * 3));
//! # Ok::<(), camreel::Error>(())
//! ```

mod continuous;
mod encoder;
mod ext;
pub mod picamera;
pub mod pipeline;
mod sink;
mod splitter;
mod still;
#[cfg(test)]
pub(crate) mod testing;
mod transform;

pub use crate::sink::FrameSink;
pub use continuous::{Capture, Continuous};
pub use encoder::{Encoder, RawEncoder};
pub use ext::CaptureExt;
pub use picamera::{PiRgbEncoder, PiYuvEncoder};
pub use sink::EncodedSink;
pub use splitter::{PendingStill, PortId, Splitter, SplitterStats, StillHandle};
pub use still::{JpegCapture, PngCapture};
pub use transform::{Resize, Transform};
