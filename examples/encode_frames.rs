//! Encodes raw RGB24 frames (as ffmpeg's `-f rawvideo -pix_fmt rgb24`
//! writes them) into an MJPEG AVI with the library's default AVI settings,
//! or into a PNG sequence: what `scripts/mjpeg_rd.py` and
//! `scripts/png_size.py` compare with ffmpeg. Frames are read one at a
//! time, as ffmpeg reads them.
//!
//! ```text
//! cargo run --release --example encode_frames -- frames.rgb 640x480 avi out.avi [QUALITY [THREADS]]
//! cargo run --release --example encode_frames -- frames.rgb 640x480 png 'out/frame%04d.png' [LEVEL|fast]
//! ```
//!
//! Prints the frame count, the bytes written and the time taken.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::time::Instant;

use camreel::avi::{FrameOptions, MjpegWriterBuilder, ParallelMjpegWriter};
use camreel::codec::png::{self, Compression, PngOptions};
use camreel::sink::FrameSink;
use camreel::{Error, ErrorKind, Image, PixelFormat, Result};

fn usage() -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        "usage: encode_frames INPUT.rgb WxH avi OUT.avi [QUALITY [THREADS]] | \
         encode_frames INPUT.rgb WxH png PATTERN%04d.png [LEVEL|fast]",
    )
}

/// Reads the next frame into `image`; `false` at the end of the input.
fn next_frame(input: &mut impl Read, image: &mut Image) -> Result<bool> {
    match input.read_exact(image.data_mut()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(Error::io("reading the input", e)),
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, size, kind, output, rest @ ..] = args.as_slice() else {
        return Err(usage());
    };
    let (w, h) = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .ok_or_else(usage)?;
    let number = |i: usize| {
        rest.get(i)
            .map(|s| s.parse::<u8>().map_err(|_| usage()))
            .transpose()
    };
    let mut reader = BufReader::new(File::open(input).map_err(|e| Error::io(input, e))?);
    let mut frame = Image::zeroed(PixelFormat::Rgb888, w, h)?;
    let start = Instant::now();
    let mut frames = 0u64;
    let bytes = match kind.as_str() {
        "avi" => {
            let file = File::create(output).map_err(|e| Error::io(output, e))?;
            let mut builder = MjpegWriterBuilder::new(w, h);
            if let Some(q) = number(0)? {
                builder = builder.quality(q);
            }
            let writer = builder.build(BufWriter::new(file))?;
            let threads = number(1)?.unwrap_or(1);
            if threads > 1 {
                let mut par = ParallelMjpegWriter::new(writer, usize::from(threads))?;
                while next_frame(&mut reader, &mut frame)? {
                    par.add_image(frame.clone(), &FrameOptions::new())?;
                    frames += 1;
                }
                par.finish()?;
            } else {
                let mut writer = writer;
                while next_frame(&mut reader, &mut frame)? {
                    writer.add_frame(frame.view(), &FrameOptions::new())?;
                    frames += 1;
                }
                writer.finish()?;
            }
            std::fs::metadata(output)
                .map_err(|e| Error::io(output, e))?
                .len()
        }
        "png" => {
            let mut options = PngOptions::new();
            match rest.first().map(String::as_str) {
                None => {}
                Some("fast") => options = options.compression(Compression::Fast),
                Some(_) => {
                    options = options.compression(Compression::Level(number(0)?.unwrap_or(3)))
                }
            }
            let mut total = 0u64;
            let mut file = Vec::new();
            while next_frame(&mut reader, &mut frame)? {
                frames += 1;
                file.clear();
                png::encode_with(frame.view(), &options, &mut file)?;
                let path = output.replace("%04d", &format!("{frames:04}"));
                std::fs::write(&path, &file).map_err(|e| Error::io(&path, e))?;
                total += file.len() as u64;
            }
            total
        }
        _ => return Err(usage()),
    };
    println!(
        "{frames} frames, {bytes} bytes, {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}
