//! A dequeued buffer as a frame: cut to `bytesused`, padded planar lines
//! repacked, the driver's sequence counter and timestamps.
#![cfg_attr(not(all(feature = "v4l2", target_os = "linux")), allow(dead_code))]

use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, PixelFormat};

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
pub(crate) fn trim_frame(
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
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] for a format that is not planar;
/// [`ErrorKind::Format`] if the driver claims more bytes than the buffer
/// holds; [`ErrorKind::InvalidFrameSize`] if it filled fewer bytes than the
/// layout needs or `stride` is shorter than a line.
pub(crate) fn unpad_planar(
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

/// Extends the driver's 32-bit sequence counter to 64 bits across wraps.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SequenceExtender {
    last: Option<u32>,
    high: u64,
}

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
pub(crate) fn timeval_to_duration(sec: i64, usec: i64) -> Duration {
    let sec = u64::try_from(sec).unwrap_or(0);
    let nanos = u32::try_from(usec.clamp(0, 999_999) * 1000).unwrap_or(0);
    Duration::new(sec, nanos)
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::BayerOrder;

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
}
