//! Crop, scale and letterbox.
