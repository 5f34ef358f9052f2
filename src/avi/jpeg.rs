//! The JPEG side of the AVI container: the `AVI1` APP0 segment inserted into
//! frames that have no JFIF or AVI1 APP0. Headers are read by the crate's one
//! parser, [`crate::codec::jpeg::info`].

/// Length of the AVI1 APP0 segment [`avi1_app0`] makes (marker included).
pub(crate) const AVI1_APP0_LEN: usize = 18;

/// The APP0 `AVI1` segment (OpenDML's Motion-JPEG marker) for a frame of
/// `field_size` bytes in total (this segment included): not interlaced, one
/// field. Sizes are big-endian like every JPEG field.
pub(crate) fn avi1_app0(field_size: u32) -> [u8; AVI1_APP0_LEN] {
    let mut b = [0u8; AVI1_APP0_LEN];
    b[0] = 0xFF;
    b[1] = 0xE0;
    b[2..4].copy_from_slice(&16u16.to_be_bytes());
    b[4..8].copy_from_slice(b"AVI1");
    // b[8] polarity 0 (not interlaced), b[9] reserved
    b[10..14].copy_from_slice(&field_size.to_be_bytes());
    b[14..18].copy_from_slice(&field_size.to_be_bytes());
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::jpeg;

    #[test]
    fn avi1_segment_layout() {
        let s = avi1_app0(0x0102_0304);
        assert_eq!(&s[..4], &[0xFF, 0xE0, 0x00, 0x10]);
        assert_eq!(&s[4..8], b"AVI1");
        assert_eq!(&s[8..10], &[0, 0]);
        assert_eq!(&s[10..14], &[1, 2, 3, 4]);
        assert_eq!(&s[14..18], &[1, 2, 3, 4]);
        // Inserted after SOI of a frame without APP0, the parser sees it.
        let mut gray = vec![0xFF, 0xD8];
        gray.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8, 0, 2, 0, 2, 1, 1, 0x11, 0]);
        gray.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0, 0xFF, 0xD9]);
        assert!(!jpeg::info(&gray).unwrap().has_app0);
        let mut j = vec![0xFF, 0xD8];
        j.extend_from_slice(&s);
        j.extend_from_slice(&gray[2..]);
        assert!(jpeg::info(&j).unwrap().has_app0);
    }
}
