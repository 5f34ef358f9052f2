//! picamera's network-stream server (recipes 4.9 and 5.4), in Rust: accept
//! one connection, read length-prefixed JPEGs until the zero length, check
//! each one decodes and save it.
//!
//! `cargo run --release --example stream_server [ADDR] [DIR]` (default
//! `127.0.0.1:8000`; the recipe listens on `0.0.0.0:8000`, every
//! interface). Then run `stream_client`, `camreel send synthetic
//! 127.0.0.1:8000`, or the recipe's Python client.

use camreel::codec::jpeg;
use camreel::net::JpegStreamReader;
use camreel::net::tcp::{self, TcpOptions};

fn main() -> camreel::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8000".into());
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir()
                .join("camreel-examples")
                .join("stream_server")
        });
    std::fs::create_dir_all(&dir).map_err(|e| camreel::Error::io(dir.display().to_string(), e))?;

    let listener = tcp::listen(&addr)?;
    println!("listening on {}", listener.local_addr()?);
    let (connection, peer) = tcp::accept(&listener, &TcpOptions::default())?;
    println!("connection from {peer}");
    // Every length is checked against the default limits before anything
    // is allocated for it.
    let mut stream = JpegStreamReader::new(connection);
    let mut index = 0;
    while let Some(image) = stream.read_frame()? {
        let (w, h) = jpeg::dimensions(image)?;
        println!("Image is {w}x{h}");
        jpeg::decode(image)?;
        println!("Image is verified");
        let path = dir.join(format!("image{index:04}.jpg"));
        index += 1;
        std::fs::write(&path, image)
            .map_err(|e| camreel::Error::io(path.display().to_string(), e))?;
    }
    println!(
        "received {} images ({} bytes) into {}",
        stream.frames(),
        stream.bytes(),
        dir.display()
    );
    Ok(())
}
