//! Picking a backend at run time from a source string.

use super::CameraSource;
use super::replay::{self, ReplayOptions};
use super::synthetic::SyntheticCamera;
use crate::error::{Error, ErrorKind, Result};
use crate::image::PixelFormat;

/// What to ask of a source opened with [`open`]. Fields left `None` keep
/// the backend's default (for V4L2: what the driver prefers).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceConfig {
    /// Frame size, width x height.
    pub size: Option<(u32, u32)>,
    /// Pixel format.
    pub format: Option<PixelFormat>,
    /// Frames per second.
    pub fps: Option<f64>,
    /// Seed of the synthetic camera.
    pub seed: u64,
    /// Replay: wait out the recorded intervals (`false`: as fast as the
    /// file can be read; timestamps follow the recording either way).
    pub realtime: bool,
    /// Replay: start again at the first frame after the last.
    pub looping: bool,
}

/// Opens the camera named by `spec`:
///
/// | spec | backend |
/// |---|---|
/// | `synthetic` | [`SyntheticCamera`](super::synthetic::SyntheticCamera) (640x480 RGB888 unless configured; paced when `fps` is set) |
/// | `replay:FILE` | a recording played as a camera: ImageIO `.bin`, Motion-JPEG `.avi` or `.gif` ([`replay::open`]; size, format and rate come from the file) |
/// | `v4l2:/dev/videoN` | `V4l2Source` (feature `v4l2`) |
/// | `rpi` | the Raspberry Pi camera node `/dev/video0` through V4L2 (feature `rpi`) |
/// | `tcp:ADDR` | [`JpegStreamSource`](crate::net::JpegStreamSource): listens on `ADDR` (such as `0.0.0.0:8000`), waits for one sender of picamera's length-prefixed JPEG stream and reads its first frame (size and format come from the sender) |
///
/// ```
/// use camreel::camera::{self, CameraSource, SourceConfig};
/// let config = SourceConfig { size: Some((32, 24)), ..SourceConfig::default() };
/// let mut cam = camera::open("synthetic", &config)?;
/// assert_eq!(cam.next_frame()?.unwrap().image.size(), (32, 24));
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for an unknown spec;
/// [`ErrorKind::BackendUnavailable`] naming the cargo feature when the
/// backend is not compiled in; whatever the backend's builder returns.
pub fn open(spec: &str, config: &SourceConfig) -> Result<Box<dyn CameraSource + Send>> {
    let (kind, arg) = match spec.split_once(':') {
        Some((k, a)) => (k, Some(a)),
        None => (spec, None),
    };
    match (kind, arg) {
        ("synthetic", None) => {
            let mut b = SyntheticCamera::builder().seed(config.seed);
            if let Some((w, h)) = config.size {
                b = b.size(w, h);
            }
            if let Some(f) = config.format {
                b = b.format(f);
            }
            if let Some(fps) = config.fps {
                b = b.fps(fps);
            }
            Ok(Box::new(b.build()?))
        }
        ("replay", Some(path)) if !path.is_empty() => {
            let options = ReplayOptions::new()
                .realtime(config.realtime)
                .looping(config.looping);
            Ok(Box::new(replay::open(path, &options)?))
        }
        ("v4l2", Some(path)) if !path.is_empty() => open_v4l2(path, config),
        ("rpi", None) => open_rpi(config),
        ("tcp", Some(addr)) if !addr.is_empty() => {
            Ok(Box::new(crate::net::JpegStreamSource::listen(addr)?))
        }
        _ => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "unknown camera source {spec:?} (expected synthetic, replay:FILE, v4l2:/dev/videoN, rpi or tcp:ADDR)"
            ),
        )),
    }
}

#[cfg(all(feature = "v4l2", target_os = "linux"))]
fn open_v4l2(path: &str, config: &SourceConfig) -> Result<Box<dyn CameraSource + Send>> {
    let mut b = super::v4l2::V4l2Source::builder(path);
    if let Some((w, h)) = config.size {
        b = b.size(w, h);
    }
    if let Some(f) = config.format {
        b = b.format(f);
    }
    if let Some(fps) = config.fps {
        b = b.fps(fps);
    }
    Ok(Box::new(b.open()?))
}

#[cfg(not(all(feature = "v4l2", target_os = "linux")))]
fn open_v4l2(path: &str, _config: &SourceConfig) -> Result<Box<dyn CameraSource + Send>> {
    Err(super::v4l2::unavailable(path))
}

#[cfg(all(feature = "rpi", target_os = "linux"))]
fn open_rpi(config: &SourceConfig) -> Result<Box<dyn CameraSource + Send>> {
    open_v4l2(super::rpi::DEFAULT_DEVICE, config)
}

#[cfg(not(all(feature = "rpi", target_os = "linux")))]
fn open_rpi(_config: &SourceConfig) -> Result<Box<dyn CameraSource + Send>> {
    Err(Error::new(
        ErrorKind::BackendUnavailable,
        "the Raspberry Pi camera backend is not compiled in (rebuild with `--features rpi`, on Linux)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_synthetic_with_config() {
        let config = SourceConfig {
            size: Some((40, 30)),
            format: Some(PixelFormat::Grayscale),
            seed: 3,
            ..SourceConfig::default()
        };
        let mut cam = open("synthetic", &config).unwrap();
        let f = cam.format();
        assert_eq!(
            (f.format, f.width, f.height),
            (PixelFormat::Grayscale, 40, 30)
        );
        assert_eq!(cam.next_frame().unwrap().unwrap().image.data().len(), 1200);
    }

    #[test]
    fn unknown_specs_are_refused() {
        for spec in [
            "",
            "webcam",
            "v4l2:",
            "synthetic:1",
            "rpi:x",
            "replay:",
            "replay",
            "tcp:",
            "tcp",
        ] {
            let e = open(spec, &SourceConfig::default()).err().unwrap();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{spec}");
        }
    }

    #[cfg(not(all(feature = "v4l2", target_os = "linux")))]
    #[test]
    fn compiled_out_backends_name_their_feature() {
        let e = open("v4l2:/dev/video0", &SourceConfig::default())
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::BackendUnavailable);
        assert!(e.to_string().contains("--features v4l2"), "{e}");
        let e = open("rpi", &SourceConfig::default()).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::BackendUnavailable);
        assert!(e.to_string().contains("--features rpi"), "{e}");
    }
}
