//! [`CircularBuffer`]: the most recent seconds of a recording, in memory
//! (picamera's `PiCameraCircularIO`).
//!
//! A circular buffer is a [`FrameSink`] that keeps the newest encoded frames
//! (H.264 access units, JPEG frames, or any ImageIO frames) within a byte
//! budget allocated once, and optionally within a number of seconds. It
//! drops whole groups of pictures from the front, so what it holds always
//! starts with a key frame (for H.264 an IDR with its SPS and PPS; every
//! JPEG or raw frame is a key frame) and can be played or written to a file
//! on its own. [`CircularBuffer::copy_to`] writes its frames, oldest first
//! and with their original timestamps, to any sink: the "before" part of an
//! event recording.
//!
//! ```
//! use std::time::Duration;
//! use camreel::circular::CircularBuffer;
//! use camreel::frame::Frame;
//! use camreel::sink::FrameSink;
//! use camreel::{Image, PixelFormat};
//!
//! // Ten seconds, at most 1 MB.
//! let mut ring = CircularBuffer::new(1 << 20)?.seconds(Duration::from_secs(10));
//! let image = Image::zeroed(PixelFormat::Grayscale, 32, 24)?;
//! for i in 0..600u32 {
//!     // 20 minutes of one frame every two seconds.
//!     ring.write_frame(&Frame::new(image.view(), i.into(), Duration::from_secs(2) * i))?;
//! }
//! assert_eq!(ring.frames(), 6); // 10 s span between the oldest and newest
//! let mut copy = Vec::new();
//! ring.for_each(|frame| {
//!     copy.push(frame.sequence);
//!     Ok(())
//! })?;
//! assert_eq!(copy, [594, 595, 596, 597, 598, 599]);
//! # Ok::<(), camreel::Error>(())
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::image::{ImageRef, PixelFormat};
use crate::sink::FrameSink;

/// Where one frame's bytes are in the ring, and what they are.
#[derive(Clone, Copy, Debug)]
struct Entry {
    start: usize,
    len: usize,
    format: PixelFormat,
    width: u32,
    height: u32,
    sequence: u64,
    timestamp: Duration,
    key: bool,
}

impl Entry {
    fn end(&self) -> usize {
        self.start + self.len
    }
}

/// What a [`CircularBuffer`] has let go of: the frames it dropped from the
/// front to make room (an event recorder's accounting needs them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Frames dropped.
    pub frames: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// The most recent frames of a recording in a byte ring allocated once. See
/// the [module docs](self).
pub struct CircularBuffer {
    data: Box<[u8]>,
    entries: VecDeque<Entry>,
    max_frames: usize,
    max_age: Option<Duration>,
    /// The index in `entries` of the first key frame after the front one
    /// (where the buffer would start if its front group were dropped).
    second_key: Option<usize>,
    /// Where the next frame goes.
    head: usize,
    /// Bytes of the frames held.
    used: usize,
    written: u64,
    dropped: Dropped,
}

impl fmt::Debug for CircularBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircularBuffer")
            .field("capacity", &self.data.len())
            .field("frames", &self.entries.len())
            .field("bytes", &self.used)
            .field("max_age", &self.max_age)
            .field("dropped", &self.dropped)
            .finish()
    }
}

/// Whether decoding can start at `image`: an H.264 access unit holding an
/// IDR picture, and every JPEG, PNG and uncompressed frame.
///
/// ```
/// use camreel::circular::is_key_frame;
/// use camreel::{ImageRef, PixelFormat};
/// let idr = [0, 0, 0, 1, 0x65, 0x88];
/// let delta = [0, 0, 0, 1, 0x41, 0x9a];
/// assert!(is_key_frame(ImageRef::new(PixelFormat::H264, 16, 16, &idr)?));
/// assert!(!is_key_frame(ImageRef::new(PixelFormat::H264, 16, 16, &delta)?));
/// # Ok::<(), camreel::Error>(())
/// ```
pub fn is_key_frame(image: ImageRef<'_>) -> bool {
    if image.format() != crate::image::PixelFormat::H264 {
        return true;
    }
    crate::h264::annexb::nal_units(image.data())
        .map_while(|n| n.ok())
        .any(|n| n.nal_type() == crate::h264::NalType::IdrSlice)
}

fn alloc_error(what: &str, n: usize) -> Error {
    Error::new(
        ErrorKind::LimitExceeded,
        format!("cannot allocate {n} {what} for a circular buffer"),
    )
}

impl CircularBuffer {
    /// A buffer of `bytes` bytes (allocated now, never grown), holding up to
    /// one frame per KiB of it (at least 64; see
    /// [`CircularBuffer::max_frames`]).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for zero bytes;
    /// [`ErrorKind::LimitExceeded`] if the memory cannot be allocated.
    pub fn new(bytes: usize) -> Result<CircularBuffer> {
        if bytes == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a circular buffer needs at least one byte",
            ));
        }
        let mut data = Vec::new();
        data.try_reserve_exact(bytes)
            .map_err(|_| alloc_error("bytes", bytes))?;
        data.resize(bytes, 0);
        let max_frames = (bytes / 1024).max(64);
        let mut entries = VecDeque::new();
        entries
            .try_reserve_exact(max_frames)
            .map_err(|_| alloc_error("frame entries", max_frames))?;
        Ok(CircularBuffer {
            data: data.into_boxed_slice(),
            entries,
            max_frames,
            max_age: None,
            second_key: None,
            head: 0,
            used: 0,
            written: 0,
            dropped: Dropped::default(),
        })
    }

    /// Also keeps no more than `age` between the first and the last frame
    /// held, once a later key frame can start the buffer (so it holds at
    /// least `age`, as picamera's `seconds=` does, unless bytes run out).
    #[must_use]
    pub fn seconds(mut self, age: Duration) -> CircularBuffer {
        self.max_age = Some(age);
        self
    }

    /// Holds at most `frames` frames (the frame table is allocated now).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for zero; [`ErrorKind::LimitExceeded`]
    /// if the table cannot be allocated.
    pub fn max_frames(mut self, frames: usize) -> Result<CircularBuffer> {
        if frames == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a circular buffer must hold at least one frame",
            ));
        }
        let mut entries = VecDeque::new();
        entries
            .try_reserve_exact(frames)
            .map_err(|_| alloc_error("frame entries", frames))?;
        entries.extend(self.entries.drain(..));
        self.entries = entries;
        self.max_frames = frames;
        while self.entries.len() > frames {
            self.drop_front_gop();
        }
        Ok(self)
    }

    /// The byte capacity.
    pub fn capacity(&self) -> usize {
        self.data.len()
    }

    /// Frames held.
    pub fn frames(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Bytes of the frames held.
    pub fn bytes(&self) -> u64 {
        self.used as u64
    }

    /// Frames written since the buffer was made (held, dropped or copied).
    pub fn written(&self) -> u64 {
        self.written
    }

    /// What was dropped from the front so far.
    pub fn dropped(&self) -> Dropped {
        self.dropped
    }

    /// The time between the oldest and the newest frame held.
    pub fn span(&self) -> Duration {
        match (self.entries.front(), self.entries.back()) {
            (Some(a), Some(b)) => b.timestamp.saturating_sub(a.timestamp),
            _ => Duration::ZERO,
        }
    }

    /// Timestamp of the oldest frame held.
    pub fn first_timestamp(&self) -> Option<Duration> {
        self.entries.front().map(|e| e.timestamp)
    }

    /// Forgets every frame (they are not counted as dropped).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.second_key = None;
        self.head = 0;
        self.used = 0;
    }

    /// Removes the oldest frame and every delta frame after it, so the
    /// buffer starts at a key frame again.
    fn drop_front_gop(&mut self) {
        let mut first = true;
        while let Some(e) = self.entries.front() {
            if !first && e.key {
                break;
            }
            first = false;
            self.used -= e.len;
            self.dropped.frames += 1;
            self.dropped.bytes += e.len as u64;
            self.entries.pop_front();
        }
        // Once a group of pictures: the push path stays O(1).
        self.second_key = self
            .entries
            .iter()
            .skip(1)
            .position(|e| e.key)
            .map(|p| p + 1);
        if self.entries.is_empty() {
            self.head = 0;
        }
    }

    /// Where a frame of `len` bytes fits without touching the frames held,
    /// if anywhere.
    fn place(&self, len: usize) -> Option<usize> {
        let cap = self.data.len();
        let Some(front) = self.entries.front() else {
            return (len <= cap).then_some(0);
        };
        let tail = front.start;
        if self.head > tail || (self.head == tail && self.used == 0) {
            // Free: [head, cap) then [0, tail).
            if len <= cap - self.head {
                Some(self.head)
            } else if len <= tail {
                Some(0)
            } else {
                None
            }
        } else {
            // Wrapped: free is [head, tail).
            (len <= tail - self.head).then_some(self.head)
        }
    }

    /// Stores one encoded frame; `key` says whether decoding can start at
    /// it. The oldest groups of pictures are dropped to make room.
    ///
    /// # Errors
    /// [`ErrorKind::LimitExceeded`] for a frame larger than the whole
    /// buffer (nothing held is dropped for it).
    pub fn push(&mut self, frame: &Frame<'_>, key: bool) -> Result<()> {
        let image = frame.image;
        let len = if image.is_packed() {
            image.data().len()
        } else {
            image.row_bytes() * image.height() as usize
        };
        if len > self.data.len() {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "frame {}: {len} bytes do not fit a circular buffer of {} bytes",
                    frame.sequence,
                    self.data.len()
                ),
            ));
        }
        let refuse = |b: &mut CircularBuffer| {
            b.written += 1;
            b.dropped.frames += 1;
            b.dropped.bytes += len as u64;
        };
        // A buffer that must start at a key frame does not take a delta
        // frame when it is empty (its key frame was dropped).
        if self.entries.is_empty() && !key {
            refuse(self);
            return Ok(());
        }
        if self.entries.len() == self.max_frames {
            self.drop_front_gop();
        }
        let start = loop {
            if let Some(at) = self.place(len) {
                break at;
            }
            self.drop_front_gop();
        };
        // Making room may have dropped this frame's own key frame (a group
        // of pictures larger than the buffer): it cannot start the buffer.
        if self.entries.is_empty() && !key {
            refuse(self);
            return Ok(());
        }
        let dst = &mut self.data[start..start + len];
        if image.is_packed() {
            dst.copy_from_slice(image.data());
        } else {
            for (row, out) in image.rows().zip(dst.chunks_exact_mut(image.row_bytes())) {
                out.copy_from_slice(row);
            }
        }
        let (width, height) = image.size();
        if key && self.second_key.is_none() && !self.entries.is_empty() {
            self.second_key = Some(self.entries.len());
        }
        self.entries.push_back(Entry {
            start,
            len,
            format: image.format(),
            width,
            height,
            sequence: frame.sequence,
            timestamp: frame.timestamp,
            key,
        });
        self.head = start + len;
        self.used += len;
        self.written += 1;
        self.enforce_age();
        Ok(())
    }

    /// Drops front groups of pictures while the next one still starts at
    /// least `max_age` before the newest frame.
    fn enforce_age(&mut self) {
        let (Some(age), Some(newest)) = (self.max_age, self.entries.back().map(|e| e.timestamp))
        else {
            return;
        };
        while let Some(k) = self.second_key.and_then(|i| self.entries.get(i))
            && newest.saturating_sub(k.timestamp) >= age
        {
            self.drop_front_gop();
        }
    }

    /// Calls `f` with each frame held, oldest first, as it was written (a
    /// view into the buffer: nothing is copied).
    ///
    /// # Errors
    /// The first error `f` returns.
    pub fn for_each(&self, mut f: impl FnMut(&Frame<'_>) -> Result<()>) -> Result<()> {
        for e in &self.entries {
            let bytes = &self.data[e.start..e.end()];
            let image = ImageRef::new(e.format, e.width, e.height, bytes)?;
            f(&Frame::new(image, e.sequence, e.timestamp))?;
        }
        Ok(())
    }

    /// Writes every frame held, oldest first and with its timestamp, to
    /// `sink` (picamera's `copy_to`); returns how many. The buffer keeps
    /// them (see [`CircularBuffer::clear`]).
    ///
    /// # Errors
    /// The sink's first error.
    pub fn copy_to<S: FrameSink + ?Sized>(&self, sink: &mut S) -> Result<u64> {
        let mut n = 0;
        self.for_each(|frame| {
            sink.write_frame(frame)?;
            n += 1;
            Ok(())
        })?;
        Ok(n)
    }
}

/// Stores each frame, as a key frame when decoding can start at it
/// ([`is_key_frame`]).
impl FrameSink for CircularBuffer {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        let key = is_key_frame(frame.image);
        self.push(frame, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::Image;

    fn gray(v: u8, n: u32) -> Image {
        Image::new(PixelFormat::Grayscale, n, 1, vec![v; n as usize]).unwrap()
    }

    fn seqs(b: &CircularBuffer) -> Vec<u64> {
        let mut out = Vec::new();
        b.for_each(|f| {
            out.push(f.sequence);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn bytes_bound_and_wrap_keep_frames_intact() {
        let mut b = CircularBuffer::new(100).unwrap();
        for i in 0..20u8 {
            let img = gray(i, 30);
            b.push(
                &Frame::new(img.view(), u64::from(i), Duration::from_millis(i.into())),
                true,
            )
            .unwrap();
            assert!(b.bytes() <= 100);
        }
        // 30-byte frames in 100 bytes: three fit.
        assert_eq!(seqs(&b), [17, 18, 19]);
        b.for_each(|f| {
            assert!(f.image.data().iter().all(|&v| u64::from(v) == f.sequence));
            Ok(())
        })
        .unwrap();
        assert_eq!(b.dropped().frames + b.frames(), b.written());
        let big = gray(0, 101);
        let e = b
            .push(&Frame::new(big.view(), 99, Duration::ZERO), true)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert_eq!(seqs(&b), [17, 18, 19]);
    }

    #[test]
    fn whole_gops_are_dropped_so_the_buffer_starts_at_a_key_frame() {
        let mut b = CircularBuffer::new(10).unwrap();
        let img = gray(1, 2);
        // Key every 3 frames: K D D K D D ...
        for i in 0..9u64 {
            b.push(&Frame::new(img.view(), i, Duration::ZERO), i % 3 == 0)
                .unwrap();
        }
        // 5 frames fit; the GOP 3..6 was dropped whole with 0..3.
        assert_eq!(seqs(&b), [6, 7, 8]);
        let mut c = CircularBuffer::new(64).unwrap();
        // An empty buffer refuses delta frames until a key frame.
        c.push(&Frame::new(img.view(), 0, Duration::ZERO), false)
            .unwrap();
        assert_eq!(c.frames(), 0);
        assert_eq!(c.dropped().frames, 1);
    }

    #[test]
    fn age_keeps_at_least_the_requested_seconds_from_a_key_frame() {
        let mut b = CircularBuffer::new(1000)
            .unwrap()
            .seconds(Duration::from_secs(2));
        let img = gray(1, 1);
        for i in 0..20u64 {
            // A key frame every 4 frames, one frame a second.
            b.push(
                &Frame::new(img.view(), i, Duration::from_secs(i)),
                i % 4 == 0,
            )
            .unwrap();
        }
        let s = seqs(&b);
        assert_eq!(s[0] % 4, 0);
        assert!(b.span() >= Duration::from_secs(2), "{s:?}");
        assert_eq!(s, [16, 17, 18, 19]);
    }

    #[test]
    fn max_frames_and_copy_to_a_sink() {
        let mut b = CircularBuffer::new(1 << 10).unwrap().max_frames(3).unwrap();
        let img = gray(7, 4);
        for i in 0..5u64 {
            b.write_frame(&Frame::new(img.view(), i, Duration::from_millis(10 * i)))
                .unwrap();
        }
        let mut out = crate::imageio::MemoryStream::new(4, 1, PixelFormat::Grayscale, 8).unwrap();
        assert_eq!(b.copy_to(&mut out).unwrap(), 3);
        assert_eq!(out.count(), 3);
        b.clear();
        assert_eq!((b.frames(), b.bytes()), (0, 0));
        assert!(CircularBuffer::new(0).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Against a plain model of the rules: frames in order, a delta
        /// frame refused while empty, whole groups dropped from the front
        /// while the next key frame is `age` old, or to make room.
        #[test]
        fn holds_what_the_rules_say(
            frames in proptest::collection::vec((proptest::bool::weighted(0.2), 1u32..40, 0u64..300), 1..200),
            age_ms in 1u64..2000,
            bytes in 200usize..2000,
        ) {
            let age = Duration::from_millis(age_ms);
            let mut b = CircularBuffer::new(bytes).unwrap().seconds(age);
            // (sequence, key, len, timestamp) of what the model holds.
            let mut model: VecDeque<(u64, bool, usize, Duration)> = VecDeque::new();
            let mut t = Duration::ZERO;
            for (i, (key, len, step)) in frames.into_iter().enumerate() {
                t += Duration::from_millis(step);
                let img = gray(1, len);
                b.push(&Frame::new(img.view(), i as u64, t), key).unwrap();
                if model.is_empty() && !key {
                    continue;
                }
                let drop_gop = |m: &mut VecDeque<(u64, bool, usize, Duration)>| {
                    m.pop_front();
                    while m.front().is_some_and(|f| !f.1) {
                        m.pop_front();
                    }
                };
                model.push_back((i as u64, key, len as usize, t));
                // Room: the buffer holds at most `bytes` (placement may
                // drop more, never less, than the byte total needs).
                while model.iter().map(|f| f.2).sum::<usize>() > bytes {
                    drop_gop(&mut model);
                }
                loop {
                    let next = model.iter().skip(1).find(|f| f.1).map(|f| f.3);
                    match next {
                        Some(k) if t.saturating_sub(k) >= age => drop_gop(&mut model),
                        _ => break,
                    }
                }
                let held = seqs(&b);
                let want: Vec<u64> = model.iter().map(|f| f.0).collect();
                // The buffer is the model's tail, starting at a key frame.
                proptest::prop_assert!(want.ends_with(&held), "{want:?} vs {held:?}");
                if let Some(&first) = held.first() {
                    let f = model.iter().find(|f| f.0 == first).unwrap();
                    proptest::prop_assert!(f.1, "starts at a delta frame {first}");
                }
                // Only byte placement drops more than the model: never
                // when everything fits twice over.
                if model.iter().map(|f| f.2).sum::<usize>() * 2 <= bytes {
                    proptest::prop_assert_eq!(&held, &want);
                }
                // Held plus dropped is everything pushed.
                proptest::prop_assert_eq!(b.frames() + b.dropped().frames, i as u64 + 1);
            }
        }
    }
}
