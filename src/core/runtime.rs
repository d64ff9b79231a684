//! The process-wide tokio runtime: started at the first `Start*`, never at load time, shut down
//! when the last client lets go of it, and replaced (not joined) in a forked child, whose copy of
//! the parent's runtime has no threads.
//!
//! Every started client holds a [`Lease`]. When the last lease goes, the runtime is retired: it
//! cannot be shut down right there (the lease may be dropped inside the runtime, e.g. at the end
//! of a shutdown that runs in `block_on`), so [`reap_retired`] does it when the library returns to
//! the host (the C boundary calls it after every export). Reaping also ends the callback thread
//! and closes the log file: with every handle destroyed, nothing of the library is left running
//! or open, and the next `Start*` brings it all back.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use once_cell::sync::Lazy;
use tokio::runtime::{Handle, Runtime};

use super::error::{Error, Result};

struct Owned {
    pid: u32,
    runtime: Runtime,
    /// Live [`Lease`]s of this runtime.
    leases: usize,
}

static RUNTIME: Lazy<Mutex<Option<Owned>>> = Lazy::new(|| Mutex::new(None));

/// Runtimes whose last lease is gone, waiting for [`reap_retired`].
static RETIRED: Lazy<Mutex<Vec<Runtime>>> = Lazy::new(|| Mutex::new(Vec::new()));
static ANY_RETIRED: AtomicBool = AtomicBool::new(false);

/// How long a retired runtime's tasks get to finish before its threads are abandoned.
const SHUTDOWN_BOUND: Duration = Duration::from_secs(5);

/// Number of I/O worker threads; `ROCKETMQ_IO_THREADS` overrides the default of 1.
fn worker_threads() -> usize {
    std::env::var("ROCKETMQ_IO_THREADS").ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(1)
}

fn lock_runtime() -> std::sync::MutexGuard<'static, Option<Owned>> {
    RUNTIME.lock().unwrap_or_else(|p| p.into_inner())
}

/// The runtime of this process, started if there is none.
fn ensure(guard: &mut Option<Owned>) -> Result<&mut Owned> {
    let pid = std::process::id();
    if guard.as_ref().is_some_and(|owned| owned.pid != pid) {
        // Forked child: the parent's worker threads do not exist here, so dropping the runtime
        // would wait for them forever. Leak it and start afresh.
        if let Some(stale) = guard.take() {
            std::mem::forget(stale);
        }
    }
    if guard.is_none() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(worker_threads())
            .max_blocking_threads(1)
            .thread_name("rocketmq-io")
            .on_thread_start(block_sigpipe)
            .enable_all()
            .build()
            .map_err(|e| Error::state(format!("cannot start the I/O runtime: {e}")))?;
        *guard = Some(Owned { pid, runtime, leases: 0 });
    }
    Ok(guard.as_mut().expect("set above"))
}

/// The runtime handle, starting the runtime if needed. A runtime started here with no lease
/// taken afterwards is retired by the next lease that ends (or the next `block_on`).
pub fn handle() -> Result<Handle> {
    let mut guard = lock_runtime();
    Ok(ensure(&mut guard)?.runtime.handle().clone())
}

/// Keeps the runtime running while it lives: one per started client.
#[must_use]
pub struct Lease {
    pid: u32,
}

pub fn lease() -> Result<Lease> {
    let mut guard = lock_runtime();
    ensure(&mut guard)?.leases += 1;
    Ok(Lease { pid: std::process::id() })
}

impl Drop for Lease {
    fn drop(&mut self) {
        let mut guard = lock_runtime();
        let Some(owned) = guard.as_mut() else { return };
        if owned.pid != self.pid {
            return; // taken in the parent of this forked process
        }
        owned.leases = owned.leases.saturating_sub(1);
        if owned.leases == 0 {
            if let Some(owned) = guard.take() {
                RETIRED.lock().unwrap_or_else(|p| p.into_inner()).push(owned.runtime);
                ANY_RETIRED.store(true, Ordering::Release);
            }
        }
    }
}

/// Shuts down the runtimes retired since the last call, then, when no runtime is left, ends the
/// callback thread and closes the log file. Cheap when there is nothing to do; does nothing
/// inside a runtime (a later call, outside, does it).
pub fn reap_retired() {
    if !ANY_RETIRED.load(Ordering::Acquire) || Handle::try_current().is_ok() {
        return;
    }
    ANY_RETIRED.store(false, Ordering::Release);
    let retired = std::mem::take(&mut *RETIRED.lock().unwrap_or_else(|p| p.into_inner()));
    for runtime in retired {
        runtime.shutdown_timeout(SHUTDOWN_BOUND);
    }
    if lock_runtime().is_none() {
        super::callbacks::stop();
        super::log::close();
    }
}

/// Runs `fut` to completion on the calling (host) thread, with the runtime driving I/O.
/// Holds a lease meanwhile, so that a call made with no client running (e.g. a name server
/// domain lookup before the client exists) leaves no runtime behind.
pub fn block_on<F: std::future::Future>(fut: F) -> Result<F::Output> {
    if Handle::try_current().is_ok() {
        return Err(Error::state("blocking call made from a library I/O thread"));
    }
    let lease = lease()?;
    let output = handle()?.block_on(fut);
    drop(lease);
    Ok(output)
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

/// A thread made with `pthread_create` directly, for threads that call host code which may end
/// the thread with a forced unwind: Python ends foreign threads with `pthread_exit` when they
/// call into an interpreter that is shutting down. Unwinding through std's thread entry aborts
/// the process ("exception not rethrown"); through this entry (and `C-unwind` callback types)
/// the thread just ends and the process exits cleanly.
pub struct RawThread {
    id: libc::pthread_t,
}

extern "C-unwind" fn raw_thread_start(arg: *mut libc::c_void) -> *mut libc::c_void {
    // SAFETY: `arg` is the Box leaked by `spawn_raw_thread`, taken back exactly once.
    let f = unsafe { Box::from_raw(arg as *mut Box<dyn FnOnce() + Send>) };
    block_sigpipe();
    f();
    std::ptr::null_mut()
}

pub fn spawn_raw_thread(name: &str, f: Box<dyn FnOnce() + Send>) -> std::io::Result<RawThread> {
    let arg = Box::into_raw(Box::new(f)) as *mut libc::c_void;
    // SAFETY: plain pthread calls; on failure the argument is reclaimed here.
    unsafe {
        let mut id: libc::pthread_t = std::mem::zeroed();
        let start: extern "C-unwind" fn(*mut libc::c_void) -> *mut libc::c_void = raw_thread_start;
        let rc = libc::pthread_create(&mut id, std::ptr::null(), std::mem::transmute::<
            extern "C-unwind" fn(*mut libc::c_void) -> *mut libc::c_void,
            extern "C" fn(*mut libc::c_void) -> *mut libc::c_void,
        >(start), arg);
        if rc != 0 {
            drop(Box::from_raw(arg as *mut Box<dyn FnOnce() + Send>));
            return Err(std::io::Error::from_raw_os_error(rc));
        }
        let cname = std::ffi::CString::new(name.chars().take(15).collect::<String>()).unwrap_or_default();
        libc::pthread_setname_np(id, cname.as_ptr());
        Ok(RawThread { id })
    }
}

impl RawThread {
    pub fn join(self) {
        // SAFETY: a thread we created and join once.
        unsafe {
            libc::pthread_join(self.id, std::ptr::null_mut());
        }
    }
}
