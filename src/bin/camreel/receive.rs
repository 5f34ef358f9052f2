//! `camreel receive --listen ADDR OUT`: accepts senders of picamera's
//! length-prefixed JPEG stream and records each connection to a file.

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use camreel::net::JpegStreamSource;
use camreel::net::tcp::{self, TcpOptions};
use camreel::record::{RecordOptions, record};
use camreel::sink::{FileSink, FrameSink, OutputKind, OutputOptions};
use camreel::{Error, Result};

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

/// Runs `camreel receive`.
///
/// Each connection is recorded with the library's recording loop into a
/// [`FileSink`], so every output kind the sinks know is supported.
pub fn run(args: &ReceiveArgs) -> Result<()> {
    OutputKind::of(&args.output)?;
    let listener = tcp::listen(&args.listen)?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("the listening address", e))?;
    println!("listening on {addr}");
    let _ = std::io::stdout().flush();
    for n in 1u64.. {
        let (socket, peer) = tcp::accept(&listener, &TcpOptions::default())?;
        let path = numbered(&args.output, n);
        match receive(socket, &path) {
            Ok(frames) => println!(
                "received {frames} frames from {peer} into {}",
                path.display()
            ),
            Err(e) if args.once => return Err(e.context(peer)),
            // One bad sender does not stop the receiver.
            Err(e) => eprintln!("camreel: {peer}: {e}"),
        }
        let _ = std::io::stdout().flush();
        if args.once {
            break;
        }
    }
    Ok(())
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

/// Records one sender's stream to `path`; returns the number of frames.
/// When the stream breaks off, the frames before it are kept and the error
/// says so.
fn receive(socket: TcpStream, path: &Path) -> Result<u64> {
    let mut source = JpegStreamSource::new(socket)?;
    let mut sink = FileSink::create(path, OutputOptions::new())?;
    let recorded = record(&mut source, &mut sink, &RecordOptions::new());
    let saved = sink.finish();
    let name = path.display();
    match (recorded, saved) {
        (Ok(stats), Ok(())) => Ok(stats.frames),
        (Ok(_), Err(e)) => Err(e),
        (Err(failed), Ok(())) => Err(failed.error.context(format!(
            "the {} frames before it are saved in {name}",
            failed.stats.frames
        ))),
        (Err(failed), Err(e)) => Err(failed
            .error
            .context(format!("finishing {name} failed too ({e})"))),
    }
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
