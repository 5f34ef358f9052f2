//! Unit tests of the MJPEG writer: chunk layout, index, sync, failures.

use std::io::{self, Cursor, Seek, SeekFrom, Write};

use super::*;
use crate::avi::tiny_jpeg;
use crate::error::ErrorKind;
use crate::timing::FrameRate;

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// A JPEG of `w`x`h` whose length is odd (or even) as asked, by adding a
/// one-byte comment segment when needed.
fn jpeg_with_parity(w: u16, h: u16, odd: bool) -> Vec<u8> {
    let mut j = tiny_jpeg(w, h);
    if (j.len() % 2 == 1) != odd {
        let mut v = j[..2].to_vec();
        v.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x03, b'x']);
        v.extend_from_slice(&j[2..]);
        j = v;
    }
    assert_eq!(j.len() % 2 == 1, odd);
    j
}

#[test]
fn chunks_padding_index_and_counters() {
    let odd = jpeg_with_parity(16, 8, true);
    let even = jpeg_with_parity(16, 8, false);
    let mut w = MjpegWriterBuilder::new(16, 8)
        .frame_rate(FrameRate::new(25, 1).unwrap())
        .build(Cursor::new(Vec::new()))
        .unwrap();
    let start = w.bytes();
    w.add_jpeg(&odd, None).unwrap();
    w.add_jpeg(&even, None).unwrap();
    assert_eq!(w.frames(), 2);
    let b = w.into_inner().unwrap().into_inner();
    let movi = 4654usize - 4; // the header is 4654 bytes, ending with 'movi'
    assert_eq!(start as usize, movi + 4);
    assert_eq!(&b[movi..movi + 4], b"movi");
    // First chunk: '00dc', odd size, data, one pad byte.
    let c0 = movi + 4;
    assert_eq!(&b[c0..c0 + 4], b"00dc");
    assert_eq!(le32(&b, c0 + 4) as usize, odd.len());
    assert_eq!(&b[c0 + 8..c0 + 8 + odd.len()], &odd[..]);
    assert_eq!(b[c0 + 8 + odd.len()], 0, "pad byte");
    let c1 = c0 + 8 + odd.len() + 1;
    assert_eq!(&b[c1..c1 + 4], b"00dc");
    assert_eq!(le32(&b, c1 + 4) as usize, even.len());
    let idx1 = c1 + 8 + even.len();
    assert_eq!(&b[idx1..idx1 + 4], b"idx1");
    assert_eq!(le32(&b, idx1 + 4), 32);
    // Entries: '00dc', AVIIF_KEYFRAME, offset from the 'movi' fourcc, size.
    assert_eq!(&b[idx1 + 8..idx1 + 12], b"00dc");
    assert_eq!(le32(&b, idx1 + 12), 0x10);
    assert_eq!(le32(&b, idx1 + 16) as usize, c0 - movi);
    assert_eq!(le32(&b, idx1 + 20) as usize, odd.len());
    assert_eq!(&b[idx1 + 24..idx1 + 28], b"00dc");
    assert_eq!(le32(&b, idx1 + 32) as usize, c1 - movi);
    assert_eq!(le32(&b, idx1 + 36) as usize, even.len());
    assert_eq!(b.len(), idx1 + 8 + 32);
    // Sizes: RIFF to the end, movi list up to idx1.
    assert_eq!(le32(&b, 4) as usize, b.len() - 8);
    assert_eq!(le32(&b, movi - 4) as usize, idx1 - movi);
    // avih: 40000 us/frame, 2 frames, buffer = largest frame.
    let largest = odd.len().max(even.len()) as u32;
    assert_eq!(le32(&b, 32), 40000);
    assert_eq!(le32(&b, 32 + 16), 2);
    assert_eq!(le32(&b, 32 + 28), largest);
    // dwMaxBytesPerSec: mean frame size times 25.
    assert_eq!(le32(&b, 32 + 4) as usize, (odd.len() + even.len()) * 25 / 2);
    // strh: scale 1, rate 25, length 2, buffer.
    assert_eq!(le32(&b, 108 + 20), 1);
    assert_eq!(le32(&b, 108 + 24), 25);
    assert_eq!(le32(&b, 108 + 32), 2);
    assert_eq!(le32(&b, 108 + 36), largest);
    // Not OpenDML: indx and odml stay JUNK.
    assert_eq!(&b[212..216], b"JUNK");
    assert_eq!(&b[4340..4344], b"JUNK");
}

#[test]
fn unsynced_file_has_zero_sizes_and_sync_patches_them() {
    let j = tiny_jpeg(8, 8);
    let mut buf = Cursor::new(Vec::new());
    let mut w = MjpegWriter::new(&mut buf, 8, 8).unwrap();
    w.add_jpeg(&j, None).unwrap();
    let snapshot = w.get_ref().get_ref().clone();
    assert_eq!(le32(&snapshot, 4), 0, "RIFF size 0 until synced");
    assert_eq!(le32(&snapshot, 4654 - 8), 0, "movi size 0 until synced");
    w.sync().unwrap();
    let synced = w.get_ref().get_ref().clone();
    assert_eq!(le32(&synced, 4) as usize, synced.len() - 8);
    assert_eq!(&synced[synced.len() - 24..synced.len() - 20], b"idx1");
    assert_eq!(le32(&synced, 32 + 16), 1);
    // The next frame overwrites the index the sync appended.
    w.add_jpeg(&j, None).unwrap();
    assert_eq!(
        w.bytes() as usize,
        synced.len() - 24 + 8 + j.len() + j.len() % 2
    );
    drop(w);
    // Dropping finished the file.
    let b = buf.into_inner();
    assert_eq!(le32(&b, 4) as usize, b.len() - 8);
    assert_eq!(le32(&b, 32 + 16), 2);
    assert_eq!(&b[b.len() - 40..b.len() - 36], b"idx1");
}

#[test]
fn refuses_wrong_frames_without_writing() {
    let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 16, 8).unwrap();
    let before = w.bytes();
    let e = w.add_jpeg(&tiny_jpeg(8, 8), None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
    assert_eq!(
        e.to_string(),
        "frame 0: the JPEG is 8x8, the recording is 16x8"
    );
    let e = w.add_jpeg(b"not a jpeg", None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format);
    assert!(e.to_string().starts_with("frame 0: jpeg at byte 0"), "{e}");
    assert_eq!(w.bytes(), before);
    // Still usable.
    w.add_jpeg(&tiny_jpeg(16, 8), None).unwrap();
    assert_eq!(w.frames(), 1);
}

#[test]
fn builder_checks_arguments() {
    let build = |b: MjpegWriterBuilder| b.build(Cursor::new(Vec::new())).map(|_| ());
    for (w, h) in [(0, 8), (8, 0), (65536, 8)] {
        let e = build(MjpegWriterBuilder::new(w, h)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
    let e = build(MjpegWriterBuilder::new(8, 8).riff_size(100)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = build(MjpegWriterBuilder::new(8, 8).riff_size(3 << 30)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = build(MjpegWriterBuilder::new(8, 8).quality(0)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(build(MjpegWriterBuilder::new(65535, 1).riff_size(4096)).is_ok());
}

/// A writer that fails once `budget` bytes have been written.
struct Failing {
    inner: Cursor<Vec<u8>>,
    budget: usize,
}

impl Write for Failing {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.budget == 0 {
            return Err(io::Error::other("disk full"));
        }
        let n = buf.len().min(self.budget);
        self.budget -= n;
        self.inner.write(&buf[..n])
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for Failing {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn write_errors_poison_the_writer_and_drop_does_not_panic() {
    let j = tiny_jpeg(8, 8);
    let e = MjpegWriter::new(
        Failing {
            inner: Cursor::new(Vec::new()),
            budget: 100,
        },
        8,
        8,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    let mut w = MjpegWriter::new(
        Failing {
            inner: Cursor::new(Vec::new()),
            budget: 4654 + j.len() + 200,
        },
        8,
        8,
    )
    .unwrap();
    w.add_jpeg(&j, None).unwrap();
    let e = w.add_jpeg(&j, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(e.to_string().contains("writing frame 1 at byte"), "{e}");
    assert!(
        w.add_jpeg(&j, None)
            .unwrap_err()
            .to_string()
            .contains("failed earlier")
    );
    assert!(w.sync().is_err());
    drop(w);
    // A failure while finishing in drop is ignored.
    let mut w = MjpegWriter::new(
        Failing {
            inner: Cursor::new(Vec::new()),
            budget: 4654 + j.len() + 9,
        },
        8,
        8,
    )
    .unwrap();
    w.add_jpeg(&j, None).unwrap();
    drop(w);
}

/// A writer that, once armed, writes `budget` more bytes, fails one
/// write (a transient error: a full disk that is then cleaned up, a
/// signal), and works again after that.
struct Flaky {
    inner: Cursor<Vec<u8>>,
    armed: Option<usize>,
    /// Receives the bytes when the writer is dropped.
    on_drop: Option<std::rc::Rc<std::cell::RefCell<Vec<u8>>>>,
}

impl Drop for Flaky {
    fn drop(&mut self) {
        if let Some(out) = &self.on_drop {
            out.replace(self.inner.get_ref().clone());
        }
    }
}

impl Write for Flaky {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.armed {
            Some(0) => {
                self.armed = None;
                Err(io::Error::other("disk full"))
            }
            Some(budget) => {
                let n = buf.len().min(budget);
                self.armed = Some(budget - n);
                self.inner.write(&buf[..n])
            }
            None => self.inner.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for Flaky {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Three frames, a sync, two more frames, then a sixth frame whose write
/// fails part-way.
fn five_frames_then_a_failed_write() -> MjpegWriter<Flaky> {
    let j = tiny_jpeg(8, 8);
    let flaky = Flaky {
        inner: Cursor::new(Vec::new()),
        armed: None,
        on_drop: None,
    };
    let mut w = MjpegWriter::new(flaky, 8, 8).unwrap();
    for _ in 0..3 {
        w.add_jpeg(&j, None).unwrap();
    }
    w.sync().unwrap();
    for _ in 0..2 {
        w.add_jpeg(&j, None).unwrap();
    }
    w.get_mut().armed = Some(20);
    assert_eq!(w.add_jpeg(&j, None).unwrap_err().kind(), ErrorKind::Io);
    assert_eq!(w.frames(), 5);
    w
}

fn assert_five_indexed_frames(b: Vec<u8>) {
    assert_eq!(le32(&b, 4) as usize, b.len() - 8, "RIFF size");
    let mut r = crate::avi::AviReader::new(Cursor::new(b)).unwrap();
    assert_eq!(r.info().index, crate::avi::IndexKind::Idx1);
    assert_eq!((r.frame_count(), r.info().header_frames), (5, 5));
    for i in 0..5 {
        assert_eq!(r.read_frame(i).unwrap(), tiny_jpeg(8, 8));
    }
}

#[test]
fn finish_after_a_failed_frame_keeps_the_frames_written_before_it() {
    let mut w = five_frames_then_a_failed_write();
    // No more frames or syncs on a writer in an unknown state...
    assert!(w.add_jpeg(&tiny_jpeg(8, 8), None).is_err());
    assert!(w.sync().is_err());
    // ...but finishing indexes the five frames over the partial chunk.
    let b = w.into_inner().unwrap().inner.get_ref().clone();
    assert_five_indexed_frames(b);
}

#[test]
fn drop_after_a_failed_frame_keeps_the_frames_written_before_it() {
    let mut w = five_frames_then_a_failed_write();
    let file = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    w.get_mut().on_drop = Some(file.clone());
    drop(w);
    assert_five_indexed_frames(file.take());
}

#[test]
fn a_failure_anywhere_in_a_segment_switch_keeps_every_completed_frame() {
    let j = tiny_jpeg(8, 8);
    let new_writer = || {
        let flaky = Flaky {
            inner: Cursor::new(Vec::new()),
            armed: None,
            on_drop: None,
        };
        MjpegWriterBuilder::new(8, 8)
            .riff_size(4096)
            .build(flaky)
            .unwrap()
    };
    // Frames that fit before the second and the third segment.
    let mut switches = Vec::new();
    let mut w = new_writer();
    for k in 0..200 {
        let segments = w.riff_number;
        w.add_jpeg(&j, None).unwrap();
        if w.riff_number != segments {
            switches.push(k);
        }
    }
    assert!(switches.len() >= 2, "{switches:?}");
    for &k in &switches[..2] {
        // The switch writes ix00 (+ idx1 for the first segment), the
        // RIFF and movi sizes, the super index, the headers and the next
        // segment's head: fail after every possible number of bytes.
        for budget in (0..1200).step_by(5) {
            let mut w = new_writer();
            for _ in 0..k {
                w.add_jpeg(&j, None).unwrap();
            }
            w.get_mut().armed = Some(budget);
            let failed = w.add_jpeg(&j, None).is_err();
            if !failed {
                w.add_jpeg(&j, None).unwrap();
            }
            let frames = w.frames();
            assert_eq!(frames, k + if failed { 0 } else { 2 }, "budget {budget}");
            let b = w.into_inner().unwrap().inner.get_ref().clone();
            let mut r = crate::avi::AviReader::new(Cursor::new(b)).unwrap();
            assert_eq!(r.frame_count(), frames, "k {k} budget {budget}");
            assert_eq!(r.info().header_frames, frames, "k {k} budget {budget}");
            assert_ne!(r.info().index, crate::avi::IndexKind::Scanned);
            for i in 0..frames {
                assert_eq!(r.read_frame(i).unwrap(), j, "frame {i} budget {budget}");
            }
        }
    }
}

#[test]
fn starts_at_the_current_position() {
    let j = tiny_jpeg(8, 8);
    let mut c = Cursor::new(vec![0xAA; 100]);
    c.set_position(100);
    let mut w = MjpegWriterBuilder::new(8, 8)
        .riff_size(4096)
        .build(c)
        .unwrap();
    for _ in 0..40 {
        w.add_jpeg(&j, None).unwrap();
    }
    assert!(w.is_open_dml());
    let b = w.into_inner().unwrap().into_inner();
    assert_eq!(&b[..100], &[0xAA; 100][..]);
    let mut r = crate::avi::AviReader::new(Cursor::new(b[100..].to_vec())).unwrap();
    assert_eq!(r.info().index, crate::avi::IndexKind::OpenDml);
    assert_eq!(r.frame_count(), 40);
    assert_eq!(r.read_frame(39).unwrap(), j);
}
