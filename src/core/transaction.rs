//! Transactional messages: the half message, the local transaction's outcome sent with
//! END_TRANSACTION, and the broker's check-backs answered by a checker on our callback thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::consumer::pool::ConsumePool;
use super::error::{Error, Result};
use super::log;
use super::message::{decode_message, prop, Message, MessageExt};
use super::producer::{Producer, SendResult, SendStatus};
use crate::remoting::{Connection, InboundHandler, RemotingCommand};

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
}

/// Answers the broker's "what became of this transaction?" for a half message.
pub trait TransactionChecker: Send + Sync {
    fn check(&self, msg: MessageExt) -> TransactionState;
}

/// The commit-log offset inside a broker offset message id (its last 16 hex digits).
fn commit_log_offset(offset_msg_id: &str) -> i64 {
    let n = offset_msg_id.len();
    if n < 16 {
        return 0;
    }
    i64::from_str_radix(&offset_msg_id[n - 16..], 16).unwrap_or(0)
}

fn end_request(group: &str, state: TransactionState, queue_offset: i64, commit_log_offset: i64, msg_id: &str, transaction_id: &str, from_check: bool) -> RemotingCommand {
    RemotingCommand::request(END_TRANSACTION)
        .with_field("producerGroup", group)
        .with_field("tranStateTableOffset", queue_offset)
        .with_field("commitLogOffset", commit_log_offset)
        .with_field("commitOrRollback", state.wire())
        .with_field("fromTransactionCheck", from_check)
        .with_field("msgId", msg_id)
        .with_field("transactionId", transaction_id)
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
        let req = end_request(
            &self.config().group,
            state,
            result.queue_offset,
            commit_log_offset(&result.offset_msg_id),
            &result.msg_id,
            &transaction_id,
            false,
        );
        // As the other clients: the outcome is one-way; the broker checks back if it is lost.
        if let Err(e) = super::runtime::block_on(self.client().remoting.invoke_oneway(&addr, req))? {
            log::warn(&format!("END_TRANSACTION for {} failed: {e}", result.msg_id));
        }
        Ok(result)
    }

    /// Routes the broker's CHECK_TRANSACTION_STATE requests to `checker`, run on a thread of
    /// this producer's own. Keep the returned handle while the producer runs; `stop` it before
    /// shutting the producer down.
    pub fn set_transaction_checker(&self, checker: Arc<dyn TransactionChecker>) -> Result<Arc<TransactionChecks>> {
        let pool = ConsumePool::start("rocketmq-check", 1).map_err(|e| Error::state(format!("cannot start the check thread: {e}")))?;
        let checks = Arc::new(TransactionChecks { group: self.config().group.clone(), checker, pool, stopped: Arc::new(AtomicBool::new(false)) });
        let handler: Arc<dyn InboundHandler> = checks.clone();
        self.client().remoting.set_inbound(Arc::downgrade(&handler));
        Ok(checks)
    }
}

/// The check-backs of one transaction producer.
pub struct TransactionChecks {
    group: String,
    checker: Arc<dyn TransactionChecker>,
    pool: ConsumePool,
    stopped: Arc<AtomicBool>,
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
        let conn: Weak<Connection> = Arc::downgrade(conn);
        let group = msg.message.property(prop::PGROUP).map_or_else(|| self.group.clone(), String::from);
        // The checker is host code: it runs on the producer's check thread, never on this I/O
        // thread, and never after `stop`.
        let is_stopped = self.stopped.clone();
        self.pool.submit(Box::new(move || {
            if is_stopped.load(Ordering::Acquire) {
                return;
            }
            let queue_offset = cmd.field_i64("tranStateTableOffset").unwrap_or(msg.queue_offset);
            let commit_offset = cmd.field_i64("commitLogOffset").unwrap_or(msg.commit_log_offset);
            let msg_id = cmd.field("msgId").map(String::from).unwrap_or_else(|| msg.msg_id().to_string());
            let transaction_id = cmd.field("transactionId").map(String::from).unwrap_or_else(|| msg_id.clone());
            let state = checker.check(msg);
            let req = end_request(&group, state, queue_offset, commit_offset, &msg_id, &transaction_id, true);
            match conn.upgrade() {
                Some(c) => {
                    if let Err(e) = c.send_oneway(req) {
                        log::warn(&format!("answer to the transaction check of {msg_id} failed: {e}"));
                    }
                }
                None => log::warn(&format!("connection gone before answering the check of {msg_id}")),
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn commit_log_offset_from_offset_id() {
        assert_eq!(super::commit_log_offset("7F00000100002A9F00000000000003E8"), 1000);
        assert_eq!(super::commit_log_offset("short"), 0);
    }
}
