//! LZW compression of a frame's palette indices, on a helper thread for
//! large frames: the [`GifWriter`](super::GifWriter) maps frame N+1 to
//! indices while the helper compresses frame N.
//!
//! The bytes are those the `gif` crate's `Encoder::write_frame` writes (its
//! `lzw_encode`: the minimum code size from the largest index, then
//! `weezl`'s LSB-first GIF code stream), handed to
//! `Encoder::write_lzw_pre_encoded_frame`, which writes the same header and
//! sub-blocks. Whether the helper is used never changes the output.

use std::io;
use std::sync::{Mutex, PoisonError, mpsc};
use std::thread::JoinHandle;

use weezl::{BitOrder, encode::Encoder};

/// Frames with fewer indices are compressed on the calling thread: the
/// hand-over would cost more than it saves.
const HELPER_MIN_PIXELS: usize = 64 * 1024;

/// The `gif` crate's minimum code size for `indices`: enough bits for the
/// largest index, at least 2 (its `lzw_encode`, including the early stop
/// once an index needs 8 bits).
fn min_code_size(indices: &[u8]) -> u8 {
    let mut max = 0u8;
    for &i in indices {
        if i > max {
            max = i;
            if i > 127 {
                break;
            }
        }
    }
    (u32::from(max) + 1)
        .max(4)
        .next_power_of_two()
        .trailing_zeros() as u8
}

/// `weezl` encoders by minimum code size (2 to 8), reset after each frame
/// so their tables are allocated once.
#[derive(Default)]
struct Encoders([Option<Encoder>; 7]);

impl Encoders {
    /// Replaces `out` with the minimum code size followed by the LZW code
    /// stream of `indices` (what `gif`'s `write_lzw_pre_encoded_frame`
    /// expects in `Frame::buffer`).
    fn compress(&mut self, indices: &[u8], out: &mut Vec<u8>) {
        let size = min_code_size(indices);
        out.clear();
        out.push(size);
        let slot = &mut self.0[usize::from(size - 2)];
        let encoder = slot.get_or_insert_with(|| Encoder::new(BitOrder::Lsb, size));
        let result = encoder.into_vec(out).encode_all(indices);
        // Every index is below 1 << size, so weezl takes them all.
        debug_assert!(result.status.is_ok() && result.consumed_in == indices.len());
        out.truncate(result.consumed_out + 1);
        encoder.reset();
    }
}

/// A frame's indices going to the helper, and back with `out` compressed.
struct Job {
    indices: Vec<u8>,
    out: Vec<u8>,
    /// Tests: make the helper panic on this job.
    #[cfg(test)]
    panic: bool,
}

/// The helper thread and its two channels (of one place each: one frame at
/// most is in flight, so no send waits, and a message allocates nothing).
struct Helper {
    /// `None` once dropped: the helper's loop then ends.
    jobs: Option<mpsc::SyncSender<Job>>,
    /// In a mutex only to keep the writer `Sync` (a receiver is not); only
    /// ever reached through `get_mut`, never locked.
    done: Mutex<mpsc::Receiver<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Helper {
    fn spawn() -> io::Result<Helper> {
        let (jobs, job_rx) = mpsc::sync_channel::<Job>(1);
        let (done_tx, done) = mpsc::sync_channel::<Job>(1);
        let thread = std::thread::Builder::new()
            .name("camreel-gif-lzw".into())
            .spawn(move || {
                let mut encoders = Encoders::default();
                // Ends when the writer drops its sender.
                for mut job in job_rx {
                    #[cfg(test)]
                    if job.panic {
                        panic!("asked to panic");
                    }
                    encoders.compress(&job.indices, &mut job.out);
                    if done_tx.send(job).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Helper {
            jobs: Some(jobs),
            done: Mutex::new(done),
            thread: Some(thread),
        })
    }

    /// Ends the thread and waits for it (it finishes the frame it holds, if
    /// any); returns its panic message if it panicked.
    fn stop(&mut self) -> Option<String> {
        self.jobs = None;
        let payload = self.thread.take()?.join().err()?;
        Some(
            payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned()),
        )
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        self.stop();
    }
}

/// When the helper thread is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Threading {
    /// For frames of at least [`HELPER_MIN_PIXELS`] indices, when the
    /// machine has more than one core.
    Auto,
    /// Never (also after the helper failed to start or panicked).
    Never,
    /// Tests: for every frame.
    #[cfg(test)]
    Always,
}

/// A frame's compressed data: ready, or to be collected with
/// [`Compressor::wait`] (at most one frame is).
#[derive(Debug)]
pub(super) enum Data {
    Ready(Vec<u8>),
    InFlight,
}

/// The frame left to the helper thread.
enum Slot {
    Empty,
    /// Its indices, until [`Compressor::release`] sends them.
    Staged(Vec<u8>),
    /// On the helper thread.
    Sent,
}

/// Compresses frames, on the calling thread or on a helper started on the
/// first large frame; recycles the index and output buffers, so a writer in
/// its steady state allocates none.
///
/// A large frame is staged by [`Compressor::start`] and sent to the helper
/// by [`Compressor::release`], which the writer calls when its next frame's
/// single-threaded mapping pass begins: the helper then has the second core
/// to itself, rather than competing with the frame encoder's own two-thread
/// steps. [`Compressor::wait`] collects it (compressing it on the calling
/// thread if it was never sent).
pub(super) struct Compressor {
    threading: Threading,
    helper: Option<Helper>,
    slot: Slot,
    /// Encoders for the frames compressed on this thread (in a mutex only
    /// to keep the writer `Sync`: reached through `get_mut`, never locked).
    encoders: Mutex<Encoders>,
    /// Buffers for indices and for compressed data, kept to be reused.
    spare_indices: Vec<Vec<u8>>,
    spare_out: Vec<Vec<u8>>,
    /// Tests: the helper panics on the next job it is sent.
    #[cfg(test)]
    pub(super) panic_next: bool,
}

/// Buffers of each kind kept for reuse: one with the helper, one here.
const SPARES: usize = 2;

fn keep(spares: &mut Vec<Vec<u8>>, mut buffer: Vec<u8>) {
    if spares.len() < SPARES && buffer.capacity() > 0 {
        buffer.clear();
        spares.push(buffer);
    }
}

impl Compressor {
    pub(super) fn new() -> Compressor {
        Compressor {
            threading: Threading::Auto,
            helper: None,
            slot: Slot::Empty,
            encoders: Mutex::default(),
            spare_indices: Vec::new(),
            spare_out: Vec::new(),
            #[cfg(test)]
            panic_next: false,
        }
    }

    /// Chooses when the helper is used (from the next frame on).
    #[cfg(test)]
    pub(super) fn set_threading(&mut self, threading: Threading) {
        self.threading = threading;
    }

    /// Whether the helper thread is running.
    #[cfg(test)]
    pub(super) fn has_helper(&self) -> bool {
        self.helper.is_some()
    }

    /// An empty buffer for a frame's indices, to give to
    /// [`Compressor::start`].
    pub(super) fn indices_buffer(&mut self) -> Vec<u8> {
        self.spare_indices.pop().unwrap_or_default()
    }

    /// Takes back a buffer from [`Compressor::indices_buffer`] that was not
    /// compressed.
    pub(super) fn recycle_indices(&mut self, indices: Vec<u8>) {
        keep(&mut self.spare_indices, indices);
    }

    /// Takes back compressed data once written.
    pub(super) fn recycle(&mut self, data: Vec<u8>) {
        keep(&mut self.spare_out, data);
    }

    fn use_helper(&self, pixels: usize) -> bool {
        match self.threading {
            Threading::Auto => pixels >= HELPER_MIN_PIXELS && *super::encode::PARALLEL,
            Threading::Never => false,
            #[cfg(test)]
            Threading::Always => true,
        }
    }

    /// Compresses `indices` here.
    fn compress(&mut self, indices: Vec<u8>) -> Vec<u8> {
        let mut out = self.spare_out.pop().unwrap_or_default();
        self.encoders
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .compress(&indices, &mut out);
        self.recycle_indices(indices);
        out
    }

    /// Starts on a frame's `indices`: a large frame is staged for the
    /// helper ([`Data::InFlight`], collected with [`Compressor::wait`]
    /// before the next frame starts), others are compressed here.
    pub(super) fn start(&mut self, indices: Vec<u8>) -> Data {
        // A frame in flight is dropped unwritten (not done by the writer,
        // which waits first): at most one is in flight.
        self.discard();
        if self.use_helper(indices.len()) {
            if self.helper.is_none() {
                match Helper::spawn() {
                    Ok(helper) => self.helper = Some(helper),
                    Err(_) => self.threading = Threading::Never,
                }
            }
            if self.helper.is_some() {
                self.slot = Slot::Staged(indices);
                return Data::InFlight;
            }
        }
        Data::Ready(self.compress(indices))
    }

    /// Sends the staged frame, if any, to the helper.
    pub(super) fn release(&mut self) {
        let Slot::Staged(indices) = std::mem::replace(&mut self.slot, Slot::Empty) else {
            return;
        };
        let job = Job {
            indices,
            out: self.spare_out.pop().unwrap_or_default(),
            #[cfg(test)]
            panic: std::mem::take(&mut self.panic_next),
        };
        let sent = match self.helper.as_ref().and_then(|h| h.jobs.as_ref()) {
            Some(jobs) => jobs.send(job).map_err(|mpsc::SendError(job)| job),
            None => Err(job),
        };
        match sent {
            Ok(()) => self.slot = Slot::Sent,
            // The helper is gone (it cannot be while idle): the frame stays
            // for `wait` to compress here.
            Err(job) => {
                keep(&mut self.spare_out, job.out);
                self.helper = None;
                self.threading = Threading::Never;
                self.slot = Slot::Staged(job.indices);
            }
        }
    }

    /// The compressed data of the frame in flight: compressed here if it
    /// was not sent to the helper, else waited for.
    ///
    /// # Errors
    /// If the helper panicked (it is then stopped, and later frames are
    /// compressed on the calling thread).
    pub(super) fn wait(&mut self) -> io::Result<Vec<u8>> {
        match std::mem::replace(&mut self.slot, Slot::Empty) {
            Slot::Empty => Err(io::Error::other("no gif frame is being compressed")),
            Slot::Staged(indices) => Ok(self.compress(indices)),
            Slot::Sent => {
                let answer = match &mut self.helper {
                    Some(helper) => helper
                        .done
                        .get_mut()
                        .unwrap_or_else(PoisonError::into_inner)
                        .recv()
                        .ok(),
                    None => None,
                };
                if let Some(job) = answer {
                    self.recycle_indices(job.indices);
                    return Ok(job.out);
                }
                // The helper dropped its sender without an answer: it panicked.
                let message = self
                    .helper
                    .take()
                    .and_then(|mut h| h.stop())
                    .unwrap_or_else(|| "it ended".to_owned());
                self.threading = Threading::Never;
                Err(io::Error::other(format!(
                    "the gif compression thread panicked: {message}"
                )))
            }
        }
    }

    /// Collects and drops the frame in flight, if any.
    fn discard(&mut self) {
        if !matches!(self.slot, Slot::Empty)
            && let Ok(data) = self.wait()
        {
            self.recycle(data);
        }
    }

    /// Ends the helper thread, if any (the writer is finished).
    pub(super) fn stop(&mut self) {
        self.discard();
        self.helper = None;
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::io::{Cursor, Write};
    use std::rc::Rc;
    use std::time::Duration;

    use super::*;
    use crate::error::ErrorKind;
    use crate::frame::Frame;
    use crate::gif::{Dither, GifOptions, GifWriter, PaletteMode, read_info};
    use crate::image::{Image, PixelFormat};
    use crate::sink::FrameSink;

    /// xorshift64.
    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed | 1;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        }
    }

    /// What `gif`'s `Encoder::write_frame` compresses `indices` to.
    fn reference(indices: &[u8]) -> Vec<u8> {
        let mut frame = ::gif::Frame {
            buffer: std::borrow::Cow::Owned(indices.to_vec()),
            ..::gif::Frame::default()
        };
        frame.make_lzw_pre_encoded();
        frame.buffer.into_owned()
    }

    #[test]
    fn compression_is_the_gif_crates() {
        let mut next = rng(7);
        let mut encoders = Encoders::default();
        let mut out = Vec::new();
        // Every code size, runs and noise, in an order that reuses (and
        // resets) encoders of each size.
        for round in 0..3 {
            for max in [
                0u8, 1, 2, 3, 4, 5, 7, 8, 15, 16, 31, 63, 64, 127, 128, 200, 255,
            ] {
                for len in [0usize, 1, 2, 300, 5000, 70_000] {
                    let m = u64::from(max) + 1;
                    let data: Vec<u8> = (0..len)
                        .map(|i| {
                            let r = next();
                            // Runs (long strings for the dictionary) and noise.
                            if (i / 97 + round) % 3 == 0 {
                                ((i / 13) as u64 % m) as u8
                            } else {
                                (r % m) as u8
                            }
                        })
                        .collect();
                    encoders.compress(&data, &mut out);
                    assert_eq!(out, reference(&data), "max {max}, {len} indices");
                }
            }
        }
        // An index above 127 early on: the code size is 8 whatever follows.
        let data = [200, 1, 2, 3];
        encoders.compress(&data, &mut out);
        assert_eq!((out[0], &out), (8, &reference(&data)));
    }

    /// A moving scene with noise, still stretches (frames with nothing to
    /// redraw) and a few-colour frame.
    fn scene(w: u32, h: u32, frames: usize, seed: u64) -> Vec<Image> {
        let mut next = rng(seed);
        let mut out: Vec<Image> = Vec::new();
        for f in 0..frames {
            if f % 7 == 3 {
                let still = out.last().expect("an earlier frame").clone();
                out.push(still);
                continue;
            }
            let few = f % 11 == 5;
            let mut data = Vec::with_capacity((w * h * 3) as usize);
            for y in 0..h as i32 {
                for x in 0..w as i32 {
                    let fx = x + 3 * f as i32;
                    let mut px = if few {
                        [(fx / 8 % 4 * 60) as u8, (y / 8 % 3 * 100) as u8, 50]
                    } else {
                        let n = (next() % 7) as i32 - 3;
                        [
                            (fx * 5 + y + n).rem_euclid(256) as u8,
                            (y * 3 + n + 40).rem_euclid(256) as u8,
                            ((fx ^ y) * 2 + n).rem_euclid(256) as u8,
                        ]
                    };
                    let (cx, cy) = (5 + 4 * f as i32 % w as i32, h as i32 / 2);
                    if (x - cx).pow(2) + (y - cy).pow(2) < (h as i32 / 4).pow(2) {
                        px = [230, 200, 30];
                    }
                    data.extend_from_slice(&px);
                }
            }
            out.push(Image::new(PixelFormat::Rgb888, w, h, data).expect("frame size"));
        }
        out
    }

    /// Writes `frames` with the helper used as `threading` says, through
    /// both ways of adding frames, with syncs, to a seekable output.
    fn write(frames: &[Image], options: GifOptions, threading: Threading) -> Vec<u8> {
        let (w, h) = frames[0].size();
        let mut gif = GifWriter::seekable(Cursor::new(Vec::new()), w, h, options).unwrap();
        gif.compressor().set_threading(threading);
        let mut t = Duration::ZERO;
        for (i, image) in frames.iter().enumerate() {
            // 33.3 ms and 45 ms apart: delays with rounding carried.
            t += Duration::from_micros(if i % 5 == 0 { 45_000 } else { 33_333 });
            if (i / 10) % 2 == 0 {
                gif.write_frame(&Frame::new(image.view(), i as u64, t))
                    .unwrap();
            } else {
                gif.add_frame(image, Duration::from_micros(33_333 + 1000 * i as u64))
                    .unwrap();
            }
            assert_eq!(gif.frames(), i as u64 + 1);
            if i % 9 == 4 {
                gif.sync().unwrap();
                // Every frame is in, followed by a provisional trailer.
                assert_eq!(gif.bytes(), gif.get_ref().position());
                assert_eq!(gif.get_ref().get_ref().len() as u64, gif.bytes() + 1);
            }
        }
        gif.into_inner().unwrap().into_inner()
    }

    /// Writes `frames` without the helper and with it (`on`: always, or
    /// the default choice for large frames) and compares the bytes.
    fn same_with_and_without_helper(frames: &[Image], options: GifOptions, on: Threading) {
        let off = write(frames, options, Threading::Never);
        let on = write(frames, options, on);
        assert!(off == on, "{options:?}: the helper changed the output");
        let info = read_info(&off[..]).unwrap();
        assert_eq!(info.frame_count(), frames.len() as u64);
    }

    #[test]
    fn the_helper_thread_does_not_change_the_output() {
        let modes = [
            GifOptions::new(),
            GifOptions::new().lossy(0),
            GifOptions::new().dither(Dither::Ordered),
            GifOptions::new().dither(Dither::ErrorDiffusion),
            GifOptions::new().inter_frame(false).looping(false),
            GifOptions::new().grayscale(true),
            GifOptions::new().palette(PaletteMode::Fixed),
            GifOptions::new()
                .palette(PaletteMode::Fixed)
                .dither(Dither::ErrorDiffusion),
            GifOptions::new()
                .palette(PaletteMode::Fixed)
                .grayscale(true)
                .dither(Dither::Ordered),
        ];
        let small = scene(8, 8, 12, 1);
        let odd = scene(61, 37, 10, 2);
        for options in modes {
            same_with_and_without_helper(&small, options, Threading::Always);
            same_with_and_without_helper(&odd, options, Threading::Always);
        }
        // Many frames.
        let many = scene(40, 30, 300, 3);
        let fixed = GifOptions::new().palette(PaletteMode::Fixed);
        same_with_and_without_helper(&many, fixed, Threading::Always);
        same_with_and_without_helper(&many[..60], GifOptions::new(), Threading::Always);
        // Large enough for the helper to be chosen (on more than one core).
        let large = scene(320, 240, 4, 4);
        same_with_and_without_helper(&large, fixed, Threading::Auto);
        same_with_and_without_helper(&large[..2], GifOptions::new(), Threading::Auto);
    }

    #[test]
    fn the_writer_stays_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<GifWriter<Vec<u8>>>();
    }

    #[test]
    fn small_gifs_start_no_thread() {
        let mut gif = GifWriter::new(Vec::new(), 64, 48).unwrap();
        for image in &scene(64, 48, 3, 5) {
            gif.add_frame(image, Duration::from_millis(100)).unwrap();
        }
        assert!(!gif.compressor().has_helper());
        let mut gif = GifWriter::new(Vec::new(), 320, 240).unwrap();
        gif.add_frame(&scene(320, 240, 1, 6)[0], Duration::from_millis(100))
            .unwrap();
        assert_eq!(gif.compressor().has_helper(), *crate::gif::encode::PARALLEL);
        // The frame on the helper is counted, and written by `into_inner`.
        assert_eq!(gif.frames(), 1);
        let bytes = gif.into_inner().unwrap();
        assert_eq!(read_info(&bytes[..]).unwrap().frame_count(), 1);
    }

    #[test]
    fn a_panicking_helper_is_an_io_error_not_a_hang() {
        let frames = scene(24, 16, 8, 8);
        let mut gif = GifWriter::new(Vec::new(), 24, 16).unwrap();
        gif.compressor().set_threading(Threading::Always);
        let cs = Duration::from_millis(100);
        gif.add_frame(&frames[0], cs).unwrap();
        gif.add_frame(&frames[1], cs).unwrap();
        // Frame 1 goes to the helper while frame 2 is mapped, and panics
        // there: the call says so.
        gif.compressor().panic_next = true;
        let e = gif.add_frame(&frames[2], cs).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        let text = e.to_string();
        assert!(text.contains("compressing gif frame 1"), "{text}");
        assert!(text.contains("panicked: asked to panic"), "{text}");
        assert!(!gif.compressor().has_helper());
        // Frames 1 and 2 are lost; later ones are compressed on this thread.
        for image in &frames[3..] {
            gif.add_frame(image, cs).unwrap();
        }
        let bytes = gif.into_inner().unwrap();
        assert_eq!(read_info(&bytes[..]).unwrap().frame_count(), 6);

        // Through sync (a frame still staged is compressed there), and a
        // panic left for drop: no hang, no panic.
        let mut gif = GifWriter::new(Vec::new(), 24, 16).unwrap();
        gif.compressor().set_threading(Threading::Always);
        gif.compressor().panic_next = true;
        let at = |i: usize| Frame::new(frames[i].view(), i as u64, cs * i as u32);
        gif.write_frame(&at(0)).unwrap();
        gif.sync().unwrap();
        gif.write_frame(&at(1)).unwrap();
        gif.write_frame(&at(2)).unwrap_err();
        assert!(!gif.compressor().has_helper());
        gif.compressor().set_threading(Threading::Always);
        gif.write_frame(&at(3)).unwrap();
        gif.compressor().panic_next = true;
        gif.compressor().release();
        drop(gif);
    }

    /// A writer that is not `Send` and fails once its budget is spent.
    struct Failing {
        budget: Rc<Cell<usize>>,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let left = self.budget.get();
            if left < buf.len() {
                return Err(std::io::Error::other("disk full"));
            }
            self.budget.set(left - buf.len());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn write_errors_with_the_helper_name_the_frame_and_drop_does_not_panic() {
        let frames = scene(48, 32, 10, 9);
        let budget = Rc::new(Cell::new(5000));
        let out = Failing {
            budget: budget.clone(),
        };
        let mut gif = GifWriter::new(out, 48, 32).unwrap();
        gif.compressor().set_threading(Threading::Always);
        let mut failed = None;
        for (i, image) in frames.iter().enumerate() {
            if let Err(e) = gif.add_frame(image, Duration::from_millis(50)) {
                failed = Some((i, e));
                break;
            }
        }
        let (i, e) = failed.expect("the writer runs out of space");
        assert_eq!(e.kind(), ErrorKind::Io);
        // The frame before the call that reports it.
        assert!(
            e.to_string()
                .contains(&format!("writing gif frame {}", i - 1)),
            "{e}"
        );
        // Written at the next call: a frame on the helper fails in sync too.
        gif.add_frame(&frames[i], Duration::from_millis(50))
            .unwrap();
        assert_eq!(gif.sync().unwrap_err().kind(), ErrorKind::Io);
        budget.set(usize::MAX);
        gif.sync().unwrap();
        drop(gif);
    }
}
