//! Sequence parameter sets: the picture size, profile and timing an H.264
//! stream declares (ITU-T H.264 section 7.3.2.1.1).

use super::bits::BitReader;
use crate::error::{Error, ErrorKind, Result};
use crate::image::Limits;

/// What a sequence parameter set says about the pictures that follow it.
///
/// ```
/// use camreel::h264::Sps;
/// // A 640x480 Constrained Baseline SPS (level 3.0) as openh264 writes it.
/// let nal = [0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x68, 0x0a, 0x03, 0xda, 0x01, 0xe1, 0x10, 0x8d, 0x40];
/// let sps = Sps::parse(&nal)?;
/// assert_eq!((sps.width, sps.height), (640, 480));
/// assert_eq!(sps.profile_name(), "Constrained Baseline");
/// assert_eq!(sps.level_idc, 30);
/// # Ok::<(), camreel::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Sps {
    /// `profile_idc`: 66 Baseline, 77 Main, 100 High, ...
    pub profile_idc: u8,
    /// The six `constraint_set` flags and two reserved bits, as in the NAL unit.
    pub constraint_flags: u8,
    /// `level_idc`: ten times the level (30 is level 3.0).
    pub level_idc: u8,
    /// `seq_parameter_set_id`.
    pub id: u32,
    /// 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4.
    pub chroma_format_idc: u32,
    /// Bits per luma sample.
    pub bit_depth_luma: u32,
    /// Bits per chroma sample.
    pub bit_depth_chroma: u32,
    /// Displayed width in pixels (after cropping).
    pub width: u32,
    /// Displayed height in pixels (after cropping).
    pub height: u32,
    /// Whether every picture is a frame (no field coding).
    pub frame_mbs_only: bool,
    /// `max_num_ref_frames`.
    pub max_num_ref_frames: u32,
    /// `num_units_in_tick` and `time_scale` of the VUI timing information,
    /// when present: frames per second is `time_scale / (2 * num_units_in_tick)`.
    pub timing: Option<(u32, u32)>,
}

fn bad(what: impl Into<String>) -> Error {
    Error::new(ErrorKind::Format, what)
}

/// Skips a `scaling_list` of `size` coefficients.
fn skip_scaling_list(r: &mut BitReader<'_>, size: usize) -> Result<()> {
    let (mut last, mut next) = (8i32, 8i32);
    for _ in 0..size {
        if next != 0 {
            let delta = r.se()?;
            if !(-128..=127).contains(&delta) {
                return Err(bad(format!("scaling list delta {delta} is out of range")));
            }
            next = (last + delta + 256) % 256;
        }
        if next != 0 {
            last = next;
        }
    }
    Ok(())
}

/// Profiles whose SPS carries chroma format and bit depths.
fn has_chroma_info(profile: u8) -> bool {
    matches!(
        profile,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    )
}

impl Sps {
    /// Parses an SPS NAL unit (`nal` starts with its header byte, type 7).
    ///
    /// # Errors
    /// [`ErrorKind::Format`] for a NAL unit that is not an SPS or whose
    /// fields are out of their ranges or cut short.
    pub fn parse(nal: &[u8]) -> Result<Sps> {
        let header = *nal.first().ok_or_else(|| bad("empty sps"))?;
        if header & 0x1F != 7 {
            return Err(bad(format!(
                "nal unit of type {} is not an sps",
                header & 0x1F
            )));
        }
        Sps::parse_payload(&nal[1..]).map_err(|e| e.context("sps"))
    }

    fn parse_payload(payload: &[u8]) -> Result<Sps> {
        let mut r = BitReader::new(payload);
        let profile_idc = r.bits(8)? as u8;
        let constraint_flags = r.bits(8)? as u8;
        let level_idc = r.bits(8)? as u8;
        let id = r.ue_max(31, "seq_parameter_set_id")?;
        let (mut chroma_format_idc, mut depth_luma, mut depth_chroma) = (1, 8, 8);
        let mut separate_planes = false;
        if has_chroma_info(profile_idc) {
            chroma_format_idc = r.ue_max(3, "chroma_format_idc")?;
            if chroma_format_idc == 3 {
                separate_planes = r.bit()?;
            }
            depth_luma = 8 + r.ue_max(6, "bit_depth_luma_minus8")?;
            depth_chroma = 8 + r.ue_max(6, "bit_depth_chroma_minus8")?;
            let _qpprime_y_zero_transform_bypass = r.bit()?;
            if r.bit()? {
                let lists = if chroma_format_idc == 3 { 12 } else { 8 };
                for i in 0..lists {
                    if r.bit()? {
                        skip_scaling_list(&mut r, if i < 6 { 16 } else { 64 })?;
                    }
                }
            }
        }
        let _log2_max_frame_num = r.ue_max(12, "log2_max_frame_num_minus4")?;
        match r.ue_max(2, "pic_order_cnt_type")? {
            0 => {
                r.ue_max(12, "log2_max_pic_order_cnt_lsb_minus4")?;
            }
            1 => {
                let _delta_always_zero = r.bit()?;
                r.se()?;
                r.se()?;
                let cycle = r.ue_max(255, "num_ref_frames_in_pic_order_cnt_cycle")?;
                for _ in 0..cycle {
                    r.se()?;
                }
            }
            _ => {}
        }
        let max_num_ref_frames = r.ue_max(16, "max_num_ref_frames")?;
        let _gaps_allowed = r.bit()?;
        let width_mbs = u64::from(r.ue()?) + 1;
        let height_map_units = u64::from(r.ue()?) + 1;
        let frame_mbs_only = r.bit()?;
        if !frame_mbs_only {
            let _mb_adaptive_frame_field = r.bit()?;
        }
        let _direct_8x8_inference = r.bit()?;
        let crop = if r.bit()? {
            [r.ue()?, r.ue()?, r.ue()?, r.ue()?].map(u64::from)
        } else {
            [0; 4]
        };
        let timing = if r.bit()? { vui_timing(&mut r)? } else { None };

        let field_factor = if frame_mbs_only { 1 } else { 2 };
        let chroma_array_type = if separate_planes {
            0
        } else {
            chroma_format_idc
        };
        let (crop_x, crop_y) = match chroma_array_type {
            1 => (2, 2 * field_factor),
            2 => (2, field_factor),
            _ => (1, field_factor),
        };
        let full_w = width_mbs * 16;
        let full_h = height_map_units * 16 * field_factor;
        let crop_w = (crop[0] + crop[1]) * crop_x;
        let crop_h = (crop[2] + crop[3]) * crop_y;
        if crop_w >= full_w || crop_h >= full_h {
            return Err(bad(format!(
                "cropping {crop_w}x{crop_h} leaves nothing of {full_w}x{full_h}"
            )));
        }
        let (width, height) = (full_w - crop_w, full_h - crop_h);
        let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("{width}x{height} pictures do not fit in 32 bits"),
            ));
        };
        Ok(Sps {
            profile_idc,
            constraint_flags,
            level_idc,
            id,
            chroma_format_idc,
            bit_depth_luma: depth_luma,
            bit_depth_chroma: depth_chroma,
            width,
            height,
            frame_mbs_only,
            max_num_ref_frames,
            timing,
        })
    }

    /// An SPS of nothing (0x0), until a real one is read.
    pub(crate) fn unknown() -> Sps {
        Sps {
            profile_idc: 0,
            constraint_flags: 0,
            level_idc: 0,
            id: 0,
            chroma_format_idc: 1,
            bit_depth_luma: 8,
            bit_depth_chroma: 8,
            width: 0,
            height: 0,
            frame_mbs_only: true,
            max_num_ref_frames: 0,
            timing: None,
        }
    }

    /// Size of the coded pictures in whole macroblocks (before cropping):
    /// what a decoder allocates.
    pub fn coded_size(&self) -> (u64, u64) {
        (
            u64::from(self.width).div_ceil(16) * 16,
            u64::from(self.height).div_ceil(16) * 16,
        )
    }

    /// Checks the picture size, and the bytes of one decoded 4:2:0 picture
    /// at the coded size, against `limits`.
    ///
    /// # Errors
    /// [`ErrorKind::LimitExceeded`] above a limit.
    pub fn check(&self, limits: &Limits) -> Result<()> {
        limits.check_dimensions(self.width, self.height)?;
        let (w, h) = self.coded_size();
        limits.check_bytes(w.saturating_mul(h).saturating_mul(3) / 2)
    }

    /// The profile's usual name ("Constrained Baseline", "Main", "High", ...).
    pub fn profile_name(&self) -> &'static str {
        let set1 = self.constraint_flags & 0x40 != 0;
        let set3 = self.constraint_flags & 0x10 != 0;
        match self.profile_idc {
            66 if set1 => "Constrained Baseline",
            66 => "Baseline",
            77 => "Main",
            88 => "Extended",
            100 => "High",
            110 if set3 => "High 10 Intra",
            110 => "High 10",
            122 => "High 4:2:2",
            244 => "High 4:4:4 Predictive",
            44 => "CAVLC 4:4:4 Intra",
            _ => "unknown profile",
        }
    }

    /// Frames per second from the VUI timing information
    /// (`time_scale / (2 * num_units_in_tick)`), as a reduced fraction.
    pub fn frame_rate(&self) -> Option<(u64, u64)> {
        let (units, scale) = self.timing?;
        if units == 0 || scale == 0 {
            return None;
        }
        let (num, den) = (u64::from(scale), 2 * u64::from(units));
        let g = gcd(num, den);
        Some((num / g, den / g))
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Reads the VUI up to its timing information.
fn vui_timing(r: &mut BitReader<'_>) -> Result<Option<(u32, u32)>> {
    if r.bit()? {
        // aspect_ratio_idc; 255 is Extended_SAR with two 16-bit fields.
        if r.bits(8)? == 255 {
            r.bits(32)?;
        }
    }
    if r.bit()? {
        let _overscan_appropriate = r.bit()?;
    }
    if r.bit()? {
        r.bits(4)?; // video_format, video_full_range_flag
        if r.bit()? {
            r.bits(24)?; // colour primaries, transfer, matrix
        }
    }
    if r.bit()? {
        r.ue_max(5, "chroma_sample_loc_type_top_field")?;
        r.ue_max(5, "chroma_sample_loc_type_bottom_field")?;
    }
    if r.bit()? {
        let units = r.bits(32)?;
        let scale = r.bits(32)?;
        return Ok(Some((units, scale)));
    }
    Ok(None)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes bits MSB first, with exp-Golomb helpers, for building SPS NALs.
    struct BitWriter {
        bytes: Vec<u8>,
        n: u32,
    }

    impl BitWriter {
        fn new() -> BitWriter {
            BitWriter {
                bytes: Vec::new(),
                n: 0,
            }
        }
        fn bit(&mut self, b: bool) {
            if self.n.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if b {
                *self.bytes.last_mut().unwrap() |= 0x80 >> (self.n % 8);
            }
            self.n += 1;
        }
        fn bits(&mut self, v: u64, n: u32) {
            for i in (0..n).rev() {
                self.bit((v >> i) & 1 == 1);
            }
        }
        fn ue(&mut self, v: u64) {
            let x = v + 1;
            let len = 64 - x.leading_zeros();
            self.bits(0, len - 1);
            self.bits(x, len);
        }
        /// The NAL unit: header, RBSP with stop bit, emulation prevention.
        fn nal(mut self) -> Vec<u8> {
            self.bit(true);
            let mut out = vec![0x67];
            let mut zeros = 0;
            for b in self.bytes {
                if zeros >= 2 && b <= 3 {
                    out.push(3);
                    zeros = 0;
                }
                zeros = if b == 0 { zeros + 1 } else { 0 };
                out.push(b);
            }
            out
        }
    }

    /// A Baseline SPS of `w_mbs` x `h_mbs` macroblocks with optional
    /// cropping and VUI timing.
    pub(crate) fn sps_nal(
        w_mbs: u64,
        h_mbs: u64,
        crop: [u64; 4],
        timing: Option<(u32, u32)>,
    ) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.bits(66, 8);
        w.bits(0xC0, 8);
        w.bits(30, 8);
        w.ue(0); // id
        w.ue(0); // log2_max_frame_num_minus4
        w.ue(2); // poc type
        w.ue(1); // max_num_ref_frames
        w.bit(false);
        w.ue(w_mbs - 1);
        w.ue(h_mbs - 1);
        w.bit(true); // frame_mbs_only
        w.bit(true); // direct_8x8
        let cropping = crop != [0; 4];
        w.bit(cropping);
        if cropping {
            for c in crop {
                w.ue(c);
            }
        }
        w.bit(timing.is_some());
        if let Some((units, scale)) = timing {
            w.bits(0, 4); // no aspect, overscan, signal type, chroma loc
            w.bit(true);
            w.bits(u64::from(units), 32);
            w.bits(u64::from(scale), 32);
            w.bit(true); // fixed_frame_rate_flag
            w.bits(0, 5); // no hrd, no pic_struct, no restriction
        }
        w.nal()
    }

    #[test]
    fn openh264_sps() {
        let nal = [
            0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x68, 0x0a, 0x03, 0xda, 0x01, 0xe1, 0x10, 0x8d, 0x40,
        ];
        let sps = Sps::parse(&nal).unwrap();
        assert_eq!(sps.profile_idc, 66);
        assert_eq!(sps.chroma_format_idc, 1);
        assert_eq!(sps.coded_size(), (640, 480));
        assert_eq!(sps.timing, None);
    }

    #[test]
    fn cropping_and_timing() {
        // 1920x1088 coded, cropped by 8 rows: 1080p, 30000/1001 fps.
        let nal = sps_nal(120, 68, [0, 0, 0, 4], Some((1001, 60000)));
        let sps = Sps::parse(&nal).unwrap();
        assert_eq!((sps.width, sps.height), (1920, 1080));
        assert_eq!(sps.coded_size(), (1920, 1088));
        assert_eq!(sps.frame_rate(), Some((30000, 1001)));
        let nal = sps_nal(3, 2, [1, 0, 0, 1], None);
        let sps = Sps::parse(&nal).unwrap();
        assert_eq!((sps.width, sps.height), (46, 30));
    }

    #[test]
    fn enormous_and_broken_sps_are_refused() {
        let nal = sps_nal(1 << 20, 1 << 20, [0; 4], None);
        let sps = Sps::parse(&nal).unwrap();
        assert_eq!(sps.width, 16 << 20);
        let e = sps.check(&Limits::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        let e = Sps::parse(&sps_nal(2, 2, [16, 0, 0, 0], None)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        assert!(e.to_string().starts_with("sps: cropping"), "{e}");
        let e = Sps::parse(&sps_nal(u64::from(u32::MAX) + 1, 1, [0; 4], None)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format, "{e}");
        let good = sps_nal(40, 30, [0; 4], None);
        for len in 0..good.len() - 1 {
            assert!(Sps::parse(&good[..len]).is_err(), "{len}");
        }
        assert!(Sps::parse(&[0x68, 0x42]).is_err());
    }
}
