//! The `camreel` command line, run as a user runs it: exit codes, output,
//! files written and read back, and bad input (exit 1 with one line on
//! stderr, or exit 2 for usage errors; never a panic). One test binary
//! with a module per topic.

#[path = "../../../tests/avi_support/mod.rs"]
mod avi_support;
#[path = "../../../tests/gif_support/mod.rs"]
mod gif_support;
#[path = "../../../tests/net_support/mod.rs"]
mod net_support;
mod support;

mod avi;
mod camera;
mod crash;
mod damaged;
mod drops;
mod events;
mod gif;
mod hardening;
mod imageio;
mod net_browser;
mod net_load;
mod net_serve;
mod net_stream;
mod regressions;
mod video;
mod write_errors;
