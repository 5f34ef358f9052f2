//! The Motion-JPEG AVI reader: [`AviReader`] opens a file (`open`: the
//! header `walk`, then an `index` or a `scan` of the chunks) and reads its
//! `frames`, decoded or as stored; `options` holds what it reports and how
//! it reads.

mod frames;
mod index;
mod open;
mod options;
mod scan;
#[cfg(test)]
mod tests;
mod walk;

pub use frames::{DecodedFrames, EncodedFrames};
pub use open::AviReader;
pub use options::{AviInfo, FrameEntry, IndexKind, ReaderOptions};
