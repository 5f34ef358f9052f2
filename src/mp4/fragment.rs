//! [`Mp4Fragmenter`]: H.264 access units in, the init segment and each
//! fragment out as separate byte blocks, with no output to seek. The
//! [`Mp4Writer`](super::Mp4Writer) writes them to a file; a live stream
//! sends them to clients.
// Over 700 lines only because its unit tests are at the end: they test
// private parts and read best next to the code.

use std::fmt;
use std::time::Duration;

use super::Mp4Options;
use super::boxes::{self, SampleEntry, TrackConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::h264::Sps;
use crate::h264::annexb::{self, AccessUnitInfo, NalType};
use crate::image::{Limits, PixelFormat};
use crate::timing::{Ticks, Timeline};

/// One `moof` + `mdat`: a run of samples, ready to store or send.
///
/// Its [`header`](Self::header) (the `moof` and the `mdat` header) is small;
/// its [`samples`](Self::samples) are the access units, length-prefixed.
/// [`restamp`](Self::restamp) rewrites the fragment's number and start time
/// in place, so one fragment can open a stream of its own (a live client
/// that joins late sees its first fragment at time 0).
#[derive(Clone, PartialEq, Eq)]
pub struct Mp4Fragment {
    bytes: Vec<u8>,
    header_len: usize,
    /// Where the `mfhd` sequence number sits.
    sequence_at: usize,
    /// Where the `tfdt` decode time sits, and whether it is 64-bit.
    time_at: usize,
    time_wide: bool,
    sequence: u32,
    start: u64,
    duration: u64,
    frames: u32,
    key: bool,
}

impl fmt::Debug for Mp4Fragment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mp4Fragment")
            .field("sequence", &self.sequence)
            .field("start", &self.start)
            .field("duration", &self.duration)
            .field("frames", &self.frames)
            .field("key", &self.key)
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl Mp4Fragment {
    /// The whole fragment: `moof`, `mdat` header and samples.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The whole fragment, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The `moof` and the `mdat` header: everything before the samples.
    pub fn header(&self) -> &[u8] {
        &self.bytes[..self.header_len]
    }

    /// The samples (the `mdat` payload).
    pub fn samples(&self) -> &[u8] {
        &self.bytes[self.header_len..]
    }

    /// The fragment's number (`mfhd`), 1 for the first.
    pub fn sequence(&self) -> u32 {
        self.sequence
    }

    /// Decode time of the first sample (`tfdt`), in track units.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Sum of the samples' durations, in track units.
    pub fn duration(&self) -> u64 {
        self.duration
    }

    /// Number of samples (frames).
    pub fn frames(&self) -> u32 {
        self.frames
    }

    /// Whether the first sample is a key frame: a player can start here.
    pub fn is_key(&self) -> bool {
        self.key
    }

    /// Rewrites the fragment's number and start time.
    ///
    /// # Errors
    /// [`ErrorKind::LimitExceeded`] if `start` does not fit the fragment's
    /// time field (a 32-bit `tfdt`).
    pub fn restamp(&mut self, sequence: u32, start: u64) -> Result<()> {
        let (seq_at, time_at, wide) = (self.sequence_at, self.time_at, self.time_wide);
        stamp(&mut self.bytes, seq_at, time_at, wide, sequence, start)?;
        self.sequence = sequence;
        self.start = start;
        Ok(())
    }

    /// A copy of [`header`](Self::header) with another number and start
    /// time (the samples that follow it are unchanged).
    ///
    /// # Errors
    /// As [`restamp`](Self::restamp).
    pub fn restamped_header(&self, sequence: u32, start: u64) -> Result<Vec<u8>> {
        let mut header = self.header().to_vec();
        stamp(
            &mut header,
            self.sequence_at,
            self.time_at,
            self.time_wide,
            sequence,
            start,
        )?;
        Ok(header)
    }
}

fn stamp(
    bytes: &mut [u8],
    sequence_at: usize,
    time_at: usize,
    wide: bool,
    sequence: u32,
    start: u64,
) -> Result<()> {
    if wide {
        bytes[time_at..time_at + 8].copy_from_slice(&start.to_be_bytes());
    } else {
        let start = u32::try_from(start).map_err(|_| {
            Error::new(
                ErrorKind::LimitExceeded,
                format!("start time {start} does not fit the fragment's 32-bit time"),
            )
        })?;
        bytes[time_at..time_at + 4].copy_from_slice(&start.to_be_bytes());
    }
    bytes[sequence_at..sequence_at + 4].copy_from_slice(&sequence.to_be_bytes());
    Ok(())
}

/// The child box `kind` of the box whose body is `buf[start..end]`: its
/// offset and size.
fn child(buf: &[u8], mut at: usize, end: usize, kind: &[u8; 4]) -> Option<(usize, usize)> {
    while at + 8 <= end {
        let size = u32::from_be_bytes(buf[at..at + 4].try_into().ok()?) as usize;
        if size < 8 || at + size > end {
            return None;
        }
        if &buf[at + 4..at + 8] == kind {
            return Some((at, size));
        }
        at += size;
    }
    None
}

/// Where the `mfhd` sequence number and the `tfdt` time sit in a `moof`
/// at the start of `header`, and whether the time is 64-bit.
fn stamp_fields(header: &[u8]) -> Option<(usize, usize, bool)> {
    let moof_len = u32::from_be_bytes(header.get(..4)?.try_into().ok()?) as usize;
    if header.get(4..8)? != b"moof" || moof_len > header.len() {
        return None;
    }
    let (mfhd, _) = child(header, 8, moof_len, b"mfhd")?;
    let (traf, traf_len) = child(header, 8, moof_len, b"traf")?;
    let (tfdt, tfdt_len) = child(header, traf + 8, traf + traf_len, b"tfdt")?;
    let wide = header[tfdt + 8] == 1;
    (tfdt_len == if wide { 20 } else { 16 }).then_some((mfhd + 12, tfdt + 12, wide))
}

/// Cuts H.264 access units into MP4 fragments: the init segment (`ftyp` +
/// `moov`) once the first key frame is in, then one `moof` + `mdat` at a
/// time, each a byte block of its own. Nothing is ever rewritten, so the
/// blocks can go to a pipe, a socket or many clients.
///
/// A fragment ends at a key frame or once it holds
/// [`Mp4Options::fragment_duration`] (zero: one frame per fragment, what a
/// live stream sends). A sample's duration is the time to the next frame,
/// so a fragment comes out when the frame after it is pushed:
/// [`flush`](Self::flush) gives what can be given now, and
/// [`finish`](Self::finish) ends the last fragment with the nominal (or
/// mean) frame interval. Times come from the frames' timestamps in
/// [`Mp4Options::timescale`] units ([`Ticks`]); the options' encoder
/// settings are not used here.
///
/// ```
/// # #[cfg(feature = "h264")] {
/// use std::time::Duration;
/// use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
/// use camreel::h264::{H264Encoder, H264Settings};
/// use camreel::mp4::{Mp4Fragmenter, Mp4Options};
/// use camreel::video::VideoEncoder;
///
/// let mut camera = SyntheticCamera::builder().size(64, 48).frame_limit(4).build()?;
/// let mut encoder = H264Encoder::new(H264Settings::default().intra_period(2))?;
/// let mut mux = Mp4Fragmenter::new(Mp4Options::default().fragment_duration(Duration::ZERO))?;
/// let mut fragments = Vec::new();
/// while let Some(frame) = camera.next_frame()? {
///     if let Some(out) = encoder.encode(&frame)? {
///         fragments.extend(mux.push(&out.frame)?);
///     }
/// }
/// fragments.extend(mux.finish()?);
/// let init = mux.init_segment().expect("the first frame is a key frame");
/// assert_eq!(&init[4..8], b"ftyp");
/// let keys: Vec<bool> = fragments.iter().map(|f| f.is_key()).collect();
/// assert_eq!(keys, [true, false, true, false]);
/// assert_eq!(&fragments[1].as_bytes()[4..8], b"moof");
/// # }
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct Mp4Fragmenter {
    options: Mp4Options,
    limits: Limits,
    init: Option<Vec<u8>>,
    config: Option<TrackConfig>,
    ticks: Ticks,
    timeline: Timeline,
    pending: Vec<SampleEntry>,
    pending_data: Vec<u8>,
    pending_base: u64,
    pending_start: Duration,
    sequence: u32,
    frames: u64,
    /// The total duration, once finished.
    end: Option<u64>,
    /// Whether the last frame went out in a fragment with a provisional
    /// duration ([`Mp4Fragmenter::flush_all`]).
    provisional: bool,
    /// Its real duration, once the next frame gave it.
    late: Option<u32>,
}

impl fmt::Debug for Mp4Fragmenter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mp4Fragmenter")
            .field("options", &self.options)
            .field("frames", &self.frames)
            .field("fragments", &(self.sequence - 1))
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl Mp4Fragmenter {
    /// A fragmenter with `options` (its timescale, fragment duration and
    /// frame rate).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a timescale below 1000.
    pub fn new(options: Mp4Options) -> Result<Mp4Fragmenter> {
        check_timescale(options.timescale)?;
        Ok(Mp4Fragmenter::unchecked(options))
    }

    pub(crate) fn unchecked(options: Mp4Options) -> Mp4Fragmenter {
        Mp4Fragmenter {
            options,
            limits: Limits::default(),
            init: None,
            config: None,
            ticks: Ticks::new(options.timescale),
            timeline: options
                .frame_rate
                .map_or_else(Timeline::new, Timeline::with_rate),
            pending: Vec::new(),
            pending_data: Vec::new(),
            pending_base: 0,
            pending_start: Duration::ZERO,
            sequence: 1,
            frames: 0,
            end: None,
            provisional: false,
            late: None,
        }
    }

    /// Sets the limits SPS picture sizes are checked against.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// `ftyp` + `moov`, once the first frame (a key frame with its SPS and
    /// PPS) was pushed.
    pub fn init_segment(&self) -> Option<&[u8]> {
        self.init.as_deref()
    }

    /// Frames pushed.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Fragments given out.
    pub fn fragments(&self) -> u64 {
        u64::from(self.sequence - 1)
    }

    /// Frames pushed but not yet in a fragment.
    pub fn pending_frames(&self) -> usize {
        self.pending.len()
    }

    /// The track's time units per second.
    pub fn timescale(&self) -> u32 {
        self.options.timescale
    }

    /// The whole duration in track units, once [`finish`](Self::finish)ed.
    pub fn finished_duration(&self) -> Option<u64> {
        self.end
    }

    /// Adds one frame: an H.264 access unit (Annex B, in
    /// [`PixelFormat::H264`]) with its timestamp. Returns the fragment it
    /// completes, if any.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for a frame that is not H.264 or a
    /// picture size change; [`ErrorKind::InvalidArgument`] for a first frame
    /// that is not a key frame with its SPS, or a timestamp before the
    /// previous frame's; [`ErrorKind::Format`] for bytes that are not an
    /// access unit; [`ErrorKind::Finished`] after [`finish`](Self::finish).
    pub fn push(&mut self, frame: &Frame<'_>) -> Result<Option<Mp4Fragment>> {
        let index = self.frames;
        if frame.image.format() != PixelFormat::H264 {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "frame {index}: {} is not h.264 (encode it first)",
                    frame.image.format()
                ),
            ));
        }
        let au = frame.image.data();
        let info = AccessUnitInfo::of(au, &self.limits)
            .map_err(|e| e.context(format!("frame {index}")))?;
        self.push_au(au, info.key_frame, info.sps, frame.timestamp)
    }

    /// Refuses a frame earlier than the one before.
    pub(crate) fn check_time(&self, timestamp: Duration) -> Result<()> {
        if self.end.is_some() {
            return Err(crate::sink::finished("the mp4 fragmenter"));
        }
        if let Some(first) = self.timeline.first()
            && timestamp < first + self.timeline.span()
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "frame {}: timestamp {timestamp:?} is before the previous frame's",
                    self.frames
                ),
            ));
        }
        Ok(())
    }

    /// Adds one access unit whose key flag and SPS are known.
    pub(crate) fn push_au(
        &mut self,
        au: &[u8],
        key: bool,
        sps: Option<Sps>,
        timestamp: Duration,
    ) -> Result<Option<Mp4Fragment>> {
        self.check_time(timestamp)?;
        let index = self.frames;
        match (&self.config, sps) {
            (None, Some(sps)) if key => self.start(au, sps)?,
            (None, _) => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "frame 0: an mp4 recording must start with a key frame and its SPS",
                ));
            }
            (Some(config), Some(sps))
                if (sps.width, sps.height) != (config.sps.width, config.sps.height) =>
            {
                return Err(Error::new(
                    ErrorKind::UnsupportedFormat,
                    format!(
                        "frame {index}: picture size changed from {}x{} to {}x{}",
                        config.sps.width, config.sps.height, sps.width, sps.height
                    ),
                ));
            }
            _ => {}
        }
        let step = u32::try_from(self.ticks.peek(timestamp)).map_err(|_| {
            Error::new(
                ErrorKind::LimitExceeded,
                format!("frame {index}: more than a day after the frame before"),
            )
        })?;
        // The new sample's bytes go after the pending ones: a fragment cut
        // below takes only the samples before it.
        let before = self.pending_data.len();
        let size = annexb::to_length_prefixed(au, &mut self.pending_data)
            .map_err(|e| e.context(format!("frame {index}")))
            .and_then(|n| {
                u32::try_from(n).map_err(|_| {
                    Error::new(
                        ErrorKind::LimitExceeded,
                        format!("frame {index}: larger than 4 GiB"),
                    )
                })
            });
        let size = match size {
            Ok(n) => n,
            Err(e) => {
                self.pending_data.truncate(before);
                return Err(e);
            }
        };
        let long = timestamp.saturating_sub(self.pending_start) >= self.options.fragment_duration;
        let mut out = None;
        if self.pending.is_empty() && self.provisional {
            self.provisional = false;
            self.late = Some(step);
        }
        if let Some(last) = self.pending.last_mut() {
            last.duration = step;
            if key || long {
                match self.cut(self.pending.len()) {
                    Ok(f) => out = f,
                    Err(e) => {
                        self.pending_data.truncate(before);
                        return Err(e);
                    }
                }
            }
        }
        self.ticks.step(timestamp);
        if self.pending.is_empty() {
            self.pending_base = self.ticks.total();
            self.pending_start = timestamp;
        }
        self.pending.push(SampleEntry {
            size,
            duration: 0,
            key,
        });
        self.timeline.push(timestamp);
        self.frames += 1;
        Ok(out)
    }

    /// Makes the init segment for the track of the key frame `au`.
    fn start(&mut self, au: &[u8], sps: Sps) -> Result<()> {
        let (mut sps_nal, mut pps_nal) = (None, None);
        for nal in annexb::nal_units(au) {
            let nal = nal?;
            match nal.nal_type() {
                NalType::Sps => sps_nal = Some(nal.data.to_vec()),
                NalType::Pps => pps_nal = Some(nal.data.to_vec()),
                _ => {}
            }
        }
        let (Some(sps_nal), Some(pps_nal)) = (sps_nal, pps_nal) else {
            return Err(Error::new(
                ErrorKind::Format,
                "frame 0: key frame without its SPS and PPS",
            ));
        };
        let config = TrackConfig {
            sps,
            sps_nal,
            pps_nal,
            timescale: self.options.timescale,
        };
        self.init = Some(boxes::init_segment(&config)?);
        self.config = Some(config);
        Ok(())
    }

    /// Takes the first `n` pending samples out as a fragment.
    fn cut(&mut self, n: usize) -> Result<Option<Mp4Fragment>> {
        if n == 0 {
            return Ok(None);
        }
        let samples = &self.pending[..n];
        let data_len: usize = samples.iter().map(|s| s.size as usize).sum();
        let header =
            boxes::fragment_header(self.sequence, self.pending_base, samples, data_len as u64)?;
        let (sequence_at, time_at, time_wide) = stamp_fields(&header).ok_or_else(|| {
            Error::new(
                ErrorKind::Format,
                "a fragment header without its mfhd and tfdt",
            )
        })?;
        let duration: u64 = samples.iter().map(|s| u64::from(s.duration)).sum();
        let key = samples[0].key;
        let header_len = header.len();
        let mut bytes = header;
        bytes.extend_from_slice(&self.pending_data[..data_len]);
        let fragment = Mp4Fragment {
            bytes,
            header_len,
            sequence_at,
            time_at,
            time_wide,
            sequence: self.sequence,
            start: self.pending_base,
            duration,
            frames: n as u32,
            key,
        };
        self.sequence += 1;
        self.pending_base += duration;
        self.pending.drain(..n);
        self.pending_data.drain(..data_len);
        Ok(Some(fragment))
    }

    /// Every pending frame but the last (whose duration is not known until
    /// the next frame), as a fragment.
    ///
    /// # Errors
    /// [`ErrorKind::LimitExceeded`] for a fragment too large to describe.
    pub fn flush(&mut self) -> Result<Option<Mp4Fragment>> {
        self.cut(self.pending.len().saturating_sub(1))
    }

    /// Every pending frame as a fragment, the last one lasting the nominal
    /// frame interval (or the mean of the others) until the next frame
    /// tells its real duration, which [`Mp4Fragmenter::take_late_duration`]
    /// then gives for the caller to write over the provisional one (a
    /// seekable file that must hold every frame now).
    ///
    /// # Errors
    /// As [`flush`](Self::flush).
    pub(crate) fn flush_all(&mut self) -> Result<Option<Mp4Fragment>> {
        if self.pending.is_empty() || self.end.is_some() {
            return Ok(None);
        }
        let last = self.ticks.units(self.timeline.last_frame_duration());
        if let Some(s) = self.pending.last_mut() {
            s.duration = u32::try_from(last).unwrap_or(u32::MAX);
        }
        let fragment = self.cut(self.pending.len())?;
        self.provisional = true;
        Ok(fragment)
    }

    /// The real duration of a frame [`Mp4Fragmenter::flush_all`] sent with
    /// a provisional one, once the frame after it was pushed.
    pub(crate) fn take_late_duration(&mut self) -> Option<u32> {
        self.late.take()
    }

    /// Ends the stream: every pending frame as a fragment, the last one
    /// lasting the nominal frame interval (or the mean of the others).
    /// Later pushes fail; calling it again gives nothing.
    ///
    /// # Errors
    /// As [`flush`](Self::flush).
    pub fn finish(&mut self) -> Result<Option<Mp4Fragment>> {
        if self.end.is_some() {
            return Ok(None);
        }
        let last = if self.frames > 0 {
            self.ticks.units(self.timeline.last_frame_duration())
        } else {
            0
        };
        if let Some(s) = self.pending.last_mut() {
            s.duration = u32::try_from(last).unwrap_or(u32::MAX);
        }
        let fragment = self.cut(self.pending.len())?;
        self.end = Some(self.ticks.total() + last);
        Ok(fragment)
    }
}

/// Checks a track timescale.
pub(crate) fn check_timescale(units: u32) -> Result<()> {
    if units < 1000 {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("timescale {units} is below 1000 units a second"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An access unit: SPS (640x480), PPS and an IDR slice, or a P slice.
    fn au(key: bool) -> Vec<u8> {
        let mut v = Vec::new();
        if key {
            v.extend_from_slice(&[
                0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x68, 0x0a, 0x03, 0xda, 0x01, 0xe1, 0x10,
                0x8d, 0x40,
            ]);
            v.extend_from_slice(&[0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80]);
            v.extend_from_slice(&[0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00, 0x10]);
        } else {
            v.extend_from_slice(&[0, 0, 0, 1, 0x41, 0x9a, 0x02, 0x03]);
        }
        v
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn one_frame_fragments_come_out_one_frame_late() {
        let sps = |key: bool| {
            key.then(|| {
                AccessUnitInfo::of(&au(true), &Limits::default())
                    .unwrap()
                    .sps
                    .unwrap()
            })
        };
        let mut m =
            Mp4Fragmenter::new(Mp4Options::default().fragment_duration(Duration::ZERO)).unwrap();
        assert!(m.init_segment().is_none());
        let mut out = Vec::new();
        for (i, key) in [true, false, false, true, false].into_iter().enumerate() {
            let f = m
                .push_au(&au(key), key, sps(key), ms(40 * i as u64))
                .unwrap();
            assert_eq!(f.is_some(), i > 0, "frame {i}");
            out.extend(f);
        }
        assert_eq!(&m.init_segment().unwrap()[4..8], b"ftyp");
        assert_eq!(m.pending_frames(), 1);
        out.extend(m.finish().unwrap());
        assert!(m.finish().unwrap().is_none());
        let summary: Vec<(u32, u64, u64, bool)> = out
            .iter()
            .map(|f| (f.sequence(), f.start(), f.duration(), f.is_key()))
            .collect();
        assert_eq!(
            summary,
            [
                (1, 0, 3600, true),
                (2, 3600, 3600, false),
                (3, 7200, 3600, false),
                (4, 10800, 3600, true),
                (5, 14400, 3600, false)
            ]
        );
        assert_eq!(m.finished_duration(), Some(18000));
        let e = m.push_au(&au(false), false, None, ms(400)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Finished);
        // The samples are the access units, length-prefixed.
        assert_eq!(out[1].samples(), [0, 0, 0, 4, 0x41, 0x9a, 0x02, 0x03]);
        assert_eq!(
            out[1].as_bytes().len(),
            out[1].header().len() + out[1].samples().len()
        );
    }

    #[test]
    fn fragments_cut_at_key_frames_and_duration() {
        let mut m = Mp4Fragmenter::new(Mp4Options::default().fragment_duration(ms(100))).unwrap();
        let info = AccessUnitInfo::of(&au(true), &Limits::default()).unwrap();
        let mut frames = Vec::new();
        for i in 0..8u64 {
            let key = i % 6 == 0;
            let sps = if key { info.sps } else { None };
            if let Some(f) = m.push_au(&au(key), key, sps, ms(40 * i)).unwrap() {
                frames.push((f.frames(), f.is_key()));
            }
        }
        frames.extend(m.flush().unwrap().map(|f| (f.frames(), f.is_key())));
        // 0-2 (120 ms reached at frame 3), 3-5 (key at 6), 6 flushed; 7 waits.
        assert_eq!(frames, [(3, true), (3, false), (1, true)]);
        assert_eq!(m.pending_frames(), 1);
    }

    #[test]
    fn bad_input_is_refused_without_changing_state() {
        let mut m = Mp4Fragmenter::new(Mp4Options::default()).unwrap();
        let e = m.push_au(&au(false), false, None, ms(0)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let image = crate::Image::zeroed(PixelFormat::Grayscale, 2, 2).unwrap();
        let e = m.push(&Frame::new(image.view(), 0, ms(0))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
        let key = crate::Image::new(PixelFormat::H264, 640, 480, au(true)).unwrap();
        m.push(&Frame::new(key.view(), 0, ms(100))).unwrap();
        let e = m.push(&Frame::new(key.view(), 1, ms(50))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().contains("before the previous frame"), "{e}");
        assert_eq!(m.frames(), 1);
        assert!(Mp4Fragmenter::new(Mp4Options::default().timescale(999)).is_err());
    }

    #[test]
    fn restamping_rewrites_number_and_time() {
        let info = AccessUnitInfo::of(&au(true), &Limits::default()).unwrap();
        let mut m = Mp4Fragmenter::new(Mp4Options::default()).unwrap();
        m.push_au(&au(true), true, info.sps, ms(1000)).unwrap();
        let mut f = m.finish().unwrap().unwrap();
        let header = f.restamped_header(9, 123_456).unwrap();
        f.restamp(9, 123_456).unwrap();
        assert_eq!(f.header(), &header[..]);
        assert_eq!((f.sequence(), f.start()), (9, 123_456));
        use mp4_atom::{Any, Decode};
        let mut buf = std::io::Cursor::new(f.as_bytes());
        let Any::Moof(moof) = Any::decode(&mut buf).unwrap() else {
            panic!("no moof")
        };
        assert_eq!(moof.mfhd.sequence_number, 9);
        let tfdt = moof.traf[0].tfdt.as_ref().unwrap();
        assert_eq!(tfdt.base_media_decode_time, 123_456);
    }
}
