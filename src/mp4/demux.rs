//! [`Mp4Demuxer`]: the samples of the H.264 track of any MP4, fragmented
//! or not, as self-contained Annex B access units with their times.

use std::fmt;
use std::io::{Read, Seek, SeekFrom};

use mp4_atom::{Codec, Decode, FourCC, Moof, Moov, StszSamples, Trak};

use super::boxes::atom_error;
use crate::error::{Error, ErrorKind, Result};
use crate::h264::Sps;
use crate::image::Limits;

/// The video track of an MP4 file.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mp4Track {
    /// The track's number.
    pub track_id: u32,
    /// Picture width (from the SPS).
    pub width: u32,
    /// Picture height (from the SPS).
    pub height: u32,
    /// Time units per second.
    pub timescale: u32,
    /// The SPS of the sample entry.
    pub sps: Sps,
    /// Media time the presentation starts at (the first edit), in timescale
    /// units: subtracted from every sample's time.
    pub start: i64,
    sps_nals: Vec<Vec<u8>>,
    pps_nals: Vec<Vec<u8>>,
    length_size: u8,
}

/// One sample (access unit) of the track, in decoding order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mp4Sample {
    /// Offset of its bytes in the file.
    pub offset: u64,
    /// Its size in bytes (length-prefixed NAL units).
    pub size: u32,
    /// Decoding time, in timescale units.
    pub decode_time: u64,
    /// Presentation time minus decoding time.
    pub composition_offset: i32,
    /// How long it lasts.
    pub duration: u32,
    /// Whether it is a sync sample (a key frame).
    pub key: bool,
}

impl Mp4Sample {
    /// Presentation time in timescale units, relative to the track's start.
    pub fn presentation_time(&self, track: &Mp4Track) -> i64 {
        self.decode_time as i64 + i64::from(self.composition_offset) - track.start
    }
}

/// Reads the sample index of an MP4 file: the `moov` of a normal file, or
/// the `moov` and every `moof` of a fragmented one (as camreel writes),
/// checked against [`Limits`] as it goes. A file cut short or damaged after
/// some samples keeps those samples; [`Mp4Demuxer::damage`] says where the
/// index stopped.
///
/// ```no_run
/// use camreel::mp4::Mp4Demuxer;
/// let mut demux = Mp4Demuxer::open(std::fs::File::open("clip.mp4")?, Default::default())?;
/// let mut au = Vec::new();
/// for i in 0..demux.samples().len() {
///     demux.read_access_unit(i, &mut au)?; // Annex B, SPS+PPS before key frames
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Mp4Demuxer<R> {
    reader: R,
    track: Mp4Track,
    samples: Vec<Mp4Sample>,
    damage: Option<Error>,
    limits: Limits,
    scratch: Vec<u8>,
}

impl<R> fmt::Debug for Mp4Demuxer<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mp4Demuxer")
            .field("track", &self.track)
            .field("samples", &self.samples.len())
            .field("damage", &self.damage)
            .finish_non_exhaustive()
    }
}

fn format_error(message: String) -> Error {
    Error::new(ErrorKind::Format, message)
}

/// A top-level box: where it starts, its type, where its body starts and
/// its end (past the end of the file if it was cut).
struct BoxHeader {
    start: u64,
    kind: [u8; 4],
    end: u64,
}

fn read_header<R: Read + Seek>(r: &mut R, start: u64, file_len: u64) -> Result<Option<BoxHeader>> {
    if start >= file_len {
        return Ok(None);
    }
    let io = |e| Error::io(format!("byte {start}: reading a box header"), e);
    r.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut h = [0u8; 16];
    let have = (file_len - start).min(16) as usize;
    if have < 8 {
        return Err(Error::new(
            ErrorKind::Truncated,
            format!("byte {start}: box header cut short"),
        ));
    }
    r.read_exact(&mut h[..have.min(16)]).map_err(io)?;
    let size32 = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
    let kind = [h[4], h[5], h[6], h[7]];
    let (body, end) = match size32 {
        0 => (start + 8, file_len),
        1 if have >= 16 => {
            let size = u64::from_be_bytes([h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]]);
            (start + 16, start.saturating_add(size))
        }
        1 => {
            return Err(Error::new(
                ErrorKind::Truncated,
                format!("byte {start}: box header cut short"),
            ));
        }
        n => (start + 8, start + u64::from(n)),
    };
    if end < body {
        return Err(format_error(format!(
            "byte {start}: box '{}' claims {} bytes, less than its header",
            String::from_utf8_lossy(&kind),
            end - start
        )));
    }
    Ok(Some(BoxHeader { start, kind, end }))
}

impl<R: Read + Seek> Mp4Demuxer<R> {
    /// Indexes the file read by `reader`.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for a file with no `moov` or no H.264 video
    /// track, or whose header boxes do not decode;
    /// [`ErrorKind::LimitExceeded`] for a picture, a header box or an index
    /// larger than `limits`; [`ErrorKind::Truncated`] for a file cut before
    /// its first sample; I/O errors.
    pub fn open(mut reader: R, limits: Limits) -> Result<Mp4Demuxer<R>> {
        let file_len = reader
            .seek(SeekFrom::End(0))
            .map_err(|e| Error::io("finding the mp4 file's size", e))?;
        let mut index: Option<Index> = None;
        let mut early_moofs: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut pos = 0u64;
        let damage = loop {
            let header = match read_header(&mut reader, pos, file_len) {
                Ok(Some(h)) => h,
                Ok(None) => break None,
                Err(e) => break Some(e),
            };
            if &header.kind == b"moov" || &header.kind == b"moof" {
                let bytes = match read_box(&mut reader, &header, file_len, &limits) {
                    Ok(b) => b,
                    Err(e) => break Some(e),
                };
                if &header.kind == b"moov" {
                    if index.is_some() {
                        break Some(format_error(format!(
                            "byte {}: a second moov",
                            header.start
                        )));
                    }
                    let moov = Moov::decode(&mut &bytes[..])
                        .map_err(|e| atom_error(&format!("byte {}: moov", header.start), e))?;
                    let (track, trak) = find_track(&moov, &limits)?;
                    let mut ix = Index {
                        track,
                        samples: Vec::new(),
                        limits,
                        file_len,
                    };
                    ix.sample_tables(&trak)?;
                    for (start, moof) in std::mem::take(&mut early_moofs) {
                        ix.fragment(start, &moof)?;
                    }
                    index = Some(ix);
                } else if let Some(ix) = &mut index {
                    if let Err(e) = ix.fragment(header.start, &bytes) {
                        break Some(e);
                    }
                } else {
                    early_moofs.push((header.start, bytes));
                }
            }
            pos = header.end;
        };
        let Some(Index {
            track, mut samples, ..
        }) = index
        else {
            return Err(damage.unwrap_or_else(|| {
                format_error("no moov box: not an mp4 file, or one cut before its header".into())
            }));
        };
        // Samples whose bytes are past the end of the file were cut off.
        let mut found = None;
        if let Some(i) = samples
            .iter()
            .position(|s| s.offset + u64::from(s.size) > file_len)
        {
            found = Some(Error::new(
                ErrorKind::Truncated,
                format!(
                    "frame {i} at byte {}: the file ends inside it",
                    samples[i].offset
                ),
            ));
            samples.truncate(i);
        }
        let damage =
            found.or_else(|| damage.map(|e| e.context(format!("after frame {}", samples.len()))));
        Ok(Mp4Demuxer {
            reader,
            track,
            samples,
            damage,
            limits,
            scratch: Vec::new(),
        })
    }

    /// The video track.
    pub fn track(&self) -> &Mp4Track {
        &self.track
    }

    /// Every sample found, in decoding order.
    pub fn samples(&self) -> &[Mp4Sample] {
        &self.samples
    }

    /// Why the index stopped before the end of the file, if it did (a file
    /// cut short, a damaged box): the samples before it are all there.
    pub fn damage(&self) -> Option<&Error> {
        self.damage.as_ref()
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// Reads sample `index` into `au` as an Annex B access unit: its NAL
    /// units behind start codes, the track's SPS and PPS in front of a key
    /// frame.
    ///
    /// # Errors
    /// [`ErrorKind::SeekOutOfRange`] past the last sample;
    /// [`ErrorKind::Format`] for an empty sample or NAL lengths that do not
    /// add up, naming the frame and byte; I/O errors.
    pub fn read_access_unit(&mut self, index: usize, au: &mut Vec<u8>) -> Result<()> {
        let s = *self.samples.get(index).ok_or_else(|| {
            Error::new(
                ErrorKind::SeekOutOfRange,
                format!(
                    "frame {index} is past the last of {} frames",
                    self.samples.len()
                ),
            )
        })?;
        self.limits.check_bytes(u64::from(s.size))?;
        let at = |e: std::io::Error| Error::io(format!("frame {index} at byte {}", s.offset), e);
        self.scratch.resize(s.size as usize, 0);
        self.reader.seek(SeekFrom::Start(s.offset)).map_err(at)?;
        self.reader.read_exact(&mut self.scratch).map_err(at)?;
        au.clear();
        if s.key {
            for nal in self.track.sps_nals.iter().chain(&self.track.pps_nals) {
                au.extend_from_slice(&[0, 0, 0, 1]);
                au.extend_from_slice(nal);
            }
        }
        if self.scratch.is_empty() {
            // An access unit has at least one slice: an empty sample is
            // damage, not a frame.
            return Err(format_error(format!(
                "frame {index} at byte {}: the sample holds no data",
                s.offset
            )));
        }
        let n = usize::from(self.track.length_size);
        let mut rest = &self.scratch[..];
        while !rest.is_empty() {
            let consumed = self.scratch.len() - rest.len();
            let bad = || {
                format_error(format!(
                    "frame {index} at byte {}: nal unit length runs past the sample",
                    s.offset + consumed as u64
                ))
            };
            if rest.len() < n {
                return Err(bad());
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |a, &b| (a << 8) | usize::from(b));
            let nal = rest.get(n..n + len).ok_or_else(bad)?;
            au.extend_from_slice(&[0, 0, 0, 1]);
            au.extend_from_slice(nal);
            rest = &rest[n + len..];
        }
        Ok(())
    }
}

/// The sample index being built.
struct Index {
    track: Mp4Track,
    samples: Vec<Mp4Sample>,
    limits: Limits,
    file_len: u64,
}

/// Reads a whole header box (`moov`, `moof`) into memory, within `limits`.
fn read_box<R: Read + Seek>(
    r: &mut R,
    header: &BoxHeader,
    file_len: u64,
    limits: &Limits,
) -> Result<Vec<u8>> {
    let kind = String::from_utf8_lossy(&header.kind);
    if header.end > file_len {
        return Err(Error::new(
            ErrorKind::Truncated,
            format!("byte {}: '{kind}' box cut short", header.start),
        ));
    }
    let len = header.end - header.start;
    limits
        .check_bytes(len)
        .map_err(|e| e.context(format!("byte {}: '{kind}' box", header.start)))?;
    let mut bytes = vec![0u8; len as usize];
    r.seek(SeekFrom::Start(header.start))
        .and_then(|_| r.read_exact(&mut bytes))
        .map_err(|e| Error::io(format!("byte {}: reading a box", header.start), e))?;
    Ok(bytes)
}

impl Index {
    fn push(&mut self, sample: Mp4Sample) -> Result<()> {
        let bytes = (self.samples.len() as u64 + 1) * std::mem::size_of::<Mp4Sample>() as u64;
        self.limits
            .check_bytes(bytes)
            .map_err(|e| e.context("the sample index"))?;
        if sample.offset > self.file_len {
            return Err(Error::new(
                ErrorKind::Truncated,
                format!(
                    "frame {} at byte {}: past the end of the file",
                    self.samples.len(),
                    sample.offset
                ),
            ));
        }
        self.samples.push(sample);
        Ok(())
    }

    /// Samples of a non-fragmented file (the `stbl` tables).
    fn sample_tables(&mut self, trak: &Trak) -> Result<()> {
        let stbl = &trak.mdia.minf.stbl;
        let sizes: Box<dyn Iterator<Item = u32>> = match &stbl.stsz.samples {
            StszSamples::Identical { count, size } => {
                Box::new(std::iter::repeat_n(*size, *count as usize))
            }
            StszSamples::Different { sizes } => Box::new(sizes.iter().copied()),
        };
        let chunk_offsets: Vec<u64> = match (&stbl.stco, &stbl.co64) {
            (_, Some(co64)) => co64.entries.clone(),
            (Some(stco), None) => stco.entries.iter().map(|&o| u64::from(o)).collect(),
            (None, None) => Vec::new(),
        };
        let mut durations = stbl
            .stts
            .entries
            .iter()
            .flat_map(|e| std::iter::repeat_n(e.sample_delta, e.sample_count as usize));
        let mut offsets = stbl.ctts.iter().flat_map(|c| {
            c.entries
                .iter()
                .flat_map(|e| std::iter::repeat_n(e.sample_offset, e.sample_count as usize))
        });
        let sync: Option<std::collections::HashSet<u32>> = stbl
            .stss
            .as_ref()
            .map(|s| s.entries.iter().copied().collect());
        let stsc = &stbl.stsc.entries;
        let (mut entry, mut chunk, mut in_chunk, mut offset) = (0usize, 0usize, 0u32, None::<u64>);
        let mut time = 0u64;
        for (i, size) in sizes.enumerate() {
            // Which chunk sample i is in (stsc: runs of chunks with a count).
            let per_chunk = loop {
                let Some(e) = stsc.get(entry) else {
                    return Err(format_error(format!("frame {i}: no chunk holds it (stsc)")));
                };
                if let Some(next) = stsc.get(entry + 1)
                    && chunk + 1 >= next.first_chunk as usize
                {
                    entry += 1;
                    continue;
                }
                break e.samples_per_chunk;
            };
            let at = match offset {
                Some(o) if in_chunk < per_chunk => o,
                _ => {
                    if offset.is_some() {
                        chunk += 1;
                        in_chunk = 0;
                        while let Some(next) = stsc.get(entry + 1)
                            && chunk + 1 >= next.first_chunk as usize
                        {
                            entry += 1;
                        }
                    }
                    *chunk_offsets.get(chunk).ok_or_else(|| {
                        format_error(format!("frame {i}: chunk {chunk} has no offset (stco)"))
                    })?
                }
            };
            let duration = durations.next().unwrap_or(0);
            let cts = offsets.next().unwrap_or(0);
            let cts = i32::try_from(cts).map_err(|_| {
                format_error(format!("frame {i}: composition offset {cts} out of range"))
            })?;
            self.push(Mp4Sample {
                offset: at,
                size,
                decode_time: time,
                composition_offset: cts,
                duration,
                key: sync.as_ref().is_none_or(|s| s.contains(&(i as u32 + 1))),
            })?;
            time += u64::from(duration);
            offset = Some(at + u64::from(size));
            in_chunk += 1;
        }
        Ok(())
    }

    /// Samples of one `moof` that starts at byte `start`.
    fn fragment(&mut self, start: u64, bytes: &[u8]) -> Result<()> {
        let moof = Moof::decode(&mut &bytes[..])
            .map_err(|e| atom_error(&format!("byte {start}: moof"), e))?;
        let mut time = self
            .samples
            .last()
            .map_or(0, |s| s.decode_time + u64::from(s.duration));
        let track_id = self.track.track_id;
        for traf in moof.traf.iter().filter(|t| t.tfhd.track_id == track_id) {
            let tfhd = &traf.tfhd;
            let base = tfhd.base_data_offset.unwrap_or(start);
            if let Some(tfdt) = &traf.tfdt {
                time = tfdt.base_media_decode_time;
            }
            let mut data = base;
            for trun in &traf.trun {
                if let Some(off) = trun.data_offset {
                    data = base.checked_add_signed(i64::from(off)).ok_or_else(|| {
                        format_error(format!("byte {start}: data offset {off} before the file"))
                    })?;
                }
                for (k, e) in trun.samples.iter().enumerate() {
                    let size = e.size.or(tfhd.default_sample_size).unwrap_or(0);
                    let duration = e.duration.or(tfhd.default_sample_duration).unwrap_or(0);
                    let flags = match (k, &trun.samples) {
                        _ if e.flags.is_some() => e.flags,
                        (0, mp4_atom::TrunSamples::Inherited { first_flags, .. }) => *first_flags,
                        _ => None,
                    }
                    .or(tfhd.default_sample_flags)
                    .unwrap_or(0);
                    let cts = i32::try_from(e.cts.unwrap_or(0)).map_err(|_| {
                        format_error(format!("byte {start}: composition offset out of range"))
                    })?;
                    self.push(Mp4Sample {
                        offset: data,
                        size,
                        decode_time: time,
                        composition_offset: cts,
                        duration,
                        key: flags & 0x0001_0000 == 0,
                    })?;
                    data += u64::from(size);
                    time += u64::from(duration);
                }
            }
        }
        Ok(())
    }
}

/// The first `avc1` video track of `moov`, checked against `limits`.
fn find_track(moov: &Moov, limits: &Limits) -> Result<(Mp4Track, Trak)> {
    for trak in &moov.trak {
        if trak.mdia.hdlr.handler != FourCC::new(b"vide") {
            continue;
        }
        let Some(Codec::Avc1(avc1)) = trak.mdia.minf.stbl.stsd.codecs.first() else {
            continue;
        };
        let avcc = &avc1.avcc;
        let sps_nal = avcc
            .sequence_parameter_sets
            .first()
            .ok_or_else(|| format_error("avc1 sample entry without an SPS".into()))?;
        let sps = Sps::parse(sps_nal)?;
        sps.check(limits)?;
        if !(1..=4).contains(&avcc.length_size) || avcc.length_size == 3 {
            return Err(format_error(format!(
                "nal length size {} (expected 1, 2 or 4)",
                avcc.length_size
            )));
        }
        if trak.mdia.mdhd.timescale == 0 {
            return Err(format_error("video track with a timescale of 0".into()));
        }
        let start = trak
            .edts
            .as_ref()
            .and_then(|e| e.elst.as_ref())
            .and_then(|l| l.entries.iter().find_map(|e| e.media_time))
            .map_or(0, |t| i64::try_from(t).unwrap_or(0));
        return Ok((
            Mp4Track {
                track_id: trak.tkhd.track_id,
                width: sps.width,
                height: sps.height,
                timescale: trak.mdia.mdhd.timescale,
                sps,
                start,
                sps_nals: avcc.sequence_parameter_sets.clone(),
                pps_nals: avcc.picture_parameter_sets.clone(),
                length_size: avcc.length_size,
            },
            trak.clone(),
        ));
    }
    Err(Error::new(
        ErrorKind::UnsupportedFormat,
        "no h.264 (avc1) video track in the mp4 file",
    ))
}
