//! [`AviReader`]: frame count, size, rate and frames of a Motion-JPEG AVI.

use std::io::{self, Read, Seek, SeekFrom};

use super::riff::{self, BitmapInfoHeader, FourCc, IndxChunk, MainHeader, StreamHeader};
use crate::codec::jpeg;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, Limits, PixelFormat};
use crate::timing::FrameRate;

/// Largest `hdrl` list read into memory.
const MAX_HEADER_BYTES: u64 = 16 << 20;
/// Block size for index and scan reads.
const BLOCK: usize = 64 << 10;

/// How the frames of an [`AviReader`] were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IndexKind {
    /// From the OpenDML `indx` super index and its `ix##` chunks.
    OpenDml,
    /// From the `idx1` index.
    Idx1,
    /// By walking the `movi` chunks: the file has no usable index (it was
    /// never closed), or [`ReaderOptions::recover`] asked for it.
    Scanned,
}

impl IndexKind {
    /// `"opendml"`, `"idx1"` or `"scanned"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IndexKind::OpenDml => "opendml",
            IndexKind::Idx1 => "idx1",
            IndexKind::Scanned => "scanned",
        }
    }
}

/// Where one frame's bytes are in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameEntry {
    /// Position of the first byte of the frame (after the chunk header).
    pub offset: u64,
    /// Size in bytes; 0 for a dropped frame (players repeat the previous one).
    pub size: u32,
}

/// What an [`AviReader`] found in the headers and index.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AviInfo {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Frame rate (`dwRate` / `dwScale` of the stream header).
    pub frame_rate: FrameRate,
    /// Frames found (index entries, or complete chunks when scanned).
    pub frame_count: u64,
    /// Frames the headers claim (`dmlh`, else `strh` `dwLength`): differs from
    /// `frame_count` in a file that was not closed.
    pub header_frames: u64,
    /// Codec four-character code (`MJPG`).
    pub codec: String,
    /// Number of the video stream (the `NN` of its `NNdc` chunks).
    pub stream: u8,
    /// Where the frame list came from.
    pub index: IndexKind,
    /// RIFF segments (more than 1: an OpenDML file).
    pub riff_segments: u32,
    /// Size of the file in bytes.
    pub file_size: u64,
    /// Bytes skipped while scanning because they did not form chunks (a
    /// damaged region, or an index overwritten by later frames).
    pub skipped_bytes: u64,
    /// Bytes at the end that hold no complete chunk (a frame cut off by a
    /// crash), when scanned.
    pub tail_bytes: u64,
}

impl AviInfo {
    /// Duration of the recording: frames divided by the rate.
    pub fn duration(&self) -> std::time::Duration {
        let ns = u128::from(self.frame_count)
            * u128::from(self.frame_rate.denominator())
            * 1_000_000_000
            / u128::from(self.frame_rate.numerator());
        std::time::Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
    }
}

/// Options of an [`AviReader`].
///
/// ```
/// use camreel::avi::ReaderOptions;
/// let options = ReaderOptions::default().recover(true).max_frames(1000);
/// assert!(options.is_recover());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct ReaderOptions {
    limits: Limits,
    recover: bool,
    max_frames: u64,
}

impl Default for ReaderOptions {
    /// Default [`Limits`], indexes used, at most 50 million frames.
    fn default() -> ReaderOptions {
        ReaderOptions {
            limits: Limits::default(),
            recover: false,
            max_frames: 50_000_000,
        }
    }
}

impl ReaderOptions {
    /// Caps on frame size and dimensions.
    pub fn limits(mut self, limits: Limits) -> ReaderOptions {
        self.limits = limits;
        self
    }

    /// Ignore the indexes and find the frames by walking the chunks, as for a
    /// file that was never closed, recovering every complete frame.
    pub fn recover(mut self, recover: bool) -> ReaderOptions {
        self.recover = recover;
        self
    }

    /// Most frames accepted (each costs 16 bytes of memory).
    pub fn max_frames(mut self, max_frames: u64) -> ReaderOptions {
        self.max_frames = max_frames;
        self
    }

    /// Whether [`ReaderOptions::recover`] is set.
    pub fn is_recover(&self) -> bool {
        self.recover
    }
}

/// Reads a Motion-JPEG AVI: ours, ffmpeg's, OpenCV's; with `idx1`, OpenDML
/// indexes or none (then the chunks are walked).
///
/// ```
/// use std::io::Cursor;
/// use camreel::avi::{AviReader, MjpegWriter};
/// # let jpeg = camreel::codec::jpeg::JpegEncoder::new(camreel::codec::Quality::try_from(80)?)?.encode_image(camreel::Image::zeroed(camreel::PixelFormat::Grayscale, 8, 8)?.view())?.into_vec();
/// let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 8, 8)?;
/// w.add_jpeg(&jpeg, None)?;
/// w.add_jpeg(&jpeg, None)?;
/// let mut reader = AviReader::new(w.finish()?)?;
/// let info = reader.info();
/// assert_eq!((info.width, info.height, info.frame_count), (8, 8, 2));
/// for frame in reader.frames() {
///     assert_eq!(frame?, jpeg);
/// }
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Debug)]
pub struct AviReader<R> {
    inner: R,
    info: AviInfo,
    entries: Vec<FrameEntry>,
    chunk_ids: [FourCc; 2],
    options: ReaderOptions,
}

/// Everything the walk over the RIFF structure found.
#[derive(Default)]
struct Layout {
    file_len: u64,
    avih: Option<MainHeader>,
    streams: Vec<Stream>,
    dmlh_frames: Option<u32>,
    /// (position of the `movi` fourcc, end of the list) per RIFF segment.
    movis: Vec<(u64, u64)>,
    /// (position of the data, size) of `idx1`.
    idx1: Option<(u64, u64)>,
    riffs: u32,
}

#[derive(Default)]
struct Stream {
    strh: Option<StreamHeader>,
    strf: Option<BitmapInfoHeader>,
    indx: Option<Vec<u8>>,
}

fn format_err(at: u64, what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Format, format!("at byte {at}: {what}"))
}

fn read_err(at: u64, e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        Error::with_source(
            ErrorKind::Truncated,
            format!("at byte {at}: file ends early"),
            e,
        )
    } else {
        Error::io(format!("reading at byte {at}"), e)
    }
}

fn padded(size: u32) -> u64 {
    u64::from(size) + u64::from(size & 1)
}

fn read_at<R: Read + Seek>(r: &mut R, at: u64, buf: &mut [u8]) -> Result<()> {
    r.seek(SeekFrom::Start(at)).map_err(|e| read_err(at, e))?;
    r.read_exact(buf).map_err(|e| read_err(at, e))
}

fn walk_hdrl(b: &[u8], layout: &mut Layout, depth: u32) {
    let mut pos = 0usize;
    while pos + 8 <= b.len() {
        let id: FourCc = [b[pos], b[pos + 1], b[pos + 2], b[pos + 3]];
        let size = u32::from_le_bytes([b[pos + 4], b[pos + 5], b[pos + 6], b[pos + 7]]) as usize;
        let start = pos + 8;
        let end = start.saturating_add(size).min(b.len());
        let body = &b[start..end];
        match &id {
            b"avih" => layout.avih = MainHeader::parse(body).ok(),
            b"LIST" if body.len() >= 4 && depth < 2 => match &body[..4] {
                b"strl" => {
                    layout.streams.push(Stream::default());
                    walk_hdrl(&body[4..], layout, depth + 1);
                }
                b"odml" => walk_hdrl(&body[4..], layout, depth + 1),
                _ => {}
            },
            b"strh" => {
                if let Some(s) = layout.streams.last_mut() {
                    s.strh = StreamHeader::parse(body).ok();
                }
            }
            b"strf" => {
                if let Some(s) = layout.streams.last_mut() {
                    s.strf = BitmapInfoHeader::parse(body).ok();
                }
            }
            b"indx" => {
                if let Some(s) = layout.streams.last_mut() {
                    s.indx = Some(body.to_vec());
                }
            }
            b"dmlh" if body.len() >= 4 => {
                layout.dmlh_frames = Some(u32::from_le_bytes([body[0], body[1], body[2], body[3]]));
            }
            _ => {}
        }
        pos = start.saturating_add(size).saturating_add(size & 1);
    }
}

/// Walks the RIFF segments and their top-level chunks.
fn walk<R: Read + Seek>(r: &mut R) -> Result<Layout> {
    let file_len = r
        .seek(SeekFrom::End(0))
        .map_err(|e| Error::io("finding the file size", e))?;
    let mut layout = Layout {
        file_len,
        ..Layout::default()
    };
    let mut head = [0u8; 12];
    if file_len < 12 {
        return Err(Error::new(
            ErrorKind::Format,
            format!("not an AVI file: {file_len} bytes is too short for a RIFF header"),
        ));
    }
    read_at(r, 0, &mut head)?;
    if &head[..4] != b"RIFF" || &head[8..12] != b"AVI " {
        return Err(Error::new(
            ErrorKind::Format,
            format!(
                "not an AVI file: starts with '{}' '{}' instead of 'RIFF' 'AVI '",
                riff::show([head[0], head[1], head[2], head[3]]),
                riff::show([head[8], head[9], head[10], head[11]])
            ),
        ));
    }
    let mut riff_pos = 0u64;
    while riff_pos + 12 <= file_len {
        read_at(r, riff_pos, &mut head)?;
        let expected: &[u8] = if layout.riffs == 0 { b"AVI " } else { b"AVIX" };
        if &head[..4] != b"RIFF" || &head[8..12] != expected {
            break;
        }
        let size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        let riff_end = if size == 0 {
            file_len
        } else {
            (riff_pos + 8 + padded(size)).min(file_len)
        };
        layout.riffs += 1;
        let mut pos = riff_pos + 12;
        while pos + 8 <= riff_end {
            let mut h = [0u8; 12];
            let n = if pos + 12 <= riff_end { 12 } else { 8 };
            read_at(r, pos, &mut h[..n])?;
            let (id, size) =
                riff::parse_chunk_header(&[h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
            let end = pos + 8 + padded(size);
            match (&id, &h[8..12]) {
                (b"LIST", b"hdrl") if layout.riffs == 1 && n == 12 => {
                    let len = u64::from(size).saturating_sub(4).min(riff_end - pos - 12);
                    if len > MAX_HEADER_BYTES {
                        return Err(Error::new(
                            ErrorKind::LimitExceeded,
                            format!("at byte {pos}: header list of {len} bytes is too large"),
                        ));
                    }
                    let mut b = vec![0u8; len as usize];
                    read_at(r, pos + 12, &mut b)?;
                    walk_hdrl(&b, &mut layout, 0);
                }
                (b"LIST", b"movi") if n == 12 => {
                    let list_end = if size == 0 {
                        riff_end
                    } else {
                        end.min(riff_end)
                    };
                    layout.movis.push((pos + 8, list_end));
                    if size == 0 {
                        break;
                    }
                }
                (b"idx1", _) if layout.riffs == 1 => {
                    let len = u64::from(size).min(riff_end - pos - 8);
                    layout.idx1 = Some((pos + 8, len));
                }
                _ => {}
            }
            if !riff::is_printable(id) {
                break;
            }
            pos = end;
        }
        riff_pos = riff_end;
        if riff_end >= file_len {
            break;
        }
    }
    Ok(layout)
}

impl<R: Read + Seek> AviReader<R> {
    /// Reads the headers and the index (OpenDML, else `idx1`, else walks the
    /// chunks).
    ///
    /// # Errors
    /// [`ErrorKind::Format`] if this is not an AVI or has no video stream or
    /// no `movi` list; [`ErrorKind::UnsupportedFormat`] if the video is not
    /// Motion-JPEG; [`ErrorKind::LimitExceeded`] above the limits;
    /// [`ErrorKind::Io`].
    pub fn new(inner: R) -> Result<AviReader<R>> {
        AviReader::with_options(inner, ReaderOptions::default())
    }

    /// Like [`AviReader::new`], ignoring the indexes to recover every
    /// complete frame of a file that was never closed.
    ///
    /// # Errors
    /// As [`AviReader::new`].
    pub fn recover(inner: R) -> Result<AviReader<R>> {
        AviReader::with_options(inner, ReaderOptions::default().recover(true))
    }

    /// [`AviReader::new`] with options.
    ///
    /// # Errors
    /// As [`AviReader::new`].
    pub fn with_options(mut inner: R, options: ReaderOptions) -> Result<AviReader<R>> {
        let layout = walk(&mut inner)?;
        let (stream_no, stream) = layout
            .streams
            .iter()
            .enumerate()
            .find(|(_, s)| s.strh.is_some_and(|h| &h.fcc_type == b"vids"))
            .ok_or_else(|| Error::new(ErrorKind::Format, "the AVI has no video stream header"))?;
        let stream_no = u8::try_from(stream_no).map_err(|_| {
            Error::new(
                ErrorKind::UnsupportedFormat,
                "video stream number above 255",
            )
        })?;
        let strh = stream.strh.unwrap_or_default();
        let compression = stream.strf.map(|f| f.compression).unwrap_or([0; 4]);
        let codec = if compression != [0; 4] {
            compression
        } else {
            strh.fcc_handler
        };
        let upper = codec.to_ascii_uppercase();
        if !matches!(
            &upper[..],
            b"MJPG" | b"JPEG" | b"AVRN" | b"LJPG" | b"DMB1" | b"AVDJ"
        ) {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "video stream {stream_no} is '{}', not Motion-JPEG",
                    riff::show(codec)
                ),
            ));
        }
        let (mut width, mut height) = match stream.strf {
            Some(f) => (f.width.unsigned_abs(), f.height.unsigned_abs()),
            None => (0, 0),
        };
        if (width == 0 || height == 0)
            && let Some(a) = layout.avih
        {
            (width, height) = (a.width, a.height);
        }
        options
            .limits
            .check_dimensions(width, height)
            .map_err(|e| e.context("video stream"))?;
        let frame_rate = FrameRate::new(strh.rate, strh.scale)
            .ok()
            .or_else(|| {
                layout
                    .avih
                    .filter(|a| a.micro_sec_per_frame > 0)
                    .and_then(|a| {
                        FrameRate::from_interval(std::time::Duration::from_micros(u64::from(
                            a.micro_sec_per_frame,
                        )))
                        .ok()
                    })
            })
            .unwrap_or_default();
        let header_frames = match layout.dmlh_frames {
            Some(n) if n > 0 && layout.riffs > 1 => u64::from(n),
            _ => u64::from(strh.length),
        };
        let Some(&(first_movi, _)) = layout.movis.first() else {
            return Err(Error::new(ErrorKind::Format, "the AVI has no movi list"));
        };
        let mut reader = AviReader {
            inner,
            info: AviInfo {
                width,
                height,
                frame_rate,
                frame_count: 0,
                header_frames,
                codec: riff::show(codec),
                stream: stream_no,
                index: IndexKind::Scanned,
                riff_segments: layout.riffs,
                file_size: layout.file_len,
                skipped_bytes: 0,
                tail_bytes: 0,
            },
            entries: Vec::new(),
            chunk_ids: [
                riff::stream_chunk_id(stream_no, *b"dc"),
                riff::stream_chunk_id(stream_no, *b"db"),
            ],
            options,
        };
        let mut found = None;
        if !options.recover {
            if let Some(indx) = &stream.indx
                && let Ok(entries) = reader.read_open_dml(indx, layout.file_len)
                && (!entries.is_empty() || header_frames == 0)
            {
                found = Some((entries, IndexKind::OpenDml));
            }
            // An idx1 covers only the first segment.
            if found.is_none()
                && layout.riffs == 1
                && let Some((at, len)) = layout.idx1
                && let Ok(entries) = reader.read_idx1(at, len, first_movi, layout.file_len)
                && (!entries.is_empty() || header_frames == 0)
            {
                found = Some((entries, IndexKind::Idx1));
            }
        }
        let (entries, kind) = match found {
            Some(f) => f,
            None => (
                reader.scan(first_movi + 4, layout.file_len)?,
                IndexKind::Scanned,
            ),
        };
        reader.info.frame_count = entries.len() as u64;
        reader.info.index = kind;
        reader.entries = entries;
        Ok(reader)
    }

    fn is_ours(&self, id: FourCc) -> bool {
        id == self.chunk_ids[0] || id == self.chunk_ids[1]
    }

    fn push(&self, entries: &mut Vec<FrameEntry>, entry: FrameEntry) -> Result<()> {
        if entries.len() as u64 >= self.options.max_frames {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("the AVI has more than {} frames", self.options.max_frames),
            ));
        }
        entries.push(entry);
        Ok(())
    }

    /// Frames from an OpenDML `indx` chunk.
    fn read_open_dml(&mut self, indx: &[u8], file_len: u64) -> Result<Vec<FrameEntry>> {
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

    fn add_standard_entries(
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
    fn read_idx1(
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

    fn idx1_base(&mut self, e: &riff::OldIndexEntry, movi: u64, file_len: u64) -> Result<u64> {
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

    /// Walks the chunks from `start` to the end of the file, leniently: into
    /// `RIFF AVIX`, `LIST movi` and `LIST rec `, past other chunks, and over
    /// bytes that form no chunk (resynchronising on the next frame).
    fn scan(&mut self, start: u64, file_len: u64) -> Result<Vec<FrameEntry>> {
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
    fn resync(&mut self, from: u64, file_len: u64) -> Result<Option<u64>> {
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

    /// Headers, index kind and counts.
    pub fn info(&self) -> &AviInfo {
        &self.info
    }

    /// Number of frames.
    pub fn frame_count(&self) -> u64 {
        self.info.frame_count
    }

    /// Frame width in pixels.
    pub fn width(&self) -> u32 {
        self.info.width
    }

    /// Frame height in pixels.
    pub fn height(&self) -> u32 {
        self.info.height
    }

    /// The stream's frame rate.
    pub fn frame_rate(&self) -> FrameRate {
        self.info.frame_rate
    }

    /// Where every frame is.
    pub fn entries(&self) -> &[FrameEntry] {
        &self.entries
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Gives the underlying reader back.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Reads frame `index` (a JPEG file; empty for a dropped frame) into
    /// `buf`, replacing its contents and reusing its allocation.
    ///
    /// # Errors
    /// [`ErrorKind::SeekOutOfRange`] past the last frame;
    /// [`ErrorKind::Format`] if the index does not point at a frame chunk of
    /// that size; [`ErrorKind::LimitExceeded`] above the byte limit;
    /// [`ErrorKind::Truncated`] if the file ends inside it; [`ErrorKind::Io`].
    pub fn read_frame_into(&mut self, index: u64, buf: &mut Vec<u8>) -> Result<()> {
        let entry = usize::try_from(index)
            .ok()
            .and_then(|i| self.entries.get(i).copied())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::SeekOutOfRange,
                    format!(
                        "frame {index} does not exist ({} frames)",
                        self.entries.len()
                    ),
                )
            })?;
        let context = |e: Error| e.context(format!("frame {index}"));
        self.options
            .limits
            .check_bytes(u64::from(entry.size))
            .map_err(context)?;
        let mut h = [0u8; 8];
        read_at(&mut self.inner, entry.offset - 8, &mut h).map_err(context)?;
        let (id, size) = riff::parse_chunk_header(&h);
        if !self.is_ours(id) || size < entry.size {
            return Err(context(format_err(
                entry.offset - 8,
                format!(
                    "index points at '{}' of {size} bytes, expected '{}' of {} bytes",
                    riff::show(id),
                    riff::show(self.chunk_ids[0]),
                    entry.size
                ),
            )));
        }
        buf.clear();
        buf.resize(entry.size as usize, 0);
        self.inner
            .read_exact(buf)
            .map_err(|e| context(read_err(entry.offset, e)))
    }

    /// Reads frame `index` into `image` as a [`PixelFormat::Jpeg`] image of
    /// the size its JPEG header gives, reusing `image`'s allocation. Returns
    /// `false` and leaves `image` as it was for a dropped (empty) frame, which
    /// players show as a repeat of the previous one.
    ///
    /// # Errors
    /// As [`AviReader::read_frame_into`]; [`ErrorKind::Format`] if the frame
    /// is not a JPEG file (then `image` is left as one black pixel).
    pub fn read_image_into(&mut self, index: u64, image: &mut Image) -> Result<bool> {
        let entry = usize::try_from(index)
            .ok()
            .and_then(|i| self.entries.get(i));
        if entry.is_some_and(|e| e.size == 0) {
            return Ok(false);
        }
        let mut size = None;
        image.set_encoded(PixelFormat::Jpeg, 1, 1, |buf| {
            self.read_frame_into(index, buf)?;
            let j = jpeg::info(buf).map_err(|e| e.context(format!("frame {index}")))?;
            size = Some((j.width, j.height));
            Ok(())
        })?;
        if let Some((w, h)) = size {
            image.set_meta_unchecked(PixelFormat::Jpeg, w, h);
        }
        Ok(true)
    }

    /// Reads frame `index` as an [`Image`] (see
    /// [`AviReader::read_image_into`]); a dropped frame is an
    /// [`ErrorKind::InvalidFrameSize`] error.
    ///
    /// # Errors
    /// As [`AviReader::read_image_into`].
    pub fn read_image(&mut self, index: u64) -> Result<Image> {
        let mut image = Image::empty();
        if !self.read_image_into(index, &mut image)? {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!("frame {index} is a dropped (empty) frame"),
            ));
        }
        Ok(image)
    }

    /// Reads frame `index` (see [`AviReader::read_frame_into`]).
    ///
    /// # Errors
    /// As [`AviReader::read_frame_into`].
    pub fn read_frame(&mut self, index: u64) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.read_frame_into(index, &mut buf)?;
        Ok(buf)
    }

    /// An iterator over the frames from the first; it ends after an error.
    pub fn frames(&mut self) -> Frames<'_, R> {
        Frames {
            reader: self,
            next: 0,
            failed: false,
        }
    }
}

/// Iterator over the frames of an [`AviReader`], made by
/// [`AviReader::frames`]; each item is a JPEG file (empty for a dropped
/// frame).
#[derive(Debug)]
pub struct Frames<'a, R> {
    reader: &'a mut AviReader<R>,
    next: u64,
    failed: bool,
}

impl<R: Read + Seek> Iterator for Frames<'_, R> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Result<Vec<u8>>> {
        if self.failed || self.next >= self.reader.frame_count() {
            return None;
        }
        let r = self.reader.read_frame(self.next);
        self.next += 1;
        self.failed = r.is_err();
        Some(r)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.reader.frame_count().saturating_sub(self.next))
            .unwrap_or(usize::MAX);
        (if self.failed { 0 } else { left }, Some(left))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::avi::MjpegWriterBuilder;
    use crate::avi::tiny_jpeg;

    /// A two-segment OpenDML file of 8x8 frames and the position of its
    /// first `ix00` chunk.
    fn open_dml_file() -> (Vec<u8>, usize) {
        let j = tiny_jpeg(8, 8);
        let mut w = MjpegWriterBuilder::new(8, 8)
            .riff_size(4096)
            .build(Cursor::new(Vec::new()))
            .unwrap();
        for _ in 0..20 {
            w.add_jpeg(&j, None).unwrap();
        }
        let b = w.finish().unwrap().into_inner();
        let ix = b.windows(4).position(|w| w == b"ix00").unwrap();
        (b, ix)
    }

    #[test]
    fn huge_index_bases_and_offsets_are_errors_not_overflows() {
        let (mut b, ix) = open_dml_file();
        // qwBaseOffset of the first ix00 (header 8 + 12 bytes in).
        b[ix + 8 + 12..ix + 8 + 20].copy_from_slice(&u64::MAX.to_le_bytes());
        let r = AviReader::new(Cursor::new(b.clone())).unwrap();
        // The OpenDML index is refused; the chunks are walked instead.
        assert_eq!(r.info().index, IndexKind::Scanned);
        assert_eq!(r.frame_count(), 20);
        // A super index entry pointing past the end of the file.
        let indx = b.windows(4).position(|w| w == b"indx").unwrap();
        b[indx + 8 + 24..indx + 8 + 32].copy_from_slice(&(u64::MAX - 4).to_le_bytes());
        let r = AviReader::new(Cursor::new(b)).unwrap();
        assert_eq!(r.info().index, IndexKind::Scanned);
        assert_eq!(r.frame_count(), 20);
    }

    #[test]
    fn super_index_entries_must_not_repeat_or_go_backwards() {
        let (mut b, _) = open_dml_file();
        let indx = b.windows(4).position(|w| w == b"indx").unwrap();
        let data = indx + 8;
        let in_use = u32::from_le_bytes(b[data + 4..data + 8].try_into().unwrap()) as usize;
        assert!(in_use >= 2, "{in_use}");
        // Every entry points at the first ix00. Read as it is, each repeat
        // would list the same frames again, and a few MB of entries aimed at
        // one large chunk would make the reader read it millions of times.
        let first = b[data + 24..data + 40].to_vec();
        for k in 1..in_use {
            b[data + 24 + 16 * k..data + 40 + 16 * k].copy_from_slice(&first);
        }
        let r = AviReader::new(Cursor::new(b.clone())).unwrap();
        assert_eq!(r.info().index, IndexKind::Scanned);
        assert_eq!(r.frame_count(), 20);
        // Entries in the wrong order are refused too.
        let (mut b, _) = open_dml_file();
        let (e0, e1) = (data + 24, data + 40);
        let a = b[e0..e0 + 16].to_vec();
        let c = b[e1..e1 + 16].to_vec();
        b[e0..e0 + 16].copy_from_slice(&c);
        b[e1..e1 + 16].copy_from_slice(&a);
        let r = AviReader::new(Cursor::new(b)).unwrap();
        assert_eq!(r.info().index, IndexKind::Scanned);
        assert_eq!(r.frame_count(), 20);
    }

    #[test]
    fn index_pointing_at_the_wrong_chunk_is_a_format_error() {
        let (b, _) = open_dml_file();
        let mut r = AviReader::new(Cursor::new(b)).unwrap();
        assert_eq!(r.info().index, IndexKind::OpenDml);
        // Aim frame 3's entry at frame 4's data minus one byte.
        r.entries[3].offset = r.entries[4].offset - 1;
        let e = r.read_frame(3).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        assert!(e.to_string().starts_with("frame 3: at byte"), "{e}");
        assert_eq!(
            r.read_frame(99).unwrap_err().kind(),
            ErrorKind::SeekOutOfRange
        );
    }
}
