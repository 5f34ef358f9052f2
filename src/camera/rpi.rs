//! Raspberry Pi camera: picamera capture layouts over any camera source.
//!
//! [`PiCamera`] wraps a [`CameraSource`] and produces the buffers picamera's
//! `capture(output, format)` gives: `'yuv'` (YUV420 planes padded to 32x16),
//! `'rgb'`/`'bgr'` (rows padded to 32x16), `'jpeg'`, and `'jpeg'` with
//! `bayer=True` (the JPEG with a raw Bayer block appended: `BRCM` header,
//! RAW10 rows in the OV5647 or IMX219 layout; see [`crate::raw`]).
//!
//! On a Pi the source is the camera's V4L2 node (the libcamera V4L2
//! compatibility layer or the legacy `bcm2835-v4l2` driver; feature `rpi`,
//! [`DEFAULT_DEVICE`]); anywhere else [`PiCamera::emulator`] puts it on the
//! synthetic camera, so every picamera recipe runs, byte layout for byte
//! layout, on a laptop. The camera LED and a GPIO trigger input are behind
//! the small [`Indicator`] and [`TriggerInput`] traits, implemented with
//! `rppal` under the `rpi` feature (`GpioLed`,
//! `GpioTrigger`); [`capture_on_trigger`] is the logic above them.
//!
//! ```
//! use camreel::camera::rpi::{PiCamera, PiFormat};
//! use camreel::raw;
//!
//! let mut camera = PiCamera::emulator(100, 100, 1)?;
//! let data = camera.capture_bytes(PiFormat::Rgb)?;
//! assert_eq!(data.len(), 128 * 112 * 3); // padded, as on a Pi
//! let image = raw::crop_rgb(&data, 100, 100, camreel::PixelFormat::Rgb888)?;
//! assert_eq!(image.size(), (100, 100));
//! # Ok::<(), camreel::Error>(())
//! ```

use std::io::Write;
use std::time::Duration;

use super::synthetic::SyntheticCamera;
use super::{CameraSource, Frame, FrameInfo, StreamFormat};
use crate::capture::{Encoder, JpegCapture, PiRgbEncoder, PiYuvEncoder, RawEncoder};
use crate::error::{Error, ErrorKind, Result};
use crate::image::{BayerOrder, ImageRef, PixelFormat};
use crate::raw::{self, Sensor};

/// The Pi camera's V4L2 node.
pub const DEFAULT_DEVICE: &str = "/dev/video0";

/// The formats of picamera's `capture(output, format)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PiFormat {
    /// `'yuv'`: YUV420 planes padded to 32x16.
    Yuv,
    /// `'rgb'`: interleaved R, G, B rows padded to 32x16.
    Rgb,
    /// `'bgr'`: interleaved B, G, R rows padded to 32x16.
    Bgr,
    /// `'jpeg'`.
    Jpeg,
    /// `'jpeg'` with `bayer=True`: the JPEG followed by the raw Bayer block.
    JpegBayer,
}

impl std::str::FromStr for PiFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<PiFormat> {
        match s.to_ascii_lowercase().as_str() {
            "yuv" | "yuv420" => Ok(PiFormat::Yuv),
            "rgb" => Ok(PiFormat::Rgb),
            "bgr" => Ok(PiFormat::Bgr),
            "jpeg" | "jpg" => Ok(PiFormat::Jpeg),
            "jpeg+bayer" | "bayer" => Ok(PiFormat::JpegBayer),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown picamera format {s:?} (expected yuv, rgb, bgr, jpeg or bayer)"),
            )),
        }
    }
}

/// A camera with picamera's capture layouts. See the [module docs](self).
pub struct PiCamera<S> {
    source: S,
    sensor: Sensor,
    order: BayerOrder,
    raw_source: Option<Box<dyn CameraSource + Send>>,
    emulated_seed: Option<u64>,
    jpeg: Box<dyn Encoder + Send>,
    yuv: PiYuvEncoder,
    rgb: PiRgbEncoder,
    bgr: PiRgbEncoder,
    buf: Vec<u8>,
}

impl<S> std::fmt::Debug for PiCamera<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PiCamera")
            .field("sensor", &self.sensor)
            .field("order", &self.order)
            .field("emulated", &self.emulated_seed.is_some())
            .finish_non_exhaustive()
    }
}

impl PiCamera<SyntheticCamera> {
    /// An emulated Pi camera at `width` x `height` on the synthetic camera
    /// (seeded), with an OV5647 sensor in the order of the picamera docs'
    /// example (GBRG, `bayer_order` 1) for raw captures.
    ///
    /// # Errors
    /// As [`SyntheticBuilder::build`](super::synthetic::SyntheticBuilder::build).
    pub fn emulator(width: u32, height: u32, seed: u64) -> Result<PiCamera<SyntheticCamera>> {
        let source = SyntheticCamera::builder()
            .size(width, height)
            .format(PixelFormat::Rgb888)
            .seed(seed)
            .build()?;
        let mut cam = PiCamera::new(source);
        cam.emulated_seed = Some(seed);
        Ok(cam)
    }
}

/// picamera's default JPEG quality.
pub const DEFAULT_QUALITY: u8 = crate::codec::Quality::DEFAULT.get();

impl<S: CameraSource> PiCamera<S> {
    /// picamera layouts over `source`, JPEG at quality 85. Raw Bayer
    /// captures need [`PiCamera::with_raw_source`] (or the emulator).
    pub fn new(source: S) -> PiCamera<S> {
        let jpeg = match JpegCapture::new(DEFAULT_QUALITY) {
            Ok(j) => j,
            Err(_) => unreachable!("85 is a valid quality"),
        };
        PiCamera {
            source,
            sensor: Sensor::Ov5647,
            order: BayerOrder::Gbrg,
            raw_source: None,
            emulated_seed: None,
            jpeg: Box::new(jpeg),
            yuv: PiYuvEncoder::new(),
            rgb: PiRgbEncoder::rgb(),
            bgr: PiRgbEncoder::bgr(),
            buf: Vec::new(),
        }
    }

    /// The sensor module (raw block layout) and, for an emulated sensor,
    /// its colour-filter order.
    #[must_use]
    pub fn sensor(mut self, sensor: Sensor, order: BayerOrder) -> Self {
        self.sensor = sensor;
        self.order = order;
        self
    }

    /// The source of full-resolution sensor frames for `bayer` captures: a
    /// V4L2 raw node (RAW10, 16-bit or 8-bit Bayer) on a Pi, or any source
    /// of RGB888 frames that the sensor model turns into a mosaic.
    #[must_use]
    pub fn with_raw_source(mut self, raw: impl CameraSource + Send + 'static) -> Self {
        self.raw_source = Some(Box::new(raw));
        self
    }

    /// The JPEG encoder for `'jpeg'` captures of frames that are not already
    /// JPEG (an MJPEG camera's frames are passed through); the default is a
    /// [`JpegCapture`] at quality 85.
    #[must_use]
    pub fn with_jpeg_encoder(mut self, encoder: impl Encoder + Send + 'static) -> Self {
        self.jpeg = Box::new(encoder);
        self
    }

    /// The source.
    pub fn get_ref(&self) -> &S {
        &self.source
    }

    /// The source, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.source
    }

    /// Captures one frame in `format` into `output`.
    ///
    /// Frames are converted as needed (an RGB888 camera gives `'yuv'`
    /// captures through BT.601, a YUV camera `'rgb'` ones).
    ///
    /// # Errors
    /// [`ErrorKind::EndOfStream`] if the source ended;
    /// [`ErrorKind::UnsupportedFormat`] if the source's frames cannot be
    /// converted; the source's, the encoder's and the writer's errors.
    pub fn capture<W: Write + ?Sized>(
        &mut self,
        format: PiFormat,
        output: &mut W,
    ) -> Result<FrameInfo> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let result = self.capture_into(format, &mut buf);
        let written = result.and_then(|info| {
            output
                .write_all(&buf)
                .and_then(|()| output.flush())
                .map_err(|e| Error::io(format!("writing capture of frame {}", info.sequence), e))
                .map(|()| info)
        });
        self.buf = buf;
        written
    }

    /// Captures one frame in `format` and returns the bytes.
    ///
    /// # Errors
    /// As [`PiCamera::capture`].
    pub fn capture_bytes(&mut self, format: PiFormat) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.capture_into(format, &mut out)?;
        Ok(out)
    }

    fn capture_into(&mut self, format: PiFormat, out: &mut Vec<u8>) -> Result<FrameInfo> {
        let frame = self.source.next_frame()?.ok_or_else(|| {
            Error::new(
                ErrorKind::EndOfStream,
                "capture: the camera has no more frames",
            )
        })?;
        let info = frame.info();
        match format {
            PiFormat::Yuv => self.yuv.encode(frame.image, out)?,
            PiFormat::Rgb => self.rgb.encode(frame.image, out)?,
            PiFormat::Bgr => self.bgr.encode(frame.image, out)?,
            PiFormat::Jpeg | PiFormat::JpegBayer => {
                if frame.image.format() == PixelFormat::Jpeg {
                    RawEncoder.encode(frame.image, out)?;
                } else {
                    self.jpeg.encode(frame.image, out)?;
                }
            }
        }
        if format == PiFormat::JpegBayer {
            let block = self.raw_block(info.sequence)?;
            out.extend_from_slice(&block);
        }
        Ok(info)
    }

    /// Builds the raw Bayer block from the next full-resolution sensor frame.
    fn raw_block(&mut self, sequence: u64) -> Result<Vec<u8>> {
        if self.raw_source.is_none()
            && let Some(seed) = self.emulated_seed
        {
            let (w, h) = self.sensor.resolution();
            let sensor = SyntheticCamera::builder()
                .size(w, h)
                .format(PixelFormat::Rgb888)
                .seed(seed)
                .first_sequence(sequence)
                .build()?;
            self.raw_source = Some(Box::new(sensor));
        }
        let sensor = self.sensor;
        let order = self.order;
        let raw = self.raw_source.as_mut().ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedFormat,
                "raw Bayer captures need a raw sensor source (PiCamera::with_raw_source)",
            )
        })?;
        let frame = raw.next_frame()?.ok_or_else(|| {
            Error::new(
                ErrorKind::EndOfStream,
                "raw capture: the sensor source has no more frames",
            )
        })?;
        let (samples, order) = sensor_samples(frame.image, order, frame.sequence)?;
        let (w, h) = sensor.resolution();
        if frame.image.size() != (w, h) {
            return Err(Error::new(
                ErrorKind::InvalidFrameSize,
                format!(
                    "the raw source delivers {}x{} frames, the {} block needs {w}x{h}",
                    frame.image.width(),
                    frame.image.height(),
                    sensor.name()
                ),
            ));
        }
        let header = sensor.header(order);
        raw::build_raw_block(&header, &samples)
    }
}

/// The sensor model: 10-bit samples of a full-resolution frame, row by row,
/// and their colour-filter order. RAW10, 16-bit and 8-bit Bayer frames are
/// taken as they are; RGB888 frames are sampled through the `order` filter
/// and given 10-bit depth (two low bits of deterministic grain).
fn sensor_samples(
    image: ImageRef<'_>,
    order: BayerOrder,
    seed: u64,
) -> Result<(Vec<u16>, BayerOrder)> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let mut samples = Vec::with_capacity(w * h);
    match image.format() {
        PixelFormat::Raw10(o) => {
            let mut unpacked = crate::image::Image::empty();
            crate::convert::raw10::unpack(image, &mut unpacked)?;
            samples.extend(
                unpacked
                    .data()
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]])),
            );
            Ok((samples, o))
        }
        PixelFormat::Bayer16 { order: o, bits } => {
            let shift = u32::from(bits).saturating_sub(10);
            for row in image.rows() {
                samples.extend(
                    row.chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]) >> shift),
                );
            }
            Ok((samples, o))
        }
        PixelFormat::Bayer(o) => {
            for row in image.rows() {
                samples.extend(row.iter().map(|&v| u16::from(v) << 2));
            }
            Ok((samples, o))
        }
        PixelFormat::Rgb888 => {
            let tile = order.tile();
            let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            for (y, row) in image.rows().enumerate() {
                for (x, px) in row.chunks_exact(3).enumerate() {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let c = tile[(y & 1) * 2 + (x & 1)];
                    samples.push((u16::from(px[c]) << 2) | (state & 3) as u16);
                }
            }
            Ok((samples, order))
        }
        other => Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("the sensor model takes RAW10, Bayer or RGB888 frames, not {other}"),
        )),
    }
}

impl<S: CameraSource> CameraSource for PiCamera<S> {
    fn format(&self) -> StreamFormat {
        self.source.format()
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        self.source.next_frame()
    }
}

/// An on/off light, such as the camera module's LED.
pub trait Indicator {
    /// Turns the light on or off.
    ///
    /// # Errors
    /// Whatever driving the light fails with.
    fn set(&mut self, on: bool) -> Result<()>;
}

/// A trigger input, such as a button or a PIR sensor on a GPIO pin.
pub trait TriggerInput {
    /// Waits for the next trigger; `Ok(true)` when it fired, `Ok(false)` when
    /// `timeout` passed first (`None`: wait forever).
    ///
    /// # Errors
    /// Whatever reading the input fails with.
    fn wait(&mut self, timeout: Option<Duration>) -> Result<bool>;
}

/// Statistics of [`capture_on_trigger`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TriggerStats {
    /// Triggers seen.
    pub triggers: u64,
    /// Stills captured.
    pub captures: u64,
    /// Waits that timed out.
    pub timeouts: u64,
}

/// Captures a still in `format` into the next output each time `trigger`
/// fires, with `led` lit during each capture, until the outputs run out or
/// `max_idle` consecutive waits of `timeout` pass without a trigger.
///
/// # Errors
/// The first error of the trigger, the LED, the camera or an output (the
/// LED is switched off first).
pub fn capture_on_trigger<S, T, L, I, W>(
    camera: &mut PiCamera<S>,
    format: PiFormat,
    trigger: &mut T,
    mut led: Option<&mut L>,
    outputs: I,
    timeout: Option<Duration>,
    max_idle: u32,
) -> Result<TriggerStats>
where
    S: CameraSource,
    T: TriggerInput + ?Sized,
    L: Indicator + ?Sized,
    I: IntoIterator<Item = W>,
    W: Write,
{
    let mut stats = TriggerStats::default();
    let mut idle = 0;
    for mut output in outputs {
        loop {
            if trigger.wait(timeout)? {
                stats.triggers += 1;
                break;
            }
            stats.timeouts += 1;
            idle += 1;
            if idle >= max_idle {
                return Ok(stats);
            }
        }
        idle = 0;
        if let Some(l) = led.as_deref_mut() {
            l.set(true)?;
        }
        let result = camera.capture(format, &mut output);
        if let Some(l) = led.as_deref_mut() {
            l.set(false)?;
        }
        result?;
        stats.captures += 1;
    }
    Ok(stats)
}

#[cfg(all(feature = "rpi", target_os = "linux"))]
mod gpio {
    use std::time::Duration;

    use rppal::gpio::{Gpio, InputPin, OutputPin, Trigger};

    use super::{Indicator, TriggerInput};
    use crate::error::{Error, ErrorKind, Result};

    fn gpio_error(what: String, e: rppal::gpio::Error) -> Error {
        let kind = match e {
            rppal::gpio::Error::UnknownModel => ErrorKind::BackendUnavailable,
            rppal::gpio::Error::PinNotAvailable(_) | rppal::gpio::Error::PinUsed(_) => {
                ErrorKind::InvalidArgument
            }
            _ => ErrorKind::Io,
        };
        Error::with_source(kind, what, e)
    }

    /// The camera LED (or any LED) on a BCM GPIO pin.
    #[derive(Debug)]
    pub struct GpioLed {
        pin: OutputPin,
    }

    impl GpioLed {
        /// Drives BCM pin `bcm` as an output, initially off.
        ///
        /// # Errors
        /// [`ErrorKind::BackendUnavailable`] when not on a Raspberry Pi;
        /// [`ErrorKind::InvalidArgument`] for a pin that is missing or in use.
        pub fn new(bcm: u8) -> Result<GpioLed> {
            let gpio = Gpio::new().map_err(|e| gpio_error("opening the GPIO".into(), e))?;
            let pin = gpio
                .get(bcm)
                .map_err(|e| gpio_error(format!("GPIO {bcm}"), e))?
                .into_output_low();
            Ok(GpioLed { pin })
        }
    }

    impl Indicator for GpioLed {
        fn set(&mut self, on: bool) -> Result<()> {
            if on {
                self.pin.set_high();
            } else {
                self.pin.set_low();
            }
            Ok(())
        }
    }

    /// A trigger input on a BCM GPIO pin (rising edge, pulled down, debounced).
    #[derive(Debug)]
    pub struct GpioTrigger {
        pin: InputPin,
    }

    impl GpioTrigger {
        /// Watches BCM pin `bcm` for rising edges, ignoring bounces shorter than `debounce`.
        ///
        /// # Errors
        /// As [`GpioLed::new`].
        pub fn new(bcm: u8, debounce: Duration) -> Result<GpioTrigger> {
            let gpio = Gpio::new().map_err(|e| gpio_error("opening the GPIO".into(), e))?;
            let mut pin = gpio
                .get(bcm)
                .map_err(|e| gpio_error(format!("GPIO {bcm}"), e))?
                .into_input_pulldown();
            pin.set_interrupt(Trigger::RisingEdge, Some(debounce))
                .map_err(|e| gpio_error(format!("GPIO {bcm} interrupt"), e))?;
            Ok(GpioTrigger { pin })
        }
    }

    impl TriggerInput for GpioTrigger {
        fn wait(&mut self, timeout: Option<Duration>) -> Result<bool> {
            self.pin
                .poll_interrupt(true, timeout)
                .map(|e| e.is_some())
                .map_err(|e| gpio_error("waiting for the trigger".into(), e))
        }
    }
}

#[cfg(all(feature = "rpi", target_os = "linux"))]
pub use gpio::{GpioLed, GpioTrigger};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::BayerCapture;

    #[test]
    fn emulated_rgb_and_bgr_layouts() {
        let mut cam = PiCamera::emulator(100, 100, 5).unwrap();
        let reference = cam.get_ref().render(0).unwrap();
        let rgb = cam.capture_bytes(PiFormat::Rgb).unwrap();
        assert_eq!(rgb.len(), 128 * 112 * 3);
        // Row 1 starts at 128*3 in the padded buffer.
        assert_eq!(&rgb[128 * 3..128 * 3 + 3], &reference.data()[300..303]);
        let img = raw::crop_rgb(&rgb, 100, 100, PixelFormat::Rgb888).unwrap();
        assert_eq!(img, reference);
        let frame1 = cam.get_ref().render(1).unwrap();
        let bgr = cam.capture_bytes(PiFormat::Bgr).unwrap();
        let img = raw::crop_rgb(&bgr, 100, 100, PixelFormat::Bgr888).unwrap();
        assert_eq!(img.data()[0], frame1.data()[2]);
    }

    #[test]
    fn jpeg_by_default_or_a_custom_encoder() {
        let mut cam = PiCamera::emulator(48, 32, 0).unwrap();
        let j = cam.capture_bytes(PiFormat::Jpeg).unwrap();
        assert_eq!(&j[..2], &[0xFF, 0xD8]);
        assert_eq!(crate::codec::jpeg::dimensions(&j).unwrap(), (48, 32));
        let mut cam = cam.with_jpeg_encoder(|img: ImageRef<'_>, out: &mut Vec<u8>| {
            out.extend_from_slice(&[0xFF, 0xD8]);
            out.extend_from_slice(&img.width().to_le_bytes());
            out.extend_from_slice(&[0xFF, 0xD9]);
            Ok(())
        });
        let j = cam.capture_bytes(PiFormat::Jpeg).unwrap();
        assert_eq!(j, [0xFF, 0xD8, 48, 0, 0, 0, 0xFF, 0xD9]);
        let mut out = Vec::new();
        let info = cam.capture(PiFormat::Jpeg, &mut out).unwrap();
        assert_eq!(info.sequence, 2);
        assert_eq!(out.len(), 8);
    }

    #[test]
    fn emulated_yuv_layout() {
        let mut cam = PiCamera::emulator(100, 100, 4).unwrap();
        let reference = cam.get_ref().render(0).unwrap();
        let yuv = cam.capture_bytes(PiFormat::Yuv).unwrap();
        assert_eq!(yuv.len(), 14336 + 3584 + 3584);
        let cropped = raw::crop_yuv420(&yuv, 100, 100).unwrap();
        let expected = crate::convert::convert(reference.view(), PixelFormat::Yuv420).unwrap();
        assert_eq!(cropped, expected);
        // Y of pixel (0, 1) sits at the start of the second padded row.
        assert_eq!(yuv[128], expected.data()[100]);
    }

    /// A source of fixed 8-bit Bayer frames at the OV5647's resolution.
    struct FixedBayer(crate::image::Image);
    impl CameraSource for FixedBayer {
        fn format(&self) -> StreamFormat {
            StreamFormat::new(self.0.format(), self.0.width(), self.0.height())
        }
        fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
            Ok(Some(Frame {
                image: self.0.view(),
                sequence: 0,
                timestamp: Duration::ZERO,
            }))
        }
    }

    #[test]
    fn raw_source_bayer_block_is_byte_exact() {
        let (w, h) = Sensor::Ov5647.resolution();
        let data: Vec<u8> = (0..(w * h) as usize).map(|i| (i % 253) as u8).collect();
        let bayer =
            crate::image::Image::new(PixelFormat::Bayer(BayerOrder::Rggb), w, h, data).unwrap();
        let mut cam = PiCamera::new(FixedBayer(bayer.clone()))
            .with_raw_source(FixedBayer(bayer))
            .with_jpeg_encoder(|_: ImageRef<'_>, out: &mut Vec<u8>| {
                out.extend_from_slice(b"\xFF\xD8\xFF\xD9");
                Ok(())
            });
        let file = cam.capture_bytes(PiFormat::JpegBayer).unwrap();
        assert_eq!(file.len(), 4 + 6_404_096);
        let cap = BayerCapture::parse(&file).unwrap();
        assert_eq!(cap.jpeg, b"\xFF\xD8\xFF\xD9");
        assert_eq!(cap.header.bayer_order, 0); // RGGB from the source's format
        assert_eq!(cap.header.name(), "ov5647");
        assert_eq!((cap.layout.stride, cap.layout.rows), (3264, 1952));
        // Pixel (1, 0) = 1 -> 10-bit 4: high byte 1, low bits 0.
        let first = &file[4 + raw::DATA_OFFSET..4 + raw::DATA_OFFSET + 5];
        assert_eq!(first, &[0, 1, 2, 3, 0]);
        // Row padding is zero.
        let row0_pad = &file[4 + raw::DATA_OFFSET + 3240..4 + raw::DATA_OFFSET + 3264];
        assert!(row0_pad.iter().all(|&b| b == 0));
    }

    #[test]
    fn formats_parse() {
        assert_eq!("YUV".parse::<PiFormat>().unwrap(), PiFormat::Yuv);
        assert_eq!("bayer".parse::<PiFormat>().unwrap(), PiFormat::JpegBayer);
        assert_eq!(
            "h264".parse::<PiFormat>().unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }

    struct Script(Vec<bool>);
    impl TriggerInput for Script {
        fn wait(&mut self, _: Option<Duration>) -> Result<bool> {
            Ok(if self.0.is_empty() {
                false
            } else {
                self.0.remove(0)
            })
        }
    }

    #[derive(Default)]
    struct Led(Vec<bool>);
    impl Indicator for Led {
        fn set(&mut self, on: bool) -> Result<()> {
            self.0.push(on);
            Ok(())
        }
    }

    #[test]
    fn trigger_logic() {
        let mut cam = PiCamera::emulator(32, 16, 0).unwrap();
        let mut trig = Script(vec![false, true, true, false, false, true]);
        let mut led = Led::default();
        let mut outs = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        let stats = capture_on_trigger(
            &mut cam,
            PiFormat::Rgb,
            &mut trig,
            Some(&mut led),
            outs.iter_mut(),
            Some(Duration::from_millis(1)),
            3,
        )
        .unwrap();
        assert_eq!(
            stats,
            TriggerStats {
                triggers: 3,
                captures: 3,
                timeouts: 6
            }
        );
        assert_eq!(led.0, [true, false, true, false, true, false]);
        assert!(outs[..3].iter().all(|o| o.len() == 32 * 16 * 3));
        assert!(outs[3].is_empty());
        // A failing capture still switches the LED off.
        let mut ended = PiCamera::new(
            SyntheticCamera::builder()
                .size(8, 8)
                .frame_limit(0)
                .build()
                .unwrap(),
        );
        let mut trig = Script(vec![true]);
        let mut led = Led::default();
        let e = capture_on_trigger(
            &mut ended,
            PiFormat::Rgb,
            &mut trig,
            Some(&mut led),
            [Vec::new()],
            None,
            1,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::EndOfStream);
        assert_eq!(led.0, [true, false]);
    }
}
