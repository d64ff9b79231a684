//! Consumers: the push consumer and what it is made of.

pub mod offset_store;
pub mod pool;
pub mod process_queue;
pub mod push;
pub mod rate_limit;
pub mod rebalance;

#[cfg(test)]
mod push_frames_tests;
