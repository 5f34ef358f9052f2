//! A real browser on the page: headless Chromium, driven by chromedriver
//! over WebDriver on 127.0.0.1, loads `/` from `camreel serve`; two
//! screenshots a second apart both show the picture, and it moved (the
//! synthetic scene pans). Skipped without chromium and chromedriver unless
//! `CAMREEL_REQUIRE_CHROMIUM=1`.
#![cfg(feature = "http")]

use std::time::Duration;

use crate::net_support::spawn_with_addr;
use crate::net_support::webdriver::{Driver, assert_live_picture, have_chromium, json_string};
use crate::support::command;

#[test]
fn chromium_shows_the_live_picture() {
    if !have_chromium() {
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
    let driver = Driver::start(&["--window-size=480,360"]);
    driver.open(&format!("http://{}/", server.addr), 800, 700);
    let title = driver.call("GET", "/title", None);
    assert_eq!(json_string(&title, "value"), Some("camreel live"));

    // The stream has rendered once the image reports its natural size.
    let script =
        "const i = document.getElementById('live'); return i.complete + ',' + i.naturalWidth;";
    let mut shown = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        shown = driver.script(script);
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
    assert_live_picture(&a, &b);
}
