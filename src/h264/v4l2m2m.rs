//! The Raspberry Pi's hardware H.264 encoder: a V4L2 memory-to-memory
//! device (`/dev/video11`, bcm2835-codec), as picamera2 uses it.
//!
//! [`V4l2M2mEncoder`] is written against [`M2mDevice`], the ioctl boundary
//! (formats, controls, buffers, streaming); the device itself
//! (`M2mDevice` over `/dev/videoN`, feature `rpi`, Linux) only issues the
//! ioctls. Everything above it (format negotiation, the buffer flow, parameter
//! sets arriving in their own buffer, errors) is tested with a mock.
//! [`open_encoder`] picks the hardware encoder when it opens and the
//! software one otherwise.

use std::fmt;
use std::io;
use std::time::Duration;

use super::annexb::{AccessUnitInfo, NalType, nal_units};
use super::settings::{H264Settings, RateControl};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::image::{Image, Limits, PixelFormat};
use crate::video::{EncodedFrame, OutputCounter, VideoEncoder, VideoFrameType};

#[cfg(all(feature = "rpi", target_os = "linux"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "rpi", target_os = "linux"))))]
mod device;
#[cfg(all(feature = "rpi", target_os = "linux"))]
pub use device::V4l2M2mDevice;
#[cfg(test)]
mod tests;

/// V4L2 control ids (linux/v4l2-controls.h, codec class).
pub mod cid {
    /// `V4L2_CID_MPEG_VIDEO_BITRATE_MODE` (0 variable, 1 constant).
    pub const BITRATE_MODE: u32 = 0x0099_09ce;
    /// `V4L2_CID_MPEG_VIDEO_BITRATE`, bits per second.
    pub const BITRATE: u32 = 0x0099_09cf;
    /// `V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER`: SPS/PPS before every IDR.
    pub const REPEAT_SEQ_HEADER: u32 = 0x0099_09e2;
    /// `V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME`: the next frame is a key frame.
    pub const FORCE_KEY_FRAME: u32 = 0x0099_09e5;
    /// `V4L2_CID_MPEG_VIDEO_H264_MIN_QP`.
    pub const H264_MIN_QP: u32 = 0x0099_0a61;
    /// `V4L2_CID_MPEG_VIDEO_H264_MAX_QP`.
    pub const H264_MAX_QP: u32 = 0x0099_0a62;
    /// `V4L2_CID_MPEG_VIDEO_H264_I_PERIOD`: frames between key frames.
    pub const H264_I_PERIOD: u32 = 0x0099_0a66;
}

/// One of the two queues of a memory-to-memory device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Raw pictures into the encoder (V4L2's "output" queue).
    Output,
    /// Encoded H.264 out of it (V4L2's "capture" queue).
    Capture,
}

/// What `VIDIOC_QUERYCAP` says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct M2mCaps {
    /// The driver's name (`bcm2835-codec`).
    pub driver: String,
    /// Whether it is a multi-planar memory-to-memory device.
    pub m2m_mplane: bool,
    /// Whether it streams (mmap buffers).
    pub streaming: bool,
}

/// A queue's format: what is asked for, and what the driver set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaneFormat {
    /// The pixel format's four-character code (`YU12`, `H264`).
    pub fourcc: [u8; 4],
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes per luma row (0 asks the driver to choose).
    pub bytes_per_line: u32,
    /// Bytes of one buffer (0 asks the driver to choose).
    pub size_image: u32,
}

/// A buffer the driver handed back (`VIDIOC_DQBUF`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dequeued {
    /// Buffer index.
    pub index: u32,
    /// Bytes filled.
    pub bytes_used: usize,
    /// `V4L2_BUF_FLAG_KEYFRAME`.
    pub key_frame: bool,
    /// `V4L2_BUF_FLAG_ERROR`: the data is damaged.
    pub error: bool,
}

/// The ioctl boundary of a memory-to-memory encoder: each method is one
/// V4L2 call (or a poll and a call). [`V4l2M2mEncoder`] drives it.
pub trait M2mDevice {
    /// `VIDIOC_QUERYCAP`.
    fn capabilities(&mut self) -> io::Result<M2mCaps>;
    /// `VIDIOC_S_FMT` on `queue`; returns what the driver set.
    fn set_format(&mut self, queue: Queue, want: PlaneFormat) -> io::Result<PlaneFormat>;
    /// `VIDIOC_S_EXT_CTRLS` with one control.
    fn set_control(&mut self, id: u32, value: i32) -> io::Result<()>;
    /// `VIDIOC_REQBUFS` (mmap) and mapping of each buffer; returns how many
    /// the driver gave.
    fn allocate(&mut self, queue: Queue, count: u32) -> io::Result<u32>;
    /// The mapped bytes of buffer `index` of `queue`.
    fn buffer(&mut self, queue: Queue, index: u32) -> io::Result<&mut [u8]>;
    /// `VIDIOC_QBUF`: buffer `index` holding `bytes_used` bytes.
    fn enqueue(
        &mut self,
        queue: Queue,
        index: u32,
        bytes_used: usize,
        timestamp: Duration,
    ) -> io::Result<()>;
    /// Waits up to `timeout` for a buffer (`poll`), then `VIDIOC_DQBUF`;
    /// [`io::ErrorKind::TimedOut`] when none came.
    fn dequeue(&mut self, queue: Queue, timeout: Duration) -> io::Result<Dequeued>;
    /// `VIDIOC_STREAMON` / `VIDIOC_STREAMOFF`.
    fn stream(&mut self, queue: Queue, on: bool) -> io::Result<()>;
}

/// Maps an errno from the device to a camreel error saying what was done.
pub fn map_error(e: io::Error, what: &str) -> Error {
    let kind = match e.raw_os_error() {
        Some(19) | Some(32) => ErrorKind::Disconnected, // ENODEV, EPIPE
        Some(16) => ErrorKind::BackendUnavailable,      // EBUSY
        Some(22) => ErrorKind::UnsupportedFormat,       // EINVAL
        Some(11) | Some(110) => ErrorKind::Timeout,     // EAGAIN, ETIMEDOUT
        _ if e.kind() == io::ErrorKind::TimedOut => ErrorKind::Timeout,
        _ => ErrorKind::Io,
    };
    Error::with_source(kind, format!("v4l2 encoder: {what}"), e)
}

const OUTPUT_BUFFERS: u32 = 2;
const CAPTURE_BUFFERS: u32 = 4;

/// The Pi's hardware H.264 encoder behind [`M2mDevice`], as a
/// [`VideoEncoder`]: YUV420 frames are copied into the driver's buffers
/// (other formats converted first), parameter sets the driver emits in a
/// buffer of their own are put in front of the key frame they belong to.
pub struct V4l2M2mEncoder<D> {
    device: D,
    settings: H264Settings,
    timeout: Duration,
    /// Negotiated formats, once streaming.
    formats: Option<(PlaneFormat, PlaneFormat)>,
    free_outputs: Vec<u32>,
    converted: Image,
    out: Image,
    header: Vec<u8>,
    counter: OutputCounter,
    key_requested: bool,
}

impl<D> fmt::Debug for V4l2M2mEncoder<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V4l2M2mEncoder")
            .field("settings", &self.settings)
            .field("formats", &self.formats)
            .finish_non_exhaustive()
    }
}

impl<D: M2mDevice> V4l2M2mEncoder<D> {
    /// An encoder on `device` with `settings`; formats and buffers are set
    /// up on the first frame, which gives the picture size.
    ///
    /// # Errors
    /// [`ErrorKind::BackendUnavailable`] for a device that is not a
    /// streaming multi-planar memory-to-memory device; settings out of
    /// range; device errors ([`map_error`]).
    pub fn new(mut device: D, settings: H264Settings) -> Result<V4l2M2mEncoder<D>> {
        settings.validate()?;
        let caps = device
            .capabilities()
            .map_err(|e| map_error(e, "query capabilities"))?;
        if !caps.m2m_mplane || !caps.streaming {
            return Err(Error::new(
                ErrorKind::BackendUnavailable,
                format!(
                    "v4l2 encoder: {} is not a streaming memory-to-memory device",
                    caps.driver
                ),
            ));
        }
        Ok(V4l2M2mEncoder {
            device,
            settings,
            timeout: Duration::from_secs(2),
            formats: None,
            free_outputs: Vec::new(),
            converted: Image::empty(),
            out: Image::empty(),
            header: Vec::new(),
            counter: OutputCounter::default(),
            key_requested: false,
        })
    }

    /// The device.
    pub fn get_ref(&self) -> &D {
        &self.device
    }

    /// Negotiates formats, sets the controls, allocates and queues buffers
    /// and starts streaming for `width` x `height` pictures.
    fn start(&mut self, width: u32, height: u32) -> Result<(PlaneFormat, PlaneFormat)> {
        let d = &mut self.device;
        let want_raw = PlaneFormat {
            fourcc: *b"YU12",
            width,
            height,
            bytes_per_line: 0,
            size_image: 0,
        };
        let raw = d
            .set_format(Queue::Output, want_raw)
            .map_err(|e| map_error(e, "set the raw format"))?;
        let encoded = d
            .set_format(
                Queue::Capture,
                PlaneFormat {
                    fourcc: *b"H264",
                    width,
                    height,
                    bytes_per_line: 0,
                    size_image: 0,
                },
            )
            .map_err(|e| map_error(e, "set the h.264 format"))?;
        if raw.fourcc != *b"YU12"
            || (raw.width, raw.height) != (width, height)
            || raw.bytes_per_line < width
        {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "v4l2 encoder: asked for {width}x{height} YU12, the driver set {}x{} {} (stride {})",
                    raw.width,
                    raw.height,
                    String::from_utf8_lossy(&raw.fourcc),
                    raw.bytes_per_line
                ),
            ));
        }
        if encoded.fourcc != *b"H264" {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "v4l2 encoder: the driver encodes {} instead of H264",
                    String::from_utf8_lossy(&encoded.fourcc)
                ),
            ));
        }
        let s = &self.settings;
        let mut controls = vec![
            (cid::REPEAT_SEQ_HEADER, 1),
            (
                cid::H264_I_PERIOD,
                s.intra_period.min(i32::MAX as u32) as i32,
            ),
        ];
        match s.rate_control {
            RateControl::Bitrate(b) => {
                controls.push((cid::BITRATE_MODE, 0));
                controls.push((cid::BITRATE, b.min(i32::MAX as u32) as i32));
            }
            RateControl::Quantizer(q) => {
                controls.push((cid::H264_MIN_QP, i32::from(q)));
                controls.push((cid::H264_MAX_QP, i32::from(q)));
            }
        }
        for (id, value) in controls {
            d.set_control(id, value)
                .map_err(|e| map_error(e, &format!("set control 0x{id:08x} to {value}")))?;
        }
        let outputs = d
            .allocate(Queue::Output, OUTPUT_BUFFERS)
            .map_err(|e| map_error(e, "allocate raw buffers"))?;
        let captures = d
            .allocate(Queue::Capture, CAPTURE_BUFFERS)
            .map_err(|e| map_error(e, "allocate h.264 buffers"))?;
        if outputs == 0 || captures == 0 {
            return Err(Error::new(
                ErrorKind::BackendUnavailable,
                "v4l2 encoder: the driver gave no buffers",
            ));
        }
        for i in 0..captures {
            d.enqueue(Queue::Capture, i, 0, Duration::ZERO)
                .map_err(|e| map_error(e, "queue an h.264 buffer"))?;
        }
        d.stream(Queue::Output, true)
            .and_then(|()| d.stream(Queue::Capture, true))
            .map_err(|e| map_error(e, "start streaming"))?;
        self.free_outputs = (0..outputs).rev().collect();
        Ok((raw, encoded))
    }

    /// Copies the YUV420 planes of `src` into raw buffer `index`, whose
    /// rows are `raw.bytes_per_line` apart; returns the bytes used.
    fn fill(
        &mut self,
        index: u32,
        src: crate::image::ImageRef<'_>,
        raw: PlaneFormat,
    ) -> Result<usize> {
        let (w, h) = (src.width() as usize, src.height() as usize);
        let Some((y, u, v)) = src.yuv420_planes() else {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                "yuv420 planes expected",
            ));
        };
        let stride = raw.bytes_per_line as usize;
        let (cw, ch, cstride) = (w / 2, h / 2, stride / 2);
        let needed = stride * h + 2 * cstride * ch;
        let buf = self
            .device
            .buffer(Queue::Output, index)
            .map_err(|e| map_error(e, "map a raw buffer"))?;
        if buf.len() < needed {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!(
                    "v4l2 encoder: raw buffer of {} bytes, {needed} needed",
                    buf.len()
                ),
            ));
        }
        for (row, dst) in y.chunks_exact(w).zip(buf.chunks_mut(stride)) {
            dst[..w].copy_from_slice(row);
        }
        let (u_dst, v_dst) = buf[stride * h..].split_at_mut(cstride * ch);
        for (plane, dst) in [(u, u_dst), (v, v_dst)] {
            for (row, d) in plane.chunks_exact(cw).zip(dst.chunks_mut(cstride)) {
                d[..cw].copy_from_slice(row);
            }
        }
        Ok(needed)
    }
}

/// Whether `data` holds parameter sets and no picture.
fn header_only(data: &[u8]) -> bool {
    let mut any = false;
    for nal in nal_units(data) {
        match nal.map(|n| n.nal_type()) {
            Ok(NalType::Sps | NalType::Pps | NalType::Aud | NalType::Sei) => any = true,
            _ => return false,
        }
    }
    any
}

impl<D: M2mDevice> VideoEncoder for V4l2M2mEncoder<D> {
    fn format(&self) -> PixelFormat {
        PixelFormat::H264
    }

    fn encode<'a>(&'a mut self, frame: &Frame<'a>) -> Result<Option<EncodedFrame<'a>>> {
        let (width, height) = frame.image.size();
        super::settings::check_size(width, height)?;
        let (raw, _) = match self.formats {
            Some(f) if (f.0.width, f.0.height) == (width, height) => f,
            Some(f) => {
                return Err(Error::new(
                    ErrorKind::InvalidFrameSize,
                    format!(
                        "v4l2 encoder: {width}x{height} frame after {}x{} ones",
                        f.0.width, f.0.height
                    ),
                ));
            }
            None => {
                let f = self.start(width, height)?;
                self.formats = Some(f);
                f
            }
        };
        // A free raw buffer, or wait for the driver to give one back.
        let index = match self.free_outputs.pop() {
            Some(i) => i,
            None => {
                self.device
                    .dequeue(Queue::Output, self.timeout)
                    .map_err(|e| map_error(e, "wait for a raw buffer"))?
                    .index
            }
        };
        let used = if frame.image.format() == PixelFormat::Yuv420 {
            self.fill(index, frame.image, raw)
        } else {
            let mut converted = std::mem::take(&mut self.converted);
            let r = crate::codec::transcode_into(frame.image, PixelFormat::Yuv420, &mut converted)
                .and_then(|()| self.fill(index, converted.view(), raw));
            self.converted = converted;
            r
        };
        let used = match used {
            Ok(n) => n,
            Err(e) => {
                self.free_outputs.push(index);
                return Err(e);
            }
        };
        if std::mem::take(&mut self.key_requested) {
            self.device
                .set_control(cid::FORCE_KEY_FRAME, 1)
                .map_err(|e| map_error(e, "force a key frame"))?;
        }
        self.device
            .enqueue(Queue::Output, index, used, frame.timestamp)
            .map_err(|e| map_error(e, &format!("queue frame {}", frame.sequence)))?;
        // Encoded buffers: parameter sets may come alone, before the frame.
        let mut au = std::mem::take(&mut self.header);
        let result = loop {
            let got = match self.device.dequeue(Queue::Capture, self.timeout) {
                Ok(g) => g,
                Err(e) => break Err(map_error(e, &format!("wait for frame {}", frame.sequence))),
            };
            let data = match self.device.buffer(Queue::Capture, got.index) {
                Ok(b) => b.get(..got.bytes_used).map(<[u8]>::to_vec),
                Err(e) => break Err(map_error(e, "map an h.264 buffer")),
            };
            if let Err(e) = self
                .device
                .enqueue(Queue::Capture, got.index, 0, Duration::ZERO)
            {
                break Err(map_error(e, "requeue an h.264 buffer"));
            }
            let Some(data) = data else {
                break Err(Error::new(
                    ErrorKind::Format,
                    "v4l2 encoder: buffer longer than its mapping",
                ));
            };
            if got.error {
                break Err(Error::new(
                    ErrorKind::Format,
                    format!(
                        "v4l2 encoder: frame {} came back flagged as damaged",
                        frame.sequence
                    ),
                ));
            }
            let header = header_only(&data);
            au.extend_from_slice(&data);
            if !header {
                break Ok(());
            }
        };
        // The raw buffer is free again once the driver gives it back.
        if let Ok(d) = self.device.dequeue(Queue::Output, Duration::ZERO) {
            self.free_outputs.push(d.index);
        }
        result?;
        let info = AccessUnitInfo::of(&au, &Limits::default())
            .map_err(|e| e.context(format!("v4l2 encoder: frame {}", frame.sequence)))?;
        let frame_type = if info.key_frame {
            VideoFrameType::Key
        } else {
            VideoFrameType::Delta
        };
        let header_size = if info.sps.is_some() {
            info.header_bytes
        } else {
            0
        };
        self.out
            .set_encoded(PixelFormat::H264, width, height, |buf| {
                buf.extend_from_slice(&au);
                Ok(())
            })?;
        let out = self.out.view();
        let info = self
            .counter
            .next(frame_type, out.data().len(), header_size, frame.timestamp);
        Ok(Some(EncodedFrame {
            frame: Frame::new(out, frame.sequence, frame.timestamp),
            info,
        }))
    }

    fn request_key_frame(&mut self) {
        self.key_requested = true;
    }
}

/// The H.264 encoder to use: the hardware encoder at `/dev/video11` when
/// it opens (feature `rpi`, Linux), else openh264 (feature `h264`); the
/// second value names the one chosen.
///
/// # Errors
/// [`ErrorKind::BackendUnavailable`] when neither is available, with why
/// the hardware one failed.
pub fn open_encoder(
    settings: H264Settings,
) -> Result<(Box<dyn VideoEncoder + Send>, &'static str)> {
    match hardware_encoder(settings) {
        Ok(e) => Ok((e, "v4l2 m2m (/dev/video11)")),
        Err(why) => software_encoder(settings, why),
    }
}

fn hardware_encoder(settings: H264Settings) -> Result<Box<dyn VideoEncoder + Send>> {
    #[cfg(all(feature = "rpi", target_os = "linux"))]
    {
        let device = V4l2M2mDevice::open("/dev/video11")?;
        Ok(Box::new(V4l2M2mEncoder::new(device, settings)?))
    }
    #[cfg(not(all(feature = "rpi", target_os = "linux")))]
    {
        let _ = settings;
        Err(Error::new(
            ErrorKind::BackendUnavailable,
            "the hardware encoder needs the `rpi` cargo feature on Linux",
        ))
    }
}

fn software_encoder(
    settings: H264Settings,
    why: Error,
) -> Result<(Box<dyn VideoEncoder + Send>, &'static str)> {
    #[cfg(feature = "h264")]
    {
        let _ = why;
        Ok((Box::new(super::H264Encoder::new(settings)?), "openh264"))
    }
    #[cfg(not(feature = "h264"))]
    {
        let _ = settings;
        Err(Error::new(
            ErrorKind::BackendUnavailable,
            format!("no h.264 encoder: {why}, and the `h264` cargo feature (openh264) is off"),
        ))
    }
}
