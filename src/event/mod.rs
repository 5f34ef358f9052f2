//! Event recording: the last seconds in memory, a file when something
//! happens, back to memory when it stops (picamera's circular-stream
//! security recipe as one call).
//!
//! | piece | type |
//! |---|---|
//! | source -> triggers -> encoder -> buffer or file | [`EventRecorder`], [`EventOptions`], [`EventFiles`] |
//! | finished files | [`EventReport`], [`EventEnd`], [`EventStats`] |
//! | what starts an event | [`EventTrigger`]: [`MotionTrigger`] (default), [`TriggerHandle`] (calls, lines on stdin), [`InputTrigger`] (GPIO) |
//! | file names | [`EventPattern`] (`event-%Y%m%d-%H%M%S.mp4`, `clip%04d.avi`), [`CivilTime`] |
//! | a before and an after file into one | [`join`] |
//!
//! The memory is a [`CircularBuffer`](crate::circular::CircularBuffer)
//! allocated once; the event files are written by
//! [`FileSink`](crate::output::FileSink)s (`.h264`, `.mp4`, `.avi`,
//! `.bin`). `camreel record SOURCE --events PATTERN` is this module on the
//! command line.

mod join;
mod options;
mod pattern;
mod recorder;
mod sink;
mod trigger;

pub use join::{Joined, join};
pub use options::{BUFFER_RANGE, DEFAULT_POST, DEFAULT_PRE, EventFiles, EventOptions};
pub use pattern::{CivilTime, EventPattern};
pub use recorder::{EventRecorder, EventStats};
pub use sink::{EventEnd, EventReport};
pub use trigger::{EVENT_SEARCH_RANGE, EventTrigger, InputTrigger, MotionTrigger, TriggerHandle};
