//! The push consumer: rebalance, long-polling pull per assigned queue, flow control, concurrent
//! and orderly consumption on our own threads, retries, offsets, and a bounded shutdown.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;
use tokio::sync::{watch, Notify};

use super::offset_store::{LocalOffsets, OffsetStore, RemoteOffsets};
use super::pool::ConsumePool;
use super::process_queue::ProcessQueue;
use super::rate_limit::RateLimiter;
use super::rebalance::{allocate_averagely, consumer_ids};
use crate::core::client::{code, response, Client, ClientConfig};
use crate::core::error::{Error, Result};
use crate::core::log;
use crate::core::message::{decode_messages, prop, MessageExt};
use crate::core::pull::{PullStatus, Puller, TagFilter};
use crate::core::route::MessageQueue;
use crate::core::trace::{Dispatcher, Role, TraceConfig};
use crate::remoting::{Connection, InboundHandler, RemotingCommand};

pub const RETRY_PREFIX: &str = "%RETRY%";
const PULL_BATCH: i32 = 32;
const REBALANCE_INTERVAL: Duration = Duration::from_secs(20);
const PERSIST_INTERVAL: Duration = Duration::from_secs(5);
const LOCK_INTERVAL: Duration = Duration::from_secs(20);
/// A broker lock not renewed for this long is treated as lost (the broker keeps it 60 s).
const LOCK_EXPIRY_MS: u64 = 30_000;
const PULL_ERROR_BACKOFF: Duration = Duration::from_secs(3);
const FLOW_CONTROL_RECHECK: Duration = Duration::from_millis(50);
/// Memory a consumer's cached messages may hold across all its queues (bodies and metadata,
/// `MessageExt::footprint`), unless a per-queue byte limit was set
/// (`SetPushConsumerMaxCacheMessageSizeInMb`): without it, 1000 messages per queue (2.2.0's
/// default count) times many queues would let memory grow with the queue count. 64 queues of
/// 1 KiB messages at steady state, peak RSS of `consumer_bench`: 15–21 MiB with 4 MiB of bodies
/// alone, 14 MiB with this budget, at the same rate (bench/RESULTS.md). Small messages carry as
/// much metadata as body, so the budget counts both.
const DEFAULT_TOTAL_CACHE_BYTES: usize = 2 << 20;
const LOCAL_RETRY_DELAY: Duration = Duration::from_secs(1);
const ORDERLY_SUSPEND: Duration = Duration::from_secs(1);
const SHUTDOWN_DRAIN: Duration = Duration::from_secs(10);
const BROKER_TIMEOUT: Duration = Duration::from_secs(3);
const MAX_RECONSUME_TIMES: i32 = 16;

/// Consumes messages handed over by the library. Returns one verdict per message, in order:
/// `true` consumed, `false` to be delivered again later.
/// `mq` is the queue the messages were pulled from (for a redelivered message: the group's retry
/// queue).
pub trait MessageListener: Send + Sync {
    fn consume(&self, mq: &MessageQueue, msgs: &[Arc<MessageExt>]) -> Vec<bool>;
}

/// Where a queue with no stored offset starts (the Java client's `ConsumeFromWhere`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ConsumeFrom {
    /// The queue's end: only messages sent from now on.
    #[default]
    LastOffset,
    /// The queue's first message still stored.
    FirstOffset,
    /// The first message stored at or after this time (ms since the epoch).
    Timestamp(i64),
}

#[derive(Clone, Debug)]
pub struct PushConfig {
    pub group: String,
    pub client: ClientConfig,
    /// Topic → tag expression.
    pub subscriptions: Vec<(String, String)>,
    /// Topics of `subscriptions` whose expression is SQL92 (evaluated by the broker).
    pub sql92_topics: Vec<String>,
    pub broadcasting: bool,
    pub orderly: bool,
    pub threads: usize,
    pub batch_max: usize,
    /// Per-queue cache limits: messages, and bytes (0 = none).
    pub max_cache_messages: usize,
    pub max_cache_bytes: usize,
    /// Messages per second handed to the listener (0 = no limit).
    pub max_tps: u32,
    /// Start of a queue the group has no offset for.
    pub consume_from: ConsumeFrom,
    /// Deliveries of one message before it goes to the dead-letter queue; negative: the
    /// default (16 concurrently, unlimited orderly).
    pub max_reconsume_times: i32,
    /// Message trace: `SubBefore` / `SubAfter` records to this topic; `None`: off.
    pub trace: Option<TraceConfig>,
}

pub struct PushConsumer {
    inner: Arc<Inner>,
}

struct Inner {
    config: PushConfig,
    client: Arc<Client>,
    puller: Puller,
    store: OffsetStore,
    listener: Arc<dyn MessageListener>,
    filters: HashMap<String, TagFilter>,
    queues: Mutex<HashMap<MessageQueue, Arc<ProcessQueue>>>,
    pool: ConsumePool,
    limiter: Option<RateLimiter>,
    runtime: tokio::runtime::Handle,
    stopping: AtomicBool,
    stop: watch::Sender<bool>,
    rebalance_now: Notify,
    /// Message trace on: where the records go.
    trace: Option<Arc<Dispatcher>>,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

impl PushConsumer {
    pub fn start(config: PushConfig, listener: Arc<dyn MessageListener>) -> Result<PushConsumer> {
        if config.group.is_empty() || config.group == "DEFAULT_CONSUMER" {
            return Err(Error::InvalidArgument("consumerGroup can not equal DEFAULT_CONSUMER".into()));
        }
        if config.subscriptions.is_empty() {
            return Err(Error::InvalidArgument("no subscription: call Subscribe before starting".into()));
        }
        let runtime = crate::core::runtime::handle()?;
        let client = Client::new(&config.client)?;
        let mut filters: HashMap<String, TagFilter> =
            config
                .subscriptions
                .iter()
                .map(|(t, e)| (t.clone(), if config.sql92_topics.contains(t) { TagFilter::sql92(e) } else { TagFilter::parse(e) }))
                .collect();
        if !config.broadcasting {
            filters.insert(format!("{RETRY_PREFIX}{}", config.group), TagFilter::parse("*"));
        }
        let store = if config.broadcasting {
            OffsetStore::Local(LocalOffsets::open(&client.client_id, &config.group))
        } else {
            OffsetStore::Remote(RemoteOffsets::new(client.clone(), &config.group))
        };
        let pool = ConsumePool::start("rocketmq-consume", config.threads.max(1))
            .map_err(|e| Error::state(format!("cannot start consume threads: {e}")))?;
        let (stop, _) = watch::channel(false);
        let trace = config
            .trace
            .as_ref()
            .map(|t| Dispatcher::start(client.clone(), &config.client, &config.group, Role::Consume, &t.topic, &runtime));
        let inner = Arc::new(Inner {
            trace,
            puller: Puller::with_client(client.clone(), &config.group),
            limiter: RateLimiter::new(config.max_tps),
            client,
            store,
            listener,
            filters,
            queues: Mutex::new(HashMap::new()),
            pool,
            runtime: runtime.clone(),
            stopping: AtomicBool::new(false),
            stop,
            rebalance_now: Notify::new(),
            config,
        });
        inner.client.set_consumer_data(inner.heartbeat_data());
        // Connections hold the handler weakly; the background task keeps it alive.
        let handler: Arc<dyn InboundHandler> = Arc::new(Inbound(Arc::downgrade(&inner)));
        inner.client.remoting.set_inbound(Arc::downgrade(&handler));
        inner.client.start_housekeeping(&runtime);
        // First rebalance before returning, so that a started consumer owns its queues.
        let first = inner.clone();
        let consumer = PushConsumer { inner };
        let inner = &consumer.inner;
        if let Err(e) = crate::core::runtime::block_on(async move { first.rebalance().await })? {
            if e.is_access_denied() {
                // Wrong or missing credentials never get better by waiting: say so at start.
                let _ = consumer.shutdown();
                return Err(e);
            }
            // Not fatal: the topic may appear later; rebalancing goes on every 20 s.
            log::warn(&format!("first rebalance of {}: {e}", inner.config.group));
        }
        runtime.spawn(background(inner.clone(), handler));
        log::info(&format!("push consumer {} started as {}", inner.config.group, inner.client.client_id));
        Ok(consumer)
    }

    /// True when called from one of this consumer's callbacks.
    pub fn on_consume_thread(&self) -> bool {
        self.inner.pool.is_current_thread()
    }

    /// Stops pulling, waits (bounded) for callbacks in flight, commits offsets, releases orderly
    /// locks, unregisters and closes connections, then joins the consume threads.
    pub fn shutdown(&self) -> Result<()> {
        let inner = &self.inner;
        if inner.stopping.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let _ = inner.stop.send(true);
        let queues: Vec<Arc<ProcessQueue>> = inner.queues.lock().unwrap().values().cloned().collect();
        for pq in &queues {
            pq.drop_queue();
        }
        let drain_deadline = Instant::now() + SHUTDOWN_DRAIN;
        if !inner.pool.wait_idle(SHUTDOWN_DRAIN) {
            log::warn("shutdown: callbacks still running after the drain limit");
        }
        let me = inner.clone();
        crate::core::runtime::block_on(async move {
            let mqs: Vec<MessageQueue> = queues.iter().map(|pq| pq.mq.clone()).collect();
            me.store.persist(&mqs).await;
            if me.config.orderly && !me.config.broadcasting {
                me.unlock(&mqs).await;
            }
            // The callbacks are over: their records are all queued; sent before the connections close.
            if let Some(trace) = &me.trace {
                trace.shutdown(crate::core::producer::TRACE_FLUSH_BOUND).await;
            }
            me.client.shutdown("", &me.config.group).await;
        })?;
        inner.pool.close(drain_deadline.saturating_duration_since(Instant::now()));
        log::info(&format!("push consumer {} shut down", inner.config.group));
        Ok(())
    }

    /// Queues currently assigned to this consumer.
    pub fn assigned(&self) -> Vec<MessageQueue> {
        let mut v: Vec<MessageQueue> = self.inner.queues.lock().unwrap().keys().cloned().collect();
        v.sort();
        v
    }
}

impl Drop for PushConsumer {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Rebalance (every 20 s and when the broker says the group changed), offset commits every
/// 5 s, orderly lock renewal every 20 s.
async fn background(inner: Arc<Inner>, _handler: Arc<dyn InboundHandler>) {
    let mut stop = inner.stop.subscribe();
    let mut persist = tokio::time::interval(PERSIST_INTERVAL);
    let mut rebalance = tokio::time::interval(REBALANCE_INTERVAL);
    let mut relock = tokio::time::interval(LOCK_INTERVAL);
    // A new group's retry topic reaches the name server only after the broker met the group
    // (its first heartbeat creates the topic), which can trail our first rebalance: until its
    // route is found, look again after 1 s, 2 s, 4 s, ... (then only with the 20 s rebalance),
    // so that the first retries of a new group are not held back for up to 20 s.
    let retry_topic = format!("{RETRY_PREFIX}{}", inner.config.group);
    let mut retry_lookup_delay = Duration::from_secs(1);
    let mut next_retry_lookup = tokio::time::Instant::now() + retry_lookup_delay;
    loop {
        let retry_route_pending = retry_lookup_delay < REBALANCE_INTERVAL
            && inner.filters.contains_key(&retry_topic)
            && inner.client.cached_route(&retry_topic).is_none();
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep_until(next_retry_lookup), if retry_route_pending => {
                let _ = inner.rebalance().await;
                retry_lookup_delay *= 2;
                next_retry_lookup = tokio::time::Instant::now() + retry_lookup_delay;
            }
            _ = persist.tick() => {
                let held: Vec<MessageQueue> = inner.queues.lock().unwrap().keys().cloned().collect();
                inner.store.persist(&held).await;
            }
            _ = rebalance.tick() => { let _ = inner.rebalance().await; }
            _ = inner.rebalance_now.notified() => { let _ = inner.rebalance().await; }
            _ = relock.tick(), if inner.config.orderly && !inner.config.broadcasting => inner.relock_all().await,
        }
    }
}

impl Inner {
    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    fn heartbeat_data(&self) -> serde_json::Value {
        let subs: Vec<serde_json::Value> = self
            .filters
            .iter()
            .map(|(topic, f)| {
                let tags: Vec<String> = if f.expression == "*" || f.sql92 {
                    vec![]
                } else {
                    f.expression.split("||").map(|t| t.trim().to_string()).collect()
                };
                let codes: Vec<i32> = tags.iter().map(|t| java_hash(t)).collect();
                json!({
                    "classFilterMode": false, "topic": topic, "subString": f.expression, "tagsSet": tags,
                    "codeSet": codes, "subVersion": now_ms(), "expressionType": f.expression_type()
                })
            })
            .collect();
        json!({
            "groupName": self.config.group,
            "consumeType": "CONSUME_PASSIVELY",
            "messageModel": if self.config.broadcasting { "BROADCASTING" } else { "CLUSTERING" },
            "consumeFromWhere": match self.config.consume_from {
                ConsumeFrom::LastOffset => "CONSUME_FROM_LAST_OFFSET",
                ConsumeFrom::FirstOffset => "CONSUME_FROM_FIRST_OFFSET",
                ConsumeFrom::Timestamp(_) => "CONSUME_FROM_TIMESTAMP",
            },
            "unitMode": false,
            "subscriptionDataSet": subs,
        })
    }

    async fn rebalance(self: &Arc<Self>) -> Result<()> {
        if self.stopping() {
            return Ok(());
        }
        let mut topics: Vec<&String> = self.filters.keys().collect();
        topics.sort();
        let mut first_err = None;
        for topic in topics {
            match self.rebalance_topic(topic).await {
                // The retry topic exists only once something was sent back: not an error.
                Err(Error::NoRoute(_)) if topic.starts_with(RETRY_PREFIX) => {}
                Err(e) => {
                    log::warn(&format!("rebalance of {topic} failed: {e}"));
                    first_err.get_or_insert(e);
                }
                Ok(()) => {}
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    async fn rebalance_topic(self: &Arc<Self>, topic: &str) -> Result<()> {
        let route = self.client.update_route(topic).await?;
        let mut all = route.read_queues(topic);
        all.sort();
        let mine = if self.config.broadcasting {
            all
        } else {
            let broker = self.client.any_broker_of(topic).ok_or_else(|| Error::NoRoute(topic.to_string()))?;
            let ids = consumer_ids(&self.client, &broker, &self.config.group).await?;
            if ids.is_empty() {
                return Ok(());
            }
            allocate_averagely(&all, &ids, &self.client.client_id)
        };
        let wanted: HashSet<MessageQueue> = mine.into_iter().collect();
        let (removed, added): (Vec<Arc<ProcessQueue>>, Vec<MessageQueue>) = {
            let queues = self.queues.lock().unwrap();
            let removed = queues.iter().filter(|(q, _)| q.topic == topic && !wanted.contains(*q)).map(|(_, pq)| pq.clone()).collect();
            let added = wanted.iter().filter(|q| !queues.contains_key(*q)).cloned().collect();
            (removed, added)
        };
        for pq in removed {
            pq.drop_queue();
            self.queues.lock().unwrap().remove(&pq.mq);
            let orderly = self.config.orderly && !self.config.broadcasting;
            if orderly {
                // The next owner may consume this queue only once our callback for it is over
                // and its offset is committed; until the broker lock is released it cannot.
                let deadline = Instant::now() + SHUTDOWN_DRAIN;
                while pq.in_callback.load(Ordering::SeqCst) && Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            self.store.persist(std::slice::from_ref(&pq.mq)).await;
            pq.set_released();
            self.store.remove(&pq.mq);
            if orderly {
                self.unlock(std::slice::from_ref(&pq.mq)).await;
            }
            log::info(&format!("{}: released {:?}", self.config.group, pq.mq));
        }
        let orderly = self.config.orderly && !self.config.broadcasting;
        let taken: Vec<Arc<ProcessQueue>> = added.into_iter().map(|mq| Arc::new(ProcessQueue::new(mq))).collect();
        if orderly && !taken.is_empty() {
            // As the Java client: an orderly queue's offset is read only under its broker lock.
            // Read before, it may predate the previous owner's last commit.
            self.lock_queues(&taken).await;
        }
        for pq in taken {
            let start = if orderly && !pq.is_locked() {
                None // the pull loop reads it once it holds the lock
            } else {
                match self.start_offset(&pq.mq).await {
                    Ok(o) => Some(o),
                    Err(e) => {
                        log::warn(&format!("no start offset for {:?}: {e}", pq.mq));
                        continue;
                    }
                }
            };
            self.queues.lock().unwrap().insert(pq.mq.clone(), pq.clone());
            match start {
                Some(o) => log::info(&format!("{}: took {:?} from offset {o}", self.config.group, pq.mq)),
                None => log::info(&format!("{}: took {:?}, waiting for its lock", self.config.group, pq.mq)),
            }
            self.runtime.spawn(pull_loop(self.clone(), pq, start));
        }
        Ok(())
    }

    /// Where a newly assigned queue starts: the stored offset, else (as the Java client) 0 for
    /// the retry topic, and by `consume_from` otherwise: the queue's end, 0, or the broker's
    /// offset for the timestamp.
    async fn start_offset(&self, mq: &MessageQueue) -> Result<i64> {
        if let Some(o) = self.store.read(mq).await? {
            if o >= 0 {
                return Ok(o);
            }
        }
        if mq.topic.starts_with(RETRY_PREFIX) || self.config.consume_from == ConsumeFrom::FirstOffset {
            return Ok(0);
        }
        let addr = self.broker_of(mq).await?;
        let req = match self.config.consume_from {
            ConsumeFrom::Timestamp(ms) => RemotingCommand::request(code::SEARCH_OFFSET_BY_TIMESTAMP)
                .with_field("topic", &mq.topic)
                .with_field("queueId", mq.queue_id)
                .with_field("timestamp", ms),
            _ => RemotingCommand::request(code::GET_MAX_OFFSET).with_field("topic", &mq.topic).with_field("queueId", mq.queue_id),
        };
        let resp = self.client.remoting.invoke(&addr, req, BROKER_TIMEOUT).await?;
        if resp.code != response::SUCCESS {
            return Err(Error::Broker { addr, code: resp.code, remark: resp.remark });
        }
        let o = resp.field_i64("offset").unwrap_or(0);
        self.store.update(mq, o);
        Ok(o)
    }

    async fn broker_of(&self, mq: &MessageQueue) -> Result<String> {
        if let Some(a) = self.client.master_addr_of(&mq.topic, &mq.broker_name) {
            return Ok(a);
        }
        self.client.update_route(&mq.topic).await?;
        self.client.master_addr_of(&mq.topic, &mq.broker_name).ok_or_else(|| Error::NoRoute(mq.topic.clone()))
    }

    fn over_limits(&self, pq: &ProcessQueue) -> bool {
        pq.count() >= self.config.max_cache_messages.max(1)
            || (self.config.max_cache_bytes > 0 && pq.bytes() >= self.config.max_cache_bytes)
            || (self.config.max_cache_bytes == 0 && self.cached_footprint() >= DEFAULT_TOTAL_CACHE_BYTES)
    }

    /// Memory the messages cached in all queues of this consumer hold.
    fn cached_footprint(&self) -> usize {
        let queues: Vec<Arc<ProcessQueue>> = self.queues.lock().unwrap().values().cloned().collect();
        queues.iter().map(|q| q.footprint()).sum()
    }

    /// Hands freshly pulled messages to the consume threads.
    fn dispatch(self: &Arc<Self>, pq: &Arc<ProcessQueue>, msgs: Vec<Arc<MessageExt>>) {
        if self.config.orderly {
            self.schedule_orderly(pq.clone(), Duration::ZERO);
            return;
        }
        // One job per pulled batch (as 2.2.0 did), handed to the callback in batches of
        // `batch_max`: a hand-off per message would cost more than the consuming.
        let batch = self.config.batch_max.max(1);
        let me = self.clone();
        let pq = pq.clone();
        self.pool.submit(Box::new(move || {
            let mut rest = msgs.into_iter();
            loop {
                let chunk: Vec<Arc<MessageExt>> = rest.by_ref().take(batch).collect();
                if chunk.is_empty() {
                    return;
                }
                me.consume_concurrently(&pq, chunk);
            }
        }));
    }

    fn submit_concurrent(self: &Arc<Self>, pq: Arc<ProcessQueue>, msgs: Vec<Arc<MessageExt>>) {
        let me = self.clone();
        self.pool.submit(Box::new(move || me.consume_concurrently(&pq, msgs)));
    }

    fn consume_concurrently(self: &Arc<Self>, pq: &Arc<ProcessQueue>, msgs: Vec<Arc<MessageExt>>) {
        if self.stopping() || pq.is_dropped() {
            return;
        }
        if let Some(l) = &self.limiter {
            if !l.acquire(msgs.len(), &self.stopping) || pq.is_dropped() {
                return; // not delivered: the messages stay cached, their offsets uncommitted
            }
        }
        let traced = self.trace.as_ref().map(|t| t.before_consume(&self.config.group, &msgs));
        let verdicts = self.listener.consume(&pq.mq, &msgs);
        // Our own work after the host call is guarded here, not around the whole job: a panic
        // guard below the host call would also stop the forced unwind of a host that ends the
        // thread (see `pool`), and abort the process.
        let me = self.clone();
        let pq = pq.clone();
        let guarded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            if let (Some(trace), Some(traced)) = (&me.trace, traced) {
                trace.after_consume(&me.config.group, traced, &msgs, &verdicts);
            }
            me.after_consume(&pq, msgs, verdicts)
        }));
        if guarded.is_err() {
            log::error("internal error after a consume callback; its messages will be redelivered");
        }
    }

    fn after_consume(self: &Arc<Self>, pq: &Arc<ProcessQueue>, msgs: Vec<Arc<MessageExt>>, verdicts: Vec<bool>) {
        let mut done = Vec::with_capacity(msgs.len());
        let mut again = Vec::new();
        for (i, m) in msgs.into_iter().enumerate() {
            if verdicts.get(i).copied().unwrap_or(false) {
                done.push(m.queue_offset);
            } else if self.config.broadcasting {
                log::warn(&format!("broadcast message {} was not consumed and is dropped", m.msg_id()));
                done.push(m.queue_offset);
            } else if self.send_back(&pq.mq, &m, 0) {
                done.push(m.queue_offset);
            } else {
                again.push(m);
            }
        }
        let next = pq.remove(done);
        if !pq.is_released() {
            self.store.update(&pq.mq, next);
        }
        if !again.is_empty() {
            // Send-back failed: keep the messages (their offsets hold the commit back) and try
            // them here again shortly, never losing them.
            for m in &mut again {
                Arc::make_mut(m).reconsume_times += 1;
            }
            let me = self.clone();
            let pq = pq.clone();
            self.runtime.spawn(async move {
                tokio::time::sleep(LOCAL_RETRY_DELAY).await;
                me.submit_concurrent(pq, again);
            });
        }
    }

    /// CONSUMER_SEND_MSG_BACK: the broker stores the message again in the group's retry topic
    /// with the next delay level (or in the dead-letter queue after 16 attempts).
    /// `delay_level` 0: the broker's choice; -1: straight to the dead-letter queue.
    fn send_back(&self, mq: &MessageQueue, m: &MessageExt, delay_level: i32) -> bool {
        let Some(addr) = self.client.master_addr_of(&mq.topic, &mq.broker_name) else { return false };
        let origin_topic = m.message.property(prop::RETRY_TOPIC).unwrap_or(&m.message.topic).to_string();
        let req = RemotingCommand::request(code::CONSUMER_SEND_MSG_BACK)
            .with_field("offset", m.commit_log_offset)
            .with_field("group", &self.config.group)
            .with_field("delayLevel", delay_level)
            .with_field("originMsgId", m.msg_id())
            .with_field("originTopic", origin_topic)
            .with_field("unitMode", false)
            .with_field(
                "maxReconsumeTimes",
                if self.config.max_reconsume_times >= 0 { self.config.max_reconsume_times } else { MAX_RECONSUME_TIMES },
            );
        match self.client.remoting.invoke_blocking(&addr, req, BROKER_TIMEOUT) {
            Ok(r) if r.code == response::SUCCESS => true,
            Ok(r) => {
                log::warn(&format!("send back of {} refused: {} {}", m.msg_id(), r.code, r.remark));
                false
            }
            Err(e) => {
                log::warn(&format!("send back of {} failed: {e}", m.msg_id()));
                false
            }
        }
    }

    /// Orderly: at most one consume task per queue at a time, in queue order.
    fn schedule_orderly(self: &Arc<Self>, pq: Arc<ProcessQueue>, delay: Duration) {
        if delay.is_zero() {
            if pq.consuming.swap(true, Ordering::AcqRel) {
                return;
            }
            let me = self.clone();
            // false only once the pool is closed (shutdown): then nothing more is to run
            let _ = self.pool.submit(Box::new(move || me.consume_orderly(pq)));
            return;
        }
        let me = self.clone();
        self.runtime.spawn(async move {
            tokio::time::sleep(delay).await;
            let me2 = me.clone();
            me.pool.submit(Box::new(move || me2.consume_orderly(pq)));
        });
    }

    fn consume_orderly(self: &Arc<Self>, pq: Arc<ProcessQueue>) {
        let batch = self.config.batch_max.max(1);
        let started = Instant::now();
        loop {
            if self.stopping() || pq.is_dropped() {
                pq.consuming.store(false, Ordering::Release);
                return;
            }
            if !self.config.broadcasting && !pq.is_locked() {
                // Not ours to consume yet: try again when the lock may be there.
                self.schedule_orderly(pq, ORDERLY_SUSPEND);
                return;
            }
            let msgs = pq.first(batch);
            if msgs.is_empty() {
                pq.consuming.store(false, Ordering::Release);
                // A pull may have added messages between the check and the flag reset.
                if !pq.is_empty() && !pq.consuming.swap(true, Ordering::AcqRel) {
                    continue;
                }
                return;
            }
            if let Some(l) = &self.limiter {
                if !l.acquire(msgs.len(), &self.stopping) {
                    pq.consuming.store(false, Ordering::Release);
                    return;
                }
            }
            pq.in_callback.store(true, Ordering::SeqCst);
            // Checked again with the flag up: a queue being handed over waits for the flag.
            if pq.is_dropped() {
                pq.in_callback.store(false, Ordering::SeqCst);
                pq.consuming.store(false, Ordering::Release);
                return;
            }
            let traced = self.trace.as_ref().map(|t| t.before_consume(&self.config.group, &msgs));
            let verdicts = self.listener.consume(&pq.mq, &msgs);
            if let (Some(trace), Some(traced)) = (&self.trace, traced) {
                // Orderly: the messages after the first failure come again (not consumed).
                let consumed: Vec<bool> = verdicts.iter().scan(true, |all, v| {
                    *all &= *v;
                    Some(*all)
                }).collect();
                trace.after_consume(&self.config.group, traced, &msgs, &consumed);
            }
            let mut ok = verdicts.iter().take_while(|v| **v).count().min(msgs.len());
            // A message failed more often than allowed goes to the dead-letter queue and counts
            // as consumed (the Java client's orderly rule), so the queue moves on.
            let max = self.config.max_reconsume_times;
            let mut dead_lettered = false;
            if ok < msgs.len() && max >= 0 && !self.config.broadcasting && msgs[ok].reconsume_times >= max && self.send_back(&pq.mq, &msgs[ok], -1) {
                log::warn(&format!("{} failed {} times: sent to the dead-letter queue", msgs[ok].msg_id(), msgs[ok].reconsume_times + 1));
                ok += 1;
                dead_lettered = true;
            }
            let bookkeeping = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let next = pq.remove(msgs[..ok].iter().map(|m| m.queue_offset));
                if !pq.is_released() {
                    self.store.update(&pq.mq, next);
                }
            }));
            pq.in_callback.store(false, Ordering::SeqCst);
            if bookkeeping.is_err() {
                log::error("internal error after an orderly consume callback");
                pq.consuming.store(false, Ordering::Release);
                return;
            }
            if ok < msgs.len() {
                if dead_lettered {
                    // The rest of this batch was not delivered: deliver it now.
                    continue;
                }
                pq.bump_reconsume(msgs[ok].queue_offset);
                self.schedule_orderly(pq, ORDERLY_SUSPEND);
                return;
            }
            if started.elapsed() > Duration::from_secs(60) {
                // Give other queues a turn on this thread.
                self.schedule_orderly(pq, Duration::from_millis(1));
                return;
            }
        }
    }

    async fn lock(&self, broker: &str, mqs: &[MessageQueue]) -> HashSet<MessageQueue> {
        let body = json!({
            "consumerGroup": self.config.group,
            "clientId": self.client.client_id,
            "mqSet": mqs.iter().map(|q| json!({"topic": q.topic, "brokerName": q.broker_name, "queueId": q.queue_id})).collect::<Vec<_>>(),
        });
        let req = RemotingCommand::request(code::LOCK_BATCH_MQ).with_body(body.to_string().into_bytes());
        let Ok(resp) = self.client.remoting.invoke(broker, req, BROKER_TIMEOUT).await else { return HashSet::new() };
        if resp.code != response::SUCCESS {
            return HashSet::new();
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Q {
            topic: String,
            broker_name: String,
            queue_id: i32,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Locked {
            #[serde(default)]
            lock_ok_m_q_set: Vec<Q>,
            #[serde(default, rename = "lockOKMQSet")]
            lock_ok: Vec<Q>,
        }
        let parsed: Locked = serde_json::from_slice(&resp.body).unwrap_or(Locked { lock_ok_m_q_set: vec![], lock_ok: vec![] });
        parsed
            .lock_ok
            .into_iter()
            .chain(parsed.lock_ok_m_q_set)
            .map(|q| MessageQueue { topic: q.topic, broker_name: q.broker_name, queue_id: q.queue_id })
            .collect()
    }

    async fn unlock(&self, mqs: &[MessageQueue]) {
        let mut by_broker: HashMap<String, Vec<MessageQueue>> = HashMap::new();
        for q in mqs {
            if let Some(a) = self.client.master_addr_of(&q.topic, &q.broker_name) {
                by_broker.entry(a).or_default().push(q.clone());
            }
        }
        for (broker, qs) in by_broker {
            let body = json!({
                "consumerGroup": self.config.group,
                "clientId": self.client.client_id,
                "mqSet": qs.iter().map(|q| json!({"topic": q.topic, "brokerName": q.broker_name, "queueId": q.queue_id})).collect::<Vec<_>>(),
            });
            let req = RemotingCommand::request(code::UNLOCK_BATCH_MQ).with_body(body.to_string().into_bytes());
            if let Err(e) = self.client.remoting.invoke(&broker, req, BROKER_TIMEOUT).await {
                log::warn(&format!("unlock on {broker} failed: {e}"));
            }
        }
    }

    /// Takes (or renews) the broker locks of the given queues.
    async fn lock_queues(&self, pqs: &[Arc<ProcessQueue>]) {
        let mut by_broker: HashMap<String, Vec<Arc<ProcessQueue>>> = HashMap::new();
        for pq in pqs {
            if let Ok(a) = self.broker_of(&pq.mq).await {
                by_broker.entry(a).or_default().push(pq.clone());
            }
        }
        for (broker, pqs) in by_broker {
            let mqs: Vec<MessageQueue> = pqs.iter().map(|p| p.mq.clone()).collect();
            let locked = self.lock(&broker, &mqs).await;
            let now = now_ms();
            for pq in pqs {
                if locked.contains(&pq.mq) {
                    pq.set_locked(true, now);
                } else if now.saturating_sub(pq.lock_time_ms()) > LOCK_EXPIRY_MS {
                    pq.set_locked(false, now);
                }
            }
        }
    }

    async fn relock_all(&self) {
        let pqs: Vec<Arc<ProcessQueue>> = self.queues.lock().unwrap().values().cloned().collect();
        self.lock_queues(&pqs).await;
    }
}

/// Long-polls one queue for as long as it is assigned, pausing while its cache is full.
/// `start` is the offset to pull from; `None` (orderly) reads it once the lock is held.
async fn pull_loop(inner: Arc<Inner>, pq: Arc<ProcessQueue>, start: Option<i64>) {
    let mut stop = inner.stop.subscribe();
    let filter = inner.filters.get(&pq.mq.topic).cloned().unwrap_or_else(|| TagFilter::parse("*"));
    let retry_topic = pq.mq.topic.starts_with(RETRY_PREFIX);
    let mut offset = start.unwrap_or(-1);
    let mut have_offset = start.is_some();
    loop {
        if inner.stopping() || pq.is_dropped() {
            return;
        }
        if inner.over_limits(&pq) {
            tokio::select! {
                _ = pq.space.notified() => {}
                _ = tokio::time::sleep(FLOW_CONTROL_RECHECK) => {}
                _ = stop.changed() => return,
            }
            continue;
        }
        if inner.config.orderly && !inner.config.broadcasting && !pq.is_locked() {
            inner.lock_queues(std::slice::from_ref(&pq)).await;
            if !pq.is_locked() {
                tokio::select! {
                    _ = tokio::time::sleep(ORDERLY_SUSPEND) => {}
                    _ = stop.changed() => return,
                }
                continue;
            }
        }
        if !have_offset {
            // Orderly, locked now (by us or by the periodic relock): the previous owner
            // committed its offset before it released the lock, so this read is current.
            match inner.start_offset(&pq.mq).await {
                Ok(o) => {
                    offset = o;
                    have_offset = true;
                    log::info(&format!("{}: {:?} locked, consuming from offset {o}", inner.config.group, pq.mq));
                }
                Err(e) => {
                    log::warn(&format!("offset of {:?} after locking: {e}", pq.mq));
                    tokio::select! {
                        _ = tokio::time::sleep(PULL_ERROR_BACKOFF) => {}
                        _ = stop.changed() => return,
                    }
                    continue;
                }
            }
        }
        let result = tokio::select! {
            r = inner.puller.pull_long(&pq.mq, &filter, offset, PULL_BATCH) => r,
            _ = stop.changed() => return,
        };
        match result {
            Ok(r) => {
                if pq.is_dropped() {
                    return;
                }
                match r.status {
                    PullStatus::Found => {
                        offset = r.next_begin_offset;
                        if r.messages.is_empty() {
                            continue;
                        }
                        let mut msgs = r.messages;
                        if retry_topic {
                            for m in &mut msgs {
                                if let Some(t) = m.message.property(prop::RETRY_TOPIC).map(String::from) {
                                    m.message.topic = t;
                                }
                            }
                        }
                        let msgs: Vec<Arc<MessageExt>> = msgs.into_iter().map(Arc::new).collect();
                        pq.add(&msgs);
                        inner.dispatch(&pq, msgs);
                    }
                    PullStatus::NoNewMsg | PullStatus::NoMatchedMsg => {
                        offset = r.next_begin_offset;
                        if pq.is_empty() {
                            inner.store.update(&pq.mq, offset);
                        }
                    }
                    PullStatus::OffsetIllegal => {
                        log::warn(&format!("offset {offset} of {:?} is illegal; moving to {}", pq.mq, r.next_begin_offset));
                        offset = r.next_begin_offset;
                        inner.store.update(&pq.mq, offset);
                    }
                    PullStatus::BrokerTimeout => {}
                }
            }
            Err(e) => {
                log::warn(&format!("pull of {:?} failed: {e}", pq.mq));
                tokio::select! {
                    _ = tokio::time::sleep(PULL_ERROR_BACKOFF) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

/// Broker → client requests for a push consumer.
struct Inbound(Weak<Inner>);

impl InboundHandler for Inbound {
    fn on_request(&self, conn: &Arc<Connection>, cmd: RemotingCommand) {
        let Some(inner) = self.0.upgrade() else { return };
        match cmd.code {
            code::NOTIFY_CONSUMER_IDS_CHANGED => inner.rebalance_now.notify_one(),
            code::GET_CONSUMER_RUNNING_INFO => {
                let mut resp = RemotingCommand::response(response::SUCCESS, cmd.opaque);
                resp.body = inner.running_info().into();
                let _ = conn.send_response(&resp);
            }
            code::CONSUME_MESSAGE_DIRECTLY => {
                // Host code runs on a consume thread, never here on the I/O thread.
                let reply_conn = conn.clone();
                let me = inner.clone();
                let broker_name = cmd.field("brokerName").unwrap_or_default().to_string();
                let submitted = inner.pool.submit(Box::new(move || {
                    let start = Instant::now();
                    let msgs: Vec<Arc<MessageExt>> =
                        decode_messages(cmd.body.clone()).unwrap_or_default().into_iter().map(Arc::new).collect();
                    let mq = MessageQueue {
                        topic: msgs.first().map(|m| m.message.topic.clone()).unwrap_or_default(),
                        broker_name,
                        queue_id: msgs.first().map_or(0, |m| m.queue_id),
                    };
                    let ok = !msgs.is_empty() && me.listener.consume(&mq, &msgs).iter().all(|v| *v);
                    let body = json!({
                        "order": me.config.orderly, "autoCommit": true,
                        "consumeResult": if ok { "CR_SUCCESS" } else { "CR_LATER" },
                        "remark": "", "spentTimeMills": start.elapsed().as_millis() as u64,
                    });
                    let mut resp = RemotingCommand::response(response::SUCCESS, cmd.opaque);
                    resp.body = body.to_string().into_bytes().into();
                    let _ = reply_conn.send_response(&resp);
                }));
                if !submitted {
                    let mut resp = RemotingCommand::response(response::SYSTEM_ERROR, cmd.opaque);
                    resp.remark = "consumer is shutting down".into();
                    let _ = conn.send_response(&resp);
                }
            }
            other => {
                if !cmd.is_oneway() {
                    let mut resp = RemotingCommand::response(3, cmd.opaque);
                    resp.remark = format!("request code {other} not supported");
                    let _ = conn.send_response(&resp);
                }
            }
        }
    }
}

impl Inner {
    fn running_info(&self) -> Vec<u8> {
        let subs: Vec<serde_json::Value> =
            self.filters.iter().map(|(t, f)| json!({"topic": t, "subString": f.expression, "expressionType": f.expression_type()})).collect();
        json!({
            "properties": {
                "PROP_CONSUME_TYPE": "CONSUME_PASSIVELY",
                "PROP_CONSUMEORDERLY": self.config.orderly.to_string(),
                "PROP_THREADPOOL_CORE_SIZE": self.config.threads.to_string(),
                "PROP_CLIENT_VERSION": "V4_6_0",
                "PROP_CONSUMER_START_TIMESTAMP": now_ms().to_string(),
            },
            "subscriptionSet": subs,
            "mqTable": {},
            "statusTable": {},
        })
        .to_string()
        .into_bytes()
    }
}

/// Java's `String.hashCode`, which the broker's tag filter compares against.
pub fn java_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

#[cfg(test)]
mod tests {
    #[test]
    fn java_string_hash() {
        assert_eq!(super::java_hash("TagA"), 2598919);
        assert_eq!(super::java_hash(""), 0);
    }
}
