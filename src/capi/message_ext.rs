//! `CMessageExt.h`: getters of messages handed out by the library (consumed, pulled, checked
//! back). They also accept a `CMessage*`; fields only a stored message has are then 0 or `""`.

use std::ffi::{c_char, c_int, c_longlong};

use super::message::{with_message, CMessage, MessageData};
use super::{c_str, entry};
use crate::core::message::{prop, MessageExt};

/// Opaque to C: `typedef struct CMessageExt CMessageExt;`. Shares the layout of [`CMessage`].
#[repr(transparent)]
pub struct CMessageExt(CMessage);

fn as_msg(p: *mut CMessageExt) -> *const CMessage {
    p as *const CMessage
}

/// 2.2.0 returned 1 (`NULL_POINTER`) from numeric getters given NULL.
const NUMERIC_NULL: c_int = 1;

fn ext_number<T: Copy>(function: &'static str, msg: *mut CMessageExt, null_value: T, absent: T, f: impl FnOnce(&MessageExt) -> T) -> T {
    with_message(function, as_msg(msg), null_value, |d| d.ext.as_deref().map_or(absent, f))
}

fn text(function: &'static str, msg: *mut CMessageExt, f: impl FnOnce(&mut MessageData) -> *const c_char) -> *const c_char {
    with_message(function, as_msg(msg), std::ptr::null(), f)
}

#[no_mangle]
pub extern "C" fn GetMessageTopic(msg: *mut CMessageExt) -> *const c_char {
    text("GetMessageTopic", msg, |d| {
        let t = d.message.topic.clone();
        d.c_text("topic", &t)
    })
}

#[no_mangle]
pub extern "C" fn GetMessageTags(msg: *mut CMessageExt) -> *const c_char {
    text("GetMessageTags", msg, |d| d.c_property(prop::TAGS))
}

#[no_mangle]
pub extern "C" fn GetMessageKeys(msg: *mut CMessageExt) -> *const c_char {
    text("GetMessageKeys", msg, |d| d.c_property(prop::KEYS))
}

#[no_mangle]
pub extern "C" fn GetMessageBody(msg: *mut CMessageExt) -> *const c_char {
    text("GetMessageBody", msg, MessageData::c_body)
}

/// Not in 2.2.0: the (decompressed) body length. -1 for NULL.
#[no_mangle]
pub extern "C" fn GetMessageBodyLength(msg: *mut CMessageExt) -> c_int {
    with_message("GetMessageBodyLength", as_msg(msg), -1, |d| d.message.body.len() as c_int)
}

#[no_mangle]
pub extern "C" fn GetMessageProperty(msg: *mut CMessageExt, key: *const c_char) -> *const c_char {
    entry("GetMessageProperty", std::ptr::null(), || {
        // SAFETY: NULL or a NUL-terminated string from the host.
        let key = unsafe { c_str(key, "key", "GetMessageProperty", std::ptr::null())? };
        Ok(text("GetMessageProperty", msg, |d| d.c_property(&key)))
    })
}

/// The producer's unique id when the message has one, else the broker's offset id.
#[no_mangle]
pub extern "C" fn GetMessageId(msg: *mut CMessageExt) -> *const c_char {
    text("GetMessageId", msg, |d| {
        let id = match &d.ext {
            Some(ext) => ext.msg_id().to_string(),
            None => d.message.property(prop::UNIQ_KEY).unwrap_or("").to_string(),
        };
        d.c_text("msgId", &id)
    })
}

#[no_mangle]
pub extern "C" fn GetMessageDelayTimeLevel(msg: *mut CMessageExt) -> c_int {
    with_message("GetMessageDelayTimeLevel", as_msg(msg), NUMERIC_NULL, |d| d.message.delay_level())
}

#[no_mangle]
pub extern "C" fn GetMessageQueueId(msg: *mut CMessageExt) -> c_int {
    ext_number("GetMessageQueueId", msg, NUMERIC_NULL, 0, |e| e.queue_id)
}

#[no_mangle]
pub extern "C" fn GetMessageReconsumeTimes(msg: *mut CMessageExt) -> c_int {
    ext_number("GetMessageReconsumeTimes", msg, NUMERIC_NULL, 0, |e| e.reconsume_times)
}

#[no_mangle]
pub extern "C" fn GetMessageStoreSize(msg: *mut CMessageExt) -> c_int {
    ext_number("GetMessageStoreSize", msg, NUMERIC_NULL, 0, |e| e.store_size)
}

#[no_mangle]
pub extern "C" fn GetMessageBornTimestamp(msg: *mut CMessageExt) -> c_longlong {
    ext_number("GetMessageBornTimestamp", msg, 1, 0, |e| e.born_timestamp)
}

#[no_mangle]
pub extern "C" fn GetMessageStoreTimestamp(msg: *mut CMessageExt) -> c_longlong {
    ext_number("GetMessageStoreTimestamp", msg, 1, 0, |e| e.store_timestamp)
}

#[no_mangle]
pub extern "C" fn GetMessageQueueOffset(msg: *mut CMessageExt) -> c_longlong {
    ext_number("GetMessageQueueOffset", msg, 1, 0, |e| e.queue_offset)
}

#[no_mangle]
pub extern "C" fn GetMessageCommitLogOffset(msg: *mut CMessageExt) -> c_longlong {
    ext_number("GetMessageCommitLogOffset", msg, 1, 0, |e| e.commit_log_offset)
}

#[no_mangle]
pub extern "C" fn GetMessagePreparedTransactionOffset(msg: *mut CMessageExt) -> c_longlong {
    ext_number("GetMessagePreparedTransactionOffset", msg, 1, 0, |e| e.prepared_transaction_offset)
}

/// Not in 2.2.0: `ip:port` of the broker that stored the message (`""` for a `CMessage`).
#[no_mangle]
pub extern "C" fn GetMessageStoreHost(msg: *mut CMessageExt) -> *const c_char {
    text("GetMessageStoreHost", msg, |d| {
        let host = d.ext.as_ref().map(|e| e.store_host.to_string()).unwrap_or_default();
        d.c_text("storeHost", &host)
    })
}

/// Not in 2.2.0: `ip:port` of the producer that sent the message (`""` for a `CMessage`).
#[no_mangle]
pub extern "C" fn GetMessageBornHost(msg: *mut CMessageExt) -> *const c_char {
    text("GetMessageBornHost", msg, |d| {
        let host = d.ext.as_ref().map(|e| e.born_host.to_string()).unwrap_or_default();
        d.c_text("bornHost", &host)
    })
}
