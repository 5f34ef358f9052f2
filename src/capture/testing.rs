//! Helpers shared by the capture tests.

use crate::camera::Frame;
use crate::camera::synthetic::SyntheticCamera;
use crate::error::Result;
use crate::sink::FrameSink;

/// A 40x20 RGB888 synthetic camera that ends after `frames` frames.
pub(crate) fn cam(frames: u64) -> SyntheticCamera {
    SyntheticCamera::builder()
        .size(40, 20)
        .frame_limit(frames)
        .build()
        .unwrap()
}

/// A sink that records sequence numbers and sizes.
#[derive(Default)]
pub(crate) struct Log {
    pub(crate) seqs: Vec<u64>,
    pub(crate) sizes: Vec<(u32, u32)>,
    pub(crate) finished: bool,
}

impl FrameSink for Log {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.seqs.push(frame.sequence);
        self.sizes.push(frame.image.size());
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        self.finished = true;
        Ok(())
    }
}
