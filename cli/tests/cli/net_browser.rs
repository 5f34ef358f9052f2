//! A real browser on the page: headless Chromium, driven by chromedriver
//! over WebDriver on 127.0.0.1, loads `/` from `camreel serve`; two
//! screenshots a second apart both show the picture, and it moved (the
//! synthetic scene pans). Skipped without chromium and chromedriver unless
//! `CAMREEL_REQUIRE_CHROMIUM=1`.
#![cfg(feature = "http")]

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::net_support::{Running, have, request_with_body, spawn_with_addr};
use crate::support::command;
use camreel::codec::png;
use camreel::{Image, PixelFormat};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The value of `"key":"..."` in `json` (no escapes inside).
fn json_string<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":\"");
    let start = json.find(&pat)? + pat.len();
    let len = json[start..].find('"')?;
    Some(&json[start..start + len])
}

fn base64_decode(s: &str) -> Vec<u8> {
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
fn region(shot: &Image, w: u32, h: u32) -> Vec<[u8; 3]> {
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

struct Driver {
    _process: Running,
    addr: SocketAddr,
    session: String,
}

impl Driver {
    fn call(&self, method: &str, path: &str, body: Option<&str>) -> String {
        let r = request_with_body(self.addr, method, path, &[], body).unwrap();
        let text = String::from_utf8_lossy(&r.body).into_owned();
        assert_eq!(r.status, 200, "{method} {path}: {text}");
        text
    }

    fn screenshot(&self) -> Image {
        let json = self.call(
            "GET",
            &format!("/session/{}/screenshot", self.session),
            None,
        );
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

#[test]
fn chromium_shows_the_live_picture() {
    if !have(
        "chromium",
        Command::new(CHROMIUM).arg("--version"),
        "CAMREEL_REQUIRE_CHROMIUM",
    ) || !have(
        "chromedriver",
        Command::new(CHROMEDRIVER).arg("--version"),
        "CAMREEL_REQUIRE_CHROMIUM",
    ) {
        return;
    }
    let server = spawn_with_addr(
        command().args([
            "serve",
            "synthetic",
            "--listen",
            "127.0.0.1:0",
            "--size",
            "320x240",
        ]),
        "http://",
    );
    // chromedriver on a free loopback port.
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
    let mut ready = false;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if std::net::TcpStream::connect(addr).is_ok()
            && request_with_body(addr, "GET", "/status", &[], None).is_ok_and(|r| r.status == 200)
        {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(ready, "chromedriver did not start");
    let profile = tempfile::tempdir().unwrap();
    let caps = format!(
        r#"{{"capabilities":{{"alwaysMatch":{{"pageLoadStrategy":"eager","goog:chromeOptions":{{"binary":"{CHROMIUM}","args":["--headless","--no-sandbox","--disable-gpu","--disable-quic","--no-first-run","--disable-background-networking","--disable-component-update","--disable-sync","--window-size=480,360","--user-data-dir={}"]}}}}}}}}"#,
        profile.path().display()
    );
    let r = request_with_body(addr, "POST", "/session", &[], Some(&caps)).unwrap();
    let text = String::from_utf8_lossy(&r.body).into_owned();
    assert_eq!(r.status, 200, "{text}");
    let session = json_string(&text, "sessionId")
        .expect("session id")
        .to_owned();
    let driver = Driver {
        _process: process,
        addr,
        session,
    };

    driver.call(
        "POST",
        &format!("/session/{}/window/rect", driver.session),
        Some(r#"{"width":800,"height":700}"#),
    );
    let url = format!(r#"{{"url":"http://{}/"}}"#, server.addr);
    driver.call(
        "POST",
        &format!("/session/{}/url", driver.session),
        Some(&url),
    );
    let title = driver.call("GET", &format!("/session/{}/title", driver.session), None);
    assert_eq!(json_string(&title, "value"), Some("camreel live"));

    // The stream has rendered once the image reports its natural size.
    let script = r#"{"script":"const i = document.getElementById('live'); return i.complete + ',' + i.naturalWidth;","args":[]}"#;
    let mut shown = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        shown = driver.call(
            "POST",
            &format!("/session/{}/execute/sync", driver.session),
            Some(script),
        );
        if shown.contains("320") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(shown.contains("320"), "{shown}");
    std::thread::sleep(Duration::from_millis(500));
    let a = driver.screenshot();
    std::thread::sleep(Duration::from_secs(1));
    let b = driver.screenshot();
    assert!(a.width() >= 320 && a.height() >= 240, "{:?}", a.size());

    let (pa, pb) = (region(&a, 320, 240), region(&b, 320, 240));
    // A picture, not an empty box: many colours, the sky above the ground.
    let mut colours: Vec<[u8; 3]> = pa.clone();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 1000, "{} colours", colours.len());
    let mean = |px: &[[u8; 3]], c: usize| {
        px.iter().map(|p| f64::from(p[c])).sum::<f64>() / px.len() as f64
    };
    let top = &pa[..320 * 40];
    assert!(mean(top, 2) > mean(top, 1) - 5.0, "the top should be sky");
    // A second later the picture moved.
    let changed = pa.iter().zip(&pb).filter(|(x, y)| x != y).count();
    assert!(
        changed > pa.len() / 10,
        "{changed} of {} pixels changed",
        pa.len()
    );
}
