//! A one-line progress bar on stderr, shown only when stdout is a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Progress of a long-running command.
pub struct Progress {
    enabled: bool,
    total: Option<u64>,
    done: u64,
    label: &'static str,
    last_draw: Option<Instant>,
    /// Frames lost so far (shown when any were).
    dropped: u64,
}

impl Progress {
    /// A bar for `total` items (unknown: a counter), drawn only on a terminal.
    pub fn new(label: &'static str, total: Option<u64>) -> Progress {
        Progress {
            enabled: std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
            total,
            done: 0,
            label,
            last_draw: None,
            dropped: 0,
        }
    }

    /// Whether the bar is drawn (a message must start a new line then).
    pub fn is_drawn(&self) -> bool {
        self.enabled && self.last_draw.is_some()
    }

    /// Sets the count of frames lost so far, shown after the count.
    pub fn set_dropped(&mut self, dropped: u64) {
        self.dropped = dropped;
    }

    /// Counts one more item done.
    pub fn tick(&mut self) {
        self.done += 1;
        let due = self
            .last_draw
            .is_none_or(|t| t.elapsed() >= Duration::from_millis(100));
        if self.enabled && due {
            self.draw();
        }
    }

    fn draw(&mut self) {
        self.last_draw = Some(Instant::now());
        let line = match self.total {
            Some(total) if total > 0 => {
                let width = 30;
                let filled = (self.done.min(total) * width / total) as usize;
                format!(
                    "\r{} [{}{}] {}/{}",
                    self.label,
                    "#".repeat(filled),
                    " ".repeat(width as usize - filled),
                    self.done,
                    total
                )
            }
            _ => format!("\r{} {}", self.label, self.done),
        };
        let line = if self.dropped > 0 {
            format!("{line}, dropped {}", self.dropped)
        } else {
            line
        };
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
    }

    /// Draws the final state and ends the line.
    pub fn finish(mut self) {
        if self.enabled {
            self.draw();
            let _ = std::io::stderr().write_all(b"\n");
        }
    }
}
