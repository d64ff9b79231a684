//! The client core: plain async Rust, no FFI types.

pub mod callbacks;
pub mod client;
pub mod consumer;
pub mod error;
pub mod ids;
pub mod log;
pub mod message;
pub mod namesrv_domain;
pub mod producer;
pub mod pull;
pub mod route;
pub mod runtime;
pub mod schedule;
pub mod signing;
pub mod tls;
pub mod trace;
pub mod transaction;

#[cfg(test)]
mod async_retry_tests;

pub use error::{Error, Result};
