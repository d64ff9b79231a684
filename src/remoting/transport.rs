//! How a client's connections are opened: plain TCP, or TLS on top of it. One [`Transport`] per
//! client, decided at start; both kinds of connection (the async [`Connection`] and the blocking
//! ones of [`blocking`]) open their sockets through it.
//!
//! [`Connection`]: super::Connection
//! [`blocking`]: super::blocking

use std::io::{Read, Write};
use std::net::{TcpStream as StdTcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::{ClientConfig, ClientConnection, StreamOwned};
use tokio::net::TcpStream;

use super::tls::{handshake_failure, server_name};
use super::RemotingError;

/// TLS or not, for every connection of one client.
#[derive(Clone, Default)]
pub enum Transport {
    #[default]
    Plain,
    /// The configuration is built once per client and shared by all of its connections (and
    /// with it rustls' session cache, so pooled blocking connections resume their sessions).
    Tls(Arc<ClientConfig>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_tls() { "Tls" } else { "Plain" })
    }
}

/// An open async stream; a TLS one has completed its handshake.
pub enum AsyncStream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl Transport {
    pub fn is_tls(&self) -> bool {
        matches!(self, Transport::Tls(_))
    }

    /// Connects (and shakes hands) within `timeout` in all.
    pub async fn connect(&self, addr: &str, timeout: Duration) -> Result<AsyncStream, RemotingError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let tcp = match tokio::time::timeout_at(deadline, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return Err(RemotingError::Connect(addr.to_string(), e.to_string())),
            Err(_) => return Err(RemotingError::Connect(addr.to_string(), "connect timed out".into())),
        };
        let _ = tcp.set_nodelay(true);
        let config = match self {
            Transport::Plain => return Ok(AsyncStream::Plain(tcp)),
            Transport::Tls(config) => config.clone(),
        };
        let tls_err = |why: String| RemotingError::Tls(addr.to_string(), why);
        let name = server_name(addr).map_err(tls_err)?;
        let handshake = tokio_rustls::TlsConnector::from(config).connect(name, tcp);
        match tokio::time::timeout_at(deadline, handshake).await {
            Ok(Ok(s)) => Ok(AsyncStream::Tls(Box::new(s))),
            Ok(Err(e)) => Err(tls_err(handshake_failure(&e))),
            Err(_) => Err(tls_err(format!("no answer from the server within {} ms", timeout.as_millis()))),
        }
    }

    /// Connects (and shakes hands) on the calling thread within `timeout` in all.
    pub fn connect_blocking(&self, addr: &str, timeout: Duration) -> Result<BlockingStream, RemotingError> {
        let deadline = Instant::now() + timeout;
        let connect_err = |e: std::io::Error| RemotingError::Connect(addr.to_string(), e.to_string());
        let sock = addr
            .to_socket_addrs()
            .map_err(connect_err)?
            .next()
            .ok_or_else(|| RemotingError::Connect(addr.to_string(), "address does not resolve".into()))?;
        let tcp = StdTcpStream::connect_timeout(&sock, timeout).map_err(connect_err)?;
        let _ = tcp.set_nodelay(true);
        let config = match self {
            Transport::Plain => return Ok(BlockingStream::Plain(tcp)),
            Transport::Tls(config) => config.clone(),
        };
        let tls_err = |why: String| RemotingError::Tls(addr.to_string(), why);
        let mut tls = ClientConnection::new(config, server_name(addr).map_err(tls_err)?).map_err(|e| tls_err(e.to_string()))?;
        let mut tcp = tcp;
        while tls.is_handshaking() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(tls_err(format!("no answer from the server within {} ms", timeout.as_millis())));
            }
            let set = tcp.set_read_timeout(Some(left)).and_then(|_| tcp.set_write_timeout(Some(left)));
            set.map_err(|e| tls_err(e.to_string()))?;
            match tls.complete_io(&mut tcp) {
                Ok((0, 0)) if tls.is_handshaking() => {
                    let eof = std::io::Error::from(std::io::ErrorKind::UnexpectedEof);
                    return Err(tls_err(handshake_failure(&eof)));
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(tls_err(handshake_failure(&e))),
            }
        }
        Ok(BlockingStream::Tls(Box::new(StreamOwned::new(tls, tcp))))
    }
}

/// An open blocking stream; a TLS one has completed its handshake.
pub enum BlockingStream {
    Plain(StdTcpStream),
    Tls(Box<StreamOwned<ClientConnection, StdTcpStream>>),
}

impl BlockingStream {
    /// The socket underneath, for its timeouts.
    pub fn socket(&self) -> &StdTcpStream {
        match self {
            BlockingStream::Plain(s) => s,
            BlockingStream::Tls(s) => s.get_ref(),
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self, BlockingStream::Tls(_))
    }
}

impl Read for BlockingStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            BlockingStream::Plain(s) => s.read(buf),
            BlockingStream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for BlockingStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            BlockingStream::Plain(s) => s.write(buf),
            BlockingStream::Tls(s) => s.write(buf),
        }
    }

    /// Over TLS this pushes the encrypted records out; a plain socket has nothing buffered.
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            BlockingStream::Plain(_) => Ok(()),
            BlockingStream::Tls(s) => s.flush(),
        }
    }
}
