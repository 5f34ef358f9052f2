//! [`PiCamera::emulator`]: a Pi camera on the synthetic camera.
//!
//! `'yuv'`, `'rgb'` and `'jpeg'` captures come from the synthetic scene
//! rendered at the capture size. A JPEG + raw Bayer capture takes both parts
//! from one full-resolution sensor frame, as a Pi does: the scene rendered at
//! the sensor's size with the same seed and frame number, sampled through
//! the colour filter for the raw block, and averaged down to the capture size
//! (each output pixel the mean of the sensor pixels it covers, as the ISP
//! scales) for the JPEG. Demosaicing the block and scaling it down gives the
//! JPEG's picture.

use super::{PiCamera, sensor};
use crate::camera::synthetic::SyntheticCamera;
use crate::capture::Encoder;
use crate::error::Result;
use crate::image::{BayerOrder, Image, ImageRef, PixelFormat};
use crate::raw::Sensor;

impl PiCamera<SyntheticCamera> {
    /// An emulated Pi camera at `width` x `height` on the synthetic camera
    /// (seeded), with an OV5647 sensor in the order of the picamera docs'
    /// example (GBRG, `bayer_order` 1) for raw captures. See the
    /// [module docs](super) for how a JPEG + raw capture is made.
    ///
    /// # Errors
    /// As [`SyntheticBuilder::build`](crate::camera::synthetic::SyntheticBuilder::build).
    pub fn emulator(width: u32, height: u32, seed: u64) -> Result<PiCamera<SyntheticCamera>> {
        let source = SyntheticCamera::builder()
            .size(width, height)
            .format(PixelFormat::Rgb888)
            .seed(seed)
            .build()?;
        let mut cam = PiCamera::new(source);
        cam.emulation = Some(Emulation { seed, sensor: None });
        Ok(cam)
    }
}

/// The emulator's sensor: the synthetic scene at the sensor's size.
pub(super) struct Emulation {
    seed: u64,
    /// Built on the first JPEG + raw capture, for the sensor it was built for.
    sensor: Option<(Sensor, SyntheticCamera)>,
}

impl Emulation {
    /// Appends a JPEG of `size` and the raw block of `sensor`, both from
    /// sensor frame `index`.
    pub(super) fn jpeg_bayer(
        &mut self,
        index: u64,
        size: (u32, u32),
        (sensor, order): (Sensor, BayerOrder),
        jpeg: &mut dyn Encoder,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let scene = match &mut self.sensor {
            Some((s, scene)) if *s == sensor => scene,
            slot => {
                let (w, h) = sensor.resolution();
                let scene = SyntheticCamera::builder()
                    .size(w, h)
                    .format(PixelFormat::Rgb888)
                    .seed(self.seed)
                    .build()?;
                &mut slot.insert((sensor, scene)).1
            }
        };
        let full = scene.render(index)?;
        let scaled = area_average(full.view(), size.0, size.1)?;
        jpeg.encode(scaled.view(), out)?;
        let block = sensor::raw_block(full.view(), sensor, order, index)?;
        out.extend_from_slice(&block);
        Ok(())
    }
}

/// `src` (RGB888) scaled to `width` x `height`, each output pixel the
/// rounded mean of the source pixels its area covers (at least one).
pub(super) fn area_average(src: ImageRef<'_>, width: u32, height: u32) -> Result<Image> {
    let mut out = Image::empty();
    out.reshape(PixelFormat::Rgb888, width, height)?;
    let (sw, sh) = (src.width() as usize, src.height() as usize);
    let (w, h) = (width as usize, height as usize);
    // The source span of output index `i` of `n` over `len` pixels.
    let span = |i: usize, n: usize, len: usize| {
        let a = i * len / n;
        let b = ((i + 1) * len / n).max(a + 1).min(len);
        (a.min(len - 1), b)
    };
    let cols: Vec<(usize, usize)> = (0..w).map(|x| span(x, w, sw)).collect();
    let mut sums = vec![0u32; w * 3];
    let dst = out.data_mut();
    for (y, row_out) in dst.chunks_exact_mut(w * 3).enumerate() {
        let (y0, y1) = span(y, h, sh);
        sums.fill(0);
        for row in src.rows().skip(y0).take(y1 - y0) {
            for (x, &(x0, x1)) in cols.iter().enumerate() {
                for px in row[x0 * 3..x1 * 3].chunks_exact(3) {
                    for c in 0..3 {
                        sums[x * 3 + c] += u32::from(px[c]);
                    }
                }
            }
        }
        for (x, &(x0, x1)) in cols.iter().enumerate() {
            let n = ((x1 - x0) * (y1 - y0)) as u32;
            for c in 0..3 {
                // At most 255: a mean of bytes.
                row_out[x * 3 + c] = ((sums[x * 3 + c] + n / 2) / n) as u8;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::CameraSource;
    use crate::capture::JpegCapture;
    use crate::capture::picamera::PiFormat;
    use crate::codec::jpeg::Subsampling;
    use crate::raw::{self, BayerCapture, DecodeOptions};

    /// PSNR in dB between two images of the same size and format.
    fn psnr(a: &Image, b: &Image) -> f64 {
        assert_eq!((a.size(), a.format()), (b.size(), b.format()));
        let se: f64 = a
            .data()
            .iter()
            .zip(b.data())
            .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
            .sum();
        let mse = se / a.data().len() as f64;
        10.0 * (255.0 * 255.0 / mse.max(1e-9)).log10()
    }

    #[test]
    fn area_average_by_hand() {
        // 4x2 -> 2x1: each output pixel the mean of a 2x2 block.
        let data = vec![
            0, 0, 0, 10, 20, 30, 100, 100, 100, 200, 200, 200, //
            4, 4, 4, 10, 20, 30, 100, 100, 100, 201, 201, 201,
        ];
        let src = Image::new(PixelFormat::Rgb888, 4, 2, data).unwrap();
        let out = area_average(src.view(), 2, 1).unwrap();
        assert_eq!(out.data(), &[6, 11, 16, 150, 150, 150]);
        // Upscaling repeats pixels.
        let up = area_average(src.view(), 8, 2).unwrap();
        assert_eq!(&up.data()[..6], &[0, 0, 0, 0, 0, 0]);
        assert_eq!(area_average(src.view(), 4, 2).unwrap(), src);
    }

    /// A JPEG + raw capture of frame 1 by `cam`: the decoded JPEG and the
    /// demosaiced raw block scaled to the JPEG's size.
    fn both_parts(cam: &mut PiCamera<SyntheticCamera>) -> (Image, Image) {
        // Frame 0 is skipped, so the capture is of frame 1.
        cam.capture_bytes(PiFormat::Rgb).unwrap();
        let mut data = Vec::new();
        let info = cam.capture_as(&mut data, PiFormat::JpegBayer).unwrap();
        assert_eq!(info.frame.sequence, 1);
        let capture = BayerCapture::parse(&data).unwrap();
        let jpeg = crate::codec::jpeg::decode(capture.jpeg).unwrap();
        let format = cam.get_ref().format();
        let (w, h) = (format.width, format.height);
        assert_eq!(jpeg.size(), (w, h));
        // Demosaic the raw block (with what the capture returned), scale it
        // to the JPEG's size.
        let sensor = raw::decode(&data, &info.spec, &DecodeOptions::new()).unwrap();
        assert_eq!(sensor.size(), (2592, 1944));
        (jpeg, area_average(sensor.view(), w, h).unwrap())
    }

    #[test]
    fn jpeg_and_raw_block_show_the_same_scene() {
        // picamera's default JPEG (quality 85, 4:2:0): what compression
        // loses on a detailed 96x72 picture bounds the match.
        let mut cam = PiCamera::emulator(96, 72, 3).unwrap();
        let (jpeg, scaled) = both_parts(&mut cam);
        let same = psnr(&jpeg, &scaled);
        assert!(same > 27.0, "JPEG vs demosaiced raw block: {same:.1} dB");
        // The threshold tells scenes apart: the scene rendered at the
        // capture size (the JPEG's content when the block came from a
        // separate sensor-size scene) is another picture.
        let small = cam.get_ref().render(1).unwrap();
        let other = psnr(&small, &scaled);
        assert!(
            other < 20.0,
            "capture-size scene vs raw block: {other:.1} dB"
        );
        // A near-lossless JPEG (quality 95, 4:4:4) matches closely.
        let mut fine = JpegCapture::new(95).unwrap();
        fine.encoder_mut().set_subsampling(Subsampling::Chroma444);
        let mut cam = PiCamera::emulator(96, 72, 3)
            .unwrap()
            .with_jpeg_encoder(fine);
        let (jpeg, scaled) = both_parts(&mut cam);
        let close = psnr(&jpeg, &scaled);
        assert!(
            close > 35.0,
            "quality 95 4:4:4 JPEG vs raw block: {close:.1} dB"
        );
    }
}
