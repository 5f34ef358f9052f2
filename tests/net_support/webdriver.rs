//! A WebDriver client for headless Chromium driven by chromedriver on
//! 127.0.0.1, written from the W3C WebDriver spec over the small HTTP
//! client of [`super`]: start a session, open a URL, run a script, take a
//! screenshot. Real time, not `--virtual-time-budget`: live media loads in
//! real time, which a virtual clock does not wait for on a busy machine.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Running, have, request_with_body};
use camreel::codec::png;
use camreel::{Image, PixelFormat};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Whether chromium and chromedriver can run (`CAMREEL_REQUIRE_CHROMIUM=1`
/// makes their absence a failure).
pub fn have_chromium() -> bool {
    have(
        "chromium",
        Command::new(CHROMIUM).arg("--version"),
        "CAMREEL_REQUIRE_CHROMIUM",
    ) && have(
        "chromedriver",
        Command::new(CHROMEDRIVER).arg("--version"),
        "CAMREEL_REQUIRE_CHROMIUM",
    )
}

/// The value of `"key":"..."` in `json` (no escapes inside).
pub fn json_string<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":\"");
    let start = json.find(&pat)? + pat.len();
    let len = json[start..].find('"')?;
    Some(&json[start..start + len])
}

pub fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let clean: Vec<u8> = s.bytes().filter(|&c| c != b'=' && c != b'\\').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(value(c)) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// The RGB pixels of a `w` x `h` region at the top left of a screenshot.
pub fn region(shot: &Image, w: u32, h: u32) -> Vec<[u8; 3]> {
    let rgb = camreel::convert::convert(shot.view(), PixelFormat::Rgb888).unwrap();
    let stride = rgb.width() as usize * 3;
    let mut px = Vec::new();
    for y in 0..h as usize {
        for x in 0..w as usize {
            let i = y * stride + x * 3;
            px.push([rgb.data()[i], rgb.data()[i + 1], rgb.data()[i + 2]]);
        }
    }
    px
}

/// Checks that two screenshots a second apart show the synthetic camera's
/// live 320x240 picture at their top left: many colours, sky at the top,
/// and a picture that moved in between. Returns `a`'s pixels for more
/// checks.
pub fn assert_live_picture(a: &Image, b: &Image) -> Vec<[u8; 3]> {
    assert!(a.width() >= 320 && a.height() >= 240, "{:?}", a.size());
    let (pa, pb) = (region(a, 320, 240), region(b, 320, 240));
    // A picture, not an empty box: many colours, the sky above the ground.
    let mut colours: Vec<[u8; 3]> = pa.clone();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 1000, "{} colours", colours.len());
    let top = &pa[..320 * 40];
    assert!(mean(top, 2) > mean(top, 1) - 5.0, "the top should be sky");
    // A second later the picture moved.
    let changed = pa.iter().zip(&pb).filter(|(x, y)| x != y).count();
    assert!(
        changed > pa.len() / 10,
        "{changed} of {} pixels changed",
        pa.len()
    );
    pa
}

/// The mean of channel `c` over `px`.
pub fn mean(px: &[[u8; 3]], c: usize) -> f64 {
    px.iter().map(|p| f64::from(p[c])).sum::<f64>() / px.len() as f64
}

/// A chromedriver process and one browser session (both closed on drop).
pub struct Driver {
    _process: Running,
    pub addr: SocketAddr,
    pub session: String,
    _profile: tempfile::TempDir,
}

impl Driver {
    /// Starts chromedriver on a free loopback port and a headless Chromium
    /// session with `args` added to the usual ones.
    pub fn start(args: &[&str]) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let process = Running {
            child,
            addr,
            stdout: None,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut ready = false;
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(addr).is_ok()
                && request_with_body(addr, "GET", "/status", &[], None)
                    .is_ok_and(|r| r.status == 200)
            {
                ready = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(ready, "chromedriver did not start");
        let profile = tempfile::tempdir().unwrap();
        let mut all = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        let list: Vec<String> = all.iter().map(|a| format!("\"{a}\"")).collect();
        let caps = format!(
            r#"{{"capabilities":{{"alwaysMatch":{{"pageLoadStrategy":"eager","goog:chromeOptions":{{"binary":"{CHROMIUM}","args":[{}]}}}}}}}}"#,
            list.join(",")
        );
        let r = request_with_body(addr, "POST", "/session", &[], Some(&caps)).unwrap();
        let text = String::from_utf8_lossy(&r.body).into_owned();
        assert_eq!(r.status, 200, "{text}");
        let session = json_string(&text, "sessionId")
            .expect("session id")
            .to_owned();
        Driver {
            _process: process,
            addr,
            session,
            _profile: profile,
        }
    }

    /// A WebDriver command on the session (`path` after `/session/ID`).
    pub fn call(&self, method: &str, path: &str, body: Option<&str>) -> String {
        let path = format!("/session/{}{path}", self.session);
        let r = request_with_body(self.addr, method, &path, &[], body).unwrap();
        let text = String::from_utf8_lossy(&r.body).into_owned();
        assert_eq!(r.status, 200, "{method} {path}: {text}");
        text
    }

    /// Opens `url` in the window, which is `width` x `height`.
    pub fn open(&self, url: &str, width: u32, height: u32) {
        self.call(
            "POST",
            "/window/rect",
            Some(&format!(r#"{{"width":{width},"height":{height}}}"#)),
        );
        self.call("POST", "/url", Some(&format!(r#"{{"url":"{url}"}}"#)));
    }

    /// Runs `script` (a function body; no double quotes or backslashes)
    /// and returns the JSON reply.
    pub fn script(&self, script: &str) -> String {
        self.call(
            "POST",
            "/execute/sync",
            Some(&format!(r#"{{"script":"{script}","args":[]}}"#)),
        )
    }

    pub fn screenshot(&self) -> Image {
        let json = self.call("GET", "/screenshot", None);
        let b64 = json_string(&json, "value").expect("screenshot value");
        png::decode(&base64_decode(b64)).unwrap()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = request_with_body(
            self.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            &[],
            None,
        );
    }
}
