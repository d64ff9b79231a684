//! The thread that runs host callbacks of asynchronous sends. Host code never runs on an I/O
//! thread (a slow callback must not stall the network) and never while we hold a lock.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Duration;
use std::sync::Mutex;

use once_cell::sync::Lazy;

use super::runtime::spawn_thread;

type Job = Box<dyn FnOnce() + Send>;

struct Dispatcher {
    pid: u32,
    tx: Sender<Job>,
    thread: std::thread::JoinHandle<()>,
    /// Receives once the thread has run its last job.
    finished: Receiver<()>,
}

/// How long `stop` waits for callbacks still queued or running.
const STOP_BOUND: Duration = Duration::from_secs(10);

static DISPATCHER: Lazy<Mutex<Option<Dispatcher>>> = Lazy::new(|| Mutex::new(None));

/// Queues `job` for the callback thread, starting that thread on first use (and again in a
/// forked child, where the parent's thread does not exist).
pub fn dispatch(job: Job) {
    let mut guard = DISPATCHER.lock().unwrap_or_else(|e| e.into_inner());
    let pid = std::process::id();
    if guard.as_ref().is_none_or(|d| d.pid != pid) {
        let (tx, rx) = channel::<Job>();
        let (finished_tx, finished) = channel::<()>();
        let spawned = spawn_thread("rocketmq-callback", move || {
            for job in rx {
                // A panic in one job (ours; host code cannot unwind into Rust) must not end the thread.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
            let _ = finished_tx.send(());
        });
        let Ok(thread) = spawned else {
            drop(guard);
            // No thread to be had: run it here rather than lose the callback.
            job();
            return;
        };
        if let Some(stale) = guard.take() {
            std::mem::forget(stale); // a forked parent's: its thread does not exist here
        }
        *guard = Some(Dispatcher { pid, tx, thread, finished });
    }
    let tx = guard.as_ref().map(|d| d.tx.clone());
    drop(guard);
    if let Some(tx) = tx {
        if let Err(e) = tx.send(job) {
            (e.0)();
        }
    }
}

/// Ends the callback thread once it has run the callbacks queued so far (a later `dispatch`
/// starts a new one). Waits for it, at most `STOP_BOUND`, unless called on that thread itself
/// (a callback that destroys the last client).
pub fn stop() {
    let dispatcher = DISPATCHER.lock().unwrap_or_else(|e| e.into_inner()).take();
    let Some(Dispatcher { pid, tx, thread, finished }) = dispatcher else { return };
    if pid != std::process::id() {
        std::mem::forget((tx, thread, finished));
        return;
    }
    drop(tx);
    if thread.thread().id() == std::thread::current().id() {
        return;
    }
    if finished.recv_timeout(STOP_BOUND).is_ok() {
        let _ = thread.join();
    }
}
