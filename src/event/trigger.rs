//! What starts an event: [`EventTrigger`]s, polled once per raw frame.

use std::fmt;
use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::camera::rpi::TriggerInput;
use crate::error::{Error, Result};
use crate::frame::Frame;
use crate::motion::{
    DetectorOptions, MotionDetector, MotionEstimator, MotionFrame, MotionOptions, Verdict,
};

/// Something that says, frame by frame, whether an event is happening.
///
/// An [`EventRecorder`](super::EventRecorder) polls each of its triggers
/// once for every raw frame, before the frame is encoded; the event lasts
/// while any trigger is active and for the post-trigger time after the
/// last frame one was. Implemented by [`MotionTrigger`] (the default),
/// [`TriggerHandle`] (a function call, a line on a reader),
/// [`InputTrigger`] (a GPIO input); any `FnMut(&Frame) -> Result<bool> +
/// Send` closure is one too.
pub trait EventTrigger: Send {
    /// Whether the trigger is active at `frame`.
    ///
    /// # Errors
    /// Whatever the trigger fails with; the recorder passes it on.
    fn poll(&mut self, frame: &Frame<'_>) -> Result<bool>;
}

impl<F> EventTrigger for F
where
    F: FnMut(&Frame<'_>) -> Result<bool> + Send,
{
    fn poll(&mut self, frame: &Frame<'_>) -> Result<bool> {
        self(frame)
    }
}

/// A trigger fired by calls: [`TriggerHandle::fire`] makes the next frame
/// an active one (a pulse: a doorbell, a line on stdin), and
/// [`TriggerHandle::hold`] keeps every frame active until released (a
/// level: a PIR sensor's output). `Send + Sync + Clone`: fire it from any
/// thread.
///
/// ```
/// use camreel::event::{EventTrigger, TriggerHandle};
/// use camreel::frame::Frame;
/// use camreel::{Image, PixelFormat};
///
/// let image = Image::zeroed(PixelFormat::Grayscale, 2, 2)?;
/// let frame = Frame::new(image.view(), 0, Default::default());
/// let mut trigger = TriggerHandle::new();
/// let remote = trigger.clone();
/// std::thread::spawn(move || remote.fire()).join().unwrap();
/// assert!(trigger.poll(&frame)?);
/// assert!(!trigger.poll(&frame)?); // a pulse counts once
/// trigger.hold(true);
/// assert!(trigger.poll(&frame)? && trigger.poll(&frame)?);
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct TriggerHandle {
    pulses: Arc<AtomicU64>,
    held: Arc<AtomicBool>,
}

impl TriggerHandle {
    /// A handle that has not fired.
    pub fn new() -> TriggerHandle {
        TriggerHandle::default()
    }

    /// Makes the next frame polled an active one.
    pub fn fire(&self) {
        self.pulses.fetch_add(1, Ordering::Relaxed);
    }

    /// Keeps every frame active (`true`) until released (`false`).
    pub fn hold(&self, on: bool) {
        self.held.store(on, Ordering::Relaxed);
    }

    /// Whether it is held.
    pub fn is_held(&self) -> bool {
        self.held.load(Ordering::Relaxed)
    }

    /// Whether it fired since the last poll, or is held (without a frame).
    pub fn take(&self) -> bool {
        // Both are read: a pulse is used up even while held.
        let pulsed = self.pulses.swap(0, Ordering::Relaxed) > 0;
        pulsed || self.is_held()
    }

    /// Fires once for every line read from `reader`, on a thread of its
    /// own (the command line's `--trigger stdin`); the thread ends at the
    /// end of the input, returning the number of lines.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) if the thread cannot start;
    /// the thread returns the reader's error.
    pub fn fire_on_lines<R: BufRead + Send + 'static>(
        &self,
        mut reader: R,
    ) -> Result<JoinHandle<Result<u64>>> {
        let handle = self.clone();
        std::thread::Builder::new()
            .name("camreel-trigger-lines".into())
            .spawn(move || {
                let mut line = Vec::new();
                let mut n = 0;
                loop {
                    line.clear();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) => return Ok(n),
                        Ok(_) => {
                            n += 1;
                            handle.fire();
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(Error::io("reading trigger lines", e)),
                    }
                }
            })
            .map_err(|e| Error::io("starting the trigger thread", e))
    }
}

impl EventTrigger for TriggerHandle {
    fn poll(&mut self, _frame: &Frame<'_>) -> Result<bool> {
        Ok(self.take())
    }
}

/// A trigger input (a GPIO pin through
/// [`GpioTrigger`](crate::camera::rpi) with the `rpi` feature, or any
/// [`TriggerInput`]): a frame is active when the input fired since the
/// last frame. The input is polled without waiting.
pub struct InputTrigger<T> {
    input: T,
}

impl<T> fmt::Debug for InputTrigger<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InputTrigger").finish_non_exhaustive()
    }
}

impl<T: TriggerInput> InputTrigger<T> {
    /// A trigger polling `input`.
    pub fn new(input: T) -> InputTrigger<T> {
        InputTrigger { input }
    }

    /// The input back.
    pub fn into_inner(self) -> T {
        self.input
    }
}

impl<T: TriggerInput + Send> EventTrigger for InputTrigger<T> {
    fn poll(&mut self, _frame: &Frame<'_>) -> Result<bool> {
        let mut fired = false;
        // Every edge since the last frame is taken, so none is left over.
        while self.input.wait(Some(Duration::ZERO))? {
            fired = true;
        }
        Ok(fired)
    }
}

/// The default trigger: motion in the raw frames, found by a
/// [`MotionEstimator`] and a [`MotionDetector`] (the seed's "more than N
/// vectors longer than M" rule; see [`DetectorOptions`]). A frame is active
/// when the detector says it has motion ([`Verdict::motion`], which keeps
/// an event going on fewer moving blocks than started it).
pub struct MotionTrigger {
    estimator: MotionEstimator,
    detector: MotionDetector,
    records: Vec<u8>,
    last: Option<Verdict>,
}

impl fmt::Debug for MotionTrigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MotionTrigger")
            .field("detector", &self.detector)
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

/// The search range of [`MotionTrigger::default_options`]: 8 pixels.
pub const EVENT_SEARCH_RANGE: u8 = 8;

impl MotionTrigger {
    /// A trigger with these settings.
    ///
    /// # Errors
    /// As [`MotionEstimator::new`].
    pub fn new(motion: MotionOptions, detector: DetectorOptions) -> Result<MotionTrigger> {
        Ok(MotionTrigger {
            estimator: MotionEstimator::new(motion)?,
            detector: MotionDetector::new(detector),
            records: Vec::new(),
            last: None,
        })
    }

    /// The default: vectors within +-[`EVENT_SEARCH_RANGE`] pixels (a
    /// quarter of the work of the full +-16, enough for anything moving
    /// up to 8 pixels a frame) and the detector's defaults.
    ///
    /// # Errors
    /// As [`MotionEstimator::new`].
    pub fn default_options() -> Result<MotionTrigger> {
        MotionTrigger::new(
            MotionOptions::default().search_range(EVENT_SEARCH_RANGE),
            DetectorOptions::default(),
        )
    }

    /// The detector's verdict on the last frame.
    pub fn last_verdict(&self) -> Option<Verdict> {
        self.last
    }
}

impl EventTrigger for MotionTrigger {
    fn poll(&mut self, frame: &Frame<'_>) -> Result<bool> {
        let index = self.estimator.frames();
        let layout = self
            .estimator
            .estimate_into(frame.image, &mut self.records)?;
        let f = MotionFrame::new(layout, &self.records)?
            .with_index(index)
            .with_timestamp(frame.timestamp)
            .with_zero_sads(self.estimator.zero_sads())?;
        let verdict = self.detector.update(&f)?;
        self.last = Some(verdict);
        Ok(verdict.motion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::image::{Image, PixelFormat};

    struct Edges(Vec<bool>);

    impl TriggerInput for Edges {
        fn wait(&mut self, timeout: Option<Duration>) -> Result<bool> {
            assert_eq!(timeout, Some(Duration::ZERO));
            Ok(self.0.pop().unwrap_or(false))
        }
    }

    #[test]
    fn inputs_fire_for_the_edges_since_the_last_frame() {
        let image = Image::zeroed(PixelFormat::Grayscale, 2, 2).unwrap();
        let frame = Frame::new(image.view(), 0, Duration::ZERO);
        // Popped from the end: two edges, then none.
        let mut t = InputTrigger::new(Edges(vec![false, true, true]));
        assert!(t.poll(&frame).unwrap());
        assert!(!t.poll(&frame).unwrap());
    }

    #[test]
    fn lines_fire_the_handle() {
        let h = TriggerHandle::new();
        let lines = std::io::Cursor::new(b"go\n\nthird".to_vec());
        let n = h.fire_on_lines(lines).unwrap().join().unwrap().unwrap();
        assert_eq!(n, 3);
        assert!(h.take());
        assert!(!h.take());
        struct Broken;
        impl std::io::Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("gone"))
            }
        }
        let e = h
            .fire_on_lines(std::io::BufReader::new(Broken))
            .unwrap()
            .join()
            .unwrap()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
    }

    #[test]
    fn motion_starts_on_a_moving_block_pattern() {
        let mut t = MotionTrigger::default_options().unwrap();
        let (w, h) = (128u32, 64u32);
        let mut active = Vec::new();
        for i in 0..6u32 {
            // A textured square that moves 4 pixels a frame from frame 2.
            let shift = i.saturating_sub(2) * 4;
            let px: Vec<u8> = (0..w * h)
                .map(|p| {
                    let (x, y) = (p % w, p / w);
                    let inside = (20 + shift..84 + shift).contains(&x) && (8..56).contains(&y);
                    if inside {
                        (((x - shift) * 37) ^ (y * 91)) as u8
                    } else {
                        60
                    }
                })
                .collect();
            let img = Image::new(PixelFormat::Grayscale, w, h, px).unwrap();
            active.push(
                t.poll(&Frame::new(img.view(), i.into(), Duration::ZERO))
                    .unwrap(),
            );
        }
        assert_eq!(active, [false, false, false, true, true, true]);
        assert!(t.last_verdict().unwrap().moving_blocks > 10);
    }
}
