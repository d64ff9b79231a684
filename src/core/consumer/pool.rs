//! The consume threads of one push consumer: OS threads of ours that run host callbacks (never
//! an I/O thread), sized by `SetPushConsumerThreadCount`.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::core::runtime::{spawn_raw_thread, RawThread};

type Job = Box<dyn FnOnce() + Send>;

static NEXT_POOL: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static CURRENT_POOL: Cell<u64> = const { Cell::new(0) };
}

#[derive(Default)]
struct Pending {
    count: Mutex<usize>,
    idle: Condvar,
}

pub struct ConsumePool {
    id: u64,
    tx: Mutex<Option<Sender<Job>>>,
    threads: Mutex<Vec<RawThread>>,
    pending: Arc<Pending>,
}

impl ConsumePool {
    pub fn start(name: &str, threads: usize) -> std::io::Result<ConsumePool> {
        prime_unwinder();
        let id = NEXT_POOL.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let pending = Arc::new(Pending::default());
        let mut handles = Vec::new();
        for i in 0..threads.max(1) {
            let rx: Arc<Mutex<Receiver<Job>>> = rx.clone();
            let pending = pending.clone();
            // Raw threads: host code may end them with pthread_exit (see RawThread).
            handles.push(spawn_raw_thread(&format!("{name}-{i}"), Box::new(move || {
                CURRENT_POOL.with(|c| c.set(id));
                loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    // No panic guard around the job: host code in it may end this thread with a
                    // forced unwind (pthread_exit), which a guard here would turn into an abort.
                    // Jobs guard their own work around the host call instead.
                    job();
                    let mut n = pending.count.lock().unwrap();
                    *n -= 1;
                    if *n == 0 {
                        pending.idle.notify_all();
                    }
                }
            }))?);
        }
        Ok(ConsumePool { id, tx: Mutex::new(Some(tx)), threads: Mutex::new(handles), pending })
    }

    /// Queues a job; false once the pool is closed.
    pub fn submit(&self, job: Job) -> bool {
        let tx = self.tx.lock().unwrap();
        let Some(tx) = tx.as_ref() else { return false };
        *self.pending.count.lock().unwrap() += 1;
        if tx.send(job).is_err() {
            *self.pending.count.lock().unwrap() -= 1;
            return false;
        }
        true
    }

    /// True on one of this pool's threads (a host callback is running there).
    pub fn is_current_thread(&self) -> bool {
        CURRENT_POOL.with(|c| c.get()) == self.id
    }

    /// Waits until every queued job has finished; false after `timeout`.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut n = self.pending.count.lock().unwrap();
        while *n > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            n = self.pending.idle.wait_timeout(n, left).unwrap().0;
        }
        true
    }

    /// Stops taking jobs and joins the threads once the queued ones have run (bounded).
    pub fn close(&self, timeout: Duration) {
        self.tx.lock().unwrap().take();
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
