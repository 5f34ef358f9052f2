//! Small I/O helpers shared by the writers.

use std::io::{self, IoSlice, Read, Write};
use std::path::Path;

use crate::error::{Error, Result, quote_path};
use crate::image::Limits;

/// Writes every byte of `bufs` with vectored writes (one system call for a
/// frame's header, payload and padding when the OS allows), retrying on
/// `Interrupted` and advancing past partial writes.
///
/// # Errors
/// The first error other than `Interrupted`; `WriteZero` if the writer
/// accepts nothing.
pub(crate) fn write_all_vectored<W: Write + ?Sized>(
    w: &mut W,
    mut bufs: &mut [IoSlice<'_>],
) -> io::Result<()> {
    IoSlice::advance_slices(&mut bufs, 0);
    while !bufs.is_empty() {
        match w.write_vectored(bufs) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut bufs, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads the whole file at `path` (a regular file, a pipe, a device),
/// refusing it once more than `limits.max_bytes` bytes came: the bytes
/// actually read are capped, not just the size the file reports, so
/// `/dev/zero` fails at the limit instead of filling memory.
///
/// # Errors
/// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) past the
/// limit; [`ErrorKind::Io`](crate::ErrorKind::Io).
pub(crate) fn read_capped(path: &Path, limits: &Limits) -> Result<Vec<u8>> {
    let name = quote_path(path);
    let file = std::fs::File::open(path).map_err(|e| Error::io(format!("reading {name}"), e))?;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
    {
        limits
            .check_bytes(meta.len())
            .map_err(|e| e.context(&name))?;
    }
    let mut data = Vec::new();
    file.take(limits.max_bytes.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| Error::io(format!("reading {name}"), e))?;
    limits
        .check_bytes(data.len() as u64)
        .map_err(|e| e.context(&name))?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts at most 3 bytes per call, and is interrupted every other call.
    struct Trickle {
        out: Vec<u8>,
        calls: usize,
    }

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(2) {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(3);
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writes_everything_through_partial_and_interrupted_writes() {
        let mut w = Trickle {
            out: Vec::new(),
            calls: 0,
        };
        let (a, b, c) = ([1u8, 2, 3, 4, 5], [], [6u8, 7]);
        let mut bufs = [IoSlice::new(&a), IoSlice::new(&b), IoSlice::new(&c)];
        write_all_vectored(&mut w, &mut bufs).unwrap();
        assert_eq!(w.out, [1, 2, 3, 4, 5, 6, 7]);
        let mut full: &mut [u8] = &mut [];
        let e = write_all_vectored(&mut full, &mut [IoSlice::new(&a)]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WriteZero);
    }

    #[test]
    fn reads_are_capped_by_bytes_read_not_reported_size() {
        let limits = Limits {
            max_bytes: 1000,
            ..Limits::default()
        };
        // /dev/zero reports 0 bytes and never ends.
        let e = read_capped(Path::new("/dev/zero"), &limits).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::LimitExceeded);
        assert!(e.to_string().starts_with("/dev/zero: 1001 bytes"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("small");
        std::fs::write(&path, [7u8; 1000]).unwrap();
        assert_eq!(read_capped(&path, &limits).unwrap().len(), 1000);
        std::fs::write(&path, [7u8; 1001]).unwrap();
        assert!(read_capped(&path, &limits).is_err());
    }
}
