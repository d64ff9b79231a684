//! Blocking connections for synchronous requests made on host threads.
//!
//! A synchronous send on the shared async connection costs two thread hand-offs per request
//! (host thread → I/O thread → host thread), which on small machines is most of its CPU. Here the
//! host thread writes the request and reads the response itself on a connection it has to
//! itself for that moment, so the kernel's wake-up of that thread is the only hand-off. Idle
//! connections are kept per address for the next request; one is never shared by two requests.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::BytesMut;

use super::command::{split_frame, RemotingCommand};
use super::connection::{next_opaque, RpcHook};
use super::transport::{BlockingStream, Transport};
use super::RemotingError;

/// Idle connections kept per address; more concurrent callers open more, closed after use.
const MAX_IDLE_PER_ADDR: usize = 16;

/// Bytes asked of one `read`: a send's response is a few hundred bytes.
const READ_CHUNK: usize = 16 * 1024;

struct BlockingConn {
    stream: BlockingStream,
    buf: BytesMut,
    /// Where `read` writes: zeroed once per connection, not once per read.
    scratch: Box<[u8]>,
    /// The socket timeouts set last (each `setsockopt` is a syscall; see `needs_timeout`).
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    /// The peer has sent something on this connection (a TLS handshake counts).
    heard_from_peer: bool,
}

/// Whether a socket timeout must be set again to wait about `want`. The one already set is
/// kept if it is at most 1 ms longer and at most a tenth shorter: a request's timeout is the
/// time left before its deadline, a little less each time, and for every request a fresh
/// `setsockopt` would be a syscall spent on nothing. A read that times out early is retried
/// with the time really left; a write may give up at most a tenth early.
fn needs_timeout(set: Option<Duration>, want: Duration) -> bool {
    match set {
        Some(s) => s > want + Duration::from_millis(1) || s < want - want / 10,
        None => true,
    }
}

pub struct BlockingPool {
    idle: Mutex<HashMap<String, Vec<BlockingConn>>>,
    transport: Transport,
    /// The longest a connection may take to open, whatever the request's timeout.
    connect_timeout: Duration,
}

impl BlockingPool {
    pub fn new(transport: Transport) -> Self {
        BlockingPool { idle: Mutex::new(HashMap::new()), transport, connect_timeout: super::CONNECT_TIMEOUT }
    }

    pub fn set_connect_timeout(&mut self, timeout: Duration) {
        self.connect_timeout = timeout;
    }

    /// An idle connection to `addr` (`true`: reused) or a new one.
    fn checkout(&self, addr: &str, timeout: Duration) -> Result<(BlockingConn, bool), RemotingError> {
        if let Some(c) = self.idle.lock().unwrap().get_mut(addr).and_then(Vec::pop) {
            return Ok((c, true));
        }
        Ok((self.open(addr, timeout)?, false))
    }

    fn open(&self, addr: &str, timeout: Duration) -> Result<BlockingConn, RemotingError> {
        let stream = self.transport.connect_blocking(addr, timeout.min(self.connect_timeout))?;
        let heard_from_peer = stream.is_tls();
        Ok(BlockingConn {
            stream,
            buf: BytesMut::with_capacity(4096),
            scratch: vec![0u8; READ_CHUNK].into_boxed_slice(),
            read_timeout: None,
            write_timeout: None,
            heard_from_peer,
        })
    }

    fn checkin(&self, addr: &str, conn: BlockingConn) {
        let mut idle = self.idle.lock().unwrap();
        let list = idle.entry(addr.to_string()).or_default();
        if list.len() < MAX_IDLE_PER_ADDR {
            list.push(conn);
        }
    }

    /// Sends `cmd` and waits for its response on the calling thread. A connection that saw an
    /// error or a timeout is closed, never reused. An idle connection the peer closed meanwhile
    /// (a restarted broker) is found out on this request, before any answer: then the other
    /// idle ones to that address go too, and the request is made once more on a new one.
    pub fn invoke(
        &self,
        addr: &str,
        mut cmd: RemotingCommand,
        timeout: Duration,
        hook: Option<&Arc<dyn RpcHook>>,
    ) -> Result<RemotingCommand, RemotingError> {
        let deadline = Instant::now() + timeout;
        let (conn, reused) = self.checkout(addr, timeout)?;
        cmd.opaque = next_opaque();
        if let Some(h) = hook {
            h.before_request(&mut cmd);
        }
        let frame = cmd.encode();
        match self.exchange(addr, conn, &frame, cmd.opaque, deadline) {
            Err(Exchange::ClosedBeforeAnswer(_)) if reused => {
                self.idle.lock().unwrap().remove(addr);
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(RemotingError::Timeout(addr.to_string()));
                }
                let conn = self.open(addr, left)?;
                self.exchange(addr, conn, &frame, cmd.opaque, deadline).map_err(Exchange::into_error)
            }
            r => r.map_err(Exchange::into_error),
        }
    }

    fn exchange(&self, addr: &str, mut conn: BlockingConn, frame: &[u8], opaque: i32, deadline: Instant) -> Result<RemotingCommand, Exchange> {
        let io_err = |e: std::io::Error| match e.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => RemotingError::Timeout(addr.to_string()),
            _ => RemotingError::Io(addr.to_string(), e.to_string()),
        };
        let timeout = deadline.saturating_duration_since(Instant::now());
        let write_timeout = timeout.max(Duration::from_millis(1));
        if needs_timeout(conn.write_timeout, write_timeout) {
            conn.stream.socket().set_write_timeout(Some(write_timeout)).map_err(io_err)?;
            conn.write_timeout = Some(write_timeout);
        }
        let written = conn.stream.write_all(frame).and_then(|_| conn.stream.flush());
        match written {
            Ok(()) => {}
            Err(e) if matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset) => {
                return Err(Exchange::ClosedBeforeAnswer(closed_error(addr, conn.heard_from_peer)))
            }
            Err(e) => return Err(io_err(e).into()),
        }
        // whether any byte came back for this request: a close after that is no stale connection
        let mut answered = false;
        let closed = |answered: bool, heard: bool| {
            let e = closed_error(addr, heard);
            if answered { Exchange::Failed(e) } else { Exchange::ClosedBeforeAnswer(e) }
        };
        loop {
            let taken = take_frame(&mut conn.buf).inspect_err(|e| {
                // The connection is dropped with the error (never checked back in).
                crate::core::log::warn(&format!("connection to {addr} dropped: {e}"));
            })?;
            if let Some(resp) = taken {
                if resp.is_response() && resp.opaque == opaque {
                    self.checkin(addr, conn);
                    return Ok(resp);
                }
                continue; // not ours (a late answer or a server request): skip it
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(RemotingError::Timeout(addr.to_string()).into());
            }
            if needs_timeout(conn.read_timeout, left) {
                conn.stream.socket().set_read_timeout(Some(left)).map_err(io_err)?;
                conn.read_timeout = Some(left);
            }
            match conn.stream.read(&mut conn.scratch) {
                Ok(n) if n > 0 => {
                    conn.buf.extend_from_slice(&conn.scratch[..n]);
                    conn.heard_from_peer = true;
                    answered = true;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                // a timeout set a little shorter than the time left: the deadline decides
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) && Instant::now() < deadline => {
                    conn.read_timeout = None;
                }
                // The end of the stream: a clean one, one without TLS close_notify, or a reset.
                Ok(_) => return Err(closed(answered, conn.heard_from_peer)),
                Err(e) if matches!(e.kind(), ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset) => {
                    return Err(closed(answered, conn.heard_from_peer))
                }
                Err(e) => return Err(io_err(e).into()),
            }
        }
    }

    pub fn clear(&self) {
        self.idle.lock().unwrap().clear();
    }
}

/// How one request on one connection failed: closed by the peer before any byte of an answer
/// (worth a new connection when this one was idle before), or otherwise.
enum Exchange {
    ClosedBeforeAnswer(RemotingError),
    Failed(RemotingError),
}

impl Exchange {
    fn into_error(self) -> RemotingError {
        match self {
            Exchange::ClosedBeforeAnswer(e) | Exchange::Failed(e) => e,
        }
    }
}

impl From<RemotingError> for Exchange {
    fn from(e: RemotingError) -> Self {
        Exchange::Failed(e)
    }
}

/// The error for a connection the peer ended: a plain one that never carried a byte back is how
/// a TLS-enforcing server turns a plain client away, so that case gets a hint.
fn closed_error(addr: &str, heard_from_peer: bool) -> RemotingError {
    if heard_from_peer {
        RemotingError::Closed(addr.to_string())
    } else {
        RemotingError::ClosedSilently(addr.to_string())
    }
}

/// One complete frame from the front of `buf`, if there is one.
fn take_frame(buf: &mut BytesMut) -> Result<Option<RemotingCommand>, RemotingError> {
    match split_frame(buf)? {
        Some(frame) => RemotingCommand::decode(frame).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::needs_timeout;
    use std::time::Duration;

    #[test]
    fn a_timeout_is_set_again_only_when_it_would_be_far_off() {
        let ms = Duration::from_millis;
        assert!(needs_timeout(None, ms(3000)));
        // the time left of the next request, a little less: kept
        assert!(!needs_timeout(Some(ms(3000)), ms(2999)));
        assert!(!needs_timeout(Some(ms(3000)), ms(3000)));
        // more than 1 ms too long, or more than a tenth too short: set again
        assert!(needs_timeout(Some(ms(3000)), ms(2990)));
        assert!(needs_timeout(Some(ms(3000)), ms(3500)));
        assert!(!needs_timeout(Some(ms(2800)), ms(3000)));
        assert!(needs_timeout(Some(ms(2600)), ms(3000)));
    }
}
