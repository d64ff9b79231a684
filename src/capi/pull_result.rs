//! `CPullResult.h`: the result of one pull, by value, owning the pulled messages until
//! `ReleasePullResult`.

use std::ffi::{c_int, c_longlong, c_void};

use super::message::CMessage;
use super::message_ext::CMessageExt;
use crate::core::pull::{PullResult, PullStatus};

/// `CPullStatus`: found 0, no new message 1, no matched message 2, offset illegal 3,
/// broker timeout (or any failure) 4.
pub type CPullStatus = c_int;

#[repr(C)]
pub struct CPullResult {
    pub pullStatus: CPullStatus,
    pub nextBeginOffset: c_longlong,
    pub minOffset: c_longlong,
    pub maxOffset: c_longlong,
    pub msgFoundList: *mut *mut CMessageExt,
    pub size: c_int,
    pub pData: *mut c_void,
}

/// What `pData` points to: the message handles `msgFoundList` refers to.
pub struct PulledMessages {
    handles: Vec<*mut CMessage>,
}

impl Drop for PulledMessages {
    fn drop(&mut self) {
        for h in self.handles.drain(..) {
            // SAFETY: each pointer came from Box::into_raw in `from_result` and is freed once.
            unsafe { CMessage::destroy(h) };
        }
    }
}

impl CPullResult {
    pub fn failed() -> Self {
        CPullResult {
            pullStatus: PullStatus::BrokerTimeout as c_int,
            nextBeginOffset: 0,
            minOffset: 0,
            maxOffset: 0,
            msgFoundList: std::ptr::null_mut(),
            size: 0,
            pData: std::ptr::null_mut(),
        }
    }

    /// Moves the messages into C handles; the list is `malloc`ed so that `free` could release it.
    pub fn from_result(r: PullResult) -> Self {
        let mut out = CPullResult {
            pullStatus: r.status as c_int,
            nextBeginOffset: r.next_begin_offset,
            minOffset: r.min_offset,
            maxOffset: r.max_offset,
            ..CPullResult::failed()
        };
        if r.messages.is_empty() {
            return out;
        }
        let n = r.messages.len();
        // SAFETY: malloc of n pointers; checked for NULL below.
        let list = unsafe { libc::malloc(n * std::mem::size_of::<*mut CMessageExt>()) } as *mut *mut CMessageExt;
        if list.is_null() {
            out.pullStatus = PullStatus::BrokerTimeout as c_int;
            return out;
        }
        let handles: Vec<*mut CMessage> = r.messages.into_iter().map(|m| Box::into_raw(CMessage::from_ext(m))).collect();
        for (i, h) in handles.iter().enumerate() {
            // SAFETY: `list` has room for n pointers.
            unsafe { *list.add(i) = *h as *mut CMessageExt };
        }
        out.msgFoundList = list;
        out.size = n as c_int;
        out.pData = Box::into_raw(Box::new(PulledMessages { handles })) as *mut c_void;
        out
    }

    /// Frees what `from_result` allocated; false when there was nothing to free.
    ///
    /// # Safety
    /// The fields are as `from_result` left them, and this runs once per result.
    pub unsafe fn release(&self) -> bool {
        if self.size == 0 || self.msgFoundList.is_null() || self.pData.is_null() {
            return false;
        }
        drop(Box::from_raw(self.pData as *mut PulledMessages));
        libc::free(self.msgFoundList as *mut c_void);
        true
    }
}
