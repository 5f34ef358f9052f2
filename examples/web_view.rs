//! Watch a camera in a browser: the synthetic camera at 640x480, 30 fps,
//! as MJPEG over HTTP on <http://127.0.0.1:8080/> (page, `/stream.mjpg`,
//! `/snapshot.jpg`, `/stats.json`). Ctrl-C stops it cleanly.
//!
//! `cargo run --release --features http --example web_view [ADDR]`
//!
//! Any address but loopback needs credentials: set `CAMREEL_AUTH=user:pass`
//! (the same variable `camreel serve` reads).

use camreel::camera::synthetic::SyntheticCamera;
use camreel::net::http::{Credentials, DEFAULT_LISTEN, MjpegServer};

fn main() -> camreel::Result<()> {
    let listen = match std::env::args().nth(1) {
        Some(a) => camreel::net::tcp::resolve(&a)?[0],
        None => DEFAULT_LISTEN,
    };
    let camera = SyntheticCamera::builder()
        .size(640, 480)
        .fps(30.0)
        .build()?;
    let mut builder = MjpegServer::builder().listen(listen).handle_signals(true);
    if let Some(credentials) = Credentials::from_env("CAMREEL_AUTH")? {
        builder = builder.credentials(credentials);
    }
    let server = builder.start(camera)?;
    println!("open http://{}/ (Ctrl-C stops)", server.local_addr());
    server.wait()?;
    println!("stopped");
    Ok(())
}
