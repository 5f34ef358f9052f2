//! The Annex B byte stream: NAL units behind `00 00 01` or `00 00 00 01`
//! start codes, grouped into access units (one picture each).
//!
//! Pure byte-slice code: [`nal_units`] splits a buffer into NAL units,
//! [`AccessUnitScanner`] finds where each access unit ends in a buffer that
//! grows as a file is read, and [`AccessUnitInfo::of`] says what an access
//! unit holds (key frame, parameter sets, picture size).
//!
//! ```
//! use camreel::h264::annexb::{self, AccessUnits, NalType};
//!
//! // AUD, then an IDR slice; AUD, then a non-IDR slice.
//! let stream = [
//!     0, 0, 0, 1, 0x09, 0x10, 0, 0, 1, 0x65, 0x88, 0x80,
//!     0, 0, 0, 1, 0x09, 0x30, 0, 0, 1, 0x41, 0x9a, 0x80,
//! ];
//! let types: Vec<NalType> = annexb::nal_units(&stream).map(|n| n.unwrap().nal_type()).collect();
//! assert_eq!(types, [NalType::Aud, NalType::IdrSlice, NalType::Aud, NalType::NonIdrSlice]);
//! let units: Vec<_> = AccessUnits::new(&stream).collect::<Result<_, _>>()?;
//! assert_eq!(units.len(), 2);
//! assert!(units[0].1.key_frame && !units[1].1.key_frame);
//! assert_eq!(units[1].0, 12..24);
//! # Ok::<(), camreel::Error>(())
//! ```

use std::ops::Range;

use super::bits::BitReader;
use super::sps::Sps;
use crate::error::{Error, ErrorKind, Result};
use crate::image::Limits;

/// The type of a NAL unit (`nal_unit_type`, H.264 table 7-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NalType {
    /// 1: a slice of a non-IDR picture.
    NonIdrSlice,
    /// 2-4: a slice data partition.
    Partition,
    /// 5: a slice of an IDR (key) picture.
    IdrSlice,
    /// 6: supplemental enhancement information.
    Sei,
    /// 7: sequence parameter set.
    Sps,
    /// 8: picture parameter set.
    Pps,
    /// 9: access unit delimiter.
    Aud,
    /// 10: end of sequence.
    EndOfSequence,
    /// 11: end of stream.
    EndOfStream,
    /// 12: filler data.
    Filler,
    /// Any other type (SPS extension, prefix, SVC/MVC extensions, reserved).
    Other(u8),
}

impl NalType {
    /// The type of a NAL unit whose header byte is `header`.
    pub fn from_header(header: u8) -> NalType {
        match header & 0x1F {
            1 => NalType::NonIdrSlice,
            2..=4 => NalType::Partition,
            5 => NalType::IdrSlice,
            6 => NalType::Sei,
            7 => NalType::Sps,
            8 => NalType::Pps,
            9 => NalType::Aud,
            10 => NalType::EndOfSequence,
            11 => NalType::EndOfStream,
            12 => NalType::Filler,
            t => NalType::Other(t),
        }
    }

    /// Whether the unit carries picture data (a slice or a partition).
    pub fn is_vcl(self) -> bool {
        matches!(
            self,
            NalType::NonIdrSlice | NalType::Partition | NalType::IdrSlice
        )
    }

    /// Whether a unit of this type, after a picture's slices, starts the
    /// next access unit (H.264 section 7.4.1.2.3).
    fn starts_access_unit(self) -> bool {
        match self {
            NalType::Aud | NalType::Sps | NalType::Pps | NalType::Sei => true,
            NalType::Other(t) => (14..=18).contains(&t),
            _ => false,
        }
    }
}

/// One NAL unit of a byte stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nal<'a> {
    /// Offset of the unit's start code in the buffer it was found in.
    pub start: usize,
    /// The unit: header byte and payload, without start code or trailing zeros.
    pub data: &'a [u8],
}

impl Nal<'_> {
    /// The unit's type.
    pub fn nal_type(&self) -> NalType {
        NalType::from_header(self.data[0])
    }

    /// `nal_ref_idc`: 0 for units no other picture refers to.
    pub fn ref_idc(&self) -> u8 {
        (self.data[0] >> 5) & 3
    }
}

/// Position of the next start code (`00 00 01`) at or after `from`: the
/// offset of its first zero, and its length (4 with a leading zero byte).
pub fn find_start_code(buf: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while i + 3 <= buf.len() {
        // Skip ahead fast: a start code needs buf[i + 2] == 1 and two zeros.
        match buf[i + 2] {
            1 if buf[i] == 0 && buf[i + 1] == 0 => {
                return Some(if i > from && buf[i - 1] == 0 {
                    (i - 1, 4)
                } else {
                    (i, 3)
                });
            }
            0 => i += 1,
            _ => i += 3,
        }
    }
    None
}

/// Splits a buffer of whole NAL units (an access unit, a whole stream) at
/// its start codes. Every item is a unit with a valid header, or an error
/// naming the byte offset.
pub fn nal_units(buf: &[u8]) -> NalUnits<'_> {
    NalUnits {
        buf,
        pos: 0,
        failed: false,
    }
}

/// Iterator from [`nal_units`].
#[derive(Clone, Debug)]
pub struct NalUnits<'a> {
    buf: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> Iterator for NalUnits<'a> {
    type Item = Result<Nal<'a>>;

    fn next(&mut self) -> Option<Result<Nal<'a>>> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let Some((start, len)) = find_start_code(self.buf, self.pos) else {
            if self.buf[self.pos..].iter().all(|&b| b == 0) {
                self.pos = self.buf.len();
                return None;
            }
            self.failed = true;
            return Some(Err(Error::new(
                ErrorKind::Format,
                format!("byte {}: data without a start code", self.pos),
            )));
        };
        if self.buf[self.pos..start].iter().any(|&b| b != 0) {
            self.failed = true;
            return Some(Err(Error::new(
                ErrorKind::Format,
                format!("byte {}: data without a start code", self.pos),
            )));
        }
        let body = start + len;
        let end = find_start_code(self.buf, body).map_or(self.buf.len(), |(s, _)| s);
        self.pos = end;
        match check_nal(&self.buf[body..end], start) {
            Ok(data) => Some(Ok(Nal { start, data })),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

impl std::iter::FusedIterator for NalUnits<'_> {}

/// Trims trailing zero bytes and checks the header of the unit whose start
/// code is at `start`.
fn check_nal(data: &[u8], start: usize) -> Result<&[u8]> {
    let len = data.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let data = &data[..len];
    match data.first() {
        None => Err(Error::new(
            ErrorKind::Format,
            format!("byte {start}: empty nal unit"),
        )),
        Some(h) if h & 0x80 != 0 => Err(Error::new(
            ErrorKind::Format,
            format!("byte {start}: nal unit header 0x{h:02x} has its forbidden bit set"),
        )),
        Some(_) => Ok(data),
    }
}

/// `first_mb_in_slice` of a slice NAL unit, or `None` if the unit is too
/// short to say.
fn first_mb_in_slice(nal: &[u8]) -> Option<u32> {
    BitReader::new(nal.get(1..)?).ue().ok()
}

/// What one access unit holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccessUnitInfo {
    /// Whether the picture is an IDR picture: decoding can start here.
    pub key_frame: bool,
    /// The SPS in the unit, if any (parsed and checked).
    pub sps: Option<Sps>,
    /// Whether the unit holds a PPS.
    pub has_pps: bool,
    /// Number of NAL units.
    pub nal_units: u32,
    /// Number of slice NAL units.
    pub slices: u32,
    /// Bytes from the start of the unit to its first slice: the access unit
    /// delimiter, SEI and parameter sets in front of the picture.
    pub header_bytes: usize,
}

impl AccessUnitInfo {
    /// Parses the NAL units of one access unit and checks its SPS, if any,
    /// against `limits`.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for bytes that are not NAL units or an SPS that
    /// does not parse, [`ErrorKind::LimitExceeded`] for an SPS whose picture
    /// is larger than `limits`, [`ErrorKind::InvalidFrameSize`] for a unit
    /// with no slice. Messages give the byte offset within `au`.
    pub fn of(au: &[u8], limits: &Limits) -> Result<AccessUnitInfo> {
        let mut info = AccessUnitInfo::default();
        let mut header_bytes = None;
        for nal in nal_units(au) {
            let nal = nal?;
            info.nal_units += 1;
            let ty = nal.nal_type();
            match ty {
                NalType::Sps => {
                    let sps = Sps::parse(nal.data)
                        .and_then(|s| s.check(limits).map(|()| s))
                        .map_err(|e| e.context(format!("byte {}", nal.start)))?;
                    info.sps = Some(sps);
                }
                NalType::Pps => info.has_pps = true,
                NalType::IdrSlice => info.key_frame = true,
                _ => {}
            }
            if ty.is_vcl() {
                info.slices += 1;
                header_bytes.get_or_insert(nal.start);
            }
        }
        if info.slices == 0 {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                "access unit holds no picture",
            ));
        }
        info.header_bytes = header_bytes.unwrap_or(0);
        Ok(info)
    }
}

/// Finds where access units end in a buffer that fills up as a stream is
/// read: feed it the buffer (starting at the current access unit) after
/// every read, take the unit when it reports one, drop those bytes and
/// [`reset`](AccessUnitScanner::reset).
///
/// Work is linear in the bytes read: each call resumes where the last one
/// stopped.
#[derive(Clone, Debug, Default)]
pub struct AccessUnitScanner {
    /// Where to look for the next start code.
    pos: usize,
    /// Whether a slice of the current unit was seen.
    seen_vcl: bool,
}

impl AccessUnitScanner {
    /// A scanner at the start of an access unit.
    pub fn new() -> AccessUnitScanner {
        AccessUnitScanner::default()
    }

    /// Forgets the unit just taken: the buffer now starts at the next one.
    pub fn reset(&mut self) {
        *self = AccessUnitScanner::default();
    }

    /// The length of the access unit at the start of `buf`, if it is
    /// complete: another unit starts after it, or `eof` says no more bytes
    /// will come (then the rest of the buffer is the unit, if it holds a
    /// slice). `None` means more bytes are needed (or, at `eof`, that
    /// nothing but parameter sets or zeros is left).
    pub fn scan(&mut self, buf: &[u8], eof: bool) -> Option<usize> {
        while let Some((sc, len)) = find_start_code(buf, self.pos) {
            let header_at = sc + len;
            // The header byte, and a few more to read first_mb_in_slice.
            let Some(&header) = buf.get(header_at) else {
                // Look at this start code again when more bytes came.
                self.pos = sc;
                return eof.then(|| self.seen_vcl.then_some(buf.len())).flatten();
            };
            let ty = NalType::from_header(header);
            if ty.is_vcl() {
                let end = (header_at + 6).min(buf.len());
                let first_mb = first_mb_in_slice(&buf[header_at..end]);
                if first_mb.is_none() && !eof && end < header_at + 6 {
                    self.pos = sc;
                    return None;
                }
                if self.seen_vcl && first_mb == Some(0) {
                    return Some(sc);
                }
                self.seen_vcl = true;
            } else if self.seen_vcl && ty.starts_access_unit() {
                return Some(sc);
            }
            self.pos = header_at;
        }
        if eof {
            return self.seen_vcl.then_some(buf.len());
        }
        // Resume a little before the end, where a start code may straddle
        // it, but never before a unit already looked at.
        self.pos = self.pos.max(buf.len().saturating_sub(4));
        None
    }
}

/// Iterator over the access units of a complete stream in memory: each item
/// is the unit's byte range and what it holds, checked with default
/// [`Limits`]. Errors say which unit and at which byte.
#[derive(Clone, Debug)]
pub struct AccessUnits<'a> {
    buf: &'a [u8],
    pos: usize,
    index: u64,
    limits: Limits,
    done: bool,
}

impl<'a> AccessUnits<'a> {
    /// The access units of `buf`.
    pub fn new(buf: &'a [u8]) -> AccessUnits<'a> {
        AccessUnits::with_limits(buf, Limits::default())
    }

    /// The access units of `buf`, refusing pictures larger than `limits`.
    pub fn with_limits(buf: &'a [u8], limits: Limits) -> AccessUnits<'a> {
        AccessUnits {
            buf,
            pos: 0,
            index: 0,
            limits,
            done: false,
        }
    }
}

impl Iterator for AccessUnits<'_> {
    type Item = Result<(Range<usize>, AccessUnitInfo)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = &self.buf[self.pos..];
        let Some(len) = AccessUnitScanner::new().scan(rest, true) else {
            self.done = true;
            // Only parameter sets, delimiters or zeros after the last picture.
            return match nal_units(rest).find_map(Result::err) {
                Some(e) => Some(Err(locate(e, self.index, self.pos))),
                None => None,
            };
        };
        let range = self.pos..self.pos + len;
        let result = AccessUnitInfo::of(&self.buf[range.clone()], &self.limits)
            .map(|info| (range.clone(), info))
            .map_err(|e| locate(e, self.index, self.pos));
        self.done = result.is_err();
        self.pos = range.end;
        self.index += 1;
        Some(result)
    }
}

impl std::iter::FusedIterator for AccessUnits<'_> {}

/// Adds "access unit `index` at byte `offset`" to an error about bytes of
/// that unit.
pub(crate) fn locate(e: Error, index: u64, offset: usize) -> Error {
    e.context(format!("access unit {index} at byte {offset}"))
}

/// Copies an access unit into `out` as MP4 samples store it: each NAL unit
/// behind a 4-byte big-endian length instead of a start code, without
/// access unit delimiters, parameter sets and filler. Returns the number of
/// bytes appended.
///
/// # Errors
/// As [`nal_units`].
pub fn to_length_prefixed(au: &[u8], out: &mut Vec<u8>) -> Result<usize> {
    let before = out.len();
    for nal in nal_units(au) {
        let nal = nal?;
        match nal.nal_type() {
            NalType::Aud | NalType::Sps | NalType::Pps | NalType::Filler => continue,
            _ => {}
        }
        let len = u32::try_from(nal.data.len()).map_err(|_| {
            Error::new(
                ErrorKind::LimitExceeded,
                format!("byte {}: nal unit longer than 4 GiB", nal.start),
            )
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(nal.data);
    }
    Ok(out.len() - before)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(parts: &[&[u8]]) -> Vec<u8> {
        let mut v = Vec::new();
        for p in parts {
            v.extend_from_slice(&[0, 0, 0, 1]);
            v.extend_from_slice(p);
        }
        v
    }

    #[test]
    fn start_codes_of_three_and_four_bytes() {
        let buf = [0, 0, 1, 0x67, 0, 0, 0, 1, 0x68, 0xAA, 0, 0, 1, 0x65, 0x80];
        let nals: Vec<_> = nal_units(&buf).map(Result::unwrap).collect();
        assert_eq!(nals.len(), 3);
        assert_eq!((nals[0].start, nals[0].data), (0, &[0x67][..]));
        assert_eq!((nals[1].start, nals[1].data), (4, &[0x68, 0xAA][..]));
        assert_eq!((nals[2].start, nals[2].data), (10, &[0x65, 0x80][..]));
        assert_eq!(nals[2].nal_type(), NalType::IdrSlice);
        assert_eq!(nals[2].ref_idc(), 3);
        assert_eq!(find_start_code(&buf, 1), Some((4, 4)));
        assert_eq!(find_start_code(&[0, 0], 0), None);
    }

    #[test]
    fn damaged_streams_name_the_byte() {
        let e = nal_units(&[0x12, 0, 0, 1, 0x65])
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!(e.to_string(), "byte 0: data without a start code");
        let e = nal_units(&[0, 0, 1, 0x65, 0, 0, 1, 0xE5])
            .nth(1)
            .unwrap()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "byte 4: nal unit header 0xe5 has its forbidden bit set"
        );
        let e = nal_units(&[0, 0, 1, 0, 0, 0, 1, 0x65])
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!(e.to_string(), "byte 0: empty nal unit");
        // Leading and trailing zeros are allowed.
        assert_eq!(nal_units(&[0, 0, 0, 0, 0, 1, 0x41, 0, 0]).count(), 1);
        assert_eq!(nal_units(&[0, 0, 0]).count(), 0);
    }

    #[test]
    fn access_units_group_parameter_sets_with_their_picture() {
        // first_mb_in_slice = 0 is the bit '1' right after the header.
        let sps = super::super::sps::tests::sps_nal(4, 3, [0; 4], None);
        let buf = stream(&[
            &sps,
            &[0x68, 0xCE, 0x38, 0x80],
            &[0x65, 0x88, 0x84],
            &[0x65, 0x40, 0x11], // second slice of the same picture (first_mb 1)
            &[0x41, 0x9A, 0x00],
            &[0x06, 0x05, 0x01, 0x80],
            &[0x41, 0x9A, 0x01],
        ]);
        let units: Vec<_> = AccessUnits::new(&buf).map(Result::unwrap).collect();
        assert_eq!(units.len(), 3);
        let (r0, i0) = &units[0];
        assert!(i0.key_frame && i0.has_pps);
        assert_eq!(i0.sps.map(|s| (s.width, s.height)), Some((64, 48)));
        assert_eq!((i0.nal_units, i0.slices), (4, 2));
        assert_eq!(i0.header_bytes, 4 + sps.len() + 8);
        let (r1, i1) = &units[1];
        assert!(!i1.key_frame && i1.sps.is_none());
        assert_eq!(r1.start, r0.end);
        let (r2, i2) = &units[2];
        assert_eq!(i2.nal_units, 2, "the SEI starts the third unit");
        assert_eq!(r2.end, buf.len());
    }

    #[test]
    fn scanner_resumes_and_waits_for_more_bytes() {
        let buf = stream(&[&[0x65, 0x88], &[0x41, 0x9A], &[0x41, 0x9B]]);
        let mut s = AccessUnitScanner::new();
        for cut in 0..12 {
            assert_eq!(s.scan(&buf[..cut], false), None, "{cut}");
        }
        // The second unit's header and first_mb are in view.
        assert_eq!(s.scan(&buf[..13], false), Some(6));
        s.reset();
        let rest = &buf[6..];
        assert_eq!(s.scan(rest, false), Some(6));
        s.reset();
        assert_eq!(s.scan(&rest[6..], false), None);
        assert_eq!(s.scan(&rest[6..], true), Some(6));
        // Nothing but a parameter set left.
        assert_eq!(
            AccessUnitScanner::new().scan(&stream(&[&[0x68, 1]]), true),
            None
        );
    }

    #[test]
    fn damage_names_unit_and_byte() {
        let mut buf = stream(&[&[0x65, 0x88], &[0x41, 0x9A], &[0x41, 0x9B]]);
        buf[16] = 0xC1; // the third unit's header
        let got: Vec<_> = AccessUnits::new(&buf).collect();
        assert_eq!(got.len(), 3);
        let e = got[2].as_ref().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        assert_eq!(
            e.to_string(),
            "access unit 2 at byte 12: byte 0: nal unit header 0xc1 has its forbidden bit set"
        );
    }

    #[test]
    fn huge_sps_is_refused_before_anything_else() {
        let sps = super::super::sps::tests::sps_nal(4096, 4096, [0; 4], None);
        let buf = stream(&[&sps, &[0x65, 0x88]]);
        let e = AccessUnits::new(&buf).next().unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert!(
            e.to_string()
                .starts_with("access unit 0 at byte 0: byte 0: "),
            "{e}"
        );
    }

    #[test]
    fn length_prefixed_drops_parameter_sets() {
        let buf = stream(&[&[0x09, 0x10], &[0x67, 1], &[0x68, 2], &[0x65, 0x88, 0x80]]);
        let mut out = vec![9];
        assert_eq!(to_length_prefixed(&buf, &mut out).unwrap(), 7);
        assert_eq!(out, [9, 0, 0, 0, 3, 0x65, 0x88, 0x80]);
    }
}
