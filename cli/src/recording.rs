//! The loop `record` and `convert` share: a source, a [`FileSink`] and
//! `camreel::record`, with a progress bar, signal handling and one policy
//! for what is kept when something goes wrong.
//!
//! - The first SIGINT, SIGTERM or SIGHUP stops the recording: the frames
//!   written so far are finished into a playable file, the number saved is
//!   reported, and the process exits with 128 + the signal's number. A
//!   second signal aborts at once. A source blocked waiting for a frame
//!   (a camera at one frame a minute) does not delay this: after a short
//!   grace period the output is finished without it.
//! - Frames reach the file within the sync interval (a second): the
//!   recording loop syncs after frames, and while the source is blocked
//!   (a camera that stalls after a burst) this thread syncs for it, so a
//!   recording killed at any moment keeps every frame older than that.
//! - A source error part way keeps what was recorded (the output is
//!   finished first) and says so in the error.
//! - An output error closes what can be closed; a conversion (an atomic
//!   output) then leaves nothing under the output's name.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use camreel::camera::CameraSource;
use camreel::error::quote_path;
use camreel::frame::Frame;
use camreel::output::FileSink;
use camreel::record::{
    Failed, LagMonitor, Overflow, RecordError, RecordOptions, RecordStats, record_live, record_with,
};
use camreel::sink::FrameSink;
use camreel::{Error, ErrorKind, Result};

use crate::progress::Progress;

/// How long a stop request waits for the source to hand over its frame
/// before the output is finished without it.
const GRACE: Duration = Duration::from_millis(500);

/// The signals that stop a recording.
const STOP_SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
];

/// A recording to run.
pub struct Job<S> {
    /// The source as the user named it, for messages.
    pub label: String,
    /// Where frames come from.
    pub source: S,
    /// Where they go.
    pub sink: FileSink,
    /// Limits, timing and the like (the stop flag is added here).
    pub options: RecordOptions,
    /// Frames expected, for the progress bar.
    pub total: Option<u64>,
    /// The progress bar's label.
    pub verb: &'static str,
    /// A second output that sees every frame (a motion output).
    pub tee: Option<Box<dyn FrameSink + Send>>,
    /// A live source: read on its own thread into a queue with this policy
    /// (`None`: a file, read as fast as the output takes it).
    pub live: Option<Overflow>,
    /// What helps an output that cannot keep up, for the warning.
    pub hint: String,
}

/// How a recording ended.
pub struct Outcome<S> {
    /// What was recorded.
    pub stats: RecordStats,
    /// The source back (None when it was abandoned after a stop request).
    pub source: Option<S>,
    /// The signal that stopped the recording.
    pub signal: Option<i32>,
}

/// The outputs, shared by the recording thread and, after a stop request,
/// the main thread (which takes them out to finish them).
struct Outputs {
    sink: FileSink,
    tee: Option<Box<dyn FrameSink + Send>>,
    /// When the oldest frame not yet synced was written.
    unsynced: Option<Instant>,
}

impl Outputs {
    /// Syncs the sink and the tee; the first error wins.
    fn sync(&mut self) -> Result<()> {
        self.unsynced = None;
        let tee = match &mut self.tee {
            Some(t) => t.sync(),
            None => Ok(()),
        };
        self.sink.sync().and(tee)
    }

    /// Finishes the tee, then the sink; the first error wins.
    fn finish(&mut self) -> Result<()> {
        let tee = match &mut self.tee {
            Some(t) => t.finish(),
            None => Ok(()),
        };
        self.sink.finish().and(tee)
    }
}

/// What the recording thread writes to, shared with the main thread, which
/// takes it out to finish it (after the thread ended, or a stop request).
pub struct Shared<T>(Arc<Mutex<Option<T>>>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Shared<T> {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Shared<T> {
    /// Shares `value`.
    pub fn new(value: T) -> Shared<T> {
        Shared(Arc::new(Mutex::new(Some(value))))
    }

    /// Runs `f` on the value; [`ErrorKind::Finished`] once it was taken.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> Result<R>) -> Result<R> {
        match self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
        {
            Some(value) => f(value),
            None => Err(Error::new(ErrorKind::Finished, "the recording was stopped")),
        }
    }

    /// Runs `f` on the value unless the recording thread holds it.
    fn try_with(&self, f: impl FnOnce(&mut T)) {
        if let Ok(mut guard) = self.0.try_lock()
            && let Some(value) = guard.as_mut()
        {
            f(value);
        }
    }

    /// Takes the value out (the recording thread's next write fails).
    pub fn take(&self) -> Result<T> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(|| Error::new(ErrorKind::Finished, "the recording was already finished"))
    }
}

/// Waits for the recording thread's result on `rx` while watching for a
/// stop signal (see the module docs), running `idle` between looks (every
/// 50 ms). `None` when a stop request's grace ran out with the source still
/// blocked, or the thread died.
pub fn supervise<D>(
    rx: &mpsc::Receiver<D>,
    signal: &AtomicUsize,
    stopping: &AtomicBool,
    mut idle: impl FnMut(),
) -> Option<D> {
    let mut deadline = None;
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(done) => return Some(done),
            Err(RecvTimeoutError::Disconnected) => return None,
            Err(RecvTimeoutError::Timeout) => {}
        }
        idle();
        if signal.load(Ordering::Relaxed) != 0 && deadline.is_none() {
            stopping.store(true, Ordering::Relaxed);
            deadline = Some(Instant::now() + GRACE);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            // The source is still waiting for a frame: finish without it.
            return None;
        }
    }
}

/// The signal that stopped the recording, if one did.
pub fn stopped_by(signal: &AtomicUsize) -> Option<i32> {
    let got = signal.load(Ordering::Relaxed);
    (got != 0).then(|| i32::try_from(got).unwrap_or(0))
}

impl FrameSink for Shared<Outputs> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.with(|out| {
            out.sink.write_frame(frame)?;
            out.unsynced.get_or_insert_with(Instant::now);
            match &mut out.tee {
                Some(t) => t.write_frame(frame),
                None => Ok(()),
            }
        })
    }

    fn sync(&mut self) -> Result<()> {
        self.with(Outputs::sync)
    }
}

type Done<S> = (S, Result<RecordStats, RecordError>);

/// The stop signals' state for the whole process, registered once (a
/// receiver runs one recording per connection): the number of the first
/// signal, and whether a stop is under way (the second signal then exits
/// with 128 + its number).
pub fn signals() -> Result<(Arc<AtomicUsize>, Arc<AtomicBool>)> {
    static STATE: std::sync::OnceLock<(Arc<AtomicUsize>, Arc<AtomicBool>)> =
        std::sync::OnceLock::new();
    if let Some((signal, stopping)) = STATE.get() {
        return Ok((Arc::clone(signal), Arc::clone(stopping)));
    }
    let signal = Arc::new(AtomicUsize::new(0));
    let stopping = Arc::new(AtomicBool::new(false));
    for sig in STOP_SIGNALS {
        let code = 128 + sig;
        signal_hook::flag::register_conditional_shutdown(sig, code, Arc::clone(&stopping))
            .and_then(|_| signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize))
            .map_err(|e| Error::io("installing the signal handlers", e))?;
    }
    let (signal, stopping) = STATE.get_or_init(|| (signal, stopping));
    Ok((Arc::clone(signal), Arc::clone(stopping)))
}

/// The signal's name for messages.
pub fn signal_name(sig: i32) -> &'static str {
    match sig {
        signal_hook::consts::SIGINT => "SIGINT",
        signal_hook::consts::SIGTERM => "SIGTERM",
        signal_hook::consts::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// Runs `job` to its end, a signal or an error (see the module docs).
pub fn run<S: CameraSource + Send + 'static>(job: Job<S>) -> Result<Outcome<S>> {
    let Job {
        label,
        source,
        sink,
        options,
        total,
        verb,
        tee,
        live,
        hint,
    } = job;
    let path = sink.path().to_path_buf();
    let path_for_warning = path.clone();
    let sink = Shared::new(Outputs {
        sink,
        tee,
        unsynced: None,
    });
    let sync_interval = options.get_sync_interval();
    let (signal, stopping) = signals()?;
    let options = options.stop_flag(Arc::clone(&stopping));
    let (tx, rx) = mpsc::channel::<Done<S>>();
    let shared = sink.clone();
    let worker = std::thread::Builder::new()
        .name("camreel-record".into())
        .spawn(move || {
            let mut source = source;
            let mut progress = Progress::new(verb, total);
            let mut lag = LagMonitor::new();
            let on_frame = |stats: &RecordStats| {
                progress.set_dropped(stats.dropped.total());
                progress.tick();
                if let Some(lag) = lag.update(stats) {
                    eprintln!(
                        "{}camreel: warning: {} cannot keep up: the camera delivers {:.1} fps, {:.1} fps were written over the last {:.0} s, the rest are dropped (the recording goes on). {hint}",
                        if progress.is_drawn() { "\n" } else { "" },
                        quote_path(&path_for_warning),
                        lag.source_fps,
                        lag.written_fps,
                        lag.lasting.as_secs_f64(),
                    );
                }
            };
            let result = match live {
                Some(overflow) => record_live(
                    &mut source,
                    &mut { shared },
                    &options.overflow(overflow),
                    on_frame,
                ),
                None => record_with(&mut source, &mut { shared }, &options, on_frame),
            };
            progress.finish();
            let _ = tx.send((source, result));
        })
        .map_err(|e| Error::io("starting the recording thread", e))?;
    let done = supervise(&rx, &signal, &stopping, || {
        if let Some(interval) = sync_interval {
            sync_for_a_blocked_source(&sink, interval);
        }
    });
    let signal = stopped_by(&signal);
    let mut outputs = sink.take()?;
    match done {
        Some((source, Ok(stats))) => {
            let _ = worker.join();
            outputs.finish()?;
            Ok(Outcome {
                stats,
                source: Some(source),
                signal,
            })
        }
        Some((_, Err(e))) => {
            let _ = worker.join();
            if let Some(t) = &mut outputs.tee {
                let _ = t.finish();
            }
            Err(keep_what_was_recorded(outputs.sink, &label, &path, e))
        }
        None => {
            // Stopped while the source was blocked (or the thread died).
            let frames = outputs.sink.frames();
            outputs.finish()?;
            if signal.is_none() {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!("{label}: the recording thread stopped unexpectedly"),
                ));
            }
            Ok(Outcome {
                stats: RecordStats {
                    frames,
                    ended: camreel::record::Ended::Stopped,
                    ..RecordStats::new()
                },
                source: None,
                signal,
            })
        }
    }
}

/// Syncs the outputs when a frame has waited `interval` unsynced while the
/// recording thread is elsewhere (blocked on its source). An error is left
/// for the recording thread's next write or sync to report.
fn sync_for_a_blocked_source(sink: &Shared<Outputs>, interval: Duration) {
    sink.try_with(|out| {
        if out.unsynced.is_some_and(|t| t.elapsed() >= interval) {
            let _ = out.sync();
        }
    });
}

/// After `e` stopped a recording: keeps the frames before it (the output
/// is finished) and says so in the error; an atomic output whose writing
/// failed is discarded instead, leaving nothing that looks complete.
fn keep_what_was_recorded(
    mut sink: FileSink,
    label: &str,
    path: &std::path::Path,
    e: RecordError,
) -> Error {
    let frames = e.stats.frames;
    let error = match e.failed {
        Failed::Source => e.error.context(label),
        Failed::Sink => e.error,
    };
    if e.failed == Failed::Sink && sink.is_atomic() {
        return match sink.discard() {
            Ok(()) => error,
            Err(de) => error.context(format!("{de}")),
        };
    }
    if frames == 0 {
        return error;
    }
    match sink.finish() {
        Ok(()) => error.context(format!(
            "the {frames} frames before it are saved in {}",
            quote_path(path)
        )),
        Err(fe) => error.context(format!("finishing {} failed too ({fe})", quote_path(path))),
    }
}

#[cfg(test)]
mod tests {
    use camreel::camera::synthetic::SyntheticCamera;
    use camreel::camera::{Frame as CameraFrame, StreamFormat};
    use camreel::output::OutputOptions;
    use camreel::replay::{self, ReplayOptions};

    use super::*;

    /// A camera that goes away after `left` frames.
    struct Unplugged {
        camera: SyntheticCamera,
        left: u32,
    }

    impl CameraSource for Unplugged {
        fn format(&self) -> StreamFormat {
            self.camera.format()
        }

        fn next_frame(&mut self) -> Result<Option<CameraFrame<'_>>> {
            if self.left == 0 {
                return Err(Error::new(ErrorKind::Disconnected, "the device went away"));
            }
            self.left -= 1;
            self.camera.next_frame()
        }
    }

    fn job(path: &std::path::Path, left: u32) -> Job<Unplugged> {
        Job {
            label: "test".into(),
            source: Unplugged {
                camera: SyntheticCamera::builder().size(32, 24).build().unwrap(),
                left,
            },
            sink: FileSink::create(path, OutputOptions::new().quality(80)).unwrap(),
            options: RecordOptions::new().limit(100),
            total: None,
            verb: "test",
            tee: None,
            live: None,
            hint: String::new(),
        }
    }

    #[test]
    fn frames_recorded_before_a_source_error_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["clip.bin", "clip.avi"] {
            let path = dir.path().join(name);
            let e = run(job(&path, 5)).err().unwrap();
            assert_eq!(e.kind(), ErrorKind::Disconnected, "{name}: {e}");
            assert_eq!(
                e.to_string(),
                format!(
                    "the 5 frames before it are saved in {}: test: frame 5: the device went away",
                    path.display()
                )
            );
            // The output was finished: every recorded frame reads back.
            let mut clip = replay::open(&path, &ReplayOptions::new()).unwrap();
            let mut n = 0;
            while clip.next_frame().unwrap().is_some() {
                n += 1;
            }
            assert_eq!(n, 5, "{name}");
        }
    }

    /// A camera that delivers `burst` frames, then nothing for `stall`.
    struct Stalling {
        camera: SyntheticCamera,
        burst: u32,
        stall: Duration,
    }

    impl CameraSource for Stalling {
        fn format(&self) -> StreamFormat {
            self.camera.format()
        }

        fn next_frame(&mut self) -> Result<Option<CameraFrame<'_>>> {
            if self.burst == 0 {
                std::thread::sleep(self.stall);
                return Ok(None);
            }
            self.burst -= 1;
            self.camera.next_frame()
        }
    }

    #[test]
    fn frames_before_a_stalled_source_are_synced_while_it_waits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("burst.gif");
        let job = Job {
            label: "test".into(),
            source: Stalling {
                camera: SyntheticCamera::builder().size(16, 16).build().unwrap(),
                burst: 4,
                stall: Duration::from_secs(3),
            },
            sink: FileSink::create(&path, OutputOptions::new()).unwrap(),
            options: RecordOptions::new(),
            total: None,
            verb: "test",
            tee: None,
            live: None,
            hint: String::new(),
        };
        let worker = std::thread::spawn(move || run(job).map(|o| o.stats.frames));
        // The recording thread waits for the source: the frames of the
        // burst reach the file within a second anyway, as a complete GIF.
        std::thread::sleep(Duration::from_millis(2000));
        let file = std::fs::File::open(&path).unwrap();
        let info = camreel::gif::read_info(std::io::BufReader::new(file)).unwrap();
        assert_eq!(info.frames.len(), 4);
        assert_eq!(worker.join().unwrap().unwrap(), 4);
    }

    #[test]
    fn a_source_error_before_any_frame_creates_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.avi");
        let e = run(job(&path, 0)).err().unwrap();
        assert_eq!(e.to_string(), "test: frame 0: the device went away");
        assert!(!path.exists());
    }
}
