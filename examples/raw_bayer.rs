//! picamera recipe 5.11, raw Bayer data captures: a JPEG with the sensor's
//! raw Bayer block appended (OV5647 layout, 6,404,096 bytes), split into
//! the JPEG, the BRCM header and the 10-bit mosaic, demosaiced (the
//! recipe's 3x3 average, bilinear, or Malvar-He-Cutler) and saved as PNG.
//!
//! `cargo run --release --example raw_bayer [average|bilinear|mhc]`

use camreel::capture::picamera::{PiCamera, PiFormat};
use camreel::codec::png;
use camreel::convert::{self, ConvertOptions, Demosaic};
use camreel::raw::BayerCapture;
use camreel::{Image, PixelFormat};

fn main() -> camreel::Result<()> {
    let demosaic: Demosaic = std::env::args()
        .nth(1)
        .as_deref()
        .unwrap_or("average")
        .parse()?;
    let dir = std::env::temp_dir()
        .join("camreel-examples")
        .join("raw_bayer");
    std::fs::create_dir_all(&dir).map_err(|e| camreel::Error::io(dir.display().to_string(), e))?;

    let mut camera = PiCamera::emulator(1024, 768, 7)?;
    let mut stream = Vec::new();
    camera.capture_as(&mut stream, PiFormat::JpegBayer)?;

    let capture = BayerCapture::parse(&stream)?;
    println!(
        "{} bytes: {}-byte JPEG + {}-byte raw block from {:?} ({}x{}, bayer_order {} = {})",
        stream.len(),
        capture.jpeg.len(),
        capture.layout.block_len(),
        capture.header.name(),
        capture.header.width,
        capture.header.height,
        capture.header.bayer_order,
        capture.layout.order
    );
    // The 10-bit mosaic, then RGB with 16-bit samples, then 8-bit for viewing.
    let bayer = capture.to_bayer16()?;
    let mut rgb48 = Image::empty();
    let options = ConvertOptions::default().with_demosaic(demosaic);
    convert::convert_with(bayer.view(), PixelFormat::Rgb48, &options, &mut rgb48)?;
    let rgb = convert::convert(rgb48.view(), PixelFormat::Rgb888)?;
    let mut out = Vec::new();
    png::encode(rgb.view(), &mut out)?;
    let path = dir.join(format!("bayer_{demosaic}.png"));
    std::fs::write(&path, &out).map_err(|e| camreel::Error::io(path.display().to_string(), e))?;
    println!(
        "demosaiced ({demosaic}) to {}x{} RGB: {}",
        rgb.width(),
        rgb.height(),
        path.display()
    );
    Ok(())
}
