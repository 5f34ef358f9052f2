//! Reading an AVI's frames: the stored JPEG bytes of frame `i`
//! ([`AviReader::read_frame_into`]), frame `i` decoded
//! ([`AviReader::read_image_into`]), and the two iterators, decoded
//! ([`DecodedFrames`]) and encoded ([`EncodedFrames`]).

use std::io::{Read, Seek};
use std::iter::FusedIterator;

use super::AviReader;
use super::walk::{format_err, read_at, read_err};
use crate::avi::riff;
use crate::codec::jpeg;
use crate::error::{Error, ErrorKind, Result};
use crate::frame::OwnedFrame;
use crate::image::{Image, ImageRef, PixelFormat};

impl<R: Read + Seek> AviReader<R> {
    /// Reads frame `index` (a JPEG file; empty for a dropped frame) into
    /// `buf`, replacing its contents and reusing its allocation.
    ///
    /// # Errors
    /// [`ErrorKind::SeekOutOfRange`] past the last frame;
    /// [`ErrorKind::Format`] if the index does not point at a frame chunk of
    /// that size; [`ErrorKind::LimitExceeded`] above the byte limit;
    /// [`ErrorKind::Truncated`] if the file ends inside it; [`ErrorKind::Io`].
    pub fn read_frame_into(&mut self, index: u64, buf: &mut Vec<u8>) -> Result<()> {
        let entry = usize::try_from(index)
            .ok()
            .and_then(|i| self.entries.get(i).copied())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::SeekOutOfRange,
                    format!(
                        "frame {index} does not exist ({} frames)",
                        self.entries.len()
                    ),
                )
            })?;
        let context = |e: Error| e.context(format!("frame {index}"));
        self.options
            .limits
            .check_bytes(u64::from(entry.size))
            .map_err(context)?;
        let mut h = [0u8; 8];
        read_at(&mut self.inner, entry.offset - 8, &mut h).map_err(context)?;
        let (id, size) = riff::parse_chunk_header(&h);
        if !self.is_ours(id) || size < entry.size {
            return Err(context(format_err(
                entry.offset - 8,
                format!(
                    "index points at '{}' of {size} bytes, expected '{}' of {} bytes",
                    riff::show(id),
                    riff::show(self.chunk_ids[0]),
                    entry.size
                ),
            )));
        }
        buf.clear();
        buf.resize(entry.size as usize, 0);
        self.inner
            .read_exact(buf)
            .map_err(|e| context(read_err(entry.offset, e)))
    }

    /// Reads frame `index` (see [`AviReader::read_frame_into`]).
    ///
    /// # Errors
    /// As [`AviReader::read_frame_into`].
    pub fn read_frame(&mut self, index: u64) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.read_frame_into(index, &mut buf)?;
        Ok(buf)
    }

    /// Whether frame `index` is a dropped (empty) frame, which players show
    /// as a repeat of the previous one. False past the last frame.
    pub fn is_dropped(&self, index: u64) -> bool {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.entries.get(i))
            .is_some_and(|e| e.size == 0)
    }

    /// Reads frame `index` into `image` as it is stored: a
    /// [`PixelFormat::Jpeg`] image of the size its JPEG header gives, reusing
    /// `image`'s allocation (for pass-through to another recording). Returns
    /// `false` and leaves `image` as it was for a dropped (empty) frame.
    ///
    /// # Errors
    /// As [`AviReader::read_frame_into`]; [`ErrorKind::Format`] if the frame
    /// is not a JPEG file (then `image` is left as one black pixel);
    /// [`ErrorKind::InvalidFrameSize`] for a JPEG larger than the stream
    /// header's picture size (a few bytes that would decode to a huge
    /// picture).
    pub fn read_encoded_into(&mut self, index: u64, image: &mut Image) -> Result<bool> {
        if self.is_dropped(index) {
            return Ok(false);
        }
        let mut size = None;
        image.set_encoded(PixelFormat::Jpeg, 1, 1, |buf| {
            self.read_frame_into(index, buf)?;
            let j = jpeg::info(buf).map_err(|e| e.context(format!("frame {index}")))?;
            self.check_picture_size(index, j.width, j.height)?;
            size = Some((j.width, j.height));
            Ok(())
        })?;
        if let Some((w, h)) = size {
            image.set_meta_unchecked(PixelFormat::Jpeg, w, h);
        }
        Ok(true)
    }

    /// Reads and decodes frame `index` into `image` (RGB888, or GRAYSCALE
    /// for a grayscale JPEG), reusing its memory; the decoded size is checked
    /// against the reader's [`Limits`](crate::Limits) before allocating.
    /// Returns `false` and leaves `image` as it was for a dropped (empty)
    /// frame.
    ///
    /// # Errors
    /// As [`AviReader::read_frame_into`]; [`ErrorKind::Format`] for a frame
    /// that does not decode; [`ErrorKind::InvalidFrameSize`] for a JPEG
    /// larger than the stream header's picture size.
    pub fn read_image_into(&mut self, index: u64, image: &mut Image) -> Result<bool> {
        if self.is_dropped(index) {
            return Ok(false);
        }
        let mut jpeg = std::mem::take(&mut self.jpeg);
        let result = self.read_frame_into(index, &mut jpeg).and_then(|()| {
            let j = jpeg::info(&jpeg).map_err(|e| e.context(format!("frame {index}")))?;
            self.check_picture_size(index, j.width, j.height)?;
            let view = ImageRef::new(PixelFormat::Jpeg, self.info.width, self.info.height, &jpeg)?;
            crate::codec::decode_with_limits(view, &self.options.limits, image)
                .map_err(|e| e.context(format!("frame {index}")))
        });
        self.jpeg = jpeg;
        result.map(|()| true)
    }

    /// Refuses, before decoding, a JPEG larger than the stream's header
    /// says its pictures are: a few kilobytes claiming 8192x6144 would
    /// decode to 150 MB of gray. (A header without a size, or a smaller
    /// picture, is let through: some writers leave the size out.)
    fn check_picture_size(&self, index: u64, width: u32, height: u32) -> Result<()> {
        let (w, h) = (self.info.width, self.info.height);
        if w == 0 || h == 0 || (width <= w && height <= h) {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "frame {index}: the JPEG is {width}x{height}, larger than the {w}x{h} the stream header gives"
            ),
        ))
    }

    /// Reads and decodes frame `index` (see [`AviReader::read_image_into`]);
    /// a dropped frame is an [`ErrorKind::InvalidFrameSize`] error.
    ///
    /// ```
    /// use std::io::Cursor;
    /// use camreel::avi::{AviReader, MjpegWriter};
    /// use camreel::{Image, PixelFormat};
    ///
    /// let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 32, 16)?;
    /// w.add_frame(Image::zeroed(PixelFormat::Rgb888, 32, 16)?.view(), &Default::default())?;
    /// let mut r = AviReader::new(w.into_inner()?)?;
    /// let image = r.read_image(0)?;
    /// assert_eq!((image.format(), image.size()), (PixelFormat::Rgb888, (32, 16)));
    /// let png = camreel::codec::png::encode_image(image.view())?; // pixels, not JPEG bytes
    /// assert_eq!(camreel::codec::decode(png.view())?, image);
    /// # Ok::<(), camreel::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`AviReader::read_image_into`].
    pub fn read_image(&mut self, index: u64) -> Result<Image> {
        let mut image = Image::empty();
        if !self.read_image_into(index, &mut image)? {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!("frame {index} is a dropped (empty) frame"),
            ));
        }
        Ok(image)
    }

    /// The decoded frames from the first, each with its sequence number
    /// (its index in the file) and timestamp ([`AviReader::timestamp`]).
    /// Dropped frames are skipped, so the sequence numbers have a gap where
    /// one was. The iterator ends after an error.
    pub fn frames(&mut self) -> DecodedFrames<'_, R> {
        DecodedFrames {
            reader: self,
            next: 0,
            failed: false,
        }
    }

    /// The frames from the first as stored (each image a
    /// [`PixelFormat::Jpeg`] file, for pass-through to a
    /// [`FrameSink`](crate::sink::FrameSink)), with sequence numbers and
    /// timestamps as [`AviReader::frames`] gives them. The iterator ends after
    /// an error.
    pub fn encoded_frames(&mut self) -> EncodedFrames<'_, R> {
        EncodedFrames {
            reader: self,
            next: 0,
            failed: false,
        }
    }

    /// The next frame from `*next` on that is not dropped, read by `read`.
    fn next_owned(
        &mut self,
        next: &mut u64,
        read: fn(&mut AviReader<R>, u64, &mut Image) -> Result<bool>,
    ) -> Option<Result<OwnedFrame>> {
        while *next < self.frame_count() {
            let index = *next;
            *next += 1;
            let mut image = Image::empty();
            match read(self, index, &mut image) {
                Ok(true) => {
                    return Some(Ok(OwnedFrame::new(image, index, self.timestamp(index))));
                }
                Ok(false) => {}
                Err(e) => return Some(Err(e)),
            }
        }
        None
    }
}

/// Iterator over the decoded frames of an [`AviReader`], made by
/// [`AviReader::frames`].
#[derive(Debug)]
pub struct DecodedFrames<'a, R> {
    reader: &'a mut AviReader<R>,
    next: u64,
    failed: bool,
}

impl<R: Read + Seek> Iterator for DecodedFrames<'_, R> {
    type Item = Result<OwnedFrame>;

    fn next(&mut self) -> Option<Result<OwnedFrame>> {
        if self.failed {
            return None;
        }
        let item = self
            .reader
            .next_owned(&mut self.next, AviReader::read_image_into);
        self.failed = matches!(item, Some(Err(_)) | None);
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        remaining(self.reader.frame_count(), self.next, self.failed)
    }
}

impl<R: Read + Seek> FusedIterator for DecodedFrames<'_, R> {}

/// Iterator over the stored (JPEG) frames of an [`AviReader`], made by
/// [`AviReader::encoded_frames`].
#[derive(Debug)]
pub struct EncodedFrames<'a, R> {
    reader: &'a mut AviReader<R>,
    next: u64,
    failed: bool,
}

impl<R: Read + Seek> Iterator for EncodedFrames<'_, R> {
    type Item = Result<OwnedFrame>;

    fn next(&mut self) -> Option<Result<OwnedFrame>> {
        if self.failed {
            return None;
        }
        let item = self
            .reader
            .next_owned(&mut self.next, AviReader::read_encoded_into);
        self.failed = matches!(item, Some(Err(_)) | None);
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        remaining(self.reader.frame_count(), self.next, self.failed)
    }
}

impl<R: Read + Seek> FusedIterator for EncodedFrames<'_, R> {}

/// At most the frames left (dropped ones are skipped); none once done.
fn remaining(count: u64, next: u64, done: bool) -> (usize, Option<usize>) {
    if done {
        return (0, Some(0));
    }
    let left = usize::try_from(count.saturating_sub(next)).unwrap_or(usize::MAX);
    (0, Some(left))
}
