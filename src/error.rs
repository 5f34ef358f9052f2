//! The crate's error type.
//!
//! Every fallible function in camreel returns [`Result<T>`]. An [`Error`] carries
//! an [`ErrorKind`] that generic code can act on (retry on [`ErrorKind::Timeout`],
//! stop on [`ErrorKind::EndOfStream`], ...), a human-readable message that says
//! *where* (frame index, byte offset) and *what was expected*, and the underlying
//! cause, if any, through [`std::error::Error::source`].
//!
//! ```
//! use camreel::{Error, ErrorKind};
//!
//! let err = Error::new(ErrorKind::Format, "frame 12 at byte 40960: chunk claims 4294967295 bytes");
//! assert_eq!(err.kind(), ErrorKind::Format);
//! assert_eq!(err.to_string(), "frame 12 at byte 40960: chunk claims 4294967295 bytes");
//! ```

use std::fmt;

/// A specialised `Result` whose error is camreel's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, coarsely: the part of an [`Error`] that code can match on.
///
/// New kinds may be added in minor releases, so a `match` needs a wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An operating-system I/O error (the cause is the [`std::io::Error`]).
    Io,
    /// Bytes that do not follow the format they claim to be in: a bad magic,
    /// an inconsistent header field, a corrupt JPEG.
    Format,
    /// A file whose format version this crate does not read.
    UnsupportedVersion,
    /// A pixel format (or conversion between two formats) that is not supported
    /// here, or an unknown pixel-format code.
    UnsupportedFormat,
    /// A frame or buffer whose size does not match its width, height and format,
    /// a zero dimension, or a frame that does not fit where it has to go.
    InvalidFrameSize,
    /// Reading or writing past the end of a stream.
    EndOfStream,
    /// A file that ends in the middle of a frame (for example after a power loss
    /// during a write). Every complete frame before it is still readable.
    Truncated,
    /// A seek to a frame that does not exist.
    SeekOutOfRange,
    /// A camera or peer did not deliver in time.
    Timeout,
    /// A device or peer went away.
    Disconnected,
    /// A backend that was not compiled in (the message names the cargo feature
    /// to enable) or that is not available on this platform.
    BackendUnavailable,
    /// A dimension or byte count above the configured [`Limits`](crate::Limits).
    LimitExceeded,
    /// An argument out of its documented range (a JPEG quality of 0, an empty
    /// region of interest, ...).
    InvalidArgument,
    /// A frame written to an output that was already finished (its trailer
    /// or index is written; see [`FrameSink::finish`](crate::sink::FrameSink::finish)).
    Finished,
}

impl ErrorKind {
    /// A short lowercase description of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Io => "i/o error",
            ErrorKind::Format => "malformed data",
            ErrorKind::UnsupportedVersion => "unsupported version",
            ErrorKind::UnsupportedFormat => "unsupported format",
            ErrorKind::InvalidFrameSize => "invalid frame size",
            ErrorKind::EndOfStream => "end of stream",
            ErrorKind::Truncated => "truncated data",
            ErrorKind::SeekOutOfRange => "seek out of range",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Disconnected => "disconnected",
            ErrorKind::BackendUnavailable => "backend unavailable",
            ErrorKind::LimitExceeded => "limit exceeded",
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::Finished => "already finished",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// camreel's error: an [`ErrorKind`], a message and an optional cause.
///
/// The value is one pointer wide, so `Result<T>` stays small on hot paths.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` whose message is `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            source: None,
        }))
    }

    /// An error of `kind` caused by `cause` (an error from outside this crate),
    /// with `message` saying what camreel was doing.
    ///
    /// ```
    /// use camreel::{Error, ErrorKind};
    /// let io = std::io::Error::other("device gone");
    /// let err = Error::with_source(ErrorKind::Disconnected, "reading frame 3", io);
    /// assert_eq!(err.to_string(), "reading frame 3: device gone");
    /// assert!(std::error::Error::source(&err).is_some());
    /// ```
    pub fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Error {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            source: Some(cause.into()),
        }))
    }

    /// Wraps an I/O error with a message saying what was being done.
    pub fn io(context: impl Into<String>, err: std::io::Error) -> Error {
        let kind = match err.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => ErrorKind::Timeout,
            std::io::ErrorKind::BrokenPipe
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::NotConnected => ErrorKind::Disconnected,
            _ => ErrorKind::Io,
        };
        Error::with_source(kind, context, err)
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message, without the cause.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Prefixes the message with more context (`"{context}: {message}"`), keeping
    /// the kind and the cause. Context the message already gives is not
    /// repeated: a part of it (between `": "`) that is the context, or that
    /// says more about the same thing (`frame 4 at byte 96` or `gif frame 4`
    /// for `frame 4`, `reading a.bin` for `a.bin`).
    ///
    /// ```
    /// use camreel::{Error, ErrorKind};
    /// let err = Error::new(ErrorKind::Format, "bad marker").context("frame 4");
    /// assert_eq!(err.to_string(), "frame 4: bad marker");
    /// let err = Error::new(ErrorKind::Format, "frame 4 at byte 96: bad marker");
    /// assert_eq!(err.context("frame 4").context("a.bin").to_string(), "a.bin: frame 4 at byte 96: bad marker");
    /// ```
    #[must_use]
    pub fn context(mut self, context: impl fmt::Display) -> Error {
        let context = context.to_string();
        if self.0.message.is_empty() {
            self.0.message = context;
        } else if !already_says(&self.0.message, &context) {
            self.0.message = format!("{context}: {}", self.0.message);
        }
        self
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.0.kind)
            .field("message", &self.0.message);
        if let Some(source) = &self.0.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.0.source, self.0.message.is_empty()) {
            (Some(source), true) => write!(f, "{source}"),
            (Some(source), false) => write!(f, "{}: {source}", self.0.message),
            (None, true) => f.write_str(self.0.kind.as_str()),
            (None, false) => f.write_str(&self.0.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// Whether `message` already gives `context`: one of its parts (between
/// `": "`) is `context`, starts with it and a space (`frame 4 at byte 96`),
/// or ends with a space and it (`gif frame 4`, `reading a.bin`; not for a
/// bare number).
fn already_says(message: &str, context: &str) -> bool {
    if context.is_empty() {
        return true;
    }
    message.split(": ").any(|part| {
        part == context
            || part
                .strip_prefix(context)
                .is_some_and(|rest| rest.starts_with(' '))
            || (!context.bytes().all(|b| b.is_ascii_digit())
                && part
                    .strip_suffix(context)
                    .is_some_and(|rest| rest.ends_with(' ')))
    })
}

/// `path` for an error message on one line: as it is, or quoted with its
/// control characters escaped (a name holding a newline would otherwise
/// split the message).
///
/// ```
/// use std::path::Path;
/// assert_eq!(camreel::error::quote_path(Path::new("a b.bin")), "a b.bin");
/// assert_eq!(camreel::error::quote_path(Path::new("a\nb.bin")), "\"a\\nb.bin\"");
/// ```
pub fn quote_path(path: &std::path::Path) -> String {
    let text = path.to_string_lossy();
    if text.chars().any(char::is_control) {
        format!("{text:?}")
    } else {
        text.into_owned()
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        Error::io("", err)
    }
}

impl From<Error> for std::io::Error {
    fn from(err: Error) -> std::io::Error {
        let kind = match err.kind() {
            ErrorKind::Timeout => std::io::ErrorKind::TimedOut,
            ErrorKind::EndOfStream | ErrorKind::Truncated => std::io::ErrorKind::UnexpectedEof,
            ErrorKind::Disconnected => std::io::ErrorKind::BrokenPipe,
            ErrorKind::InvalidArgument => std::io::ErrorKind::InvalidInput,
            ErrorKind::Format | ErrorKind::InvalidFrameSize => std::io::ErrorKind::InvalidData,
            ErrorKind::BackendUnavailable | ErrorKind::UnsupportedFormat => {
                std::io::ErrorKind::Unsupported
            }
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_pointer() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn io_errors_map_to_kinds() {
        let e = Error::from(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert_eq!(e.kind(), ErrorKind::Timeout);
        let e = Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(e.kind(), ErrorKind::Disconnected);
        let e = Error::from(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert_eq!(e.kind(), ErrorKind::Io);
        assert_eq!(e.to_string(), "entity not found");
    }

    #[test]
    fn context_is_not_repeated() {
        let e = Error::new(ErrorKind::Io, "writing frame 1 at byte 6608: disk full");
        assert_eq!(
            e.context("writing frame 1").to_string(),
            "writing frame 1 at byte 6608: disk full"
        );
        let e = Error::new(ErrorKind::Format, "a.gif: gif frame 0: bad data");
        let e = e.context("frame 0").context("a.gif");
        assert_eq!(e.to_string(), "a.gif: gif frame 0: bad data");
        // Other numbers, other words, parts of words: added.
        let e = Error::new(ErrorKind::Format, "frame 10: bad").context("frame 1");
        assert_eq!(e.to_string(), "frame 1: frame 10: bad");
        let e = Error::new(ErrorKind::Format, "frame 1: bad").context("1");
        assert_eq!(e.to_string(), "1: frame 1: bad");
        let e = Error::new(ErrorKind::Format, "reading a.bin: bad").context("a.bin");
        assert_eq!(e.to_string(), "reading a.bin: bad");
        let e = Error::new(ErrorKind::Format, "reading aa.bin: bad").context("a.bin");
        assert_eq!(e.to_string(), "a.bin: reading aa.bin: bad");
    }

    #[test]
    fn round_trips_through_io_error() {
        let e = Error::new(ErrorKind::Truncated, "frame 2 at byte 96: chunk ends early");
        let io: std::io::Error = e.into();
        assert_eq!(io.kind(), std::io::ErrorKind::UnexpectedEof);
        assert_eq!(io.to_string(), "frame 2 at byte 96: chunk ends early");
    }
}
