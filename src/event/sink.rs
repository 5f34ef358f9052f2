//! The encoded side of an event recorder: the circular buffer and the event
//! files, switched without losing or repeating a frame.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::options::{EventFiles, EventOptions};
use super::pattern::{EventPattern, WallClock, unique, with_suffix};
use crate::circular::{CircularBuffer, is_key_frame};
use crate::error::{Error, Result, quote_path};
use crate::frame::Frame;
use crate::output::{FileSink, OutputOptions};
use crate::sink::FrameSink;
use crate::timing::{FrameRate, Timeline};

/// Why an event file ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventEnd {
    /// The triggers were quiet for the post-trigger time.
    Quiet,
    /// The file reached the longest event; the event goes on in the next
    /// file.
    MaxEvent,
    /// The recording stopped (finished, interrupted) during the event.
    Stopped,
}

/// One finished event file, as the recorder's callback sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventReport {
    /// The file (with [`EventFiles::BeforeAfter`], the after file).
    pub path: PathBuf,
    /// The before file of [`EventFiles::BeforeAfter`] (`None` when the
    /// buffer was empty, or for one file per event).
    pub before: Option<PathBuf>,
    /// The counter value in its name.
    pub number: u64,
    /// 0 for an event's first file, 1, 2, ... for the files it went on in
    /// after [`EventOptions::max_event`](super::EventOptions::max_event).
    pub part: u32,
    /// Timestamp of the frame whose trigger started the event (of the
    /// file's first frame for a continuation file).
    pub trigger: Duration,
    /// Timestamp of the file's first frame (the before file's first, if
    /// any).
    pub start: Duration,
    /// The file's duration: last timestamp minus first plus one frame.
    pub duration: Duration,
    /// Frames written (before and after files together).
    pub frames: u64,
    /// Of them, the frames from the buffer (before the trigger).
    pub pre_frames: u64,
    /// Sequence number of the first frame.
    pub first_sequence: u64,
    /// Sequence number of the last frame.
    pub last_sequence: u64,
    /// Bytes of the files.
    pub bytes: u64,
    /// Calendar time of the trigger (the name's time).
    pub time: SystemTime,
    /// Why the file ended.
    pub end: EventEnd,
}

/// A file being written.
struct Open {
    sink: FileSink,
    before: Option<(PathBuf, u64)>,
    number: u64,
    part: u32,
    trigger: Duration,
    time: SystemTime,
    timeline: Timeline,
    pre_frames: u64,
    first_sequence: Option<u64>,
    last_sequence: u64,
}

impl Open {
    fn note(&mut self, frame: &Frame<'_>) {
        self.timeline.push(frame.timestamp);
        self.first_sequence.get_or_insert(frame.sequence);
        self.last_sequence = frame.sequence;
    }
}

/// What to do at the next frame that allows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    /// Start an event triggered at this timestamp.
    Open(Duration),
    /// Back to the buffer (at a key frame).
    Close,
    /// Go on in a new file (at a key frame).
    Continue,
}

/// The circular buffer and the event files.
pub(crate) struct EventSink {
    ring: CircularBuffer,
    pattern: EventPattern,
    output: OutputOptions,
    files: EventFiles,
    next_number: u64,
    wall: WallClock,
    rate: Option<FrameRate>,
    file: Option<Open>,
    pending: Option<Pending>,
    /// Paths handed out, so two files never get one name.
    last_paths: Vec<PathBuf>,
    pub(crate) reports: Vec<EventReport>,
    /// Frames written to event files, over all of them.
    pub(crate) file_frames: u64,
}

impl EventSink {
    pub(crate) fn new(
        ring: CircularBuffer,
        options: &EventOptions,
        output: OutputOptions,
    ) -> EventSink {
        EventSink {
            ring,
            pattern: options.pattern.clone(),
            output,
            files: options.files,
            next_number: options.first_number,
            wall: WallClock::new(options.start_time, options.utc_offset),
            rate: output.get_frame_rate(),
            file: None,
            pending: None,
            last_paths: Vec::new(),
            reports: Vec::new(),
            file_frames: 0,
        }
    }

    pub(crate) fn ring(&self) -> &CircularBuffer {
        &self.ring
    }

    /// Starts an event triggered at `trigger`, at the next frame that can
    /// start a file. Returns whether a key frame is needed for it. A
    /// pending return to the buffer is cancelled instead (the event goes
    /// on in its file).
    pub(crate) fn start(&mut self, trigger: Duration) -> bool {
        if self.pending == Some(Pending::Close) {
            self.pending = None;
            return false;
        }
        self.pending = Some(Pending::Open(trigger));
        self.files == EventFiles::BeforeAfter || self.ring.frames() == 0
    }

    /// Ends the event at the next key frame; returns whether the caller
    /// should ask for one.
    pub(crate) fn stop(&mut self) -> bool {
        if self.pending.is_some_and(|p| matches!(p, Pending::Open(_))) {
            // It never started: nothing to close.
            self.pending = None;
            false
        } else if self.file.is_some() {
            self.pending = Some(Pending::Close);
            true
        } else {
            false
        }
    }

    /// Goes on in a new file at the next key frame; returns whether the
    /// caller should ask for one (false when a switch is pending already).
    pub(crate) fn cut(&mut self) -> bool {
        if self.file.is_some() && self.pending.is_none() {
            self.pending = Some(Pending::Continue);
            true
        } else {
            false
        }
    }

    /// Timestamp of the current file's first frame.
    pub(crate) fn file_start(&self) -> Option<Duration> {
        self.file.as_ref().and_then(|f| f.timeline.first())
    }

    /// File names for event `number` at `timestamp`, one per suffix: the
    /// pattern's name with each suffix before its extension, numbered
    /// (`-2`, `-3`, ...) until none of them is taken.
    fn paths(&mut self, number: u64, timestamp: Duration, suffixes: &[&str]) -> Vec<PathBuf> {
        let base = PathBuf::from(self.pattern.name(number, self.wall.civil(timestamp)));
        let recent = &self.last_paths;
        let taken = |p: &Path| p.exists() || recent.iter().any(|r| r == p);
        let named = |base: &Path| -> Vec<PathBuf> {
            suffixes.iter().map(|s| with_suffix(base, s)).collect()
        };
        let base = unique(base, |b| named(b).iter().any(|p| taken(p)));
        let paths = named(&base);
        self.last_paths.extend(paths.iter().cloned());
        let extra = self.last_paths.len().saturating_sub(8);
        self.last_paths.drain(..extra);
        paths
    }

    fn new_file(
        &mut self,
        path: PathBuf,
        trigger: Duration,
        part: u32,
        number: u64,
    ) -> Result<Open> {
        // A pattern may put events in folders by date (`%Y-%m-%d/%H%M%S.mp4`):
        // the folder is made when its first event comes.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("creating the folder {}", quote_path(dir)), e))?;
        }
        let sink = FileSink::create(&path, self.output)?;
        Ok(Open {
            sink,
            before: None,
            number,
            part,
            trigger,
            time: self.wall.at(trigger),
            timeline: self.rate.map_or_else(Timeline::new, Timeline::with_rate),
            pre_frames: 0,
            first_sequence: None,
            last_sequence: 0,
        })
    }

    /// Opens the event's file and moves the buffer's frames into it (or
    /// into its before file).
    fn open(&mut self, trigger: Duration) -> Result<()> {
        let number = self.next_number;
        self.next_number += 1;
        let (path, before_path) = match self.files {
            EventFiles::Single => (self.paths(number, trigger, &[""]).remove(0), None),
            EventFiles::BeforeAfter => {
                let mut p = self.paths(number, trigger, &["-after", "-before"]);
                let before = p.pop();
                (p.remove(0), before)
            }
        };
        let mut file = self.new_file(path, trigger, 0, number)?;
        if self.ring.frames() > 0 {
            let mut before = match before_path {
                Some(p) => Some(FileSink::create(&p, self.output)?),
                None => None,
            };
            self.ring.for_each(|frame| {
                match &mut before {
                    Some(b) => b.write_frame(frame)?,
                    None => file.sink.write_frame(frame)?,
                }
                file.note(frame);
                file.pre_frames += 1;
                Ok(())
            })?;
            if let Some(mut b) = before {
                b.finish()?;
                file.before = Some((b.path().to_path_buf(), b.bytes()));
            }
            self.file_frames += file.pre_frames;
            self.ring.clear();
        }
        self.file = Some(file);
        Ok(())
    }

    /// Finishes the current file and reports it.
    fn close(&mut self, end: EventEnd) -> Result<Option<Open>> {
        let Some(mut file) = self.file.take() else {
            return Ok(None);
        };
        file.sink.finish()?;
        let before_bytes = file.before.as_ref().map_or(0, |b| b.1);
        self.reports.push(EventReport {
            path: file.sink.path().to_path_buf(),
            before: file.before.as_ref().map(|b| b.0.clone()),
            number: file.number,
            part: file.part,
            trigger: file.trigger,
            start: file.timeline.first().unwrap_or(file.trigger),
            duration: if file.timeline.frames() == 0 {
                Duration::ZERO
            } else {
                file.timeline.duration()
            },
            frames: file.timeline.frames(),
            pre_frames: file.pre_frames,
            first_sequence: file.first_sequence.unwrap_or(0),
            last_sequence: file.last_sequence,
            bytes: file.sink.bytes() + before_bytes,
            time: file.time,
            end,
        });
        Ok(Some(file))
    }
}

impl FrameSink for EventSink {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.wall.see(frame.timestamp);
        let key = is_key_frame(frame.image);
        match self.pending {
            Some(Pending::Open(trigger)) => {
                // One file per event continues the buffer's GOP; a before
                // and after pair, or an empty buffer, starts at a key frame.
                let can = key || (self.files == EventFiles::Single && self.ring.frames() > 0);
                if can {
                    self.pending = None;
                    self.open(trigger)?;
                }
            }
            Some(Pending::Close) if key => {
                self.pending = None;
                self.close(EventEnd::Quiet)?;
            }
            Some(Pending::Continue) if key => {
                self.pending = None;
                if let Some(old) = self.close(EventEnd::MaxEvent)? {
                    let number = self.next_number;
                    self.next_number += 1;
                    let path = self.paths(number, frame.timestamp, &[""]).remove(0);
                    self.file = Some(self.new_file(path, frame.timestamp, old.part + 1, number)?);
                }
            }
            _ => {}
        }
        match &mut self.file {
            Some(f) => {
                f.sink
                    .write_frame(frame)
                    .map_err(|e| e.context(format!("event file {}", f.sink.path().display())))?;
                f.note(frame);
                self.file_frames += 1;
                Ok(())
            }
            None => self.ring.push(frame, key),
        }
    }

    fn sync(&mut self) -> Result<()> {
        match &mut self.file {
            Some(f) => f.sink.sync(),
            None => Ok(()),
        }
    }

    /// Finishes the event file being written (reported as
    /// [`EventEnd::Stopped`]); the buffer's frames are let go.
    fn finish(&mut self) -> Result<()> {
        self.pending = None;
        self.close(EventEnd::Stopped).map(|_| ())
    }
}
