//! `camreel record SOURCE --events PATTERN`: event recording (SPEC section
//! 10) with `camreel::event::EventRecorder`.
//!
//! Frames go to a circular buffer; a trigger (motion in the frames, or a
//! line on stdin) starts an event file named from PATTERN, holding `--pre`
//! seconds from before the trigger and everything until the trigger has
//! been quiet for `--post` seconds. One line per finished file is printed
//! on stdout: `PATH<TAB>start=S<TAB>duration=S<TAB>frames=N<TAB>trigger=S`
//! (times in seconds on the source's clock). It runs until interrupted, or
//! for `--seconds`/`--frames`. SIGINT, SIGTERM and SIGHUP finish the event
//! file being written and exit with 128 + the signal's number, as `record`
//! does (see `recording`); a source blocked waiting for a frame does not
//! delay this.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;

use camreel::error::quote_path;
use camreel::event::{EventOptions, EventRecorder, EventReport};
use camreel::frame::Frame;
use camreel::record::{RecordError, RecordOptions, RecordStats, record};
use camreel::sink::FrameSink;
use camreel::source::{self, SourceConfig};
use camreel::{Error, ErrorKind, Result};
use clap::ValueEnum;

use crate::recording::{self, Shared};
use crate::{RecordArgs, args};

/// What starts an event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum TriggerArg {
    /// Motion in the frames (motion vectors, the seed's detector).
    #[default]
    Motion,
    /// Every line read on standard input.
    Stdin,
}

/// The `--events` options of `camreel record`.
#[derive(clap::Args, Debug, Default)]
pub struct EventArgs {
    /// Record events instead of one file: a file per event named from
    /// PATTERN, ending in .h264, .mp4, .avi or .bin. Fields: %Y %m %d %H
    /// %M %S (the trigger's UTC time; %d is the day), %0Nd or %n (the
    /// event counter, from 1), %% (a %). Example: event-%Y%m%d-%H%M%S.mp4
    /// or clip%04d.avi.
    #[arg(long, value_name = "PATTERN")]
    pub events: Option<String>,
    /// Seconds kept from before the trigger (default 5).
    #[arg(long, requires = "events", value_parser = seconds_or_zero)]
    pub pre: Option<Duration>,
    /// Seconds the trigger must stay quiet to end an event (default 5).
    #[arg(long, requires = "events", value_parser = seconds_or_zero)]
    pub post: Option<Duration>,
    /// What starts an event.
    #[arg(long, requires = "events", value_enum)]
    pub trigger: Option<TriggerArg>,
    /// Longest event file in seconds: a longer event goes on in a new file.
    #[arg(long, requires = "events", value_parser = args::seconds)]
    pub max_event: Option<Duration>,
}

impl EventArgs {
    /// An event flag given without `--events`, if any.
    pub fn stray_flag(&self) -> Option<&'static str> {
        if self.events.is_some() {
            return None;
        }
        [
            (self.pre.is_some(), "--pre"),
            (self.post.is_some(), "--post"),
            (self.trigger.is_some(), "--trigger"),
            (self.max_event.is_some(), "--max-event"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }
}

/// Seconds: 0 or more, up to a day.
fn seconds_or_zero(s: &str) -> Result<Duration> {
    if s.trim().parse::<f64>() == Ok(0.0) {
        return Ok(Duration::ZERO);
    }
    args::seconds(s)
}

impl FrameSink for Shared<EventRecorder> {
    fn write_frame(&mut self, frame: &Frame<'_>) -> Result<()> {
        self.with(|r| r.write_frame(frame))
    }

    fn sync(&mut self) -> Result<()> {
        self.with(FrameSink::sync)
    }
}

/// The line printed for a finished event file.
fn line(e: &EventReport) -> String {
    format!(
        "{}\tstart={:.3}\tduration={:.3}\tframes={}\ttrigger={:.3}",
        e.path.display(),
        e.start.as_secs_f64(),
        e.duration.as_secs_f64(),
        e.frames,
        e.trigger.as_secs_f64()
    )
}

/// Runs `camreel record SOURCE --events PATTERN`.
pub fn run(a: &RecordArgs) -> Result<ExitCode> {
    let e = &a.events;
    let Some(pattern) = &e.events else {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "--events is missing",
        ));
    };
    crate::record::check_source_args(a)?;
    let mut options = EventOptions::new(pattern)?;
    let kind = options.pattern().kind();
    if let Some(pre) = e.pre {
        options = options.pre(pre);
    }
    if let Some(post) = e.post {
        options = options.post(post);
    }
    if let Some(max) = e.max_event {
        options = options.max_event(max);
    }
    let config = SourceConfig {
        realtime: true,
        ..crate::record::source_config(a)
    };
    let mut out = a.out.options()?;
    if let Some(rate) = a.fps {
        out = out.frame_rate(rate);
    }
    crate::check_output(&out, kind)?;
    options = options.output(out);
    options.check()?;
    let source = source::open(&a.source, &config)?;
    let mut recorder = EventRecorder::new(options, source.format())?;
    if e.trigger == Some(TriggerArg::Stdin) {
        recorder = recorder.without_motion();
        // The thread ends with stdin; the recording goes on.
        let _ = recorder
            .handle()
            .fire_on_lines(std::io::BufReader::new(std::io::stdin()))?;
    }
    if let Some(path) = &a.motion_output {
        let file = std::fs::File::create(path)
            .map_err(|e| Error::io(format!("creating {}", quote_path(path)), e))?;
        recorder = recorder.motion_output(camreel::motion::MotionOutput::new(
            std::io::BufWriter::new(file),
            camreel::motion::MotionOptions::default(),
        )?);
    }
    let files = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = Arc::clone(&files);
    recorder.on_event(move |e| {
        counted.fetch_add(1, Ordering::Relaxed);
        let mut stdout = std::io::stdout().lock();
        // A closed stdout does not stop the recording.
        let _ = writeln!(stdout, "{}", line(e)).and_then(|()| stdout.flush());
    });
    let mut record_options = RecordOptions::new();
    if let Some(n) = a.frames {
        record_options = record_options.limit(n);
    } else if let Some(s) = a.seconds {
        record_options = record_options.duration(s);
    }
    let (signal, stopping) = recording::signals()?;
    let record_options = record_options.stop_flag(Arc::clone(&stopping));
    let shared = Shared::new(recorder);
    let (tx, rx) = mpsc::channel::<Result<RecordStats, RecordError>>();
    let worker_sink = shared.clone();
    let mut source = source;
    let worker = std::thread::Builder::new()
        .name("camreel-events".into())
        .spawn(move || {
            let mut sink = worker_sink;
            let _ = tx.send(record(&mut source, &mut sink, &record_options));
        })
        .map_err(|e| Error::io("starting the recording thread", e))?;
    let done = recording::supervise(&rx, &signal, &stopping, || {});
    if done.is_some() {
        let _ = worker.join();
    }
    let mut recorder = shared.take()?;
    // Finishes the event file being written, whatever stopped us.
    let finished = recorder.finish();
    let signal = recording::stopped_by(&signal);
    let saved = files.load(Ordering::Relaxed);
    match done {
        Some(Err(e)) => {
            let error = match e.failed {
                camreel::record::Failed::Source => e.error.context(&a.source),
                camreel::record::Failed::Sink => e.error,
            };
            return Err(match finished {
                Ok(()) if saved > 0 => {
                    error.context(format!("{saved} event files before it are saved"))
                }
                Ok(()) => error,
                Err(fe) => error.context(format!("finishing the event file failed too ({fe})")),
            });
        }
        Some(Ok(stats)) if stats.frames == 0 && signal.is_none() => {
            finished?;
            return Err(Error::new(
                ErrorKind::EndOfStream,
                format!("{}: the source delivered no frames", a.source),
            ));
        }
        None if signal.is_none() => {
            finished?;
            return Err(Error::new(
                ErrorKind::Io,
                format!("{}: the recording thread stopped unexpectedly", a.source),
            ));
        }
        _ => finished?,
    }
    if let Some(sig) = signal {
        eprintln!(
            "camreel: stopped by {}: {saved} event files saved",
            recording::signal_name(sig)
        );
        return Ok(ExitCode::from(u8::try_from(128 + sig).unwrap_or(1)));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_seconds_are_allowed_for_pre_and_post() {
        assert_eq!(seconds_or_zero("0").unwrap(), Duration::ZERO);
        assert_eq!(seconds_or_zero("0.0").unwrap(), Duration::ZERO);
        assert_eq!(seconds_or_zero("1.5").unwrap(), Duration::from_millis(1500));
        assert!(seconds_or_zero("-1").is_err());
        assert!(seconds_or_zero("x").is_err());
    }
}
