//! Encodes a raw RGB24 frame sequence (such as the one the shared bench's
//! `anchors.py --cases 5 --dump-inputs DIR` writes) to GIF in one mode and
//! prints the time, size and mean PSNR of the decoded frames against the
//! source, computed like anchors.py (per-frame PSNR over all channels, then
//! the mean).
//!
//! ```sh
//! cargo run --release --example gif_compare -- FRAMES.bin 320x240 OUT.gif [adaptive|dither|ordered|fixed] [--reps N]
//! ```
//!
//! Prints one line of JSON: `{"mode":..,"frames":..,"bytes":..,"median_s":..,"mean_psnr_db":..}`.

use std::time::Instant;

use camreel::gif::{Dither, GifOptions, GifWriter, PaletteMode};
use camreel::{Error, ErrorKind, ImageRef, PixelFormat, Result};

fn usage() -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        "usage: gif_compare FRAMES.bin WxH OUT.gif [adaptive|dither|ordered|fixed] [--reps N]",
    )
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        return Err(usage());
    }
    let data = std::fs::read(&args[0]).map_err(|e| Error::io(args[0].clone(), e))?;
    let (w, h) = args[1]
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .ok_or_else(usage)?;
    let out = &args[2];
    let mode = args.get(3).map(String::as_str).unwrap_or("adaptive");
    let reps: usize = match args.iter().position(|a| a == "--reps") {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(usage)?,
        None => 3,
    };
    let options = match mode {
        "adaptive" => GifOptions::new(),
        "dither" => GifOptions::new().dither(Dither::ErrorDiffusion),
        "ordered" => GifOptions::new().dither(Dither::Ordered),
        "fixed" => GifOptions::new().palette(PaletteMode::Fixed),
        "fixed-dither" => GifOptions::new()
            .palette(PaletteMode::Fixed)
            .dither(Dither::ErrorDiffusion),
        _ => return Err(usage()),
    };
    let frame_bytes = w as usize * h as usize * 3;
    if frame_bytes == 0 || data.len() % frame_bytes != 0 {
        return Err(Error::new(
            ErrorKind::InvalidFrameSize,
            format!(
                "{} bytes is not a whole number of {w}x{h} RGB24 frames",
                data.len()
            ),
        ));
    }
    let frames: Vec<ImageRef<'_>> = data
        .chunks_exact(frame_bytes)
        .map(|f| ImageRef::new(PixelFormat::Rgb888, w, h, f))
        .collect::<Result<_>>()?;
    let mut times = Vec::new();
    let mut bytes = Vec::new();
    for _ in 0..reps.max(1) {
        let t0 = Instant::now();
        let file = std::fs::File::create(out).map_err(|e| Error::io(out.clone(), e))?;
        let mut gif = GifWriter::with_options(std::io::BufWriter::new(file), w, h, options)?;
        for f in &frames {
            gif.add_frame(*f, std::time::Duration::from_millis(100))?;
        }
        let buf = gif.into_inner()?;
        buf.into_inner()
            .map_err(|e| Error::io(out.clone(), e.into_error()))?
            .sync_all()
            .ok();
        times.push(t0.elapsed().as_secs_f64());
        bytes = std::fs::read(out).map_err(|e| Error::io(out.clone(), e))?;
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let decoded = decode(&bytes)?;
    let mut psnrs = Vec::new();
    for (d, s) in decoded.iter().zip(&frames) {
        psnrs.push(psnr(d, s.data()));
    }
    let mean = psnrs.iter().sum::<f64>() / psnrs.len().max(1) as f64;
    let min = psnrs.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{{\"mode\":\"{mode}\",\"frames\":{},\"bytes\":{},\"median_s\":{median:.4},\"mean_psnr_db\":{mean:.2},\"min_psnr_db\":{min:.2}}}",
        decoded.len(),
        bytes.len()
    );
    Ok(())
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let se: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| {
            let d = f64::from(x) - f64::from(y);
            d * d
        })
        .sum();
    let mse = se / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

/// Decodes every frame composited onto the canvas (RGB, disposal honoured).
fn decode(bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    let mut dec = opts
        .read_info(bytes)
        .map_err(|e| Error::with_source(ErrorKind::Format, "decoding", e))?;
    let (w, h) = (usize::from(dec.width()), usize::from(dec.height()));
    let mut canvas = vec![0u8; w * h * 4];
    let mut out = Vec::new();
    while let Some(frame) = dec
        .read_next_frame()
        .map_err(|e| Error::with_source(ErrorKind::Format, "decoding", e))?
    {
        let saved = canvas.clone();
        let (l, t) = (usize::from(frame.left), usize::from(frame.top));
        let fw = usize::from(frame.width);
        for (y, row) in frame.buffer.chunks_exact(fw * 4).enumerate() {
            for (x, px) in row.chunks_exact(4).enumerate() {
                if px[3] != 0 && l + x < w && t + y < h {
                    let i = ((t + y) * w + l + x) * 4;
                    canvas[i..i + 4].copy_from_slice(px);
                }
            }
        }
        out.push(
            canvas
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect(),
        );
        match frame.dispose {
            gif::DisposalMethod::Background => {
                for y in t..(t + usize::from(frame.height)).min(h) {
                    for x in l..(l + fw).min(w) {
                        canvas[(y * w + x) * 4..(y * w + x) * 4 + 4].fill(0);
                    }
                }
            }
            gif::DisposalMethod::Previous => canvas = saved,
            _ => {}
        }
    }
    Ok(out)
}
