//! picamera raw captures: the `picamera.array` equivalents.
//!
//! Unencoded picamera captures are padded: the width up to a multiple of 32,
//! the height up to a multiple of 16 ([`padded_size`]). This module crops
//! them back ([`crop_yuv420`], [`crop_rgb`]), lays images out the picamera way
//! ([`pad_yuv420`], [`pad_rgb`]), reads and writes the raw Bayer block a Pi
//! appends to a JPEG (`capture(..., bayer=True)`), and decodes any capture to
//! RGB ([`decode`], given the capture's [`CaptureSpec`]).
//!
//! The raw Bayer block is a 32768-byte header region starting with `BRCM`,
//! whose 70-byte [`BrcmHeader`] sits at offset 176 (little-endian: a 32-byte
//! NUL-padded name, width, height, right and bottom padding as `u16`s, six
//! `u32`s, transform and format `u16`s, the Bayer order and format bytes),
//! followed by RAW10 rows ([`RawLayout`]: 4 pixels in 5 bytes, the row
//! padded to a multiple of 32 bytes, the rows to a multiple of 16). Nothing
//! here assumes a Bayer order: it is always read from the header.
//!
//! | file | contents |
//! |---|---|
//! | `layout` | padded sizes, crops and pads of `'yuv'` and `'rgb'` captures |
//! | `brcm` | the block header and row layout |
//! | `sensor` | the OV5647 and IMX219 modules' blocks |
//! | `bayer` | finding, parsing and building a JPEG + raw block |
//! | `format` | [`PiFormat`] and [`CaptureSpec`] |
//! | `decode` | [`decode`] and [`DecodeOptions`] |
//!
//! ```
//! use camreel::raw::{padded_size, yuv420_capture_len, Sensor};
//! assert_eq!(padded_size(100, 100), (128, 112));
//! assert_eq!(yuv420_capture_len(100, 100)?, 14336 + 2 * 3584);
//! assert_eq!(Sensor::Ov5647.block_len(), 6_404_096);
//! assert_eq!(Sensor::Imx219.block_len(), 10_270_208);
//! # Ok::<(), camreel::Error>(())
//! ```

mod bayer;
mod brcm;
mod decode;
mod format;
mod layout;
mod sensor;

pub use bayer::{BayerCapture, build_raw_block};
pub use brcm::{BrcmHeader, DATA_OFFSET, HEADER_LEN, HEADER_OFFSET, MAGIC, RawLayout};
pub use decode::{DecodeOptions, decode};
pub use format::{CaptureSpec, PiFormat};
pub use layout::{
    crop_rgb, crop_yuv420, pad_rgb, pad_yuv420, padded_size, rgb_capture_len, yuv420_capture_len,
};
pub use sensor::Sensor;
