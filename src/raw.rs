//! picamera raw captures: the `picamera.array` equivalents.
//!
//! Unencoded picamera captures are padded: the width up to a multiple of 32,
//! the height up to a multiple of 16 ([`padded_size`]). This module crops
//! them back ([`crop_yuv420`], [`crop_rgb`]), lays images out the picamera way
//! ([`pad_yuv420`], [`pad_rgb`]), and reads and writes the raw Bayer block a
//! Pi appends to a JPEG (`capture(..., bayer=True)`): a 32768-byte header
//! region starting with `BRCM` whose [`BrcmHeader`] sits at offset 176,
//! followed by RAW10 rows ([`RawLayout`]). The layouts are exactly those of
//! SPEC section 6; nothing here assumes a Bayer order, it is always read from
//! the header.
//!
//! ```
//! use camreel::raw::{padded_size, yuv420_capture_len, Sensor};
//! assert_eq!(padded_size(100, 100), (128, 112));
//! assert_eq!(yuv420_capture_len(100, 100)?, 14336 + 2 * 3584);
//! assert_eq!(Sensor::Ov5647.block_len(), 6_404_096);
//! assert_eq!(Sensor::Imx219.block_len(), 10_270_208);
//! # Ok::<(), camreel::Error>(())
//! ```

use crate::convert::{ConvertOptions, Demosaic, raw10};
use crate::error::{Error, ErrorKind, Result};
use crate::image::{BayerOrder, Image, ImageRef, Limits, PixelFormat};

/// The size picamera pads an unencoded capture to: width up to a multiple of
/// 32, height up to a multiple of 16 (saturating at the largest multiple).
pub fn padded_size(width: u32, height: u32) -> (u32, u32) {
    let up = |v: u32, m: u32| v.checked_next_multiple_of(m).unwrap_or(u32::MAX / m * m);
    (up(width, 32), up(height, 16))
}

fn check_request(width: u32, height: u32) -> Result<(usize, usize)> {
    Limits::default().check_dimensions(width, height)?;
    let (fw, fh) = padded_size(width, height);
    Ok((fw as usize, fh as usize))
}

/// Bytes in a picamera YUV420 capture of `width` x `height`: the padded Y
/// plane, then U and V of a quarter of its size each.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`] for a zero dimension,
/// [`ErrorKind::LimitExceeded`] above the default [`Limits`].
pub fn yuv420_capture_len(width: u32, height: u32) -> Result<usize> {
    let (fw, fh) = check_request(width, height)?;
    Ok(fw * fh + 2 * (fw / 2) * (fh / 2))
}

/// Bytes in a picamera RGB (or BGR) capture of `width` x `height`.
///
/// # Errors
/// As [`yuv420_capture_len`].
pub fn rgb_capture_len(width: u32, height: u32) -> Result<usize> {
    let (fw, fh) = check_request(width, height)?;
    Ok(fw * fh * 3)
}

fn check_len(what: &str, data: &[u8], expected: usize, width: u32, height: u32) -> Result<()> {
    if data.len() != expected {
        let (fw, fh) = padded_size(width, height);
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "a {width}x{height} {what} capture (padded to {fw}x{fh}) is {expected} bytes, got {}",
                data.len()
            ),
        ));
    }
    Ok(())
}

/// Crops a picamera YUV420 capture of a requested `width` x `height` to a
/// tightly packed [`PixelFormat::Yuv420`] image of that size (the
/// `PiYUVArray.array` equivalent).
///
/// ```
/// use camreel::raw::{crop_yuv420, yuv420_capture_len};
/// let data = vec![16u8; yuv420_capture_len(100, 100)?];
/// let img = crop_yuv420(&data, 100, 100)?;
/// assert_eq!(img.size(), (100, 100));
/// assert_eq!(img.data().len(), 100 * 100 + 2 * 50 * 50);
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`] if `data` is not exactly
/// [`yuv420_capture_len`] bytes.
pub fn crop_yuv420(data: &[u8], width: u32, height: u32) -> Result<Image> {
    let expected = yuv420_capture_len(width, height)?;
    check_len("YUV420", data, expected, width, height)?;
    let (fw, fh) = check_request(width, height)?;
    let (w, h) = (width as usize, height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let (y_plane, rest) = data.split_at(fw * fh);
    let (u_plane, v_plane) = rest.split_at((fw / 2) * (fh / 2));
    let mut out = Vec::with_capacity(w * h + 2 * cw * ch);
    for row in y_plane.chunks_exact(fw).take(h) {
        out.extend_from_slice(&row[..w]);
    }
    for plane in [u_plane, v_plane] {
        for row in plane.chunks_exact(fw / 2).take(ch) {
            out.extend_from_slice(&row[..cw]);
        }
    }
    Image::new(PixelFormat::Yuv420, width, height, out)
}

/// Crops a picamera RGB capture to a tightly packed `width` x `height` image
/// (the `PiRGBArray.array` equivalent). Pass [`PixelFormat::Bgr888`] for a
/// `'bgr'` capture, [`PixelFormat::Rgb888`] otherwise.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`] if `data` is not exactly
/// [`rgb_capture_len`] bytes; [`ErrorKind::UnsupportedFormat`] for another format.
pub fn crop_rgb(data: &[u8], width: u32, height: u32, format: PixelFormat) -> Result<Image> {
    if !matches!(format, PixelFormat::Rgb888 | PixelFormat::Bgr888) {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("picamera RGB captures are RGB888 or BGR888, not {format}"),
        ));
    }
    let expected = rgb_capture_len(width, height)?;
    check_len(format.name(), data, expected, width, height)?;
    let (fw, _) = check_request(width, height)?;
    let (w, h) = (width as usize, height as usize);
    let mut out = Vec::with_capacity(w * h * 3);
    for row in data.chunks_exact(fw * 3).take(h) {
        out.extend_from_slice(&row[..w * 3]);
    }
    Image::new(format, width, height, out)
}

/// Lays out a [`PixelFormat::Yuv420`] image the way a Pi delivers a `'yuv'`
/// capture: planes padded to [`padded_size`]. The padding repeats the last
/// column and row (a Pi leaves it undefined).
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] if `image` is not YUV420.
pub fn pad_yuv420(image: ImageRef<'_>) -> Result<Vec<u8>> {
    let (y, u, v) = image.yuv420_planes().ok_or_else(|| {
        Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "picamera 'yuv' captures need YUV420 frames, not {}",
                image.format()
            ),
        )
    })?;
    let (width, height) = image.size();
    let (fw, fh) = check_request(width, height)?;
    let (w, h) = (width as usize, height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut out = Vec::with_capacity(yuv420_capture_len(width, height)?);
    pad_plane(&mut out, y, w, h, fw, fh, 1);
    pad_plane(&mut out, u, cw, ch, fw / 2, fh / 2, 1);
    pad_plane(&mut out, v, cw, ch, fw / 2, fh / 2, 1);
    Ok(out)
}

/// Lays out an RGB888 (or BGR888) image the way a Pi delivers an `'rgb'`
/// capture: rows of [`padded_size`] width, padded rows at the bottom; the
/// padding repeats the last column and row.
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] for other formats.
pub fn pad_rgb(image: ImageRef<'_>) -> Result<Vec<u8>> {
    if !matches!(image.format(), PixelFormat::Rgb888 | PixelFormat::Bgr888) {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "picamera 'rgb' captures need RGB888 frames, not {}",
                image.format()
            ),
        ));
    }
    let (width, height) = image.size();
    let (fw, fh) = check_request(width, height)?;
    let packed;
    let data = if image.is_packed() {
        image.data()
    } else {
        packed = image.to_image();
        packed.data()
    };
    let mut out = Vec::with_capacity(rgb_capture_len(width, height)?);
    pad_plane(&mut out, data, width as usize, height as usize, fw, fh, 3);
    Ok(out)
}

/// Appends a `w` x `h` plane of `bpp`-byte pixels padded to `fw` x `fh` by
/// repeating the last column and row.
fn pad_plane(
    out: &mut Vec<u8>,
    plane: &[u8],
    w: usize,
    h: usize,
    fw: usize,
    fh: usize,
    bpp: usize,
) {
    let start = out.len();
    let row_len = w * bpp;
    for row in plane.chunks_exact(row_len).take(h) {
        out.extend_from_slice(row);
        let last = &row[row_len - bpp..];
        for _ in w..fw {
            out.extend_from_slice(last);
        }
    }
    let padded_row = fw * bpp;
    let last_row = start + (h - 1) * padded_row;
    for _ in h..fh {
        out.extend_from_within(last_row..last_row + padded_row);
    }
}

/// Where the [`BrcmHeader`] sits inside a raw Bayer block.
pub const HEADER_OFFSET: usize = 176;
/// Where the pixel rows start inside a raw Bayer block.
pub const DATA_OFFSET: usize = 32768;
/// The first four bytes of a raw Bayer block.
pub const MAGIC: &[u8; 4] = b"BRCM";
/// Bytes of the header struct.
pub const HEADER_LEN: usize = 70;

/// The Broadcom raw header at offset 176 of a raw Bayer block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrcmHeader {
    /// Sensor/mode name, NUL-padded.
    pub name: [u8; 32],
    /// Active width in pixels.
    pub width: u16,
    /// Active height in pixels.
    pub height: u16,
    /// Extra pixels at the end of each row.
    pub padding_right: u16,
    /// Extra rows at the bottom.
    pub padding_down: u16,
    /// Six fields picamera ignores, kept verbatim.
    pub dummy: [u32; 6],
    /// Flip/rotation applied by the firmware.
    pub transform: u16,
    /// Firmware format code, kept verbatim.
    pub format: u16,
    /// Colour-filter order, 0 RGGB, 1 GBRG, 2 BGGR, 3 GRBG ([`BayerOrder::from_brcm`]).
    pub bayer_order: u8,
    /// Firmware Bayer format code, kept verbatim.
    pub bayer_format: u8,
}

impl BrcmHeader {
    /// A header for `width` x `height` RAW10 in `order`, no padding, named `name`.
    pub fn new(name: &str, width: u16, height: u16, order: BayerOrder) -> BrcmHeader {
        let mut n = [0u8; 32];
        let bytes = name.as_bytes();
        let len = bytes.len().min(31);
        n[..len].copy_from_slice(&bytes[..len]);
        BrcmHeader {
            name: n,
            width,
            height,
            padding_right: 0,
            padding_down: 0,
            dummy: [0; 6],
            transform: 0,
            format: 0,
            bayer_order: order.brcm(),
            bayer_format: 0,
        }
    }

    /// Parses the 70 header bytes (little-endian, as the Pi's ARM writes them).
    ///
    /// # Errors
    /// [`ErrorKind::Truncated`] if fewer than [`HEADER_LEN`] bytes are given.
    pub fn parse(bytes: &[u8]) -> Result<BrcmHeader> {
        let b: &[u8; HEADER_LEN] = bytes
            .get(..HEADER_LEN)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Truncated,
                    format!("raw header needs {HEADER_LEN} bytes, got {}", bytes.len()),
                )
            })?;
        let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
        let u32_at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        let mut name = [0u8; 32];
        name.copy_from_slice(&b[..32]);
        let mut dummy = [0u32; 6];
        for (i, d) in dummy.iter_mut().enumerate() {
            *d = u32_at(40 + 4 * i);
        }
        Ok(BrcmHeader {
            name,
            width: u16_at(32),
            height: u16_at(34),
            padding_right: u16_at(36),
            padding_down: u16_at(38),
            dummy,
            transform: u16_at(64),
            format: u16_at(66),
            bayer_order: b[68],
            bayer_format: b[69],
        })
    }

    /// The 70 header bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[..32].copy_from_slice(&self.name);
        b[32..34].copy_from_slice(&self.width.to_le_bytes());
        b[34..36].copy_from_slice(&self.height.to_le_bytes());
        b[36..38].copy_from_slice(&self.padding_right.to_le_bytes());
        b[38..40].copy_from_slice(&self.padding_down.to_le_bytes());
        for (i, d) in self.dummy.iter().enumerate() {
            b[40 + 4 * i..44 + 4 * i].copy_from_slice(&d.to_le_bytes());
        }
        b[64..66].copy_from_slice(&self.transform.to_le_bytes());
        b[66..68].copy_from_slice(&self.format.to_le_bytes());
        b[68] = self.bayer_order;
        b[69] = self.bayer_format;
        b
    }

    /// The name up to its first NUL, lossily decoded.
    pub fn name(&self) -> String {
        let end = self.name.iter().position(|&c| c == 0).unwrap_or(32);
        String::from_utf8_lossy(&self.name[..end]).into_owned()
    }

    /// The colour-filter order.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for a value above 3.
    pub fn order(&self) -> Result<BayerOrder> {
        BayerOrder::from_brcm(self.bayer_order).ok_or_else(|| {
            Error::new(
                ErrorKind::Format,
                format!(
                    "raw header at byte {HEADER_OFFSET}: bayer_order {} is not 0-3",
                    self.bayer_order
                ),
            )
        })
    }

    /// The row layout this header describes.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for a zero size or a bad Bayer order.
    pub fn layout(&self) -> Result<RawLayout> {
        if self.width == 0 || self.height == 0 {
            return Err(Error::new(
                ErrorKind::Format,
                format!(
                    "raw header at byte {HEADER_OFFSET}: {}x{} sensor has a zero dimension",
                    self.width, self.height
                ),
            ));
        }
        let order = self.order()?;
        let (w, pr) = (u32::from(self.width), u32::from(self.padding_right));
        let (h, pd) = (u32::from(self.height), u32::from(self.padding_down));
        // SPEC: ceil(((width + padding_right) * 5 / 4) / 32) * 32. For widths
        // that are not a multiple of 4 the last, partial group still takes 5
        // bytes, so the stride is never shorter than that.
        let packed = ((w + pr) * 5).div_ceil(4).max(w.div_ceil(4) * 5);
        Ok(RawLayout {
            width: w,
            height: h,
            stride: packed.div_ceil(32) as usize * 32,
            rows: (h + pd).div_ceil(16) as usize * 16,
            order,
        })
    }
}

/// How the RAW10 rows of a raw Bayer block are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawLayout {
    /// Active width in pixels.
    pub width: u32,
    /// Active height in pixels.
    pub height: u32,
    /// Bytes from one row to the next: the packed row (5 bytes per 4 pixels,
    /// padding included) rounded up to a multiple of 32.
    pub stride: usize,
    /// Rows stored: the height (padding included) rounded up to a multiple of 16.
    pub rows: usize,
    /// Colour-filter order.
    pub order: BayerOrder,
}

impl RawLayout {
    /// Bytes of pixel data.
    pub fn data_len(&self) -> usize {
        self.stride * self.rows
    }

    /// Bytes of the whole block (header region and pixel data).
    pub fn block_len(&self) -> usize {
        DATA_OFFSET + self.data_len()
    }
}

/// The Raspberry Pi camera modules picamera knows the raw blocks of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sensor {
    /// OmniVision OV5647 (camera module V1), 2592x1944.
    Ov5647,
    /// Sony IMX219 (camera module V2), 3280x2464.
    Imx219,
}

impl Sensor {
    /// Full-resolution size in pixels.
    pub fn resolution(self) -> (u32, u32) {
        match self {
            Sensor::Ov5647 => (2592, 1944),
            Sensor::Imx219 => (3280, 2464),
        }
    }

    /// The name written into emulated headers.
    pub fn name(self) -> &'static str {
        match self {
            Sensor::Ov5647 => "ov5647",
            Sensor::Imx219 => "imx219",
        }
    }

    /// The header a block from this sensor carries (as the emulator writes
    /// it). The IMX219's 2464 rows are already a multiple of 16, yet its
    /// block holds 2480 rows: its header has `padding_down` 16.
    pub fn header(self, order: BayerOrder) -> BrcmHeader {
        let (w, h) = self.resolution();
        let mut header = BrcmHeader::new(self.name(), w as u16, h as u16, order);
        if self == Sensor::Imx219 {
            header.padding_down = 16;
        }
        header
    }

    /// The raw block layout in `order`.
    pub fn layout(self, order: BayerOrder) -> RawLayout {
        match self.header(order).layout() {
            Ok(l) => l,
            Err(_) => unreachable!("sensor sizes are non-zero"),
        }
    }

    /// Total bytes of the raw block (6,404,096 for the OV5647, 10,270,208 for the IMX219).
    pub fn block_len(self) -> usize {
        self.layout(BayerOrder::Bggr).block_len()
    }

    /// The sensor whose raw block is `len` bytes.
    pub fn from_block_len(len: usize) -> Option<Sensor> {
        [Sensor::Ov5647, Sensor::Imx219]
            .into_iter()
            .find(|s| s.block_len() == len)
    }
}

/// A JPEG with a raw Bayer block appended, split into its parts (the
/// `PiBayerArray` equivalent).
#[derive(Clone, Copy, Debug)]
pub struct BayerCapture<'a> {
    /// The JPEG before the block.
    pub jpeg: &'a [u8],
    /// The header.
    pub header: BrcmHeader,
    /// The row layout.
    pub layout: RawLayout,
    /// The active pixels as a strided RAW10 view (no copy).
    pub raw: ImageRef<'a>,
}

impl<'a> BayerCapture<'a> {
    /// Finds the raw block at the end of `data`: first at the two module
    /// lengths picamera uses ([`Sensor::block_len`]), then at any `BRCM`
    /// whose header describes a block that ends exactly at the end of `data`.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] if there is no consistent block (the message says
    /// what was looked for), a bad header, or dimensions above the default
    /// [`Limits`].
    pub fn parse(data: &'a [u8]) -> Result<BayerCapture<'a>> {
        for sensor in [Sensor::Ov5647, Sensor::Imx219] {
            let len = sensor.block_len();
            if data.len() >= len && data[data.len() - len..].starts_with(MAGIC) {
                return BayerCapture::parse_at(data, data.len() - len);
            }
        }
        // Any other consistent block (other sensors, cropped emulations).
        let mut end = data.len();
        while let Some(pos) = find_last(&data[..end], MAGIC) {
            if let Ok(c) = BayerCapture::parse_at(data, pos) {
                return Ok(c);
            }
            end = pos + MAGIC.len() - 1;
        }
        Err(Error::new(
            ErrorKind::Format,
            format!(
                "no raw Bayer block in {} bytes (expected `BRCM` {} or {} bytes before the end, \
                 or a header describing a block that ends there)",
                data.len(),
                Sensor::Ov5647.block_len(),
                Sensor::Imx219.block_len()
            ),
        ))
    }

    /// Parses the block that starts at byte `offset` of `data` and must end
    /// exactly at its end.
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for a missing magic, a bad header or a length
    /// that does not match the header.
    pub fn parse_at(data: &'a [u8], offset: usize) -> Result<BayerCapture<'a>> {
        let block = data.get(offset..).unwrap_or_default();
        if !block.starts_with(MAGIC) {
            return Err(Error::new(
                ErrorKind::Format,
                format!("raw Bayer block at byte {offset}: no `BRCM` magic"),
            ));
        }
        let header = BrcmHeader::parse(block.get(HEADER_OFFSET..).unwrap_or_default())
            .map_err(|e| e.context(format!("raw Bayer block at byte {offset}")))?;
        let layout = header
            .layout()
            .map_err(|e| e.context(format!("raw Bayer block at byte {offset}")))?;
        Limits::default().check_dimensions(layout.width, layout.height)?;
        if block.len() != layout.block_len() {
            return Err(Error::new(
                ErrorKind::Format,
                format!(
                    "raw Bayer block at byte {offset}: a {}x{} header implies {} bytes, {} remain",
                    layout.width,
                    layout.height,
                    layout.block_len(),
                    block.len()
                ),
            ));
        }
        let raw = ImageRef::with_stride(
            PixelFormat::Raw10(layout.order),
            layout.width,
            layout.height,
            layout.stride,
            &block[DATA_OFFSET..],
        )?;
        Ok(BayerCapture {
            jpeg: &data[..offset],
            header,
            layout,
            raw,
        })
    }

    /// The active pixels as 10-bit samples in u16
    /// ([`PixelFormat::Bayer16`] with `bits: 10`, in the header's order).
    ///
    /// # Errors
    /// Only if the image cannot be allocated within the default [`Limits`].
    pub fn to_bayer16(&self) -> Result<Image> {
        let mut out = Image::empty();
        raw10::unpack(self.raw, &mut out)?;
        Ok(out)
    }
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// Builds a raw Bayer block (header region and padded RAW10 rows) from
/// 10-bit samples: `samples` holds `header.width * header.height` values,
/// row by row. Padding bytes are zero.
///
/// # Errors
/// [`ErrorKind::InvalidFrameSize`] if `samples` has the wrong length;
/// [`ErrorKind::Format`] for a bad header; [`ErrorKind::LimitExceeded`] for
/// a block (padding included) above the default [`Limits`];
/// [`ErrorKind::InvalidArgument`] for a sample above 1023.
pub fn build_raw_block(header: &BrcmHeader, samples: &[u16]) -> Result<Vec<u8>> {
    let layout = header.layout()?;
    let limits = Limits::default();
    limits.check_dimensions(layout.width, layout.height)?;
    // The padding fields alone can ask for gigabytes (65535 extra rows of
    // up to 160 KiB): check before allocating.
    limits
        .check_bytes(layout.block_len() as u64)
        .map_err(|e| e.context("raw Bayer block"))?;
    let (w, h) = (layout.width as usize, layout.height as usize);
    if samples.len() != w * h {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "a {w}x{h} raw block needs {} samples, got {}",
                w * h,
                samples.len()
            ),
        ));
    }
    let mut block = vec![0u8; layout.block_len()];
    block[..4].copy_from_slice(MAGIC);
    block[HEADER_OFFSET..HEADER_OFFSET + HEADER_LEN].copy_from_slice(&header.to_bytes());
    let packed = w.div_ceil(4) * 5;
    for (row, dst) in samples
        .chunks_exact(w)
        .zip(block[DATA_OFFSET..].chunks_exact_mut(layout.stride))
    {
        raw10::pack_row(row, &mut dst[..packed])?;
    }
    Ok(block)
}

/// What kind of picamera capture a file holds, for [`decode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RawKind {
    /// A `'yuv'` capture: padded YUV420 planes.
    Yuv420,
    /// An `'rgb'` capture: padded R, G, B rows.
    Rgb,
    /// A `'bgr'` capture: padded B, G, R rows.
    Bgr,
    /// A `'jpeg'` capture with `bayer=True`: the raw block at the end.
    Bayer,
}

impl std::str::FromStr for RawKind {
    type Err = Error;

    /// `yuv420` (or `yuv`), `rgb`, `bgr`, `bayer`, case-insensitively.
    fn from_str(s: &str) -> Result<RawKind> {
        match s.to_ascii_lowercase().as_str() {
            "yuv420" | "yuv" | "i420" => Ok(RawKind::Yuv420),
            "rgb" => Ok(RawKind::Rgb),
            "bgr" => Ok(RawKind::Bgr),
            "bayer" => Ok(RawKind::Bayer),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown raw capture format {s:?} (expected yuv420, rgb, bgr or bayer)"),
            )),
        }
    }
}

/// How [`decode`] turns a capture into RGB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DecodeOptions {
    /// The requested capture size (needed for YUV and RGB captures, whose
    /// padded buffers do not say; ignored for Bayer, whose header does).
    pub size: Option<(u32, u32)>,
    /// Demosaicing algorithm for Bayer captures.
    pub demosaic: Demosaic,
    /// Output bits per sample: 8 ([`PixelFormat::Rgb888`]) or 16
    /// ([`PixelFormat::Rgb48`]; Bayer keeps its 10 bits of precision, the
    /// others are widened).
    pub depth: u8,
}

impl Default for DecodeOptions {
    fn default() -> DecodeOptions {
        DecodeOptions {
            size: None,
            demosaic: Demosaic::default(),
            depth: 8,
        }
    }
}

/// Decodes a picamera raw capture to RGB (the `picamera.array` classes'
/// `rgb_array` / `demosaic()`): YUV420 through BT.601 limited range, RGB and
/// BGR cropped, Bayer unpacked in the header's order and demosaiced.
///
/// ```
/// use camreel::raw::{self, DecodeOptions, RawKind};
/// let data = vec![128u8; raw::rgb_capture_len(10, 10)?];
/// let opts = DecodeOptions { size: Some((10, 10)), ..DecodeOptions::default() };
/// let rgb = raw::decode(&data, RawKind::Rgb, &opts)?;
/// assert_eq!((rgb.size(), rgb.format()), ((10, 10), camreel::PixelFormat::Rgb888));
/// # Ok::<(), camreel::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for a missing size or a depth other than
/// 8 or 16; the errors of [`crop_yuv420`], [`crop_rgb`] and
/// [`BayerCapture::parse`].
pub fn decode(data: &[u8], kind: RawKind, options: &DecodeOptions) -> Result<Image> {
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
        options.size.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                "a YUV or RGB capture needs its requested size (WxH): the padded buffer does not say",
            )
        })
    };
    let convert_opts = ConvertOptions::default().with_demosaic(options.demosaic);
    let mut out = Image::empty();
    match kind {
        RawKind::Yuv420 => {
            let (w, h) = size()?;
            let yuv = crop_yuv420(data, w, h)?;
            crate::convert::convert_with(yuv.view(), target, &convert_opts, &mut out)?;
        }
        RawKind::Rgb | RawKind::Bgr => {
            let (w, h) = size()?;
            let format = if kind == RawKind::Rgb {
                PixelFormat::Rgb888
            } else {
                PixelFormat::Bgr888
            };
            let img = crop_rgb(data, w, h, format)?;
            crate::convert::convert_with(img.view(), target, &convert_opts, &mut out)?;
        }
        RawKind::Bayer => {
            let capture = BayerCapture::parse(data)?;
            let bayer = capture.to_bayer16()?;
            crate::convert::convert_with(bayer.view(), target, &convert_opts, &mut out)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_rules() {
        assert_eq!(padded_size(100, 100), (128, 112));
        assert_eq!(padded_size(1, 1), (32, 16));
        assert_eq!(padded_size(64, 32), (64, 32));
        assert_eq!(padded_size(1920, 1080), (1920, 1088));
        assert_eq!(rgb_capture_len(100, 100).unwrap(), 128 * 112 * 3);
        assert_eq!(yuv420_capture_len(100, 100).unwrap(), 21504);
        assert_eq!(
            yuv420_capture_len(0, 5).unwrap_err().kind(),
            ErrorKind::InvalidFrameSize
        );
        assert_eq!(
            rgb_capture_len(u32::MAX, 5).unwrap_err().kind(),
            ErrorKind::LimitExceeded
        );
        assert_eq!(
            padded_size(u32::MAX, u32::MAX),
            (u32::MAX / 32 * 32, u32::MAX / 16 * 16)
        );
    }

    #[test]
    fn yuv_crop_and_pad_round_trip() {
        // A 5x3 YUV420 image: Y 15, U 3x2, V 3x2.
        let data: Vec<u8> = (0..27).collect();
        let img = Image::new(PixelFormat::Yuv420, 5, 3, data.clone()).unwrap();
        let padded = pad_yuv420(img.view()).unwrap();
        assert_eq!(padded.len(), yuv420_capture_len(5, 3).unwrap());
        assert_eq!(padded.len(), 32 * 16 + 2 * 16 * 8);
        // Y row 0 then its padding repeats pixel 4.
        assert_eq!(&padded[..6], &[0, 1, 2, 3, 4, 4]);
        // Row 1 starts at 32.
        assert_eq!(padded[32], 5);
        // Padded rows repeat row 2.
        assert_eq!(padded[15 * 32], 10);
        // U plane starts after 32*16, V after another 16*8.
        assert_eq!(&padded[512..515], &[15, 16, 17]);
        assert_eq!(padded[512 + 16], 18);
        assert_eq!(&padded[512 + 128..512 + 131], &[21, 22, 23]);
        let back = crop_yuv420(&padded, 5, 3).unwrap();
        assert_eq!(back, img);
        let e = crop_yuv420(&padded[1..], 5, 3).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        assert_eq!(
            e.to_string(),
            "a 5x3 YUV420 capture (padded to 32x16) is 768 bytes, got 767"
        );
        assert!(pad_yuv420(Image::zeroed(PixelFormat::Rgb888, 2, 2).unwrap().view()).is_err());
    }

    #[test]
    fn rgb_crop_and_pad_round_trip() {
        let data: Vec<u8> = (0..(33 * 17 * 3)).map(|i| (i % 251) as u8).collect();
        let img = Image::new(PixelFormat::Rgb888, 33, 17, data).unwrap();
        let padded = pad_rgb(img.view()).unwrap();
        assert_eq!(padded.len(), 64 * 32 * 3);
        assert_eq!(crop_rgb(&padded, 33, 17, PixelFormat::Rgb888).unwrap(), img);
        let bgr = crop_rgb(&padded, 33, 17, PixelFormat::Bgr888).unwrap();
        assert_eq!(bgr.format(), PixelFormat::Bgr888);
        assert!(crop_rgb(&padded, 33, 17, PixelFormat::Grayscale).is_err());
        assert!(crop_rgb(&padded[3..], 33, 17, PixelFormat::Rgb888).is_err());
        // A strided view pads the same.
        let raw: Vec<u8> = (0..2 * 9).map(|i| i as u8).collect();
        let v = ImageRef::with_stride(PixelFormat::Rgb888, 2, 2, 9, &raw).unwrap();
        let p = pad_rgb(v).unwrap();
        assert_eq!(&p[..9], &[0, 1, 2, 3, 4, 5, 3, 4, 5]);
        assert_eq!(&p[96..99], &[9, 10, 11]);
    }

    #[test]
    fn sensor_layouts_match_spec() {
        let l = Sensor::Ov5647.layout(BayerOrder::Gbrg);
        assert_eq!(
            (l.width, l.height, l.stride, l.rows),
            (2592, 1944, 3264, 1952)
        );
        assert_eq!(l.block_len(), 6_404_096);
        let l = Sensor::Imx219.layout(BayerOrder::Bggr);
        assert_eq!((l.stride, l.rows), (4128, 2480));
        assert_eq!(l.block_len(), 10_270_208);
        assert_eq!(Sensor::from_block_len(6_404_096), Some(Sensor::Ov5647));
        assert_eq!(Sensor::from_block_len(10_270_208), Some(Sensor::Imx219));
        assert_eq!(Sensor::from_block_len(1), None);
    }

    #[test]
    fn header_bytes_by_hand() {
        let mut h = BrcmHeader::new("ov5647", 2592, 1944, BayerOrder::Gbrg);
        h.padding_right = 8;
        h.dummy[5] = 0x0102_0304;
        h.transform = 3;
        h.format = 0x21;
        h.bayer_format = 7;
        let b = h.to_bytes();
        assert_eq!(&b[..7], b"ov5647\0");
        assert_eq!(&b[32..40], &[0x20, 0x0A, 0x98, 0x07, 8, 0, 0, 0]);
        assert_eq!(&b[60..64], &[4, 3, 2, 1]);
        assert_eq!(&b[64..70], &[3, 0, 0x21, 0, 1, 7]);
        let p = BrcmHeader::parse(&b).unwrap();
        assert_eq!(p, h);
        assert_eq!(p.name(), "ov5647");
        assert_eq!(p.order().unwrap(), BayerOrder::Gbrg);
        // padding_right 8 widens the stride: (2600*5/4 = 3250) -> 3264.
        assert_eq!(p.layout().unwrap().stride, 3264);
        assert_eq!(
            BrcmHeader::parse(&b[..69]).unwrap_err().kind(),
            ErrorKind::Truncated
        );
        let mut bad = h;
        bad.bayer_order = 4;
        assert_eq!(bad.layout().unwrap_err().kind(), ErrorKind::Format);
        bad = h;
        bad.width = 0;
        assert_eq!(bad.layout().unwrap_err().kind(), ErrorKind::Format);
    }

    #[test]
    fn raw10_rows_in_blocks_by_hand() {
        // Pixels 0x3FF, 0x001, 0x202, 0x103: high bytes FF 00 80 40, low bits 11 01 10 11.
        let header = BrcmHeader::new("x", 4, 1, BayerOrder::Rggb);
        let block = build_raw_block(&header, &[0x3FF, 0x001, 0x202, 0x103]).unwrap();
        assert_eq!(
            &block[DATA_OFFSET..DATA_OFFSET + 5],
            &[0xFF, 0x00, 0x80, 0x40, 0b11_10_01_11]
        );
        let cap = BayerCapture::parse(&block).unwrap();
        let u = cap.to_bayer16().unwrap();
        let vals: Vec<u16> = u
            .data()
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(vals, [0x3FF, 0x001, 0x202, 0x103]);
        assert_eq!(
            build_raw_block(&header, &[1024, 0, 0, 0])
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidArgument
        );
    }

    fn small_block(order: BayerOrder) -> (Vec<u16>, Vec<u8>) {
        let (w, h) = (10usize, 6usize);
        let samples: Vec<u16> = (0..w * h).map(|i| (i * 17 % 1024) as u16).collect();
        let header = BrcmHeader::new("test", w as u16, h as u16, order);
        (samples.clone(), build_raw_block(&header, &samples).unwrap())
    }

    #[test]
    fn small_blocks_round_trip_in_every_order() {
        for order in BayerOrder::ALL {
            let (samples, block) = small_block(order);
            // 10 px -> 13 bytes -> stride 32; 6 rows -> 16.
            assert_eq!(block.len(), DATA_OFFSET + 32 * 16);
            let mut file = b"\xFF\xD8jpeg\xFF\xD9".to_vec();
            file.extend_from_slice(&block);
            let cap = BayerCapture::parse(&file).unwrap();
            assert_eq!(cap.jpeg, b"\xFF\xD8jpeg\xFF\xD9");
            assert_eq!(cap.layout.order, order);
            assert_eq!(cap.raw.format(), PixelFormat::Raw10(order));
            let b16 = cap.to_bayer16().unwrap();
            let vals: Vec<u16> = b16
                .data()
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            assert_eq!(vals, samples);
        }
    }

    #[test]
    fn bad_blocks_are_refused_not_panicked() {
        let (_, block) = small_block(BayerOrder::Bggr);
        let mut file = b"jpeg".to_vec();
        file.extend_from_slice(&block);
        // Every truncated prefix and a few corruptions: errors, never panics.
        for cut in [0, 3, 4, 100, 176, 200, 32768, file.len() - 1] {
            assert!(BayerCapture::parse(&file[..cut]).is_err(), "cut {cut}");
        }
        let mut bad = file.clone();
        bad[4 + HEADER_OFFSET + 68] = 9;
        let e = BayerCapture::parse(&bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        let mut huge = file.clone();
        huge[4 + HEADER_OFFSET + 32..4 + HEADER_OFFSET + 34]
            .copy_from_slice(&u16::MAX.to_le_bytes());
        assert!(BayerCapture::parse(&huge).is_err());
        assert!(BayerCapture::parse_at(&file, 1).is_err());
        assert!(BayerCapture::parse_at(&file, file.len() + 5).is_err());
        assert!(build_raw_block(&BrcmHeader::new("x", 4, 4, BayerOrder::Bggr), &[0; 15]).is_err());
        // Padding that asks for a 5 GB block for one pixel is refused
        // before anything is allocated.
        let mut padded = BrcmHeader::new("x", 1, 1, BayerOrder::Bggr);
        padded.padding_right = u16::MAX;
        padded.padding_down = u16::MAX;
        assert_eq!(
            build_raw_block(&padded, &[0]).unwrap_err().kind(),
            ErrorKind::LimitExceeded
        );
    }

    #[test]
    fn decode_every_kind() {
        use crate::convert;
        // YUV: pad a known image, decode, compare with a direct conversion.
        let rgb: Vec<u8> = (0..(20 * 10 * 3)).map(|i| (i * 7 % 256) as u8).collect();
        let rgb = Image::new(PixelFormat::Rgb888, 20, 10, rgb).unwrap();
        let yuv = convert::convert(rgb.view(), PixelFormat::Yuv420).unwrap();
        let padded = pad_yuv420(yuv.view()).unwrap();
        let opts = DecodeOptions {
            size: Some((20, 10)),
            ..DecodeOptions::default()
        };
        let got = decode(&padded, RawKind::Yuv420, &opts).unwrap();
        assert_eq!(
            got,
            convert::convert(yuv.view(), PixelFormat::Rgb888).unwrap()
        );
        // RGB and BGR, 8 and 16 bits.
        let padded = pad_rgb(rgb.view()).unwrap();
        assert_eq!(decode(&padded, RawKind::Rgb, &opts).unwrap(), rgb);
        let bgr = decode(&padded, RawKind::Bgr, &opts).unwrap();
        assert_eq!(
            &bgr.data()[..3],
            &[rgb.data()[2], rgb.data()[1], rgb.data()[0]]
        );
        let deep = decode(&padded, RawKind::Rgb, &DecodeOptions { depth: 16, ..opts }).unwrap();
        assert_eq!(deep.format(), PixelFormat::Rgb48);
        assert_eq!(
            decode(&padded, RawKind::Rgb, &DecodeOptions { depth: 12, ..opts })
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            decode(&padded, RawKind::Rgb, &DecodeOptions::default())
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidArgument
        );
        // Bayer: every demosaic, both depths, the header's order.
        let (samples, block) = small_block(BayerOrder::Grbg);
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
                let opts = DecodeOptions {
                    size: None,
                    demosaic,
                    depth,
                };
                let got = decode(&block, RawKind::Bayer, &opts).unwrap();
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
        assert_eq!("YUV".parse::<RawKind>().unwrap(), RawKind::Yuv420);
        assert!("h264".parse::<RawKind>().is_err());
    }
}
