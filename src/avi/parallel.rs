//! [`ParallelMjpegWriter`]: frames encoded on a small thread pool, written in
//! order by one [`MjpegWriter`].

use std::collections::BTreeMap;
use std::io::{Seek, Write};
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::encode::FrameEncoder;
use super::{FrameOptions, MjpegWriter};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::image::{Image, ImageRef};
use crate::sink::{FrameSink, IntoInnerError};

/// One frame to encode.
struct Job {
    seq: u64,
    image: Image,
    /// A buffer for the JPEG bytes, reused from an earlier frame.
    jpeg: Vec<u8>,
    options: FrameOptions,
}

/// One encoded frame (or why it failed), with the buffers to reuse.
struct Done {
    seq: u64,
    image: Image,
    jpeg: Vec<u8>,
    result: Result<()>,
    timestamp: Option<Duration>,
}

/// An [`MjpegWriter`] whose frames are converted, scaled and JPEG-encoded on
/// `threads` worker threads and written in the order they were added, so
/// that recording throughput scales with the cores.
///
/// [`add_frame`](ParallelMjpegWriter::add_frame) copies the frame (use
/// [`add_image`](ParallelMjpegWriter::add_image) to hand over an owned one),
/// stamps it with the writer's clock (or the explicit timestamp), queues it
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
    jobs: Option<SyncSender<Job>>,
    results: Receiver<Done>,
    workers: Vec<JoinHandle<()>>,
    /// Sequence number of the next frame added.
    submitted: u64,
    /// Sequence number of the next frame to write.
    written: u64,
    ready: BTreeMap<u64, Done>,
    free_images: Vec<Image>,
    free_buffers: Vec<Vec<u8>>,
    max_in_flight: u64,
    failed: Option<String>,
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
        let max_in_flight = 2 * threads as u64;
        let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<Job>(max_in_flight as usize);
        let (done_tx, done_rx) = std::sync::mpsc::channel::<Done>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        let mut workers = Vec::with_capacity(threads);
        for i in 0..threads {
            let mut encoder =
                FrameEncoder::new(writer.width(), writer.height(), writer.encode_settings())?;
            let jobs = Arc::clone(&job_rx);
            let done = done_tx.clone();
            let handle = std::thread::Builder::new()
                .name(format!("camreel-mjpeg-{i}"))
                .spawn(move || worker(&mut encoder, &jobs, &done))
                .map_err(|e| Error::io("starting an encoder thread", e))?;
            workers.push(handle);
        }
        Ok(ParallelMjpegWriter {
            writer: Some(writer),
            jobs: Some(job_tx),
            results: done_rx,
            workers,
            submitted: 0,
            written: 0,
            ready: BTreeMap::new(),
            free_images: Vec::new(),
            free_buffers: Vec::new(),
            max_in_flight,
            failed: None,
        })
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
    /// [`MjpegWriter::add_frame`] for the frames written now.
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
        self.check()?;
        let writer = self
            .writer
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::Io, "the recording is already finished"))?;
        // Stamp the frame now, when it was captured, not when it is encoded.
        let mut options = *options;
        options.timestamp = writer.stamp(options.timestamp);
        while self.submitted - self.written >= self.max_in_flight {
            self.write_next(true)?;
        }
        let job = Job {
            seq: self.submitted,
            image,
            jpeg: self.free_buffers.pop().unwrap_or_default(),
            options,
        };
        let sent = self.jobs.as_ref().map(|tx| tx.send(job));
        if !matches!(sent, Some(Ok(()))) {
            let e = Error::new(ErrorKind::Io, "the encoder threads stopped");
            return Err(self.fail(e));
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
        while !self.ready.contains_key(&self.written) {
            let done = if wait {
                self.results.recv().map_err(|_| ())
            } else {
                match self.results.try_recv() {
                    Ok(d) => Ok(d),
                    Err(TryRecvError::Empty) => return Ok(false),
                    Err(TryRecvError::Disconnected) => Err(()),
                }
            };
            match done {
                Ok(d) => {
                    self.ready.insert(d.seq, d);
                }
                Err(()) => {
                    let e = Error::new(ErrorKind::Io, "the encoder threads stopped");
                    return Err(self.fail(e));
                }
            }
        }
        let Some(done) = self.ready.remove(&self.written) else {
            return Ok(false);
        };
        let seq = done.seq;
        let result = done.result.and_then(|()| match self.writer.as_mut() {
            Some(w) => w.add_jpeg(&done.jpeg, done.timestamp),
            None => Err(Error::new(
                ErrorKind::Io,
                "the recording is already finished",
            )),
        });
        self.free_images.push(done.image);
        self.free_buffers.push(done.jpeg);
        self.free_buffers.truncate(self.max_in_flight as usize);
        self.free_images.truncate(self.max_in_flight as usize);
        if let Err(e) = result {
            return Err(self.fail(e.context(format!("frame {seq}"))));
        }
        self.written += 1;
        Ok(true)
    }

    /// Waits for every queued frame and writes it, stops the threads.
    fn drain(&mut self) -> Result<()> {
        self.check()?;
        while self.written < self.submitted {
            self.write_next(true)?;
        }
        Ok(())
    }

    fn stop_workers(&mut self) {
        self.jobs = None;
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
            Some(w) => w.finish(),
            None => Err(Error::new(
                ErrorKind::Io,
                "the recording is already finished",
            )),
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
            None => Err(Error::new(
                ErrorKind::Io,
                "the recording is already finished",
            )),
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
        let drained = self.drain();
        self.stop_workers();
        drained?;
        match self.writer.as_mut() {
            Some(w) => FrameSink::finish(w),
            None => Ok(()),
        }
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
            None => Err(IntoInnerError::new(
                Error::new(ErrorKind::Io, "the recording is already finished"),
                self,
            )),
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

fn worker(
    encoder: &mut FrameEncoder,
    jobs: &Mutex<Receiver<Job>>,
    done: &std::sync::mpsc::Sender<Done>,
) {
    loop {
        let job = {
            let Ok(rx) = jobs.lock() else { return };
            match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        let mut jpeg = job.jpeg;
        jpeg.clear();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            encoder.encode(job.image.view(), &job.options, &mut jpeg)
        }))
        .unwrap_or_else(|_| {
            Err(Error::new(
                ErrorKind::Format,
                "the encoder panicked on this frame",
            ))
        });
        let reply = Done {
            seq: job.seq,
            image: job.image,
            jpeg,
            result,
            timestamp: job.options.timestamp,
        };
        if done.send(reply).is_err() {
            return;
        }
    }
}
