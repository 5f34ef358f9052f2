//! Copying a stream's frames as they are stored: `camreel convert a.bin
//! b.bin` without changes is a copy of every complete chunk.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

use super::FileStream;
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::imageio::header::{FILE_HEADER_LEN, Version};

/// The least a piece of the copy holds between two questions to `stop`.
const PIECE: u64 = 16 << 20;

impl FileStream {
    /// Copies every complete frame of this V2.0 stream, as it is stored,
    /// to `out` at its position: the file header and each chunk byte for
    /// byte, without a damaged tail or trailing padding (a last chunk cut
    /// inside its padding gets the rest of it). The kernel copies the bytes
    /// where it can (`copy_file_range` on Linux), so the copy runs at the
    /// speed of the page cache. A copy is a conversion that changes
    /// nothing: the same chunks, intervals included, as
    /// [`FileStream`]'s frame sink would write from a replay of this file.
    ///
    /// `stop` is asked between pieces of at least 16 MiB, each ending at a
    /// chunk boundary; when it says so, the copy ends after the frames
    /// copied. Returns the number of frames copied.
    ///
    /// ```
    /// use camreel::imageio::FileStream;
    /// use camreel::{Image, PixelFormat};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut s = FileStream::create(dir.path().join("a.bin"))?;
    /// for v in 0..3u8 {
    ///     s.write(&Image::new(PixelFormat::Grayscale, 4, 4, vec![v; 16])?)?;
    /// }
    /// s.close()?;
    /// let mut a = FileStream::open(dir.path().join("a.bin"))?;
    /// let mut out = std::fs::File::create(dir.path().join("b.bin"))?;
    /// assert_eq!(a.copy_to(&mut out, &|| false)?, 3);
    /// let b = FileStream::open(dir.path().join("b.bin"))?;
    /// assert_eq!(b.count(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedVersion`] for a V1.x stream (its chunks
    /// change when written as V2.0: convert it frame by frame);
    /// [`ErrorKind::Io`] from reading or writing.
    pub fn copy_to(&mut self, out: &mut File, stop: &dyn Fn() -> bool) -> Result<u64> {
        if self.version != Version::V2_0 {
            return Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!(
                    "{}: a V{} stream is converted frame by frame, not copied",
                    quote_path(&self.path),
                    self.version
                ),
            ));
        }
        // The reads move the file's position: not known afterwards.
        self.cursor = None;
        let name = quote_path(&self.path);
        let read_error = |e: io::Error| Error::io(format!("reading {name}"), e);
        let mut src = &self.file;
        src.seek(SeekFrom::Start(0)).map_err(read_error)?;
        let mut copied = 0u64;
        let mut frames = 0u64;
        for (i, entry) in self.entries.iter().enumerate() {
            let end = entry.offset + entry.header.chunk_len(self.version);
            let last = i + 1 == self.entries.len();
            if end - copied < PIECE && !last {
                continue;
            }
            let in_file = end.min(self.file_len);
            copy_exactly(&mut src, out, in_file - copied, &name)?;
            if end > in_file {
                // Cut inside the last chunk's padding: complete it.
                let pad = usize::try_from(end - in_file).unwrap_or(0);
                out.write_all(&vec![0; pad])
                    .map_err(|e| Error::io(format!("copying {name}"), e))?;
            }
            copied = end;
            frames = i as u64 + 1;
            if !last && stop() {
                break;
            }
        }
        if self.entries.is_empty() {
            // The file header alone.
            let header = FILE_HEADER_LEN as u64;
            copy_exactly(&mut src, out, header.min(self.file_len), &name)?;
        }
        Ok(frames)
    }
}

/// Copies exactly `len` bytes from `src` to `out`.
fn copy_exactly(src: &mut &File, out: &mut File, len: u64, name: &str) -> Result<()> {
    let n =
        io::copy(&mut src.take(len), out).map_err(|e| Error::io(format!("copying {name}"), e))?;
    if n < len {
        return Err(Error::new(
            ErrorKind::Truncated,
            format!(
                "{name}: the file ended during the copy, {} bytes early",
                len - n
            ),
        ));
    }
    Ok(())
}
