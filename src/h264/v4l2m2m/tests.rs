//! [`V4l2M2mEncoder`] against a mock device at the ioctl boundary: a
//! fake bcm2835-codec that aligns strides, emits parameter sets in their
//! own buffer before each key frame, and can fail on request.

use std::collections::VecDeque;

use super::*;

const SPS_PPS: [u8; 26] = [
    0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x68, 0x0a, 0x03, 0xda, 0x01, 0xe1, 0x10, 0x8d, 0x40,
    0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80,
];

#[derive(Default)]
struct Mock {
    caps: M2mCaps,
    calls: Vec<String>,
    controls: Vec<(u32, i32)>,
    stride_align: u32,
    encodes_as: Option<[u8; 4]>,
    outputs: Vec<Vec<u8>>,
    captures: Vec<Vec<u8>>,
    /// Capture buffers the driver holds (queued by us, empty).
    capture_queue: VecDeque<u32>,
    /// Filled capture buffers ready to dequeue.
    ready: VecDeque<Dequeued>,
    /// Raw buffers consumed, ready to give back.
    done_outputs: VecDeque<u32>,
    frames: u32,
    period: u32,
    force: bool,
    /// The raw bytes of the last frame queued.
    last_raw: Vec<u8>,
    fail_dequeue: Option<i32>,
}

impl Mock {
    fn pi() -> Mock {
        Mock {
            caps: M2mCaps {
                driver: "bcm2835-codec".into(),
                m2m_mplane: true,
                streaming: true,
            },
            stride_align: 32,
            encodes_as: Some(*b"H264"),
            period: 3,
            ..Mock::default()
        }
    }

    fn emit(&mut self, data: &[u8], key: bool) {
        let Some(index) = self.capture_queue.pop_front() else {
            return;
        };
        let buf = &mut self.captures[index as usize];
        buf[..data.len()].copy_from_slice(data);
        self.ready.push_back(Dequeued {
            index,
            bytes_used: data.len(),
            key_frame: key,
            error: false,
        });
    }
}

impl M2mDevice for Mock {
    fn capabilities(&mut self) -> io::Result<M2mCaps> {
        self.calls.push("querycap".into());
        Ok(self.caps.clone())
    }

    fn set_format(&mut self, queue: Queue, want: PlaneFormat) -> io::Result<PlaneFormat> {
        self.calls.push(format!(
            "s_fmt {queue:?} {}",
            String::from_utf8_lossy(&want.fourcc)
        ));
        Ok(match queue {
            Queue::Output => PlaneFormat {
                bytes_per_line: want.width.next_multiple_of(self.stride_align),
                size_image: want.width.next_multiple_of(self.stride_align) * want.height * 3 / 2,
                ..want
            },
            Queue::Capture => PlaneFormat {
                fourcc: self.encodes_as.unwrap_or(want.fourcc),
                size_image: 1 << 16,
                ..want
            },
        })
    }

    fn set_control(&mut self, id: u32, value: i32) -> io::Result<()> {
        self.controls.push((id, value));
        if id == cid::FORCE_KEY_FRAME {
            self.force = true;
        }
        if id == cid::H264_I_PERIOD {
            self.period = value as u32;
        }
        Ok(())
    }

    fn allocate(&mut self, queue: Queue, count: u32) -> io::Result<u32> {
        self.calls.push(format!("reqbufs {queue:?} {count}"));
        match queue {
            Queue::Output => self.outputs = vec![vec![0; 64 * 48 * 2]; count as usize],
            Queue::Capture => self.captures = vec![vec![0; 1 << 16]; count as usize],
        }
        Ok(count)
    }

    fn buffer(&mut self, queue: Queue, index: u32) -> io::Result<&mut [u8]> {
        let bufs = match queue {
            Queue::Output => &mut self.outputs,
            Queue::Capture => &mut self.captures,
        };
        bufs.get_mut(index as usize)
            .map(Vec::as_mut_slice)
            .ok_or_else(|| io::Error::from_raw_os_error(22))
    }

    fn enqueue(
        &mut self,
        queue: Queue,
        index: u32,
        bytes_used: usize,
        _: Duration,
    ) -> io::Result<()> {
        match queue {
            Queue::Capture => self.capture_queue.push_back(index),
            Queue::Output => {
                self.last_raw = self.outputs[index as usize][..bytes_used].to_vec();
                let key = self.frames.is_multiple_of(self.period.max(1))
                    || std::mem::take(&mut self.force);
                if key {
                    self.emit(&SPS_PPS, false);
                    self.emit(&[0, 0, 0, 1, 0x65, 0x88, 0x80], true);
                } else {
                    self.emit(&[0, 0, 0, 1, 0x41, 0x9a, 0x80], false);
                }
                self.frames += 1;
                self.done_outputs.push_back(index);
            }
        }
        Ok(())
    }

    fn dequeue(&mut self, queue: Queue, _: Duration) -> io::Result<Dequeued> {
        if let Some(errno) = self.fail_dequeue {
            return Err(io::Error::from_raw_os_error(errno));
        }
        let got = match queue {
            Queue::Capture => self.ready.pop_front(),
            Queue::Output => self.done_outputs.pop_front().map(|index| Dequeued {
                index,
                bytes_used: 0,
                key_frame: false,
                error: false,
            }),
        };
        got.ok_or_else(|| io::Error::from(io::ErrorKind::TimedOut))
    }

    fn stream(&mut self, queue: Queue, on: bool) -> io::Result<()> {
        self.calls.push(format!("stream {queue:?} {on}"));
        Ok(())
    }
}

fn yuv(w: u32, h: u32) -> Image {
    let mut img = Image::zeroed(PixelFormat::Yuv420, w, h).unwrap();
    for (i, b) in img.data_mut().iter_mut().enumerate() {
        *b = i as u8;
    }
    img
}

fn settings() -> H264Settings {
    H264Settings::default()
        .intra_period(3)
        .rate_control(RateControl::Bitrate(1_000_000))
}

#[test]
fn negotiates_sets_controls_and_starts_once() {
    let mut enc = V4l2M2mEncoder::new(Mock::pi(), settings()).unwrap();
    let img = yuv(40, 16);
    for i in 0..3 {
        enc.encode(&Frame::new(img.view(), i, Duration::ZERO))
            .unwrap()
            .unwrap();
    }
    let mock = enc.get_ref();
    assert_eq!(
        mock.calls,
        [
            "querycap",
            "s_fmt Output YU12",
            "s_fmt Capture H264",
            "reqbufs Output 2",
            "reqbufs Capture 4",
            "stream Output true",
            "stream Capture true"
        ]
    );
    assert!(mock.controls.contains(&(cid::REPEAT_SEQ_HEADER, 1)));
    assert!(mock.controls.contains(&(cid::H264_I_PERIOD, 3)));
    assert!(mock.controls.contains(&(cid::BITRATE, 1_000_000)));
    // Rows of 40 pixels in a 64-byte stride, then the chroma planes.
    let raw = &mock.last_raw;
    assert_eq!(raw.len(), 64 * 16 + 2 * 32 * 8);
    assert_eq!(&raw[64..104], &img.data()[40..80]);
    let u = &img.data()[40 * 16..40 * 16 + 20 * 8];
    assert_eq!(&raw[64 * 16 + 32..64 * 16 + 52], &u[20..40]);
}

#[test]
fn parameter_sets_join_their_key_frame() {
    let mut enc = V4l2M2mEncoder::new(Mock::pi(), settings()).unwrap();
    let img = yuv(32, 16);
    let mut types = Vec::new();
    let mut position = 0;
    for i in 0..7u64 {
        if i == 4 {
            enc.request_key_frame();
        }
        let out = enc
            .encode(&Frame::new(img.view(), i, Duration::from_millis(i * 40)))
            .unwrap()
            .unwrap();
        assert_eq!(out.info.position, position);
        position += out.info.frame_size as u64;
        assert_eq!(out.frame.timestamp, Duration::from_millis(i * 40));
        if out.info.key_frame() {
            assert_eq!(&out.frame.image.data()[..SPS_PPS.len()], SPS_PPS);
            assert_eq!(out.info.header_size, SPS_PPS.len());
        }
        types.push(out.info.key_frame());
    }
    // Key frames at the period (0, 3, 6) and the requested one (4).
    assert_eq!(types, [true, false, false, true, true, false, true]);
    assert!(enc.get_ref().controls.contains(&(cid::FORCE_KEY_FRAME, 1)));
}

#[test]
fn rgb_frames_are_converted_and_quantizer_sets_qp() {
    let s = settings().rate_control(RateControl::Quantizer(25));
    let mut enc = V4l2M2mEncoder::new(Mock::pi(), s).unwrap();
    let rgb = Image::zeroed(PixelFormat::Rgb888, 32, 16).unwrap();
    let out = enc
        .encode(&Frame::new(rgb.view(), 0, Duration::ZERO))
        .unwrap()
        .unwrap();
    assert!(out.info.key_frame());
    let c = &enc.get_ref().controls;
    assert!(c.contains(&(cid::H264_MIN_QP, 25)) && c.contains(&(cid::H264_MAX_QP, 25)));
    // Black in limited-range YUV: Y 16, chroma 128.
    assert_eq!(enc.get_ref().last_raw[0], 16);
}

#[test]
fn errors_map_to_kinds() {
    let mut not_m2m = Mock::pi();
    not_m2m.caps.m2m_mplane = false;
    let e = V4l2M2mEncoder::new(not_m2m, settings()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BackendUnavailable);
    assert!(e.to_string().contains("bcm2835-codec"), "{e}");

    let mut mjpeg = Mock::pi();
    mjpeg.encodes_as = Some(*b"MJPG");
    let mut enc = V4l2M2mEncoder::new(mjpeg, settings()).unwrap();
    let img = yuv(32, 16);
    let e = enc
        .encode(&Frame::new(img.view(), 0, Duration::ZERO))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
    assert!(e.to_string().contains("MJPG"), "{e}");

    for (errno, kind) in [
        (19, ErrorKind::Disconnected),
        (110, ErrorKind::Timeout),
        (16, ErrorKind::BackendUnavailable),
        (5, ErrorKind::Io),
    ] {
        let mut mock = Mock::pi();
        mock.fail_dequeue = Some(errno);
        let mut enc = V4l2M2mEncoder::new(mock, settings()).unwrap();
        let e = enc
            .encode(&Frame::new(img.view(), 9, Duration::ZERO))
            .unwrap_err();
        assert_eq!(e.kind(), kind, "errno {errno}: {e}");
        assert!(
            e.to_string().starts_with("v4l2 encoder: wait for frame 9"),
            "{e}"
        );
    }

    let mut enc = V4l2M2mEncoder::new(Mock::pi(), settings()).unwrap();
    let odd = Image::zeroed(PixelFormat::Yuv420, 31, 16).unwrap();
    let e = enc
        .encode(&Frame::new(odd.view(), 0, Duration::ZERO))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
    enc.encode(&Frame::new(img.view(), 0, Duration::ZERO))
        .unwrap();
    let other = yuv(64, 16);
    let e = enc
        .encode(&Frame::new(other.view(), 1, Duration::ZERO))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
}

#[test]
fn writers_take_the_hardware_encoder() {
    use crate::h264::H264Writer;
    use crate::sink::FrameSink;
    let enc = V4l2M2mEncoder::new(Mock::pi(), settings()).unwrap();
    let mut w = H264Writer::with_encoder(Vec::new(), Box::new(enc)).unwrap();
    let img = yuv(32, 16);
    for i in 0..4 {
        w.write_frame(&Frame::new(img.view(), i, Duration::ZERO))
            .unwrap();
    }
    let bytes = w.into_inner().unwrap();
    let units: Vec<_> = crate::h264::annexb::AccessUnits::new(&bytes)
        .map(|u| u.unwrap().1.key_frame)
        .collect();
    assert_eq!(units, [true, false, false, true]);
}

#[test]
fn open_encoder_falls_back_to_software() {
    let got = open_encoder(H264Settings::default());
    #[cfg(feature = "h264")]
    {
        let (enc, name) = got.unwrap();
        assert_eq!(enc.format(), PixelFormat::H264);
        // No /dev/video11 here (or no `rpi`): openh264.
        if !std::path::Path::new("/dev/video11").exists() {
            assert_eq!(name, "openh264");
        }
    }
    #[cfg(not(feature = "h264"))]
    if !std::path::Path::new("/dev/video11").exists() {
        let Err(e) = got else {
            panic!("an encoder without h264 or rpi")
        };
        assert_eq!(e.kind(), ErrorKind::BackendUnavailable);
        assert!(e.to_string().contains("`h264` cargo feature"), "{e}");
    }
}
