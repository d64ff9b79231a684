//! `SubBefore` / `SubAfter` records around a push consumer's callback, as the Java client's
//! consume hook makes them: one pair per message, sharing a request id per callback; the cost is
//! the callback's time divided by its number of messages.

use std::sync::Arc;
use std::time::Instant;

use super::record::{context_code, now_ms, SubAfter, SubBefore, DEFAULT_REGION};
use super::Dispatcher;
use crate::core::ids;
use crate::core::message::{prop, MessageExt};

/// Broker-stamped properties of a stored message (5.x stamps them on every message).
const MSG_REGION: &str = "MSG_REGION";
const TRACE_ON: &str = "TRACE_ON";

/// One callback being traced.
pub struct ConsumeTrace {
    request_id: String,
    started: Instant,
}

impl Dispatcher {
    /// Whether the consumption of `m` is traced: not when it was stored while the broker's trace
    /// switch was off, nor a message of the trace topic itself.
    fn traces_consumed(&self, m: &MessageExt) -> bool {
        m.message.property(TRACE_ON) != Some("false") && self.traces(&m.message.topic)
    }

    /// Queues a `SubBefore` per message of the callback about to run.
    pub fn before_consume(&self, group: &str, msgs: &[Arc<MessageExt>]) -> ConsumeTrace {
        let trace = ConsumeTrace { request_id: ids::unique_message_id(), started: Instant::now() };
        let timestamp = now_ms();
        for m in msgs.iter().filter(|m| self.traces_consumed(m)) {
            let record = SubBefore {
                timestamp,
                region: m.message.property(MSG_REGION).filter(|r| !r.is_empty()).unwrap_or(DEFAULT_REGION),
                group,
                request_id: &trace.request_id,
                msg_id: &m.msg_id(),
                retry_times: m.reconsume_times,
                keys: m.message.property(prop::KEYS).unwrap_or_default(),
            }
            .record();
            self.append(record);
        }
        trace
    }

    /// Queues a `SubAfter` per message with its verdict (`true`: consumed).
    pub fn after_consume(&self, group: &str, trace: ConsumeTrace, msgs: &[Arc<MessageExt>], verdicts: &[bool]) {
        let cost_ms = trace.started.elapsed().as_millis() as u64 / msgs.len().max(1) as u64;
        let timestamp = now_ms();
        for (i, m) in msgs.iter().enumerate().filter(|(_, m)| self.traces_consumed(m)) {
            let success = verdicts.get(i).copied().unwrap_or(false);
            let record = SubAfter {
                request_id: &trace.request_id,
                msg_id: &m.msg_id(),
                cost_ms,
                success,
                keys: m.message.property(prop::KEYS).unwrap_or_default(),
                context_code: if success { context_code::SUCCESS } else { context_code::FAILED },
                timestamp,
                group,
            }
            .record();
            self.append(record);
        }
    }
}
