//! [`repair`]: rebuild the headers and index of an AVI that was never closed.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;

use super::{AviReader, MjpegWriterBuilder};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::timing::FrameRate;

/// What [`repair`] recovered.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RepairReport {
    /// Frames written to the repaired file.
    pub frames: u64,
    /// Frames the damaged file's headers claimed (0 if it was never synced).
    pub header_frames: u64,
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Frame rate, from the damaged file's stream header.
    pub frame_rate: FrameRate,
    /// Bytes of the damaged file that formed no chunk and were skipped.
    pub skipped_bytes: u64,
    /// Bytes at the end of the damaged file that held no complete frame.
    pub tail_bytes: u64,
}

/// Copies every complete frame of the AVI `input` (typically a recording that
/// was never closed: zero or stale sizes, no index or an index overwritten by
/// later frames, a frame cut off at the end) into a new, complete AVI on
/// `output`, with the same size and rate. Frames are copied byte for byte.
/// Returns the finished `output` and what was recovered.
///
/// ```
/// use std::io::Cursor;
/// use camreel::avi::{AviReader, MjpegWriter, repair};
/// # let jpeg = camreel::codec::jpeg::JpegEncoder::new(camreel::codec::Quality::try_from(80)?)?.encode_image(camreel::Image::zeroed(camreel::PixelFormat::Grayscale, 8, 8)?.view())?.into_vec();
/// let mut w = MjpegWriter::new(Cursor::new(Vec::new()), 8, 8)?;
/// for _ in 0..5 {
///     w.add_jpeg(&jpeg, None)?;
/// }
/// // Simulate a crash: copy the file before the writer finishes it, minus
/// // the last 100 bytes.
/// let mut broken = w.get_ref().get_ref().clone();
/// broken.truncate(broken.len() - 100);
/// drop(w); // finishes the writer's own copy, not `broken`
///
/// let (fixed, report) = repair(Cursor::new(broken), Cursor::new(Vec::new()))?;
/// assert_eq!(report.frames, 4);
/// assert_eq!(AviReader::new(fixed)?.frame_count(), 4);
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// As [`AviReader::new`] for the input (not an AVI, no Motion-JPEG stream)
/// and [`MjpegWriter::add_jpeg`](super::MjpegWriter::add_jpeg) for the output; [`ErrorKind::EndOfStream`]
/// if no complete frame is left.
pub fn repair<R: Read + Seek, W: Write + Seek>(input: R, output: W) -> Result<(W, RepairReport)> {
    let mut reader = AviReader::recover(input)?;
    let info = reader.info().clone();
    if info.frame_count == 0 {
        return Err(Error::new(
            ErrorKind::EndOfStream,
            "the AVI holds no complete frame to recover",
        ));
    }
    let mut writer = MjpegWriterBuilder::new(info.width, info.height)
        .frame_rate(info.frame_rate)
        .build(output)?;
    let mut frame = Vec::new();
    let mut previous = Vec::new();
    for i in 0..info.frame_count {
        reader.read_frame_into(i, &mut frame)?;
        if frame.is_empty() {
            // A dropped frame: repeat the previous one, as players do.
            if previous.is_empty() {
                continue;
            }
            writer.add_jpeg(&previous, None)?;
            continue;
        }
        writer
            .add_jpeg(&frame, None)
            .map_err(|e| e.context(format!("recovering frame {i}")))?;
        std::mem::swap(&mut frame, &mut previous);
    }
    let frames = writer.frames();
    let output = writer.into_inner()?;
    Ok((
        output,
        RepairReport {
            frames,
            header_frames: info.header_frames,
            width: info.width,
            height: info.height,
            frame_rate: info.frame_rate,
            skipped_bytes: info.skipped_bytes,
            tail_bytes: info.tail_bytes,
        },
    ))
}

/// [`repair`] from the file `input` to a new file `output`.
///
/// # Errors
/// As [`repair`]; [`ErrorKind::InvalidArgument`] if both paths name the same
/// file; [`ErrorKind::Io`] if a file cannot be opened or created.
pub fn repair_file(input: impl AsRef<Path>, output: impl AsRef<Path>) -> Result<RepairReport> {
    let (input, output) = (input.as_ref(), output.as_ref());
    if let (Ok(a), Ok(b)) = (input.canonicalize(), output.canonicalize())
        && a == b
    {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{}: repairing a file onto itself", quote_path(input)),
        ));
    }
    let src =
        File::open(input).map_err(|e| Error::io(format!("opening {}", quote_path(input)), e))?;
    let dst = File::create(output)
        .map_err(|e| Error::io(format!("creating {}", quote_path(output)), e))?;
    let (dst, report) = repair(BufReader::new(src), BufWriter::new(dst))
        .map_err(|e| e.context(quote_path(input)))?;
    let dst = dst
        .into_inner()
        .map_err(|e| Error::io(format!("writing {}", quote_path(output)), e.into_error()))?;
    dst.sync_all()
        .map_err(|e| Error::io(format!("syncing {}", quote_path(output)), e))?;
    Ok(report)
}
