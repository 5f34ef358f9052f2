//! The V4L2 device backend (feature `v4l2`, Linux): the ioctl layer.

use std::time::Duration;

use v4l::buffer::{Flags as BufFlags, Type};
use v4l::control::{Control, Value};
use v4l::framesize::FrameSizeEnum;
use v4l::io::mmap::Stream;
use v4l::io::traits::{CaptureStream, Stream as _};
use v4l::video::Capture;
use v4l::{Device, Format, FourCC};

use super::controls::{ControlRange, Controls, cid, plan_controls};
use super::fourcc::{fourcc_name, pixel_format_of};
use super::frame::{SequenceExtender, timeval_to_duration, trim_frame, unpad_planar};
use super::negotiate::{Offer, Request, SizeRange, negotiate};
use super::os_error::{Recovery, map_os_error};
use crate::camera::{CameraSource, Frame, StreamFormat};
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, PixelFormat};

/// Settings for opening a V4L2 device; [`V4l2Builder::open`] opens it.
#[derive(Clone, Debug)]
#[must_use]
#[cfg_attr(docsrs, doc(cfg(all(feature = "v4l2", target_os = "linux"))))]
pub struct V4l2Builder {
    path: String,
    request: Request,
    fps: Option<f64>,
    buffers: u32,
    timeout: Duration,
    controls: Controls,
}

impl V4l2Builder {
    /// Frame size to ask for (the driver may pick another; see [`V4l2Source::format`]).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.request.size = Some((width, height));
        self
    }

    /// Pixel format to ask for; [`PixelFormat::Jpeg`] selects MJPEG.
    pub fn format(mut self, format: PixelFormat) -> Self {
        self.request.format = Some(format);
        self
    }

    /// Frame rate to ask for.
    pub fn fps(mut self, fps: f64) -> Self {
        self.fps = Some(fps);
        self
    }

    /// Number of mmap buffers, all queued before streaming starts (default 4, 2 to 32).
    pub fn buffers(mut self, count: u32) -> Self {
        self.buffers = count.clamp(2, 32);
        self
    }

    /// How long [`CameraSource::next_frame`] waits before an
    /// [`ErrorKind::Timeout`] (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Exposure, gain and white balance to set where the device has them.
    pub fn controls(mut self, controls: Controls) -> Self {
        self.controls = controls;
        self
    }

    /// Opens the device, negotiates the format, applies the controls and maps
    /// the buffers. Streaming starts with the first frame.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the device cannot be opened,
    /// [`ErrorKind::BackendUnavailable`] if it is not a video capture device,
    /// [`ErrorKind::UnsupportedFormat`] if no offered format fits, and the
    /// kinds of the device's `errno` (`ENODEV` is
    /// [`ErrorKind::Disconnected`], `EBUSY` an [`ErrorKind::Io`] that says
    /// the device is busy, ...).
    pub fn open(self) -> Result<V4l2Source> {
        let path = self.path.clone();
        let ctx = |what: &str| format!("{path}: {what}");
        let device = Device::with_path(&path).map_err(|e| map_os_error(e, &ctx("open")))?;
        let caps = device
            .query_caps()
            .map_err(|e| map_os_error(e, &ctx("query capabilities")))?;
        let flags = caps.capabilities;
        if !flags.contains(v4l::capability::Flags::VIDEO_CAPTURE)
            || !flags.contains(v4l::capability::Flags::STREAMING)
        {
            return Err(Error::new(
                ErrorKind::BackendUnavailable,
                ctx("not a streaming video capture device (single-planar)"),
            ));
        }
        let offers = enumerate(&device).map_err(|e| map_os_error(e, &ctx("enumerate formats")))?;
        let current = device
            .format()
            .map_err(|e| map_os_error(e, &ctx("read the format")))?;
        let keep_current = self.request.format.is_none()
            && self.request.size.is_none()
            && pixel_format_of(current.fourcc.repr).is_some();
        let format = if keep_current {
            current
        } else {
            let choice = negotiate(&offers, &self.request).map_err(|e| e.context(&path))?;
            let wanted = Format::new(choice.width, choice.height, FourCC::new(&choice.fourcc));
            device
                .set_format(&wanted)
                .map_err(|e| map_os_error(e, &ctx("set the format")))?
        };
        let pixel_format = pixel_format_of(format.fourcc.repr).ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedFormat,
                ctx(&format!(
                    "the driver chose {} which camreel does not read",
                    fourcc_name(format.fourcc.repr)
                )),
            )
        })?;
        crate::image::Limits::default()
            .check_dimensions(format.width, format.height)
            .map_err(|e| e.context(&path))?;
        let mut fps = None;
        if let Some(want) = self.fps
            && want.is_finite()
            && want > 0.0
        {
            let denom = (want * 1000.0).round().clamp(1.0, u32::MAX as f64) as u32;
            let params = v4l::video::capture::Parameters::new(v4l::Fraction::new(1000, denom));
            if let Ok(p) = device.set_params(&params) {
                fps = fraction_fps(p.interval.numerator, p.interval.denominator);
            }
        }
        if fps.is_none() {
            fps = device
                .params()
                .ok()
                .and_then(|p| fraction_fps(p.interval.numerator, p.interval.denominator));
        }
        let available: Vec<ControlRange> = device
            .query_controls()
            .unwrap_or_default()
            .iter()
            .map(|d| ControlRange {
                id: d.id,
                minimum: d.minimum,
                maximum: d.maximum,
                step: d.step,
            })
            .collect();
        let (writes, mut skipped) = plan_controls(&available, &self.controls);
        for (id, value) in writes {
            let written = device.set_control(Control {
                id,
                value: Value::Integer(value),
            });
            if let Err(e) = written {
                let e = map_os_error(e, &ctx(&format!("set control 0x{id:08x}")));
                if e.kind() == ErrorKind::Disconnected {
                    return Err(e);
                }
                // A control the driver refuses right now (inactive while an
                // automatic mode is on, read-only): keep going, and say so.
                skipped.push(control_name(id));
            }
        }
        let mut stream = Stream::with_buffers(&device, Type::VideoCapture, self.buffers)
            .map_err(|e| map_os_error(e, &ctx("map buffers")))?;
        stream.set_timeout(self.timeout.min(Duration::from_secs(3600)));
        // Planar frames with padded lines (common on the Pi's ISP) cannot
        // be lent as one view: they are copied, packed.
        let repack = pixel_format.is_planar()
            && pixel_format
                .row_bytes(format.width)
                .is_ok_and(|row| format.stride as usize > row);
        Ok(V4l2Source {
            stream: Some(stream),
            device,
            path,
            format: StreamFormat {
                format: pixel_format,
                width: format.width,
                height: format.height,
                fps,
            },
            stride: format.stride,
            sequence: SequenceExtender::default(),
            skipped_controls: skipped,
            offers,
            corrupted: 0,
            recovery: Recovery::None,
            repack,
            scratch: Image::empty(),
        })
    }
}

fn control_name(id: u32) -> &'static str {
    match id {
        cid::AUTO_WHITE_BALANCE => "automatic white balance",
        cid::EXPOSURE | cid::EXPOSURE_ABSOLUTE => "exposure",
        cid::EXPOSURE_AUTO => "automatic exposure",
        cid::AUTOGAIN | cid::GAIN | cid::ANALOGUE_GAIN => "gain",
        cid::WHITE_BALANCE_TEMPERATURE => "white balance temperature",
        _ => "control",
    }
}

fn fraction_fps(num: u32, denom: u32) -> Option<f64> {
    (num > 0 && denom > 0).then(|| f64::from(denom) / f64::from(num))
}

fn enumerate(device: &Device) -> std::io::Result<Vec<Offer>> {
    let mut offers = Vec::new();
    for desc in device.enum_formats()? {
        let sizes = device
            .enum_framesizes(desc.fourcc)
            .unwrap_or_default()
            .into_iter()
            .map(|s| match s.size {
                FrameSizeEnum::Discrete(d) => SizeRange::Discrete(d.width, d.height),
                FrameSizeEnum::Stepwise(s) => SizeRange::Stepwise {
                    min_width: s.min_width,
                    max_width: s.max_width,
                    step_width: s.step_width,
                    min_height: s.min_height,
                    max_height: s.max_height,
                    step_height: s.step_height,
                },
            })
            .collect();
        offers.push(Offer {
            fourcc: desc.fourcc.repr,
            sizes,
        });
    }
    Ok(offers)
}

/// A V4L2 capture device streaming through mmap buffers.
///
/// Frames are lent straight from the driver's buffers (no copy): a buffer
/// goes back to the driver when the next frame is requested. MJPEG frames
/// come out as [`PixelFormat::Jpeg`], cut to `bytesused`. YUV420 and NV12
/// frames whose lines the driver pads are the exception: they are copied,
/// packed.
#[cfg_attr(docsrs, doc(cfg(all(feature = "v4l2", target_os = "linux"))))]
pub struct V4l2Source {
    // Declared before `device`: the stream (and its mappings) goes first.
    stream: Option<Stream<'static>>,
    device: Device,
    path: String,
    format: StreamFormat,
    stride: u32,
    sequence: SequenceExtender,
    skipped_controls: Vec<&'static str>,
    offers: Vec<Offer>,
    corrupted: u64,
    /// What the next call does first because the last wait failed (see
    /// [`Recovery`]).
    recovery: Recovery,
    /// Frames are planar with padded lines: copied into `scratch`.
    repack: bool,
    scratch: Image,
}

impl std::fmt::Debug for V4l2Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V4l2Source")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("stride", &self.stride)
            .finish_non_exhaustive()
    }
}

impl V4l2Source {
    /// Settings for the device at `path` (such as `/dev/video0`).
    pub fn builder(path: impl Into<String>) -> V4l2Builder {
        V4l2Builder {
            path: path.into(),
            request: Request::default(),
            fps: None,
            buffers: 4,
            timeout: Duration::from_secs(5),
            controls: Controls::default(),
        }
    }

    /// Formats and sizes the device offered when it was opened.
    pub fn offers(&self) -> &[Offer] {
        &self.offers
    }

    /// Requested controls the device has no control for, or refused.
    pub fn skipped_controls(&self) -> &[&'static str] {
        &self.skipped_controls
    }

    /// Buffers the driver flagged as corrupted (returned as
    /// [`ErrorKind::Format`] errors; the next frame is usually fine).
    pub fn corrupted_frames(&self) -> u64 {
        self.corrupted
    }

    /// The underlying `v4l` device, for controls camreel does not wrap.
    pub fn device(&self) -> &Device {
        &self.device
    }
}

impl CameraSource for V4l2Source {
    fn format(&self) -> StreamFormat {
        self.format
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        let path = &self.path;
        let stream = self.stream.as_mut().ok_or_else(|| {
            Error::new(
                ErrorKind::Disconnected,
                format!("{path}: the stream was stopped"),
            )
        })?;
        match self.recovery {
            Recovery::None => {}
            Recovery::Dequeue => {
                // Every buffer is queued: take one back so that `next` can
                // queue it again (its frame is skipped: a sequence gap).
                if let Err(e) = CaptureStream::dequeue(stream) {
                    self.recovery = Recovery::after(&e);
                    return Err(map_os_error(e, &format!("{path}: waiting for a frame")));
                }
            }
            Recovery::Restart => {
                // STREAMOFF hands every buffer back; `next` then queues
                // them all and streams on again.
                stream
                    .stop()
                    .map_err(|e| map_os_error(e, &format!("{path}: restarting the stream")))?;
            }
        }
        self.recovery = Recovery::None;
        let (buf, meta) = match CaptureStream::next(stream) {
            Ok(x) => x,
            Err(e) => {
                self.recovery = Recovery::after(&e);
                return Err(map_os_error(e, &format!("{path}: waiting for a frame")));
            }
        };
        let sequence = self.sequence.extend(meta.sequence);
        if meta.flags.contains(BufFlags::ERROR) {
            self.corrupted += 1;
            return Err(Error::new(
                ErrorKind::Format,
                format!("{path}: frame {sequence}: the driver flagged the buffer as corrupted"),
            ));
        }
        let f = self.format;
        let context = |e: Error| e.context(format!("{path}: frame {sequence}"));
        let image = if self.repack {
            unpad_planar(
                buf,
                meta.bytesused,
                f.format,
                f.width,
                f.height,
                self.stride,
                &mut self.scratch,
            )
            .map_err(context)?;
            self.scratch.view()
        } else {
            trim_frame(
                buf,
                meta.bytesused,
                f.format,
                f.width,
                f.height,
                self.stride,
            )
            .map_err(context)?
        };
        Ok(Some(Frame {
            image,
            sequence,
            timestamp: timeval_to_duration(meta.timestamp.sec, meta.timestamp.usec),
        }))
    }
}

impl Drop for V4l2Source {
    fn drop(&mut self) {
        if let Some(mut stream) = self.stream.take() {
            // The v4l stream panics in its own Drop if stopping fails for a
            // reason other than ENODEV. Stop it here; if that fails, leak it
            // (its mappings stay until the process exits) rather than panic.
            match stream.stop() {
                Ok(()) => drop(stream),
                Err(e) if e.raw_os_error() == Some(19) => drop(stream),
                Err(_) => std::mem::forget(stream),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_device_is_an_io_error() {
        let e = V4l2Source::builder("/dev/camreel-no-such-video")
            .open()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(e.to_string().contains("no such device"), "{e}");
    }

    #[test]
    fn a_non_video_file_is_refused() {
        let e = V4l2Source::builder("/dev/null").open().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BackendUnavailable, "{e}");
    }

    #[test]
    fn fps_from_intervals() {
        assert_eq!(fraction_fps(1, 30), Some(30.0));
        assert_eq!(fraction_fps(1001, 30000), Some(30000.0 / 1001.0));
        assert_eq!(fraction_fps(0, 30), None);
    }

    /// Streams from a real camera. Run with
    /// `cargo test --features v4l2 -- --ignored` on a machine with /dev/video0.
    #[test]
    #[ignore = "needs /dev/video0"]
    fn streams_from_dev_video0() {
        let mut cam = V4l2Source::builder("/dev/video0").open().unwrap();
        let f = cam.format();
        let mut last = None;
        for _ in 0..10 {
            let frame = cam.next_frame().unwrap().unwrap();
            assert_eq!(frame.image.size(), (f.width, f.height));
            if let Some((seq, ts)) = last {
                assert!(frame.sequence > seq);
                assert!(frame.timestamp >= ts);
            }
            last = Some((frame.sequence, frame.timestamp));
        }
    }

    /// A wait that times out is not fatal: the next call gets a frame. Run
    /// with `cargo test --features v4l2 -- --ignored` on a machine with
    /// /dev/video0.
    #[test]
    #[ignore = "needs /dev/video0"]
    fn recovers_after_a_timeout() {
        let mut cam = V4l2Source::builder("/dev/video0")
            .timeout(Duration::from_millis(1))
            .open()
            .unwrap();
        // Streaming starts with the first call; 1 ms is shorter than any
        // camera's first frame.
        let e = cam.next_frame().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        cam.stream
            .as_mut()
            .unwrap()
            .set_timeout(Duration::from_secs(5));
        for _ in 0..3 {
            assert!(cam.next_frame().unwrap().is_some());
        }
    }
}
