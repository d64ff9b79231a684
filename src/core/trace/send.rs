//! The `Pub` record of a send attempt, as the Java client's send hook makes it: one per attempt
//! that got a result from the broker (failed attempts write nothing), timed from the start of
//! the attempt.

use super::record::{msg_type, now_ms, Ended, Pub, DEFAULT_REGION};
use super::Dispatcher;
use crate::core::message::{prop, Message};
use crate::core::schedule::{START_DELIVER_TIME, TIMER_DELIVER_MS};

/// What a `Pub` record needs from the message, taken before the send prepares it.
#[derive(Debug, Clone, Default)]
pub struct SendInfo {
    tags: String,
    keys: String,
    msg_type: u8,
}

impl SendInfo {
    pub fn of(msg: &Message) -> SendInfo {
        let msg_type = if msg.property(prop::TRAN_MSG) == Some("true") {
            msg_type::TRANSACTION_HALF
        } else if msg.delay_level() > 0 || msg.property(START_DELIVER_TIME).is_some() || msg.property(TIMER_DELIVER_MS).is_some() {
            msg_type::DELAY
        } else {
            msg_type::NORMAL
        };
        SendInfo {
            tags: msg.property(prop::TAGS).unwrap_or_default().to_string(),
            keys: msg.property(prop::KEYS).unwrap_or_default().to_string(),
            msg_type,
        }
    }

    /// A batch: one record for all its messages, without tags or keys (as Java writes it).
    pub fn batch() -> SendInfo {
        SendInfo::default()
    }
}

/// The start of one send attempt (wall clock, ms: the record's timestamp, and its cost with
/// the clock read again at the end, as the Java client measures it).
pub struct Attempt {
    at_ms: i64,
}

impl Attempt {
    pub fn start() -> Attempt {
        Attempt { at_ms: now_ms() }
    }
}

/// The outcome of an attempt, as far as the record shows it.
pub struct Sent<'a> {
    pub topic: &'a str,
    pub msg_id: &'a str,
    pub body_length: usize,
    pub store_host: &'a str,
    /// The broker's `MSG_REGION` answer field.
    pub region: Option<&'a str>,
    /// Empty for a one-way send (no answer).
    pub offset_msg_id: &'a str,
    /// Stored with `SEND_OK`.
    pub success: bool,
}

impl Dispatcher {
    /// Queues the `Pub` record of an attempt of `group`'s send.
    pub fn sent(&self, group: &str, info: &SendInfo, attempt: &Attempt, sent: Sent) {
        let record = Pub {
            timestamp: attempt.at_ms,
            region: sent.region.filter(|r| !r.is_empty()).unwrap_or(DEFAULT_REGION),
            group,
            topic: sent.topic,
            msg_id: sent.msg_id,
            tags: &info.tags,
            keys: &info.keys,
            store_host: sent.store_host,
            body_length: sent.body_length,
            cost_ms: (now_ms() - attempt.at_ms).max(0) as u64,
            msg_type: info.msg_type,
            offset_msg_id: sent.offset_msg_id,
            success: sent.success,
        }
        .record();
        self.append(record);
    }
}

impl Dispatcher {
    /// Queues the `EndTransaction` record of `group`'s transaction.
    pub fn ended(&self, group: &str, e: Ended) {
        if !self.traces(e.topic) {
            return;
        }
        let record = super::record::EndTransaction { timestamp: now_ms(), region: DEFAULT_REGION, group, ended: e }.record();
        self.append(record);
    }
}
