//! The thread that runs host callbacks of asynchronous sends. Host code never runs on an I/O
//! thread (a slow callback must not stall the network) and never while we hold a lock.

use std::sync::mpsc::{channel, Sender};
use std::sync::Mutex;

use once_cell::sync::Lazy;

use super::runtime::spawn_thread;

type Job = Box<dyn FnOnce() + Send>;

struct Dispatcher {
    pid: u32,
    tx: Sender<Job>,
}

static DISPATCHER: Lazy<Mutex<Option<Dispatcher>>> = Lazy::new(|| Mutex::new(None));

/// Queues `job` for the callback thread, starting that thread on first use (and again in a
/// forked child, where the parent's thread does not exist).
pub fn dispatch(job: Job) {
    let mut guard = DISPATCHER.lock().unwrap_or_else(|e| e.into_inner());
    let pid = std::process::id();
    if guard.as_ref().is_none_or(|d| d.pid != pid) {
        let (tx, rx) = channel::<Job>();
        let spawned = spawn_thread("rocketmq-callback", move || {
            for job in rx {
                // A panic in one job (ours; host code cannot unwind into Rust) must not end the thread.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
        });
        if spawned.is_err() {
            drop(guard);
            // No thread to be had: run it here rather than lose the callback.
            job();
            return;
        }
        *guard = Some(Dispatcher { pid, tx });
    }
    let tx = guard.as_ref().map(|d| d.tx.clone());
    drop(guard);
    if let Some(tx) = tx {
        if let Err(e) = tx.send(job) {
            (e.0)();
        }
    }
}
