//! [`EventRecorder`]: raw frames in, event files out.

use std::fmt;
use std::time::Duration;

use super::options::EventOptions;
use super::sink::{EventReport, EventSink};
use super::trigger::{EventTrigger, MotionTrigger, TriggerHandle};
use crate::camera::{CameraSource, StreamFormat};
use crate::circular::CircularBuffer;
use crate::error::Result;
use crate::frame::Frame;
use crate::output::OutputOptions;
use crate::record::{RecordError, RecordOptions, RecordStats};
use crate::recording::video_encoder;
use crate::sink::FrameSink;
use crate::timing::FrameRate;
use crate::video::{VideoEncoder, VideoRecorder};

/// The file options: the given ones, with the source's rate unless they
/// have one.
fn output_options(options: &EventOptions, format: &StreamFormat) -> Result<OutputOptions> {
    let mut output = options.output;
    if output.get_frame_rate().is_none()
        && let Some(rate) = format.fps.and_then(|f| FrameRate::from_fps(f).ok())
    {
        output = output.frame_rate(rate);
    }
    output.check(options.pattern.kind())?;
    Ok(output)
}

/// A callback for finished event files.
type OnEvent = Box<dyn FnMut(&EventReport) + Send>;

/// What an [`EventRecorder`] has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventStats {
    /// Raw frames taken.
    pub frames: u64,
    /// Encoded frames (every raw frame, unless the encoder skipped some).
    pub encoded: u64,
    /// Encoded frames written to event files.
    pub file_frames: u64,
    /// Encoded frames the buffer let go of without writing them anywhere
    /// (older than the pre-trigger time).
    pub dropped: u64,
    /// Encoded frames in the buffer now.
    pub buffered: u64,
    /// Event files finished.
    pub files: u64,
    /// Events started.
    pub events: u64,
}

/// Event recording (picamera's circular-stream security recipe in one call):
/// every raw frame goes to the triggers, then through an encoder into a
/// [`CircularBuffer`] that keeps the last seconds; when a trigger fires,
/// the buffer's frames and then the live frames go to a new file named
/// from a pattern, until the triggers have been quiet for the post-trigger
/// time; then back to the buffer.
///
/// - Times are the frames' timestamps, never the wall clock (file names
///   excepted): a source on a [`ManualClock`](crate::clock::ManualClock)
///   records hours in seconds.
/// - Switching loses and repeats no frame. An event's file starts with the
///   buffer's frames, which start at a key frame (SPS + PPS + IDR for
///   H.264), and goes on with the live frames in the same stream. When it
///   ends, the encoder is asked for a key frame, so the buffer starts again
///   at once.
/// - A trigger during an event extends it (and a trigger right after it,
///   while the recorder waits for the key frame to return to the buffer,
///   takes it up again). [`EventOptions::max_event`] cuts a long event into
///   files at key frames (asked for).
/// - Triggers: the motion in the frames ([`MotionTrigger`], the default),
///   the [`TriggerHandle`] of [`EventRecorder::handle`] (always polled; a
///   function call, or lines read by [`TriggerHandle::fire_on_lines`]), a
///   GPIO input ([`InputTrigger`](super::InputTrigger)), any
///   [`EventTrigger`].
/// - Each finished file is reported to the callback of
///   [`EventRecorder::on_event`] ([`EventReport`]: path, start, duration,
///   frames, ...). [`FrameSink::finish`] finishes the file of an event
///   going on, so an interrupted recording leaves a playable file.
/// - Memory: the buffer is allocated once; a file's writer holds its index
///   (a few bytes a frame, bounded by `max_event`); nothing else grows.
///
/// The file kind follows the pattern's extension: H.264 (`.h264`, `.mp4`;
/// feature `h264`, or the Pi's hardware encoder with `rpi`), motion JPEG
/// (`.avi`, `.bin`); see [`video_encoder`].
///
/// ```
/// use std::time::Duration;
/// use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
/// use camreel::clock::ManualClock;
/// use camreel::event::{EventOptions, EventRecorder};
/// use camreel::record::RecordOptions;
///
/// let dir = tempfile::tempdir()?;
/// let mut camera = SyntheticCamera::builder().size(64, 48).fps(10.0).clock(ManualClock::shared()).build()?;
/// let options = EventOptions::new(&format!("{}/clip%04d.avi", dir.path().display()))?
///     .pre(Duration::from_secs(2))
///     .post(Duration::from_secs(1));
/// let mut events = EventRecorder::new(options, camera.format())?.without_motion();
/// let trigger = events.handle();
/// let (tx, rx) = std::sync::mpsc::channel();
/// events.on_event(move |e| tx.send(e.clone()).unwrap());
/// events.record(&mut camera, &RecordOptions::new().limit(50))?;
/// trigger.fire(); // at frame 50, 5 s in
/// events.record(&mut camera, &RecordOptions::new().limit(50))?;
/// let event = rx.try_recv()?;
/// assert_eq!(event.path, dir.path().join("clip0001.avi"));
/// // The buffer held 2 s back from its newest frame (frames 29 to 49), then
/// // the trigger frame and 1 s after it.
/// assert_eq!((event.first_sequence, event.last_sequence), (29, 60));
/// assert_eq!(event.pre_frames, 21);
/// assert_eq!(event.duration, Duration::from_millis(3200));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct EventRecorder {
    recorder: VideoRecorder<Box<dyn VideoEncoder + Send>, EventSink>,
    triggers: Vec<Box<dyn EventTrigger>>,
    handle: TriggerHandle,
    on_event: Option<OnEvent>,
    pre: Duration,
    post: Duration,
    max_event: Option<Duration>,
    in_event: bool,
    last_active: Option<Duration>,
    stats: EventStats,
    finished: bool,
}

impl fmt::Debug for EventRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventRecorder")
            .field("stats", &self.stats)
            .field("in_event", &self.in_event)
            .field("triggers", &self.triggers.len())
            .finish_non_exhaustive()
    }
}

impl EventRecorder {
    /// A recorder for a source of `format` (its size and rate size the
    /// buffer; see [`EventOptions::buffer_bytes`]), encoding as the
    /// pattern's extension says, triggered by motion
    /// ([`MotionTrigger::default_options`]) and its handle.
    ///
    /// # Errors
    /// [`EventOptions::check`]; the encoder's (see [`video_encoder`]);
    /// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) if the
    /// buffer cannot be allocated; an output option that does not apply to
    /// the file kind.
    pub fn new(options: EventOptions, format: StreamFormat) -> Result<EventRecorder> {
        options.check()?;
        let output = output_options(&options, &format)?;
        let (encoder, _) = video_encoder(options.pattern.kind(), &output)?;
        EventRecorder::with_encoder(options, format, encoder)
    }

    /// [`EventRecorder::new`] with `encoder` (a custom one, the Pi's
    /// hardware encoder, ...); it must make the frames the file kind
    /// stores (H.264 for `.h264`/`.mp4`, JPEG for `.avi`/`.bin`).
    ///
    /// # Errors
    /// As [`EventRecorder::new`].
    pub fn with_encoder(
        options: EventOptions,
        format: StreamFormat,
        encoder: Box<dyn VideoEncoder + Send>,
    ) -> Result<EventRecorder> {
        options.check()?;
        let output = output_options(&options, &format)?;
        let ring = CircularBuffer::new(options.buffer_size_for(&format))?
            .seconds(options.pre)
            .max_frames(options.buffer_frames_for(&format))?;
        let sink = EventSink::new(ring, &options, output);
        Ok(EventRecorder {
            recorder: VideoRecorder::new(encoder, sink),
            triggers: vec![Box::new(MotionTrigger::default_options()?)],
            handle: TriggerHandle::new(),
            on_event: None,
            pre: options.pre,
            post: options.post,
            max_event: options.max_event,
            in_event: false,
            last_active: None,
            stats: EventStats::default(),
            finished: false,
        })
    }

    /// Adds a trigger, polled with the others for every frame.
    #[must_use]
    pub fn trigger(mut self, trigger: impl EventTrigger + 'static) -> EventRecorder {
        self.triggers.push(Box::new(trigger));
        self
    }

    /// Removes the triggers added so far, the default motion trigger
    /// included (the handle stays).
    #[must_use]
    pub fn without_motion(mut self) -> EventRecorder {
        self.triggers.clear();
        self
    }

    /// The handle that fires events from anywhere (always polled).
    pub fn handle(&self) -> TriggerHandle {
        self.handle.clone()
    }

    /// Calls `f` with every finished event file.
    pub fn on_event(&mut self, f: impl FnMut(&EventReport) + Send + 'static) {
        self.on_event = Some(Box::new(f));
    }

    /// Adds picamera's `motion_output` next to the recording (every raw
    /// frame, before it is encoded).
    #[must_use]
    pub fn motion_output(mut self, sink: impl FrameSink + Send + 'static) -> EventRecorder {
        self.recorder.set_motion_output(Some(Box::new(sink)));
        self
    }

    /// Whether an event is going on.
    pub fn in_event(&self) -> bool {
        self.in_event
    }

    /// The pre-trigger time.
    pub fn pre(&self) -> Duration {
        self.pre
    }

    /// The circular buffer (its capacity, frames, span, drops).
    pub fn buffer(&self) -> &CircularBuffer {
        self.recorder.output().ring()
    }

    /// What was done so far.
    pub fn stats(&self) -> EventStats {
        let ring = self.buffer();
        EventStats {
            encoded: self.recorder.encoded_frames(),
            file_frames: self.recorder.output().file_frames,
            dropped: ring.dropped().frames,
            buffered: ring.frames(),
            ..self.stats
        }
    }

    /// Records frames from `source` as `options` say (frame limit,
    /// duration, stop flag: the one recording loop,
    /// [`crate::record::record`]); the recorder is not finished, so it can
    /// go on with more calls.
    ///
    /// # Errors
    /// As [`crate::record::record`].
    pub fn record<S: CameraSource + ?Sized>(
        &mut self,
        source: &mut S,
        options: &RecordOptions,
    ) -> Result<RecordStats, RecordError> {
        crate::record::record(source, self, options)
    }

    /// Passes finished files to the callback.
    fn report(&mut self) {
        let reports = std::mem::take(&mut self.recorder.output_mut().reports);
        for r in &reports {
            self.stats.files += 1;
            if let Some(f) = &mut self.on_event {
                f(r);
            }
        }
        // The vector's room is kept for the next reports.
        let mut reports = reports;
        reports.clear();
        self.recorder.output_mut().reports = reports;
    }
}

impl FrameSink for EventRecorder {
    /// Polls the triggers with `frame`, decides whether an event starts,
    /// goes on or ends, and records the frame.
    ///
    /// # Errors
    /// A trigger's error; the encoder's; an event file's.
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        if self.finished {
            return Err(crate::sink::finished("the event recorder"));
        }
        let t = frame.timestamp;
        let mut active = self.handle.take();
        for trigger in &mut self.triggers {
            // Every trigger sees every frame (motion needs the one before).
            active |= trigger
                .poll(frame)
                .map_err(|e| e.context(format!("frame {}: trigger", frame.sequence)))?;
        }
        if active {
            self.last_active = Some(t);
        }
        if !self.in_event {
            if active {
                self.in_event = true;
                self.stats.events += 1;
                if self.recorder.output_mut().start(t) {
                    self.recorder.request_key_frame();
                }
            }
        } else {
            let quiet = self
                .last_active
                .is_some_and(|last| t.saturating_sub(last) > self.post);
            if quiet {
                self.in_event = false;
                if self.recorder.output_mut().stop() {
                    self.recorder.request_key_frame();
                }
            } else if let (Some(max), Some(start)) =
                (self.max_event, self.recorder.output().file_start())
                && t.saturating_sub(start) >= max
                && self.recorder.output_mut().cut()
            {
                self.recorder.request_key_frame();
            }
        }
        self.stats.frames += 1;
        let written = self.recorder.write_frame(frame);
        self.report();
        written
    }

    fn sync(&mut self) -> Result<()> {
        self.recorder.sync()
    }

    /// Finishes the event file being written (reported with
    /// [`EventEnd::Stopped`](super::EventEnd::Stopped)) and the motion
    /// output. Runs once.
    fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        self.in_event = false;
        let result = self.recorder.finish();
        self.report();
        result
    }
}

impl Drop for EventRecorder {
    /// Finishes the event file being written, best effort.
    fn drop(&mut self) {
        let _ = self.finish();
    }
}
