//! `CSendResult.h`: the result of a send, by value.

use std::ffi::{c_char, c_int, c_longlong};

use super::common::{MAX_BROKER_NAME_ID_LENGTH, MAX_MESSAGE_ID_LENGTH, MAX_TOPIC_LENGTH};
use crate::core::producer::SendResult;

/// `CSendStatus`: OK 0, flush disk timeout 1, flush slave timeout 2, slave not available 3.
pub type CSendStatus = c_int;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct CSendResult {
    pub sendStatus: CSendStatus,
    pub msgId: [c_char; MAX_MESSAGE_ID_LENGTH],
    pub offset: c_longlong,
}

impl CSendResult {
    pub fn zeroed() -> Self {
        CSendResult { sendStatus: 0, msgId: [0; MAX_MESSAGE_ID_LENGTH], offset: 0 }
    }

    /// 2.2.0 fills the client-side id and the queue offset. A batch's ids are joined by commas
    /// and cut at the last whole id that fits.
    pub fn from_result(r: &SendResult) -> Self {
        let mut out = CSendResult::zeroed();
        out.sendStatus = r.status as c_int;
        let mut id = r.msg_id.as_str();
        while id.len() > MAX_MESSAGE_ID_LENGTH - 1 {
            id = id.rsplit_once(',').map_or(&id[..MAX_MESSAGE_ID_LENGTH - 1], |(head, _)| head);
        }
        super::copy_to_buf(id, &mut out.msgId);
        out.offset = r.queue_offset;
        out
    }
}

/// Not in 2.2.0: everything the broker said about a send, with the queue it went to.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CSendResultEx {
    pub sendStatus: CSendStatus,
    pub msgId: [c_char; MAX_MESSAGE_ID_LENGTH],
    pub offset: c_longlong,
    pub offsetMsgId: [c_char; MAX_MESSAGE_ID_LENGTH],
    pub transactionId: [c_char; MAX_MESSAGE_ID_LENGTH],
    pub topic: [c_char; MAX_TOPIC_LENGTH],
    pub brokerName: [c_char; MAX_BROKER_NAME_ID_LENGTH],
    pub queueId: c_int,
}

impl CSendResultEx {
    pub fn from_result(r: &SendResult) -> Self {
        let short = CSendResult::from_result(r);
        let mut out = CSendResultEx {
            sendStatus: short.sendStatus,
            msgId: short.msgId,
            offset: short.offset,
            offsetMsgId: [0; MAX_MESSAGE_ID_LENGTH],
            transactionId: [0; MAX_MESSAGE_ID_LENGTH],
            topic: [0; MAX_TOPIC_LENGTH],
            brokerName: [0; MAX_BROKER_NAME_ID_LENGTH],
            queueId: r.queue.queue_id,
        };
        let mut offset_id = r.offset_msg_id.as_str();
        while offset_id.len() > MAX_MESSAGE_ID_LENGTH - 1 {
            offset_id = offset_id.rsplit_once(',').map_or(&offset_id[..MAX_MESSAGE_ID_LENGTH - 1], |(head, _)| head);
        }
        super::copy_to_buf(offset_id, &mut out.offsetMsgId);
        super::copy_to_buf(r.transaction_id.as_deref().unwrap_or(""), &mut out.transactionId);
        super::copy_to_buf(&r.queue.topic, &mut out.topic);
        super::copy_to_buf(&r.queue.broker_name, &mut out.brokerName);
        out
    }
}
