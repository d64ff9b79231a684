//! `CMessage.h`: outgoing messages. The same handle type also backs `CMessageExt*` (messages the
//! library hands out), so every getter works on either kind of pointer; the Python package calls
//! the `CMessageExt` getters on a `CMessage*`.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, CString};
use std::sync::{Arc, Mutex};

use super::common::status::{NULL_POINTER, OK};
use super::{c_str, entry, non_null, Outcome};
use crate::core::message::{prop, Message, MessageExt};

const LIVE: u32 = 0x524D_5147; // "RMQG"
const DEAD: u32 = 0xDEAD_0001;

/// Text fields handed to C are cached here so their pointers stay valid until the field changes
/// or the message is destroyed.
#[derive(Default)]
struct CStrings {
    by_field: HashMap<String, CString>,
    body: Vec<u8>,
}

pub struct MessageData {
    /// The message of a handle made by `CreateMessage`.
    own: Message,
    /// Present for messages that came from a broker: shared with the consumer's cache, not
    /// copied for the callback (a setter called on it copies it first).
    pub ext: Option<Arc<MessageExt>>,
    strings: CStrings,
}

/// Opaque to C: `typedef struct CMessage CMessage;`.
pub struct CMessage {
    magic: u32,
    data: Mutex<MessageData>,
}

impl CMessage {
    pub fn new(message: Message) -> Box<CMessage> {
        CMessage::with_data(MessageData { own: message, ext: None, strings: CStrings::default() })
    }

    /// A handle for a stored message.
    pub fn from_ext(ext: MessageExt) -> Box<CMessage> {
        CMessage::from_shared(Arc::new(ext))
    }

    /// A handle for a stored message that stays shared with its other owners.
    pub fn from_shared(ext: Arc<MessageExt>) -> Box<CMessage> {
        CMessage::with_data(MessageData { own: Message::default(), ext: Some(ext), strings: CStrings::default() })
    }

    fn with_data(data: MessageData) -> Box<CMessage> {
        Box::new(CMessage { magic: LIVE, data: Mutex::new(data) })
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, MessageData> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// # Safety
    /// `ptr` is NULL or a pointer this library handed out and not yet destroyed.
    pub unsafe fn from_ptr<'a>(ptr: *const CMessage) -> Option<&'a CMessage> {
        let m = ptr.as_ref()?;
        (m.magic == LIVE).then_some(m)
    }

    /// # Safety
    /// As [`from_ptr`](Self::from_ptr); the pointer must not be used afterwards.
    pub unsafe fn destroy(ptr: *mut CMessage) {
        if let Some(m) = ptr.as_mut() {
            if m.magic == LIVE {
                m.magic = DEAD;
                drop(Box::from_raw(ptr));
            }
        }
    }
}

impl MessageData {
    pub fn message(&self) -> &Message {
        self.ext.as_ref().map_or(&self.own, |e| &e.message)
    }

    pub fn message_mut(&mut self) -> &mut Message {
        match &mut self.ext {
            Some(e) => &mut Arc::make_mut(e).message,
            None => &mut self.own,
        }
    }

    /// A stable C pointer to `value`, cached under `field`.
    pub fn c_text(&mut self, field: &str, value: &str) -> *const c_char {
        let entry = self.strings.by_field.entry(field.to_string()).or_default();
        if entry.as_bytes() != value.as_bytes() {
            *entry = CString::new(value.replace('\0', "")).unwrap_or_default();
        }
        entry.as_ptr()
    }

    pub fn c_property(&mut self, key: &str) -> *const c_char {
        let value = self.message().property(key).unwrap_or("").to_string();
        self.c_text(&format!("p:{key}"), &value)
    }

    /// The body followed by a NUL, so C readers of text bodies stop at its end.
    pub fn c_body(&mut self) -> *const c_char {
        let body = self.ext.as_ref().map_or(&self.own.body, |e| &e.message.body);
        let cached = &mut self.strings.body;
        if cached.len() != body.len() + 1 || &cached[..body.len()] != body.as_slice() {
            cached.clear();
            cached.extend_from_slice(body);
            cached.push(0);
        }
        cached.as_ptr() as *const c_char
    }
}

/// Runs `f` on the message behind `msg`, or returns `null_value` for NULL.
pub(crate) fn with_message<T>(function: &'static str, msg: *const CMessage, null_value: T, f: impl FnOnce(&mut MessageData) -> T) -> T
where
    T: Copy,
{
    entry(function, null_value, || {
        // SAFETY: hosts pass NULL or a live handle of ours.
        let Some(handle) = (unsafe { CMessage::from_ptr(msg) }) else {
            return Err(super::fail(null_value, format!("{function}: argument `msg` is NULL or not a live message")));
        };
        let mut data = handle.lock();
        Ok(f(&mut data))
    })
}

fn set_text(function: &'static str, msg: *mut CMessage, value: *const c_char, name: &str, apply: impl FnOnce(&mut Message, String)) -> c_int {
    entry(function, NULL_POINTER, || -> Outcome<c_int> {
        non_null(msg, "msg", function, NULL_POINTER)?;
        // SAFETY: `value` is NULL or a NUL-terminated string from the host.
        let text = unsafe { c_str(value, name, function, NULL_POINTER)? };
        Ok(with_message(function, msg, NULL_POINTER, |d| {
            apply(d.message_mut(), text);
            OK
        }))
    })
}

/// A new message for `topic` (`""` when NULL); never NULL.
#[no_mangle]
pub extern "C" fn CreateMessage(topic: *const c_char) -> *mut CMessage {
    entry("CreateMessage", std::ptr::null_mut(), || {
        let topic = if topic.is_null() {
            String::new()
        } else {
            // SAFETY: non-NULL C string from the host.
            unsafe { std::ffi::CStr::from_ptr(topic) }.to_string_lossy().into_owned()
        };
        Ok(Box::into_raw(CMessage::new(Message::new(&topic))))
    })
}

#[no_mangle]
pub extern "C" fn DestroyMessage(msg: *mut CMessage) -> c_int {
    entry("DestroyMessage", NULL_POINTER, || {
        non_null(msg, "msg", "DestroyMessage", NULL_POINTER)?;
        // SAFETY: a handle from CreateMessage, destroyed once by the host.
        unsafe { CMessage::destroy(msg) };
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetMessageTopic(msg: *mut CMessage, topic: *const c_char) -> c_int {
    set_text("SetMessageTopic", msg, topic, "topic", |m, t| m.topic = t)
}

#[no_mangle]
pub extern "C" fn SetMessageTags(msg: *mut CMessage, tags: *const c_char) -> c_int {
    set_text("SetMessageTags", msg, tags, "tags", |m, t| m.set_property(prop::TAGS, &t))
}

#[no_mangle]
pub extern "C" fn SetMessageKeys(msg: *mut CMessage, keys: *const c_char) -> c_int {
    set_text("SetMessageKeys", msg, keys, "keys", |m, k| m.set_property(prop::KEYS, &k))
}

/// The body is the text up to the first NUL.
#[no_mangle]
pub extern "C" fn SetMessageBody(msg: *mut CMessage, body: *const c_char) -> c_int {
    entry("SetMessageBody", NULL_POINTER, || {
        non_null(msg, "msg", "SetMessageBody", NULL_POINTER)?;
        non_null(body, "body", "SetMessageBody", NULL_POINTER)?;
        // SAFETY: non-NULL C string from the host.
        let bytes = unsafe { std::ffi::CStr::from_ptr(body) }.to_bytes().to_vec();
        Ok(with_message("SetMessageBody", msg, NULL_POINTER, |d| {
            d.message_mut().body = bytes;
            OK
        }))
    })
}

/// The body is exactly `len` bytes (binary safe).
#[no_mangle]
pub extern "C" fn SetByteMessageBody(msg: *mut CMessage, body: *const c_char, len: c_int) -> c_int {
    entry("SetByteMessageBody", NULL_POINTER, || {
        non_null(msg, "msg", "SetByteMessageBody", NULL_POINTER)?;
        let bytes = if len <= 0 {
            Vec::new()
        } else {
            non_null(body, "body", "SetByteMessageBody", NULL_POINTER)?;
            // SAFETY: the host promises `len` readable bytes at `body`.
            unsafe { std::slice::from_raw_parts(body as *const u8, len as usize) }.to_vec()
        };
        Ok(with_message("SetByteMessageBody", msg, NULL_POINTER, |d| {
            d.message_mut().body = bytes;
            OK
        }))
    })
}

#[no_mangle]
pub extern "C" fn SetMessageProperty(msg: *mut CMessage, key: *const c_char, value: *const c_char) -> c_int {
    entry("SetMessageProperty", NULL_POINTER, || {
        non_null(msg, "msg", "SetMessageProperty", NULL_POINTER)?;
        // SAFETY: NULL or NUL-terminated strings from the host.
        let key = unsafe { c_str(key, "key", "SetMessageProperty", NULL_POINTER)? };
        let value = unsafe { c_str(value, "value", "SetMessageProperty", NULL_POINTER)? };
        Ok(with_message("SetMessageProperty", msg, NULL_POINTER, |d| {
            d.message_mut().set_property(&key, &value);
            OK
        }))
    })
}

/// Stored as the `DELAY` property, no range check (as 2.2.0).
#[no_mangle]
pub extern "C" fn SetDelayTimeLevel(msg: *mut CMessage, level: c_int) -> c_int {
    with_message("SetDelayTimeLevel", msg, NULL_POINTER, |d| {
        d.message_mut().set_property(prop::DELAY, &level.to_string());
        OK
    })
}

/// The message's flag, sent to the broker as is (not in 2.2.0's C API; the C++ API's setFlag).
#[no_mangle]
pub extern "C" fn SetMessageFlag(msg: *mut CMessage, flag: c_int) -> c_int {
    with_message("SetMessageFlag", msg, NULL_POINTER, |d| {
        d.message_mut().flag = flag;
        OK
    })
}

#[no_mangle]
pub extern "C" fn GetOriginMessageTopic(msg: *mut CMessage) -> *const c_char {
    with_message("GetOriginMessageTopic", msg, std::ptr::null(), |d| {
        let t = d.message().topic.clone();
        d.c_text("topic", &t)
    })
}

#[no_mangle]
pub extern "C" fn GetOriginMessageTags(msg: *mut CMessage) -> *const c_char {
    with_message("GetOriginMessageTags", msg, std::ptr::null(), |d| d.c_property(prop::TAGS))
}

#[no_mangle]
pub extern "C" fn GetOriginMessageKeys(msg: *mut CMessage) -> *const c_char {
    with_message("GetOriginMessageKeys", msg, std::ptr::null(), |d| d.c_property(prop::KEYS))
}

#[no_mangle]
pub extern "C" fn GetOriginMessageBody(msg: *mut CMessage) -> *const c_char {
    with_message("GetOriginMessageBody", msg, std::ptr::null(), MessageData::c_body)
}

/// Not in 2.2.0: the body length, for bodies with NUL bytes. 0 for NULL, as upstream.
#[no_mangle]
pub extern "C" fn GetOriginMessageBodyLength(msg: *mut CMessage) -> c_int {
    with_message("GetOriginMessageBodyLength", msg, 0, |d| d.message().body.len() as c_int)
}

#[no_mangle]
pub extern "C" fn GetOriginMessageProperty(msg: *mut CMessage, key: *const c_char) -> *const c_char {
    entry("GetOriginMessageProperty", std::ptr::null(), || {
        // SAFETY: NULL or a NUL-terminated string from the host.
        let key = unsafe { c_str(key, "key", "GetOriginMessageProperty", std::ptr::null())? };
        Ok(with_message("GetOriginMessageProperty", msg, std::ptr::null(), |d| d.c_property(&key)))
    })
}

/// `atoi(DELAY)`, 0 when absent, -1 for NULL (as 2.2.0).
#[no_mangle]
pub extern "C" fn GetOriginDelayTimeLevel(msg: *mut CMessage) -> c_int {
    with_message("GetOriginDelayTimeLevel", msg, -1, |d| d.message().delay_level())
}
