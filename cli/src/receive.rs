//! `camreel receive --listen ADDR OUT`: accepts senders of picamera's
//! length-prefixed JPEG stream and records each connection to a file.
//!
//! Each connection is a `camreel::net::JpegStreamSource` recorded by the
//! loop `record` and `convert` use (`recording`), into a `FileSink`: every
//! output kind works, a stream cut short keeps its frames, and a signal
//! finishes the file being written before the process exits with 128 + the
//! signal's number.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use camreel::error::quote_path;
use camreel::net::JpegStreamSource;
use camreel::net::tcp::{self, TcpOptions};
use camreel::output::{FileSink, OutputKind, OutputOptions};
use camreel::record::RecordOptions;
use camreel::{Error, Result};

use crate::recording::{self, Job};

/// Options of `camreel receive`.
#[derive(clap::Args, Debug)]
pub struct ReceiveArgs {
    /// Address to listen on, such as 0.0.0.0:8000 (port 0 picks one; the
    /// address is printed).
    #[arg(long)]
    pub listen: String,
    /// Output: .bin, .avi, .gif or a PNG pattern such as frame%04d.png; the
    /// second connection goes to NAME-2.EXT, the third to NAME-3.EXT, ...
    pub output: PathBuf,
    /// Stop after the first connection.
    #[arg(long)]
    pub once: bool,
}

/// The signals that stop the receiver between connections.
const STOP_SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
];

/// Waits for the next sender, or for a signal (`Ok(Err(signal))`).
fn accept(
    listener: &TcpListener,
    signal: &AtomicUsize,
) -> Result<Result<(TcpStream, SocketAddr), i32>> {
    loop {
        match listener.accept() {
            Ok((socket, peer)) => {
                socket
                    .set_nonblocking(false)
                    .map_err(|e| Error::io("accepting a connection", e))?;
                tcp::configure(&socket, &TcpOptions::default()).map_err(|e| e.context(peer))?;
                return Ok(Ok((socket, peer)));
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                let sig = signal.load(Ordering::Relaxed);
                if sig != 0 {
                    return Ok(Err(i32::try_from(sig).unwrap_or(0)));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io("accepting a connection", e)),
        }
    }
}

/// Runs `camreel receive`.
pub fn run(a: &ReceiveArgs) -> Result<ExitCode> {
    OutputKind::of(&a.output)?;
    let listener = tcp::listen(&a.listen)?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("the listening address", e))?;
    // Between connections a signal ends the receiver at once (a recording
    // in progress handles it itself: see `recording`).
    let signal = Arc::new(AtomicUsize::new(0));
    for sig in STOP_SIGNALS {
        signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize)
            .map_err(|e| Error::io("installing the signal handlers", e))?;
    }
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io("the listening socket", e))?;
    println!("listening on {addr}");
    let _ = std::io::stdout().flush();
    for n in 1u64.. {
        let (socket, peer) = match accept(&listener, &signal)? {
            Ok(accepted) => accepted,
            Err(sig) => return Ok(ExitCode::from(u8::try_from(128 + sig).unwrap_or(1))),
        };
        let path = numbered(&a.output, n);
        match receive(socket, peer.to_string(), &path) {
            Ok(Received::Frames(frames)) => {
                println!(
                    "received {frames} frames from {peer} into {}",
                    path.display()
                );
            }
            Ok(Received::Stopped(sig, frames)) => {
                eprintln!(
                    "camreel: stopped by {}: {frames} frames from {peer} saved in {}",
                    recording::signal_name(sig),
                    quote_path(&path)
                );
                return Ok(ExitCode::from(u8::try_from(128 + sig).unwrap_or(1)));
            }
            Err(e) if a.once => return Err(e),
            // One bad sender does not stop the receiver.
            Err(e) => eprintln!("camreel: {e}"),
        }
        let _ = std::io::stdout().flush();
        if a.once {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How one connection ended.
enum Received {
    /// The stream ended; this many frames were saved.
    Frames(u64),
    /// A signal stopped the recording after this many frames.
    Stopped(i32, u64),
}

/// `clip.avi` for the first connection, `clip-2.avi` for the second, ...
fn numbered(path: &Path, n: u64) -> PathBuf {
    if n == 1 {
        return path.to_path_buf();
    }
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

/// Records one sender's stream to `path`.
fn receive(socket: TcpStream, peer: String, path: &Path) -> Result<Received> {
    let source = JpegStreamSource::new(socket).map_err(|e| e.context(&peer))?;
    let sink = FileSink::create(path, OutputOptions::new())?;
    let outcome = recording::run(Job {
        label: peer,
        source,
        sink,
        options: RecordOptions::new(),
        total: None,
        verb: "receiving",
        tee: None,
        live: None,
        hint: String::new(),
    })?;
    Ok(match outcome.signal {
        Some(sig) => Received::Stopped(sig, outcome.stats.frames),
        None => Received::Frames(outcome.stats.frames),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_connections_get_numbered_names() {
        let p = Path::new("/tmp/out/clip.avi");
        assert_eq!(numbered(p, 1), p);
        assert_eq!(numbered(p, 2), Path::new("/tmp/out/clip-2.avi"));
        assert_eq!(
            numbered(Path::new("f%04d.png"), 3),
            Path::new("f%04d-3.png")
        );
    }
}
