//! [`CaptureExt`]: the picamera capture methods on every camera source.

use std::io::Write;
use std::path::Path;

use super::continuous::Continuous;
use super::encoder::Encoder;
use crate::camera::{CameraSource, FrameInfo};
use crate::error::{Error, ErrorKind, Result, quote_path};
use crate::sink::FrameSink;

/// The error for a capture from a source that has ended.
pub(super) fn end_of_stream(what: &str) -> Error {
    Error::new(
        ErrorKind::EndOfStream,
        format!("{what}: the camera has no more frames"),
    )
}

/// The picamera capture methods, for every [`CameraSource`].
pub trait CaptureExt: CameraSource {
    /// Captures the next frame, encoded by `encoder`, into `output`.
    ///
    /// # Errors
    /// [`ErrorKind::EndOfStream`] if the source has ended; the source's,
    /// the encoder's and the writer's errors.
    fn capture<W: Write + ?Sized, E: Encoder + ?Sized>(
        &mut self,
        output: &mut W,
        encoder: &mut E,
    ) -> Result<FrameInfo> {
        let mut buf = Vec::new();
        let frame = self.next_frame()?.ok_or_else(|| end_of_stream("capture"))?;
        encoder.encode(frame.image, &mut buf)?;
        output
            .write_all(&buf)
            .map_err(|e| Error::io(format!("writing frame {}", frame.sequence), e))?;
        output
            .flush()
            .map_err(|e| Error::io("flushing the output", e))?;
        Ok(frame.info())
    }

    /// Captures the next frame into a new file at `path`.
    ///
    /// # Errors
    /// As [`CaptureExt::capture`], plus creating the file.
    fn capture_file<E: Encoder + ?Sized>(
        &mut self,
        path: impl AsRef<Path>,
        encoder: &mut E,
    ) -> Result<FrameInfo> {
        let path = path.as_ref();
        let file = std::fs::File::create(path)
            .map_err(|e| Error::io(format!("creating {}", quote_path(path)), e))?;
        let mut file = std::io::BufWriter::new(file);
        self.capture(&mut file, encoder)
            .map_err(|e| e.context(quote_path(path)))
    }

    /// Captures one frame per output, as fast as the source delivers: the
    /// burst path (one encoder and one buffer for the whole sequence).
    /// Stops early, without error, when the source ends; returns the number
    /// of frames captured.
    ///
    /// # Errors
    /// The first error of the source, the encoder or an output.
    fn capture_sequence<I, W, E>(&mut self, outputs: I, encoder: &mut E) -> Result<u64>
    where
        I: IntoIterator<Item = W>,
        W: Write,
        E: Encoder + ?Sized,
    {
        let mut buf = Vec::new();
        let mut count = 0;
        for mut output in outputs {
            let Some(frame) = self.next_frame()? else {
                break;
            };
            buf.clear();
            encoder.encode(frame.image, &mut buf)?;
            let seq = frame.sequence;
            output
                .write_all(&buf)
                .and_then(|()| output.flush())
                .map_err(|e| Error::io(format!("writing frame {seq} (capture {count})"), e))?;
            count += 1;
        }
        Ok(count)
    }

    /// Captures into a series of files whose names come from `names`
    /// (`image{:02}.jpg` style, built by the caller); returns the count.
    ///
    /// # Errors
    /// As [`CaptureExt::capture_sequence`], plus creating the files.
    fn capture_sequence_files<I, P, E>(&mut self, names: I, encoder: &mut E) -> Result<u64>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
        E: Encoder + ?Sized,
    {
        let mut buf = Vec::new();
        let mut count = 0;
        for name in names {
            let Some(frame) = self.next_frame()? else {
                break;
            };
            buf.clear();
            encoder.encode(frame.image, &mut buf)?;
            let path = name.as_ref();
            std::fs::write(path, &buf)
                .map_err(|e| Error::io(format!("writing {}", quote_path(path)), e))?;
            count += 1;
        }
        Ok(count)
    }

    /// An iterator of captures, one per frame, until the source ends (or
    /// after the first error, which it yields).
    fn capture_continuous<E: Encoder>(&mut self, encoder: E) -> Continuous<'_, Self, E> {
        Continuous::new(self, encoder)
    }

    /// Sends every frame to `sink` until the source ends or `limit` frames
    /// went out (`None`: no limit); returns the count. The sink is not
    /// finished, so several calls can record into one output: call
    /// [`FrameSink::finish`] (or the writer's `into_inner`) when done.
    ///
    /// # Errors
    /// The first error of the source or the sink.
    fn record<K: FrameSink + ?Sized>(&mut self, sink: &mut K, limit: Option<u64>) -> Result<u64> {
        let mut count = 0;
        while limit.is_none_or(|n| count < n) {
            let Some(frame) = self.next_frame()? else {
                break;
            };
            sink.write_frame(&frame)?;
            count += 1;
        }
        Ok(count)
    }
}

impl<S: CameraSource + ?Sized> CaptureExt for S {}
#[cfg(test)]
mod tests {
    use super::super::testing::{Log, cam};
    use super::*;
    use crate::camera::synthetic::SyntheticCamera;
    use crate::capture::{EncodedSink, RawEncoder};
    use crate::image::ImageRef;
    use crate::image::PixelFormat;

    #[test]
    fn capture_writes_one_encoded_frame() {
        let mut c = cam(5);
        let reference = c.render(0).unwrap();
        let mut out = Vec::new();
        let info = c.capture(&mut out, &mut RawEncoder).unwrap();
        assert_eq!(info.sequence, 0);
        assert_eq!(out, reference.data());
        // A closure is an encoder.
        let mut sizes = Vec::new();
        let mut enc = |img: ImageRef<'_>, out: &mut Vec<u8>| {
            sizes.push(img.data().len());
            out.push(1);
            Ok(())
        };
        let mut out = Vec::new();
        c.capture(&mut out, &mut enc).unwrap();
        assert_eq!(out, [1]);
        assert_eq!(sizes, [2400]);
    }

    #[test]
    fn capture_file_and_sequence_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = cam(4);
        let p = dir.path().join("one.data");
        c.capture_file(&p, &mut RawEncoder).unwrap();
        assert_eq!(std::fs::read(&p).unwrap().len(), 2400);
        let names: Vec<_> = (0..5)
            .map(|i| dir.path().join(format!("image{i:02}.data")))
            .collect();
        // Only 3 frames left: stops early without error.
        assert_eq!(
            c.capture_sequence_files(&names, &mut RawEncoder).unwrap(),
            3
        );
        assert!(names[2].exists() && !names[3].exists());
        let e = c
            .capture_file(dir.path().join("x"), &mut RawEncoder)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::EndOfStream);
        let e = cam(1)
            .capture_file(dir.path().join("no/such/dir/x"), &mut RawEncoder)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
    }

    #[test]
    fn sequence_into_generated_outputs() {
        let mut c = cam(100);
        let mut outs: Vec<Vec<u8>> = Vec::new();
        let n = {
            let outputs = (0..7).map(|_| {
                outs.push(Vec::new());
                CountingWriter(0)
            });
            c.capture_sequence(outputs, &mut RawEncoder).unwrap()
        };
        assert_eq!(n, 7);
        assert_eq!(c.frames_delivered(), 7);
    }

    struct CountingWriter(usize);

    impl Write for CountingWriter {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    struct FailingWriter;

    impl Write for FailingWriter {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writer_errors_say_which_frame() {
        let mut c = cam(3);
        let e = c
            .capture_sequence([FailingWriter], &mut RawEncoder)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert_eq!(e.to_string(), "writing frame 0 (capture 0): disk full");
    }

    #[test]
    fn record_to_an_encoded_sink() {
        let mut c = cam(10);
        let mut sink = EncodedSink::new(Vec::new(), RawEncoder);
        assert_eq!(c.record(&mut sink, Some(4)).unwrap(), 4);
        assert_eq!(sink.frames(), 4);
        assert_eq!(sink.bytes(), 4 * 2400);
        assert_eq!(sink.into_inner().unwrap().len(), 9600);
        let mut rest = Log::default();
        assert_eq!(c.record(&mut rest, None).unwrap(), 6);
        assert_eq!(rest.seqs.first(), Some(&4));
    }

    #[test]
    fn imageio_sink_records_and_replays() {
        use crate::clock::ManualClock;
        use crate::imageio::{Fallback, FileOptions, FileStream};
        use crate::replay::ReplayCamera;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.bin");
        let clock = ManualClock::shared();
        let mut c = SyntheticCamera::builder()
            .size(32, 24)
            .fps(30.0)
            .clock(clock)
            .frame_limit(4)
            .build()
            .unwrap();
        let mut sink = FileOptions::new()
            .fallback(Fallback::Jpeg { quality: 90 })
            .create(&path)
            .unwrap();
        assert_eq!(c.record(&mut sink, None).unwrap(), 4);
        sink.finish().unwrap();
        let mut replay = ReplayCamera::builder(&path).realtime(false).open().unwrap();
        assert_eq!(replay.frame_count(), 4);
        let elapsed: Vec<u32> = replay.stream().headers().map(|h| h.elapsed_ms).collect();
        // 33.3 ms intervals, rounded so they add up to 100 ms.
        assert_eq!(elapsed, [0, 33, 34, 33]);
        let f = replay.next_frame().unwrap().unwrap();
        assert_eq!(f.image.format(), PixelFormat::Jpeg);
        // Frames with an OpenMV code are stored as they are.
        let path2 = dir.path().join("gray.bin");
        let mut g = SyntheticCamera::builder()
            .size(8, 8)
            .format(PixelFormat::Grayscale)
            .frame_limit(2)
            .build()
            .unwrap();
        let first = g.render(0).unwrap();
        let mut sink = FileStream::create(&path2).unwrap();
        g.record(&mut sink, None).unwrap();
        sink.finish().unwrap();
        let mut replay = ReplayCamera::builder(&path2)
            .realtime(false)
            .open()
            .unwrap();
        assert_eq!(
            replay.next_frame().unwrap().unwrap().image.data(),
            first.data()
        );
        assert_eq!(
            sink.write_frame(&replay.next_frame().unwrap().unwrap())
                .unwrap_err()
                .kind(),
            ErrorKind::Finished
        );
    }

    #[test]
    fn errors_carry_each_context_once() {
        use crate::imageio::{Fallback, FileOptions};
        // The stream names the frame; recording adds nothing to that.
        let dir = tempfile::tempdir().unwrap();
        let mut sink = FileOptions::new()
            .fallback(Fallback::Refuse)
            .create(dir.path().join("refused.bin"))
            .unwrap();
        let e = cam(3).record(&mut sink, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
        assert_eq!(
            e.to_string(),
            "frame 0: RGB888 is an in-memory format with no ImageIO code; convert frames to an \
             OpenMV format (RGB565, GRAYSCALE, JPEG, ...) before writing them to a file stream"
        );
        // A splitter port's error comes out as the sink said it.
        let mut sink = FileOptions::new()
            .fallback(Fallback::Refuse)
            .create(dir.path().join("port.bin"))
            .unwrap();
        let mut splitter = crate::capture::Splitter::new(cam(3));
        splitter.add_port(&mut sink);
        assert_eq!(splitter.run(None).unwrap_err().to_string(), e.to_string());
        // An encoded sink names the frame once.
        let mut failing = EncodedSink::new(FailingWriter, RawEncoder);
        let e = cam(3).record(&mut failing, None).unwrap_err();
        assert_eq!(e.to_string(), "writing frame 0: disk full");
    }
}
