//! Huffman coding of quantised blocks (T.81 F.1.2): symbol statistics,
//! optimal code lengths limited to 16 bits (Annex K.2), canonical codes
//! (Annex C), and the bit writer with `FF 00` byte stuffing.

use super::dct::{Cpu, ZIGZAG_T};

/// A table as a DHT segment carries it: how many codes of each length
/// 1-16, then the symbols in code order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Spec {
    pub(super) counts: [u8; 16],
    pub(super) symbols: Vec<u8>,
}

/// Code and length of every symbol, for encoding.
#[derive(Clone, Debug)]
pub(super) struct Codes {
    code: [u16; 256],
    size: [u8; 256],
}

impl Codes {
    /// The canonical codes of `spec` (T.81 C.2).
    pub(super) fn new(spec: &Spec) -> Codes {
        let mut codes = Codes {
            code: [0; 256],
            size: [0; 256],
        };
        let mut code = 0u32;
        let mut symbols = spec.symbols.iter();
        for (len, &n) in spec.counts.iter().enumerate() {
            for _ in 0..n {
                if let Some(&s) = symbols.next() {
                    codes.code[usize::from(s)] = code as u16;
                    codes.size[usize::from(s)] = len as u8 + 1;
                }
                code += 1;
            }
            code <<= 1;
        }
        codes
    }
}

/// Symbol counts of one table: 256 symbols plus the reserved all-ones code
/// point (T.81 K.2 keeps a code of all ones out of use).
#[derive(Clone, Debug)]
pub(super) struct Freq(pub(super) [u32; 257]);

impl Default for Freq {
    fn default() -> Freq {
        Freq([0; 257])
    }
}

impl Freq {
    /// The optimal table for these counts, no code longer than 16 bits
    /// (T.81 K.2 with the length adjustment of figure K.3).
    pub(super) fn spec(&self) -> Spec {
        let mut counts: [u64; 257] = self.0.map(u64::from);
        loop {
            if let Some(spec) = spec_of(&counts) {
                return spec;
            }
            // Codes past 32 bits (only from near-Fibonacci counts): flatten
            // the distribution and try again.
            for c in &mut counts {
                *c = c.div_ceil(2);
            }
        }
    }
}

/// The table for `counts` (index 256 ignored), or `None` if a code before
/// the length limit would exceed 32 bits.
fn spec_of(freqs: &[u64; 257]) -> Option<Spec> {
    if freqs[..256].iter().all(|&f| f == 0) {
        // An unused table (the chroma tables of a gray image).
        return Some(Spec {
            counts: [0; 16],
            symbols: Vec::new(),
        });
    }
    let mut freq = *freqs;
    freq[256] = 1; // the reserved code point
    let mut codesize = [0usize; 257];
    let mut others = [usize::MAX; 257];
    loop {
        // The two least frequent non-zero entries; v2 the larger index
        // on ties so the reserved point stays longest.
        let (mut c1, mut c2) = (usize::MAX, usize::MAX);
        let (mut v1, mut v2) = (u64::MAX, u64::MAX);
        for (i, &f) in freq.iter().enumerate() {
            if f != 0 && f <= v1 {
                (v2, c2) = (v1, c1);
                (v1, c1) = (f, i);
            } else if f != 0 && f <= v2 {
                (v2, c2) = (f, i);
            }
        }
        if c2 == usize::MAX {
            break;
        }
        freq[c1] += freq[c2];
        freq[c2] = 0;
        codesize[c1] += 1;
        let mut i = c1;
        while others[i] != usize::MAX {
            i = others[i];
            codesize[i] += 1;
        }
        others[i] = c2;
        codesize[c2] += 1;
        let mut i = c2;
        while others[i] != usize::MAX {
            i = others[i];
            codesize[i] += 1;
        }
    }
    let mut bits = [0u32; 33];
    for &size in &codesize {
        if size > 32 {
            return None;
        }
        if size > 0 {
            bits[size] += 1;
        }
    }
    // Limit the lengths to 16 bits (figure K.3).
    let mut i = 32;
    while i > 16 {
        while bits[i] > 0 {
            let mut j = i - 2;
            while bits[j] == 0 {
                j -= 1;
            }
            bits[i] -= 2;
            bits[i - 1] += 1;
            bits[j + 1] += 2;
            bits[j] -= 1;
        }
        i -= 1;
    }
    // Drop the reserved code point: it has the longest code.
    while bits[i] == 0 {
        i -= 1;
    }
    bits[i] -= 1;
    let mut counts = [0u8; 16];
    for (c, &b) in counts.iter_mut().zip(&bits[1..=16]) {
        *c = b as u8;
    }
    // Symbols by code length, then by value.
    let mut symbols = Vec::with_capacity(256);
    for len in 1..=32 {
        for (s, &size) in codesize.iter().enumerate().take(256) {
            if size == len {
                symbols.push(s as u8);
            }
        }
    }
    Some(Spec { counts, symbols })
}

/// The bit count of `v`'s magnitude category and the bits T.81 F.1.2.1
/// stores for it (ones' complement for negative values).
#[inline(always)]
fn category(v: i32) -> (u32, u32) {
    let a = v.unsigned_abs();
    let n = 32 - a.leading_zeros();
    let bits = if v < 0 { (v - 1) as u32 } else { v as u32 };
    (n, bits & ((1u32 << n) - 1))
}

/// Where the symbols of one block go: counted, or written.
pub(super) trait Symbols {
    /// One symbol `s` followed by `n` extra `bits`.
    fn dc(&mut self, s: u8, n: u32, bits: u32);
    /// An AC symbol and its extra bits.
    fn ac(&mut self, s: u8, n: u32, bits: u32);
}

/// `ZIGZAG_MASK[b][v]`: the zigzag positions of the set bits of `v` placed
/// at bits `8 b ..` of a mask over the DCT's (transposed) layout.
static ZIGZAG_MASK: [[u64; 256]; 8] = {
    let mut position = [0u32; 64];
    let mut k = 0;
    while k < 64 {
        position[ZIGZAG_T[k]] = k as u32;
        k += 1;
    }
    let mut lut = [[0u64; 256]; 8];
    let mut b = 0;
    while b < 8 {
        let mut v = 0;
        while v < 256 {
            let mut m = 0u64;
            let mut j = 0;
            while j < 8 {
                if v & (1 << j) != 0 {
                    m |= 1 << position[b * 8 + j];
                }
                j += 1;
            }
            lut[b][v] = m;
            v += 1;
        }
        b += 1;
    }
    lut
};

/// Bit `k` set for a non-zero coefficient at zigzag position `k` of a block
/// in the DCT's transposed layout (see [`ZIGZAG_T`]), from the layout's
/// mask a byte at a time.
#[inline(always)]
pub(super) fn zigzag_mask(cpu: Cpu, coefs: &[i16; 64]) -> u64 {
    let layout = nonzero(cpu, coefs).to_le_bytes();
    let mut mask = 0u64;
    for (lut, &byte) in ZIGZAG_MASK.iter().zip(&layout) {
        mask |= lut[usize::from(byte)];
    }
    mask
}

/// Runs the symbols of a block (in the DCT's transposed layout, with its
/// [`zigzag_mask`]; DC as a difference from `prev_dc`) through `out`.
#[inline(always)]
pub(super) fn block(coefs: &[i16; 64], mask: u64, prev_dc: i16, out: &mut impl Symbols) {
    let (n, bits) = category(i32::from(coefs[0]) - i32::from(prev_dc));
    out.dc(n as u8, n, bits);
    let mut mask = mask & !1;
    let zz = |k: u32| coefs[ZIGZAG_T[k as usize]];
    let mut last = 0u32;
    while mask != 0 {
        let k = mask.trailing_zeros();
        mask &= mask - 1;
        let mut run = k - last - 1;
        while run >= 16 {
            out.ac(0xF0, 0, 0);
            run -= 16;
        }
        let (n, bits) = category(i32::from(zz(k)));
        out.ac(((run << 4) | n) as u8, n, bits);
        last = k;
    }
    if last < 63 {
        out.ac(0x00, 0, 0);
    }
}

/// Bit `k` set for each non-zero `zz[k]`.
#[inline(always)]
#[allow(unsafe_code)]
fn nonzero(cpu: Cpu, zz: &[i16; 64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if cpu.avx2() {
        // SAFETY: `cpu.avx2()` is true only when the CPU supports AVX2, the
        // only requirement of this safe `#[target_feature]` function.
        return unsafe { nonzero_avx2(zz) };
    }
    let _ = cpu;
    let mut mask = 0u64;
    for (k, &c) in zz.iter().enumerate() {
        mask |= u64::from(c != 0) << k;
    }
    mask
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
fn nonzero_avx2(zz: &[i16; 64]) -> u64 {
    use std::arch::x86_64::*;
    let (parts, _) = zz.as_chunks::<16>();
    let zero = _mm256_setzero_si256();
    let half = |a: &[i16; 16], b: &[i16; 16]| {
        // SAFETY: `a` and `b` are 32 readable bytes each; unaligned loads.
        let (a, b) = unsafe {
            (
                _mm256_loadu_si256(a.as_ptr().cast()),
                _mm256_loadu_si256(b.as_ptr().cast()),
            )
        };
        let packed = _mm256_packs_epi16(_mm256_cmpeq_epi16(a, zero), _mm256_cmpeq_epi16(b, zero));
        // packs works per 128-bit lane: put the quarters back in order.
        let ordered = _mm256_permute4x64_epi64::<0xD8>(packed);
        !(_mm256_movemask_epi8(ordered) as u32)
    };
    u64::from(half(&parts[0], &parts[1])) | (u64::from(half(&parts[2], &parts[3])) << 32)
}

/// Counts symbols for optimal tables.
pub(super) struct Counter<'a> {
    pub(super) dc: &'a mut Freq,
    pub(super) ac: &'a mut Freq,
}

impl Symbols for Counter<'_> {
    #[inline(always)]
    fn dc(&mut self, s: u8, _: u32, _: u32) {
        self.dc.0[usize::from(s)] += 1;
    }
    #[inline(always)]
    fn ac(&mut self, s: u8, _: u32, _: u32) {
        self.ac.0[usize::from(s)] += 1;
    }
}

/// Writes entropy-coded bits with byte stuffing.
pub(super) struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    /// Valid low bits of `acc` (fewer than 32 between calls).
    n: u32,
}

impl<'a> BitWriter<'a> {
    pub(super) fn new(out: &'a mut Vec<u8>) -> BitWriter<'a> {
        BitWriter { out, acc: 0, n: 0 }
    }

    /// Appends the low `len` bits of `bits` (`len` at most 32).
    #[inline(always)]
    pub(super) fn put(&mut self, bits: u32, len: u32) {
        self.acc = (self.acc << len) | u64::from(bits);
        self.n += len;
        if self.n >= 32 {
            self.n -= 32;
            let word = (self.acc >> self.n) as u32;
            let bytes = word.to_be_bytes();
            // A byte FF needs a 00 after it.
            if !bytes.contains(&0xFF) {
                self.out.extend_from_slice(&bytes);
            } else {
                for b in bytes {
                    self.out.push(b);
                    if b == 0xFF {
                        self.out.push(0);
                    }
                }
            }
        }
    }

    /// Pads the last byte with one bits (T.81 F.1.2.3) and writes it out.
    pub(super) fn finish(mut self) {
        let pad = (8 - self.n % 8) % 8;
        self.put((1 << pad) - 1, pad);
        while self.n >= 8 {
            self.n -= 8;
            let b = (self.acc >> self.n) as u8;
            self.out.push(b);
            if b == 0xFF {
                self.out.push(0);
            }
        }
    }
}

/// Writes the symbols of blocks with a pair of code tables.
pub(super) struct Writer<'w, 'a> {
    pub(super) bits: &'w mut BitWriter<'a>,
    pub(super) dc: &'w Codes,
    pub(super) ac: &'w Codes,
}

impl Symbols for Writer<'_, '_> {
    #[inline(always)]
    fn dc(&mut self, s: u8, n: u32, bits: u32) {
        let s = usize::from(s);
        let (code, size) = (u32::from(self.dc.code[s]), u32::from(self.dc.size[s]));
        self.bits.put((code << n) | bits, size + n);
    }
    #[inline(always)]
    fn ac(&mut self, s: u8, n: u32, bits: u32) {
        let s = usize::from(s);
        let (code, size) = (u32::from(self.ac.code[s]), u32::from(self.ac.size[s]));
        self.bits.put((code << n) | bits, size + n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonzero_masks() {
        let mut zz = [0i16; 64];
        assert_eq!(nonzero(Cpu::detect(), &zz), 0);
        for k in [0, 1, 15, 16, 31, 32, 47, 63] {
            zz[k] = if k % 2 == 0 { -3 } else { 1 };
        }
        let want = [0, 1, 15, 16, 31, 32, 47, 63]
            .iter()
            .fold(0u64, |m, &k| m | 1 << k);
        assert_eq!(nonzero(Cpu::detect(), &zz), want);
        let all = [7i16; 64];
        assert_eq!(nonzero(Cpu::detect(), &all), u64::MAX);
    }

    #[test]
    fn categories() {
        assert_eq!(category(0), (0, 0));
        assert_eq!(category(1), (1, 1));
        assert_eq!(category(-1), (1, 0));
        assert_eq!(category(-3), (2, 0));
        assert_eq!(category(5), (3, 5));
        assert_eq!(category(-5), (3, 2));
        assert_eq!(category(2047), (11, 2047));
        assert_eq!(category(-2047), (11, 0));
    }

    #[test]
    fn optimal_tables_are_prefix_codes_of_at_most_16_bits() {
        // Fibonacci counts force lengths far past 16 before the limit.
        let mut f = Freq::default();
        let (mut a, mut b) = (1u32, 1u32);
        for s in 0..40 {
            f.0[s] = a;
            (a, b) = (b, a.saturating_add(b));
        }
        f.0[100] = 7;
        let spec = f.spec();
        let n: usize = spec.counts.iter().map(|&c| usize::from(c)).sum();
        assert_eq!(n, 41);
        assert_eq!(spec.symbols.len(), 41);
        // Kraft: the codes (plus the unused all-ones point) fit.
        let kraft: f64 = spec
            .counts
            .iter()
            .enumerate()
            .map(|(l, &c)| f64::from(c) / f64::from(1u32 << (l + 1)))
            .sum();
        assert!(kraft < 1.0, "{kraft}");
        // The most frequent symbols get the shortest codes.
        let codes = Codes::new(&spec);
        assert!(codes.size[39] <= codes.size[0]);
        assert!(spec.symbols.contains(&100));
        // A single symbol still gets a code (of one bit).
        let mut one = Freq::default();
        one.0[0] = 5;
        let spec = one.spec();
        assert_eq!((spec.counts[0], spec.symbols.as_slice()), (1, &[0u8][..]));
    }

    #[test]
    fn stuffing_and_padding() {
        let mut out = Vec::new();
        let mut w = BitWriter::new(&mut out);
        w.put(0xFF, 8);
        w.put(0x12, 8);
        w.put(0xFFFF, 16);
        w.put(0b101, 3);
        w.finish();
        assert_eq!(out, [0xFF, 0x00, 0x12, 0xFF, 0x00, 0xFF, 0x00, 0b1011_1111]);
        // An all-ones last byte is stuffed too.
        let mut out = Vec::new();
        let mut w = BitWriter::new(&mut out);
        w.put(0b1, 1);
        w.finish();
        assert_eq!(out, [0xFF, 0x00]);
    }

    #[test]
    fn block_symbols() {
        struct Log(Vec<(bool, u8, u32, u32)>);
        impl Symbols for Log {
            fn dc(&mut self, s: u8, n: u32, b: u32) {
                self.0.push((true, s, n, b));
            }
            fn ac(&mut self, s: u8, n: u32, b: u32) {
                self.0.push((false, s, n, b));
            }
        }
        // Zigzag positions 1, 20 and 63, stored where the DCT puts them.
        let mut zz = [0i16; 64];
        zz[0] = 10;
        zz[ZIGZAG_T[1]] = -1;
        zz[ZIGZAG_T[20]] = 3;
        let mut log = Log(Vec::new());
        block(&zz, zigzag_mask(Cpu::detect(), &zz), 7, &mut log);
        assert_eq!(
            log.0,
            [
                (true, 2, 2, 3),
                (false, 0x01, 1, 0),
                (false, 0xF0, 0, 0),
                (false, 0x22, 2, 3),
                (false, 0x00, 0, 0)
            ]
        );
        // A last coefficient needs no end-of-block.
        zz[ZIGZAG_T[63]] = 1;
        let mut log = Log(Vec::new());
        block(&zz, zigzag_mask(Cpu::detect(), &zz), 10, &mut log);
        assert_eq!(log.0.last(), Some(&(false, 0xA1, 1, 1)));
    }
}
