//! Delivery at a chosen time, and its cancellation.
//!
//! Hosts set `__STARTDELIVERTIME` (epoch ms), as for the managed RocketMQ services; Apache brokers
//! 5.x read `TIMER_DELIVER_MS` instead, so both are sent. The 5.x broker floors the time to its
//! `timerPrecisionMs` (1 s) slot and fires a slot once the clock is past it, so a message arrives
//! at the first whole second at or after its time, never before.
//!
//! Cancelling: a message to the same topic with `__CANCEL_SCHEDULED_MSG` = the scheduled message's
//! id (its `UNIQ_KEY`, the id the send returned) and the same `__STARTDELIVERTIME` becomes the 5.x
//! timer delete marker (`Producer::cancel_scheduled`): a timer message with that same delivery
//! time (so it lands in the target's time slot) and `TIMER_DEL_UNIQKEY`. When the slot fires the
//! broker first collects the slot's delete keys, then drops every message of the slot whose key
//! is among them (`TimerMessageStore.dequeue` / `TimerDequeueGetMessageService`). What the key
//! must be depends on the broker:
//!
//! * 5.5.0 (`TimerMessageStore.buildDeleteKey(realTopic, uniqKey, appendTopicForTimerDeleteKey)`,
//!   broker setting `appendTopicForTimerDeleteKey`, default false): the bare `UNIQ_KEY`;
//! * 5.0 – 5.3.x, and 5.5.0 with `appendTopicForTimerDeleteKey=true`: `<real topic>+<UNIQ_KEY>`;
//! * the RocksDB timeline (`timerRocksDBEnable=true`) strips anything up to a `+` itself.
//!
//! So one marker of each form is sent; the one that does not match anything is dropped by the
//! broker like any marker (markers are never delivered). The timer store is per broker, so the
//! markers go to every master broker of the topic (we do not know which one got the target).
//! This needs no broker setting, unlike `RECALL_MESSAGE` (code 370, 5.3.2+), which the broker
//! refuses unless `recallMessageEnable=true` and which builds the same marker on the broker.
//!
//! Apache 4.x has no timer messages: a message with `__STARTDELIVERTIME` is delivered at once (the
//! library logs a warning), and a cancellation fails with a text saying so, sending nothing (a
//! marker would be delivered there as an ordinary message).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::client::code;
use super::error::{Error, Result};
use super::log;
use super::message::{prop, Message};
use super::producer::{retryable, validate, Producer, Prepared, SendResult};
use super::route::{MessageQueue, TopicRouteData};
use crate::remoting::RemotingCommand;

pub const START_DELIVER_TIME: &str = "__STARTDELIVERTIME";
pub const CANCEL_SCHEDULED_MSG: &str = "__CANCEL_SCHEDULED_MSG";
pub const TIMER_DELIVER_MS: &str = "TIMER_DELIVER_MS";
pub const TIMER_DEL_UNIQKEY: &str = "TIMER_DEL_UNIQKEY";
/// The farthest ahead a delivery time may be.
pub const MAX_AHEAD_MS: i64 = 365 * 24 * 3600 * 1000;
/// Brokers answering with a version below V5_0_0 (`MQVersion.Version` ordinal 413) have no timer
/// messages. (4.9.7 answers 407, 5.5.0 answers 513.)
pub const FIRST_TIMER_VERSION: i32 = 413;

/// What a message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timing {
    /// No delivery time, or one in the past: delivered at once.
    Now,
    /// Delivered at this epoch ms (5.x).
    At(i64),
    /// Cancels the message `target` scheduled for `at`.
    Cancel { target: String, at: i64 },
}

/// Reads `__STARTDELIVERTIME` / `__CANCEL_SCHEDULED_MSG` and adds the broker's `TIMER_DELIVER_MS`
/// for a time in the future.
pub fn apply(msg: &mut Message, now_ms: i64) -> Result<Timing> {
    let cancel = msg.property(CANCEL_SCHEDULED_MSG).map(|s| s.trim().to_string());
    let Some(text) = msg.property(START_DELIVER_TIME).map(str::to_string) else {
        if cancel.is_some() {
            return Err(Error::InvalidMessage(format!(
                "{CANCEL_SCHEDULED_MSG} needs {START_DELIVER_TIME}: the delivery time of the message to cancel"
            )));
        }
        return Ok(Timing::Now);
    };
    let at: i64 = text
        .trim()
        .parse()
        .map_err(|_| Error::InvalidMessage(format!("{START_DELIVER_TIME} must be epoch milliseconds, got {text:?}")))?;
    if at > now_ms + MAX_AHEAD_MS {
        return Err(Error::InvalidMessage(format!(
            "{START_DELIVER_TIME} {at} is more than one year ahead (the limit is {} ms from now)",
            MAX_AHEAD_MS
        )));
    }
    if let Some(target) = &cancel {
        if target.is_empty() {
            return Err(Error::InvalidMessage(format!("{CANCEL_SCHEDULED_MSG} is empty: it must hold the id of the message to cancel")));
        }
    }
    if at <= now_ms {
        if cancel.is_some() {
            return Err(Error::InvalidMessage(
                "the scheduled message's delivery time has passed: too late to cancel it".into(),
            ));
        }
        return Ok(Timing::Now); // a time in the past: delivered at once, everywhere
    }
    msg.set_property(TIMER_DELIVER_MS, &at.to_string());
    Ok(match cancel {
        Some(target) => Timing::Cancel { target, at },
        None => Timing::At(at),
    })
}

/// The `TIMER_DEL_UNIQKEY` values that cancel `id` on `topic`, one per broker flavour (see the
/// module text): the bare id (5.5.0 default) and `<topic>+<id>` (earlier 5.x, or
/// `appendTopicForTimerDeleteKey=true`).
pub fn delete_keys(topic: &str, id: &str) -> [String; 2] {
    [id.to_string(), format!("{topic}+{id}")]
}

impl Producer {
    /// Cancels the scheduled message a `__CANCEL_SCHEDULED_MSG` message names (see the module
    /// text): both delete markers to every master broker of the topic that has timer messages.
    /// Fails, sending nothing, when no broker of the topic has them (Apache 4.x); fails when a
    /// broker that has them could not be given its markers. The result is the first marker's.
    pub fn cancel_scheduled(&self, msg: &mut Message) -> Result<SendResult> {
        self.check_running()?;
        validate(msg, self.config().max_message_size)?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as i64;
        let (target, at) = match apply(&mut msg.clone(), now)? {
            Timing::Cancel { target, at } => (target, at),
            _ => return Err(Error::InvalidMessage(format!("{CANCEL_SCHEDULED_MSG} is missing"))),
        };
        let timeout = self.config().send_timeout;
        let deadline = Instant::now() + timeout;
        let (route, queues) = self.queues_blocking(&msg.topic)?;
        // The topic's brokers in route order, each with its writable queues.
        let mut brokers: Vec<(String, Vec<MessageQueue>)> = Vec::new();
        for q in queues {
            match brokers.iter_mut().find(|(b, _)| *b == q.broker_name) {
                Some((_, qs)) => qs.push(q),
                None => brokers.push((q.broker_name.clone(), vec![q])),
            }
        }
        let mut without_timers = Vec::new();
        let mut failures = Vec::new();
        let mut cancelled_on = Vec::new();
        let mut first: Option<(SendResult, String)> = None;
        for (broker, qs) in &brokers {
            let Some(addr) = route.master_addr(broker) else {
                failures.push(format!("broker {broker}: no master address in the route"));
                continue;
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                failures.push(format!("broker {broker} ({addr}): no time left (send timeout {} ms)", timeout.as_millis()));
                continue;
            }
            // Any answer carries the broker's version; this request changes nothing.
            let probe = RemotingCommand::request(code::GET_MAX_OFFSET).with_field("topic", &msg.topic).with_field("queueId", qs[0].queue_id);
            let version = match self.client().remoting.invoke_blocking(addr, probe, left) {
                Ok(resp) => resp.version,
                Err(e) => {
                    failures.push(format!("broker {broker} ({addr}): {e}"));
                    continue;
                }
            };
            if version < FIRST_TIMER_VERSION {
                without_timers.push(format!("{broker} ({addr}, protocol version {version})"));
                continue;
            }
            let mut sent = 0;
            for key in delete_keys(&msg.topic, &target) {
                let mut marker = msg.clone();
                marker.set_property(TIMER_DEL_UNIQKEY, &key);
                let p = self.prepare(&mut marker)?;
                match self.send_marker(&route, &p, qs, deadline) {
                    Ok(r) => {
                        sent += 1;
                        if first.is_none() {
                            let id = marker.property(prop::UNIQ_KEY).unwrap_or_default().to_string();
                            first = Some((r, id));
                        }
                    }
                    Err(e) => failures.push(format!("broker {broker} ({addr}), marker {key}: {e}")),
                }
            }
            if sent == 2 {
                cancelled_on.push(broker.clone());
            }
        }
        if !failures.is_empty() {
            return Err(Error::state(format!(
                "cancelling the scheduled message {target} (due at {at}) failed: {}",
                failures.join("; ")
            )));
        }
        let Some((result, id)) = first else {
            return Err(Error::state(format!(
                "cannot cancel the scheduled message {target}: the broker(s) of topic {} ({}) run Apache RocketMQ 4.x, \
                 which has no timer messages (a message with {START_DELIVER_TIME} is delivered at once there); nothing was sent",
                msg.topic,
                without_timers.join(", ")
            )));
        };
        if !without_timers.is_empty() {
            log::warn(&format!(
                "cancel of {target}: broker(s) {} have no timer messages (Apache 4.x), no marker sent there",
                without_timers.join(", ")
            ));
        }
        log::info(&format!(
            "cancel of {target} (due at {at}, topic {}): timer delete markers stored on {}",
            msg.topic,
            cancelled_on.join(", ")
        ));
        msg.properties.insert(prop::UNIQ_KEY.to_string(), id);
        Ok(result)
    }

    /// One marker to one of `queues` (all of one broker), trying the next queue after a
    /// retryable failure, until `deadline`.
    fn send_marker(&self, route: &TopicRouteData, p: &Prepared, queues: &[MessageQueue], deadline: Instant) -> Result<SendResult> {
        let mut last = Error::Timeout(self.config().send_timeout.as_millis() as u64);
        for mq in queues.iter().cycle().take(queues.len().max(1) * 2) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left < Duration::from_millis(1) {
                break;
            }
            match self.send_once(route, p, mq, left) {
                Ok(r) => return Ok(r),
                Err(e) if retryable(&e) => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(props: &[(&str, &str)]) -> Message {
        let mut m = Message::new("T");
        for (k, v) in props {
            m.set_property(k, v);
        }
        m
    }

    #[test]
    fn future_time_sets_the_timer() {
        let mut m = msg(&[(START_DELIVER_TIME, "5000")]);
        assert_eq!(apply(&mut m, 1000).unwrap(), Timing::At(5000));
        assert_eq!(m.property(TIMER_DELIVER_MS), Some("5000"));
        assert_eq!(m.property(START_DELIVER_TIME), Some("5000"));
    }

    #[test]
    fn past_time_is_immediate() {
        let mut m = msg(&[(START_DELIVER_TIME, "500")]);
        assert_eq!(apply(&mut m, 1000).unwrap(), Timing::Now);
        assert_eq!(m.property(TIMER_DELIVER_MS), None);
        let mut plain = msg(&[]);
        assert_eq!(apply(&mut plain, 1000).unwrap(), Timing::Now);
    }

    #[test]
    fn more_than_a_year_ahead_fails() {
        let mut m = msg(&[(START_DELIVER_TIME, &(1000 + MAX_AHEAD_MS + 1).to_string())]);
        assert!(matches!(apply(&mut m, 1000), Err(Error::InvalidMessage(_))));
        let mut bad = msg(&[(START_DELIVER_TIME, "soon")]);
        assert!(apply(&mut bad, 1000).is_err());
    }

    #[test]
    fn cancel_is_recognised() {
        let mut m = msg(&[(START_DELIVER_TIME, "5000"), (CANCEL_SCHEDULED_MSG, "ABC")]);
        assert_eq!(apply(&mut m, 1000).unwrap(), Timing::Cancel { target: "ABC".into(), at: 5000 });
        assert_eq!(m.property(TIMER_DELIVER_MS), Some("5000"));
        assert_eq!(m.property(TIMER_DEL_UNIQKEY), None);
        let mut late = msg(&[(START_DELIVER_TIME, "500"), (CANCEL_SCHEDULED_MSG, "ABC")]);
        assert!(apply(&mut late, 1000).is_err());
        let mut no_time = msg(&[(CANCEL_SCHEDULED_MSG, "ABC")]);
        assert!(apply(&mut no_time, 1000).is_err());
        let mut empty = msg(&[(START_DELIVER_TIME, "5000"), (CANCEL_SCHEDULED_MSG, " ")]);
        assert!(apply(&mut empty, 1000).is_err());
    }

    #[test]
    fn both_delete_key_forms() {
        assert_eq!(delete_keys("T", "ABC"), ["ABC".to_string(), "T+ABC".to_string()]);
    }
}
