//! Blocking connections for synchronous requests made on host threads.
//!
//! A synchronous send on the shared async connection costs two thread hand-offs per request
//! (host thread → I/O thread → host thread), which on small machines is most of its CPU. Here the
//! host thread writes the request and reads the response itself on a connection it has to
//! itself for that moment, so the kernel's wake-up of that thread is the only hand-off. Idle
//! connections are kept per address for the next request; one is never shared by two requests.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};

use super::command::RemotingCommand;
use super::connection::{next_opaque, RpcHook};
use super::RemotingError;

/// Idle connections kept per address; more concurrent callers open more, closed after use.
const MAX_IDLE_PER_ADDR: usize = 16;
const MAX_FRAME: usize = 16 * 1024 * 1024;

struct BlockingConn {
    stream: TcpStream,
    buf: BytesMut,
}

#[derive(Default)]
pub struct BlockingPool {
    idle: Mutex<HashMap<String, Vec<BlockingConn>>>,
}

impl BlockingPool {
    fn checkout(&self, addr: &str, timeout: Duration) -> Result<BlockingConn, RemotingError> {
        if let Some(c) = self.idle.lock().unwrap().get_mut(addr).and_then(Vec::pop) {
            return Ok(c);
        }
        let connect_err = |e: std::io::Error| RemotingError::Connect(addr.to_string(), e.to_string());
        let sock = addr
            .to_socket_addrs()
            .map_err(connect_err)?
            .next()
            .ok_or_else(|| RemotingError::Connect(addr.to_string(), "address does not resolve".into()))?;
        let stream = TcpStream::connect_timeout(&sock, timeout).map_err(connect_err)?;
        let _ = stream.set_nodelay(true);
        Ok(BlockingConn { stream, buf: BytesMut::with_capacity(4096) })
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
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => RemotingError::Timeout(addr.to_string()),
            _ => RemotingError::Io(addr.to_string(), e.to_string()),
        };
        conn.stream.set_write_timeout(Some(timeout.max(Duration::from_millis(1)))).map_err(io_err)?;
        conn.stream.write_all(&cmd.encode()).map_err(io_err)?;
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
            conn.stream.set_read_timeout(Some(left)).map_err(io_err)?;
            let len = conn.buf.len();
            conn.buf.resize(len + 16 * 1024, 0);
            match conn.stream.read(&mut conn.buf[len..]) {
                Ok(0) => return Err(RemotingError::Closed(addr.to_string())),
                Ok(n) => conn.buf.truncate(len + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => conn.buf.truncate(len),
                Err(e) => return Err(io_err(e)),
            }
        }
    }

    pub fn clear(&self) {
        self.idle.lock().unwrap().clear();
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
