//! [`SyntheticCamera`]: renders the scene frame by frame, in any pixel
//! format, paced on a clock.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use super::builder::SyntheticBuilder;
use super::scene::{Scene, add_noise, mix, noise_tile};
use crate::camera::{CameraSource, Frame, FrameInfo, StreamFormat};
use crate::clock::{Clock, MonotonicClock};
use crate::codec::jpeg::JpegEncoder;
use crate::convert::gray::luma;
use crate::error::Result;
use crate::image::{Image, ImageRef, PixelFormat};

/// Quality of the JPEG frames of a camera built with [`PixelFormat::Jpeg`].
pub const JPEG_QUALITY: crate::codec::Quality = crate::codec::Quality::DEFAULT;

/// The synthetic camera. Build one with [`SyntheticCamera::builder`].
pub struct SyntheticCamera {
    settings: SyntheticBuilder,
    clock: Arc<dyn Clock>,
    scene: Scene,
    noise: Vec<i8>,
    rgb: Vec<u8>,
    output: Image,
    /// The next sensor frame: frames `0..index` were captured (delivered,
    /// buffered or dropped) or, free-running, rendered.
    index: u64,
    /// Paced: frames captured into the driver's buffers, not read yet.
    buffered: VecDeque<u64>,
    delivered: u64,
    dropped: u64,
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
    /// The camera for checked `settings` (renders the static background
    /// once).
    pub(super) fn from_settings(settings: SyntheticBuilder) -> Result<SyntheticCamera> {
        let scene = Scene::new(settings.width, settings.height, settings.seed);
        let mut output = Image::empty();
        output.reshape(PixelFormat::Rgb888, settings.width, settings.height)?;
        Ok(SyntheticCamera {
            clock: settings
                .clock
                .clone()
                .unwrap_or_else(MonotonicClock::shared),
            // RGB888 frames are drawn straight into the output.
            rgb: if settings.format == PixelFormat::Rgb888 {
                Vec::new()
            } else {
                vec![0; scene.w * scene.h * 3]
            },
            noise: noise_tile(settings.seed, settings.noise),
            scene,
            output,
            index: 0,
            buffered: VecDeque::with_capacity(settings.buffers),
            delivered: 0,
            dropped: 0,
            start: None,
            settings,
        })
    }

    /// A builder with the defaults of [`SyntheticBuilder::default`].
    pub fn builder() -> SyntheticBuilder {
        SyntheticBuilder::default()
    }

    /// Frames delivered so far.
    pub fn frames_delivered(&self) -> u64 {
        self.delivered
    }

    /// Frames a paced camera dropped so far because every driver buffer was
    /// full (the reader was late; see [`SyntheticBuilder::buffers`]).
    ///
    /// [`SyntheticBuilder::buffers`]: super::SyntheticBuilder::buffers
    ///
    /// ```
    /// use std::time::Duration;
    /// use camreel::camera::CameraSource;
    /// use camreel::camera::synthetic::SyntheticCamera;
    /// use camreel::clock::ManualClock;
    ///
    /// let clock = ManualClock::shared();
    /// let mut camera = SyntheticCamera::builder()
    ///     .size(8, 8)
    ///     .fps(10.0)
    ///     .buffers(2)
    ///     .clock(clock.clone())
    ///     .build()?;
    /// assert_eq!(camera.next_frame()?.unwrap().sequence, 0);
    /// // A second late: frames 1 to 10 were captured, 1 and 2 kept.
    /// clock.advance(Duration::from_secs(1));
    /// let seqs: Vec<u64> = (0..3).map(|_| camera.next_frame().unwrap().unwrap().sequence).collect();
    /// assert_eq!(seqs, [1, 2, 11]);
    /// assert_eq!(camera.frames_dropped(), 8);
    /// # Ok::<(), camreel::Error>(())
    /// ```
    pub fn frames_dropped(&self) -> u64 {
        self.dropped
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

    /// The frame rate of a paced camera, exactly (30000/1001 stays that).
    fn rate(&self) -> Option<Result<crate::timing::FrameRate>> {
        self.settings.fps.map(crate::timing::FrameRate::from_fps)
    }

    /// When frame `index` is due after the first, at the paced rate (exact
    /// for rates such as 30000/1001), or `None` when free-running.
    fn due(&self, index: u64) -> Option<Duration> {
        let fps = self.settings.fps?;
        Some(match self.rate()? {
            Ok(rate) => rate.frame_time(index),
            Err(_) => Duration::from_secs_f64(index as f64 / fps),
        })
    }

    /// How many frames are due `elapsed` after the first (frames `i` with
    /// `due(i) <= elapsed`), or `None` when free-running.
    fn due_count(&self, elapsed: Duration) -> Option<u64> {
        let fps = self.settings.fps?;
        let n = match self.rate()? {
            // due(i) = floor(i d 1e9 / n) <= e  <=>  i d 1e9 < (e + 1) n.
            Ok(rate) => {
                let num = (elapsed.as_nanos() + 1) * u128::from(rate.numerator());
                let den = u128::from(rate.denominator()) * 1_000_000_000;
                num.div_ceil(den)
            }
            Err(_) => (elapsed.as_secs_f64() * fps).floor() as u128 + 1,
        };
        Some(u64::try_from(n).unwrap_or(u64::MAX))
    }

    /// The next frame to deliver and its timestamp, or `None` at the frame
    /// limit. Free-running: rendered now. Paced: the sensor captures frame
    /// `i` at its due time into a free driver buffer (dropping it when
    /// every buffer is full); the oldest buffered frame is delivered, or,
    /// with none buffered, the next one is waited for. Timestamps are
    /// capture times (the sensor's regular clock, so recordings of a paced
    /// camera have exact timing even when frames were dropped).
    fn pace(&mut self) -> Option<(u64, Duration)> {
        let limit = self.settings.frame_limit.unwrap_or(u64::MAX);
        let now = self.clock.now();
        let start = *self.start.get_or_insert(now);
        let Some(due_now) = self.due_count(now.saturating_sub(start)) else {
            if self.index >= limit {
                return None;
            }
            self.index += 1;
            return Some((self.index - 1, now));
        };
        let due_now = due_now.min(limit);
        if due_now > self.index {
            // Captured while nobody read: into free buffers, else dropped.
            let new = due_now - self.index;
            let room = (self.settings.buffers - self.buffered.len()) as u64;
            let kept = new.min(room);
            self.buffered.extend(self.index..self.index + kept);
            self.dropped += new - kept;
            self.index = due_now;
        }
        let index = match self.buffered.pop_front() {
            Some(i) => i,
            None if self.index >= limit => return None,
            None => {
                // Wait for the next capture.
                let due = start.saturating_add(self.due(self.index).unwrap_or_default());
                if due > now {
                    self.clock.sleep(due - now);
                }
                self.index += 1;
                self.index - 1
            }
        };
        Some((
            index,
            start.saturating_add(self.due(index).unwrap_or_default()),
        ))
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
        let Some((index, timestamp)) = self.pace() else {
            return Ok(None);
        };
        let mut rgb = std::mem::take(&mut self.rgb);
        let rendered = self.render_into(index, &mut rgb, image);
        self.rgb = rgb;
        rendered?;
        // Wraps past u64::MAX, as a camera's counter does.
        let sequence = self.settings.first_sequence.wrapping_add(index);
        self.delivered += 1;
        Ok(Some(FrameInfo {
            sequence,
            timestamp,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::synthetic::MotionEvent;
    use crate::clock::ManualClock;
    use crate::error::ErrorKind;

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
        // A late consumer does not make the camera sleep: it gets the
        // buffered frames, stamped when they were captured.
        let mut c = SyntheticCamera::builder()
            .size(16, 16)
            .fps(10.0)
            .clock(clock.clone())
            .build()
            .unwrap();
        let t0 = c.next_frame().unwrap().unwrap().timestamp;
        clock.advance(Duration::from_millis(250));
        let at = clock.now();
        let t1 = c.next_frame().unwrap().unwrap().timestamp;
        assert_eq!(t1 - t0, Duration::from_millis(100));
        assert_eq!(clock.now(), at);
        assert_eq!(c.frames_dropped(), 0);
    }

    #[test]
    fn a_late_reader_loses_what_the_buffers_cannot_hold() {
        let clock = ManualClock::shared();
        let mut c = SyntheticCamera::builder()
            .size(8, 8)
            .fps(30.0)
            .clock(clock.clone())
            .first_sequence(1000)
            .frame_limit(40)
            .build()
            .unwrap();
        let mut got = Vec::new();
        let read = |c: &mut SyntheticCamera| {
            let f = c.next_frame().unwrap().unwrap();
            (f.sequence - 1000, f.timestamp)
        };
        got.push(read(&mut c));
        // Half a second late: frames 1..=15 are due, 4 buffers keep 1..=4.
        clock.advance(Duration::from_millis(500));
        for _ in 0..5 {
            got.push(read(&mut c));
        }
        let seqs: Vec<u64> = got.iter().map(|g| g.0).collect();
        assert_eq!(seqs, [0, 1, 2, 3, 4, 16]);
        // Each frame keeps its capture time on the sensor's clock.
        for (seq, t) in &got {
            assert_eq!(
                *t,
                Duration::from_nanos(seq * 1_000_000_000 / 30),
                "frame {seq}"
            );
        }
        assert_eq!((c.frames_delivered(), c.frames_dropped()), (6, 11));
        // The limit counts the sensor's frames, dropped ones included.
        clock.advance(Duration::from_secs(10));
        let mut rest = 0;
        while c.next_frame().unwrap().is_some() {
            rest += 1;
        }
        assert_eq!(rest, 4);
        assert_eq!(c.frames_delivered() + c.frames_dropped(), 40);
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
}
