//! [`Mp4Writer`]: fragmented MP4 with one H.264 track.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use super::boxes::{self, FragmentStart};
use super::fragment::{Mp4Fragment, Mp4Fragmenter, check_timescale};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::frame::Frame;
use crate::h264::stage::EncodeStage;
use crate::h264::{H264Settings, Sps};
use crate::sink::{FrameSink, IntoInnerError};
use crate::timing::{FrameRate, Ticks};
use crate::video::{VideoEncoder, VideoFrameInfo};

/// Options of an [`Mp4Writer`].
///
/// ```
/// use std::time::Duration;
/// use camreel::mp4::Mp4Options;
/// use camreel::timing::FrameRate;
/// let o = Mp4Options::default().frame_rate(FrameRate::NTSC);
/// assert_eq!(o.get_fragment_duration(), Duration::from_secs(1));
/// assert_eq!(o.get_timescale(), 90_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct Mp4Options {
    /// How raw frames are encoded.
    pub(crate) settings: H264Settings,
    /// A fragment ends at the next key frame or when it holds this much
    /// time, whichever comes first (default 1 s).
    pub(crate) fragment_duration: Duration,
    /// The recording's nominal rate: how long the last frame lasts (without
    /// it, the mean of the earlier intervals).
    pub(crate) frame_rate: Option<FrameRate>,
    /// Time units per second of the track (default 90000, the MPEG clock:
    /// 30000/1001 fps is exactly 3003 units a frame).
    pub(crate) timescale: u32,
}

impl Default for Mp4Options {
    fn default() -> Mp4Options {
        Mp4Options {
            settings: H264Settings::default(),
            fragment_duration: Duration::from_secs(1),
            frame_rate: None,
            timescale: Ticks::MPEG,
        }
    }
}

impl Mp4Options {
    /// Sets the encoder settings.
    pub fn settings(mut self, settings: H264Settings) -> Mp4Options {
        self.settings = settings;
        self
    }

    /// Sets the nominal rate (also the encoder's).
    pub fn frame_rate(mut self, rate: FrameRate) -> Mp4Options {
        self.frame_rate = Some(rate);
        self.settings.frame_rate = rate;
        self
    }

    /// Sets the longest fragment.
    pub fn fragment_duration(mut self, duration: Duration) -> Mp4Options {
        self.fragment_duration = duration;
        self
    }

    /// Sets the track's time units per second (at least 1000).
    pub fn timescale(mut self, units: u32) -> Mp4Options {
        self.timescale = units;
        self
    }

    /// The encoder settings.
    pub fn get_settings(&self) -> H264Settings {
        self.settings
    }

    /// The longest fragment.
    pub fn get_fragment_duration(&self) -> Duration {
        self.fragment_duration
    }

    /// The nominal rate, if set.
    pub fn get_frame_rate(&self) -> Option<FrameRate> {
        self.frame_rate
    }

    /// The track's time units per second.
    pub fn get_timescale(&self) -> u32 {
        self.timescale
    }
}

/// Writes `.mp4` files: ISO BMFF with one `avc1` track, fragmented so that
/// a recording cut at any byte (a crash, a power loss, a SIGKILL) keeps
/// every complete fragment playable.
///
/// The file starts with `ftyp` and `moov` (the track, its SPS and PPS), then
/// one `moof` + `mdat` per fragment: a fragment ends at the next key frame
/// or after [`Mp4Options::fragment_duration`]; it is written and flushed as
/// soon as the frame after it arrives. Sample times come from the frames'
/// timestamps in [`Mp4Options::timescale`] units, rounded so that they add
/// up to the true elapsed time ([`Ticks`]). [`FrameSink::finish`] writes the
/// last fragment and an `mfra` index, and, when the output can seek (files
/// from [`Mp4Writer::create`], [`Mp4Writer::seekable`]), fills in the
/// durations of the header: a normal, seekable file.
///
/// Like [`H264Writer`](crate::h264::H264Writer) it encodes raw frames
/// (feature `h264`, or an encoder from [`Mp4Writer::set_encoder`]) and
/// stores [`PixelFormat::H264`](crate::PixelFormat::H264) frames as they
/// are; the first frame must be a key frame with its SPS and PPS, and the
/// picture size cannot change.
pub struct Mp4Writer<W: Write> {
    stage: EncodeStage,
    mux: Muxer<W>,
}

/// The container side of an [`Mp4Writer`]: a [`Mp4Fragmenter`] whose
/// blocks go to the output, the fragment index, and the durations to patch.
struct Muxer<W: Write> {
    writer: Option<W>,
    /// Writes bytes at an offset back from the end (seekable outputs).
    patch: Option<PatchFn<W>>,
    options: Mp4Options,
    fragmenter: Mp4Fragmenter,
    header_written: bool,
    duration_fields: Vec<usize>,
    fragments: Vec<FragmentStart>,
    position: u64,
    finished: bool,
    /// Where the duration of the last sample written is, when a sync wrote
    /// it before the next frame gave its duration (seekable outputs).
    provisional: Option<u64>,
}

impl<W: Write> fmt::Debug for Mp4Writer<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mp4Writer")
            .field("options", &self.mux.options)
            .field("frames", &self.mux.fragmenter.frames())
            .field("bytes", &self.mux.position)
            .field("fragments", &self.mux.fragments.len())
            .finish_non_exhaustive()
    }
}

/// Writes bytes at an offset back from the end of a seekable output.
type PatchFn<W> = fn(&mut W, u64, &[u8]) -> io::Result<()>;

/// Overwrites `bytes` at `back` bytes before the end of `w`.
fn patch_at<W: Write + Seek>(w: &mut W, back: u64, bytes: &[u8]) -> io::Result<()> {
    let back = i64::try_from(back).map_err(io::Error::other)?;
    w.seek(SeekFrom::Current(-back))?;
    w.write_all(bytes)?;
    w.seek(SeekFrom::End(0))?;
    Ok(())
}

impl Mp4Writer<BufWriter<File>> {
    /// Creates the file at `path`.
    ///
    /// # Errors
    /// I/O errors creating the file; [`ErrorKind::InvalidArgument`] for
    /// options out of range.
    pub fn create(
        path: impl AsRef<Path>,
        options: Mp4Options,
    ) -> Result<Mp4Writer<BufWriter<File>>> {
        let path = path.as_ref();
        check_options(&options)?;
        let file = File::create(path)
            .map_err(|e| Error::io(format!("creating {}", quote_path(path)), e))?;
        Ok(Mp4Writer::seekable(BufWriter::new(file), options))
    }
}

fn check_options(options: &Mp4Options) -> Result<()> {
    options.settings.validate()?;
    check_timescale(options.timescale)
}

impl<W: Write + Seek> Mp4Writer<W> {
    /// An MP4 into a seekable `writer`: `finish` fills in the durations.
    pub fn seekable(writer: W, options: Mp4Options) -> Mp4Writer<W> {
        let mut w = Mp4Writer::new(writer, options);
        w.mux.patch = Some(patch_at::<W>);
        w
    }
}

impl<W: Write> Mp4Writer<W> {
    /// An MP4 into any `writer` (a pipe, a socket): the header's durations
    /// stay zero, the fragments and the `mfra` index tell players the rest.
    pub fn new(writer: W, options: Mp4Options) -> Mp4Writer<W> {
        Mp4Writer {
            stage: EncodeStage::new(options.settings),
            mux: Muxer::new(writer, options),
        }
    }

    /// Encodes raw frames with `encoder` instead of an `H264Encoder` made
    /// from the options.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] if it does not output H.264;
    /// [`ErrorKind::InvalidArgument`] once frames were written.
    pub fn set_encoder(&mut self, encoder: Box<dyn VideoEncoder + Send>) -> Result<()> {
        if self.mux.fragmenter.frames() > 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the encoder of an mp4 writer cannot change once frames were written",
            ));
        }
        self.stage = EncodeStage::with_encoder(encoder)?;
        Ok(())
    }

    /// Asks the encoder for a key frame next (where a split can happen).
    pub fn request_key_frame(&mut self) {
        self.stage.request_key_frame();
    }

    /// picamera's `frame`: the facts of the last frame written (`position`
    /// counts the encoder's Annex B output, not this file).
    pub fn last_frame(&self) -> Option<VideoFrameInfo> {
        self.stage.last()
    }

    /// Frames taken.
    pub fn frames(&self) -> u64 {
        self.mux.fragmenter.frames()
    }

    /// Bytes written to the output so far (frames not yet in a complete
    /// fragment are not counted).
    pub fn bytes(&self) -> u64 {
        self.mux.position
    }

    /// Fragments written so far.
    pub fn fragments(&self) -> usize {
        self.mux.fragments.len()
    }

    /// The underlying writer (`None` once given back).
    pub fn get_ref(&self) -> Option<&W> {
        self.mux.writer.as_ref()
    }

    /// Finishes the file and returns the underlying writer.
    ///
    /// # Errors
    /// I/O errors, with this writer.
    pub fn into_inner(mut self) -> Result<W, IntoInnerError<Mp4Writer<W>>> {
        if let Err(e) = FrameSink::finish(&mut self) {
            return Err(IntoInnerError::new(e, self));
        }
        match self.mux.writer.take() {
            Some(w) => Ok(w),
            None => Err(IntoInnerError::new(
                crate::sink::finished("the mp4 writer"),
                self,
            )),
        }
    }
}

impl<W: Write> Muxer<W> {
    fn new(writer: W, options: Mp4Options) -> Muxer<W> {
        Muxer {
            writer: Some(writer),
            patch: None,
            options,
            fragmenter: Mp4Fragmenter::unchecked(options),
            header_written: false,
            duration_fields: Vec::new(),
            fragments: Vec::new(),
            position: 0,
            finished: false,
            provisional: None,
        }
    }

    fn write_out(&mut self, bytes: &[u8], what: &str) -> Result<()> {
        let Some(w) = self.writer.as_mut() else {
            return Err(crate::sink::finished("the mp4 writer"));
        };
        w.write_all(bytes)
            .map_err(|e| Error::io(what.to_string(), e))?;
        self.position += bytes.len() as u64;
        Ok(())
    }

    /// Writes `ftyp` + `moov` once the fragmenter has them.
    fn write_header(&mut self) -> Result<()> {
        if self.header_written {
            return Ok(());
        }
        let Some(init) = self.fragmenter.init_segment() else {
            return Ok(());
        };
        let init = init.to_vec();
        self.duration_fields = boxes::duration_fields(&init);
        self.write_out(&init, "writing the mp4 header")?;
        self.header_written = true;
        Ok(())
    }

    /// Writes a fragment and flushes, so that it survives the process.
    /// Returns where the fragment starts (`None` for no fragment).
    fn write_fragment(&mut self, fragment: Option<Mp4Fragment>) -> Result<Option<u64>> {
        let Some(fragment) = fragment else {
            return Ok(None);
        };
        self.write_header()?;
        let start = FragmentStart {
            time: fragment.start(),
            moof_offset: self.position,
        };
        let what = format!("writing fragment {}", fragment.sequence());
        self.write_out(fragment.as_bytes(), &what)?;
        if let Some(w) = self.writer.as_mut() {
            w.flush().map_err(|e| Error::io(what, e))?;
        }
        let at = start.moof_offset;
        self.fragments.push(start);
        Ok(Some(at))
    }

    /// Refuses a frame earlier than the one before (checked before it is
    /// encoded).
    fn check_time(&self, timestamp: Duration) -> Result<()> {
        self.fragmenter.check_time(timestamp)
    }

    /// Adds one access unit.
    fn push(&mut self, au: &[u8], key: bool, sps: Option<Sps>, timestamp: Duration) -> Result<()> {
        let fragment = self.fragmenter.push_au(au, key, sps, timestamp)?;
        if let Some(step) = self.fragmenter.take_late_duration()
            && let Some(at) = self.provisional.take()
            && let (Some(patch), Some(w)) = (self.patch, self.writer.as_mut())
        {
            let index = self.fragmenter.frames().saturating_sub(2);
            patch(w, self.position - at, &step.to_be_bytes())
                .map_err(|e| Error::io(format!("writing the duration of frame {index}"), e))?;
        }
        self.write_header()?;
        self.write_fragment(fragment)?;
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        // Every pending sample but the last knows its duration. On a
        // seekable output the last one goes too, lasting the nominal
        // interval until the next frame's time is patched in.
        if self.patch.is_some() {
            let fragment = self.fragmenter.flush_all()?;
            let trun = fragment
                .as_ref()
                .and_then(|f| boxes::last_trun_duration(f.header()));
            let start = self.write_fragment(fragment)?;
            if let (Some(start), Some(trun)) = (start, trun) {
                self.provisional = Some(start + trun as u64);
            }
        } else {
            let fragment = self.fragmenter.flush()?;
            self.write_fragment(fragment)?;
        }
        match self.writer.as_mut() {
            Some(w) => w.flush().map_err(|e| Error::io("flushing the mp4 file", e)),
            None => Ok(()),
        }
    }

    fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        if self.fragmenter.frames() > 0 {
            let fragment = self.fragmenter.finish()?;
            self.write_fragment(fragment)?;
            let index = boxes::mfra(&self.fragments)?;
            self.write_out(&index, "writing the fragment index")?;
            let total = self.fragmenter.finished_duration().unwrap_or(0);
            if let (Some(patch), Some(w)) = (self.patch, self.writer.as_mut()) {
                for &field in &self.duration_fields {
                    let back = self.position - field as u64;
                    patch(w, back, &total.to_be_bytes())
                        .map_err(|e| Error::io("writing the mp4 durations", e))?;
                }
            }
        }
        if let Some(w) = self.writer.as_mut() {
            w.flush()
                .map_err(|e| Error::io("flushing the mp4 file", e))?;
        }
        self.finished = true;
        Ok(())
    }
}

impl<W: Write> FrameSink for Mp4Writer<W> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        if self.mux.finished {
            return Err(crate::sink::finished("the mp4 writer"));
        }
        self.mux.check_time(frame.timestamp)?;
        let Some(staged) = self.stage.process(frame)? else {
            return Ok(());
        };
        self.mux.push(
            staged.frame.image.data(),
            staged.info.key_frame(),
            staged.sps,
            frame.timestamp,
        )
    }

    fn sync(&mut self) -> Result<()> {
        self.mux.sync()
    }

    fn finish(&mut self) -> Result<()> {
        self.mux.finish()
    }
}

impl<W: Write> Drop for Mp4Writer<W> {
    /// Finishes the file, ignoring errors; never panics.
    fn drop(&mut self) {
        let _ = self.mux.finish();
    }
}
