//! One assigned queue on the consumer side: the messages pulled but not yet consumed (their
//! count and bytes drive flow control), and the orderly-consumption state.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::core::message::MessageExt;
use crate::core::route::MessageQueue;

#[derive(Default)]
struct Cache {
    /// Shared with the consume jobs and the callback handles: the cache holds no copy.
    msgs: BTreeMap<i64, Arc<MessageExt>>,
    /// Body bytes (what 2.2.0's cache size in MiB counts).
    bytes: usize,
    /// Memory the messages hold, metadata included (`MessageExt::footprint`).
    footprint: usize,
    /// Highest queue offset ever added, -1 before the first.
    highest: i64,
}

pub struct ProcessQueue {
    pub mq: MessageQueue,
    cache: Mutex<Cache>,
    dropped: AtomicBool,
    /// Orderly, clustering: the broker lock is held (renewed periodically).
    locked: AtomicBool,
    lock_time_ms: AtomicU64,
    /// Orderly: a consume task for this queue is scheduled or running.
    pub consuming: AtomicBool,
    /// A host callback for this queue is running right now (orderly).
    pub in_callback: AtomicBool,
    /// The queue was handed back (offset committed and forgotten): late consumers of it must
    /// not store offsets any more, or they would overwrite the next owner's progress.
    released: AtomicBool,
    /// Woken when consumption frees cache space.
    pub space: Notify,
}

impl ProcessQueue {
    pub fn new(mq: MessageQueue) -> Self {
        ProcessQueue {
            mq,
            cache: Mutex::new(Cache { highest: -1, ..Default::default() }),
            dropped: AtomicBool::new(false),
            locked: AtomicBool::new(false),
            lock_time_ms: AtomicU64::new(0),
            consuming: AtomicBool::new(false),
            in_callback: AtomicBool::new(false),
            released: AtomicBool::new(false),
            space: Notify::new(),
        }
    }

    // `dropped` and `in_callback` are SeqCst: the consume thread raises `in_callback` and then
    // reads `dropped`, a hand-over sets `dropped` and then reads `in_callback`; with weaker
    // orderings both reads may see the old value (a store-load reordering, even on x86) and the
    // queue would be handed over while its callback runs.
    pub fn is_dropped(&self) -> bool {
        self.dropped.load(Ordering::SeqCst)
    }

    pub fn drop_queue(&self) {
        self.dropped.store(true, Ordering::SeqCst);
        self.space.notify_waiters();
    }

    pub fn is_released(&self) -> bool {
        self.released.load(Ordering::Acquire)
    }

    pub fn set_released(&self) {
        self.released.store(true, Ordering::Release);
    }

    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::Acquire)
    }

    pub fn set_locked(&self, locked: bool, now_ms: u64) {
        self.locked.store(locked, Ordering::Release);
        if locked {
            self.lock_time_ms.store(now_ms, Ordering::Release);
        }
    }

    pub fn lock_time_ms(&self) -> u64 {
        self.lock_time_ms.load(Ordering::Acquire)
    }

    pub fn add(&self, msgs: &[Arc<MessageExt>]) {
        let mut c = self.cache.lock().unwrap();
        for m in msgs {
            if c.msgs.insert(m.queue_offset, m.clone()).is_none() {
                c.bytes += m.message.body.len();
                c.footprint += m.footprint();
            }
            c.highest = c.highest.max(m.queue_offset);
        }
    }

    /// Removes consumed messages; returns the offset to commit (the first one still cached, or
    /// one past the highest added).
    pub fn remove(&self, offsets: impl IntoIterator<Item = i64>) -> i64 {
        let mut c = self.cache.lock().unwrap();
        for o in offsets {
            if let Some(m) = c.msgs.remove(&o) {
                c.bytes -= m.message.body.len();
                c.footprint = c.footprint.saturating_sub(m.footprint());
            }
        }
        let next = c.msgs.keys().next().copied().unwrap_or(c.highest + 1);
        drop(c);
        self.space.notify_waiters();
        next
    }

    pub fn count(&self) -> usize {
        self.cache.lock().unwrap().msgs.len()
    }

    pub fn bytes(&self) -> usize {
        self.cache.lock().unwrap().bytes
    }

    pub fn footprint(&self) -> usize {
        self.cache.lock().unwrap().footprint
    }

    /// Orderly: the first `n` cached messages, in queue order, left in the cache.
    pub fn first(&self, n: usize) -> Vec<Arc<MessageExt>> {
        self.cache.lock().unwrap().msgs.values().take(n).cloned().collect()
    }

    /// Orderly: counts one more delivery of the message at `offset`.
    pub fn bump_reconsume(&self, offset: i64) {
        if let Some(m) = self.cache.lock().unwrap().msgs.get_mut(&offset) {
            Arc::make_mut(m).reconsume_times += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.cache.lock().unwrap().msgs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::message::Message;

    fn msg(offset: i64, len: usize) -> MessageExt {
        let addr = "127.0.0.1:1".parse().unwrap();
        MessageExt {
            message: Message { body: vec![0; len], ..Message::new("T") },
            store_size: 0,
            body_crc: 0,
            queue_id: 0,
            queue_offset: offset,
            commit_log_offset: 0,
            born_timestamp: 0,
            born_host: addr,
            store_timestamp: 0,
            store_host: addr,
            reconsume_times: 0,
            prepared_transaction_offset: 0,
        }
    }

    #[test]
    fn commit_offset_is_the_first_unconsumed() {
        let pq = ProcessQueue::new(MessageQueue { topic: "T".into(), broker_name: "b".into(), queue_id: 0 });
        pq.add(&[Arc::new(msg(10, 5)), Arc::new(msg(11, 5)), Arc::new(msg(12, 5))]);
        assert_eq!((pq.count(), pq.bytes()), (3, 15));
        assert_eq!(pq.remove([11]), 10);
        assert_eq!(pq.remove([10]), 12);
        assert_eq!(pq.remove([12]), 13);
        assert_eq!(pq.bytes(), 0);
    }
}
