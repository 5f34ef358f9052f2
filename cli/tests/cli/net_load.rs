//! Load on `camreel serve`, on 127.0.0.1 only: 50 concurrent clients for
//! 10 s, one of which never reads. The camera keeps its rate, every reading
//! client gets what a lone client gets, the stalled client is dropped after
//! the timeout and the server's memory stays bounded. Every loop here is
//! bounded in count and time.
#![cfg(feature = "http")]

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use crate::net_support::{MjpegClient, connect, get, json_number, spawn_with_addr};
use crate::support::command;

/// Frames a reader may take at most (far above 15 fps for 10 s).
const MAX_PARTS: u64 = 2000;

fn stats(addr: SocketAddr) -> String {
    String::from_utf8(get(addr, "/stats.json", &[]).unwrap().body).unwrap()
}

fn camera_frames(addr: SocketAddr) -> f64 {
    json_number(&stats(addr), "frames").unwrap()
}

/// Reads parts until `stop`, counting those that arrive while `counting`.
fn reader(
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    counting: Arc<AtomicBool>,
    counted: Arc<AtomicU64>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut c = MjpegClient::open(addr, &[]).unwrap();
        assert_eq!(c.status, 200);
        let end = Instant::now() + Duration::from_secs(30);
        let mut parts = 0;
        while !stop.load(Relaxed) && Instant::now() < end && parts < MAX_PARTS {
            c.next_part().unwrap().unwrap();
            parts += 1;
            if counting.load(Relaxed) {
                counted.fetch_add(1, Relaxed);
            }
        }
    })
}

#[test]
fn fifty_clients_one_stalled() {
    // 160x120 at 15 fps: the capture stays well within one core even in a
    // debug build; quality 100 makes frames large enough (about 20 kB) to
    // fill the stalled client's buffers within a few seconds.
    let mut server = spawn_with_addr(
        command().args([
            "serve",
            "synthetic",
            "--listen",
            "127.0.0.1:0",
            "--size",
            "160x120",
            "--fps",
            "15",
            "--quality",
            "100",
            "--timeout",
            "2",
            "--max-clients",
            "64",
        ]),
        "http://",
    );
    let addr = server.addr;

    // A single client first: its rate and the camera's.
    let stop = Arc::new(AtomicBool::new(false));
    let counting = Arc::new(AtomicBool::new(false));
    let single = Arc::new(AtomicU64::new(0));
    let lone = reader(addr, stop.clone(), counting.clone(), single.clone());
    std::thread::sleep(Duration::from_secs(1));
    let (f0, t0) = (camera_frames(addr), Instant::now());
    counting.store(true, Relaxed);
    std::thread::sleep(Duration::from_secs(4));
    counting.store(false, Relaxed);
    let secs = t0.elapsed().as_secs_f64();
    let camera_single = (camera_frames(addr) - f0) / secs;
    let client_single = single.load(Relaxed) as f64 / secs;
    stop.store(true, Relaxed);
    lone.join().unwrap();
    let rss_single = server.rss_kib();
    assert!(camera_single > 13.0, "camera {camera_single:.1} fps");
    assert!(
        client_single > camera_single * 0.9,
        "client {client_single:.1} fps"
    );

    // Then 49 readers and one client that never reads.
    let stop = Arc::new(AtomicBool::new(false));
    let counting = Arc::new(AtomicBool::new(false));
    let counts: Vec<Arc<AtomicU64>> = (0..49).map(|_| Arc::new(AtomicU64::new(0))).collect();
    let readers: Vec<_> = counts
        .iter()
        .map(|c| reader(addr, stop.clone(), counting.clone(), c.clone()))
        .collect();
    let mut stalled = connect(addr);
    stalled
        .write_all(b"GET /stream.mjpg HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(1));
    let (f0, t0) = (camera_frames(addr), Instant::now());
    counting.store(true, Relaxed);
    let mut rss = Vec::new();
    let mut dropped_at = None;
    let mut open_streams = Vec::new();
    for _ in 0..9 {
        std::thread::sleep(Duration::from_secs(1));
        rss.push(server.rss_kib());
        let s = stats(addr);
        open_streams.push(s.matches("\"id\":").count());
        if dropped_at.is_none() && json_number(&s, "write_timeouts") == Some(1.0) {
            dropped_at = Some(start.elapsed());
        }
    }
    counting.store(false, Relaxed);
    let secs = t0.elapsed().as_secs_f64();
    let camera_loaded = (camera_frames(addr) - f0) / secs;
    stop.store(true, Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    let rates: Vec<f64> = counts
        .iter()
        .map(|c| c.load(Relaxed) as f64 / secs)
        .collect();
    let slowest = rates.iter().copied().fold(f64::INFINITY, f64::min);
    eprintln!(
        "single: camera {camera_single:.2} fps, client {client_single:.2} fps, rss {rss_single} KiB; \
         50 clients: camera {camera_loaded:.2} fps, slowest reader {slowest:.2} fps, \
         stalled dropped at {dropped_at:?}, rss {rss:?} KiB, open streams {open_streams:?}"
    );

    // The camera and every reader keep a lone client's rate (within 10%).
    assert!(
        (camera_loaded - camera_single).abs() <= camera_single * 0.1,
        "camera {camera_loaded:.2} vs {camera_single:.2}"
    );
    assert!(
        slowest >= client_single * 0.9,
        "slowest reader {slowest:.2} vs {client_single:.2}: {rates:?}"
    );
    // The stalled client was dropped, after the 2 s timeout, not before.
    let dropped_at = dropped_at.expect("the stalled client was never dropped");
    assert!(dropped_at >= Duration::from_secs(2), "{dropped_at:?}");
    assert_eq!(*open_streams.last().unwrap(), 49, "{open_streams:?}");
    stalled
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buffered = Vec::new();
    let _ = stalled.read_to_end(&mut buffered);
    // Memory: bounded, and flat while 50 clients are served.
    let max = *rss.iter().max().unwrap();
    assert!(
        max < rss_single + 32 * 1024,
        "rss {rss:?} KiB vs {rss_single} KiB with one client"
    );
    let late = &rss[4..];
    let spread = late.iter().max().unwrap() - late.iter().min().unwrap();
    assert!(spread < 4 * 1024, "rss still moving: {rss:?} KiB");

    let status = server
        .terminate(Duration::from_secs(10))
        .expect("serve exits");
    assert!(status.success());
}
