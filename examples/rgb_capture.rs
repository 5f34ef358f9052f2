//! picamera recipe 5.2, unencoded image capture (RGB format): capture
//! 'rgb' at 100x100 (padded to 128x112x3 bytes), crop it to the requested
//! size and scale it to 0.0..1.0 as the recipe does with numpy.
//!
//! `cargo run --example rgb_capture`

use camreel::capture::picamera::{PiCamera, PiFormat};
use camreel::{PixelFormat, raw};

fn main() -> camreel::Result<()> {
    let (width, height) = (100, 100);
    let mut camera = PiCamera::emulator(width, height, 2)?;
    let mut stream = Vec::new();
    camera.capture_as(&mut stream, PiFormat::Rgb)?;
    let (fwidth, fheight) = raw::padded_size(width, height);
    println!(
        "captured {} bytes = {fwidth} x {fheight} x 3 (padded)",
        stream.len()
    );

    // The PiRGBArray equivalent.
    let image = raw::crop_rgb(&stream, width, height, PixelFormat::Rgb888)?;
    println!("array shape: ({}, {}, 3)", image.height(), image.width());
    let floats: Vec<f32> = image.data().iter().map(|&v| f32::from(v) / 255.0).collect();
    let mean = floats.iter().sum::<f32>() / floats.len() as f32;
    println!("as floats in 0..1: {} values, mean {mean:.3}", floats.len());
    Ok(())
}
