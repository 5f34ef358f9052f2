//! Frame lists from the indexes: the OpenDML super index and its standard
//! indexes (`ix00`), or the AVI 1.0 `idx1` (offsets from `movi` or, in some
//! old files, from the start of the file).

use std::io::{Read, Seek};

use super::walk::{format_err, read_at};
use super::{AviReader, FrameEntry};
use crate::avi::riff::{self, IndxChunk};
use crate::error::Result;

/// Block size for index reads.
const BLOCK: usize = 64 << 10;

impl<R: Read + Seek> AviReader<R> {
    /// Frames from an OpenDML `indx` chunk.
    pub(super) fn read_open_dml(&mut self, indx: &[u8], file_len: u64) -> Result<Vec<FrameEntry>> {
        let mut entries = Vec::new();
        let ixs = match riff::parse_indx(indx)? {
            IndxChunk::Standard(ix) => {
                self.add_standard_entries(&ix, file_len, &mut entries)?;
                return Ok(entries);
            }
            IndxChunk::Super(s) => s,
        };
        // Standard indexes follow one another through the file, one per RIFF
        // segment. Insisting on that order also bounds the bytes read here
        // by the file's size, however many entries a hostile super index
        // aims at one large chunk.
        let mut next_free = 0u64;
        for e in ixs {
            if e.offset < next_free {
                return Err(format_err(
                    e.offset,
                    format!(
                        "super index entry points back before byte {next_free}, inside or \
                         before the previous standard index"
                    ),
                ));
            }
            let mut h = [0u8; 8];
            read_at(&mut self.inner, e.offset, &mut h)?;
            let (id, size) = riff::parse_chunk_header(&h);
            let ok_id = (id[0..2] == *b"ix" && riff::chunk_stream([id[2], id[3], 0, 0]).is_some())
                || (riff::chunk_stream(id).is_some() && id[2..] == *b"ix");
            if !ok_id || e.offset.saturating_add(8 + u64::from(size)) > file_len {
                return Err(format_err(
                    e.offset,
                    format!(
                        "super index points at '{}', not a standard index",
                        riff::show(id)
                    ),
                ));
            }
            next_free = e.offset + 8 + u64::from(size);
            let mut b = vec![0u8; size as usize];
            read_at(&mut self.inner, e.offset + 8, &mut b)?;
            let ix = riff::parse_standard_index(&b)
                .map_err(|err| err.context(format!("at byte {}", e.offset)))?;
            self.add_standard_entries(&ix, file_len, &mut entries)?;
        }
        Ok(entries)
    }

    pub(super) fn add_standard_entries(
        &self,
        ix: &riff::StandardIndex,
        file_len: u64,
        entries: &mut Vec<FrameEntry>,
    ) -> Result<()> {
        if !self.is_ours(ix.chunk_id) {
            return Ok(());
        }
        for &(off, size, _key) in &ix.entries {
            let offset = ix.base.saturating_add(u64::from(off));
            if offset < 8 || offset.saturating_add(u64::from(size)) > file_len {
                return Err(format_err(
                    offset,
                    format!("standard index entry of {size} bytes runs past the end of the file"),
                ));
            }
            self.push(entries, FrameEntry { offset, size })?;
        }
        Ok(())
    }

    /// Frames from `idx1`; offsets relative to the `movi` fourcc or, in some
    /// old files, absolute.
    pub(super) fn read_idx1(
        &mut self,
        at: u64,
        len: u64,
        movi: u64,
        file_len: u64,
    ) -> Result<Vec<FrameEntry>> {
        let mut entries = Vec::new();
        let mut base = None;
        let mut block = vec![0u8; BLOCK];
        let mut done = 0u64;
        let len = len - len % 16;
        while done < len {
            let n = (len - done).min(BLOCK as u64) as usize;
            read_at(&mut self.inner, at + done, &mut block[..n])?;
            for e in block[..n].chunks_exact(16) {
                let mut a = [0u8; 16];
                a.copy_from_slice(e);
                let e = riff::OldIndexEntry::parse(&a);
                if !self.is_ours(e.id) {
                    continue;
                }
                let base = match base {
                    Some(b) => b,
                    None => {
                        let b = self.idx1_base(&e, movi, file_len)?;
                        base = Some(b);
                        b
                    }
                };
                let offset = base + u64::from(e.offset) + 8;
                if offset + u64::from(e.size) > file_len {
                    return Err(format_err(
                        offset,
                        format!(
                            "idx1 entry of {} bytes runs past the end of the file",
                            e.size
                        ),
                    ));
                }
                self.push(
                    &mut entries,
                    FrameEntry {
                        offset,
                        size: e.size,
                    },
                )?;
            }
            done += n as u64;
        }
        Ok(entries)
    }

    pub(super) fn idx1_base(
        &mut self,
        e: &riff::OldIndexEntry,
        movi: u64,
        file_len: u64,
    ) -> Result<u64> {
        for base in [movi, 0] {
            let at = base + u64::from(e.offset);
            if at + 8 <= file_len {
                let mut h = [0u8; 8];
                read_at(&mut self.inner, at, &mut h)?;
                if riff::parse_chunk_header(&h).0 == e.id {
                    return Ok(base);
                }
            }
        }
        Err(format_err(
            movi,
            format!(
                "idx1 entry offset {} points at no '{}' chunk",
                e.offset,
                riff::show(e.id)
            ),
        ))
    }
}
