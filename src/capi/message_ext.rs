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

// The text fields below, each shared by its own getter and `GetMessageExtFields`.

/// The producer's unique id when the message has one, else the broker's offset id.
fn msg_id(d: &MessageData) -> String {
    match &d.ext {
        Some(e) => e.msg_id().into_owned(),
        None => d.message().property(prop::UNIQ_KEY).unwrap_or("").to_string(),
    }
}

fn offset_msg_id(d: &MessageData) -> String {
    d.ext.as_ref().map(|e| e.offset_msg_id()).unwrap_or_default()
}

fn store_host(d: &MessageData) -> String {
    d.ext.as_ref().map(|e| e.store_host.to_string()).unwrap_or_default()
}

fn born_host(d: &MessageData) -> String {
    d.ext.as_ref().map(|e| e.born_host.to_string()).unwrap_or_default()
}

fn properties(d: &MessageData) -> String {
    crate::core::message::encode_properties(&d.message().properties)
}

#[no_mangle]
pub extern "C" fn GetMessageTopic(msgExt: *mut CMessageExt) -> *const c_char {
    text("GetMessageTopic", msgExt, |d| {
        let t = d.message().topic.clone();
        d.c_text("topic", &t)
    })
}

#[no_mangle]
pub extern "C" fn GetMessageTags(msgExt: *mut CMessageExt) -> *const c_char {
    text("GetMessageTags", msgExt, |d| d.c_property(prop::TAGS))
}

#[no_mangle]
pub extern "C" fn GetMessageKeys(msgExt: *mut CMessageExt) -> *const c_char {
    text("GetMessageKeys", msgExt, |d| d.c_property(prop::KEYS))
}

#[no_mangle]
pub extern "C" fn GetMessageBody(msgExt: *mut CMessageExt) -> *const c_char {
    text("GetMessageBody", msgExt, MessageData::c_body)
}

/// Not in 2.2.0: the (decompressed) body length. 0 for NULL, as upstream.
#[no_mangle]
pub extern "C" fn GetMessageBodyLength(msgExt: *mut CMessageExt) -> c_int {
    with_message("GetMessageBodyLength", as_msg(msgExt), 0, |d| d.message().body.len() as c_int)
}

#[no_mangle]
pub extern "C" fn GetMessageProperty(msgExt: *mut CMessageExt, key: *const c_char) -> *const c_char {
    entry("GetMessageProperty", std::ptr::null(), || {
        // SAFETY: NULL or a NUL-terminated string from the host.
        let key = unsafe { c_str(key, "key", "GetMessageProperty", std::ptr::null())? };
        Ok(text("GetMessageProperty", msgExt, |d| d.c_property(&key)))
    })
}

/// The producer's unique id when the message has one, else the broker's offset id.
#[no_mangle]
pub extern "C" fn GetMessageId(msgExt: *mut CMessageExt) -> *const c_char {
    text("GetMessageId", msgExt, |d| {
        let id = msg_id(d);
        d.c_text("msgId", &id)
    })
}

#[no_mangle]
pub extern "C" fn GetMessageDelayTimeLevel(msgExt: *mut CMessageExt) -> c_int {
    with_message("GetMessageDelayTimeLevel", as_msg(msgExt), NUMERIC_NULL, |d| d.message().delay_level())
}

#[no_mangle]
pub extern "C" fn GetMessageQueueId(msgExt: *mut CMessageExt) -> c_int {
    ext_number("GetMessageQueueId", msgExt, NUMERIC_NULL, 0, |e| e.queue_id)
}

#[no_mangle]
pub extern "C" fn GetMessageReconsumeTimes(msgExt: *mut CMessageExt) -> c_int {
    ext_number("GetMessageReconsumeTimes", msgExt, NUMERIC_NULL, 0, |e| e.reconsume_times)
}

#[no_mangle]
pub extern "C" fn GetMessageStoreSize(msgExt: *mut CMessageExt) -> c_int {
    ext_number("GetMessageStoreSize", msgExt, NUMERIC_NULL, 0, |e| e.store_size)
}

#[no_mangle]
pub extern "C" fn GetMessageBornTimestamp(msgExt: *mut CMessageExt) -> c_longlong {
    ext_number("GetMessageBornTimestamp", msgExt, 1, 0, |e| e.born_timestamp)
}

#[no_mangle]
pub extern "C" fn GetMessageStoreTimestamp(msgExt: *mut CMessageExt) -> c_longlong {
    ext_number("GetMessageStoreTimestamp", msgExt, 1, 0, |e| e.store_timestamp)
}

#[no_mangle]
pub extern "C" fn GetMessageQueueOffset(msgExt: *mut CMessageExt) -> c_longlong {
    ext_number("GetMessageQueueOffset", msgExt, 1, 0, |e| e.queue_offset)
}

#[no_mangle]
pub extern "C" fn GetMessageCommitLogOffset(msgExt: *mut CMessageExt) -> c_longlong {
    ext_number("GetMessageCommitLogOffset", msgExt, 1, 0, |e| e.commit_log_offset)
}

#[no_mangle]
pub extern "C" fn GetMessagePreparedTransactionOffset(msgExt: *mut CMessageExt) -> c_longlong {
    ext_number("GetMessagePreparedTransactionOffset", msgExt, 1, 0, |e| e.prepared_transaction_offset)
}

/// Not in 2.2.0: `ip:port` of the broker that stored the message (`""` for a `CMessage`).
#[no_mangle]
pub extern "C" fn GetMessageStoreHost(msgExt: *mut CMessageExt) -> *const c_char {
    text("GetMessageStoreHost", msgExt, |d| {
        let host = store_host(d);
        d.c_text("storeHost", &host)
    })
}

/// Not in 2.2.0: `ip:port` of the producer that sent the message (`""` for a `CMessage`).
#[no_mangle]
pub extern "C" fn GetMessageBornHost(msgExt: *mut CMessageExt) -> *const c_char {
    text("GetMessageBornHost", msgExt, |d| {
        let host = born_host(d);
        d.c_text("bornHost", &host)
    })
}

/// Not in 2.2.0: every property as `key\x01value\x02` pairs (the wire form), in key order.
#[no_mangle]
pub extern "C" fn GetMessageProperties(msgExt: *mut CMessageExt) -> *const c_char {
    text("GetMessageProperties", msgExt, |d| {
        let all = properties(d);
        d.c_text("properties", &all)
    })
}

/// Not in 2.2.0: the broker's id of the stored message (store host and commit-log offset);
/// `""` for a `CMessage`.
#[no_mangle]
pub extern "C" fn GetMessageOffsetMsgId(msgExt: *mut CMessageExt) -> *const c_char {
    text("GetMessageOffsetMsgId", msgExt, |d| {
        let id = offset_msg_id(d);
        d.c_text("offsetMsgId", &id)
    })
}

/// Not in 2.2.0: every field of a message in one call (for bindings, which would otherwise make
/// a dozen calls per consumed message). The strings are NUL-terminated; `body` is `bodyLength`
/// bytes (not terminated; it may contain NULs). All pointers stay valid until the handle is
/// destroyed (for a consumed message: until the callback returns) or the message is changed.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CMessageExtFields {
    pub topic: *const c_char,
    pub body: *const c_char,
    pub bodyLength: c_int,
    pub properties: *const c_char,
    pub msgId: *const c_char,
    pub offsetMsgId: *const c_char,
    pub bornHost: *const c_char,
    pub storeHost: *const c_char,
    pub queueId: c_int,
    pub storeSize: c_int,
    pub reconsumeTimes: c_int,
    pub flag: c_int,
    pub sysFlag: c_int,
    pub bodyCRC: c_int,
    pub queueOffset: c_longlong,
    pub commitLogOffset: c_longlong,
    pub bornTimestamp: c_longlong,
    pub storeTimestamp: c_longlong,
    pub preparedTransactionOffset: c_longlong,
}

/// Not in 2.2.0: fills `fields` with every field of the message (see `CMessageExtFields`).
/// Returns 0, or `NULL_POINTER` (1) for a NULL argument.
#[no_mangle]
pub extern "C" fn GetMessageExtFields(msgExt: *mut CMessageExt, fields: *mut CMessageExtFields) -> c_int {
    const F: &str = "GetMessageExtFields";
    entry(F, super::common::status::NULL_POINTER, || {
        super::non_null(fields, "fields", F, super::common::status::NULL_POINTER)?;
        super::non_null(msgExt, "msgExt", F, super::common::status::NULL_POINTER)?;
        let out = with_message(F, as_msg(msgExt), None, |d| {
            let ext = d.ext.clone();
            // read first: c_text borrows `d` mutably
            let (topic, all, id, offset_id, born, store) =
                (d.message().topic.clone(), properties(d), msg_id(d), offset_msg_id(d), born_host(d), store_host(d));
            let topic = d.c_text("topic", &topic);
            let properties = d.c_text("properties", &all);
            let msg_id = d.c_text("msgId", &id);
            let offset_id = d.c_text("offsetMsgId", &offset_id);
            let born = d.c_text("bornHost", &born);
            let store = d.c_text("storeHost", &store);
            let body = &d.message().body;
            let e = ext.as_deref();
            Some(CMessageExtFields {
                topic,
                body: body.as_ptr() as *const c_char,
                bodyLength: body.len() as c_int,
                properties,
                msgId: msg_id,
                offsetMsgId: offset_id,
                bornHost: born,
                storeHost: store,
                queueId: e.map_or(0, |e| e.queue_id),
                storeSize: e.map_or(0, |e| e.store_size),
                reconsumeTimes: e.map_or(0, |e| e.reconsume_times),
                flag: d.message().flag,
                sysFlag: d.message().sys_flag,
                bodyCRC: e.map_or(0, |e| e.body_crc),
                queueOffset: e.map_or(0, |e| e.queue_offset),
                commitLogOffset: e.map_or(0, |e| e.commit_log_offset),
                bornTimestamp: e.map_or(0, |e| e.born_timestamp),
                storeTimestamp: e.map_or(0, |e| e.store_timestamp),
                preparedTransactionOffset: e.map_or(0, |e| e.prepared_transaction_offset),
            })
        });
        match out {
            Some(f) => {
                // SAFETY: checked non-NULL; the host gave us a struct to fill.
                unsafe { *fields = f };
                Ok(super::common::status::OK)
            }
            None => Err(super::fail(super::common::status::NULL_POINTER, format!("{F}: `msgExt` is not a live message"))),
        }
    })
}
