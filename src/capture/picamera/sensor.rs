//! The sensor model: a full-resolution sensor frame to the raw Bayer block
//! of a JPEG + raw capture.

use crate::error::{Error, ErrorKind, Result};
use crate::image::{BayerOrder, Image, ImageRef, PixelFormat};
use crate::raw::{self, Sensor};

/// The raw Bayer block of `sensor` from a full-resolution frame (its
/// samples in `order` unless the frame is a mosaic with its own order;
/// `seed` picks the grain of an RGB888 frame's low bits).
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`] for a frame that is not the sensor's
/// size; [`ErrorKind::UnsupportedFormat`] for a format the model does not
/// take.
pub(super) fn raw_block(
    image: ImageRef<'_>,
    sensor: Sensor,
    order: BayerOrder,
    seed: u64,
) -> Result<Vec<u8>> {
    let (w, h) = sensor.resolution();
    if image.size() != (w, h) {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "the raw source delivers {}x{} frames, the {} block needs {w}x{h}",
                image.width(),
                image.height(),
                sensor.name()
            ),
        ));
    }
    let (samples, order) = sensor_samples(image, order, seed)?;
    raw::build_raw_block(&sensor.header(order), &samples)
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
            let mut unpacked = Image::empty();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb_frames_are_sampled_through_the_filter() {
        // 4x2 RGB: R = 10x, G = 100 + x, B = 200 + y.
        let mut data = Vec::new();
        for y in 0..2u8 {
            for x in 0..4u8 {
                data.extend_from_slice(&[10 * x, 100 + x, 200 + y]);
            }
        }
        let image = Image::new(PixelFormat::Rgb888, 4, 2, data).unwrap();
        let (samples, order) = sensor_samples(image.view(), BayerOrder::Rggb, 0).unwrap();
        assert_eq!(order, BayerOrder::Rggb);
        let high: Vec<u16> = samples.iter().map(|s| s >> 2).collect();
        // RGGB: R G R G / G B G B.
        assert_eq!(high, [0, 101, 20, 103, 100, 201, 102, 201]);
        assert!(samples.iter().all(|&s| s < 1024));
    }

    #[test]
    fn a_frame_of_the_wrong_size_is_refused() {
        let image = Image::zeroed(PixelFormat::Rgb888, 4, 2).unwrap();
        let e = raw_block(image.view(), Sensor::Ov5647, BayerOrder::Bggr, 0).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        assert_eq!(
            e.to_string(),
            "the raw source delivers 4x2 frames, the ov5647 block needs 2592x1944"
        );
        let gray = Image::zeroed(PixelFormat::Grayscale, 4, 2).unwrap();
        let e = sensor_samples(gray.view(), BayerOrder::Bggr, 0).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
    }
}
