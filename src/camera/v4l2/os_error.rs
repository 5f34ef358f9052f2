//! Errors of V4L2 calls: `errno` to [`ErrorKind`], and how a stream
//! recovers from a failed wait.
#![cfg_attr(not(all(feature = "v4l2", target_os = "linux")), allow(dead_code))]

use std::io;

use crate::error::{Error, ErrorKind};

/// Linux `errno` values the mapping looks at.
pub(crate) mod errno {
    pub const ENOENT: i32 = 2;
    pub const EIO: i32 = 5;
    pub const ENXIO: i32 = 6;
    pub const EAGAIN: i32 = 11;
    pub const EACCES: i32 = 13;
    pub const EBUSY: i32 = 16;
    pub const ENODEV: i32 = 19;
    pub const EINVAL: i32 = 22;
    pub const ENOTTY: i32 = 25;
    pub const EPIPE: i32 = 32;
    pub const ESHUTDOWN: i32 = 108;
    pub const ETIMEDOUT: i32 = 110;
}

/// Maps an error from a V4L2 call to camreel's kinds, with `what` (the
/// device and the operation) as context.
///
/// | errno | kind |
/// |---|---|
/// | `ENODEV`, `ENXIO`, `ESHUTDOWN`, `EPIPE` | [`ErrorKind::Disconnected`] |
/// | `ETIMEDOUT`, `EAGAIN`, a poll timeout | [`ErrorKind::Timeout`] |
/// | `EINVAL` | [`ErrorKind::UnsupportedFormat`] (the driver refused a setting) |
/// | `ENOTTY` | [`ErrorKind::BackendUnavailable`] (not a V4L2 device) |
/// | others (`ENOENT`, `EACCES`, `EBUSY`, `EIO`, ...) | [`ErrorKind::Io`], with a hint |
///
pub(crate) fn map_os_error(err: io::Error, what: &str) -> Error {
    let (kind, hint) = match err.raw_os_error() {
        Some(errno::ENODEV | errno::ENXIO | errno::ESHUTDOWN | errno::EPIPE) => {
            (ErrorKind::Disconnected, "the device went away")
        }
        Some(errno::ETIMEDOUT | errno::EAGAIN) => (ErrorKind::Timeout, "no frame in time"),
        Some(errno::EINVAL) => (
            ErrorKind::UnsupportedFormat,
            "the driver refused the setting",
        ),
        Some(errno::ENOTTY) => (ErrorKind::BackendUnavailable, "not a V4L2 device"),
        Some(errno::EBUSY) => (
            ErrorKind::Io,
            "the device is busy (another program is using it)",
        ),
        Some(errno::ENOENT) => (ErrorKind::Io, "no such device"),
        Some(errno::EACCES) => (
            ErrorKind::Io,
            "permission denied (is the user in the video group?)",
        ),
        Some(errno::EIO) => (ErrorKind::Io, "i/o error from the driver"),
        _ if err.kind() == io::ErrorKind::TimedOut => (ErrorKind::Timeout, "no frame in time"),
        _ => (ErrorKind::Io, ""),
    };
    let message = if hint.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {hint}")
    };
    Error::with_source(kind, message, err)
}

/// How a V4L2 source gets back on its feet after a failed wait for a frame.
///
/// `v4l`'s `Stream::next` queues the buffer it lent last time before it
/// waits. When the wait then fails, that buffer stays queued, and queueing
/// it again on the next call would fail (`EINVAL`) on every call after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Recovery {
    /// Nothing to do.
    None,
    /// The wait timed out (a poll timeout, or `EAGAIN`): every buffer is
    /// queued and the stream is fine. Dequeue one first, so that `next`
    /// has a buffer of its own to queue again.
    Dequeue,
    /// Any other failure leaves the buffers in an unknown state: stop the
    /// stream (which hands every buffer back) so `next` starts it afresh.
    Restart,
}

impl Recovery {
    /// The recovery after `err` from a queue, dequeue or stream start.
    pub(crate) fn after(err: &io::Error) -> Recovery {
        match err.raw_os_error() {
            Some(errno::EAGAIN) => Recovery::Dequeue,
            None if err.kind() == io::ErrorKind::TimedOut => Recovery::Dequeue,
            _ => Recovery::Restart,
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_mapping() {
        let kind = |n| map_os_error(io::Error::from_raw_os_error(n), "x").kind();
        assert_eq!(kind(19), ErrorKind::Disconnected);
        assert_eq!(kind(6), ErrorKind::Disconnected);
        assert_eq!(kind(108), ErrorKind::Disconnected);
        assert_eq!(kind(110), ErrorKind::Timeout);
        assert_eq!(kind(11), ErrorKind::Timeout);
        assert_eq!(kind(22), ErrorKind::UnsupportedFormat);
        assert_eq!(kind(25), ErrorKind::BackendUnavailable);
        assert_eq!(kind(16), ErrorKind::Io);
        assert_eq!(kind(2), ErrorKind::Io);
        // v4l reports a poll timeout as io::ErrorKind::TimedOut without errno.
        let e = map_os_error(
            io::Error::new(io::ErrorKind::TimedOut, "VIDIOC_DQBUF"),
            "/dev/video3: waiting for a frame",
        );
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert_eq!(
            e.to_string(),
            "/dev/video3: waiting for a frame: no frame in time: VIDIOC_DQBUF"
        );
        let e = map_os_error(io::Error::from_raw_os_error(16), "/dev/video0: stream on");
        assert!(e.to_string().contains("busy"), "{e}");
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn recovery_after_a_failed_wait() {
        // v4l's poll timeout carries no errno.
        let timeout = io::Error::new(io::ErrorKind::TimedOut, "VIDIOC_DQBUF");
        assert_eq!(Recovery::after(&timeout), Recovery::Dequeue);
        assert_eq!(
            Recovery::after(&io::Error::from_raw_os_error(errno::EAGAIN)),
            Recovery::Dequeue
        );
        for errno in [errno::EINVAL, errno::EIO, errno::EPIPE, errno::ENODEV] {
            assert_eq!(
                Recovery::after(&io::Error::from_raw_os_error(errno)),
                Recovery::Restart,
                "errno {errno}"
            );
        }
    }
}
