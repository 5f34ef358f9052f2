//! One ordered worker pool: jobs in, results out in the order the jobs
//! left the queue, a bounded number in flight, panics caught, state per
//! worker.
//!
//! The capture [`Pipeline`](crate::capture::pipeline::Pipeline) (a capture
//! thread feeding frames to workers, results to the caller in capture
//! order) and the [`ParallelMjpegWriter`](crate::avi::ParallelMjpegWriter)
//! (frames encoded on a few threads, written in order) both run on it.
//!
//! - A producer [`submit`](Pool::submit)s jobs; the waiting queue holds at
//!   most `max_waiting` (`submit` blocks for room, or
//!   [`submit_replacing_oldest`](Pool::submit_replacing_oldest) drops the
//!   oldest waiting job to make room and hands it back).
//! - [`Worker`]s take jobs in order. A job gets its place in the output
//!   when a worker takes it, so a job dropped from the queue leaves no hole.
//!   At most `max_outstanding` jobs are taken and not yet received, so a
//!   slow consumer holds the workers back, and through the queue the
//!   producer.
//! - A consumer [`recv`](Pool::recv)s (or [`try_recv`](Pool::try_recv)s)
//!   results in that order.
//! - Each worker builds its state once with its own `init`, on its thread,
//!   and keeps it for every job (rayon's `map_init`).
//! - A job that panics gives [`Failed::Panicked`] in its place; that worker
//!   then stops (its state is not trusted again). An `init` that fails or
//!   panics stops the pool and gives [`Failed::Init`] after the results
//!   before it. Nothing waits forever on a worker that is gone.
//!
//! The pool does not start threads: [`Pool::worker`] returns the body of a
//! worker, which the caller runs on a thread of its choice (scoped threads
//! that borrow, or named `'static` ones).

use std::collections::{BTreeMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::error::{Error, ErrorKind, Result};

/// Why a job has no result.
#[derive(Debug)]
pub(crate) enum Failed {
    /// The job panicked.
    Panicked,
    /// A worker's `init` failed (a panic in `init` is an
    /// [`ErrorKind::Io`] error saying so).
    Init(Error),
}

/// What [`Pool::try_recv`] found.
#[derive(Debug)]
pub(crate) enum TryRecv<R> {
    /// The next result in order.
    Ready(std::result::Result<R, Failed>),
    /// The next result is not ready yet.
    Pending,
    /// Every job was received (or the pool stopped): no more results.
    Done,
}

struct State<J, R> {
    waiting: VecDeque<J>,
    /// Place in the output order of the next job a worker takes.
    next_ticket: u64,
    /// Place of the next result the consumer receives.
    next_out: u64,
    done: BTreeMap<u64, std::result::Result<R, Failed>>,
    /// Workers created and not finished (counted from creation, so a
    /// worker that has not started yet counts).
    alive: usize,
    /// Jobs completed (with a result or a panic).
    completed: u64,
    /// No more jobs will be submitted: workers drain the queue and end.
    closed: bool,
    /// Abandoned: workers end after their current job.
    stopped: bool,
    /// The first failed `init`.
    failure: Option<Error>,
}

struct Shared<J, R> {
    state: Mutex<State<J, R>>,
    /// Workers wait here for a job (or room in the output).
    work: Condvar,
    /// The producer waits here for room in the queue.
    room: Condvar,
    /// The consumer waits here for the next result.
    result: Condvar,
    max_waiting: usize,
    max_outstanding: u64,
}

impl<J, R> Shared<J, R> {
    fn lock(&self) -> MutexGuard<'_, State<J, R>> {
        // No code panics while holding the lock (jobs and `init` run
        // outside it); recover the data anyway rather than cascade.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait<'a>(
        &self,
        cv: &Condvar,
        g: MutexGuard<'a, State<J, R>>,
    ) -> MutexGuard<'a, State<J, R>> {
        cv.wait(g).unwrap_or_else(|p| p.into_inner())
    }

    fn wake_all(&self) {
        self.work.notify_all();
        self.room.notify_all();
        self.result.notify_all();
    }
}

/// An ordered worker pool. See the [module docs](self). Cloning gives
/// another handle to the same pool.
pub(crate) struct Pool<J, R> {
    shared: Arc<Shared<J, R>>,
}

impl<J, R> Clone for Pool<J, R> {
    fn clone(&self) -> Self {
        Pool {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<J, R> std::fmt::Debug for Pool<J, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.shared.lock();
        f.debug_struct("Pool")
            .field("waiting", &s.waiting.len())
            .field("outstanding", &(s.next_ticket - s.next_out))
            .field("workers", &s.alive)
            .finish_non_exhaustive()
    }
}

impl<J, R> Pool<J, R> {
    /// A pool whose queue holds up to `max_waiting` jobs and whose workers
    /// run ahead of the consumer by up to `max_outstanding` jobs (both at
    /// least 1).
    pub(crate) fn new(max_waiting: usize, max_outstanding: usize) -> Pool<J, R> {
        Pool {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    waiting: VecDeque::with_capacity(max_waiting.max(1)),
                    next_ticket: 0,
                    next_out: 0,
                    done: BTreeMap::new(),
                    alive: 0,
                    completed: 0,
                    closed: false,
                    stopped: false,
                    failure: None,
                }),
                work: Condvar::new(),
                room: Condvar::new(),
                result: Condvar::new(),
                max_waiting: max_waiting.max(1),
                max_outstanding: max_outstanding.max(1) as u64,
            }),
        }
    }

    /// The body of one more worker: run it on a thread with
    /// [`Worker::run`]. `init` builds the worker's state on that thread;
    /// `work` turns a job into its result with it.
    pub(crate) fn worker<S, I, W>(&self, init: I, work: W) -> Worker<J, R, I, W>
    where
        I: FnOnce() -> Result<S>,
        W: FnMut(&mut S, J) -> R,
    {
        self.shared.lock().alive += 1;
        Worker {
            shared: Arc::clone(&self.shared),
            init: Some(init),
            work,
        }
    }

    /// Queues `job`, waiting for room. Gives the job back if the pool was
    /// closed or stopped.
    pub(crate) fn submit(&self, job: J) -> std::result::Result<(), J> {
        let sh = &*self.shared;
        let mut s = sh.lock();
        while s.waiting.len() >= sh.max_waiting && !s.stopped && !s.closed {
            s = sh.wait(&sh.room, s);
        }
        if s.stopped || s.closed {
            return Err(job);
        }
        s.waiting.push_back(job);
        drop(s);
        sh.work.notify_one();
        Ok(())
    }

    /// Queues `job` without waiting: when the queue is full its oldest job
    /// is dropped to make room and returned. Gives the job back if the
    /// pool was closed or stopped.
    pub(crate) fn submit_replacing_oldest(&self, job: J) -> std::result::Result<Option<J>, J> {
        let sh = &*self.shared;
        let mut s = sh.lock();
        if s.stopped || s.closed {
            return Err(job);
        }
        let dropped = if s.waiting.len() >= sh.max_waiting {
            s.waiting.pop_front()
        } else {
            None
        };
        s.waiting.push_back(job);
        drop(s);
        sh.work.notify_one();
        Ok(dropped)
    }

    /// Queues `job` if there is room, else drops it: `Ok(Some(job))` hands
    /// the dropped job back. Gives the job back as `Err` if the pool was
    /// closed or stopped.
    pub(crate) fn submit_unless_full(&self, job: J) -> std::result::Result<Option<J>, J> {
        let sh = &*self.shared;
        let mut s = sh.lock();
        if s.stopped || s.closed {
            return Err(job);
        }
        if s.waiting.len() >= sh.max_waiting {
            return Ok(Some(job));
        }
        s.waiting.push_back(job);
        drop(s);
        sh.work.notify_one();
        Ok(None)
    }

    /// No more jobs: the workers finish the queued ones and end.
    pub(crate) fn close(&self) {
        self.shared.lock().closed = true;
        self.shared.wake_all();
    }

    /// Abandons the pool: queued jobs are dropped, workers end after their
    /// current job, every wait returns.
    pub(crate) fn stop(&self) {
        let dropped = {
            let mut s = self.shared.lock();
            s.stopped = true;
            std::mem::take(&mut s.waiting)
        };
        self.shared.wake_all();
        drop(dropped);
    }

    /// Whether [`Pool::stop`] was called (or an `init` failed).
    pub(crate) fn is_stopped(&self) -> bool {
        self.shared.lock().stopped
    }

    /// Jobs submitted and not received yet (waiting, in work or done).
    #[cfg(test)]
    pub(crate) fn in_flight(&self) -> u64 {
        let s = self.shared.lock();
        s.waiting.len() as u64 + (s.next_ticket - s.next_out)
    }

    /// Jobs the workers completed so far.
    pub(crate) fn completed(&self) -> u64 {
        self.shared.lock().completed
    }

    /// The next result in order, waiting for it; `None` when every job was
    /// received after [`Pool::close`], or once the pool stopped (results
    /// already done are still given first), or when no worker is left.
    pub(crate) fn recv(&self) -> Option<std::result::Result<R, Failed>> {
        let sh = &*self.shared;
        let mut s = sh.lock();
        loop {
            match Self::poll(sh, &mut s) {
                (TryRecv::Ready(r), freed) => {
                    drop(s);
                    if freed {
                        sh.work.notify_all();
                    }
                    return Some(r);
                }
                (TryRecv::Done, _) => return None,
                (TryRecv::Pending, _) => s = sh.wait(&sh.result, s),
            }
        }
    }

    /// The next result in order if it is ready, without waiting.
    pub(crate) fn try_recv(&self) -> TryRecv<R> {
        let sh = &*self.shared;
        let mut s = sh.lock();
        let (r, freed) = Self::poll(sh, &mut s);
        drop(s);
        if freed {
            sh.work.notify_all();
        }
        r
    }

    /// The next result if it is ready, and whether taking it made room for
    /// a worker held back by `max_outstanding`.
    fn poll(sh: &Shared<J, R>, s: &mut State<J, R>) -> (TryRecv<R>, bool) {
        let next = s.next_out;
        if let Some(r) = s.done.remove(&next) {
            let was_full = s.next_ticket - s.next_out >= sh.max_outstanding;
            s.next_out += 1;
            return (TryRecv::Ready(r), was_full);
        }
        if let Some(e) = s.failure.take() {
            return (TryRecv::Ready(Err(Failed::Init(e))), false);
        }
        let drained = s.waiting.is_empty() && s.next_ticket == s.next_out;
        if s.stopped || (s.closed && drained) || s.alive == 0 {
            return (TryRecv::Done, false);
        }
        (TryRecv::Pending, false)
    }
}

/// The body of one worker of a [`Pool`], from [`Pool::worker`].
pub(crate) struct Worker<J, R, I, W> {
    shared: Arc<Shared<J, R>>,
    init: Option<I>,
    work: W,
}

impl<J, R, I, W> std::fmt::Debug for Worker<J, R, I, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Worker")
    }
}

impl<J, R, S, I, W> Worker<J, R, I, W>
where
    I: FnOnce() -> Result<S>,
    W: FnMut(&mut S, J) -> R,
{
    /// Builds the state and takes jobs until the pool closes or stops.
    pub(crate) fn run(mut self) {
        let Some(init) = self.init.take() else {
            return;
        };
        let sh = Arc::clone(&self.shared);
        let mut state = match catch_unwind(AssertUnwindSafe(init)) {
            Ok(Ok(state)) => state,
            failed => {
                let e = match failed {
                    Ok(Err(e)) => e,
                    _ => Error::new(ErrorKind::Io, "a worker panicked while starting"),
                };
                let mut s = sh.lock();
                s.failure.get_or_insert(e);
                s.stopped = true;
                let dropped = std::mem::take(&mut s.waiting);
                drop(s);
                sh.wake_all();
                drop(dropped);
                return;
            }
        };
        loop {
            let (ticket, job) = {
                let mut s = sh.lock();
                loop {
                    if s.stopped {
                        return;
                    }
                    let room = s.next_ticket - s.next_out < sh.max_outstanding;
                    if room && let Some(job) = s.waiting.pop_front() {
                        let t = s.next_ticket;
                        s.next_ticket += 1;
                        break (t, job);
                    }
                    if s.closed && s.waiting.is_empty() {
                        return;
                    }
                    s = sh.wait(&sh.work, s);
                }
            };
            sh.room.notify_one();
            let work = &mut self.work;
            let outcome = catch_unwind(AssertUnwindSafe(|| work(&mut state, job)));
            let panicked = outcome.is_err();
            {
                let mut s = sh.lock();
                s.completed += 1;
                if !s.stopped {
                    s.done.insert(ticket, outcome.map_err(|_| Failed::Panicked));
                }
            }
            sh.result.notify_all();
            if panicked {
                // Whatever the job left half done in the state stays
                // there: drop it (catching a second panic) and stop.
                let _ = catch_unwind(AssertUnwindSafe(move || drop(state)));
                return;
            }
        }
    }
}

impl<J, R, I, W> Drop for Worker<J, R, I, W> {
    /// Counts the worker out, whether it ran, returned or was never started.
    fn drop(&mut self) {
        self.shared.lock().alive -= 1;
        self.shared.wake_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Runs `f` on its own thread and fails the test if it takes longer
    /// than 30 s (a deadlock would otherwise hang the suite).
    fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(Duration::from_secs(30))
            .expect("the pool did not finish: deadlock")
    }

    fn ok<R: std::fmt::Debug>(r: Option<std::result::Result<R, Failed>>) -> R {
        r.expect("a result").expect("not failed")
    }

    #[test]
    fn results_in_order_with_state_per_worker() {
        let inits = AtomicUsize::new(0);
        let pool: Pool<u64, (u64, usize)> = Pool::new(2, 3);
        let got = std::thread::scope(|scope| {
            for _ in 0..3 {
                let w = pool.worker(
                    || Ok(inits.fetch_add(1, Ordering::SeqCst)),
                    |id: &mut usize, n: u64| {
                        // Uneven work so workers finish out of order.
                        if n.is_multiple_of(3) {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        (n * n, *id)
                    },
                );
                scope.spawn(move || w.run());
            }
            let producer = pool.clone();
            scope.spawn(move || {
                for n in 0..40 {
                    producer.submit(n).unwrap();
                }
                producer.close();
            });
            std::iter::from_fn(|| pool.recv().map(|r| r.unwrap())).collect::<Vec<_>>()
        });
        assert_eq!(
            got.iter().map(|r| r.0).collect::<Vec<_>>(),
            (0..40).map(|n| n * n).collect::<Vec<_>>()
        );
        // Each worker built its state once.
        assert_eq!(inits.load(Ordering::SeqCst), 3);
        assert!(got.iter().all(|r| r.1 < 3));
        assert_eq!(pool.completed(), 40);
        assert!(matches!(pool.try_recv(), TryRecv::Done));
    }

    #[test]
    fn replacing_the_oldest_leaves_no_hole() {
        let pool: Pool<u32, u32> = Pool::new(2, 1);
        // No worker yet: the queue fills and the oldest jobs make room.
        assert_eq!(pool.submit_replacing_oldest(1), Ok(None));
        assert_eq!(pool.submit_replacing_oldest(2), Ok(None));
        assert_eq!(pool.submit_replacing_oldest(3), Ok(Some(1)));
        assert_eq!(pool.submit_replacing_oldest(4), Ok(Some(2)));
        assert_eq!(pool.in_flight(), 2);
        pool.close();
        assert_eq!(pool.submit(5), Err(5));
        let w = pool.worker(|| Ok(()), |(), n| n * 10);
        let handle = std::thread::spawn(move || w.run());
        assert_eq!(ok(pool.recv()), 30);
        assert_eq!(ok(pool.recv()), 40);
        assert!(pool.recv().is_none());
        handle.join().unwrap();
    }

    #[test]
    fn bounded_ahead_of_the_consumer() {
        let pool: Pool<u32, u32> = Pool::new(1, 2);
        let w = pool.worker(|| Ok(()), |(), n| n);
        let handle = std::thread::spawn(move || w.run());
        for n in 0..3 {
            pool.submit(n).unwrap();
        }
        // Two done (the limit ahead of the consumer), one still queued.
        while pool.completed() < 2 {
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(pool.completed(), 2);
        assert_eq!(pool.in_flight(), 3);
        assert_eq!(ok(pool.recv()), 0);
        assert_eq!(ok(pool.recv()), 1);
        assert_eq!(ok(pool.recv()), 2);
        assert!(matches!(pool.try_recv(), TryRecv::Pending));
        pool.close();
        assert!(matches!(pool.try_recv(), TryRecv::Done));
        handle.join().unwrap();
    }

    #[test]
    fn a_panicking_job_is_reported_in_its_place() {
        let got = within(|| {
            let pool: Pool<u32, u32> = Pool::new(8, 8);
            let w = pool.worker(
                || Ok(()),
                |(), n| {
                    assert!(n != 2, "job bug");
                    n
                },
            );
            let handle = std::thread::spawn(move || w.run());
            for n in 0..6 {
                pool.submit(n).unwrap();
            }
            pool.close();
            let mut got = Vec::new();
            while let Some(r) = pool.recv() {
                got.push(r.map_err(|f| matches!(f, Failed::Panicked)));
            }
            handle.join().unwrap();
            got
        });
        // The only worker stopped after the panic: nothing waits for it.
        assert_eq!(got, [Ok(0), Ok(1), Err(true)]);
    }

    #[test]
    fn a_failing_init_stops_the_pool() {
        let (first, e) = within(|| {
            let pool: Pool<u32, u32> = Pool::new(8, 8);
            pool.submit(7).unwrap();
            let good = pool.worker(|| Ok(()), |(), n| n);
            let bad = pool.worker(
                || -> Result<()> { Err(Error::new(ErrorKind::InvalidArgument, "no encoder")) },
                |(), n| n,
            );
            // The failing worker starts first; the good one finds the pool stopped.
            std::thread::spawn(move || bad.run()).join().unwrap();
            std::thread::spawn(move || good.run()).join().unwrap();
            let first = match pool.recv() {
                Some(Err(Failed::Init(e))) => e.to_string(),
                other => format!("{other:?}"),
            };
            (first, pool.submit(8))
        });
        assert_eq!(first, "no encoder");
        assert_eq!(e, Err(8));
        let panicking = within(|| {
            let pool: Pool<u32, u32> = Pool::new(8, 8);
            let w = pool.worker(|| -> Result<()> { panic!("init bug") }, |(), n| n);
            std::thread::spawn(move || w.run()).join().unwrap();
            match pool.recv() {
                Some(Err(Failed::Init(e))) => (e.kind(), e.to_string()),
                other => panic!("{other:?}"),
            }
        });
        assert_eq!(
            panicking,
            (
                ErrorKind::Io,
                "a worker panicked while starting".to_string()
            )
        );
    }

    #[test]
    fn stop_releases_every_wait() {
        within(|| {
            let pool: Pool<u32, u32> = Pool::new(1, 1);
            let w = pool.worker(|| Ok(()), |(), n| n);
            let worker = std::thread::spawn(move || w.run());
            pool.submit(0).unwrap();
            pool.submit(1).unwrap();
            // The queue is full and the worker waits for the consumer: a
            // blocked producer is released by stop.
            let producer = pool.clone();
            let blocked = std::thread::spawn(move || producer.submit(2));
            std::thread::sleep(Duration::from_millis(20));
            pool.stop();
            assert_eq!(blocked.join().unwrap(), Err(2));
            worker.join().unwrap();
            assert!(pool.is_stopped());
            // The result done before the stop is still given; the queued
            // job was dropped.
            assert_eq!(ok(pool.recv()), 0);
            assert!(pool.recv().is_none());
        });
    }

    #[test]
    fn a_worker_never_started_is_not_waited_for() {
        within(|| {
            let pool: Pool<u32, u32> = Pool::new(4, 4);
            pool.submit(1).unwrap();
            let w = pool.worker(|| Ok(()), |(), n| n);
            drop(w); // as when a thread cannot be spawned
            assert!(pool.recv().is_none());
        });
    }
}
