//! The producer: message validation and preparation, queue choice, sync / async / oneway /
//! orderly / batch sends with the retry rules of rocketmq-client-cpp 2.2.0.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::client::{code, response, Client, ClientConfig, AUTO_CREATE_TOPIC};
use super::error::{Error, Result};
use super::ids;
use super::log;
use super::message::{compress, encode_batch, encode_properties, prop, sysflag, Message};
use super::route::{MessageQueue, TopicRouteData};
use super::trace::send::{Attempt, SendInfo, Sent};
use super::trace::{Dispatcher, Role, TraceConfig};
use crate::remoting::{RemotingCommand, RemotingError};

#[derive(Debug, Clone)]
pub struct ProducerConfig {
    pub group: String,
    pub client: ClientConfig,
    pub send_timeout: Duration,
    pub compress_level: i32,
    pub compress_threshold: usize,
    pub max_message_size: usize,
    /// Total attempts of a synchronous send (2.2.0: 5).
    pub sync_attempts: u32,
    /// Total attempts of an asynchronous send, all to the first one's broker (2.2.0's
    /// `retryTimes4Async`: 1).
    pub async_attempts: u32,
    /// Message trace: `Pub` (and `EndTransaction`) records to this topic; `None`: off.
    pub trace: Option<TraceConfig>,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            group: "DEFAULT_PRODUCER".into(),
            client: ClientConfig::default(),
            send_timeout: Duration::from_millis(3000),
            compress_level: 5,
            compress_threshold: 4096,
            max_message_size: 128 * 1024,
            sync_attempts: 5,
            async_attempts: 1,
            trace: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendStatus {
    Ok = 0,
    FlushDiskTimeout = 1,
    FlushSlaveTimeout = 2,
    SlaveNotAvailable = 3,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SendResult {
    pub status: SendStatus,
    /// The client-side unique id (`UNIQ_KEY`); ids joined by commas for a batch.
    pub msg_id: String,
    /// The broker's id of the stored message.
    pub offset_msg_id: String,
    pub queue: MessageQueue,
    pub queue_offset: i64,
    pub transaction_id: Option<String>,
}

pub type SendCallback = Box<dyn FnOnce(Result<SendResult>) + Send>;

pub struct Producer {
    config: ProducerConfig,
    client: Arc<Client>,
    next_queue: AtomicUsize,
    stopped: AtomicBool,
    /// Transactions this producer ended with commit / rollback (see `core::transaction`).
    pub(super) ended: Arc<super::transaction::Outcomes>,
    /// Message trace on: where the records go.
    trace: Option<Arc<Dispatcher>>,
    /// A producer on another one's client (the trace producer): never shuts the client down.
    shares_client: bool,
}

/// How long a shutdown waits for trace records still queued to be sent.
pub const TRACE_FLUSH_BOUND: Duration = Duration::from_secs(3);

/// A message ready for the wire: validated, id assigned, maybe compressed.
pub(super) struct Prepared {
    topic: String,
    body: bytes::Bytes,
    flag: i32,
    sys_flag: i32,
    properties: String,
    msg_id: String,
    batch: bool,
    /// Carries a delivery time in the future (`__STARTDELIVERTIME`).
    scheduled: bool,
    /// Message trace on: what the `Pub` record takes from the message.
    trace: Option<SendInfo>,
}

impl Producer {
    pub fn start(config: ProducerConfig) -> Result<Arc<Producer>> {
        if config.group.trim().is_empty() {
            return Err(Error::InvalidArgument("producer group is empty".into()));
        }
        let runtime = super::runtime::handle()?;
        let client = Client::new(&config.client)?;
        client.add_producer_group(&config.group);
        client.start_housekeeping(&runtime);
        log::info(&format!("producer {} started as {}", config.group, client.client_id));
        let trace = config
            .trace
            .as_ref()
            .map(|t| Dispatcher::start(client.clone(), &config.client, &config.group, Role::Produce, &t.topic, &runtime));
        Ok(Arc::new(Producer {
            config,
            client,
            next_queue: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
            ended: Arc::new(super::transaction::Outcomes::default()),
            trace,
            shares_client: false,
        }))
    }

    /// A producer that sends over `client`, which another producer or consumer owns (the trace
    /// producer): nothing of its own to start or stop.
    pub(crate) fn sharing_client(config: ProducerConfig, client: Arc<Client>) -> Arc<Producer> {
        Arc::new(Producer {
            config,
            client,
            next_queue: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
            ended: Arc::new(super::transaction::Outcomes::default()),
            trace: None,
            shares_client: true,
        })
    }

    /// The trace dispatcher, when message trace is on.
    pub fn trace(&self) -> Option<&Arc<Dispatcher>> {
        self.trace.as_ref()
    }

    /// What a send of `msg` records for its trace, if it is traced.
    fn trace_info(&self, msg: &Message) -> Option<SendInfo> {
        self.trace.as_ref().filter(|d| d.traces(&msg.topic)).map(|_| SendInfo::of(msg))
    }

    pub fn config(&self) -> &ProducerConfig {
        &self.config
    }

    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    pub(super) fn check_running(&self) -> Result<()> {
        if self.stopped.load(Ordering::Acquire) {
            Err(Error::state("the producer has been shut down"))
        } else {
            Ok(())
        }
    }

    pub async fn shutdown(&self) {
        if self.stopped.swap(true, Ordering::AcqRel) {
            return;
        }
        // Trace records go out over this client's connections: before it closes them.
        if let Some(trace) = &self.trace {
            trace.shutdown(TRACE_FLUSH_BOUND).await;
        }
        if self.shares_client {
            return;
        }
        self.client.shutdown(&self.config.group, "").await;
        log::info(&format!("producer {} shut down", self.config.group));
    }

    /// Validates `msg`, assigns its `UNIQ_KEY` (kept on the caller's message, as 2.2.0 did) and
    /// compresses a large body for the wire.
    pub(super) fn prepare(&self, msg: &mut Message) -> Result<Prepared> {
        validate(msg, self.config.max_message_size)?;
        let trace = self.trace_info(msg);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as i64;
        let timing = super::schedule::apply(msg, now)?;
        if matches!(timing, super::schedule::Timing::Cancel { .. }) && msg.property(super::schedule::TIMER_DEL_UNIQKEY).is_none() {
            // Only `send` (SendMessageSync, CancelScheduledMessage) turns a cancellation into the
            // broker's markers: they go to every broker of the topic, which one asynchronous,
            // one-way or orderly send cannot do.
            return Err(Error::InvalidMessage(format!(
                "a message with {} cancels a scheduled message: send it with SendMessageSync or call CancelScheduledMessage",
                super::schedule::CANCEL_SCHEDULED_MSG
            )));
        }
        let scheduled = timing != super::schedule::Timing::Now;
        let msg_id = ids::unique_message_id();
        msg.properties.insert(prop::UNIQ_KEY.to_string(), msg_id.clone());
        let mut sys_flag = msg.sys_flag;
        let body = if msg.body.len() >= self.config.compress_threshold {
            sys_flag |= sysflag::COMPRESSED;
            bytes::Bytes::from(compress(&msg.body, self.config.compress_level))
        } else {
            bytes::Bytes::copy_from_slice(&msg.body)
        };
        Ok(Prepared {
            topic: msg.topic.clone(),
            body,
            flag: msg.flag,
            sys_flag,
            properties: encode_properties(&msg.properties),
            msg_id,
            batch: false,
            scheduled,
            trace,
        })
    }

    fn prepare_batch(&self, msgs: &mut [Message]) -> Result<Prepared> {
        let first = msgs.first().ok_or_else(|| Error::InvalidMessage("the batch is empty".into()))?;
        let topic = first.topic.clone();
        let wait = first.property(prop::WAIT).map(String::from);
        let mut ids = Vec::with_capacity(msgs.len());
        for (i, m) in msgs.iter_mut().enumerate() {
            validate(m, self.config.max_message_size)?;
            if m.topic != topic {
                return Err(Error::InvalidMessage("all messages of a batch must have the same topic".into()));
            }
            if m.topic.starts_with("%RETRY%") {
                return Err(Error::InvalidMessage("retry topics are not allowed in a batch".into()));
            }
            if m.property(prop::WAIT).map(String::from) != wait {
                return Err(Error::InvalidMessage("all messages of a batch must have the same WAIT flag".into()));
            }
            if i > 0 && m.delay_level() > 0 {
                return Err(Error::InvalidMessage("messages of a batch cannot have a delay level".into()));
            }
            if m.property(super::schedule::CANCEL_SCHEDULED_MSG).is_some() {
                return Err(Error::InvalidMessage(format!(
                    "a message with {} cancels a scheduled message: send it with SendMessageSync or call CancelScheduledMessage",
                    super::schedule::CANCEL_SCHEDULED_MSG
                )));
            }
            let id = ids::unique_message_id();
            m.properties.insert(prop::UNIQ_KEY.to_string(), id.clone());
            ids.push(id);
        }
        let body = encode_batch(msgs)?;
        // The batch itself carries only the WAIT flag: 4.x brokers copy the batch's properties
        // onto every message, so anything else here would overwrite each message's own.
        let mut props = std::collections::BTreeMap::new();
        if let Some(w) = wait {
            props.insert(prop::WAIT.to_string(), w);
        }
        let trace = self.trace.as_ref().filter(|d| d.traces(&topic)).map(|_| SendInfo::batch());
        Ok(Prepared {
            topic,
            body,
            flag: 0,
            sys_flag: 0,
            properties: encode_properties(&props),
            msg_id: ids.join(","),
            batch: true,
            scheduled: false,
            trace,
        })
    }

    fn request(&self, p: &Prepared, mq: &MessageQueue) -> RemotingCommand {
        let born = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
        let code = if p.batch { code::SEND_BATCH_MESSAGE } else { code::SEND_MESSAGE_V2 };
        RemotingCommand::request(code)
            .with_field("a", &self.config.group)
            .with_field("b", &p.topic)
            .with_field("c", AUTO_CREATE_TOPIC)
            .with_field("d", 4)
            .with_field("e", mq.queue_id)
            .with_field("f", p.sys_flag)
            .with_field("g", born)
            .with_field("h", p.flag)
            .with_field("i", &p.properties)
            .with_field("j", 0)
            .with_field("k", false)
            .with_field("l", 16)
            .with_field("m", p.batch)
            .with_body(p.body.clone())
    }

    /// The topic's route, falling back to the auto-create template route when the topic is
    /// unknown but the brokers create topics on first send.
    async fn publish_route(&self, topic: &str) -> Result<Arc<TopicRouteData>> {
        if let Some(r) = self.client.cached_route(topic) {
            return Ok(r);
        }
        match self.client.update_publish_route(topic).await {
            Ok(r) if !r.write_queues(topic).is_empty() => Ok(r),
            Ok(_) | Err(Error::NoRoute(_)) => match self.client.query_route(AUTO_CREATE_TOPIC).await {
                Ok(r) if !r.write_queues(topic).is_empty() => Ok(Arc::new(r)),
                _ => Err(Error::NoRoute(topic.to_string())),
            },
            Err(e) => Err(e),
        }
    }

    /// Writable queues of the topic, never empty.
    pub async fn write_queues(&self, topic: &str) -> Result<(Arc<TopicRouteData>, Vec<MessageQueue>)> {
        let route = self.publish_route(topic).await?;
        let queues = route.write_queues(topic);
        if queues.is_empty() {
            return Err(Error::NoRoute(topic.to_string()));
        }
        Ok((route, queues))
    }

    fn pick_queue(&self, queues: &[MessageQueue], avoid_broker: Option<&str>) -> MessageQueue {
        let start = self.next_queue.fetch_add(1, Ordering::Relaxed);
        if let Some(avoid) = avoid_broker {
            for i in 0..queues.len() {
                let q = &queues[(start + i) % queues.len()];
                if q.broker_name != avoid {
                    return q.clone();
                }
            }
        }
        queues[start % queues.len()].clone()
    }

    /// The topic's writable queues (from the cache, or looked up), in the order sends use them.
    pub fn queues_of(&self, topic: &str) -> Result<(Arc<TopicRouteData>, Vec<MessageQueue>)> {
        self.check_running()?;
        self.queues_blocking(topic)
    }

    /// The topic's writable queues from the route cache, if it has any.
    fn cached_queues(&self, topic: &str) -> Option<(Arc<TopicRouteData>, Vec<MessageQueue>)> {
        let route = self.client.cached_route(topic)?;
        let queues = route.write_queues(topic);
        (!queues.is_empty()).then_some((route, queues))
    }

    /// `queues_blocking` with a lookup bounded by `timeout`.
    fn queues_within(&self, topic: &str, timeout: Duration) -> Result<(Arc<TopicRouteData>, Vec<MessageQueue>)> {
        if let Some(cached) = self.cached_queues(topic) {
            return Ok(cached);
        }
        // The timer is made inside the runtime (block_on), not on the host thread.
        match super::runtime::block_on(async { tokio::time::timeout(timeout, self.write_queues(topic)).await })? {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout(timeout.as_millis() as u64)),
        }
    }

    /// The topic's writable queues, from the cache or (on a miss) a lookup.
    pub(super) fn queues_blocking(&self, topic: &str) -> Result<(Arc<TopicRouteData>, Vec<MessageQueue>)> {
        if let Some(cached) = self.cached_queues(topic) {
            return Ok(cached);
        }
        super::runtime::block_on(self.write_queues(topic))?
    }

    /// One attempt, made and awaited on the calling thread.
    pub(super) fn send_once(&self, route: &TopicRouteData, p: &Prepared, mq: &MessageQueue, timeout: Duration) -> Result<SendResult> {
        let addr = route.master_addr(&mq.broker_name).ok_or_else(|| Error::NoRoute(p.topic.clone()))?;
        let attempt = p.trace.as_ref().map(|_| Attempt::start());
        let resp = self.client.remoting.invoke_blocking(addr, self.request(p, mq), timeout)?;
        match (&self.trace, attempt) {
            (Some(trace), Some(attempt)) => traced_result(trace, &self.config.group, &attempt, addr, resp, p, mq),
            _ => send_result(addr, resp, p, mq),
        }
    }

    /// A send from a task on the runtime (the trace dispatcher's): up to `sync_attempts`
    /// attempts within the send timeout, moving to another broker after a failure.
    pub async fn send_in_runtime(&self, msg: &mut Message) -> Result<SendResult> {
        self.check_running()?;
        let p = self.prepare(msg)?;
        let (route, queues) = self.write_queues(&p.topic).await?;
        let deadline = Instant::now() + self.config.send_timeout;
        let mut last_err = Error::Timeout(self.config.send_timeout.as_millis() as u64);
        let mut last_broker: Option<String> = None;
        for _ in 0..self.config.sync_attempts.max(1) {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let mq = self.pick_queue(&queues, last_broker.as_deref());
            let addr = route.master_addr(&mq.broker_name).ok_or_else(|| Error::NoRoute(p.topic.clone()))?;
            let outcome = self.client.remoting.invoke(addr, self.request(&p, &mq), deadline - now).await;
            match outcome.map_err(Error::from).and_then(|resp| send_result(addr, resp, &p, &mq)) {
                Ok(r) => return Ok(r),
                Err(e) if retryable(&e) => {
                    last_broker = Some(mq.broker_name.clone());
                    last_err = e;
                }
                Err(e) => return Err(e),
            }
        }
        Err(last_err)
    }

    /// Synchronous send on the calling thread: up to `sync_attempts` attempts over the topic's
    /// queues, moving to another broker after a failure, within the send timeout overall.
    pub fn send(&self, msg: &mut Message) -> Result<SendResult> {
        self.send_to(msg, None, None)
    }

    fn send_with_retries(&self, route: &TopicRouteData, p: &Prepared, queues: &[MessageQueue], timeout: Duration) -> Result<SendResult> {
        let deadline = Instant::now() + timeout;
        let mut last_err: Option<Error> = None;
        let mut last_broker: Option<String> = None;
        let mut made = 0;
        for _ in 0..self.config.sync_attempts.max(1) {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let mq = self.pick_queue(queues, last_broker.as_deref());
            made += 1;
            match self.send_once(route, p, &mq, deadline - now) {
                Ok(r) => return Ok(r),
                Err(e) if retryable(&e) => {
                    log::warn(&format!("send of {} to {:?} failed, trying another queue: {e}", p.msg_id, mq));
                    last_broker = Some(mq.broker_name.clone());
                    last_err = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        let last = last_err.unwrap_or(Error::Timeout(timeout.as_millis() as u64));
        if made == 1 {
            return Err(last);
        }
        Err(Error::Exhausted { attempts: made, last: Box::new(last) })
    }

    /// Sends to the queue `select(queue_count)` returns (host code, run on the calling thread);
    /// after a failure up to `retries` more attempts go to the following queues, as 2.2.0 did.
    pub fn send_orderly(&self, msg: &mut Message, select: &mut dyn FnMut(usize, &Message) -> i32, retries: u32) -> Result<SendResult> {
        self.check_running()?;
        let p = self.prepare(msg)?;
        let (route, queues) = self.queues_blocking(&p.topic)?;
        let index = select(queues.len(), msg);
        queue_at(&queues, index)?;
        let start = index as usize;
        let mut last = Err(Error::NoRoute(p.topic.clone()));
        let deadline = Instant::now() + self.config.send_timeout;
        for attempt in 0..=retries {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let mq = queues[(start + attempt as usize) % queues.len()].clone();
            last = self.send_once(&route, &p, &mq, deadline - now);
            match &last {
                Ok(_) => return last,
                Err(e) if retryable(e) => continue,
                Err(_) => return last,
            }
        }
        last
    }

    /// A synchronous send within `timeout` (`None`: the send timeout). To the given queue only
    /// (the caller chose it, e.g. by the message's sharding key): up to `sync_attempts` attempts
    /// on that queue, so that messages of one key never move to another queue; else as `send`
    /// (a cancellation of a scheduled message included).
    pub fn send_to(&self, msg: &mut Message, queue: Option<&MessageQueue>, timeout: Option<Duration>) -> Result<SendResult> {
        self.check_running()?;
        if queue.is_none() && msg.property(super::schedule::CANCEL_SCHEDULED_MSG).is_some() {
            return self.cancel_scheduled(msg);
        }
        let timeout = timeout.unwrap_or(self.config.send_timeout);
        let started = Instant::now();
        let p = self.prepare(msg)?;
        // The route lookup counts against the same deadline (a silent name server must not
        // stretch the send beyond it).
        let (route, queues) = self.queues_within(&p.topic, timeout)?;
        let timeout = timeout.saturating_sub(started.elapsed());
        match queue {
            Some(queue) => self.send_to_queue(&route, &p, &queues, queue, timeout),
            None => self.send_with_retries(&route, &p, &queues, timeout),
        }
    }

    /// Up to `sync_attempts` attempts on `queue` only, within `timeout`.
    fn send_to_queue(
        &self,
        route: &TopicRouteData,
        p: &Prepared,
        queues: &[MessageQueue],
        queue: &MessageQueue,
        timeout: Duration,
    ) -> Result<SendResult> {
        let mq = queues
            .iter()
            .find(|q| q.broker_name == queue.broker_name && q.queue_id == queue.queue_id)
            .cloned()
            .ok_or_else(|| Error::InvalidArgument(format!("{queue:?} is not a writable queue of {}", p.topic)))?;
        let deadline = Instant::now() + timeout;
        let mut last = Err(Error::Timeout(timeout.as_millis() as u64));
        for _ in 0..self.config.sync_attempts.max(1) {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            last = self.send_once(route, p, &mq, deadline - now);
            match &last {
                Err(e) if retryable(e) => continue,
                _ => return last,
            }
        }
        last
    }

    /// The queue a sharding key maps to, with `__SHARDINGKEY` set on the message.
    pub fn send_by_sharding_key(&self, msg: &mut Message, key: &str) -> Result<SendResult> {
        msg.set_property(prop::SHARDING_KEY, key);
        let mut select = |n: usize, _: &Message| ids::sharding_queue(key, n) as i32;
        self.send_orderly(msg, &mut select, 3)
    }

    pub fn send_batch(&self, msgs: &mut [Message]) -> Result<SendResult> {
        self.send_batch_to(msgs, None)
    }

    /// A batch to `queue` (every attempt there, as `send_to`), or as `send_batch` when `None`.
    pub fn send_batch_to(&self, msgs: &mut [Message], queue: Option<&MessageQueue>) -> Result<SendResult> {
        self.check_running()?;
        let p = self.prepare_batch(msgs)?;
        let (route, queues) = self.queues_blocking(&p.topic)?;
        match queue {
            Some(queue) => self.send_to_queue(&route, &p, &queues, queue, self.config.send_timeout),
            None => self.send_with_retries(&route, &p, &queues, self.config.send_timeout),
        }
    }

    /// Fire and forget: one write to a round-robin (or the given) queue, no retry once written.
    pub async fn send_oneway(&self, msg: &mut Message, queue: Option<MessageQueue>) -> Result<()> {
        self.check_running()?;
        let p = self.prepare(msg)?;
        let (route, queues) = self.write_queues(&p.topic).await?;
        let mq = queue.unwrap_or_else(|| self.pick_queue(&queues, None));
        let addr = route.master_addr(&mq.broker_name).ok_or_else(|| Error::NoRoute(p.topic.clone()))?.to_string();
        let attempt = p.trace.as_ref().map(|_| Attempt::start());
        self.client.remoting.invoke_oneway(&addr, self.request(&p, &mq)).await?;
        if let (Some(trace), Some(info), Some(attempt)) = (&self.trace, &p.trace, attempt) {
            // No answer, so no region or offset id; written means sent, as far as we can know.
            let sent = Sent {
                topic: &p.topic,
                msg_id: &p.msg_id,
                body_length: p.body.len(),
                store_host: &addr,
                region: None,
                offset_msg_id: "",
                success: true,
            };
            trace.sent(&self.config.group, info, &attempt, sent);
        }
        Ok(())
    }

    /// Asynchronous send: the queue is chosen and the request written on the calling thread, in
    /// call order (route and connection are looked up first when not cached); `callback` runs
    /// on the callback thread, once. Up to `async_attempts` attempts (2.2.0: one), all to the
    /// same broker within the send timeout: another after a write that failed or an answer
    /// [`retryable`] counts as worth another try. Errors found before anything could be sent are
    /// returned instead.
    pub fn send_async(&self, msg: &mut Message, queue: Option<MessageQueue>, callback: SendCallback) -> Result<()> {
        self.check_running()?;
        let p = self.prepare(msg)?;
        let wrapped: SendCallback = Box::new(move |r| super::callbacks::dispatch(Box::new(move || callback(r))));
        let target = self.async_target(&p.topic, queue);
        let (conn, addr, mq) = match target {
            Ok(t) => t,
            Err(e) => {
                wrapped(Err(e));
                return Ok(());
            }
        };
        let req = self.request(&p, &mq);
        let trace = self.trace.clone().zip(p.trace.as_ref().map(|_| (Attempt::start(), self.config.group.clone())));
        let answer = addr.clone();
        let outcome: AsyncOutcome = Arc::new(move |r| {
            r.map_err(Error::from).and_then(|resp| match &trace {
                Some((trace, (attempt, group))) => traced_result(trace, group, attempt, &answer, resp, &p, &mq),
                None => send_result(&answer, resp, &p, &mq),
            })
        });
        let send = AsyncSend {
            client: self.client.clone(),
            addr,
            deadline: Instant::now() + self.config.send_timeout,
            attempts_left: self.config.async_attempts.max(1),
            outcome,
            done: wrapped,
        };
        send.attempt(&conn, req);
        Ok(())
    }

    /// Connection, broker address and queue for an asynchronous send; from the caches without
    /// touching the runtime when they are warm.
    fn async_target(&self, topic: &str, queue: Option<MessageQueue>) -> Result<(Arc<crate::remoting::Connection>, String, MessageQueue)> {
        let route = match self.client.cached_route(topic) {
            Some(r) => r,
            None => super::runtime::block_on(self.publish_route(topic))??,
        };
        let queues = route.write_queues(topic);
        if queues.is_empty() {
            return Err(Error::NoRoute(topic.to_string()));
        }
        let mq = queue.unwrap_or_else(|| self.pick_queue(&queues, None));
        let addr = route.master_addr(&mq.broker_name).ok_or_else(|| Error::NoRoute(topic.to_string()))?.to_string();
        let conn = match self.client.remoting.cached(&addr) {
            Some(c) => c,
            None => super::runtime::block_on(self.client.remoting.connection(&addr))??,
        };
        Ok((conn, addr, mq))
    }
}

/// What an asynchronous send's answer (or failure) means, for any of its attempts.
type AsyncOutcome = Arc<dyn Fn(std::result::Result<RemotingCommand, RemotingError>) -> Result<SendResult> + Send + Sync>;

/// An asynchronous send in flight: its broker, its deadline, the attempts it may still make.
struct AsyncSend {
    client: Arc<Client>,
    addr: String,
    deadline: Instant,
    attempts_left: u32,
    outcome: AsyncOutcome,
    done: SendCallback,
}

impl AsyncSend {
    /// Writes `req` on `conn`; on a failure worth another try, with attempts and time left,
    /// writes it again (see [`AsyncSend::again`]), else reports the outcome.
    fn attempt(mut self, conn: &crate::remoting::Connection, req: RemotingCommand) {
        self.attempts_left -= 1;
        let timeout = self.deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        let again = (self.attempts_left > 0).then(|| req.clone());
        conn.send_request(req, timeout, Box::new(move |r| {
            let result = (self.outcome)(r);
            match (result, again) {
                (Err(e), Some(req)) if retryable(&e) && Instant::now() < self.deadline => {
                    log::warn(&format!("asynchronous send to {} failed, trying again: {e}", self.addr));
                    self.again(req, e);
                }
                (result, _) => (self.done)(result),
            }
        }));
    }

    /// Another attempt, from a task on the runtime: the connection may have to be opened
    /// again, and this may run on the thread that made the send.
    fn again(self, req: RemotingCommand, last: Error) {
        let handle = match tokio::runtime::Handle::try_current() {
            Ok(h) => h,
            Err(_) => match super::runtime::handle() {
                Ok(h) => h,
                Err(_) => return (self.done)(Err(last)),
            },
        };
        handle.spawn(async move {
            let deadline = tokio::time::Instant::from_std(self.deadline);
            match tokio::time::timeout_at(deadline, self.client.remoting.connection(&self.addr)).await {
                Ok(Ok(conn)) => self.attempt(&conn, req),
                Ok(Err(e)) => (self.done)(Err(e.into())),
                Err(_) => (self.done)(Err(last)),
            }
        });
    }
}

fn queue_at(queues: &[MessageQueue], index: i32) -> Result<MessageQueue> {
    if index < 0 || index as usize >= queues.len() {
        return Err(Error::InvalidArgument(format!(
            "the queue selector returned {index}, but the topic has {} queues",
            queues.len()
        )));
    }
    Ok(queues[index as usize].clone())
}

/// Errors after which another queue (or broker) is worth a try.
pub(super) fn retryable(e: &Error) -> bool {
    match e {
        Error::Remoting(RemotingError::Codec(_)) => false,
        // Credentials refused: another broker of the same cluster refuses them too. (A broker
        // whose topic is not writable also answers NO_PERMISSION, "... sending message is
        // forbidden": that one is worth another broker.)
        Error::Broker { remark, .. } if e.is_access_denied() && !remark.contains("forbidden") => false,
        Error::Remoting(_) | Error::NoRoute(_) => true,
        Error::Broker { code, .. } => matches!(
            *code,
            response::SYSTEM_ERROR
                | response::SYSTEM_BUSY
                | response::SERVICE_NOT_AVAILABLE
                | response::NO_PERMISSION
                | response::TOPIC_NOT_EXIST
                | 204
                | 205
        ),
        _ => false,
    }
}

pub(super) fn validate(msg: &Message, max_size: usize) -> Result<()> {
    let topic = msg.topic.trim();
    if topic.is_empty() {
        return Err(Error::InvalidMessage("the topic is empty".into()));
    }
    if msg.topic.len() > 255 {
        return Err(Error::InvalidMessage(format!("the topic is longer than 255 characters: {}", msg.topic.len())));
    }
    if msg.topic == AUTO_CREATE_TOPIC {
        return Err(Error::InvalidMessage(format!("the topic {AUTO_CREATE_TOPIC} is reserved for the broker")));
    }
    if msg.body.is_empty() {
        return Err(Error::InvalidMessage("the message body is empty".into()));
    }
    if msg.body.len() > max_size {
        return Err(Error::InvalidMessage(format!(
            "the message body is {} bytes, more than the maximum message size of {} bytes",
            msg.body.len(),
            max_size
        )));
    }
    Ok(())
}

/// `send_result`, and the attempt's `Pub` record when the broker answered with a result (and its
/// trace switch, `TRACE_ON`, is not off).
fn traced_result(
    trace: &Dispatcher,
    group: &str,
    attempt: &Attempt,
    addr: &str,
    resp: RemotingCommand,
    p: &Prepared,
    mq: &MessageQueue,
) -> Result<SendResult> {
    // Copied only when not the default region (the answer goes to `send_result`).
    let region = resp.field("MSG_REGION").filter(|r| *r != super::trace::record::DEFAULT_REGION).map(String::from);
    let broker_traces = resp.field("TRACE_ON") != Some("false");
    let result = send_result(addr, resp, p, mq)?;
    if let (true, Some(info)) = (broker_traces, &p.trace) {
        let sent = Sent {
            topic: &p.topic,
            msg_id: &result.msg_id,
            body_length: p.body.len(),
            store_host: addr,
            region: region.as_deref(),
            offset_msg_id: &result.offset_msg_id,
            success: result.status == SendStatus::Ok,
        };
        trace.sent(group, info, attempt, sent);
    }
    Ok(result)
}

fn send_result(addr: &str, resp: RemotingCommand, p: &Prepared, mq: &MessageQueue) -> Result<SendResult> {
    let status = match resp.code {
        response::SUCCESS => SendStatus::Ok,
        response::FLUSH_DISK_TIMEOUT => SendStatus::FlushDiskTimeout,
        response::FLUSH_SLAVE_TIMEOUT => SendStatus::FlushSlaveTimeout,
        response::SLAVE_NOT_AVAILABLE => SendStatus::SlaveNotAvailable,
        code => return Err(Error::Broker { addr: addr.to_string(), code, remark: resp.remark }),
    };
    if p.scheduled && resp.version < super::schedule::FIRST_TIMER_VERSION {
        log::warn(&format!(
            "broker {addr} (protocol version {}) has no timer messages: {} with {} is delivered at once",
            resp.version,
            p.msg_id,
            super::schedule::START_DELIVER_TIME
        ));
    }
    let queue_id = resp.field_i64("queueId").map_or(mq.queue_id, |q| q as i32);
    Ok(SendResult {
        status,
        msg_id: p.msg_id.clone(),
        offset_msg_id: resp.field("msgId").unwrap_or_default().to_string(),
        queue: MessageQueue { topic: mq.topic.clone(), broker_name: mq.broker_name.clone(), queue_id },
        queue_offset: resp.field_i64("queueOffset").unwrap_or(0),
        transaction_id: resp.field("transactionId").map(String::from),
    })
}
