//! Images: the owned [`Image`], the borrowed [`ImageRef`], [`PixelFormat`],
//! [`Rect`] and [`Limits`].
//!
//! Pixel code takes an [`ImageRef`], so a camera's mmap buffer, a frame read
//! from a file and an owned [`Image`] all go through the same path without a
//! copy. Both types check at construction that the buffer length matches the
//! width, height and format, so code that receives one can index rows without
//! re-checking.
//!
//! ```
//! use camreel::{Image, ImageRef, PixelFormat};
//!
//! // A borrowed 4x2 grayscale view over someone else's bytes.
//! let bytes = [0u8, 1, 2, 3, 10, 11, 12, 13];
//! let view = ImageRef::new(PixelFormat::Grayscale, 4, 2, &bytes)?;
//! assert_eq!(view.row(1), &[10, 11, 12, 13]);
//!
//! // An owned copy, and a wrong-sized buffer that is refused.
//! let owned: Image = view.to_image();
//! assert_eq!(owned.data(), &bytes);
//! assert!(Image::new(PixelFormat::Rgb565, 4, 2, vec![0; 15]).is_err());
//! # Ok::<(), camreel::Error>(())
//! ```

mod bayer_order;
mod format;
#[cfg(feature = "image")]
#[cfg_attr(docsrs, doc(cfg(feature = "image")))]
pub mod interop;
mod limits;
mod owned;
mod rect;
mod view;
mod work;

pub use bayer_order::BayerOrder;
pub use format::PixelFormat;
pub use limits::Limits;
pub use owned::Image;
pub use rect::Rect;
pub use view::ImageRef;
