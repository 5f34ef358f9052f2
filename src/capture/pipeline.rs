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
mod tests {
    use super::*;
    use crate::camera::synthetic::SyntheticCamera;
    use crate::camera::{Frame, StreamFormat};
    use crate::image::PixelFormat;
    use std::sync::mpsc;

    fn cam(n: u64) -> SyntheticCamera {
        SyntheticCamera::builder()
            .size(32, 16)
            .frame_limit(n)
            .build()
            .unwrap()
    }

    #[test]
    fn ordered_and_complete_with_blocking() {
        for workers in [1, 2, 4] {
            let mut seqs = Vec::new();
            let stats = Pipeline::new()
                .workers(workers)
                .queue(2)
                .run(
                    cam(50),
                    |f| {
                        // Uneven work so workers finish out of order.
                        if f.sequence % 3 == 0 {
                            std::thread::yield_now();
                        }
                        Ok(f.image.data()[0])
                    },
                    |info: FrameInfo, _| {
                        seqs.push(info.sequence);
                        Ok(ControlFlow::Continue(()))
                    },
                )
                .unwrap();
            assert_eq!(seqs, (0..50).collect::<Vec<_>>(), "{workers} workers");
            assert_eq!(
                (
                    stats.captured,
                    stats.dropped,
                    stats.processed,
                    stats.delivered
                ),
                (50, 0, 50, 50)
            );
        }
    }

    #[test]
    fn results_match_the_frames() {
        let reference = cam(10);
        let expected: Vec<u8> = (0..10)
            .map(|i| reference.render(i).unwrap().data()[7])
            .collect();
        let mut got = Vec::new();
        Pipeline::new()
            .run(
                cam(10),
                |f| Ok(f.image.data()[7]),
                |_, v| {
                    got.push(v);
                    Ok(ControlFlow::Continue(()))
                },
            )
            .unwrap();
        assert_eq!(got, expected);
    }

    #[test]
    fn drop_oldest_counts_every_drop() {
        // Slow consumer: the workers and the queue fill, the capture thread drops.
        let mut seqs = Vec::new();
        let stats = Pipeline::new()
            .workers(1)
            .queue(1)
            .overflow(Overflow::DropOldest)
            .run(
                cam(200),
                |f| Ok(f.sequence),
                |info: FrameInfo, _| {
                    std::thread::sleep(Duration::from_micros(300));
                    seqs.push(info.sequence);
                    Ok(ControlFlow::Continue(()))
                },
            )
            .unwrap();
        assert_eq!(stats.captured, 200);
        assert!(stats.dropped > 0, "{stats:?}");
        // Nothing lost silently: every captured frame was delivered or counted as dropped.
        assert_eq!(stats.delivered + stats.dropped, stats.captured);
        assert_eq!(seqs.len() as u64, stats.delivered);
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(seqs.last(), Some(&199));
    }

    #[test]
    fn consumer_break_and_frame_limit() {
        let mut n = 0;
        let stats = Pipeline::new()
            .run(
                cam(1000),
                |_| Ok(()),
                |_, ()| {
                    n += 1;
                    Ok(if n == 5 {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    })
                },
            )
            .unwrap();
        assert_eq!(stats.delivered, 5);
        assert!(stats.captured >= 5);
        let stats = Pipeline::new()
            .limit(7)
            .run(cam(1000), |_| Ok(()), |_, ()| Ok(ControlFlow::Continue(())))
            .unwrap();
        assert_eq!((stats.captured, stats.delivered), (7, 7));
    }

    #[test]
    fn errors_stop_the_pipeline() {
        let e = Pipeline::new()
            .run(
                cam(100),
                |f| {
                    if f.sequence == 3 {
                        Err(Error::new(ErrorKind::Format, "bad frame 3"))
                    } else {
                        Ok(())
                    }
                },
                |_, ()| Ok(ControlFlow::Continue(())),
            )
            .unwrap_err();
        assert_eq!(e.to_string(), "bad frame 3");
        let e = Pipeline::new()
            .run(
                cam(100),
                |_| Ok(()),
                |info: FrameInfo, ()| {
                    if info.sequence == 2 {
                        Err(Error::new(ErrorKind::Io, "consumer failed"))
                    } else {
                        Ok(ControlFlow::Continue(()))
                    }
                },
            )
            .unwrap_err();
        assert_eq!(e.to_string(), "consumer failed");
    }

    /// Runs `f` on its own thread and fails the test if it takes longer
    /// than `secs` (a deadlocked pipeline would otherwise hang the suite).
    fn within<R: Send + 'static>(secs: u64, f: impl FnOnce() -> R + Send + 'static) -> R {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(Duration::from_secs(secs))
            .expect("the pipeline did not finish: deadlock")
    }

    /// An endless camera (no frame limit).
    fn endless() -> SyntheticCamera {
        SyntheticCamera::builder().size(8, 4).build().unwrap()
    }

    #[test]
    fn a_panicking_worker_stops_the_pipeline() {
        // The only worker dies: nobody drains the queue any more.
        let e = within(30, || {
            Pipeline::new()
                .workers(1)
                .run(
                    endless(),
                    |_| -> Result<()> { panic!("worker bug") },
                    |_, ()| Ok(ControlFlow::Continue(())),
                )
                .unwrap_err()
        });
        assert_eq!(e.kind(), ErrorKind::Io);
        assert_eq!(e.to_string(), "a pipeline worker panicked");
        // One of two workers dies: its ticket never arrives, so the others'
        // results cannot be delivered in order; the run must still end.
        let e = within(30, || {
            Pipeline::new()
                .workers(2)
                .run(
                    endless(),
                    |f| {
                        if f.sequence == 3 {
                            panic!("worker bug on frame 3");
                        }
                        Ok(())
                    },
                    |_, ()| Ok(ControlFlow::Continue(())),
                )
                .unwrap_err()
        });
        assert_eq!(e.kind(), ErrorKind::Io);
    }

    #[test]
    fn a_panicking_consumer_propagates() {
        let outcome = within(30, || {
            std::panic::catch_unwind(|| {
                Pipeline::new().queue(1).run(
                    endless(),
                    |_| Ok(()),
                    |info: FrameInfo, ()| {
                        if info.sequence == 2 {
                            panic!("consumer bug");
                        }
                        Ok(ControlFlow::Continue(()))
                    },
                )
            })
        });
        assert!(outcome.is_err(), "the consumer's panic reaches the caller");
    }

    #[test]
    fn huge_settings_are_capped_not_fatal() {
        let mut n = 0;
        let stats = Pipeline::new()
            .queue(usize::MAX)
            .workers(usize::MAX / 2)
            .run(
                cam(3),
                |_| Ok(()),
                |_, ()| {
                    n += 1;
                    Ok(ControlFlow::Continue(()))
                },
            )
            .unwrap();
        assert_eq!((stats.delivered, n), (3, 3));
    }

    /// A source at the end of the sequence space.
    struct LastSequences(u64, Image);
    impl CameraSource for LastSequences {
        fn format(&self) -> StreamFormat {
            StreamFormat::new(PixelFormat::Grayscale, 1, 1)
        }
        fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
            if self.0 == 2 {
                return Ok(None);
            }
            self.0 += 1;
            Ok(Some(Frame {
                image: self.1.view(),
                sequence: u64::MAX,
                timestamp: Duration::ZERO,
            }))
        }
    }

    #[test]
    fn sequence_numbers_at_the_top_do_not_overflow() {
        let source = LastSequences(0, Image::zeroed(PixelFormat::Grayscale, 1, 1).unwrap());
        let stats = Pipeline::new()
            .run(source, |_| Ok(()), |_, ()| Ok(ControlFlow::Continue(())))
            .unwrap();
        assert_eq!((stats.captured, stats.source_gaps), (2, 0));
    }

    /// A source whose third frame panics.
    struct Panicky(u64, Image);
    impl CameraSource for Panicky {
        fn format(&self) -> StreamFormat {
            StreamFormat::new(PixelFormat::Grayscale, 1, 1)
        }
        fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
            self.0 += 1;
            assert!(self.0 < 3, "source bug");
            Ok(Some(Frame {
                image: self.1.view(),
                sequence: self.0,
                timestamp: Duration::ZERO,
            }))
        }
    }

    #[test]
    fn a_panicking_source_stops_the_pipeline() {
        let e = within(30, || {
            let source = Panicky(0, Image::zeroed(PixelFormat::Grayscale, 1, 1).unwrap());
            Pipeline::new()
                .run(source, |_| Ok(()), |_, ()| Ok(ControlFlow::Continue(())))
                .unwrap_err()
        });
        assert_eq!(e.to_string(), "the capture thread panicked");
    }

    /// A source that skips sequence numbers and then fails.
    struct Gappy {
        n: u64,
        img: Image,
    }
    impl CameraSource for Gappy {
        fn format(&self) -> StreamFormat {
            StreamFormat::new(PixelFormat::Grayscale, 1, 1)
        }
        fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
            self.n += 1;
            if self.n > 4 {
                return Err(Error::new(ErrorKind::Disconnected, "gone"));
            }
            Ok(Some(Frame {
                image: self.img.view(),
                sequence: self.n * 2,
                timestamp: Duration::ZERO,
            }))
        }
    }

    #[test]
    fn source_gaps_and_source_errors() {
        let mut got = 0;
        let e = Pipeline::new()
            .workers(1)
            .run(
                Gappy {
                    n: 0,
                    img: Image::empty(),
                },
                |_| Ok(()),
                |_, ()| {
                    got += 1;
                    Ok(ControlFlow::Continue(()))
                },
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Disconnected);
        assert_eq!(got, 4);
        let stats = Pipeline::new()
            .limit(4)
            .run(
                Gappy {
                    n: 0,
                    img: Image::empty(),
                },
                |_| Ok(()),
                |_, ()| Ok(ControlFlow::Continue(())),
            )
            .unwrap();
        assert_eq!(stats.source_gaps, 3);
    }

    #[test]
    fn workers_keep_state_built_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let inits = AtomicUsize::new(0);
        let mut got = Vec::new();
        let stats = Pipeline::new()
            .workers(3)
            .run_init(
                cam(30),
                || {
                    inits.fetch_add(1, Ordering::SeqCst);
                    Ok(0u64)
                },
                |frames_here: &mut u64, f| {
                    *frames_here += 1;
                    Ok((f.sequence, *frames_here))
                },
                |info: FrameInfo, (seq, n)| {
                    got.push((info.sequence, seq, n));
                    Ok(ControlFlow::Continue(()))
                },
            )
            .unwrap();
        assert_eq!(stats.delivered, 30);
        // One init per worker, not per frame.
        assert_eq!(inits.load(Ordering::SeqCst), 3);
        assert!(got.iter().all(|&(a, b, _)| a == b));
        // The per-worker counters add up to every frame.
        let mut per_worker_max: Vec<u64> = got.iter().map(|g| g.2).collect();
        per_worker_max.sort_unstable();
        assert!(per_worker_max.last().is_some_and(|&m| m >= 10), "{got:?}");
    }

    #[test]
    fn consume_gets_sequence_and_timestamp() {
        let clock = crate::clock::ManualClock::shared();
        let source = SyntheticCamera::builder()
            .size(8, 4)
            .fps(25.0)
            .clock(clock)
            .first_sequence(100)
            .frame_limit(4)
            .build()
            .unwrap();
        let mut infos = Vec::new();
        Pipeline::new()
            .run(
                source,
                |_| Ok(()),
                |info, ()| {
                    infos.push(info);
                    Ok(ControlFlow::Continue(()))
                },
            )
            .unwrap();
        let want: Vec<FrameInfo> = (0..4)
            .map(|i| FrameInfo {
                sequence: 100 + i,
                timestamp: Duration::from_millis(40 * i),
            })
            .collect();
        assert_eq!(infos, want);
    }

    #[test]
    fn a_failing_init_stops_the_pipeline() {
        let e = within(30, || {
            Pipeline::new()
                .workers(2)
                .run_init(
                    endless(),
                    || -> Result<()> { Err(Error::new(ErrorKind::InvalidArgument, "no encoder")) },
                    |(), _| Ok(()),
                    |_, ()| Ok(ControlFlow::Continue(())),
                )
                .unwrap_err()
        });
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(e.to_string(), "no encoder");
    }
}
