//! One connection (plain TCP or TLS) to a name server or broker: frames out, frames in,
//! responses matched to their requests by `opaque`.
//!
//! Writing, plain TCP: the calling thread writes the frame straight into the socket when nothing
//! is queued (no task hop on the hot path); whatever the socket does not take is queued and
//! flushed by the connection's writer task. Writing, TLS: every frame is queued and the writer
//! task encrypts and writes it. A direct write would need the TLS session (shared with the
//! reader, which may have to answer the peer) behind a lock taken by callers and the reader
//! alike; the hop is cheaper and simpler, and synchronous sends do not come here anyway (they
//! use [`super::blocking`], TLS or not). Reading: one reader task per connection decodes frames
//! and completes the waiter registered under the response's `opaque`. Requests the server sends
//! to us (checks, notifications) go to the connection's [`InboundHandler`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, WriteHalf};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tokio::sync::Notify;

use super::command::{frame_len, split_frame, RemotingCommand};
use super::transport::{AsyncStream, Transport};
use super::RemotingError;

// (Not named `TlsStream`: cbindgen, reading the whole crate, would take it for the generic one.)
type TlsClientStream = tokio_rustls::client::TlsStream<TcpStream>;

/// How long a peer may stop in the middle of a frame before the connection is given up (the
/// Java client closes a connection on a request's timeout; this closes one only when it is stuck).
const MID_FRAME_STALL: Duration = Duration::from_secs(5);
/// How often expired waiters are swept out of the pending table.
const REAPER_TICK: Duration = Duration::from_millis(50);

static NEXT_OPAQUE: AtomicI32 = AtomicI32::new(0);

pub fn next_opaque() -> i32 {
    NEXT_OPAQUE.fetch_add(1, Ordering::Relaxed) & i32::MAX
}

/// Called with the outcome of a request: the response, or why there is none.
pub type Waiter = Box<dyn FnOnce(Result<RemotingCommand, RemotingError>) + Send>;

/// Changes every outgoing request just before it is encoded (request signing for access control).
pub trait RpcHook: Send + Sync {
    fn before_request(&self, cmd: &mut RemotingCommand);
}

/// Receives requests initiated by the server (broker → client).
pub trait InboundHandler: Send + Sync {
    fn on_request(&self, conn: &Arc<Connection>, cmd: RemotingCommand);
}

struct Pending {
    deadline: Instant,
    waiter: Waiter,
}

struct Outbox {
    buf: BytesMut,
}

pub struct Connection {
    addr: String,
    /// Plain TCP: the socket's write half, written by callers directly. `None` over TLS, where
    /// only the writer task writes.
    direct: Option<OwnedWriteHalf>,
    outbox: Mutex<Outbox>,
    wake_writer: Notify,
    pending: Mutex<HashMap<i32, Pending>>,
    closed: AtomicBool,
    /// Why the connection closed, for requests made after that (a TLS alert, say, that arrived
    /// before the first request was written).
    close_reason: OnceLock<RemotingError>,
    closed_notify: Notify,
    hook: Option<Arc<dyn RpcHook>>,
}

impl Connection {
    /// Connects (TLS: and shakes hands) within `timeout`, then spawns the reader, writer and
    /// reaper tasks on the current runtime.
    pub async fn connect(
        addr: &str,
        timeout: Duration,
        transport: &Transport,
        hook: Option<Arc<dyn RpcHook>>,
        inbound: Option<Weak<dyn InboundHandler>>,
    ) -> Result<Arc<Connection>, RemotingError> {
        let stream = transport.connect(addr, timeout).await?;
        let new = |direct| {
            Arc::new(Connection {
                addr: addr.to_string(),
                direct,
                outbox: Mutex::new(Outbox { buf: BytesMut::new() }),
                wake_writer: Notify::new(),
                pending: Mutex::new(HashMap::new()),
                closed: AtomicBool::new(false),
                close_reason: OnceLock::new(),
                closed_notify: Notify::new(),
                hook,
            })
        };
        let conn = match stream {
            AsyncStream::Plain(tcp) => {
                let (reader, writer) = tcp.into_split();
                let conn = new(Some(writer));
                tokio::spawn(read_loop(conn.clone(), reader, inbound, true));
                tokio::spawn(write_loop_plain(conn.clone()));
                conn
            }
            AsyncStream::Tls(tls) => {
                let (reader, writer) = tokio::io::split(*tls);
                let conn = new(None);
                tokio::spawn(read_loop(conn.clone(), reader, inbound, false));
                tokio::spawn(write_loop_tls(conn.clone(), writer));
                conn
            }
        };
        tokio::spawn(reap_loop(Arc::downgrade(&conn)));
        Ok(conn)
    }

    pub fn addr(&self) -> &str {
        &self.addr
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Sends a request; `waiter` gets the response, a timeout after `timeout`, or the close error.
    pub fn send_request(&self, mut cmd: RemotingCommand, timeout: Duration, waiter: Waiter) {
        cmd.opaque = next_opaque();
        if let Some(hook) = &self.hook {
            hook.before_request(&mut cmd);
        }
        let opaque = cmd.opaque;
        {
            let mut pending = self.pending.lock().unwrap();
            if self.is_closed() {
                drop(pending);
                waiter(Err(self.closed_error()));
                return;
            }
            pending.insert(opaque, Pending { deadline: Instant::now() + timeout, waiter });
        }
        if let Err(e) = self.write_frame(&cmd) {
            if let Some(p) = self.pending.lock().unwrap().remove(&opaque) {
                (p.waiter)(Err(e));
            }
        }
    }

    /// Async form of [`send_request`](Self::send_request).
    pub async fn request(&self, cmd: RemotingCommand, timeout: Duration) -> Result<RemotingCommand, RemotingError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.send_request(cmd, timeout, Box::new(move |r| {
            let _ = tx.send(r);
        }));
        rx.await.unwrap_or_else(|_| Err(RemotingError::Closed(self.addr.clone())))
    }

    /// Writes a request that expects no answer.
    pub fn send_oneway(&self, mut cmd: RemotingCommand) -> Result<(), RemotingError> {
        cmd.opaque = next_opaque();
        cmd.mark_oneway();
        if let Some(hook) = &self.hook {
            hook.before_request(&mut cmd);
        }
        self.write_frame(&cmd)
    }

    /// Writes a response to a request the server sent us.
    pub fn send_response(&self, cmd: &RemotingCommand) -> Result<(), RemotingError> {
        self.write_frame(cmd)
    }

    fn write_frame(&self, cmd: &RemotingCommand) -> Result<(), RemotingError> {
        if self.is_closed() {
            return Err(self.closed_error());
        }
        let mut outbox = self.outbox.lock().unwrap();
        let direct = match &self.direct {
            Some(w) if outbox.buf.is_empty() => w,
            _ => {
                // TLS, or older bytes are still queued (keep the order): the writer task sends it.
                cmd.encode_into(&mut outbox.buf);
                drop(outbox);
                self.wake_writer.notify_one();
                return Ok(());
            }
        };
        let frame = cmd.encode();
        let mut written = 0;
        while written < frame.len() {
            match direct.try_write(&frame[written..]) {
                Ok(n) => written += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    drop(outbox);
                    self.close();
                    return Err(RemotingError::Io(self.addr.clone(), e.to_string()));
                }
            }
        }
        if written < frame.len() {
            outbox.buf.extend_from_slice(&frame[written..]);
            drop(outbox);
            self.wake_writer.notify_one();
        }
        Ok(())
    }

    /// Marks the connection closed and fails every waiter. Idempotent.
    pub fn close(&self) {
        self.close_because(RemotingError::Closed(self.addr.clone()));
    }

    /// [`close`](Self::close), failing the waiters with `reason`.
    fn close_because(&self, reason: RemotingError) {
        // The first reason wins, and is there before anyone sees the connection closed.
        let _ = self.close_reason.set(reason);
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        self.closed_notify.notify_waiters();
        self.wake_writer.notify_one();
        let reason = self.closed_error();
        let drained: Vec<Pending> = self.pending.lock().unwrap().drain().map(|(_, p)| p).collect();
        for p in drained {
            (p.waiter)(Err(reason.clone()));
        }
    }

    /// The error for a request on a closed connection: why it closed.
    fn closed_error(&self) -> RemotingError {
        self.close_reason.get().cloned().unwrap_or_else(|| RemotingError::Closed(self.addr.clone()))
    }

    fn complete(&self, response: RemotingCommand) {
        let entry = self.pending.lock().unwrap().remove(&response.opaque);
        if let Some(p) = entry {
            (p.waiter)(Ok(response));
        }
    }

    fn reap_expired(&self, now: Instant) {
        let expired: Vec<Pending> = {
            let mut pending = self.pending.lock().unwrap();
            if pending.is_empty() {
                return;
            }
            let keys: Vec<i32> = pending.iter().filter(|(_, p)| p.deadline <= now).map(|(k, _)| *k).collect();
            keys.into_iter().filter_map(|k| pending.remove(&k)).collect()
        };
        for p in expired {
            (p.waiter)(Err(RemotingError::Timeout(self.addr.clone())));
        }
    }

    #[cfg(test)]
    pub(crate) fn pending_len(&self) -> usize {
        self.pending.lock().unwrap().len()
    }
}

/// `plain`: a plain connection the peer closes before sending a single byte is how a
/// TLS-enforcing server turns a plain client away; its waiters get an error that says so.
async fn read_loop<R: AsyncRead + Unpin>(conn: Arc<Connection>, mut reader: R, inbound: Option<Weak<dyn InboundHandler>>, plain: bool) {
    let mut buf = BytesMut::with_capacity(64 * 1024);
    let mut heard_from_peer = false;
    let outcome: Result<(), RemotingError> = async {
        loop {
            // Decode every complete frame already buffered.
            while let Some(frame) = split_frame(&mut buf)? {
                let cmd = RemotingCommand::decode(frame)?;
                if cmd.is_response() {
                    conn.complete(cmd);
                } else if let Some(handler) = inbound.as_ref().and_then(Weak::upgrade) {
                    handler.on_request(&conn, cmd);
                }
            }
            // Room for the rest of a partial frame, so it arrives in as few reads as possible.
            if let Some(len) = frame_len(&buf)? {
                buf.reserve((4 + len).saturating_sub(buf.len()));
            }
            // Between frames a peer may be silent for as long as it likes (a long-polling pull);
            // in the middle of one, a silence this long means the rest is never coming.
            let stall_limit = if buf.is_empty() { None } else { Some(MID_FRAME_STALL) };
            let read = tokio::select! {
                r = read_within(&mut reader, &mut buf, stall_limit) => r,
                _ = conn.closed_notify.notified() => return Ok(()),
            };
            let Some(read) = read else {
                return Err(RemotingError::Codec(format!("{} bytes of a frame, then nothing for {MID_FRAME_STALL:?}", buf.len())));
            };
            match read {
                Ok(0) => return Err(RemotingError::Closed(conn.addr.clone())),
                Ok(_) => heard_from_peer = true,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Err(RemotingError::Closed(conn.addr.clone())),
                Err(e) => return Err(RemotingError::Io(conn.addr.clone(), e.to_string())),
            }
        }
    }
    .await;
    match outcome {
        Err(RemotingError::Closed(_)) if plain && !heard_from_peer => {
            crate::core::log::debug(&format!("{} closed the connection without a word", conn.addr));
            conn.close_because(RemotingError::ClosedSilently(conn.addr.clone()));
        }
        Err(e @ RemotingError::Io(..)) => {
            // The reason reaches the waiters: over TLS it names the alert the server sent
            // (a missing client certificate shows up here, after the handshake).
            crate::core::log::debug(&format!("connection to {} ended: {e}", conn.addr));
            conn.close_because(e);
        }
        Err(e @ RemotingError::Codec(_)) => {
            // A peer that sends what no broker or name server would: worth the log's attention.
            // The waiters fail as on any close; the next request opens a new connection.
            crate::core::log::warn(&format!("connection to {} dropped: {e}", conn.addr));
            conn.close();
        }
        Err(e) => {
            crate::core::log::debug(&format!("connection to {} ended: {e}", conn.addr));
            conn.close();
        }
        Ok(()) => conn.close(),
    }
}

/// One read into `buf`; `None` when `limit` passed without a byte.
async fn read_within<R: AsyncRead + Unpin>(reader: &mut R, buf: &mut BytesMut, limit: Option<Duration>) -> Option<std::io::Result<usize>> {
    match limit {
        None => Some(reader.read_buf(buf).await),
        Some(limit) => tokio::time::timeout(limit, reader.read_buf(buf)).await.ok(),
    }
}

/// Flushes what callers queued on a plain connection (what the socket did not take at once).
async fn write_loop_plain(c: Arc<Connection>) {
    let Some(writer) = c.direct.as_ref() else { return };
    loop {
        if c.is_closed() {
            return;
        }
        let notified = c.wake_writer.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if c.outbox.lock().unwrap().buf.is_empty() {
            notified.await;
            continue;
        }
        if writer.writable().await.is_err() {
            c.close();
            return;
        }
        let mut outbox = c.outbox.lock().unwrap();
        while !outbox.buf.is_empty() {
            match writer.try_write(&outbox.buf) {
                Ok(n) => outbox.buf.advance(n),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    drop(outbox);
                    c.close();
                    return;
                }
            }
        }
    }
}

/// Encrypts and writes everything callers queue on a TLS connection. The queue is swapped out
/// whole, so callers keep queueing while a batch is written and no frame is copied twice.
async fn write_loop_tls(c: Arc<Connection>, mut writer: WriteHalf<TlsClientStream>) {
    let mut batch = BytesMut::new();
    loop {
        let notified = c.wake_writer.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let closed = c.closed_notify.notified();
        tokio::pin!(closed);
        closed.as_mut().enable();
        if c.is_closed() {
            return;
        }
        let queued = {
            let mut outbox = c.outbox.lock().unwrap();
            std::mem::swap(&mut batch, &mut outbox.buf);
            !batch.is_empty()
        };
        if !queued {
            notified.await;
            continue;
        }
        let written = tokio::select! {
            r = async { writer.write_all(&batch).await?; writer.flush().await } => r,
            // A peer that stopped reading must not keep this task (and the socket) alive.
            _ = &mut closed => return,
        };
        if let Err(e) = written {
            crate::core::log::debug(&format!("TLS write to {} failed: {e}", c.addr));
            c.close();
            return;
        }
        batch.clear();
    }
}

async fn reap_loop(conn: Weak<Connection>) {
    let mut tick = tokio::time::interval(REAPER_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(c) = conn.upgrade() else { return };
        if c.is_closed() {
            return;
        }
        c.reap_expired(Instant::now());
    }
}
