//! `camreel motion IN OUT.data`: picamera motion vectors for every frame of
//! a recording, with the seed's magnitude pictures and a per-frame summary.

use std::fs::File;
use std::io::{BufWriter, Write};

use camreel::camera::replay::{self, ReplayOptions};
use camreel::codec::png;
use camreel::error::quote_path;
use camreel::motion::{self, DetectorOptions, MagnitudeOptions, MotionOptions};
use camreel::sink::SequencePattern;
use camreel::{Error, Result};

use crate::{MotionArgs, args};

/// Runs `camreel motion`.
pub fn run(a: &MotionArgs) -> Result<()> {
    args::refuse_same_file(&a.input, &a.output)?;
    let pattern = a
        .png
        .as_deref()
        .map(|p| SequencePattern::parse(&p.to_string_lossy()))
        .transpose()?;
    let mut options = ReplayOptions::new();
    if let Some(rate) = a.fps {
        options = options.rate(rate);
    }
    let mut source = replay::open(&a.input, &options)?;
    let name = quote_path(&a.output);
    let tmp = a.output.with_file_name(format!(
        ".{}.{}.part",
        a.output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let file = File::create(&tmp).map_err(|e| Error::io(format!("creating {name}"), e))?;
    let motion = MotionOptions::default().with_search_range(a.search);
    let mut stdout = std::io::stdout().lock();
    let mut png_bytes = Vec::new();
    let result = motion::analyse_source(
        &mut source,
        BufWriter::new(file),
        &motion,
        DetectorOptions::default(),
        |summary, frame| {
            if a.json {
                writeln!(stdout, "{}", summary.to_json())
                    .map_err(|e| Error::io("writing to stdout", e))?;
            }
            if let Some(p) = &pattern {
                let image = motion::magnitude_image(frame, &MagnitudeOptions::default())?;
                png_bytes.clear();
                png::encode(image.view(), &mut png_bytes)?;
                let path = p.name(summary.index);
                std::fs::write(&path, &png_bytes)
                    .map_err(|e| Error::io(format!("writing {path}"), e))?;
            }
            Ok(())
        },
    );
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.context(quote_path(&a.input)));
        }
    };
    std::fs::rename(&tmp, &a.output).map_err(|e| Error::io(format!("writing {name}"), e))?;
    if a.json {
        for event in &report.events {
            writeln!(stdout, "{}", event.to_json())
                .map_err(|e| Error::io("writing to stdout", e))?;
        }
    } else {
        let frames = report.frames.len();
        let (cols, rows) = report.layout.map_or((0, 0), |l| (l.cols(), l.rows()));
        writeln!(
            stdout,
            "{frames} frames of {cols}x{rows} vectors written to {name}; {} motion events",
            report.events.len()
        )
        .map_err(|e| Error::io("writing to stdout", e))?;
        for e in &report.events {
            writeln!(stdout, "{}", e.to_json()).map_err(|e| Error::io("writing to stdout", e))?;
        }
    }
    Ok(())
}
