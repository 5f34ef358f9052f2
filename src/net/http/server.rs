//! The running server: a tokio runtime on its own thread accepting
//! connections, a capture thread feeding it, and the handle that stops both.

use std::convert::Infallible;
use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::config::{MjpegServerBuilder, check_exposure};
use super::deadline::WriteDeadline;
use super::feed::{FramePublisher, Latest};
use super::routes::{self, Shared};
use super::stats::{Counters, ServerStats};
use crate::camera::CameraSource;
use crate::error::{Error, ErrorKind, Result};
use crate::sink::FrameSink;

/// Largest request head accepted, in bytes (hyper's smallest buffer).
const MAX_HEAD: usize = 8192;

/// Stops an [`MjpegServer`] from any thread: streams end with their closing
/// boundary, connections close, the capture stops.
///
/// ```
/// use camreel::net::http::MjpegServer;
/// let (server, _feed) = MjpegServer::builder().listen("127.0.0.1:0".parse().unwrap()).start_feed()?;
/// let handle = server.shutdown_handle();
/// std::thread::spawn(move || handle.shutdown());
/// server.wait()?;
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ShutdownHandle(Arc<watch::Sender<bool>>);

impl ShutdownHandle {
    /// Starts a graceful shutdown (once; later calls do nothing).
    pub fn shutdown(&self) {
        self.0.send_replace(true);
    }

    /// Whether a shutdown was started.
    pub fn is_shutdown(&self) -> bool {
        *self.0.borrow()
    }
}

/// MJPEG over HTTP: one capture, encoded once per frame, served to every
/// client as the newest frame. See the [module docs](super).
#[derive(Debug)]
pub struct MjpegServer {
    addr: SocketAddr,
    counters: Arc<Counters>,
    shutdown: ShutdownHandle,
    runtime: Option<JoinHandle<()>>,
    capture: Option<mpsc::Receiver<Result<()>>>,
    grace: Duration,
    /// The `/stream.mp4` feed and its encoder thread.
    #[cfg(feature = "h264")]
    mp4: Option<(Arc<super::live_mp4::LiveMp4>, JoinHandle<()>)>,
}

impl MjpegServer {
    /// A builder with the defaults (loopback, port 8080).
    pub fn builder() -> MjpegServerBuilder {
        MjpegServerBuilder::default()
    }

    /// The address the server listens on (with the port picked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The counters now.
    pub fn stats(&self) -> ServerStats {
        self.counters.snapshot()
    }

    /// A handle that shuts the server down.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// Shuts the server down and waits for it (see [`wait`](Self::wait)).
    ///
    /// # Errors
    /// As [`wait`](Self::wait).
    pub fn shutdown(self) -> Result<()> {
        self.shutdown.shutdown();
        self.wait()
    }

    /// Blocks until the server has stopped: after a [`ShutdownHandle`], a
    /// signal (with [`handle_signals`](MjpegServerBuilder::handle_signals))
    /// or the end of the source. Clients get the end of their stream, then
    /// the connections close; clients that do not take it within the
    /// shutdown grace are dropped.
    ///
    /// # Errors
    /// What the source or the encoder failed with, if that stopped the server.
    pub fn wait(mut self) -> Result<()> {
        self.join()
    }

    fn join(&mut self) -> Result<()> {
        if let Some(t) = self.runtime.take() {
            t.join()
                .map_err(|_| Error::new(ErrorKind::Io, "the server thread panicked"))?;
        }
        #[cfg(feature = "h264")]
        if let Some((live, thread)) = self.mp4.take() {
            // The encoder stops after the frame it is on.
            live.close();
            thread
                .join()
                .map_err(|_| Error::new(ErrorKind::Io, "the h.264 thread panicked"))?;
        }
        match self.capture.take() {
            // A source blocked in a read notices the shutdown on its next
            // frame; the server does not wait for it longer than the grace.
            Some(rx) => rx.recv_timeout(self.grace).unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Drop for MjpegServer {
    fn drop(&mut self) {
        self.shutdown.shutdown();
        let _ = self.join();
    }
}

/// A boundary no JPEG is likely to contain.
fn boundary() -> Arc<str> {
    let n = RandomState::new().hash_one(std::process::id());
    format!("camreel-{n:016x}").into()
}

fn bind(addr: SocketAddr, send_buffer: Option<u32>) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    // Accepted connections inherit the listener's buffer size.
    if let Some(n) = send_buffer {
        socket.set_send_buffer_size(n)?;
    }
    socket.bind(addr)?;
    socket.listen(1024)
}

/// Starts the runtime thread and, for a source, the capture thread.
pub(crate) fn start(
    options: MjpegServerBuilder,
    source: Option<Box<dyn CameraSource + Send>>,
) -> Result<(MjpegServer, Option<FramePublisher>)> {
    check_exposure(
        options.listen,
        options.credentials.is_some(),
        options.no_auth,
    )?;
    let encoder = options.encoder?;
    #[cfg(feature = "h264")]
    if let Some(settings) = &options.h264 {
        settings.validate()?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the server runtime", e))?;
    let listener = {
        let _entered = runtime.enter();
        bind(options.listen, options.send_buffer)
            .map_err(|e| Error::io(format!("listening on {}", options.listen), e))?
    };
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("the listening address", e))?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let shutdown = ShutdownHandle(Arc::new(stop_tx));
    let (latest_tx, latest_rx) = watch::channel::<Latest>(None);
    let counters = Arc::new(Counters::default());
    let publisher = FramePublisher::new(latest_tx, encoder, counters.clone(), shutdown.clone());
    #[cfg(feature = "h264")]
    let live = super::live_mp4::LiveMp4::new(options.h264, counters.clone());
    #[cfg(feature = "h264")]
    let mp4_thread = live.spawn()?;
    #[cfg(feature = "h264")]
    let publisher = publisher.with_mp4(live.clone());
    let shared = Arc::new(Shared {
        credentials: options.credentials,
        boundary: boundary(),
        latest: latest_rx,
        stop: stop_rx,
        counters: counters.clone(),
        snapshot_wait: options.header_timeout,
        #[cfg(feature = "h264")]
        mp4: live.clone(),
    });
    let limits = ConnLimits {
        max_clients: options.max_clients,
        header_timeout: options.header_timeout,
        write_timeout: options.write_timeout,
        grace: options.shutdown_grace,
    };
    let signals = options.handle_signals.then(|| shutdown.clone());
    let runtime = std::thread::Builder::new()
        .name("camreel-http".into())
        .spawn(move || runtime.block_on(serve(listener, shared, limits, signals)));
    let runtime = match runtime {
        Ok(t) => t,
        Err(e) => {
            #[cfg(feature = "h264")]
            live.close();
            return Err(Error::io("starting the server thread", e));
        }
    };

    let mut server = MjpegServer {
        addr,
        counters,
        shutdown,
        runtime: Some(runtime),
        capture: None,
        grace: options.shutdown_grace,
        #[cfg(feature = "h264")]
        mp4: Some((live, mp4_thread)),
    };
    let Some(source) = source else {
        return Ok((server, Some(publisher)));
    };
    let (tx, rx) = mpsc::channel();
    let stop = server.shutdown.clone();
    let spawned = std::thread::Builder::new()
        .name("camreel-capture".into())
        .spawn(move || {
            let _ = tx.send(capture(source, publisher, &stop));
        });
    if let Err(e) = spawned {
        server.shutdown.shutdown();
        return Err(Error::io("starting the capture thread", e));
    }
    server.capture = Some(rx);
    Ok((server, None))
}

/// The capture thread: frames from `source` into `publisher` until the
/// source ends, fails or the server shuts down.
fn capture(
    mut source: Box<dyn CameraSource + Send>,
    mut publisher: FramePublisher,
    stop: &ShutdownHandle,
) -> Result<()> {
    publisher.set_nominal_fps(source.format().fps);
    let result = loop {
        if stop.is_shutdown() {
            break Ok(());
        }
        match source.next_frame() {
            Ok(Some(frame)) => {
                if let Err(e) = publisher.write_frame(&frame) {
                    break Err(e);
                }
            }
            Ok(None) => break Ok(()),
            // No frame in time: the camera may still deliver.
            Err(e) if e.kind() == ErrorKind::Timeout => {}
            Err(e) => break Err(e),
        }
    };
    publisher.finish()?;
    result
}

/// What the connection tasks enforce.
#[derive(Clone, Copy, Debug)]
struct ConnLimits {
    max_clients: usize,
    header_timeout: Duration,
    write_timeout: Duration,
    grace: Duration,
}

/// Takes one of `max` places counted by `count`; `false` when all are taken.
fn try_take(count: &AtomicUsize, max: usize) -> bool {
    count
        .fetch_update(Relaxed, Relaxed, |n| (n < max).then_some(n + 1))
        .is_ok()
}

/// Gives a connection's place back when the connection ends.
struct Slot {
    counters: Arc<Counters>,
    within: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let count = if self.within {
            &self.counters.open
        } else {
            &self.counters.rejecting
        };
        count.fetch_sub(1, Relaxed);
    }
}

/// The accept loop, then the graceful shutdown.
async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    limits: ConnLimits,
    signals: Option<ShutdownHandle>,
) {
    if let Some(handle) = signals {
        tokio::spawn(on_signal(handle));
    }
    let mut stop = shared.stop.clone();
    let mut tasks = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            biased;
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => accepted,
        };
        while tasks.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(a) => a,
            // Out of file descriptors or a connection reset before accept:
            // back off briefly instead of spinning.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let counters = &shared.counters;
        // Within the cap: served. Over it: answered 503, as many again at
        // most; beyond that the connection is closed at once.
        let within = try_take(&counters.open, limits.max_clients);
        if within {
            counters.connections.fetch_add(1, Relaxed);
        } else {
            counters.rejected.fetch_add(1, Relaxed);
            if !try_take(&counters.rejecting, limits.max_clients) {
                continue;
            }
        }
        let slot = Slot {
            counters: counters.clone(),
            within,
        };
        tasks.spawn(connection(stream, peer, shared.clone(), limits, slot));
    }
    drop(listener);
    // Streams saw the stop and are sending their closing boundary.
    let drained = tokio::time::timeout(limits.grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tasks.shutdown().await;
    }
}

/// Serves one connection (inside the client cap, or over it: then every
/// request is answered 503 and the connection closes).
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    limits: ConnLimits,
    slot: Slot,
) {
    let within = slot.within;
    let counters = shared.counters.clone();
    let io = WriteDeadline::new(TokioIo::new(stream), limits.write_timeout, counters.clone());
    let svc_shared = shared.clone();
    let service = service_fn(move |req| {
        let shared = svc_shared.clone();
        async move {
            let response = if within {
                routes::respond(req, &shared, peer).await
            } else {
                routes::over_capacity()
            };
            Ok::<_, Infallible>(response)
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(MAX_HEAD)
        .max_headers(64);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut stop = shared.stop.clone();
    let result = tokio::select! {
        r = conn.as_mut() => r,
        () = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result
        && e.is_timeout()
    {
        counters.header_timeouts.fetch_add(1, Relaxed);
    }
    drop(slot);
}

/// Returns once `stop` turns true (or its sender is gone).
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Shuts down on SIGINT or SIGTERM.
async fn on_signal(handle: ShutdownHandle) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            handle.shutdown();
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown();
}
