//! A model of the LZW dictionary the `gif` crate's encoder builds, which
//! the adaptive mode's "lossy" choices follow (see [`Lzw`]).

const NONE: u16 = u16::MAX;
const MAX_CODES: u16 = 4096;

/// A model of the GIF LZW encoder's dictionary (as `weezl`, which the `gif`
/// crate uses, builds it: a new string per emitted code, reset when code 4096
/// would be created), used to choose pixel values that extend the current
/// string when one within the error budget exists. This is the "lossy LZW"
/// idea: the encoder then finds exactly the strings the model found, so
/// fewer, longer codes are written. The model only steers choices; the bytes
/// are always produced by the real encoder.
pub(super) struct Lzw {
    first_child: Vec<u16>,
    sibling: Vec<u16>,
    symbol: Vec<u8>,
    base: u16,
    next: u16,
    cur: u16,
    /// Codes emitted so far (for tests).
    #[cfg(test)]
    emitted: u64,
}

impl Lzw {
    pub(super) fn new() -> Lzw {
        Lzw {
            first_child: vec![NONE; usize::from(MAX_CODES)],
            sibling: vec![NONE; usize::from(MAX_CODES)],
            symbol: vec![0; usize::from(MAX_CODES)],
            base: 0,
            next: 0,
            cur: NONE,
            #[cfg(test)]
            emitted: 0,
        }
    }

    /// Starts a frame whose symbols are `0..symbols`.
    pub(super) fn start(&mut self, symbols: usize) {
        // The gif crate's minimum code size: enough bits for the symbols, at least 2.
        let min_size = symbols.max(4).next_power_of_two().trailing_zeros();
        self.base = (1u16 << min_size) + 2;
        self.reset();
    }

    fn reset(&mut self) {
        self.first_child.fill(NONE);
        self.next = self.base;
        self.cur = NONE;
    }

    /// Chooses the symbol for the next pixel: the child of the current string
    /// with the smallest error if that error is at most `limit`, otherwise
    /// `best` (which starts a new string).
    #[inline]
    pub(super) fn step(&mut self, best: u8, limit: u32, error_of: impl Fn(u8) -> u32) -> u8 {
        if self.cur == NONE {
            self.cur = u16::from(best);
            return best;
        }
        let mut c = self.first_child[usize::from(self.cur)];
        let mut pick = NONE;
        let mut pick_err = u32::MAX;
        while c != NONE {
            let s = self.symbol[usize::from(c)];
            if s == best {
                pick = c;
                break;
            }
            let e = error_of(s);
            if e <= limit && e < pick_err && limit > 0 {
                pick = c;
                pick_err = e;
            }
            c = self.sibling[usize::from(c)];
        }
        if pick != NONE {
            self.cur = pick;
            return self.symbol[usize::from(pick)];
        }
        // The encoder emits the current string and adds it + `best`.
        #[cfg(test)]
        {
            self.emitted += 1;
        }
        if self.next >= MAX_CODES {
            self.reset();
        } else {
            let n = usize::from(self.next);
            self.symbol[n] = best;
            self.sibling[n] = self.first_child[usize::from(self.cur)];
            self.first_child[usize::from(self.cur)] = self.next;
            self.next += 1;
        }
        self.cur = u16::from(best);
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Plain LZW with the gif crate's dictionary rules: a HashMap model.
    fn reference_codes(data: &[u8], min_size: u32) -> u64 {
        let base = (1u16 << min_size) + 2;
        let mut dict: HashMap<(u16, u8), u16> = HashMap::new();
        let mut next = base;
        let mut cur: Option<u16> = None;
        let mut codes = 0;
        for &b in data {
            match cur {
                None => cur = Some(u16::from(b)),
                Some(c) => match dict.get(&(c, b)) {
                    Some(&n) => cur = Some(n),
                    None => {
                        codes += 1;
                        if next >= MAX_CODES {
                            dict.clear();
                            next = base;
                        } else {
                            dict.insert((c, b), next);
                            next += 1;
                        }
                        cur = Some(u16::from(b));
                    }
                },
            }
        }
        codes + u64::from(cur.is_some())
    }

    #[test]
    fn lzw_model_parses_like_plain_lzw() {
        let mut seed = 5u64;
        for (symbols, len) in [(4usize, 20_000usize), (200, 30_000), (256, 9_000)] {
            let data: Vec<u8> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    // Runs and repeats as well as noise.
                    if i % 7 < 3 {
                        (i / 50 % symbols) as u8
                    } else {
                        ((seed >> 40) as usize % symbols) as u8
                    }
                })
                .collect();
            let mut lzw = Lzw::new();
            lzw.start(symbols);
            for &b in &data {
                // No lossy budget: only the symbol itself may extend a string.
                assert_eq!(lzw.step(b, 0, |_| u32::MAX), b);
            }
            let min_size = symbols.max(4).next_power_of_two().trailing_zeros();
            assert_eq!(
                lzw.emitted + 1,
                reference_codes(&data, min_size),
                "{symbols} symbols"
            );
        }
    }

    #[test]
    fn lzw_model_takes_a_close_child_within_budget() {
        let mut lzw = Lzw::new();
        lzw.start(4);
        // "0 1" creates the string 0+1; after a fresh 0, symbol 2 (error 5)
        // may become 1 (error 9) within a budget of 10, but not of 8.
        for b in [0u8, 1, 0] {
            lzw.step(b, 0, |_| u32::MAX);
        }
        let err = |s: u8| if s == 1 { 9 } else { 5 };
        assert_eq!(lzw.step(2, 10, err), 1);
        let mut lzw2 = Lzw::new();
        lzw2.start(4);
        for b in [0u8, 1, 0] {
            lzw2.step(b, 0, |_| u32::MAX);
        }
        assert_eq!(lzw2.step(2, 8, err), 2);
    }
}
