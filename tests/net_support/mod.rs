//! Helpers shared by the network tests (the library's here, the command
//! line's in cli/tests/cli/): external tools that may be missing,
//! subprocesses that print their address, and a small HTTP/1.1 client
//! (chunked bodies, multipart MJPEG parts) written from the RFCs so the
//! tests see exactly what goes over the wire. Only 127.0.0.1 is used.
#![allow(dead_code)]

pub mod webdriver;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether `check` (a command that must succeed) can run. Without it the
/// test is skipped with a printed reason, unless `env=1`, which makes the
/// missing tool a failure (CI sets it).
pub fn have(what: &str, check: &mut Command, env: &str) -> bool {
    let ok = check
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var(env).as_deref() == Ok("1") {
            panic!("{what} is required ({env}=1) but cannot be run");
        }
        eprintln!("skipped: {what} is not available (set {env}=1 to fail instead)");
    }
    ok
}

/// python3 with Pillow (`CAMREEL_REQUIRE_PYTHON`).
pub fn have_python() -> bool {
    have(
        "python3 with Pillow",
        Command::new("python3").args(["-c", "import PIL.Image"]),
        "CAMREEL_REQUIRE_PYTHON",
    )
}

/// ffmpeg or ffprobe (`CAMREEL_REQUIRE_FFMPEG`, as the AVI and GIF tests).
pub fn have_ffmpeg(tool: &str) -> bool {
    have(
        tool,
        Command::new(tool).arg("-version"),
        "CAMREEL_REQUIRE_FFMPEG",
    )
}

/// curl (`CAMREEL_REQUIRE_CURL`).
pub fn have_curl() -> bool {
    have(
        "curl",
        Command::new("curl").arg("--version"),
        "CAMREEL_REQUIRE_CURL",
    )
}

/// A child process killed when dropped (a failing test leaves no server behind).
pub struct Running {
    pub child: Child,
    pub addr: SocketAddr,
    /// The rest of stdout after the address line.
    pub stdout: Option<BufReader<std::process::ChildStdout>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Sends SIGTERM and waits (at most `limit`) for the process to exit.
    pub fn terminate(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        wait_exit(&mut self.child, limit)
    }

    /// Resident memory of the process in KiB (Linux `/proc`).
    pub fn rss_kib(&self) -> u64 {
        rss_kib(self.child.id())
    }
}

/// Waits at most `limit` for `child` to exit.
pub fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// `VmRSS` of process `pid` in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Starts `command` and reads the address from its first stdout line,
/// after `marker` (and an optional `http://`).
pub fn spawn_with_addr(command: &mut Command, marker: &str) -> Running {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("run camreel");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).expect("read camreel's first line");
    let rest = line
        .split_once(marker)
        .unwrap_or_else(|| panic!("expected {marker:?} in {line:?}"))
        .1;
    let addr = rest
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('/');
    Running {
        addr: addr
            .parse()
            .unwrap_or_else(|_| panic!("address in {line:?}")),
        child,
        stdout: Some(out),
    }
}

/// A response read to its end.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Connects with 5 s read and write timeouts.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// Reads a response head: status and headers.
pub fn read_head<R: BufRead>(r: &mut R) -> io::Result<(u16, Vec<(String, String)>)> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, format!("status line {line:?}"))
        })?;
    let mut headers = Vec::new();
    for _ in 0..100 {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            return Ok((status, headers));
        }
        if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "too many headers",
    ))
}

/// `GET path` with `extra` header lines, `Connection: close`, read to the end.
/// Waits (at most `limit`) until `f` holds.
pub fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    f()
}

/// A response head read off a stream that stays open: the reader, the
/// status and the headers.
pub type StreamHead = (BufReader<TcpStream>, u16, Vec<(String, String)>);

/// Sends `GET path` on `s` with `extra` header lines, keeping the
/// connection open (a stream), and reads the response head.
pub fn open_stream(
    mut s: TcpStream,
    addr: SocketAddr,
    path: &str,
    extra: &[&str],
) -> io::Result<StreamHead> {
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for h in extra {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    let mut r = BufReader::new(s);
    let (status, headers) = read_head(&mut r)?;
    Ok((r, status, headers))
}

pub fn get(addr: SocketAddr, path: &str, extra: &[&str]) -> io::Result<Response> {
    request(addr, "GET", path, extra)
}

pub fn request(addr: SocketAddr, method: &str, path: &str, extra: &[&str]) -> io::Result<Response> {
    request_with_body(addr, method, path, extra, None)
}

/// A request with an optional JSON `body`, read to the end.
pub fn request_with_body(
    addr: SocketAddr,
    method: &str,
    path: &str,
    extra: &[&str],
    body: Option<&str>,
) -> io::Result<Response> {
    let mut s = connect(addr);
    if body.is_some() {
        // WebDriver commands start a browser or wait for a page.
        s.set_read_timeout(Some(Duration::from_secs(60)))?;
    }
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for h in extra {
        req.push_str(h);
        req.push_str("\r\n");
    }
    if let Some(body) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body.unwrap_or(""));
    s.write_all(req.as_bytes())?;
    let mut r = BufReader::new(s);
    let (status, headers) = read_head(&mut r)?;
    let mut body = Vec::new();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    if method == "HEAD" {
    } else if chunked {
        Chunked::new(r).read_to_end(&mut body)?;
    } else if let Some(len) = length {
        body.resize(len, 0);
        r.read_exact(&mut body)?;
    } else {
        r.read_to_end(&mut body)?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// Reads a `Transfer-Encoding: chunked` body.
pub struct Chunked<R> {
    inner: R,
    left: usize,
    done: bool,
}

impl<R: BufRead> Chunked<R> {
    pub fn new(inner: R) -> Chunked<R> {
        Chunked {
            inner,
            left: 0,
            done: false,
        }
    }
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut line = String::new();
            self.inner.read_line(&mut line)?;
            if line.trim().is_empty() {
                // The CRLF after the previous chunk.
                line.clear();
                self.inner.read_line(&mut line)?;
            }
            if line.is_empty() {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let size = line.trim().split(';').next().unwrap_or("");
            self.left = usize::from_str_radix(size, 16).map_err(|_| {
                io::Error::new(io::ErrorKind::InvalidData, format!("chunk size {line:?}"))
            })?;
            if self.left == 0 {
                self.done = true;
                return Ok(0);
            }
        }
        let want = buf.len().min(self.left);
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.left -= n;
        Ok(n)
    }
}

/// One part of a multipart MJPEG stream.
#[derive(Debug)]
pub struct Part {
    pub headers: Vec<(String, String)>,
    pub jpeg: Vec<u8>,
}

/// A `/stream.mjpg` client that parses parts as they come.
pub struct MjpegClient {
    body: BufReader<Chunked<BufReader<TcpStream>>>,
    pub boundary: String,
    pub headers: Vec<(String, String)>,
    pub status: u16,
}

impl MjpegClient {
    /// Opens `/stream.mjpg` on `addr` with `extra` header lines.
    pub fn open(addr: SocketAddr, extra: &[&str]) -> io::Result<MjpegClient> {
        let (r, status, headers) = open_stream(connect(addr), addr, "/stream.mjpg", extra)?;
        let ct = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let boundary = ct
            .split_once("boundary=")
            .map(|(_, b)| b.trim().to_owned())
            .unwrap_or_default();
        Ok(MjpegClient {
            body: BufReader::new(Chunked::new(r)),
            boundary,
            headers,
            status,
        })
    }

    /// The next part, `None` after the closing boundary.
    pub fn next_part(&mut self) -> io::Result<Option<Part>> {
        let mut line = String::new();
        // Skip the CRLF that ends the previous part's payload.
        for _ in 0..3 {
            line.clear();
            if self.body.read_line(&mut line)? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            if !line.trim().is_empty() {
                break;
            }
        }
        let l = line.trim_end();
        if l == format!("--{}--", self.boundary) {
            return Ok(None);
        }
        if l != format!("--{}", self.boundary) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("expected the boundary, got {l:?}"),
            ));
        }
        let mut headers = Vec::new();
        for _ in 0..20 {
            line.clear();
            self.body.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((n, v)) = l.split_once(':') {
                headers.push((n.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, "part without Content-Length")
            })?;
        let mut jpeg = vec![0; len];
        self.body.read_exact(&mut jpeg)?;
        Ok(Some(Part { headers, jpeg }))
    }
}

impl Part {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A tiny JSON number lookup: the value after `"key":` in `json` (the
/// first occurrence).
pub fn json_number(json: &str, key: &str) -> Option<f64> {
    let pat = format!("\"{key}\":");
    let start = json.find(&pat)? + pat.len();
    let rest = &json[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}
