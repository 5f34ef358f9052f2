//! A threaded capture pipeline: a capture thread, a bounded queue, a pool
//! of workers and ordered output.
//!
//! This is picamera's "rapid capture and processing" recipe without its
//! sleeps and shared flags: the capture thread reads frames into recycled
//! buffers and queues them; `workers` threads process them in parallel;
//! results come back to the calling thread in capture order. When the
//! workers fall behind, the [`Overflow`] policy decides: block the capture
//! thread (no frame is lost; a live camera may then skip frames, which shows
//! as sequence gaps) or drop the oldest queued frame. Every drop and every
//! gap is counted in [`PipelineStats`]; nothing is dropped silently.
//!
//! ```
//! use std::ops::ControlFlow;
//! use camreel::camera::synthetic::SyntheticCamera;
//! use camreel::capture::pipeline::{Overflow, Pipeline};
//!
//! let cam = SyntheticCamera::builder().size(64, 48).frame_limit(20).build()?;
//! let mut sums = Vec::new();
//! let stats = Pipeline::new()
//!     .workers(2)
//!     .queue(4)
//!     .overflow(Overflow::Block)
//!     .run(
//!         cam,
//!         |frame| Ok(frame.image.data().iter().map(|&b| u64::from(b)).sum::<u64>()),
//!         |info, sum| {
//!             sums.push((info.sequence, sum));
//!             Ok(ControlFlow::Continue(()))
//!         },
//!     )?;
//! assert_eq!(stats.delivered, 20);
//! assert_eq!(stats.dropped, 0);
//! assert!(sums.windows(2).all(|w| w[0].0 < w[1].0)); // in capture order
//! # Ok::<(), camreel::Error>(())
//! ```

use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::camera::{CameraSource, FrameInfo, OwnedFrame};
use crate::error::{Error, ErrorKind, Result};
use crate::image::Image;
use crate::pool::{Failed, Pool};

/// What the capture thread does when the queue is full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Overflow {
    /// Wait for room: no frame is dropped by the pipeline.
    #[default]
    Block,
    /// Drop the oldest queued frame to make room (counted in
    /// [`PipelineStats::dropped`]): the freshest frames win.
    DropOldest,
    /// Drop the new frame (counted in [`PipelineStats::dropped`]): the
    /// queued frames win, as a V4L2 driver with no free buffer does.
    DropNewest,
}

impl Overflow {
    /// The policy named `block`, `oldest` or `newest` (as the command line
    /// spells them).
    ///
    /// ```
    /// use camreel::capture::pipeline::Overflow;
    /// assert_eq!(Overflow::from_name("oldest"), Some(Overflow::DropOldest));
    /// assert_eq!(Overflow::DropNewest.name(), "newest");
    /// ```
    pub fn from_name(name: &str) -> Option<Overflow> {
        match name {
            "block" => Some(Overflow::Block),
            "oldest" => Some(Overflow::DropOldest),
            "newest" => Some(Overflow::DropNewest),
            _ => None,
        }
    }

    /// The policy's name: `block`, `oldest` or `newest`.
    pub fn name(self) -> &'static str {
        match self {
            Overflow::Block => "block",
            Overflow::DropOldest => "oldest",
            Overflow::DropNewest => "newest",
        }
    }
}

/// What a pipeline run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PipelineStats {
    /// Frames read from the source.
    pub captured: u64,
    /// Frames dropped by [`Overflow::DropOldest`].
    pub dropped: u64,
    /// Frames processed by the workers.
    pub processed: u64,
    /// Results handed to the consumer.
    pub delivered: u64,
    /// Frames the source itself skipped (gaps in its sequence numbers).
    pub source_gaps: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl PipelineStats {
    /// Frames delivered per second of wall time.
    pub fn fps(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.delivered as f64 / s
        } else {
            0.0
        }
    }
}

/// The most worker threads a [`Pipeline`] starts.
pub const MAX_WORKERS: usize = 256;

/// The longest queue of frames a [`Pipeline`] keeps (each frame is a full
/// image).
pub const MAX_QUEUE: usize = 1024;

/// A threaded capture pipeline; configure, then [`Pipeline::run`] (or
/// [`Pipeline::run_init`] for workers that keep state).
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct Pipeline {
    workers: usize,
    queue: usize,
    overflow: Overflow,
    limit: Option<u64>,
}

impl Default for Pipeline {
    fn default() -> Pipeline {
        Pipeline::new()
    }
}

/// Stops the pool if the thread that holds the guard unwinds (a panic in
/// the source or in `consume`), so no thread waits forever for one that
/// died.
struct StopOnPanic<'a, J, R>(&'a Pool<J, R>);

impl<J, R> Drop for StopOnPanic<'_, J, R> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Only pushes and pops happen under this lock; a panic elsewhere
    // cannot leave it inconsistent.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A processed frame on its way to the consumer.
type Outcome<T> = (FrameInfo, Result<T>);

impl Pipeline {
    /// Two workers (one per core on a 2-core board), a queue of 4 frames,
    /// [`Overflow::Block`], no frame limit.
    pub fn new() -> Pipeline {
        Pipeline {
            workers: 2,
            queue: 4,
            overflow: Overflow::Block,
            limit: None,
        }
    }

    /// Number of worker threads, 1 to [`MAX_WORKERS`] (values outside
    /// are clamped).
    pub fn workers(mut self, n: usize) -> Pipeline {
        self.workers = n.clamp(1, MAX_WORKERS);
        self
    }

    /// Queue length between the capture thread and the workers, 1 to
    /// [`MAX_QUEUE`] frames (values outside are clamped).
    pub fn queue(mut self, n: usize) -> Pipeline {
        self.queue = n.clamp(1, MAX_QUEUE);
        self
    }

    /// What to do when the queue is full.
    pub fn overflow(mut self, overflow: Overflow) -> Pipeline {
        self.overflow = overflow;
        self
    }

    /// Stops after capturing `frames` frames (default: until the source
    /// ends).
    pub fn limit(mut self, frames: u64) -> Pipeline {
        self.limit = Some(frames);
        self
    }

    /// Runs until the source ends, the frame limit is reached, `consume`
    /// breaks, or an error. `process` runs on the workers, in parallel;
    /// `consume` runs on the calling thread and gets each result with its
    /// frame's sequence number and timestamp, in capture order.
    ///
    /// # Errors
    /// The first error of the source, `process` or `consume` (the other
    /// threads stop); [`ErrorKind::Io`] if a worker or the capture thread
    /// panicked (the other threads stop too). A panic in `consume` stops
    /// the threads and then reaches the caller.
    pub fn run<S, T, P, C>(self, source: S, process: P, consume: C) -> Result<PipelineStats>
    where
        S: CameraSource + Send,
        T: Send,
        P: Fn(&OwnedFrame) -> Result<T> + Sync,
        C: FnMut(FrameInfo, T) -> Result<ControlFlow<()>>,
    {
        self.run_init(source, || Ok(()), |(), frame| process(frame), consume)
    }

    /// As [`Pipeline::run`], with state per worker (rayon's `map_init`):
    /// each worker calls `init` once, on its own thread, and hands the
    /// state to `process` with every frame it takes, so an encoder and its
    /// buffers are built once per worker instead of once per frame.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use camreel::camera::synthetic::SyntheticCamera;
    /// use camreel::capture::pipeline::Pipeline;
    /// use camreel::capture::{Encoder, JpegCapture};
    ///
    /// let cam = SyntheticCamera::builder().size(64, 48).frame_limit(6).build()?;
    /// let mut sizes = Vec::new();
    /// Pipeline::new().workers(2).run_init(
    ///     cam,
    ///     || Ok((JpegCapture::new(80)?, Vec::new())),
    ///     |(jpeg, buf), frame| {
    ///         buf.clear();
    ///         jpeg.encode(frame.image.view(), buf)?;
    ///         Ok(buf.len())
    ///     },
    ///     |info, len| {
    ///         sizes.push((info.sequence, len));
    ///         Ok(ControlFlow::Continue(()))
    ///     },
    /// )?;
    /// assert_eq!(sizes.len(), 6);
    /// # Ok::<(), camreel::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Pipeline::run`], and the first error of an `init` (the other
    /// threads stop).
    pub fn run_init<S, W, T, I, P, C>(
        self,
        mut source: S,
        init: I,
        process: P,
        mut consume: C,
    ) -> Result<PipelineStats>
    where
        S: CameraSource + Send,
        T: Send,
        I: Fn() -> Result<W> + Sync,
        P: Fn(&mut W, &OwnedFrame) -> Result<T> + Sync,
        C: FnMut(FrameInfo, T) -> Result<ControlFlow<()>>,
    {
        let start = Instant::now();
        // Results are bounded too, so a slow consumer holds back the
        // workers and, through the queue, the capture thread.
        let pool: Pool<OwnedFrame, Outcome<T>> = Pool::new(self.queue, self.queue + self.workers);
        let recycled: Mutex<Vec<Image>> = Mutex::new(Vec::new());
        let mut stats = PipelineStats::default();
        let mut first_error: Option<Error> = None;

        std::thread::scope(|scope| {
            let _stop_on_panic = StopOnPanic(&pool);
            let (init, process, recycled) = (&init, &process, &recycled);
            for _ in 0..self.workers {
                let worker = pool.worker(init, move |state: &mut W, frame: OwnedFrame| {
                    let result = process(state, &frame);
                    let info = frame.as_frame().info();
                    lock(recycled).push(frame.image);
                    (info, result)
                });
                scope.spawn(move || worker.run());
            }
            let capture = {
                let pool = pool.clone();
                scope.spawn(move || self.capture_loop(&mut source, &pool, recycled))
            };

            while let Some(outcome) = pool.recv() {
                let flow = match outcome {
                    Ok((info, result)) => result.and_then(|value| consume(info, value)),
                    Err(Failed::Panicked) => {
                        Err(Error::new(ErrorKind::Io, "a pipeline worker panicked"))
                    }
                    Err(Failed::Init(e)) => Err(e),
                };
                match flow {
                    Ok(ControlFlow::Continue(())) => stats.delivered += 1,
                    Ok(ControlFlow::Break(())) => {
                        stats.delivered += 1;
                        pool.stop();
                        break;
                    }
                    Err(e) => {
                        first_error = Some(e);
                        pool.stop();
                        break;
                    }
                }
            }
            let counts = match capture.join() {
                Ok(Ok(c)) => c,
                Ok(Err((c, e))) => {
                    first_error.get_or_insert(e);
                    c
                }
                Err(_) => {
                    first_error.get_or_insert_with(|| {
                        Error::new(ErrorKind::Io, "the capture thread panicked")
                    });
                    CaptureCounts::default()
                }
            };
            stats.captured = counts.captured;
            stats.dropped = counts.dropped;
            stats.source_gaps = counts.gaps;
        });
        stats.processed = pool.completed();
        stats.elapsed = start.elapsed();
        match first_error {
            Some(e) => Err(e),
            None => Ok(stats),
        }
    }

    fn capture_loop<S: CameraSource, R>(
        &self,
        source: &mut S,
        pool: &Pool<OwnedFrame, R>,
        recycled: &Mutex<Vec<Image>>,
    ) -> std::result::Result<CaptureCounts, (CaptureCounts, Error)> {
        let _stop_on_panic = StopOnPanic(pool);
        let mut counts = CaptureCounts::default();
        let mut last: Option<u64> = None;
        let result = loop {
            if pool.is_stopped() || self.limit.is_some_and(|n| counts.captured >= n) {
                break Ok(());
            }
            let mut image = lock(recycled).pop().unwrap_or_default();
            let info = match source.next_frame_into(&mut image) {
                Ok(Some(info)) => info,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            };
            counts.captured += 1;
            if let Some(l) = last {
                counts.gaps += info.sequence.saturating_sub(l.saturating_add(1));
            }
            last = Some(info.sequence);
            let frame = OwnedFrame::new(image, info.sequence, info.timestamp);
            let queued = match self.overflow {
                Overflow::Block => pool.submit(frame).map(|()| None),
                Overflow::DropOldest => pool.submit_replacing_oldest(frame),
                Overflow::DropNewest => pool.submit_unless_full(frame),
            };
            match queued {
                Ok(None) => {}
                Ok(Some(old)) => {
                    counts.dropped += 1;
                    lock(recycled).push(old.image);
                }
                // Stopped by the consumer.
                Err(_) => break Ok(()),
            }
        };
        // The workers drain what is queued, then stop.
        pool.close();
        match result {
            Ok(()) => Ok(counts),
            Err(e) => Err((counts, e)),
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct CaptureCounts {
    captured: u64,
    dropped: u64,
    gaps: u64,
}

#[cfg(test)]
mod tests;
