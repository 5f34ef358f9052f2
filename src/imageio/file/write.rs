//! Writing a [`FileStream`]: OpenMV's `write` (stamped by the clock),
//! explicit intervals, and frames with their timestamps (the
//! [`FrameSink`] implementation); `sync`, `close` and `into_inner`.

use std::fs::File;
use std::io::{IoSlice, Seek, SeekFrom};
use std::time::Duration;

use super::super::header::{FrameHeader, Version};
use super::super::ms_u32;
use super::{Entry, FileStream, ZEROS};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::frame::Frame;
use crate::image::ImageRef;
use crate::io_util::write_all_vectored;
use crate::sink::{self, FrameSink, IntoInnerError};

impl FileStream {
    /// Writes `image` at the current offset, stamped with the milliseconds
    /// since the previous write (the first: since the stream was created),
    /// and returns the stream so calls chain.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a stream opened for reading;
    /// [`ErrorKind::UnsupportedFormat`] for an in-memory format (RGB888,
    /// YUV420, NV12, 16-bit, RAW10: convert first); [`ErrorKind::LimitExceeded`]
    /// for a frame above the stream's [`Limits`](crate::Limits); [`ErrorKind::Io`]. A write
    /// that fails part-way is cut back off the file, which then ends after the
    /// frames before the offset (no partial chunk is left behind).
    pub fn write<'a>(&mut self, image: impl Into<ImageRef<'a>>) -> Result<&mut FileStream> {
        let now = self.clock.now();
        self.write_chunk(image.into(), ms_u32(self.wall.peek(now)))?;
        self.wall.step(now);
        Ok(self)
    }

    /// Writes `image` with an explicit interval since the previous frame
    /// (when copying a recording or replaying buffered frames), stored in
    /// milliseconds with the rounding carried to the next frame (33.3 ms
    /// three times is stored as 33, 34, 33). Later [`FileStream::write`]s
    /// measure from now.
    ///
    /// ```
    /// use std::time::Duration;
    /// use camreel::imageio::FileStream;
    /// use camreel::{Image, PixelFormat};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut s = FileStream::create(dir.path().join("copy.bin"))?;
    /// let image = Image::zeroed(PixelFormat::Grayscale, 4, 4)?;
    /// for _ in 0..3 {
    ///     s.write_with_elapsed(&image, Duration::from_nanos(33_333_333))?;
    /// }
    /// let elapsed: Vec<u32> = s.headers().map(|h| h.elapsed_ms).collect();
    /// assert_eq!(elapsed, [33, 34, 33]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`FileStream::write`].
    pub fn write_with_elapsed<'a>(
        &mut self,
        image: impl Into<ImageRef<'a>>,
        elapsed: Duration,
    ) -> Result<&mut FileStream> {
        let now = self.clock.now();
        self.write_chunk(image.into(), self.given.peek(elapsed))?;
        self.given.step(elapsed);
        self.wall.step(now);
        Ok(self)
    }

    fn write_chunk(&mut self, image: ImageRef<'_>, elapsed_ms: u32) -> Result<()> {
        let index = self.offset;
        if self.finished {
            return Err(sink::finished(&quote_path(&self.path)));
        }
        if !self.writable {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{}: stream was opened for reading; use FileStream::create to write",
                    quote_path(&self.path)
                ),
            ));
        }
        let image = self
            .storer
            .store(image)
            .map_err(|e| e.context(format!("frame {index}")))?;
        let format = image.format();
        let (w, h) = image.size();
        let len = if image.is_packed() {
            image.data().len()
        } else {
            image.row_bytes() * image.height() as usize
        };
        let byte_size = u32::try_from(len).map_err(|_| {
            Error::new(
                ErrorKind::LimitExceeded,
                format!("frame {index}: {w}x{h} {format} frame of {len} bytes does not fit a 32-bit size field"),
            )
        })?;
        let header = FrameHeader::new(elapsed_ms, w, h, format, byte_size, &self.limits)
            .map_err(|e| e.context(format!("frame {index}")))?;
        let head = header.to_v2_bytes()?;
        let payload: &[u8] = if image.is_packed() {
            image.data()
        } else {
            self.scratch.clear();
            for row in image.rows() {
                self.scratch.extend_from_slice(row);
            }
            &self.scratch
        };
        let start = match self.entries.get(index) {
            Some(e) => e.offset,
            None => self.end,
        };
        let result = (|| {
            if start < self.file_len {
                self.file.set_len(start)?;
            }
            if self.cursor != Some(start) {
                self.cursor = None;
                self.file.seek(SeekFrom::Start(start))?;
            }
            let mut slices = [
                IoSlice::new(&head),
                IoSlice::new(payload),
                IoSlice::new(&ZEROS[..header.padding()]),
            ];
            write_all_vectored(&mut &self.file, &mut slices)
        })();
        if let Err(e) = result {
            // Leave no partial chunk behind (best effort).
            let _ = self.file.set_len(start);
            self.cursor = None;
            self.entries.truncate(index);
            self.end = start;
            self.file_len = start;
            return Err(Error::io(
                format!(
                    "frame {index} at byte {start}: writing {}",
                    quote_path(&self.path)
                ),
                e,
            ));
        }
        self.entries.truncate(index);
        self.entries.push(Entry {
            offset: start,
            header,
        });
        self.end = start + header.chunk_len(Version::V2_0);
        self.file_len = self.end;
        self.cursor = Some(self.end);
        self.offset = index + 1;
        Ok(())
    }

    /// Flushes what was written to stable storage (fsync). A no-op for a
    /// stream opened for reading.
    ///
    /// # Errors
    /// [`ErrorKind::Io`].
    pub fn sync(&mut self) -> Result<()> {
        if self.writable {
            self.file
                .sync_all()
                .map_err(|e| Error::io(format!("syncing {}", quote_path(&self.path)), e))?;
        }
        Ok(())
    }

    /// Syncs a written stream and closes the file.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the sync fails.
    pub fn close(mut self) -> Result<()> {
        self.sync()
    }

    /// Frames in the stream (as [`FileStream::count`], OpenMV's name).
    pub fn frames(&self) -> u64 {
        self.count()
    }

    /// Bytes in the file (as [`FileStream::byte_len`], which
    /// [`ImageIo`](crate::imageio::ImageIo) shares with memory streams).
    pub fn bytes(&self) -> u64 {
        self.byte_len()
    }

    /// The file. Do not move its position or write to it.
    pub fn get_ref(&self) -> &File {
        &self.file
    }

    /// Finishes the stream (syncs it) and returns its file.
    ///
    /// # Errors
    /// The sync's error, with the stream.
    pub fn into_inner(mut self) -> Result<File, IntoInnerError<FileStream>> {
        match FrameSink::finish(&mut self) {
            Ok(()) => Ok(self.file),
            Err(e) => Err(IntoInnerError::new(e, self)),
        }
    }
}

/// Records frames with the milliseconds between their timestamps, so a
/// recording copied at any speed keeps its timing. The first frame's
/// interval is its own timestamp: the time since its source started (a
/// camera stamps its first frame at about zero; a replayed `.bin` stamps it
/// with its recorded interval, so a copy keeps every interval). Frames
/// whose format has no OpenMV code are
/// stored as the stream's [`Fallback`](crate::imageio::Fallback) says. `finish` syncs the file; later
/// writes fail with [`ErrorKind::Finished`].
///
/// ```
/// use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
/// use camreel::imageio::FileStream;
/// use camreel::sink::FrameSink;
/// use camreel::PixelFormat;
///
/// let dir = tempfile::tempdir()?;
/// // A camera paced at 25 fps on a manual clock: no real waiting.
/// let mut camera = SyntheticCamera::builder()
///     .size(32, 24)
///     .format(PixelFormat::Rgb565)
///     .fps(25.0)
///     .clock(camreel::clock::ManualClock::shared())
///     .frame_limit(3)
///     .build()?;
/// let mut stream = FileStream::create(dir.path().join("clip.bin"))?;
/// while let Some(frame) = camera.next_frame()? {
///     stream.write_frame(&frame)?;
/// }
/// stream.finish()?;
/// let elapsed: Vec<u32> = stream.headers().map(|h| h.elapsed_ms).collect();
/// assert_eq!(elapsed, [0, 40, 40]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl FrameSink for FileStream {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        let elapsed = ms_u32(self.ticks.peek(frame.timestamp));
        self.write_chunk(frame.image, elapsed)?;
        self.ticks.step(frame.timestamp);
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        FileStream::sync(self)
    }

    fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        FileStream::sync(self)?;
        self.finished = true;
        Ok(())
    }
}
