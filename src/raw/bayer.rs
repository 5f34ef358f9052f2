//! JPEG + raw Bayer captures: finding, parsing and building the block.

use super::brcm::{BrcmHeader, DATA_OFFSET, HEADER_LEN, HEADER_OFFSET, MAGIC, RawLayout};
use super::sensor::Sensor;
use crate::convert::raw10;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, Limits, PixelFormat};

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

/// A 10x6 block of known samples in `order`: the samples and the block.
#[cfg(test)]
pub(crate) fn test_block(order: crate::image::BayerOrder) -> (Vec<u16>, Vec<u8>) {
    let (w, h) = (10usize, 6usize);
    let samples: Vec<u16> = (0..w * h).map(|i| (i * 17 % 1024) as u16).collect();
    let header = BrcmHeader::new("test", w as u16, h as u16, order);
    (samples.clone(), build_raw_block(&header, &samples).unwrap())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::BayerOrder;

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

    #[test]
    fn small_blocks_round_trip_in_every_order() {
        for order in BayerOrder::ALL {
            let (samples, block) = test_block(order);
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
        let (_, block) = test_block(BayerOrder::Bggr);
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
}
