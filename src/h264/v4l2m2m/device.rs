//! [`V4l2M2mDevice`]: the ioctls of a multi-planar V4L2 memory-to-memory
//! device (feature `rpi`, Linux). Nothing here decides anything: the
//! encoder above it does, and is tested with a mock.

#![allow(unsafe_code)]

use std::io;
use std::os::raw::c_void;
use std::path::Path;
use std::time::{Duration, Instant};

use v4l::v4l_sys::{
    timeval, v4l2_buffer, v4l2_capability, v4l2_ext_control, v4l2_ext_controls, v4l2_format,
    v4l2_plane, v4l2_requestbuffers,
};
use v4l::v4l2::{self, vidioc};

use super::{Dequeued, M2mCaps, M2mDevice, PlaneFormat, Queue};
use crate::error::{Error, ErrorKind, Result, quote_path};

const BUF_TYPE_VIDEO_CAPTURE_MPLANE: u32 = 9;
const BUF_TYPE_VIDEO_OUTPUT_MPLANE: u32 = 10;
const MEMORY_MMAP: u32 = 1;
const CAP_VIDEO_M2M_MPLANE: u32 = 0x0000_4000;
const CAP_STREAMING: u32 = 0x0400_0000;
const CAP_DEVICE_CAPS: u32 = 0x8000_0000;
const BUF_FLAG_KEYFRAME: u32 = 0x0000_0008;
const BUF_FLAG_ERROR: u32 = 0x0000_0040;
const CTRL_CLASS_CODEC: u32 = 0x0099_0000;

fn buf_type(queue: Queue) -> u32 {
    match queue {
        Queue::Output => BUF_TYPE_VIDEO_OUTPUT_MPLANE,
        Queue::Capture => BUF_TYPE_VIDEO_CAPTURE_MPLANE,
    }
}

/// One mmap'ed buffer, unmapped on drop.
struct Mapping {
    ptr: *mut c_void,
    len: usize,
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `ptr` and `len` are exactly what mmap returned, and the
        // mapping is dropped once.
        unsafe {
            libc::munmap(self.ptr, self.len);
        }
    }
}

// SAFETY: the mapping is plain memory owned by this value; the device it
// belongs to is only used through `&mut V4l2M2mDevice`.
unsafe impl Send for Mapping {}

/// A V4L2 memory-to-memory device node (`/dev/video11` on a Raspberry Pi)
/// opened non-blocking, with its buffers mapped.
pub struct V4l2M2mDevice {
    fd: i32,
    outputs: Vec<Mapping>,
    captures: Vec<Mapping>,
}

impl std::fmt::Debug for V4l2M2mDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V4l2M2mDevice")
            .field("fd", &self.fd)
            .field("outputs", &self.outputs.len())
            .field("captures", &self.captures.len())
            .finish()
    }
}

impl V4l2M2mDevice {
    /// Opens the device node at `path`.
    ///
    /// # Errors
    /// As [`super::map_error`] for the open.
    pub fn open(path: impl AsRef<Path>) -> Result<V4l2M2mDevice> {
        let path = path.as_ref();
        if path.as_os_str().as_encoded_bytes().contains(&0) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "device path holds a NUL byte",
            ));
        }
        let fd = v4l2::open(path, libc::O_RDWR | libc::O_NONBLOCK)
            .map_err(|e| super::map_error(e, &format!("open {}", quote_path(path))))?;
        Ok(V4l2M2mDevice {
            fd,
            outputs: Vec::new(),
            captures: Vec::new(),
        })
    }

    fn ioctl<T>(&mut self, request: vidioc::_IOC_TYPE, arg: &mut T) -> io::Result<()> {
        // SAFETY: `arg` is the struct `request` expects, fully initialised
        // and live for the call; the kernel writes at most its size.
        unsafe { v4l2::ioctl(self.fd, request, (arg as *mut T).cast()) }
    }
}

impl Drop for V4l2M2mDevice {
    fn drop(&mut self) {
        for queue in [Queue::Output, Queue::Capture] {
            let _ = self.stream(queue, false);
        }
        self.outputs.clear();
        self.captures.clear();
        let _ = v4l2::close(self.fd);
    }
}

impl M2mDevice for V4l2M2mDevice {
    fn capabilities(&mut self) -> io::Result<M2mCaps> {
        // SAFETY: an all-zero v4l2_capability is valid.
        let mut caps: v4l2_capability = unsafe { std::mem::zeroed() };
        self.ioctl(vidioc::VIDIOC_QUERYCAP, &mut caps)?;
        let flags = if caps.capabilities & CAP_DEVICE_CAPS != 0 {
            caps.device_caps
        } else {
            caps.capabilities
        };
        let end = caps
            .driver
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(caps.driver.len());
        Ok(M2mCaps {
            driver: String::from_utf8_lossy(&caps.driver[..end]).into_owned(),
            m2m_mplane: flags & CAP_VIDEO_M2M_MPLANE != 0,
            streaming: flags & CAP_STREAMING != 0,
        })
    }

    fn set_format(&mut self, queue: Queue, want: PlaneFormat) -> io::Result<PlaneFormat> {
        // SAFETY: an all-zero v4l2_format is valid; only the multi-planar
        // member of the union is written and read.
        let mut f: v4l2_format = unsafe { std::mem::zeroed() };
        f.type_ = buf_type(queue);
        unsafe {
            let mp = &mut f.fmt.pix_mp;
            mp.width = want.width;
            mp.height = want.height;
            mp.pixelformat = u32::from_le_bytes(want.fourcc);
            mp.num_planes = 1;
            mp.plane_fmt[0].bytesperline = want.bytes_per_line;
            mp.plane_fmt[0].sizeimage = want.size_image;
        }
        self.ioctl(vidioc::VIDIOC_S_FMT, &mut f)?;
        // SAFETY: the driver filled the multi-planar member for this type.
        let mp = unsafe { f.fmt.pix_mp };
        Ok(PlaneFormat {
            fourcc: mp.pixelformat.to_le_bytes(),
            width: mp.width,
            height: mp.height,
            bytes_per_line: mp.plane_fmt[0].bytesperline,
            size_image: mp.plane_fmt[0].sizeimage,
        })
    }

    fn set_control(&mut self, id: u32, value: i32) -> io::Result<()> {
        // SAFETY: all-zero control structs are valid.
        let mut control: v4l2_ext_control = unsafe { std::mem::zeroed() };
        control.id = id;
        control.__bindgen_anon_1.value = value;
        let mut controls: v4l2_ext_controls = unsafe { std::mem::zeroed() };
        controls.__bindgen_anon_1.ctrl_class = CTRL_CLASS_CODEC;
        controls.count = 1;
        controls.controls = &mut control;
        self.ioctl(vidioc::VIDIOC_S_EXT_CTRLS, &mut controls)
    }

    fn allocate(&mut self, queue: Queue, count: u32) -> io::Result<u32> {
        // SAFETY: an all-zero v4l2_requestbuffers is valid.
        let mut req: v4l2_requestbuffers = unsafe { std::mem::zeroed() };
        req.count = count;
        req.type_ = buf_type(queue);
        req.memory = MEMORY_MMAP;
        self.ioctl(vidioc::VIDIOC_REQBUFS, &mut req)?;
        let mut maps = Vec::new();
        for index in 0..req.count {
            // SAFETY: all-zero buffer and plane structs are valid; the
            // plane pointer lives across the ioctl.
            let mut plane: v4l2_plane = unsafe { std::mem::zeroed() };
            let mut buf: v4l2_buffer = unsafe { std::mem::zeroed() };
            buf.index = index;
            buf.type_ = buf_type(queue);
            buf.memory = MEMORY_MMAP;
            buf.length = 1;
            buf.m.planes = &mut plane;
            self.ioctl(vidioc::VIDIOC_QUERYBUF, &mut buf)?;
            let len = plane.length as usize;
            // SAFETY: maps `len` bytes at the offset the driver gave for
            // this buffer; the result is checked before use.
            let ptr = unsafe {
                v4l2::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED,
                    self.fd,
                    plane.m.mem_offset as libc::off_t,
                )
            }?;
            maps.push(Mapping { ptr, len });
        }
        match queue {
            Queue::Output => self.outputs = maps,
            Queue::Capture => self.captures = maps,
        }
        Ok(req.count)
    }

    fn buffer(&mut self, queue: Queue, index: u32) -> io::Result<&mut [u8]> {
        let maps = match queue {
            Queue::Output => &mut self.outputs,
            Queue::Capture => &mut self.captures,
        };
        let m = maps
            .get_mut(index as usize)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
        // SAFETY: the mapping is `len` bytes, live until it is dropped,
        // and borrowed mutably through `&mut self`.
        Ok(unsafe { std::slice::from_raw_parts_mut(m.ptr.cast::<u8>(), m.len) })
    }

    fn enqueue(
        &mut self,
        queue: Queue,
        index: u32,
        bytes_used: usize,
        timestamp: Duration,
    ) -> io::Result<()> {
        // SAFETY: all-zero buffer and plane structs are valid.
        let mut plane: v4l2_plane = unsafe { std::mem::zeroed() };
        plane.bytesused = u32::try_from(bytes_used).map_err(io::Error::other)?;
        let mut buf: v4l2_buffer = unsafe { std::mem::zeroed() };
        buf.index = index;
        buf.type_ = buf_type(queue);
        buf.memory = MEMORY_MMAP;
        buf.length = 1;
        buf.m.planes = &mut plane;
        buf.timestamp = timeval {
            tv_sec: timestamp.as_secs() as _,
            tv_usec: timestamp.subsec_micros() as _,
        };
        self.ioctl(vidioc::VIDIOC_QBUF, &mut buf)
    }

    fn dequeue(&mut self, queue: Queue, timeout: Duration) -> io::Result<Dequeued> {
        let start = Instant::now();
        loop {
            // SAFETY: all-zero buffer and plane structs are valid.
            let mut plane: v4l2_plane = unsafe { std::mem::zeroed() };
            let mut buf: v4l2_buffer = unsafe { std::mem::zeroed() };
            buf.type_ = buf_type(queue);
            buf.memory = MEMORY_MMAP;
            buf.length = 1;
            buf.m.planes = &mut plane;
            match self.ioctl(vidioc::VIDIOC_DQBUF, &mut buf) {
                Ok(()) => {
                    return Ok(Dequeued {
                        index: buf.index,
                        bytes_used: plane.bytesused as usize,
                        key_frame: buf.flags & BUF_FLAG_KEYFRAME != 0,
                        error: buf.flags & BUF_FLAG_ERROR != 0,
                    });
                }
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => {
                    if start.elapsed() >= timeout {
                        return Err(io::Error::from(io::ErrorKind::TimedOut));
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn stream(&mut self, queue: Queue, on: bool) -> io::Result<()> {
        let mut t = buf_type(queue) as i32;
        let request = if on {
            vidioc::VIDIOC_STREAMON
        } else {
            vidioc::VIDIOC_STREAMOFF
        };
        self.ioctl(request, &mut t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::h264::v4l2m2m::cid;

    #[test]
    fn constants_match_the_kernel_headers() {
        use v4l::v4l_sys as sys;
        assert_eq!(cid::BITRATE, sys::V4L2_CID_MPEG_VIDEO_BITRATE);
        assert_eq!(cid::BITRATE_MODE, sys::V4L2_CID_MPEG_VIDEO_BITRATE_MODE);
        assert_eq!(
            cid::REPEAT_SEQ_HEADER,
            sys::V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER
        );
        assert_eq!(
            cid::FORCE_KEY_FRAME,
            sys::V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME
        );
        assert_eq!(cid::H264_MIN_QP, sys::V4L2_CID_MPEG_VIDEO_H264_MIN_QP);
        assert_eq!(cid::H264_MAX_QP, sys::V4L2_CID_MPEG_VIDEO_H264_MAX_QP);
        assert_eq!(cid::H264_I_PERIOD, sys::V4L2_CID_MPEG_VIDEO_H264_I_PERIOD);
        assert_eq!(CAP_VIDEO_M2M_MPLANE, sys::V4L2_CAP_VIDEO_M2M_MPLANE);
        assert_eq!(CAP_STREAMING, sys::V4L2_CAP_STREAMING);
        assert_eq!(BUF_FLAG_KEYFRAME, sys::V4L2_BUF_FLAG_KEYFRAME);
        assert_eq!(BUF_FLAG_ERROR, sys::V4L2_BUF_FLAG_ERROR);
        assert_eq!(
            BUF_TYPE_VIDEO_OUTPUT_MPLANE,
            sys::v4l2_buf_type_V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE
        );
        assert_eq!(
            BUF_TYPE_VIDEO_CAPTURE_MPLANE,
            sys::v4l2_buf_type_V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE
        );
        assert_eq!(MEMORY_MMAP, sys::v4l2_memory_V4L2_MEMORY_MMAP);
    }

    #[test]
    fn missing_device_is_an_io_error() {
        let e = V4l2M2mDevice::open("/dev/camreel-no-such-device").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(e.to_string().contains("/dev/camreel-no-such-device"), "{e}");
    }

    /// Encodes frames with the Pi's encoder and checks what comes out.
    #[test]
    #[ignore = "needs /dev/video11"]
    fn hardware_encoder_encodes() {
        use crate::frame::Frame;
        use crate::h264::annexb::AccessUnitInfo;
        use crate::h264::{H264Settings, v4l2m2m::V4l2M2mEncoder};
        use crate::image::{Image, Limits, PixelFormat};
        use crate::video::VideoEncoder;
        let device = V4l2M2mDevice::open("/dev/video11").unwrap();
        let settings = H264Settings::default().intra_period(10);
        let mut enc = V4l2M2mEncoder::new(device, settings).unwrap();
        let img = Image::zeroed(PixelFormat::Yuv420, 640, 480).unwrap();
        for i in 0..20u64 {
            let out = enc
                .encode(&Frame::new(img.view(), i, Duration::from_millis(i * 33)))
                .unwrap()
                .unwrap();
            let info = AccessUnitInfo::of(out.frame.image.data(), &Limits::default()).unwrap();
            assert_eq!(info.key_frame, i % 10 == 0, "frame {i}");
            if info.key_frame {
                let sps = info.sps.unwrap();
                assert_eq!((sps.width, sps.height), (640, 480));
            }
        }
    }
}
