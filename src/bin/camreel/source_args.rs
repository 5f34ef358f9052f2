//! Camera source options shared by `send` and `serve`: the source string
//! and its size, format and rate, opened with `camreel::camera::open`.

use camreel::camera::{self, CameraSource, SourceConfig};
use camreel::{Error, ErrorKind, PixelFormat, Result};

use crate::parse_size;

/// Frame rate of the synthetic camera when `--fps` is not given.
pub const SYNTHETIC_FPS: f64 = 30.0;

/// How to open the camera source.
#[derive(clap::Args, Debug)]
pub struct SourceArgs {
    /// Camera source: synthetic, replay:FILE, v4l2:/dev/videoN, rpi or tcp:ADDR.
    pub source: String,
    /// Capture size, WxH.
    #[arg(long)]
    pub size: Option<String>,
    /// Capture pixel format.
    #[arg(long)]
    pub format: Option<String>,
    /// Capture frame rate (the synthetic camera defaults to 30).
    #[arg(long)]
    pub fps: Option<f64>,
}

impl SourceArgs {
    /// Checks the options and opens the source.
    pub fn open(&self) -> Result<Box<dyn CameraSource + Send>> {
        if let Some(fps) = self.fps
            && !(fps.is_finite() && fps > 0.0 && fps <= 1000.0)
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("--fps {fps} is out of range (expected more than 0, up to 1000)"),
            ));
        }
        let format: Option<PixelFormat> = self.format.as_deref().map(str::parse).transpose()?;
        let given = |s: &str| self.source.starts_with(s);
        if (given("replay:") || given("tcp:"))
            && (self.size.is_some() || format.is_some() || self.fps.is_some())
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "--size, --format and --fps do not apply to replay: and tcp: sources (the recording or the sender gives them)",
            ));
        }
        let config = SourceConfig {
            size: self.size.as_deref().map(parse_size).transpose()?,
            format,
            fps: self
                .fps
                .or((self.source == "synthetic").then_some(SYNTHETIC_FPS)),
            // A replay plays at its recorded pace, as a camera would.
            realtime: true,
            ..SourceConfig::default()
        };
        camera::open(&self.source, &config)
    }
}

/// Checks `--seconds`: more than 0, at most a day.
pub fn parse_seconds(seconds: Option<f64>) -> Result<Option<std::time::Duration>> {
    match seconds {
        Some(s) if !(s.is_finite() && s > 0.0 && s <= 86_400.0) => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("--seconds {s} is out of range (expected more than 0, up to 86400)"),
        )),
        Some(s) => Ok(Some(std::time::Duration::from_secs_f64(s))),
        None => Ok(None),
    }
}
