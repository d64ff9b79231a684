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
    /// A broker's refusal. An ACL refusal reads "access denied by broker …: <reason>" (see
    /// [`access_denied_reason`]), anything else "broker … answered code …: <remark>".
    #[error("{}", broker_text(.addr, *.code, .remark))]
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

/// The reason of a broker response that refuses access, `None` for any other response.
/// 5.x (ACL 2.0) answers `NO_PERMISSION` (16), e.g. "check signature failed.", "username cannot
/// be null."; 4.x (ACL 1.0) answers `SYSTEM_ERROR` (1) with the `AclException` as the remark:
/// "org.apache.rocketmq.acl.common.AclException: Check signature failed for accessKey=…,
/// org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:683)"
/// (exception class and first stack frame are dropped here).
pub fn access_denied_reason(code: i32, remark: &str) -> Option<String> {
    const NO_PERMISSION: i32 = 16;
    const SYSTEM_ERROR: i32 = 1;
    const ACL_EXCEPTION: &str = "AclException: ";
    match code {
        NO_PERMISSION => Some(remark.trim().to_string()),
        SYSTEM_ERROR => {
            let at = remark.find(ACL_EXCEPTION)?;
            let reason = &remark[at + ACL_EXCEPTION.len()..];
            // ", org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(...java:663)"
            let reason = match reason.rfind(", ") {
                Some(i) if reason[i + 2..].ends_with(')') && reason[i + 2..].contains(".java:") => &reason[..i],
                _ => reason,
            };
            Some(reason.trim().to_string())
        }
        _ => None,
    }
}

fn broker_text(addr: &str, code: i32, remark: &str) -> String {
    match access_denied_reason(code, remark) {
        Some(reason) => format!("access denied by broker {addr} (code {code}): {reason}"),
        None => format!("broker {addr} answered code {code}: {remark}"),
    }
}

impl Error {
    pub fn state(text: impl Into<String>) -> Self {
        Error::State(text.into())
    }

    /// A broker refused the request for access control (wrong or missing credentials).
    pub fn is_access_denied(&self) -> bool {
        match self {
            Error::Broker { code, remark, .. } => access_denied_reason(*code, remark).is_some(),
            Error::Exhausted { last, .. } => last.is_access_denied(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(code: i32, remark: &str) -> String {
        Error::Broker { addr: "127.0.0.1:10911".into(), code, remark: remark.into() }.to_string()
    }

    #[test]
    fn acl_refusals_say_access_denied() {
        assert_eq!(
            text(
                1,
                "org.apache.rocketmq.acl.common.AclException: Check signature failed for accessKey=rmq_client, \
                 org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:683)"
            ),
            "access denied by broker 127.0.0.1:10911 (code 1): Check signature failed for accessKey=rmq_client"
        );
        assert_eq!(
            text(1, "org.apache.rocketmq.acl.common.AclException: No accessKey is configured"),
            "access denied by broker 127.0.0.1:10911 (code 1): No accessKey is configured"
        );
        assert_eq!(
            text(16, "check signature failed."),
            "access denied by broker 127.0.0.1:10911 (code 16): check signature failed."
        );
    }

    #[test]
    fn other_refusals_keep_the_remark() {
        assert_eq!(
            text(1, "java.lang.NullPointerException, a.b.C.d(C.java:1)"),
            "broker 127.0.0.1:10911 answered code 1: java.lang.NullPointerException, a.b.C.d(C.java:1)"
        );
        assert_eq!(text(17, "topic not exist"), "broker 127.0.0.1:10911 answered code 17: topic not exist");
    }
}
