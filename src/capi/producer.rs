//! `CProducer.h`: normal, orderly and transaction producers.

use std::ffi::{c_char, c_int, c_long, c_longlong, c_void, CString};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::common::status::*;
use super::common::{CLogLevel, CTraceModel, TRACE_OPEN, VERSION_TEXT};
use super::message::CMessage;
use super::message_ext::CMessageExt;
use super::mq_exception::CMQException;
use super::message_queue::CMessageQueue;
use super::send_result::{CSendResult, CSendResultEx};
use super::transaction_status::CTransactionStatus;
use super::{batch_message::CBatchMessage, c_str, entry, fail, non_null, Failure, Outcome};
use super::client_settings::{credentials, ClientSettings};
use crate::core::message::{decode_properties, prop, Message};
use crate::core::message::MessageExt;
use crate::core::producer::{Producer, ProducerConfig, SendResult};
use crate::core::transaction::{TransactionChecker, TransactionState};
use crate::core::{log, runtime, Error};

pub type QueueSelectorCallback = Option<unsafe extern "C" fn(size: c_int, msg: *mut CMessage, arg: *mut c_void) -> c_int>;
pub type CSendSuccessCallback = Option<unsafe extern "C" fn(result: CSendResult)>;
pub type CSendExceptionCallback = Option<unsafe extern "C" fn(e: CMQException)>;
pub type COnSendSuccessCallback = Option<unsafe extern "C" fn(result: CSendResult, msg: *mut CMessage, userData: *mut c_void)>;
pub type COnSendExceptionCallback = Option<unsafe extern "C" fn(e: CMQException, msg: *mut CMessage, userData: *mut c_void)>;
pub type CLocalTransactionCheckerCallback =
    Option<unsafe extern "C" fn(producer: *mut CProducer, msg: *mut CMessageExt, data: *mut c_void) -> CTransactionStatus>;
/// Not in 2.2.0: the outcome of `SendMessageAsyncEx`, called exactly once: `status` 0 with the
/// result (`errorText` NULL), or a non-zero status with `result` NULL and the reason.
pub type CSendExCallback =
    Option<unsafe extern "C" fn(status: c_int, result: *const CSendResultEx, errorText: *const c_char, userData: *mut c_void)>;
pub type CLocalTransactionExecutorCallback =
    Option<unsafe extern "C" fn(producer: *mut CProducer, msg: *mut CMessage, data: *mut c_void) -> CTransactionStatus>;

const LIVE: u32 = 0x524D_5150; // "RMQP"

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Normal,
    Orderly,
    Transaction,
}

struct Settings {
    /// Producer options; its `client` part is filled from `client` at start.
    config: ProducerConfig,
    client: ClientSettings,
}

struct State {
    settings: Settings,
    running: Option<Arc<Producer>>,
    /// Transaction producers: receives the broker's check-backs while running.
    check_handler: Option<Arc<crate::core::transaction::TransactionChecks>>,
}

/// Opaque to C: `typedef struct CProducer CProducer;`.
pub struct CProducer {
    magic: u32,
    kind: Kind,
    state: Mutex<State>,
    version: CString,
    checker: (CLocalTransactionCheckerCallback, usize),
}

impl CProducer {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The live producer behind `p`, or a failure with `code`.
fn handle<'a>(p: *mut CProducer, function: &str, code: c_int) -> Result<&'a CProducer, Failure<c_int>> {
    // SAFETY: hosts pass NULL or a pointer from Create*Producer that they have not destroyed.
    match unsafe { p.as_ref() } {
        Some(h) if h.magic == LIVE => Ok(h),
        Some(_) => Err(fail(code, format!("{function}: `producer` is not a live producer"))),
        None => Err(fail(NULL_POINTER, format!("{function}: argument `producer` is NULL"))),
    }
}

fn create(group: *const c_char, kind: Kind, function: &str, checker: (CLocalTransactionCheckerCallback, usize)) -> Outcome<*mut CProducer> {
    // SAFETY: NULL or a NUL-terminated string from the host.
    let group = unsafe { c_str(group, "groupId", function, std::ptr::null_mut())? };
    let config = ProducerConfig { group: if group.is_empty() { "DEFAULT_PRODUCER".into() } else { group }, ..Default::default() };
    let settings = Settings { config, client: ClientSettings::new() };
    let h = CProducer {
        magic: LIVE,
        kind,
        state: Mutex::new(State { settings, running: None, check_handler: None }),
        version: CString::new(VERSION_TEXT).unwrap_or_default(),
        checker,
    };
    Ok(Box::into_raw(Box::new(h)))
}

#[no_mangle]
pub extern "C" fn CreateProducer(groupId: *const c_char) -> *mut CProducer {
    entry("CreateProducer", std::ptr::null_mut(), || create(groupId, Kind::Normal, "CreateProducer", (None, 0)))
}

#[no_mangle]
pub extern "C" fn CreateOrderlyProducer(groupId: *const c_char) -> *mut CProducer {
    entry("CreateOrderlyProducer", std::ptr::null_mut(), || create(groupId, Kind::Orderly, "CreateOrderlyProducer", (None, 0)))
}

#[no_mangle]
pub extern "C" fn CreateTransactionProducer(
    groupId: *const c_char,
    callback: CLocalTransactionCheckerCallback,
    userData: *mut c_void,
) -> *mut CProducer {
    entry("CreateTransactionProducer", std::ptr::null_mut(), || {
        create(groupId, Kind::Transaction, "CreateTransactionProducer", (callback, userData as usize))
    })
}

/// Shuts the producer down first if it is running (2.2.0 left dangling threads), then frees it.
#[no_mangle]
pub extern "C" fn DestroyProducer(producer: *mut CProducer) -> c_int {
    entry("DestroyProducer", NULL_POINTER, || {
        let h = handle(producer, "DestroyProducer", NULL_POINTER)?;
        let (running, checks) = {
            let mut state = h.lock();
            (state.running.take(), state.check_handler.take())
        };
        if let Some(c) = checks {
            c.stop();
        }
        if let Some(p) = running {
            let _ = runtime::block_on(p.shutdown());
        }
        // SAFETY: checked live above; the host destroys each producer once.
        unsafe {
            (*producer).magic = 0;
            drop(Box::from_raw(producer));
        }
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn StartProducer(producer: *mut CProducer) -> c_int {
    entry("StartProducer", PRODUCER_START_FAILED, || {
        let h = handle(producer, "StartProducer", PRODUCER_START_FAILED)?;
        let mut state = h.lock();
        if state.running.is_some() {
            return Ok(OK);
        }
        let mut config = state.settings.config.clone();
        config.client = state.settings.client.resolve().map_err(|e| fail(PRODUCER_START_FAILED, format!("StartProducer: {e}")))?;
        config.trace = state.settings.client.trace_config();
        let p = Producer::start(config).map_err(|e| fail(PRODUCER_START_FAILED, format!("StartProducer: {e}")))?;
        if h.kind == Kind::Transaction {
            let checker = HostChecker { callback: h.checker.0, producer: producer as usize, user_data: h.checker.1 };
            let checks = p.set_transaction_checker(Arc::new(checker)).map_err(|e| fail(PRODUCER_START_FAILED, format!("StartProducer: {e}")))?;
            state.check_handler = Some(checks);
        }
        state.running = Some(p);
        Ok(OK)
    })
}

/// Unregisters from the brokers and closes every connection. No-op when not running.
#[no_mangle]
pub extern "C" fn ShutdownProducer(producer: *mut CProducer) -> c_int {
    entry("ShutdownProducer", PRODUCER_START_FAILED, || {
        let h = handle(producer, "ShutdownProducer", PRODUCER_START_FAILED)?;
        let (running, checks) = {
            let mut state = h.lock();
            (state.running.take(), state.check_handler.take())
        };
        // No checker runs after this returns (a running one is waited for).
        if let Some(c) = checks {
            c.stop();
        }
        if let Some(p) = running {
            runtime::block_on(p.shutdown()).map_err(|e| fail(PRODUCER_START_FAILED, format!("ShutdownProducer: {e}")))?;
        }
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn ShowProducerVersion(producer: *mut CProducer) -> *const c_char {
    entry("ShowProducerVersion", c"DefaultVersion".as_ptr(), || match handle(producer, "ShowProducerVersion", 0) {
        Ok(h) => Ok(h.version.as_ptr()),
        Err(_) => Ok(c"DefaultVersion".as_ptr()),
    })
}

/// Applies a setting; 0, or 1 for a NULL producer.
fn set(function: &'static str, producer: *mut CProducer, apply: impl FnOnce(&mut Settings) -> Outcome<c_int>) -> c_int {
    entry(function, PRODUCER_START_FAILED, || {
        let h = handle(producer, function, NULL_POINTER)?;
        let mut state = h.lock();
        apply(&mut state.settings)
    })
}

/// Applies a text setting; a NULL string is `NULL_POINTER`.
fn set_text(function: &'static str, producer: *mut CProducer, value: *const c_char, name: &str, apply: impl FnOnce(&mut Settings, String)) -> c_int {
    set(function, producer, |s| {
        // SAFETY: NULL or a NUL-terminated string from the host.
        let text = unsafe { c_str(value, name, function, NULL_POINTER)? };
        apply(s, text);
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetProducerNameServerAddress(producer: *mut CProducer, namesrv: *const c_char) -> c_int {
    set_text("SetProducerNameServerAddress", producer, namesrv, "namesrv", |s, v| s.client.set_namesrv(&v))
}

#[no_mangle]
pub extern "C" fn SetProducerNameServerDomain(producer: *mut CProducer, domain: *const c_char) -> c_int {
    set_text("SetProducerNameServerDomain", producer, domain, "domain", |s, v| s.client.namesrv_domain = v)
}

#[no_mangle]
pub extern "C" fn SetProducerGroupName(producer: *mut CProducer, groupName: *const c_char) -> c_int {
    set_text("SetProducerGroupName", producer, groupName, "groupName", |s, v| s.config.group = v)
}

#[no_mangle]
pub extern "C" fn SetProducerInstanceName(producer: *mut CProducer, instanceName: *const c_char) -> c_int {
    set_text("SetProducerInstanceName", producer, instanceName, "instanceName", |s, v| s.client.client.instance_name = v)
}

#[no_mangle]
pub extern "C" fn SetProducerSessionCredentials(
    producer: *mut CProducer,
    accessKey: *const c_char,
    secretKey: *const c_char,
    onsChannel: *const c_char,
) -> c_int {
    set("SetProducerSessionCredentials", producer, |s| {
        // SAFETY: NULL or NUL-terminated strings from the host.
        s.client.client.credentials = unsafe { credentials(accessKey, secretKey, onsChannel, "SetProducerSessionCredentials")? };
        Ok(OK)
    })
}

/// Honoured (2.2.0 ignored it): the directory (or file) the process-wide log goes to.
#[no_mangle]
pub extern "C" fn SetProducerLogPath(producer: *mut CProducer, logPath: *const c_char) -> c_int {
    // SAFETY: NULL or a NUL-terminated string from the host.
    set("SetProducerLogPath", producer, |_| Ok(unsafe { super::client_settings::log_path(logPath) }))
}

#[allow(clippy::useless_conversion)] // c_long is 32 bits on some targets
#[no_mangle]
pub extern "C" fn SetProducerLogFileNumAndSize(producer: *mut CProducer, fileNum: c_int, fileSize: c_long) -> c_int {
    set("SetProducerLogFileNumAndSize", producer, |_| {
        log::set_rotation(fileNum, i64::from(fileSize));
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetProducerLogLevel(producer: *mut CProducer, level: CLogLevel) -> c_int {
    set("SetProducerLogLevel", producer, |_| {
        log::set_level(level);
        Ok(OK)
    })
}

/// Milliseconds per send (default 3000).
#[no_mangle]
pub extern "C" fn SetProducerSendMsgTimeout(producer: *mut CProducer, timeout: c_int) -> c_int {
    set("SetProducerSendMsgTimeout", producer, |s| {
        s.config.send_timeout = Duration::from_millis(timeout.max(1) as u64);
        Ok(OK)
    })
}

/// zlib level 0..9 (-1 = zlib's default); default 5.
#[no_mangle]
pub extern "C" fn SetProducerCompressLevel(producer: *mut CProducer, level: c_int) -> c_int {
    set("SetProducerCompressLevel", producer, |s| {
        s.config.compress_level = level;
        Ok(OK)
    })
}

/// Bodies of at least this many bytes are compressed (default 4096).
#[no_mangle]
pub extern "C" fn SetProducerCompressMsgBodyOverHowmuch(producer: *mut CProducer, howmuch: c_int) -> c_int {
    set("SetProducerCompressMsgBodyOverHowmuch", producer, |s| {
        s.config.compress_threshold = if howmuch < 0 { usize::MAX } else { howmuch as usize };
        Ok(OK)
    })
}

/// Largest body accepted, in bytes (default 131072).
#[no_mangle]
pub extern "C" fn SetProducerMaxMessageSize(producer: *mut CProducer, size: c_int) -> c_int {
    set("SetProducerMaxMessageSize", producer, |s| {
        s.config.max_message_size = size.max(0) as usize;
        Ok(OK)
    })
}

/// Not in 2.2.0: attempts of a synchronous send after the first (default 4, so 5 attempts as
/// 2.2.0); 0 = one attempt. Asynchronous sends: `SetProducerRetryTimes4Async`.
#[no_mangle]
pub extern "C" fn SetProducerRetryTimes(producer: *mut CProducer, retryTimes: c_int) -> c_int {
    set("SetProducerRetryTimes", producer, |s| {
        s.config.sync_attempts = retryTimes.max(0) as u32 + 1;
        Ok(OK)
    })
}

/// Message trace on (`OPEN`, 0) or off (anything else) from the next start; default off, or
/// on when `ROCKETMQ_MESSAGE_TRACE=1` was set at creation. Sends write `Pub` records (and
/// transactions `EndTransaction`) to the trace topic.
#[no_mangle]
pub extern "C" fn SetProducerMessageTrace(consumer: *mut CProducer, openTrace: CTraceModel) -> c_int {
    set("SetProducerMessageTrace", consumer, |s| {
        s.client.trace = openTrace == TRACE_OPEN;
        Ok(OK)
    })
}

/// Not in 2.2.0: the topic trace records go to (default `RMQ_SYS_TRACE_TOPIC`, or
/// `ROCKETMQ_MESSAGE_TRACE_TOPIC`); empty: back to the default.
#[no_mangle]
pub extern "C" fn SetProducerMessageTraceTopic(producer: *mut CProducer, topic: *const c_char) -> c_int {
    set_text("SetProducerMessageTraceTopic", producer, topic, "topic", |s, t| s.client.trace_topic = t)
}

/// Not in 2.2.0: TLS on (1) or off (0).
#[no_mangle]
pub extern "C" fn SetProducerSsl(producer: *mut CProducer, enableSsl: c_int) -> c_int {
    set("SetProducerSsl", producer, |s| {
        s.client.ssl = enableSsl != 0;
        Ok(OK)
    })
}

/// Not in 2.2.0: the TLS properties file (default `/etc/rocketmq/tls.properties`).
#[no_mangle]
pub extern "C" fn SetProducerSslPropertyFile(producer: *mut CProducer, sslPropertyFile: *const c_char) -> c_int {
    set_text("SetProducerSslPropertyFile", producer, sslPropertyFile, "sslPropertyFile", |s, v| s.client.ssl_property_file = v)
}

/// Not in 2.2.0 (what the 2.2.0 C++ API needs): how long opening a connection to a name server
/// or broker may take, in milliseconds (0 or less: the default, 3000, as 2.2.0); from the next
/// start. A synchronous send's connection opens within the shorter of this and its deadline.
#[no_mangle]
pub extern "C" fn SetProducerConnectTimeout(producer: *mut CProducer, timeoutMillis: c_int) -> c_int {
    set("SetProducerConnectTimeout", producer, |s| {
        s.client.client.connect_timeout = super::client_settings::connect_timeout(timeoutMillis);
        Ok(OK)
    })
}

/// Not in 2.2.0 (what the 2.2.0 C++ API needs): attempts of an asynchronous send in all, as
/// 2.2.0's `retryTimes4Async` (default 1: one attempt; less than 1 counts as 1, more than 15 as
/// 15). A later attempt goes to the same broker, within the send timeout, after a write that
/// failed or an error answer a synchronous send would retry.
#[no_mangle]
pub extern "C" fn SetProducerRetryTimes4Async(producer: *mut CProducer, retryTimes: c_int) -> c_int {
    set("SetProducerRetryTimes4Async", producer, |s| {
        s.config.async_attempts = retryTimes.clamp(1, 15) as u32;
        Ok(OK)
    })
}

// ---- sending ----

/// The running core producer for a send of kind `transactional`, or the send's failure code.
fn running(h: &CProducer, function: &str, code: c_int, transactional: bool) -> Result<Arc<Producer>, Failure<c_int>> {
    if transactional && h.kind != Kind::Transaction {
        return Err(fail(code, format!("{function}: this producer was not created by CreateTransactionProducer")));
    }
    if !transactional && h.kind == Kind::Transaction {
        return Err(fail(code, format!("{function}: a transaction producer only sends with SendMessageTransaction")));
    }
    h.lock()
        .running
        .clone()
        .ok_or_else(|| fail(code, format!("{function}: the producer is not started (call StartProducer first) or was shut down")))
}

fn message_of(msg: *mut CMessage, function: &str) -> Result<(&'static CMessage, Message), Failure<c_int>> {
    // SAFETY: NULL or a live message handle of ours.
    match unsafe { CMessage::from_ptr(msg) } {
        Some(m) => {
            let copy = m.lock().message().clone();
            Ok((m, copy))
        }
        None => Err(fail(NULL_POINTER, format!("{function}: argument `msg` is NULL or not a live message"))),
    }
}

/// Copies what the send set on the message (its `UNIQ_KEY`, a sharding key) back to the
/// caller's handle, as 2.2.0 changed the caller's message in place.
fn write_back(handle: &CMessage, sent: &Message) {
    let mut data = handle.lock();
    for key in [prop::UNIQ_KEY, prop::SHARDING_KEY] {
        if let Some(v) = sent.property(key) {
            data.message_mut().properties.insert(key.to_string(), v.to_string());
        }
    }
}

fn send_failed(function: &str, code: c_int) -> impl Fn(Error) -> Failure<c_int> + '_ {
    move |e| fail(code, format!("{function}: {e}"))
}

/// Runs a blocking send on the host thread and fills `result`.
fn sync_send(
    function: &'static str,
    code: c_int,
    producer: *mut CProducer,
    msg: *mut CMessage,
    result: *mut CSendResult,
    send: impl FnOnce(&Producer, &mut Message) -> Result<SendResult, Error>,
) -> c_int {
    sync_send_into(function, code, producer, msg, result, CSendResult::from_result, send)
}

/// `sync_send` for any kind of result struct.
fn sync_send_into<R>(
    function: &'static str,
    code: c_int,
    producer: *mut CProducer,
    msg: *mut CMessage,
    result: *mut R,
    convert: fn(&SendResult) -> R,
    send: impl FnOnce(&Producer, &mut Message) -> Result<SendResult, Error>,
) -> c_int {
    entry(function, code, || {
        let h = handle(producer, function, code)?;
        non_null(result, "result", function, NULL_POINTER)?;
        let (m, mut message) = message_of(msg, function)?;
        let p = running(h, function, code, false)?;
        let r = send(&p, &mut message);
        write_back(m, &message);
        let r = r.map_err(send_failed(function, code))?;
        // SAFETY: checked non-NULL; the host gave us a result struct to fill.
        unsafe { *result = convert(&r) };
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SendMessageSync(producer: *mut CProducer, msg: *mut CMessage, result: *mut CSendResult) -> c_int {
    sync_send("SendMessageSync", PRODUCER_SEND_SYNC_FAILED, producer, msg, result, |p, m| p.send(m))
}

#[no_mangle]
pub extern "C" fn SendBatchMessage(producer: *mut CProducer, msg: *mut CBatchMessage, result: *mut CSendResult) -> c_int {
    send_batch("SendBatchMessage", producer, msg, result, CSendResult::from_result)
}

/// Not in 2.2.0: `SendBatchMessage` with the whole result (queue, offset ids).
#[no_mangle]
pub extern "C" fn SendBatchMessageEx(producer: *mut CProducer, msg: *mut CBatchMessage, result: *mut CSendResultEx) -> c_int {
    send_batch("SendBatchMessageEx", producer, msg, result, CSendResultEx::from_result)
}

/// Not in 2.2.0: `SendBatchMessageEx` to `queue` (NULL: the library picks, as
/// `SendBatchMessageEx`); every attempt goes to that queue, as in `SendMessageSyncEx`.
#[no_mangle]
pub extern "C" fn SendBatchMessageToQueue(
    producer: *mut CProducer,
    msg: *mut CBatchMessage,
    queue: *const CMessageQueue,
    result: *mut CSendResultEx,
) -> c_int {
    // SAFETY: NULL or a CMessageQueue the host filled.
    let target = unsafe { queue.as_ref() }.map(CMessageQueue::queue);
    send_batch_to("SendBatchMessageToQueue", producer, msg, target, result, CSendResultEx::from_result)
}

fn send_batch<R>(function: &'static str, producer: *mut CProducer, msg: *mut CBatchMessage, result: *mut R, convert: fn(&SendResult) -> R) -> c_int {
    send_batch_to(function, producer, msg, None, result, convert)
}

fn send_batch_to<R>(
    function: &'static str,
    producer: *mut CProducer,
    msg: *mut CBatchMessage,
    queue: Option<crate::core::route::MessageQueue>,
    result: *mut R,
    convert: fn(&SendResult) -> R,
) -> c_int {
    let F = function;
    entry(F, PRODUCER_SEND_SYNC_FAILED, || {
        let h = handle(producer, F, PRODUCER_SEND_SYNC_FAILED)?;
        non_null(msg, "msg", F, NULL_POINTER)?;
        non_null(result, "result", F, NULL_POINTER)?;
        let p = running(h, F, PRODUCER_SEND_SYNC_FAILED, false)?;
        // SAFETY: a live batch handle from CreateBatchMessage.
        let mut messages = unsafe { &*msg }.messages.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let r = p.send_batch_to(&mut messages, queue.as_ref()).map_err(send_failed(F, PRODUCER_SEND_SYNC_FAILED))?;
        // SAFETY: checked non-NULL.
        unsafe { *result = convert(&r) };
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SendMessageOneway(producer: *mut CProducer, msg: *mut CMessage) -> c_int {
    const F: &str = "SendMessageOneway";
    entry(F, PRODUCER_SEND_ONEWAY_FAILED, || {
        let h = handle(producer, F, PRODUCER_SEND_ONEWAY_FAILED)?;
        let (m, mut message) = message_of(msg, F)?;
        let p = running(h, F, PRODUCER_SEND_ONEWAY_FAILED, false)?;
        let r = runtime::block_on(p.send_oneway(&mut message, None)).and_then(|r| r);
        write_back(m, &message);
        r.map_err(send_failed(F, PRODUCER_SEND_ONEWAY_FAILED))?;
        Ok(OK)
    })
}

/// Calls the host's selector on this thread with the host's own message pointer.
fn selector(callback: unsafe extern "C" fn(c_int, *mut CMessage, *mut c_void) -> c_int, msg: *mut CMessage, arg: *mut c_void) -> impl FnMut(usize, &Message) -> i32 {
    move |n, _| {
        // SAFETY: a host function pointer called with the host's own message and argument.
        unsafe { callback(n as c_int, msg, arg) }
    }
}

#[no_mangle]
pub extern "C" fn SendMessageOnewayOrderly(producer: *mut CProducer, msg: *mut CMessage, selector: QueueSelectorCallback, arg: *mut c_void) -> c_int {
    const F: &str = "SendMessageOnewayOrderly";
    entry(F, PRODUCER_SEND_ONEWAY_FAILED, || {
        let h = handle(producer, F, PRODUCER_SEND_ONEWAY_FAILED)?;
        let cb = selector.ok_or_else(|| fail(NULL_POINTER, format!("{F}: argument `selector` is NULL")))?;
        let (m, mut message) = message_of(msg, F)?;
        let p = running(h, F, PRODUCER_SEND_ONEWAY_FAILED, false)?;
        let mut select = self::selector(cb, msg, arg);
        let r = runtime::block_on(async {
            let (_, queues) = p.write_queues(&message.topic).await?;
            let index = select(queues.len(), &message);
            let mq = queues.get(usize::try_from(index).unwrap_or(usize::MAX)).cloned().ok_or_else(|| {
                Error::InvalidArgument(format!("the queue selector returned {index}, but the topic has {} queues", queues.len()))
            })?;
            p.send_oneway(&mut message, Some(mq)).await
        })
        .and_then(|r| r);
        write_back(m, &message);
        r.map_err(send_failed(F, PRODUCER_SEND_ONEWAY_FAILED))?;
        Ok(OK)
    })
}

/// `arg` may be NULL (2.2.0 refused NULL here, for no reason a caller could rely on).
#[no_mangle]
pub extern "C" fn SendMessageOrderly(
    producer: *mut CProducer,
    msg: *mut CMessage,
    callback: QueueSelectorCallback,
    arg: *mut c_void,
    autoRetryTimes: c_int,
    result: *mut CSendResult,
) -> c_int {
    const F: &str = "SendMessageOrderly";
    let Some(cb) = callback else {
        return entry(F, NULL_POINTER, || Err(fail(NULL_POINTER, format!("{F}: argument `callback` is NULL"))));
    };
    sync_send(F, PRODUCER_SEND_ORDERLY_FAILED, producer, msg, result, |p, m| {
        let mut select = selector(cb, msg, arg);
        p.send_orderly(m, &mut select, autoRetryTimes.max(0) as u32)
    })
}

#[no_mangle]
pub extern "C" fn SendMessageOrderlyByShardingKey(producer: *mut CProducer, msg: *mut CMessage, shardingKey: *const c_char, result: *mut CSendResult) -> c_int {
    const F: &str = "SendMessageOrderlyByShardingKey";
    if shardingKey.is_null() {
        return entry(F, NULL_POINTER, || Err(fail(NULL_POINTER, format!("{F}: argument `shardingKey` is NULL"))));
    }
    // SAFETY: a non-NULL, NUL-terminated string from the host.
    let key = unsafe { std::ffi::CStr::from_ptr(shardingKey) }.to_string_lossy().into_owned();
    sync_send(F, PRODUCER_SEND_ORDERLY_FAILED, producer, msg, result, |p, m| p.send_by_sharding_key(m, &key))
}

/// Where an asynchronous send reports back.
enum AsyncReply {
    Plain(unsafe extern "C" fn(CSendResult), unsafe extern "C" fn(CMQException)),
    WithMessage(unsafe extern "C" fn(CSendResult, *mut CMessage, *mut c_void), unsafe extern "C" fn(CMQException, *mut CMessage, *mut c_void), usize, usize),
    Ex(unsafe extern "C" fn(c_int, *const CSendResultEx, *const c_char, *mut c_void), usize),
}

impl AsyncReply {
    /// Runs on the callback thread.
    fn deliver(self, outcome: Result<SendResult, Error>) {
        super::python_host::before_host_callback();
        // SAFETY: host function pointers, called with the pointers the host gave us.
        unsafe {
            match (self, outcome) {
                (AsyncReply::Plain(ok, _), Ok(r)) => ok(CSendResult::from_result(&r)),
                (AsyncReply::Plain(_, err), Err(e)) => err(CMQException::new(-1, &e.to_string())),
                (AsyncReply::WithMessage(ok, _, msg, data), Ok(r)) => ok(CSendResult::from_result(&r), msg as *mut CMessage, data as *mut c_void),
                (AsyncReply::WithMessage(_, err, msg, data), Err(e)) => {
                    err(CMQException::new(-1, &e.to_string()), msg as *mut CMessage, data as *mut c_void)
                }
                (AsyncReply::Ex(cb, data), Ok(r)) => {
                    let result = CSendResultEx::from_result(&r);
                    cb(OK, &result, std::ptr::null(), data as *mut c_void)
                }
                (AsyncReply::Ex(cb, data), Err(e)) => {
                    let text = CString::new(e.to_string().replace('\0', " ")).unwrap_or_default();
                    cb(PRODUCER_SEND_ASYNC_FAILED, std::ptr::null(), text.as_ptr(), data as *mut c_void)
                }
            }
        }
    }
}

/// How an asynchronous send picks its queue.
enum Target {
    Library,
    Selector(unsafe extern "C" fn(c_int, *mut CMessage, *mut c_void) -> c_int, *mut c_void),
    Queue(crate::core::route::MessageQueue),
}

fn async_send(function: &'static str, code: c_int, producer: *mut CProducer, msg: *mut CMessage, reply: AsyncReply, target: Target) -> Outcome<c_int> {
    let h = handle(producer, function, code)?;
    let (m, mut message) = message_of(msg, function)?;
    let p = running(h, function, code, false)?;
    let queue = match target {
        Target::Library => None,
        Target::Queue(q) => Some(q),
        Target::Selector(cb, arg) => {
            let mut pick = selector(cb, msg, arg);
            let (_, queues) = runtime::block_on(p.write_queues(&message.topic))
                .and_then(|r| r)
                .map_err(send_failed(function, code))?;
            let index = pick(queues.len(), &message);
            Some(queues.get(usize::try_from(index).unwrap_or(usize::MAX)).cloned().ok_or_else(|| {
                fail(code, format!("{function}: the queue selector returned {index}, but the topic has {} queues", queues.len()))
            })?)
        }
    };
    let r = p.send_async(&mut message, queue, Box::new(move |outcome| reply.deliver(outcome)));
    write_back(m, &message);
    r.map_err(send_failed(function, code))?;
    Ok(OK)
}

#[no_mangle]
pub extern "C" fn SendMessageAsync(
    producer: *mut CProducer,
    msg: *mut CMessage,
    cSendSuccessCallback: CSendSuccessCallback,
    cSendExceptionCallback: CSendExceptionCallback,
) -> c_int {
    const F: &str = "SendMessageAsync";
    entry(F, PRODUCER_SEND_ASYNC_FAILED, || {
        let ok = cSendSuccessCallback.ok_or_else(|| fail(NULL_POINTER, format!("{F}: argument `cSendSuccessCallback` is NULL")))?;
        let err = cSendExceptionCallback.ok_or_else(|| fail(NULL_POINTER, format!("{F}: argument `cSendExceptionCallback` is NULL")))?;
        async_send(F, PRODUCER_SEND_ASYNC_FAILED, producer, msg, AsyncReply::Plain(ok, err), Target::Library)
    })
}

/// The callbacks get the caller's `msg` and `userData`: keep `msg` alive until one has run.
#[no_mangle]
pub extern "C" fn SendAsync(
    producer: *mut CProducer,
    msg: *mut CMessage,
    cSendSuccessCallback: COnSendSuccessCallback,
    cSendExceptionCallback: COnSendExceptionCallback,
    userData: *mut c_void,
) -> c_int {
    const F: &str = "SendAsync";
    entry(F, PRODUCER_SEND_ASYNC_FAILED, || {
        let ok = cSendSuccessCallback.ok_or_else(|| fail(NULL_POINTER, format!("{F}: argument `cSendSuccessCallback` is NULL")))?;
        let err = cSendExceptionCallback.ok_or_else(|| fail(NULL_POINTER, format!("{F}: argument `cSendExceptionCallback` is NULL")))?;
        let reply = AsyncReply::WithMessage(ok, err, msg as usize, userData as usize);
        async_send(F, PRODUCER_SEND_ASYNC_FAILED, producer, msg, reply, Target::Library)
    })
}

#[no_mangle]
pub extern "C" fn SendMessageOrderlyAsync(
    producer: *mut CProducer,
    msg: *mut CMessage,
    callback: QueueSelectorCallback,
    arg: *mut c_void,
    cSendSuccessCallback: CSendSuccessCallback,
    cSendExceptionCallback: CSendExceptionCallback,
) -> c_int {
    const F: &str = "SendMessageOrderlyAsync";
    entry(F, PRODUCER_SEND_ORDERLYASYNC_FAILED, || {
        let cb = callback.ok_or_else(|| fail(NULL_POINTER, format!("{F}: argument `callback` is NULL")))?;
        let ok = cSendSuccessCallback.ok_or_else(|| fail(NULL_POINTER, format!("{F}: argument `cSendSuccessCallback` is NULL")))?;
        let err = cSendExceptionCallback.ok_or_else(|| fail(NULL_POINTER, format!("{F}: argument `cSendExceptionCallback` is NULL")))?;
        async_send(F, PRODUCER_SEND_ORDERLYASYNC_FAILED, producer, msg, AsyncReply::Plain(ok, err), Target::Selector(cb, arg))
    })
}

/// Not in 2.2.0: an asynchronous send with the whole result, to `queue` (NULL: the library's
/// round-robin choice). `callback` runs exactly once, on the library's callback thread, also
/// for failures found before anything was sent; then the call returns 0. A non-zero return
/// (bad arguments, producer not started) means `callback` is not called.
#[no_mangle]
pub extern "C" fn SendMessageAsyncEx(
    producer: *mut CProducer,
    msg: *mut CMessage,
    queue: *const CMessageQueue,
    callback: CSendExCallback,
    userData: *mut c_void,
) -> c_int {
    const F: &str = "SendMessageAsyncEx";
    entry(F, PRODUCER_SEND_ASYNC_FAILED, || {
        let cb = callback.ok_or_else(|| fail(NULL_POINTER, format!("{F}: argument `callback` is NULL")))?;
        // SAFETY: NULL or a CMessageQueue the host filled.
        let target = match unsafe { queue.as_ref() } {
            Some(q) => Target::Queue(q.queue()),
            None => Target::Library,
        };
        async_send(F, PRODUCER_SEND_ASYNC_FAILED, producer, msg, AsyncReply::Ex(cb, userData as usize), target)
    })
}

/// Not in 2.2.0: a synchronous send with the whole result, within `timeoutMillis` (0 or less:
/// the producer's send timeout). `queue` NULL: the library picks (round robin, retries on
/// other brokers); else every attempt goes to that queue (ordered messages of one key stay on
/// their queue). Attempts: `SetProducerRetryTimes` + 1.
#[no_mangle]
pub extern "C" fn SendMessageSyncEx(
    producer: *mut CProducer,
    msg: *mut CMessage,
    queue: *const CMessageQueue,
    timeoutMillis: c_int,
    result: *mut CSendResultEx,
) -> c_int {
    // SAFETY: NULL or a CMessageQueue the host filled.
    let target = unsafe { queue.as_ref() }.map(CMessageQueue::queue);
    let timeout = (timeoutMillis > 0).then(|| Duration::from_millis(timeoutMillis as u64));
    sync_send_into("SendMessageSyncEx", PRODUCER_SEND_SYNC_FAILED, producer, msg, result, CSendResultEx::from_result, |p, m| {
        p.send_to(m, target.as_ref(), timeout)
    })
}

/// Not in 2.2.0: the writable queues of `topic` in the order the library uses them (the route's
/// order), in an array to free with `ReleaseProducerMessageQueues`. The producer must be started.
#[no_mangle]
pub extern "C" fn FetchProducerMessageQueues(producer: *mut CProducer, topic: *const c_char, mqs: *mut *mut CMessageQueue, size: *mut c_int) -> c_int {
    const F: &str = "FetchProducerMessageQueues";
    const CODE: c_int = PRODUCER_SEND_SYNC_FAILED;
    entry(F, CODE, || {
        let h = handle(producer, F, CODE)?;
        non_null(mqs, "mqs", F, NULL_POINTER)?;
        non_null(size, "size", F, NULL_POINTER)?;
        // SAFETY: both checked non-NULL; reset before anything can fail.
        unsafe {
            *mqs = std::ptr::null_mut();
            *size = 0;
        }
        // SAFETY: NULL or a NUL-terminated string from the host.
        let topic = unsafe { c_str(topic, "topic", F, NULL_POINTER)? };
        let p = h.lock().running.clone().ok_or_else(|| fail(CODE, format!("{F}: the producer is not started")))?;
        let (_, queues) = p.queues_of(&topic).map_err(send_failed(F, CODE))?;
        CMessageQueue::export_array(&queues, mqs, size, F)?;
        Ok(OK)
    })
}

/// Not in 2.2.0: frees an array from `FetchProducerMessageQueues`.
#[no_mangle]
pub extern "C" fn ReleaseProducerMessageQueues(mqs: *mut CMessageQueue) -> c_int {
    entry("ReleaseProducerMessageQueues", NULL_POINTER, || {
        non_null(mqs, "mqs", "ReleaseProducerMessageQueues", NULL_POINTER)?;
        // SAFETY: allocated with malloc by FetchProducerMessageQueues.
        unsafe { libc::free(mqs as *mut libc::c_void) };
        Ok(OK)
    })
}

/// Sends the half message, runs `callback` (the local transaction) on this thread with the
/// caller's message and userData, and sends its outcome to the broker. As in 2.2.0 the executor
/// runs only when the producer has a checker; without one every transaction ends unknown (and
/// the broker's checks then find nobody to ask).
#[no_mangle]
pub extern "C" fn SendMessageTransaction(
    producer: *mut CProducer,
    msg: *mut CMessage,
    callback: CLocalTransactionExecutorCallback,
    userData: *mut c_void,
    result: *mut CSendResult,
) -> c_int {
    send_transaction("SendMessageTransaction", producer, msg, callback, userData, result, CSendResult::from_result)
}

/// Not in 2.2.0: `SendMessageTransaction` with the whole result of the half message's send.
#[no_mangle]
pub extern "C" fn SendMessageTransactionEx(
    producer: *mut CProducer,
    msg: *mut CMessage,
    callback: CLocalTransactionExecutorCallback,
    userData: *mut c_void,
    result: *mut CSendResultEx,
) -> c_int {
    send_transaction("SendMessageTransactionEx", producer, msg, callback, userData, result, CSendResultEx::from_result)
}

/// Not in 2.2.0: `SendMessageSync` of a message given by its parts, for a host that keeps its
/// messages itself (bindings/python): one foreign call per send where a `CMessage` costs four
/// (create, set body, send, destroy). `properties` is `name\x01value\x02...` (the wire encoding;
/// tags, keys and delay level are properties too), NULL for none; `body` may hold NUL bytes and
/// may be NULL when `bodyLen` is 0. The message id (`UNIQ_KEY`) is `result->msgId`.
#[no_mangle]
pub extern "C" fn SendMessageSyncParts(
    producer: *mut CProducer,
    topic: *const c_char,
    body: *const c_char,
    bodyLen: c_int,
    properties: *const c_char,
    result: *mut CSendResult,
) -> c_int {
    const F: &str = "SendMessageSyncParts";
    const CODE: c_int = PRODUCER_SEND_SYNC_FAILED;
    entry(F, CODE, || {
        let h = handle(producer, F, CODE)?;
        non_null(result, "result", F, NULL_POINTER)?;
        // SAFETY: NUL-terminated strings from the host, `properties` possibly NULL.
        let mut message = Message::new(&unsafe { c_str(topic, "topic", F, NULL_POINTER)? });
        if !properties.is_null() {
            let text = unsafe { c_str(properties, "properties", F, NULL_POINTER)? };
            for (name, value) in decode_properties(&text) {
                message.set_property(&name, &value);
            }
        }
        if bodyLen < 0 {
            return Err(fail(NULL_POINTER, format!("{F}: bodyLen {bodyLen} is negative")));
        }
        if bodyLen > 0 {
            non_null(body, "body", F, NULL_POINTER)?;
            // SAFETY: the host promises `bodyLen` readable bytes at `body`.
            message.body = unsafe { std::slice::from_raw_parts(body as *const u8, bodyLen as usize) }.to_vec();
        }
        let p = running(h, F, CODE, false)?;
        let r = p.send(&mut message).map_err(send_failed(F, CODE))?;
        // SAFETY: checked non-NULL; the host gave us a result struct to fill.
        unsafe { *result = CSendResult::from_result(&r) };
        Ok(OK)
    })
}

fn send_transaction<R>(
    function: &'static str,
    producer: *mut CProducer,
    msg: *mut CMessage,
    callback: CLocalTransactionExecutorCallback,
    userData: *mut c_void,
    result: *mut R,
    convert: fn(&SendResult) -> R,
) -> c_int {
    let F = function;
    const CODE: c_int = PRODUCER_SEND_TRANSACTION_FAILED;
    entry(F, CODE, || {
        let h = handle(producer, F, CODE)?;
        non_null(result, "result", F, NULL_POINTER)?;
        let executor = callback.ok_or_else(|| fail(NULL_POINTER, format!("{F}: argument `callback` is NULL")))?;
        let (m, mut message) = message_of(msg, F)?;
        let p = running(h, F, CODE, true)?;
        let has_checker = h.checker.0.is_some();
        let execute = |_: &Message| {
            if !has_checker {
                return TransactionState::Unknown;
            }
            super::paint_stack();
            // SAFETY: the host's executor with its own producer, message and userData.
            transaction_state(unsafe { executor(producer, msg, userData) })
        };
        // The executor reads the caller's message: give it the half message's properties first.
        let r = p.send_transaction(&mut message, &mut |sent| {
            write_back_all(m, sent);
            execute(sent)
        });
        write_back_all(m, &message);
        let r = r.map_err(send_failed(F, CODE))?;
        // SAFETY: checked non-NULL.
        unsafe { *result = convert(&r) };
        Ok(OK)
    })
}

/// Not in 2.2.0: what 2.2.0's `TransactionMQProducer::checkTransactionState` sends once the
/// listener answered: END_TRANSACTION (from a check) with `status` for the half message copy at
/// `tranStateTableOffset` / `commitLogOffset` on the broker at `brokerAddr` ("host:port"), with
/// this producer's group. Commit and rollback wait for the broker's answer (an error when it
/// refuses); unknown is sent one-way. Transaction producers only, started.
#[no_mangle]
pub extern "C" fn AnswerTransactionCheck(
    producer: *mut CProducer,
    brokerAddr: *const c_char,
    tranStateTableOffset: c_longlong,
    commitLogOffset: c_longlong,
    msgId: *const c_char,
    transactionId: *const c_char,
    status: CTransactionStatus,
) -> c_int {
    const F: &str = "AnswerTransactionCheck";
    const CODE: c_int = PRODUCER_SEND_TRANSACTION_FAILED;
    entry(F, CODE, || {
        let h = handle(producer, F, CODE)?;
        // SAFETY: NULL or NUL-terminated strings from the host.
        let (addr, msg_id, transaction_id) = unsafe {
            (
                c_str(brokerAddr, "brokerAddr", F, NULL_POINTER)?,
                c_str(msgId, "msgId", F, NULL_POINTER)?,
                c_str(transactionId, "transactionId", F, NULL_POINTER)?,
            )
        };
        let p = running(h, F, CODE, true)?;
        let answer = crate::core::transaction::CheckAnswer {
            addr: &addr,
            state: transaction_state(status),
            queue_offset: tranStateTableOffset,
            commit_log_offset: commitLogOffset,
            msg_id: &msg_id,
            transaction_id: &transaction_id,
        };
        p.answer_check(&answer).map_err(send_failed(F, CODE))?;
        Ok(OK)
    })
}

/// Copies the properties a transactional send set (`TRAN_MSG`, `PGROUP`, `UNIQ_KEY`) to the
/// caller's message.
fn write_back_all(handle: &CMessage, sent: &Message) {
    let mut data = handle.lock();
    data.message_mut().properties = sent.properties.clone();
    data.message_mut().sys_flag = sent.sys_flag;
}

/// 0 commit, 1 rollback, anything else unknown (a Python executor that raises returns garbage).
fn transaction_state(rc: CTransactionStatus) -> TransactionState {
    match rc {
        super::transaction_status::E_COMMIT_TRANSACTION => TransactionState::Commit,
        super::transaction_status::E_ROLLBACK_TRANSACTION => TransactionState::Rollback,
        _ => TransactionState::Unknown,
    }
}

/// Runs the host's checker (on the library's callback thread) with a `CMessageExt*` holding the
/// whole half message, and the producer pointer and userData given at creation.
struct HostChecker {
    callback: CLocalTransactionCheckerCallback,
    producer: usize,
    user_data: usize,
}

impl TransactionChecker for HostChecker {
    fn check(&self, msg: MessageExt) -> TransactionState {
        let Some(checker) = self.callback else { return TransactionState::Unknown };
        super::python_host::before_host_callback();
        let handle = Box::into_raw(CMessage::from_ext(msg));
        super::paint_stack();
        // SAFETY: the host's checker with its producer, a live message handle and its userData.
        let rc = unsafe { checker(self.producer as *mut CProducer, handle as *mut CMessageExt, self.user_data as *mut c_void) };
        // SAFETY: created above, destroyed once.
        unsafe { CMessage::destroy(handle) };
        transaction_state(rc)
    }
}

/// Not in 2.2.0: cancels a message scheduled with `__STARTDELIVERTIME`, in one call (see
/// `core::schedule`).
#[no_mangle]
pub extern "C" fn CancelScheduledMessage(producer: *mut CProducer, topic: *const c_char, msgId: *const c_char, startDeliverTime: c_longlong) -> c_int {
    const F: &str = "CancelScheduledMessage";
    const CODE: c_int = PRODUCER_SEND_SYNC_FAILED;
    entry(F, CODE, || {
        let h = handle(producer, F, CODE)?;
        // SAFETY: NULL or NUL-terminated strings from the host.
        let (topic, id) = unsafe { (c_str(topic, "topic", F, NULL_POINTER)?, c_str(msgId, "msgId", F, NULL_POINTER)?) };
        let p = running(h, F, CODE, false)?;
        let mut cancel = Message::new(&topic);
        cancel.body = b"cancel".to_vec();
        cancel.set_property(crate::core::schedule::START_DELIVER_TIME, &startDeliverTime.to_string());
        cancel.set_property(crate::core::schedule::CANCEL_SCHEDULED_MSG, &id);
        p.send(&mut cancel).map_err(send_failed(F, CODE))?;
        Ok(OK)
    })
}
