//! [`ImageSequence`]: one image file per frame, named from a pattern.

use std::path::{Path, PathBuf};

use crate::codec;
use crate::convert;
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::frame::Frame;
use crate::image::{Image, ImageRef, PixelFormat};
use crate::sink::{self, FrameSink};

/// A file-name pattern with one frame number: `%d`, or `%0Nd` for a number
/// padded with zeros to N digits (N up to 20), and `%%` for a literal `%`.
///
/// ```
/// use camreel::sink::SequencePattern;
/// let p = SequencePattern::parse("out/frame%04d.png")?;
/// assert_eq!(p.name(7), "out/frame0007.png");
/// assert!(SequencePattern::parse("frame.png").is_err());
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SequencePattern {
    prefix: String,
    width: usize,
    suffix: String,
}

impl SequencePattern {
    /// Parses `pattern`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] unless it has exactly one `%d` or
    /// `%0Nd` and no other `%` but `%%`.
    pub fn parse(pattern: &str) -> Result<SequencePattern> {
        let bad = |why: &str| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "output pattern {pattern:?} {why} (expected one %d or %0Nd, such as frame%04d.png)"
                ),
            )
        };
        let mut prefix = String::new();
        let mut suffix = String::new();
        let mut width = None;
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            let out = if width.is_some() {
                &mut suffix
            } else {
                &mut prefix
            };
            if c != '%' {
                out.push(c);
                continue;
            }
            if chars.peek() == Some(&'%') {
                chars.next();
                out.push('%');
                continue;
            }
            let mut digits = String::new();
            while let Some(&d) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                digits.push(d);
                chars.next();
            }
            if chars.next() != Some('d') {
                return Err(bad("has a % that is not %d, %0Nd or %%"));
            }
            if width.is_some() {
                return Err(bad("has more than one number"));
            }
            let w = if digits.is_empty() {
                0
            } else if digits.starts_with('0') && digits.len() > 1 {
                digits[1..]
                    .parse::<usize>()
                    .map_err(|_| bad("has a bad width"))?
            } else {
                return Err(bad("pads with spaces; use %0Nd"));
            };
            if w > 20 {
                return Err(bad("has a width over 20"));
            }
            width = Some(w);
        }
        match width {
            Some(width) => Ok(SequencePattern {
                prefix,
                width,
                suffix,
            }),
            None => Err(bad("has no frame number")),
        }
    }

    /// The file name of frame `n`.
    #[must_use]
    pub fn name(&self, n: u64) -> String {
        format!(
            "{}{:0width$}{}",
            self.prefix,
            n,
            self.suffix,
            width = self.width
        )
    }
}

/// Writes each frame to its own PNG file, named from a
/// [`SequencePattern`] and numbered from 0 in the order written (ffmpeg's
/// `frame%04d.png`).
///
/// PNG frames are written as they are; JPEG frames are decoded; GRAYSCALE,
/// RGB888, BGR888, ARGB8, GRAY16 and RGB48 are encoded directly; every other
/// format is converted to RGB888 (or GRAYSCALE for BINARY) first. Each file
/// is written whole to a temporary name beside it and renamed into place, so
/// an interrupted sequence never leaves a partial PNG under a frame's name.
///
/// ```
/// use std::time::Duration;
/// use camreel::frame::Frame;
/// use camreel::sink::{FrameSink, ImageSequence};
/// use camreel::{Image, PixelFormat};
///
/// let dir = tempfile::tempdir()?;
/// let pattern = dir.path().join("f%02d.png");
/// let mut seq = ImageSequence::create(pattern.to_str().unwrap())?;
/// let image = Image::zeroed(PixelFormat::Rgb888, 4, 4)?;
/// for i in 0..3u64 {
///     seq.write_frame(&Frame::new(image.view(), i, Duration::ZERO))?;
/// }
/// seq.finish()?;
/// assert!(dir.path().join("f02.png").exists());
/// assert_eq!(seq.frames(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ImageSequence {
    pattern: SequencePattern,
    next: u64,
    bytes: u64,
    finished: bool,
    converted: Image,
    encoded: Vec<u8>,
}

impl ImageSequence {
    /// A sequence named by `pattern` (see [`SequencePattern::parse`]).
    ///
    /// # Errors
    /// As [`SequencePattern::parse`].
    pub fn create(pattern: &str) -> Result<ImageSequence> {
        Ok(ImageSequence {
            pattern: SequencePattern::parse(pattern)?,
            next: 0,
            bytes: 0,
            finished: false,
            converted: Image::empty(),
            encoded: Vec::new(),
        })
    }

    /// Files written so far.
    pub fn frames(&self) -> u64 {
        self.next
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The pattern.
    pub fn pattern(&self) -> &SequencePattern {
        &self.pattern
    }

    /// The PNG bytes of `image` in `self.encoded` (or `image`'s own bytes).
    fn encode<'a>(&'a mut self, image: ImageRef<'a>) -> Result<&'a [u8]> {
        let pixels = match image.format() {
            PixelFormat::Png => return Ok(image.data()),
            PixelFormat::Jpeg => {
                codec::decode_into(image, &mut self.converted)?;
                self.converted.view()
            }
            PixelFormat::Grayscale
            | PixelFormat::Rgb888
            | PixelFormat::Bgr888
            | PixelFormat::Argb8
            | PixelFormat::Gray16
            | PixelFormat::Rgb48 => image,
            other => {
                let to = if other.is_color() {
                    PixelFormat::Rgb888
                } else {
                    PixelFormat::Grayscale
                };
                convert::convert_into(image, to, &mut self.converted)?;
                self.converted.view()
            }
        };
        self.encoded.clear();
        codec::png::encode(pixels, &mut self.encoded)?;
        Ok(&self.encoded)
    }
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(format!("writing {}", quote_path(path)), e));
    }
    Ok(())
}

impl FrameSink for ImageSequence {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        if self.finished {
            return Err(sink::finished("the image sequence"));
        }
        let path = PathBuf::from(self.pattern.name(self.next));
        let bytes = self.encode(frame.image)?;
        let len = bytes.len() as u64;
        write_whole(&path, bytes)?;
        self.bytes += len;
        self.next += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.finished = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let p = SequencePattern::parse("out/frame%04d.png").unwrap();
        assert_eq!(p.name(7), "out/frame0007.png");
        assert_eq!(p.name(12345), "out/frame12345.png");
        assert_eq!(
            SequencePattern::parse("f%d.png").unwrap().name(42),
            "f42.png"
        );
        assert_eq!(
            SequencePattern::parse("100%%_%02d.png").unwrap().name(3),
            "100%_03.png"
        );
        for bad in [
            "f.png",
            "f%d%d.png",
            "f%s.png",
            "f%4d.png",
            "f%099d.png",
            "f%",
        ] {
            let e = SequencePattern::parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn frames_become_files_and_a_failed_write_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let pattern = dir.path().join("f%d.png");
        let mut seq = ImageSequence::create(pattern.to_str().unwrap()).unwrap();
        let gray = Image::new(PixelFormat::Grayscale, 2, 1, vec![3, 9]).unwrap();
        seq.write_frame(&Frame::new(gray.view(), 0, std::time::Duration::ZERO))
            .unwrap();
        let png = std::fs::read(dir.path().join("f0.png")).unwrap();
        assert_eq!(codec::png::decode(&png).unwrap(), gray);
        assert_eq!(seq.bytes(), png.len() as u64);
        // A directory in the way of the next name: the write fails cleanly.
        std::fs::create_dir(dir.path().join("f1.png")).unwrap();
        assert!(
            seq.write_frame(&Frame::new(gray.view(), 1, std::time::Duration::ZERO))
                .is_err()
        );
        assert!(!dir.path().join("f1.png.part").exists());
        assert_eq!(seq.frames(), 1);
        seq.finish().unwrap();
        let e = seq
            .write_frame(&Frame::new(gray.view(), 2, std::time::Duration::ZERO))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Finished);
    }
}
