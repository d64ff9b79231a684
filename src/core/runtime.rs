//! The process-wide tokio runtime: started at the first `Start*`, never at load time, and
//! replaced (not joined) in a forked child, whose copy of the parent's runtime has no threads.

use std::sync::Mutex;

use once_cell::sync::Lazy;
use tokio::runtime::{Handle, Runtime};

use super::error::{Error, Result};

struct Owned {
    pid: u32,
    runtime: Runtime,
}

static RUNTIME: Lazy<Mutex<Option<Owned>>> = Lazy::new(|| Mutex::new(None));

/// Number of I/O worker threads; `ROCKETMQ_IO_THREADS` overrides the default of 1.
fn worker_threads() -> usize {
    std::env::var("ROCKETMQ_IO_THREADS").ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(1)
}

/// The runtime handle, starting the runtime if needed.
pub fn handle() -> Result<Handle> {
    let mut guard = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    let pid = std::process::id();
    if let Some(owned) = guard.as_ref() {
        if owned.pid == pid {
            return Ok(owned.runtime.handle().clone());
        }
        // Forked child: the parent's worker threads do not exist here, so dropping the runtime
        // would wait for them forever. Leak it and start afresh.
        if let Some(stale) = guard.take() {
            std::mem::forget(stale);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(worker_threads())
        .max_blocking_threads(1)
        .thread_name("rocketmq-io")
        .on_thread_start(block_sigpipe)
        .enable_all()
        .build()
        .map_err(|e| Error::state(format!("cannot start the I/O runtime: {e}")))?;
    let handle = runtime.handle().clone();
    *guard = Some(Owned { pid, runtime });
    Ok(handle)
}

/// Runs `fut` to completion on the calling (host) thread, with the runtime driving I/O.
pub fn block_on<F: std::future::Future>(fut: F) -> Result<F::Output> {
    let handle = handle()?;
    if Handle::try_current().is_ok() {
        return Err(Error::state("blocking call made from a library I/O thread"));
    }
    Ok(handle.block_on(fut))
}

/// Our threads never take SIGPIPE: a peer closing a socket must not kill the host process.
fn block_sigpipe() {
    // SAFETY: plain libc signal-mask calls on the current thread with valid pointers.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Spawns a dedicated OS thread of ours (for host callbacks), SIGPIPE blocked.
pub fn spawn_thread<F: FnOnce() + Send + 'static>(name: &str, f: F) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name(name.to_string()).spawn(move || {
        block_sigpipe();
        f()
    })
}
