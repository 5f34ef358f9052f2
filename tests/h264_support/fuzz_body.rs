//! Bodies of the `h264_annexb` and `mp4_demux` fuzz targets
//! (fuzz/fuzz_targets/), shared with the property tests in tests/h264_annexb.rs
//! and tests/mp4_demux.rs so stable CI runs them.

#![allow(dead_code)]

use camreel::Limits;
use camreel::h264::annexb::{self, AccessUnitScanner, AccessUnits};

/// Limits small enough that no input makes a parser allocate much.
pub const LIMITS: Limits = Limits {
    max_width: 1024,
    max_height: 1024,
    max_bytes: 4 << 20,
    ..Limits::DEFAULT
};

/// Splits `data` as an Annex B stream three ways: NAL units, access units
/// of the whole buffer, and access units found by a scanner fed the bytes
/// in chunks whose size the first byte picks. None of it may panic; the
/// scanner must find the same boundaries whatever the chunk size; every
/// unit the iterator accepts is inside the buffer and holds a slice.
pub fn fuzz_annexb(data: &[u8]) {
    let chunk = usize::from(data.first().copied().unwrap_or(1)).max(1);
    for nal in annexb::nal_units(data) {
        let Ok(nal) = nal else { break };
        assert!(!nal.data.is_empty() && nal.data[0] & 0x80 == 0);
    }
    let mut whole = Vec::new();
    let mut pos = 0;
    while let Some(len) = AccessUnitScanner::new().scan(&data[pos..], true) {
        assert!(len > 0 && pos + len <= data.len());
        whole.push(pos..pos + len);
        pos += len;
    }
    let mut fed = Vec::new();
    let (mut start, mut have) = (0, 0);
    let mut scanner = AccessUnitScanner::new();
    loop {
        let eof = have == data.len();
        match scanner.scan(&data[start..have], eof) {
            Some(len) => {
                fed.push(start..start + len);
                start += len;
                scanner.reset();
            }
            None if eof => break,
            None => have = (have + chunk).min(data.len()),
        }
    }
    assert_eq!(fed, whole, "chunks of {chunk}");
    for unit in AccessUnits::with_limits(data, LIMITS) {
        let Ok((range, info)) = unit else { break };
        assert!(range.end <= data.len());
        assert!(info.slices > 0 && info.header_bytes < range.len());
        if let Some(sps) = info.sps {
            assert!(sps.width <= LIMITS.max_width && sps.height <= LIMITS.max_height);
        }
        let mut out = Vec::new();
        let n = annexb::to_length_prefixed(&data[range.clone()], &mut out).unwrap();
        assert!(n <= range.len() + 4 * info.nal_units as usize);
    }
}

/// Reads `data` as an MP4 file: the index ([`Mp4Demuxer::open`]) under
/// small limits, then every access unit through [`Mp4Reader`]. None of it
/// may panic; every sample read lies inside the data; a reader stops after
/// reporting damage.
#[cfg(feature = "mp4")]
pub fn fuzz_mp4(data: &[u8]) {
    use camreel::mp4::{Mp4Demuxer, Mp4Reader};
    use std::io::Cursor;
    let Ok(mut demux) = Mp4Demuxer::open(Cursor::new(data), LIMITS) else {
        return;
    };
    for s in demux.samples() {
        assert!(s.offset + u64::from(s.size) <= data.len() as u64);
    }
    let mut au = Vec::new();
    for i in 0..demux.samples().len() {
        if demux.read_access_unit(i, &mut au).is_err() {
            break;
        }
    }
    let Ok(mut reader) = Mp4Reader::new(Cursor::new(data), LIMITS) else {
        return;
    };
    let _ = reader.info();
    let mut n = 0;
    loop {
        match reader.next_access_unit() {
            Ok(Some(_)) => n += 1,
            Ok(None) => break,
            Err(_) => {
                assert!(matches!(reader.next_access_unit(), Ok(None) | Err(_)));
                break;
            }
        }
        assert!(n <= data.len());
    }
}
