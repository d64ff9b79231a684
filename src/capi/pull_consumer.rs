//! `CPullConsumer.h`: pull consumers (queues of a topic, one pull at a time; offsets kept by the
//! caller).

use std::ffi::{c_char, c_int, c_long, c_longlong, CString};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::common::status::*;
use super::common::{CLogLevel, VERSION_TEXT};
use super::message_queue::CMessageQueue;
use super::pull_result::CPullResult;
use super::{c_str, entry, fail, non_null, Failure, Outcome};
use super::client_settings::{credentials, ClientSettings};
use crate::core::consumer::offset_store::RemoteOffsets;
use crate::core::pull::{Puller, TagFilter};
use crate::core::{log, runtime};

const LIVE: u32 = 0x524D_514C; // "RMQL"
/// Network timeout of one pull (2.2.0: 10 s).
const PULL_TIMEOUT: Duration = Duration::from_secs(10);

struct State {
    group: CString,
    client: ClientSettings,
    running: Option<Arc<Puller>>,
}

/// Opaque to C: `typedef struct CPullConsumer CPullConsumer;`.
pub struct CPullConsumer {
    magic: u32,
    state: Mutex<State>,
}

/// `VERSION_FOR_PULL_CONSUMER`, exported as 2.2.0 did (256 bytes).
#[no_mangle]
pub static VERSION_FOR_PULL_CONSUMER: [u8; 256] = version_bytes();

pub(crate) const fn version_bytes() -> [u8; 256] {
    let text = VERSION_TEXT.as_bytes();
    let mut out = [0u8; 256];
    let mut i = 0;
    while i < text.len() && i < 255 {
        out[i] = text[i];
        i += 1;
    }
    out
}

fn handle<'a, T>(c: *mut CPullConsumer, function: &str, on_dead: T, on_null: T) -> Result<&'a CPullConsumer, Failure<T>> {
    // SAFETY: hosts pass NULL or a pointer from CreatePullConsumer they have not destroyed.
    match unsafe { c.as_ref() } {
        Some(h) if h.magic == LIVE => Ok(h),
        Some(_) => Err(fail(on_dead, format!("{function}: `consumer` is not a live pull consumer"))),
        None => Err(fail(on_null, format!("{function}: argument `consumer` is NULL"))),
    }
}

impl CPullConsumer {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[no_mangle]
pub extern "C" fn CreatePullConsumer(groupId: *const c_char) -> *mut CPullConsumer {
    entry("CreatePullConsumer", std::ptr::null_mut(), || {
        // SAFETY: NULL or a NUL-terminated string from the host.
        let group = unsafe { c_str(groupId, "groupId", "CreatePullConsumer", std::ptr::null_mut())? };
        let group = if group.is_empty() { "DEFAULT_CONSUMER".to_string() } else { group };
        let state = State { group: CString::new(group).unwrap_or_default(), client: ClientSettings::new(), running: None };
        Ok(Box::into_raw(Box::new(CPullConsumer { magic: LIVE, state: Mutex::new(state) })))
    })
}

#[no_mangle]
pub extern "C" fn DestroyPullConsumer(consumer: *mut CPullConsumer) -> c_int {
    entry("DestroyPullConsumer", NULL_POINTER, || {
        let h = handle(consumer, "DestroyPullConsumer", NULL_POINTER, NULL_POINTER)?;
        if let Some(p) = h.lock().running.take() {
            let _ = runtime::block_on(p.shutdown());
        }
        // SAFETY: checked live; destroyed once by the host.
        unsafe {
            (*consumer).magic = 0;
            drop(Box::from_raw(consumer));
        }
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn StartPullConsumer(consumer: *mut CPullConsumer) -> c_int {
    const F: &str = "StartPullConsumer";
    entry(F, PULLCONSUMER_START_FAILED, || {
        let h = handle(consumer, F, PULLCONSUMER_START_FAILED, NULL_POINTER)?;
        let mut s = h.lock();
        if s.running.is_some() {
            return Ok(OK);
        }
        let group = s.group.to_string_lossy().into_owned();
        if group == "DEFAULT_CONSUMER" {
            return Err(fail(PULLCONSUMER_START_FAILED, format!("{F}: consumerGroup can not equal DEFAULT_CONSUMER")));
        }
        let client = s.client.resolve().map_err(|e| fail(PULLCONSUMER_START_FAILED, format!("{F}: {e}")))?;
        runtime::handle().map_err(|e| fail(PULLCONSUMER_START_FAILED, format!("{F}: {e}")))?;
        let puller = Puller::new(&group, &client).map_err(|e| fail(PULLCONSUMER_START_FAILED, format!("{F}: {e}")))?;
        s.running = Some(Arc::new(puller));
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn ShutdownPullConsumer(consumer: *mut CPullConsumer) -> c_int {
    entry("ShutdownPullConsumer", NULL_POINTER, || {
        let h = handle(consumer, "ShutdownPullConsumer", NULL_POINTER, NULL_POINTER)?;
        let running = h.lock().running.take();
        if let Some(p) = running {
            let _ = runtime::block_on(p.shutdown());
        }
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn ShowPullConsumerVersion(consumer: *mut CPullConsumer) -> *const c_char {
    entry("ShowPullConsumerVersion", std::ptr::null(), || {
        handle(consumer, "ShowPullConsumerVersion", std::ptr::null(), std::ptr::null())?;
        Ok(VERSION_FOR_PULL_CONSUMER.as_ptr() as *const c_char)
    })
}

fn set(function: &'static str, consumer: *mut CPullConsumer, apply: impl FnOnce(&mut State) -> Outcome<c_int>) -> c_int {
    entry(function, NULL_POINTER, || {
        let h = handle(consumer, function, NULL_POINTER, NULL_POINTER)?;
        let mut s = h.lock();
        apply(&mut s)
    })
}

fn set_text(function: &'static str, consumer: *mut CPullConsumer, value: *const c_char, name: &str, apply: impl FnOnce(&mut State, String)) -> c_int {
    set(function, consumer, |s| {
        // SAFETY: NULL or a NUL-terminated string from the host.
        let v = unsafe { c_str(value, name, function, NULL_POINTER)? };
        apply(s, v);
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPullConsumerGroupID(consumer: *mut CPullConsumer, groupId: *const c_char) -> c_int {
    set_text("SetPullConsumerGroupID", consumer, groupId, "groupId", |s, v| s.group = CString::new(v).unwrap_or_default())
}

#[no_mangle]
pub extern "C" fn GetPullConsumerGroupID(consumer: *mut CPullConsumer) -> *const c_char {
    entry("GetPullConsumerGroupID", std::ptr::null(), || {
        let h = handle(consumer, "GetPullConsumerGroupID", std::ptr::null(), std::ptr::null())?;
        // The CString lives as long as the handle, unless the group is set again.
        Ok(h.lock().group.as_ptr())
    })
}

#[no_mangle]
pub extern "C" fn SetPullConsumerNameServerAddress(consumer: *mut CPullConsumer, namesrv: *const c_char) -> c_int {
    set_text("SetPullConsumerNameServerAddress", consumer, namesrv, "namesrv", |s, v| s.client.set_namesrv(&v))
}

#[no_mangle]
pub extern "C" fn SetPullConsumerNameServerDomain(consumer: *mut CPullConsumer, domain: *const c_char) -> c_int {
    set_text("SetPullConsumerNameServerDomain", consumer, domain, "domain", |s, v| s.client.namesrv_domain = v)
}

#[no_mangle]
pub extern "C" fn SetPullConsumerSessionCredentials(
    consumer: *mut CPullConsumer,
    accessKey: *const c_char,
    secretKey: *const c_char,
    channel: *const c_char,
) -> c_int {
    const F: &str = "SetPullConsumerSessionCredentials";
    set(F, consumer, |s| {
        // SAFETY: NULL or NUL-terminated strings from the host.
        s.client.client.credentials = unsafe { credentials(accessKey, secretKey, channel, F)? };
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPullConsumerLogPath(consumer: *mut CPullConsumer, logPath: *const c_char) -> c_int {
    // SAFETY: NULL or a NUL-terminated string from the host.
    set("SetPullConsumerLogPath", consumer, |_| Ok(unsafe { super::client_settings::log_path(logPath) }))
}

#[allow(clippy::useless_conversion)] // c_long is 32 bits on some targets
#[no_mangle]
pub extern "C" fn SetPullConsumerLogFileNumAndSize(consumer: *mut CPullConsumer, fileNum: c_int, fileSize: c_long) -> c_int {
    set("SetPullConsumerLogFileNumAndSize", consumer, |_| {
        log::set_rotation(fileNum, i64::from(fileSize));
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPullConsumerLogLevel(consumer: *mut CPullConsumer, level: CLogLevel) -> c_int {
    set("SetPullConsumerLogLevel", consumer, |_| {
        log::set_level(level);
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPullConsumerSsl(consumer: *mut CPullConsumer, enableSsl: c_int) -> c_int {
    set("SetPullConsumerSsl", consumer, |s| {
        s.client.ssl = enableSsl != 0;
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn SetPullConsumerSslPropertyFile(consumer: *mut CPullConsumer, sslPropertyFile: *const c_char) -> c_int {
    set_text("SetPullConsumerSslPropertyFile", consumer, sslPropertyFile, "sslPropertyFile", |s, v| s.client.ssl_property_file = v)
}

fn running<T>(h: &CPullConsumer, function: &str, code: T) -> Result<Arc<Puller>, Failure<T>> {
    h.lock()
        .running
        .clone()
        .ok_or_else(|| fail(code, format!("{function}: the pull consumer is not started (call StartPullConsumer first) or was shut down")))
}

/// The readable queues of `topic`, in a `malloc`ed array freed by
/// `ReleaseSubscriptionMessageQueue`. An unknown topic fails with code 31 and a text.
#[no_mangle]
pub extern "C" fn FetchSubscriptionMessageQueues(consumer: *mut CPullConsumer, topic: *const c_char, mqs: *mut *mut CMessageQueue, size: *mut c_int) -> c_int {
    const F: &str = "FetchSubscriptionMessageQueues";
    entry(F, PULLCONSUMER_FETCH_MQ_FAILED, || {
        let h = handle(consumer, F, PULLCONSUMER_FETCH_MQ_FAILED, NULL_POINTER)?;
        non_null(mqs, "mqs", F, NULL_POINTER)?;
        non_null(size, "size", F, NULL_POINTER)?;
        // SAFETY: both checked non-NULL; we reset them before anything can fail.
        unsafe {
            *mqs = std::ptr::null_mut();
            *size = 0;
        }
        // SAFETY: NULL or a NUL-terminated string from the host.
        let topic = unsafe { c_str(topic, "topic", F, NULL_POINTER)? };
        let puller = running(h, F, PULLCONSUMER_FETCH_MQ_FAILED)?;
        let queues = runtime::block_on(puller.fetch_queues(&topic))
            .and_then(|r| r)
            .map_err(|e| fail(PULLCONSUMER_FETCH_MQ_FAILED, format!("{F}: {e}")))?;
        CMessageQueue::export_array(&queues, mqs, size, F)?;
        Ok(OK)
    })
}

#[no_mangle]
pub extern "C" fn ReleaseSubscriptionMessageQueue(mqs: *mut CMessageQueue) -> c_int {
    entry("ReleaseSubscriptionMessageQueue", NULL_POINTER, || {
        non_null(mqs, "mqs", "ReleaseSubscriptionMessageQueue", NULL_POINTER)?;
        // SAFETY: allocated with malloc by FetchSubscriptionMessageQueues.
        unsafe { libc::free(mqs as *mut libc::c_void) };
        Ok(OK)
    })
}

/// One pull (no long polling). Any failure gives status 4 (broker timeout) and a text.
#[no_mangle]
pub extern "C" fn Pull(consumer: *mut CPullConsumer, mq: *const CMessageQueue, subExpression: *const c_char, offset: c_longlong, maxNums: c_int) -> CPullResult {
    pull("Pull", consumer, mq, subExpression, offset, maxNums, false)
}

/// As `Pull`, but the broker holds the request (up to 15 s) until a message arrives (the C++
/// API's `pullBlockIfNotFound`; not in 2.2.0's C API).
#[no_mangle]
pub extern "C" fn PullBlockIfNotFound(
    consumer: *mut CPullConsumer,
    mq: *const CMessageQueue,
    subExpression: *const c_char,
    offset: c_longlong,
    maxNums: c_int,
) -> CPullResult {
    pull("PullBlockIfNotFound", consumer, mq, subExpression, offset, maxNums, true)
}

fn pull(
    function: &'static str,
    consumer: *mut CPullConsumer,
    mq: *const CMessageQueue,
    sub_expression: *const c_char,
    offset: c_longlong,
    max_nums: c_int,
    long_poll: bool,
) -> CPullResult {
    let F = function;
    entry(F, CPullResult::failed(), || {
        let h = handle(consumer, F, CPullResult::failed(), CPullResult::failed())?;
        non_null(mq, "mq", F, CPullResult::failed())?;
        // SAFETY: NULL or a NUL-terminated string from the host.
        let expression = unsafe { c_str(sub_expression, "subExpression", F, CPullResult::failed())? };
        let puller = running(h, F, CPullResult::failed())?;
        // SAFETY: checked non-NULL; the host's queue.
        let queue = unsafe { &*mq }.queue();
        let filter = TagFilter::parse(&expression);
        let r = runtime::block_on(async {
            if long_poll {
                puller.pull_long(&queue, &filter, offset, max_nums).await
            } else {
                puller.pull(&queue, &filter, offset, max_nums, PULL_TIMEOUT).await
            }
        })
        .and_then(|r| r)
        .map_err(|e| fail(CPullResult::failed(), format!("{F}: {e}")))?;
        Ok(CPullResult::from_result(r))
    })
}

/// The consumer group's offset of `mq` as stored on the broker (clustering), into *offset;
/// -1 when the group has none for that queue (not in 2.2.0's C API).
#[no_mangle]
pub extern "C" fn FetchPullConsumerOffset(consumer: *mut CPullConsumer, mq: *const CMessageQueue, offset: *mut c_longlong) -> c_int {
    const F: &str = "FetchPullConsumerOffset";
    entry(F, PULLCONSUMER_FETCH_MESSAGE_FAILED, || {
        let h = handle(consumer, F, PULLCONSUMER_FETCH_MESSAGE_FAILED, NULL_POINTER)?;
        non_null(mq, "mq", F, NULL_POINTER)?;
        non_null(offset, "offset", F, NULL_POINTER)?;
        let puller = running(h, F, PULLCONSUMER_FETCH_MESSAGE_FAILED)?;
        // SAFETY: checked non-NULL; the host's queue.
        let queue = unsafe { &*mq }.queue();
        let store = RemoteOffsets::new(puller.client.clone(), &puller.group);
        let found = runtime::block_on(store.read(&queue))
            .and_then(|r| r)
            .map_err(|e| fail(PULLCONSUMER_FETCH_MESSAGE_FAILED, format!("{F}: {e}")))?;
        // SAFETY: checked non-NULL.
        unsafe { *offset = found.unwrap_or(-1) };
        Ok(OK)
    })
}

/// Stores `offset` as the consumer group's progress on `mq` on the broker (clustering; not in
/// 2.2.0's C API).
#[no_mangle]
pub extern "C" fn UpdatePullConsumerOffset(consumer: *mut CPullConsumer, mq: *const CMessageQueue, offset: c_longlong) -> c_int {
    const F: &str = "UpdatePullConsumerOffset";
    entry(F, PULLCONSUMER_FETCH_MESSAGE_FAILED, || {
        let h = handle(consumer, F, PULLCONSUMER_FETCH_MESSAGE_FAILED, NULL_POINTER)?;
        non_null(mq, "mq", F, NULL_POINTER)?;
        if offset < 0 {
            return Err(fail(PULLCONSUMER_FETCH_MESSAGE_FAILED, format!("{F}: offset {offset} < 0")));
        }
        let puller = running(h, F, PULLCONSUMER_FETCH_MESSAGE_FAILED)?;
        // SAFETY: checked non-NULL; the host's queue.
        let queue = unsafe { &*mq }.queue();
        let store = RemoteOffsets::new(puller.client.clone(), &puller.group);
        runtime::block_on(store.commit(&queue, offset))
            .and_then(|r| r)
            .map_err(|e| fail(PULLCONSUMER_FETCH_MESSAGE_FAILED, format!("{F}: {e}")))?;
        Ok(OK)
    })
}

/// Frees a result's messages; 1 when it holds none (as 2.2.0).
#[no_mangle]
pub extern "C" fn ReleasePullResult(pullResult: CPullResult) -> c_int {
    entry("ReleasePullResult", NULL_POINTER, || {
        // SAFETY: a result returned by Pull, released once.
        if unsafe { pullResult.release() } {
            Ok(OK)
        } else {
            Err(fail(NULL_POINTER, "ReleasePullResult: the result holds no messages"))
        }
    })
}
