//! [`MemoryStream`]: a fixed-size ring of frame slots in RAM.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{Carried, Pacer, ReadInfo, ReadOptions, StreamKind, ms_u32, wall_ticks};
use crate::clock::{Clock, MonotonicClock};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::image::{Image, ImageRef, PixelFormat};
use crate::sink::{self, FrameSink, IntoInnerError};
use crate::timing::Ticks;

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    elapsed_ms: u32,
    len: usize,
}

/// A memory stream: `slots` frames of one shape and format in one buffer
/// allocated at construction, which never grows.
///
/// Each slot holds one frame: [`PixelFormat::payload_size`] bytes, or for
/// JPEG and PNG 2 bits per pixel (`width * height / 4` bytes). The offset
/// moves one slot per write or read; [`MemoryStream::seek`] moves it anywhere
/// (a ring seeks back to 0 when it reaches the last slot). Writing and
/// reading with [`MemoryStream::read_into`] or [`MemoryStream::read_ref`]
/// allocate nothing. Any pixel format can be stored, including the in-memory
/// ones (RGB888, YUV420, ...).
///
/// Errors, as OpenMV raises them: writing past the last slot is
/// [`ErrorKind::EndOfStream`]; a frame of another shape or format, or an
/// encoded frame larger than a slot, is [`ErrorKind::InvalidFrameSize`];
/// reading a slot that was never written is [`ErrorKind::EndOfStream`]
/// ([`ReadOptions::looping`] is ignored); seeking to `n >= slots` is
/// [`ErrorKind::SeekOutOfRange`].
///
/// ```
/// use camreel::imageio::{MemoryStream, ReadOptions};
/// use camreel::{ErrorKind, Image, PixelFormat};
///
/// let mut ring = MemoryStream::new(320, 240, PixelFormat::Rgb565, 2)?;
/// let frame = Image::zeroed(PixelFormat::Rgb565, 320, 240)?;
/// ring.write(&frame)?.write(&frame)?;
/// assert_eq!(ring.write(&frame).unwrap_err().kind(), ErrorKind::EndOfStream);
/// ring.seek(0)?;
/// let (view, info) = ring.read_ref(ReadOptions::NO_WAIT)?;
/// assert_eq!((view.size(), info.index), ((320, 240), 0));
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct MemoryStream {
    width: u32,
    height: u32,
    format: PixelFormat,
    slot_size: usize,
    buffer: Vec<u8>,
    slots: Vec<Slot>,
    /// Slots written so far (the highest written slot + 1).
    count: usize,
    offset: usize,
    /// Milliseconds between writes, on the clock.
    wall: Ticks,
    /// Milliseconds between frames written as a [`FrameSink`], from their
    /// timestamps.
    ticks: Ticks,
    /// Milliseconds of the intervals given to [`MemoryStream::write_with_elapsed`].
    given: Carried,
    pacer: Pacer,
    clock: Arc<dyn Clock>,
    /// [`FrameSink::finish`] ran: no more writes.
    finished: bool,
}

impl fmt::Debug for MemoryStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStream")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("format", &self.format)
            .field("slots", &self.slots.len())
            .field("slot_size", &self.slot_size)
            .field("count", &self.count)
            .field("offset", &self.offset)
            .finish()
    }
}

fn alloc_error(what: &str, n: usize) -> Error {
    Error::new(
        ErrorKind::LimitExceeded,
        format!("cannot allocate {n} {what} for a memory stream"),
    )
}

impl MemoryStream {
    /// `slots` slots for `width` x `height` frames in `format`, timed by the OS
    /// monotonic clock.
    ///
    /// # Errors
    /// As [`MemoryStream::with_clock`].
    pub fn new(width: u32, height: u32, format: PixelFormat, slots: usize) -> Result<MemoryStream> {
        MemoryStream::with_clock(width, height, format, slots, MonotonicClock::shared())
    }

    /// As [`MemoryStream::new`], with `clock` stamping writes and pacing reads.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for zero slots;
    /// [`ErrorKind::InvalidFrameSize`] for a zero dimension, or JPEG/PNG slots
    /// of 0 bytes (fewer than 4 pixels); [`ErrorKind::LimitExceeded`] if the
    /// buffer cannot be allocated.
    pub fn with_clock(
        width: u32,
        height: u32,
        format: PixelFormat,
        slots: usize,
        clock: Arc<dyn Clock>,
    ) -> Result<MemoryStream> {
        if slots == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a memory stream needs at least one slot",
            ));
        }
        let slot_size = if format.is_compressed() {
            if width == 0 || height == 0 {
                return Err(Error::new(
                    ErrorKind::InvalidFrameSize,
                    format!("{width}x{height} {format} memory stream has a zero dimension"),
                ));
            }
            let bytes = u64::from(width) * u64::from(height) / 4;
            if bytes == 0 {
                return Err(Error::new(
                    ErrorKind::InvalidFrameSize,
                    format!("{width}x{height} {format} slots at 2 bits per pixel hold 0 bytes"),
                ));
            }
            usize::try_from(bytes).map_err(|_| alloc_error("bytes", usize::MAX))?
        } else {
            format.payload_size(width, height)?
        };
        let total = slot_size.checked_mul(slots).ok_or_else(|| {
            Error::new(
                ErrorKind::LimitExceeded,
                format!("{slots} slots of {slot_size} bytes do not fit in memory"),
            )
        })?;
        let mut buffer = Vec::new();
        buffer
            .try_reserve_exact(total)
            .map_err(|_| alloc_error("bytes", total))?;
        buffer.resize(total, 0);
        let mut meta = Vec::new();
        meta.try_reserve_exact(slots)
            .map_err(|_| alloc_error("slots", slots))?;
        meta.resize(slots, Slot::default());
        Ok(MemoryStream {
            width,
            height,
            format,
            slot_size,
            buffer,
            slots: meta,
            count: 0,
            offset: 0,
            wall: wall_ticks(&*clock),
            ticks: Ticks::new(Ticks::MILLIS),
            given: Carried::new(),
            pacer: Pacer::new(&*clock),
            clock,
            finished: false,
        })
    }

    /// [`StreamKind::Memory`].
    pub fn kind(&self) -> StreamKind {
        StreamKind::Memory
    }

    /// Frame width of every slot.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Frame height of every slot.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Pixel format of every slot.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// Number of slots.
    pub fn slots(&self) -> u64 {
        self.slots.len() as u64
    }

    /// Bytes per slot.
    pub fn slot_size(&self) -> usize {
        self.slot_size
    }

    /// Slots written so far (the highest written slot + 1).
    pub fn count(&self) -> u64 {
        self.count as u64
    }

    /// The slot the next read or write uses.
    pub fn offset(&self) -> u64 {
        self.offset as u64
    }

    /// Size of the frame buffer in bytes (`slots * slot_size`).
    pub fn byte_len(&self) -> u64 {
        self.buffer.len() as u64
    }

    /// Moves to slot `n`.
    ///
    /// # Errors
    /// [`ErrorKind::SeekOutOfRange`] for `n >= slots`.
    pub fn seek(&mut self, n: u64) -> Result<()> {
        match usize::try_from(n) {
            Ok(i) if i < self.slots.len() => {
                self.offset = i;
                Ok(())
            }
            _ => Err(Error::new(
                ErrorKind::SeekOutOfRange,
                format!(
                    "cannot seek to slot {n} of a memory stream with {} slots",
                    self.slots.len()
                ),
            )),
        }
    }

    /// Stores `image` in the current slot, stamped with the milliseconds since
    /// the previous write (the first: since construction), and advances.
    ///
    /// # Errors
    /// [`ErrorKind::Finished`] after [`FrameSink::finish`];
    /// [`ErrorKind::EndOfStream`] past the last slot;
    /// [`ErrorKind::InvalidFrameSize`] for a frame of another shape or format,
    /// or an encoded frame larger than a slot.
    pub fn write<'a>(&mut self, image: impl Into<ImageRef<'a>>) -> Result<&mut MemoryStream> {
        let now = self.clock.now();
        let elapsed = ms_u32(self.wall.peek(now));
        self.store(image.into(), elapsed)?;
        self.wall.step(now);
        Ok(self)
    }

    /// Stores `image` with an explicit interval since the previous frame,
    /// in milliseconds with the rounding carried to the next frame (as
    /// [`FileStream::write_with_elapsed`](super::FileStream::write_with_elapsed)).
    /// Later [`MemoryStream::write`]s measure from now.
    ///
    /// # Errors
    /// As [`MemoryStream::write`].
    pub fn write_with_elapsed<'a>(
        &mut self,
        image: impl Into<ImageRef<'a>>,
        elapsed: Duration,
    ) -> Result<&mut MemoryStream> {
        let now = self.clock.now();
        self.store(image.into(), self.given.peek(elapsed))?;
        self.given.step(elapsed);
        self.wall.step(now);
        Ok(self)
    }

    fn store(&mut self, image: ImageRef<'_>, elapsed_ms: u32) -> Result<()> {
        let index = self.offset;
        if self.finished {
            return Err(sink::finished("the memory stream"));
        }
        if index >= self.slots.len() {
            return Err(Error::new(
                ErrorKind::EndOfStream,
                format!(
                    "memory stream is full: all {} slots are written (seek(0) to reuse them)",
                    self.slots.len()
                ),
            ));
        }
        if image.format() != self.format || image.size() != (self.width, self.height) {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!(
                    "slot {index}: a {}x{} {} frame does not match the stream's {}x{} {} slots",
                    image.width(),
                    image.height(),
                    image.format(),
                    self.width,
                    self.height,
                    self.format
                ),
            ));
        }
        let start = index * self.slot_size;
        let slot = &mut self.buffer[start..start + self.slot_size];
        let len = if image.is_packed() {
            let data = image.data();
            if data.len() > slot.len() {
                return Err(Error::new(
                    ErrorKind::InvalidFrameSize,
                    format!(
                        "slot {index}: a {}-byte {} frame does not fit a {}-byte slot (2 bits per \
                         pixel); encode at a lower quality or use a file stream",
                        data.len(),
                        self.format,
                        slot.len()
                    ),
                ));
            }
            slot[..data.len()].copy_from_slice(data);
            data.len()
        } else {
            let row = image.row_bytes();
            for (dst, src) in slot.chunks_exact_mut(row).zip(image.rows()) {
                dst.copy_from_slice(src);
            }
            self.slot_size
        };
        self.slots[index] = Slot { elapsed_ms, len };
        self.offset = index + 1;
        self.count = self.count.max(self.offset);
        Ok(())
    }

    fn take(&mut self, opts: ReadOptions) -> Result<(usize, Slot)> {
        let index = self.offset;
        if index >= self.count {
            return Err(Error::new(
                ErrorKind::EndOfStream,
                format!(
                    "memory stream: slot {index} has not been written ({} of {} slots hold frames)",
                    self.count,
                    self.slots.len()
                ),
            ));
        }
        let slot = self.slots[index];
        self.offset = index + 1;
        self.pacer
            .frame_ready(&*self.clock, slot.elapsed_ms, opts.is_pausing());
        Ok((index, slot))
    }

    /// Copies the frame in the current slot into `image`, reusing its memory,
    /// and advances. When [pausing](ReadOptions::pausing), first waits out
    /// the frame's interval from the previous read.
    ///
    /// # Errors
    /// [`ErrorKind::EndOfStream`] for a slot that was never written.
    pub fn read_into(&mut self, image: &mut Image, opts: ReadOptions) -> Result<ReadInfo> {
        let (index, slot) = self.take(opts)?;
        let start = index * self.slot_size;
        let buf = image.buffer_mut();
        buf.clear();
        buf.extend_from_slice(&self.buffer[start..start + slot.len]);
        image.set_meta_unchecked(self.format, self.width, self.height);
        Ok(ReadInfo {
            index: index as u64,
            elapsed_ms: slot.elapsed_ms,
        })
    }

    /// Borrows the frame in the current slot without copying it, and advances.
    ///
    /// # Errors
    /// As [`MemoryStream::read_into`].
    pub fn read_ref(&mut self, opts: ReadOptions) -> Result<(ImageRef<'_>, ReadInfo)> {
        let (index, slot) = self.take(opts)?;
        let start = index * self.slot_size;
        let view = ImageRef::new(
            self.format,
            self.width,
            self.height,
            &self.buffer[start..start + slot.len],
        )?;
        Ok((
            view,
            ReadInfo {
                index: index as u64,
                elapsed_ms: slot.elapsed_ms,
            },
        ))
    }

    /// Copies the frame in the current slot into a new image, and advances.
    ///
    /// # Errors
    /// As [`MemoryStream::read_into`].
    pub fn read(&mut self, opts: ReadOptions) -> Result<Image> {
        let mut image = Image::empty();
        self.read_into(&mut image, opts)?;
        Ok(image)
    }

    /// A no-op (memory streams have nothing to flush).
    ///
    /// # Errors
    /// Never.
    pub fn sync(&mut self) -> Result<()> {
        Ok(())
    }

    /// Releases the buffer.
    ///
    /// # Errors
    /// Never.
    pub fn close(self) -> Result<()> {
        Ok(())
    }

    /// Slots written so far (as [`MemoryStream::count`]).
    pub fn frames(&self) -> u64 {
        self.count()
    }

    /// Bytes of the slots written so far (the buffer itself is
    /// [`MemoryStream::byte_len`] bytes).
    pub fn bytes(&self) -> u64 {
        self.count() * self.slot_size as u64
    }

    /// The frame buffer: `slots` slots of [`MemoryStream::slot_size`] bytes,
    /// each holding its frame from the start (an encoded frame is followed
    /// by the slot's unused bytes).
    pub fn get_ref(&self) -> &[u8] {
        &self.buffer
    }

    /// Finishes the stream (later writes fail with [`ErrorKind::Finished`])
    /// and returns its frame buffer (see [`MemoryStream::get_ref`]).
    ///
    /// # Errors
    /// Never: finishing a memory stream cannot fail. The error type is the
    /// one every writer's `into_inner` has.
    pub fn into_inner(mut self) -> Result<Vec<u8>, IntoInnerError<MemoryStream>> {
        self.finished = true;
        Ok(std::mem::take(&mut self.buffer))
    }
}

/// Stores frames with the milliseconds between their timestamps (0 for the
/// first). Frames must have the stream's shape and format; past the last
/// slot, writes fail with [`ErrorKind::EndOfStream`]. `finish` ends the
/// recording (later writes fail with [`ErrorKind::Finished`]); the frames
/// stay readable.
impl FrameSink for MemoryStream {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        let elapsed = ms_u32(self.ticks.peek(frame.timestamp));
        self.store(frame.image, elapsed)?;
        self.ticks.step(frame.timestamp);
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.finished = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn slot_sizes_follow_spec() {
        let s = MemoryStream::new(320, 240, PixelFormat::Rgb565, 3).unwrap();
        assert_eq!((s.slot_size(), s.byte_len()), (153_600, 460_800));
        let s = MemoryStream::new(320, 240, PixelFormat::Jpeg, 2).unwrap();
        assert_eq!(s.slot_size(), 19_200);
        let s = MemoryStream::new(5, 3, PixelFormat::Yuv420, 1).unwrap();
        assert_eq!(s.slot_size(), 15 + 2 * 6);
        assert_eq!(
            MemoryStream::new(1, 3, PixelFormat::Png, 1)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidFrameSize
        );
        assert_eq!(
            MemoryStream::new(4, 4, PixelFormat::Grayscale, 0)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            MemoryStream::new(16384, 16384, PixelFormat::Argb8, usize::MAX / 2)
                .unwrap_err()
                .kind(),
            ErrorKind::LimitExceeded
        );
    }

    #[test]
    fn timing_is_recorded_and_replayed() {
        let clock = ManualClock::shared();
        let mut s =
            MemoryStream::with_clock(2, 1, PixelFormat::Grayscale, 3, clock.clone()).unwrap();
        let img = Image::new(PixelFormat::Grayscale, 2, 1, vec![1, 2]).unwrap();
        clock.advance(Duration::from_millis(7));
        s.write(&img).unwrap();
        clock.advance(Duration::from_millis(30));
        s.write(&img).unwrap();
        s.seek(0).unwrap();
        let t0 = clock.now();
        let mut out = Image::empty();
        let a = s.read_into(&mut out, ReadOptions::default()).unwrap();
        let b = s.read_into(&mut out, ReadOptions::default()).unwrap();
        assert_eq!((a.elapsed_ms, b.elapsed_ms), (7, 30));
        // The reader was created at t=0 and the clock stood at t0 = 37 ms, so the
        // first frame was already due; the second waited its 30 ms.
        assert_eq!(clock.now() - t0, Duration::from_millis(30));
        let e = s.read_into(&mut out, ReadOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::EndOfStream);
        assert_eq!(s.seek(3).unwrap_err().kind(), ErrorKind::SeekOutOfRange);
        s.seek(2).unwrap();
        assert_eq!(s.write(&img).unwrap().count(), 3);
    }

    #[test]
    fn strided_frames_are_compacted() {
        let buf: Vec<u8> = (0..20).collect();
        let view = ImageRef::with_stride(PixelFormat::Grayscale, 3, 4, 5, &buf).unwrap();
        let mut s = MemoryStream::new(3, 4, PixelFormat::Grayscale, 1).unwrap();
        s.write(view).unwrap();
        s.seek(0).unwrap();
        let img = s.read(ReadOptions::NO_WAIT).unwrap();
        assert_eq!(img.data(), &[0, 1, 2, 5, 6, 7, 10, 11, 12, 15, 16, 17]);
    }
}
