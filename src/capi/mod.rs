//! The C API of rocketmq-client-cpp 2.2.0: one module per C header. This is the only place with
//! `extern "C"`, raw pointers and C strings.
//!
//! Every exported function runs its body through [`entry`]: panics are caught, NULL arguments
//! and failures become the 2.2.0 status code of that function, and the reason is stored for
//! `GetLatestErrorMessage()`.

// Names follow the C headers (parameter and field names included) so that the generated header
// matches 2.2.0 word for word.
#![allow(non_snake_case, non_camel_case_types)]

pub mod batch_message;
pub mod client_settings;
pub mod common;
pub mod error_message;
pub mod message;
pub mod message_ext;
pub mod message_queue;
pub mod mq_exception;
pub mod producer;
pub mod pull_consumer;
pub mod pull_result;
pub mod push_consumer;
pub mod python_host;
pub mod send_result;
pub mod transaction_status;

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub use error_message::set_last_error;

/// Why an exported function fails: the value it returns and the text for the host.
pub struct Failure<T> {
    pub value: T,
    pub text: String,
}

pub type Outcome<T> = Result<T, Failure<T>>;

pub fn fail<T>(value: T, text: impl Into<String>) -> Failure<T> {
    Failure { value, text: text.into() }
}

/// The boundary every exported function goes through.
///
/// On the way out it also shuts down a runtime that the last client let go of during the call
/// (`core::runtime::reap_retired`: one atomic load when there is none).
pub fn entry<T>(function: &'static str, on_panic: T, body: impl FnOnce() -> Outcome<T>) -> T {
    let outcome = catch_unwind(AssertUnwindSafe(body));
    let _ = catch_unwind(crate::core::runtime::reap_retired);
    match outcome {
        Ok(Ok(v)) => v,
        Ok(Err(f)) => {
            set_last_error(&f.text);
            crate::core::log::debug(&format!("{function}: {}", f.text));
            f.value
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let text = format!("internal error in {function}: {what}");
            crate::core::log::error(&text);
            set_last_error(&text);
            on_panic
        }
    }
}

/// Fails with `value` when `ptr` is NULL.
pub fn non_null<P, T>(ptr: *const P, name: &str, function: &str, value: T) -> Result<(), Failure<T>> {
    if ptr.is_null() {
        Err(fail(value, format!("{function}: argument `{name}` is NULL")))
    } else {
        Ok(())
    }
}

/// The C string as Rust text (invalid UTF-8 replaced), or a failure when NULL.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub unsafe fn c_str<T>(ptr: *const c_char, name: &str, function: &str, value: T) -> Result<String, Failure<T>> {
    non_null(ptr, name, function, value)?;
    Ok(CStr::from_ptr(ptr).to_string_lossy().into_owned())
}

/// Copies `text` into a fixed C buffer, truncated to `buf.len() - 1` bytes and NUL-terminated.
pub fn copy_to_buf(text: &str, buf: &mut [c_char]) {
    let n = text.len().min(buf.len().saturating_sub(1));
    for (dst, src) in buf.iter_mut().zip(text.as_bytes()[..n].iter()) {
        *dst = *src as c_char;
    }
    if let Some(end) = buf.get_mut(n) {
        *end = 0;
    }
}

/// Fills the stack just below this frame with non-zero bytes before a host callback runs. A
/// Python callback that raises returns nothing: ctypes then leaves the return slot in its libffi
/// frame unwritten, and we read whatever that stack memory held. Painted, it reads as non-zero,
/// "consume again later", so such a message is redelivered instead of lost.
#[inline(never)]
pub fn paint_stack() {
    let mut area = [0x01u8; 4096];
    std::hint::black_box(&mut area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_catches_panics_and_sets_the_error_text() {
        let v = entry("TestFunction", 10, || -> Outcome<i32> { panic!("boom") });
        assert_eq!(v, 10);
        // SAFETY: GetLatestErrorMessage returns a valid NUL-terminated string.
        let text = unsafe { CStr::from_ptr(error_message::GetLatestErrorMessage()) }.to_str().unwrap();
        assert_eq!(text, "internal error in TestFunction: boom");
    }

    #[test]
    fn failures_keep_their_code_and_text() {
        assert_eq!(entry("F", 99, || Err(fail(13, "no route"))), 13);
        // SAFETY: as above.
        let text = unsafe { CStr::from_ptr(error_message::GetLatestErrorMessage()) }.to_str().unwrap();
        assert_eq!(text, "no route");
        assert_eq!(entry("F", 99, || Ok(0)), 0);
    }

    #[test]
    fn copy_to_buf_truncates_and_terminates() {
        let mut buf = [1 as c_char; 4];
        copy_to_buf("abcdef", &mut buf);
        assert_eq!(buf, [b'a' as c_char, b'b' as c_char, b'c' as c_char, 0]);
    }
}
