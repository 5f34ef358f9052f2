//! [`ImageIo`]: either stream kind behind one type, as OpenMV's `ImageIO`
//! object, and [`StreamKind`].

use crate::error::Result;
use crate::image::{Image, ImageRef};

use super::{FileStream, MemoryStream, ReadInfo, ReadOptions, Version};

/// Which backing store a stream uses (OpenMV's `FILE_STREAM` / `MEMORY_STREAM`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// A file on disk ([`FileStream`]).
    File,
    /// A fixed buffer in memory ([`MemoryStream`]).
    Memory,
}

/// Either stream kind, for code that adapts to the backing store it is given
/// (OpenMV's `ImageIO` object). Every method forwards to the stream.
///
/// ```
/// use camreel::imageio::{ImageIo, MemoryStream, ReadOptions, StreamKind};
/// use camreel::{Image, PixelFormat};
///
/// let mut io = ImageIo::from(MemoryStream::new(2, 2, PixelFormat::Grayscale, 4)?);
/// assert_eq!(io.kind(), StreamKind::Memory);
/// io.write(&Image::new(PixelFormat::Grayscale, 2, 2, vec![1, 2, 3, 4])?)?;
/// io.seek(0)?;
/// let img = io.read(ReadOptions::NO_WAIT)?.unwrap();
/// assert_eq!(img.data(), &[1, 2, 3, 4]);
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Debug)]
pub enum ImageIo {
    /// A file stream.
    File(FileStream),
    /// A memory stream.
    Memory(MemoryStream),
}

impl From<FileStream> for ImageIo {
    fn from(s: FileStream) -> ImageIo {
        ImageIo::File(s)
    }
}

impl From<MemoryStream> for ImageIo {
    fn from(s: MemoryStream) -> ImageIo {
        ImageIo::Memory(s)
    }
}

impl ImageIo {
    /// [`StreamKind::File`] or [`StreamKind::Memory`].
    pub fn kind(&self) -> StreamKind {
        match self {
            ImageIo::File(_) => StreamKind::File,
            ImageIo::Memory(_) => StreamKind::Memory,
        }
    }

    /// Writes a frame; see [`FileStream::write`] and [`MemoryStream::write`].
    ///
    /// # Errors
    /// As the stream's `write`.
    pub fn write<'a>(&mut self, image: impl Into<ImageRef<'a>>) -> Result<&mut ImageIo> {
        match self {
            ImageIo::File(s) => {
                s.write(image)?;
            }
            ImageIo::Memory(s) => {
                s.write(image)?;
            }
        }
        Ok(self)
    }

    /// Reads the next frame into `image`; `Ok(None)` only from a file stream
    /// at its end when not [looping](ReadOptions::looping).
    ///
    /// # Errors
    /// As the stream's `read_into`.
    pub fn read_into(&mut self, image: &mut Image, opts: ReadOptions) -> Result<Option<ReadInfo>> {
        match self {
            ImageIo::File(s) => s.read_into(image, opts),
            ImageIo::Memory(s) => s.read_into(image, opts).map(Some),
        }
    }

    /// Reads the next frame as a new image.
    ///
    /// # Errors
    /// As the stream's `read`.
    pub fn read(&mut self, opts: ReadOptions) -> Result<Option<Image>> {
        match self {
            ImageIo::File(s) => s.read(opts),
            ImageIo::Memory(s) => s.read(opts).map(Some),
        }
    }

    /// Moves to frame `n`.
    ///
    /// # Errors
    /// [`ErrorKind::SeekOutOfRange`](crate::ErrorKind::SeekOutOfRange).
    pub fn seek(&mut self, n: u64) -> Result<()> {
        match self {
            ImageIo::File(s) => s.seek(n),
            ImageIo::Memory(s) => s.seek(n),
        }
    }

    /// Frames in the stream (written slots, for a memory stream).
    pub fn count(&self) -> u64 {
        match self {
            ImageIo::File(s) => s.count(),
            ImageIo::Memory(s) => s.count(),
        }
    }

    /// Index of the frame the next read or write uses.
    pub fn offset(&self) -> u64 {
        match self {
            ImageIo::File(s) => s.offset(),
            ImageIo::Memory(s) => s.offset(),
        }
    }

    /// Bytes of storage: the file's length, or the memory buffer's size.
    pub fn byte_len(&self) -> u64 {
        match self {
            ImageIo::File(s) => s.byte_len(),
            ImageIo::Memory(s) => s.byte_len(),
        }
    }

    /// The file format version (`None` for a memory stream).
    pub fn version(&self) -> Option<Version> {
        match self {
            ImageIo::File(s) => Some(s.version()),
            ImageIo::Memory(_) => None,
        }
    }

    /// Flushes a file stream to stable storage (no-op for memory).
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io).
    pub fn sync(&mut self) -> Result<()> {
        match self {
            ImageIo::File(s) => s.sync(),
            ImageIo::Memory(s) => s.sync(),
        }
    }

    /// Closes the stream (a file stream is synced first): OpenMV's `close`.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io).
    pub fn close(self) -> Result<()> {
        match self {
            ImageIo::File(s) => s.close(),
            ImageIo::Memory(s) => s.close(),
        }
    }
}
