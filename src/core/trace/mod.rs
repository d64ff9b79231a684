//! Message trace (RIP-6): `Pub` records for sends, `SubBefore` / `SubAfter` for push
//! consumption, `EndTransaction` for transactions, written in the Java client's format to the
//! trace topic, where `mqadmin queryMsgTraceById` and the dashboard find them by message id.
//!
//! Off by default, as in 2.2.0. Hosts turn it on per client (`Set*MessageTrace(OPEN)`), or for
//! every client of the process with `ROCKETMQ_MESSAGE_TRACE=1` (for hosts that have no setter,
//! e.g. the Python 2.0.0 package). The topic is `RMQ_SYS_TRACE_TOPIC` unless set per client or
//! by `ROCKETMQ_MESSAGE_TRACE_TOPIC`.

pub mod consume;
pub mod dispatcher;
pub mod record;
pub mod send;

pub use dispatcher::{Dispatcher, Role};

/// The topic every RocketMQ tool reads traces from by default.
pub const DEFAULT_TOPIC: &str = "RMQ_SYS_TRACE_TOPIC";
pub const ENV_SWITCH: &str = "ROCKETMQ_MESSAGE_TRACE";
pub const ENV_TOPIC: &str = "ROCKETMQ_MESSAGE_TRACE_TOPIC";

/// Where a client's trace records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceConfig {
    pub topic: String,
}

impl Default for TraceConfig {
    fn default() -> Self {
        TraceConfig { topic: topic_from_env().unwrap_or_else(|| DEFAULT_TOPIC.to_string()) }
    }
}

/// `ROCKETMQ_MESSAGE_TRACE`: `1`, `true`, `on` or `yes` turn trace on for new clients.
pub fn enabled_by_env() -> bool {
    std::env::var(ENV_SWITCH).is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "on" | "yes"))
}

/// `ROCKETMQ_MESSAGE_TRACE_TOPIC`, when set and not blank.
pub fn topic_from_env() -> Option<String> {
    std::env::var(ENV_TOPIC).ok().map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}
