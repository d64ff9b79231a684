//! A messages-per-second limit for a consumer: callers wait for their turn, nothing is dropped.

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    per_message: Duration,
    next_free: Mutex<Instant>,
}

impl RateLimiter {
    /// `None` for 0 (no limit).
    pub fn new(per_second: u32) -> Option<RateLimiter> {
        (per_second > 0).then(|| RateLimiter {
            per_message: Duration::from_secs(1) / per_second,
            next_free: Mutex::new(Instant::now()),
        })
    }

    /// How long the caller must wait before handing `n` messages on.
    pub fn reserve(&self, n: usize) -> Duration {
        let now = Instant::now();
        let mut next = self.next_free.lock().unwrap();
        // Idle time does not build up a burst allowance beyond one message.
        let start = (*next).max(now);
        *next = start + self.per_message * n as u32;
        start - now
    }

    /// Blocks the calling (consume) thread until `n` messages may go; false when `stop` was
    /// raised meanwhile (checked every 50 ms, so a shutdown never waits out the limit).
    pub fn acquire(&self, n: usize, stop: &std::sync::atomic::AtomicBool) -> bool {
        let until = Instant::now() + self.reserve(n);
        loop {
            if stop.load(std::sync::atomic::Ordering::Acquire) {
                return false;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_messages_evenly() {
        let r = RateLimiter::new(100).unwrap();
        assert!(r.reserve(1) < Duration::from_millis(1));
        let w = r.reserve(10);
        assert!(w >= Duration::from_millis(9) && w <= Duration::from_millis(11), "{w:?}");
        let w = r.reserve(1);
        assert!(w >= Duration::from_millis(109) && w <= Duration::from_millis(111), "{w:?}");
        assert!(RateLimiter::new(0).is_none());
    }
}
