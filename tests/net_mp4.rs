//! `/stream.mp4`, the live fragmented MP4 of the server (features `http`
//! and `h264`), read by real clients on 127.0.0.1: ffprobe and ffmpeg
//! decode it, several clients share one encoder, a slow client skips whole
//! groups of pictures without slowing the others, and the route is guarded
//! like the others (auth, client cap, shutdown).
#![cfg(all(feature = "http", feature = "h264"))]

mod net_support;

use std::io::{self, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use camreel::Limits;
use camreel::camera::CameraSource;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::h264::{H264Settings, RateControl};
use camreel::mp4::{Mp4Demuxer, Mp4Reader};
use camreel::net::http::{Credentials, MjpegServer, MjpegServerBuilder};
use net_support::{Chunked, connect, eventually, get, have_ffmpeg, open_stream, request};

/// The tests compare rates: one at a time, so that they do not measure
/// each other.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

fn loopback() -> MjpegServerBuilder {
    MjpegServer::builder().listen("127.0.0.1:0".parse().unwrap())
}

fn camera(w: u32, h: u32, fps: f64) -> SyntheticCamera {
    SyntheticCamera::builder()
        .size(w, h)
        .fps(fps)
        .build()
        .unwrap()
}

/// Small, quick settings for the tests: one thread, a key frame every
/// `gop` frames.
fn h264(gop: u32) -> H264Settings {
    H264Settings::default().threads(1).intra_period(gop)
}

/// One fragment as a client received it.
#[derive(Debug, Clone)]
struct Fragment {
    sequence: u32,
    time: u64,
    key: bool,
    bytes: Vec<u8>,
}

impl Fragment {
    /// The `mdat` payload.
    fn samples(&self) -> &[u8] {
        let moof = u32::from_be_bytes(self.bytes[..4].try_into().unwrap()) as usize;
        &self.bytes[moof + 8..]
    }
}

/// A `/stream.mp4` client that reads the boxes as they come.
struct Mp4Client {
    body: BufReader<Chunked<BufReader<TcpStream>>>,
    status: u16,
    headers: Vec<(String, String)>,
    /// `ftyp` + `moov`.
    init: Vec<u8>,
}

impl Mp4Client {
    fn open(addr: SocketAddr, extra: &[&str]) -> io::Result<Mp4Client> {
        Mp4Client::open_with(connect(addr), addr, extra)
    }

    fn open_with(s: TcpStream, addr: SocketAddr, extra: &[&str]) -> io::Result<Mp4Client> {
        let (r, status, headers) = open_stream(s, addr, "/stream.mp4", extra)?;
        let mut c = Mp4Client {
            body: BufReader::new(Chunked::new(r)),
            status,
            headers,
            init: Vec::new(),
        };
        if status == 200 {
            for kind in [b"ftyp", b"moov"] {
                let b = c.next_box()?.ok_or(io::ErrorKind::UnexpectedEof)?;
                assert_eq!(&b[4..8], kind);
                c.init.extend_from_slice(&b);
            }
        }
        Ok(c)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The next top-level box, `None` at the end of the stream.
    fn next_box(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut head = [0u8; 8];
        match self.body.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let size = u32::from_be_bytes(head[..4].try_into().unwrap()) as usize;
        assert!((8..16 << 20).contains(&size), "box size {size}");
        let mut b = head.to_vec();
        b.resize(size, 0);
        self.body.read_exact(&mut b[8..])?;
        Ok(Some(b))
    }

    /// The next `moof` + `mdat`, `None` at the end of the stream.
    fn next_fragment(&mut self) -> io::Result<Option<Fragment>> {
        let Some(moof) = self.next_box()? else {
            return Ok(None);
        };
        assert_eq!(&moof[4..8], b"moof");
        let mdat = self.next_box()?.ok_or(io::ErrorKind::UnexpectedEof)?;
        assert_eq!(&mdat[4..8], b"mdat");
        let (sequence, time, key) = parse_moof(&moof);
        let mut bytes = moof;
        bytes.extend_from_slice(&mdat);
        Ok(Some(Fragment {
            sequence,
            time,
            key,
            bytes,
        }))
    }
}

/// The sequence number, decode time and first sample's key flag of a
/// `moof`, read from the bytes (ISO/IEC 14496-12 8.8).
fn parse_moof(moof: &[u8]) -> (u32, u64, bool) {
    let find = |kind: &[u8; 4]| moof.windows(4).position(|w| w == kind).unwrap() - 4;
    let u32_at = |at: usize| u32::from_be_bytes(moof[at..at + 4].try_into().unwrap());
    let sequence = u32_at(find(b"mfhd") + 12);
    let tfdt = find(b"tfdt");
    let time = if moof[tfdt + 8] == 1 {
        u64::from_be_bytes(moof[tfdt + 12..tfdt + 20].try_into().unwrap())
    } else {
        u64::from(u32_at(tfdt + 12))
    };
    let trun = find(b"trun");
    let flags = u32_at(trun + 8) & 0xff_ffff;
    let mut at = trun + 16; // after the sample count
    if flags & 0x1 != 0 {
        at += 4; // data offset
    }
    let sample_flags = if flags & 0x4 != 0 {
        u32_at(at)
    } else {
        at += 4 * [0x100, 0x200].iter().filter(|&&f| flags & f != 0).count();
        assert!(flags & 0x400 != 0, "no sample flags in trun {flags:x}");
        u32_at(at)
    };
    // sample_is_non_sync_sample is bit 16.
    (sequence, time, sample_flags & 0x0001_0000 == 0)
}

/// The received stream (`init` then `fragments`) decoded by camreel:
/// frames decoded and the first picture's size.
fn decode(init: &[u8], fragments: &[Fragment]) -> (u64, (u32, u32)) {
    let mut file = init.to_vec();
    for f in fragments {
        file.extend_from_slice(&f.bytes);
    }
    let demux = Mp4Demuxer::open(io::Cursor::new(&file), Limits::default()).unwrap();
    assert!(demux.damage().is_none(), "{:?}", demux.damage());
    assert_eq!(demux.samples().len(), fragments.len());
    assert!(demux.samples()[0].key);
    let mut reader = Mp4Reader::new(io::Cursor::new(file), Limits::default()).unwrap();
    let size = reader.size();
    let mut n = 0;
    while reader.next_frame().unwrap().is_some() {
        n += 1;
    }
    (n, size)
}

#[test]
fn ffprobe_and_ffmpeg_read_the_live_stream() {
    let _serial = serial();
    if !have_ffmpeg("ffprobe") || !have_ffmpeg("ffmpeg") {
        return;
    }
    let server = loopback()
        .h264_settings(h264(30))
        .start(camera(320, 240, 30.0))
        .unwrap();
    let url = format!("http://{}/stream.mp4", server.local_addr());
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-rw_timeout", "10000000", "-show_streams"])
        .args(["-of", "default=noprint_wrappers=1", &url])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&probe.stdout);
    assert!(
        probe.status.success(),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    for line in [
        "codec_name=h264",
        "width=320",
        "height=240",
        "start_time=0.000000",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
    // Three seconds of the stream decoded, with errors fatal.
    let started = Instant::now();
    let out = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-xerror",
            "-rw_timeout",
            "10000000",
            "-i",
            &url,
        ])
        .args(["-t", "3", "-f", "framecrc", "-"])
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.trim().is_empty(), "{stderr}");
    let frames: Vec<(u64, u64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            (f[1].parse().unwrap(), f[4].parse().unwrap())
        })
        .collect();
    eprintln!("ffmpeg decoded {} frames in {took:.2?}", frames.len());
    // A live stream: three seconds of it take about three seconds.
    assert!(took >= Duration::from_millis(2500), "{took:?}");
    assert!(frames.len() >= 20, "{} frames", frames.len());
    assert!(frames.iter().all(|&(_, size)| size == 320 * 240 * 3 / 2));
    assert!(frames.windows(2).all(|w| w[1].0 > w[0].0), "{frames:?}");
    let stats = server.stats();
    assert_eq!(stats.mp4.error, None);
    assert!(stats.mp4.frames_sent >= frames.len() as u64, "{stats:?}");
    server.shutdown().unwrap();
}

#[test]
fn every_mp4_client_gets_frames_encoded_once() {
    let _serial = serial();
    let server = loopback()
        .h264_settings(h264(15))
        .start(camera(160, 120, 30.0))
        .unwrap();
    let addr = server.local_addr();
    // Nothing is encoded while no one watches.
    std::thread::sleep(Duration::from_millis(300));
    assert!(server.stats().camera.frames > 0);
    assert_eq!(server.stats().mp4.encoded, 0);
    let clients: Vec<Mp4Client> = (0..4)
        .map(|_| Mp4Client::open(addr, &[]).unwrap())
        .collect();
    let readers: Vec<_> = clients
        .into_iter()
        .map(|mut c| {
            std::thread::spawn(move || {
                assert_eq!(c.status, 200);
                assert_eq!(c.header("Content-Type"), Some("video/mp4"));
                assert_eq!(c.header("Transfer-Encoding"), Some("chunked"));
                let fragments: Vec<Fragment> = (0..40)
                    .map(|_| c.next_fragment().unwrap().unwrap())
                    .collect();
                (c.init.clone(), fragments)
            })
        })
        .collect();
    let received: Vec<_> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    for (init, fragments) in &received {
        // Each stream starts at a key frame, at time 0, numbered from 1.
        assert!(fragments[0].key);
        assert_eq!(fragments[0].time, 0);
        let numbers: Vec<u32> = fragments.iter().map(|f| f.sequence).collect();
        assert_eq!(numbers, (1..=40).collect::<Vec<u32>>());
        assert!(fragments.windows(2).all(|w| w[1].time > w[0].time));
        assert_eq!(decode(init, fragments), (40, (160, 120)));
    }
    let stats = server.stats();
    eprintln!("{:?}", stats.mp4);
    let mp4 = &stats.mp4;
    assert_eq!(mp4.error, None);
    assert!(mp4.frames_sent >= 160, "{mp4:?}");
    // One encoder for the four: each camera frame encoded at most once,
    // and the four clients together got far more frames than were encoded.
    assert!(mp4.encoded <= stats.camera.frames, "{stats:?}");
    assert!(mp4.frames_sent >= 3 * mp4.encoded, "{mp4:?}");
    assert!(
        mp4.key_frames >= 1 && mp4.key_frames <= mp4.encoded / 10 + 4,
        "{mp4:?}"
    );
    // The clients left: the encoder stops.
    assert!(eventually(Duration::from_secs(5), || server
        .stats()
        .mp4
        .clients
        == 0));
    std::thread::sleep(Duration::from_millis(200));
    let idle = server.stats().mp4.encoded;
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(server.stats().mp4.encoded, idle);
    assert!(server.stats().camera.frames > stats.camera.frames);
    server.shutdown().unwrap();
}

#[test]
fn a_slow_mp4_client_skips_whole_groups_and_slows_no_one() {
    let _serial = serial();
    let server = loopback()
        .send_buffer(Some(16 * 1024))
        .h264_settings(h264(10).rate_control(RateControl::Quantizer(4)))
        .start(camera(160, 120, 30.0))
        .unwrap();
    let addr = server.local_addr();
    let window = Duration::from_secs(6);
    // A client that reads everything until told to stop.
    let fast_reader = |addr, stop: Arc<AtomicBool>| {
        let mut c = Mp4Client::open(addr, &[]).unwrap();
        std::thread::spawn(move || {
            let mut fragments = Vec::new();
            while !stop.load(Relaxed) {
                fragments.push(c.next_fragment().unwrap().unwrap());
            }
            fragments
        })
    };
    let snapshot = || (Instant::now(), server.stats());
    // The camera's rate with one fast client, then with a slow one too.
    let before = snapshot();
    let stop = Arc::new(AtomicBool::new(false));
    let alone = fast_reader(addr, stop.clone());
    std::thread::sleep(window);
    stop.store(true, Relaxed);
    let alone = alone.join().unwrap();
    let middle = snapshot();
    let stop = Arc::new(AtomicBool::new(false));
    let fast = fast_reader(addr, stop.clone());
    let mut slow = Mp4Client::open(addr, &[]).unwrap();
    let mut slow_fragments = Vec::new();
    let end = Instant::now() + window;
    while Instant::now() < end {
        // Ten fragments a second while the camera makes thirty.
        std::thread::sleep(Duration::from_millis(100));
        slow_fragments.push(slow.next_fragment().unwrap().unwrap());
    }
    let during = snapshot();
    // Both streams are open: the fast one connected first.
    let streams = &during.1.mp4.streams;
    assert_eq!(streams.len(), 2, "{:?}", during.1.mp4);
    let (fast_stream, slow_stream) = (streams[0].clone(), streams[1].clone());
    // Now take at once what the server had sent the slow client (most of
    // it still in the socket buffers): the server's jumps are in there.
    while (slow_fragments.len() as u64) < slow_stream.frames_sent {
        slow_fragments.push(slow.next_fragment().unwrap().unwrap());
    }
    let slow_init = slow.init.clone();
    drop(slow);
    // The fast client has every fragment the slow one got.
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Relaxed);
    let fast = fast.join().unwrap();

    type Snap = (Instant, camreel::net::http::ServerStats);
    let fps = |a: &Snap, b: &Snap| {
        (b.1.camera.frames - a.1.camera.frames) as f64 / (b.0 - a.0).as_secs_f64()
    };
    let (alone_fps, with_slow_fps) = (fps(&before, &middle), fps(&middle, &during));
    eprintln!(
        "camera {alone_fps:.1} fps with one client, {with_slow_fps:.1} fps with a slow one too; \
         fast client {} then {} fragments; slow client {} fragments, {} frames skipped",
        alone.len(),
        fast.len(),
        slow_fragments.len(),
        slow_stream.frames_skipped
    );
    // The camera and the fast client keep their pace: the fast client got
    // every fragment published while it read.
    assert!(
        with_slow_fps >= 0.85 * alone_fps,
        "{with_slow_fps} < {alone_fps}"
    );
    assert_eq!(fast_stream.frames_skipped, 0, "{:?}", during.1.mp4);
    let published = (during.1.mp4.fragments - middle.1.mp4.fragments) as f64;
    assert!(
        fast_stream.frames_sent as f64 >= 0.9 * published,
        "{fast_stream:?} of {published}"
    );
    // The slow client jumped ahead, always to a key frame. Its fragments
    // are found in the fast client's stream by their samples (the same
    // bytes go to every client), which tells where it jumped.
    let position: std::collections::HashMap<&[u8], usize> = fast
        .iter()
        .enumerate()
        .map(|(i, f)| (f.samples(), i))
        .collect();
    let at: Vec<usize> = slow_fragments
        .iter()
        .map(|f| position[f.samples()])
        .collect();
    let mut skipped = 0;
    for (w, f) in at.windows(2).zip(&slow_fragments[1..]) {
        assert!(w[1] > w[0], "{at:?}");
        if w[1] > w[0] + 1 {
            assert!(f.key, "a jump to a delta frame: {at:?}");
            skipped += w[1] - w[0] - 1;
        }
    }
    eprintln!(
        "slow client at {at:?}, {} bytes a fragment",
        during.1.mp4.bytes_sent / during.1.mp4.frames_sent.max(1)
    );
    assert!(skipped > 0, "{at:?}");
    assert_eq!(skipped as u64, slow_stream.frames_skipped, "{at:?}");
    assert!(at.len() < fast.len() / 2, "{} of {}", at.len(), fast.len());
    let (frames, size) = decode(&slow_init, &slow_fragments);
    assert_eq!((frames, size), (slow_fragments.len() as u64, (160, 120)));
    server.shutdown().unwrap();
}

#[test]
fn the_route_is_guarded_like_the_others() {
    let _serial = serial();
    let server = loopback()
        .credentials(Credentials::parse("viewer:secret").unwrap())
        .max_clients(2)
        .h264_settings(h264(30))
        .start(camera(64, 48, 30.0))
        .unwrap();
    let addr = server.local_addr();
    let good = "Authorization: Basic dmlld2VyOnNlY3JldA==";
    let r = get(addr, "/stream.mp4", &[]).unwrap();
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());
    assert_eq!(server.stats().mp4.encoded, 0);
    let head = request(addr, "HEAD", "/stream.mp4", &[good]).unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("Content-Type"), Some("video/mp4"));
    assert_eq!(head.header("Accept-Ranges"), Some("none"));
    assert_eq!(
        request(addr, "POST", "/stream.mp4", &[good])
            .unwrap()
            .status,
        405
    );
    // The page offers the video; the picture stays MJPEG by default.
    let page = String::from_utf8(get(addr, "/", &[good]).unwrap().body).unwrap();
    assert!(
        page.contains(r#"<img id="live" src="/stream.mjpg""#),
        "{page}"
    );
    assert!(page.contains(r#"href="/?view=mp4""#), "{page}");
    let video = String::from_utf8(get(addr, "/?view=mp4", &[good]).unwrap().body).unwrap();
    assert!(
        video.contains(r#"<video id="live" src="/stream.mp4" width="64" height="48""#),
        "{video}"
    );
    // MP4 clients count against the cap like any other.
    let mut a = Mp4Client::open(addr, &[good]).unwrap();
    let mut b = Mp4Client::open(addr, &[good]).unwrap();
    assert!(a.next_fragment().unwrap().unwrap().key);
    assert!(b.next_fragment().unwrap().unwrap().key);
    assert_eq!(get(addr, "/stream.mp4", &[good]).unwrap().status, 503);
    assert_eq!(server.stats().mp4.clients, 2);
    // Shutting down ends the streams: the chunked bodies close.
    let handle = server.shutdown_handle();
    handle.shutdown();
    let mut n = 0;
    while a.next_fragment().unwrap().is_some() {
        n += 1;
        assert!(n < 300, "the stream did not end");
    }
    server.wait().unwrap();
}

#[test]
fn a_stalled_mp4_client_is_dropped() {
    let _serial = serial();
    let server = loopback()
        .write_timeout(Duration::from_millis(800))
        .send_buffer(Some(16 * 1024))
        .h264_settings(h264(10).rate_control(RateControl::Quantizer(10)))
        .start(camera(160, 120, 30.0))
        .unwrap();
    let addr = server.local_addr();
    // Asks for the stream and never reads.
    let stalled = connect(addr);
    let mut s = stalled.try_clone().unwrap();
    write!(s, "GET /stream.mp4 HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut fast = Mp4Client::open(addr, &[]).unwrap();
    let end = Instant::now() + Duration::from_secs(20);
    while server.stats().write_timeouts == 0 && Instant::now() < end {
        fast.next_fragment().unwrap().unwrap();
    }
    assert_eq!(server.stats().write_timeouts, 1);
    assert!(eventually(Duration::from_secs(5), || server
        .stats()
        .mp4
        .clients
        == 1));
    fast.next_fragment().unwrap().unwrap();
    drop(stalled);
    server.shutdown().unwrap();
}

#[test]
fn frames_h264_cannot_take_make_the_route_unavailable_not_the_server() {
    let _serial = serial();
    // Odd sizes cannot be H.264 4:2:0; MJPEG goes on.
    let server = loopback().start(camera(97, 65, 30.0)).unwrap();
    let addr = server.local_addr();
    let first = get(addr, "/stream.mp4", &[]).unwrap();
    assert_eq!(first.status, 200);
    assert!(first.body.is_empty(), "{} bytes", first.body.len());
    let error = server.stats().mp4.error.unwrap();
    assert!(error.contains("even"), "{error}");
    let json = String::from_utf8(get(addr, "/stats.json", &[]).unwrap().body).unwrap();
    assert!(json.contains("\"error\":\"h.264 frame"), "{json}");
    let again = get(addr, "/stream.mp4", &[]).unwrap();
    assert_eq!(again.status, 503);
    assert_eq!(get(addr, "/snapshot.jpg", &[]).unwrap().status, 200);
    server.shutdown().unwrap();
}
