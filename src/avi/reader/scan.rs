//! Frame lists without an index: walking the chunks of a file that was
//! never closed (or on request, [`ReaderOptions::recover`](super::ReaderOptions::recover)),
//! resynchronising on the next frame chunk after bytes that form none.

use std::io::{Read, Seek};

use super::walk::{padded, read_at};
use super::{AviReader, FrameEntry};
use crate::avi::riff;
use crate::avi::riff::FourCc;
use crate::codec::jpeg;
use crate::error::Result;

/// Block size for scan reads.
const BLOCK: usize = 64 << 10;

impl<R: Read + Seek> AviReader<R> {
    /// Walks the chunks from `start` to the end of the file, leniently: into
    /// `RIFF AVIX`, `LIST movi` and `LIST rec `, past other chunks, and over
    /// bytes that form no chunk (resynchronising on the next frame).
    pub(super) fn scan(&mut self, start: u64, file_len: u64) -> Result<Vec<FrameEntry>> {
        let mut entries = Vec::new();
        let mut pos = start;
        let mut skipped = 0u64;
        let mut tail = 0u64;
        while pos < file_len {
            if pos + 8 > file_len {
                tail = file_len - pos;
                break;
            }
            let mut h = [0u8; 12];
            let n = (file_len - pos).min(12) as usize;
            read_at(&mut self.inner, pos, &mut h[..n])?;
            let (id, size) =
                riff::parse_chunk_header(&[h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
            let end = pos + 8 + padded(size);
            let list_type = &h[8..12];
            let good = match &id {
                b"RIFF" if n == 12 && matches!(list_type, b"AVIX" | b"AVI ") => {
                    pos += 12;
                    continue;
                }
                b"LIST" if n == 12 && matches!(list_type, b"movi" | b"rec ") => {
                    pos += 12;
                    continue;
                }
                _ if self.is_ours(id) => {
                    let data_end = pos + 8 + u64::from(size);
                    if data_end > file_len {
                        tail = file_len - pos;
                        break;
                    }
                    if size == 0 || (n == 12 && jpeg::looks_like_jpeg(&h[8..11])) {
                        self.push(
                            &mut entries,
                            FrameEntry {
                                offset: pos + 8,
                                size,
                            },
                        )?;
                        true
                    } else {
                        false
                    }
                }
                _ if riff::is_printable(id) => {
                    if end > file_len {
                        tail = file_len - pos;
                        break;
                    }
                    true
                }
                _ => false,
            };
            if good {
                pos = end.min(file_len);
                continue;
            }
            // Bytes that form no chunk: look for the next frame.
            match self.resync(pos + 1, file_len)? {
                Some(next) => {
                    skipped += next - pos;
                    pos = next;
                }
                None => {
                    tail = file_len - pos;
                    break;
                }
            }
        }
        self.info.skipped_bytes = skipped;
        self.info.tail_bytes = tail;
        Ok(entries)
    }

    /// The position of the next complete frame chunk at or after `from`.
    pub(super) fn resync(&mut self, from: u64, file_len: u64) -> Result<Option<u64>> {
        let mut block = vec![0u8; BLOCK];
        let mut at = from;
        while at + 11 <= file_len {
            let n = (file_len - at).min(BLOCK as u64) as usize;
            read_at(&mut self.inner, at, &mut block[..n])?;
            let mut i = 0;
            while i + 11 <= n {
                let cand: FourCc = [block[i], block[i + 1], block[i + 2], block[i + 3]];
                if self.is_ours(cand) {
                    let size = u32::from_le_bytes([
                        block[i + 4],
                        block[i + 5],
                        block[i + 6],
                        block[i + 7],
                    ]);
                    let p = at + i as u64;
                    if p + 8 + u64::from(size) <= file_len
                        && jpeg::looks_like_jpeg(&block[i + 8..i + 11])
                    {
                        return Ok(Some(p));
                    }
                }
                i += 1;
            }
            // Overlap so that a header across the block boundary is seen.
            at += (n - 10) as u64;
        }
        Ok(None)
    }
}
