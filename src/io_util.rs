//! Small I/O helpers shared by the writers.

use std::io::{self, IoSlice, Write};

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
}
