//! The one error type of the core. The C layer maps it to a 2.2.0 status code per operation and
//! keeps its text for `GetLatestErrorMessage()`.

use crate::remoting::RemotingError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Remoting(#[from] RemotingError),
    #[error("No route info of this topic: {0}")]
    NoRoute(String),
    #[error("no name server address: call Set*NameServerAddress or set NAMESRV_ADDR")]
    NoNameServer,
    #[error("broker {addr} answered code {code}: {remark}")]
    Broker { addr: String, code: i32, remark: String },
    #[error("name server answered code {code}: {remark}")]
    NameServer { code: i32, remark: String },
    #[error("invalid message: {0}")]
    InvalidMessage(String),
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("{0}")]
    State(String),
    #[error("send failed after {attempts} attempt(s), last error: {last}")]
    Exhausted { attempts: u32, last: Box<Error> },
    #[error("operation timed out after {0} ms")]
    Timeout(u64),
    #[error("bad data from the server: {0}")]
    Protocol(String),
    #[error("TLS setup: {0}")]
    TlsSetup(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn state(text: impl Into<String>) -> Self {
        Error::State(text.into())
    }
}
