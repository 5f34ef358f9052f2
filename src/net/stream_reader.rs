//! Reading the length-prefixed JPEG stream: the protocol alone, over any
//! [`Read`].

use std::io::{self, Read};

use crate::error::{Error, ErrorKind, Result};
use crate::image::Limits;

/// Bytes requested from the reader at most per call while a frame grows:
/// a peer that claims a large length has to send the bytes before the
/// buffer grows to hold them.
const READ_CHUNK: usize = 64 * 1024;

/// Where the reader is inside the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Reading the 4-byte length; `have` of them read so far.
    Length { bytes: [u8; 4], have: usize },
    /// Reading a payload of `len` bytes; `have` read so far.
    Payload { len: usize, have: usize },
    /// The zero length was read.
    Ended,
}

/// Reads picamera's length-prefixed stream: frames of a little-endian `u32`
/// length followed by that many bytes, ended by a zero length.
///
/// Every length is checked against [`Limits::max_bytes`] before the buffer
/// grows, and the buffer grows only as the bytes arrive. The reader keeps
/// its place across errors of kind [`ErrorKind::Timeout`] (a socket read
/// timeout), so calling [`read_frame`](JpegStreamReader::read_frame) again
/// continues the same frame. The bytes are returned as they came; the JPEG
/// inside is checked by [`JpegStreamSource`](super::JpegStreamSource).
///
/// ```
/// use camreel::net::JpegStreamReader;
/// let wire = [3, 0, 0, 0, b'a', b'b', b'c', 0, 0, 0, 0];
/// let mut reader = JpegStreamReader::new(&wire[..]);
/// assert_eq!(reader.read_frame()?, Some(&b"abc"[..]));
/// assert_eq!(reader.read_frame()?, None); // the zero length
/// assert_eq!((reader.frames(), reader.bytes()), (1, 11));
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Debug)]
pub struct JpegStreamReader<R> {
    reader: R,
    limits: Limits,
    buf: Vec<u8>,
    state: State,
    /// Frames read completely.
    frames: u64,
    /// Bytes consumed from the reader.
    offset: u64,
    /// Offset of the current frame's length.
    frame_start: u64,
}

impl<R: Read> JpegStreamReader<R> {
    /// A reader of `reader` with the default [`Limits`].
    pub fn new(reader: R) -> JpegStreamReader<R> {
        JpegStreamReader::with_limits(reader, Limits::default())
    }

    /// A reader of `reader` refusing frames longer than `limits.max_bytes`.
    pub fn with_limits(reader: R, limits: Limits) -> JpegStreamReader<R> {
        JpegStreamReader {
            reader,
            limits,
            buf: Vec::new(),
            state: State::Length {
                bytes: [0; 4],
                have: 0,
            },
            frames: 0,
            offset: 0,
            frame_start: 0,
        }
    }

    /// Reads the next frame and lends its bytes; `Ok(None)` after the zero
    /// length that ends the stream (and on every call after it).
    ///
    /// # Errors
    /// [`ErrorKind::LimitExceeded`] for a length above the limits;
    /// [`ErrorKind::Truncated`] when the stream ends inside a length or a
    /// frame; [`ErrorKind::Disconnected`] when it ends between frames
    /// without the zero length; [`ErrorKind::Timeout`] when the reader times
    /// out (the reader keeps its place: call again to go on); other I/O
    /// errors. Messages say which frame and at which byte.
    pub fn read_frame(&mut self) -> Result<Option<&[u8]>> {
        loop {
            match self.state {
                State::Ended => return Ok(None),
                State::Length { mut bytes, have } if have < 4 => {
                    let n = match self.reader.read(&mut bytes[have..]) {
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(Error::io(self.position(), e)),
                    };
                    self.offset += n as u64;
                    if n == 0 {
                        return Err(self.cut_in_length(have));
                    }
                    self.state = State::Length {
                        bytes,
                        have: have + n,
                    };
                }
                State::Length { bytes, .. } => {
                    let len = u32::from_le_bytes(bytes);
                    if len == 0 {
                        self.state = State::Ended;
                        return Ok(None);
                    }
                    self.limits
                        .check_bytes(u64::from(len))
                        .map_err(|e| e.context(self.position()))?;
                    let len = usize::try_from(len).map_err(|_| {
                        Error::new(
                            ErrorKind::LimitExceeded,
                            format!("{}: length {len} does not fit in memory", self.position()),
                        )
                    })?;
                    self.buf.clear();
                    self.state = State::Payload { len, have: 0 };
                }
                State::Payload { len, have } if have < len => {
                    // Grow by what may arrive now, never to the claimed length at once.
                    let want = (len - have).min(READ_CHUNK.max(have));
                    if self.buf.len() < have + want {
                        self.buf.resize(have + want, 0);
                    }
                    let buf = &mut self.buf[have..have + want];
                    let n = match self.reader.read(buf) {
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(Error::io(self.position(), e)),
                    };
                    if n == 0 {
                        return Err(Error::new(
                            ErrorKind::Truncated,
                            format!(
                                "{}: the stream ends after {have} of the frame's {len} bytes",
                                self.position()
                            ),
                        ));
                    }
                    self.offset += n as u64;
                    self.state = State::Payload {
                        len,
                        have: have + n,
                    };
                }
                State::Payload { len, .. } => {
                    self.buf.truncate(len);
                    self.frames += 1;
                    self.frame_start = self.offset;
                    self.state = State::Length {
                        bytes: [0; 4],
                        have: 0,
                    };
                    return Ok(Some(&self.buf));
                }
            }
        }
    }

    /// The error for a stream that ends after `have` bytes of a length.
    fn cut_in_length(&self, have: usize) -> Error {
        if have == 0 {
            Error::new(
                ErrorKind::Disconnected,
                format!(
                    "{}: the stream ends without the zero length that closes it",
                    self.position()
                ),
            )
        } else {
            Error::new(
                ErrorKind::Truncated,
                format!(
                    "{}: the stream ends after {have} of the 4 length bytes",
                    self.position()
                ),
            )
        }
    }
}

impl<R> JpegStreamReader<R> {
    /// `frame N at byte B`: the frame being read and where its length starts.
    fn position(&self) -> String {
        format!("frame {} at byte {}", self.frames, self.frame_start)
    }

    /// The bytes of the last frame [`read_frame`](Self::read_frame)
    /// returned (empty before the first and while a frame is being read).
    pub fn last_frame(&self) -> &[u8] {
        match self.state {
            State::Payload { .. } => &[],
            _ => &self.buf,
        }
    }

    /// Frames read completely so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Bytes consumed from the reader so far, lengths included.
    pub fn bytes(&self) -> u64 {
        self.offset
    }

    /// Whether the zero length that ends the stream was read.
    pub fn is_ended(&self) -> bool {
        self.state == State::Ended
    }

    /// The limits lengths are checked against.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The reader.
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// The reader, mutably (reading from it directly loses the stream's place).
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// The reader, consuming the stream reader.
    pub fn into_inner(self) -> R {
        self.reader
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(frames: &[&[u8]], end: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for f in frames {
            out.extend_from_slice(&(f.len() as u32).to_le_bytes());
            out.extend_from_slice(f);
        }
        if end {
            out.extend_from_slice(&[0; 4]);
        }
        out
    }

    #[test]
    fn reads_frames_then_the_end() {
        let big = vec![7u8; 200_000];
        let data = wire(&[b"one", &big, b"x"], true);
        let mut r = JpegStreamReader::new(&data[..]);
        assert_eq!(r.read_frame().unwrap().unwrap(), b"one");
        assert_eq!(r.last_frame(), b"one");
        assert_eq!(r.read_frame().unwrap().unwrap(), &big[..]);
        assert_eq!(r.read_frame().unwrap().unwrap(), b"x");
        assert!(!r.is_ended());
        assert_eq!(r.read_frame().unwrap(), None);
        assert!(r.is_ended());
        assert_eq!(r.read_frame().unwrap(), None);
        assert_eq!(r.frames(), 3);
        assert_eq!(r.bytes(), data.len() as u64);
    }

    #[test]
    fn cuts_report_frame_and_byte() {
        let data = wire(&[b"abcd", b"efghij"], true);
        // Frame 1's length starts at byte 8.
        for cut in 0..data.len() - 4 {
            let mut r = JpegStreamReader::new(&data[..cut]);
            let mut err = None;
            for _ in 0..4 {
                match r.read_frame() {
                    Ok(Some(_)) => {}
                    Ok(None) => panic!("cut at {cut} read as a clean end"),
                    Err(e) => {
                        err = Some(e);
                        break;
                    }
                }
            }
            let e = err.unwrap();
            let msg = e.to_string();
            match cut {
                0 | 8 | 18 => {
                    assert_eq!(e.kind(), ErrorKind::Disconnected, "{cut}: {msg}")
                }
                _ => assert_eq!(e.kind(), ErrorKind::Truncated, "{cut}: {msg}"),
            }
            let expect = match cut {
                0 => "frame 0 at byte 0: the stream ends without the zero length that closes it",
                3 => "frame 0 at byte 0: the stream ends after 3 of the 4 length bytes",
                6 => "frame 0 at byte 0: the stream ends after 2 of the frame's 4 bytes",
                8 => "frame 1 at byte 8: the stream ends without the zero length that closes it",
                13 => "frame 1 at byte 8: the stream ends after 1 of the frame's 6 bytes",
                _ => continue,
            };
            assert_eq!(msg, expect);
        }
    }

    #[test]
    fn lengths_over_the_limit_fail_before_allocating() {
        let mut data = wire(&[b"ok"], false);
        data.extend_from_slice(&u32::MAX.to_le_bytes());
        let mut r = JpegStreamReader::with_limits(
            &data[..],
            Limits {
                max_bytes: 1000,
                ..Limits::default()
            },
        );
        r.read_frame().unwrap();
        let e = r.read_frame().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert_eq!(
            e.to_string(),
            "frame 1 at byte 6: 4294967295 bytes is more than the limit of 1000 bytes"
        );
        // A claimed 4 GiB with the default limit never allocates more than arrived.
        let mut data = (400u32 << 20).to_le_bytes().to_vec();
        data.extend_from_slice(&[1; 100]);
        let mut r = JpegStreamReader::new(&data[..]);
        assert_eq!(r.read_frame().unwrap_err().kind(), ErrorKind::Truncated);
        assert!(r.buf.capacity() <= 2 * READ_CHUNK, "{}", r.buf.capacity());
    }

    /// Gives `step` bytes per read and times out every other call.
    struct Flaky<'a> {
        data: &'a [u8],
        step: usize,
        calls: usize,
    }

    impl Read for Flaky<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.calls += 1;
            match self.calls % 3 {
                0 => return Err(io::ErrorKind::WouldBlock.into()),
                1 => return Err(io::ErrorKind::Interrupted.into()),
                _ => {}
            }
            let n = buf.len().min(self.step).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn timeouts_keep_the_place() {
        let frames: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 10 + usize::from(i)]).collect();
        let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
        let data = wire(&refs, true);
        let mut r = JpegStreamReader::new(Flaky {
            data: &data,
            step: 3,
            calls: 0,
        });
        let mut got = Vec::new();
        let mut timeouts = 0;
        for _ in 0..1000 {
            match r.read_frame() {
                Ok(Some(f)) => got.push(f.to_vec()),
                Ok(None) => break,
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
                    timeouts += 1;
                }
            }
        }
        assert_eq!(got, frames);
        assert!(r.is_ended());
        assert!(timeouts > 10);
    }
}
