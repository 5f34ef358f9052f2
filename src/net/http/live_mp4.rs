//! The H.264 side of the server (feature `h264`): one encoder for every
//! `/stream.mp4` client, on a thread of its own, and the recent fragments
//! the clients read from.
//!
//! The capture thread offers each frame while MP4 clients are connected;
//! the encoder thread takes the newest one (a frame offered while it is
//! still busy replaces the one waiting: the camera never waits for the
//! encoder), encodes it once and cuts it into a one-frame fragment
//! ([`Mp4Fragmenter`]). Fragments go into a [`Ring`] that keeps the last
//! two groups of pictures (bounded in count and bytes); each client sends
//! from it at its own pace and jumps to the newest key frame when it falls
//! behind. A client that joins asks the encoder for a key frame and starts
//! there.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hyper::body::Bytes;
use tokio::sync::watch;

use super::stats::Counters;
use crate::error::{Error, Result};
use crate::frame::{Frame, OwnedFrame};
use crate::h264::{H264Encoder, H264Settings};
use crate::mp4::{Mp4Fragment, Mp4Fragmenter, Mp4Options};
use crate::timing::FrameRate;
use crate::video::VideoEncoder;

/// Most fragments kept for clients that lag.
const MAX_FRAGMENTS: usize = 1024;
/// Most bytes of fragments kept for clients that lag.
const MAX_BYTES: usize = 32 << 20;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One published fragment, shared by every client.
#[derive(Debug)]
pub(crate) struct LiveFragment {
    /// Position among the published fragments: 0, 1, 2, ...
    pub index: u64,
    /// Frames published before this fragment.
    pub first_frame: u64,
    pub fragment: Mp4Fragment,
    pub published: Instant,
}

impl LiveFragment {
    /// The samples, shared without a copy.
    pub fn samples(self: &Arc<Self>) -> Bytes {
        Bytes::from_owner(Samples(self.clone()))
    }
}

struct Samples(Arc<LiveFragment>);

impl AsRef<[u8]> for Samples {
    fn as_ref(&self) -> &[u8] {
        self.0.fragment.samples()
    }
}

/// The recent fragments, the init segment, and whether the feed ended.
#[derive(Debug, Default)]
pub(crate) struct Ring {
    /// `ftyp` + `moov` (the same for every fragment of the encoder).
    pub init: Option<Bytes>,
    pub entries: VecDeque<Arc<LiveFragment>>,
    /// Index of the next fragment to publish.
    pub next_index: u64,
    next_frame: u64,
    bytes: usize,
    /// No fragment will come any more (the feed finished or failed).
    pub ended: bool,
    /// Why the encoder stopped, if it failed.
    pub error: Option<String>,
}

impl Ring {
    /// The fragment at `index`, if it is still kept.
    pub fn get(&self, index: u64) -> Option<&Arc<LiveFragment>> {
        let front = self.entries.front()?.index;
        let at = usize::try_from(index.checked_sub(front)?).ok()?;
        self.entries.get(at)
    }

    /// The newest key fragment at or after `from`.
    pub fn newest_key(&self, from: u64) -> Option<&Arc<LiveFragment>> {
        self.entries
            .iter()
            .rev()
            .take_while(|e| e.index >= from)
            .find(|e| e.fragment.is_key())
    }

    /// The first key fragment at or after `from`.
    pub fn first_key(&self, from: u64) -> Option<&Arc<LiveFragment>> {
        self.entries
            .iter()
            .skip_while(|e| e.index < from)
            .find(|e| e.fragment.is_key())
    }

    fn push(&mut self, fragment: Mp4Fragment) {
        let frames = u64::from(fragment.frames());
        let entry = Arc::new(LiveFragment {
            index: self.next_index,
            first_frame: self.next_frame,
            fragment,
            published: Instant::now(),
        });
        self.next_index += 1;
        self.next_frame += frames;
        self.bytes += entry.fragment.as_bytes().len();
        let key = entry.fragment.is_key();
        self.entries.push_back(entry);
        // Keep the last two groups of pictures: a new key frame lets the
        // one before the previous go.
        if key && let Some(keep) = self.second_newest_key() {
            while self.entries.front().is_some_and(|e| e.index < keep) {
                self.pop();
            }
        }
        while self.entries.len() > MAX_FRAGMENTS || self.bytes > MAX_BYTES {
            self.pop();
        }
    }

    fn second_newest_key(&self) -> Option<u64> {
        let mut keys = self.entries.iter().rev().filter(|e| e.fragment.is_key());
        keys.next();
        keys.next().map(|e| e.index)
    }

    fn pop(&mut self) {
        if let Some(e) = self.entries.pop_front() {
            self.bytes -= e.fragment.as_bytes().len();
        }
    }
}

/// Frames handed from the capture thread to the encoder thread.
#[derive(Debug, Default)]
struct Mailbox {
    /// The newest frame not yet encoded.
    frame: Option<OwnedFrame>,
    /// Open MP4 clients.
    clients: usize,
    /// Bumped when the first client of a run of clients arrives: the
    /// encoder starts a new fragment timeline.
    generation: u64,
    /// A client needs a key frame.
    key_frame: bool,
    closed: bool,
}

/// The live MP4 feed one server shares between its threads.
#[derive(Debug)]
pub(crate) struct LiveMp4 {
    mailbox: Mutex<Mailbox>,
    wake: Condvar,
    /// Mirror of `mailbox.clients`, read on every frame without the lock.
    clients: AtomicUsize,
    pub ring: Mutex<Ring>,
    /// The next fragment index, sent after each publication (and when the
    /// feed ends) to wake the clients.
    published: watch::Sender<u64>,
    counters: Arc<Counters>,
    settings: Option<H264Settings>,
}

impl LiveMp4 {
    /// A feed whose encoder uses `settings` (default: 2 Mbit/s, a key frame
    /// every 30 frames, the source's nominal rate); start its thread with
    /// [`spawn`](Self::spawn).
    pub fn new(settings: Option<H264Settings>, counters: Arc<Counters>) -> Arc<LiveMp4> {
        Arc::new(LiveMp4 {
            mailbox: Mutex::default(),
            wake: Condvar::new(),
            clients: AtomicUsize::new(0),
            ring: Mutex::default(),
            published: watch::Sender::new(0),
            counters,
            settings,
        })
    }

    /// Starts the encoder thread.
    pub fn spawn(self: &Arc<Self>) -> Result<JoinHandle<()>> {
        let live = self.clone();
        std::thread::Builder::new()
            .name("camreel-h264".into())
            .spawn(move || live.run())
            .map_err(|e| Error::io("starting the h.264 thread", e))
    }

    /// A receiver that changes whenever a fragment is published or the
    /// feed ends.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.published.subscribe()
    }

    /// Hands `frame` to the encoder if any client is watching; never waits
    /// for the encoder.
    pub fn offer(&self, frame: &Frame<'_>) {
        if self.clients.load(Relaxed) == 0 {
            return;
        }
        let owned = frame.to_owned();
        let mut m = lock(&self.mailbox);
        if m.closed || m.clients == 0 {
            return;
        }
        if m.frame.replace(owned).is_some() {
            self.counters.mp4_encoder_skipped.fetch_add(1, Relaxed);
        }
        drop(m);
        self.wake.notify_one();
    }

    /// A client arrives: the encoder runs and makes a key frame next.
    /// Returns the index of the first fragment it may start with, or `None`
    /// if the feed has ended.
    pub fn join(&self) -> Option<u64> {
        let mut m = lock(&self.mailbox);
        if m.closed {
            return None;
        }
        m.clients += 1;
        if m.clients == 1 {
            m.generation += 1;
        }
        m.key_frame = true;
        self.clients.store(m.clients, Relaxed);
        drop(m);
        let ring = lock(&self.ring);
        (!ring.ended).then_some(ring.next_index)
    }

    /// A client leaves; the last one stops the encoding.
    pub fn leave(&self) {
        let mut m = lock(&self.mailbox);
        m.clients = m.clients.saturating_sub(1);
        if m.clients == 0 {
            m.frame = None;
        }
        self.clients.store(m.clients, Relaxed);
    }

    /// Asks the encoder for a key frame (a client lost its place).
    pub fn request_key_frame(&self) {
        lock(&self.mailbox).key_frame = true;
    }

    /// Why the feed stopped, if the encoder failed.
    pub fn error(&self) -> Option<String> {
        lock(&self.ring).error.clone()
    }

    /// Ends the feed: the encoder thread stops after the frame it is on and
    /// every client's stream ends.
    pub fn close(&self) {
        lock(&self.mailbox).closed = true;
        self.wake.notify_all();
        self.end(None);
    }

    fn end(&self, error: Option<String>) {
        let mut ring = lock(&self.ring);
        ring.ended = true;
        if error.is_some() && ring.error.is_none() {
            ring.error = error.clone();
        }
        let next = ring.next_index;
        drop(ring);
        if let Some(e) = error {
            *lock(&self.counters.mp4_error) = Some(e);
            lock(&self.mailbox).closed = true;
        }
        self.published.send_replace(next);
    }

    /// The next frame to encode, whether a key frame is wanted, and the
    /// generation; `None` once closed.
    fn next_frame(&self) -> Option<(OwnedFrame, bool, u64)> {
        let mut m = lock(&self.mailbox);
        loop {
            if m.closed {
                return None;
            }
            if let Some(frame) = m.frame.take() {
                let key = std::mem::take(&mut m.key_frame);
                return Some((frame, key, m.generation));
            }
            m = self.wake.wait(m).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// The encoder thread.
    fn run(self: Arc<Self>) {
        if let Err(e) = self.encode_loop() {
            self.end(Some(e.to_string()));
        }
    }

    fn encode_loop(&self) -> Result<()> {
        let mut encoder: Option<H264Encoder> = None;
        let mut mux: Option<Mp4Fragmenter> = None;
        let mut generation = 0;
        let options = Mp4Options::default().fragment_duration(Duration::ZERO);
        while let Some((frame, mut key, g)) = self.next_frame() {
            if g != generation {
                // The first client after none: a new time line.
                generation = g;
                mux = None;
                key = true;
            }
            let encoder = match &mut encoder {
                Some(e) => e,
                None => encoder.insert(H264Encoder::new(self.encoder_settings())?),
            };
            if key {
                encoder.request_key_frame();
            }
            let frame = frame.as_frame();
            let Some(out) = encoder
                .encode(&frame)
                .map_err(|e| e.context(format!("h.264 frame {}", frame.sequence)))?
            else {
                continue;
            };
            let c = &self.counters;
            c.mp4_encoded.fetch_add(1, Relaxed);
            let is_key = out.info.key_frame();
            if is_key {
                c.mp4_key_frames.fetch_add(1, Relaxed);
            }
            let mux = mux.get_or_insert_with(|| Mp4Fragmenter::unchecked(options));
            if mux.frames() == 0 && !is_key {
                // A time line starts at a key frame.
                encoder.request_key_frame();
                continue;
            }
            let fragment = mux.push(&out.frame)?;
            let mut ring = lock(&self.ring);
            if ring.init.is_none() {
                ring.init = mux.init_segment().map(Bytes::copy_from_slice);
            }
            let Some(fragment) = fragment else {
                continue;
            };
            ring.push(fragment);
            let next = ring.next_index;
            drop(ring);
            c.mp4_fragments.fetch_add(1, Relaxed);
            self.published.send_replace(next);
        }
        Ok(())
    }

    /// The settings given, or the defaults at the source's nominal rate.
    fn encoder_settings(&self) -> H264Settings {
        self.settings.unwrap_or_else(|| {
            let fps = f64::from_bits(self.counters.nominal_fps.load(Relaxed));
            let rate = FrameRate::from_fps(fps).unwrap_or_default();
            H264Settings::default().frame_rate(rate)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::CameraSource;
    use crate::camera::synthetic::SyntheticCamera;
    use crate::h264::RateControl;

    fn fragments(n: usize, gop: u32) -> Vec<Mp4Fragment> {
        let mut camera = SyntheticCamera::builder()
            .size(32, 16)
            .frame_limit(n as u64 + 1)
            .clock(crate::clock::ManualClock::shared())
            .fps(30.0)
            .build()
            .unwrap();
        let settings = H264Settings::default()
            .intra_period(gop)
            .threads(1)
            .rate_control(RateControl::Quantizer(40));
        let mut enc = H264Encoder::new(settings).unwrap();
        let mut mux =
            Mp4Fragmenter::new(Mp4Options::default().fragment_duration(Duration::ZERO)).unwrap();
        let mut out = Vec::new();
        while let Some(frame) = camera.next_frame().unwrap() {
            let au = enc.encode(&frame).unwrap().unwrap();
            out.extend(mux.push(&au.frame).unwrap());
        }
        out
    }

    #[test]
    fn the_ring_keeps_two_groups_of_pictures() {
        let mut ring = Ring::default();
        for f in fragments(14, 5) {
            ring.push(f);
        }
        // Key frames at 0, 5, 10: 5..14 are kept.
        assert_eq!(ring.next_index, 14);
        assert_eq!(ring.entries.front().unwrap().index, 5);
        assert!(ring.get(4).is_none());
        assert_eq!(ring.get(7).unwrap().index, 7);
        assert!(ring.get(14).is_none());
        assert_eq!(ring.newest_key(0).unwrap().index, 10);
        assert!(ring.newest_key(11).is_none());
        assert_eq!(ring.first_key(6).unwrap().index, 10);
        assert_eq!(ring.first_key(0).unwrap().index, 5);
        let e = ring.get(12).unwrap().clone();
        assert_eq!(e.first_frame, 12);
        assert_eq!(&e.samples()[..], e.fragment.samples());
    }

    #[test]
    fn offered_frames_wait_for_clients_and_newer_ones_replace_older() {
        let counters = Arc::new(Counters::default());
        let live = LiveMp4::new(None, counters.clone());
        let image = crate::Image::zeroed(crate::PixelFormat::Grayscale, 4, 4).unwrap();
        let frame = Frame::new(image.view(), 0, Duration::ZERO);
        live.offer(&frame);
        assert!(lock(&live.mailbox).frame.is_none(), "no client, no copy");
        assert_eq!(live.join(), Some(0));
        live.offer(&frame);
        live.offer(&frame);
        assert_eq!(counters.mp4_encoder_skipped.load(Relaxed), 1);
        let (_, key, generation) = live.next_frame().unwrap();
        assert!(key);
        assert_eq!(generation, 1);
        live.leave();
        live.offer(&frame);
        assert!(lock(&live.mailbox).frame.is_none());
        live.close();
        assert!(live.next_frame().is_none());
        assert_eq!(live.join(), None);
        assert!(lock(&live.ring).ended);
    }
}
