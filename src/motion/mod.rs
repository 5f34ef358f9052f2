//! Motion vectors: picamera's `motion_output` data, computed from any source.
//!
//! On a Raspberry Pi the H.264 encoder reports, for every 16x16 macroblock,
//! where the block came from in the previous frame. camreel computes the same
//! records itself, from frames in any format, with an
//! exhaustive block matcher whose result is defined exactly, so it is
//! deterministic and testable:
//!
//! - the vector (`x`, `y`) of the block at (`bx`, `by`) of frame n says the
//!   block came from (`bx + x`, `by + y`) in frame n-1 (content moving right
//!   by 4 pixels per frame gives `x = -4`), searched exhaustively within
//!   `+-R` pixels (R = 16 by default, up to 127);
//! - the best match has the smallest SAD (sum of absolute luma differences
//!   over the 256 pixels), then the smallest `|x| + |y|`, then the smallest
//!   `y`, then the smallest `x`;
//! - pixels beyond the frame edge repeat the last row and column, in frame n
//!   and in frame n-1, so frames whose size is not a multiple of 16 give
//!   partial macroblocks padded that way; candidates lie wholly inside that
//!   padded frame n-1 (the picture an encoder codes and keeps as reference);
//! - `sad` is the match's SAD (at most 65280, so never saturated); the extra
//!   column and the whole first frame are zero.
//!
//! | piece | type |
//! |---|---|
//! | frames in, records out | [`MotionEstimator`] ([`MotionOptions`], [`Kernel`]) |
//! | the byte layout | [`MotionLayout`], [`MotionVector`], [`MotionFrame`] |
//! | `.data` files back in | [`MotionData`], [`MotionReader`] |
//! | `motion_output=` next to a recording | [`MotionOutput`] (a [`FrameSink`](crate::sink::FrameSink)) |
//! | `PiMotionAnalysis` | [`MotionAnalysis`], [`MotionAnalysisSink`] |
//! | "is something moving?" | [`MotionDetector`], [`DetectorOptions`], [`Event`] |
//! | the seed's magnitude PNGs | [`magnitude_image`] |
//! | a whole source, with summaries | [`analyse_source`], [`FrameSummary`] |
//!
//! # Speed
//!
//! The SAD kernel uses AVX2 (`vpmpsadbw`, 16 candidates per instruction
//! stream) when the CPU has it, detected at run time, and portable Rust
//! otherwise; both give the same vectors bit for bit. Groups of candidates
//! whose SAD over the first 8 rows already exceeds the best match are
//! dropped, which never changes the result. `benches/motion.rs` measures it.
//!
//! ```
//! use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
//! use camreel::motion::{MotionData, MotionEstimator, MotionOptions};
//! use camreel::PixelFormat;
//!
//! // The synthetic scene pans by (+2, +1) pixels per frame; the textured
//! // ground near the bottom came from (x + 2, y + 1).
//! let mut cam = SyntheticCamera::builder()
//!     .size(160, 120)
//!     .format(PixelFormat::Yuv420)
//!     .objects(0)
//!     .frame_limit(2)
//!     .build()?;
//! let mut est = MotionEstimator::new(MotionOptions::default().search_range(8))?;
//! let mut data = Vec::new();
//! let mut records = Vec::new();
//! while let Some(frame) = cam.next_frame()? {
//!     est.estimate_into(frame.image, &mut records)?;
//!     data.extend_from_slice(&records);
//! }
//! let data = MotionData::from_bytes(data, 160, 120)?;
//! let v = data.frame(1).unwrap().vector(4, 6);
//! assert_eq!((v.x, v.y), (2, 1));
//! # Ok::<(), camreel::Error>(())
//! ```

mod analysis;
mod data;
mod detect;
mod estimator;
mod image;
mod layout;
mod matcher;
mod plane;
mod run;
#[cfg(target_arch = "x86_64")]
mod sad_avx2;
mod search;

pub use analysis::{MotionAnalysis, MotionAnalysisSink, MotionOutput};
pub use data::{MotionData, MotionReader};
pub use detect::{BlockMask, DetectorOptions, Event, MotionDetector, Verdict};
pub use estimator::{MotionEstimator, MotionOptions};
pub use image::{MagnitudeOptions, magnitude_image, magnitude_image_into};
pub use layout::{MACROBLOCK, MotionFrame, MotionLayout, MotionVector, RECORD_LEN};
pub use run::{FrameSummary, SourceReport, analyse_source};
pub use search::{DEFAULT_SEARCH_RANGE, Kernel, MAX_SEARCH_RANGE};
