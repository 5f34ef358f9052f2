//! The luma plane the matcher works on: a frame's luma padded to whole
//! macroblocks by repeating the last column and the last row, as an encoder
//! pads the picture it codes.
//!
//! Each row is followed by [`SLACK`] more copies of its last pixel and the
//! buffer by [`SLACK`] bytes, so a SIMD kernel may load up to `SLACK` bytes
//! past the right edge of any row without leaving the buffer; what it reads
//! there only feeds candidates it discards.

use super::layout::MACROBLOCK;

/// Bytes after the padded width of each row, and after the last row.
pub(crate) const SLACK: usize = 64;

const MB: usize = MACROBLOCK as usize;

/// A luma plane padded to a multiple of 16 in both directions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plane {
    data: Vec<u8>,
    /// Padded width: a multiple of 16.
    width: usize,
    /// Padded height: a multiple of 16.
    height: usize,
    /// Distance between rows: `width + SLACK`.
    stride: usize,
}

impl Plane {
    /// Sizes the plane for `width` x `height` frames (allocates only when it grows).
    pub(crate) fn resize(&mut self, width: usize, height: usize) {
        self.width = width.div_ceil(MB) * MB;
        self.height = height.div_ceil(MB) * MB;
        self.stride = self.width + SLACK;
        self.data.resize(self.stride * self.height + SLACK, 0);
    }

    /// Fills the plane from `rows` luma rows of `width` pixels each (`row(y)`
    /// returns row `y`; only the first `width` bytes are used), replicating
    /// the last column and row.
    pub(crate) fn fill<'r>(
        &mut self,
        width: usize,
        height: usize,
        row: impl Fn(usize) -> &'r [u8],
    ) {
        self.fill_with(width, height, |y, dst| {
            dst.copy_from_slice(&row(y)[..width])
        });
    }

    /// As [`Plane::fill`], with `fill_row(y, dst)` writing the `width` luma
    /// pixels of row `y` into `dst`.
    pub(crate) fn fill_with(
        &mut self,
        width: usize,
        height: usize,
        mut fill_row: impl FnMut(usize, &mut [u8]),
    ) {
        debug_assert!(width > 0 && height > 0);
        self.resize(width, height);
        let stride = self.stride;
        for y in 0..height {
            let dst = &mut self.data[y * stride..(y + 1) * stride];
            fill_row(y, &mut dst[..width]);
            let last = dst[width - 1];
            dst[width..].fill(last);
        }
        let (head, tail) = self.data.split_at_mut(height * stride);
        let last_row = &head[(height - 1) * stride..];
        for dst in tail.chunks_exact_mut(stride) {
            dst.copy_from_slice(last_row);
        }
    }

    /// Padded width (a multiple of 16).
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// Padded height (a multiple of 16).
    pub(crate) fn height(&self) -> usize {
        self.height
    }

    /// Distance between rows in bytes.
    pub(crate) fn stride(&self) -> usize {
        self.stride
    }

    /// The bytes: `height` rows of `stride` bytes, then [`SLACK`] bytes.
    pub(crate) fn data(&self) -> &[u8] {
        &self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_by_replication() {
        let src: Vec<u8> = (0..5 * 3).map(|i| i as u8).collect();
        let mut p = Plane::default();
        p.fill(5, 3, |y| &src[y * 5..y * 5 + 5]);
        assert_eq!((p.width(), p.height(), p.stride()), (16, 16, 16 + SLACK));
        assert_eq!(p.data().len(), p.stride() * 16 + SLACK);
        let at = |x: usize, y: usize| p.data()[y * p.stride() + x];
        assert_eq!(at(4, 0), 4);
        assert_eq!(at(5, 0), 4);
        assert_eq!(at(15 + SLACK, 1), 9);
        assert_eq!(at(2, 2), 12);
        assert_eq!(at(2, 15), 12);
        assert_eq!(at(15, 15), 14);
        // Refilling with a smaller frame reuses the buffer.
        let cap = p.data.capacity();
        p.fill(1, 1, |_| &src[..1]);
        assert_eq!(p.data.capacity(), cap);
        assert!(p.data[..p.stride() * 16].iter().all(|&v| v == 0));
    }
}
