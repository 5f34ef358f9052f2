//! [`VideoRecorder`]: raw frames in, encoded frames out to a sink that can be
//! switched at a key frame (picamera's `split_recording`), with the facts of
//! every encoded frame and an optional motion output.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::encoder::{VideoEncoder, VideoFrameInfo, VideoFrameType};
use crate::error::Result;
use crate::frame::Frame;
use crate::image::PixelFormat;
use crate::sink::FrameSink;

/// An output that a split replaced, finished, with what it received.
///
/// [`Finished::result`] says whether finishing it worked; the frames it
/// holds are the ones before the split point, the new output has the rest.
pub struct Finished<O> {
    /// The output, finished (its trailer or index written).
    pub output: O,
    /// Encoded frames it received.
    pub frames: u64,
    /// Encoded bytes it received.
    pub bytes: u64,
    /// The facts of its first frame (`None` when it received none: a split
    /// requested again before it took effect gives the earlier output back
    /// this way).
    pub first: Option<VideoFrameInfo>,
    /// The facts of its last frame.
    pub last: Option<VideoFrameInfo>,
    /// What finishing it returned.
    pub result: Result<()>,
}

impl<O> fmt::Debug for Finished<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finished")
            .field("frames", &self.frames)
            .field("bytes", &self.bytes)
            .field("first", &self.first)
            .field("last", &self.last)
            .field("result", &self.result)
            .finish_non_exhaustive()
    }
}

impl<O> Finished<O> {
    /// The output if finishing it worked, else the error.
    ///
    /// # Errors
    /// The error finishing it returned.
    pub fn into_result(self) -> Result<O> {
        self.result.map(|()| self.output)
    }
}

/// What the recorder and its handles share.
struct Shared<O> {
    /// A key frame was asked for and not passed to the encoder yet.
    key_frame: bool,
    /// The output to switch to at the next key frame.
    split: Option<O>,
    /// Whether the encoder was asked for a key frame for `split`.
    split_asked: bool,
    /// Outputs replaced by splits, oldest first, not yet taken.
    done: VecDeque<Finished<O>>,
    /// The facts of the last encoded frame.
    last: Option<VideoFrameInfo>,
}

fn lock<O>(shared: &Mutex<Shared<O>>) -> MutexGuard<'_, Shared<O>> {
    // A panic elsewhere cannot leave the state half-changed: every update is
    // one assignment.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Finishes an output that a split never switched to and queues it to be
/// taken back, with no frames.
fn give_back<O: FrameSink>(shared: &Mutex<Shared<O>>, mut unused: O) {
    let result = unused.finish();
    lock(shared).done.push_back(Finished {
        output: unused,
        frames: 0,
        bytes: 0,
        first: None,
        last: None,
        result,
    });
}

/// Controls a [`VideoRecorder`] from anywhere (another thread, while the
/// recorder is a [`Splitter`](crate::capture::Splitter) port): key frame
/// requests, splits, the last frame's facts. `Send` when the output is,
/// and cheap to clone.
pub struct RecorderHandle<O> {
    shared: Arc<Mutex<Shared<O>>>,
}

impl<O> Clone for RecorderHandle<O> {
    fn clone(&self) -> Self {
        RecorderHandle {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<O> fmt::Debug for RecorderHandle<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = lock(&self.shared);
        f.debug_struct("RecorderHandle")
            .field("split_pending", &s.split.is_some())
            .field("finished_outputs", &s.done.len())
            .field("last", &s.last)
            .finish()
    }
}

impl<O: FrameSink> RecorderHandle<O> {
    /// Asks for the next encoded frame to be a key frame (picamera's
    /// `request_key_frame`).
    pub fn request_key_frame(&self) {
        lock(&self.shared).key_frame = true;
    }

    /// Switches the recording to `output` at the next key frame, asking the
    /// encoder for one (picamera's `split_recording`): the frames before it
    /// stay in the current output, which is then finished and handed back by
    /// [`RecorderHandle::take_finished`]. With a JPEG encoder every frame is
    /// a key frame, so the switch happens at the next frame.
    ///
    /// A split asked for while another is pending replaces it: the output
    /// it would have switched to comes back through `take_finished` with no
    /// frames.
    pub fn split(&self, output: O) {
        let unused = {
            let mut s = lock(&self.shared);
            s.split_asked = false;
            s.split.replace(output)
        };
        if let Some(unused) = unused {
            give_back(&self.shared, unused);
        }
    }

    /// Whether a split waits for its key frame.
    pub fn is_split_pending(&self) -> bool {
        lock(&self.shared).split.is_some()
    }

    /// The oldest output a split replaced, finished, if any is waiting.
    pub fn take_finished(&self) -> Option<Finished<O>> {
        lock(&self.shared).done.pop_front()
    }

    /// The facts of the last encoded frame (picamera's `camera.frame`).
    pub fn last_frame(&self) -> Option<VideoFrameInfo> {
        lock(&self.shared).last
    }
}

/// Raw frames in, encoded frames out: a [`FrameSink`] that encodes every
/// frame it is given with a [`VideoEncoder`] and writes the encoded frame
/// (an H.264 access unit, a JPEG) to an output sink, which can be switched
/// at a key frame without losing or repeating a frame.
///
/// - Each encoded frame's facts ([`VideoFrameInfo`], picamera's
///   `PiVideoFrame`) are kept: [`VideoRecorder::last_frame`] is picamera's
///   `camera.frame`. `index` counts the encoder's frames from the start of
///   the recording; `position` and `video_size` count the bytes given to
///   the current output since it started (so after a split, `position` is
///   the frame's offset in a raw `.h264` output).
/// - [`VideoRecorder::split`] switches to a new output at the next key frame
///   (asking the encoder for one; an SPS/PPS header frame is a switch point
///   too), so the new output starts with SPS + PPS + IDR and plays on its
///   own; with JPEG every frame is a key frame and the switch is at once.
///   The replaced output is finished and handed back ([`Finished`]).
/// - [`VideoRecorder::motion_output`] adds picamera's `motion_output=`: a
///   sink (such as [`MotionOutput`](crate::motion::MotionOutput)) that sees
///   every raw frame the encoder sees, before it is encoded.
/// - [`VideoRecorder::handle`] gives a `Send + Clone` [`RecorderHandle`], so
///   splits and key frames can be asked for while the recorder is a
///   [`Splitter`](crate::capture::Splitter) port, with stills and other
///   resolutions taken from the same stream.
///
/// The encoder may be any [`VideoEncoder`], a boxed custom one included
/// (`Box<dyn VideoEncoder + Send>`); the output any [`FrameSink`] that takes
/// the encoder's frames (`.h264` and `.mp4` writers, an AVI, an ImageIO
/// stream, a [`CircularBuffer`](crate::circular::CircularBuffer), a
/// [`FileSink`](crate::output::FileSink)).
///
/// ```
/// use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
/// use camreel::sink::FrameSink;
/// use camreel::video::{MjpegEncoder, VideoRecorder};
///
/// #[derive(Default)]
/// struct Sizes(Vec<usize>);
/// impl FrameSink for Sizes {
///     fn write_frame(&mut self, f: &camreel::frame::Frame<'_>) -> camreel::Result<()> {
///         self.0.push(f.image.data().len());
///         Ok(())
///     }
/// }
///
/// let mut cam = SyntheticCamera::builder().size(64, 48).frame_limit(6).build()?;
/// let mut rec = VideoRecorder::new(MjpegEncoder::new(80)?, Sizes::default());
/// for _ in 0..3 {
///     let frame = cam.next_frame()?.unwrap();
///     rec.write_frame(&frame)?;
/// }
/// // JPEG: every frame is a key frame, so the split happens at once.
/// let old = rec.split(Sizes::default()).expect("switched at once");
/// assert_eq!(old.frames, 3);
/// while let Some(frame) = cam.next_frame()? {
///     rec.write_frame(&frame)?;
/// }
/// let last = rec.last_frame().unwrap();
/// assert_eq!(last.index, 5);
/// // Positions count the bytes of the current output.
/// assert_eq!(last.video_size, rec.output_bytes());
/// let (_, sizes, _) = rec.into_parts();
/// assert_eq!(sizes.0.len(), 3);
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct VideoRecorder<E, O> {
    encoder: E,
    output: O,
    motion: Option<Box<dyn FrameSink + Send>>,
    shared: Arc<Mutex<Shared<O>>>,
    /// Raw frames taken.
    raw_frames: u64,
    /// Encoded frames out, over every output.
    encoded: u64,
    /// What the current output received.
    tally: Tally,
    finished: bool,
}

/// Frames, bytes, first and last frame given to one output.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    frames: u64,
    bytes: u64,
    first: Option<VideoFrameInfo>,
    last: Option<VideoFrameInfo>,
}

impl Tally {
    /// Counts a frame of `size` bytes described by `info`.
    fn add(&mut self, info: VideoFrameInfo, size: u64) {
        self.frames += 1;
        self.bytes += size;
        self.first.get_or_insert(info);
        self.last = Some(info);
    }
}

/// Puts `new` in place of `output`, finishes the old output and returns it
/// with what it received; the tally starts again. Takes the two fields, not
/// the recorder, so that it can run while an encoded frame borrows the
/// encoder.
fn swap_output<O: FrameSink>(output: &mut O, tally: &mut Tally, new: O) -> Finished<O> {
    let mut old = std::mem::replace(output, new);
    let result = old.finish();
    let t = std::mem::take(tally);
    Finished {
        output: old,
        frames: t.frames,
        bytes: t.bytes,
        first: t.first,
        last: t.last,
        result,
    }
}

impl<E, O> fmt::Debug for VideoRecorder<E, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VideoRecorder")
            .field("raw_frames", &self.raw_frames)
            .field("encoded", &self.encoded)
            .field("output_frames", &self.tally.frames)
            .field("output_bytes", &self.tally.bytes)
            .field("motion", &self.motion.is_some())
            .finish_non_exhaustive()
    }
}

impl<E: VideoEncoder, O: FrameSink> VideoRecorder<E, O> {
    /// A recorder encoding with `encoder` into `output`.
    pub fn new(encoder: E, output: O) -> VideoRecorder<E, O> {
        VideoRecorder {
            encoder,
            output,
            motion: None,
            shared: Arc::new(Mutex::new(Shared {
                key_frame: false,
                split: None,
                split_asked: false,
                done: VecDeque::new(),
                last: None,
            })),
            raw_frames: 0,
            encoded: 0,
            tally: Tally::default(),
            finished: false,
        }
    }

    /// Adds picamera's `motion_output`: `sink` sees every raw frame before
    /// it is encoded (a [`MotionOutput`](crate::motion::MotionOutput) writes
    /// its motion vectors). It is synced and finished with the recorder.
    #[must_use]
    pub fn motion_output(mut self, sink: impl FrameSink + Send + 'static) -> VideoRecorder<E, O> {
        self.set_motion_output(Some(Box::new(sink)));
        self
    }

    /// Sets (or with `None` removes) the motion output (see
    /// [`VideoRecorder::motion_output`]); returns the one it replaces.
    pub fn set_motion_output(
        &mut self,
        sink: Option<Box<dyn FrameSink + Send>>,
    ) -> Option<Box<dyn FrameSink + Send>> {
        std::mem::replace(&mut self.motion, sink)
    }

    /// A handle for key frame requests and splits from anywhere.
    pub fn handle(&self) -> RecorderHandle<O> {
        RecorderHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Asks for the next encoded frame to be a key frame.
    pub fn request_key_frame(&mut self) {
        self.encoder.request_key_frame();
    }

    /// Whether every frame the encoder makes is a key frame (it does not
    /// output H.264), so a split can happen at any frame.
    pub fn every_frame_is_key(&self) -> bool {
        self.encoder.format() != PixelFormat::H264
    }

    /// Switches to `output` (see the [type docs](Self)). When the switch can
    /// happen at once (every frame is a key frame, or nothing was encoded
    /// yet) it does and returns the old output, finished; otherwise it asks
    /// the encoder for a key frame, switches there, and
    /// [`VideoRecorder::take_finished`] gives the old output back after it.
    pub fn split(&mut self, output: O) -> Option<Finished<O>> {
        if self.every_frame_is_key() || self.encoded == 0 {
            // A split still pending is replaced, as a handle's split would.
            let pending = lock(&self.shared).split.take();
            if let Some(unused) = pending {
                give_back(&self.shared, unused);
            }
            return Some(self.switch(output));
        }
        self.handle().split(output);
        None
    }

    /// Whether a split waits for its key frame.
    pub fn is_split_pending(&self) -> bool {
        lock(&self.shared).split.is_some()
    }

    /// The oldest output a split replaced, finished, if any is waiting.
    pub fn take_finished(&mut self) -> Option<Finished<O>> {
        lock(&self.shared).done.pop_front()
    }

    /// The facts of the last encoded frame (picamera's `camera.frame`).
    pub fn last_frame(&self) -> Option<VideoFrameInfo> {
        lock(&self.shared).last
    }

    /// Raw frames taken.
    pub fn raw_frames(&self) -> u64 {
        self.raw_frames
    }

    /// Encoded frames out, over every output.
    pub fn encoded_frames(&self) -> u64 {
        self.encoded
    }

    /// Encoded frames given to the current output.
    pub fn output_frames(&self) -> u64 {
        self.tally.frames
    }

    /// Encoded bytes given to the current output.
    pub fn output_bytes(&self) -> u64 {
        self.tally.bytes
    }

    /// The encoder.
    pub fn encoder(&self) -> &E {
        &self.encoder
    }

    /// The encoder, mutably.
    pub fn encoder_mut(&mut self) -> &mut E {
        &mut self.encoder
    }

    /// The current output.
    pub fn output(&self) -> &O {
        &self.output
    }

    /// The current output, mutably.
    pub fn output_mut(&mut self) -> &mut O {
        &mut self.output
    }

    /// The encoder, the current output and the motion output, without
    /// finishing anything (see [`FrameSink::finish`]).
    pub fn into_parts(self) -> (E, O, Option<Box<dyn FrameSink + Send>>) {
        (self.encoder, self.output, self.motion)
    }

    /// Puts `output` in place of the current one, finishes the old one and
    /// returns it with its counts.
    fn switch(&mut self, output: O) -> Finished<O> {
        swap_output(&mut self.output, &mut self.tally, output)
    }
}

impl<E: VideoEncoder, O: FrameSink> FrameSink for VideoRecorder<E, O> {
    /// Encodes `frame` (after giving it to the motion output) and writes
    /// the encoded frame to the current output, switching outputs first if
    /// a split is pending and the frame is a key frame.
    ///
    /// # Errors
    /// [`ErrorKind::Finished`](crate::ErrorKind::Finished) after finish;
    /// the motion output's, the encoder's or the output's error (with the
    /// frame's sequence number).
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        if self.finished {
            return Err(crate::sink::finished("the video recorder"));
        }
        let split_pending = {
            let mut s = lock(&self.shared);
            let ask = std::mem::take(&mut s.key_frame)
                || (s.split.is_some() && !std::mem::replace(&mut s.split_asked, true));
            if ask {
                self.encoder.request_key_frame();
            }
            s.split.is_some()
        };
        if let Some(m) = &mut self.motion {
            m.write_frame(frame)
                .map_err(|e| e.context(format!("frame {}: motion output", frame.sequence)))?;
        }
        self.raw_frames += 1;
        let Some(encoded) = self
            .encoder
            .encode(frame)
            .map_err(|e| e.context(format!("frame {}: encoding", frame.sequence)))?
        else {
            return Ok(());
        };
        let switch_point = matches!(
            encoded.info.frame_type,
            VideoFrameType::Key | VideoFrameType::SpsHeader
        );
        let mut split = None;
        if split_pending && switch_point {
            let mut s = lock(&self.shared);
            split = s.split.take();
            s.split_asked = false;
        }
        let finished = split.map(|new| swap_output(&mut self.output, &mut self.tally, new));
        let size = encoded.info.frame_size as u64;
        let info = VideoFrameInfo {
            position: self.tally.bytes,
            video_size: self.tally.bytes + size,
            ..encoded.info
        };
        let written = self.output.write_frame(&encoded.frame);
        self.encoded += 1;
        {
            let mut s = lock(&self.shared);
            s.last = Some(info);
            if let Some(f) = finished {
                s.done.push_back(f);
            }
        }
        written.map_err(|e| e.context(format!("frame {}", frame.sequence)))?;
        self.tally.add(info, size);
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        if let Some(m) = &mut self.motion {
            m.sync()?;
        }
        self.output.sync()
    }

    /// Finishes the motion output and the current output (and a split
    /// output still waiting for its key frame, which comes back through
    /// `take_finished` with no frames). Runs once.
    fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        let pending = lock(&self.shared).split.take();
        if let Some(unused) = pending {
            give_back(&self.shared, unused);
        }
        let motion = match &mut self.motion {
            Some(m) => m.finish(),
            None => Ok(()),
        };
        self.output.finish().and(motion)
    }
}
