//! `CErrorMessage.h`: the calling thread's latest error text.

use std::cell::RefCell;
use std::ffi::{c_char, CString};

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Stores `text` as this thread's latest error (interior NULs are dropped).
pub fn set_last_error(text: &str) {
    let c = CString::new(text.replace('\0', "")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = c);
}

/// The latest error text of the calling thread: never NULL, `""` before the first error, valid
/// until the next error on this thread.
#[no_mangle]
pub extern "C" fn GetLatestErrorMessage() -> *const c_char {
    std::panic::catch_unwind(|| LAST_ERROR.with(|e| e.borrow().as_ptr())).unwrap_or(c"".as_ptr())
}
