//! Subcommands whose work belongs to a later release.

use camreel::{Error, ErrorKind, Result};

/// Fails with a message saying `command` is not available in this version.
pub fn later(command: &str, owner: &str) -> Result<()> {
    Err(Error::new(
        ErrorKind::BackendUnavailable,
        format!("`camreel {command}` is not available yet in this version (planned in {owner})"),
    ))
}
