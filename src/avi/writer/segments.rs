//! How an [`MjpegWriter`] ends a RIFF segment: the `ix00` and `idx1`
//! indexes, the segment and `movi` sizes, the OpenDML super index and the
//! main headers, written at a `sync`, when a segment fills up (then a
//! `RIFF AVIX` segment begins) and when the file is finished.

use std::io::{self, IoSlice, Seek, SeekFrom, Write};

use super::{FRAME_ID, MjpegWriter};
use crate::avi::riff::{self, OldIndexEntry, SuperIndexEntry};
use crate::error::{Error, ErrorKind, Result};
use crate::io_util::write_all_vectored;

impl<W: Write + Seek> MjpegWriter<W> {
    pub(super) fn write_vectored(&mut self, bufs: &mut [IoSlice<'_>]) -> io::Result<()> {
        match self.inner.as_mut() {
            Some(w) => write_all_vectored(w, bufs),
            None => Err(io::Error::other("writer already finished")),
        }
    }

    pub(super) fn inner(&mut self) -> io::Result<&mut W> {
        self.inner
            .as_mut()
            .ok_or_else(|| io::Error::other("writer already finished"))
    }

    pub(super) fn write_at(&mut self, at: u64, bytes: &[u8]) -> io::Result<()> {
        let abs = self.base + at;
        let w = self.inner()?;
        w.seek(SeekFrom::Start(abs))?;
        w.write_all(bytes)
    }

    /// Writes the index(es) that end the current segment at `pos`, patches the
    /// segment sizes, the super index and the main headers. With `closing`
    /// the segment is final (a new one follows). Returns the end of the
    /// segment and, for an OpenDML file, the super index entry of the
    /// segment's `ix00`, which the caller records once the next segment has
    /// started (so that a failure in between leaves the state as it was and
    /// the tail can be written again). The stream position is then undefined.
    pub(super) fn write_tail(
        &mut self,
        closing: bool,
    ) -> io::Result<(u64, Option<SuperIndexEntry>)> {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        let n = self.entries.len() as u32;
        let open_dml = closing || self.riff_number > 0;
        let mut super_entry = None;
        if open_dml {
            let size = riff::standard_index_size(n)
                .ok_or_else(|| io::Error::other("standard index too large"))?;
            buf.extend_from_slice(&riff::chunk_header(*b"ix00", size));
            buf.extend_from_slice(&riff::standard_index_header(FRAME_ID, n, self.movi));
            for &(rel, size) in &self.entries {
                // An empty chunk is a dropped frame, not a key frame.
                riff::standard_index_entry(&mut buf, rel + 8, size, size > 0);
            }
            super_entry = Some(SuperIndexEntry {
                offset: self.pos,
                size: buf.len() as u32,
                duration: n,
            });
        }
        let movi_end = self.pos + buf.len() as u64;
        if self.riff_number == 0 {
            let size = n
                .checked_mul(OldIndexEntry::SIZE as u32)
                .ok_or_else(|| io::Error::other("idx1 too large"))?;
            buf.reserve(8 + size as usize);
            buf.extend_from_slice(&riff::chunk_header(*b"idx1", size));
            for &(rel, size) in &self.entries {
                OldIndexEntry {
                    id: FRAME_ID,
                    flags: if size > 0 { riff::AVIIF_KEYFRAME } else { 0 },
                    offset: rel,
                    size,
                }
                .write(&mut buf);
            }
        }
        let end = self.pos + buf.len() as u64;
        let movi_size = u32::try_from(movi_end - self.movi)
            .map_err(|_| io::Error::other("movi list over 4 GiB"))?;
        let riff_size = u32::try_from(end - self.riff_start - 8)
            .map_err(|_| io::Error::other("RIFF segment over 4 GiB"))?;
        let pos = self.pos;
        let result = (|| {
            self.write_at(pos, &buf)?;
            self.write_at(self.movi - 4, &movi_size.to_le_bytes())?;
            self.write_at(self.riff_start + 4, &riff_size.to_le_bytes())?;
            if let Some(entry) = super_entry {
                let mut entries = self.super_entries.clone();
                entries.push(entry);
                let mut indx = riff::chunk_header(
                    *b"indx",
                    riff::super_index_size(riff::SUPER_INDEX_CAPACITY),
                )
                .to_vec();
                indx.extend_from_slice(&riff::super_index(
                    FRAME_ID,
                    riff::SUPER_INDEX_CAPACITY,
                    &entries,
                ));
                self.write_at(self.layout.indx, &indx)?;
            }
            if closing && self.riff_number == 0 {
                self.first_riff_frames = n;
            }
            self.patch_headers(closing)
        })();
        self.scratch = buf;
        result.map(|()| (end, super_entry))
    }

    /// Rewrites `avih`, `strh` and (for OpenDML files) `odml`/`dmlh` with the
    /// current counters and rate.
    pub(super) fn patch_headers(&mut self, closing: bool) -> io::Result<()> {
        let rate = self.frame_rate();
        let frames32 = u32::try_from(self.frames).unwrap_or(u32::MAX);
        let first_riff_frames = if self.riff_number == 0 && !closing {
            self.entries.len() as u32
        } else {
            self.first_riff_frames
        };
        let max_bytes_per_sec = if self.frames == 0 {
            0
        } else {
            let v = u128::from(self.data_bytes) * u128::from(rate.numerator())
                / (u128::from(self.frames) * u128::from(rate.denominator()));
            u32::try_from(v).unwrap_or(u32::MAX)
        };
        let avih = riff::MainHeader {
            micro_sec_per_frame: rate.micros_per_frame(),
            max_bytes_per_sec,
            flags: riff::AVIF_HASINDEX | riff::AVIF_ISINTERLEAVED,
            total_frames: first_riff_frames,
            streams: 1,
            suggested_buffer_size: self.max_chunk,
            width: self.width,
            height: self.height,
            ..riff::MainHeader::default()
        };
        self.write_at(self.layout.avih, &avih.to_bytes())?;
        let strh = riff::StreamHeader {
            fcc_type: *b"vids",
            fcc_handler: *b"MJPG",
            scale: rate.denominator(),
            rate: rate.numerator(),
            length: frames32,
            suggested_buffer_size: self.max_chunk,
            quality: u32::MAX,
            frame: [
                0,
                0,
                u16::try_from(self.width).unwrap_or(u16::MAX),
                u16::try_from(self.height).unwrap_or(u16::MAX),
            ],
            ..riff::StreamHeader::default()
        };
        self.write_at(self.layout.strh, &strh.to_bytes())?;
        if self.riff_number > 0 || closing {
            self.write_at(self.layout.odml, b"LIST")?;
            // 'LIST' size 'odml' 'dmlh' size, then dwTotalFrames.
            self.write_at(self.layout.odml + 20, &frames32.to_le_bytes())?;
        }
        Ok(())
    }

    /// Closes the current RIFF segment and starts a `RIFF AVIX` one.
    pub(super) fn start_new_riff(&mut self) -> Result<()> {
        if self.riff_number + 1 >= riff::SUPER_INDEX_CAPACITY {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "frame {}: the recording fills all {} RIFF segments of the OpenDML index",
                    self.frames,
                    riff::SUPER_INDEX_CAPACITY
                ),
            ));
        }
        let at = self.pos;
        let result = self.write_tail(true).and_then(|(end, entry)| {
            let mut head = Vec::with_capacity(24);
            head.extend_from_slice(&riff::chunk_header(*b"RIFF", 0));
            head.extend_from_slice(b"AVIX");
            head.extend_from_slice(&riff::chunk_header(*b"LIST", 0));
            head.extend_from_slice(b"movi");
            self.write_at(end, &head)?;
            Ok((end, entry))
        });
        match result {
            Ok((end, entry)) => {
                self.super_entries.extend(entry);
                self.riff_start = end;
                self.movi = end + 20;
                self.pos = end + 24;
                self.len = self.len.max(self.pos);
                self.riff_number += 1;
                self.entries.clear();
                Ok(())
            }
            Err(e) => {
                self.failed = true;
                Err(Error::io(
                    format!(
                        "starting RIFF segment {} at byte {at}",
                        self.riff_number + 1
                    ),
                    e,
                ))
            }
        }
    }

    /// Writes the index and final headers for the frames written so far,
    /// also after a failed frame or sync (whose bytes past `pos` it
    /// overwrites).
    pub(super) fn finalize(&mut self) -> Result<()> {
        if self.inner.is_none() {
            return Err(Error::new(ErrorKind::Io, "writer already finished"));
        }
        let result = self.write_tail(false).and_then(|(end, _)| {
            self.len = self.len.max(end);
            let abs = self.base + end;
            let w = self.inner()?;
            w.seek(SeekFrom::Start(abs))?;
            w.flush()
        });
        result.map_err(|e| {
            self.failed = true;
            Error::io(format!("finishing the AVI after frame {}", self.frames), e)
        })
    }
}
