//! HTTP Basic credentials, compared in constant time.

use std::path::Path;

use crate::error::{Error, ErrorKind, Result, quote_path};

/// Longest credentials file read, in bytes.
const MAX_FILE: u64 = 4096;

/// A user name and password for HTTP Basic authentication.
///
/// The server compares what a client sends with the expected
/// `Authorization` value in constant time (no early exit on the first
/// differing byte). `Debug` shows the user name only.
///
/// ```
/// use camreel::net::http::Credentials;
/// let c = Credentials::parse("viewer:s3cret:with:colons")?;
/// assert_eq!(c.user(), "viewer");
/// assert!(c.matches(Some("Basic dmlld2VyOnMzY3JldDp3aXRoOmNvbG9ucw==")));
/// assert!(!c.matches(Some("Basic dmlld2VyOndyb25n")));
/// assert!(Credentials::parse("nocolon").is_err());
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    user: String,
    /// `base64(user ":" password)`, the token of the `Authorization` header.
    token: Vec<u8>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

fn bad(why: &str) -> Error {
    Error::new(ErrorKind::InvalidArgument, format!("credentials: {why}"))
}

impl Credentials {
    /// Credentials of `user` with `password`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an empty user or password, a user
    /// containing `:`, or control characters in either.
    pub fn new(user: &str, password: &str) -> Result<Credentials> {
        if user.is_empty() || password.is_empty() {
            return Err(bad("the user and the password must not be empty"));
        }
        if user.contains(':') {
            return Err(bad("the user name must not contain ':'"));
        }
        if user.chars().chain(password.chars()).any(char::is_control) {
            return Err(bad("control characters are not allowed"));
        }
        Ok(Credentials {
            user: user.to_owned(),
            token: base64(format!("{user}:{password}").as_bytes()).into_bytes(),
        })
    }

    /// Parses `user:password` (the password may contain `:`).
    ///
    /// # Errors
    /// As [`Credentials::new`]; [`ErrorKind::InvalidArgument`] without a `:`.
    pub fn parse(s: &str) -> Result<Credentials> {
        let (user, password) = s
            .split_once(':')
            .ok_or_else(|| bad("expected USER:PASSWORD"))?;
        Credentials::new(user, password)
    }

    /// Reads `user:password` from the first line of a file (which stays
    /// out of the process list, unlike a command-line argument).
    ///
    /// # Errors
    /// What reading the file fails with; [`ErrorKind::LimitExceeded`] for a
    /// file over 4 KiB; as [`Credentials::parse`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<Credentials> {
        let path = path.as_ref();
        let ctx = || quote_path(path);
        let len = std::fs::metadata(path)
            .map_err(|e| Error::io(ctx(), e))?
            .len();
        if len > MAX_FILE {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("{}: a credentials file is at most {MAX_FILE} bytes", ctx()),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(ctx(), e))?;
        let line = text.lines().next().unwrap_or("");
        Credentials::parse(line).map_err(|e| e.context(ctx()))
    }

    /// Reads `user:password` from the environment variable `var`;
    /// `Ok(None)` when it is not set.
    ///
    /// # Errors
    /// As [`Credentials::parse`], or a value that is not UTF-8.
    pub fn from_env(var: &str) -> Result<Option<Credentials>> {
        match std::env::var(var) {
            Ok(v) => Credentials::parse(&v).map(Some).map_err(|e| e.context(var)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(bad(&format!("{var} is not UTF-8"))),
        }
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Whether an `Authorization` header value (`None`: no header) carries
    /// these credentials. The scheme is matched without regard to case,
    /// the token in constant time.
    pub fn matches(&self, authorization: Option<&str>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        let Some((scheme, token)) = value.trim().split_once(' ') else {
            return false;
        };
        scheme.eq_ignore_ascii_case("basic")
            & constant_time_eq(token.trim_start().as_bytes(), &self.token)
    }
}

/// Compares `given` with `expected` in time that depends only on the
/// length of `expected`.
fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = given.len() ^ expected.len();
    for (i, &e) in expected.iter().enumerate() {
        let g = given.get(i).copied().unwrap_or(!e);
        diff |= usize::from(std::hint::black_box(g ^ e));
    }
    std::hint::black_box(diff) == 0
}

/// Standard base64 with padding (RFC 4648), as HTTP Basic uses it.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        // RFC 7617's example.
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    #[test]
    fn header_matching() {
        let c = Credentials::new("Aladdin", "open sesame").unwrap();
        let good = "QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
        assert!(c.matches(Some(&format!("Basic {good}"))));
        assert!(c.matches(Some(&format!("basic  {good}"))));
        assert!(!c.matches(None));
        assert!(!c.matches(Some(good)));
        assert!(!c.matches(Some(&format!("Bearer {good}"))));
        assert!(!c.matches(Some(&format!("Basic {}", &good[..good.len() - 1]))));
        assert!(!c.matches(Some(&format!("Basic {good}A"))));
        assert!(!c.matches(Some("Basic ")));
        assert!(!c.matches(Some("")));
    }

    #[test]
    fn constant_time_eq_is_eq() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abd", b"abc"));
        assert!(!constant_time_eq(b"ab", b"abc"));
        assert!(!constant_time_eq(b"abcd", b"abc"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn refuses_malformed_credentials() {
        for bad in ["", ":", "user:", ":pass", "nocolon", "us\ter:x", "u:p\n"] {
            let e = Credentials::parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
            assert!(e.to_string().starts_with("credentials: "), "{e}");
        }
        assert_eq!(
            format!("{:?}", Credentials::parse("me:pw").unwrap()),
            "Credentials { user: \"me\", .. }"
        );
    }

    #[test]
    fn from_file_reads_the_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth");
        std::fs::write(&path, "cam:pa:ss\r\nignored\n").unwrap();
        let c = Credentials::from_file(&path).unwrap();
        assert!(c.matches(Some(&format!("Basic {}", base64(b"cam:pa:ss")))));
        std::fs::write(&path, vec![b'a'; 5000]).unwrap();
        assert_eq!(
            Credentials::from_file(&path).unwrap_err().kind(),
            ErrorKind::LimitExceeded
        );
        let e = Credentials::from_file(dir.path().join("missing")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
    }
}
