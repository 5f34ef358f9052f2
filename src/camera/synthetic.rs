//! A deterministic synthetic camera: camera-like content with no hardware.
//!
//! The scene is a panning landscape (sky gradient, a wavy horizon, textured
//! ground, buildings with lit windows), shaded discs that bounce around,
//! optional scripted [`MotionEvent`]s (an object crossing a region between two
//! frames, for motion-detection tests) and sensor-like noise. Everything is a
//! pure function of the seed and the frame number, so two cameras built with
//! the same settings deliver byte-identical frames, and
//! [`SyntheticCamera::render`] reproduces any frame on its own.
//!
//! Frames come in any pixel format: RGB888, BGR888 and GRAYSCALE are
//! rendered directly, the others (YUV420, RGB565, Bayer, RAW10, PNG, ...)
//! are converted from RGB888, and JPEG frames are encoded like an MJPEG
//! webcam's.
//!
//! The background moves by exactly +2 pixels per frame horizontally and +-1
//! pixel vertically (a triangle wave), so frame 0 -> 1 has a known global
//! motion of (+2, +1).
//!
//! ```
//! use std::time::Duration;
//! use camreel::camera::{CameraSource, synthetic::SyntheticCamera};
//! use camreel::clock::ManualClock;
//! use camreel::PixelFormat;
//!
//! let clock = ManualClock::shared();
//! let mut cam = SyntheticCamera::builder()
//!     .size(160, 120)
//!     .format(PixelFormat::Grayscale)
//!     .seed(7)
//!     .fps(25.0)
//!     .clock(clock.clone())
//!     .build()?;
//! let t0 = cam.next_frame()?.unwrap().timestamp;
//! let t1 = cam.next_frame()?.unwrap().timestamp;
//! assert_eq!(t1 - t0, Duration::from_millis(40)); // paced at 25 fps
//! # Ok::<(), camreel::Error>(())
//! ```

use std::sync::Arc;
use std::time::Duration;

use super::{CameraSource, Frame, FrameInfo, StreamFormat};
use crate::clock::{Clock, MonotonicClock};
use crate::codec::jpeg::JpegEncoder;
use crate::convert::gray::luma;

/// Quality of the JPEG frames of a camera built with [`PixelFormat::Jpeg`].
pub const JPEG_QUALITY: crate::codec::Quality = crate::codec::Quality::DEFAULT;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{Image, ImageRef, Limits, PixelFormat};

/// An object that crosses the scene during a range of frames, moving in a
/// straight line from `from` to `to` (top-left corners, in pixels).
///
/// ```
/// use camreel::camera::synthetic::MotionEvent;
/// let e = MotionEvent::new(10..20, (0, 40), (100, 40), (24, 16));
/// assert_eq!(e.position_at(15), Some((50, 40)));
/// assert_eq!(e.position_at(20), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MotionEvent {
    /// First frame the object is visible in.
    pub start: u64,
    /// First frame it is gone again.
    pub end: u64,
    /// Top-left corner at `start`.
    pub from: (i32, i32),
    /// Top-left corner at `end`.
    pub to: (i32, i32),
    /// Width and height.
    pub size: (u32, u32),
    /// RGB colour.
    pub color: [u8; 3],
}

impl MotionEvent {
    /// A bright red object visible in `frames`, moving from `from` to `to`.
    pub fn new(
        frames: std::ops::Range<u64>,
        from: (i32, i32),
        to: (i32, i32),
        size: (u32, u32),
    ) -> MotionEvent {
        MotionEvent {
            start: frames.start,
            end: frames.end,
            from,
            to,
            size,
            color: [230, 40, 30],
        }
    }

    /// Where the object is in frame `index`, or `None` when it is not visible.
    pub fn position_at(&self, index: u64) -> Option<(i32, i32)> {
        if index < self.start || index >= self.end {
            return None;
        }
        let span = (self.end - self.start) as i64;
        let t = (index - self.start) as i64;
        let lerp = |a: i32, b: i32| (a as i64 + (b as i64 - a as i64) * t / span) as i32;
        Some((lerp(self.from.0, self.to.0), lerp(self.from.1, self.to.1)))
    }
}

/// Settings of a [`SyntheticCamera`]; [`SyntheticBuilder::build`] makes one.
#[derive(Clone)]
#[must_use]
pub struct SyntheticBuilder {
    width: u32,
    height: u32,
    format: PixelFormat,
    seed: u64,
    fps: Option<f64>,
    clock: Option<Arc<dyn Clock>>,
    frame_limit: Option<u64>,
    noise: u8,
    objects: u32,
    events: Vec<MotionEvent>,
    pan: bool,
    first_sequence: u64,
}

impl std::fmt::Debug for SyntheticBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyntheticBuilder")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("format", &self.format)
            .field("seed", &self.seed)
            .field("fps", &self.fps)
            .field("frame_limit", &self.frame_limit)
            .field("noise", &self.noise)
            .field("objects", &self.objects)
            .field("events", &self.events)
            .field("pan", &self.pan)
            .finish_non_exhaustive()
    }
}

impl Default for SyntheticBuilder {
    /// 640x480 RGB888, seed 0, free-running, no frame limit, noise 2, five
    /// discs, panning on.
    fn default() -> SyntheticBuilder {
        SyntheticBuilder {
            width: 640,
            height: 480,
            format: PixelFormat::Rgb888,
            seed: 0,
            fps: None,
            clock: None,
            frame_limit: None,
            noise: 2,
            objects: 5,
            events: Vec::new(),
            pan: true,
            first_sequence: 0,
        }
    }
}

impl SyntheticBuilder {
    /// Frame size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Pixel format of the frames. RGB888, BGR888 and GRAYSCALE are rendered
    /// directly; every other uncompressed format (YUV420, NV12, YUV422,
    /// RGB565, Bayer, 16-bit Bayer, RAW10, ...) is converted from RGB888 by
    /// [`crate::convert`] (PNG too); JPEG frames (quality [`JPEG_QUALITY`])
    /// come like an MJPEG webcam's.
    pub fn format(mut self, format: PixelFormat) -> Self {
        self.format = format;
        self
    }

    /// Seed of the scene layout, the objects and the noise.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Paces delivery at `fps` frames per second on the clock (the default is
    /// free-running: as fast as frames can be rendered).
    pub fn fps(mut self, fps: f64) -> Self {
        self.fps = Some(fps);
        self
    }

    /// Delivers frames as fast as they can be rendered (the default).
    pub fn free_running(mut self) -> Self {
        self.fps = None;
        self
    }

    /// The clock that paces frames and stamps them (default: the monotonic clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Ends the source after `frames` frames (default: never ends).
    pub fn frame_limit(mut self, frames: u64) -> Self {
        self.frame_limit = Some(frames);
        self
    }

    /// Noise amplitude in levels, 0 for none (default 2).
    pub fn noise(mut self, amplitude: u8) -> Self {
        self.noise = amplitude;
        self
    }

    /// Number of bouncing discs (default 5).
    pub fn objects(mut self, count: u32) -> Self {
        self.objects = count;
        self
    }

    /// Adds a scripted object crossing the scene.
    pub fn motion_event(mut self, event: MotionEvent) -> Self {
        self.events.push(event);
        self
    }

    /// Whether the background pans (default true). A still background and
    /// `objects(0)` give a static scene apart from noise and motion events.
    pub fn pan(mut self, pan: bool) -> Self {
        self.pan = pan;
        self
    }

    /// The sequence number of the first frame (default 0).
    pub fn first_sequence(mut self, sequence: u64) -> Self {
        self.first_sequence = sequence;
        self
    }

    /// Builds the camera (renders the static background once).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFrameSize`] / [`ErrorKind::LimitExceeded`] for a
    /// size outside the default [`Limits`]; [`ErrorKind::InvalidArgument`] for
    /// a frame rate that is not positive and finite;
    /// [`ErrorKind::UnsupportedFormat`] for a format the camera cannot produce.
    pub fn build(self) -> Result<SyntheticCamera> {
        Limits::default().check(PixelFormat::Rgb888, self.width, self.height)?;
        if let Some(fps) = self.fps
            && !(fps.is_finite() && fps > 0.0 && fps <= 10_000.0)
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("frame rate {fps} is out of range (expected more than 0, up to 10000)"),
            ));
        }
        check_format(self.format)?;
        let scene = Scene::new(self.width, self.height, self.seed);
        let mut output = Image::empty();
        output.reshape(PixelFormat::Rgb888, self.width, self.height)?;
        Ok(SyntheticCamera {
            clock: self.clock.clone().unwrap_or_else(MonotonicClock::shared),
            // RGB888 frames are drawn straight into the output.
            rgb: if self.format == PixelFormat::Rgb888 {
                Vec::new()
            } else {
                vec![0; scene.w * scene.h * 3]
            },
            noise: noise_tile(self.seed, self.noise),
            scene,
            output,
            index: 0,
            start: None,
            settings: self,
        })
    }
}

fn check_format(format: PixelFormat) -> Result<()> {
    match format {
        PixelFormat::Rgb888 | PixelFormat::Bgr888 | PixelFormat::Grayscale | PixelFormat::Jpeg => {
            Ok(())
        }
        // Everything else is converted from RGB888: try it on a tiny image.
        other => {
            let tiny = Image::zeroed(PixelFormat::Rgb888, 2, 2)?;
            crate::codec::transcode(tiny.view(), other)
                .map(|_| ())
                .map_err(|e| e.context("the synthetic camera"))
        }
    }
}

/// The synthetic camera. Build one with [`SyntheticCamera::builder`].
pub struct SyntheticCamera {
    settings: SyntheticBuilder,
    clock: Arc<dyn Clock>,
    scene: Scene,
    noise: Vec<i8>,
    rgb: Vec<u8>,
    output: Image,
    index: u64,
    start: Option<Duration>,
}

impl std::fmt::Debug for SyntheticCamera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyntheticCamera")
            .field("settings", &self.settings)
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl SyntheticCamera {
    /// A builder with the defaults of [`SyntheticBuilder::default`].
    pub fn builder() -> SyntheticBuilder {
        SyntheticBuilder::default()
    }

    /// Frames delivered so far.
    pub fn frames_delivered(&self) -> u64 {
        self.index
    }

    /// Renders frame `index` (as the camera would deliver it) without
    /// touching the camera's position in its stream.
    ///
    /// # Errors
    /// Only if the image cannot be allocated.
    pub fn render(&self, index: u64) -> Result<Image> {
        let mut rgb = vec![0; self.scene.w * self.scene.h * 3];
        let mut out = Image::empty();
        self.render_into(index, &mut rgb, &mut out)?;
        Ok(out)
    }

    /// Draws frame `index` as RGB888 into `rgb`.
    fn render_rgb(&self, index: u64, rgb: &mut [u8]) {
        let s = &self.settings;
        self.scene.background(index, s.pan, rgb);
        for k in 0..s.objects {
            self.scene.disc(k, index, rgb);
        }
        for event in &s.events {
            if let Some(pos) = event.position_at(index) {
                self.scene.rect(pos, event.size, event.color, rgb);
            }
        }
        if s.noise > 0 {
            add_noise(rgb, &self.noise, mix(s.seed ^ 0x6E6F_6973_6500, index));
        }
    }

    fn render_into(&self, index: u64, rgb: &mut [u8], out: &mut Image) -> Result<()> {
        let (w, h) = (self.scene.w32, self.scene.h32);
        if self.settings.format == PixelFormat::Rgb888 {
            // Straight into the output: no intermediate copy.
            out.reshape(PixelFormat::Rgb888, w, h)?;
            self.render_rgb(index, out.data_mut());
            return Ok(());
        }
        self.render_rgb(index, rgb);
        let s = &self.settings;
        match s.format {
            PixelFormat::Grayscale => {
                out.reshape(PixelFormat::Grayscale, w, h)?;
                for (g, p) in out.data_mut().iter_mut().zip(rgb.chunks_exact(3)) {
                    *g = luma(p[0], p[1], p[2]);
                }
            }
            PixelFormat::Bgr888 => {
                out.reshape(PixelFormat::Bgr888, w, h)?;
                for (o, p) in out.data_mut().chunks_exact_mut(3).zip(rgb.chunks_exact(3)) {
                    o.copy_from_slice(&[p[2], p[1], p[0]]);
                }
            }
            PixelFormat::Jpeg => {
                // Like an MJPEG webcam.
                let src = ImageRef::new(PixelFormat::Rgb888, w, h, rgb)?;
                let mut encoder = JpegEncoder::new(JPEG_QUALITY)?;
                out.set_encoded(PixelFormat::Jpeg, w, h, |buf| encoder.encode(src, buf))?;
            }
            other => {
                let src = ImageRef::new(PixelFormat::Rgb888, w, h, rgb)?;
                crate::codec::transcode_into(src, other, out)?;
            }
        }
        Ok(())
    }

    fn pace(&mut self) {
        let now = self.clock.now();
        let start = *self.start.get_or_insert(now);
        if let Some(fps) = self.settings.fps {
            let due = start + Duration::from_secs_f64(self.index as f64 / fps);
            if due > now {
                self.clock.sleep(due - now);
            }
        }
    }
}

impl CameraSource for SyntheticCamera {
    fn format(&self) -> StreamFormat {
        StreamFormat {
            format: self.settings.format,
            width: self.settings.width,
            height: self.settings.height,
            fps: self.settings.fps,
        }
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        let mut out = std::mem::take(&mut self.output);
        let info = self.next_frame_into(&mut out);
        self.output = out;
        Ok(info?.map(|info| Frame {
            image: self.output.view(),
            sequence: info.sequence,
            timestamp: info.timestamp,
        }))
    }

    /// Renders straight into `image` (no copy of a lent frame).
    fn next_frame_into(&mut self, image: &mut Image) -> Result<Option<FrameInfo>> {
        if self.settings.frame_limit.is_some_and(|n| self.index >= n) {
            return Ok(None);
        }
        self.pace();
        let mut rgb = std::mem::take(&mut self.rgb);
        let rendered = self.render_into(self.index, &mut rgb, image);
        self.rgb = rgb;
        rendered?;
        let timestamp = self.clock.now();
        // Wraps past u64::MAX, as a camera's counter does.
        let sequence = self.settings.first_sequence.wrapping_add(self.index);
        self.index += 1;
        Ok(Some(FrameInfo {
            sequence,
            timestamp,
        }))
    }
}

/// SplitMix64 finaliser: a good 64-bit hash.
#[inline]
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Length of the noise tile: prime, so the pattern does not line up with rows.
const NOISE_LEN: usize = 65_521;

fn noise_tile(seed: u64, amplitude: u8) -> Vec<i8> {
    if amplitude == 0 {
        return Vec::new();
    }
    let a = i32::from(amplitude.min(60));
    (0..NOISE_LEN as u64)
        .map(|i| {
            let h = mix(seed ^ 0x4E4F_4953_4554_494C, i);
            // Sum of two uniforms: a triangular distribution in -a..=a.
            let u = ((h & 0xFFFF) as i32 * (a + 1)) >> 16;
            let v = (((h >> 16) & 0xFFFF) as i32 * (a + 1)) >> 16;
            (u - v) as i8
        })
        .collect()
}

fn add_noise(rgb: &mut [u8], tile: &[i8], hash: u64) {
    let mut offset = (hash % NOISE_LEN as u64) as usize;
    let mut rest = rgb;
    while !rest.is_empty() {
        let n = rest.len().min(NOISE_LEN - offset);
        let (head, tail) = rest.split_at_mut(n);
        for (p, &d) in head.iter_mut().zip(&tile[offset..offset + n]) {
            *p = p.saturating_add_signed(d);
        }
        rest = tail;
        offset = 0;
    }
}

/// The static world and the moving objects of the scene.
struct Scene {
    w: usize,
    h: usize,
    w32: u32,
    h32: u32,
    seed: u64,
    /// Horizontally periodic background, `tw` x `th` RGB.
    world: Vec<u8>,
    tw: usize,
    th: usize,
    /// Vertical pan amplitude.
    amp: usize,
}

impl Scene {
    fn new(width: u32, height: u32, seed: u64) -> Scene {
        let (w, h) = (width as usize, height as usize);
        let amp = (h / 8).min(30);
        let tw = (w + 64).div_ceil(64) * 64;
        let th = h + 2 * amp;
        let mut world = vec![0u8; tw * th * 3];
        let horizon = th * 11 / 20;
        // Buildings: a few blocks at seeded positions (x periodic in tw).
        let nb = 3 + (mix(seed, 1) % 4) as usize;
        let buildings: Vec<(usize, usize, usize, [u8; 3])> = (0..nb)
            .map(|i| {
                let hsh = mix(seed, 100 + i as u64);
                let bw = tw / 16 + (hsh % (tw as u64 / 10 + 1)) as usize;
                let bx = (hsh >> 20) as usize % tw;
                let bh = th / 8 + ((hsh >> 40) % (th as u64 / 4 + 1)) as usize;
                let shade = 90 + ((hsh >> 8) % 80) as u8;
                (
                    bx,
                    bw,
                    bh,
                    [shade, shade.saturating_sub(10), shade.saturating_sub(25)],
                )
            })
            .collect();
        // Per-column horizon wave and per-cell noise grids, so the per-pixel
        // work is a few integer operations.
        let horizon_at: Vec<usize> = (0..tw)
            .map(|x| {
                let phase = (x as f32 / tw as f32) * std::f32::consts::TAU;
                let wave = (phase.sin() * 3.0 + (phase * 5.0).sin()) * (th as f32 / 60.0);
                (horizon as f32 + wave).max(1.0) as usize
            })
            .collect();
        let clouds = NoiseGrid::new(seed ^ 0xC10D, tw, th, 32);
        let grass = NoiseGrid::new(seed ^ 0x6A55, tw, th, 16);
        let mut fine_state = mix(seed, 0x6E55) | 1;
        for y in 0..th {
            let row = &mut world[y * tw * 3..(y + 1) * tw * 3];
            for x in 0..tw {
                let hz = horizon_at[x];
                // xorshift64: cheap per-pixel grain.
                fine_state ^= fine_state << 13;
                fine_state ^= fine_state >> 7;
                fine_state ^= fine_state << 17;
                let fine = (fine_state & 31) as u32;
                let mut c = if y < hz {
                    // Sky: blue at the top, pale at the horizon, soft clouds.
                    let t = (y * 255 / hz) as u32;
                    let cloud = clouds.at(x, y) / 3;
                    [
                        (70 + t * 130 / 255 + cloud).min(255) as u8,
                        (120 + t * 100 / 255 + cloud).min(255) as u8,
                        (200 + t * 40 / 255 + cloud / 2).min(255) as u8,
                    ]
                } else {
                    // Ground: grass-like texture, darker towards the bottom.
                    let t = ((y - hz) * 80 / (th - hz).max(1)) as u32;
                    let coarse = grass.at(x, y);
                    let g = 60 + coarse / 2 + fine;
                    [
                        (40 + coarse / 4).saturating_sub(t / 4) as u8,
                        g.saturating_sub(t / 2).min(255) as u8,
                        (30 + fine / 2).saturating_sub(t / 4) as u8,
                    ]
                };
                for &(bx, bw, bh, shade) in &buildings {
                    let dx = (x + tw - bx) % tw;
                    if dx < bw && y < hz && y + bh >= hz {
                        c = shade;
                        // Windows: a lit grid.
                        let wy = hz - y;
                        if dx % 12 >= 4 && dx % 12 < 9 && wy % 14 >= 5 && wy % 14 < 11 {
                            c = [240, 220, 130];
                        }
                    }
                }
                row[x * 3..x * 3 + 3].copy_from_slice(&c);
            }
        }
        Scene {
            w,
            h,
            w32: width,
            h32: height,
            seed,
            world,
            tw,
            th,
            amp,
        }
    }

    /// Copies the background view of frame `index` into `rgb`.
    fn background(&self, index: u64, pan: bool, rgb: &mut [u8]) {
        let (ox, oy) = if pan {
            let ox = (index.wrapping_mul(2) % self.tw as u64) as usize;
            // Triangle wave: 0, 1, ..., 2*amp, 2*amp-1, ..., 1, 0, ...
            let period = (4 * self.amp).max(1) as u64;
            let p = (index + self.amp as u64) % period;
            let oy = if self.amp == 0 {
                0
            } else if p <= 2 * self.amp as u64 {
                p as usize
            } else {
                (period - p) as usize
            };
            (ox, oy)
        } else {
            (0, self.amp)
        };
        let row_bytes = self.w * 3;
        for (y, dst) in rgb.chunks_exact_mut(row_bytes).enumerate() {
            let src_row = &self.world[(y + oy) * self.tw * 3..(y + oy + 1) * self.tw * 3];
            let first = (self.tw - ox).min(self.w);
            dst[..first * 3].copy_from_slice(&src_row[ox * 3..(ox + first) * 3]);
            if first < self.w {
                dst[first * 3..].copy_from_slice(&src_row[..(self.w - first) * 3]);
            }
        }
        debug_assert!(oy + self.h <= self.th);
    }

    /// Draws bouncing disc `k` at frame `index`.
    fn disc(&self, k: u32, index: u64, rgb: &mut [u8]) {
        let h = mix(self.seed ^ 0xD15C, u64::from(k));
        let r = (self.h as u64 / 14 + (h % (self.h as u64 / 10 + 1))).max(2) as i64;
        let vx = ((h >> 12) % 9) as i64 - 4;
        let vy = ((h >> 20) % 7) as i64 - 3;
        let x0 = ((h >> 28) % self.w as u64) as i64;
        let y0 = ((h >> 40) % self.h as u64) as i64;
        let color = [
            80 + ((h >> 48) % 176) as u32,
            40 + ((h >> 56) % 200) as u32,
            60 + ((h >> 32) % 196) as u32,
        ];
        let t = index as i64;
        let cx = bounce(x0 + vx * t, self.w as i64);
        let cy = bounce(y0 + vy * t, self.h as i64);
        let (w, hh) = (self.w as i64, self.h as i64);
        let r2 = r * r;
        for y in (cy - r).max(0)..(cy + r + 1).min(hh) {
            let dy = y - cy;
            let row = &mut rgb[(y * w * 3) as usize..((y + 1) * w * 3) as usize];
            for x in (cx - r).max(0)..(cx + r + 1).min(w) {
                let dx = x - cx;
                let d2 = dx * dx + dy * dy;
                if d2 <= r2 {
                    // Lit from the top-left: brighter towards (-r/2, -r/2).
                    let lx = dx + r / 2;
                    let ly = dy + r / 2;
                    let l = 256 - ((lx * lx + ly * ly) * 128 / (r2 * 2)).min(160);
                    let px = &mut row[(x * 3) as usize..(x * 3 + 3) as usize];
                    for c in 0..3 {
                        px[c] = (color[c] * l as u32 / 256).min(255) as u8;
                    }
                }
            }
        }
    }

    /// Fills a rectangle (clipped to the frame).
    fn rect(&self, pos: (i32, i32), size: (u32, u32), color: [u8; 3], rgb: &mut [u8]) {
        let x0 = i64::from(pos.0).clamp(0, self.w as i64) as usize;
        let y0 = i64::from(pos.1).clamp(0, self.h as i64) as usize;
        let x1 = (i64::from(pos.0) + i64::from(size.0)).clamp(0, self.w as i64) as usize;
        let y1 = (i64::from(pos.1) + i64::from(size.1)).clamp(0, self.h as i64) as usize;
        for y in y0..y1 {
            for px in rgb[(y * self.w + x0) * 3..(y * self.w + x1) * 3].chunks_exact_mut(3) {
                px.copy_from_slice(&color);
            }
        }
    }
}

/// Reflects `p` into `0..len` (a ball bouncing between two walls).
fn bounce(p: i64, len: i64) -> i64 {
    if len <= 1 {
        return 0;
    }
    let period = 2 * (len - 1);
    let m = p.rem_euclid(period);
    if m < len { m } else { period - m }
}

/// Smooth-ish value noise in 0..=255 on a grid of `cell`-pixel cells,
/// periodic in x over the texture width (a multiple of `cell`).
struct NoiseGrid {
    cell: usize,
    cols: usize,
    values: Vec<u32>,
}

impl NoiseGrid {
    fn new(seed: u64, tw: usize, th: usize, cell: usize) -> NoiseGrid {
        let cols = (tw / cell).max(1);
        let rows = th / cell + 2;
        let values = (0..rows * cols)
            .map(|i| (mix(seed, i as u64) & 255) as u32)
            .collect();
        NoiseGrid { cell, cols, values }
    }

    #[inline]
    fn at(&self, x: usize, y: usize) -> u32 {
        let (cx, cy) = (x / self.cell, y / self.cell);
        let (fx, fy) = ((x % self.cell) as u32, (y % self.cell) as u32);
        let v = |i: usize, j: usize| self.values[j * self.cols + i % self.cols];
        let c = self.cell as u32;
        let top = v(cx, cy) * (c - fx) + v(cx + 1, cy) * fx;
        let bottom = v(cx, cy + 1) * (c - fx) + v(cx + 1, cy + 1) * fx;
        (top * (c - fy) + bottom * fy) / (c * c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn cam(format: PixelFormat) -> SyntheticCamera {
        SyntheticCamera::builder()
            .size(96, 64)
            .format(format)
            .seed(42)
            .build()
            .unwrap()
    }

    #[test]
    fn deterministic_for_a_seed() {
        let mut a = cam(PixelFormat::Rgb888);
        let mut b = cam(PixelFormat::Rgb888);
        for _ in 0..3 {
            let fa = a.next_frame().unwrap().unwrap().to_owned();
            let fb = b.next_frame().unwrap().unwrap().to_owned();
            assert_eq!(fa.image, fb.image);
            assert_eq!(fa.sequence, fb.sequence);
        }
        // `render` reproduces a delivered frame.
        assert_eq!(a.render(1).unwrap(), b.render(1).unwrap());
        let other = SyntheticCamera::builder()
            .size(96, 64)
            .seed(43)
            .build()
            .unwrap();
        assert_ne!(other.render(0).unwrap(), a.render(0).unwrap());
    }

    #[test]
    fn frames_change_and_look_like_a_scene() {
        let c = cam(PixelFormat::Rgb888);
        let f0 = c.render(0).unwrap();
        let f1 = c.render(1).unwrap();
        assert_ne!(f0, f1);
        // Sky at the top is bluer than the ground at the bottom.
        let px = |img: &Image, x: usize, y: usize| {
            let i = (y * 96 + x) * 3;
            [img.data()[i], img.data()[i + 1], img.data()[i + 2]]
        };
        let sky = px(&f0, 2, 1);
        assert!(sky[2] > sky[0], "sky {sky:?}");
        // Not a flat image: many distinct values.
        let mut seen = [false; 256];
        for &v in f0.data() {
            seen[v as usize] = true;
        }
        assert!(seen.iter().filter(|&&s| s).count() > 100);
    }

    #[test]
    fn global_pan_is_two_pixels_per_frame() {
        let c = SyntheticCamera::builder()
            .size(128, 96)
            .objects(0)
            .noise(0)
            .build()
            .unwrap();
        let f0 = c.render(0).unwrap();
        let f1 = c.render(1).unwrap();
        // frame1(x, y) == frame0(x + 2, y + 1)
        let w = 128 * 3;
        for y in 0..90 {
            let a = &f1.data()[y * w..y * w + 100 * 3];
            let b = &f0.data()[(y + 1) * w + 6..(y + 1) * w + 6 + 100 * 3];
            assert_eq!(a, b, "row {y}");
        }
    }

    #[test]
    fn gray_and_bgr_match_rgb() {
        let rgb = cam(PixelFormat::Rgb888).render(2).unwrap();
        let gray = cam(PixelFormat::Grayscale).render(2).unwrap();
        let bgr = cam(PixelFormat::Bgr888).render(2).unwrap();
        assert_eq!(gray.format(), PixelFormat::Grayscale);
        assert_eq!(gray.data().len(), 96 * 64);
        for i in [0usize, 100, 5000] {
            let p = &rgb.data()[i * 3..i * 3 + 3];
            assert_eq!(gray.data()[i], luma(p[0], p[1], p[2]));
            assert_eq!(&bgr.data()[i * 3..i * 3 + 3], &[p[2], p[1], p[0]]);
        }
    }

    fn rgb_of(c: &SyntheticCamera, index: u64) -> Image {
        let mut s = c.settings.clone();
        s.format = PixelFormat::Rgb888;
        s.build().unwrap().render(index).unwrap()
    }

    #[test]
    fn every_format_via_convert() {
        use crate::image::BayerOrder;
        let formats = [
            PixelFormat::Yuv420,
            PixelFormat::Nv12,
            PixelFormat::Yuv422,
            PixelFormat::Rgb565,
            PixelFormat::Argb8,
            PixelFormat::Binary,
            PixelFormat::Bayer(BayerOrder::Grbg),
            PixelFormat::Bayer16 {
                order: BayerOrder::Bggr,
                bits: 10,
            },
            PixelFormat::Raw10(BayerOrder::Rggb),
            PixelFormat::Rgb48,
        ];
        let rgb = cam(PixelFormat::Rgb888).render(3).unwrap();
        for f in formats {
            let mut c = cam(f);
            assert_eq!(c.format().format, f);
            let frame = c.next_frame().unwrap().unwrap().to_owned();
            assert_eq!(frame.image.format(), f);
            assert_eq!(frame.image.data().len(), f.payload_size(96, 64).unwrap());
            let direct = c.render(3).unwrap();
            assert_eq!(
                direct,
                crate::convert::convert(rgb.view(), f).unwrap(),
                "{f}"
            );
        }
        let mut jpeg = cam(PixelFormat::Jpeg);
        let f = jpeg.next_frame().unwrap().unwrap();
        assert_eq!(f.image.format(), PixelFormat::Jpeg);
        assert_eq!(
            crate::codec::jpeg::dimensions(f.image.data()).unwrap(),
            (96, 64)
        );
        let mut png = cam(PixelFormat::Png);
        let f = png.next_frame().unwrap().unwrap().to_owned();
        assert_eq!(
            crate::codec::png::decode(f.image.data()).unwrap(),
            rgb_of(&png, 0)
        );
        let e = SyntheticCamera::builder()
            .format(PixelFormat::Bayer16 {
                order: BayerOrder::Bggr,
                bits: 3,
            })
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
    }

    #[test]
    fn motion_event_is_drawn() {
        let ev = MotionEvent::new(2..4, (10, 10), (30, 10), (8, 8));
        let c = SyntheticCamera::builder()
            .size(64, 48)
            .noise(0)
            .objects(0)
            .motion_event(ev)
            .build()
            .unwrap();
        let f2 = c.render(2).unwrap();
        let i = (12 * 64 + 12) * 3;
        assert_eq!(&f2.data()[i..i + 3], &[230, 40, 30]);
        let f4 = c.render(4).unwrap();
        assert_ne!(&f4.data()[i..i + 3], &[230, 40, 30]);
        assert_eq!(c.settings.events[0].position_at(3), Some((20, 10)));
    }

    #[test]
    fn paced_on_a_manual_clock_and_limited() {
        let clock = ManualClock::shared();
        let mut c = SyntheticCamera::builder()
            .size(16, 16)
            .fps(10.0)
            .clock(clock.clone())
            .frame_limit(3)
            .first_sequence(100)
            .build()
            .unwrap();
        let mut stamps = Vec::new();
        while let Some(f) = c.next_frame().unwrap() {
            stamps.push((f.sequence, f.timestamp));
        }
        assert_eq!(
            stamps,
            vec![
                (100, Duration::ZERO),
                (101, Duration::from_millis(100)),
                (102, Duration::from_millis(200)),
            ]
        );
        assert_eq!(c.frames_delivered(), 3);
        // A late consumer does not make the camera sleep.
        let mut c = SyntheticCamera::builder()
            .size(16, 16)
            .fps(10.0)
            .clock(clock.clone())
            .build()
            .unwrap();
        let t0 = c.next_frame().unwrap().unwrap().timestamp;
        clock.advance(Duration::from_millis(250));
        let t1 = c.next_frame().unwrap().unwrap().timestamp;
        assert_eq!(t1 - t0, Duration::from_millis(250));
    }

    #[test]
    fn bad_settings_are_refused() {
        let e = SyntheticCamera::builder().size(0, 10).build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFrameSize);
        let e = SyntheticCamera::builder()
            .size(100_000, 10)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        let e = SyntheticCamera::builder().fps(-1.0).build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = SyntheticCamera::builder()
            .fps(f64::NAN)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn tiny_sizes_work() {
        for (w, h) in [(1, 1), (2, 1), (1, 3), (7, 5)] {
            let mut c = SyntheticCamera::builder().size(w, h).build().unwrap();
            for _ in 0..3 {
                let f = c.next_frame().unwrap().unwrap();
                assert_eq!(f.image.size(), (w, h));
            }
        }
    }

    #[test]
    fn bounce_reflects() {
        let v: Vec<i64> = (0..8).map(|p| bounce(p, 4)).collect();
        assert_eq!(v, [0, 1, 2, 3, 2, 1, 0, 1]);
        assert_eq!(bounce(-1, 4), 1);
        assert_eq!(bounce(5, 1), 0);
    }
}
