//! [`H264Encoder`]: Cisco's openh264 as a [`VideoEncoder`].

use std::fmt;

use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate as OhFrameRate, FrameType,
    IntraFramePeriod, QpRange, RateControlMode, SpsPpsStrategy, UsageType,
};
use openh264::formats::YUVSource;
use openh264::{OpenH264API, Timestamp};

use super::settings::{H264Settings, RateControl};
use crate::camera::Frame;
use crate::convert::ConvertOptions;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, PixelFormat};
use crate::video::{EncodedFrame, OutputCounter, VideoEncoder, VideoFrameType};

/// An H.264 encoder (Constrained Baseline, 4:2:0) built on openh264.
///
/// Takes any uncompressed camreel format, and JPEG/PNG frames (decoded
/// first): YUV420 frames are read straight from their planes, NV12 frames
/// are split into planes, other formats are converted to YUV420 with
/// [`crate::convert`]; both into buffers reused from frame to frame. Width
/// and height must be even. Every key frame is an IDR picture with its SPS
/// and PPS in front, so a player can start at any key frame.
///
/// ```
/// use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
/// use camreel::h264::{H264Encoder, H264Settings};
/// use camreel::video::VideoEncoder;
/// use camreel::PixelFormat;
///
/// let mut cam = SyntheticCamera::builder().size(64, 48).format(PixelFormat::Yuv420).frame_limit(4).build()?;
/// let mut enc = H264Encoder::new(H264Settings::default().intra_period(2))?;
/// let mut keys = Vec::new();
/// while let Some(frame) = cam.next_frame()? {
///     if let Some(out) = enc.encode(&frame)? {
///         assert_eq!(out.frame.image.format(), PixelFormat::H264);
///         keys.push(out.info.key_frame());
///     }
/// }
/// assert_eq!(keys, [true, false, true, false]);
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct H264Encoder {
    settings: H264Settings,
    inner: Encoder,
    /// The encoded access unit.
    out: Image,
    /// YUV420 planes of inputs in other formats.
    planes: Image,
    convert: ConvertOptions,
    counter: OutputCounter,
    key_requested: bool,
    size: Option<(u32, u32)>,
}

impl fmt::Debug for H264Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("H264Encoder")
            .field("settings", &self.settings)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// The three planes of a YUV 4:2:0 picture with even sides, as openh264
/// reads them.
struct Planes<'a> {
    width: usize,
    height: usize,
    y: &'a [u8],
    u: &'a [u8],
    v: &'a [u8],
}

impl YUVSource for Planes<'_> {
    fn dimensions(&self) -> (usize, usize) {
        (self.width, self.height)
    }
    fn strides(&self) -> (usize, usize, usize) {
        (self.width, self.width / 2, self.width / 2)
    }
    fn y(&self) -> &[u8] {
        self.y
    }
    fn u(&self) -> &[u8] {
        self.u
    }
    fn v(&self) -> &[u8] {
        self.v
    }
}

fn oh_error(what: &str, e: openh264::Error) -> Error {
    Error::with_source(
        ErrorKind::InvalidArgument,
        format!("openh264 {what}"),
        e.to_string(),
    )
}

fn config(settings: &H264Settings) -> EncoderConfig {
    let fps = settings.frame_rate.fps() as f32;
    let config = EncoderConfig::new()
        .usage_type(UsageType::CameraVideoRealTime)
        .max_frame_rate(OhFrameRate::from_hz(fps))
        .skip_frames(false)
        .sps_pps_strategy(SpsPpsStrategy::ConstantId)
        .complexity(Complexity::Low)
        .scene_change_detect(false)
        .background_detection(false)
        .intra_frame_period(IntraFramePeriod::from_num_frames(settings.intra_period))
        .num_threads(settings.threads);
    // openh264 codes slices in parallel, one thread each: with more than
    // one thread, cut pictures into slices of about a thread's share of a
    // frame's bytes (at least an Ethernet MTU).
    let config = match (settings.threads, settings.rate_control) {
        (1, _) => config,
        (t, RateControl::Bitrate(bps)) => {
            let per_frame = f64::from(bps) / 8.0 / settings.frame_rate.fps();
            config.max_slice_len(((per_frame / f64::from(t)) as u32).clamp(1500, 64_000))
        }
        (t, RateControl::Quantizer(_)) => config.max_slice_len((16_000 / u32::from(t)).max(1500)),
    };
    match settings.rate_control {
        RateControl::Bitrate(bps) => config
            .rate_control_mode(RateControlMode::Bitrate)
            .bitrate(BitRate::from_bps(bps)),
        RateControl::Quantizer(q) => config
            .rate_control_mode(RateControlMode::Quality)
            .bitrate(BitRate::from_bps(240_000_000))
            .qp(QpRange::new(q, q)),
    }
}

/// Turns openh264's log off: it prints warnings on stderr otherwise.
#[allow(unsafe_code)]
fn quiet(encoder: &mut Encoder) {
    let mut level = openh264_sys2::WELS_LOG_QUIET;
    // SAFETY: the encoder was created (its vtable is valid) and openh264
    // accepts the trace level before it is initialised; the pointer is to a
    // live int, which SetOption only reads.
    unsafe {
        encoder.raw_api().set_option(
            openh264_sys2::ENCODER_OPTION_TRACE_LEVEL,
            (&raw mut level).cast(),
        );
    }
}

impl H264Encoder {
    /// An encoder with `settings`; the picture size is taken from the first
    /// frame.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for settings out of range or if
    /// openh264 fails to start.
    pub fn new(settings: H264Settings) -> Result<H264Encoder> {
        settings.validate()?;
        let mut inner = Encoder::with_api_config(OpenH264API::from_source(), config(&settings))
            .map_err(|e| oh_error("encoder did not start", e))?;
        quiet(&mut inner);
        Ok(H264Encoder {
            settings,
            inner,
            out: Image::empty(),
            planes: Image::empty(),
            convert: ConvertOptions::default(),
            counter: OutputCounter::default(),
            key_requested: false,
            size: None,
        })
    }

    /// The settings.
    pub fn settings(&self) -> &H264Settings {
        &self.settings
    }

    /// Options for converting inputs that are not YUV420 or NV12 (limits,
    /// demosaicing).
    pub fn set_convert_options(&mut self, options: ConvertOptions) {
        self.convert = options;
    }

    /// The picture size, once a frame was encoded.
    pub fn size(&self) -> Option<(u32, u32)> {
        self.size
    }
}

/// Splits the interleaved chroma of an NV12 picture into I420 planes in `dst`.
fn nv12_to_i420(src: ImageRef<'_>, dst: &mut Image) -> Result<()> {
    let (w, h) = src.size();
    dst.reshape(PixelFormat::Yuv420, w, h)?;
    let luma = w as usize * h as usize;
    let chroma = luma / 4;
    let data = src.data();
    let out = dst.data_mut();
    out[..luma].copy_from_slice(&data[..luma]);
    let (u, v) = out[luma..].split_at_mut(chroma);
    for ((pair, u), v) in data[luma..luma + 2 * chroma]
        .chunks_exact(2)
        .zip(u.iter_mut())
        .zip(v.iter_mut())
    {
        *u = pair[0];
        *v = pair[1];
    }
    Ok(())
}

impl VideoEncoder for H264Encoder {
    fn format(&self) -> PixelFormat {
        PixelFormat::H264
    }

    fn encode<'a>(&'a mut self, frame: &Frame<'a>) -> Result<Option<EncodedFrame<'a>>> {
        let src = frame.image;
        let (width, height) = src.size();
        if src.format() == PixelFormat::H264 {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                "frame is already H264 (write it to the output as it is)",
            ));
        }
        super::settings::check_size(width, height)?;
        let yuv = match src.format() {
            PixelFormat::Yuv420 => src,
            PixelFormat::Nv12 => {
                nv12_to_i420(src, &mut self.planes)?;
                self.planes.view()
            }
            _ => {
                let opts = crate::codec::TranscodeOptions::default().with_convert(self.convert);
                crate::codec::transcode_with(src, PixelFormat::Yuv420, &opts, &mut self.planes)?;
                self.planes.view()
            }
        };
        let Some((y, u, v)) = yuv.yuv420_planes() else {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                "yuv420 planes expected",
            ));
        };
        if self.size.is_some_and(|s| s != (width, height)) {
            // openh264 starts over at a new size, with a key frame.
            self.key_requested = true;
        }
        self.size = Some((width, height));
        if std::mem::take(&mut self.key_requested) {
            self.inner.force_intra_frame();
        }
        let planes = Planes {
            width: width as usize,
            height: height as usize,
            y,
            u,
            v,
        };
        let millis = u64::try_from(frame.timestamp.as_millis()).unwrap_or(u64::MAX / 2);
        let bits = self
            .inner
            .encode_at(&planes, Timestamp::from_millis(millis))
            .map_err(|e| oh_error(&format!("failed on frame {}", frame.sequence), e))?;
        let frame_type = match bits.frame_type() {
            FrameType::IDR => VideoFrameType::Key,
            FrameType::I | FrameType::P | FrameType::IPMixed => VideoFrameType::Delta,
            FrameType::Skip => return Ok(None),
            FrameType::Invalid => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("openh264 gave no picture for frame {}", frame.sequence),
                ));
            }
        };
        let mut header_size = 0;
        for i in 0..bits.num_layers() {
            if let Some(layer) = bits.layer(i)
                && !layer.is_video()
            {
                header_size += (0..layer.nal_count())
                    .filter_map(|n| layer.nal_unit(n))
                    .map(<[u8]>::len)
                    .sum::<usize>();
            }
        }
        self.out
            .set_encoded(PixelFormat::H264, width, height, |buf| {
                bits.write_vec(buf);
                Ok(())
            })?;
        let image = self.out.view();
        let info = self
            .counter
            .next(frame_type, image.data().len(), header_size, frame.timestamp);
        Ok(Some(EncodedFrame {
            frame: Frame {
                image,
                sequence: frame.sequence,
                timestamp: frame.timestamp,
            },
            info,
        }))
    }

    fn request_key_frame(&mut self) {
        self.key_requested = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::h264::annexb::{AccessUnitInfo, NalType, nal_units};
    use crate::image::Limits;
    use std::time::Duration;

    fn frame(image: &Image, i: u64) -> Frame<'_> {
        Frame {
            image: image.view(),
            sequence: i,
            timestamp: Duration::from_micros(i * 33_367),
        }
    }

    fn gradient(format: PixelFormat, w: u32, h: u32, t: u32) -> Image {
        let mut rgb = Image::zeroed(PixelFormat::Rgb888, w, h).unwrap();
        for (i, px) in rgb.data_mut().chunks_exact_mut(3).enumerate() {
            let (x, y) = (i as u32 % w, i as u32 / w);
            px.copy_from_slice(&[(x * 4 + t) as u8, (y * 4) as u8, ((x + y + t) * 2) as u8]);
        }
        crate::convert::convert(rgb.view(), format).unwrap()
    }

    #[test]
    fn key_frames_carry_parameter_sets_at_the_intra_period() {
        let mut enc = H264Encoder::new(H264Settings::default().intra_period(5)).unwrap();
        let mut position = 0;
        for i in 0..14u64 {
            let img = gradient(PixelFormat::Yuv420, 64, 48, i as u32);
            if i == 7 {
                enc.request_key_frame();
            }
            let out = enc.encode(&frame(&img, i)).unwrap().unwrap();
            let au = out.frame.image.data();
            let info = AccessUnitInfo::of(au, &Limits::default()).unwrap();
            // A requested key frame starts the period over.
            let key = matches!(i, 0 | 5 | 7 | 12);
            assert_eq!(out.info.key_frame(), key, "frame {i}");
            assert_eq!(info.key_frame, key, "frame {i}");
            assert_eq!(out.info.position, position);
            position += au.len() as u64;
            let types: Vec<_> = nal_units(au).map(|n| n.unwrap().nal_type()).collect();
            if key {
                assert_eq!(&types[..2], [NalType::Sps, NalType::Pps], "frame {i}");
                assert_eq!(out.info.header_size, info.header_bytes);
                let sps = info.sps.unwrap();
                assert_eq!((sps.width, sps.height), (64, 48));
            } else {
                assert_eq!(out.info.header_size, 0);
                assert!(info.sps.is_none());
            }
        }
    }

    #[test]
    fn every_input_format_encodes() {
        for format in [
            PixelFormat::Yuv420,
            PixelFormat::Nv12,
            PixelFormat::Rgb888,
            PixelFormat::Yuv422,
            PixelFormat::Grayscale,
        ] {
            let mut enc = H264Encoder::new(H264Settings::default()).unwrap();
            let img = gradient(format, 32, 16, 0);
            let out = enc.encode(&frame(&img, 3)).unwrap().unwrap();
            assert_eq!(out.frame.image.size(), (32, 16), "{format}");
            assert_eq!(out.frame.sequence, 3);
        }
    }

    #[test]
    fn odd_huge_and_encoded_frames_are_refused() {
        let mut enc = H264Encoder::new(H264Settings::default()).unwrap();
        let odd = Image::zeroed(PixelFormat::Yuv420, 33, 16).unwrap();
        let e = enc.encode(&frame(&odd, 0)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        assert_eq!(
            super::super::settings::check_size(4096, 2160)
                .unwrap_err()
                .kind(),
            ErrorKind::LimitExceeded
        );
        assert!(super::super::settings::check_size(2160, 3840).is_ok());
        let au = Image::new(PixelFormat::H264, 16, 16, vec![0, 0, 1, 0x65]).unwrap();
        let e = enc.encode(&frame(&au, 0)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
    }

    #[test]
    fn quantizer_sets_the_size() {
        let sizes: Vec<usize> = [18u8, 40]
            .into_iter()
            .map(|q| {
                let s = H264Settings::default().rate_control(RateControl::Quantizer(q));
                let mut enc = H264Encoder::new(s).unwrap();
                let img = gradient(PixelFormat::Yuv420, 128, 96, 0);
                enc.encode(&frame(&img, 0))
                    .unwrap()
                    .unwrap()
                    .info
                    .frame_size
            })
            .collect();
        assert!(sizes[0] > 2 * sizes[1], "{sizes:?}");
    }
}
