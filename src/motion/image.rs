//! The seed's magnitude picture of a frame's motion.

use super::layout::MotionFrame;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, Limits, PixelFormat};

/// How [`magnitude_image`] draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MagnitudeOptions {
    /// Pixels per block side (default 16: the picture has the frame's size,
    /// rounded up to whole macroblocks).
    pub scale: u32,
    /// Grey levels per pixel of vector length (default 11: the longest vector
    /// of the default +-16 search, 22.6 pixels, is nearly white). The level
    /// is `min(255, magnitude * gain)` truncated, as the seed's
    /// `.clip(0, 255).astype(np.uint8)`; `scale: 1, gain: 1.0` is the seed's image.
    pub gain: f64,
}

impl Default for MagnitudeOptions {
    fn default() -> MagnitudeOptions {
        MagnitudeOptions {
            scale: 16,
            gain: 11.0,
        }
    }
}

/// The magnitude picture of `frame` (GRAYSCALE, `block_cols * scale` x
/// `rows * scale`; the extra column of the records is not drawn).
///
/// The seed's picture of a frame's motion: one grey pixel per macroblock,
/// as bright as the block's vector is long, scaled up so that a person can
/// see it. The caller encodes it (PNG with [`crate::codec::png`], a GIF or an
/// AVI of all frames, ...).
///
/// # Errors
/// As [`magnitude_image_into`].
///
/// ```
/// use camreel::motion::{MagnitudeOptions, MotionFrame, MotionLayout, MotionVector, magnitude_image};
///
/// let layout = MotionLayout::new(32, 16)?; // 2x1 blocks
/// let mut bytes = vec![0u8; layout.frame_bytes()];
/// bytes[4..8].copy_from_slice(&MotionVector { x: 3, y: -4, sad: 0 }.to_bytes());
/// let frame = MotionFrame::new(layout, &bytes)?;
///
/// // The seed's own image: the magnitude itself as the grey level, one pixel per block.
/// let seed = magnitude_image(&frame, &MagnitudeOptions { scale: 1, gain: 1.0 })?;
/// assert_eq!((seed.size(), seed.data()), ((2, 1), &[0u8, 5][..]));
///
/// // The default: 16x16 pixels per block, 11 grey levels per pixel of motion.
/// let big = magnitude_image(&frame, &MagnitudeOptions::default())?;
/// assert_eq!(big.size(), (32, 16));
/// assert_eq!(big.data()[31], 55);
/// # Ok::<(), camreel::Error>(())
/// ```
pub fn magnitude_image(frame: &MotionFrame<'_>, options: &MagnitudeOptions) -> Result<Image> {
    let mut image = Image::empty();
    magnitude_image_into(frame, options, &mut image)?;
    Ok(image)
}

/// As [`magnitude_image`], into `dst` (reusing its memory).
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for a scale of 0 or a gain that is
/// negative or not finite; [`ErrorKind::LimitExceeded`] when the picture
/// would be larger than the default [`Limits`].
pub fn magnitude_image_into(
    frame: &MotionFrame<'_>,
    options: &MagnitudeOptions,
    dst: &mut Image,
) -> Result<()> {
    if options.scale == 0 || !(options.gain.is_finite() && options.gain >= 0.0) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "magnitude image scale {} and gain {} (expected a scale of 1 or more and a finite gain of 0 or more)",
                options.scale, options.gain
            ),
        ));
    }
    let layout = frame.layout();
    let scale = options.scale as usize;
    let too_big = || {
        Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "a magnitude image of {}x{} blocks at {scale} pixels per block is too large",
                layout.block_cols(),
                layout.rows()
            ),
        )
    };
    let w = u32::try_from(layout.block_cols() * scale).map_err(|_| too_big())?;
    let h = u32::try_from(layout.rows() * scale).map_err(|_| too_big())?;
    Limits::default().check(PixelFormat::Grayscale, w, h)?;
    dst.reshape(PixelFormat::Grayscale, w, h)?;
    let out = dst.data_mut();
    let wu = w as usize;
    for (col, row, v) in frame.blocks() {
        let level = (v.magnitude() * options.gain).clamp(0.0, 255.0) as u8;
        for y in row * scale..(row + 1) * scale {
            out[y * wu + col * scale..y * wu + (col + 1) * scale].fill(level);
        }
    }
    Ok(())
}
