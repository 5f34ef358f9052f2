//! Animated GIF writer.
