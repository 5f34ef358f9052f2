//! PNG sequences: `camreel convert IN.bin 'frame%04d.png'` writes one PNG per
//! frame, named from a printf-style pattern.
//!
//! Frames are numbered from 0 in output order. PNG frames are written as they
//! are; JPEG frames are decoded; GRAYSCALE, RGB888, BGR888, ARGB8, GRAY16 and
//! RGB48 are encoded directly; every other format is converted to RGB888 (or
//! GRAYSCALE for BINARY) first.

use std::path::{Path, PathBuf};

use camreel::{Error, ErrorKind, Image, ImageRef, PixelFormat, Result, codec, convert};

use crate::frames::{Frame, FrameOutput, OutputOptions};

/// A file-name pattern with one `%d` or `%0Nd` (and `%%` for a literal `%`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    prefix: String,
    width: usize,
    suffix: String,
}

impl Pattern {
    /// Parses `pattern`.
    pub fn parse(pattern: &str) -> Result<Pattern> {
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
            Some(width) => Ok(Pattern {
                prefix,
                width,
                suffix,
            }),
            None => Err(bad("has no frame number")),
        }
    }

    /// The file name of frame `n`.
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

/// Writes each frame to its own PNG file.
pub struct PngSequence {
    pattern: Pattern,
    next: u64,
    converted: Image,
    encoded: Vec<u8>,
}

/// Starts a sequence at `path` (the pattern). No option applies to PNG output.
pub fn create(path: &Path, options: &OutputOptions) -> Result<Box<dyn FrameOutput>> {
    let unused = [
        ("--quality", options.quality.is_some()),
        ("--width", options.width.is_some()),
        ("--height", options.height.is_some()),
        ("--fps", options.fps.is_some()),
        ("--palette", options.palette.is_some()),
        ("--dither", options.dither),
    ];
    if let Some((flag, _)) = unused.iter().find(|(_, set)| *set) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{flag} does not apply to PNG sequence output"),
        ));
    }
    let text = path.to_str().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("output pattern {} is not valid UTF-8", path.display()),
        )
    })?;
    Ok(Box::new(PngSequence {
        pattern: Pattern::parse(text)?,
        next: 0,
        converted: Image::empty(),
        encoded: Vec::new(),
    }))
}

impl PngSequence {
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

impl FrameOutput for PngSequence {
    fn write_frame(&mut self, frame: &Frame) -> Result<()> {
        let path = PathBuf::from(self.pattern.name(self.next));
        let bytes = self.encode(frame.image.view())?;
        std::fs::write(&path, bytes)
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        self.next += 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<u64> {
        Ok(self.next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let p = Pattern::parse("out/frame%04d.png").unwrap();
        assert_eq!(p.name(7), "out/frame0007.png");
        assert_eq!(p.name(12345), "out/frame12345.png");
        assert_eq!(Pattern::parse("f%d.png").unwrap().name(42), "f42.png");
        assert_eq!(
            Pattern::parse("100%%_%02d.png").unwrap().name(3),
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
            let e = Pattern::parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad}");
        }
    }
}
