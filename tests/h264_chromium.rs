//! Debian's Chromium plays camreel's MP4 in a `<video>` element: a page
//! served on 127.0.0.1 (with HTTP range requests, which seeking needs)
//! seeks to 5 s; the screenshot shows the frame camreel decodes at 5 s.
//!
//! Skipped with a printed reason when `/usr/bin/chromium` is missing.

#![cfg(all(feature = "h264", unix))]

mod h264_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use camreel::camera::CameraSource;
use camreel::camera::synthetic::SyntheticCamera;
use camreel::clock::ManualClock;
use camreel::mp4::{Mp4Options, Mp4Reader, Mp4Writer};
use camreel::sink::FrameSink;
use camreel::timing::FrameRate;
use camreel::{Image, PixelFormat, codec, convert};

const CHROMIUM: &str = "/usr/bin/chromium";

const PAGE: &str = r#"<!doctype html><html><body style="margin:0;background:#000">
<video id="v" src="clip.mp4" muted width="640" height="480"></video>
<pre id="out" style="color:#fff;position:absolute;top:440px;left:0;margin:0;font-size:16px">starting</pre>
<script>
const v = document.getElementById('v'), out = document.getElementById('out');
out.textContent = 'can=' + v.canPlayType('video/mp4; codecs="avc1.42C01E"');
v.addEventListener('error', () => { out.textContent += ' error=' + (v.error && v.error.code); });
v.addEventListener('loadedmetadata', () => {
  out.textContent += ' duration=' + v.duration + ' size=' + v.videoWidth + 'x' + v.videoHeight;
  v.currentTime = 5.0;
});
v.addEventListener('seeked', () => { out.textContent += ' seeked=' + v.currentTime.toFixed(3) + ' ready=' + v.readyState; });
</script></body></html>"#;

/// Serves `page` and `clip` on 127.0.0.1 with range requests, for at most
/// `max_requests` requests; returns the port.
fn serve(clip: Arc<Vec<u8>>, max_requests: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max_requests) {
            let Ok(mut stream) = stream else { continue };
            let clip = Arc::clone(&clip);
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut request = String::new();
                    if reader.read_line(&mut request).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut range = None;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line.trim().is_empty() {
                            break;
                        }
                        if let Some(r) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                            let (a, b) = r.trim().split_once('-').unwrap_or((r.trim(), ""));
                            range =
                                Some((a.parse::<usize>().unwrap_or(0), b.parse::<usize>().ok()));
                        }
                    }
                    let path = request.split_whitespace().nth(1).unwrap_or("/");
                    let (body, kind): (&[u8], &str) = if path.ends_with("clip.mp4") {
                        (&clip, "video/mp4")
                    } else if path == "/" || path.ends_with("index.html") {
                        (PAGE.as_bytes(), "text/html")
                    } else {
                        (b"", "text/plain")
                    };
                    let head = match range {
                        Some((a, b)) if !body.is_empty() => {
                            let b = b.unwrap_or(body.len() - 1).min(body.len() - 1);
                            let a = a.min(b);
                            let h = format!(
                                "HTTP/1.1 206 Partial Content\r\nContent-Type: {kind}\r\nAccept-Ranges: bytes\r\nContent-Range: bytes {a}-{b}/{}\r\nContent-Length: {}\r\n\r\n",
                                body.len(),
                                b - a + 1
                            );
                            (h, &body[a..=b])
                        }
                        _ => (
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nAccept-Ranges: bytes\r\nContent-Length: {}\r\n\r\n",
                                body.len()
                            ),
                            body,
                        ),
                    };
                    if stream
                        .write_all(head.0.as_bytes())
                        .and_then(|()| stream.write_all(head.1))
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    port
}

fn chromium(args: &[&str], url: &str) -> String {
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=20000",
            "--window-size=640,480",
            "--hide-scrollbars",
        ])
        .args(args)
        .arg(url)
        .output()
        .expect("running chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Mean absolute difference of two RGB images over rows `0..rows`.
fn mean_diff(a: &Image, b: &Image, rows: usize) -> f64 {
    let n = 640 * 3 * rows;
    let sum: u64 = a.data()[..n]
        .iter()
        .zip(&b.data()[..n])
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    sum as f64 / n as f64
}

#[test]
fn chromium_plays_and_seeks_the_mp4() {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("CAMREEL_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "{CHROMIUM} is required (CAMREEL_REQUIRE_CHROMIUM=1) but not installed"
        );
        eprintln!("skipped: {CHROMIUM} is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.mp4");
    let mut camera = SyntheticCamera::builder()
        .size(640, 480)
        .format(PixelFormat::Yuv420)
        .fps(30.0)
        .clock(ManualClock::shared())
        .frame_limit(300)
        .build()
        .unwrap();
    let mut mp4 = Mp4Writer::create(
        &path,
        Mp4Options::default().frame_rate(FrameRate::default()),
    )
    .unwrap();
    while let Some(frame) = camera.next_frame().unwrap() {
        mp4.write_frame(&frame).unwrap();
    }
    mp4.finish().unwrap();
    drop(mp4);
    // camreel's own pictures at 0 s and 5 s.
    let mut reader = Mp4Reader::open(&path).unwrap();
    let (mut first, mut at5) = (None, None);
    while let Some(f) = reader.next_frame().unwrap() {
        if f.sequence == 0 {
            first = Some(convert::convert(f.image, PixelFormat::Rgb888).unwrap());
        }
        if f.timestamp == Duration::from_secs(5) {
            at5 = Some(convert::convert(f.image, PixelFormat::Rgb888).unwrap());
        }
    }
    let (first, at5) = (first.unwrap(), at5.unwrap());

    let clip = Arc::new(std::fs::read(&path).unwrap());
    let url = format!("http://127.0.0.1:{}/index.html", serve(clip, 200));
    // Media loads in real time while the budget is virtual time: on a busy
    // machine the seek can miss one run, so allow three.
    let mut dom = String::new();
    for _ in 0..3 {
        dom = chromium(&["--dump-dom"], &url);
        if dom.contains("seeked=") {
            break;
        }
    }
    assert!(dom.contains("can=probably"), "{dom}");
    assert!(dom.contains("duration=10 size=640x480"), "{dom}");
    assert!(dom.contains("seeked=5.000 ready=4"), "{dom}");

    let shot = dir.path().join("shot.png");
    let _ = chromium(&[&format!("--screenshot={}", shot.display())], &url);
    let mut png = Vec::new();
    std::fs::File::open(&shot)
        .unwrap()
        .read_to_end(&mut png)
        .unwrap();
    let png = Image::new(PixelFormat::Png, 640, 480, png).unwrap();
    let shown = convert::convert(
        codec::decode(png.view()).unwrap().view(),
        PixelFormat::Rgb888,
    )
    .unwrap();
    assert_eq!(shown.size(), (640, 480));
    // The text sits below row 440; above it the video frame shows.
    let (d5, d0) = (mean_diff(&shown, &at5, 440), mean_diff(&shown, &first, 440));
    eprintln!(
        "screenshot vs camreel: mean difference {d5:.2} to the 5 s frame, {d0:.2} to the first"
    );
    assert!(
        d5 < 8.0 && d5 * 3.0 < d0,
        "diff to the 5 s frame {d5:.1}, to the first {d0:.1}"
    );
}
