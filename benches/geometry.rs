//! Scaling throughput for the recorder path: fitting camera frames into a
//! 640x480 MJPEG frame (bilinear and nearest), and a 1:1 copy for reference.
//!
//! ```text
//! cargo bench --bench geometry -- --quick
//! ```

use std::hint::black_box;

use camreel::geometry::{Filter, Resizer};
use camreel::{Image, PixelFormat};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn frame(format: PixelFormat, width: u32, height: u32) -> Image {
    let len = format.payload_size(width, height).unwrap();
    let data = (0..len).map(|i| (i * 31 % 253) as u8).collect();
    Image::new(format, width, height, data).unwrap()
}

fn fit(c: &mut Criterion) {
    let cases = [
        (PixelFormat::Rgb888, 1280, 720),
        (PixelFormat::Rgb888, 1920, 1080),
        (PixelFormat::Rgb888, 320, 240),
        (PixelFormat::Rgb888, 640, 480),
        (PixelFormat::Grayscale, 1280, 720),
    ];
    for (format, w, h) in cases {
        let src = frame(format, w, h);
        let mut group = c.benchmark_group(format!("fit_{}_{w}x{h}_to_640x480", format.name()));
        // Throughput in output pixels: the work scales with them.
        group.throughput(Throughput::Elements(640 * 480));
        let filters: &[Filter] = if (w, h) == (640, 480) {
            &[Filter::Bilinear]
        } else {
            &[Filter::Bilinear, Filter::Nearest]
        };
        for &filter in filters {
            let mut resizer = Resizer::new();
            let mut out = Image::empty();
            group.bench_function(format!("{filter:?}"), |b| {
                b.iter(|| {
                    resizer
                        .fit_into(black_box(src.view()), 640, 480, filter, &mut out)
                        .unwrap()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, fit);
criterion_main!(benches);
