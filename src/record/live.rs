//! [`record_live`]: the camera read on its own thread, into a bounded queue
//! of recycled frames, so that a sink slower for a moment (or for good)
//! never makes a live camera wait.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::{Feed, Overflow, RecordError, RecordOptions, RecordStats, record_from};
use crate::camera::{CameraSource, StreamFormat};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::{Frame, OwnedFrame};
use crate::image::Image;
use crate::sink::FrameSink;

/// Records as [`record_with`](super::record_with) does, with `source` read
/// on a thread of its own into a queue of [`RecordOptions::queue`] frames
/// that the calling thread writes to `sink`.
///
/// A live camera keeps its pace while the sink catches up with a slow
/// frame. When the sink stays slower than the camera, the queue fills and
/// [`RecordOptions::overflow`] decides: the default drops the oldest
/// queued frame. Every frame lost is counted in [`RecordStats::dropped`],
/// by who lost it (the queue, or the camera itself: gaps in its sequence
/// numbers), and the frames written keep their capture timestamps, so the
/// recording keeps true time. Image buffers are recycled: memory stays flat
/// however long the recording runs.
///
/// ```
/// use std::time::Duration;
/// use camreel::camera::synthetic::SyntheticCamera;
/// use camreel::frame::Frame;
/// use camreel::record::{RecordOptions, record_live};
/// use camreel::sink::FrameSink;
///
/// /// A sink that takes 30 ms a frame: slower than the 50 fps camera.
/// struct Slow(u64);
/// impl FrameSink for Slow {
///     fn write_frame(&mut self, _: &Frame<'_>) -> camreel::Result<()> {
///         std::thread::sleep(Duration::from_millis(30));
///         self.0 += 1;
///         Ok(())
///     }
/// }
///
/// let mut camera = SyntheticCamera::builder().size(32, 24).fps(50.0).build()?;
/// let mut sink = Slow(0);
/// let options = RecordOptions::new().duration(Duration::from_millis(600));
/// let stats = record_live(&mut camera, &mut sink, &options, |_| {})?;
/// assert_eq!(stats.frames, sink.0);
/// assert!(stats.dropped.pipeline > 0);
/// // Every frame of the captured span is recorded or counted.
/// let span = stats.timeline.span().as_millis() as u64 / 20 + 1;
/// assert_eq!(stats.captured(), span);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`record`](super::record); [`ErrorKind::Io`] if the camera's thread
/// panicked.
pub fn record_live<S, K, F>(
    source: &mut S,
    sink: &mut K,
    options: &RecordOptions,
    on_frame: F,
) -> Result<RecordStats, RecordError>
where
    S: CameraSource + Send + ?Sized,
    K: FrameSink + ?Sized,
    F: FnMut(&RecordStats),
{
    let format = source.format();
    let queue = Queue::new(options.queue, options.overflow);
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("camreel-capture".into())
            .spawn_scoped(scope, || queue.fill(source));
        let reader = match reader {
            Ok(r) => r,
            Err(e) => {
                return Err(RecordError {
                    error: Error::io("starting the capture thread", e),
                    failed: super::Failed::Source,
                    stats: RecordStats::new(),
                });
            }
        };
        let mut feed = Queued {
            queue: &queue,
            format,
            current: None,
        };
        let result = record_from(&mut feed, sink, options, on_frame);
        queue.stop();
        let panicked = reader.join().is_err();
        match result {
            Ok(stats) if panicked => Err(RecordError {
                error: Error::new(ErrorKind::Io, "the capture thread panicked"),
                failed: super::Failed::Source,
                stats,
            }),
            other => other,
        }
    })
}

/// Frames between the camera's thread and the recording loop.
struct Queue {
    state: Mutex<State>,
    changed: Condvar,
    depth: usize,
    overflow: Overflow,
}

struct State {
    /// Queued frames, each with the number of frames the queue dropped
    /// just before it.
    frames: VecDeque<(OwnedFrame, u64)>,
    /// Buffers to reuse.
    free: Vec<Image>,
    /// Frames dropped since the last one queued (they go to the next).
    pending: u64,
    /// The source ended (with its error, if it failed).
    ended: bool,
    error: Option<Error>,
    /// The recording loop is done: the camera's thread stops.
    stopped: bool,
}

impl Queue {
    fn new(depth: usize, overflow: Overflow) -> Queue {
        Queue {
            state: Mutex::new(State {
                frames: VecDeque::with_capacity(depth),
                free: Vec::with_capacity(depth + 2),
                pending: 0,
                ended: false,
                error: None,
                stopped: false,
            }),
            changed: Condvar::new(),
            depth: depth.max(1),
            overflow,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Only pushes and pops happen under the lock: a panic elsewhere
        // cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The camera's thread: reads frames until the source ends or fails or
    /// the recording loop stops.
    fn fill<S: CameraSource + ?Sized>(&self, source: &mut S) {
        loop {
            let mut image = {
                let mut s = self.lock();
                if s.stopped {
                    return;
                }
                s.free.pop().unwrap_or_default()
            };
            let read = source.next_frame_into(&mut image);
            let mut s = self.lock();
            match read {
                Ok(Some(info)) => {
                    let frame = OwnedFrame::new(image, info.sequence, info.timestamp);
                    s = self.push(s, frame);
                }
                Ok(None) => s.ended = true,
                Err(e) => {
                    s.ended = true;
                    s.error = Some(e);
                }
            }
            let done = s.ended || s.stopped;
            drop(s);
            self.changed.notify_all();
            if done {
                return;
            }
        }
    }

    /// Queues `frame` as the overflow policy says.
    fn push<'a>(
        &'a self,
        mut s: MutexGuard<'a, State>,
        frame: OwnedFrame,
    ) -> MutexGuard<'a, State> {
        if s.frames.len() >= self.depth {
            match self.overflow {
                Overflow::Block => {
                    while s.frames.len() >= self.depth && !s.stopped {
                        s = self.wait(s);
                    }
                }
                Overflow::DropOldest => {
                    if let Some((old, before)) = s.frames.pop_front() {
                        s.free.push(old.image);
                        let lost = before + 1;
                        match s.frames.front_mut() {
                            Some(front) => front.1 += lost,
                            None => s.pending += lost,
                        }
                    }
                }
                Overflow::DropNewest => {
                    s.free.push(frame.image);
                    s.pending += 1;
                    return s;
                }
            }
        }
        if s.stopped {
            s.free.push(frame.image);
            return s;
        }
        let before = std::mem::take(&mut s.pending);
        s.frames.push_back((frame, before));
        s
    }

    /// The recording loop is done: wakes and stops the camera's thread.
    fn stop(&self) {
        self.lock().stopped = true;
        self.changed.notify_all();
    }
}

/// The recording loop's side of the queue.
struct Queued<'q> {
    queue: &'q Queue,
    format: StreamFormat,
    /// The frame lent out last (its buffer goes back on the next call).
    current: Option<OwnedFrame>,
}

impl Feed for Queued<'_> {
    fn format(&self) -> StreamFormat {
        self.format
    }

    fn next(&mut self) -> Result<Option<(Frame<'_>, u64)>> {
        let mut s = self.queue.lock();
        if let Some(done) = self.current.take() {
            s.free.push(done.image);
        }
        loop {
            if let Some((frame, before)) = s.frames.pop_front() {
                drop(s);
                self.queue.changed.notify_all();
                let frame = self.current.insert(frame);
                return Ok(Some((frame.as_frame(), before)));
            }
            if let Some(e) = s.error.take() {
                return Err(e);
            }
            if s.ended {
                return Ok(None);
            }
            s = self.queue.wait(s);
        }
    }
}
