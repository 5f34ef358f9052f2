//! MP4 (ISO BMFF) files with one H.264 track: writing fragmented files that
//! survive a crash, and reading any MP4 with an `avc1` track.
//!
//! | item | what |
//! |---|---|
//! | [`Mp4Writer`] | a [`FrameSink`](crate::sink::FrameSink): fragmented `.mp4`, exact timestamps, `mfra` index |
//!
//! The boxes are encoded and decoded with the `mp4-atom` crate.

mod boxes;
mod writer;

pub use writer::{Mp4Options, Mp4Writer};
