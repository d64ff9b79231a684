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

use bytes::{Buf, BytesMut};

use super::command::RemotingCommand;
use super::connection::{next_opaque, RpcHook};
use super::transport::{BlockingStream, Transport};
use super::RemotingError;

/// Idle connections kept per address; more concurrent callers open more, closed after use.
const MAX_IDLE_PER_ADDR: usize = 16;
const MAX_FRAME: usize = 16 * 1024 * 1024;

struct BlockingConn {
    stream: BlockingStream,
    buf: BytesMut,
    /// The peer has sent something on this connection (a TLS handshake counts).
    heard_from_peer: bool,
}

#[derive(Default)]
pub struct BlockingPool {
    idle: Mutex<HashMap<String, Vec<BlockingConn>>>,
    transport: Transport,
}

impl BlockingPool {
    pub fn new(transport: Transport) -> Self {
        BlockingPool { idle: Mutex::new(HashMap::new()), transport }
    }

    fn checkout(&self, addr: &str, timeout: Duration) -> Result<BlockingConn, RemotingError> {
        if let Some(c) = self.idle.lock().unwrap().get_mut(addr).and_then(Vec::pop) {
            return Ok(c);
        }
        let stream = self.transport.connect_blocking(addr, timeout)?;
        let heard_from_peer = stream.is_tls();
        Ok(BlockingConn { stream, buf: BytesMut::with_capacity(4096), heard_from_peer })
    }

    fn checkin(&self, addr: &str, conn: BlockingConn) {
        let mut idle = self.idle.lock().unwrap();
        let list = idle.entry(addr.to_string()).or_default();
        if list.len() < MAX_IDLE_PER_ADDR {
            list.push(conn);
        }
    }

    /// Sends `cmd` and waits for its response on the calling thread. A connection that saw an
    /// error or a timeout is closed, never reused.
    pub fn invoke(
        &self,
        addr: &str,
        mut cmd: RemotingCommand,
        timeout: Duration,
        hook: Option<&Arc<dyn RpcHook>>,
    ) -> Result<RemotingCommand, RemotingError> {
        let deadline = Instant::now() + timeout;
        let mut conn = self.checkout(addr, timeout)?;
        cmd.opaque = next_opaque();
        if let Some(h) = hook {
            h.before_request(&mut cmd);
        }
        let io_err = |e: std::io::Error| match e.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => RemotingError::Timeout(addr.to_string()),
            _ => RemotingError::Io(addr.to_string(), e.to_string()),
        };
        conn.stream.socket().set_write_timeout(Some(timeout.max(Duration::from_millis(1)))).map_err(io_err)?;
        let written = conn.stream.write_all(&cmd.encode()).and_then(|_| conn.stream.flush());
        match written {
            Ok(()) => {}
            Err(e) if matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset) => {
                return Err(closed_error(addr, conn.heard_from_peer))
            }
            Err(e) => return Err(io_err(e)),
        }
        loop {
            if let Some(resp) = take_frame(&mut conn.buf)? {
                if resp.is_response() && resp.opaque == cmd.opaque {
                    self.checkin(addr, conn);
                    return Ok(resp);
                }
                continue; // not ours (a late answer or a server request): skip it
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(RemotingError::Timeout(addr.to_string()));
            }
            conn.stream.socket().set_read_timeout(Some(left)).map_err(io_err)?;
            let len = conn.buf.len();
            conn.buf.resize(len + 16 * 1024, 0);
            match conn.stream.read(&mut conn.buf[len..]) {
                Ok(n) if n > 0 => {
                    conn.buf.truncate(len + n);
                    conn.heard_from_peer = true;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => conn.buf.truncate(len),
                // The end of the stream: a clean one, one without TLS close_notify, or a reset.
                Ok(_) => return Err(closed_error(addr, conn.heard_from_peer)),
                Err(e) if matches!(e.kind(), ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset) => {
                    return Err(closed_error(addr, conn.heard_from_peer))
                }
                Err(e) => return Err(io_err(e)),
            }
        }
    }

    pub fn clear(&self) {
        self.idle.lock().unwrap().clear();
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
    if buf.len() < 4 {
        return Ok(None);
    }
    let len = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if !(4..=MAX_FRAME).contains(&len) {
        return Err(RemotingError::Codec(format!("invalid frame length {len}")));
    }
    if buf.len() < 4 + len {
        return Ok(None);
    }
    buf.advance(4);
    let frame = buf.split_to(len).freeze();
    RemotingCommand::decode(frame).map(Some)
}
