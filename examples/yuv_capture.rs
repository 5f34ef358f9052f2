//! picamera recipe 5.1, unencoded image capture (YUV format): capture a
//! 100x100 'yuv' image, which comes padded to 128x112, then crop it and
//! convert it to RGB (BT.601, as the recipe's numpy code does).
//!
//! Runs on the emulated Pi camera (synthetic scene); the buffer layout is
//! byte for byte what a Pi delivers. `cargo run --example yuv_capture`

use camreel::capture::picamera::{PiCamera, PiFormat};
use camreel::{PixelFormat, convert, raw};

fn main() -> camreel::Result<()> {
    let (width, height) = (100, 100);
    let mut camera = PiCamera::emulator(width, height, 1)?;
    let mut stream = Vec::new();
    camera.capture_as(&mut stream, PiFormat::Yuv)?;

    // The capture is rounded up to 128x112: Y 14336 bytes, U and V 3584 each.
    let (fwidth, fheight) = raw::padded_size(width, height);
    println!(
        "captured {} bytes: a {fwidth}x{fheight} padded YUV420 frame ({} Y + {} U + {} V)",
        stream.len(),
        fwidth * fheight,
        fwidth * fheight / 4,
        fwidth * fheight / 4
    );
    assert_eq!(stream.len(), raw::yuv420_capture_len(width, height)?);

    // The PiYUVArray equivalent: crop to 100x100 planes, then RGB.
    let yuv = raw::crop_yuv420(&stream, width, height)?;
    let rgb = convert::convert(yuv.view(), PixelFormat::Rgb888)?;
    println!(
        "cropped to {}x{} {} ({} bytes), converted to {} ({} bytes)",
        yuv.width(),
        yuv.height(),
        yuv.format(),
        yuv.data().len(),
        rgb.format(),
        rgb.data().len()
    );
    let px = &rgb.data()[..3];
    println!("top-left pixel: r={} g={} b={}", px[0], px[1], px[2]);
    Ok(())
}
