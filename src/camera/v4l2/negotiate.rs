//! Choosing a format and size among what a device offers.
#![cfg_attr(not(all(feature = "v4l2", target_os = "linux")), allow(dead_code))]

use super::fourcc::{fourcc_name, pixel_format_of};
use crate::error::{Error, ErrorKind, Result};
use crate::image::PixelFormat;

/// Frame sizes a device offers for one format (`VIDIOC_ENUM_FRAMESIZES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeRange {
    /// Exactly this size.
    Discrete(u32, u32),
    /// Any size in the ranges, on the steps (`CONTINUOUS` has steps of 1).
    Stepwise {
        /// Smallest width.
        min_width: u32,
        /// Largest width.
        max_width: u32,
        /// Width step.
        step_width: u32,
        /// Smallest height.
        min_height: u32,
        /// Largest height.
        max_height: u32,
        /// Height step.
        step_height: u32,
    },
}

/// One format a device offers and its sizes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The V4L2 fourcc.
    pub fourcc: [u8; 4],
    /// The sizes (empty if the driver does not enumerate them).
    pub sizes: Vec<SizeRange>,
}

/// What the caller would like; `None` fields leave the choice to [`negotiate`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Request {
    /// Pixel format.
    pub format: Option<PixelFormat>,
    /// Width and height.
    pub size: Option<(u32, u32)>,
}

/// The format and size to ask the driver for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Choice {
    /// The fourcc to set.
    pub fourcc: [u8; 4],
    /// Its pixel format.
    pub format: PixelFormat,
    /// Width to set.
    pub width: u32,
    /// Height to set.
    pub height: u32,
}

/// Formats in the order [`negotiate`] prefers them when the caller names
/// none: uncompressed 4:2:2 first (what every UVC camera has), then MJPEG,
/// then the others.
pub(crate) const PREFERENCE: [&[u8; 4]; 12] = [
    b"YUYV", b"MJPG", b"JPEG", b"RGB3", b"BGR3", b"YU12", b"NV12", b"YVYU", b"GREY", b"RGBP",
    b"pBAA", b"BA81",
];

/// Picks a format and size among the device's `offers`.
///
/// Format: the requested one if offered (`MJPG` or `JPEG` for JPEG), else an
/// error; with no request, the first of [`PREFERENCE`] that the device offers
/// (preferring one that has the requested size exactly), else the first
/// offer camreel understands.
///
/// Size: the requested size if offered; else the smallest offered size that
/// covers it; else the largest offered size. A stepwise range is clamped to
/// its limits and rounded to its steps. With no size requested, the largest
/// size. Drivers that do not enumerate sizes get the request as is (the
/// driver adjusts it and the backend reports what it chose).
///
/// # Errors
/// [`ErrorKind::UnsupportedFormat`] if the requested format is not offered
/// (the message lists what is) or the device offers nothing camreel reads.
pub(crate) fn negotiate(offers: &[Offer], request: &Request) -> Result<Choice> {
    let known: Vec<(&Offer, PixelFormat)> = offers
        .iter()
        .filter_map(|o| pixel_format_of(o.fourcc).map(|f| (o, f)))
        .collect();
    let listing = || {
        offers
            .iter()
            .map(|o| fourcc_name(o.fourcc))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (offer, format) = match request.format {
        Some(want) => *known.iter().find(|(_, f)| *f == want).ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "the device does not offer {want} (it offers: {})",
                    listing()
                ),
            )
        })?,
        None => {
            let ranked = PREFERENCE
                .iter()
                .filter_map(|p| known.iter().find(|(o, _)| &o.fourcc == *p))
                .chain(known.iter());
            let exact = request
                .size
                .and_then(|(w, h)| ranked.clone().find(|(o, _)| offers_exactly(&o.sizes, w, h)));
            *exact.or_else(|| ranked.clone().next()).ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedFormat,
                    format!("the device offers no format camreel reads ({})", listing()),
                )
            })?
        }
    };
    let (width, height) = choose_size(&offer.sizes, request.size);
    Ok(Choice {
        fourcc: offer.fourcc,
        format,
        width,
        height,
    })
}

fn offers_exactly(sizes: &[SizeRange], w: u32, h: u32) -> bool {
    sizes.iter().any(|s| snap(s, w, h) == Some((w, h)))
}

/// The size a range gives for a request (clamped and stepped), if it can
/// give any.
fn snap(range: &SizeRange, w: u32, h: u32) -> Option<(u32, u32)> {
    match *range {
        SizeRange::Discrete(dw, dh) => Some((dw, dh)),
        SizeRange::Stepwise {
            min_width,
            max_width,
            step_width,
            min_height,
            max_height,
            step_height,
        } => {
            if min_width > max_width || min_height > max_height {
                return None;
            }
            let fit = |v: u32, lo: u32, hi: u32, step: u32| {
                let step = step.max(1);
                let v = v.clamp(lo, hi);
                let k = (v - lo).div_ceil(step);
                let up = lo.saturating_add(k.saturating_mul(step));
                if up <= hi {
                    up
                } else {
                    lo + (v - lo) / step * step
                }
            };
            Some((
                fit(w, min_width, max_width, step_width),
                fit(h, min_height, max_height, step_height),
            ))
        }
    }
}

fn choose_size(sizes: &[SizeRange], want: Option<(u32, u32)>) -> (u32, u32) {
    let area = |(w, h): (u32, u32)| u64::from(w) * u64::from(h);
    let (rw, rh) = want.unwrap_or((u32::MAX, u32::MAX));
    let candidates: Vec<(u32, u32)> = sizes.iter().filter_map(|s| snap(s, rw, rh)).collect();
    if candidates.is_empty() {
        return want.unwrap_or((640, 480));
    }
    if let Some(&exact) = candidates.iter().find(|&&c| c == (rw, rh)) {
        return exact;
    }
    if want.is_some()
        && let Some(&cover) = candidates
            .iter()
            .filter(|&&(w, h)| w >= rw && h >= rh)
            .min_by_key(|&&c| area(c))
    {
        return cover;
    }
    candidates
        .into_iter()
        .max_by_key(|&c| area(c))
        .unwrap_or((640, 480))
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::BayerOrder;

    fn uvc() -> Vec<Offer> {
        vec![
            Offer {
                fourcc: *b"MJPG",
                sizes: vec![
                    SizeRange::Discrete(1920, 1080),
                    SizeRange::Discrete(1280, 720),
                    SizeRange::Discrete(640, 480),
                ],
            },
            Offer {
                fourcc: *b"YUYV",
                sizes: vec![SizeRange::Discrete(640, 480), SizeRange::Discrete(320, 240)],
            },
            Offer {
                fourcc: *b"H264",
                sizes: vec![SizeRange::Discrete(1920, 1080)],
            },
        ]
    }

    #[test]
    fn negotiation_choices() {
        let offers = uvc();
        let pick = |format, size| {
            let c = negotiate(&offers, &Request { format, size }).unwrap();
            (fourcc_name(c.fourcc), c.width, c.height)
        };
        // Nothing asked: YUYV preferred, at its largest size.
        assert_eq!(pick(None, None), ("YUYV".into(), 640, 480));
        // A size only MJPEG has: MJPEG.
        assert_eq!(pick(None, Some((1280, 720))), ("MJPG".into(), 1280, 720));
        // A size nobody has exactly: preferred format, smallest covering size.
        assert_eq!(pick(None, Some((300, 200))), ("YUYV".into(), 320, 240));
        // Bigger than anything: the largest.
        assert_eq!(
            pick(Some(PixelFormat::Jpeg), Some((4000, 3000))),
            ("MJPG".into(), 1920, 1080)
        );
        assert_eq!(
            pick(Some(PixelFormat::Jpeg), Some((1000, 700))),
            ("MJPG".into(), 1280, 720)
        );
        let e = negotiate(
            &offers,
            &Request {
                format: Some(PixelFormat::Nv12),
                size: None,
            },
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
        assert_eq!(
            e.to_string(),
            "the device does not offer NV12 (it offers: MJPG, YUYV, H264)"
        );
        let e = negotiate(&offers[2..], &Request::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
        assert!(negotiate(&[], &Request::default()).is_err());
    }

    #[test]
    fn stepwise_sizes_snap() {
        let offers = [Offer {
            fourcc: *b"pBAA",
            sizes: vec![SizeRange::Stepwise {
                min_width: 64,
                max_width: 3280,
                step_width: 16,
                min_height: 64,
                max_height: 2464,
                step_height: 2,
            }],
        }];
        let c = negotiate(
            &offers,
            &Request {
                format: None,
                size: Some((1000, 701)),
            },
        )
        .unwrap();
        assert_eq!((c.width, c.height), (1008, 702));
        assert_eq!(c.format, PixelFormat::Raw10(BayerOrder::Bggr));
        let c = negotiate(
            &offers,
            &Request {
                format: None,
                size: Some((10, 99_999)),
            },
        )
        .unwrap();
        assert_eq!((c.width, c.height), (64, 2464));
        let c = negotiate(&offers, &Request::default()).unwrap();
        assert_eq!((c.width, c.height), (3280, 2464));
        // No enumerated sizes: the request goes to the driver as is.
        let bare = [Offer {
            fourcc: *b"GREY",
            sizes: vec![],
        }];
        let c = negotiate(
            &bare,
            &Request {
                format: None,
                size: Some((123, 45)),
            },
        )
        .unwrap();
        assert_eq!((c.width, c.height), (123, 45));
    }
}
