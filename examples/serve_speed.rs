//! How fast the MJPEG server delivers: the synthetic camera at 640x480
//! served to 1, 10 and 50 clients on 127.0.0.1, free-running (as fast as
//! frames can be rendered and encoded) and paced at 30 fps. Prints, per
//! case, the camera's rate, the rate each client received (mean and
//! slowest), and the CPU time of the server's own threads (the capture
//! thread that renders and encodes, and the HTTP thread) as a share of
//! one core.
//!
//! `cargo run --release --features http --example serve_speed [SECONDS]`
//! (add `turbojpeg` to the features to encode with libjpeg-turbo). Linux
//! only: CPU time is read from `/proc/self/task`.
//!
//! The clients run in this process too, on the same cores, as they would
//! on a small camera box serving itself; the synthetic camera's rendering
//! is part of the capture thread's time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use camreel::camera::synthetic::SyntheticCamera;
use camreel::net::http::MjpegServer;

/// The name and CPU time (user + system, seconds) in a `/proc/.../stat` line.
fn task_cpu(stat: &str) -> Option<(&str, f64)> {
    // "pid (comm) state ..." with utime and stime the 14th and 15th fields.
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // The kernel reports thread times in USER_HZ, 100 per second on Linux.
    Some((
        &stat[open + 1..close],
        (field(11) + field(12)) as f64 / 100.0,
    ))
}

/// CPU time of this process's threads whose name starts with `camreel-`
/// (the server's capture and HTTP threads), in seconds.
fn server_cpu() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("stat")).ok())
        .filter_map(|stat| {
            task_cpu(&stat).and_then(|(name, cpu)| name.starts_with("camreel-").then_some(cpu))
        })
        .sum()
}

/// CPU time of the calling thread, in seconds.
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| task_cpu(&s).map(|(_, cpu)| cpu))
        .unwrap_or(0.0)
}

/// CPU milliseconds the synthetic camera takes to render one 640x480 frame
/// (part of every capture below, not of serving).
fn render_cost() -> camreel::Result<f64> {
    use camreel::camera::CameraSource;
    let mut camera = SyntheticCamera::builder().size(640, 480).build()?;
    let (cpu0, t0) = (thread_cpu(), Instant::now());
    let mut frames = 0u32;
    while t0.elapsed() < Duration::from_secs(2) && frames < 100_000 {
        camera.next_frame()?;
        frames += 1;
    }
    Ok((thread_cpu() - cpu0) * 1000.0 / f64::from(frames))
}

/// Reads `/stream.mjpg` (HTTP/1.0: no chunked encoding) and counts parts
/// while `counting` is set, until `stop`.
fn client(
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    counting: Arc<AtomicBool>,
    parts: Arc<AtomicU64>,
) -> std::io::Result<()> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(b"GET /stream.mjpg HTTP/1.0\r\n\r\n")?;
    let mut r = BufReader::with_capacity(256 * 1024, s);
    let mut line = String::new();
    let mut jpeg = Vec::new();
    let mut len = 0usize;
    while !stop.load(Relaxed) {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.trim().parse().unwrap_or(0);
        } else if line == "\r\n" && len > 0 {
            jpeg.resize(len, 0);
            r.read_exact(&mut jpeg)?;
            len = 0;
            if counting.load(Relaxed) {
                parts.fetch_add(1, Relaxed);
            }
        }
    }
    Ok(())
}

fn run(clients: usize, fps: Option<f64>, seconds: f64) -> camreel::Result<()> {
    let mut camera = SyntheticCamera::builder().size(640, 480);
    if let Some(fps) = fps {
        camera = camera.fps(fps);
    }
    let server = MjpegServer::builder()
        .listen("127.0.0.1:0".parse().unwrap())
        .max_clients(clients + 8)
        .start(camera.build()?)?;
    let addr = server.local_addr();
    let stop = Arc::new(AtomicBool::new(false));
    let counting = Arc::new(AtomicBool::new(false));
    let counts: Vec<Arc<AtomicU64>> = (0..clients).map(|_| Arc::new(AtomicU64::new(0))).collect();
    let threads: Vec<_> = counts
        .iter()
        .map(|c| {
            let (stop, counting, c) = (stop.clone(), counting.clone(), c.clone());
            std::thread::spawn(move || client(addr, stop, counting, c))
        })
        .collect();
    // Warm up, then measure.
    std::thread::sleep(Duration::from_secs(1));
    let (frames0, cpu0, t0) = (server.stats().camera.frames, server_cpu(), Instant::now());
    counting.store(true, Relaxed);
    std::thread::sleep(Duration::from_secs_f64(seconds));
    counting.store(false, Relaxed);
    let secs = t0.elapsed().as_secs_f64();
    let stats = server.stats();
    let cpu = (server_cpu() - cpu0) / secs * 100.0;
    let camera_fps = (stats.camera.frames - frames0) as f64 / secs;
    let rates: Vec<f64> = counts
        .iter()
        .map(|c| c.load(Relaxed) as f64 / secs)
        .collect();
    let mean = rates.iter().sum::<f64>() / rates.len() as f64;
    let slowest = rates.iter().copied().fold(f64::INFINITY, f64::min);
    let kb = stats.bytes_sent as f64 / stats.frames_sent.max(1) as f64 / 1000.0;
    let ms_per_frame = cpu * 10.0 / camera_fps.max(1e-9);
    println!(
        "| {} | {clients} | {camera_fps:.1} | {mean:.1} | {slowest:.1} | {:.0} | {kb:.1} | {cpu:.0}% | {ms_per_frame:.2} | {:.2} |",
        fps.map_or("free".to_owned(), |f| format!("{f} fps")),
        mean * clients as f64,
        stats.camera.encoded as f64 / stats.camera.frames.max(1) as f64,
    );
    stop.store(true, Relaxed);
    server.shutdown()?;
    for t in threads {
        let _ = t.join();
    }
    Ok(())
}

fn main() -> camreel::Result<()> {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    println!(
        "640x480 synthetic camera, JPEG quality 85, encoder {}; {seconds} s per case",
        if cfg!(feature = "turbojpeg") {
            "libjpeg-turbo"
        } else {
            "jpeg-encoder"
        }
    );
    println!(
        "synthetic camera rendering alone: {:.2} CPU ms per frame",
        render_cost()?
    );
    println!(
        "| camera | clients | camera fps | client fps (mean) | client fps (slowest) | frames/s delivered | kB/frame | server CPU (one core = 100%) | server CPU ms per frame | encodes per frame |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for fps in [None, Some(30.0)] {
        for clients in [1, 10, 50] {
            run(clients, fps, seconds)?;
        }
    }
    Ok(())
}
