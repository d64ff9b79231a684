//! The consume threads of one push consumer: OS threads of ours that run host callbacks (never
//! an I/O thread), sized by `SetPushConsumerThreadCount`.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::core::runtime::{spawn_raw_thread, RawThread};

type Job = Box<dyn FnOnce() + Send>;

static NEXT_POOL: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static CURRENT_POOL: Cell<u64> = const { Cell::new(0) };
}

/// The queue and its bookkeeping under one lock, which no thread holds while it waits or runs a
/// job (a `Mutex<Receiver>` held across `recv()` made idle threads fight over it).
#[derive(Default)]
struct State {
    jobs: VecDeque<Job>,
    /// Queued plus running jobs.
    pending: usize,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// A job was queued, or the pool closed.
    work: Condvar,
    /// `pending` reached 0.
    idle: Condvar,
}

pub struct ConsumePool {
    id: u64,
    shared: Arc<Shared>,
    threads: Mutex<Vec<RawThread>>,
}

impl ConsumePool {
    pub fn start(name: &str, threads: usize) -> std::io::Result<ConsumePool> {
        prime_unwinder();
        let id = NEXT_POOL.fetch_add(1, Ordering::Relaxed);
        let shared = Arc::new(Shared::default());
        let mut handles = Vec::new();
        for i in 0..threads.max(1) {
            let shared = shared.clone();
            // Raw threads: host code may end them with pthread_exit (see RawThread).
            handles.push(spawn_raw_thread(&format!("{name}-{i}"), Box::new(move || {
                CURRENT_POOL.with(|c| c.set(id));
                let mut state = shared.state.lock().unwrap();
                loop {
                    let Some(job) = state.jobs.pop_front() else {
                        if state.closed {
                            return;
                        }
                        state = shared.work.wait(state).unwrap();
                        continue;
                    };
                    drop(state);
                    // No panic guard around the job: host code in it may end this thread with a
                    // forced unwind (pthread_exit), which a guard here would turn into an abort.
                    // Jobs guard their own work around the host call instead.
                    job();
                    state = shared.state.lock().unwrap();
                    state.pending -= 1;
                    if state.pending == 0 {
                        shared.idle.notify_all();
                    }
                }
            }))?);
        }
        Ok(ConsumePool { id, shared, threads: Mutex::new(handles) })
    }

    /// Queues a job; false once the pool is closed.
    pub fn submit(&self, job: Job) -> bool {
        let mut state = self.shared.state.lock().unwrap();
        if state.closed {
            return false;
        }
        state.jobs.push_back(job);
        state.pending += 1;
        drop(state);
        self.shared.work.notify_one();
        true
    }

    /// True on one of this pool's threads (a host callback is running there).
    pub fn is_current_thread(&self) -> bool {
        CURRENT_POOL.with(|c| c.get()) == self.id
    }

    /// Waits until every queued job has finished; false after `timeout`.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.state.lock().unwrap();
        while state.pending > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self.shared.idle.wait_timeout(state, left).unwrap().0;
        }
        true
    }

    /// Stops taking jobs and joins the threads once the queued ones have run (bounded).
    pub fn close(&self, timeout: Duration) {
        self.shared.state.lock().unwrap().closed = true;
        self.shared.work.notify_all();
        if self.wait_idle(timeout) {
            for h in self.threads.lock().unwrap().drain(..) {
                h.join();
            }
        }
    }
}

/// Our unwinder is a static copy (libgcc_eh, so that the library needs no libgcc_s). When host
/// code ends one of our threads with `pthread_exit`, glibc unwinds with the system's libgcc_s,
/// and our frames' personality routine then calls into our copy, whose register table is only
/// filled on its own first unwind; unfilled, it aborts the process. One backtrace through our
/// copy fills it.
fn prime_unwinder() {
    static PRIMED: std::sync::Once = std::sync::Once::new();
    PRIMED.call_once(|| {
        let _ = std::backtrace::Backtrace::force_capture();
    });
}
