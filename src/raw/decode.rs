//! Decoding a picamera capture to RGB: [`decode`] and its [`DecodeOptions`].

use super::bayer::BayerCapture;
use super::format::{CaptureSpec, PiFormat};
use super::layout::{crop_rgb, crop_yuv420};
use crate::convert::{self, ConvertOptions, Demosaic};
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, PixelFormat};

/// How [`decode`] turns a capture into RGB: builder methods on the
/// defaults (bilinear demosaicing, 8 bits per sample).
///
/// ```
/// use camreel::convert::Demosaic;
/// use camreel::raw::DecodeOptions;
/// let deep = DecodeOptions::new().demosaic(Demosaic::MalvarHeCutler).depth(16);
/// assert_ne!(deep, DecodeOptions::default());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct DecodeOptions {
    demosaic: Demosaic,
    depth: u8,
}

impl Default for DecodeOptions {
    fn default() -> DecodeOptions {
        DecodeOptions {
            demosaic: Demosaic::default(),
            depth: 8,
        }
    }
}

impl DecodeOptions {
    /// The defaults: [`Demosaic::default`], 8 bits per sample.
    pub fn new() -> DecodeOptions {
        DecodeOptions::default()
    }

    /// The demosaicing algorithm for Bayer captures.
    pub fn demosaic(mut self, demosaic: Demosaic) -> DecodeOptions {
        self.demosaic = demosaic;
        self
    }

    /// Output bits per sample: 8 ([`PixelFormat::Rgb888`], the default) or
    /// 16 ([`PixelFormat::Rgb48`]; Bayer keeps its 10 bits of precision,
    /// the others are widened). [`decode`] refuses other values.
    pub fn depth(mut self, bits: u8) -> DecodeOptions {
        self.depth = bits;
        self
    }
}

/// Decodes a picamera capture to RGB (the `picamera.array` classes'
/// `rgb_array` / `demosaic()`): YUV420 through BT.601 limited range, RGB and
/// BGR cropped, JPEG decoded, JPEG + Bayer by its raw block, unpacked in the
/// header's order and demosaiced. `spec` says what the capture is: the
/// [`PiCaptureInfo`](crate::capture::picamera::PiCaptureInfo) a capture
/// returns has it, or build one with [`CaptureSpec::new`].
///
/// ```
/// use camreel::raw::{self, CaptureSpec, DecodeOptions, PiFormat};
/// let data = vec![128u8; raw::rgb_capture_len(10, 10)?];
/// let spec = CaptureSpec::new(PiFormat::Rgb, 10, 10);
/// let rgb = raw::decode(&data, &spec, &DecodeOptions::new())?;
/// assert_eq!((rgb.size(), rgb.format()), ((10, 10), camreel::PixelFormat::Rgb888));
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for a YUV or RGB capture whose spec has
/// no size ([`CaptureSpec::without_size`]) or a depth other than 8 or 16;
/// the errors of [`crop_yuv420`], [`crop_rgb`], [`BayerCapture::parse`] and
/// the JPEG decoder.
pub fn decode(data: &[u8], spec: &CaptureSpec, options: &DecodeOptions) -> Result<Image> {
    let target = match options.depth {
        8 => PixelFormat::Rgb888,
        16 => PixelFormat::Rgb48,
        d => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("output depth {d} is not 8 or 16"),
            ));
        }
    };
    let size = || {
        spec.size().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                "a YUV or RGB capture needs its requested size (WxH): the padded buffer does not say",
            )
        })
    };
    let convert_opts = ConvertOptions::default().with_demosaic(options.demosaic);
    let image = match spec.format() {
        PiFormat::Yuv => {
            let (w, h) = size()?;
            crop_yuv420(data, w, h)?
        }
        format @ (PiFormat::Rgb | PiFormat::Bgr) => {
            let (w, h) = size()?;
            let order = if format == PiFormat::Rgb {
                PixelFormat::Rgb888
            } else {
                PixelFormat::Bgr888
            };
            crop_rgb(data, w, h, order)?
        }
        PiFormat::Jpeg => crate::codec::jpeg::decode(data)?,
        PiFormat::JpegBayer => BayerCapture::parse(data)?.to_bayer16()?,
    };
    let mut out = Image::empty();
    convert::convert_with(image.view(), target, &convert_opts, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::BayerOrder;
    use crate::raw::{pad_rgb, pad_yuv420};

    #[test]
    fn decode_every_kind() {
        // YUV: pad a known image, decode, compare with a direct conversion.
        let rgb: Vec<u8> = (0..(20 * 10 * 3)).map(|i| (i * 7 % 256) as u8).collect();
        let rgb = Image::new(PixelFormat::Rgb888, 20, 10, rgb).unwrap();
        let yuv = convert::convert(rgb.view(), PixelFormat::Yuv420).unwrap();
        let padded = pad_yuv420(yuv.view()).unwrap();
        let opts = DecodeOptions::new();
        let got = decode(&padded, &CaptureSpec::new(PiFormat::Yuv, 20, 10), &opts).unwrap();
        assert_eq!(
            got,
            convert::convert(yuv.view(), PixelFormat::Rgb888).unwrap()
        );
        // RGB and BGR, 8 and 16 bits.
        let padded = pad_rgb(rgb.view()).unwrap();
        let spec = CaptureSpec::new(PiFormat::Rgb, 20, 10);
        assert_eq!(decode(&padded, &spec, &opts).unwrap(), rgb);
        let bgr_spec = CaptureSpec::new(PiFormat::Bgr, 20, 10);
        let bgr = decode(&padded, &bgr_spec, &opts).unwrap();
        assert_eq!(
            &bgr.data()[..3],
            &[rgb.data()[2], rgb.data()[1], rgb.data()[0]]
        );
        let deep = decode(&padded, &spec, &opts.depth(16)).unwrap();
        assert_eq!(deep.format(), PixelFormat::Rgb48);
        let e = decode(&padded, &spec, &opts.depth(12)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(e.to_string(), "output depth 12 is not 8 or 16");
        let e = decode(&padded, &CaptureSpec::without_size(PiFormat::Rgb), &opts).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        // Bayer: every demosaic, both depths, the header's order; the
        // spec's size is not needed.
        let (samples, block) = crate::raw::bayer::test_block(BayerOrder::Grbg);
        let mosaic = Image::new(
            PixelFormat::Bayer16 {
                order: BayerOrder::Grbg,
                bits: 10,
            },
            10,
            6,
            samples.iter().flat_map(|v| v.to_le_bytes()).collect(),
        )
        .unwrap();
        for demosaic in Demosaic::ALL {
            for (depth, target) in [(8, PixelFormat::Rgb888), (16, PixelFormat::Rgb48)] {
                let opts = DecodeOptions::new().demosaic(demosaic).depth(depth);
                let got = decode(
                    &block,
                    &CaptureSpec::without_size(PiFormat::JpegBayer),
                    &opts,
                )
                .unwrap();
                let mut want = Image::empty();
                convert::convert_with(
                    mosaic.view(),
                    target,
                    &ConvertOptions::default().with_demosaic(demosaic),
                    &mut want,
                )
                .unwrap();
                assert_eq!(got, want, "{demosaic} {depth}");
            }
        }
    }

    #[test]
    fn decode_a_jpeg_capture() {
        let rgb = Image::new(PixelFormat::Rgb888, 16, 8, vec![90; 16 * 8 * 3]).unwrap();
        let mut jpeg = Vec::new();
        crate::codec::jpeg::JpegEncoder::new(crate::codec::Quality::try_from(90).unwrap())
            .unwrap()
            .encode(rgb.view(), &mut jpeg)
            .unwrap();
        let spec = CaptureSpec::without_size(PiFormat::Jpeg);
        let got = decode(&jpeg, &spec, &DecodeOptions::new()).unwrap();
        assert_eq!((got.format(), got.size()), (PixelFormat::Rgb888, (16, 8)));
        assert!(got.data().iter().all(|&v| v.abs_diff(90) <= 2));
        let deep = decode(&jpeg, &spec, &DecodeOptions::new().depth(16)).unwrap();
        assert_eq!(deep.format(), PixelFormat::Rgb48);
        assert!(decode(b"not a jpeg", &spec, &DecodeOptions::new()).is_err());
    }
}
