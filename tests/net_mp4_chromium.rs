//! A real browser plays `/stream.mp4`: headless Chromium, driven by
//! chromedriver on 127.0.0.1, opens the server's page, follows its link to
//! the `<video>` variant, and the video plays live (its `currentTime`
//! advances with the clock, two screenshots a second apart show the moving
//! picture). Skipped without chromium and chromedriver unless
//! `CAMREEL_REQUIRE_CHROMIUM=1`.
#![cfg(all(feature = "http", feature = "h264"))]

mod net_support;

use std::time::{Duration, Instant};

use camreel::camera::synthetic::SyntheticCamera;
use camreel::h264::H264Settings;
use camreel::net::http::MjpegServer;
use net_support::webdriver::{Driver, assert_live_picture, have_chromium, json_string, mean};

/// The video's state as `t=..;state=..;w=..;err=..` (see [`STATE`]).
const STATE: &str = "const v = document.getElementById('live'); if (!v || v.tagName !== 'VIDEO') return 'none'; return 't=' + v.currentTime + ';state=' + v.readyState + ';w=' + v.videoWidth + ';err=' + (v.error ? v.error.code : 0) + ';paused=' + v.paused;";

/// A field of the state string.
fn field(state: &str, name: &str) -> Option<f64> {
    state
        .split(';')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
}

#[test]
fn chromium_plays_the_live_mp4() {
    if !have_chromium() {
        return;
    }
    let camera = SyntheticCamera::builder()
        .size(320, 240)
        .fps(30.0)
        .build()
        .unwrap();
    let server = MjpegServer::builder()
        .listen("127.0.0.1:0".parse().unwrap())
        .h264_settings(H264Settings::default().threads(1))
        .start(camera)
        .unwrap();
    let driver = Driver::start(&["--autoplay-policy=no-user-gesture-required"]);
    driver.open(&format!("http://{}/", server.local_addr()), 800, 700);
    let title = driver.call("GET", "/title", None);
    assert_eq!(json_string(&title, "value"), Some("camreel live"));
    // The MJPEG picture is the default; the page links to the video.
    let tag = driver.script("return document.getElementById('live').tagName;");
    assert_eq!(json_string(&tag, "value"), Some("IMG"));
    driver.script("document.querySelector('a[href*=view]').click(); return 1;");

    // Playing: the first picture is decoded and the clock runs.
    let mut state = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        state = json_string(&driver.script(STATE), "value")
            .unwrap_or_default()
            .to_owned();
        if field(&state, "w") == Some(320.0)
            && field(&state, "state").is_some_and(|s| s >= 2.0)
            && field(&state, "t").is_some_and(|t| t > 0.0)
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("video: {state}");
    assert_eq!(field(&state, "err"), Some(0.0), "{state}");
    assert_eq!(field(&state, "w"), Some(320.0), "{state}");
    let t0 = field(&state, "t").unwrap();
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(2));
    let later = json_string(&driver.script(STATE), "value")
        .unwrap_or_default()
        .to_owned();
    let (t1, wall) = (field(&later, "t").unwrap(), started.elapsed());
    eprintln!("video: {later}; {:.3} s of video in {wall:.3?}", t1 - t0);
    assert_eq!(field(&later, "err"), Some(0.0), "{later}");
    // Live: the video time keeps up with the clock (within what a busy
    // machine and a catch-up rate of 1.25 allow).
    assert!(
        t1 - t0 >= 0.5 * wall.as_secs_f64() && t1 - t0 <= 1.5 * wall.as_secs_f64(),
        "{t0} -> {t1} in {wall:?}"
    );

    let a = driver.screenshot();
    std::thread::sleep(Duration::from_secs(1));
    let b = driver.screenshot();
    let pa = assert_live_picture(&a, &b);
    let bottom = &pa[320 * 200..];
    assert!(
        mean(bottom, 1) > mean(bottom, 2),
        "the bottom should be grass"
    );
    let stats = server.stats();
    assert_eq!(stats.mp4.error, None);
    assert!(stats.mp4.clients >= 1, "{:?}", stats.mp4);
    assert!(stats.mp4.frames_sent >= 60, "{:?}", stats.mp4);
    drop(driver);
    server.shutdown().unwrap();
}
