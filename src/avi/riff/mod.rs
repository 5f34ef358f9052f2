//! Byte layouts of the RIFF AVI structures, free of I/O: headers and index
//! entries to bytes and back. All integers are little-endian.
//!
//! References: Microsoft's AVI RIFF reference (`avih`, `strh`, `strf`,
//! `idx1`) and the OpenDML AVI File Format Extensions 1.02 (`indx`, `ix##`,
//! `odml`/`dmlh`, `RIFF AVIX`).

mod chunk;
mod headers;
mod index;
mod layout;
#[cfg(test)]
mod tests;

pub(crate) use chunk::*;
pub(crate) use headers::*;
pub(crate) use index::*;
pub(crate) use layout::*;
