//! "OMV IMG STR" files on disk: [`FileOptions`] (`create`, `open`),
//! [`FileStream`] (the index of frame headers, reading) and its write path
//! (`write`).

mod copy;
mod options;
mod stream;
#[cfg(test)]
mod tests;
mod write;

pub use options::FileOptions;
pub use stream::{DamagedTail, FileStream};

use stream::{Entry, ZEROS, read_exact_at};
