//! [`ParallelMjpegWriter`]: frames encoded on a small thread pool, written in
//! order by one [`MjpegWriter`].

use std::io::{Seek, Write};
use std::thread::JoinHandle;
use std::time::Duration;

use super::encode::FrameEncoder;
use super::{FrameOptions, MjpegWriter};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::image::{Image, ImageRef};
use crate::pool::{Failed, Pool, TryRecv};
use crate::sink::{self, FrameSink, IntoInnerError};

/// One frame to encode.
struct Job {
    image: Image,
    /// A buffer for the JPEG bytes, reused from an earlier frame.
    jpeg: Vec<u8>,
    options: FrameOptions,
}

/// One encoded frame (or why it failed), with the buffers to reuse.
struct Done {
    image: Image,
    jpeg: Vec<u8>,
    result: Result<()>,
    timestamp: Option<Duration>,
}

/// The work of an encoder thread: one frame, into its reused buffer.
fn encode(encoder: &mut FrameEncoder, job: Job) -> Done {
    let mut jpeg = job.jpeg;
    jpeg.clear();
    let result = encoder.encode(job.image.view(), &job.options, &mut jpeg);
    Done {
        image: job.image,
        jpeg,
        result,
        timestamp: job.options.get_timestamp(),
    }
}

/// An [`MjpegWriter`] whose frames are converted, scaled and JPEG-encoded on
/// `threads` worker threads and written in the order they were added, so
/// that recording throughput scales with the cores.
///
/// [`add_frame`](ParallelMjpegWriter::add_frame) copies the frame (use
/// [`add_image`](ParallelMjpegWriter::add_image) to hand over an owned one),
/// stamps it (its explicit timestamp, else the next slot), queues it
/// and writes whatever frames are ready; it blocks only when `2 x threads`
/// frames are in flight. Errors of a frame are reported by a later call
/// (naming the frame) and stop the recording. [`finish`](ParallelMjpegWriter::finish)
/// waits for every frame and finishes the file; dropping the writer does the
/// same, ignoring errors.
///
/// ```
/// use std::io::Cursor;
/// use camreel::avi::{AviReader, FrameOptions, MjpegWriterBuilder, ParallelMjpegWriter};
/// use camreel::timing::FrameRate;
/// use camreel::{Image, PixelFormat};
///
/// let writer = MjpegWriterBuilder::new(64, 48)
///     .frame_rate(FrameRate::new(25, 1)?)
///     .build(Cursor::new(Vec::new()))?;
/// let mut recorder = ParallelMjpegWriter::new(writer, 2)?;
/// let frame = Image::zeroed(PixelFormat::Rgb888, 64, 48)?;
/// for _ in 0..10 {
///     recorder.add_frame(frame.view(), &FrameOptions::new())?;
/// }
/// let file = recorder.finish()?.into_inner();
/// assert_eq!(AviReader::new(Cursor::new(file))?.frame_count(), 10);
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct ParallelMjpegWriter<W: Write + Seek> {
    writer: Option<MjpegWriter<W>>,
    /// The ordered pool the frames are encoded on (see [`crate::pool`]).
    pool: Pool<Job, Done>,
    workers: Vec<JoinHandle<()>>,
    /// Frames added.
    submitted: u64,
    /// Frames written to the file.
    written: u64,
    free_images: Vec<Image>,
    free_buffers: Vec<Vec<u8>>,
    max_in_flight: u64,
    failed: Option<String>,
    /// [`FrameSink::finish`] completed: later frames are refused.
    finished: bool,
}

impl<W: Write + Seek> std::fmt::Debug for ParallelMjpegWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParallelMjpegWriter")
            .field("threads", &self.workers.len())
            .field("submitted", &self.submitted)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

/// The error for frames added after the recording was finished.
fn already_finished() -> Error {
    Error::new(ErrorKind::Io, "the recording is already finished")
}

fn threads_stopped() -> Error {
    Error::new(ErrorKind::Io, "the encoder threads stopped")
}

impl<W: Write + Seek> ParallelMjpegWriter<W> {
    /// Encodes for `writer` on `threads` threads (0: one per available core).
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if a thread cannot be started;
    /// [`ErrorKind::BackendUnavailable`] if the JPEG encoder cannot be set up.
    pub fn new(writer: MjpegWriter<W>, threads: usize) -> Result<ParallelMjpegWriter<W>> {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(2, usize::from)
        } else {
            threads
        }
        .min(64);
        let max_in_flight = 2 * threads;
        // Every encoder is set up here, so a backend that is missing is
        // reported now rather than by the first frame.
        let encoders = (0..threads)
            .map(|_| FrameEncoder::new(writer.width(), writer.height(), writer.encode_settings()))
            .collect::<Result<Vec<_>>>()?;
        let mut recorder = ParallelMjpegWriter {
            writer: Some(writer),
            pool: Pool::new(max_in_flight, max_in_flight),
            workers: Vec::with_capacity(threads),
            submitted: 0,
            written: 0,
            free_images: Vec::new(),
            free_buffers: Vec::new(),
            max_in_flight: max_in_flight as u64,
            failed: None,
            finished: false,
        };
        for (i, encoder) in encoders.into_iter().enumerate() {
            let worker = recorder.pool.worker(move || Ok(encoder), encode);
            // On an error the recorder is dropped, which stops the threads
            // already started.
            let handle = std::thread::Builder::new()
                .name(format!("camreel-mjpeg-{i}"))
                .spawn(move || worker.run())
                .map_err(|e| Error::io("starting an encoder thread", e))?;
            recorder.workers.push(handle);
        }
        Ok(recorder)
    }

    /// Number of encoder threads.
    pub fn threads(&self) -> usize {
        self.workers.len()
    }

    /// Frames added so far.
    pub fn frames_added(&self) -> u64 {
        self.submitted
    }

    /// Frames written to the file so far.
    pub fn frames_written(&self) -> u64 {
        self.written
    }

    /// The writer (to read its settings; frames in flight are not in it yet).
    pub fn writer(&self) -> Option<&MjpegWriter<W>> {
        self.writer.as_ref()
    }

    fn check(&self) -> Result<()> {
        match &self.failed {
            Some(msg) => Err(Error::new(
                ErrorKind::Io,
                format!("the recording stopped earlier: {msg}"),
            )),
            None => Ok(()),
        }
    }

    fn fail(&mut self, e: Error) -> Error {
        self.failed = Some(e.to_string());
        e
    }

    /// Copies `image` and queues it (see [`MjpegWriter::add_frame`] for what
    /// happens to it).
    ///
    /// # Errors
    /// An error of an earlier frame (which stops the recording); as
    /// [`MjpegWriter::add_frame`] for the frames written now;
    /// [`ErrorKind::Finished`] after [`FrameSink::finish`].
    pub fn add_frame(&mut self, image: ImageRef<'_>, options: &FrameOptions) -> Result<()> {
        let mut owned = self.free_images.pop().unwrap_or_else(Image::empty);
        image.copy_into(&mut owned);
        self.add_image(owned, options)
    }

    /// Queues an owned `image` without copying it.
    ///
    /// # Errors
    /// As [`ParallelMjpegWriter::add_frame`].
    pub fn add_image(&mut self, image: Image, options: &FrameOptions) -> Result<()> {
        if self.finished {
            return Err(sink::finished("the AVI writer"));
        }
        self.check()?;
        let writer = self.writer.as_mut().ok_or_else(already_finished)?;
        // Stamp the frame now, when it was captured, not when it is encoded.
        let options = options.with_timestamp(writer.stamp(options.get_timestamp()));
        while self.submitted - self.written >= self.max_in_flight {
            self.write_next(true)?;
        }
        let job = Job {
            image,
            jpeg: self.free_buffers.pop().unwrap_or_default(),
            options,
        };
        // Never waits: fewer than `max_in_flight` frames are in the pool.
        if self.pool.submit(job).is_err() {
            return Err(self.fail(threads_stopped()));
        }
        self.submitted += 1;
        // Write whatever is ready, without waiting.
        while self.write_next(false)? {}
        Ok(())
    }

    /// Writes the next frame in order if it is encoded (waiting for it when
    /// `wait`). Returns whether one was written.
    fn write_next(&mut self, wait: bool) -> Result<bool> {
        if self.written >= self.submitted {
            return Ok(false);
        }
        let outcome = if wait {
            self.pool.recv()
        } else {
            match self.pool.try_recv() {
                TryRecv::Ready(r) => Some(r),
                TryRecv::Pending => return Ok(false),
                TryRecv::Done => None,
            }
        };
        let n = self.written;
        let done = match outcome {
            Some(Ok(done)) => done,
            Some(Err(Failed::Panicked)) => {
                let e = Error::new(ErrorKind::Format, "the encoder panicked on this frame");
                return Err(self.fail(e.context(format!("frame {n}"))));
            }
            Some(Err(Failed::Init(e))) => return Err(self.fail(e)),
            None => return Err(self.fail(threads_stopped())),
        };
        // Encoder errors get the frame's number, as `MjpegWriter::add_frame`
        // gives them; `add_jpeg` names the frame in its own errors.
        let result = match done.result {
            Err(e) => Err(e.context(format!("frame {n}"))),
            Ok(()) => match self.writer.as_mut() {
                Some(w) => w.add_jpeg(&done.jpeg, done.timestamp),
                None => Err(already_finished()),
            },
        };
        self.free_images.push(done.image);
        self.free_buffers.push(done.jpeg);
        self.free_buffers.truncate(self.max_in_flight as usize);
        self.free_images.truncate(self.max_in_flight as usize);
        if let Err(e) = result {
            return Err(self.fail(e));
        }
        self.written += 1;
        Ok(true)
    }

    /// Waits for every queued frame and writes it.
    fn drain(&mut self) -> Result<()> {
        self.check()?;
        while self.written < self.submitted {
            self.write_next(true)?;
        }
        Ok(())
    }

    /// Stops the threads (dropping frames still queued) and waits for them.
    fn stop_workers(&mut self) {
        self.pool.stop();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }

    /// Waits for every queued frame, writes it, and finishes the file (see
    /// [`MjpegWriter::finish`]).
    ///
    /// # Errors
    /// The first error of any frame; as [`MjpegWriter::finish`].
    pub fn finish(mut self) -> Result<W> {
        let drained = self.drain();
        self.stop_workers();
        drained?;
        match self.writer.take() {
            Some(w) => w.into_inner().map_err(Error::from),
            None => Err(already_finished()),
        }
    }

    /// Waits for every queued frame, writes it, then [`MjpegWriter::sync`].
    ///
    /// # Errors
    /// As [`ParallelMjpegWriter::finish`].
    pub fn sync(&mut self) -> Result<()> {
        self.drain()?;
        match self.writer.as_mut() {
            Some(w) => w.sync(),
            None => Err(already_finished()),
        }
    }
}

/// Queues each frame at its timestamp (see [`MjpegWriter`]'s `FrameSink`);
/// `sync` and `finish` first wait for the frames in flight.
impl<W: Write + Seek> FrameSink for ParallelMjpegWriter<W> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.add_frame(frame.image, &FrameOptions::new().timestamp(frame.timestamp))
    }

    fn sync(&mut self) -> Result<()> {
        ParallelMjpegWriter::sync(self)
    }

    fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        let drained = self.drain();
        self.stop_workers();
        drained?;
        if let Some(w) = self.writer.as_mut() {
            FrameSink::finish(w)?;
        }
        self.finished = true;
        Ok(())
    }
}

impl<W: Write + Seek> ParallelMjpegWriter<W> {
    /// Frames added so far (as [`ParallelMjpegWriter::frames_added`]).
    pub fn frames(&self) -> u64 {
        self.submitted
    }

    /// Bytes in the file so far (frames in flight are not counted yet).
    pub fn bytes(&self) -> u64 {
        self.writer.as_ref().map_or(0, MjpegWriter::bytes)
    }

    /// Waits for the frames in flight, finishes the file and returns the
    /// underlying writer.
    ///
    /// # Errors
    /// The first error of any frame or of finishing, with this writer.
    pub fn into_inner(mut self) -> Result<W, IntoInnerError<ParallelMjpegWriter<W>>> {
        if let Err(e) = FrameSink::finish(&mut self) {
            return Err(IntoInnerError::new(e, self));
        }
        match self.writer.take().map(MjpegWriter::into_inner) {
            Some(Ok(w)) => Ok(w),
            Some(Err(e)) => Err(IntoInnerError::new(e.into_error(), self)),
            None => Err(IntoInnerError::new(already_finished(), self)),
        }
    }
}

impl<W: Write + Seek> Drop for ParallelMjpegWriter<W> {
    /// Writes the frames in flight and finishes the file, ignoring errors.
    fn drop(&mut self) {
        if self.failed.is_none() {
            let _ = self.drain();
        }
        self.stop_workers();
        // Dropping the writer finishes the file.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avi::MjpegWriterBuilder;
    use crate::image::PixelFormat;
    use std::io::Cursor;

    fn writer() -> MjpegWriter<Cursor<Vec<u8>>> {
        MjpegWriterBuilder::new(16, 8)
            .build(Cursor::new(Vec::new()))
            .unwrap()
    }

    fn frame_at(image: &Image, ms: u64) -> Frame<'_> {
        Frame::new(image.view(), 0, Duration::from_millis(ms))
    }

    /// Adds frames at `stamps` (ms) until one fails; the error message.
    fn first_error(sink: &mut dyn FrameSink, stamps: &[u64]) -> String {
        let image = Image::zeroed(PixelFormat::Rgb888, 16, 8).unwrap();
        for &ms in stamps {
            if let Err(e) = sink.write_frame(&frame_at(&image, ms)) {
                return e.to_string();
            }
        }
        match sink.finish() {
            Err(e) => e.to_string(),
            Ok(()) => "no error".into(),
        }
    }

    #[test]
    fn errors_name_the_frame_once_as_the_sequential_writer_does() {
        // A timestamp going backwards: `add_jpeg` names the frame itself.
        let want = "frame 1: timestamp 5ms is earlier than the previous frame's 10ms";
        assert_eq!(first_error(&mut writer(), &[10, 5]), want);
        let mut par = ParallelMjpegWriter::new(writer(), 2).unwrap();
        assert_eq!(first_error(&mut par, &[10, 5]), want);
        // Later calls say why the recording stopped.
        let image = Image::zeroed(PixelFormat::Rgb888, 16, 8).unwrap();
        let e = par.write_frame(&frame_at(&image, 20)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("the recording stopped earlier: {want}")
        );
        // An encoder error: the frame's number is added once.
        let image = Image::zeroed(PixelFormat::Rgb888, 16, 8).unwrap();
        let bad = FrameOptions::new().quality(0);
        let mut seq = writer();
        let want = seq.add_frame(image.view(), &bad).unwrap_err().to_string();
        assert!(
            want.starts_with("frame 0: ") && !want.contains("frame 0: frame 0"),
            "{want}"
        );
        let mut par = ParallelMjpegWriter::new(writer(), 2).unwrap();
        par.add_frame(image.view(), &bad).unwrap();
        assert_eq!(par.sync().unwrap_err().to_string(), want);
    }

    #[test]
    fn frames_after_finish_are_refused() {
        let image = Image::zeroed(PixelFormat::Rgb888, 16, 8).unwrap();
        let mut par = ParallelMjpegWriter::new(writer(), 2).unwrap();
        for ms in [0, 40, 80] {
            par.write_frame(&frame_at(&image, ms)).unwrap();
        }
        FrameSink::finish(&mut par).unwrap();
        FrameSink::finish(&mut par).unwrap();
        assert_eq!(par.frames_written(), 3);
        let e = par.write_frame(&frame_at(&image, 120)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Finished);
        let file = par.into_inner().unwrap().into_inner();
        let reader = crate::avi::AviReader::new(Cursor::new(file)).unwrap();
        assert_eq!(reader.frame_count(), 3);
    }

    #[test]
    fn keeps_order_with_many_threads_and_few_frames_in_flight() {
        let mut par = ParallelMjpegWriter::new(writer(), 3).unwrap();
        assert_eq!(par.threads(), 3);
        // Frames of different brightness, to check the order in the file.
        let levels: Vec<u8> = (0..20).map(|i| (i * 12) as u8).collect();
        for &v in &levels {
            let image = Image::new(PixelFormat::Grayscale, 16, 8, vec![v; 128]).unwrap();
            par.add_image(image, &FrameOptions::new()).unwrap();
            assert!(par.frames_added() - par.frames_written() <= 6);
        }
        let file = par.finish().unwrap().into_inner();
        let mut reader = crate::avi::AviReader::new(Cursor::new(file)).unwrap();
        for (i, &v) in levels.iter().enumerate() {
            let jpeg = reader.read_frame(i as u64).unwrap();
            let decoded = crate::codec::jpeg::decode(&jpeg).unwrap();
            let got = decoded.data()[0];
            assert!(got.abs_diff(v) <= 3, "frame {i}: {got} for {v}");
        }
    }
}
