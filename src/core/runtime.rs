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
