//! [`Rect`]: a rectangle of pixels.

/// A rectangle of pixels: top-left corner and size.
///
/// ```
/// use camreel::Rect;
/// let r = Rect::new(10, 20, 30, 40);
/// assert_eq!((r.right(), r.bottom()), (40, 60));
/// assert!(r.fits_in(40, 60));
/// assert!(!r.fits_in(39, 60));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rect {
    /// Left column.
    pub x: u32,
    /// Top row.
    pub y: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Rect {
    /// A rectangle at (`x`, `y`) of `width` x `height`.
    pub const fn new(x: u32, y: u32, width: u32, height: u32) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    /// One past the right-most column (saturating).
    pub const fn right(&self) -> u32 {
        self.x.saturating_add(self.width)
    }

    /// One past the bottom row (saturating).
    pub const fn bottom(&self) -> u32 {
        self.y.saturating_add(self.height)
    }

    /// Whether the rectangle is non-empty and lies inside a `width` x `height` image.
    pub fn fits_in(&self, width: u32, height: u32) -> bool {
        self.width > 0
            && self.height > 0
            && u64::from(self.x) + u64::from(self.width) <= u64::from(width)
            && u64::from(self.y) + u64::from(self.height) <= u64::from(height)
    }
}
