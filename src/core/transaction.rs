//! Transactional messages: the half message, the local transaction's outcome sent with
//! END_TRANSACTION, and the broker's check-backs answered by a checker on the producer's own
//! check thread.
//!
//! Exactly once. The broker checks a half message that has no commit/rollback record ("op") yet
//! once it is older than `transactionTimeOut`. Before asking, it stores a *new copy* of the half
//! message (`TransactionalMessageServiceImpl.putBackHalfMsgQueue`), and the check names that
//! copy's offsets (`tranStateTableOffset`, `commitLogOffset`): an answer must carry those, and a
//! COMMIT of the copy stores the real message once more. A 5.x broker writes its op records in
//! batches (`TransactionalOpBatchService`, every `transactionOpBatchInterval`, default 3 s), so
//! it can check a transaction whose END_TRANSACTION it has already carried out: answering COMMIT
//! there (as the application's record says) delivers the message twice. So this producer sends
//! COMMIT and ROLLBACK as requests and waits for the broker's answer (the Java client sends them
//! one-way), remembers the transactions the broker confirmed (`Outcomes`), and answers a later
//! check of one of them itself, without the checker: ROLLBACK, which removes only the new half
//! copy the check is about (`EndTransactionProcessor`: `deletePrepareMessage` of that copy); the
//! real message the confirmed commit stored stays. Unknown outcomes stay one-way (the broker
//! does not answer them).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use super::consumer::pool::ConsumePool;
use super::error::{Error, Result};
use super::log;
use super::message::{decode_message, prop, Message, MessageExt};
use super::producer::{Producer, SendResult, SendStatus};
use super::trace::record::Ended;
use super::trace::Dispatcher;
use crate::remoting::{Connection, InboundHandler, RemotingCommand, RemotingError};

pub const END_TRANSACTION: i32 = 37;
pub const CHECK_TRANSACTION_STATE: i32 = 39;

/// What a local transaction decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionState {
    Commit,
    Rollback,
    Unknown,
}

impl TransactionState {
    /// `commitOrRollback` of END_TRANSACTION (`MessageSysFlag` transaction types).
    fn wire(self) -> i32 {
        match self {
            TransactionState::Commit => 8,
            TransactionState::Rollback => 12,
            TransactionState::Unknown => 0,
        }
    }

    /// Java's `LocalTransactionState` name (trace records).
    fn java_name(self) -> &'static str {
        match self {
            TransactionState::Commit => "COMMIT_MESSAGE",
            TransactionState::Rollback => "ROLLBACK_MESSAGE",
            TransactionState::Unknown => "UNKNOW",
        }
    }
}

/// Answers the broker's "what became of this transaction?" for a half message.
pub trait TransactionChecker: Send + Sync {
    fn check(&self, msg: MessageExt) -> TransactionState;
}

/// The commit-log offset inside a broker offset message id (its last 16 hex digits).
/// The id is the broker's word: one that is not hex (or whose last 16 bytes split a character)
/// gives 0, never a panic.
pub(crate) fn commit_log_offset(offset_msg_id: &str) -> i64 {
    let n = offset_msg_id.len();
    if n < 16 {
        return 0;
    }
    offset_msg_id.get(n - 16..).and_then(|hex| i64::from_str_radix(hex, 16).ok()).unwrap_or(0)
}

/// The header fields of END_TRANSACTION (`EndTransactionRequestHeader`).
struct EndTransaction<'a> {
    group: &'a str,
    state: TransactionState,
    /// The half message's queue offset (a check's `tranStateTableOffset`).
    queue_offset: i64,
    commit_log_offset: i64,
    msg_id: &'a str,
    transaction_id: &'a str,
    from_check: bool,
    /// 5.x optional `topic` and `bname`, as the Java client sends them.
    topic: Option<&'a str>,
    broker_name: Option<&'a str>,
}

impl EndTransaction<'_> {
    fn request(&self) -> RemotingCommand {
        let mut req = RemotingCommand::request(END_TRANSACTION)
            .with_field("producerGroup", self.group)
            .with_field("tranStateTableOffset", self.queue_offset)
            .with_field("commitLogOffset", self.commit_log_offset)
            .with_field("commitOrRollback", self.state.wire())
            .with_field("fromTransactionCheck", self.from_check)
            .with_field("msgId", self.msg_id)
            .with_field("transactionId", self.transaction_id);
        if let Some(t) = self.topic {
            req = req.with_field("topic", t);
        }
        if let Some(b) = self.broker_name {
            req = req.with_field("bname", b);
        }
        req
    }
}

/// How long a confirmed outcome is remembered, and how many at most (oldest dropped first). A
/// duplicate check comes within the broker's op batch interval plus a check interval or two.
const KEEP_OUTCOME: Duration = Duration::from_secs(600);
const MAX_OUTCOMES: usize = 100_000;
/// How long a check waits for an END_TRANSACTION of the same transaction still in flight.
const WAIT_IN_FLIGHT: Duration = Duration::from_secs(3);
/// Timeout of the END_TRANSACTION that answers a check.
const CHECK_ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    /// END_TRANSACTION sent, the broker's answer not in yet.
    Ending,
    /// The broker confirmed this commit / rollback.
    Ended(TransactionState),
}

/// The transactions (by `UNIQ_KEY`) whose commit or rollback the broker confirmed to this producer.
#[derive(Default)]
pub struct Outcomes {
    table: Mutex<OutcomeTable>,
    changed: Condvar,
}

#[derive(Default)]
struct OutcomeTable {
    map: HashMap<String, (Outcome, Instant)>,
    order: VecDeque<(Instant, String)>,
}

impl Outcomes {
    fn set(&self, id: &str, outcome: Option<Outcome>) {
        let mut t = self.table.lock().unwrap();
        match outcome {
            Some(o) => {
                let now = Instant::now();
                t.map.insert(id.to_string(), (o, now));
                t.order.push_back((now, id.to_string()));
                while let Some((at, _)) = t.order.front() {
                    if t.order.len() <= MAX_OUTCOMES && at.elapsed() < KEEP_OUTCOME {
                        break;
                    }
                    let (at, key) = t.order.pop_front().unwrap();
                    if t.map.get(&key).is_some_and(|(_, since)| *since == at) {
                        t.map.remove(&key);
                    }
                }
            }
            None => {
                t.map.remove(id);
            }
        }
        drop(t);
        self.changed.notify_all();
    }

    /// The confirmed outcome of `id`, waiting up to `wait` while its END_TRANSACTION is in flight.
    fn confirmed(&self, id: &str, wait: Duration) -> Option<TransactionState> {
        let deadline = Instant::now() + wait;
        let mut t = self.table.lock().unwrap();
        loop {
            match t.map.get(id).map(|(o, _)| *o) {
                None => return None,
                Some(Outcome::Ended(s)) => return Some(s),
                Some(Outcome::Ending) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return None;
                    }
                    t = self.changed.wait_timeout(t, left).unwrap().0;
                }
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.lock().unwrap().map.len()
    }
}

/// A message's tags and keys (empty when absent), for its trace record.
fn tags_and_keys(m: &Message) -> (String, String) {
    (m.property(prop::TAGS).unwrap_or_default().to_string(), m.property(prop::KEYS).unwrap_or_default().to_string())
}

/// Whether the broker carried out an END_TRANSACTION it answered with `resp`.
fn confirmed_by(resp: &std::result::Result<RemotingCommand, RemotingError>, id: &str) -> bool {
    match resp {
        Ok(r) if r.code == super::client::response::SUCCESS => true,
        Ok(r) => {
            log::warn(&format!("END_TRANSACTION for {id} refused: code {} {}", r.code, r.remark));
            false
        }
        Err(e) => {
            log::warn(&format!("END_TRANSACTION for {id} failed: {e} (the broker will check back)"));
            false
        }
    }
}

impl Producer {
    /// Sends `msg` as a half message, runs `execute` (host code, on this thread) when the broker
    /// stored it, and tells the broker the outcome. The result is the half message's.
    pub fn send_transaction(&self, msg: &mut Message, execute: &mut dyn FnMut(&Message) -> TransactionState) -> Result<SendResult> {
        msg.set_property(prop::TRAN_MSG, "true");
        msg.set_property(prop::PGROUP, &self.config().group);
        let result = self.send(msg)?;
        let state = if result.status == SendStatus::Ok { execute(msg) } else { TransactionState::Rollback };
        let addr = self
            .client()
            .master_addr_of(&result.queue.topic, &result.queue.broker_name)
            .ok_or_else(|| Error::NoRoute(result.queue.topic.clone()))?;
        let transaction_id = result.transaction_id.clone().unwrap_or_else(|| result.msg_id.clone());
        let end = EndTransaction {
            group: &self.config().group,
            state,
            queue_offset: result.queue_offset,
            commit_log_offset: commit_log_offset(&result.offset_msg_id),
            msg_id: &result.msg_id,
            transaction_id: &transaction_id,
            from_check: false,
            topic: Some(&result.queue.topic),
            broker_name: Some(&result.queue.broker_name),
        };
        if let Some(trace) = self.trace() {
            let ended = Ended {
                topic: &result.queue.topic,
                msg_id: &result.msg_id,
                tags: msg.property(prop::TAGS).unwrap_or_default(),
                keys: msg.property(prop::KEYS).unwrap_or_default(),
                store_host: &addr,
                transaction_id: &transaction_id,
                state: state.java_name(),
                from_check: false,
            };
            trace.ended(&self.config().group, ended);
        }
        if state == TransactionState::Unknown {
            // The broker does not answer an unknown outcome; it checks back later.
            if let Err(e) = super::runtime::block_on(self.client().remoting.invoke_oneway(&addr, end.request()))? {
                log::warn(&format!("END_TRANSACTION for {} failed: {e}", result.msg_id));
            }
            return Ok(result);
        }
        // Commit / rollback: wait for the broker's answer, so that a check of this transaction
        // that crosses our END_TRANSACTION (see the module text) is answered from it.
        self.ended.set(&result.msg_id, Some(Outcome::Ending));
        let resp = self.client().remoting.invoke_blocking(&addr, end.request(), self.config().send_timeout);
        let ok = confirmed_by(&resp, &result.msg_id);
        self.ended.set(&result.msg_id, ok.then_some(Outcome::Ended(state)));
        Ok(result)
    }

    /// Routes the broker's CHECK_TRANSACTION_STATE requests to `checker`, run on a thread of
    /// this producer's own. Keep the returned handle while the producer runs; `stop` it before
    /// shutting the producer down.
    pub fn set_transaction_checker(&self, checker: Arc<dyn TransactionChecker>) -> Result<Arc<TransactionChecks>> {
        let pool = ConsumePool::start("rocketmq-check", 1).map_err(|e| Error::state(format!("cannot start the check thread: {e}")))?;
        let checks = Arc::new(TransactionChecks {
            group: self.config().group.clone(),
            checker,
            pool,
            stopped: Arc::new(AtomicBool::new(false)),
            ended: self.ended.clone(),
            trace: self.trace().cloned(),
        });
        let handler: Arc<dyn InboundHandler> = checks.clone();
        self.client().remoting.set_inbound(Arc::downgrade(&handler));
        Ok(checks)
    }
}

/// A check's answer sent on the host's own initiative (2.2.0's `checkTransactionState`, which a
/// program may call with what a check names): the half message copy at `queue_offset` /
/// `commit_log_offset` on the broker at `addr` ends with `state`.
pub struct CheckAnswer<'a> {
    pub addr: &'a str,
    pub state: TransactionState,
    /// The half message copy's queue offset (a check's `tranStateTableOffset`).
    pub queue_offset: i64,
    pub commit_log_offset: i64,
    pub msg_id: &'a str,
    pub transaction_id: &'a str,
}

impl Producer {
    /// Sends END_TRANSACTION (`fromTransactionCheck`) for `answer`. Commit and rollback wait for
    /// the broker's word and are remembered like the producer's own (a later check of the same
    /// transaction is then answered without the checker); unknown goes one-way.
    pub fn answer_check(&self, answer: &CheckAnswer) -> Result<()> {
        self.check_running()?;
        let end = EndTransaction {
            group: &self.config().group,
            state: answer.state,
            queue_offset: answer.queue_offset,
            commit_log_offset: answer.commit_log_offset,
            msg_id: answer.msg_id,
            transaction_id: answer.transaction_id,
            from_check: true,
            topic: None,
            broker_name: None,
        };
        if answer.state == TransactionState::Unknown {
            super::runtime::block_on(self.client().remoting.invoke_oneway(answer.addr, end.request()))??;
            return Ok(());
        }
        let resp = self.client().remoting.invoke_blocking(answer.addr, end.request(), self.config().send_timeout)?;
        if resp.code != super::client::response::SUCCESS {
            return Err(Error::Broker { addr: answer.addr.to_string(), code: resp.code, remark: resp.remark });
        }
        self.ended.set(answer.msg_id, Some(Outcome::Ended(answer.state)));
        Ok(())
    }
}

/// The check-backs of one transaction producer.
pub struct TransactionChecks {
    group: String,
    checker: Arc<dyn TransactionChecker>,
    pool: ConsumePool,
    stopped: Arc<AtomicBool>,
    ended: Arc<Outcomes>,
    trace: Option<Arc<Dispatcher>>,
}

impl TransactionChecks {
    /// No checker starts after this returns; a running one is waited for (10 s at most), unless
    /// this is called from the checker itself.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        if !self.pool.is_current_thread() {
            self.pool.close(Duration::from_secs(10));
        }
    }
}

impl InboundHandler for TransactionChecks {
    fn on_request(&self, conn: &Arc<Connection>, cmd: RemotingCommand) {
        if cmd.code != CHECK_TRANSACTION_STATE || self.stopped.load(Ordering::Acquire) {
            return;
        }
        let msg = match decode_message(cmd.body.clone()) {
            Ok(m) => m,
            Err(e) => {
                log::warn(&format!("transaction check with an undecodable message: {e}"));
                return;
            }
        };
        let checker = self.checker.clone();
        let ended = self.ended.clone();
        let trace = self.trace.clone();
        let conn: Weak<Connection> = Arc::downgrade(conn);
        let group = msg.message.property(prop::PGROUP).map_or_else(|| self.group.clone(), String::from);
        // The checker is host code: it runs on the producer's check thread, never on this I/O
        // thread, and never after `stop`.
        let is_stopped = self.stopped.clone();
        self.pool.submit(Box::new(move || {
            if is_stopped.load(Ordering::Acquire) {
                return;
            }
            // The offsets of the half message copy this check is about (a new copy per check).
            let queue_offset = cmd.field_i64("tranStateTableOffset").unwrap_or(msg.queue_offset);
            let commit_offset = cmd.field_i64("commitLogOffset").unwrap_or(msg.commit_log_offset);
            let msg_id = cmd.field("msgId").filter(|s| !s.is_empty()).map(String::from).unwrap_or_else(|| msg.msg_id().to_string());
            let transaction_id =
                cmd.field("transactionId").filter(|s| !s.is_empty()).map(String::from).unwrap_or_else(|| msg_id.clone());
            let known = ended.confirmed(&msg_id, WAIT_IN_FLIGHT);
            let state = match known {
                Some(done) => {
                    // Ended and confirmed before: this copy is the broker's leftover; drop it.
                    log::info(&format!(
                        "transaction check of {msg_id} (half offset {queue_offset}): the broker already confirmed its \
                         {done:?}, answering rollback for this copy only"
                    ));
                    TransactionState::Rollback
                }
                None => {
                    // What the record needs of the message, taken before the checker has it.
                    let traced = trace.as_ref().map(|_| (msg.message.topic.clone(), tags_and_keys(&msg.message)));
                    let state = checker.check(msg);
                    if let (Some(trace), Some((topic, (tags, keys)))) = (&trace, traced) {
                        let store_host = conn.upgrade().map(|c| c.addr().to_string()).unwrap_or_default();
                        let ended = Ended {
                            topic: &topic,
                            msg_id: &msg_id,
                            tags: &tags,
                            keys: &keys,
                            store_host: &store_host,
                            transaction_id: &transaction_id,
                            state: state.java_name(),
                            from_check: true,
                        };
                        trace.ended(&group, ended);
                    }
                    state
                }
            };
            let end = EndTransaction {
                group: &group,
                state,
                queue_offset,
                commit_log_offset: commit_offset,
                msg_id: &msg_id,
                transaction_id: &transaction_id,
                from_check: true,
                topic: cmd.field("topic"),
                broker_name: cmd.field("bname"),
            };
            let Some(c) = conn.upgrade() else {
                log::warn(&format!("connection gone before answering the check of {msg_id}"));
                return;
            };
            if state == TransactionState::Unknown {
                if let Err(e) = c.send_oneway(end.request()) {
                    log::warn(&format!("answer to the transaction check of {msg_id} failed: {e}"));
                }
                return;
            }
            if known.is_none() {
                ended.set(&msg_id, Some(Outcome::Ending));
            }
            let resp = match super::runtime::block_on(c.request(end.request(), CHECK_ANSWER_TIMEOUT)) {
                Ok(r) => r,
                Err(e) => {
                    log::warn(&format!("answer to the transaction check of {msg_id} not sent: {e}"));
                    if known.is_none() {
                        ended.set(&msg_id, None);
                    }
                    return;
                }
            };
            let ok = confirmed_by(&resp, &msg_id);
            if known.is_none() {
                ended.set(&msg_id, ok.then_some(Outcome::Ended(state)));
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_wait_for_the_broker() {
        let o = Arc::new(Outcomes::default());
        assert_eq!(o.confirmed("A", Duration::ZERO), None);
        o.set("A", Some(Outcome::Ending));
        assert_eq!(o.confirmed("A", Duration::from_millis(10)), None);
        let o2 = o.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            o2.set("A", Some(Outcome::Ended(TransactionState::Commit)));
        });
        assert_eq!(o.confirmed("A", Duration::from_secs(5)), Some(TransactionState::Commit));
        t.join().unwrap();
        o.set("B", Some(Outcome::Ending));
        o.set("B", None);
        assert_eq!(o.confirmed("B", Duration::from_secs(5)), None);
        for i in 0..(MAX_OUTCOMES + 10) {
            o.set(&format!("k{i}"), Some(Outcome::Ended(TransactionState::Rollback)));
        }
        assert!(o.len() <= MAX_OUTCOMES);
        assert_eq!(o.confirmed(&format!("k{}", MAX_OUTCOMES + 9), Duration::ZERO), Some(TransactionState::Rollback));
    }

    #[test]

    fn commit_log_offset_from_offset_id() {
        assert_eq!(super::commit_log_offset("7F00000100002A9F00000000000003E8"), 1000);
        assert_eq!(super::commit_log_offset("short"), 0);
        // a broker's msgId whose last 16 bytes start inside a character (was a panic)
        assert_eq!(super::commit_log_offset("\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}"), 0);
    }
}
