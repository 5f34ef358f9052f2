//! MP4 (ISO BMFF) files with one H.264 track: writing fragmented files that
//! survive a crash, and reading any MP4 with an `avc1` track.
//!
//! | item | what |
//! |---|---|
//! | [`Mp4Writer`] | a [`FrameSink`](crate::sink::FrameSink): fragmented `.mp4`, exact timestamps, `mfra` index |
//! | [`Mp4Fragmenter`] | access units in, the init segment and each fragment out as byte blocks (no seeking): what the writer writes and a live stream sends |
//! | [`Mp4Reader`] | access units with timestamps; decoded frames as a [`CameraSource`](crate::camera::CameraSource) (feature `h264`) |
//! | [`Mp4Demuxer`] | the samples of the `avc1` track of any MP4 (fragmented or not), as Annex B access units |
//!
//! The boxes are encoded and decoded with the `mp4-atom` crate.

mod boxes;
mod demux;
mod fragment;
mod reader;
mod writer;

pub use demux::{Mp4Demuxer, Mp4Sample, Mp4Track};
pub use fragment::{Mp4Fragment, Mp4Fragmenter};
pub use reader::{Mp4Reader, info};
pub use writer::{Mp4Options, Mp4Writer};
