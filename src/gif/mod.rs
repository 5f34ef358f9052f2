//! Animated GIF writer: OpenMV's `gif` module, with real compression.
//!
//! [`GifWriter`] writes a GIF89a animation to a file
//! ([`GifWriter::create`]) or any [`Write`](std::io::Write): a fixed width
//! and height, frames timed by their timestamps (as a
//! [`FrameSink`](crate::sink::FrameSink)) or shown for a given
//! [`Duration`](std::time::Duration) (OpenMV's `add_frame(img, delay=10)`
//! is `add_frame(&img, Duration::from_millis(100))`), rounded to GIF's
//! centiseconds with the rounding carried forward, and the NETSCAPE2.0 loop
//! extension unless looping is turned off. [`GifReader`] reads animations
//! back as timed frames, and [`read_info`] reads their structure.
//!
//! ```
//! use std::time::Duration;
//! use camreel::gif::{GifWriter, read_info};
//! use camreel::{Image, PixelFormat};
//!
//! let mut gif = GifWriter::new(Vec::new(), 32, 24)?;
//! for i in 0..10u8 {
//!     let mut frame = Image::zeroed(PixelFormat::Rgb888, 32, 24)?;
//!     frame.data_mut()[..96].fill(i * 25); // a bar that brightens
//!     gif.add_frame(&frame, Duration::from_millis(100))?;
//! }
//! let bytes = gif.into_inner()?;
//! assert_eq!(&bytes[..6], b"GIF89a");
//! assert_eq!(read_info(&bytes[..])?.duration(), Duration::from_secs(1));
//! # Ok::<(), camreel::Error>(())
//! ```
//!
//! # Palettes
//!
//! * [`PaletteMode::Adaptive`] (the default) builds a palette of up to 256
//!   colours for every frame with Wu's quantiser refined by a k-means pass,
//!   computed only from the pixels the frame has to redraw; a frame with at
//!   most 255 distinct colours is stored exactly. Grayscale frames get up to
//!   255 exact gray levels. (A palette per frame was chosen by measurement:
//!   on the shared bench's noisy 320x240 camera sequence, reusing the first
//!   frame's palette for all frames cost 2.7 dB of mean PSNR for 3 % fewer
//!   bytes.)
//! * [`PaletteMode::Fixed`] uses OpenMV's fixed 7-bit palette (RGB232:
//!   2 bits red, 3 green, 2 blue; grayscale: 128 levels) as one global table,
//!   and writes every frame whole, like OpenMV's `gif.c`, but LZW-compressed
//!   (OpenMV emits a clear code every 126 pixels and never compresses). Pixels
//!   map to the nearest palette colour (OpenMV truncates).
//!
//! Both accept [`Dither::Ordered`] (an 8x8 Bayer matrix) or
//! [`Dither::ErrorDiffusion`] (Floyd-Steinberg).
//!
//! # Inter-frame optimisation
//!
//! In adaptive mode (unless [`GifOptions::inter_frame`] is turned off) every
//! frame after the first uses disposal "keep": a pixel whose currently shown
//! colour is at least as close to the new source pixel as the best palette
//! colour (or within a small threshold of it) becomes the transparent index,
//! and the frame is cropped to the bounding box of the pixels that are
//! redrawn. A pixel whose source did not change at all keeps what the last
//! frame showed, so a still scene settles to a few dozen bytes per frame. The
//! comparison is always against what a decoder shows, so errors do not
//! accumulate from frame to frame.
//!
//! Without dithering, [`GifOptions::lossy`] lets a pixel take a slightly
//! worse colour when that repeats its left neighbour or continues the string
//! the LZW encoder is matching (the encoder's dictionary is modelled exactly,
//! as gifsicle's "lossy" mode does); the compressed bytes themselves always
//! come from the `gif` crate's LZW encoder.
//!
//! # Speed
//!
//! Large frames use a second thread (when the machine has more than one
//! core) for the change survey and the palette search, and a writer's helper
//! thread LZW-compresses each large frame while the next one is mapped to
//! its palette; the output does not depend on either. See
//! `scripts/gif_compare.sh` and `benches/gif.rs`.
//!
//! # Frame sizes and formats
//!
//! Any pixel format is accepted: JPEG and PNG frames are decoded
//! ([`crate::codec`]) and the others converted to RGB888, or to GRAYSCALE for
//! a grayscale writer ([`crate::convert`]). The writer does not keep the
//! transparency of its input (its transparent colour serves the inter-frame
//! optimisation): ARGB8 frames, such as a transparent GIF's, are composited
//! over [`ALPHA_BACKGROUND`](crate::convert::ALPHA_BACKGROUND), black. A frame of another size than the
//! writer's is scaled to fit, keeping its aspect ratio, centred between black
//! bars (letterbox, [`crate::geometry::fit`] with bilinear filtering), as
//! the MJPEG writer does.
//!
//! # Reading
//!
//! [`GifReader`] composites frames as browsers do and reads what they read
//! (extensions with unknown labels are skipped). Frames keep their
//! transparency as ARGB8 (transparent where no frame has drawn, or where a
//! frame was disposed to the background: browsers clear it, they do not
//! paint the screen's background colour), or come as RGB888 over
//! [`ALPHA_BACKGROUND`](crate::convert::ALPHA_BACKGROUND) (black) with
//! [`ReaderOptions::alpha`] turned off. [`GifInfo::is_opaque`] tells from
//! the structure whether a file can show transparency at all; the replay
//! camera ([`crate::replay::GifReplay`], behind `camreel convert`) gives
//! RGB888 for files it proves opaque and ARGB8 otherwise. `tests/gif_corpus.rs`
//! compares the frames with Pillow's on files from Pillow, ffmpeg and
//! ImageMagick, and documents where Pillow differs from browsers.

mod blocks;
mod compress;
mod dither;
mod encode;
mod lzw;
mod nearest;
mod options;
mod quantize;
mod read;
mod writer;

pub use options::{Dither, GifOptions, PaletteMode};
pub use read::{
    GifFrameInfo, GifFrames, GifInfo, GifReader, ReaderOptions, read_info, read_info_partial,
};
pub use writer::GifWriter;
