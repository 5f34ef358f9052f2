//! `camreel convert IN OUT`: frames from any input kind to any output kind.

use camreel::{Error, ErrorKind, Result};

use crate::frames::{self, FileKind, FrameOutput, OutputOptions, RawInput};
use crate::progress::Progress;
use crate::{ConvertArgs, parse_size};

/// Runs `camreel convert`.
pub fn run(args: &ConvertArgs) -> Result<()> {
    let raw = match &args.raw {
        Some(kind) => Some(RawInput {
            kind: kind.clone(),
            size: args.size.as_deref().map(parse_size).transpose()?,
        }),
        None => None,
    };
    let mut options = OutputOptions {
        quality: args.quality,
        width: args.width,
        height: args.height,
        fps: args.fps,
        palette: args.palette.clone(),
        dither: args.dither,
    };
    if let Some(fps) = options.fps
        && !(fps.is_finite() && fps > 0.0 && fps <= 1000.0)
    {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("--fps {fps} is out of range (expected more than 0, up to 1000)"),
        ));
    }
    // Creating the output truncates it: refuse to overwrite the input.
    if let (Ok(a), Ok(b)) = (args.input.canonicalize(), args.output.canonicalize())
        && a == b
    {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{} is both the input and the output; write to another file",
                args.output.display()
            ),
        ));
    }
    let mut input = frames::open_input(&args.input, raw.as_ref())?;
    // An AVI copied to an AVI keeps its exact rate (30000/1001 would not
    // survive the millisecond intervals); other outputs use the intervals.
    if options.fps.is_none() && FileKind::of(&args.output)? == FileKind::Avi {
        options.fps = input.frame_rate();
    }
    input.skip(args.start)?;
    let total = input
        .frame_count()
        .map(|n| n.saturating_sub(args.start))
        .map(|n| args.count.map_or(n, |c| c.min(n)));
    let mut progress = Progress::new("converting", total);
    let mut output: Option<Box<dyn FrameOutput>> = None;
    let mut converted = 0u64;
    let mut tail_error = None;
    while args.count.is_none_or(|c| converted < c) {
        let frame = match input.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(e) if e.kind() == ErrorKind::Truncated && output.is_some() => {
                tail_error = Some(e);
                break;
            }
            Err(e) => return Err(e),
        };
        let out = match &mut output {
            Some(out) => out,
            None => output.insert(frames::create_output(&args.output, &options, &frame)?),
        };
        out.write_frame(&frame)
            .map_err(|e| e.context(format!("writing frame {converted}")))?;
        converted += 1;
        progress.tick();
    }
    progress.finish();
    let Some(output) = output else {
        return Err(Error::new(
            ErrorKind::EndOfStream,
            format!("{}: no frames to convert", args.input.display()),
        ));
    };
    output.finish()?;
    if let Some(e) = tail_error {
        eprintln!(
            "camreel: warning: input ends in a partial frame, kept the {converted} complete frames: {e}"
        );
    }
    Ok(())
}
