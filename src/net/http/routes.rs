//! The server's fixed routes. Everything else is 404; nothing is read from
//! the file system.
//!
//! A route is a [`Route`] variant, a line in [`Route::of`] and a handler
//! returning a [`Response<Body>`]. A live stream in another container
//! (`/stream.mp4`) plugs in the same way: its own feed in [`Shared`], a body
//! type beside [`MjpegStream`], and a line on the page.

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
}

impl Route {
    /// The route of `path` (without the query), if it is one.
    pub fn of(path: &str) -> Option<Route> {
        match path {
            "/" | "/index.html" => Some(Route::Page),
            "/stream.mjpg" => Some(Route::Mjpeg),
            "/snapshot.jpg" => Some(Route::Snapshot),
            "/stats.json" => Some(Route::Stats),
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
            full(head, "text/html; charset=utf-8", page(counters))
        }
        Route::Stats => full(head, "application/json", counters.snapshot().to_json()),
        Route::Snapshot => snapshot(head, shared).await,
        Route::Mjpeg => mjpeg(head, shared, peer),
    }
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

/// The viewer page: the live stream, its size and rate, and links.
fn page(counters: &Counters) -> String {
    let s = counters.snapshot();
    let c = s.camera;
    let fps = c.nominal_fps.unwrap_or(c.fps);
    let (w, h) = (c.width.max(1), c.height.max(1));
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>camreel live</title>
<style>
body {{ margin: 0; background: #111; color: #ddd; font: 14px system-ui, sans-serif; }}
img {{ display: block; max-width: 100%; height: auto; background: #000; }}
p {{ margin: 8px; }}
a {{ color: #9cf; }}
</style>
</head>
<body>
<img id="live" src="/stream.mjpg" width="{w}" height="{h}" alt="live camera stream">
<p>{w}x{h} &middot; {fps:.1} fps &middot; <a href="/snapshot.jpg">snapshot</a> &middot; <a href="/stats.json">stats</a></p>
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
        let html = page(&c);
        assert!(html.contains(r#"<img id="live" src="/stream.mjpg" width="640" height="480""#));
        assert!(html.contains("640x480 &middot; 30.0 fps"));
        assert!(html.contains(r#"<a href="/snapshot.jpg">snapshot</a>"#));
    }
}
