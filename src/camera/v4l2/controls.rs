//! Camera controls: exposure, gain and white balance, planned as control
//! writes clamped to what a device reports.
#![cfg_attr(not(all(feature = "v4l2", target_os = "linux")), allow(dead_code))]

use std::time::Duration;

/// Exposure setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// Automatic exposure.
    Auto,
    /// Manual exposure time (`V4L2_CID_EXPOSURE_ABSOLUTE`, 100 us units).
    Manual(Duration),
    /// Manual exposure in the driver's own units (`V4L2_CID_EXPOSURE`; sensor
    /// drivers on the Raspberry Pi count lines).
    Raw(i64),
}

/// White-balance setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhiteBalance {
    /// Automatic white balance.
    Auto,
    /// A fixed colour temperature in kelvin.
    Kelvin(u32),
}

/// Camera controls to apply when a device is opened: builder methods on
/// the defaults, which leave every control as the device has it.
///
/// ```
/// use std::time::Duration;
/// use camreel::camera::v4l2::{Controls, Exposure, WhiteBalance};
/// let controls = Controls::new()
///     .exposure(Exposure::Manual(Duration::from_millis(10)))
///     .gain(30)
///     .white_balance(WhiteBalance::Kelvin(5000));
/// assert_ne!(controls, Controls::default());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct Controls {
    exposure: Option<Exposure>,
    gain: Option<i64>,
    white_balance: Option<WhiteBalance>,
}

impl Controls {
    /// No control changed.
    pub fn new() -> Controls {
        Controls::default()
    }

    /// The exposure.
    pub fn exposure(mut self, exposure: Exposure) -> Controls {
        self.exposure = Some(exposure);
        self
    }

    /// The gain in the driver's units (`V4L2_CID_GAIN`, else
    /// `V4L2_CID_ANALOGUE_GAIN`); turns automatic gain off.
    pub fn gain(mut self, gain: i64) -> Controls {
        self.gain = Some(gain);
        self
    }

    /// The white balance.
    pub fn white_balance(mut self, white_balance: WhiteBalance) -> Controls {
        self.white_balance = Some(white_balance);
        self
    }
}

/// V4L2 control ids used by [`plan_controls`].
pub(crate) mod cid {
    /// `V4L2_CID_AUTO_WHITE_BALANCE`.
    pub const AUTO_WHITE_BALANCE: u32 = 0x0098_090C;
    /// `V4L2_CID_EXPOSURE`.
    pub const EXPOSURE: u32 = 0x0098_0911;
    /// `V4L2_CID_AUTOGAIN`.
    pub const AUTOGAIN: u32 = 0x0098_0912;
    /// `V4L2_CID_GAIN`.
    pub const GAIN: u32 = 0x0098_0913;
    /// `V4L2_CID_WHITE_BALANCE_TEMPERATURE`.
    pub const WHITE_BALANCE_TEMPERATURE: u32 = 0x0098_091A;
    /// `V4L2_CID_EXPOSURE_AUTO` (menu: 0 auto, 1 manual, 3 aperture priority).
    pub const EXPOSURE_AUTO: u32 = 0x009A_0901;
    /// `V4L2_CID_EXPOSURE_ABSOLUTE` (100 us units).
    pub const EXPOSURE_ABSOLUTE: u32 = 0x009A_0902;
    /// `V4L2_CID_ANALOGUE_GAIN`.
    pub const ANALOGUE_GAIN: u32 = 0x009E_0903;
}

/// A control the device has (from `VIDIOC_QUERY_EXT_CTRL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ControlRange {
    /// Control id.
    pub id: u32,
    /// Smallest value.
    pub minimum: i64,
    /// Largest value.
    pub maximum: i64,
    /// Step (0 or 1: any value).
    pub step: u64,
}

impl ControlRange {
    /// `value` clamped to the range and rounded down to a step.
    pub fn fit(&self, value: i64) -> i64 {
        let v = value.clamp(self.minimum, self.maximum.max(self.minimum));
        if self.step <= 1 {
            return v;
        }
        // In i128: the range of a 64-bit control can span all of i64.
        let (lo, wide) = (i128::from(self.minimum), i128::from(v));
        let step = i128::from(self.step);
        // Between the minimum and `v`, so it fits in an i64.
        i64::try_from(lo + (wide - lo) / step * step).unwrap_or(v)
    }
}

/// The control writes that apply `wanted` to a device with `available`
/// controls, in order, and the names of the requested settings the device
/// has no control for (skipped).
///
pub(crate) fn plan_controls(
    available: &[ControlRange],
    wanted: &Controls,
) -> (Vec<(u32, i64)>, Vec<&'static str>) {
    let find = |id: u32| available.iter().find(|c| c.id == id);
    let mut writes = Vec::new();
    let mut skipped = Vec::new();
    match wanted.exposure {
        None => {}
        Some(Exposure::Auto) => match find(cid::EXPOSURE_AUTO) {
            // UVC cameras implement "aperture priority" (3) as their auto mode.
            Some(c) if c.maximum >= 3 => writes.push((c.id, 3)),
            Some(c) => writes.push((c.id, c.fit(0))),
            None => skipped.push("automatic exposure"),
        },
        Some(Exposure::Manual(d)) => match find(cid::EXPOSURE_ABSOLUTE) {
            Some(c) => {
                if let Some(a) = find(cid::EXPOSURE_AUTO) {
                    writes.push((a.id, 1));
                }
                let units = i64::try_from(d.as_micros() / 100).unwrap_or(i64::MAX);
                writes.push((c.id, c.fit(units)));
            }
            None => skipped.push("exposure time"),
        },
        Some(Exposure::Raw(v)) => match find(cid::EXPOSURE) {
            Some(c) => {
                if let Some(a) = find(cid::EXPOSURE_AUTO) {
                    writes.push((a.id, 1));
                }
                writes.push((c.id, c.fit(v)));
            }
            None => skipped.push("exposure"),
        },
    }
    if let Some(g) = wanted.gain {
        match find(cid::GAIN).or_else(|| find(cid::ANALOGUE_GAIN)) {
            Some(c) => {
                if let Some(a) = find(cid::AUTOGAIN) {
                    writes.push((a.id, 0));
                }
                writes.push((c.id, c.fit(g)));
            }
            None => skipped.push("gain"),
        }
    }
    match wanted.white_balance {
        None => {}
        Some(WhiteBalance::Auto) => match find(cid::AUTO_WHITE_BALANCE) {
            Some(c) => writes.push((c.id, c.fit(1))),
            None => skipped.push("automatic white balance"),
        },
        Some(WhiteBalance::Kelvin(k)) => match find(cid::WHITE_BALANCE_TEMPERATURE) {
            Some(c) => {
                if let Some(a) = find(cid::AUTO_WHITE_BALANCE) {
                    writes.push((a.id, 0));
                }
                writes.push((c.id, c.fit(i64::from(k))));
            }
            None => skipped.push("white balance temperature"),
        },
    }
    (writes, skipped)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_plans() {
        let all = [
            ControlRange {
                id: cid::EXPOSURE_AUTO,
                minimum: 0,
                maximum: 3,
                step: 1,
            },
            ControlRange {
                id: cid::EXPOSURE_ABSOLUTE,
                minimum: 3,
                maximum: 2047,
                step: 1,
            },
            ControlRange {
                id: cid::AUTOGAIN,
                minimum: 0,
                maximum: 1,
                step: 1,
            },
            ControlRange {
                id: cid::GAIN,
                minimum: 0,
                maximum: 255,
                step: 4,
            },
        ];
        let wanted = Controls::new()
            .exposure(Exposure::Manual(Duration::from_millis(10)))
            .gain(30)
            .white_balance(WhiteBalance::Auto);
        let (writes, skipped) = plan_controls(&all, &wanted);
        assert_eq!(
            writes,
            vec![
                (cid::EXPOSURE_AUTO, 1),
                (cid::EXPOSURE_ABSOLUTE, 100),
                (cid::AUTOGAIN, 0),
                (cid::GAIN, 28),
            ]
        );
        assert_eq!(skipped, vec!["automatic white balance"]);
        let (writes, _) = plan_controls(&all, &Controls::new().exposure(Exposure::Auto));
        assert_eq!(writes, vec![(cid::EXPOSURE_AUTO, 3)]);
        let (writes, skipped) = plan_controls(
            &all,
            &Controls::new().exposure(Exposure::Manual(Duration::from_secs(10))),
        );
        assert_eq!(writes[1], (cid::EXPOSURE_ABSOLUTE, 2047));
        assert!(skipped.is_empty());
        // A Pi sensor: analogue gain, exposure in lines.
        let pi = [
            ControlRange {
                id: cid::EXPOSURE,
                minimum: 4,
                maximum: 1759,
                step: 1,
            },
            ControlRange {
                id: cid::ANALOGUE_GAIN,
                minimum: 16,
                maximum: 255,
                step: 1,
            },
        ];
        let (writes, skipped) = plan_controls(
            &pi,
            &Controls::new()
                .exposure(Exposure::Raw(1))
                .gain(1000)
                .white_balance(WhiteBalance::Kelvin(5000)),
        );
        assert_eq!(writes, vec![(cid::EXPOSURE, 4), (cid::ANALOGUE_GAIN, 255)]);
        assert_eq!(skipped, vec!["white balance temperature"]);
        assert_eq!(plan_controls(&pi, &Controls::default()), (vec![], vec![]));
    }

    #[test]
    fn control_ranges_from_the_device_never_overflow() {
        // 64-bit controls can span the whole i64 range.
        let wide = ControlRange {
            id: cid::EXPOSURE,
            minimum: i64::MIN,
            maximum: i64::MAX,
            step: 2,
        };
        assert_eq!(wide.fit(5), 4);
        assert_eq!(wide.fit(i64::MAX), i64::MAX - 1);
        assert_eq!(wide.fit(i64::MIN), i64::MIN);
        let huge_step = ControlRange {
            step: u64::MAX,
            ..wide
        };
        assert_eq!(huge_step.fit(7), i64::MIN);
        // A range the driver got backwards: the minimum wins.
        let backwards = ControlRange {
            id: cid::GAIN,
            minimum: 10,
            maximum: 0,
            step: 3,
        };
        assert_eq!(backwards.fit(100), 10);
    }

    #[test]
    fn white_balance_temperature_turns_auto_off_and_clamps() {
        let available = [
            ControlRange {
                id: cid::AUTO_WHITE_BALANCE,
                minimum: 0,
                maximum: 1,
                step: 1,
            },
            ControlRange {
                id: cid::WHITE_BALANCE_TEMPERATURE,
                minimum: 2800,
                maximum: 6500,
                step: 10,
            },
        ];
        let wanted = Controls::new()
            .white_balance(WhiteBalance::Kelvin(7000))
            .gain(4);
        let (writes, skipped) = plan_controls(&available, &wanted);
        assert_eq!(
            writes,
            vec![
                (cid::AUTO_WHITE_BALANCE, 0),
                (cid::WHITE_BALANCE_TEMPERATURE, 6500)
            ]
        );
        assert_eq!(skipped, vec!["gain"]);
    }
}
