//! picamera's motion-vector layout, free of I/O.

use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::image::Limits;

/// Side of a macroblock in pixels.
pub const MACROBLOCK: u32 = 16;

/// Bytes per record (`x: i8, y: i8, sad: u16`).
pub const RECORD_LEN: usize = 4;

/// The grid of motion records for frames of one size (picamera's layout).
///
/// Per frame there are `rows = ceil(h / 16)` rows of `cols = ceil(w / 16) + 1`
/// records (one extra column, always zero), row-major; a record is `x: i8,
/// y: i8, sad: u16` little-endian. A 640x480 frame gives 30 rows of 41 records,
/// 4920 bytes.
///
/// ```
/// use camreel::motion::{MotionFrame, MotionLayout, MotionVector};
///
/// let layout = MotionLayout::new(640, 480)?;
/// assert_eq!((layout.cols(), layout.rows(), layout.frame_bytes()), (41, 30, 4920));
///
/// let mut bytes = vec![0u8; layout.frame_bytes()];
/// let v = MotionVector { x: -4, y: 3, sad: 700 };
/// let at = layout.record_offset(2, 1);
/// bytes[at..at + 4].copy_from_slice(&v.to_bytes());
/// let frame = MotionFrame::new(layout, &bytes)?;
/// assert_eq!(frame.vector(2, 1), v);
/// assert_eq!(v.magnitude_squared(), 25);
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MotionLayout {
    width: u32,
    height: u32,
    cols: usize,
    rows: usize,
}

impl MotionLayout {
    /// The layout for `width` x `height` frames, within the default [`Limits`].
    ///
    /// # Errors
    /// As [`MotionLayout::with_limits`].
    pub fn new(width: u32, height: u32) -> Result<MotionLayout> {
        MotionLayout::with_limits(width, height, &Limits::default())
    }

    /// The layout for `width` x `height` frames, checked against `limits`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] for a zero dimension,
    /// [`ErrorKind::LimitExceeded`] above `limits`.
    pub fn with_limits(width: u32, height: u32, limits: &Limits) -> Result<MotionLayout> {
        limits.check_dimensions(width, height)?;
        let cols = u64::from(width.div_ceil(MACROBLOCK)) + 1;
        let rows = u64::from(height.div_ceil(MACROBLOCK));
        // At most (2^28 + 1) * 2^28 * 4 bytes: no u64 overflow.
        let bytes = cols * rows * RECORD_LEN as u64;
        limits.check_bytes(bytes)?;
        if usize::try_from(bytes).is_err() {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("motion records of a {width}x{height} frame do not fit in memory"),
            ));
        }
        Ok(MotionLayout {
            width,
            height,
            cols: cols as usize,
            rows: rows as usize,
        })
    }

    /// Frame width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Frame height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Records per row, the extra column included: `ceil(width / 16) + 1`.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Rows of records: `ceil(height / 16)`.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Macroblocks per row: `ceil(width / 16)` (the columns without the extra one).
    pub fn block_cols(&self) -> usize {
        self.cols - 1
    }

    /// Macroblocks per frame (the extra column not counted).
    pub fn blocks(&self) -> usize {
        self.block_cols() * self.rows
    }

    /// Records per frame, the extra column included.
    pub fn records(&self) -> usize {
        self.cols * self.rows
    }

    /// Bytes per frame: 4 per record.
    pub fn frame_bytes(&self) -> usize {
        self.records() * RECORD_LEN
    }

    /// Byte offset of the record at (`col`, `row`) within a frame.
    pub fn record_offset(&self, col: usize, row: usize) -> usize {
        (row * self.cols + col) * RECORD_LEN
    }
}

/// One record: where macroblock (`bx`, `by`) of frame n came from in frame n-1
/// and how well it matched.
///
/// The block came from (`bx + x`, `by + y`): content moving right by 4 pixels
/// per frame gives `x = -4` (the H.264 meaning of a motion vector). `sad` is
/// the sum of absolute luma differences between the block and that match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MotionVector {
    /// Horizontal offset in whole pixels.
    pub x: i8,
    /// Vertical offset in whole pixels.
    pub y: i8,
    /// Sum of absolute differences of the match.
    pub sad: u16,
}

impl MotionVector {
    /// Decodes a record.
    pub fn from_bytes(b: [u8; 4]) -> MotionVector {
        MotionVector {
            x: b[0] as i8,
            y: b[1] as i8,
            sad: u16::from_le_bytes([b[2], b[3]]),
        }
    }

    /// Encodes the record.
    pub fn to_bytes(self) -> [u8; 4] {
        let [s0, s1] = self.sad.to_le_bytes();
        [self.x as u8, self.y as u8, s0, s1]
    }

    /// `x² + y²`, exact.
    pub fn magnitude_squared(self) -> u32 {
        let (x, y) = (i32::from(self.x), i32::from(self.y));
        (x * x + y * y) as u32
    }

    /// Length of the vector in pixels (Pythagoras, as the seed computes it).
    pub fn magnitude(self) -> f64 {
        f64::from(self.magnitude_squared()).sqrt()
    }
}

/// A borrowed frame of motion records plus what is known about it: its
/// index in the stream, a timestamp and, for frames camreel computed itself,
/// the SAD of every block at the zero vector (what "not moving" would have
/// cost; [`crate::motion::MotionDetector`] uses it to tell motion from noise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MotionFrame<'a> {
    layout: MotionLayout,
    records: &'a [u8],
    index: u64,
    timestamp: Option<Duration>,
    zero_sads: Option<&'a [u16]>,
}

impl<'a> MotionFrame<'a> {
    /// A frame over `records` (exactly [`MotionLayout::frame_bytes`] bytes),
    /// index 0, no timestamp, no zero-vector SADs.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] for a wrong length.
    pub fn new(layout: MotionLayout, records: &'a [u8]) -> Result<MotionFrame<'a>> {
        if records.len() != layout.frame_bytes() {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!(
                    "{} bytes of motion records for a {}x{} frame (expected {})",
                    records.len(),
                    layout.width,
                    layout.height,
                    layout.frame_bytes()
                ),
            ));
        }
        Ok(MotionFrame {
            layout,
            records,
            index: 0,
            timestamp: None,
            zero_sads: None,
        })
    }

    /// A frame over records already known to have the layout's length.
    pub(crate) fn from_parts(
        layout: MotionLayout,
        records: &'a [u8],
        index: u64,
    ) -> MotionFrame<'a> {
        debug_assert_eq!(records.len(), layout.frame_bytes());
        MotionFrame {
            layout,
            records,
            index,
            timestamp: None,
            zero_sads: None,
        }
    }

    /// The same frame numbered `index`.
    #[must_use]
    pub fn with_index(mut self, index: u64) -> MotionFrame<'a> {
        self.index = index;
        self
    }

    /// The same frame stamped `timestamp`.
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: Duration) -> MotionFrame<'a> {
        self.timestamp = Some(timestamp);
        self
    }

    /// The same frame with the zero-vector SAD of every macroblock
    /// (row-major, [`MotionLayout::blocks`] values, no extra column).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] for a wrong length.
    pub fn with_zero_sads(mut self, zero_sads: &'a [u16]) -> Result<MotionFrame<'a>> {
        if zero_sads.len() != self.layout.blocks() {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!(
                    "{} zero-vector SADs for {} macroblocks",
                    zero_sads.len(),
                    self.layout.blocks()
                ),
            ));
        }
        self.zero_sads = Some(zero_sads);
        Ok(self)
    }

    /// The grid.
    pub fn layout(&self) -> MotionLayout {
        self.layout
    }

    /// The raw records, picamera's bytes for this frame.
    pub fn records(&self) -> &'a [u8] {
        self.records
    }

    /// Position of the frame in its stream (0 for the first).
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Capture time of the frame, when known.
    pub fn timestamp(&self) -> Option<Duration> {
        self.timestamp
    }

    /// The record at (`col`, `row`); `col` may be the extra column.
    ///
    /// # Panics
    /// If `col >= cols()` or `row >= rows()`.
    pub fn vector(&self, col: usize, row: usize) -> MotionVector {
        assert!(
            col < self.layout.cols && row < self.layout.rows,
            "record ({col}, {row}) outside a {}x{} grid",
            self.layout.cols,
            self.layout.rows
        );
        let at = self.layout.record_offset(col, row);
        let mut b = [0u8; 4];
        b.copy_from_slice(&self.records[at..at + RECORD_LEN]);
        MotionVector::from_bytes(b)
    }

    /// SAD of macroblock (`col`, `row`) at the zero vector, when known.
    pub fn zero_sad(&self, col: usize, row: usize) -> Option<u16> {
        let bc = self.layout.block_cols();
        if col >= bc || row >= self.layout.rows {
            return None;
        }
        self.zero_sads.map(|z| z[row * bc + col])
    }

    /// The zero-vector SADs of all macroblocks, when known.
    pub fn zero_sads(&self) -> Option<&'a [u16]> {
        self.zero_sads
    }

    /// Every macroblock's record with its column and row, row-major, without
    /// the extra column.
    pub fn blocks(&self) -> impl Iterator<Item = (usize, usize, MotionVector)> + 'a {
        let cols = self.layout.cols;
        let records = self.records;
        records
            .chunks_exact(RECORD_LEN)
            .enumerate()
            .filter(move |(i, _)| i % cols != cols - 1)
            .map(move |(i, r)| {
                (
                    i % cols,
                    i / cols,
                    MotionVector::from_bytes([r[0], r[1], r[2], r[3]]),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_sizes() {
        let l = MotionLayout::new(640, 480).unwrap();
        assert_eq!((l.cols(), l.rows(), l.frame_bytes()), (41, 30, 4920));
        assert_eq!((l.block_cols(), l.blocks(), l.records()), (40, 1200, 1230));
        let l = MotionLayout::new(1, 1).unwrap();
        assert_eq!((l.cols(), l.rows(), l.frame_bytes()), (2, 1, 8));
        let l = MotionLayout::new(1920, 1080).unwrap();
        assert_eq!((l.cols(), l.rows()), (121, 68));
        let l = MotionLayout::new(17, 33).unwrap();
        assert_eq!((l.cols(), l.rows()), (3, 3));
        assert_eq!(l.record_offset(2, 1), 20);
        assert_eq!(
            MotionLayout::new(0, 4).unwrap_err().kind(),
            ErrorKind::InvalidFrameSize
        );
        assert_eq!(
            MotionLayout::new(100_000, 4).unwrap_err().kind(),
            ErrorKind::LimitExceeded
        );
    }

    #[test]
    fn record_bytes() {
        let v = MotionVector::from_bytes([0xFC, 0x03, 0x34, 0x12]);
        assert_eq!(
            v,
            MotionVector {
                x: -4,
                y: 3,
                sad: 0x1234
            }
        );
        assert_eq!(v.to_bytes(), [0xFC, 0x03, 0x34, 0x12]);
        assert_eq!(v.magnitude_squared(), 25);
        assert_eq!(v.magnitude(), 5.0);
        let extreme = MotionVector {
            x: -128,
            y: -128,
            sad: 0,
        };
        assert_eq!(extreme.magnitude_squared(), 32768);
    }

    #[test]
    fn frame_view() {
        let l = MotionLayout::new(40, 20).unwrap(); // 4 cols (3 + 1), 2 rows
        let mut bytes = vec![0u8; l.frame_bytes()];
        for (i, r) in bytes.chunks_exact_mut(4).enumerate() {
            r.copy_from_slice(&[i as u8, 0, i as u8, 0]);
        }
        let zero: Vec<u16> = (0..6).collect();
        let f = MotionFrame::new(l, &bytes)
            .unwrap()
            .with_index(7)
            .with_timestamp(Duration::from_millis(5))
            .with_zero_sads(&zero)
            .unwrap();
        assert_eq!(f.index(), 7);
        assert_eq!(f.timestamp(), Some(Duration::from_millis(5)));
        assert_eq!(f.vector(1, 1).x, 5);
        assert_eq!(f.zero_sad(2, 1), Some(5));
        assert_eq!(f.zero_sad(3, 1), None);
        let got: Vec<(usize, usize, i8)> = f.blocks().map(|(c, r, v)| (c, r, v.x)).collect();
        assert_eq!(
            got,
            vec![
                (0, 0, 0),
                (1, 0, 1),
                (2, 0, 2),
                (0, 1, 4),
                (1, 1, 5),
                (2, 1, 6)
            ]
        );
        assert!(MotionFrame::new(l, &bytes[1..]).is_err());
        assert!(
            MotionFrame::new(l, &bytes)
                .unwrap()
                .with_zero_sads(&zero[1..])
                .is_err()
        );
    }
}
