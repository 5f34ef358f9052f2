//! Response bodies: a fixed payload, the endless multipart MJPEG stream
//! that always sends the newest frame, or (feature `h264`) the live MP4.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper::body::{Bytes, Frame, SizeHint};
use tokio::sync::watch;

use super::feed::{Latest, Published};
use super::stats::StreamGuard;

/// The body of every response the server sends.
#[derive(Debug)]
pub(crate) enum Body {
    /// A fixed payload (empty for errors and HEAD).
    Full(Option<Bytes>),
    /// `multipart/x-mixed-replace` parts until the feed or the server stops.
    Mjpeg(Box<MjpegStream>),
    /// Fragmented MP4 until the feed or the server stops.
    #[cfg(feature = "h264")]
    Mp4(Box<super::mp4_stream::Mp4Stream>),
}

impl Body {
    pub fn empty() -> Body {
        Body::Full(None)
    }

    pub fn full(data: impl Into<Bytes>) -> Body {
        let data = data.into();
        Body::Full((!data.is_empty()).then_some(data))
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            Body::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            Body::Mjpeg(stream) => stream.poll_part(cx).map(|b| b.map(|b| Ok(Frame::data(b)))),
            #[cfg(feature = "h264")]
            Body::Mp4(stream) => stream.poll_chunk(cx).map(|b| b.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Full(data) => data.is_none(),
            Body::Mjpeg(stream) => stream.state == State::Ended,
            #[cfg(feature = "h264")]
            Body::Mp4(stream) => stream.is_ended(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(data) => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
            Body::Mjpeg(_) => SizeHint::default(),
            #[cfg(feature = "h264")]
            Body::Mp4(_) => SizeHint::default(),
        }
    }
}

/// What a stream waits on: a newer frame, the end of the feed, or shutdown.
struct Waiter {
    latest: watch::Receiver<Latest>,
    stop: watch::Receiver<bool>,
}

/// Why a wait ended.
enum Woken {
    Frame,
    Closed,
}

type Wait = Pin<Box<dyn Future<Output = (Waiter, Woken)> + Send>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Ready to look for a frame.
    Idle,
    /// Waiting for the next frame.
    Waiting,
    /// The closing boundary is due.
    Closing,
    Ended,
}

/// The `/stream.mjpg` body. It is polled only when the connection can take
/// more bytes, so each part carries the newest frame at that moment; frames
/// published in between are skipped (and counted), never queued.
pub(crate) struct MjpegStream {
    boundary: Arc<str>,
    waiter: Option<Waiter>,
    wait: Option<Wait>,
    /// The JPEG of the part whose header was just sent.
    queued: Option<Bytes>,
    /// Index of the last frame sent.
    last: Option<u64>,
    state: State,
    guard: StreamGuard,
}

impl std::fmt::Debug for MjpegStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MjpegStream")
            .field("boundary", &self.boundary)
            .field("last", &self.last)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl MjpegStream {
    /// A stream of the frames in `latest` (starting with the current one,
    /// if any) until the feed closes or `stop` turns true.
    pub fn new(
        boundary: Arc<str>,
        mut latest: watch::Receiver<Latest>,
        stop: watch::Receiver<bool>,
        guard: StreamGuard,
    ) -> MjpegStream {
        // A client that connects gets the current frame at once.
        if latest.borrow().is_some() {
            latest.mark_changed();
        }
        MjpegStream {
            boundary,
            waiter: Some(Waiter { latest, stop }),
            wait: None,
            queued: None,
            last: None,
            state: State::Idle,
            guard,
        }
    }

    /// The header of a part: the delimiter (after the previous part's
    /// payload) and the part's own headers.
    fn part_header(&self, frame: &Published) -> Bytes {
        let lead = if self.last.is_some() { "\r\n" } else { "" };
        let t = frame.timestamp;
        Bytes::from(format!(
            "{lead}--{}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\nX-Frame-Sequence: {}\r\nX-Timestamp: {}.{:06}\r\n\r\n",
            self.boundary,
            frame.jpeg.len(),
            frame.sequence,
            t.as_secs(),
            t.subsec_micros()
        ))
    }

    fn poll_part(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        loop {
            if let Some(jpeg) = self.queued.take() {
                return Poll::Ready(Some(jpeg));
            }
            match self.state {
                State::Ended => return Poll::Ready(None),
                State::Closing => {
                    self.state = State::Ended;
                    let lead = if self.last.is_some() { "\r\n" } else { "" };
                    let end = Bytes::from(format!("{lead}--{}--\r\n", self.boundary));
                    self.guard.sent_bytes(end.len() as u64);
                    return Poll::Ready(Some(end));
                }
                State::Idle => {
                    let Some(mut waiter) = self.waiter.take() else {
                        self.state = State::Closing;
                        continue;
                    };
                    self.wait = Some(Box::pin(async move {
                        let woken = tokio::select! {
                            biased;
                            () = super::server::stopped(&mut waiter.stop) => Woken::Closed,
                            changed = waiter.latest.changed() => match changed {
                                Ok(()) => Woken::Frame,
                                Err(_) => Woken::Closed,
                            },
                        };
                        (waiter, woken)
                    }));
                    self.state = State::Waiting;
                }
                State::Waiting => {
                    let Some(wait) = self.wait.as_mut() else {
                        self.state = State::Closing;
                        continue;
                    };
                    let (mut waiter, woken) = match wait.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(r) => r,
                    };
                    self.wait = None;
                    let frame = match woken {
                        Woken::Frame => waiter.latest.borrow_and_update().clone(),
                        Woken::Closed => None,
                    };
                    let Some(frame) = frame else {
                        self.state = State::Closing;
                        continue;
                    };
                    self.waiter = Some(waiter);
                    self.state = State::Idle;
                    let header = self.part_header(&frame);
                    let skipped = self.last.map_or(0, |l| frame.index.saturating_sub(l + 1));
                    self.guard
                        .sent(skipped, (header.len() + frame.jpeg.len()) as u64);
                    self.last = Some(frame.index);
                    self.queued = Some(frame.jpeg.clone());
                    return Poll::Ready(Some(header));
                }
            }
        }
    }
}
