//! [`MotionEstimator`]: frames in any format in, picamera motion records out.

use super::layout::MotionLayout;
use super::matcher::Matcher;
use super::plane::Plane;
use super::search::{DEFAULT_SEARCH_RANGE, Kernel, MAX_SEARCH_RANGE};
use crate::codec;
use crate::convert::ConvertOptions;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, Limits, PixelFormat};

/// Settings of a [`MotionEstimator`].
///
/// ```
/// use camreel::motion::{Kernel, MotionOptions};
/// let o = MotionOptions::default().search_range(8).kernel(Kernel::Scalar);
/// assert_eq!((o.get_search_range(), o.get_kernel()), (8, Kernel::Scalar));
/// assert_eq!(MotionOptions::default().get_search_range(), 16);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct MotionOptions {
    /// Search range R in pixels, 1..=127 (default 16): offsets `-R..=R` in
    /// both directions are tried.
    pub(crate) search_range: u8,
    /// The SAD kernel (default [`Kernel::Auto`]).
    pub(crate) kernel: Kernel,
    /// Caps on frame sizes (default [`Limits::default`]), checked before the
    /// first allocation for a frame.
    pub(crate) limits: Limits,
}

impl Default for MotionOptions {
    fn default() -> MotionOptions {
        MotionOptions {
            search_range: DEFAULT_SEARCH_RANGE,
            kernel: Kernel::Auto,
            limits: Limits::default(),
        }
    }
}

impl MotionOptions {
    /// Sets the search range.
    pub fn search_range(mut self, range: u8) -> MotionOptions {
        self.search_range = range;
        self
    }

    /// Sets the kernel.
    pub fn kernel(mut self, kernel: Kernel) -> MotionOptions {
        self.kernel = kernel;
        self
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> MotionOptions {
        self.limits = limits;
        self
    }

    /// The search range (see the setter).
    pub fn get_search_range(&self) -> u8 {
        self.search_range
    }

    /// The kernel (see the setter).
    pub fn get_kernel(&self) -> Kernel {
        self.kernel
    }

    /// The limits (see the setter).
    pub fn get_limits(&self) -> Limits {
        self.limits
    }
}

/// Computes picamera-style motion vectors frame after frame.
///
/// Feed frames in order with [`MotionEstimator::estimate`]; each call writes
/// that frame's records, comparing it with the frame before. The first frame
/// (and the first after [`MotionEstimator::reset`]) gives all-zero records;
/// every later frame must have the first one's size.
///
/// The luma is read straight from GRAYSCALE, YUV420 and NV12 frames (the Y
/// plane) and YUV422/YVU422 frames (every other byte); other formats are
/// converted to GRAYSCALE ([`crate::convert`]) into a buffer the estimator
/// keeps, and JPEG/PNG frames are decoded first. Once the first frame has
/// sized the buffers, an uncompressed frame costs no allocation (the JPEG
/// and PNG decoders allocate internally).
///
/// ```
/// use camreel::motion::{MotionEstimator, MotionOptions, MotionVector};
/// use camreel::{ImageRef, PixelFormat};
///
/// // A 48x32 texture, then the same texture moved right by 3 pixels.
/// let tex = |x: usize, y: usize| ((x * 7 + y * 13) ^ (x * y)) as u8;
/// let f0: Vec<u8> = (0..32 * 48).map(|i| tex(i % 48 + 10, i / 48)).collect();
/// let f1: Vec<u8> = (0..32 * 48).map(|i| tex(i % 48 + 7, i / 48)).collect();
///
/// let mut est = MotionEstimator::new(MotionOptions::default().search_range(4))?;
/// let mut out = Vec::new();
/// est.estimate_into(ImageRef::new(PixelFormat::Grayscale, 48, 32, &f0)?, &mut out)?;
/// assert!(out.iter().all(|&b| b == 0)); // first frame
/// let layout = est.estimate_into(ImageRef::new(PixelFormat::Grayscale, 48, 32, &f1)?, &mut out)?;
/// assert_eq!(out.len(), layout.frame_bytes()); // 2 rows of 3 + 1 records
/// let at = layout.record_offset(1, 0); // an interior block
/// let v = MotionVector::from_bytes(out[at..at + 4].try_into().unwrap());
/// assert_eq!((v.x, v.y, v.sad), (-3, 0, 0));
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Debug)]
pub struct MotionEstimator {
    options: MotionOptions,
    matcher: Matcher,
    layout: Option<MotionLayout>,
    cur: Plane,
    prev: Plane,
    vectors: Vec<(i8, i8)>,
    zero_sads: Vec<u16>,
    decoded: Image,
    gray: Image,
    frames: u64,
}

impl MotionEstimator {
    /// An estimator with `options`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a search range outside 1..=127;
    /// [`ErrorKind::BackendUnavailable`] for [`Kernel::Avx2`] on a CPU
    /// without AVX2.
    pub fn new(options: MotionOptions) -> Result<MotionEstimator> {
        if !(1..=MAX_SEARCH_RANGE).contains(&options.search_range) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "motion search range {} is out of range (expected 1 to {MAX_SEARCH_RANGE})",
                    options.search_range
                ),
            ));
        }
        if !options.kernel.is_available() {
            return Err(Error::new(
                ErrorKind::BackendUnavailable,
                "the avx2 motion kernel needs a cpu with avx2",
            ));
        }
        Ok(MotionEstimator {
            options,
            matcher: Matcher::new(options.search_range, options.kernel),
            layout: None,
            cur: Plane::default(),
            prev: Plane::default(),
            vectors: Vec::new(),
            zero_sads: Vec::new(),
            decoded: Image::empty(),
            gray: Image::empty(),
            frames: 0,
        })
    }

    /// The settings.
    pub fn options(&self) -> &MotionOptions {
        &self.options
    }

    /// The kernel that runs: [`Kernel::Scalar`] or [`Kernel::Avx2`].
    pub fn kernel(&self) -> Kernel {
        self.matcher.kernel()
    }

    /// The grid of the frames, once the first frame has set it.
    pub fn layout(&self) -> Option<MotionLayout> {
        self.layout
    }

    /// Frames estimated since construction or the last reset.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The SAD of every macroblock of the last frame at the zero offset
    /// (row-major, no extra column; all zero after a first frame). Pass them
    /// to [`MotionFrame::with_zero_sads`](crate::motion::MotionFrame::with_zero_sads)
    /// so that a [`MotionDetector`](crate::motion::MotionDetector) can tell
    /// motion from noise.
    pub fn zero_sads(&self) -> &[u16] {
        &self.zero_sads
    }

    /// Forgets the previous frame: the next one is a first frame again and
    /// may have any size.
    pub fn reset(&mut self) {
        self.layout = None;
        self.frames = 0;
    }

    /// Estimates the motion of `image` relative to the previous frame and
    /// writes its records into `out`, which must be exactly
    /// [`MotionLayout::frame_bytes`] long for the frame's size. Returns the grid.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] naming the frame when its size is not
    /// the first frame's, or when `out` has the wrong length; whatever
    /// decoding or converting the frame fails with; limits as in
    /// [`MotionOptions::limits`]. After an error the estimator still holds
    /// the last good frame, so the next frame is compared with that.
    pub fn estimate(&mut self, image: ImageRef<'_>, out: &mut [u8]) -> Result<MotionLayout> {
        let index = self.frames;
        let (w, h) = self
            .load(image)
            .map_err(|e| e.context(format_args!("frame {index}")))?;
        let layout = match self.layout {
            Some(l) if (l.width(), l.height()) != (w, h) => {
                return Err(Error::new(
                    ErrorKind::InvalidFrameSize,
                    format!(
                        "frame {index}: {w}x{h} is not the size of the first frame ({}x{})",
                        l.width(),
                        l.height()
                    ),
                ));
            }
            Some(l) => l,
            None => MotionLayout::with_limits(w, h, &self.options.limits)?,
        };
        if out.len() != layout.frame_bytes() {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!(
                    "frame {index}: a {w}x{h} frame has {} bytes of motion records, not {}",
                    layout.frame_bytes(),
                    out.len()
                ),
            ));
        }
        if self.layout.is_none() {
            self.vectors.clear();
            self.vectors.resize(layout.blocks(), (0, 0));
            self.zero_sads.clear();
            self.zero_sads.resize(layout.blocks(), 0);
            out.fill(0);
            // Size the other plane now, so the second frame allocates nothing.
            self.prev.resize(w as usize, h as usize);
            self.layout = Some(layout);
        } else {
            self.matcher.match_frame(
                &self.cur,
                &self.prev,
                &layout,
                &mut self.vectors,
                out,
                &mut self.zero_sads,
            );
        }
        std::mem::swap(&mut self.cur, &mut self.prev);
        self.frames += 1;
        Ok(layout)
    }

    /// As [`MotionEstimator::estimate`], sizing `out` to the frame's records
    /// first (it allocates only when `out` is too small, so a reused vector
    /// allocates once).
    ///
    /// # Errors
    /// As [`MotionEstimator::estimate`].
    pub fn estimate_into(
        &mut self,
        image: ImageRef<'_>,
        out: &mut Vec<u8>,
    ) -> Result<MotionLayout> {
        let (w, h) = match self.layout {
            Some(l) => (l.width(), l.height()),
            None => self.frame_size(image)?,
        };
        // A frame of another size fails in `estimate`; size `out` for the
        // first frame's grid so that the error is about the frame.
        let bytes = MotionLayout::with_limits(w, h, &self.options.limits)?.frame_bytes();
        out.resize(bytes, 0);
        self.estimate(image, out)
    }

    /// The size `image` will have once decoded.
    fn frame_size(&self, image: ImageRef<'_>) -> Result<(u32, u32)> {
        match image.format() {
            PixelFormat::Jpeg => codec::jpeg::dimensions(image.data()),
            PixelFormat::Png => codec::png::dimensions(image.data()),
            _ => Ok(image.size()),
        }
    }

    /// Puts the luma of `image` into `self.cur`; returns the frame size.
    fn load(&mut self, image: ImageRef<'_>) -> Result<(u32, u32)> {
        let limits = self.options.limits;
        limits.check_dimensions(image.width(), image.height())?;
        let image = if image.format().is_compressed() {
            codec::decode_with_limits(image, &limits, &mut self.decoded)?;
            self.decoded.view()
        } else {
            image
        };
        let (w, h) = image.size();
        let (wu, hu) = (w as usize, h as usize);
        match image.format() {
            PixelFormat::Grayscale | PixelFormat::Yuv420 | PixelFormat::Nv12 => {
                self.cur.fill(wu, hu, |y| image.row(y as u32));
            }
            PixelFormat::Yuv422 | PixelFormat::Yvu422 => {
                self.cur.fill_with(wu, hu, |y, dst| {
                    for (d, pair) in dst.iter_mut().zip(image.row(y as u32).chunks_exact(2)) {
                        *d = pair[0];
                    }
                });
            }
            _ => {
                let opts = ConvertOptions::default().with_limits(limits);
                let opts = crate::codec::TranscodeOptions::default().with_convert(opts);
                crate::codec::transcode_with(image, PixelFormat::Grayscale, &opts, &mut self.gray)?;
                let gray = self.gray.view();
                self.cur.fill(wu, hu, |y| gray.row(y as u32));
            }
        }
        Ok((w, h))
    }
}
