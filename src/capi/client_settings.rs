//! What every client handle (producer, push and pull consumer) is configured with, and the
//! setter bodies they share.

use std::ffi::{c_char, c_int};

use super::common::status::NULL_POINTER;
use super::{c_str, Failure};
use crate::core::client::{parse_namesrv_list, ClientConfig};
use crate::core::signing::Credentials;
use crate::core::tls;
use crate::core::trace::{self, TraceConfig};
use crate::core::Error;

#[derive(Clone, Debug)]
pub struct ClientSettings {
    pub client: ClientConfig,
    pub namesrv_domain: String,
    /// `Set*Ssl`; defaults to `ROCKETMQ_TLS`.
    pub ssl: bool,
    /// `Set*SslPropertyFile`; defaults to `ROCKETMQ_TLS_PROPERTY_FILE`, then the upstream default
    /// file. Empty: not set.
    pub ssl_property_file: String,
    /// `Set*MessageTrace`; defaults to `ROCKETMQ_MESSAGE_TRACE` (off when unset, as 2.2.0).
    pub trace: bool,
    /// `Set*MessageTraceTopic`; empty: `ROCKETMQ_MESSAGE_TRACE_TOPIC`, else `RMQ_SYS_TRACE_TOPIC`.
    pub trace_topic: String,
}

impl ClientSettings {
    /// Defaults of 2.2.0: instance `DEFAULT`, name servers from `NAMESRV_ADDR` at creation; TLS
    /// off unless the environment turns it on (see [`crate::core::tls`]).
    pub fn new() -> Self {
        let namesrv_addrs = std::env::var("NAMESRV_ADDR").map(|a| parse_namesrv_list(&a)).unwrap_or_default();
        ClientSettings {
            client: ClientConfig { namesrv_addrs, instance_name: "DEFAULT".into(), ..Default::default() },
            namesrv_domain: String::new(),
            ssl: tls::enabled_by_env(),
            ssl_property_file: tls::property_file_from_env().unwrap_or_default(),
            trace: trace::enabled_by_env(),
            trace_topic: String::new(),
        }
    }

    /// Where trace records go when trace is on.
    pub fn trace_config(&self) -> Option<TraceConfig> {
        if !self.trace {
            return None;
        }
        if self.trace_topic.trim().is_empty() {
            return Some(TraceConfig::default());
        }
        Some(TraceConfig { topic: self.trace_topic.trim().to_string() })
    }

    pub fn set_namesrv(&mut self, list: &str) {
        self.client.namesrv_addrs = parse_namesrv_list(list);
    }

    /// The configuration to start with: the name servers set (or from the environment), else
    /// the list published at the domain; the TLS options read from the property file when TLS
    /// is on.
    pub fn resolve(&self) -> Result<ClientConfig, Error> {
        let mut config = self.client.clone();
        if self.ssl {
            let file = Some(self.ssl_property_file.as_str()).filter(|f| !f.is_empty());
            config.tls = Some(tls::options(file)?);
        }
        if config.namesrv_addrs.is_empty() {
            if self.namesrv_domain.is_empty() {
                return Err(Error::NoNameServer);
            }
            config.namesrv_addrs = crate::core::runtime::block_on(crate::core::namesrv_domain::fetch(&self.namesrv_domain))??;
        }
        Ok(config)
    }
}

/// The three strings of `Set*SessionCredentials`, each checked for NULL.
///
/// # Safety
/// Each pointer is NULL or a NUL-terminated string.
pub unsafe fn credentials(
    access_key: *const c_char,
    secret_key: *const c_char,
    channel: *const c_char,
    function: &str,
) -> Result<Credentials, Failure<c_int>> {
    Ok(Credentials {
        access_key: c_str(access_key, "accessKey", function, NULL_POINTER)?,
        secret_key: c_str(secret_key, "secretKey", function, NULL_POINTER)?,
        channel: c_str(channel, "channel", function, NULL_POINTER)?,
    })
}

/// `Set*LogPath`: the directory (or file) the process-wide log goes to. A NULL path keeps the
/// current one and succeeds, as 2.2.0 accepted (and ignored) any path.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
pub unsafe fn log_path(path: *const c_char) -> c_int {
    if !path.is_null() {
        crate::core::log::set_path(&std::ffi::CStr::from_ptr(path).to_string_lossy());
    }
    super::common::status::OK
}

/// `Set*ConnectTimeout`: milliseconds, 0 or less for the default (3000, 2.2.0's).
pub fn connect_timeout(millis: c_int) -> std::time::Duration {
    if millis <= 0 {
        crate::remoting::CONNECT_TIMEOUT
    } else {
        std::time::Duration::from_millis(millis as u64)
    }
}
