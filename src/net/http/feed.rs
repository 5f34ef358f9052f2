//! The camera side of the server: each frame is encoded once and published
//! as the newest frame every client reads.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use hyper::body::Bytes;
use tokio::sync::watch;

use super::server::ShutdownHandle;
use super::stats::Counters;
use crate::capture::{Encoder, JpegCapture};
use crate::error::Result;
use crate::frame::Frame;
use crate::image::PixelFormat;
use crate::sink::{FrameSink, finished};

/// One published frame, shared by every client (the JPEG is reference
/// counted, never copied per client).
#[derive(Debug)]
pub(crate) struct Published {
    pub jpeg: Bytes,
    /// Position in the published sequence: 0, 1, 2, ... without gaps, so a
    /// client that jumps from `i` to `j` skipped `j - i - 1` frames.
    pub index: u64,
    /// The source's sequence number.
    pub sequence: u64,
    /// The source's timestamp.
    pub timestamp: Duration,
}

/// The newest frame, `None` before the first.
pub(crate) type Latest = Option<Arc<Published>>;

/// Frames measured for the frame rate.
const RATE_WINDOW: usize = 30;

/// Frames per second over the last [`RATE_WINDOW`] publications.
#[derive(Debug)]
struct RateMeter {
    times: [Option<Instant>; RATE_WINDOW],
    next: usize,
}

impl RateMeter {
    fn tick(&mut self, now: Instant) -> f64 {
        let full = self.times[self.next].is_some();
        let oldest = self.times[self.next].or(self.times[0]);
        self.times[self.next] = Some(now);
        self.next = (self.next + 1) % RATE_WINDOW;
        let count = self.times.iter().flatten().count();
        match oldest {
            Some(t) if count > 1 && now > t => {
                let intervals = if full { RATE_WINDOW } else { count - 1 };
                intervals as f64 / (now - t).as_secs_f64()
            }
            _ => 0.0,
        }
    }
}

/// The feed of an [`MjpegServer`](super::MjpegServer): a [`FrameSink`] that
/// encodes each frame once (JPEG frames pass through) and publishes it as
/// the newest frame for every client.
///
/// Publishing never waits for clients. [`finish`](FrameSink::finish) (or
/// dropping the publisher) ends the streams and shuts the server down.
/// Get one from [`MjpegServerBuilder::start_feed`](super::MjpegServerBuilder::start_feed)
/// to drive the server from your own capture loop; `start` runs such a loop
/// on a capture thread for you.
#[derive(Debug)]
pub struct FramePublisher {
    /// `None` once finished.
    tx: Option<watch::Sender<Latest>>,
    encoder: JpegCapture,
    counters: Arc<Counters>,
    shutdown: ShutdownHandle,
    rate: RateMeter,
    index: u64,
    /// The H.264 encoder of `/stream.mp4`.
    #[cfg(feature = "h264")]
    mp4: Option<Arc<super::live_mp4::LiveMp4>>,
}

impl FramePublisher {
    pub(crate) fn new(
        tx: watch::Sender<Latest>,
        encoder: JpegCapture,
        counters: Arc<Counters>,
        shutdown: ShutdownHandle,
    ) -> FramePublisher {
        FramePublisher {
            tx: Some(tx),
            encoder,
            counters,
            shutdown,
            rate: RateMeter {
                times: [None; RATE_WINDOW],
                next: 0,
            },
            index: 0,
            #[cfg(feature = "h264")]
            mp4: None,
        }
    }

    /// Also offers every frame to the `/stream.mp4` encoder.
    #[cfg(feature = "h264")]
    pub(crate) fn with_mp4(mut self, live: Arc<super::live_mp4::LiveMp4>) -> FramePublisher {
        self.mp4 = Some(live);
        self
    }

    /// Frames published.
    pub fn frames(&self) -> u64 {
        self.index
    }

    /// Records the source's nominal frame rate for the page and the stats.
    pub fn set_nominal_fps(&self, fps: Option<f64>) {
        let bits = fps.filter(|f| f.is_finite() && *f > 0.0).unwrap_or(0.0);
        self.counters.nominal_fps.store(bits.to_bits(), Relaxed);
    }

    /// A handle that shuts the server down.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }
}

impl FrameSink for FramePublisher {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        let Some(tx) = &self.tx else {
            return Err(finished("the feed").context(format!("frame {}", frame.sequence)));
        };
        let image = frame.image;
        let jpeg = if image.format() == PixelFormat::Jpeg {
            Bytes::copy_from_slice(image.data())
        } else {
            let mut out = Vec::with_capacity(image.data().len() / 8);
            self.encoder
                .encode(image, &mut out)
                .map_err(|e| e.context(format!("frame {}", frame.sequence)))?;
            self.counters.encoded.fetch_add(1, Relaxed);
            Bytes::from(out)
        };
        let (width, height) = image.size();
        let published = Published {
            jpeg,
            index: self.index,
            sequence: frame.sequence,
            timestamp: frame.timestamp,
        };
        self.index += 1;
        let c = &self.counters;
        c.width.store(u64::from(width), Relaxed);
        c.height.store(u64::from(height), Relaxed);
        c.set_fps(self.rate.tick(Instant::now()));
        c.frames.fetch_add(1, Relaxed);
        // Replaces the newest frame whether or not anyone is watching.
        tx.send_replace(Some(Arc::new(published)));
        #[cfg(feature = "h264")]
        if let Some(live) = &self.mp4 {
            live.offer(frame);
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        // Dropping the sender ends every stream after the frame it is on.
        self.tx = None;
        #[cfg(feature = "h264")]
        if let Some(live) = &self.mp4 {
            live.close();
        }
        self.shutdown.shutdown();
        Ok(())
    }
}

impl Drop for FramePublisher {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_meter_measures_recent_frames() {
        let mut m = RateMeter {
            times: [None; RATE_WINDOW],
            next: 0,
        };
        let t0 = Instant::now();
        assert_eq!(m.tick(t0), 0.0);
        let mut fps = 0.0;
        for i in 1..100u64 {
            fps = m.tick(t0 + Duration::from_millis(40 * i));
            if i == 1 {
                assert!((fps - 25.0).abs() < 1e-6, "{fps}");
            }
        }
        assert!((fps - 25.0).abs() < 1e-6, "{fps}");
        // Faster frames show within a window.
        for i in 0..RATE_WINDOW as u64 {
            fps = m.tick(t0 + Duration::from_millis(40 * 99 + 10 * (i + 1)));
        }
        assert!((fps - 100.0).abs() < 1e-6, "{fps}");
    }
}
