//! Pixel-format conversions.
