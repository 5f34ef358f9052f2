//! Video4Linux2 cameras (`/dev/videoN`).
//!
//! The device backend, `V4l2Source`, needs the cargo feature `v4l2` on Linux
//! (it uses the `v4l` crate: mmap streaming, buffers owned by types that
//! unmap on drop). Everything above the ioctls is plain code that is always
//! built and unit-tested here:
//!
//! - [`pixel_format_of`] / [`fourcc_of`]: fourcc <-> [`PixelFormat`],
//! - [`negotiate`]: which of the device's formats and sizes to ask for,
//! - [`trim_frame`]: a dequeued buffer cut to `bytesused` as an [`ImageRef`],
//!   and [`unpad_planar`] for YUV420/NV12 frames with padded lines (copied),
//! - [`map_os_error`]: `errno` to [`ErrorKind`] (`ENODEV` is
//!   [`ErrorKind::Disconnected`], a poll timeout [`ErrorKind::Timeout`]),
//! - [`plan_controls`]: exposure, gain and white balance to control writes,
//!   clamped to what the device reports, skipping controls it lacks.
//!
//! ```no_run
//! # #[cfg(all(feature = "v4l2", target_os = "linux"))]
//! # fn main() -> camreel::Result<()> {
//! use camreel::camera::{CameraSource, v4l2::V4l2Source};
//! use camreel::PixelFormat;
//!
//! let mut cam = V4l2Source::builder("/dev/video0")
//!     .size(1280, 720)
//!     .format(PixelFormat::Jpeg) // MJPEG frames are passed through as JPEG
//!     .fps(30.0)
//!     .open()?;
//! println!("negotiated {:?}", cam.format());
//! let frame = cam.next_frame()?.expect("cameras do not end");
//! std::fs::write("frame.jpg", frame.image.data())?;
//! # Ok(()) }
//! # #[cfg(not(all(feature = "v4l2", target_os = "linux")))]
//! # fn main() {}
//! ```

use std::io;
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::image::{BayerOrder, Image, ImageRef, PixelFormat};

#[cfg(all(feature = "v4l2", target_os = "linux"))]
mod device;
#[cfg(all(feature = "v4l2", target_os = "linux"))]
pub use device::{V4l2Builder, V4l2Source};

/// The error for opening a V4L2 device when the backend is not compiled in.
#[cfg_attr(all(feature = "v4l2", target_os = "linux"), allow(dead_code))]
pub(crate) fn unavailable(path: &str) -> Error {
    Error::new(
        ErrorKind::BackendUnavailable,
        format!(
            "{path}: the V4L2 backend is not compiled in (rebuild with `--features v4l2`, on Linux)"
        ),
    )
}

/// The pixel format a V4L2 fourcc code stands for, if camreel handles it.
///
/// ```
/// use camreel::camera::v4l2::pixel_format_of;
/// use camreel::{BayerOrder, PixelFormat};
/// assert_eq!(pixel_format_of(*b"YUYV"), Some(PixelFormat::Yuv422));
/// assert_eq!(pixel_format_of(*b"MJPG"), Some(PixelFormat::Jpeg));
/// assert_eq!(pixel_format_of(*b"pBAA"), Some(PixelFormat::Raw10(BayerOrder::Bggr)));
/// assert_eq!(pixel_format_of(*b"H264"), None);
/// ```
pub fn pixel_format_of(fourcc: [u8; 4]) -> Option<PixelFormat> {
    use BayerOrder::*;
    use PixelFormat::*;
    let b16 = |order, bits| Bayer16 { order, bits };
    Some(match &fourcc {
        b"YUYV" => Yuv422,
        b"YVYU" => Yvu422,
        b"MJPG" | b"JPEG" => Jpeg,
        b"GREY" => Grayscale,
        b"Y16 " => Gray16,
        b"RGB3" => Rgb888,
        b"BGR3" => Bgr888,
        b"RGBP" => Rgb565,
        b"YU12" => Yuv420,
        b"NV12" => Nv12,
        b"BA81" => Bayer(Bggr),
        b"GBRG" => Bayer(Gbrg),
        b"GRBG" => Bayer(Grbg),
        b"RGGB" => Bayer(Rggb),
        b"BG10" => b16(Bggr, 10),
        b"GB10" => b16(Gbrg, 10),
        b"BA10" => b16(Grbg, 10),
        b"RG10" => b16(Rggb, 10),
        b"BG12" => b16(Bggr, 12),
        b"GB12" => b16(Gbrg, 12),
        b"BA12" => b16(Grbg, 12),
        b"RG12" => b16(Rggb, 12),
        b"pBAA" => Raw10(Bggr),
        b"pGAA" => Raw10(Gbrg),
        b"pgAA" => Raw10(Grbg),
        b"pRAA" => Raw10(Rggb),
        _ => return None,
    })
}

/// The V4L2 fourcc to request for `format` (`MJPG` for JPEG), or `None` if
/// V4L2 has no code for it.
///
/// ```
/// use camreel::camera::v4l2::fourcc_of;
/// use camreel::PixelFormat;
/// assert_eq!(fourcc_of(PixelFormat::Yuv420), Some(*b"YU12"));
/// assert_eq!(fourcc_of(PixelFormat::Binary), None);
/// ```
pub fn fourcc_of(format: PixelFormat) -> Option<[u8; 4]> {
    use BayerOrder::*;
    use PixelFormat::*;
    Some(*match format {
        Yuv422 => b"YUYV",
        Yvu422 => b"YVYU",
        Jpeg => b"MJPG",
        Grayscale => b"GREY",
        Gray16 => b"Y16 ",
        Rgb888 => b"RGB3",
        Bgr888 => b"BGR3",
        Rgb565 => b"RGBP",
        Yuv420 => b"YU12",
        Nv12 => b"NV12",
        Bayer(Bggr) => b"BA81",
        Bayer(Gbrg) => b"GBRG",
        Bayer(Grbg) => b"GRBG",
        Bayer(Rggb) => b"RGGB",
        Bayer16 { order, bits: 10 } => match order {
            Bggr => b"BG10",
            Gbrg => b"GB10",
            Grbg => b"BA10",
            Rggb => b"RG10",
        },
        Bayer16 { order, bits: 12 } => match order {
            Bggr => b"BG12",
            Gbrg => b"GB12",
            Grbg => b"BA12",
            Rggb => b"RG12",
        },
        Raw10(order) => match order {
            Bggr => b"pBAA",
            Gbrg => b"pGAA",
            Grbg => b"pgAA",
            Rggb => b"pRAA",
        },
        _ => return None,
    })
}

/// Printable form of a fourcc (non-printable bytes as `.`).
pub fn fourcc_name(fourcc: [u8; 4]) -> String {
    fourcc
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect()
}

/// Frame sizes a device offers for one format (`VIDIOC_ENUM_FRAMESIZES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeRange {
    /// Exactly this size.
    Discrete(u32, u32),
    /// Any size in the ranges, on the steps (`CONTINUOUS` has steps of 1).
    Stepwise {
        /// Smallest width.
        min_width: u32,
        /// Largest width.
        max_width: u32,
        /// Width step.
        step_width: u32,
        /// Smallest height.
        min_height: u32,
        /// Largest height.
        max_height: u32,
        /// Height step.
        step_height: u32,
    },
}

/// One format a device offers and its sizes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The V4L2 fourcc.
    pub fourcc: [u8; 4],
    /// The sizes (empty if the driver does not enumerate them).
    pub sizes: Vec<SizeRange>,
}

/// What the caller would like; `None` fields leave the choice to [`negotiate`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Request {
    /// Pixel format.
    pub format: Option<PixelFormat>,
    /// Width and height.
    pub size: Option<(u32, u32)>,
}

/// The format and size to ask the driver for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The fourcc to set.
    pub fourcc: [u8; 4],
    /// Its pixel format.
    pub format: PixelFormat,
    /// Width to set.
    pub width: u32,
    /// Height to set.
    pub height: u32,
}

/// Formats in the order [`negotiate`] prefers them when the caller names
/// none: uncompressed 4:2:2 first (what every UVC camera has), then MJPEG,
/// then the others.
pub const PREFERENCE: [&[u8; 4]; 12] = [
    b"YUYV", b"MJPG", b"JPEG", b"RGB3", b"BGR3", b"YU12", b"NV12", b"YVYU", b"GREY", b"RGBP",
    b"pBAA", b"BA81",
];

/// Picks a format and size among the device's `offers`.
///
/// Format: the requested one if offered (`MJPG` or `JPEG` for JPEG), else an
/// error; with no request, the first of [`PREFERENCE`] that the device offers
/// (preferring one that has the requested size exactly), else the first
/// offer camreel understands.
///
/// Size: the requested size if offered; else the smallest offered size that
/// covers it; else the largest offered size. A stepwise range is clamped to
/// its limits and rounded to its steps. With no size requested, the largest
/// size. Drivers that do not enumerate sizes get the request as is (the
/// driver adjusts it and the backend reports what it chose).
///
/// ```
/// use camreel::camera::v4l2::{negotiate, Offer, Request, SizeRange};
/// use camreel::PixelFormat;
/// let offers = [
///     Offer { fourcc: *b"YUYV", sizes: vec![SizeRange::Discrete(640, 480), SizeRange::Discrete(1280, 720)] },
///     Offer { fourcc: *b"MJPG", sizes: vec![SizeRange::Discrete(1920, 1080)] },
/// ];
/// let c = negotiate(&offers, &Request { format: None, size: Some((800, 600)) })?;
/// assert_eq!((c.format, c.width, c.height), (PixelFormat::Yuv422, 1280, 720));
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] if the requested format is not offered
/// (the message lists what is) or the device offers nothing camreel reads.
pub fn negotiate(offers: &[Offer], request: &Request) -> Result<Choice> {
    let known: Vec<(&Offer, PixelFormat)> = offers
        .iter()
        .filter_map(|o| pixel_format_of(o.fourcc).map(|f| (o, f)))
        .collect();
    let listing = || {
        offers
            .iter()
            .map(|o| fourcc_name(o.fourcc))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (offer, format) = match request.format {
        Some(want) => *known.iter().find(|(_, f)| *f == want).ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "the device does not offer {want} (it offers: {})",
                    listing()
                ),
            )
        })?,
        None => {
            let ranked = PREFERENCE
                .iter()
                .filter_map(|p| known.iter().find(|(o, _)| &o.fourcc == *p))
                .chain(known.iter());
            let exact = request
                .size
                .and_then(|(w, h)| ranked.clone().find(|(o, _)| offers_exactly(&o.sizes, w, h)));
            *exact.or_else(|| ranked.clone().next()).ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedFormat,
                    format!("the device offers no format camreel reads ({})", listing()),
                )
            })?
        }
    };
    let (width, height) = choose_size(&offer.sizes, request.size);
    Ok(Choice {
        fourcc: offer.fourcc,
        format,
        width,
        height,
    })
}

fn offers_exactly(sizes: &[SizeRange], w: u32, h: u32) -> bool {
    sizes.iter().any(|s| snap(s, w, h) == Some((w, h)))
}

/// The size a range gives for a request (clamped and stepped), if it can
/// give any.
fn snap(range: &SizeRange, w: u32, h: u32) -> Option<(u32, u32)> {
    match *range {
        SizeRange::Discrete(dw, dh) => Some((dw, dh)),
        SizeRange::Stepwise {
            min_width,
            max_width,
            step_width,
            min_height,
            max_height,
            step_height,
        } => {
            if min_width > max_width || min_height > max_height {
                return None;
            }
            let fit = |v: u32, lo: u32, hi: u32, step: u32| {
                let step = step.max(1);
                let v = v.clamp(lo, hi);
                let k = (v - lo).div_ceil(step);
                let up = lo.saturating_add(k.saturating_mul(step));
                if up <= hi {
                    up
                } else {
                    lo + (v - lo) / step * step
                }
            };
            Some((
                fit(w, min_width, max_width, step_width),
                fit(h, min_height, max_height, step_height),
            ))
        }
    }
}

fn choose_size(sizes: &[SizeRange], want: Option<(u32, u32)>) -> (u32, u32) {
    let area = |(w, h): (u32, u32)| u64::from(w) * u64::from(h);
    let (rw, rh) = want.unwrap_or((u32::MAX, u32::MAX));
    let candidates: Vec<(u32, u32)> = sizes.iter().filter_map(|s| snap(s, rw, rh)).collect();
    if candidates.is_empty() {
        return want.unwrap_or((640, 480));
    }
    if let Some(&exact) = candidates.iter().find(|&&c| c == (rw, rh)) {
        return exact;
    }
    if want.is_some()
        && let Some(&cover) = candidates
            .iter()
            .filter(|&&(w, h)| w >= rw && h >= rh)
            .min_by_key(|&&c| area(c))
    {
        return cover;
    }
    candidates
        .into_iter()
        .max_by_key(|&c| area(c))
        .unwrap_or((640, 480))
}

/// A dequeued buffer as an image: `bytesused` bytes for JPEG (trailing
/// padding cut off), rows `stride` bytes apart (`bytesperline`; 0 means
/// packed) for the others.
///
/// # Errors
/// [`ErrorKind::Format`] if the driver claims more bytes than the buffer
/// holds or an empty JPEG; [`ErrorKind::InvalidFrameSize`] if it filled fewer
/// bytes than the format needs; [`ErrorKind::UnsupportedFormat`] for a planar
/// format with padded lines, which cannot be lent as one view: copy those
/// with [`unpad_planar`].
///
/// ```
/// use camreel::camera::v4l2::trim_frame;
/// use camreel::PixelFormat;
/// let mut buf = vec![0u8; 4096]; // the driver's buffer is bigger than the frame
/// buf[..4].copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xD9]);
/// let img = trim_frame(&buf, 4, PixelFormat::Jpeg, 640, 480, 0)?;
/// assert_eq!(img.data(), &[0xFF, 0xD8, 0xFF, 0xD9]);
/// # Ok::<(), camreel::Error>(())
/// ```
pub fn trim_frame(
    buf: &[u8],
    bytesused: u32,
    format: PixelFormat,
    width: u32,
    height: u32,
    stride: u32,
) -> Result<ImageRef<'_>> {
    let used = bytesused as usize;
    if used > buf.len() {
        return Err(Error::new(
            ErrorKind::Format,
            format!(
                "the driver reports {used} bytes used in a {}-byte buffer",
                buf.len()
            ),
        ));
    }
    if format.is_compressed() {
        if used == 0 {
            return Err(Error::new(
                ErrorKind::Format,
                "the driver delivered an empty JPEG frame",
            ));
        }
        return ImageRef::new(format, width, height, &buf[..used]);
    }
    // Some drivers leave bytesused at 0 for raw formats: the whole buffer counts.
    let data = if used == 0 { buf } else { &buf[..used] };
    let row = format.row_bytes(width)?;
    let stride = (stride as usize).max(row);
    let short = |needed: usize| {
        Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "{width}x{height} {format} frame needs {needed} bytes, the driver filled {}",
                data.len()
            ),
        )
    };
    if format.is_planar() {
        if stride != row {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!("{format} with padded lines ({stride} bytes per {row}-byte line)"),
            ));
        }
        let size = format.payload_size(width, height)?;
        if data.len() < size {
            return Err(short(size));
        }
        return ImageRef::new(format, width, height, &data[..size]);
    }
    ImageRef::with_stride(format, width, height, stride, data).map_err(|e| {
        if e.kind() == ErrorKind::InvalidFrameSize {
            let needed = stride
                .saturating_mul((height as usize).saturating_sub(1))
                .saturating_add(row);
            short(needed)
        } else {
            e
        }
    })
}

/// Copies a dequeued YUV420 (`YU12`) or NV12 frame whose lines are `stride`
/// bytes apart (`bytesperline`, wider than the image) into `out`, tightly
/// packed. The layout is V4L2's single-planar one: the luma plane holds
/// `height` lines of `stride` bytes; then `ceil(height / 2)` chroma lines,
/// `ceil(stride / 2)` bytes apart for each of YU12's U and V planes, `stride`
/// bytes apart for NV12's interleaved plane. `bytesused` 0 means the whole
/// buffer, as for [`trim_frame`].
///
/// ```
/// use camreel::camera::v4l2::unpad_planar;
/// use camreel::{Image, PixelFormat};
/// // 2x2 YU12 with 4-byte luma lines (2-byte chroma lines).
/// let buf = [1, 2, 0, 0, 3, 4, 0, 0, 5, 0, 6, 0];
/// let mut out = Image::empty();
/// unpad_planar(&buf, 12, PixelFormat::Yuv420, 2, 2, 4, &mut out)?;
/// assert_eq!(out.data(), &[1, 2, 3, 4, 5, 6]);
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] for a format that is not planar;
/// [`ErrorKind::Format`] if the driver claims more bytes than the buffer
/// holds; [`ErrorKind::InvalidFrameSize`] if it filled fewer bytes than the
/// layout needs or `stride` is shorter than a line.
pub fn unpad_planar(
    buf: &[u8],
    bytesused: u32,
    format: PixelFormat,
    width: u32,
    height: u32,
    stride: u32,
    out: &mut Image,
) -> Result<()> {
    if !format.is_planar() {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("{format} is not a planar format"),
        ));
    }
    let used = bytesused as usize;
    if used > buf.len() {
        return Err(Error::new(
            ErrorKind::Format,
            format!(
                "the driver reports {used} bytes used in a {}-byte buffer",
                buf.len()
            ),
        ));
    }
    let data = if used == 0 { buf } else { &buf[..used] };
    let (w, h, stride) = (width as usize, height as usize, stride as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    // Per chroma plane: bytes kept per line, bytes between lines.
    let (chroma_row, chroma_stride, planes) = match format {
        PixelFormat::Nv12 => (2 * cw, stride, 1),
        _ => (cw, stride.div_ceil(2), 2),
    };
    // Where the last byte needed ends, with overflow checked.
    let needed = (w > 0 && h > 0 && stride >= w)
        .then(|| {
            let luma = stride.checked_mul(h)?;
            let plane = chroma_stride.checked_mul(ch)?;
            let before_last = plane.checked_mul(planes - 1)?;
            let last = chroma_stride.checked_mul(ch - 1)?.checked_add(chroma_row)?;
            luma.checked_add(before_last)?.checked_add(last)
        })
        .flatten();
    let Some(needed) = needed else {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "{width}x{height} {format} frame with {stride}-byte lines is not a valid layout"
            ),
        ));
    };
    if data.len() < needed {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "{width}x{height} {format} frame with {stride}-byte lines needs {needed} bytes, the driver filled {}",
                data.len()
            ),
        ));
    }
    out.reshape(format, width, height)?;
    let (luma, chroma) = data.split_at(stride * h);
    let packed = out.data_mut();
    let (y_out, c_out) = packed.split_at_mut(w * h);
    for (dst, src) in y_out.chunks_exact_mut(w).zip(luma.chunks(stride)) {
        dst.copy_from_slice(&src[..w]);
    }
    for (p, dst_plane) in c_out.chunks_exact_mut(chroma_row * ch).enumerate() {
        let plane = &chroma[p * chroma_stride * ch..];
        for (dst, src) in dst_plane
            .chunks_exact_mut(chroma_row)
            .zip(plane.chunks(chroma_stride))
        {
            dst.copy_from_slice(&src[..chroma_row]);
        }
    }
    Ok(())
}

/// Linux `errno` values the mapping looks at.
mod errno {
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
/// ```
/// use camreel::camera::v4l2::map_os_error;
/// use camreel::ErrorKind;
/// let e = map_os_error(std::io::Error::from_raw_os_error(19), "/dev/video0: dequeue");
/// assert_eq!(e.kind(), ErrorKind::Disconnected);
/// assert!(e.to_string().starts_with("/dev/video0: dequeue: the device went away"));
/// ```
pub fn map_os_error(err: io::Error, what: &str) -> Error {
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

/// Exposure setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// Automatic exposure.
    Auto,
    /// Manual exposure time (`V4L2_CID_EXPOSURE_ABSOLUTE`, 100 us units).
    Manual(Duration),
    /// Manual exposure in the driver's own units (`V4L2_CID_EXPOSURE`; sensor
    /// drivers on the Raspberry Pi count lines).
    Raw(i64),
}

/// White-balance setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhiteBalance {
    /// Automatic white balance.
    Auto,
    /// A fixed colour temperature in kelvin.
    Kelvin(u32),
}

/// Camera controls to apply when a device is opened. `None` leaves a
/// control as the device has it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Controls {
    /// Exposure.
    pub exposure: Option<Exposure>,
    /// Gain in the driver's units (`V4L2_CID_GAIN`, else
    /// `V4L2_CID_ANALOGUE_GAIN`); turns automatic gain off.
    pub gain: Option<i64>,
    /// White balance.
    pub white_balance: Option<WhiteBalance>,
}

/// V4L2 control ids used by [`plan_controls`].
pub mod cid {
    /// `V4L2_CID_AUTO_WHITE_BALANCE`.
    pub const AUTO_WHITE_BALANCE: u32 = 0x0098_090C;
    /// `V4L2_CID_EXPOSURE`.
    pub const EXPOSURE: u32 = 0x0098_0911;
    /// `V4L2_CID_AUTOGAIN`.
    pub const AUTOGAIN: u32 = 0x0098_0912;
    /// `V4L2_CID_GAIN`.
    pub const GAIN: u32 = 0x0098_0913;
    /// `V4L2_CID_WHITE_BALANCE_TEMPERATURE`.
    pub const WHITE_BALANCE_TEMPERATURE: u32 = 0x0098_091A;
    /// `V4L2_CID_EXPOSURE_AUTO` (menu: 0 auto, 1 manual, 3 aperture priority).
    pub const EXPOSURE_AUTO: u32 = 0x009A_0901;
    /// `V4L2_CID_EXPOSURE_ABSOLUTE` (100 us units).
    pub const EXPOSURE_ABSOLUTE: u32 = 0x009A_0902;
    /// `V4L2_CID_ANALOGUE_GAIN`.
    pub const ANALOGUE_GAIN: u32 = 0x009E_0903;
}

/// A control the device has (from `VIDIOC_QUERY_EXT_CTRL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControlRange {
    /// Control id.
    pub id: u32,
    /// Smallest value.
    pub minimum: i64,
    /// Largest value.
    pub maximum: i64,
    /// Step (0 or 1: any value).
    pub step: u64,
}

impl ControlRange {
    /// `value` clamped to the range and rounded down to a step.
    pub fn fit(&self, value: i64) -> i64 {
        let v = value.clamp(self.minimum, self.maximum.max(self.minimum));
        if self.step <= 1 {
            return v;
        }
        // In i128: the range of a 64-bit control can span all of i64.
        let (lo, wide) = (i128::from(self.minimum), i128::from(v));
        let step = i128::from(self.step);
        // Between the minimum and `v`, so it fits in an i64.
        i64::try_from(lo + (wide - lo) / step * step).unwrap_or(v)
    }
}

/// The control writes that apply `wanted` to a device with `available`
/// controls, in order, and the names of the requested settings the device
/// has no control for (skipped).
///
/// ```
/// use camreel::camera::v4l2::{cid, plan_controls, ControlRange, Controls, WhiteBalance};
/// let available = [
///     ControlRange { id: cid::AUTO_WHITE_BALANCE, minimum: 0, maximum: 1, step: 1 },
///     ControlRange { id: cid::WHITE_BALANCE_TEMPERATURE, minimum: 2800, maximum: 6500, step: 10 },
/// ];
/// let wanted = Controls { white_balance: Some(WhiteBalance::Kelvin(7000)), gain: Some(4), ..Controls::default() };
/// let (writes, skipped) = plan_controls(&available, &wanted);
/// assert_eq!(writes, vec![(cid::AUTO_WHITE_BALANCE, 0), (cid::WHITE_BALANCE_TEMPERATURE, 6500)]);
/// assert_eq!(skipped, vec!["gain"]);
/// ```
pub fn plan_controls(
    available: &[ControlRange],
    wanted: &Controls,
) -> (Vec<(u32, i64)>, Vec<&'static str>) {
    let find = |id: u32| available.iter().find(|c| c.id == id);
    let mut writes = Vec::new();
    let mut skipped = Vec::new();
    match wanted.exposure {
        None => {}
        Some(Exposure::Auto) => match find(cid::EXPOSURE_AUTO) {
            // UVC cameras implement "aperture priority" (3) as their auto mode.
            Some(c) if c.maximum >= 3 => writes.push((c.id, 3)),
            Some(c) => writes.push((c.id, c.fit(0))),
            None => skipped.push("automatic exposure"),
        },
        Some(Exposure::Manual(d)) => match find(cid::EXPOSURE_ABSOLUTE) {
            Some(c) => {
                if let Some(a) = find(cid::EXPOSURE_AUTO) {
                    writes.push((a.id, 1));
                }
                let units = i64::try_from(d.as_micros() / 100).unwrap_or(i64::MAX);
                writes.push((c.id, c.fit(units)));
            }
            None => skipped.push("exposure time"),
        },
        Some(Exposure::Raw(v)) => match find(cid::EXPOSURE) {
            Some(c) => {
                if let Some(a) = find(cid::EXPOSURE_AUTO) {
                    writes.push((a.id, 1));
                }
                writes.push((c.id, c.fit(v)));
            }
            None => skipped.push("exposure"),
        },
    }
    if let Some(g) = wanted.gain {
        match find(cid::GAIN).or_else(|| find(cid::ANALOGUE_GAIN)) {
            Some(c) => {
                if let Some(a) = find(cid::AUTOGAIN) {
                    writes.push((a.id, 0));
                }
                writes.push((c.id, c.fit(g)));
            }
            None => skipped.push("gain"),
        }
    }
    match wanted.white_balance {
        None => {}
        Some(WhiteBalance::Auto) => match find(cid::AUTO_WHITE_BALANCE) {
            Some(c) => writes.push((c.id, c.fit(1))),
            None => skipped.push("automatic white balance"),
        },
        Some(WhiteBalance::Kelvin(k)) => match find(cid::WHITE_BALANCE_TEMPERATURE) {
            Some(c) => {
                if let Some(a) = find(cid::AUTO_WHITE_BALANCE) {
                    writes.push((a.id, 0));
                }
                writes.push((c.id, c.fit(i64::from(k))));
            }
            None => skipped.push("white balance temperature"),
        },
    }
    (writes, skipped)
}

/// How a V4L2 source gets back on its feet after a failed wait for a frame.
///
/// `v4l`'s `Stream::next` queues the buffer it lent last time before it
/// waits. When the wait then fails, that buffer stays queued, and queueing
/// it again on the next call would fail (`EINVAL`) on every call after.
#[cfg_attr(not(all(feature = "v4l2", target_os = "linux")), allow(dead_code))]
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

#[cfg_attr(not(all(feature = "v4l2", target_os = "linux")), allow(dead_code))]
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

/// Extends the driver's 32-bit sequence counter to 64 bits across wraps.
#[cfg_attr(not(all(feature = "v4l2", target_os = "linux")), allow(dead_code))]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SequenceExtender {
    last: Option<u32>,
    high: u64,
}

#[cfg_attr(not(all(feature = "v4l2", target_os = "linux")), allow(dead_code))]
impl SequenceExtender {
    pub(crate) fn extend(&mut self, seq: u32) -> u64 {
        if let Some(last) = self.last {
            // A big backwards jump is a wrap; a small one (a driver restart) is not.
            if seq < last && last - seq > u32::MAX / 2 {
                self.high += 1 << 32;
            }
        }
        self.last = Some(seq);
        self.high | u64::from(seq)
    }
}

/// A `struct timeval` from the driver as a duration (negative values as zero).
#[cfg_attr(not(all(feature = "v4l2", target_os = "linux")), allow(dead_code))]
pub(crate) fn timeval_to_duration(sec: i64, usec: i64) -> Duration {
    let sec = u64::try_from(sec).unwrap_or(0);
    let nanos = u32::try_from(usec.clamp(0, 999_999) * 1000).unwrap_or(0);
    Duration::new(sec, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourcc_round_trips() {
        let codes: [&[u8; 4]; 26] = [
            b"YUYV", b"YVYU", b"MJPG", b"GREY", b"Y16 ", b"RGB3", b"BGR3", b"RGBP", b"YU12",
            b"NV12", b"BA81", b"GBRG", b"GRBG", b"RGGB", b"BG10", b"GB10", b"BA10", b"RG10",
            b"BG12", b"GB12", b"BA12", b"RG12", b"pBAA", b"pGAA", b"pgAA", b"pRAA",
        ];
        for code in codes {
            let f = pixel_format_of(*code).unwrap();
            assert_eq!(fourcc_of(f), Some(*code), "{}", fourcc_name(*code));
        }
        assert_eq!(pixel_format_of(*b"JPEG"), Some(PixelFormat::Jpeg));
        // V4L2's SGRBG10 is 'BA10', not 'GR10'.
        assert_eq!(
            pixel_format_of(*b"BA10"),
            Some(PixelFormat::Bayer16 {
                order: BayerOrder::Grbg,
                bits: 10
            })
        );
        assert_eq!(
            pixel_format_of(*b"pgAA"),
            Some(PixelFormat::Raw10(BayerOrder::Grbg))
        );
        assert_eq!(fourcc_of(PixelFormat::Argb8), None);
        assert_eq!(
            fourcc_of(PixelFormat::Bayer16 {
                order: BayerOrder::Bggr,
                bits: 14
            }),
            None
        );
        assert_eq!(fourcc_name([b'p', b'B', 0, 0xFF]), "pB..");
    }

    fn uvc() -> Vec<Offer> {
        vec![
            Offer {
                fourcc: *b"MJPG",
                sizes: vec![
                    SizeRange::Discrete(1920, 1080),
                    SizeRange::Discrete(1280, 720),
                    SizeRange::Discrete(640, 480),
                ],
            },
            Offer {
                fourcc: *b"YUYV",
                sizes: vec![SizeRange::Discrete(640, 480), SizeRange::Discrete(320, 240)],
            },
            Offer {
                fourcc: *b"H264",
                sizes: vec![SizeRange::Discrete(1920, 1080)],
            },
        ]
    }

    #[test]
    fn negotiation_choices() {
        let offers = uvc();
        let pick = |format, size| {
            let c = negotiate(&offers, &Request { format, size }).unwrap();
            (fourcc_name(c.fourcc), c.width, c.height)
        };
        // Nothing asked: YUYV preferred, at its largest size.
        assert_eq!(pick(None, None), ("YUYV".into(), 640, 480));
        // A size only MJPEG has: MJPEG.
        assert_eq!(pick(None, Some((1280, 720))), ("MJPG".into(), 1280, 720));
        // A size nobody has exactly: preferred format, smallest covering size.
        assert_eq!(pick(None, Some((300, 200))), ("YUYV".into(), 320, 240));
        // Bigger than anything: the largest.
        assert_eq!(
            pick(Some(PixelFormat::Jpeg), Some((4000, 3000))),
            ("MJPG".into(), 1920, 1080)
        );
        assert_eq!(
            pick(Some(PixelFormat::Jpeg), Some((1000, 700))),
            ("MJPG".into(), 1280, 720)
        );
        let e = negotiate(
            &offers,
            &Request {
                format: Some(PixelFormat::Nv12),
                size: None,
            },
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
        assert_eq!(
            e.to_string(),
            "the device does not offer NV12 (it offers: MJPG, YUYV, H264)"
        );
        let e = negotiate(&offers[2..], &Request::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
        assert!(negotiate(&[], &Request::default()).is_err());
    }

    #[test]
    fn stepwise_sizes_snap() {
        let offers = [Offer {
            fourcc: *b"pBAA",
            sizes: vec![SizeRange::Stepwise {
                min_width: 64,
                max_width: 3280,
                step_width: 16,
                min_height: 64,
                max_height: 2464,
                step_height: 2,
            }],
        }];
        let c = negotiate(
            &offers,
            &Request {
                format: None,
                size: Some((1000, 701)),
            },
        )
        .unwrap();
        assert_eq!((c.width, c.height), (1008, 702));
        assert_eq!(c.format, PixelFormat::Raw10(BayerOrder::Bggr));
        let c = negotiate(
            &offers,
            &Request {
                format: None,
                size: Some((10, 99_999)),
            },
        )
        .unwrap();
        assert_eq!((c.width, c.height), (64, 2464));
        let c = negotiate(&offers, &Request::default()).unwrap();
        assert_eq!((c.width, c.height), (3280, 2464));
        // No enumerated sizes: the request goes to the driver as is.
        let bare = [Offer {
            fourcc: *b"GREY",
            sizes: vec![],
        }];
        let c = negotiate(
            &bare,
            &Request {
                format: None,
                size: Some((123, 45)),
            },
        )
        .unwrap();
        assert_eq!((c.width, c.height), (123, 45));
    }

    #[test]
    fn trimming_to_bytesused() {
        // YUYV 4x2 with 12-byte lines in a 64-byte buffer.
        let mut buf = vec![0xAAu8; 64];
        for y in 0..2 {
            for i in 0..8 {
                buf[y * 12 + i] = (y * 10 + i) as u8;
            }
        }
        let img = trim_frame(&buf, 24, PixelFormat::Yuv422, 4, 2, 12).unwrap();
        assert_eq!(img.stride(), 12);
        assert_eq!(img.row(1), &[10, 11, 12, 13, 14, 15, 16, 17]);
        assert_eq!(img.to_image().data().len(), 16);
        // bytesused 0 on a raw format: the whole buffer.
        assert!(trim_frame(&buf, 0, PixelFormat::Yuv422, 4, 2, 12).is_ok());
        // stride 0: packed.
        let img = trim_frame(&buf, 16, PixelFormat::Yuv422, 4, 2, 0).unwrap();
        assert!(img.is_packed());
        // Short frame.
        let e = trim_frame(&buf, 15, PixelFormat::Yuv422, 4, 2, 0).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        assert_eq!(
            e.to_string(),
            "4x2 YUV422 frame needs 16 bytes, the driver filled 15"
        );
        // Lying driver.
        let e = trim_frame(&buf, 65, PixelFormat::Yuv422, 4, 2, 0).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        // JPEG: cut at bytesused, never empty.
        let img = trim_frame(&buf, 5, PixelFormat::Jpeg, 4, 2, 0).unwrap();
        assert_eq!(img.data().len(), 5);
        assert_eq!(
            trim_frame(&buf, 0, PixelFormat::Jpeg, 4, 2, 0)
                .unwrap_err()
                .kind(),
            ErrorKind::Format
        );
        // Planar: packed only, cut to the payload.
        let img = trim_frame(&buf, 0, PixelFormat::Yuv420, 4, 2, 4).unwrap();
        assert_eq!(img.data().len(), 12);
        assert_eq!(
            trim_frame(&buf, 0, PixelFormat::Yuv420, 4, 2, 8)
                .unwrap_err()
                .kind(),
            ErrorKind::UnsupportedFormat
        );
        assert_eq!(
            trim_frame(&buf[..10], 0, PixelFormat::Nv12, 4, 2, 0)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidFrameSize
        );
        // RAW10 with padded lines (picamera-like).
        let raw = vec![0u8; 32 * 3];
        let img = trim_frame(&raw, 96, PixelFormat::Raw10(BayerOrder::Rggb), 8, 3, 32).unwrap();
        assert_eq!(img.row(2).len(), 10);
    }

    #[test]
    fn padded_planar_frames_are_repacked() {
        // YU12 3x3 with 8-byte luma lines: chroma 2x2 with 4-byte lines.
        let mut buf = vec![0xEEu8; 8 * 3 + 2 * 4 * 2 + 50];
        for y in 0..3 {
            for x in 0..3 {
                buf[y * 8 + x] = (10 * y + x) as u8;
            }
        }
        for (p, base) in [(0usize, 100u8), (1, 200)] {
            for y in 0..2 {
                for x in 0..2 {
                    buf[24 + p * 8 + y * 4 + x] = base + (10 * y + x) as u8;
                }
            }
        }
        let mut out = Image::empty();
        unpad_planar(&buf, 40, PixelFormat::Yuv420, 3, 3, 8, &mut out).unwrap();
        assert_eq!((out.format(), out.size()), (PixelFormat::Yuv420, (3, 3)));
        assert_eq!(
            out.data(),
            &[
                0, 1, 2, 10, 11, 12, 20, 21, 22, // Y
                100, 101, 110, 111, // U
                200, 201, 210, 211, // V
            ]
        );
        // The last chroma line needs only its 2 bytes: 38 bytes suffice, 37 do not.
        assert!(unpad_planar(&buf, 38, PixelFormat::Yuv420, 3, 3, 8, &mut out).is_ok());
        let e = unpad_planar(&buf, 37, PixelFormat::Yuv420, 3, 3, 8, &mut out).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        assert_eq!(
            e.to_string(),
            "3x3 YUV420 frame with 8-byte lines needs 38 bytes, the driver filled 37"
        );
        // NV12 3x2 with 4-byte lines: one interleaved chroma line of 4 bytes.
        let nv = [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 10];
        unpad_planar(&nv, 0, PixelFormat::Nv12, 3, 2, 4, &mut out).unwrap();
        assert_eq!(out.data(), &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        // Hostile strides and lengths: errors, no panic.
        let kind = |r: Result<()>| r.unwrap_err().kind();
        assert_eq!(
            kind(unpad_planar(&nv, 0, PixelFormat::Nv12, 3, 2, 2, &mut out)),
            ErrorKind::InvalidFrameSize
        );
        assert_eq!(
            kind(unpad_planar(
                &nv,
                0,
                PixelFormat::Nv12,
                3,
                2,
                u32::MAX,
                &mut out
            )),
            ErrorKind::InvalidFrameSize
        );
        assert_eq!(
            kind(unpad_planar(&nv, 13, PixelFormat::Nv12, 3, 2, 4, &mut out)),
            ErrorKind::Format
        );
        assert_eq!(
            kind(unpad_planar(&nv, 0, PixelFormat::Yuv422, 3, 2, 8, &mut out)),
            ErrorKind::UnsupportedFormat
        );
        for (w, h) in [(0, 2), (3, 0)] {
            assert_eq!(
                kind(unpad_planar(&nv, 0, PixelFormat::Nv12, w, h, 4, &mut out)),
                ErrorKind::InvalidFrameSize
            );
            assert_eq!(
                kind(unpad_planar(&nv, 0, PixelFormat::Yuv420, w, h, 4, &mut out)),
                ErrorKind::InvalidFrameSize
            );
        }
    }

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
    fn control_plans() {
        let all = [
            ControlRange {
                id: cid::EXPOSURE_AUTO,
                minimum: 0,
                maximum: 3,
                step: 1,
            },
            ControlRange {
                id: cid::EXPOSURE_ABSOLUTE,
                minimum: 3,
                maximum: 2047,
                step: 1,
            },
            ControlRange {
                id: cid::AUTOGAIN,
                minimum: 0,
                maximum: 1,
                step: 1,
            },
            ControlRange {
                id: cid::GAIN,
                minimum: 0,
                maximum: 255,
                step: 4,
            },
        ];
        let wanted = Controls {
            exposure: Some(Exposure::Manual(Duration::from_millis(10))),
            gain: Some(30),
            white_balance: Some(WhiteBalance::Auto),
        };
        let (writes, skipped) = plan_controls(&all, &wanted);
        assert_eq!(
            writes,
            vec![
                (cid::EXPOSURE_AUTO, 1),
                (cid::EXPOSURE_ABSOLUTE, 100),
                (cid::AUTOGAIN, 0),
                (cid::GAIN, 28),
            ]
        );
        assert_eq!(skipped, vec!["automatic white balance"]);
        let (writes, _) = plan_controls(
            &all,
            &Controls {
                exposure: Some(Exposure::Auto),
                ..Controls::default()
            },
        );
        assert_eq!(writes, vec![(cid::EXPOSURE_AUTO, 3)]);
        let (writes, skipped) = plan_controls(
            &all,
            &Controls {
                exposure: Some(Exposure::Manual(Duration::from_secs(10))),
                ..Controls::default()
            },
        );
        assert_eq!(writes[1], (cid::EXPOSURE_ABSOLUTE, 2047));
        assert!(skipped.is_empty());
        // A Pi sensor: analogue gain, exposure in lines.
        let pi = [
            ControlRange {
                id: cid::EXPOSURE,
                minimum: 4,
                maximum: 1759,
                step: 1,
            },
            ControlRange {
                id: cid::ANALOGUE_GAIN,
                minimum: 16,
                maximum: 255,
                step: 1,
            },
        ];
        let (writes, skipped) = plan_controls(
            &pi,
            &Controls {
                exposure: Some(Exposure::Raw(1)),
                gain: Some(1000),
                white_balance: Some(WhiteBalance::Kelvin(5000)),
            },
        );
        assert_eq!(writes, vec![(cid::EXPOSURE, 4), (cid::ANALOGUE_GAIN, 255)]);
        assert_eq!(skipped, vec!["white balance temperature"]);
        assert_eq!(plan_controls(&pi, &Controls::default()), (vec![], vec![]));
    }

    #[test]
    fn control_ranges_from_the_device_never_overflow() {
        // 64-bit controls can span the whole i64 range.
        let wide = ControlRange {
            id: cid::EXPOSURE,
            minimum: i64::MIN,
            maximum: i64::MAX,
            step: 2,
        };
        assert_eq!(wide.fit(5), 4);
        assert_eq!(wide.fit(i64::MAX), i64::MAX - 1);
        assert_eq!(wide.fit(i64::MIN), i64::MIN);
        let huge_step = ControlRange {
            step: u64::MAX,
            ..wide
        };
        assert_eq!(huge_step.fit(7), i64::MIN);
        // A range the driver got backwards: the minimum wins.
        let backwards = ControlRange {
            id: cid::GAIN,
            minimum: 10,
            maximum: 0,
            step: 3,
        };
        assert_eq!(backwards.fit(100), 10);
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

    #[test]
    fn sequence_wraps_and_timevals() {
        let mut s = SequenceExtender::default();
        assert_eq!(s.extend(u32::MAX - 1), u64::from(u32::MAX - 1));
        assert_eq!(s.extend(u32::MAX), u64::from(u32::MAX));
        assert_eq!(s.extend(0), 1 << 32);
        assert_eq!(s.extend(5), (1 << 32) + 5);
        assert_eq!(s.extend(3), (1 << 32) + 3);
        assert_eq!(timeval_to_duration(2, 500_000), Duration::from_millis(2500));
        assert_eq!(timeval_to_duration(-1, -5), Duration::ZERO);
        assert_eq!(
            timeval_to_duration(1, 5_000_000),
            Duration::new(1, 999_999_000)
        );
    }

    #[cfg(not(all(feature = "v4l2", target_os = "linux")))]
    #[test]
    fn unavailable_names_the_feature() {
        let e = unavailable("/dev/video0");
        assert_eq!(e.kind(), ErrorKind::BackendUnavailable);
        assert!(e.to_string().contains("`--features v4l2`"));
    }
}
