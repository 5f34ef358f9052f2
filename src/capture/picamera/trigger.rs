//! [`capture_on_trigger`]: stills when a trigger input fires, with a light
//! on during each.

use std::io::Write;
use std::time::Duration;

use super::{PiCamera, PiFormat};
use crate::camera::CameraSource;
use crate::camera::rpi::{Indicator, TriggerInput};
use crate::error::Result;

/// Statistics of [`capture_on_trigger`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TriggerStats {
    /// Triggers seen.
    pub triggers: u64,
    /// Stills captured.
    pub captures: u64,
    /// Waits that timed out.
    pub timeouts: u64,
}

/// Captures a still in `format` into the next of `outputs` each time
/// `trigger` fires, with `led` lit during each capture, until the outputs run out or
/// `max_idle` consecutive waits of `timeout` pass without a trigger.
///
/// # Errors
/// The first error of the trigger, the LED, the camera or an output (the
/// LED is switched off first).
pub fn capture_on_trigger<S, I, W, T, L>(
    camera: &mut PiCamera<S>,
    outputs: I,
    format: PiFormat,
    trigger: &mut T,
    mut led: Option<&mut L>,
    timeout: Option<Duration>,
    max_idle: u32,
) -> Result<TriggerStats>
where
    S: CameraSource,
    T: TriggerInput + ?Sized,
    L: Indicator + ?Sized,
    I: IntoIterator<Item = W>,
    W: Write,
{
    let mut stats = TriggerStats::default();
    let mut idle = 0;
    for mut output in outputs {
        loop {
            if trigger.wait(timeout)? {
                stats.triggers += 1;
                break;
            }
            stats.timeouts += 1;
            idle += 1;
            if idle >= max_idle {
                return Ok(stats);
            }
        }
        idle = 0;
        if let Some(l) = led.as_deref_mut() {
            l.set(true)?;
        }
        let result = camera.capture_as(&mut output, format);
        if let Some(l) = led.as_deref_mut() {
            l.set(false)?;
        }
        result?;
        stats.captures += 1;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::synthetic::SyntheticCamera;
    use crate::error::ErrorKind;

    struct Script(Vec<bool>);
    impl TriggerInput for Script {
        fn wait(&mut self, _: Option<Duration>) -> Result<bool> {
            Ok(if self.0.is_empty() {
                false
            } else {
                self.0.remove(0)
            })
        }
    }

    #[derive(Default)]
    struct Led(Vec<bool>);
    impl Indicator for Led {
        fn set(&mut self, on: bool) -> Result<()> {
            self.0.push(on);
            Ok(())
        }
    }

    #[test]
    fn trigger_logic() {
        let mut cam = PiCamera::emulator(32, 16, 0).unwrap();
        let mut trig = Script(vec![false, true, true, false, false, true]);
        let mut led = Led::default();
        let mut outs = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        let stats = capture_on_trigger(
            &mut cam,
            outs.iter_mut(),
            PiFormat::Rgb,
            &mut trig,
            Some(&mut led),
            Some(Duration::from_millis(1)),
            3,
        )
        .unwrap();
        assert_eq!(
            stats,
            TriggerStats {
                triggers: 3,
                captures: 3,
                timeouts: 6
            }
        );
        assert_eq!(led.0, [true, false, true, false, true, false]);
        assert!(outs[..3].iter().all(|o| o.len() == 32 * 16 * 3));
        assert!(outs[3].is_empty());
        // A failing capture still switches the LED off.
        let mut ended = PiCamera::new(
            SyntheticCamera::builder()
                .size(8, 8)
                .frame_limit(0)
                .build()
                .unwrap(),
        );
        let mut trig = Script(vec![true]);
        let mut led = Led::default();
        let e = capture_on_trigger(
            &mut ended,
            [Vec::new()],
            PiFormat::Rgb,
            &mut trig,
            Some(&mut led),
            None,
            1,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::EndOfStream);
        assert_eq!(led.0, [true, false]);
    }
}
