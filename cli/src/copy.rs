//! `camreel convert a.bin b.bin` with nothing to change (no `--start`,
//! `--count` or `--fps`): the chunks are copied as they are stored
//! (`FileStream::copy_to`, which lets the kernel copy them), at the speed of
//! the page cache. The output is what a frame-by-frame conversion writes,
//! with the same policy: written under a temporary name and renamed into
//! place, a partial last frame dropped with a warning, a damaged frame
//! keeping the frames before it, a signal ending the copy after the frames
//! copied so far.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use camreel::error::quote_path;
use camreel::imageio::FileStream;
use camreel::imageio::header::Version;
use camreel::{Error, ErrorKind, Result};

use crate::ConvertArgs;
use crate::recording;

/// The input as a stream to copy, when the conversion changes nothing and
/// the input is a V2.0 file (a V1.x file's chunks change when written as
/// V2.0). `None`: convert frame by frame.
pub fn source(a: &ConvertArgs) -> Option<FileStream> {
    let unchanged = a.raw.is_none() && a.start == 0 && a.count.is_none() && a.fps.is_none();
    let bin = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("bin"));
    if !unchanged || !bin(&a.input) || !bin(&a.output) {
        return None;
    }
    if !std::fs::metadata(&a.input).is_ok_and(|m| m.is_file()) {
        return None;
    }
    // Anything unusual (an unreadable file) is left to the frame-by-frame
    // path, which reports it.
    FileStream::open(&a.input)
        .ok()
        .filter(|s| s.version() == Version::V2_0)
}

/// Copies `stream` to the output (see the module docs).
pub fn run(a: &ConvertArgs, mut stream: FileStream) -> Result<ExitCode> {
    let temp = temp_name(&a.output);
    let output = quote_path(&a.output);
    let mut file =
        std::fs::File::create(&temp).map_err(|e| Error::io(format!("creating {output}"), e))?;
    let (signal, _) = recording::signals()?;
    let stop = || signal.load(Ordering::Relaxed) != 0;
    let copied = stream.copy_to(&mut file, &stop);
    drop(file);
    let frames = match copied {
        Ok(0) => {
            let _ = std::fs::remove_file(&temp);
            return Err(Error::new(
                ErrorKind::EndOfStream,
                format!("{}: no frames to convert", quote_path(&a.input)),
            ));
        }
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    if let Err(e) = std::fs::rename(&temp, &a.output) {
        let _ = std::fs::remove_file(&temp);
        return Err(Error::io(
            format!("renaming {} into place", quote_path(&temp)),
            e,
        ));
    }
    let got = signal.load(Ordering::Relaxed);
    if got != 0 {
        let sig = i32::try_from(got).unwrap_or(0);
        eprintln!(
            "camreel: stopped by {}: {frames} frames converted to {output}",
            recording::signal_name(sig)
        );
        return Ok(ExitCode::from(u8::try_from(128 + sig).unwrap_or(1)));
    }
    match stream.damaged_tail() {
        Some(tail) if tail.kind == ErrorKind::Truncated => {
            eprintln!(
                "camreel: warning: input ends in a partial frame, kept the {frames} complete frames: {}: {tail}",
                quote_path(&a.input)
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(tail) => Err(tail
            .to_error()
            .context(quote_path(&a.input))
            .context(format!(
                "the {frames} frames before it are saved in {output}"
            ))),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// The temporary name beside `path`, as `FileSink::atomic` names it.
fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.part", std::process::id()))
}
