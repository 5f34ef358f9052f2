//! [`SyntheticBuilder`]: the settings of a synthetic camera.

use std::sync::Arc;

use super::camera::SyntheticCamera;
use super::scene::MotionEvent;
use crate::clock::Clock;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, Limits, PixelFormat};

/// Driver buffers of a paced synthetic camera unless
/// [`SyntheticBuilder::buffers`] says otherwise (what V4L2 capture commonly
/// queues).
pub const DEFAULT_BUFFERS: usize = 4;

/// The most driver buffers [`SyntheticBuilder::buffers`] takes.
pub const MAX_BUFFERS: usize = 64;

/// Settings of a [`SyntheticCamera`]; [`SyntheticBuilder::build`] makes one.
#[derive(Clone)]
#[must_use]
pub struct SyntheticBuilder {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) format: PixelFormat,
    pub(super) seed: u64,
    pub(super) fps: Option<f64>,
    pub(super) clock: Option<Arc<dyn Clock>>,
    pub(super) frame_limit: Option<u64>,
    pub(super) noise: u8,
    pub(super) objects: u32,
    pub(super) events: Vec<MotionEvent>,
    pub(super) pan: bool,
    pub(super) first_sequence: u64,
    pub(super) buffers: usize,
}

impl std::fmt::Debug for SyntheticBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyntheticBuilder")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("format", &self.format)
            .field("seed", &self.seed)
            .field("fps", &self.fps)
            .field("frame_limit", &self.frame_limit)
            .field("noise", &self.noise)
            .field("objects", &self.objects)
            .field("events", &self.events)
            .field("pan", &self.pan)
            .field("buffers", &self.buffers)
            .finish_non_exhaustive()
    }
}

impl Default for SyntheticBuilder {
    /// 640x480 RGB888, seed 0, free-running, no frame limit, noise 2, five
    /// discs, panning on, [`DEFAULT_BUFFERS`] driver buffers.
    fn default() -> SyntheticBuilder {
        SyntheticBuilder {
            width: 640,
            height: 480,
            format: PixelFormat::Rgb888,
            seed: 0,
            fps: None,
            clock: None,
            frame_limit: None,
            noise: 2,
            objects: 5,
            events: Vec::new(),
            pan: true,
            first_sequence: 0,
            buffers: DEFAULT_BUFFERS,
        }
    }
}

impl SyntheticBuilder {
    /// Frame size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Pixel format of the frames. RGB888, BGR888 and GRAYSCALE are rendered
    /// directly; every other uncompressed format (YUV420, NV12, YUV422,
    /// RGB565, Bayer, 16-bit Bayer, RAW10, ...) is converted from RGB888 by
    /// [`crate::convert`] (PNG through [`crate::codec::transcode`]); JPEG frames (quality [`JPEG_QUALITY`](super::JPEG_QUALITY))
    /// come like an MJPEG webcam's.
    pub fn format(mut self, format: PixelFormat) -> Self {
        self.format = format;
        self
    }

    /// Seed of the scene layout, the objects and the noise.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Paces delivery at `fps` frames per second on the clock (the default is
    /// free-running: as fast as frames can be rendered).
    pub fn fps(mut self, fps: f64) -> Self {
        self.fps = Some(fps);
        self
    }

    /// Delivers frames as fast as they can be rendered (the default).
    pub fn free_running(mut self) -> Self {
        self.fps = None;
        self
    }

    /// The clock that paces frames and stamps them (default: the monotonic clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Ends the source after `frames` frames (default: never ends).
    pub fn frame_limit(mut self, frames: u64) -> Self {
        self.frame_limit = Some(frames);
        self
    }

    /// Noise amplitude in levels, 0 for none (default 2).
    pub fn noise(mut self, amplitude: u8) -> Self {
        self.noise = amplitude;
        self
    }

    /// Number of bouncing discs (default 5).
    pub fn objects(mut self, count: u32) -> Self {
        self.objects = count;
        self
    }

    /// Adds a scripted object crossing the scene.
    pub fn motion_event(mut self, event: MotionEvent) -> Self {
        self.events.push(event);
        self
    }

    /// Whether the background pans (default true). A still background and
    /// `objects(0)` give a static scene apart from noise and motion events.
    pub fn pan(mut self, pan: bool) -> Self {
        self.pan = pan;
        self
    }

    /// The sequence number of the first frame (default 0).
    pub fn first_sequence(mut self, sequence: u64) -> Self {
        self.first_sequence = sequence;
        self
    }

    /// How many captured frames the paced camera's "driver" holds for a
    /// reader that is late, 1 to [`MAX_BUFFERS`] (values outside are
    /// clamped; default [`DEFAULT_BUFFERS`]).
    ///
    /// A paced camera behaves as a real one does: its sensor captures frame
    /// `i` at `i / fps` whether or not anyone reads, into a free buffer. A
    /// reader that falls behind gets the buffered frames, oldest first, each
    /// with its capture time; frames captured while every buffer was full
    /// are dropped, and the sequence numbers of the frames delivered show
    /// the gap (see [`SyntheticCamera::frames_dropped`]). A free-running
    /// camera renders frames on demand and never drops one.
    pub fn buffers(mut self, buffers: usize) -> Self {
        self.buffers = buffers.clamp(1, MAX_BUFFERS);
        self
    }

    /// Builds the camera (renders the static background once).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] / [`ErrorKind::LimitExceeded`] for a
    /// size outside the default [`Limits`]; [`ErrorKind::InvalidArgument`] for
    /// a frame rate that is not positive and finite;
    /// [`ErrorKind::UnsupportedFormat`] for a format the camera cannot produce.
    pub fn build(self) -> Result<SyntheticCamera> {
        Limits::default().check(PixelFormat::Rgb888, self.width, self.height)?;
        if let Some(fps) = self.fps
            && !(fps.is_finite() && fps > 0.0 && fps <= 10_000.0)
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("frame rate {fps} is out of range (expected more than 0, up to 10000)"),
            ));
        }
        check_format(self.format)?;
        SyntheticCamera::from_settings(self)
    }
}

fn check_format(format: PixelFormat) -> Result<()> {
    match format {
        PixelFormat::Rgb888 | PixelFormat::Bgr888 | PixelFormat::Grayscale | PixelFormat::Jpeg => {
            Ok(())
        }
        // Everything else is converted from RGB888: try it on a tiny image.
        other => {
            let tiny = Image::zeroed(PixelFormat::Rgb888, 2, 2)?;
            crate::codec::transcode(tiny.view(), other)
                .map(|_| ())
                .map_err(|e| e.context("the synthetic camera"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_refused() {
        let e = SyntheticCamera::builder().size(0, 10).build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        let e = SyntheticCamera::builder()
            .size(100_000, 10)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        let e = SyntheticCamera::builder().fps(-1.0).build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = SyntheticCamera::builder()
            .fps(f64::NAN)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
}
