//! `CPushConsumer.h`: push consumers. Settings are kept; consuming itself belongs to a later
//! milestone, so `StartPushConsumer` fails with "not implemented yet".

use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, c_long, CString};
use std::sync::Mutex;

use super::common::status::*;
use super::common::{CLogLevel, CMessageModel, CTraceModel, CLUSTERING, TRACE_OPEN};
use super::message_ext::CMessageExt;
use super::{c_str, entry, fail, not_implemented, Failure, Outcome};
use crate::core::client::{parse_namesrv_list, ClientConfig};
use crate::core::log;
use crate::core::signing::Credentials;

pub type MessageCallBack = Option<unsafe extern "C" fn(*mut CPushConsumer, *mut CMessageExt) -> c_int>;

const LIVE: u32 = 0x524D_5155; // "RMQU"

/// `VERSION_FOR_PUSH_CONSUMER`, exported as 2.2.0 did (256 bytes).
#[no_mangle]
pub static VERSION_FOR_PUSH_CONSUMER: [u8; 256] = super::pull_consumer::version_bytes();

#[allow(dead_code)] // read by the push consumer of a later milestone
struct State {
    group: CString,
    client: ClientConfig,
    namesrv_domain: String,
    subscriptions: BTreeMap<String, String>,
    callback: MessageCallBack,
    orderly: bool,
    thread_count: i32,
    batch_max: i32,
    max_cache_messages: i32,
    max_cache_mib: i32,
    max_consume_tps: i32,
    model: CMessageModel,
    trace: bool,
    ssl: bool,
    ssl_property_file: String,
}

/// Opaque to C: `typedef struct CPushConsumer CPushConsumer;`.
pub struct CPushConsumer {
    magic: u32,
    state: Mutex<State>,
}

fn handle<'a, T>(c: *mut CPushConsumer, function: &str, on_dead: T, on_null: T) -> Result<&'a CPushConsumer, Failure<T>> {
    // SAFETY: hosts pass NULL or a pointer from CreatePushConsumer they have not destroyed.
    match unsafe { c.as_ref() } {
        Some(h) if h.magic == LIVE => Ok(h),
        Some(_) => Err(fail(on_dead, format!("{function}: `consumer` is not a live push consumer"))),
        None => Err(fail(on_null, format!("{function}: argument `consumer` is NULL"))),
    }
}

fn set(function: &'static str, consumer: *mut CPushConsumer, apply: impl FnOnce(&mut State) -> Outcome<c_int>) -> c_int {
    entry(function, NULL_POINTER, || {
        let h = handle(consumer, function, NULL_POINTER, NULL_POINTER)?;
        let mut s = h.state.lock().unwrap_or_else(|e| e.into_inner());
        apply(&mut s)
    })
}

fn set_text(function: &'static str, consumer: *mut CPushConsumer, value: *const c_char, name: &str, apply: impl FnOnce(&mut State, String)) -> c_int {
    set(function, consumer, |s| {
        // SAFETY: NULL or a NUL-terminated string from the host.
        let v = unsafe { c_str(value, name, function, NULL_POINTER)? };
        apply(s, v);
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn CreatePushConsumer(groupId: *const c_char) -> *mut CPushConsumer {
    entry("CreatePushConsumer", std::ptr::null_mut(), || {
        // SAFETY: NULL or a NUL-terminated string from the host.
        let group = unsafe { c_str(groupId, "groupId", "CreatePushConsumer", std::ptr::null_mut())? };
        let group = if group.is_empty() { "DEFAULT_CONSUMER".to_string() } else { group };
        let state = State {
            group: CString::new(group).unwrap_or_default(),
            client: ClientConfig { namesrv_addrs: super::namesrv_from_env(), instance_name: "DEFAULT".into(), ..Default::default() },
            namesrv_domain: String::new(),
            subscriptions: BTreeMap::new(),
            callback: None,
            orderly: false,
            thread_count: 0,
            batch_max: 1,
            max_cache_messages: 1000,
            max_cache_mib: 0,
            max_consume_tps: 0,
            model: CLUSTERING,
            trace: false,
            ssl: false,
            ssl_property_file: String::new(),
        };
        Ok(Box::into_raw(Box::new(CPushConsumer { magic: LIVE, state: Mutex::new(state) })))
    })
}

#[no_mangle]
pub extern "C" fn DestroyPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    entry("DestroyPushConsumer", NULL_POINTER, || {
        handle(consumer, "DestroyPushConsumer", NULL_POINTER, NULL_POINTER)?;
        // SAFETY: checked live; destroyed once by the host.
        unsafe {
            (*consumer).magic = 0;
            drop(Box::from_raw(consumer));
        }
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn StartPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    entry("StartPushConsumer", PUSHCONSUMER_START_FAILED, || {
        handle(consumer, "StartPushConsumer", PUSHCONSUMER_START_FAILED, NULL_POINTER)?;
        Err(not_implemented(PUSHCONSUMER_START_FAILED, "StartPushConsumer"))
    })
}

/// Nothing runs before a successful start, so there is nothing to stop.
#[no_mangle]
pub extern "C" fn ShutdownPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    set("ShutdownPushConsumer", consumer, |_| Ok(OK))
}

#[no_mangle]
pub extern "C" fn ShowPushConsumerVersion(consumer: *mut CPushConsumer) -> *const c_char {
    entry("ShowPushConsumerVersion", std::ptr::null(), || {
        handle(consumer, "ShowPushConsumerVersion", std::ptr::null(), std::ptr::null())?;
        Ok(VERSION_FOR_PUSH_CONSUMER.as_ptr() as *const c_char)
    })
}

#[no_mangle]
pub extern "C" fn SetPushConsumerGroupID(consumer: *mut CPushConsumer, groupId: *const c_char) -> c_int {
    set_text("SetPushConsumerGroupID", consumer, groupId, "groupId", |s, v| s.group = CString::new(v).unwrap_or_default())
}

#[no_mangle]
pub extern "C" fn GetPushConsumerGroupID(consumer: *mut CPushConsumer) -> *const c_char {
    entry("GetPushConsumerGroupID", std::ptr::null(), || {
        let h = handle(consumer, "GetPushConsumerGroupID", std::ptr::null(), std::ptr::null())?;
        let ptr = h.state.lock().unwrap_or_else(|e| e.into_inner()).group.as_ptr();
        Ok(ptr)
    })
}

#[no_mangle]
pub extern "C" fn SetPushConsumerNameServerAddress(consumer: *mut CPushConsumer, namesrv: *const c_char) -> c_int {
    set_text("SetPushConsumerNameServerAddress", consumer, namesrv, "namesrv", |s, v| s.client.namesrv_addrs = parse_namesrv_list(&v))
}

#[no_mangle]
pub extern "C" fn SetPushConsumerNameServerDomain(consumer: *mut CPushConsumer, domain: *const c_char) -> c_int {
    set_text("SetPushConsumerNameServerDomain", consumer, domain, "domain", |s, v| s.namesrv_domain = v)
}

#[no_mangle]
pub extern "C" fn Subscribe(consumer: *mut CPushConsumer, topic: *const c_char, expression: *const c_char) -> c_int {
    set("Subscribe", consumer, |s| {
        // SAFETY: NULL or NUL-terminated strings from the host.
        let (t, e) = unsafe { (c_str(topic, "topic", "Subscribe", NULL_POINTER)?, c_str(expression, "expression", "Subscribe", NULL_POINTER)?) };
        s.subscriptions.insert(t, e);
        Ok(OK)
    })
}

fn register(function: &'static str, consumer: *mut CPushConsumer, callback: MessageCallBack, orderly: bool) -> c_int {
    set(function, consumer, |s| {
        if callback.is_none() {
            return Err(fail(NULL_POINTER, format!("{function}: argument `pCallback` is NULL")));
        }
        s.callback = callback;
        s.orderly = orderly;
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn RegisterMessageCallbackOrderly(consumer: *mut CPushConsumer, pCallback: MessageCallBack) -> c_int {
    register("RegisterMessageCallbackOrderly", consumer, pCallback, true)
}

#[no_mangle]
pub extern "C" fn RegisterMessageCallback(consumer: *mut CPushConsumer, pCallback: MessageCallBack) -> c_int {
    register("RegisterMessageCallback", consumer, pCallback, false)
}

#[no_mangle]
pub extern "C" fn UnregisterMessageCallbackOrderly(consumer: *mut CPushConsumer) -> c_int {
    set("UnregisterMessageCallbackOrderly", consumer, |s| {
        if s.orderly {
            s.callback = None;
        }
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn UnregisterMessageCallback(consumer: *mut CPushConsumer) -> c_int {
    set("UnregisterMessageCallback", consumer, |s| {
        if !s.orderly {
            s.callback = None;
        }
        Ok(OK)
    })
}

/// Refuses 0 with `NULL_POINTER`, as 2.2.0 did.
fn positive(function: &'static str, consumer: *mut CPushConsumer, value: c_int, apply: impl FnOnce(&mut State, c_int)) -> c_int {
    set(function, consumer, |s| {
        if value <= 0 {
            return Err(fail(NULL_POINTER, format!("{function}: the value must be positive, got {value}")));
        }
        apply(s, value);
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPushConsumerThreadCount(consumer: *mut CPushConsumer, threadCount: c_int) -> c_int {
    positive("SetPushConsumerThreadCount", consumer, threadCount, |s, v| s.thread_count = v)
}

#[no_mangle]
pub extern "C" fn SetPushConsumerMessageBatchMaxSize(consumer: *mut CPushConsumer, batchSize: c_int) -> c_int {
    positive("SetPushConsumerMessageBatchMaxSize", consumer, batchSize, |s, v| s.batch_max = v)
}

#[no_mangle]
pub extern "C" fn SetPushConsumerInstanceName(consumer: *mut CPushConsumer, instanceName: *const c_char) -> c_int {
    set_text("SetPushConsumerInstanceName", consumer, instanceName, "instanceName", |s, v| s.client.instance_name = v)
}

#[no_mangle]
pub extern "C" fn SetPushConsumerSessionCredentials(
    consumer: *mut CPushConsumer,
    accessKey: *const c_char,
    secretKey: *const c_char,
    channel: *const c_char,
) -> c_int {
    const F: &str = "SetPushConsumerSessionCredentials";
    set(F, consumer, |s| {
        // SAFETY: NULL or NUL-terminated strings from the host.
        let (ak, sk, ch) = unsafe {
            (c_str(accessKey, "accessKey", F, NULL_POINTER)?, c_str(secretKey, "secretKey", F, NULL_POINTER)?, c_str(channel, "channel", F, NULL_POINTER)?)
        };
        s.client.credentials = Credentials { access_key: ak, secret_key: sk, channel: ch };
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPushConsumerLogPath(consumer: *mut CPushConsumer, logPath: *const c_char) -> c_int {
    set_text("SetPushConsumerLogPath", consumer, logPath, "logPath", |_, v| log::set_path(&v))
}

#[no_mangle]
pub extern "C" fn SetPushConsumerLogFileNumAndSize(consumer: *mut CPushConsumer, fileNum: c_int, fileSize: c_long) -> c_int {
    set("SetPushConsumerLogFileNumAndSize", consumer, |_| {
        log::set_rotation(fileNum, fileSize as i64);
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPushConsumerLogLevel(consumer: *mut CPushConsumer, level: CLogLevel) -> c_int {
    set("SetPushConsumerLogLevel", consumer, |_| {
        log::set_level(level);
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPushConsumerMessageModel(consumer: *mut CPushConsumer, messageModel: CMessageModel) -> c_int {
    set("SetPushConsumerMessageModel", consumer, |s| {
        s.model = messageModel;
        Ok(OK)
    })
}

/// Per-queue cache limit in messages (1..65535).
#[no_mangle]
pub extern "C" fn SetPushConsumerMaxCacheMessageSize(consumer: *mut CPushConsumer, maxCacheSize: c_int) -> c_int {
    positive("SetPushConsumerMaxCacheMessageSize", consumer, maxCacheSize, |s, v| {
        if v < 65535 {
            s.max_cache_messages = v;
        }
    })
}

/// Per-queue cache limit in MiB (2.2.0 refused it with 500; we keep it for the consumer).
#[no_mangle]
pub extern "C" fn SetPushConsumerMaxCacheMessageSizeInMb(consumer: *mut CPushConsumer, maxCacheSizeInMb: c_int) -> c_int {
    positive("SetPushConsumerMaxCacheMessageSizeInMb", consumer, maxCacheSizeInMb, |s, v| s.max_cache_mib = v)
}

#[no_mangle]
pub extern "C" fn SetPushConsumerMessageTrace(consumer: *mut CPushConsumer, openTrace: CTraceModel) -> c_int {
    set("SetPushConsumerMessageTrace", consumer, |s| {
        s.trace = openTrace == TRACE_OPEN;
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPushConsumerSsl(consumer: *mut CPushConsumer, enableSsl: c_int) -> c_int {
    set("SetPushConsumerSsl", consumer, |s| {
        s.ssl = enableSsl != 0;
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPushConsumerSslPropertyFile(consumer: *mut CPushConsumer, sslPropertyFile: *const c_char) -> c_int {
    set_text("SetPushConsumerSslPropertyFile", consumer, sslPropertyFile, "sslPropertyFile", |s, v| s.ssl_property_file = v)
}

/// Not in 2.2.0: the most messages per second this consumer hands to its callback (0 = no
/// limit).
#[no_mangle]
pub extern "C" fn SetPushConsumerMaxConsumeTps(consumer: *mut CPushConsumer, maxTps: c_int) -> c_int {
    set("SetPushConsumerMaxConsumeTps", consumer, |s| {
        s.max_consume_tps = maxTps.max(0);
        Ok(OK)
    })
}
