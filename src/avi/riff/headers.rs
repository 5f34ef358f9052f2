//! The stream headers: `avih` (main), `strh` (stream), `strf` (the video
//! stream's `BITMAPINFOHEADER`).

use super::chunk::{FourCc, fourcc, le16, le32, put16, put32, short};
use crate::error::Result;

/// `MainAVIHeader` (`avih`, 56 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct MainHeader {
    pub micro_sec_per_frame: u32,
    pub max_bytes_per_sec: u32,
    pub padding_granularity: u32,
    pub flags: u32,
    pub total_frames: u32,
    pub initial_frames: u32,
    pub streams: u32,
    pub suggested_buffer_size: u32,
    pub width: u32,
    pub height: u32,
}

impl MainHeader {
    pub const SIZE: u32 = 56;
    /// Offset of `dwTotalFrames` inside the structure.
    #[cfg(test)]
    pub const TOTAL_FRAMES_AT: usize = 16;

    pub fn to_bytes(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(56);
        for x in [
            self.micro_sec_per_frame,
            self.max_bytes_per_sec,
            self.padding_granularity,
            self.flags,
            self.total_frames,
            self.initial_frames,
            self.streams,
            self.suggested_buffer_size,
            self.width,
            self.height,
            0,
            0,
            0,
            0,
        ] {
            put32(&mut v, x);
        }
        v
    }

    pub fn parse(b: &[u8]) -> Result<MainHeader> {
        if b.len() < 40 {
            return Err(short("avih", 40, b.len()));
        }
        Ok(MainHeader {
            micro_sec_per_frame: le32(b, 0),
            max_bytes_per_sec: le32(b, 4),
            padding_granularity: le32(b, 8),
            flags: le32(b, 12),
            total_frames: le32(b, 16),
            initial_frames: le32(b, 20),
            streams: le32(b, 24),
            suggested_buffer_size: le32(b, 28),
            width: le32(b, 32),
            height: le32(b, 36),
        })
    }
}

/// `AVIStreamHeader` (`strh`, 56 bytes; old files have 48 without the frame
/// rectangle).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StreamHeader {
    pub fcc_type: FourCc,
    pub fcc_handler: FourCc,
    pub flags: u32,
    pub priority: u16,
    pub language: u16,
    pub initial_frames: u32,
    pub scale: u32,
    pub rate: u32,
    pub start: u32,
    pub length: u32,
    pub suggested_buffer_size: u32,
    pub quality: u32,
    pub sample_size: u32,
    pub frame: [u16; 4],
}

impl StreamHeader {
    pub const SIZE: u32 = 56;

    pub fn to_bytes(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(56);
        v.extend_from_slice(&self.fcc_type);
        v.extend_from_slice(&self.fcc_handler);
        put32(&mut v, self.flags);
        put16(&mut v, self.priority);
        put16(&mut v, self.language);
        for x in [
            self.initial_frames,
            self.scale,
            self.rate,
            self.start,
            self.length,
            self.suggested_buffer_size,
            self.quality,
            self.sample_size,
        ] {
            put32(&mut v, x);
        }
        for x in self.frame {
            put16(&mut v, x);
        }
        v
    }

    pub fn parse(b: &[u8]) -> Result<StreamHeader> {
        if b.len() < 48 {
            return Err(short("strh", 48, b.len()));
        }
        let mut frame = [0u16; 4];
        if b.len() >= 56 {
            for (i, f) in frame.iter_mut().enumerate() {
                *f = le16(b, 48 + 2 * i);
            }
        }
        Ok(StreamHeader {
            fcc_type: fourcc(b, 0),
            fcc_handler: fourcc(b, 4),
            flags: le32(b, 8),
            priority: le16(b, 12),
            language: le16(b, 14),
            initial_frames: le32(b, 16),
            scale: le32(b, 20),
            rate: le32(b, 24),
            start: le32(b, 28),
            length: le32(b, 32),
            suggested_buffer_size: le32(b, 36),
            quality: le32(b, 40),
            sample_size: le32(b, 44),
            frame,
        })
    }
}

/// `BITMAPINFOHEADER` (the video `strf`, 40 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BitmapInfoHeader {
    pub width: i32,
    pub height: i32,
    pub planes: u16,
    pub bit_count: u16,
    pub compression: FourCc,
    pub size_image: u32,
}

impl BitmapInfoHeader {
    pub const SIZE: u32 = 40;

    pub fn to_bytes(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(40);
        put32(&mut v, Self::SIZE);
        v.extend_from_slice(&self.width.to_le_bytes());
        v.extend_from_slice(&self.height.to_le_bytes());
        put16(&mut v, self.planes);
        put16(&mut v, self.bit_count);
        v.extend_from_slice(&self.compression);
        put32(&mut v, self.size_image);
        // biXPelsPerMeter, biYPelsPerMeter, biClrUsed, biClrImportant
        v.extend_from_slice(&[0u8; 16]);
        v
    }

    pub fn parse(b: &[u8]) -> Result<BitmapInfoHeader> {
        if b.len() < 40 {
            return Err(short("strf", 40, b.len()));
        }
        Ok(BitmapInfoHeader {
            width: le32(b, 4) as i32,
            height: le32(b, 8) as i32,
            planes: le16(b, 12),
            bit_count: le16(b, 14),
            compression: fourcc(b, 16),
            size_image: le32(b, 20),
        })
    }
}
