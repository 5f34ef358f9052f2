//! The server's fixed routes. Everything else is 404; nothing is read from
//! the file system.
//!
//! A route is a [`Route`] variant, a line in [`Route::of`] and a handler
//! returning a [`Response<Body>`]. The live MP4 (`/stream.mp4`, feature
//! `h264`) plugs in that way: its feed in [`Shared`], its body beside
//! [`MjpegStream`], and the `<video>` variant of the page (`/?view=mp4`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::watch;

use super::auth::Credentials;
use super::body::{Body, MjpegStream};
use super::feed::Latest;
use super::stats::Counters;

/// What every connection task shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub credentials: Option<Credentials>,
    pub boundary: Arc<str>,
    pub latest: watch::Receiver<Latest>,
    pub stop: watch::Receiver<bool>,
    pub counters: Arc<Counters>,
    /// How long a snapshot waits for the first frame.
    pub snapshot_wait: Duration,
    /// The `/stream.mp4` feed.
    #[cfg(feature = "h264")]
    pub mp4: Arc<super::live_mp4::LiveMp4>,
}

/// The routes the server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// `/`: the viewer page.
    Page,
    /// `/stream.mjpg`: multipart MJPEG.
    Mjpeg,
    /// `/snapshot.jpg`: the newest frame.
    Snapshot,
    /// `/stats.json`: the counters.
    Stats,
    /// `/stream.mp4`: live fragmented MP4 (feature `h264`).
    #[cfg(feature = "h264")]
    Mp4,
}

impl Route {
    /// The route of `path` (without the query), if it is one.
    pub fn of(path: &str) -> Option<Route> {
        match path {
            "/" | "/index.html" => Some(Route::Page),
            "/stream.mjpg" => Some(Route::Mjpeg),
            "/snapshot.jpg" => Some(Route::Snapshot),
            "/stats.json" => Some(Route::Stats),
            #[cfg(feature = "h264")]
            "/stream.mp4" => Some(Route::Mp4),
            _ => None,
        }
    }
}

/// A response with `status`, an empty body and the common headers.
fn empty(status: StatusCode) -> Response<Body> {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    common_headers(&mut r, 0);
    r
}

fn common_headers(r: &mut Response<Body>, len: usize) {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
}

/// A complete response of `content_type` (an empty body for HEAD).
fn full(head: bool, content_type: &'static str, data: impl Into<Vec<u8>>) -> Response<Body> {
    let data = data.into();
    let len = data.len();
    let mut r = Response::new(if head {
        Body::empty()
    } else {
        Body::full(data)
    });
    common_headers(&mut r, len);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// 503 for a connection over the client cap; the connection closes after it.
pub(crate) fn over_capacity() -> Response<Body> {
    let mut r = empty(StatusCode::SERVICE_UNAVAILABLE);
    let h = r.headers_mut();
    h.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// Answers one request.
pub(crate) async fn respond(
    req: Request<Incoming>,
    shared: &Shared,
    peer: SocketAddr,
) -> Response<Body> {
    let counters = &shared.counters;
    if let Some(credentials) = &shared.credentials {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if !credentials.matches(given) {
            counters.unauthorized.fetch_add(1, Relaxed);
            let mut r = empty(StatusCode::UNAUTHORIZED);
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"camreel\", charset=\"UTF-8\""),
            );
            return r;
        }
    }
    let Some(route) = Route::of(req.uri().path()) else {
        counters.not_found.fetch_add(1, Relaxed);
        let mut r = full(false, "text/plain; charset=utf-8", "not found\n");
        *r.status_mut() = StatusCode::NOT_FOUND;
        return r;
    };
    let head = match *req.method() {
        Method::GET => false,
        Method::HEAD => true,
        _ => {
            counters.not_found.fetch_add(1, Relaxed);
            let mut r = empty(StatusCode::METHOD_NOT_ALLOWED);
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return r;
        }
    };
    match route {
        Route::Page => {
            // The page shows the frame size: wait for the first frame.
            let _ = first_frame(shared).await;
            let view = View::of(req.uri().query());
            full(head, "text/html; charset=utf-8", page(counters, view))
        }
        Route::Stats => full(head, "application/json", counters.snapshot().to_json()),
        Route::Snapshot => snapshot(head, shared).await,
        Route::Mjpeg => mjpeg(head, shared, peer),
        #[cfg(feature = "h264")]
        Route::Mp4 => mp4(head, shared, peer),
    }
}

/// `/stream.mp4`: the init segment, then fragments from a key frame on.
#[cfg(feature = "h264")]
fn mp4(head: bool, shared: &Shared, peer: SocketAddr) -> Response<Body> {
    let unavailable = || {
        let mut r = full(
            head,
            "text/plain; charset=utf-8",
            "h.264 streaming is not available\n",
        );
        *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        r
    };
    let live = &shared.mp4;
    let body = if head {
        if live.error().is_some() {
            return unavailable();
        }
        Body::empty()
    } else {
        let Some(from) = live.join() else {
            return unavailable();
        };
        Body::Mp4(Box::new(super::mp4_stream::Mp4Stream::new(
            live.clone(),
            from,
            shared.stop.clone(),
            shared.counters.open_mp4_stream(peer),
        )))
    };
    let mut r = Response::new(body);
    let h = r.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache, must-revalidate"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A live stream: no ranges, no length.
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("none"));
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    r
}

/// The newest frame, waiting for the first one at most `snapshot_wait`.
async fn first_frame(shared: &Shared) -> Latest {
    let mut latest = shared.latest.clone();
    tokio::time::timeout(shared.snapshot_wait, latest.wait_for(Option::is_some))
        .await
        .ok()
        .and_then(Result::ok)
        .and_then(|f| f.clone())
}

async fn snapshot(head: bool, shared: &Shared) -> Response<Body> {
    let Some(frame) = first_frame(shared).await else {
        let mut r = empty(StatusCode::SERVICE_UNAVAILABLE);
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    };
    shared.counters.snapshots.fetch_add(1, Relaxed);
    let mut r = Response::new(if head {
        Body::empty()
    } else {
        Body::Full(Some(frame.jpeg.clone()))
    });
    common_headers(&mut r, frame.jpeg.len());
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    r
}

fn mjpeg(head: bool, shared: &Shared, peer: SocketAddr) -> Response<Body> {
    let body = if head {
        Body::empty()
    } else {
        Body::Mjpeg(Box::new(MjpegStream::new(
            shared.boundary.clone(),
            shared.latest.clone(),
            shared.stop.clone(),
            shared.counters.open_stream(peer),
        )))
    };
    let mut r = Response::new(body);
    let h = r.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache, must-revalidate"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let content_type = format!("multipart/x-mixed-replace; boundary={}", shared.boundary);
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    r
}

/// Which picture the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum View {
    /// `<img src="/stream.mjpg">`, the default.
    Mjpeg,
    /// `<video src="/stream.mp4">` (`/?view=mp4`, feature `h264`).
    #[cfg(feature = "h264")]
    Mp4,
}

impl View {
    /// The view a page query asks for.
    pub fn of(query: Option<&str>) -> View {
        #[cfg(feature = "h264")]
        if query.is_some_and(|q| q.split('&').any(|p| p == "view=mp4")) {
            return View::Mp4;
        }
        let _ = query;
        View::Mjpeg
    }
}

/// The `<video>` of the MP4 view: it plays as soon as it can and speeds up
/// a little when it has fallen behind the live edge.
#[cfg(feature = "h264")]
const VIDEO_SCRIPT: &str = r#"<script>
const v = document.getElementById('live');
v.addEventListener('canplay', () => v.play().catch(() => {}));
setInterval(() => {
  const b = v.buffered;
  if (b.length > 0) v.playbackRate = b.end(b.length - 1) - v.currentTime > 1.5 ? 1.25 : 1.0;
}, 500);
</script>
"#;

/// The picture element of `view` and the link to the other view.
fn picture(view: View, w: u32, h: u32) -> (String, &'static str) {
    match view {
        View::Mjpeg => {
            let img = format!(
                r#"<img id="live" src="/stream.mjpg" width="{w}" height="{h}" alt="live camera stream">"#
            );
            #[cfg(feature = "h264")]
            return (img, r#" &middot; <a href="/?view=mp4">H.264 video</a>"#);
            #[cfg(not(feature = "h264"))]
            return (img, "");
        }
        #[cfg(feature = "h264")]
        View::Mp4 => (
            format!(
                r#"<video id="live" src="/stream.mp4" width="{w}" height="{h}" autoplay muted playsinline></video>
{VIDEO_SCRIPT}"#
            ),
            r#" &middot; <a href="/">MJPEG</a>"#,
        ),
    }
}

/// The viewer page: the live stream, its size and rate, and links.
fn page(counters: &Counters, view: View) -> String {
    let s = counters.snapshot();
    let c = s.camera;
    let fps = c.nominal_fps.unwrap_or(c.fps);
    let (w, h) = (c.width.max(1), c.height.max(1));
    let (picture, other) = picture(view, w, h);
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>camreel live</title>
<style>
body {{ margin: 0; background: #111; color: #ddd; font: 14px system-ui, sans-serif; }}
img, video {{ display: block; max-width: 100%; height: auto; background: #000; }}
p {{ margin: 8px; }}
a {{ color: #9cf; }}
</style>
</head>
<body>
{picture}
<p>{w}x{h} &middot; {fps:.1} fps &middot; <a href="/snapshot.jpg">snapshot</a> &middot; <a href="/stats.json">stats</a>{other}</p>
</body>
</html>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_fixed_routes_exist() {
        assert_eq!(Route::of("/"), Some(Route::Page));
        assert_eq!(Route::of("/stream.mjpg"), Some(Route::Mjpeg));
        assert_eq!(Route::of("/snapshot.jpg"), Some(Route::Snapshot));
        assert_eq!(Route::of("/stats.json"), Some(Route::Stats));
        #[cfg(feature = "h264")]
        assert_eq!(Route::of("/stream.mp4"), Some(Route::Mp4));
        #[cfg(not(feature = "h264"))]
        assert_eq!(Route::of("/stream.mp4"), None);
        for other in [
            "",
            "/stream.mjpg/",
            "/../Cargo.toml",
            "/etc/passwd",
            "//",
            "/STREAM.MJPG",
            "/snapshot.jpg%00",
        ] {
            assert_eq!(Route::of(other), None, "{other}");
        }
    }

    #[test]
    fn page_shows_size_rate_and_links() {
        let c = Counters::default();
        c.width.store(640, Relaxed);
        c.height.store(480, Relaxed);
        c.nominal_fps.store(30f64.to_bits(), Relaxed);
        let html = page(&c, View::of(None));
        assert!(html.contains(r#"<img id="live" src="/stream.mjpg" width="640" height="480""#));
        assert!(html.contains("640x480 &middot; 30.0 fps"));
        assert!(html.contains(r#"<a href="/snapshot.jpg">snapshot</a>"#));
        assert!(!html.contains("<video"));
        assert!(!html.contains("<script"));
        #[cfg(feature = "h264")]
        {
            assert!(html.contains(r#"<a href="/?view=mp4">H.264 video</a>"#));
            assert_eq!(View::of(Some("x=1&view=mp4")), View::Mp4);
            assert_eq!(View::of(Some("view=mp4x")), View::Mjpeg);
            let video = page(&c, View::Mp4);
            assert!(video.contains(
                r#"<video id="live" src="/stream.mp4" width="640" height="480" autoplay muted playsinline></video>"#
            ));
            assert!(video.contains(r#"<a href="/">MJPEG</a>"#));
            assert!(!video.contains("<img"));
        }
        #[cfg(not(feature = "h264"))]
        {
            assert!(!html.contains("view=mp4"));
            assert_eq!(View::of(Some("view=mp4")), View::Mjpeg);
        }
    }
}
