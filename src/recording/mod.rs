//! picamera's recording calls over any [`CameraSource`]: `start_recording`,
//! `wait_recording`, `split_recording`, `request_key_frame`,
//! `stop_recording`, and stills while recording.
//!
//! A [`Recording`] owns a source and a [`VideoRecorder`] (an encoder in
//! front of an output). [`Recording::wait_recording`] reads frames from the
//! source for a span of recording time (measured on the frames'
//! timestamps, so a paced camera takes that long and a camera on a manual
//! clock no time at all) and surfaces the first error of the source, the
//! encoder or the output. [`Recording::split_recording`] switches to a new
//! output at the next key frame, which it asks the encoder for, so no
//! frame is lost or repeated and the new output starts with SPS + PPS +
//! IDR; it returns the old output finished.
//!
//! | start | encoder | output |
//! |---|---|---|
//! | [`Recording::start`] a path | by extension ([`video_encoder`]): H.264 for `.h264`/`.mp4`, MJPEG for `.avi`/`.bin` | [`FileSink`] |
//! | [`Recording::start_writer`] any [`Write`] | by [`VideoFormat`] | [`VideoOutput`] |
//! | [`Recording::start_with`] | any [`VideoEncoder`], a boxed custom one included | any [`FrameSink`] |
//!
//! For picamera's splitter ports (a recording next to stills and other
//! resolutions), put a [`VideoRecorder`] on a
//! [`Splitter`](crate::capture::Splitter) port and drive it with its
//! [`RecorderHandle`].
//!
//! ```
//! use std::time::Duration;
//! use camreel::camera::synthetic::SyntheticCamera;
//! use camreel::clock::ManualClock;
//! use camreel::output::OutputOptions;
//! use camreel::recording::Recording;
//!
//! let dir = tempfile::tempdir()?;
//! let camera = SyntheticCamera::builder().size(64, 48).fps(30.0).clock(ManualClock::shared()).build()?;
//! // camera.start_recording('before.avi')
//! let mut rec = Recording::start(camera, dir.path().join("before.avi"), OutputOptions::new())?;
//! rec.wait_recording(Duration::from_secs(1))?;
//! let before = rec.split_recording_to(dir.path().join("after.avi"))?;
//! assert_eq!(before.frames(), 30);
//! rec.wait_recording(Duration::from_secs(1))?;
//! let (_camera, after) = rec.stop_recording()?;
//! assert_eq!(after.frames(), 30);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod output;

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

pub use output::{DEFAULT_QUALITY, MjpegStream, VideoFormat, VideoOutput, video_encoder};

use crate::camera::CameraSource;
use crate::capture::{Capture, Encoder};
use crate::error::{Error, ErrorKind, Result};
use crate::output::{FileSink, OutputKind, OutputOptions};
use crate::sink::FrameSink;
use crate::timing::{FrameRate, Timeline};
use crate::video::{RecorderHandle, VideoEncoder, VideoFrameInfo, VideoRecorder};

/// A boxed encoder, as [`Recording::start`] and
/// [`Recording::start_writer`] choose one.
pub type BoxedEncoder = Box<dyn VideoEncoder + Send>;

/// The options with the source's nominal rate, when the options have none
/// and the kind keeps a rate.
fn with_source_rate(options: OutputOptions, fps: Option<f64>, kind: OutputKind) -> OutputOptions {
    match (options.get_frame_rate(), fps) {
        (None, Some(fps)) if kind != OutputKind::PngSequence => match FrameRate::from_fps(fps) {
            Ok(rate) => options.frame_rate(rate),
            Err(_) => options,
        },
        _ => options,
    }
}

/// A recording in progress: picamera's `start_recording` ...
/// `stop_recording` (see the [module docs](self)).
pub struct Recording<S, E, O> {
    source: S,
    recorder: VideoRecorder<E, O>,
    timeline: Timeline,
    /// Frames read from the source.
    frames: u64,
}

impl<S, E, O> fmt::Debug for Recording<S, E, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recording")
            .field("frames", &self.frames)
            .field("duration", &self.timeline.duration())
            .field("recorder", &self.recorder)
            .finish_non_exhaustive()
    }
}

impl<S: CameraSource> Recording<S, BoxedEncoder, FileSink> {
    /// picamera's `start_recording(path)`: records `source` to the file at
    /// `path`, encoded as its extension says (`.h264`, `.mp4`: H.264;
    /// `.avi`, `.bin`: motion JPEG; see [`video_encoder`]), written by a
    /// [`FileSink`] with `options` (the source's rate is the nominal rate
    /// unless the options give one). Nothing is read from the source yet.
    ///
    /// # Errors
    /// As [`video_encoder`] and [`FileSink::create`].
    pub fn start(source: S, path: impl AsRef<Path>, options: OutputOptions) -> Result<Self> {
        let path = path.as_ref();
        let kind = OutputKind::of(path)?;
        let options = with_source_rate(options, source.format().fps, kind);
        let (encoder, _) = video_encoder(kind, &options)?;
        let output = FileSink::create(path, options)?;
        Ok(Recording::start_with(source, encoder, output))
    }

    /// [`Recording::split_recording`] to a new file at `path`, of the same
    /// kind as the current one's options allow (see [`Recording::start`]).
    ///
    /// # Errors
    /// As [`FileSink::create`] and [`Recording::split_recording`].
    pub fn split_recording_to(&mut self, path: impl AsRef<Path>) -> Result<FileSink> {
        let options = self.recorder.output().options();
        let next = FileSink::create(path, options)?;
        self.split_recording(next)
    }
}

impl<S: CameraSource, W: Write> Recording<S, BoxedEncoder, VideoOutput<W>> {
    /// picamera's `start_recording(output, format=...)`: records `source`
    /// to any writer, in `format`, with `options` (H.264 settings, JPEG
    /// quality, the nominal rate of an MP4).
    ///
    /// # Errors
    /// As [`video_encoder`] and [`VideoOutput::new`].
    pub fn start_writer(
        source: S,
        writer: W,
        format: VideoFormat,
        options: OutputOptions,
    ) -> Result<Self> {
        let options = with_source_rate(options, source.format().fps, format.kind());
        let (encoder, _) = video_encoder(format.kind(), &options)?;
        let output = VideoOutput::new(writer, format, &options)?;
        Ok(Recording::start_with(source, encoder, output))
    }
}

impl<S: CameraSource, E: VideoEncoder, O: FrameSink> Recording<S, E, O> {
    /// Records `source` with `encoder` into `output`.
    pub fn start_with(source: S, encoder: E, output: O) -> Self {
        let timeline = source
            .format()
            .fps
            .and_then(|fps| FrameRate::from_fps(fps).ok())
            .map_or_else(Timeline::new, Timeline::with_rate);
        Recording {
            source,
            recorder: VideoRecorder::new(encoder, output),
            timeline,
            frames: 0,
        }
    }

    /// Adds picamera's `motion_output`: `sink` sees every raw frame (see
    /// [`VideoRecorder::motion_output`]).
    #[must_use]
    pub fn motion_output(mut self, sink: impl FrameSink + Send + 'static) -> Self {
        self.recorder = self.recorder.motion_output(sink);
        self
    }

    /// Reads one frame and records it; `Ok(false)` when the source ended.
    ///
    /// # Errors
    /// The source's error (with the frame's number), the motion output's,
    /// the encoder's or the output's.
    pub fn step(&mut self) -> Result<bool> {
        let Some(frame) = self
            .source
            .next_frame()
            .map_err(|e| e.context(format!("frame {}", self.frames)))?
        else {
            return Ok(false);
        };
        self.frames += 1;
        self.timeline.push(frame.timestamp);
        self.recorder.write_frame(&frame)?;
        Ok(true)
    }

    /// picamera's `wait_recording(duration)`: records until the recording
    /// is `duration` longer than it was, measured on the frames'
    /// timestamps, to the nearest frame (the recording's length is the
    /// last timestamp minus the first plus one frame interval, so two
    /// waits of 10 s at 30 fps record 300 frames each, whatever the
    /// rounding of the timestamps).
    ///
    /// # Errors
    /// The first error of [`Recording::step`];
    /// [`ErrorKind::EndOfStream`] if the source ends first.
    pub fn wait_recording(&mut self, duration: Duration) -> Result<()> {
        let target = self.duration().saturating_add(duration);
        // Done when less than half a frame is missing.
        while self.duration() + self.timeline.last_frame_duration() / 2 < target {
            if !self.step()? {
                return Err(Error::new(
                    ErrorKind::EndOfStream,
                    format!(
                        "the source ended after {} frames, {:.3} s into the recording",
                        self.frames,
                        self.duration().as_secs_f64()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// picamera's `split_recording(output)`: asks the encoder for a key
    /// frame, records until it comes (with H.264 the next frame; with JPEG
    /// at once) and switches to `output` there, so the old output ends
    /// with the frame before it and `output` starts with it (SPS + PPS +
    /// IDR). Returns the old output, finished.
    ///
    /// # Errors
    /// The first error of [`Recording::step`]; finishing the old output's
    /// error; [`ErrorKind::EndOfStream`] if the source ends first.
    pub fn split_recording(&mut self, output: O) -> Result<O> {
        if let Some(done) = self.recorder.split(output) {
            return done.into_result();
        }
        loop {
            if let Some(done) = self.recorder.take_finished() {
                if done.frames == 0 && done.first.is_none() && self.recorder.is_split_pending() {
                    // An earlier request's output, never used.
                    continue;
                }
                return done.into_result();
            }
            if !self.step()? {
                return Err(Error::new(
                    ErrorKind::EndOfStream,
                    format!(
                        "the source ended after {} frames, before the split's key frame",
                        self.frames
                    ),
                ));
            }
        }
    }

    /// picamera's `request_key_frame`.
    pub fn request_key_frame(&mut self) {
        self.recorder.request_key_frame();
    }

    /// picamera's `capture(..., use_video_port=True)` while recording: the
    /// next frame is recorded and also encoded by `encoder` as a still.
    ///
    /// # Errors
    /// As [`Recording::step`], and the still encoder's error;
    /// [`ErrorKind::EndOfStream`] if the source has no next frame.
    pub fn capture<C: Encoder + ?Sized>(&mut self, encoder: &mut C) -> Result<Capture> {
        let Some(frame) = self
            .source
            .next_frame()
            .map_err(|e| e.context(format!("frame {}", self.frames)))?
        else {
            return Err(Error::new(
                ErrorKind::EndOfStream,
                format!("the source ended after {} frames", self.frames),
            ));
        };
        self.frames += 1;
        self.timeline.push(frame.timestamp);
        self.recorder.write_frame(&frame)?;
        let mut data = Vec::new();
        encoder.encode(frame.image, &mut data)?;
        Ok(Capture {
            info: frame.info(),
            data,
        })
    }

    /// picamera's `camera.frame`: the facts of the last encoded frame.
    pub fn frame(&self) -> Option<VideoFrameInfo> {
        self.recorder.last_frame()
    }

    /// Frames read from the source.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// How long the recording is so far, on the frames' timestamps.
    pub fn duration(&self) -> Duration {
        if self.timeline.frames() == 0 {
            Duration::ZERO
        } else {
            self.timeline.duration()
        }
    }

    /// A handle for key frames and splits from another thread.
    pub fn handle(&self) -> RecorderHandle<O> {
        self.recorder.handle()
    }

    /// The recorder (its output, encoder and counts).
    pub fn recorder(&self) -> &VideoRecorder<E, O> {
        &self.recorder
    }

    /// The recorder, mutably.
    pub fn recorder_mut(&mut self) -> &mut VideoRecorder<E, O> {
        &mut self.recorder
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// picamera's `stop_recording`: finishes the output (and the motion
    /// output) and gives back the source and the output.
    ///
    /// # Errors
    /// Finishing's error.
    pub fn stop_recording(mut self) -> Result<(S, O)> {
        self.recorder.finish()?;
        let (_, output, _) = self.recorder.into_parts();
        Ok((self.source, output))
    }

    /// The source and the recorder, nothing finished.
    pub fn into_parts(self) -> (S, VideoRecorder<E, O>) {
        (self.source, self.recorder)
    }
}

#[cfg(test)]
mod tests;
