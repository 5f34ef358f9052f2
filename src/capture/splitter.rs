//! [`Splitter`]: one camera stream to several outputs (picamera's splitter
//! ports), with stills taken while recording.

use std::sync::mpsc;

use super::continuous::Capture;
use super::encoder::Encoder;
use super::ext::end_of_stream;
use super::transform::Transform;
use crate::camera::{CameraSource, Frame};
use crate::error::{Error, ErrorKind, Result};
use crate::image::Image;
use crate::sink::FrameSink;

/// Identifies a port of a [`Splitter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PortId(usize);

struct Port<'s> {
    sink: Box<dyn FrameSink + Send + 's>,
    transform: Option<Box<dyn Transform + Send + 's>>,
    scratch: Image,
    frames: u64,
    open: bool,
}

/// A request for a still from a [`Splitter`], taken from the next frame.
struct StillRequest {
    encoder: Box<dyn Encoder + Send>,
    reply: mpsc::Sender<Result<Capture>>,
}

impl std::fmt::Debug for StillRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StillRequest")
    }
}

/// Asks a running [`Splitter`] for stills, from any thread.
#[derive(Clone, Debug)]
pub struct StillHandle {
    tx: mpsc::Sender<StillRequest>,
}

impl StillHandle {
    /// Requests a still from the next frame, encoded by `encoder`
    /// (picamera's `capture(..., use_video_port=True)` while recording).
    pub fn request(&self, encoder: impl Encoder + Send + 'static) -> PendingStill {
        let (reply, rx) = mpsc::channel();
        // If the splitter is gone, `wait` reports the end of the stream.
        let _ = self.tx.send(StillRequest {
            encoder: Box::new(encoder),
            reply,
        });
        PendingStill { rx }
    }
}

/// A pending still; [`PendingStill::wait`] blocks until the splitter took it.
#[derive(Debug)]
pub struct PendingStill {
    rx: mpsc::Receiver<Result<Capture>>,
}

impl PendingStill {
    /// Waits for the still.
    ///
    /// # Errors
    /// The encoder's error, or [`ErrorKind::EndOfStream`] if the splitter
    /// stopped before the next frame.
    pub fn wait(self) -> Result<Capture> {
        self.rx
            .recv()
            .unwrap_or_else(|_| Err(end_of_stream("still capture")))
    }

    /// The still if it is ready, without blocking.
    pub fn try_get(&self) -> Option<Result<Capture>> {
        self.rx.try_recv().ok()
    }
}

/// Statistics of a [`Splitter`] run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SplitterStats {
    /// Frames read from the source.
    pub frames: u64,
    /// Stills taken (each encoded on its own thread; see [`PendingStill`]).
    pub stills: u64,
    /// Frames the source skipped (gaps in the sequence numbers).
    pub source_gaps: u64,
}

/// One camera stream fanned out to several outputs (picamera's splitter
/// ports): each port gets every frame, optionally transformed (resized) for
/// that port, and stills can be taken from the stream while it records
/// without a recording frame being dropped.
///
/// ```
/// use camreel::camera::synthetic::SyntheticCamera;
/// use camreel::capture::{EncodedSink, RawEncoder, Splitter};
///
/// let mut high = Vec::new();
/// let cam = SyntheticCamera::builder().size(64, 32).frame_limit(10).build()?;
/// let mut splitter = Splitter::new(cam);
/// splitter.add_port(EncodedSink::new(&mut high, RawEncoder));
/// let stills = splitter.still_handle();
/// let pending = stills.request(RawEncoder);
/// let stats = splitter.run(None)?;
/// drop(splitter);
/// assert_eq!(stats.frames, 10);
/// assert_eq!(high.len(), 10 * 64 * 32 * 3);
/// assert_eq!(pending.wait()?.info.sequence, 0);
/// # Ok::<(), camreel::Error>(())
/// ```
pub struct Splitter<'s, S> {
    source: S,
    ports: Vec<Port<'s>>,
    still_tx: mpsc::Sender<StillRequest>,
    still_rx: mpsc::Receiver<StillRequest>,
    stats: SplitterStats,
    last_sequence: Option<u64>,
}

impl<S> std::fmt::Debug for Splitter<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Splitter")
            .field("ports", &self.ports.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<'s, S: CameraSource> Splitter<'s, S> {
    /// A splitter over `source`, with no ports yet.
    pub fn new(source: S) -> Self {
        let (still_tx, still_rx) = mpsc::channel();
        Splitter {
            source,
            ports: Vec::new(),
            still_tx,
            still_rx,
            stats: SplitterStats::default(),
            last_sequence: None,
        }
    }

    /// Adds a port that gets every frame as the source delivers it.
    pub fn add_port(&mut self, sink: impl FrameSink + Send + 's) -> PortId {
        self.ports.push(Port {
            sink: Box::new(sink),
            transform: None,
            scratch: Image::empty(),
            frames: 0,
            open: true,
        });
        PortId(self.ports.len() - 1)
    }

    /// Adds a port that gets every frame through `transform` (a resize, a
    /// format conversion, ...).
    pub fn add_port_with(
        &mut self,
        sink: impl FrameSink + Send + 's,
        transform: impl Transform + Send + 's,
    ) -> PortId {
        let id = self.add_port(sink);
        self.ports[id.0].transform = Some(Box::new(transform));
        id
    }

    /// Stops feeding a port and finishes its sink; returns its frame count.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a port already closed; the sink's
    /// `finish` error.
    pub fn close_port(&mut self, id: PortId) -> Result<u64> {
        let port = self.ports.get_mut(id.0).filter(|p| p.open).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("port {} is not open", id.0),
            )
        })?;
        port.open = false;
        port.sink.finish()?;
        Ok(port.frames)
    }

    /// Frames a port received so far.
    pub fn port_frames(&self, id: PortId) -> u64 {
        self.ports.get(id.0).map_or(0, |p| p.frames)
    }

    /// A handle to request stills while the splitter runs (cloneable, `Send`).
    pub fn still_handle(&self) -> StillHandle {
        StillHandle {
            tx: self.still_tx.clone(),
        }
    }

    /// Statistics so far.
    pub fn stats(&self) -> SplitterStats {
        self.stats
    }

    /// The source.
    pub fn get_ref(&self) -> &S {
        &self.source
    }

    /// The source, mutably (frames read from it directly reach no port).
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.source
    }

    /// Reads one frame and feeds it to every open port and pending still;
    /// `Ok(false)` when the source has ended.
    ///
    /// # Errors
    /// The first error of the source, a transform or a sink.
    pub fn step(&mut self) -> Result<bool> {
        let Some(frame) = self.source.next_frame()? else {
            return Ok(false);
        };
        self.stats.frames += 1;
        if let Some(last) = self.last_sequence {
            self.stats.source_gaps += frame.sequence.saturating_sub(last.saturating_add(1));
        }
        self.last_sequence = Some(frame.sequence);
        for port in self.ports.iter_mut().filter(|p| p.open) {
            match &mut port.transform {
                None => port.sink.write_frame(&frame)?,
                Some(t) => {
                    t.apply(frame.image, &mut port.scratch)?;
                    let out = Frame {
                        image: port.scratch.view(),
                        ..frame
                    };
                    port.sink.write_frame(&out)?;
                }
            }
            port.frames += 1;
        }
        while let Ok(mut req) = self.still_rx.try_recv() {
            // The still is encoded on its own thread from a copy of the frame,
            // so the recording ports are not held up by it.
            let still = frame.to_owned();
            self.stats.stills += 1;
            std::thread::spawn(move || {
                let mut data = Vec::new();
                let result = req
                    .encoder
                    .encode(still.image.view(), &mut data)
                    .map(|()| Capture {
                        info: still.as_frame().info(),
                        data,
                    });
                let _ = req.reply.send(result);
            });
        }
        Ok(true)
    }

    /// Steps until the source ends or `limit` frames were read (`None`: no
    /// limit), then finishes every open port.
    ///
    /// # Errors
    /// As [`Splitter::step`] and the sinks' `finish`.
    pub fn run(&mut self, limit: Option<u64>) -> Result<SplitterStats> {
        let start = self.stats.frames;
        while limit.is_none_or(|n| self.stats.frames - start < n) {
            if !self.step()? {
                break;
            }
        }
        for port in self.ports.iter_mut().filter(|p| p.open) {
            port.open = false;
            port.sink.finish()?;
        }
        Ok(self.stats)
    }

    /// The source back, dropping the ports (open ports are not finished:
    /// call [`Splitter::run`] or [`Splitter::close_port`] first).
    pub fn into_inner(self) -> S {
        self.source
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Log, cam};
    use super::*;
    use crate::camera::synthetic::SyntheticCamera;
    use crate::capture::{RawEncoder, Resize};
    use crate::geometry::Filter;
    use crate::image::{ImageRef, PixelFormat};

    #[test]
    fn splitter_ports_and_stills_while_recording() {
        let mut rec = Log::default();
        let mut low = Log::default();
        let (a, b) = {
            let mut sp = Splitter::new(cam(20));
            let a = sp.add_port(&mut rec);
            // A transform port: keep the top-left quarter.
            let b = sp.add_port_with(&mut low, |src: ImageRef<'_>, dst: &mut Image| {
                let rows: Vec<u8> = src.rows().take(10).flat_map(|r| r[..60].to_vec()).collect();
                *dst = Image::new(PixelFormat::Rgb888, 20, 10, rows)?;
                Ok(())
            });
            let stills = sp.still_handle();
            for _ in 0..10 {
                assert!(sp.step().unwrap());
            }
            // A still from another thread while recording.
            let pending =
                std::thread::scope(|s| s.spawn(|| stills.request(RawEncoder)).join().unwrap());
            assert!(pending.try_get().is_none());
            let stats = sp.run(None).unwrap();
            assert_eq!(stats.frames, 20);
            assert_eq!(stats.stills, 1);
            assert_eq!(stats.source_gaps, 0);
            let still = pending.wait().unwrap();
            assert_eq!(still.info.sequence, 10);
            assert_eq!(still.data.len(), 2400);
            (sp.port_frames(a), sp.port_frames(b))
        };
        assert_eq!((a, b), (20, 20));
        // Recording got every frame: no drops around the still.
        assert_eq!(rec.seqs, (0..20).collect::<Vec<_>>());
        assert!(rec.finished && low.finished);
        assert!(low.sizes.iter().all(|&s| s == (20, 10)));
    }

    #[test]
    fn splitter_close_port_and_dangling_still() {
        let mut log = Log::default();
        let mut sp = Splitter::new(cam(3));
        let p = sp.add_port(&mut log);
        sp.step().unwrap();
        assert_eq!(sp.close_port(p).unwrap(), 1);
        assert_eq!(
            sp.close_port(p).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        let handle = sp.still_handle();
        sp.run(None).unwrap();
        assert!(!sp.step().unwrap());
        let pending = handle.request(RawEncoder);
        drop(sp);
        assert_eq!(pending.wait().unwrap_err().kind(), ErrorKind::EndOfStream);
        assert_eq!(log.seqs, [0]);
    }

    #[test]
    fn the_source_back() {
        let mut sp = Splitter::new(cam(5));
        sp.step().unwrap();
        assert_eq!(sp.get_mut().frames_delivered(), 1);
        let mut source = sp.into_inner();
        assert_eq!(source.next_frame().unwrap().unwrap().sequence, 1);
    }

    #[test]
    fn splitter_at_the_top_of_the_sequence_space() {
        let mut log = Log::default();
        let cam = SyntheticCamera::builder()
            .size(4, 4)
            .frame_limit(3)
            .first_sequence(u64::MAX - 1)
            .build()
            .unwrap();
        let mut sp = Splitter::new(cam);
        sp.add_port(&mut log);
        let stats = sp.run(None).unwrap();
        drop(sp);
        assert_eq!((stats.frames, stats.source_gaps), (3, 0));
        // The counter wraps like a camera's.
        assert_eq!(log.seqs, [u64::MAX - 1, u64::MAX, 0]);
    }

    #[test]
    fn resize_ports_scale_any_format() {
        let mut sizes = Log::default();
        let mut yuv_sizes = Log::default();
        {
            let mut sp = Splitter::new(cam(3));
            sp.add_port_with(&mut sizes, Resize::new(10, 5));
            sp.run(None).unwrap();
            let yuv = SyntheticCamera::builder()
                .size(40, 20)
                .format(PixelFormat::Yuv420)
                .frame_limit(2)
                .build()
                .unwrap();
            let mut sp = Splitter::new(yuv);
            sp.add_port_with(&mut yuv_sizes, Resize::new(8, 4).filter(Filter::Nearest));
            sp.run(None).unwrap();
        }
        assert_eq!(sizes.sizes, [(10, 5); 3]);
        assert_eq!(yuv_sizes.sizes, [(8, 4); 2]);
    }
}
