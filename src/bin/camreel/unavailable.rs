//! Subcommands and file kinds whose work belongs to a later release.

use camreel::{Error, ErrorKind, Result};

/// Fails with a message saying `what` is not available in this version.
pub fn later<T>(what: &str, owner: &str) -> Result<T> {
    Err(Error::new(
        ErrorKind::BackendUnavailable,
        format!("{what} is not available yet in this version (planned in {owner})"),
    ))
}
