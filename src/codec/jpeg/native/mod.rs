//! camreel's own baseline JPEG encoder ([`Backend::Native`](super::Backend::Native)),
//! tuned for rate-distortion: bytes for a given PSNR.
//!
//! Why it exists: measured on camera footage (the 640x480 anchor sequence,
//! decoded by ffmpeg), libjpeg's defaults need about 1.6 times ffmpeg's MJPEG
//! bytes for the same PSNR. The gap has four causes, and neither
//! `jpeg-encoder` nor the TurboJPEG API can close all of them:
//!
//! 1. **Chroma subsampling.** Players upsample 4:2:0 chroma by repeating
//!    samples (ffmpeg's default conversion to RGB), so a 4:2:0 frame loses a
//!    dB or more of RGB PSNR however many bits it spends. 4:4:4 spends fewer
//!    bits for the same PSNR.
//! 2. **Quantisation tables.** Annex K's tables (libjpeg's) are shaped for
//!    the eye, with very coarse chroma; PSNR counts every error alike.
//!    This encoder scales the MPEG-1 intra matrix for both luma and chroma.
//! 3. **A dead zone.** Coefficients are rounded down unless their fraction
//!    passes 5/8 (ffmpeg uses the same 3/8 offset), which zeroes much of the
//!    sensor noise for little distortion.
//! 4. **Huffman tables** optimised per frame, in one interleaved scan (what
//!    every MJPEG decoder reads; `jpeg-encoder` can only optimise with one
//!    scan per component).
//!
//! The pipeline: colour conversion to full-range YCbCr (the JFIF transform,
//! 16-bit fixed point) into planes padded to whole blocks by repeating the
//! edge, 2x2 box averaging for 4:2:0, a float AAN DCT with the quantisation
//! folded in, and Huffman coding (two passes when optimising: statistics,
//! then the codes).

mod dct;
mod huffman;
mod tables;

use super::dht;
use super::encoder::{Input, Subsampling, YuvRange, full_chroma, full_luma};
use crate::codec::Quality;
use crate::convert::simd_dispatch;
use crate::image::ImageRef;
use dct::{Cpu, Quantizer};
use huffman::{BitWriter, Codes, Counter, Freq, Spec, Writer};
use tables::{Tuning, ZIGZAG};

/// Encoder state kept between frames: planes, coefficients, tables.
#[derive(Debug, Default)]
pub(super) struct Native {
    planes: [Vec<u8>; 3],
    coefs: Vec<[i16; 64]>,
    /// Each block's [`huffman::zigzag_mask`].
    masks: Vec<u64>,
    tuned: Option<(Quality, Tuning, [Quantizer; 2])>,
}

/// The settings of one encode.
pub(super) struct Settings {
    pub(super) quality: Quality,
    pub(super) subsampling: Subsampling,
    pub(super) optimize_coding: bool,
    pub(super) yuv_range: YuvRange,
}

/// Component layout of a frame.
#[derive(Clone, Copy, Debug)]
struct Layout {
    /// 1 (gray) or 3 (YCbCr).
    comps: usize,
    /// Luma sampling factor both ways: 1 (4:4:4) or 2 (4:2:0).
    factor: usize,
    /// MCUs across and down.
    mcus: (usize, usize),
}

impl Layout {
    /// Width and height of component `c`'s padded plane.
    fn plane(&self, c: usize) -> (usize, usize) {
        let blocks = if c == 0 { self.factor } else { 1 };
        (self.mcus.0 * 8 * blocks, self.mcus.1 * 8 * blocks)
    }
}

/// Full-range YCbCr of one RGB pixel (the JFIF transform; the same
/// arithmetic as [`convert::yuv422`](crate::convert::yuv422)).
#[inline(always)]
fn ycc(r: u8, g: u8, b: u8) -> [u8; 3] {
    ycc_i32(i32::from(r), i32::from(g), i32::from(b))
}

/// One row of packed pixels (`N` bytes, channels at `R`, `G`, `B`) to the
/// first `w` samples of three plane rows.
#[inline(always)]
fn rgb_row<const R: usize, const G: usize, const B: usize, const N: usize>(
    src: &[u8],
    w: usize,
    [y, cb, cr]: [&mut [u8]; 3],
) {
    // Two passes, each of which vectorises: split the channels into the
    // three rows, then convert them in place.
    let (px, _) = src.as_chunks::<N>();
    let (y, cb, cr) = (&mut y[..w], &mut cb[..w], &mut cr[..w]);
    for (((p, r), g), b) in px
        .iter()
        .zip(y.iter_mut())
        .zip(cb.iter_mut())
        .zip(cr.iter_mut())
    {
        (*r, *g, *b) = (p[R], p[G], p[B]);
    }
    for ((r, g), b) in y.iter_mut().zip(cb.iter_mut()).zip(cr.iter_mut()) {
        [*r, *g, *b] = ycc(*r, *g, *b);
    }
}

#[inline(always)]
fn ycc_i32(r: i32, g: i32, b: i32) -> [u8; 3] {
    const BIAS: i32 = (128 << 16) + (1 << 15) - 1;
    [
        ((19595 * r + 38470 * g + 7471 * b + 32768) >> 16) as u8,
        ((-11059 * r - 21709 * g + 32768 * b + BIAS) >> 16) as u8,
        ((32768 * r - 27439 * g - 5329 * b + BIAS) >> 16) as u8,
    ]
}

/// Repeats sample `w - 1` (`w` at least 1) to the end of `row`.
#[inline(always)]
fn pad_row(row: &mut [u8], w: usize) {
    let last = row[w - 1];
    row[w..].fill(last);
}

/// Copies row `h - 1` of a plane `pw` wide down to the end.
#[inline(always)]
fn pad_rows(plane: &mut [u8], pw: usize, h: usize) {
    let (filled, rest) = plane.split_at_mut(h * pw);
    let last = &filled[(h - 1) * pw..];
    for row in rest.chunks_exact_mut(pw) {
        row.copy_from_slice(last);
    }
}

/// 2x2 box average of a full-resolution plane `pw` x `ph` into its first
/// `pw / 2 * ph / 2` bytes, rounded (in place: each output byte lies at or
/// before the inputs it reads).
#[inline(always)]
fn downsample(plane: &mut [u8], pw: usize, ph: usize) {
    let cw = pw / 2;
    for cy in 0..ph / 2 {
        for cx in 0..cw {
            let i = 2 * cy * pw + 2 * cx;
            let s = u16::from(plane[i])
                + u16::from(plane[i + 1])
                + u16::from(plane[i + pw])
                + u16::from(plane[i + pw + 1]);
            plane[cy * cw + cx] = ((s + 2) >> 2) as u8;
        }
    }
}

/// A plane of an I420 source (`w` x `h`) into a padded plane `pw` wide,
/// mapping each sample.
#[inline(always)]
fn copy_plane(
    src: &[u8],
    (w, h): (usize, usize),
    plane: &mut [u8],
    pw: usize,
    map: impl Fn(u8) -> u8,
) {
    for (s, d) in src.chunks_exact(w).zip(plane.chunks_exact_mut(pw)).take(h) {
        for (d, &s) in d.iter_mut().zip(s) {
            *d = map(s);
        }
        pad_row(d, w);
    }
    pad_rows(plane, pw, h);
}

simd_dispatch! {
    fn fill_planes(src: ImageRef<'_>, input: Input, layout: Layout, range: YuvRange, planes: &mut [Vec<u8>; 3]) {
        let (w, h) = (src.width() as usize, src.height() as usize);
        let (pw, ph) = layout.plane(0);
        let [py, pu, pv] = planes;
        match input {
            Input::I420 => {
                let Some((y, u, v)) = src.yuv420_planes() else { return };
                let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
                let (cpw, _) = layout.plane(1);
                if range == YuvRange::Full {
                    copy_plane(y, (w, h), py, pw, |s| s);
                    copy_plane(u, (cw, ch), pu, cpw, |s| s);
                    copy_plane(v, (cw, ch), pv, cpw, |s| s);
                } else {
                    copy_plane(y, (w, h), py, pw, full_luma);
                    copy_plane(u, (cw, ch), pu, cpw, full_chroma);
                    copy_plane(v, (cw, ch), pv, cpw, full_chroma);
                }
            }
            Input::Gray => {
                for (s, d) in src.rows().zip(py.chunks_exact_mut(pw)) {
                    d[..w].copy_from_slice(&s[..w]);
                    pad_row(d, w);
                }
                pad_rows(py, pw, h);
            }
            Input::Rgb | Input::Bgr | Input::Bgra => {
                // Chroma at full resolution first, then averaged for 4:2:0.
                let rows = py.chunks_exact_mut(pw).zip(pu.chunks_exact_mut(pw)).zip(pv.chunks_exact_mut(pw));
                for (s, ((y, u), v)) in src.rows().zip(rows) {
                    match input {
                        Input::Rgb => rgb_row::<0, 1, 2, 3>(s, w, [&mut *y, &mut *u, &mut *v]),
                        Input::Bgr => rgb_row::<2, 1, 0, 3>(s, w, [&mut *y, &mut *u, &mut *v]),
                        _ => rgb_row::<2, 1, 0, 4>(s, w, [&mut *y, &mut *u, &mut *v]),
                    }
                    for row in [y, u, v] {
                        pad_row(row, w);
                    }
                }
                pad_rows(py, pw, h);
                for p in [pu, pv] {
                    pad_rows(p, pw, h);
                    if layout.factor == 2 {
                        downsample(p, pw, ph);
                    }
                }
            }
        }
    }
}

simd_dispatch! {
    fn transform(cpu: Cpu, layout: Layout, planes: &[Vec<u8>; 3], quant: &[Quantizer; 2], coefs: &mut [[i16; 64]], masks: &mut [u64], freqs: Option<&mut [Freq; 4]>) {
        let f = layout.factor;
        let mut blocks = coefs.iter_mut().zip(masks.iter_mut());
        let mut counters = freqs.map(|[ldc, lac, cdc, cac]| {
            [Counter { dc: ldc, ac: lac }, Counter { dc: cdc, ac: cac }]
        });
        let mut prev = [0i16; 3];
        for my in 0..layout.mcus.1 {
            for mx in 0..layout.mcus.0 {
                for c in 0..layout.comps {
                    let (pw, _) = layout.plane(c);
                    let n = if c == 0 { f } else { 1 };
                    let table = usize::from(c > 0);
                    for by in 0..n {
                        for bx in 0..n {
                            let at = (my * n + by) * 8 * pw + (mx * n + bx) * 8;
                            let (Some((zz, mask)), Some(src)) = (blocks.next(), planes[c].get(at..)) else {
                                return;
                            };
                            dct::block(cpu, src, pw, &quant[table], zz);
                            *mask = huffman::zigzag_mask(cpu, zz);
                            // Symbol statistics while the block is hot.
                            if let Some(counters) = &mut counters {
                                huffman::block(zz, *mask, prev[c], &mut counters[table]);
                                prev[c] = zz[0];
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Blocks per MCU of each component.
fn blocks_per_mcu(layout: Layout) -> [usize; 3] {
    let f = layout.factor * layout.factor;
    [
        f,
        usize::from(layout.comps > 1),
        usize::from(layout.comps > 1),
    ]
}

/// The standard tables of Annex K.3 as specs: luma DC, luma AC, chroma DC,
/// chroma AC.
fn standard_specs() -> [Spec; 4] {
    [dht::LUMA_DC, dht::LUMA_AC, dht::CHROMA_DC, dht::CHROMA_AC].map(|t| Spec {
        counts: t.counts,
        symbols: t.symbols.to_vec(),
    })
}

simd_dispatch! {
    fn write_scan(layout: Layout, coefs: &[[i16; 64]], masks: &[u64], codes: &[Codes; 4], out: &mut Vec<u8>) {
        let mut bits = BitWriter::new(out);
        let per = blocks_per_mcu(layout);
        let mut prev = [0i16; 3];
        let n = per.iter().sum();
        for (mcu, masks) in coefs.chunks_exact(n).zip(masks.chunks_exact(n)) {
            let (y, c) = mcu.split_at(per[0]);
            let (ym, cm) = masks.split_at(per[0]);
            let mut luma = Writer { bits: &mut bits, dc: &codes[0], ac: &codes[1] };
            for (b, &m) in y.iter().zip(ym) {
                huffman::block(b, m, prev[0], &mut luma);
                prev[0] = b[0];
            }
            let mut chroma = Writer { bits: &mut bits, dc: &codes[2], ac: &codes[3] };
            for (i, (b, &m)) in c.iter().zip(cm).enumerate() {
                huffman::block(b, m, prev[1 + i], &mut chroma);
                prev[1 + i] = b[0];
            }
        }
        bits.finish();
    }
}

/// Appends a marker segment: `FF code`, the length, `body`.
fn segment(out: &mut Vec<u8>, code: u8, body: &[u8]) {
    out.extend_from_slice(&[0xFF, code]);
    out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(body);
}

/// SOI, JFIF APP0, DQT, SOF0, DHT and SOS of a `width` x `height` frame.
fn headers(
    out: &mut Vec<u8>,
    (width, height): (u16, u16),
    layout: Layout,
    tuning: &Tuning,
    specs: &[Spec; 4],
) {
    out.extend_from_slice(&[0xFF, 0xD8]);
    // JFIF 1.01, no units, 1:1 aspect, no thumbnail.
    segment(out, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let colour = layout.comps > 1;
    // One quantisation table when chroma shares luma's.
    let shared = tuning.chroma == tuning.luma;
    let mut dqt = Vec::with_capacity(130);
    for (id, table) in [(0u8, &tuning.luma), (1, &tuning.chroma)] {
        if id == 1 && (shared || !colour) {
            break;
        }
        dqt.push(id);
        dqt.extend(ZIGZAG.iter().map(|&n| table[n]));
    }
    segment(out, 0xDB, &dqt);
    let mut sof = vec![8];
    sof.extend_from_slice(&height.to_be_bytes());
    sof.extend_from_slice(&width.to_be_bytes());
    sof.push(layout.comps as u8);
    let f = layout.factor as u8;
    for c in 0..layout.comps {
        let (sampling, tq) = if c == 0 {
            ((f << 4) | f, 0)
        } else {
            (0x11, u8::from(!shared))
        };
        sof.extend_from_slice(&[c as u8 + 1, sampling, tq]);
    }
    segment(out, 0xC0, &sof);
    let mut dht = Vec::with_capacity(432);
    let used: &[(u8, &Spec)] = if colour {
        &[
            (0x00, &specs[0]),
            (0x10, &specs[1]),
            (0x01, &specs[2]),
            (0x11, &specs[3]),
        ]
    } else {
        &[(0x00, &specs[0]), (0x10, &specs[1])]
    };
    for (class_id, spec) in used {
        dht.push(*class_id);
        dht.extend_from_slice(&spec.counts);
        dht.extend_from_slice(&spec.symbols);
    }
    segment(out, 0xC4, &dht);
    let mut sos = vec![layout.comps as u8];
    for c in 0..layout.comps {
        sos.extend_from_slice(&[c as u8 + 1, if c == 0 { 0x00 } else { 0x11 }]);
    }
    sos.extend_from_slice(&[0, 63, 0]);
    segment(out, 0xDA, &sos);
}

impl Native {
    /// Encodes `src` (already checked: `input` is its kind, both sides at
    /// most 65535) and appends the JPEG file to `out`.
    pub(super) fn encode(
        &mut self,
        src: ImageRef<'_>,
        input: Input,
        settings: &Settings,
        out: &mut Vec<u8>,
    ) {
        let (w, h) = (src.width() as usize, src.height() as usize);
        let factor = match input {
            Input::Gray => 1,
            Input::I420 => 2,
            _ if settings.subsampling == Subsampling::Chroma444 => 1,
            _ => 2,
        };
        let layout = Layout {
            comps: if input == Input::Gray { 1 } else { 3 },
            factor,
            mcus: (w.div_ceil(8 * factor), h.div_ceil(8 * factor)),
        };
        for (c, plane) in self.planes.iter_mut().enumerate().take(layout.comps) {
            let (pw, ph) = layout.plane(if input == Input::I420 { c } else { 0 });
            // fill_planes writes every sample: only the length matters.
            plane.resize(pw * ph, 0);
        }
        fill_planes(src, input, layout, settings.yuv_range, &mut self.planes);
        if self
            .tuned
            .as_ref()
            .is_none_or(|(q, ..)| *q != settings.quality)
        {
            let tuning = Tuning::for_quality(settings.quality);
            let quant = [
                Quantizer::new(&tuning.luma, tuning.dc_bias, tuning.ac_bias),
                Quantizer::new(&tuning.chroma, tuning.dc_bias, tuning.ac_bias),
            ];
            self.tuned = Some((settings.quality, tuning, quant));
        }
        let Some((_, tuning, quant)) = &self.tuned else {
            return;
        };
        let cpu = Cpu::detect();
        let blocks = layout.mcus.0 * layout.mcus.1 * blocks_per_mcu(layout).iter().sum::<usize>();
        // transform writes every entry: only the length matters.
        self.coefs.resize(blocks, [0; 64]);
        self.masks.resize(blocks, 0);
        let specs = if settings.optimize_coding {
            let mut freqs: [Freq; 4] = Default::default();
            transform(
                cpu,
                layout,
                &self.planes,
                quant,
                &mut self.coefs,
                &mut self.masks,
                Some(&mut freqs),
            );
            freqs.map(|f| f.spec())
        } else {
            transform(
                cpu,
                layout,
                &self.planes,
                quant,
                &mut self.coefs,
                &mut self.masks,
                None,
            );
            standard_specs()
        };
        headers(out, (w as u16, h as u16), layout, tuning, &specs);
        let codes = [0, 1, 2, 3].map(|i| Codes::new(&specs[i]));
        write_scan(layout, &self.coefs, &self.masks, &codes, out);
        out.extend_from_slice(&[0xFF, 0xD9]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::jpeg::{JpegEncoder, decode, info};
    use crate::image::{Image, PixelFormat};

    fn noise_rgb(w: u32, h: u32, seed: u32) -> Image {
        let mut s = seed | 1;
        let data = (0..w * h * 3)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                ((i % (3 * w) * 255 / (3 * w)) / 2 + (s & 63)) as u8
            })
            .collect();
        Image::new(PixelFormat::Rgb888, w, h, data).unwrap()
    }

    fn encoder(q: u8, sub: Subsampling, optimize: bool) -> JpegEncoder {
        let mut e =
            JpegEncoder::with_backend(Quality::new(q).unwrap(), super::super::Backend::Native)
                .unwrap();
        e.set_subsampling(sub);
        e.set_optimize_coding(optimize);
        e
    }

    fn markers(data: &[u8], code: u8) -> usize {
        data.windows(2).filter(|w| *w == [0xFF, code]).count()
    }

    #[test]
    fn layouts_and_segments() {
        let img = noise_rgb(37, 21, 3);
        for (sub, factor) in [
            (Subsampling::Chroma444, 0x11),
            (Subsampling::Chroma420, 0x22),
        ] {
            for optimize in [false, true] {
                let jpeg = encoder(85, sub, optimize).encode_image(img.view()).unwrap();
                let data = jpeg.data();
                let h = super::super::header::parse_header(data).unwrap();
                assert_eq!(
                    (h.info.width, h.info.height, h.info.components),
                    (37, 21, 3)
                );
                assert!(h.info.has_app0 && h.info.has_huffman_tables && !h.info.progressive);
                assert_eq!(h.sampling[0], (factor >> 4, factor & 15));
                assert_eq!((h.sampling[1], h.sampling[2]), ((1, 1), (1, 1)));
                // One interleaved scan carrying all three components.
                assert_eq!(h.first_scan_components, 3);
                assert_eq!(markers(data, 0xDA), 1);
                // Luma and chroma share one quantisation table.
                assert_eq!(markers(data, 0xDB), 1);
                assert!(data.ends_with(&[0xFF, 0xD9]));
                let back = decode(data).unwrap();
                assert_eq!(back.size(), (37, 21));
            }
        }
    }

    #[test]
    fn optimised_tables_change_bytes_not_pixels() {
        let img = noise_rgb(64, 48, 9);
        for sub in [Subsampling::Chroma444, Subsampling::Chroma420] {
            let plain = encoder(80, sub, false).encode_image(img.view()).unwrap();
            let optimised = encoder(80, sub, true).encode_image(img.view()).unwrap();
            assert!(optimised.data().len() < plain.data().len(), "{sub:?}");
            assert_eq!(
                decode(plain.data()).unwrap(),
                decode(optimised.data()).unwrap()
            );
            // Without optimisation the tables are the standard ones.
            let dht = plain
                .data()
                .windows(2)
                .position(|w| w == [0xFF, 0xC4])
                .unwrap();
            assert_eq!(
                &plain.data()[dht + 5..dht + 21],
                &super::super::dht::LUMA_DC.counts
            );
        }
    }

    #[test]
    fn every_input_and_size() {
        for (w, h) in [(1, 1), (2, 3), (7, 5), (16, 16), (17, 9), (33, 17)] {
            let rgb = noise_rgb(w, h, w + h);
            for q in [1, 50, 100] {
                for sub in [Subsampling::Chroma444, Subsampling::Chroma420] {
                    let mut e = encoder(q, sub, q == 50);
                    let from_rgb = decode(e.encode_image(rgb.view()).unwrap().data()).unwrap();
                    assert_eq!(from_rgb.size(), (w, h));
                    for f in [PixelFormat::Bgr888, PixelFormat::Argb8] {
                        let other = crate::convert::convert(rgb.view(), f).unwrap();
                        let jpeg = e.encode_image(other.view()).unwrap();
                        assert_eq!(decode(jpeg.data()).unwrap(), from_rgb, "{f} {w}x{h} q{q}");
                    }
                }
                let gray = crate::convert::convert(rgb.view(), PixelFormat::Grayscale).unwrap();
                let jpeg = encoder(q, Subsampling::Chroma444, true)
                    .encode_image(gray.view())
                    .unwrap();
                assert_eq!(info(jpeg.data()).unwrap().components, 1);
                let back = decode(jpeg.data()).unwrap();
                assert_eq!(
                    (back.format(), back.size()),
                    (PixelFormat::Grayscale, (w, h))
                );
                if q == 100 {
                    let worst = back
                        .data()
                        .iter()
                        .zip(gray.data())
                        .map(|(a, b)| a.abs_diff(*b))
                        .max();
                    assert!(worst <= Some(1), "{w}x{h}: {worst:?}");
                }
                let i420 = crate::convert::convert(rgb.view(), PixelFormat::Yuv420).unwrap();
                let jpeg = encoder(q, Subsampling::Chroma444, false)
                    .encode_image(i420.view())
                    .unwrap();
                let h0 = super::super::header::parse_header(jpeg.data()).unwrap();
                assert_eq!(h0.sampling[0], (2, 2), "a YUV420 input stays 4:2:0");
                assert_eq!(decode(jpeg.data()).unwrap().size(), (w, h));
            }
        }
    }

    #[test]
    fn the_same_frame_gives_the_same_bytes() {
        let img = noise_rgb(48, 32, 5);
        let mut e = encoder(85, Subsampling::Chroma444, true);
        let a = e.encode_image(img.view()).unwrap();
        let b = e.encode_image(img.view()).unwrap();
        e.set_quality(Quality::new(40).unwrap());
        let c = e.encode_image(img.view()).unwrap();
        e.set_quality(Quality::new(85).unwrap());
        let d = e.encode_image(img.view()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, d);
        assert!(c.data().len() < a.data().len());
    }
}
