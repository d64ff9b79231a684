//! The RocketMQ remoting layer: frames, `RemotingCommand`, connections and a pool of them.

pub mod blocking;
pub mod command;
pub mod connection;
pub mod tls;
pub mod transport;

#[cfg(test)]
mod hostile_peer_tests;
#[cfg(test)]
pub(crate) mod test_peer;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tls_tests;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

pub use command::RemotingCommand;
pub use connection::{Connection, InboundHandler, RpcHook, Waiter};
pub use tls::TlsOptions;
pub use transport::Transport;

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum RemotingError {
    #[error("connect to {0} failed: {1}")]
    Connect(String, String),
    #[error("TLS handshake with {0} failed: {1}")]
    Tls(String, String),
    #[error("connection to {0} closed")]
    Closed(String),
    /// A plain connection the peer closed before sending anything back.
    #[error("connection closed by {0} before a response (does the server require TLS?)")]
    ClosedSilently(String),
    #[error("I/O error on connection to {0}: {1}")]
    Io(String, String),
    #[error("wait response timeout from {0}")]
    Timeout(String),
    #[error("protocol error: {0}")]
    Codec(String),
}

/// How long opening a connection (and a TLS handshake) may take unless set otherwise (2.2.0's
/// `tcpTransportConnectTimeout` default).
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(3000);
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

struct Backoff {
    retry_at: Instant,
    delay: Duration,
    last_error: RemotingError,
}

/// Connections by address, opened on first use and reopened after a failure, with an exponential
/// back-off between failed attempts so that a dead broker costs a fast error, not a connect
/// timeout per request.
pub struct RemotingClient {
    conns: Mutex<HashMap<String, Arc<Connection>>>,
    backoff: Mutex<HashMap<String, Backoff>>,
    connecting: tokio::sync::Mutex<()>,
    blocking: blocking::BlockingPool,
    transport: Transport,
    hook: Option<Arc<dyn RpcHook>>,
    inbound: Mutex<Option<Weak<dyn InboundHandler>>>,
    connect_timeout: Duration,
}

impl RemotingClient {
    /// `transport`: plain TCP or TLS, for every connection of this client.
    pub fn new(hook: Option<Arc<dyn RpcHook>>, transport: Transport) -> Self {
        RemotingClient {
            conns: Mutex::new(HashMap::new()),
            backoff: Mutex::new(HashMap::new()),
            connecting: tokio::sync::Mutex::new(()),
            blocking: blocking::BlockingPool::new(transport.clone()),
            transport,
            hook,
            inbound: Mutex::new(None),
            connect_timeout: CONNECT_TIMEOUT,
        }
    }

    /// How long opening a connection may take (default [`CONNECT_TIMEOUT`]); a blocking
    /// request's connection opens within the shorter of this and the request's own timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        let timeout = timeout.max(Duration::from_millis(1));
        self.connect_timeout = timeout;
        self.blocking.set_connect_timeout(timeout);
        self
    }

    /// Where requests that brokers send us on our connections are delivered.
    pub fn set_inbound(&self, handler: Weak<dyn InboundHandler>) {
        *self.inbound.lock().unwrap() = Some(handler);
    }

    /// The open connection to `addr`, if there is one.
    pub fn cached(&self, addr: &str) -> Option<Arc<Connection>> {
        let conns = self.conns.lock().unwrap();
        conns.get(addr).filter(|c| !c.is_closed()).cloned()
    }

    pub async fn connection(&self, addr: &str) -> Result<Arc<Connection>, RemotingError> {
        if let Some(c) = self.cached(addr) {
            return Ok(c);
        }
        let _guard = self.connecting.lock().await;
        if let Some(c) = self.cached(addr) {
            return Ok(c);
        }
        self.check_backoff(addr)?;
        let inbound = self.inbound.lock().unwrap().clone();
        match Connection::connect(addr, self.connect_timeout, &self.transport, self.hook.clone(), inbound).await {
            Ok(c) => {
                self.backoff.lock().unwrap().remove(addr);
                self.conns.lock().unwrap().insert(addr.to_string(), c.clone());
                Ok(c)
            }
            Err(e) => {
                self.back_off(addr, &e);
                Err(e)
            }
        }
    }

    pub async fn invoke(&self, addr: &str, cmd: RemotingCommand, timeout: Duration) -> Result<RemotingCommand, RemotingError> {
        let conn = self.connection(addr).await?;
        conn.request(cmd, timeout).await
    }

    pub async fn invoke_oneway(&self, addr: &str, cmd: RemotingCommand) -> Result<(), RemotingError> {
        let conn = self.connection(addr).await?;
        conn.send_oneway(cmd)
    }

    /// A request made and awaited on the calling (host) thread, on a connection of its own for
    /// that moment; see [`blocking`]. Shares the connect back-off with the async connections.
    pub fn invoke_blocking(&self, addr: &str, cmd: RemotingCommand, timeout: Duration) -> Result<RemotingCommand, RemotingError> {
        self.check_backoff(addr)?;
        let r = self.blocking.invoke(addr, cmd, timeout, self.hook.as_ref());
        if let Err(e @ (RemotingError::Connect(..) | RemotingError::Tls(..))) = &r {
            self.back_off(addr, e);
        }
        r
    }

    /// Within the back-off window after a failed connect, the last error again, at once.
    fn check_backoff(&self, addr: &str) -> Result<(), RemotingError> {
        match self.backoff.lock().unwrap().get(addr) {
            Some(b) if Instant::now() < b.retry_at => Err(b.last_error.clone()),
            _ => Ok(()),
        }
    }

    /// A connect to `addr` failed: the next attempt waits twice as long as the last (from
    /// BACKOFF_MIN up to BACKOFF_MAX).
    fn back_off(&self, addr: &str, e: &RemotingError) {
        let mut backoff = self.backoff.lock().unwrap();
        let delay = backoff.get(addr).map_or(BACKOFF_MIN, |b| (b.delay * 2).min(BACKOFF_MAX));
        backoff.insert(addr.to_string(), Backoff { retry_at: Instant::now() + delay, delay, last_error: e.clone() });
    }

    /// Closes every connection; waiters get a `Closed` error.
    pub fn close_all(&self) {
        self.blocking.clear();
        let conns: Vec<Arc<Connection>> = self.conns.lock().unwrap().drain().map(|(_, c)| c).collect();
        for c in conns {
            c.close();
        }
    }
}
