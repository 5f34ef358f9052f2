//! The camera source options of `send` and `serve`: the source string and
//! its size, format and rate, opened with `camreel::camera::open`.

use camreel::camera::{self, CameraSource, SourceConfig};
use camreel::timing::FrameRate;
use camreel::{Error, ErrorKind, PixelFormat, Result};

use crate::args;
use crate::record::DEFAULT_SYNTHETIC_FPS;

/// How to open the camera source.
#[derive(clap::Args, Debug)]
pub struct SourceArgs {
    /// Camera source: synthetic, replay:FILE (.bin/.avi/.gif), v4l2:/dev/videoN,
    /// rpi or tcp:ADDR (waits for one `camreel send`).
    pub source: String,
    /// Capture size, WxH.
    #[arg(long, value_parser = args::size)]
    pub size: Option<(u32, u32)>,
    /// Capture pixel format.
    #[arg(long, value_parser = args::pixel_format(), hide_possible_values = true)]
    pub format: Option<PixelFormat>,
    /// Capture frame rate (1/86400 to 10000; the synthetic camera defaults to 30).
    #[arg(long, value_parser = args::fps)]
    pub fps: Option<FrameRate>,
}

impl SourceArgs {
    /// Checks the options against the source and opens it. A replayed
    /// recording plays at its recorded pace, as a camera would.
    pub fn open(&self) -> Result<Box<dyn CameraSource + Send>> {
        let given = |prefix: &str| self.source.starts_with(prefix);
        if (given("replay:") || given("tcp:"))
            && (self.size.is_some() || self.format.is_some() || self.fps.is_some())
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "--size, --format and --fps do not apply to replay: and tcp: sources (the recording or the sender gives them)",
            ));
        }
        let synthetic = self.source == "synthetic";
        let config = SourceConfig {
            size: self.size,
            format: self.format,
            fps: self
                .fps
                .map(FrameRate::fps)
                .or(synthetic.then_some(f64::from(DEFAULT_SYNTHETIC_FPS))),
            realtime: true,
            ..SourceConfig::default()
        };
        camera::open(&self.source, &config)
    }
}
