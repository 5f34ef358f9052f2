//! A bit reader over an H.264 RBSP that drops emulation-prevention bytes
//! (`00 00 03`) as it goes, so parameter sets are parsed in place without
//! copying them.

use crate::error::{Error, ErrorKind, Result};

/// Reads bits, most significant first, from the payload of one NAL unit.
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    /// Next byte to load.
    pos: usize,
    /// Zero bytes just loaded in a row (for emulation prevention).
    zeros: u8,
    /// The byte being consumed and how many of its bits are left.
    cur: u8,
    left: u8,
}

fn short() -> Error {
    Error::new(ErrorKind::Format, "parameter set ends early")
}

impl<'a> BitReader<'a> {
    /// A reader over `data` (the NAL unit without its one-byte header).
    pub(crate) fn new(data: &'a [u8]) -> BitReader<'a> {
        BitReader {
            data,
            pos: 0,
            zeros: 0,
            cur: 0,
            left: 0,
        }
    }

    fn load(&mut self) -> Result<()> {
        let mut b = *self.data.get(self.pos).ok_or_else(short)?;
        self.pos += 1;
        if self.zeros >= 2 && b == 3 {
            // An emulation-prevention byte: not part of the RBSP.
            self.zeros = 0;
            b = *self.data.get(self.pos).ok_or_else(short)?;
            self.pos += 1;
        }
        self.zeros = if b == 0 {
            self.zeros.saturating_add(1)
        } else {
            0
        };
        self.cur = b;
        self.left = 8;
        Ok(())
    }

    /// One bit.
    pub(crate) fn bit(&mut self) -> Result<bool> {
        if self.left == 0 {
            self.load()?;
        }
        self.left -= 1;
        Ok((self.cur >> self.left) & 1 == 1)
    }

    /// `n` bits (at most 32) as an unsigned number.
    pub(crate) fn bits(&mut self, n: u32) -> Result<u32> {
        debug_assert!(n <= 32);
        let mut v = 0u64;
        for _ in 0..n {
            v = (v << 1) | u64::from(self.bit()?);
        }
        Ok(v as u32)
    }

    /// An unsigned exp-Golomb number `ue(v)`, at most 2^32 - 2.
    pub(crate) fn ue(&mut self) -> Result<u32> {
        let mut zeros = 0u32;
        while !self.bit()? {
            zeros += 1;
            if zeros > 31 {
                return Err(Error::new(
                    ErrorKind::Format,
                    "exp-golomb code longer than 32 bits",
                ));
            }
        }
        let rest = self.bits(zeros)?;
        // (1 << zeros) - 1 + rest fits: zeros <= 31.
        Ok(((1u64 << zeros) - 1 + u64::from(rest)) as u32)
    }

    /// A signed exp-Golomb number `se(v)`.
    pub(crate) fn se(&mut self) -> Result<i32> {
        let k = i64::from(self.ue()?);
        let v = if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) };
        Ok(v as i32)
    }

    /// `ue(v)` that must not exceed `max`; `what` names the field in the error.
    pub(crate) fn ue_max(&mut self, max: u32, what: &str) -> Result<u32> {
        let v = self.ue()?;
        if v > max {
            return Err(Error::new(
                ErrorKind::Format,
                format!("{what} is {v} (at most {max})"),
            ));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_golomb_codes() {
        // 1 | 010 | 011 | 00100 | 00101 -> ue 0, 1, 2, 3, 4
        // bits: 1010 0110 0100 0010 1(000 0000)
        let data = [0b1010_0110, 0b0100_0010, 0b1000_0000];
        let mut r = BitReader::new(&data);
        let got: Vec<u32> = (0..5).map(|_| r.ue().unwrap()).collect();
        assert_eq!(got, [0, 1, 2, 3, 4]);
        // se: codeNum 1 -> 1, 2 -> -1, 3 -> 2, 4 -> -2
        let mut r = BitReader::new(&data);
        r.ue().unwrap();
        let got: Vec<i32> = (0..4).map(|_| r.se().unwrap()).collect();
        assert_eq!(got, [1, -1, 2, -2]);
    }

    #[test]
    fn emulation_prevention_bytes_are_skipped() {
        // RBSP 00 00 01 is escaped as 00 00 03 01.
        let data = [0x00, 0x00, 0x03, 0x01];
        let mut r = BitReader::new(&data);
        assert_eq!(r.bits(24).unwrap(), 1);
        assert!(r.bit().is_err());
        // A 03 not after two zeros is data.
        let data = [0x00, 0x03, 0x03];
        let mut r = BitReader::new(&data);
        assert_eq!(r.bits(24).unwrap(), 0x0303);
    }

    #[test]
    fn long_or_short_codes_are_errors() {
        let data = [0u8; 8];
        let e = BitReader::new(&data).ue().unwrap_err();
        assert!(e.to_string().contains("longer than 32"), "{e}");
        assert!(BitReader::new(&[0x00]).ue().is_err());
        // The largest code: 31 zeros, a one, 31 ones.
        let data = [0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE];
        assert_eq!(BitReader::new(&data).ue().unwrap(), u32::MAX - 1);
        let e = BitReader::new(&[0b0010_0000])
            .ue_max(1, "thing")
            .unwrap_err();
        assert_eq!(e.to_string(), "thing is 3 (at most 1)");
    }
}
