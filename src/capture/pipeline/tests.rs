//! Tests of the capture pipeline.

use super::*;
use crate::camera::synthetic::SyntheticCamera;
use crate::camera::{Frame, StreamFormat};
use crate::image::PixelFormat;
use std::sync::mpsc;

fn cam(n: u64) -> SyntheticCamera {
    SyntheticCamera::builder()
        .size(32, 16)
        .frame_limit(n)
        .build()
        .unwrap()
}

#[test]
fn ordered_and_complete_with_blocking() {
    for workers in [1, 2, 4] {
        let mut seqs = Vec::new();
        let stats = Pipeline::new()
            .workers(workers)
            .queue(2)
            .run(
                cam(50),
                |f| {
                    // Uneven work so workers finish out of order.
                    if f.sequence % 3 == 0 {
                        std::thread::yield_now();
                    }
                    Ok(f.image.data()[0])
                },
                |info: FrameInfo, _| {
                    seqs.push(info.sequence);
                    Ok(ControlFlow::Continue(()))
                },
            )
            .unwrap();
        assert_eq!(seqs, (0..50).collect::<Vec<_>>(), "{workers} workers");
        assert_eq!(
            (
                stats.captured,
                stats.dropped,
                stats.processed,
                stats.delivered
            ),
            (50, 0, 50, 50)
        );
    }
}

#[test]
fn results_match_the_frames() {
    let reference = cam(10);
    let expected: Vec<u8> = (0..10)
        .map(|i| reference.render(i).unwrap().data()[7])
        .collect();
    let mut got = Vec::new();
    Pipeline::new()
        .run(
            cam(10),
            |f| Ok(f.image.data()[7]),
            |_, v| {
                got.push(v);
                Ok(ControlFlow::Continue(()))
            },
        )
        .unwrap();
    assert_eq!(got, expected);
}

/// 200 frames through one worker and a queue of one, to a consumer slow
/// enough that the capture thread drops under `overflow`: the sequences
/// delivered, after the checks both policies share.
fn slow_consumer(overflow: Overflow) -> Vec<u64> {
    let mut seqs = Vec::new();
    let stats = Pipeline::new()
        .workers(1)
        .queue(1)
        .overflow(overflow)
        .run(
            cam(200),
            |f| Ok(f.sequence),
            |info: FrameInfo, _| {
                std::thread::sleep(Duration::from_micros(300));
                seqs.push(info.sequence);
                Ok(ControlFlow::Continue(()))
            },
        )
        .unwrap();
    assert_eq!(stats.captured, 200);
    assert!(stats.dropped > 0, "{stats:?}");
    // Nothing lost silently: every captured frame was delivered or counted as dropped.
    assert_eq!(stats.delivered + stats.dropped, stats.captured);
    assert_eq!(seqs.len() as u64, stats.delivered);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    seqs
}

#[test]
fn drop_oldest_counts_every_drop() {
    let seqs = slow_consumer(Overflow::DropOldest);
    // The freshest frame is kept.
    assert_eq!(seqs.last(), Some(&199));
}

#[test]
fn drop_newest_keeps_the_queued_frames_and_counts_the_rest() {
    let seqs = slow_consumer(Overflow::DropNewest);
    // The first frames are kept (the newest are the ones dropped).
    assert_eq!(seqs[0], 0);
}

#[test]
fn consumer_break_and_frame_limit() {
    let mut n = 0;
    let stats = Pipeline::new()
        .run(
            cam(1000),
            |_| Ok(()),
            |_, ()| {
                n += 1;
                Ok(if n == 5 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                })
            },
        )
        .unwrap();
    assert_eq!(stats.delivered, 5);
    assert!(stats.captured >= 5);
    let stats = Pipeline::new()
        .limit(7)
        .run(cam(1000), |_| Ok(()), |_, ()| Ok(ControlFlow::Continue(())))
        .unwrap();
    assert_eq!((stats.captured, stats.delivered), (7, 7));
}

#[test]
fn errors_stop_the_pipeline() {
    let e = Pipeline::new()
        .run(
            cam(100),
            |f| {
                if f.sequence == 3 {
                    Err(Error::new(ErrorKind::Format, "bad frame 3"))
                } else {
                    Ok(())
                }
            },
            |_, ()| Ok(ControlFlow::Continue(())),
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "bad frame 3");
    let e = Pipeline::new()
        .run(
            cam(100),
            |_| Ok(()),
            |info: FrameInfo, ()| {
                if info.sequence == 2 {
                    Err(Error::new(ErrorKind::Io, "consumer failed"))
                } else {
                    Ok(ControlFlow::Continue(()))
                }
            },
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "consumer failed");
}

/// Runs `f` on its own thread and fails the test if it takes longer
/// than `secs` (a deadlocked pipeline would otherwise hang the suite).
fn within<R: Send + 'static>(secs: u64, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .expect("the pipeline did not finish: deadlock")
}

/// An endless camera (no frame limit).
fn endless() -> SyntheticCamera {
    SyntheticCamera::builder().size(8, 4).build().unwrap()
}

#[test]
fn a_panicking_worker_stops_the_pipeline() {
    // The only worker dies: nobody drains the queue any more.
    let e = within(30, || {
        Pipeline::new()
            .workers(1)
            .run(
                endless(),
                |_| -> Result<()> { panic!("worker bug") },
                |_, ()| Ok(ControlFlow::Continue(())),
            )
            .unwrap_err()
    });
    assert_eq!(e.kind(), ErrorKind::Io);
    assert_eq!(e.to_string(), "a pipeline worker panicked");
    // One of two workers dies: its ticket never arrives, so the others'
    // results cannot be delivered in order; the run must still end.
    let e = within(30, || {
        Pipeline::new()
            .workers(2)
            .run(
                endless(),
                |f| {
                    if f.sequence == 3 {
                        panic!("worker bug on frame 3");
                    }
                    Ok(())
                },
                |_, ()| Ok(ControlFlow::Continue(())),
            )
            .unwrap_err()
    });
    assert_eq!(e.kind(), ErrorKind::Io);
}

#[test]
fn a_panicking_consumer_propagates() {
    let outcome = within(30, || {
        std::panic::catch_unwind(|| {
            Pipeline::new().queue(1).run(
                endless(),
                |_| Ok(()),
                |info: FrameInfo, ()| {
                    if info.sequence == 2 {
                        panic!("consumer bug");
                    }
                    Ok(ControlFlow::Continue(()))
                },
            )
        })
    });
    assert!(outcome.is_err(), "the consumer's panic reaches the caller");
}

#[test]
fn huge_settings_are_capped_not_fatal() {
    let mut n = 0;
    let stats = Pipeline::new()
        .queue(usize::MAX)
        .workers(usize::MAX / 2)
        .run(
            cam(3),
            |_| Ok(()),
            |_, ()| {
                n += 1;
                Ok(ControlFlow::Continue(()))
            },
        )
        .unwrap();
    assert_eq!((stats.delivered, n), (3, 3));
}

/// A source at the end of the sequence space.
struct LastSequences(u64, Image);
impl CameraSource for LastSequences {
    fn format(&self) -> StreamFormat {
        StreamFormat::new(PixelFormat::Grayscale, 1, 1)
    }
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        if self.0 == 2 {
            return Ok(None);
        }
        self.0 += 1;
        Ok(Some(Frame {
            image: self.1.view(),
            sequence: u64::MAX,
            timestamp: Duration::ZERO,
        }))
    }
}

#[test]
fn sequence_numbers_at_the_top_do_not_overflow() {
    let source = LastSequences(0, Image::zeroed(PixelFormat::Grayscale, 1, 1).unwrap());
    let stats = Pipeline::new()
        .run(source, |_| Ok(()), |_, ()| Ok(ControlFlow::Continue(())))
        .unwrap();
    assert_eq!((stats.captured, stats.source_gaps), (2, 0));
}

/// A source whose third frame panics.
struct Panicky(u64, Image);
impl CameraSource for Panicky {
    fn format(&self) -> StreamFormat {
        StreamFormat::new(PixelFormat::Grayscale, 1, 1)
    }
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        self.0 += 1;
        assert!(self.0 < 3, "source bug");
        Ok(Some(Frame {
            image: self.1.view(),
            sequence: self.0,
            timestamp: Duration::ZERO,
        }))
    }
}

#[test]
fn a_panicking_source_stops_the_pipeline() {
    let e = within(30, || {
        let source = Panicky(0, Image::zeroed(PixelFormat::Grayscale, 1, 1).unwrap());
        Pipeline::new()
            .run(source, |_| Ok(()), |_, ()| Ok(ControlFlow::Continue(())))
            .unwrap_err()
    });
    assert_eq!(e.to_string(), "the capture thread panicked");
}

/// A source that skips sequence numbers and then fails.
struct Gappy {
    n: u64,
    img: Image,
}
impl CameraSource for Gappy {
    fn format(&self) -> StreamFormat {
        StreamFormat::new(PixelFormat::Grayscale, 1, 1)
    }
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        self.n += 1;
        if self.n > 4 {
            return Err(Error::new(ErrorKind::Disconnected, "gone"));
        }
        Ok(Some(Frame {
            image: self.img.view(),
            sequence: self.n * 2,
            timestamp: Duration::ZERO,
        }))
    }
}

#[test]
fn source_gaps_and_source_errors() {
    let mut got = 0;
    let e = Pipeline::new()
        .workers(1)
        .run(
            Gappy {
                n: 0,
                img: Image::empty(),
            },
            |_| Ok(()),
            |_, ()| {
                got += 1;
                Ok(ControlFlow::Continue(()))
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Disconnected);
    assert_eq!(got, 4);
    let stats = Pipeline::new()
        .limit(4)
        .run(
            Gappy {
                n: 0,
                img: Image::empty(),
            },
            |_| Ok(()),
            |_, ()| Ok(ControlFlow::Continue(())),
        )
        .unwrap();
    assert_eq!(stats.source_gaps, 3);
}

#[test]
fn workers_keep_state_built_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let inits = AtomicUsize::new(0);
    let mut got = Vec::new();
    let stats = Pipeline::new()
        .workers(3)
        .run_init(
            cam(30),
            || {
                inits.fetch_add(1, Ordering::SeqCst);
                Ok(0u64)
            },
            |frames_here: &mut u64, f| {
                *frames_here += 1;
                Ok((f.sequence, *frames_here))
            },
            |info: FrameInfo, (seq, n)| {
                got.push((info.sequence, seq, n));
                Ok(ControlFlow::Continue(()))
            },
        )
        .unwrap();
    assert_eq!(stats.delivered, 30);
    // One init per worker, not per frame.
    assert_eq!(inits.load(Ordering::SeqCst), 3);
    assert!(got.iter().all(|&(a, b, _)| a == b));
    // The per-worker counters add up to every frame.
    let mut per_worker_max: Vec<u64> = got.iter().map(|g| g.2).collect();
    per_worker_max.sort_unstable();
    assert!(per_worker_max.last().is_some_and(|&m| m >= 10), "{got:?}");
}

#[test]
fn consume_gets_sequence_and_timestamp() {
    let clock = crate::clock::ManualClock::shared();
    let source = SyntheticCamera::builder()
        .size(8, 4)
        .fps(25.0)
        .clock(clock)
        .first_sequence(100)
        .frame_limit(4)
        .build()
        .unwrap();
    let mut infos = Vec::new();
    Pipeline::new()
        .run(
            source,
            |_| Ok(()),
            |info, ()| {
                infos.push(info);
                Ok(ControlFlow::Continue(()))
            },
        )
        .unwrap();
    let want: Vec<FrameInfo> = (0..4)
        .map(|i| FrameInfo {
            sequence: 100 + i,
            timestamp: Duration::from_millis(40 * i),
        })
        .collect();
    assert_eq!(infos, want);
}

#[test]
fn a_failing_init_stops_the_pipeline() {
    let e = within(30, || {
        Pipeline::new()
            .workers(2)
            .run_init(
                endless(),
                || -> Result<()> { Err(Error::new(ErrorKind::InvalidArgument, "no encoder")) },
                |(), _| Ok(()),
                |_, ()| Ok(ControlFlow::Continue(())),
            )
            .unwrap_err()
    });
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(e.to_string(), "no encoder");
}
