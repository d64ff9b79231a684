//! `CCommon.h`: status codes, log levels, message and trace models, size limits.
#![allow(dead_code)] // constants of the header, not all used by the library itself

use std::ffi::c_int;

pub const MAX_MESSAGE_ID_LENGTH: usize = 256;
pub const MAX_TOPIC_LENGTH: usize = 512;
pub const MAX_BROKER_NAME_ID_LENGTH: usize = 256;
pub const MAX_SDK_VERSION_LENGTH: usize = 256;

/// `CStatus` values. Functions return them as plain `int`.
pub mod status {
    use std::ffi::c_int;
    pub const OK: c_int = 0;
    pub const NULL_POINTER: c_int = 1;
    pub const MALLOC_FAILED: c_int = 2;
    pub const PRODUCER_START_FAILED: c_int = 10;
    pub const PRODUCER_SEND_SYNC_FAILED: c_int = 11;
    pub const PRODUCER_SEND_ONEWAY_FAILED: c_int = 12;
    pub const PRODUCER_SEND_ORDERLY_FAILED: c_int = 13;
    pub const PRODUCER_SEND_ASYNC_FAILED: c_int = 14;
    pub const PRODUCER_SEND_ORDERLYASYNC_FAILED: c_int = 15;
    pub const PRODUCER_SEND_TRANSACTION_FAILED: c_int = 16;
    pub const PUSHCONSUMER_START_FAILED: c_int = 20;
    pub const PULLCONSUMER_START_FAILED: c_int = 30;
    pub const PULLCONSUMER_FETCH_MQ_FAILED: c_int = 31;
    pub const PULLCONSUMER_FETCH_MESSAGE_FAILED: c_int = 32;
    pub const NOT_SUPPORT: c_int = 500;
}

/// `CLogLevel`, taken as a raw `int`: hosts may pass any value.
pub type CLogLevel = c_int;
/// `CMessageModel`: BROADCASTING = 0, CLUSTERING = 1.
pub type CMessageModel = c_int;
/// `CTraceModel`: OPEN = 0 (trace on), CLOSE = 1.
pub type CTraceModel = c_int;

pub const BROADCASTING: c_int = 0;
pub const CLUSTERING: c_int = 1;
pub const TRACE_OPEN: c_int = 0;

/// The version text all `Show*Version` functions report.
pub const VERSION_TEXT: &str = concat!("CPP CORE VERSION: 2.2.0, RUST CORE VERSION: ", env!("CARGO_PKG_VERSION"), " (librocketmq-rust)");
