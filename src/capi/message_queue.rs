//! `CMessageQueue.h`: a queue of a topic on a broker.

use std::ffi::{c_char, c_int};

use super::common::status::MALLOC_FAILED;
use super::common::{MAX_BROKER_NAME_ID_LENGTH, MAX_TOPIC_LENGTH};
use super::{fail, Failure};
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
    pub fn queue(&self) -> MessageQueue {
        fn text(buf: &[c_char]) -> String {
            let bytes: Vec<u8> = buf.iter().take_while(|c| **c != 0).map(|c| *c as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        MessageQueue { topic: text(&self.topic), broker_name: text(&self.brokerName), queue_id: self.queueId }
    }

    /// Hands `queues` to the host as a malloc'd array in `*mqs` (never NULL, so the host can
    /// always free it) and its length in `*size`; the caller checked both pointers. `function`
    /// names the C function for the error text.
    pub fn export_array(queues: &[MessageQueue], mqs: *mut *mut CMessageQueue, size: *mut c_int, function: &str) -> Result<(), Failure<c_int>> {
        let n = queues.len();
        // SAFETY: malloc of n queues (at least one byte so the result is never NULL).
        let array = unsafe { libc::malloc((n * std::mem::size_of::<CMessageQueue>()).max(1)) } as *mut CMessageQueue;
        if array.is_null() {
            return Err(fail(MALLOC_FAILED, format!("{function}: out of memory")));
        }
        for (i, q) in queues.iter().enumerate() {
            // SAFETY: `array` has room for n queues.
            unsafe { array.add(i).write(CMessageQueue::from_queue(q)) };
        }
        // SAFETY: the caller checked both pointers.
        unsafe {
            *mqs = array;
            *size = n as c_int;
        }
        Ok(())
    }
}
