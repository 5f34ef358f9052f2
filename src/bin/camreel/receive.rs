//! `camreel receive --listen ADDR OUT`: accepts senders of picamera's
//! length-prefixed JPEG stream and records each connection to a file.

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use camreel::camera::CameraSource;
use camreel::capture::FrameIntervals;
use camreel::net::JpegStreamSource;
use camreel::net::tcp::{self, TcpOptions};
use camreel::{Error, ErrorKind, Result};

use crate::frames::{self, FileKind, Frame, FrameOutput, OutputOptions};

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
pub fn run(args: &ReceiveArgs) -> Result<()> {
    FileKind::of(&args.output)?;
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
    let mut output: Option<Box<dyn FrameOutput>> = None;
    let mut intervals = FrameIntervals::new();
    let options = OutputOptions::default();
    let failed = loop {
        let frame = match source.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => break None,
            Err(e) => break Some(e),
        };
        let frame = Frame {
            elapsed_ms: intervals.next(frame.timestamp),
            image: frame.image.to_image(),
        };
        let out = match &mut output {
            Some(out) => out,
            None => output.insert(frames::create_output(path, &options, &frame)?),
        };
        if let Err(e) = out.write_frame(&frame) {
            break Some(e.context(path.display()));
        }
    };
    let Some(out) = output else {
        return Err(failed
            .unwrap_or_else(|| Error::new(ErrorKind::EndOfStream, "the sender sent no frames")));
    };
    let saved = out.finish();
    match (failed, saved) {
        (None, saved) => saved,
        (Some(e), Ok(n)) => Err(e.context(format!(
            "the {n} frames before it are saved in {}",
            path.display()
        ))),
        (Some(e), Err(fe)) => {
            Err(e.context(format!("finishing {} failed too ({fe})", path.display())))
        }
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
