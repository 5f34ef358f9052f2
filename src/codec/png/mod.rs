//! PNG encoding and decoding, 8 and 16 bits per sample (the `png` crate).
//!
//! | camreel format | PNG colour type |
//! |---|---|
//! | GRAYSCALE | gray, 8 bit |
//! | RGB888 / BGR888 | RGB, 8 bit |
//! | ARGB8 | RGBA, 8 bit |
//! | GRAY16 | gray, 16 bit |
//! | RGB48 | RGB, 16 bit |
//!
//! PNG stores 16-bit samples big-endian; camreel's GRAY16 and RGB48 hold
//! little-endian `u16`s, and both directions swap.
//!
//! Decoding expands palettes and 1/2/4-bit gray to 8 bits. A transparency
//! chunk (`tRNS`) or an alpha channel gives ARGB8 for 8-bit images (gray +
//! alpha becomes ARGB8 with R = G = B = gray). camreel has no 16-bit format
//! with alpha, so 16-bit RGBA decodes to RGB48 and 16-bit gray + alpha to
//! GRAY16, dropping the alpha. Only the first frame of an animated PNG is read.
//!
//! ```
//! use camreel::codec::png;
//! use camreel::{Image, PixelFormat};
//!
//! let samples: Vec<u8> = [0u16, 1000, 65535].iter().flat_map(|v| v.to_le_bytes()).collect();
//! let deep = Image::new(PixelFormat::Gray16, 3, 1, samples)?;
//! let mut file = Vec::new();
//! png::encode(deep.view(), &mut file)?;
//! assert_eq!(png::dimensions(&file)?, (3, 1));
//! assert_eq!(png::decode(&file)?, deep);
//! # Ok::<(), camreel::Error>(())
//! ```

mod decode;
mod encode;

pub use decode::{decode, decode_into, decode_with_limits, dimensions};
pub use encode::{Compression, PngOptions, encode, encode_image, encode_with};
