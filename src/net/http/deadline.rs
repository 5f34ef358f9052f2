//! A write deadline around a connection: a client that stops taking data
//! is cut after the timeout instead of holding its slot forever.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use hyper::rt::{Read, ReadBufCursor, Write};
use tokio::time::{Instant, Sleep};

use super::stats::Counters;

/// Wraps a connection's I/O. The deadline starts when a write first has to
/// wait and ends only when everything written so far has been flushed: the
/// client must take each whole response chunk (a frame) within the
/// timeout, so trickling a few bytes at a time does not keep it alive.
pub(crate) struct WriteDeadline<T> {
    inner: T,
    timeout: Duration,
    sleep: Pin<Box<Sleep>>,
    armed: bool,
    counters: Arc<Counters>,
}

impl<T> WriteDeadline<T> {
    pub fn new(inner: T, timeout: Duration, counters: Arc<Counters>) -> WriteDeadline<T> {
        WriteDeadline {
            inner,
            timeout,
            sleep: Box::pin(tokio::time::sleep(timeout)),
            armed: false,
            counters,
        }
    }

    /// A write or flush is waiting: arm the deadline if it is not, and
    /// fail once it has passed.
    fn waiting<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        if !self.armed {
            self.armed = true;
            let at = Instant::now() + self.timeout;
            self.sleep.as_mut().reset(at);
        }
        ready!(self.sleep.as_mut().poll(cx));
        self.counters.write_timeouts.fetch_add(1, Relaxed);
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client took no data within the write timeout",
        )))
    }
}

impl<T: Read + Unpin> Read for WriteDeadline<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: Write + Unpin> Write for WriteDeadline<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Pending => this.waiting(cx),
            done => done,
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write_vectored(cx, bufs) {
            Poll::Pending => this.waiting(cx),
            done => done,
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Pending => this.waiting(cx),
            Poll::Ready(Ok(())) => {
                this.armed = false;
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_shutdown(cx) {
            Poll::Pending => this.waiting(cx),
            done => done,
        }
    }
}
