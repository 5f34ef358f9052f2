//! The recording loop: frames from any [`CameraSource`] to any
//! [`FrameSink`], the one loop behind `camreel record` and `camreel
//! convert` (a conversion is a recording from a replayed file).
//!
//! [`record`] reads frames until the source ends, a frame limit, a duration
//! of recording time or a stop request, optionally skipping the first
//! frames and retiming the rest to a fixed rate, and syncs the sink at a
//! bounded interval so that a recording killed at any moment keeps what was
//! written more than that interval ago. It does not finish the sink: the
//! caller decides when the recording is complete (and can record into one
//! output in several calls).
//!
//! [`record_live`] is the same loop with the source read on a thread of its
//! own into a bounded queue, for live cameras: a slow sink then costs frames
//! (by the [`Overflow`] policy) rather than the camera's pace, and every
//! frame lost is counted in [`RecordStats::dropped`], by who lost it
//! ([`Drops`]). Frames keep their capture timestamps either way, so the
//! writers keep true time. [`LagMonitor`] tells when a sink has been
//! falling behind for a while.
//!
//! ```
//! use std::time::Duration;
//! use camreel::camera::synthetic::SyntheticCamera;
//! use camreel::clock::ManualClock;
//! use camreel::record::{Ended, RecordOptions, record};
//! use camreel::output::{FileSink, OutputOptions};
//! use camreel::sink::FrameSink;
//!
//! let dir = tempfile::tempdir()?;
//! // 15 fps on a manual clock: no real waiting.
//! let mut camera = SyntheticCamera::builder()
//!     .size(32, 24)
//!     .fps(15.0)
//!     .clock(ManualClock::shared())
//!     .build()?;
//! let mut out = FileSink::create(dir.path().join("one-second.gif"), OutputOptions::new())?;
//! let stats = record(&mut camera, &mut out, &RecordOptions::new().duration(Duration::from_secs(1)))?;
//! out.finish()?;
//! assert_eq!((stats.frames, stats.ended), (15, Ended::Duration));
//! assert_eq!(stats.duration(), Duration::from_secs(1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::camera::{CameraSource, StreamFormat};
pub use crate::capture::pipeline::Overflow;
use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::sink::FrameSink;
use crate::timing::{FrameRate, Timeline};

mod lag;
mod live;

pub use lag::{Lag, LagMonitor};
pub use live::record_live;

/// The default of [`RecordOptions::sync_interval`]: one second.
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(1);

/// The default of [`RecordOptions::queue`]: frames [`record_live`] holds
/// between the camera and a sink that is slower for a moment.
pub const DEFAULT_QUEUE: usize = 8;

/// The longest [`RecordOptions::queue`] (each frame is a whole image).
pub const MAX_QUEUE: usize = 1024;

/// What to record: builder methods on the defaults (everything the source
/// delivers, with its own timestamps, synced every second).
#[derive(Clone, Debug)]
#[must_use]
pub struct RecordOptions {
    limit: Option<u64>,
    duration: Option<Duration>,
    skip: u64,
    retime: Option<FrameRate>,
    sync_interval: Option<Duration>,
    stop: Option<Arc<AtomicBool>>,
    queue: usize,
    overflow: Overflow,
}

impl Default for RecordOptions {
    fn default() -> RecordOptions {
        RecordOptions {
            limit: None,
            duration: None,
            skip: 0,
            retime: None,
            sync_interval: Some(DEFAULT_SYNC_INTERVAL),
            stop: None,
            queue: DEFAULT_QUEUE,
            overflow: Overflow::DropOldest,
        }
    }
}

impl RecordOptions {
    /// Everything the source delivers.
    pub fn new() -> RecordOptions {
        RecordOptions::default()
    }

    /// Records at most `frames` frames.
    pub fn limit(mut self, frames: u64) -> RecordOptions {
        self.limit = Some(frames);
        self
    }

    /// Records the frames whose timestamps fall within `duration` of the
    /// first one (so 1 s of a 15 fps source is 15 frames). A paced source's
    /// next frame is not waited for when its nominal time is already past
    /// the end.
    pub fn duration(mut self, duration: Duration) -> RecordOptions {
        self.duration = Some(duration);
        self
    }

    /// Skips the source's first `frames` frames (`convert --start`); the
    /// frames recorded after them are stamped from the last skipped frame's
    /// time, so the first keeps its interval to the frame before it.
    pub fn skip(mut self, frames: u64) -> RecordOptions {
        self.skip = frames;
        self
    }

    /// Stamps the `i`-th recorded frame at `i / rate` instead of its own
    /// timestamp (`--fps` of a conversion).
    pub fn retime(mut self, rate: FrameRate) -> RecordOptions {
        self.retime = Some(rate);
        self
    }

    /// Syncs the sink so that no frame stays unsynced for longer than this
    /// (`None`: never; the default is one second): after a frame when the
    /// oldest unsynced frame is this old, or when the next frame is not
    /// expected before then (the source's last interval between frames, or
    /// for the first frame its nominal one: at rates below one frame per
    /// interval every frame is synced). A recording killed at any moment
    /// keeps every frame older than this, unless the source stalls after
    /// fast frames while [`record`] waits for the next one: a caller that
    /// can, syncs from another thread then (the command line does).
    pub fn sync_interval(mut self, interval: Option<Duration>) -> RecordOptions {
        self.sync_interval = interval;
        self
    }

    /// The interval set by [`RecordOptions::sync_interval`].
    pub fn get_sync_interval(&self) -> Option<Duration> {
        self.sync_interval
    }

    /// Stops before the next frame once `flag` is set (a signal handler or
    /// another thread sets it).
    pub fn stop_flag(mut self, flag: Arc<AtomicBool>) -> RecordOptions {
        self.stop = Some(flag);
        self
    }

    /// [`record_live`]: how many frames wait between the camera's thread
    /// and the sink, 1 to [`MAX_QUEUE`] (clamped; default
    /// [`DEFAULT_QUEUE`]).
    pub fn queue(mut self, frames: usize) -> RecordOptions {
        self.queue = frames.clamp(1, MAX_QUEUE);
        self
    }

    /// [`record_live`]: what happens to a frame that finds the queue full
    /// (the sink is too slow): [`Overflow::DropOldest`] (the default) or
    /// [`Overflow::DropNewest`] drop a frame there, counted in
    /// [`Drops::pipeline`]; [`Overflow::Block`] makes the camera's thread
    /// wait, and a live camera then drops frames itself (counted in
    /// [`Drops::source`]).
    pub fn overflow(mut self, overflow: Overflow) -> RecordOptions {
        self.overflow = overflow;
        self
    }

    /// The policy set by [`RecordOptions::overflow`].
    pub fn get_overflow(&self) -> Overflow {
        self.overflow
    }
}

/// Frames a recording lost between the camera and the sink, by who lost
/// them. The frames the camera captured from the first frame recorded to
/// the end of the recording (the last frame recorded, or with
/// [`RecordOptions::duration`] the end of that duration) are the frames
/// recorded plus [`Drops::total`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Drops {
    /// Gaps in the source's sequence numbers: frames the camera (or its
    /// driver, when nobody read in time) dropped.
    pub source: u64,
    /// Frames [`record_live`]'s queue dropped because the sink was too slow.
    pub pipeline: u64,
}

impl Drops {
    /// Counts `gap` frames missing before a frame, `queued` of which the
    /// recording's queue dropped (the rest, the source). A gap over
    /// [`MAX_GAP`] is a restarted counter, not drops.
    fn add(&mut self, gap: u64, queued: u64) {
        if gap <= MAX_GAP {
            let queued = queued.min(gap);
            self.pipeline += queued;
            self.source += gap - queued;
        }
    }

    /// Both kinds together.
    pub fn total(&self) -> u64 {
        self.source.saturating_add(self.pipeline)
    }
}

impl fmt::Display for Drops {
    /// `dropped 797 (camera 0, encoder too slow 797)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "dropped {} (camera {}, encoder too slow {})",
            self.total(),
            self.source,
            self.pipeline
        )
    }
}

/// Why [`record`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Ended {
    /// The source had no more frames.
    SourceEnded,
    /// [`RecordOptions::limit`] frames were recorded.
    Limit,
    /// [`RecordOptions::duration`] was reached.
    Duration,
    /// The [`RecordOptions::stop_flag`] was set.
    Stopped,
}

/// What [`record`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordStats {
    /// Frames written to the sink.
    pub frames: u64,
    /// Source frames skipped before the first recorded one.
    pub skipped: u64,
    /// Frames lost from the first recorded frame to the end (see [`Drops`]).
    pub dropped: Drops,
    /// Why recording stopped.
    pub ended: Ended,
    /// The recorded frames' time line (timestamps as written).
    pub timeline: Timeline,
}

impl RecordStats {
    /// Nothing recorded yet.
    pub fn new() -> RecordStats {
        RecordStats {
            frames: 0,
            skipped: 0,
            dropped: Drops::default(),
            ended: Ended::SourceEnded,
            timeline: Timeline::new(),
        }
    }

    /// The recording's duration (see [`crate::timing`]).
    pub fn duration(&self) -> Duration {
        self.timeline.duration()
    }

    /// Frames the source captured from the first recorded frame to the end
    /// of the recording: recorded plus dropped (see [`Drops`]).
    pub fn captured(&self) -> u64 {
        self.frames.saturating_add(self.dropped.total())
    }
}

impl Default for RecordStats {
    fn default() -> RecordStats {
        RecordStats::new()
    }
}

/// Which side of a [`record`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Failed {
    /// Reading a frame from the source (the frames before it are good).
    Source,
    /// Writing or syncing the sink.
    Sink,
}

/// A [`record`] that failed part way: the error, which side failed, and
/// what was recorded before it (the sink still holds those frames;
/// finishing it keeps them).
pub struct RecordError {
    /// What went wrong.
    pub error: Error,
    /// Where.
    pub failed: Failed,
    /// The frames recorded before it.
    pub stats: RecordStats,
}

impl fmt::Debug for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordError")
            .field("error", &self.error)
            .field("failed", &self.failed)
            .field("frames", &self.stats.frames)
            .finish()
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for RecordError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<RecordError> for Error {
    fn from(e: RecordError) -> Error {
        e.error
    }
}

/// Records frames from `source` into `sink` as `options` say (see the
/// [module docs](self)), calling nothing else. The sink is not finished.
///
/// # Errors
/// The first error of the source or the sink, with the frames recorded
/// before it ([`RecordError`]); [`ErrorKind::SeekOutOfRange`] when the
/// source ends within the frames to skip.
pub fn record<S, K>(
    source: &mut S,
    sink: &mut K,
    options: &RecordOptions,
) -> Result<RecordStats, RecordError>
where
    S: CameraSource + ?Sized,
    K: FrameSink + ?Sized,
{
    record_with(source, sink, options, |_| {})
}

/// [`record`], calling `on_frame` with the statistics after every frame
/// written (for a progress display).
///
/// # Errors
/// As [`record`].
pub fn record_with<S, K, F>(
    source: &mut S,
    sink: &mut K,
    options: &RecordOptions,
    on_frame: F,
) -> Result<RecordStats, RecordError>
where
    S: CameraSource + ?Sized,
    K: FrameSink + ?Sized,
    F: FnMut(&RecordStats),
{
    record_from(&mut Direct(source), sink, options, on_frame)
}

/// Where [`record_from`] takes frames: a source read on the calling thread
/// ([`Direct`]) or [`record_live`]'s queue.
trait Feed {
    fn format(&self) -> StreamFormat;

    /// The next frame, and how many frames the recording's own queue
    /// dropped just before it.
    fn next(&mut self) -> Result<Option<(Frame<'_>, u64)>>;
}

/// A source read on the calling thread.
struct Direct<'a, S: ?Sized>(&'a mut S);

impl<S: CameraSource + ?Sized> Feed for Direct<'_, S> {
    fn format(&self) -> StreamFormat {
        self.0.format()
    }

    fn next(&mut self) -> Result<Option<(Frame<'_>, u64)>> {
        Ok(self.0.next_frame()?.map(|f| (f, 0)))
    }
}

/// Sequence gaps larger than this are a restarted counter, not drops.
const MAX_GAP: u64 = u32::MAX as u64;

/// The recording loop of [`record_with`] and [`record_live`].
fn record_from<D, K, F>(
    source: &mut D,
    sink: &mut K,
    options: &RecordOptions,
    mut on_frame: F,
) -> Result<RecordStats, RecordError>
where
    D: Feed + ?Sized,
    K: FrameSink + ?Sized,
    F: FnMut(&RecordStats),
{
    let mut stats = RecordStats::new();
    // The recording's nominal rate: the retiming rate, else the source's.
    let nominal_rate = options.retime.or_else(|| {
        source
            .format()
            .fps
            .and_then(|fps| FrameRate::from_fps(fps).ok())
    });
    if let Some(rate) = nominal_rate {
        stats.timeline = Timeline::with_rate(rate);
    }
    let fail = |error: Error, failed: Failed, stats: RecordStats| RecordError {
        error,
        failed,
        stats,
    };
    let stopped = || {
        options
            .stop
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
    };
    let nominal = source.format().frame_interval();
    // Skipped frames move the time origin: the first recorded frame keeps
    // its interval to the frame before it.
    let mut origin = Duration::ZERO;
    while stats.skipped < options.skip {
        if stopped() {
            stats.ended = Ended::Stopped;
            return Ok(stats);
        }
        match source.next() {
            Ok(Some((frame, _))) => {
                origin = frame.timestamp;
                stats.skipped += 1;
            }
            Ok(None) => {
                let error = Error::new(
                    ErrorKind::SeekOutOfRange,
                    format!(
                        "cannot skip {} frames: the source has only {}",
                        options.skip, stats.skipped
                    ),
                );
                return Err(fail(error, Failed::Source, stats));
            }
            Err(e) => {
                let e = e.context(format!("frame {}", stats.skipped));
                return Err(fail(e, Failed::Source, stats));
            }
        }
    }
    let mut first: Option<Duration> = None;
    let mut last: Option<Duration> = None;
    let mut last_sequence: Option<u64> = None;
    let mut sync = SyncClock::new(options.sync_interval, nominal);
    loop {
        if options.limit.is_some_and(|n| stats.frames >= n) {
            stats.ended = Ended::Limit;
            break;
        }
        if stopped() {
            stats.ended = Ended::Stopped;
            break;
        }
        // A paced source's next frame would come after the end: stop now
        // rather than wait for it.
        if let (Some(d), Some(t0), Some(t), Some(step)) = (options.duration, first, last, nominal)
            && t.saturating_add(step).saturating_sub(t0) >= d
            && options.retime.is_none()
        {
            stats.ended = Ended::Duration;
            break;
        }
        let index = stats.skipped + stats.frames;
        let (frame, queue_drops) = match source.next() {
            Ok(Some(next)) => {
                sync.arrived();
                next
            }
            Ok(None) => {
                stats.ended = Ended::SourceEnded;
                break;
            }
            Err(e) => {
                let e = e.context(format!("frame {index}"));
                return Err(fail(e, Failed::Source, stats));
            }
        };
        let timestamp = match options.retime {
            Some(rate) => rate.frame_time(stats.frames),
            None => frame.timestamp.saturating_sub(origin),
        };
        let t0 = *first.get_or_insert(timestamp);
        if let Some(d) = options.duration
            && timestamp.saturating_sub(t0) >= d
        {
            // Frames lost between the last one written and this one, within
            // the duration, were dropped from the recording too.
            if let (Some(before), Some(at), Some(rate), None) =
                (last_sequence, last, nominal_rate, options.retime)
            {
                let gap = frame.sequence.wrapping_sub(before).wrapping_sub(1);
                let window = t0.saturating_add(d).saturating_sub(at);
                stats
                    .dropped
                    .add(gap.min(frames_within(rate, window)), queue_drops);
            }
            stats.ended = Ended::Duration;
            break;
        }
        let frame = Frame { timestamp, ..frame };
        if let Err(e) = sink.write_frame(&frame) {
            return Err(fail(e, Failed::Sink, stats));
        }
        if let Some(before) = last_sequence {
            let gap = frame.sequence.wrapping_sub(before).wrapping_sub(1);
            stats.dropped.add(gap, queue_drops);
        }
        last_sequence = Some(frame.sequence);
        last = Some(timestamp);
        stats.timeline.push(timestamp);
        stats.frames += 1;
        if sync.written() {
            if let Err(e) = sink.sync() {
                return Err(fail(e, Failed::Sink, stats));
            }
            sync.synced();
        }
        on_frame(&stats);
    }
    Ok(stats)
}

/// When the recording loop syncs (see [`RecordOptions::sync_interval`]).
struct SyncClock {
    interval: Option<Duration>,
    /// The source's nominal frame interval.
    nominal: Option<Duration>,
    /// When the oldest frame not yet synced was written.
    unsynced: Option<Instant>,
    /// When the last frame arrived, and the wall time between the last two.
    arrival: Option<Instant>,
    gap: Option<Duration>,
}

impl SyncClock {
    fn new(interval: Option<Duration>, nominal: Option<Duration>) -> SyncClock {
        SyncClock {
            interval,
            nominal,
            unsynced: None,
            arrival: None,
            gap: None,
        }
    }

    /// A frame came from the source.
    fn arrived(&mut self) {
        let now = Instant::now();
        if let Some(before) = self.arrival {
            self.gap = Some(now - before);
        }
        self.arrival = Some(now);
    }

    /// A frame was written: whether to sync now.
    fn written(&mut self) -> bool {
        let Some(interval) = self.interval else {
            return false;
        };
        let since = *self.unsynced.get_or_insert_with(Instant::now);
        // The next frame is expected after the last interval between
        // frames, or for the first the nominal one (none known: at once).
        let next = self.gap.or(self.nominal).unwrap_or(Duration::MAX);
        since.elapsed().saturating_add(next) >= interval
    }

    fn synced(&mut self) {
        self.unsynced = None;
    }
}

/// How many frames at `rate` come after a frame and less than `window`
/// after it (a microsecond of slack for timestamps rounded down).
fn frames_within(rate: FrameRate, window: Duration) -> u64 {
    let ns = window.as_nanos().saturating_sub(1_000);
    let per = u128::from(rate.denominator()) * 1_000_000_000;
    let n = (ns * u128::from(rate.numerator())).div_ceil(per);
    u64::try_from(n.saturating_sub(1)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::StreamFormat;
    use crate::camera::synthetic::SyntheticCamera;
    use crate::clock::ManualClock;
    use crate::image::{Image, PixelFormat};

    #[derive(Default)]
    struct Log {
        stamps: Vec<Duration>,
        seqs: Vec<u64>,
        syncs: u32,
    }

    impl FrameSink for Log {
        fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
            self.stamps.push(frame.timestamp);
            self.seqs.push(frame.sequence);
            Ok(())
        }
        fn sync(&mut self) -> Result<()> {
            self.syncs += 1;
            Ok(())
        }
    }

    fn paced(fps: f64) -> SyntheticCamera {
        SyntheticCamera::builder()
            .size(8, 8)
            .fps(fps)
            .clock(ManualClock::shared())
            .build()
            .unwrap()
    }

    #[test]
    fn a_duration_is_fps_times_seconds_frames() {
        let mut log = Log::default();
        let stats = record(
            &mut paced(15.0),
            &mut log,
            &RecordOptions::new().duration(Duration::from_secs(1)),
        )
        .unwrap();
        assert_eq!((stats.frames, stats.ended), (15, Ended::Duration));
        assert_eq!(log.stamps.len(), 15);
        assert_eq!(stats.duration(), Duration::from_secs(1));
    }

    #[test]
    fn skip_limit_and_retime() {
        let mut log = Log::default();
        let stats = record(
            &mut paced(30.0),
            &mut log,
            &RecordOptions::new()
                .skip(3)
                .limit(4)
                .retime(FrameRate::new(10, 1).unwrap()),
        )
        .unwrap();
        assert_eq!(
            (stats.frames, stats.skipped, stats.ended),
            (4, 3, Ended::Limit)
        );
        assert_eq!(log.seqs, [3, 4, 5, 6]);
        assert_eq!(log.stamps, [0, 100, 200, 300].map(Duration::from_millis));
        assert_eq!(stats.duration(), Duration::from_millis(400));
        let mut short = SyntheticCamera::builder()
            .size(4, 4)
            .frame_limit(2)
            .build()
            .unwrap();
        let e = record(
            &mut short,
            &mut Log::default(),
            &RecordOptions::new().skip(5),
        )
        .unwrap_err();
        assert_eq!(e.error.kind(), ErrorKind::SeekOutOfRange);
        assert_eq!(e.to_string(), "cannot skip 5 frames: the source has only 2");
    }

    #[test]
    fn a_stop_flag_ends_between_frames() {
        let flag = Arc::new(AtomicBool::new(false));
        let mut log = Log::default();
        let options = RecordOptions::new().stop_flag(flag.clone());
        let stats = record_with(&mut paced(30.0), &mut log, &options, |s| {
            if s.frames == 3 {
                flag.store(true, Ordering::Relaxed);
            }
        })
        .unwrap();
        assert_eq!((stats.frames, stats.ended), (3, Ended::Stopped));
    }

    /// A source that fails after two frames.
    struct Failing(Image, u64);

    impl CameraSource for Failing {
        fn format(&self) -> StreamFormat {
            StreamFormat::new(PixelFormat::Grayscale, 1, 1)
        }
        fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
            self.1 += 1;
            if self.1 > 2 {
                return Err(Error::new(ErrorKind::Disconnected, "unplugged"));
            }
            Ok(Some(Frame::new(self.0.view(), self.1, Duration::ZERO)))
        }
    }

    #[test]
    fn slow_sources_are_synced_after_every_frame() {
        // Half a frame a second: the first frame is synced at once (the
        // next is not due within the second); then the measured intervals
        // (none: a manual clock) take over.
        let mut log = Log::default();
        let options = RecordOptions::new().limit(3);
        record(&mut paced(0.5), &mut log, &options).unwrap();
        assert_eq!(log.syncs, 1);
        // 30 fps frames delivered at once: none is a second old yet.
        let mut log = Log::default();
        record(&mut paced(30.0), &mut log, &options).unwrap();
        assert_eq!(log.syncs, 0);
        // No nominal rate: the first frame is synced.
        let mut log = Log::default();
        let mut source = Failing(Image::zeroed(PixelFormat::Grayscale, 1, 1).unwrap(), 0);
        let _ = record(&mut source, &mut log, &options);
        assert_eq!(log.syncs, 1);
        // Never, when asked.
        let mut log = Log::default();
        let never = options.clone().sync_interval(None);
        record(&mut paced(0.5), &mut log, &never).unwrap();
        assert_eq!(log.syncs, 0);
    }

    #[test]
    fn errors_keep_the_count_and_the_sink_is_synced_on_time() {
        let mut log = Log::default();
        let mut source = Failing(Image::zeroed(PixelFormat::Grayscale, 1, 1).unwrap(), 0);
        let options = RecordOptions::new().sync_interval(Some(Duration::ZERO));
        let e = record(&mut source, &mut log, &options).unwrap_err();
        assert_eq!(e.stats.frames, 2);
        assert_eq!(e.failed, Failed::Source);
        assert_eq!(e.error.kind(), ErrorKind::Disconnected);
        assert_eq!(e.to_string(), "frame 2: unplugged");
        assert_eq!(log.syncs, 2);
    }
}
