//! Raspberry Pi camera hardware: the camera's V4L2 node, the camera LED and
//! a GPIO trigger input.
//!
//! On a Pi the camera is a V4L2 device ([`DEFAULT_DEVICE`]: the libcamera
//! V4L2 compatibility layer or the legacy `bcm2835-v4l2` driver), opened
//! with [`open`](super::open)`("rpi", ...)` (feature `rpi`, which turns on
//! `v4l2`). The LED and a trigger input are behind the small [`Indicator`]
//! and [`TriggerInput`] traits, implemented with `rppal` under the `rpi`
//! feature (`GpioLed`, `GpioTrigger`); tests and other boards implement
//! them in a few lines.
//!
//! picamera's capture layouts over any source (`PiCamera`, `PiFormat`,
//! capture on a trigger, an emulator that runs without a Pi) are in
//! [`crate::capture::picamera`].

use std::time::Duration;

use crate::error::Result;

/// The Pi camera's V4L2 node.
pub const DEFAULT_DEVICE: &str = "/dev/video0";

/// An on/off light, such as the camera module's LED.
pub trait Indicator {
    /// Turns the light on or off.
    ///
    /// # Errors
    /// Whatever driving the light fails with.
    fn set(&mut self, on: bool) -> Result<()>;
}

/// A trigger input, such as a button or a PIR sensor on a GPIO pin.
pub trait TriggerInput {
    /// Waits for the next trigger; `Ok(true)` when it fired, `Ok(false)` when
    /// `timeout` passed first (`None`: wait forever).
    ///
    /// # Errors
    /// Whatever reading the input fails with.
    fn wait(&mut self, timeout: Option<Duration>) -> Result<bool>;
}

#[cfg(all(feature = "rpi", target_os = "linux"))]
mod gpio {
    use std::time::Duration;

    use rppal::gpio::{Gpio, InputPin, OutputPin, Trigger};

    use super::{Indicator, TriggerInput};
    use crate::error::{Error, ErrorKind, Result};

    fn gpio_error(what: String, e: rppal::gpio::Error) -> Error {
        let kind = match e {
            rppal::gpio::Error::UnknownModel => ErrorKind::BackendUnavailable,
            rppal::gpio::Error::PinNotAvailable(_) | rppal::gpio::Error::PinUsed(_) => {
                ErrorKind::InvalidArgument
            }
            _ => ErrorKind::Io,
        };
        Error::with_source(kind, what, e)
    }

    /// The camera LED (or any LED) on a BCM GPIO pin.
    #[derive(Debug)]
    #[cfg_attr(docsrs, doc(cfg(all(feature = "rpi", target_os = "linux"))))]
    pub struct GpioLed {
        pin: OutputPin,
    }

    impl GpioLed {
        /// Drives BCM pin `bcm` as an output, initially off.
        ///
        /// # Errors
        /// [`ErrorKind::BackendUnavailable`] when not on a Raspberry Pi;
        /// [`ErrorKind::InvalidArgument`] for a pin that is missing or in use.
        pub fn new(bcm: u8) -> Result<GpioLed> {
            let gpio = Gpio::new().map_err(|e| gpio_error("opening the GPIO".into(), e))?;
            let pin = gpio
                .get(bcm)
                .map_err(|e| gpio_error(format!("GPIO {bcm}"), e))?
                .into_output_low();
            Ok(GpioLed { pin })
        }
    }

    impl Indicator for GpioLed {
        fn set(&mut self, on: bool) -> Result<()> {
            if on {
                self.pin.set_high();
            } else {
                self.pin.set_low();
            }
            Ok(())
        }
    }

    /// A trigger input on a BCM GPIO pin (rising edge, pulled down, debounced).
    #[derive(Debug)]
    #[cfg_attr(docsrs, doc(cfg(all(feature = "rpi", target_os = "linux"))))]
    pub struct GpioTrigger {
        pin: InputPin,
    }

    impl GpioTrigger {
        /// Watches BCM pin `bcm` for rising edges, ignoring bounces shorter than `debounce`.
        ///
        /// # Errors
        /// As [`GpioLed::new`].
        pub fn new(bcm: u8, debounce: Duration) -> Result<GpioTrigger> {
            let gpio = Gpio::new().map_err(|e| gpio_error("opening the GPIO".into(), e))?;
            let mut pin = gpio
                .get(bcm)
                .map_err(|e| gpio_error(format!("GPIO {bcm}"), e))?
                .into_input_pulldown();
            pin.set_interrupt(Trigger::RisingEdge, Some(debounce))
                .map_err(|e| gpio_error(format!("GPIO {bcm} interrupt"), e))?;
            Ok(GpioTrigger { pin })
        }
    }

    impl TriggerInput for GpioTrigger {
        fn wait(&mut self, timeout: Option<Duration>) -> Result<bool> {
            self.pin
                .poll_interrupt(true, timeout)
                .map(|e| e.is_some())
                .map_err(|e| gpio_error("waiting for the trigger".into(), e))
        }
    }
}

#[cfg(all(feature = "rpi", target_os = "linux"))]
pub use gpio::{GpioLed, GpioTrigger};
