//! `CBatchMessage.h`: a list of messages sent in one request.

use std::ffi::c_int;
use std::sync::Mutex;

use super::common::status::{NULL_POINTER, OK};
use super::message::CMessage;
use super::{entry, fail, non_null};
use crate::core::message::Message;

/// Opaque to C: `typedef struct CBatchMessage CBatchMessage;`.
pub struct CBatchMessage {
    pub messages: Mutex<Vec<Message>>,
}

#[no_mangle]
pub extern "C" fn CreateBatchMessage() -> *mut CBatchMessage {
    entry("CreateBatchMessage", std::ptr::null_mut(), || {
        Ok(Box::into_raw(Box::new(CBatchMessage { messages: Mutex::new(Vec::new()) })))
    })
}

/// Appends a copy: later changes to `msg` do not affect the batch; the caller still owns `msg`.
#[no_mangle]
pub extern "C" fn AddMessage(batchMsg: *mut CBatchMessage, msg: *mut CMessage) -> c_int {
    entry("AddMessage", NULL_POINTER, || {
        non_null(batchMsg, "batchMsg", "AddMessage", NULL_POINTER)?;
        // SAFETY: NULL or a live message handle.
        let Some(m) = (unsafe { CMessage::from_ptr(msg) }) else {
            return Err(fail(NULL_POINTER, "AddMessage: argument `msg` is NULL or not a live message"));
        };
        let copy = m.lock().message().clone();
        // SAFETY: a live batch handle from CreateBatchMessage.
        let batch = unsafe { &*batchMsg };
        batch.messages.lock().unwrap_or_else(|e| e.into_inner()).push(copy);
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn DestroyBatchMessage(batchMsg: *mut CBatchMessage) -> c_int {
    entry("DestroyBatchMessage", NULL_POINTER, || {
        non_null(batchMsg, "batchMsg", "DestroyBatchMessage", NULL_POINTER)?;
        // SAFETY: a handle from CreateBatchMessage, destroyed once.
        drop(unsafe { Box::from_raw(batchMsg) });
        Ok(OK)
    })
}
