#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![deny(unsafe_code)]

pub mod error;
pub mod image;

pub use error::{Error, ErrorKind, Result};
pub use image::{BayerOrder, Image, ImageRef, Limits, PixelFormat, Rect};
