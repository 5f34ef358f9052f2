//! Motion-JPEG in AVI: writer, reader and repair.
