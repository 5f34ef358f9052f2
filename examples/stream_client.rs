//! picamera recipe 5.4, rapid capture and streaming, the client: capture
//! 640x480 JPEGs at 30 fps and send each to a server as a little-endian
//! `u32` length followed by the image, then a zero length.
//!
//! Start the server first (`cargo run --release --example stream_server`),
//! then `cargo run --release --example stream_client [HOST:PORT] [SECONDS]`
//! (default `127.0.0.1:8000`, 5 seconds). The recipe's Python server
//! receives from this client unchanged, and `camreel receive` records it.

use std::time::{Duration, Instant};

use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
use camreel::net::JpegStreamWriter;
use camreel::net::tcp::{self, TcpOptions};
use camreel::sink::FrameSink;

fn main() -> camreel::Result<()> {
    let mut args = std::env::args().skip(1);
    let server = args.next().unwrap_or_else(|| "127.0.0.1:8000".into());
    let seconds: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(5.0);

    let connection = tcp::connect(&server, &TcpOptions::default())?;
    let mut stream = JpegStreamWriter::new(connection, 85)?;
    let mut camera = SyntheticCamera::builder()
        .size(640, 480)
        .fps(30.0)
        .build()?;
    let start = Instant::now();
    // Each frame is encoded once and written with its length in one call.
    while start.elapsed() < Duration::from_secs_f64(seconds) {
        let Some(frame) = camera.next_frame()? else {
            break;
        };
        stream.write_frame(&frame)?;
    }
    // The zero length tells the server we are done.
    stream.finish()?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "Sent {} images in {secs:.0} seconds at {:.2}fps",
        stream.frames(),
        stream.frames() as f64 / secs
    );
    Ok(())
}
