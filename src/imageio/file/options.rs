//! [`FileOptions`]: the clock, [`Limits`] and [`Fallback`] of a
//! [`FileStream`], and the two ways to start one (`create`, `open`).

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::super::header::{FILE_HEADER_LEN, Version};
use super::super::{Carried, Fallback, Pacer, Storer, wall_ticks};
use super::{FileStream, read_exact_at};
use crate::clock::{Clock, MonotonicClock};
#[cfg(doc)]
use crate::error::ErrorKind;
use crate::error::{Error, Result, quote_path};
use crate::image::Limits;
use crate::timing::Ticks;

/// Settings for opening or creating a [`FileStream`]: the clock and the
/// [`Limits`] applied to every frame header.
///
/// ```
/// use std::time::Duration;
/// use camreel::clock::ManualClock;
/// use camreel::imageio::FileOptions;
/// use camreel::{Image, PixelFormat};
///
/// let dir = tempfile::tempdir()?;
/// let clock = ManualClock::shared();
/// let mut s = FileOptions::new().clock(clock.clone()).create(dir.path().join("a.bin"))?;
/// clock.advance(Duration::from_millis(40));
/// s.write(&Image::zeroed(PixelFormat::Grayscale, 2, 2)?)?;
/// assert_eq!(s.header(0).unwrap().elapsed_ms, 40);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct FileOptions {
    clock: Arc<dyn Clock>,
    limits: Limits,
    fallback: Fallback,
}

impl Default for FileOptions {
    fn default() -> FileOptions {
        FileOptions::new()
    }
}

impl fmt::Debug for FileOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileOptions")
            .field("limits", &self.limits)
            .field("fallback", &self.fallback)
            .finish_non_exhaustive()
    }
}

impl FileOptions {
    /// The OS monotonic clock and default [`Limits`].
    pub fn new() -> FileOptions {
        FileOptions {
            clock: MonotonicClock::shared(),
            limits: Limits::default(),
            fallback: Fallback::default(),
        }
    }

    /// Uses `clock` to stamp writes and pace reads.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> FileOptions {
        self.clock = clock;
        self
    }

    /// Checks every frame read or written against `limits`.
    pub fn limits(mut self, limits: Limits) -> FileOptions {
        self.limits = limits;
        self
    }

    /// Stores frames whose format has no OpenMV code as `fallback` says
    /// (default: [`Fallback::Png`]).
    pub fn fallback(mut self, fallback: Fallback) -> FileOptions {
        self.fallback = fallback;
        self
    }

    /// Creates (or truncates) `path` and writes the V2.0 header. The stream
    /// can also read back what it wrote.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the file cannot be created or written.
    pub fn create(&self, path: impl AsRef<Path>) -> Result<FileStream> {
        let path = path.as_ref();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|e| Error::io(format!("creating {}", quote_path(path)), e))?;
        file.write_all(&Version::V2_0.magic())
            .map_err(|e| Error::io(format!("writing {}", quote_path(path)), e))?;
        let end = FILE_HEADER_LEN as u64;
        Ok(FileStream {
            file,
            path: path.to_path_buf(),
            version: Version::V2_0,
            writable: true,
            entries: Vec::new(),
            offset: 0,
            end,
            file_len: end,
            cursor: Some(end),
            tail: None,
            tail_reported: false,
            padding: 0,
            wall: wall_ticks(&*self.clock),
            ticks: Ticks::starting_at(Ticks::MILLIS, Duration::ZERO),
            given: Carried::new(),
            pacer: Pacer::new(&*self.clock),
            clock: self.clock.clone(),
            limits: self.limits,
            scratch: Vec::new(),
            storer: Box::new(Storer::new(self.fallback)),
            finished: false,
        })
    }

    /// Opens `path` for reading and indexes it (see [`FileStream::open`]).
    ///
    /// # Errors
    /// As [`FileStream::open`].
    pub fn open(&self, path: impl AsRef<Path>) -> Result<FileStream> {
        let path = path.as_ref();
        let file =
            File::open(path).map_err(|e| Error::io(format!("opening {}", quote_path(path)), e))?;
        let ctx = |e| Error::io(format!("reading {}", quote_path(path)), e);
        let file_len = file.metadata().map_err(ctx)?.len();
        let mut magic = [0u8; FILE_HEADER_LEN];
        let n = (file_len.min(FILE_HEADER_LEN as u64)) as usize;
        read_exact_at(&file, &mut magic[..n], 0).map_err(ctx)?;
        let version = Version::parse(&magic[..n]).map_err(|e| e.context(quote_path(path)))?;
        let mut stream = FileStream {
            file,
            path: path.to_path_buf(),
            version,
            writable: false,
            entries: Vec::new(),
            offset: 0,
            end: FILE_HEADER_LEN as u64,
            file_len,
            cursor: None,
            tail: None,
            tail_reported: false,
            padding: 0,
            wall: wall_ticks(&*self.clock),
            ticks: Ticks::starting_at(Ticks::MILLIS, Duration::ZERO),
            given: Carried::new(),
            pacer: Pacer::new(&*self.clock),
            clock: self.clock.clone(),
            limits: self.limits,
            scratch: Vec::new(),
            storer: Box::new(Storer::new(self.fallback)),
            finished: false,
        };
        stream.index()?;
        Ok(stream)
    }
}
