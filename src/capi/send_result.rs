//! `CSendResult.h`: the result of a send, by value.

use std::ffi::{c_char, c_int, c_longlong};

use super::common::MAX_MESSAGE_ID_LENGTH;
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
