//! The one task per traced client that sends trace records: hosts append records without
//! waiting (a full queue drops them, counted), the task gathers what arrives within a short
//! window and sends it in trace messages through the client's own producer machinery (a trace
//! producer on the same `Client`: same connections, routes and credentials).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

use super::record::{message_keys, Record};
use crate::core::error::Error;
use crate::core::log;
use crate::core::message::{prop, Message};
use crate::core::producer::Producer;

/// Records waiting to be sent; beyond this, new ones are dropped (Java: 1024 or 2048 contexts).
const QUEUE_CAPACITY: usize = 4096;
/// How long the task gathers records after the first one before it sends them. The queue fills
/// meanwhile without waking the task, so a busy sender costs one wake-up per window.
const GATHER_WINDOW: Duration = Duration::from_millis(20);
/// Per trace message: at most this many records, about this many bytes of body (Java: 128000 -
/// 10000) and of keys (a property: the broker refuses properties over 32767 bytes). Fewer,
/// larger trace messages cost less per record.
const MAX_RECORDS: usize = 256;
const MAX_BODY: usize = 118_000;
const MAX_KEYS: usize = 16_000;
/// A trace message's send: its own timeout (Java's trace producer: 5 s), two attempts.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);
/// Repeated warnings (drops, failed sends) at most this often.
const WARN_EVERY: Duration = Duration::from_secs(30);

/// Whose records these are: part of the trace producer's group name, as in Java.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Produce,
    Consume,
}

struct Shared {
    stop: Notify,
    dropped: AtomicU64,
}

pub struct Dispatcher {
    topic: String,
    queue: mpsc::Sender<Record>,
    closed: AtomicBool,
    shared: Arc<Shared>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Dispatcher {
    /// Starts the task on `runtime`; trace messages go out as group
    /// `_INNER_TRACE_PRODUCER-<host group>-<role>` over `client`.
    pub fn start(
        client: Arc<crate::core::client::Client>,
        client_config: &crate::core::client::ClientConfig,
        host_group: &str,
        role: Role,
        topic: &str,
        runtime: &tokio::runtime::Handle,
    ) -> Arc<Dispatcher> {
        let role_name = match role {
            Role::Produce => "PRODUCE",
            Role::Consume => "CONSUME",
        };
        let config = crate::core::producer::ProducerConfig {
            group: format!("_INNER_TRACE_PRODUCER-{host_group}-{role_name}"),
            client: client_config.clone(),
            send_timeout: SEND_TIMEOUT,
            // Sent as they are: zlib on the I/O thread would cost more than the bytes it saves
            // on a broker link.
            compress_threshold: usize::MAX,
            max_message_size: 128 * 1024,
            sync_attempts: 2,
            trace: None,
            ..Default::default()
        };
        let sender = Producer::sharing_client(config, client);
        let (queue, rx) = mpsc::channel(QUEUE_CAPACITY);
        let shared = Arc::new(Shared { stop: Notify::new(), dropped: AtomicU64::new(0) });
        let task = runtime.spawn(run(rx, sender, topic.to_string(), shared.clone()));
        log::info(&format!("message trace of {host_group} on, to topic {topic}"));
        Arc::new(Dispatcher { topic: topic.to_string(), queue, closed: AtomicBool::new(false), shared, task: Mutex::new(Some(task)) })
    }

    /// The trace topic: messages sent to it (or to a topic starting with its name) are not traced.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Whether a message to `topic` gets trace records.
    pub fn traces(&self, topic: &str) -> bool {
        !topic.starts_with(self.topic.as_str())
    }

    /// Queues a record; never waits. A full queue (or a dispatcher shut down) drops it.
    pub fn append(&self, record: Record) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        if self.queue.try_send(record).is_err() && self.shared.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
            log::warn(&format!(
                "message trace: the queue of {QUEUE_CAPACITY} records is full, records are dropped (the count is logged)"
            ));
        }
    }

    /// Records dropped so far because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Sends what is queued, waiting at most `bound`; what is left then is dropped (logged).
    /// Call before the client closes its connections.
    pub async fn shutdown(&self, bound: Duration) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        self.shared.stop.notify_one();
        let Some(mut task) = self.task.lock().unwrap().take() else { return };
        if tokio::time::timeout(bound, &mut task).await.is_err() {
            task.abort();
            log::warn(&format!("message trace: records still unsent after {} ms at shutdown are dropped", bound.as_millis()));
        }
        let dropped = self.dropped();
        if dropped > 0 {
            log::warn(&format!("message trace: {dropped} records were dropped in all (queue full)"));
        }
    }
}

/// The dispatcher task: gather, send, until stopped; then sends what is left and ends.
async fn run(mut rx: mpsc::Receiver<Record>, sender: Arc<Producer>, topic: String, shared: Arc<Shared>) {
    let mut failures = Failures::default();
    let mut dropped_logged = 0;
    let mut batch: Vec<Record> = Vec::new();
    let mut stopping = false;
    while !stopping {
        tokio::select! {
            r = rx.recv() => match r {
                Some(r) => batch.push(r),
                None => stopping = true,
            },
            _ = shared.stop.notified() => stopping = true,
        }
        if !stopping {
            tokio::select! {
                _ = tokio::time::sleep(GATHER_WINDOW) => {}
                _ = shared.stop.notified() => stopping = true,
            }
        }
        if stopping {
            rx.close();
        }
        while let Ok(r) = rx.try_recv() {
            batch.push(r);
        }
        send_all(&sender, &topic, &mut batch, &mut failures).await;
        let dropped = shared.dropped.load(Ordering::Relaxed);
        if dropped != dropped_logged && failures.may_warn_drops() {
            log::warn(&format!("message trace: {dropped} records dropped so far (queue full)"));
            dropped_logged = dropped;
        }
    }
}

/// Sends `batch` (emptied) in as many trace messages as its size needs.
async fn send_all(sender: &Producer, topic: &str, batch: &mut Vec<Record>, failures: &mut Failures) {
    let mut rest = &batch[..];
    while !rest.is_empty() {
        let (mut n, mut len, mut keys) = (0, 0, 0);
        while n < rest.len() && n < MAX_RECORDS {
            let r = &rest[n];
            let key_len = r.msg_id().len() + r.keys().len() + 2;
            if n > 0 && (len + r.text.len() > MAX_BODY || keys + key_len > MAX_KEYS) {
                break;
            }
            len += r.text.len();
            keys += key_len;
            n += 1;
        }
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        let mut msg = Message::new(topic);
        let mut body = Vec::with_capacity(len);
        for r in chunk {
            body.extend_from_slice(r.text.as_bytes());
        }
        msg.body = body;
        msg.properties.insert(prop::KEYS.to_string(), message_keys(chunk.iter()));
        if let Err(e) = sender.send_in_runtime(&mut msg).await {
            failures.note(topic, chunk.len(), &e);
        }
    }
    batch.clear();
}

/// Failed trace sends: logged, at most once per `WARN_EVERY`, with what was lost meanwhile.
#[derive(Default)]
struct Failures {
    lost: u64,
    last_warning: Option<Instant>,
    last_drop_warning: Option<Instant>,
}

impl Failures {
    fn note(&mut self, topic: &str, records: usize, e: &Error) {
        self.lost += records as u64;
        if self.last_warning.is_some_and(|t| t.elapsed() < WARN_EVERY) {
            return;
        }
        self.last_warning = Some(Instant::now());
        let hint = match e {
            Error::NoRoute(_) => " (no route: does the cluster have the trace topic? Brokers create RMQ_SYS_TRACE_TOPIC with traceTopicEnable=true)",
            Error::Broker { code: crate::core::client::response::TOPIC_NOT_EXIST, .. } => " (the broker has no such topic)",
            _ => "",
        };
        log::warn(&format!(
            "message trace: a trace message to {topic} was not sent: {e}{hint}; {} records lost so far",
            self.lost
        ));
    }

    fn may_warn_drops(&mut self) -> bool {
        if self.last_drop_warning.is_some_and(|t| t.elapsed() < WARN_EVERY) {
            return false;
        }
        self.last_drop_warning = Some(Instant::now());
        true
    }
}
