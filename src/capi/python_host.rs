//! When the host is a Python interpreter (ctypes callbacks, e.g. rocketmq-client-python 2.0.0 or
//! bindings/python): what a thread of ours does before it calls into the host.
//!
//! Everything is looked up in the running process with `dlsym`; C and Go hosts have none of these
//! symbols, and nothing here does anything for them. The library never links against Python.

use std::cell::RefCell;
use std::ffi::{c_int, c_void, CStr};

use once_cell::sync::OnceCell;

/// Before every host callback from a thread of ours (never from a host thread).
///
/// 1. A Python interpreter that is finalizing (the script ended without shutting the client
///    down): this thread stops here for good instead of calling in. Once Python's runtime state
///    is torn down, a ctypes callback entered from a foreign thread crashes the process; while it
///    is still there, the thread is ended with `pthread_exit` (harmless, see `pool`). Parking also
///    leaves the message uncommitted, so the broker delivers it again to the group. The probe is
///    `Py_IsInitialized` (0 from the start of finalization) and `Py_IsFinalizing` /
///    `_Py_IsFinalizing`.
/// 2. Otherwise this thread keeps one Python thread state for its whole life (`keep_thread_state`).
pub fn before_host_callback() {
    if finalizing() {
        loop {
            std::thread::park();
        }
    }
    keep_thread_state();
}

type IntFn = unsafe extern "C" fn() -> c_int;
type ReleaseFn = unsafe extern "C" fn(c_int);
type SaveFn = unsafe extern "C" fn() -> *mut c_void;
type RestoreFn = unsafe extern "C" fn(*mut c_void);

/// The parts of CPython's C API used here, found in the running process.
struct Python {
    initialized: Option<IntFn>,
    finalizing: Option<IntFn>,
    /// PyGILState_Ensure, PyGILState_Release, PyEval_SaveThread, PyEval_RestoreThread
    thread_state: Option<(IntFn, ReleaseFn, SaveFn, RestoreFn)>,
}

fn python() -> &'static Python {
    fn lookup(name: &CStr) -> *mut c_void {
        // SAFETY: dlsym with a NUL-terminated name.
        unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) }
    }
    fn function<F: Copy>(name: &CStr) -> Option<F> {
        let p = lookup(name);
        // SAFETY: a found symbol of these names is the CPython function of the signature F the
        // caller names (the types above follow CPython's declarations).
        (!p.is_null()).then(|| unsafe { std::mem::transmute_copy::<*mut c_void, F>(&p) })
    }
    static PYTHON: OnceCell<Python> = OnceCell::new();
    PYTHON.get_or_init(|| Python {
        initialized: function(c"Py_IsInitialized"),
        finalizing: function(c"Py_IsFinalizing").or_else(|| function(c"_Py_IsFinalizing")),
        thread_state: (|| {
            Some((
                function::<IntFn>(c"PyGILState_Ensure")?,
                function::<ReleaseFn>(c"PyGILState_Release")?,
                function::<SaveFn>(c"PyEval_SaveThread")?,
                function::<RestoreFn>(c"PyEval_RestoreThread")?,
            ))
        })(),
    })
}

/// Whether the host is a Python interpreter that is finalizing (or not initialized).
pub fn finalizing() -> bool {
    let python = python();
    // SAFETY: both read a flag of the interpreter's runtime state; callable at any time.
    unsafe {
        python.initialized.is_some_and(|f| f() == 0) || python.finalizing.is_some_and(|f| f() != 0)
    }
}

/// A ctypes callback entered from a thread Python did not start makes a Python thread state on
/// entry and deletes it on return (`PyGILState_Ensure` / `PyGILState_Release` with nothing left
/// on the thread), which costs an mmap and munmap of its frame stack per call: about 20 µs per
/// consumed message, most of what consuming in Python cost. So the first time a thread of ours
/// calls into Python it makes one thread state itself (Ensure, then give the GIL back with
/// `PyEval_SaveThread`): the callbacks' own Ensure / Release then only take and drop the GIL. The
/// thread state goes when the thread ends (`Kept`'s drop), unless the interpreter is finalizing
/// by then (it frees every thread state itself).
fn keep_thread_state() {
    let Some(api) = python().thread_state else { return };
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        if kept.is_none() {
            // SAFETY: called on a thread of ours that holds no GIL and has no thread state yet
            // (none of ours ever made one before); Ensure makes one and takes the GIL, SaveThread
            // releases the GIL and returns that thread state.
            let gil_state = unsafe { (api.0)() };
            let thread_state = unsafe { (api.2)() };
            *kept = Some(Kept { gil_state, thread_state });
        }
    });
}

struct Kept {
    gil_state: c_int,
    thread_state: *mut c_void,
}

impl Drop for Kept {
    fn drop(&mut self) {
        let Some(api) = python().thread_state else { return };
        if finalizing() {
            return;
        }
        // SAFETY: the thread state this thread made in keep_thread_state and still owns; take
        // the GIL with it, then the matching Release deletes it and drops the GIL.
        unsafe {
            (api.3)(self.thread_state);
            (api.1)(self.gil_state);
        }
    }
}

thread_local! {
    static KEPT: RefCell<Option<Kept>> = const { RefCell::new(None) };
}
