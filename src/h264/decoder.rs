//! [`H264Decoder`]: access units to YUV420 pictures with openh264.

use std::fmt;

use openh264::OpenH264API;
use openh264::decoder::{DecodedYUV, Decoder, DecoderConfig, Flush};
use openh264::formats::YUVSource;

use super::annexb::{NalType, nal_units};
use super::sps::Sps;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, Limits, PixelFormat};

/// An H.264 decoder (openh264: Constrained Baseline, Main and High
/// profiles, 4:2:0, 8 bits).
///
/// Feed it the access units of a stream in decoding order; each call
/// returns the picture that became ready, as a [`PixelFormat::Yuv420`]
/// image it keeps and reuses (a stream with B-frames holds some back: call
/// [`H264Decoder::flush`] after the last unit). Every SPS is parsed and its
/// picture size checked against the [`Limits`] before openh264 sees it, so
/// a stream claiming enormous dimensions allocates nothing.
///
/// ```
/// use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
/// use camreel::h264::{H264Decoder, H264Encoder, H264Settings};
/// use camreel::video::VideoEncoder;
/// use camreel::PixelFormat;
///
/// let mut cam = SyntheticCamera::builder().size(64, 48).format(PixelFormat::Yuv420).frame_limit(2).build()?;
/// let mut enc = H264Encoder::new(H264Settings::default())?;
/// let mut dec = H264Decoder::new()?;
/// while let Some(frame) = cam.next_frame()? {
///     let au = enc.encode(&frame)?.unwrap();
///     let picture = dec.decode(au.frame.image.data())?.unwrap();
///     assert_eq!((picture.format(), picture.size()), (PixelFormat::Yuv420, (64, 48)));
/// }
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct H264Decoder {
    inner: Decoder,
    limits: Limits,
    out: Image,
    sps: Option<Sps>,
    /// Pictures flushed out at the end, last first.
    pending: Vec<Image>,
    flushed: bool,
}

impl fmt::Debug for H264Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("H264Decoder")
            .field("limits", &self.limits)
            .field("sps", &self.sps)
            .finish_non_exhaustive()
    }
}

fn oh_error(e: openh264::Error) -> Error {
    Error::with_source(
        ErrorKind::Format,
        "openh264 could not decode it",
        e.to_string(),
    )
}

impl H264Decoder {
    /// A decoder with default [`Limits`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] if openh264 fails to start.
    pub fn new() -> Result<H264Decoder> {
        H264Decoder::with_limits(Limits::default())
    }

    /// A decoder refusing pictures larger than `limits`.
    ///
    /// # Errors
    /// As [`H264Decoder::new`].
    pub fn with_limits(limits: Limits) -> Result<H264Decoder> {
        let config = DecoderConfig::new().flush_after_decode(Flush::NoFlush);
        let inner = Decoder::with_api_config(OpenH264API::from_source(), config).map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidArgument,
                "openh264 decoder did not start",
                e.to_string(),
            )
        })?;
        Ok(H264Decoder {
            inner,
            limits,
            out: Image::empty(),
            sps: None,
            pending: Vec::new(),
            flushed: false,
        })
    }

    /// The last SPS seen.
    pub fn sps(&self) -> Option<&Sps> {
        self.sps.as_ref()
    }

    /// Decodes one access unit (Annex B, with start codes) and returns the
    /// picture that became ready, if any.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for bytes that are not NAL units, an SPS that
    /// does not parse or a picture openh264 cannot decode;
    /// [`ErrorKind::LimitExceeded`] for an SPS above the limits.
    pub fn decode(&mut self, au: &[u8]) -> Result<Option<ImageRef<'_>>> {
        Ok(self.push(au)?.then(|| self.out.view()))
    }

    /// [`H264Decoder::decode`] without the borrow: whether a picture became
    /// ready ([`H264Decoder::picture`]).
    pub(crate) fn push(&mut self, au: &[u8]) -> Result<bool> {
        for nal in nal_units(au) {
            let nal = nal?;
            if nal.nal_type() == NalType::Sps {
                let sps = Sps::parse(nal.data)?;
                sps.check(&self.limits)?;
                if sps.chroma_format_idc != 1
                    || sps.bit_depth_luma != 8
                    || sps.bit_depth_chroma != 8
                {
                    return Err(Error::new(
                        ErrorKind::UnsupportedFormat,
                        format!(
                            "{} h.264 with chroma format {} at {} bits: only 8-bit 4:2:0 decodes",
                            sps.profile_name(),
                            sps.chroma_format_idc,
                            sps.bit_depth_luma
                        ),
                    ));
                }
                self.sps = Some(sps);
            }
        }
        self.flushed = false;
        let picture = self.inner.decode(au).map_err(oh_error)?;
        match picture {
            Some(yuv) => {
                copy_picture(&yuv, &self.limits, &mut self.out)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The last picture out.
    pub(crate) fn picture(&self) -> ImageRef<'_> {
        self.out.view()
    }

    /// After the last access unit: the next picture the decoder still
    /// holds (streams with B-frames), `None` when there is none left.
    ///
    /// # Errors
    /// As [`H264Decoder::decode`].
    pub fn flush(&mut self) -> Result<Option<ImageRef<'_>>> {
        Ok(self.flush_next()?.then(|| self.out.view()))
    }

    /// [`H264Decoder::flush`] without the borrow.
    pub(crate) fn flush_next(&mut self) -> Result<bool> {
        if !self.flushed {
            self.flushed = true;
            // openh264 hands out its remaining pictures all at once.
            let pictures = self.inner.flush_remaining().map_err(oh_error)?;
            for yuv in pictures.iter().rev() {
                let mut image = Image::empty();
                copy_picture(yuv, &self.limits, &mut image)?;
                self.pending.push(image);
            }
        }
        match self.pending.pop() {
            Some(image) => {
                self.out = image;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Copies a decoded picture (rows padded to openh264's stride) into a
/// packed YUV420 image.
fn copy_picture(yuv: &DecodedYUV<'_>, limits: &Limits, out: &mut Image) -> Result<()> {
    let (w, h) = yuv.dimensions();
    let (Ok(width), Ok(height)) = (u32::try_from(w), u32::try_from(h)) else {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            "decoded picture too large",
        ));
    };
    limits.check(PixelFormat::Yuv420, width, height)?;
    let (sy, su, sv) = yuv.strides();
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    if sy < w || su < cw || sv < cw || yuv.y().len() < sy * (h - 1) + w {
        return Err(Error::new(
            ErrorKind::Format,
            "decoded picture has short rows",
        ));
    }
    if yuv.u().len() < su * (ch - 1) + cw || yuv.v().len() < sv * (ch - 1) + cw {
        return Err(Error::new(
            ErrorKind::Format,
            "decoded picture has short rows",
        ));
    }
    out.reshape(PixelFormat::Yuv420, width, height)?;
    let data = out.data_mut();
    let (y, chroma) = data.split_at_mut(w * h);
    let (u, v) = chroma.split_at_mut(cw * ch);
    for (dst, src) in y.chunks_exact_mut(w).zip(yuv.y().chunks(sy)) {
        dst.copy_from_slice(&src[..w]);
    }
    for (dst, src) in u.chunks_exact_mut(cw).zip(yuv.u().chunks(su)) {
        dst.copy_from_slice(&src[..cw]);
    }
    for (dst, src) in v.chunks_exact_mut(cw).zip(yuv.v().chunks(sv)) {
        dst.copy_from_slice(&src[..cw]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::Frame;
    use crate::h264::{H264Encoder, H264Settings, RateControl};
    use crate::video::VideoEncoder;
    use std::time::Duration;

    fn pattern(w: u32, h: u32, t: u32) -> Image {
        let mut img = Image::zeroed(PixelFormat::Yuv420, w, h).unwrap();
        let (w, h) = (w as usize, h as usize);
        for (i, b) in img.data_mut().iter_mut().enumerate() {
            *b = if i < w * h {
                (((i % w) + (i / w) + t as usize) * 3 % 256) as u8
            } else {
                128
            };
        }
        img
    }

    fn psnr(a: &[u8], b: &[u8]) -> f64 {
        let mse = a
            .iter()
            .zip(b)
            .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
            .sum::<f64>()
            / a.len() as f64;
        10.0 * (255.0f64 * 255.0 / mse.max(1e-9)).log10()
    }

    #[test]
    fn round_trip_keeps_the_pictures() {
        let s = H264Settings::default().rate_control(RateControl::Quantizer(20));
        let mut enc = H264Encoder::new(s).unwrap();
        let mut dec = H264Decoder::new().unwrap();
        for t in 0..6 {
            let img = pattern(96, 64, t);
            let f = Frame {
                image: img.view(),
                sequence: u64::from(t),
                timestamp: Duration::from_millis(u64::from(t) * 40),
            };
            let au = enc.encode(&f).unwrap().unwrap();
            let out = dec.decode(au.frame.image.data()).unwrap().unwrap();
            assert_eq!(out.size(), (96, 64));
            let db = psnr(out.data(), img.data());
            assert!(db > 35.0, "frame {t}: {db:.1} dB");
        }
        assert_eq!(dec.sps().map(|s| (s.width, s.height)), Some((96, 64)));
        assert!(dec.flush().unwrap().is_none());
    }

    #[test]
    fn damaged_and_enormous_units_are_errors() {
        let mut dec = H264Decoder::new().unwrap();
        let e = dec.decode(&[1, 2, 3, 0, 0, 1, 0x65]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        // An SPS claiming 65536x65536 pixels is refused before openh264 runs.
        let mut sps = vec![0, 0, 0, 1];
        sps.extend(super::super::sps::tests::sps_nal(4096, 4096, [0; 4], None));
        let e = dec.decode(&sps).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        let small = Limits {
            max_width: 32,
            max_height: 32,
            max_bytes: 1 << 20,
            ..Limits::DEFAULT
        };
        let mut dec = H264Decoder::with_limits(small).unwrap();
        let mut enc = H264Encoder::new(H264Settings::default()).unwrap();
        let img = pattern(64, 48, 0);
        let f = Frame {
            image: img.view(),
            sequence: 0,
            timestamp: Duration::ZERO,
        };
        let au = enc.encode(&f).unwrap().unwrap();
        let e = dec.decode(au.frame.image.data()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    }
}
