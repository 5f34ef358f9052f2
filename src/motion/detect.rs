//! [`MotionDetector`]: motion events from motion vectors.

use std::time::Duration;

use super::layout::{MACROBLOCK, MotionFrame};
use crate::error::{Error, ErrorKind, Result};
use crate::image::Rect;

/// Which macroblocks a [`MotionDetector`] looks at: one flag per block of a
/// `cols` x `rows` grid (the extra column of the records not included).
///
/// ```
/// use camreel::motion::BlockMask;
/// // Ignore the top row of a 40x30 grid (640x480 frames).
/// let mask = BlockMask::from_fn(40, 30, |_col, row| row > 0);
/// assert!(!mask.get(5, 0) && mask.get(5, 1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlockMask {
    cols: usize,
    rows: usize,
    bits: Vec<bool>,
}

impl BlockMask {
    /// A mask from row-major flags (`true`: the block counts).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when `bits` has not `cols * rows` entries.
    pub fn new(cols: usize, rows: usize, bits: Vec<bool>) -> Result<BlockMask> {
        if cols.checked_mul(rows) != Some(bits.len()) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{} mask flags for a {cols}x{rows} grid", bits.len()),
            ));
        }
        Ok(BlockMask { cols, rows, bits })
    }

    /// A mask with `f(col, row)` for every block.
    pub fn from_fn(cols: usize, rows: usize, mut f: impl FnMut(usize, usize) -> bool) -> BlockMask {
        let bits = (0..rows)
            .flat_map(|r| (0..cols).map(move |c| (c, r)))
            .map(|(c, r)| f(c, r))
            .collect();
        BlockMask { cols, rows, bits }
    }

    /// Grid width in blocks.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Grid height in blocks.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Whether block (`col`, `row`) counts (`false` outside the grid).
    pub fn get(&self, col: usize, row: usize) -> bool {
        col < self.cols && row < self.rows && self.bits[row * self.cols + col]
    }
}

/// Settings of a [`MotionDetector`], which documents the rule.
///
/// ```
/// use camreel::motion::DetectorOptions;
/// use camreel::Rect;
/// let o = DetectorOptions::default().with_min_blocks(4).with_roi(Rect::new(0, 240, 640, 240));
/// assert_eq!((o.min_blocks, o.min_magnitude, o.keep_blocks, o.quiet_frames), (4, 2, 5, 10));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DetectorOptions {
    /// A frame has motion with more than this many moving blocks (default 10,
    /// the seed's value).
    pub min_blocks: u32,
    /// A block moves when its vector is longer than this many pixels (default 2).
    pub min_magnitude: u32,
    /// Percent by which the match must beat the zero vector's SAD when that
    /// is known (default 50; 0 turns the test off).
    pub min_improvement: u8,
    /// During an event, a frame keeps it going with more than this many
    /// moving blocks (default 5).
    pub keep_blocks: u32,
    /// An event ends after this many frames in a row without motion (default 10).
    pub quiet_frames: u32,
    /// Only blocks that overlap this rectangle (in pixels) count.
    pub roi: Option<Rect>,
    /// Only blocks set in this mask count.
    pub mask: Option<BlockMask>,
}

impl Default for DetectorOptions {
    fn default() -> DetectorOptions {
        DetectorOptions {
            min_blocks: 10,
            min_magnitude: 2,
            min_improvement: 50,
            keep_blocks: 5,
            quiet_frames: 10,
            roi: None,
            mask: None,
        }
    }
}

impl DetectorOptions {
    /// Sets [`DetectorOptions::min_blocks`].
    #[must_use]
    pub fn with_min_blocks(mut self, blocks: u32) -> DetectorOptions {
        self.min_blocks = blocks;
        self
    }

    /// Sets [`DetectorOptions::min_magnitude`].
    #[must_use]
    pub fn with_min_magnitude(mut self, pixels: u32) -> DetectorOptions {
        self.min_magnitude = pixels;
        self
    }

    /// Sets [`DetectorOptions::min_improvement`] (percent, capped at 100).
    #[must_use]
    pub fn with_min_improvement(mut self, percent: u8) -> DetectorOptions {
        self.min_improvement = percent.min(100);
        self
    }

    /// Sets [`DetectorOptions::keep_blocks`].
    #[must_use]
    pub fn with_keep_blocks(mut self, blocks: u32) -> DetectorOptions {
        self.keep_blocks = blocks;
        self
    }

    /// Sets [`DetectorOptions::quiet_frames`].
    #[must_use]
    pub fn with_quiet_frames(mut self, frames: u32) -> DetectorOptions {
        self.quiet_frames = frames;
        self
    }

    /// Sets the region of interest.
    #[must_use]
    pub fn with_roi(mut self, roi: Rect) -> DetectorOptions {
        self.roi = Some(roi);
        self
    }

    /// Sets the block mask.
    #[must_use]
    pub fn with_mask(mut self, mask: BlockMask) -> DetectorOptions {
        self.mask = Some(mask);
        self
    }
}

/// One detected movement: from the first frame with motion to the last one
/// before the quiet period that ended it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    /// Index of the first frame with motion.
    pub start_frame: u64,
    /// Index of the last frame with motion.
    pub end_frame: u64,
    /// Timestamp of the first frame, when the frames had timestamps.
    pub start_time: Option<Duration>,
    /// Timestamp of the last frame, when the frames had timestamps.
    pub end_time: Option<Duration>,
    /// The most moving blocks in one frame of the event.
    pub peak_blocks: u32,
}

impl Event {
    /// One JSON object on one line:
    /// `{"start_frame":1,"end_frame":5,"start_ms":40.000,"end_ms":200.000,"peak_blocks":9}`
    /// (the times are `null` when the frames had none).
    pub fn to_json(&self) -> String {
        let ms = |t: Option<Duration>| match t {
            Some(t) => format!("{:.3}", t.as_secs_f64() * 1000.0),
            None => "null".to_string(),
        };
        format!(
            "{{\"start_frame\":{},\"end_frame\":{},\"start_ms\":{},\"end_ms\":{},\"peak_blocks\":{}}}",
            self.start_frame,
            self.end_frame,
            ms(self.start_time),
            ms(self.end_time),
            self.peak_blocks
        )
    }
}

/// What [`MotionDetector::update`] concluded about one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Verdict {
    /// Moving blocks in the frame.
    pub moving_blocks: u32,
    /// Whether the frame has motion (more than `min_blocks` moving blocks, or
    /// more than `keep_blocks` during an event).
    pub motion: bool,
    /// Whether an event is going on after this frame (quiet frames at the
    /// end of an event still belong to it until it ends).
    pub in_event: bool,
    /// Whether an event started with this frame.
    pub started: bool,
    /// The event that ended with this frame's quiet period, if one did.
    pub ended: Option<Event>,
}

/// Finds motion events in a stream of motion frames: the seed's "more than
/// N vectors longer than M" rule, with hysteresis and a quiet period so that
/// one movement is one [`Event`].
///
/// A macroblock is *moving* when
///
/// 1. it lies in the region of interest and the mask (when set),
/// 2. its vector is longer than [`DetectorOptions::min_magnitude`] whole
///    pixels (`x² + y² > M²`), and
/// 3. when the frame carries the zero-vector SADs (frames camreel computed;
///    not records read from a file), the match is clearly better than
///    standing still: `sad <= zero_sad * (100 - P) / 100` with
///    P = [`DetectorOptions::min_improvement`] percent.
///
/// Rule 3 is what keeps sensor noise quiet. An exhaustive search reports the
/// exact minimum SAD, and in a flat area (sky, a wall) under noise every
/// offset fits about equally well, so the winner is a random, often long,
/// vector whose SAD is barely below the zero vector's. A hardware encoder
/// hides this by charging for vector bits; the detector asks for the match to
/// halve the difference instead, which moving texture easily does.
///
/// A frame *has motion* when more than [`DetectorOptions::min_blocks`]
/// blocks move. An event starts on the first such frame; while it lasts a
/// frame keeps it going with more than [`DetectorOptions::keep_blocks`]
/// moving blocks (hysteresis); it ends after
/// [`DetectorOptions::quiet_frames`] frames in a row that do not, and its
/// last frame is the last one that had motion.
///
/// The seed counts vectors longer than 60 in the units of the Pi encoder's
/// vectors; camreel's are whole pixels within `+-R` (at most 22.6 pixels long at the
/// default R = 16), so the default threshold is 2 pixels: anything that moves
/// faster than 2 pixels per frame (60 pixels per second at 30 fps) counts,
/// while the +-1 pixel jitter of a shaky mount does not.
///
/// ```
/// use camreel::motion::{DetectorOptions, MotionDetector, MotionFrame, MotionLayout, MotionVector};
///
/// let layout = MotionLayout::new(64, 64)?; // 4x4 blocks
/// let still = vec![0u8; layout.frame_bytes()];
/// let mut moving = still.clone();
/// for row in 0..4 {
///     for col in 0..3 {
///         let at = layout.record_offset(col, row);
///         moving[at..at + 4].copy_from_slice(&MotionVector { x: -5, y: 0, sad: 100 }.to_bytes());
///     }
/// }
/// let mut det = MotionDetector::new(DetectorOptions::default().with_quiet_frames(2));
/// let mut log = Vec::new();
/// for (i, bytes) in [&still, &moving, &still, &moving, &still, &still, &still].iter().enumerate() {
///     let v = det.update(&MotionFrame::new(layout, bytes)?.with_index(i as u64))?;
///     if v.started { log.push(format!("start {i}")); }
///     if let Some(e) = v.ended { log.push(format!("end {}..={} at {i}", e.start_frame, e.end_frame)); }
/// }
/// // 12 moving blocks > 10: one event from frame 1 to frame 3 (frame 2 is
/// // within the quiet period), reported after two quiet frames.
/// assert_eq!(log, ["start 1", "end 1..=3 at 5"]);
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct MotionDetector {
    options: DetectorOptions,
    open: Option<Event>,
    quiet: u32,
}

impl MotionDetector {
    /// A detector with `options`.
    pub fn new(options: DetectorOptions) -> MotionDetector {
        MotionDetector {
            options,
            open: None,
            quiet: 0,
        }
    }

    /// The settings.
    pub fn options(&self) -> &DetectorOptions {
        &self.options
    }

    /// The event going on, so far (its end is the last frame with motion).
    pub fn current(&self) -> Option<Event> {
        self.open
    }

    /// Counts the moving blocks of `frame`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when the mask's grid is not the frame's.
    pub fn moving_blocks(&self, frame: &MotionFrame<'_>) -> Result<u32> {
        let layout = frame.layout();
        let o = &self.options;
        if let Some(mask) = &o.mask
            && (mask.cols(), mask.rows()) != (layout.block_cols(), layout.rows())
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "frame {}: a mask of {}x{} blocks for a grid of {}x{}",
                    frame.index(),
                    mask.cols(),
                    mask.rows(),
                    layout.block_cols(),
                    layout.rows()
                ),
            ));
        }
        let m2 = u64::from(o.min_magnitude) * u64::from(o.min_magnitude);
        let keep = 100 - u32::from(o.min_improvement.min(100));
        let mut n = 0;
        for (col, row, v) in frame.blocks() {
            if u64::from(v.magnitude_squared()) <= m2 {
                continue;
            }
            if o.mask.as_ref().is_some_and(|m| !m.get(col, row)) {
                continue;
            }
            if let Some(roi) = o.roi {
                let mb = u64::from(MACROBLOCK);
                let (x, y) = (col as u64 * mb, row as u64 * mb);
                let inside = x < u64::from(roi.right())
                    && x + mb > u64::from(roi.x)
                    && y < u64::from(roi.bottom())
                    && y + mb > u64::from(roi.y);
                if !inside {
                    continue;
                }
            }
            if let Some(zero) = frame.zero_sad(col, row)
                && u32::from(v.sad) * 100 > u32::from(zero) * keep
            {
                continue;
            }
            n += 1;
        }
        Ok(n)
    }

    /// Takes the next frame (frames must come in order).
    ///
    /// # Errors
    /// As [`MotionDetector::moving_blocks`].
    pub fn update(&mut self, frame: &MotionFrame<'_>) -> Result<Verdict> {
        let n = self.moving_blocks(frame)?;
        let (index, time) = (frame.index(), frame.timestamp());
        let mut verdict = Verdict {
            moving_blocks: n,
            ..Verdict::default()
        };
        match &mut self.open {
            None => {
                if n > self.options.min_blocks {
                    self.open = Some(Event {
                        start_frame: index,
                        end_frame: index,
                        start_time: time,
                        end_time: time,
                        peak_blocks: n,
                    });
                    self.quiet = 0;
                    verdict.motion = true;
                    verdict.started = true;
                }
            }
            Some(event) => {
                if n > self.options.keep_blocks {
                    event.end_frame = index;
                    event.end_time = time;
                    event.peak_blocks = event.peak_blocks.max(n);
                    self.quiet = 0;
                    verdict.motion = true;
                } else {
                    self.quiet += 1;
                    if self.quiet >= self.options.quiet_frames {
                        verdict.ended = self.open.take();
                    }
                }
            }
        }
        verdict.in_event = self.open.is_some();
        Ok(verdict)
    }

    /// Ends the stream: returns the event still going on, if any, and resets.
    pub fn finish(&mut self) -> Option<Event> {
        self.quiet = 0;
        self.open.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::motion::{MotionLayout, MotionVector};

    fn frame_bytes(layout: MotionLayout, moving: &[(usize, usize, MotionVector)]) -> Vec<u8> {
        let mut b = vec![0u8; layout.frame_bytes()];
        for &(c, r, v) in moving {
            let at = layout.record_offset(c, r);
            b[at..at + 4].copy_from_slice(&v.to_bytes());
        }
        b
    }

    const V: MotionVector = MotionVector {
        x: 3,
        y: 0,
        sad: 100,
    };

    #[test]
    fn counts_with_magnitude_region_mask_and_improvement() {
        let l = MotionLayout::new(64, 32).unwrap(); // 4x2 blocks
        let short = MotionVector { x: 2, y: 0, sad: 0 };
        let diag = MotionVector { x: 2, y: 1, sad: 0 };
        let b = frame_bytes(l, &[(0, 0, V), (1, 0, short), (2, 0, diag), (3, 1, V)]);
        let f = MotionFrame::new(l, &b).unwrap();
        let det = MotionDetector::default();
        // (1, 0) is exactly 2 px long: not longer than 2; (2, 1) is.
        assert_eq!(det.moving_blocks(&f).unwrap(), 3);
        let det = MotionDetector::new(DetectorOptions::default().with_min_magnitude(0));
        assert_eq!(det.moving_blocks(&f).unwrap(), 4);
        let det = MotionDetector::new(DetectorOptions::default().with_roi(Rect::new(40, 0, 1, 1)));
        assert_eq!(det.moving_blocks(&f).unwrap(), 1); // block (2, 0) only
        let mask = BlockMask::from_fn(4, 2, |c, _| c != 3);
        let det = MotionDetector::new(DetectorOptions::default().with_mask(mask));
        assert_eq!(det.moving_blocks(&f).unwrap(), 2);
        let bad = BlockMask::from_fn(3, 2, |_, _| true);
        let det = MotionDetector::new(DetectorOptions::default().with_mask(bad));
        assert_eq!(
            det.moving_blocks(&f).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        // Zero-vector SADs: block (0, 0) has 100 against 150 (not half of
        // it), (2, 0) 0 against 0, (3, 1) 100 against 400.
        let zero = [150, 0, 0, 0, 0, 0, 0, 400];
        let fz = f.with_zero_sads(&zero).unwrap();
        assert_eq!(MotionDetector::default().moving_blocks(&fz).unwrap(), 2);
        let det = MotionDetector::new(DetectorOptions::default().with_min_improvement(0));
        assert_eq!(det.moving_blocks(&fz).unwrap(), 3);
    }

    #[test]
    fn hysteresis_and_quiet_period() {
        let l = MotionLayout::new(16 * 12, 16).unwrap(); // 12 blocks in a row
        let with = |n: usize| frame_bytes(l, &(0..n).map(|c| (c, 0, V)).collect::<Vec<_>>());
        let opts = DetectorOptions::default()
            .with_min_blocks(8)
            .with_keep_blocks(3)
            .with_quiet_frames(2);
        let mut det = MotionDetector::new(opts);
        let counts = [0, 9, 4, 5, 2, 4, 0, 0, 9, 0];
        let mut verdicts = Vec::new();
        for (i, &n) in counts.iter().enumerate() {
            let b = with(n);
            let f = MotionFrame::new(l, &b)
                .unwrap()
                .with_index(i as u64)
                .with_timestamp(Duration::from_millis(100 * i as u64));
            verdicts.push(det.update(&f).unwrap());
        }
        let motion: Vec<bool> = verdicts.iter().map(|v| v.motion).collect();
        assert_eq!(
            motion,
            [
                false, true, true, true, false, true, false, false, true, false
            ]
        );
        assert!(verdicts[1].started && !verdicts[2].started);
        let ended = verdicts[7].ended.unwrap();
        assert_eq!(
            ended,
            Event {
                start_frame: 1,
                end_frame: 5,
                start_time: Some(Duration::from_millis(100)),
                end_time: Some(Duration::from_millis(500)),
                peak_blocks: 9,
            }
        );
        assert!(verdicts[6].in_event && !verdicts[7].in_event);
        assert!(verdicts[8].started);
        assert_eq!(
            ended.to_json(),
            "{\"start_frame\":1,\"end_frame\":5,\"start_ms\":100.000,\"end_ms\":500.000,\"peak_blocks\":9}"
        );
        let last = det.finish().unwrap();
        assert_eq!((last.start_frame, last.end_frame), (8, 8));
        assert!(det.finish().is_none());
    }
}
