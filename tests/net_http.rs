//! The MJPEG server as a library, driven by real HTTP clients on 127.0.0.1:
//! routes, one encode per frame, newest-frame delivery, authentication, the
//! client cap, timeouts and graceful shutdown.
#![cfg(feature = "http")]

mod net_support;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use camreel::PixelFormat;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::codec::jpeg;
use camreel::net::http::{Credentials, MjpegServer, MjpegServerBuilder};
use net_support::{MjpegClient, connect, eventually, get, json_number, request};

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

#[test]
fn every_client_gets_frames_encoded_once() {
    let server = loopback().start(camera(160, 120, 60.0)).unwrap();
    let addr = server.local_addr();
    let readers: Vec<_> = (0..5)
        .map(|_| {
            std::thread::spawn(move || {
                let mut c = MjpegClient::open(addr, &[]).unwrap();
                assert_eq!(c.status, 200);
                assert!(c.boundary.starts_with("camreel-"), "{}", c.boundary);
                let mut last = None;
                for _ in 0..20 {
                    let part = c.next_part().unwrap().unwrap();
                    assert_eq!(part.header("Content-Type"), Some("image/jpeg"));
                    assert_eq!(jpeg::dimensions(&part.jpeg).unwrap(), (160, 120));
                    let seq: u64 = part.header("X-Frame-Sequence").unwrap().parse().unwrap();
                    assert!(last.is_none_or(|l| seq > l), "{seq} after {last:?}");
                    last = Some(seq);
                }
                jpeg::decode(&c.next_part().unwrap().unwrap().jpeg).unwrap();
            })
        })
        .collect();
    for r in readers {
        r.join().unwrap();
    }
    let stats = server.stats();
    // One encode per published frame, five clients or not.
    assert!(stats.camera.frames >= 21, "{stats:?}");
    assert_eq!(stats.camera.encoded, stats.camera.frames);
    assert!(stats.frames_sent >= 5 * 21, "{stats:?}");
    assert_eq!((stats.camera.width, stats.camera.height), (160, 120));
    assert_eq!(stats.camera.nominal_fps, Some(60.0));
    server.shutdown().unwrap();
}

#[test]
fn jpeg_frames_pass_through_without_encoding() {
    let cam = SyntheticCamera::builder()
        .size(64, 48)
        .format(PixelFormat::Jpeg)
        .fps(100.0)
        .build()
        .unwrap();
    let server = loopback().start(cam).unwrap();
    let mut c = MjpegClient::open(server.local_addr(), &[]).unwrap();
    for _ in 0..5 {
        c.next_part().unwrap().unwrap();
    }
    let stats = server.stats();
    assert!(stats.camera.frames >= 5);
    assert_eq!(stats.camera.encoded, 0);
    server.shutdown().unwrap();
}

#[test]
fn fixed_routes_and_nothing_else() {
    let server = loopback().start(camera(96, 64, 30.0)).unwrap();
    let addr = server.local_addr();

    let page = get(addr, "/", &[]).unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains(r#"src="/stream.mjpg""#), "{html}");
    assert!(html.contains(r#"href="/snapshot.jpg""#), "{html}");
    assert!(html.contains("96x64"), "{html}");
    assert!(html.contains("30.0 fps"), "{html}");

    let snap = get(addr, "/snapshot.jpg", &[]).unwrap();
    assert_eq!(snap.status, 200);
    assert_eq!(snap.header("Content-Type"), Some("image/jpeg"));
    assert_eq!(
        snap.header("Content-Length"),
        Some(snap.body.len().to_string().as_str())
    );
    assert_eq!(jpeg::decode(&snap.body).unwrap().size(), (96, 64));

    let head = request(addr, "HEAD", "/snapshot.jpg", &[]).unwrap();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());

    let stats = get(addr, "/stats.json", &[]).unwrap();
    assert_eq!(stats.header("Content-Type"), Some("application/json"));
    let json = String::from_utf8(stats.body).unwrap();
    assert_eq!(json_number(&json, "width"), Some(96.0), "{json}");
    assert_eq!(json_number(&json, "snapshots"), Some(2.0), "{json}");

    for path in [
        "/index.htm",
        "/stream.mjpg/x",
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/src/lib.rs",
        "/etc/passwd",
        // A route only with the `h264` feature (net_mp4.rs tests it there).
        #[cfg(not(feature = "h264"))]
        "/stream.mp4",
    ] {
        let r = get(addr, path, &[]).unwrap();
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.body, b"not found\n", "{path}");
    }
    let r = request(addr, "POST", "/snapshot.jpg", &["Content-Length: 0"]).unwrap();
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("GET, HEAD"));
    let not_found = if cfg!(feature = "h264") { 7 } else { 8 };
    assert_eq!(server.stats().not_found, not_found);
    server.shutdown().unwrap();
}

#[test]
fn credentials_are_required_and_leak_nothing() {
    let server = loopback()
        .credentials(Credentials::parse("viewer:correct horse").unwrap())
        .start(camera(64, 48, 30.0))
        .unwrap();
    let addr = server.local_addr();
    // "viewer:correct horse" and "viewer:wrong"
    let good = "Authorization: Basic dmlld2VyOmNvcnJlY3QgaG9yc2U=";
    let wrong = "Authorization: Basic dmlld2VyOndyb25n";
    for path in ["/", "/stream.mjpg", "/snapshot.jpg", "/stats.json", "/nope"] {
        for extra in [&[][..], &[wrong][..], &["Authorization: Bearer x"][..]] {
            let r = get(addr, path, extra).unwrap();
            assert_eq!(r.status, 401, "{path} {extra:?}");
            assert!(r.body.is_empty(), "{path}: {:?}", r.body);
            assert_eq!(r.header("Content-Length"), Some("0"));
            assert_eq!(
                r.header("WWW-Authenticate"),
                Some("Basic realm=\"camreel\", charset=\"UTF-8\"")
            );
        }
    }
    assert_eq!(get(addr, "/", &[good]).unwrap().status, 200);
    let snap = get(addr, "/snapshot.jpg", &[good]).unwrap();
    jpeg::decode(&snap.body).unwrap();
    let mut c = MjpegClient::open(addr, &[good]).unwrap();
    assert_eq!(c.status, 200);
    c.next_part().unwrap().unwrap();
    assert_eq!(server.stats().unauthorized, 15);
    server.shutdown().unwrap();
}

#[test]
fn loopback_only_unless_protected() {
    let e = MjpegServer::builder()
        .listen("0.0.0.0:0".parse().unwrap())
        .start_feed()
        .unwrap_err();
    assert_eq!(e.kind(), camreel::ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("without credentials"), "{e}");
}

#[test]
fn clients_over_the_cap_get_503() {
    let server = loopback()
        .max_clients(2)
        .start(camera(64, 48, 30.0))
        .unwrap();
    let addr = server.local_addr();
    let mut a = MjpegClient::open(addr, &[]).unwrap();
    let mut b = MjpegClient::open(addr, &[]).unwrap();
    a.next_part().unwrap().unwrap();
    b.next_part().unwrap().unwrap();
    let r = get(addr, "/", &[]).unwrap();
    assert_eq!(r.status, 503);
    assert!(r.body.is_empty());
    assert_eq!(r.header("Retry-After"), Some("5"));
    assert_eq!(server.stats().rejected, 1);
    drop(a);
    // The slot comes back once the server notices the client left.
    assert!(eventually(Duration::from_secs(5), || {
        get(addr, "/", &[])
            .map(|r| r.status == 200)
            .unwrap_or(false)
    }));
    b.next_part().unwrap().unwrap();
    server.shutdown().unwrap();
}

#[test]
fn slow_headers_are_cut_after_the_timeout() {
    let server = loopback()
        .max_clients(1)
        .header_timeout(Duration::from_millis(600))
        .start(camera(64, 48, 30.0))
        .unwrap();
    let addr = server.local_addr();
    let mut s = connect(addr);
    let start = Instant::now();
    s.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    // One header byte every 100 ms: never a whole head.
    let mut cut = None;
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(100));
        if s.write_all(b"X").is_err() {
            cut = Some(start.elapsed());
            break;
        }
        s.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 512];
        let closed = s.read(&mut buf).is_ok();
        s.set_nonblocking(false).unwrap();
        if closed {
            cut = Some(start.elapsed());
            break;
        }
    }
    let cut = cut.expect("the slow client was never cut");
    assert!(cut >= Duration::from_millis(600), "{cut:?}");
    assert!(cut < Duration::from_millis(2500), "{cut:?}");
    assert!(eventually(Duration::from_secs(2), || server
        .stats()
        .header_timeouts
        == 1));
    // Its slot is free again.
    assert_eq!(get(addr, "/", &[]).unwrap().status, 200);
    // An idle keep-alive connection is closed after the same timeout.
    let mut idle = connect(addr);
    let start = Instant::now();
    let mut buf = [0u8; 64];
    assert_eq!(idle.read(&mut buf).unwrap_or(0), 0);
    assert!(start.elapsed() < Duration::from_millis(2500));
    server.shutdown().unwrap();
}

#[test]
fn a_stalled_client_is_dropped_and_slows_no_one() {
    let server = loopback()
        .write_timeout(Duration::from_millis(800))
        .send_buffer(Some(16 * 1024))
        .start(camera(160, 120, 20.0))
        .unwrap();
    let addr = server.local_addr();
    // Opens the stream and never reads.
    let mut stalled = connect(addr);
    stalled
        .write_all(b"GET /stream.mjpg HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut reader = MjpegClient::open(addr, &[]).unwrap();
    let start = Instant::now();
    let mut frames = 0;
    let mut dropped_after = None;
    while start.elapsed() < Duration::from_secs(6) {
        reader.next_part().unwrap().unwrap();
        frames += 1;
        if dropped_after.is_none() && server.stats().write_timeouts == 1 {
            dropped_after = Some(start.elapsed());
        }
    }
    let fps = frames as f64 / start.elapsed().as_secs_f64();
    let stats = server.stats();
    // The camera kept its pace and the reader got it (a busy test machine
    // may make the reader itself miss the odd frame).
    assert!(stats.camera.fps > 18.0, "{stats:?}");
    assert!(fps > 18.0, "the reader got {fps:.1} fps");
    assert_eq!(stats.streams.len(), 1, "{stats:?}");
    let reader = &stats.streams[0];
    assert!(
        reader.frames_skipped * 20 <= reader.frames_sent,
        "{stats:?}"
    );
    assert_eq!(stats.write_timeouts, 1, "{stats:?}");
    let dropped_after = dropped_after.unwrap();
    assert!(
        dropped_after > Duration::from_millis(800),
        "{dropped_after:?}"
    );
    // The stalled client's socket is closed by the server.
    stalled
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut sink = Vec::new();
    let _ = stalled.read_to_end(&mut sink);
    server.shutdown().unwrap();
}

#[test]
fn shutdown_ends_streams_cleanly() {
    let server = loopback().start(camera(64, 48, 30.0)).unwrap();
    let addr = server.local_addr();
    let mut c = MjpegClient::open(addr, &[]).unwrap();
    c.next_part().unwrap().unwrap();
    let handle = server.shutdown_handle();
    let start = Instant::now();
    handle.shutdown();
    // The client reads the frames in flight, then the closing boundary.
    let mut parts = 0;
    while c.next_part().unwrap().is_some() {
        parts += 1;
        assert!(parts < 10);
    }
    server.wait().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
}

#[test]
fn the_end_of_the_source_stops_the_server() {
    let cam = SyntheticCamera::builder()
        .size(32, 24)
        .fps(50.0)
        .frame_limit(25)
        .build()
        .unwrap();
    let server = loopback().start(cam).unwrap();
    let mut c = MjpegClient::open(server.local_addr(), &[]).unwrap();
    let mut parts = 0;
    while c.next_part().unwrap().is_some() {
        parts += 1;
        assert!(parts <= 25);
    }
    assert!(parts >= 1);
    let addr: SocketAddr = server.local_addr();
    server.wait().unwrap();
    assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
}

#[test]
fn a_slow_client_skips_to_the_newest_frame() {
    let server = loopback()
        .send_buffer(Some(8 * 1024))
        .quality(100)
        .start(camera(160, 120, 30.0))
        .unwrap();
    let addr = server.local_addr();
    let mut fast = MjpegClient::open(addr, &[]).unwrap();
    let fast_reader = std::thread::spawn(move || {
        let mut seqs = Vec::new();
        for _ in 0..60 {
            let part = fast.next_part().unwrap().unwrap();
            seqs.push(
                part.header("X-Frame-Sequence")
                    .unwrap()
                    .parse::<u64>()
                    .unwrap(),
            );
        }
        seqs
    });
    let mut slow = MjpegClient::open(addr, &[]).unwrap();
    let mut seqs = Vec::new();
    // Three frames a second while the camera makes thirty: the frames
    // already in the socket buffers come first, then the jumps.
    for _ in 0..30 {
        std::thread::sleep(Duration::from_millis(150));
        let part = slow.next_part().unwrap().unwrap();
        seqs.push(
            part.header("X-Frame-Sequence")
                .unwrap()
                .parse::<u64>()
                .unwrap(),
        );
    }
    // It moved forward in jumps, keeping up with the camera (the frames in
    // between are the ones the socket buffers could take at once).
    assert!(seqs.windows(2).all(|w| w[1] > w[0]), "{seqs:?}");
    let gaps: u64 = seqs.windows(2).map(|w| w[1] - w[0] - 1).sum();
    assert!(
        seqs.windows(2).filter(|w| w[1] > w[0] + 1).count() >= 3,
        "{seqs:?}"
    );
    assert!(seqs[29] >= 60, "{seqs:?}");
    // The fast client saw (nearly: a busy test machine may starve the
    // server thread for a frame) every frame.
    let fast_seqs = fast_reader.join().unwrap();
    let fast_skipped: u64 = fast_seqs.windows(2).map(|w| w[1] - w[0] - 1).sum();
    assert!(fast_skipped <= 3, "{fast_seqs:?}");
    let stats = server.stats();
    let slow_stats = stats
        .streams
        .iter()
        .max_by_key(|s| s.frames_skipped)
        .unwrap();
    assert!(slow_stats.frames_skipped >= gaps, "{gaps} {stats:?}");
    assert!(
        stats.frames_skipped >= slow_stats.frames_skipped + fast_skipped,
        "{stats:?}"
    );
    server.shutdown().unwrap();
}
