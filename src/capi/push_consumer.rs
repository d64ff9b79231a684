//! `CPushConsumer.h`: push consumers. The host callback runs on the consumer's own threads with
//! the host's own `CPushConsumer*` and a `CMessageExt*` valid during the call.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, c_long, c_longlong, c_void, CString};
use std::sync::{Arc, Mutex};

use super::common::status::*;
use super::common::{CLogLevel, CMessageModel, CTraceModel, BROADCASTING, CLUSTERING, TRACE_OPEN};
use super::client_settings::{credentials, ClientSettings};
use super::message::CMessage;
use super::message_ext::CMessageExt;
use super::message_queue::CMessageQueue;
use super::{c_str, entry, fail, Failure, Outcome};
use crate::core::consumer::push::{ConsumeFrom, MessageListener, PushConfig, PushConsumer};
use crate::core::route::MessageQueue;
use crate::core::log;
use crate::core::message::MessageExt;

/// `C-unwind`: the host may end our consume thread from inside the callback (Python does, with
/// `pthread_exit`, while its interpreter shuts down); that must end the thread, not the process.
pub type MessageCallBack = Option<unsafe extern "C-unwind" fn(*mut CPushConsumer, *mut CMessageExt) -> c_int>;

/// Not in 2.2.0: a batch of messages (at most `SetPushConsumerMessageBatchMaxSize`) of one
/// queue, with the `userData` given at registration. 0: all consumed; anything else: all of them
/// again later (orderly: the queue pauses 1 s and delivers them again, in order).
pub type MessageBatchCallBack = Option<
    unsafe extern "C-unwind" fn(consumer: *mut CPushConsumer, mq: *const CMessageQueue, msgs: *mut *mut CMessageExt, count: c_int, userData: *mut c_void) -> c_int,
>;

/// `SetPushConsumerConsumeFromWhere`: where a queue the group has no offset for starts.
pub const E_CONSUME_FROM_LAST_OFFSET: c_int = 0;
pub const E_CONSUME_FROM_FIRST_OFFSET: c_int = 1;
pub const E_CONSUME_FROM_TIMESTAMP: c_int = 2;

const LIVE: u32 = 0x524D_5155; // "RMQU"

/// `VERSION_FOR_PUSH_CONSUMER`, exported as 2.2.0 did (256 bytes).
#[no_mangle]
pub static VERSION_FOR_PUSH_CONSUMER: [u8; 256] = super::pull_consumer::version_bytes();

struct State {
    group: CString,
    client: ClientSettings,
    /// Topic → (expression, SQL92).
    subscriptions: BTreeMap<String, (String, bool)>,
    callback: MessageCallBack,
    /// A batch callback and its userData (wins over `callback`).
    batch_callback: (MessageBatchCallBack, usize),
    orderly: bool,
    consume_from: ConsumeFrom,
    max_reconsume_times: i32,
    thread_count: i32,
    batch_max: i32,
    max_cache_messages: i32,
    max_cache_mib: i32,
    max_consume_tps: i32,
    model: CMessageModel,
    running: Option<Arc<PushConsumer>>,
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
            client: ClientSettings::new(),
            subscriptions: BTreeMap::new(),
            callback: None,
            batch_callback: (None, 0),
            orderly: false,
            consume_from: ConsumeFrom::LastOffset,
            max_reconsume_times: -1,
            thread_count: default_threads(),
            batch_max: 1,
            max_cache_messages: 1000,
            max_cache_mib: 0,
            max_consume_tps: 0,
            model: CLUSTERING,
            running: None,
        };
        Ok(Box::into_raw(Box::new(CPushConsumer { magic: LIVE, state: Mutex::new(state) })))
    })
}

/// Shuts the consumer down first if it is running, then frees it.
#[no_mangle]
pub extern "C" fn DestroyPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    entry("DestroyPushConsumer", NULL_POINTER, || {
        let h = handle(consumer, "DestroyPushConsumer", NULL_POINTER, NULL_POINTER)?;
        let running = h.state.lock().unwrap_or_else(|e| e.into_inner()).running.take();
        if let Some(c) = running {
            if c.on_consume_thread() {
                h.state.lock().unwrap_or_else(|e| e.into_inner()).running = Some(c);
                return Err(fail(PUSHCONSUMER_START_FAILED, "DestroyPushConsumer: called from the consumer's own callback"));
            }
            let _ = c.shutdown();
        }
        // SAFETY: checked live; destroyed once by the host.
        unsafe {
            (*consumer).magic = 0;
            drop(Box::from_raw(consumer));
        }
        Ok(OK)
    })
}

/// Calls the host's callback once per message, on a consume thread, with the host's consumer
/// pointer. Any value other than `E_CONSUME_SUCCESS` (0) means "deliver again later". Orderly:
/// after a failure the rest of the batch is not delivered (it comes again, in order).
struct HostListener {
    callback: unsafe extern "C-unwind" fn(*mut CPushConsumer, *mut CMessageExt) -> c_int,
    consumer: usize,
    orderly: bool,
}

impl MessageListener for HostListener {
    fn consume(&self, _mq: &MessageQueue, msgs: &[Arc<MessageExt>]) -> Vec<bool> {
        let mut verdicts = Vec::with_capacity(msgs.len());
        for m in msgs {
            if self.orderly && verdicts.last() == Some(&false) {
                verdicts.push(false);
                continue;
            }
            super::python_host::before_host_callback();
            let handle = Box::into_raw(CMessage::from_shared(m.clone()));
            super::paint_stack();
            // SAFETY: the host's function pointer with its own consumer pointer and a message
            // handle that lives until the call returns.
            let rc = unsafe { (self.callback)(self.consumer as *mut CPushConsumer, handle as *mut CMessageExt) };
            // SAFETY: created just above, destroyed once.
            unsafe { CMessage::destroy(handle) };
            verdicts.push(rc == 0);
        }
        verdicts
    }
}

/// Calls the host's batch callback once per batch, with the queue and the registered userData.
struct HostBatchListener {
    callback: unsafe extern "C-unwind" fn(*mut CPushConsumer, *const CMessageQueue, *mut *mut CMessageExt, c_int, *mut c_void) -> c_int,
    consumer: usize,
    user_data: usize,
}

impl MessageListener for HostBatchListener {
    fn consume(&self, mq: &MessageQueue, msgs: &[Arc<MessageExt>]) -> Vec<bool> {
        super::python_host::before_host_callback();
        let queue = CMessageQueue::from_queue(mq);
        let mut handles: Vec<*mut CMessageExt> =
            msgs.iter().map(|m| Box::into_raw(CMessage::from_shared(m.clone())) as *mut CMessageExt).collect();
        super::paint_stack();
        // SAFETY: the host's function pointer with its own consumer pointer and userData, a
        // queue and message handles that live until the call returns.
        let rc = unsafe {
            (self.callback)(self.consumer as *mut CPushConsumer, &queue, handles.as_mut_ptr(), handles.len() as c_int, self.user_data as *mut c_void)
        };
        for h in handles {
            // SAFETY: created just above, destroyed once.
            unsafe { CMessage::destroy(h as *mut CMessage) };
        }
        vec![rc == 0; msgs.len()]
    }
}

fn default_threads() -> i32 {
    std::thread::available_parallelism().map_or(2, |n| n.get()).min(8) as i32
}

/// `ROCKETMQ_PUSH_CONSUMER_MAX_TPS`: a consume-rate limit for hosts that cannot call
/// `SetPushConsumerMaxConsumeTps` (the function wins when both are set).
fn env_max_tps() -> i32 {
    std::env::var("ROCKETMQ_PUSH_CONSUMER_MAX_TPS").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

#[no_mangle]
pub extern "C" fn StartPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    const F: &str = "StartPushConsumer";
    entry(F, PUSHCONSUMER_START_FAILED, || {
        let h = handle(consumer, F, PUSHCONSUMER_START_FAILED, NULL_POINTER)?;
        let mut s = h.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.running.is_some() {
            return Ok(OK);
        }
        let failed = |text: String| fail(PUSHCONSUMER_START_FAILED, format!("{F}: {text}"));
        if s.callback.is_none() && s.batch_callback.0.is_none() {
            return Err(failed("messageListener is null: call RegisterMessageCallback first".into()));
        }
        if s.model != BROADCASTING && s.model != CLUSTERING {
            return Err(failed(format!("messageModel {} is not valid", s.model)));
        }
        let client = s.client.resolve().map_err(|e| failed(e.to_string()))?;
        let max_tps = if s.max_consume_tps > 0 { s.max_consume_tps } else { env_max_tps() };
        let config = PushConfig {
            group: s.group.to_string_lossy().into_owned(),
            client,
            subscriptions: s.subscriptions.iter().map(|(t, (e, _))| (t.clone(), e.clone())).collect(),
            sql92_topics: s.subscriptions.iter().filter(|(_, (_, sql))| *sql).map(|(t, _)| t.clone()).collect(),
            broadcasting: s.model == BROADCASTING,
            orderly: s.orderly,
            threads: s.thread_count.max(1) as usize,
            batch_max: s.batch_max.max(1) as usize,
            max_cache_messages: s.max_cache_messages.max(1) as usize,
            max_cache_bytes: (s.max_cache_mib.max(0) as usize) << 20,
            max_tps: max_tps.max(0) as u32,
            consume_from: s.consume_from,
            max_reconsume_times: s.max_reconsume_times,
            trace: s.client.trace_config(),
        };
        let listener: Arc<dyn MessageListener> = match (s.batch_callback, s.callback) {
            ((Some(callback), user_data), _) => Arc::new(HostBatchListener { callback, consumer: consumer as usize, user_data }),
            (_, Some(callback)) => Arc::new(HostListener { callback, consumer: consumer as usize, orderly: s.orderly }),
            _ => unreachable!("checked above"),
        };
        let running = PushConsumer::start(config, listener).map_err(|e| failed(e.to_string()))?;
        s.running = Some(Arc::new(running));
        Ok(OK)
    })
}

/// Stops pulling, waits (bounded) for callbacks in flight, commits offsets and unregisters.
/// After it returns no callback of this consumer starts. Refused from the consumer's own
/// callback (it would wait for itself).
#[no_mangle]
pub extern "C" fn ShutdownPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    const F: &str = "ShutdownPushConsumer";
    entry(F, PUSHCONSUMER_START_FAILED, || {
        let h = handle(consumer, F, NULL_POINTER, NULL_POINTER)?;
        let running = h.state.lock().unwrap_or_else(|e| e.into_inner()).running.clone();
        let Some(c) = running else { return Ok(OK) };
        if c.on_consume_thread() {
            return Err(fail(PUSHCONSUMER_START_FAILED, format!("{F}: called from the consumer's own callback; call it from another thread")));
        }
        h.state.lock().unwrap_or_else(|e| e.into_inner()).running = None;
        c.shutdown().map_err(|e| fail(PUSHCONSUMER_START_FAILED, format!("{F}: {e}")))?;
        Ok(OK)
    })
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
    set_text("SetPushConsumerNameServerAddress", consumer, namesrv, "namesrv", |s, v| s.client.set_namesrv(&v))
}

#[no_mangle]
pub extern "C" fn SetPushConsumerNameServerDomain(consumer: *mut CPushConsumer, domain: *const c_char) -> c_int {
    set_text("SetPushConsumerNameServerDomain", consumer, domain, "domain", |s, v| s.client.namesrv_domain = v)
}

#[no_mangle]
pub extern "C" fn Subscribe(consumer: *mut CPushConsumer, topic: *const c_char, expression: *const c_char) -> c_int {
    set("Subscribe", consumer, |s| {
        // SAFETY: NULL or NUL-terminated strings from the host.
        let (t, e) = unsafe { (c_str(topic, "topic", "Subscribe", NULL_POINTER)?, c_str(expression, "expression", "Subscribe", NULL_POINTER)?) };
        s.subscriptions.insert(t, (e, false));
        Ok(OK)
    })
}

/// Not in 2.2.0: `Subscribe` with the expression's type, `"TAG"` (or `""`: as `Subscribe`) or
/// `"SQL92"` (a condition on message properties, evaluated by the broker; it needs
/// `enablePropertyFilter=true`).
#[no_mangle]
pub extern "C" fn SubscribeWithType(consumer: *mut CPushConsumer, topic: *const c_char, expressionType: *const c_char, expression: *const c_char) -> c_int {
    const F: &str = "SubscribeWithType";
    set(F, consumer, |s| {
        // SAFETY: NULL or NUL-terminated strings from the host.
        let (t, k, e) = unsafe {
            (c_str(topic, "topic", F, NULL_POINTER)?, c_str(expressionType, "expressionType", F, NULL_POINTER)?, c_str(expression, "expression", F, NULL_POINTER)?)
        };
        let sql92 = match k.trim().to_ascii_uppercase().as_str() {
            "" | "TAG" => false,
            "SQL92" => true,
            other => return Err(fail(NULL_POINTER, format!("{F}: expression type {other} is not TAG or SQL92"))),
        };
        s.subscriptions.insert(t, (e, sql92));
        Ok(OK)
    })
}

fn register(function: &'static str, consumer: *mut CPushConsumer, callback: MessageCallBack, orderly: bool) -> c_int {
    set(function, consumer, |s| {
        if callback.is_none() {
            return Err(fail(NULL_POINTER, format!("{function}: argument `pCallback` is NULL")));
        }
        s.callback = callback;
        s.batch_callback = (None, 0);
        s.orderly = orderly;
        Ok(OK)
    })
}

/// Not in 2.2.0: consumes through `callback`, a batch at a time, orderly when `orderly` is not 0
/// (replaces a callback registered before, of either kind).
#[no_mangle]
pub extern "C" fn RegisterMessageBatchCallback(consumer: *mut CPushConsumer, callback: MessageBatchCallBack, userData: *mut c_void, orderly: c_int) -> c_int {
    const F: &str = "RegisterMessageBatchCallback";
    set(F, consumer, |s| {
        if callback.is_none() {
            return Err(fail(NULL_POINTER, format!("{F}: argument `callback` is NULL")));
        }
        s.batch_callback = (callback, userData as usize);
        s.callback = None;
        s.orderly = orderly != 0;
        Ok(OK)
    })
}

/// Not in 2.2.0: where a queue the group has no stored offset for starts:
/// `E_CONSUME_FROM_LAST_OFFSET` (0, default), `E_CONSUME_FROM_FIRST_OFFSET` (1), or
/// `E_CONSUME_FROM_TIMESTAMP` (2: the first message stored at or after `timestamp`, milliseconds
/// since the epoch).
#[no_mangle]
pub extern "C" fn SetPushConsumerConsumeFromWhere(consumer: *mut CPushConsumer, consumeFromWhere: c_int, timestamp: c_longlong) -> c_int {
    const F: &str = "SetPushConsumerConsumeFromWhere";
    set(F, consumer, |s| {
        s.consume_from = match consumeFromWhere {
            E_CONSUME_FROM_LAST_OFFSET => ConsumeFrom::LastOffset,
            E_CONSUME_FROM_FIRST_OFFSET => ConsumeFrom::FirstOffset,
            E_CONSUME_FROM_TIMESTAMP => ConsumeFrom::Timestamp(timestamp),
            other => return Err(fail(NULL_POINTER, format!("{F}: {other} is not 0, 1 or 2"))),
        };
        Ok(OK)
    })
}

/// Not in 2.2.0: deliveries of a message that keeps failing before it goes to the group's
/// dead-letter queue (negative: the default, 16 concurrently and unlimited orderly).
#[no_mangle]
pub extern "C" fn SetPushConsumerMaxReconsumeTimes(consumer: *mut CPushConsumer, maxReconsumeTimes: c_int) -> c_int {
    set("SetPushConsumerMaxReconsumeTimes", consumer, |s| {
        s.max_reconsume_times = maxReconsumeTimes;
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

/// As 2.2.0: 0 fails with `NULL_POINTER`; a negative value succeeds but changes nothing (logged).
fn nonzero(function: &'static str, consumer: *mut CPushConsumer, value: c_int, apply: impl FnOnce(&mut State, c_int)) -> c_int {
    set(function, consumer, |s| {
        if value == 0 {
            return Err(fail(NULL_POINTER, format!("{function}: the value must be positive, got 0")));
        }
        if value < 0 {
            log::warn(&format!("{function}: ignored the negative value {value}"));
        } else {
            apply(s, value);
        }
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPushConsumerThreadCount(consumer: *mut CPushConsumer, threadCount: c_int) -> c_int {
    nonzero("SetPushConsumerThreadCount", consumer, threadCount, |s, v| s.thread_count = v)
}

#[no_mangle]
pub extern "C" fn SetPushConsumerMessageBatchMaxSize(consumer: *mut CPushConsumer, batchSize: c_int) -> c_int {
    nonzero("SetPushConsumerMessageBatchMaxSize", consumer, batchSize, |s, v| s.batch_max = v)
}

#[no_mangle]
pub extern "C" fn SetPushConsumerInstanceName(consumer: *mut CPushConsumer, instanceName: *const c_char) -> c_int {
    set_text("SetPushConsumerInstanceName", consumer, instanceName, "instanceName", |s, v| s.client.client.instance_name = v)
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
        s.client.client.credentials = unsafe { credentials(accessKey, secretKey, channel, F)? };
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPushConsumerLogPath(consumer: *mut CPushConsumer, logPath: *const c_char) -> c_int {
    // SAFETY: NULL or a NUL-terminated string from the host.
    set("SetPushConsumerLogPath", consumer, |_| Ok(unsafe { super::client_settings::log_path(logPath) }))
}

#[allow(clippy::useless_conversion)] // c_long is 32 bits on some targets
#[no_mangle]
pub extern "C" fn SetPushConsumerLogFileNumAndSize(consumer: *mut CPushConsumer, fileNum: c_int, fileSize: c_long) -> c_int {
    set("SetPushConsumerLogFileNumAndSize", consumer, |_| {
        log::set_rotation(fileNum, i64::from(fileSize));
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

/// Message trace on (`OPEN`, 0) or off (anything else) from the next start; default off, or
/// on when `ROCKETMQ_MESSAGE_TRACE=1` was set at creation. Consumption writes `SubBefore` and
/// `SubAfter` records to the trace topic.
#[no_mangle]
pub extern "C" fn SetPushConsumerMessageTrace(consumer: *mut CPushConsumer, openTrace: CTraceModel) -> c_int {
    set("SetPushConsumerMessageTrace", consumer, |s| {
        s.client.trace = openTrace == TRACE_OPEN;
        Ok(OK)
    })
}

/// Not in 2.2.0: the topic trace records go to (default `RMQ_SYS_TRACE_TOPIC`, or
/// `ROCKETMQ_MESSAGE_TRACE_TOPIC`); empty: back to the default.
#[no_mangle]
pub extern "C" fn SetPushConsumerMessageTraceTopic(consumer: *mut CPushConsumer, topic: *const c_char) -> c_int {
    set_text("SetPushConsumerMessageTraceTopic", consumer, topic, "topic", |s, t| s.client.trace_topic = t)
}

#[no_mangle]
pub extern "C" fn SetPushConsumerSsl(consumer: *mut CPushConsumer, enableSsl: c_int) -> c_int {
    set("SetPushConsumerSsl", consumer, |s| {
        s.client.ssl = enableSsl != 0;
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPushConsumerSslPropertyFile(consumer: *mut CPushConsumer, sslPropertyFile: *const c_char) -> c_int {
    set_text("SetPushConsumerSslPropertyFile", consumer, sslPropertyFile, "sslPropertyFile", |s, v| s.client.ssl_property_file = v)
}

/// Not in 2.2.0 (what the 2.2.0 C++ API needs): how long opening a connection to a name server
/// or broker may take, in milliseconds (0 or less: the default, 3000, as 2.2.0); from the next
/// start.
#[no_mangle]
pub extern "C" fn SetPushConsumerConnectTimeout(consumer: *mut CPushConsumer, timeoutMillis: c_int) -> c_int {
    set("SetPushConsumerConnectTimeout", consumer, |s| {
        s.client.client.connect_timeout = super::client_settings::connect_timeout(timeoutMillis);
        Ok(OK)
    })
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
