//! Decoding for the `.h264` and `.mp4` readers: access units in decoding
//! order in, pictures in presentation order out, each with the time and
//! number of the access unit it came from.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

use crate::error::Result;
use crate::frame::Frame;
use crate::h264::H264Decoder;
use crate::image::Limits;

/// An [`H264Decoder`] that pairs pictures with presentation times.
#[derive(Debug)]
pub(crate) struct DecodeQueue {
    decoder: H264Decoder,
    /// Times and numbers of the access units fed and not yet out: a
    /// decoder outputs pictures in presentation order, so the smallest
    /// time belongs to the next picture.
    times: BinaryHeap<Reverse<(Duration, u64)>>,
    current: (Duration, u64),
}

impl DecodeQueue {
    pub(crate) fn new(limits: Limits) -> Result<DecodeQueue> {
        Ok(DecodeQueue {
            decoder: H264Decoder::with_limits(limits)?,
            times: BinaryHeap::new(),
            current: (Duration::ZERO, 0),
        })
    }

    /// Decodes `au`; true when a picture is ready ([`DecodeQueue::frame`]).
    pub(crate) fn push(&mut self, au: &[u8], timestamp: Duration, sequence: u64) -> Result<bool> {
        self.times.push(Reverse((timestamp, sequence)));
        let ready = self.decoder.push(au)?;
        Ok(ready && self.take_time())
    }

    /// After the last access unit: true while pictures come out.
    pub(crate) fn flush(&mut self) -> Result<bool> {
        Ok(self.decoder.flush_next()? && self.take_time())
    }

    fn take_time(&mut self) -> bool {
        match self.times.pop() {
            Some(Reverse(t)) => {
                self.current = t;
                true
            }
            None => false,
        }
    }

    /// The picture that just came out.
    pub(crate) fn frame(&self) -> Frame<'_> {
        Frame::new(self.decoder.picture(), self.current.1, self.current.0)
    }
}
