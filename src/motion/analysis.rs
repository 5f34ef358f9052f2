//! Motion as a frame-level output: [`MotionOutput`] and [`MotionAnalysisSink`].

use std::io::Write;

use super::estimator::{MotionEstimator, MotionOptions};
use super::layout::MotionFrame;
use crate::error::{Error, Result};
use crate::frame::Frame;
use crate::sink::{FrameSink, IntoInnerError, finished};

/// A hook that sees the motion vectors of every frame (picamera's
/// `PiMotionAnalysis.analyse`). Any `FnMut(&MotionFrame) -> Result<()>`
/// closure is one.
///
/// Motion is a frame-level output: [`MotionOutput`] writes picamera's
/// `motion_output` records to any [`Write`], [`MotionAnalysisSink`] calls a
/// [`MotionAnalysis`] hook with each frame's vectors (picamera's
/// `PiMotionAnalysis`). Both are [`FrameSink`]s, so they go wherever frames
/// go: a capture loop ([`CaptureExt::record`](crate::capture::CaptureExt::record)),
/// a [`Splitter`](crate::capture::Splitter) port next to a recording, or by
/// hand.
///
/// ```
/// use camreel::camera::synthetic::SyntheticCamera;
/// use camreel::capture::CaptureExt;
/// use camreel::motion::{MotionAnalysisSink, MotionData, MotionFrame, MotionOptions, MotionOutput};
///
/// // Record motion data for 5 frames of a 64x48 camera into memory.
/// let mut cam = SyntheticCamera::builder().size(64, 48).frame_limit(5).build()?;
/// let mut out = MotionOutput::new(Vec::new(), MotionOptions::default().with_search_range(4))?;
/// cam.record(&mut out, None)?;
/// let data = MotionData::from_bytes(out.into_inner()?, 64, 48)?;
/// assert_eq!(data.len(), 5);
///
/// // Or analyse each frame as it comes.
/// let mut cam = SyntheticCamera::builder().size(64, 48).frame_limit(5).build()?;
/// let mut longest = 0;
/// let mut hook = MotionAnalysisSink::new(
///     |f: &MotionFrame<'_>| {
///         longest = f.blocks().map(|(_, _, v)| v.magnitude_squared()).max().unwrap_or(0).max(longest);
///         Ok(())
///     },
///     MotionOptions::default().with_search_range(4),
/// )?;
/// cam.record(&mut hook, None)?;
/// drop(hook);
/// assert!(longest > 0); // the synthetic scene pans by (2, 1) per frame
/// # Ok::<(), camreel::Error>(())
/// ```
pub trait MotionAnalysis {
    /// Takes one frame's vectors.
    ///
    /// # Errors
    /// Whatever the analysis fails with; the sink passes it on.
    fn analyse(&mut self, frame: &MotionFrame<'_>) -> Result<()>;

    /// Called once after the last frame.
    ///
    /// # Errors
    /// Whatever finishing fails with.
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

impl<F> MotionAnalysis for F
where
    F: FnMut(&MotionFrame<'_>) -> Result<()>,
{
    fn analyse(&mut self, frame: &MotionFrame<'_>) -> Result<()> {
        self(frame)
    }
}

/// Runs the estimator on `frame` into `records` and returns the frame's view.
fn estimate<'a>(
    estimator: &'a mut MotionEstimator,
    records: &'a mut Vec<u8>,
    frame: &Frame<'_>,
) -> Result<MotionFrame<'a>> {
    let index = estimator.frames();
    let layout = estimator.estimate_into(frame.image, records)?;
    MotionFrame::new(layout, records)?
        .with_index(index)
        .with_timestamp(frame.timestamp)
        .with_zero_sads(estimator.zero_sads())
}

/// A [`FrameSink`] that computes the motion vectors of every frame it sees
/// and writes their records to `W`: picamera's `motion_output`, next to any
/// recording when a splitter (or the recording loop) tees the frames to it.
///
/// Each frame's records go out with one `write_all`. Once the first frame
/// has sized the buffers, a frame costs no allocation (beyond what `W` does).
///
/// [`FrameSink::sync`] and [`FrameSink::finish`] flush `W`.
#[derive(Debug)]
pub struct MotionOutput<W: Write> {
    estimator: MotionEstimator,
    writer: W,
    records: Vec<u8>,
    finished: bool,
}

impl<W: Write> MotionOutput<W> {
    /// A motion output writing to `writer`.
    ///
    /// # Errors
    /// As [`MotionEstimator::new`].
    pub fn new(writer: W, options: MotionOptions) -> Result<MotionOutput<W>> {
        Ok(MotionOutput {
            estimator: MotionEstimator::new(options)?,
            writer,
            records: Vec::new(),
            finished: false,
        })
    }

    /// The estimator (its layout, frame count, kernel).
    pub fn estimator(&self) -> &MotionEstimator {
        &self.estimator
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        &self.writer
    }

    /// The writer, mutably.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.writer
    }

    /// Finishes the output (flushes the writer) and returns the writer.
    ///
    /// # Errors
    /// The flush error, with the output itself so that nothing is lost.
    pub fn into_inner(mut self) -> Result<W, IntoInnerError<MotionOutput<W>>> {
        match self.finish() {
            Ok(()) => Ok(self.writer),
            Err(e) => Err(IntoInnerError::new(e, self)),
        }
    }
}

impl<W: Write> FrameSink for MotionOutput<W> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        if self.finished {
            return Err(finished("the motion output"));
        }
        let f = estimate(&mut self.estimator, &mut self.records, frame)?;
        let index = f.index();
        self.writer
            .write_all(f.records())
            .map_err(|e| Error::io(format!("frame {index}: writing motion data"), e))
    }

    fn sync(&mut self) -> Result<()> {
        self.writer
            .flush()
            .map_err(|e| Error::io("flushing motion data", e))
    }

    fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        self.sync()
    }
}

/// A [`FrameSink`] that computes the motion vectors of every frame and hands
/// them to a [`MotionAnalysis`] hook (picamera's `PiMotionAnalysis`), with the
/// frame's index, timestamp and zero-vector SADs.
///
/// [`FrameSink::finish`] calls [`MotionAnalysis::finish`], once.
#[derive(Debug)]
pub struct MotionAnalysisSink<A> {
    estimator: MotionEstimator,
    analysis: A,
    records: Vec<u8>,
    finished: bool,
}

impl<A: MotionAnalysis> MotionAnalysisSink<A> {
    /// A sink calling `analysis` for every frame.
    ///
    /// # Errors
    /// As [`MotionEstimator::new`].
    pub fn new(analysis: A, options: MotionOptions) -> Result<MotionAnalysisSink<A>> {
        Ok(MotionAnalysisSink {
            estimator: MotionEstimator::new(options)?,
            analysis,
            records: Vec::new(),
            finished: false,
        })
    }

    /// The estimator (its layout, frame count, kernel).
    pub fn estimator(&self) -> &MotionEstimator {
        &self.estimator
    }

    /// The hook.
    pub fn analysis(&self) -> &A {
        &self.analysis
    }

    /// The hook, mutably.
    pub fn analysis_mut(&mut self) -> &mut A {
        &mut self.analysis
    }

    /// The hook, consuming the sink.
    pub fn into_inner(self) -> A {
        self.analysis
    }
}

impl<A: MotionAnalysis> FrameSink for MotionAnalysisSink<A> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        if self.finished {
            return Err(finished("the motion analysis"));
        }
        let f = estimate(&mut self.estimator, &mut self.records, frame)?;
        self.analysis.analyse(&f)
    }

    fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        self.analysis.finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::ErrorKind;
    use crate::image::{Image, PixelFormat};

    fn frame(image: &Image, i: u64) -> Frame<'_> {
        Frame {
            image: image.view(),
            sequence: i,
            timestamp: Duration::from_millis(40 * i),
        }
    }

    #[test]
    fn output_writes_one_frame_of_records_per_frame() {
        let a = Image::new(
            PixelFormat::Grayscale,
            20,
            20,
            (0..400).map(|i| (i * 7) as u8).collect(),
        )
        .unwrap();
        let mut out = MotionOutput::new(Vec::new(), MotionOptions::default()).unwrap();
        for i in 0..3 {
            out.write_frame(&frame(&a, i)).unwrap();
        }
        out.sync().unwrap();
        assert_eq!(out.estimator().frames(), 3);
        // 20x20: 2x2 blocks + extra column = 3x2 records, 24 bytes; a still
        // scene gives zero vectors and zero SADs.
        assert_eq!(out.get_ref(), &vec![0u8; 3 * 24]);
        // A frame of another size is refused, naming it; nothing is written.
        let b = Image::zeroed(PixelFormat::Grayscale, 32, 20).unwrap();
        let e = out.write_frame(&frame(&b, 3)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        assert_eq!(
            e.to_string(),
            "frame 3: 32x20 is not the size of the first frame (20x20)"
        );
        out.finish().unwrap();
        let e = out.write_frame(&frame(&a, 4)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Finished);
        assert_eq!(out.into_inner().unwrap().len(), 3 * 24);
    }

    #[test]
    fn hook_sees_index_timestamp_and_zero_sads() {
        let a = Image::new(PixelFormat::Grayscale, 16, 16, vec![10; 256]).unwrap();
        let b = Image::new(PixelFormat::Grayscale, 16, 16, vec![12; 256]).unwrap();
        let mut seen = Vec::new();
        let mut sink = MotionAnalysisSink::new(
            |f: &MotionFrame<'_>| {
                seen.push((
                    f.index(),
                    f.timestamp(),
                    f.zero_sad(0, 0),
                    f.vector(0, 0).sad,
                ));
                Ok(())
            },
            MotionOptions::default(),
        )
        .unwrap();
        sink.write_frame(&frame(&a, 0)).unwrap();
        sink.write_frame(&frame(&b, 1)).unwrap();
        sink.finish().unwrap();
        drop(sink);
        assert_eq!(
            seen,
            vec![
                (0, Some(Duration::ZERO), Some(0), 0),
                (1, Some(Duration::from_millis(40)), Some(512), 512)
            ]
        );
    }
}
