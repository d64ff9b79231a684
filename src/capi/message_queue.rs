//! `CMessageQueue.h`: a queue of a topic on a broker.

use std::ffi::{c_char, c_int};

use super::common::{MAX_BROKER_NAME_ID_LENGTH, MAX_TOPIC_LENGTH};
use crate::core::route::MessageQueue;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct CMessageQueue {
    pub topic: [c_char; MAX_TOPIC_LENGTH],
    pub brokerName: [c_char; MAX_BROKER_NAME_ID_LENGTH],
    pub queueId: c_int,
}

impl CMessageQueue {
    pub fn from_queue(q: &MessageQueue) -> Self {
        let mut out = CMessageQueue { topic: [0; MAX_TOPIC_LENGTH], brokerName: [0; MAX_BROKER_NAME_ID_LENGTH], queueId: q.queue_id };
        super::copy_to_buf(&q.topic, &mut out.topic);
        super::copy_to_buf(&q.broker_name, &mut out.brokerName);
        out
    }

    /// Reads the fields, tolerating buffers that lack a terminating NUL.
    #[allow(clippy::wrong_self_convention)] // read in place: the struct is 280 bytes of C buffers
    pub fn to_queue(&self) -> MessageQueue {
        fn text(buf: &[c_char]) -> String {
            let bytes: Vec<u8> = buf.iter().take_while(|c| **c != 0).map(|c| *c as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        MessageQueue { topic: text(&self.topic), broker_name: text(&self.brokerName), queue_id: self.queueId }
    }
}
