//! Length checks shared by the conversion kernels, with the crate's error
//! messages.

use crate::error::{Error, ErrorKind, Result};

/// Checks that two buffers hold the same whole number of pixels.
pub(crate) fn check_pixels(
    src_name: &str,
    src_len: usize,
    src_bpp: usize,
    dst_name: &str,
    dst_len: usize,
    dst_bpp: usize,
) -> Result<()> {
    if !src_len.is_multiple_of(src_bpp) {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "{src_name} buffer of {src_len} bytes is not a whole number of {src_bpp}-byte pixels"
            ),
        ));
    }
    let n = src_len / src_bpp;
    if n.checked_mul(dst_bpp) != Some(dst_len) {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "{src_name} buffer holds {n} pixels, so the {dst_name} buffer needs {} bytes, got {dst_len}",
                n.saturating_mul(dst_bpp)
            ),
        ));
    }
    Ok(())
}

/// "`what` for `width` pixels needs `expected` bytes, got `got`".
pub(crate) fn invalid_len(what: &str, width: usize, expected: usize, got: usize) -> Error {
    if width == 0 {
        return Error::new(ErrorKind::InvalidFrameSize, format!("{what} has no pixels"));
    }
    Error::new(
        ErrorKind::InvalidFrameSize,
        format!("{what} for {width} pixels needs {expected} bytes, got {got}"),
    )
}

/// `w * h * bpp`, refusing zero dimensions and overflow.
pub(crate) fn image_len(what: &str, width: u32, height: u32, bpp: usize) -> Result<usize> {
    if width == 0 || height == 0 {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!("{width}x{height} {what} image has a zero dimension"),
        ));
    }
    (width as usize)
        .checked_mul(height as usize)
        .and_then(|n| n.checked_mul(bpp))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::LimitExceeded,
                format!("{width}x{height} {what} image does not fit in memory"),
            )
        })
}
