//! Reading motion data back: [`MotionData`] and [`MotionReader`].

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::layout::{MotionFrame, MotionLayout};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::image::Limits;

/// Every frame of a motion-data file, in memory: the seed's
/// `np.fromfile(...).reshape((frames, rows, cols))` ([`MotionReader`] reads
/// a stream one frame at a time instead).
///
/// The file has no header: the frame size must be known (it is the size of
/// the recording the data was computed from). A length that is not a whole
/// number of frames is reported as an error, never silently cut.
///
/// ```
/// use camreel::motion::{MotionData, MotionLayout};
///
/// let layout = MotionLayout::new(64, 32)?; // 5 x 2 records, 40 bytes per frame
/// let mut bytes = vec![0u8; 3 * layout.frame_bytes()];
/// bytes[40] = 0xFE; // frame 1, block (0, 0): x = -2
/// let data = MotionData::from_bytes(bytes, 64, 32)?;
/// assert_eq!(data.len(), 3);
/// assert_eq!(data.frame(1).unwrap().vector(0, 0).x, -2);
///
/// let e = MotionData::from_bytes(vec![0; 100], 64, 32).unwrap_err();
/// assert_eq!(e.to_string(), "motion data of 100 bytes is not a whole number of 40-byte frames for 64x32 (2 frames and 20 bytes over)");
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MotionData {
    layout: MotionLayout,
    bytes: Vec<u8>,
}

impl MotionData {
    /// Takes `bytes` as frames of records for `width` x `height` video.
    ///
    /// # Errors
    /// [`ErrorKind::Truncated`] when the length is not a whole number of
    /// frames (the message says how many frames and bytes there are); as
    /// [`MotionLayout::new`] for the size.
    pub fn from_bytes(bytes: Vec<u8>, width: u32, height: u32) -> Result<MotionData> {
        let layout = MotionLayout::new(width, height)?;
        let per = layout.frame_bytes();
        if !bytes.len().is_multiple_of(per) {
            return Err(Error::new(
                ErrorKind::Truncated,
                format!(
                    "motion data of {} bytes is not a whole number of {per}-byte frames for {width}x{height} ({} frames and {} bytes over)",
                    bytes.len(),
                    bytes.len() / per,
                    bytes.len() % per
                ),
            ));
        }
        Ok(MotionData { layout, bytes })
    }

    /// Reads a `.data` file of at most [`Limits::max_bytes`] (512 MiB by
    /// default; [`MotionReader`] reads any length one frame at a time).
    ///
    /// # Errors
    /// As [`MotionData::open_with_limits`].
    pub fn open(path: impl AsRef<Path>, width: u32, height: u32) -> Result<MotionData> {
        MotionData::open_with_limits(path, width, height, &Limits::default())
    }

    /// Reads a `.data` file, checking its length against `limits.max_bytes`
    /// (and the frame size against `limits`) before reading it.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] naming the path; [`ErrorKind::LimitExceeded`] for a
    /// file or frame size above `limits`; otherwise as
    /// [`MotionData::from_bytes`].
    pub fn open_with_limits(
        path: impl AsRef<Path>,
        width: u32,
        height: u32,
        limits: &Limits,
    ) -> Result<MotionData> {
        let path = path.as_ref();
        let at = || quote_path(path);
        MotionLayout::with_limits(width, height, limits)?;
        let file = File::open(path).map_err(|e| Error::io(at(), e))?;
        let len = file.metadata().map_err(|e| Error::io(at(), e))?.len();
        limits.check_bytes(len).map_err(|e| e.context(at()))?;
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        // `take`: a file that grows meanwhile is read up to the checked length.
        file.take(len)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(at(), e))?;
        MotionData::from_bytes(bytes, width, height).map_err(|e| e.context(at()))
    }

    /// The grid of every frame.
    pub fn layout(&self) -> MotionLayout {
        self.layout
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.bytes.len() / self.layout.frame_bytes()
    }

    /// Whether there are no frames.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Frame `index` (numbered `index`), or `None` past the end.
    pub fn frame(&self, index: usize) -> Option<MotionFrame<'_>> {
        let per = self.layout.frame_bytes();
        let start = index.checked_mul(per)?;
        let bytes = self.bytes.get(start..start.checked_add(per)?)?;
        Some(MotionFrame::from_parts(self.layout, bytes, index as u64))
    }

    /// All frames in order.
    pub fn frames(&self) -> impl ExactSizeIterator<Item = MotionFrame<'_>> + '_ {
        let layout = self.layout;
        self.bytes
            .chunks_exact(layout.frame_bytes())
            .enumerate()
            .map(move |(i, b)| MotionFrame::from_parts(layout, b, i as u64))
    }

    /// The bytes, as they would be written to a file.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, consuming the data.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Reads frames of motion records from any [`Read`], one at a time, into
/// one reused buffer (memory stays at one frame whatever the stream's length).
///
/// ```
/// use camreel::motion::MotionReader;
///
/// let bytes = vec![0u8; 2 * 40 + 4]; // two 64x32 frames and 4 stray bytes
/// let mut reader = MotionReader::new(&bytes[..], 64, 32)?;
/// assert_eq!(reader.next_frame()?.unwrap().index(), 0);
/// assert_eq!(reader.next_frame()?.unwrap().index(), 1);
/// let e = reader.next_frame().unwrap_err();
/// assert_eq!(e.to_string(), "frame 2 at byte 80: motion data ends 4 bytes into a 40-byte frame");
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Debug)]
pub struct MotionReader<R> {
    reader: R,
    layout: MotionLayout,
    buf: Vec<u8>,
    index: u64,
}

impl<R: Read> MotionReader<R> {
    /// A reader of records for `width` x `height` video.
    ///
    /// # Errors
    /// As [`MotionLayout::new`].
    pub fn new(reader: R, width: u32, height: u32) -> Result<MotionReader<R>> {
        let layout = MotionLayout::new(width, height)?;
        Ok(MotionReader {
            reader,
            layout,
            buf: vec![0; layout.frame_bytes()],
            index: 0,
        })
    }

    /// The grid of every frame.
    pub fn layout(&self) -> MotionLayout {
        self.layout
    }

    /// The next frame, or `None` at a clean end of the stream.
    ///
    /// # Errors
    /// [`ErrorKind::Truncated`] when the stream ends inside a frame (naming
    /// the frame and byte offset); [`ErrorKind::Io`].
    pub fn next_frame(&mut self) -> Result<Option<MotionFrame<'_>>> {
        let per = self.layout.frame_bytes();
        let mut filled = 0;
        while filled < per {
            match self.reader.read(&mut self.buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::io(
                        format!(
                            "frame {} at byte {}",
                            self.index,
                            self.offset() + filled as u64
                        ),
                        e,
                    ));
                }
            }
        }
        if filled == 0 {
            return Ok(None);
        }
        if filled < per {
            return Err(Error::new(
                ErrorKind::Truncated,
                format!(
                    "frame {} at byte {}: motion data ends {filled} bytes into a {per}-byte frame",
                    self.index,
                    self.offset()
                ),
            ));
        }
        let index = self.index;
        self.index += 1;
        Ok(Some(MotionFrame::from_parts(self.layout, &self.buf, index)))
    }

    fn offset(&self) -> u64 {
        self.index * self.layout.frame_bytes() as u64
    }

    /// The underlying reader.
    pub fn into_inner(self) -> R {
        self.reader
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_frames_only() {
        let l = MotionLayout::new(640, 480).unwrap();
        let d = MotionData::from_bytes(vec![0; 300 * 4920], 640, 480).unwrap();
        assert_eq!(d.len(), 300);
        assert_eq!(d.layout(), l);
        assert!(d.frame(300).is_none());
        assert_eq!(d.frames().len(), 300);
        assert_eq!(d.frames().last().unwrap().index(), 299);
        let e = MotionData::from_bytes(vec![0; 4919], 640, 480).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Truncated);
        assert!(
            e.to_string().contains("0 frames and 4919 bytes over"),
            "{e}"
        );
        let empty = MotionData::from_bytes(Vec::new(), 640, 480).unwrap();
        assert!(empty.is_empty());
        assert!(MotionData::from_bytes(Vec::new(), 0, 480).is_err());
    }

    #[test]
    fn reader_stops_cleanly_or_reports() {
        let mut r = MotionReader::new(&[][..], 16, 16).unwrap();
        assert!(r.next_frame().unwrap().is_none());
        let bytes = [1u8; 8 + 8 + 3];
        let mut r = MotionReader::new(&bytes[..], 16, 16).unwrap();
        assert_eq!(r.next_frame().unwrap().unwrap().records(), &[1u8; 8]);
        assert_eq!(r.next_frame().unwrap().unwrap().index(), 1);
        let e = r.next_frame().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Truncated);
        assert!(e.to_string().starts_with("frame 2 at byte 16:"), "{e}");
    }
}
