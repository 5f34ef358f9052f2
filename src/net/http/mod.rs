//! MJPEG over HTTP (feature `http`): what browsers show in an `<img>` and
//! what network video recorders ingest through ffmpeg.
//!
//! [`MjpegServer`] serves one capture to every client. A capture thread
//! encodes each frame once ([`CameraStats::encoded`] counts the encodes) and
//! publishes it as the newest frame; each client is sent the newest frame
//! whenever its connection can take one. A slow client skips frames
//! ([`StreamStats::frames_skipped`]), it never slows the camera or the other
//! clients, and a client that takes nothing for the write timeout is
//! dropped.
//!
//! | route | answer |
//! |---|---|
//! | `GET /` | a small page showing the stream, its size and rate, and a snapshot link |
//! | `GET /stream.mjpg` | `multipart/x-mixed-replace; boundary=...`, one part per frame with `Content-Type: image/jpeg` and `Content-Length` |
//! | `GET /snapshot.jpg` | the newest frame |
//! | `GET /stats.json` | the counters ([`ServerStats::to_json`]) |
//! | anything else | 404 (405 for another method on a route); no file is ever served |
//!
//! Security by default: the server listens on `127.0.0.1`
//! unless told otherwise, and refuses to start on any other address without
//! [`Credentials`] (HTTP Basic, compared in constant time) or an explicit
//! [`no_auth`](MjpegServerBuilder::no_auth). It serves at most
//! [`max_clients`](MjpegServerBuilder::max_clients) connections (503
//! beyond), cuts clients whose request head does not arrive within the
//! header timeout (also the keep-alive idle time) and clients that stop
//! taking data, and shuts down gracefully: streams end with their closing
//! boundary before the connections close.
//!
//! The server runs its own single-threaded tokio runtime on a thread of
//! its own: the API is blocking and needs no async code.
//!
//! ```no_run
//! use camreel::camera::synthetic::SyntheticCamera;
//! use camreel::net::http::MjpegServer;
//!
//! let camera = SyntheticCamera::builder().size(640, 480).fps(30.0).build()?;
//! let server = MjpegServer::builder()
//!     .listen("127.0.0.1:8080".parse().unwrap())
//!     .handle_signals(true) // Ctrl-C stops it cleanly
//!     .start(camera)?;
//! println!("open http://{}/", server.local_addr());
//! server.wait()?;
//! # Ok::<(), camreel::Error>(())
//! ```
//!
//! Driving the server from your own loop, for example beside a recording:
//!
//! ```
//! use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
//! use camreel::sink::FrameSink;
//! use camreel::net::http::MjpegServer;
//!
//! let (server, mut feed) = MjpegServer::builder()
//!     .listen("127.0.0.1:0".parse().unwrap())
//!     .start_feed()?;
//! let mut camera = SyntheticCamera::builder().size(64, 48).frame_limit(5).build()?;
//! while let Some(frame) = camera.next_frame()? {
//!     feed.write_frame(&frame)?;
//! }
//! assert_eq!(server.stats().camera.encoded, 5);
//! feed.finish()?; // ends the streams and stops the server
//! server.wait()?;
//! # Ok::<(), camreel::Error>(())
//! ```

mod auth;
mod body;
mod config;
mod deadline;
mod feed;
#[cfg(feature = "h264")]
mod live_mp4;
#[cfg(feature = "h264")]
mod mp4_stream;
mod routes;
mod server;
mod stats;

pub use auth::Credentials;
pub use config::{DEFAULT_LISTEN, MjpegServerBuilder, check_exposure};
pub use feed::FramePublisher;
pub use server::{MjpegServer, ShutdownHandle};
pub use stats::{CameraStats, Mp4Stats, ServerStats, StreamStats};
