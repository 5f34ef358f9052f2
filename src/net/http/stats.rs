//! Counters of the MJPEG server: live atomics the server updates, and the
//! [`ServerStats`] snapshot read from them (also served at `/stats.json`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the camera side has done: frames published and JPEG encodes.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct CameraStats {
    /// Width of the last frame (0 before the first).
    pub width: u32,
    /// Height of the last frame (0 before the first).
    pub height: u32,
    /// Frames published to the clients.
    pub frames: u64,
    /// Frames that had to be JPEG-encoded (frames already in JPEG pass
    /// through): one encode per frame, whatever the number of clients.
    pub encoded: u64,
    /// Frames per second over the last frames published (0 before two).
    pub fps: f64,
    /// The source's nominal rate, if it has one.
    pub nominal_fps: Option<f64>,
}

/// One open `/stream.mjpg` client.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamStats {
    /// Number of the stream, in the order clients connected.
    pub id: u64,
    /// The client's address.
    pub peer: SocketAddr,
    /// Time since the stream started.
    pub duration: Duration,
    /// Frames sent to this client.
    pub frames_sent: u64,
    /// Frames this client missed because it was not ready when they were
    /// published (a slow client skips, it never slows the camera).
    pub frames_skipped: u64,
    /// Bytes of the stream body sent, part headers included.
    pub bytes_sent: u64,
}

/// The `/stream.mp4` side: one H.264 encoder for every MP4 client (feature
/// `h264`; without it every counter stays zero).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mp4Stats {
    /// `/stream.mp4` clients now.
    pub clients: usize,
    /// Frames H.264-encoded: each once, whatever the number of MP4 clients
    /// (and only while there is one).
    pub encoded: u64,
    /// Key frames among them.
    pub key_frames: u64,
    /// Camera frames the encoder let go because it was still busy with an
    /// earlier one (the camera never waits for it).
    pub encoder_skipped: u64,
    /// Fragments published (one frame each).
    pub fragments: u64,
    /// Frames sent to MP4 clients, all streams since the start.
    pub frames_sent: u64,
    /// Frames MP4 clients skipped by jumping ahead to a newer key frame
    /// (whole groups of pictures), all streams since the start.
    pub frames_skipped: u64,
    /// MP4 bytes sent (init segments and fragments), all streams since the
    /// start.
    pub bytes_sent: u64,
    /// The open MP4 streams, oldest first.
    pub streams: Vec<StreamStats>,
    /// Why H.264 streaming stopped, if the encoder failed.
    pub error: Option<String>,
}

/// A snapshot of the server's counters, from
/// [`MjpegServer::stats`](super::MjpegServer::stats).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ServerStats {
    /// The camera side.
    pub camera: CameraStats,
    /// Connections open now (within the client cap).
    pub open_connections: usize,
    /// Connections accepted within the cap since the start.
    pub connections: u64,
    /// Connections answered 503 because the cap was reached.
    pub rejected: u64,
    /// Requests answered 401 (missing or wrong credentials).
    pub unauthorized: u64,
    /// Requests answered 404 or 405.
    pub not_found: u64,
    /// Connections closed because the request head did not arrive in time
    /// (slow or idle clients).
    pub header_timeouts: u64,
    /// Connections closed because the client took no data for the write
    /// timeout (stalled clients).
    pub write_timeouts: u64,
    /// Snapshots served.
    pub snapshots: u64,
    /// Frames sent to stream clients, all streams since the start.
    pub frames_sent: u64,
    /// Frames skipped by stream clients, all streams since the start.
    pub frames_skipped: u64,
    /// Stream bytes sent, all streams since the start.
    pub bytes_sent: u64,
    /// The open `/stream.mjpg` streams, oldest first.
    pub streams: Vec<StreamStats>,
    /// The `/stream.mp4` side.
    pub mp4: Mp4Stats,
}

impl ServerStats {
    /// The snapshot as the JSON object `/stats.json` serves.
    ///
    /// ```
    /// use camreel::net::http::MjpegServer;
    /// let (server, _feed) = MjpegServer::builder().listen("127.0.0.1:0".parse().unwrap()).start_feed()?;
    /// let json = server.stats().to_json();
    /// assert!(json.starts_with("{\"camera\":{\"width\":0,"), "{json}");
    /// # server.shutdown()?;
    /// # Ok::<(), camreel::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        let c = &self.camera;
        let mut s = String::with_capacity(512 + 160 * self.streams.len());
        let nominal = c
            .nominal_fps
            .map_or_else(|| "null".to_owned(), |f| format!("{f:.3}"));
        let _ = write!(
            s,
            "{{\"camera\":{{\"width\":{},\"height\":{},\"frames\":{},\"encoded\":{},\"fps\":{:.3},\"nominal_fps\":{}}},",
            c.width, c.height, c.frames, c.encoded, c.fps, nominal
        );
        let _ = write!(
            s,
            "\"open_connections\":{},\"connections\":{},\"rejected\":{},\"unauthorized\":{},\"not_found\":{},\"header_timeouts\":{},\"write_timeouts\":{},\"snapshots\":{},",
            self.open_connections,
            self.connections,
            self.rejected,
            self.unauthorized,
            self.not_found,
            self.header_timeouts,
            self.write_timeouts,
            self.snapshots
        );
        let _ = write!(
            s,
            "\"frames_sent\":{},\"frames_skipped\":{},\"bytes_sent\":{},\"streams\":[",
            self.frames_sent, self.frames_skipped, self.bytes_sent
        );
        streams_json(&mut s, &self.streams);
        let m = &self.mp4;
        let _ = write!(
            s,
            "],\"mp4\":{{\"clients\":{},\"encoded\":{},\"key_frames\":{},\"encoder_skipped\":{},\"fragments\":{},\"frames_sent\":{},\"frames_skipped\":{},\"bytes_sent\":{},\"error\":",
            m.clients,
            m.encoded,
            m.key_frames,
            m.encoder_skipped,
            m.fragments,
            m.frames_sent,
            m.frames_skipped,
            m.bytes_sent
        );
        match &m.error {
            Some(e) => json_string(&mut s, e),
            None => s.push_str("null"),
        }
        s.push_str(",\"streams\":[");
        streams_json(&mut s, &m.streams);
        s.push_str("]}}");
        s
    }
}

fn streams_json(s: &mut String, streams: &[StreamStats]) {
    for (i, st) in streams.iter().enumerate() {
        let _ = write!(
            s,
            "{}{{\"id\":{},\"peer\":\"{}\",\"seconds\":{:.3},\"frames_sent\":{},\"frames_skipped\":{},\"bytes_sent\":{}}}",
            if i == 0 { "" } else { "," },
            st.id,
            st.peer,
            st.duration.as_secs_f64(),
            st.frames_sent,
            st.frames_skipped,
            st.bytes_sent
        );
    }
}

/// `text` as a JSON string.
fn json_string(s: &mut String, text: &str) {
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", u32::from(c));
            }
            c => s.push(c),
        }
    }
    s.push('"');
}

/// The live counters one server shares between its threads.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub width: AtomicU64,
    pub height: AtomicU64,
    pub frames: AtomicU64,
    pub encoded: AtomicU64,
    /// `f64` bits.
    pub fps: AtomicU64,
    /// `f64` bits; 0 for none.
    pub nominal_fps: AtomicU64,
    pub open: AtomicUsize,
    pub rejecting: AtomicUsize,
    pub connections: AtomicU64,
    pub rejected: AtomicU64,
    pub unauthorized: AtomicU64,
    pub not_found: AtomicU64,
    pub header_timeouts: AtomicU64,
    pub write_timeouts: AtomicU64,
    pub snapshots: AtomicU64,
    pub frames_sent: AtomicU64,
    pub frames_skipped: AtomicU64,
    pub bytes_sent: AtomicU64,
    pub mp4_encoded: AtomicU64,
    pub mp4_key_frames: AtomicU64,
    pub mp4_encoder_skipped: AtomicU64,
    pub mp4_fragments: AtomicU64,
    pub mp4_frames_sent: AtomicU64,
    pub mp4_frames_skipped: AtomicU64,
    pub mp4_bytes_sent: AtomicU64,
    pub mp4_error: Mutex<Option<String>>,
    next_stream: AtomicU64,
    streams: Mutex<BTreeMap<u64, Arc<StreamCounters>>>,
}

/// The counters of one open stream.
#[derive(Debug)]
pub(crate) struct StreamCounters {
    id: u64,
    peer: SocketAddr,
    /// A `/stream.mp4` stream (else `/stream.mjpg`).
    mp4: bool,
    started: Instant,
    frames_sent: AtomicU64,
    frames_skipped: AtomicU64,
    bytes_sent: AtomicU64,
}

/// Registers a stream while it lives; removes it when dropped.
#[derive(Debug)]
pub(crate) struct StreamGuard {
    counters: Arc<Counters>,
    stream: Arc<StreamCounters>,
}

impl StreamGuard {
    /// Counts a frame sent, `skipped` frames missed before it and `bytes`.
    pub fn sent(&self, skipped: u64, bytes: u64) {
        self.sent_frames(1, skipped, bytes);
    }

    /// Counts `frames` sent, `skipped` frames missed before them and
    /// `bytes`.
    pub fn sent_frames(&self, frames: u64, skipped: u64, bytes: u64) {
        let (c, s) = (&self.counters, &self.stream);
        s.frames_sent.fetch_add(frames, Relaxed);
        s.frames_skipped.fetch_add(skipped, Relaxed);
        s.bytes_sent.fetch_add(bytes, Relaxed);
        let (sent, skip, total) = if s.mp4 {
            (&c.mp4_frames_sent, &c.mp4_frames_skipped, &c.mp4_bytes_sent)
        } else {
            (&c.frames_sent, &c.frames_skipped, &c.bytes_sent)
        };
        sent.fetch_add(frames, Relaxed);
        skip.fetch_add(skipped, Relaxed);
        total.fetch_add(bytes, Relaxed);
    }

    /// Counts bytes that are not a frame (the closing boundary, the MP4
    /// init segment).
    pub fn sent_bytes(&self, bytes: u64) {
        let (c, s) = (&self.counters, &self.stream);
        s.bytes_sent.fetch_add(bytes, Relaxed);
        let total = if s.mp4 {
            &c.mp4_bytes_sent
        } else {
            &c.bytes_sent
        };
        total.fetch_add(bytes, Relaxed);
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        if let Ok(mut map) = self.counters.streams.lock() {
            map.remove(&self.stream.id);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Counters {
    /// Registers a new `/stream.mjpg` stream to `peer`.
    pub fn open_stream(self: &Arc<Self>, peer: SocketAddr) -> StreamGuard {
        self.open(peer, false)
    }

    /// Registers a new `/stream.mp4` stream to `peer`.
    #[cfg_attr(not(feature = "h264"), allow(dead_code))]
    pub fn open_mp4_stream(self: &Arc<Self>, peer: SocketAddr) -> StreamGuard {
        self.open(peer, true)
    }

    fn open(self: &Arc<Self>, peer: SocketAddr, mp4: bool) -> StreamGuard {
        let stream = Arc::new(StreamCounters {
            id: self.next_stream.fetch_add(1, Relaxed),
            peer,
            mp4,
            started: Instant::now(),
            frames_sent: AtomicU64::new(0),
            frames_skipped: AtomicU64::new(0),
            bytes_sent: AtomicU64::new(0),
        });
        lock(&self.streams).insert(stream.id, stream.clone());
        StreamGuard {
            counters: self.clone(),
            stream,
        }
    }

    /// Sets the measured frame rate.
    pub fn set_fps(&self, fps: f64) {
        self.fps.store(fps.to_bits(), Relaxed);
    }

    /// Reads everything into a [`ServerStats`].
    pub fn snapshot(&self) -> ServerStats {
        let get = |a: &AtomicU64| a.load(Relaxed);
        let nominal = f64::from_bits(get(&self.nominal_fps));
        let (mp4_streams, streams): (Vec<_>, Vec<_>) = lock(&self.streams)
            .values()
            .map(|s| {
                let stats = StreamStats {
                    id: s.id,
                    peer: s.peer,
                    duration: s.started.elapsed(),
                    frames_sent: get(&s.frames_sent),
                    frames_skipped: get(&s.frames_skipped),
                    bytes_sent: get(&s.bytes_sent),
                };
                (s.mp4, stats)
            })
            .partition(|(mp4, _)| *mp4);
        let streams = streams.into_iter().map(|(_, s)| s).collect();
        let mp4_streams: Vec<StreamStats> = mp4_streams.into_iter().map(|(_, s)| s).collect();
        ServerStats {
            camera: CameraStats {
                width: u32::try_from(get(&self.width)).unwrap_or(u32::MAX),
                height: u32::try_from(get(&self.height)).unwrap_or(u32::MAX),
                frames: get(&self.frames),
                encoded: get(&self.encoded),
                fps: f64::from_bits(get(&self.fps)),
                nominal_fps: (nominal > 0.0).then_some(nominal),
            },
            open_connections: self.open.load(Relaxed),
            connections: get(&self.connections),
            rejected: get(&self.rejected),
            unauthorized: get(&self.unauthorized),
            not_found: get(&self.not_found),
            header_timeouts: get(&self.header_timeouts),
            write_timeouts: get(&self.write_timeouts),
            snapshots: get(&self.snapshots),
            frames_sent: get(&self.frames_sent),
            frames_skipped: get(&self.frames_skipped),
            bytes_sent: get(&self.bytes_sent),
            streams,
            mp4: Mp4Stats {
                clients: mp4_streams.len(),
                encoded: get(&self.mp4_encoded),
                key_frames: get(&self.mp4_key_frames),
                encoder_skipped: get(&self.mp4_encoder_skipped),
                fragments: get(&self.mp4_fragments),
                frames_sent: get(&self.mp4_frames_sent),
                frames_skipped: get(&self.mp4_frames_skipped),
                bytes_sent: get(&self.mp4_bytes_sent),
                streams: mp4_streams,
                error: lock(&self.mp4_error).clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_register_count_and_leave() {
        let c = Arc::new(Counters::default());
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let a = c.open_stream(peer);
        let b = c.open_stream(peer);
        a.sent(0, 100);
        a.sent(2, 50);
        b.sent(1, 10);
        b.sent_bytes(5);
        let s = c.snapshot();
        assert_eq!(s.streams.len(), 2);
        assert_eq!(
            (
                s.streams[0].id,
                s.streams[0].frames_sent,
                s.streams[0].frames_skipped,
                s.streams[0].bytes_sent
            ),
            (0, 2, 2, 150)
        );
        assert_eq!((s.frames_sent, s.frames_skipped, s.bytes_sent), (3, 3, 165));
        drop(a);
        let s = c.snapshot();
        assert_eq!(s.streams.len(), 1);
        assert_eq!(s.streams[0].id, 1);
        // Totals keep what closed streams did.
        assert_eq!(s.frames_sent, 3);
    }

    #[test]
    fn json_shape() {
        let c = Arc::new(Counters::default());
        c.width.store(640, Relaxed);
        c.height.store(480, Relaxed);
        c.frames.store(10, Relaxed);
        c.set_fps(29.97);
        let _g = c.open_stream("127.0.0.1:9".parse().unwrap());
        let json = c.snapshot().to_json();
        assert!(
            json.starts_with(
                "{\"camera\":{\"width\":640,\"height\":480,\"frames\":10,\"encoded\":0,\"fps\":29.970,\"nominal_fps\":null},\"open_connections\":0,"
            ),
            "{json}"
        );
        assert!(
            json.contains("\"streams\":[{\"id\":0,\"peer\":\"127.0.0.1:9\",\"seconds\":"),
            "{json}"
        );
        assert!(
            json.ends_with(
                "\"frames_sent\":0,\"frames_skipped\":0,\"bytes_sent\":0}],\"mp4\":{\"clients\":0,\"encoded\":0,\"key_frames\":0,\"encoder_skipped\":0,\"fragments\":0,\"frames_sent\":0,\"frames_skipped\":0,\"bytes_sent\":0,\"error\":null,\"streams\":[]}}"
            ),
            "{json}"
        );
    }

    #[test]
    fn mp4_streams_count_apart() {
        let c = Arc::new(Counters::default());
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let mjpeg = c.open_stream(peer);
        let mp4 = c.open_mp4_stream(peer);
        mjpeg.sent(1, 100);
        mp4.sent_bytes(700);
        mp4.sent_frames(1, 0, 50);
        mp4.sent_frames(1, 29, 60);
        c.mp4_encoded.store(31, Relaxed);
        *lock(&c.mp4_error) = Some("frame 0: 3x3 \"odd\"\n".into());
        let s = c.snapshot();
        assert_eq!((s.frames_sent, s.frames_skipped, s.bytes_sent), (1, 1, 100));
        assert_eq!(s.streams.len(), 1);
        let m = &s.mp4;
        assert_eq!(
            (
                m.clients,
                m.encoded,
                m.frames_sent,
                m.frames_skipped,
                m.bytes_sent
            ),
            (1, 31, 2, 29, 810)
        );
        assert_eq!(m.streams[0].id, 1);
        let json = s.to_json();
        assert!(
            json.contains("\"error\":\"frame 0: 3x3 \\\"odd\\\"\\u000a\",\"streams\":[{\"id\":1,"),
            "{json}"
        );
        drop(mp4);
        assert_eq!(c.snapshot().mp4.clients, 0);
    }
}
