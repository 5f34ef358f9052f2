//! A whole source through the matcher, with summaries: [`analyse_source`].

use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

use super::detect::{DetectorOptions, Event, MotionDetector};
use super::estimator::{MotionEstimator, MotionOptions};
use super::layout::{MotionFrame, MotionLayout};
use crate::camera::CameraSource;
use crate::error::{Error, Result};

/// What one frame's motion amounts to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameSummary {
    /// Position in the stream (0 for the first frame).
    pub index: u64,
    /// The source's sequence number of the frame.
    pub sequence: u64,
    /// The frame's timestamp.
    pub timestamp: Duration,
    /// Moving blocks as the detector counts them.
    pub moving_blocks: u32,
    /// Mean vector length over all macroblocks, in pixels.
    pub mean_magnitude: f64,
    /// Longest vector, in pixels.
    pub max_magnitude: f64,
    /// The detector's verdict: whether the frame has motion.
    pub motion: bool,
    /// Whether an event started with this frame.
    pub event_started: bool,
    /// The event that ended with this frame, if one did.
    pub event_ended: Option<Event>,
}

impl FrameSummary {
    /// Summarises `frame` with the detector's verdict, updating the detector.
    ///
    /// # Errors
    /// As [`MotionDetector::update`].
    pub fn of(
        frame: &MotionFrame<'_>,
        sequence: u64,
        detector: &mut MotionDetector,
    ) -> Result<FrameSummary> {
        let verdict = detector.update(frame)?;
        let (mut sum, mut max) = (0.0, 0.0f64);
        for (_, _, v) in frame.blocks() {
            let m = v.magnitude();
            sum += m;
            max = max.max(m);
        }
        let blocks = frame.layout().blocks().max(1) as f64;
        Ok(FrameSummary {
            index: frame.index(),
            sequence,
            timestamp: frame.timestamp().unwrap_or_default(),
            moving_blocks: verdict.moving_blocks,
            mean_magnitude: sum / blocks,
            max_magnitude: max,
            motion: verdict.motion,
            event_started: verdict.started,
            event_ended: verdict.ended,
        })
    }

    /// One JSON object on one line, e.g. `{"frame":3,"sequence":3,
    /// "timestamp_ms":100.000,"moving_blocks":12,"mean_magnitude":1.250,
    /// "max_magnitude":5.000,"motion":true,"event":"start"}`; `event` is
    /// `"start"`, `"end"` (with `"event_start"`/`"event_end"` frames) or `null`.
    pub fn to_json(&self) -> String {
        let mut s = format!(
            "{{\"frame\":{},\"sequence\":{},\"timestamp_ms\":{:.3},\"moving_blocks\":{},\"mean_magnitude\":{:.3},\"max_magnitude\":{:.3},\"motion\":{}",
            self.index,
            self.sequence,
            self.timestamp.as_secs_f64() * 1000.0,
            self.moving_blocks,
            self.mean_magnitude,
            self.max_magnitude,
            self.motion
        );
        match (self.event_started, self.event_ended) {
            (_, Some(e)) => {
                let _ = write!(
                    s,
                    ",\"event\":\"end\",\"event_start\":{},\"event_end\":{}",
                    e.start_frame, e.end_frame
                );
            }
            (true, None) => s.push_str(",\"event\":\"start\""),
            (false, None) => s.push_str(",\"event\":null"),
        }
        s.push('}');
        s
    }
}

/// Everything [`analyse_source`] found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceReport {
    /// The grid of the frames (`None` when the source had no frame).
    pub layout: Option<MotionLayout>,
    /// One summary per frame.
    pub frames: Vec<FrameSummary>,
    /// The detector's events, the one still going on at the end included.
    pub events: Vec<Event>,
}

/// Runs every frame of `source` through a [`MotionEstimator`], writes the
/// records to `out` (picamera's `.data` layout, frame after frame) and calls
/// `each` with every frame's summary and vectors (to print it, draw
/// [`magnitude_image`](crate::motion::magnitude_image)s, ...).
///
/// A whole source through the matcher: what `camreel motion IN OUT.data`
/// does, as one call ([`analyse_source`]) that writes the records and returns
/// per-frame summaries ([`FrameSummary`]) and the detector's events.
///
/// # Errors
/// The first error of the source, the estimator (a frame of another size
/// than the first ends the data with an error naming the frame; the frames
/// before it are written), the writer, the detector or `each`.
///
/// ```
/// use camreel::camera::synthetic::{MotionEvent, SyntheticCamera};
/// use camreel::motion::{self, DetectorOptions, MotionOptions};
/// use camreel::PixelFormat;
///
/// let mut cam = SyntheticCamera::builder()
///     .size(96, 64)
///     .format(PixelFormat::Grayscale)
///     .frame_limit(4)
///     .build()?;
/// let mut data = Vec::new();
/// let report = motion::analyse_source(
///     &mut cam,
///     &mut data,
///     &MotionOptions::default().with_search_range(4),
///     DetectorOptions::default(),
///     |summary, _frame| {
///         println!("{}", summary.to_json());
///         Ok(())
///     },
/// )?;
/// assert_eq!(report.frames.len(), 4);
/// assert_eq!(data.len(), 4 * report.layout.unwrap().frame_bytes());
/// assert_eq!(report.frames[0].moving_blocks, 0); // the first frame has no vectors
/// # Ok::<(), camreel::Error>(())
/// ```
pub fn analyse_source<S, W>(
    source: &mut S,
    mut out: W,
    options: &MotionOptions,
    detector: DetectorOptions,
    mut each: impl FnMut(&FrameSummary, &MotionFrame<'_>) -> Result<()>,
) -> Result<SourceReport>
where
    S: CameraSource + ?Sized,
    W: Write,
{
    let mut estimator = MotionEstimator::new(*options)?;
    let mut detector = MotionDetector::new(detector);
    let mut records = Vec::new();
    let mut report = SourceReport::default();
    while let Some(frame) = source.next_frame()? {
        let index = estimator.frames();
        let layout = estimator.estimate_into(frame.image, &mut records)?;
        report.layout = Some(layout);
        out.write_all(&records)
            .map_err(|e| Error::io(format!("frame {index}: writing motion data"), e))?;
        let view = MotionFrame::new(layout, &records)?
            .with_index(index)
            .with_timestamp(frame.timestamp)
            .with_zero_sads(estimator.zero_sads())?;
        let summary = FrameSummary::of(&view, frame.sequence, &mut detector)?;
        if let Some(e) = summary.event_ended {
            report.events.push(e);
        }
        each(&summary, &view)?;
        report.frames.push(summary);
    }
    report.events.extend(detector.finish());
    out.flush()
        .map_err(|e| Error::io("flushing motion data", e))?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines() {
        let mut s = FrameSummary {
            index: 3,
            sequence: 7,
            timestamp: Duration::from_millis(100),
            moving_blocks: 12,
            mean_magnitude: 1.25,
            max_magnitude: 5.0,
            motion: true,
            event_started: true,
            event_ended: None,
        };
        assert_eq!(
            s.to_json(),
            "{\"frame\":3,\"sequence\":7,\"timestamp_ms\":100.000,\"moving_blocks\":12,\"mean_magnitude\":1.250,\"max_magnitude\":5.000,\"motion\":true,\"event\":\"start\"}"
        );
        s.event_started = false;
        assert!(s.to_json().ends_with(",\"event\":null}"));
        s.event_ended = Some(Event {
            start_frame: 1,
            end_frame: 2,
            start_time: None,
            end_time: None,
            peak_blocks: 12,
        });
        assert!(
            s.to_json()
                .ends_with(",\"event\":\"end\",\"event_start\":1,\"event_end\":2}")
        );
    }
}
