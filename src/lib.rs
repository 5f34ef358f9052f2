#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![deny(unsafe_code)]

pub mod avi;
pub mod camera;
pub mod capture;
pub mod circular;
pub mod clock;
pub mod codec;
pub mod convert;
pub mod error;
pub mod event;
pub mod frame;
pub mod geometry;
pub mod gif;
pub mod h264;
pub mod image;
pub mod imageio;
mod io_util;
pub mod motion;
#[cfg(feature = "mp4")]
#[cfg_attr(docsrs, doc(cfg(feature = "mp4")))]
pub mod mp4;
pub mod net;
pub mod output;
mod pool;
pub mod raw;
pub mod record;
pub mod recording;
pub mod replay;
pub mod sink;
pub mod source;
pub mod timing;
pub mod video;

pub use error::{Error, ErrorKind, Result};
pub use image::{BayerOrder, Image, ImageRef, Limits, PixelFormat, Rect};
