//! The `/stream.mp4` body (feature `h264`): the init segment, then the
//! live fragments from a key frame on, each client at its own pace.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::Bytes;
use tokio::sync::watch;

use super::live_mp4::{self, LiveFragment, LiveMp4, Ring};
use super::stats::StreamGuard;

/// A client whose next fragment was published longer ago than this jumps
/// to the newest key frame (skipping whole groups of pictures).
pub(crate) const MAX_LAG: Duration = Duration::from_secs(1);

/// What a stream waits on: a new fragment, the end of the feed, or
/// shutdown.
struct Waiter {
    published: watch::Receiver<u64>,
    stop: watch::Receiver<bool>,
}

type Wait = Pin<Box<dyn Future<Output = (Waiter, bool)> + Send>>;

/// Where a client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Waiting for the first key fragment at or after `from`: it starts
    /// the client's stream (after the init segment), or resumes it after
    /// the client lost its place (having sent every frame before `resume`).
    Start {
        from: u64,
        resume: Option<u64>,
    },
    /// Sending fragment `next` (the client has sent every frame before
    /// `next_frame`).
    Playing {
        next: u64,
        next_frame: u64,
    },
    Ended,
}

/// What to do after looking at the ring.
enum Step {
    /// Send these chunks.
    Send(Vec<Bytes>),
    /// Nothing to send yet.
    Wait,
    End,
}

/// The `/stream.mp4` body. It is polled only when the connection can take
/// more bytes; a client that fell more than [`MAX_LAG`] behind skips to the
/// newest key frame, so it never holds anything up but itself.
pub(crate) struct Mp4Stream {
    live: Arc<LiveMp4>,
    waiter: Option<Waiter>,
    wait: Option<Wait>,
    queued: VecDeque<Bytes>,
    place: Place,
    /// Decode time of the client's first fragment: its stream starts at 0.
    base: Option<u64>,
    /// The next fragment's number in this client's stream.
    sequence: u32,
    guard: StreamGuard,
}

impl std::fmt::Debug for Mp4Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mp4Stream")
            .field("place", &self.place)
            .field("sequence", &self.sequence)
            .finish_non_exhaustive()
    }
}

impl Mp4Stream {
    /// A stream for a client that joined `live` and may start at fragment
    /// `from` (see [`LiveMp4::join`]); it leaves when dropped.
    pub fn new(
        live: Arc<LiveMp4>,
        from: u64,
        stop: watch::Receiver<bool>,
        guard: StreamGuard,
    ) -> Mp4Stream {
        let published = live.subscribe();
        Mp4Stream {
            live,
            waiter: Some(Waiter { published, stop }),
            wait: None,
            queued: VecDeque::new(),
            place: Place::Start { from, resume: None },
            base: None,
            sequence: 1,
            guard,
        }
    }

    pub fn is_ended(&self) -> bool {
        self.place == Place::Ended && self.queued.is_empty()
    }

    /// `entry` restamped for this client: its header, then its samples.
    fn chunks(&mut self, entry: &Arc<LiveFragment>, out: &mut Vec<Bytes>) -> bool {
        let start = entry.fragment.start();
        let base = *self.base.get_or_insert(start);
        let Ok(header) = entry
            .fragment
            .restamped_header(self.sequence, start.saturating_sub(base))
        else {
            return false;
        };
        self.sequence = self.sequence.wrapping_add(1);
        out.push(Bytes::from(header));
        out.push(entry.samples());
        true
    }

    /// Sends `entry` after skipping the frames before it.
    fn send(&mut self, entry: &Arc<LiveFragment>, skipped: u64, mut out: Vec<Bytes>) -> Step {
        let before = out.len();
        if !self.chunks(entry, &mut out) {
            return Step::End;
        }
        let frames = u64::from(entry.fragment.frames());
        let bytes: usize = out[before..].iter().map(Bytes::len).sum();
        self.guard.sent_frames(frames, skipped, bytes as u64);
        self.place = Place::Playing {
            next: entry.index + 1,
            next_frame: entry.first_frame + frames,
        };
        Step::Send(out)
    }

    /// Decides what to send from the ring now.
    fn step(&mut self, ring: &Ring) -> Step {
        match self.place {
            Place::Ended => Step::End,
            _ if ring.ended => Step::End,
            Place::Start { from, resume } => {
                let Some(entry) = ring.first_key(from).cloned() else {
                    return Step::Wait;
                };
                let mut out = Vec::new();
                let skipped = match resume {
                    Some(sent) => entry.first_frame.saturating_sub(sent),
                    None => {
                        let Some(init) = ring.init.clone() else {
                            return Step::Wait;
                        };
                        self.guard.sent_bytes(init.len() as u64);
                        out.push(init);
                        0
                    }
                };
                self.send(&entry, skipped, out)
            }
            Place::Playing { next, next_frame } => {
                if next >= ring.next_index {
                    return Step::Wait;
                }
                let current = ring.get(next).cloned();
                let lagging = current
                    .as_ref()
                    .is_none_or(|e| e.published.elapsed() > MAX_LAG);
                if lagging && let Some(key) = ring.newest_key(next + 1).cloned() {
                    let skipped = key.first_frame.saturating_sub(next_frame);
                    return self.send(&key, skipped, Vec::new());
                }
                match current {
                    Some(entry) => self.send(&entry, 0, Vec::new()),
                    None => {
                        // Lost its place and no key frame since: ask for one.
                        self.live.request_key_frame();
                        self.place = Place::Start {
                            from: ring.next_index,
                            resume: Some(next_frame),
                        };
                        Step::Wait
                    }
                }
            }
        }
    }

    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        loop {
            if let Some(chunk) = self.queued.pop_front() {
                return Poll::Ready(Some(chunk));
            }
            if self.place == Place::Ended {
                return Poll::Ready(None);
            }
            if let Some(wait) = self.wait.as_mut() {
                let (waiter, closed) = match wait.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(r) => r,
                };
                self.wait = None;
                self.waiter = Some(waiter);
                if closed {
                    self.place = Place::Ended;
                    continue;
                }
            }
            let Some(waiter) = self.waiter.as_mut() else {
                self.place = Place::Ended;
                continue;
            };
            // Seen before looking: a fragment published from here on wakes
            // the wait below.
            waiter.published.borrow_and_update();
            let live = self.live.clone();
            let step = {
                let ring = live_mp4::lock(&live.ring);
                self.step(&ring)
            };
            match step {
                Step::Send(chunks) => self.queued.extend(chunks),
                Step::End => self.place = Place::Ended,
                Step::Wait => {
                    let Some(mut waiter) = self.waiter.take() else {
                        self.place = Place::Ended;
                        continue;
                    };
                    self.wait = Some(Box::pin(async move {
                        let closed = tokio::select! {
                            biased;
                            () = super::server::stopped(&mut waiter.stop) => true,
                            changed = waiter.published.changed() => changed.is_err(),
                        };
                        (waiter, closed)
                    }));
                }
            }
        }
    }
}

impl Drop for Mp4Stream {
    fn drop(&mut self) {
        self.live.leave();
    }
}
