//! rmq-sink: a minimal RocketMQ "sink broker" for benchmarking clients.
//!
//! One TCP port acts as both name server and broker. Every request is
//! acknowledged with the smallest valid response, so a benchmark against it
//! measures the client's own cost plus the loopback transport, not a broker.
//!
//! Protocol (RocketMQ remoting, see shared/reference/broker-and-protocol.md B.1):
//!   int32 BE total length (excluding itself)
//!   int32 BE (serializeType << 24) | headerLen
//!   header (JSON = 0 or ROCKETMQ binary = 1), body
//! Responses use the request's serialize type (like a 4.9.8 broker).
//!
//! Design: std only, one OS thread per connection, blocking I/O, TCP_NODELAY.
//! Requests are parsed straight out of the read buffer (pipelining supported);
//! responses are appended to an output buffer that is flushed whenever no
//! complete request is left in the read buffer (i.e. right before the next
//! blocking read).
//!
//! With --pull-backlog it also serves push consumers: heartbeats, consumer
//! lists, offsets, locks, and PULL_MESSAGE answered from an endless backlog of
//! identical messages in every queue (see `handle_consumer`).

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const DEFAULT_PORT: u16 = 29876;
const DEFAULT_MAX_SECONDS: u64 = 600;
const DEFAULT_QUEUES: u32 = 8;
/// Largest accepted frame (value of the length prefix): the remoting default
/// `frameMaxLength` (16 MiB) plus slack for the header.
const MAX_FRAME: usize = 16 * 1024 * 1024 + 64 * 1024;
const READ_BUF: usize = 256 * 1024;
/// Flush early if this many response bytes pile up while draining input.
const OUT_HIGH_WATER: usize = 1024 * 1024;
const N_CODES: usize = 1024;
const N_QUEUES: usize = 1024;

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU64 = AtomicU64::new(0);
static STOP: AtomicBool = AtomicBool::new(false);
static CODE_COUNTS: [AtomicU64; N_CODES] = [ZERO; N_CODES];
static QUEUE_OFFSETS: [AtomicU64; N_QUEUES] = [ZERO; N_QUEUES];
/// Fake commit-log offset: the low 16 hex digits of every msgId.
static COMMIT_COUNTER: AtomicU64 = AtomicU64::new(0);
static CONNECTIONS: AtomicU64 = AtomicU64::new(0);
static REQUESTS: AtomicU64 = AtomicU64::new(0);
static ONEWAY: AtomicU64 = AtomicU64::new(0);
static MESSAGES: AtomicU64 = AtomicU64::new(0);
static BODY_BYTES: AtomicU64 = AtomicU64::new(0);
static BAD_FRAMES: AtomicU64 = AtomicU64::new(0);
/// --pull-backlog: messages served by PULL_MESSAGE, and pulls held (empty retry topics).
static PULLED: AtomicU64 = AtomicU64::new(0);
static HELD_PULLS: AtomicU64 = AtomicU64::new(0);

const SER_JSON: u8 = 0;
const SER_ROCKETMQ: u8 = 1;

const FLAG_RESPONSE: i64 = 1;
const FLAG_ONEWAY: i64 = 2;

const GET_ROUTEINFO_BY_TOPIC: i64 = 105;
const SEND_MESSAGE: i64 = 10;
const SEND_MESSAGE_V2: i64 = 310;
const SEND_BATCH_MESSAGE: i64 = 320;
// Consumer side (--pull-backlog).
const PULL_MESSAGE: i64 = 11;
const QUERY_CONSUMER_OFFSET: i64 = 14;
const UPDATE_CONSUMER_OFFSET: i64 = 15;
const SEARCH_OFFSET_BY_TIMESTAMP: i64 = 29;
const GET_MAX_OFFSET: i64 = 30;
const GET_MIN_OFFSET: i64 = 31;
const HEART_BEAT: i64 = 34;
const GET_CONSUMER_LIST_BY_GROUP: i64 = 38;
const LOCK_BATCH_MQ: i64 = 41;

const CODE_SUCCESS: i16 = 0;
const CODE_PULL_NOT_FOUND: i16 = 19;

/// Most messages one PULL_MESSAGE answer carries (the clients ask for 32).
const PULL_MAX: usize = 32;
/// How long an empty pull (a `%RETRY%` topic) is held before PULL_NOT_FOUND, at most.
const MAX_HOLD_MS: u64 = 5_000;
/// The stored-message magic code (MessageDecoder.MESSAGE_MAGIC_CODE, V1).
const MESSAGE_MAGIC: u32 = 0xDAA3_20A7;
const RETRY_PREFIX: &[u8] = b"%RETRY%";

struct Config {
    host: String,
    port: u16,
    max_seconds: u64,
    queues: u32,
    verbose: bool,
    pull_backlog: bool,
    backlog_body: usize,
}

struct Shared {
    /// Route JSON returned for every topic.
    route_body: Vec<u8>,
    /// First 16 hex digits of every msgId: 7F000001 + port as 8 hex digits.
    id_prefix: [u8; 16],
    verbose: bool,
    /// `Some` with --pull-backlog: the consumer side.
    backlog: Option<Backlog>,
}

/// What --pull-backlog needs: an endless backlog of identical messages in every queue of every
/// topic but the `%RETRY%` ones (1 queue, always empty: their pulls are held, then NOT_FOUND).
struct Backlog {
    /// Route for `%RETRY%<group>` topics: one read/write queue, as a real broker creates them.
    retry_route_body: Vec<u8>,
    /// The body of every stored message, and its CRC32 (& 0x7FFFFFFF, as UtilAll.crc32).
    body: Vec<u8>,
    body_crc: u32,
    /// The sink's own address (storeHost) and port.
    ip: [u8; 4],
    port: u16,
    /// clientID of the last HEART_BEAT per consumer group, and the last one of any group.
    clients: Mutex<Clients>,
}

#[derive(Default)]
struct Clients {
    by_group: HashMap<Vec<u8>, Vec<u8>>,
    last: Vec<u8>,
}

// ---------------------------------------------------------------------------
// Request header parsing
// ---------------------------------------------------------------------------

#[derive(Debug, Default, Clone, Copy)]
struct Req<'a> {
    code: i64,
    opaque: i64,
    flag: i64,
    /// ext `e` (SEND_MESSAGE_V2) or `queueId` (SEND_MESSAGE, PULL_MESSAGE, ...).
    queue_id: i64,
    /// ext `m` (V2) or `batch` (V1) is true/1.
    batch: bool,
    /// ext `topic` (raw, escapes left as they are), `b` in SEND_MESSAGE_V2.
    topic: &'a [u8],
    /// ext `consumerGroup`.
    group: &'a [u8],
    /// PULL_MESSAGE: ext `queueOffset`, `maxMsgNums`, `suspendTimeoutMillis`.
    queue_offset: i64,
    max_msg_nums: i64,
    suspend_ms: i64,
}

impl<'a> Req<'a> {
    /// One ext field, by its name as every client spells it.
    #[inline]
    fn ext(&mut self, key: &[u8], v: &'a [u8]) {
        match key {
            b"e" | b"queueId" => self.queue_id = parse_int(v).unwrap_or(0),
            b"m" | b"batch" => self.batch = truthy(v),
            b"topic" | b"b" => self.topic = v,
            b"consumerGroup" => self.group = v,
            b"queueOffset" => self.queue_offset = parse_int(v).unwrap_or(0),
            b"maxMsgNums" => self.max_msg_nums = parse_int(v).unwrap_or(0),
            b"suspendTimeoutMillis" => self.suspend_ms = parse_int(v).unwrap_or(0),
            _ => {}
        }
    }
}

fn parse_int(raw: &[u8]) -> Option<i64> {
    let (neg, digits) = match raw.first() {
        Some(b'-') => (true, &raw[1..]),
        Some(b'+') => (false, &raw[1..]),
        _ => (false, raw),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            break; // tolerate "1.0", "1e3" style by truncating
        }
        v = v.wrapping_mul(10).wrapping_add((c - b'0') as i64);
    }
    Some(if neg { -v } else { v })
}

fn truthy(raw: &[u8]) -> bool {
    raw == b"1" || raw.eq_ignore_ascii_case(b"true")
}

/// Tiny JSON scanner: just enough to walk the top-level object of a
/// RemotingCommand header, skip values we do not care about, and pick a few
/// scalars out of `extFields`. Values are returned raw (strings without their
/// quotes, escapes left as is), which is all the fields we read need.
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    #[inline]
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    #[inline]
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// At a '"': returns the raw content and moves past the closing quote.
    fn string(&mut self) -> Option<&'a [u8]> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.i += 1;
        let start = self.i;
        let b = self.b;
        let mut i = self.i;
        while i < b.len() {
            match b[i] {
                b'"' => {
                    self.i = i + 1;
                    return Some(&b[start..i]);
                }
                b'\\' => i += 2,
                _ => i += 1,
            }
        }
        None
    }

    /// Skips an object or array (at its opening bracket).
    fn skip_compound(&mut self) -> Option<()> {
        let mut depth = 0usize;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        None
    }

    /// Any value; scalars come back raw (string content or literal token),
    /// compounds are skipped and come back as an empty slice.
    fn value(&mut self) -> Option<&'a [u8]> {
        match self.peek()? {
            b'"' => self.string(),
            b'{' | b'[' => {
                self.skip_compound()?;
                Some(&[])
            }
            _ => {
                let start = self.i;
                while self.i < self.b.len()
                    && !matches!(self.b[self.i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                {
                    self.i += 1;
                }
                if self.i == start {
                    None
                } else {
                    Some(&self.b[start..self.i])
                }
            }
        }
    }

    /// Walks `{ "k": v, ... }` calling `f(key, scanner)`; `f` must consume the value.
    fn object(&mut self, mut f: impl FnMut(&'a [u8], &mut Self) -> Option<()>) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            let key = self.string()?;
            if !self.eat(b':') {
                return None;
            }
            f(key, self)?;
            if self.eat(b',') {
                continue;
            }
            if self.eat(b'}') {
                return Some(());
            }
            return None;
        }
    }
}

fn parse_json_header(h: &[u8]) -> Option<Req<'_>> {
    let mut req = Req::default();
    let mut have_code = false;
    let mut s = Scan { b: h, i: 0 };
    s.object(|key, s| {
        match key {
            b"code" => {
                req.code = parse_int(s.value()?)?;
                have_code = true;
            }
            b"opaque" => req.opaque = parse_int(s.value()?).unwrap_or(0),
            b"flag" => req.flag = parse_int(s.value()?).unwrap_or(0),
            b"extFields" => {
                if s.peek() == Some(b'{') {
                    s.object(|k, s| {
                        let v = s.value()?;
                        req.ext(k, v);
                        Some(())
                    })?;
                } else {
                    s.value()?; // null
                }
            }
            _ => {
                s.value()?;
            }
        }
        Some(())
    })?;
    if have_code {
        Some(req)
    } else {
        None
    }
}

#[inline]
fn be16(b: &[u8], at: usize) -> Option<i16> {
    Some(i16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
#[inline]
fn be32(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// ROCKETMQ binary header (RocketMQSerializable): int16 code, int8 language,
/// int16 version, int32 opaque, int32 flag, int32 remarkLen + remark,
/// int32 extLen + (int16 keyLen, key, int32 valLen, val)*.
fn parse_binary_header(h: &[u8]) -> Option<Req<'_>> {
    let mut req = Req {
        code: be16(h, 0)? as i64,
        opaque: be32(h, 5)? as i64,
        flag: be32(h, 9)? as i64,
        ..Req::default()
    };
    let remark_len = be32(h, 13)?.max(0) as usize;
    let mut pos = 17 + remark_len;
    let ext_len = be32(h, pos)?.max(0) as usize;
    pos += 4;
    let end = pos.checked_add(ext_len)?.min(h.len());
    while pos + 2 <= end {
        let kl = be16(h, pos)?.max(0) as usize;
        pos += 2;
        let key = h.get(pos..pos + kl)?;
        pos += kl;
        let vl = be32(h, pos)?.max(0) as usize;
        pos += 4;
        let val = h.get(pos..pos + vl)?;
        pos += vl;
        req.ext(key, val);
    }
    Some(req)
}

// ---------------------------------------------------------------------------
// Response encoding
// ---------------------------------------------------------------------------

#[inline]
fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

#[inline]
fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

#[inline]
fn push_hex(out: &mut Vec<u8>, v: u64, digits: u32) {
    for k in (0..digits).rev() {
        out.push(HEX[((v >> (k * 4)) & 0xF) as usize]);
    }
}

/// Incremental response writer for either header encoding.
struct Resp<'o> {
    out: &'o mut Vec<u8>,
    ser: u8,
    start: usize,
    ext_len_at: usize,
    val_len_at: usize,
    n_ext: usize,
    opaque: i64,
}

impl<'o> Resp<'o> {
    fn begin(out: &'o mut Vec<u8>, ser: u8, opaque: i64) -> Self {
        Self::begin_code(out, ser, opaque, CODE_SUCCESS)
    }

    fn begin_code(out: &'o mut Vec<u8>, ser: u8, opaque: i64, code: i16) -> Self {
        let start = out.len();
        out.extend_from_slice(&[0u8; 8]); // frame length + header length, patched in finish
        let mut ext_len_at = 0;
        if ser == SER_ROCKETMQ {
            out.extend_from_slice(&code.to_be_bytes());
            out.push(0); // language JAVA
            out.extend_from_slice(&409i16.to_be_bytes()); // version V4_9_8
            out.extend_from_slice(&(opaque as i32).to_be_bytes());
            out.extend_from_slice(&(FLAG_RESPONSE as i32).to_be_bytes());
            out.extend_from_slice(&0i32.to_be_bytes()); // remark: null
            ext_len_at = out.len();
            out.extend_from_slice(&0i32.to_be_bytes()); // ext length, patched
        } else {
            out.extend_from_slice(b"{\"code\":");
            push_i64(out, code as i64);
            out.push(b',');
        }
        Resp { out, ser, start, ext_len_at, val_len_at: 0, n_ext: 0, opaque }
    }

    #[inline]
    fn ext_begin(&mut self, key: &[u8]) {
        if self.ser == SER_ROCKETMQ {
            self.out.extend_from_slice(&(key.len() as i16).to_be_bytes());
            self.out.extend_from_slice(key);
            self.val_len_at = self.out.len();
            self.out.extend_from_slice(&0i32.to_be_bytes());
        } else {
            self.out.extend_from_slice(if self.n_ext == 0 { b"\"extFields\":{\"" } else { b",\"" });
            self.out.extend_from_slice(key);
            self.out.extend_from_slice(b"\":\"");
        }
        self.n_ext += 1;
    }

    #[inline]
    fn ext_end(&mut self) {
        if self.ser == SER_ROCKETMQ {
            let n = (self.out.len() - self.val_len_at - 4) as i32;
            self.out[self.val_len_at..self.val_len_at + 4].copy_from_slice(&n.to_be_bytes());
        } else {
            self.out.push(b'"');
        }
    }

    fn ext(&mut self, key: &[u8], val: &[u8]) {
        self.ext_begin(key);
        self.out.extend_from_slice(val);
        self.ext_end();
    }

    fn ext_i64(&mut self, key: &[u8], val: i64) {
        self.ext_begin(key);
        push_i64(self.out, val);
        self.ext_end();
    }

    fn finish(self, body: &[u8]) {
        self.finish_with(|out| out.extend_from_slice(body));
    }

    /// Ends the header; `body` appends the body straight into the output buffer.
    fn finish_with(self, body: impl FnOnce(&mut Vec<u8>)) {
        let out = self.out;
        if self.ser == SER_ROCKETMQ {
            let n = (out.len() - self.ext_len_at - 4) as i32;
            out[self.ext_len_at..self.ext_len_at + 4].copy_from_slice(&n.to_be_bytes());
        } else {
            if self.n_ext > 0 {
                out.extend_from_slice(b"},");
            }
            out.extend_from_slice(b"\"flag\":1,\"language\":\"JAVA\",\"opaque\":");
            push_i64(out, self.opaque as i32 as i64);
            out.extend_from_slice(
                b",\"remark\":null,\"serializeTypeCurrentRPC\":\"JSON\",\"version\":409}",
            );
        }
        let header_len = out.len() - self.start - 8;
        let body_at = out.len();
        body(out);
        let total = (4 + header_len + out.len() - body_at) as u32;
        let sh = ((self.ser as u32) << 24) | (header_len as u32 & 0x00FF_FFFF);
        out[self.start..self.start + 4].copy_from_slice(&total.to_be_bytes());
        out[self.start + 4..self.start + 8].copy_from_slice(&sh.to_be_bytes());
    }
}

/// Number of messages in a batch body (records prefixed by int32 totalSize).
fn count_batch(body: &[u8]) -> u64 {
    let mut n = 0u64;
    let mut pos = 0usize;
    while let Some(sz) = be32(body, pos) {
        if sz < 4 || pos + sz as usize > body.len() {
            break;
        }
        n += 1;
        pos += sz as usize;
    }
    n.max(1)
}

fn handle(req: &Req, ser: u8, body: &[u8], out: &mut Vec<u8>, sh: &Shared, conn: &mut ConnState) {
    REQUESTS.fetch_add(1, Ordering::Relaxed);
    CODE_COUNTS[(req.code.clamp(0, N_CODES as i64 - 1)) as usize].fetch_add(1, Ordering::Relaxed);
    if sh.verbose {
        eprintln!(
            "rmq-sink: code={} opaque={} flag={} queue={} batch={} body={}B ser={}",
            req.code, req.opaque, req.flag, req.queue_id, req.batch, body.len(), ser
        );
    }
    if req.flag & FLAG_RESPONSE != 0 {
        return; // a response to something we never asked: ignore
    }
    let oneway = req.flag & FLAG_ONEWAY != 0;
    if oneway {
        ONEWAY.fetch_add(1, Ordering::Relaxed);
    }
    match req.code {
        SEND_MESSAGE_V2 | SEND_MESSAGE | SEND_BATCH_MESSAGE => {
            let batch = req.code == SEND_BATCH_MESSAGE || req.batch;
            let n = if batch { count_batch(body) } else { 1 };
            MESSAGES.fetch_add(n, Ordering::Relaxed);
            BODY_BYTES.fetch_add(body.len() as u64, Ordering::Relaxed);
            let qid = req.queue_id.max(0);
            let qoff = QUEUE_OFFSETS[(qid as usize) % N_QUEUES].fetch_add(n, Ordering::Relaxed);
            let base = COMMIT_COUNTER.fetch_add(n, Ordering::Relaxed);
            if oneway {
                return;
            }
            let mut r = Resp::begin(out, ser, req.opaque);
            r.ext(b"MSG_REGION", b"DefaultRegion");
            r.ext(b"TRACE_ON", b"true");
            r.ext_begin(b"msgId");
            for k in 0..n {
                if k > 0 {
                    r.out.push(b',');
                }
                r.out.extend_from_slice(&sh.id_prefix);
                push_hex(r.out, base + k, 16);
            }
            r.ext_end();
            r.ext_begin(b"queueId");
            push_i64(r.out, qid);
            r.ext_end();
            r.ext_begin(b"queueOffset");
            push_u64(r.out, qoff);
            r.ext_end();
            r.finish(&[]);
        }
        GET_ROUTEINFO_BY_TOPIC => {
            if !oneway {
                let route = match &sh.backlog {
                    Some(bl) if req.topic.starts_with(RETRY_PREFIX) => &bl.retry_route_body,
                    _ => &sh.route_body,
                };
                Resp::begin(out, ser, req.opaque).finish(route);
            }
        }
        _ => {
            if let Some(bl) = &sh.backlog {
                if handle_consumer(req, ser, body, out, bl, conn, oneway) {
                    return;
                }
            }
            // HEART_BEAT (34), UNREGISTER_CLIENT (35) and everything else: SUCCESS, empty.
            if !oneway {
                Resp::begin(out, ser, req.opaque).finish(&[]);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Consumer side (--pull-backlog)
// ---------------------------------------------------------------------------

/// Per-connection state: the writer (shared with held pulls answered later from another
/// thread) and the pre-built pull answers.
struct ConnState {
    /// `None` only in unit tests.
    writer: Option<Arc<Mutex<TcpStream>>>,
    templates: HashMap<(Vec<u8>, i64), Template>,
}

/// [`PULL_MAX`] stored messages of one (topic, queue), back to back; a pull copies the first n
/// and patches the fields that change (offsets, timestamps, UNIQ_KEY, KEYS).
struct Template {
    bytes: Vec<u8>,
    /// Size of one record.
    rec: usize,
    /// Within a record: the last 16 hex digits of UNIQ_KEY, the 16 decimal digits of KEYS.
    uniq_at: usize,
    keys_at: usize,
}

// Field positions in a stored message (MessageDecoder layout, IPv4 hosts).
const AT_QUEUE_OFFSET: usize = 20;
const AT_COMMIT_OFFSET: usize = 28;
const AT_BORN_TS: usize = 40;
const AT_STORE_TS: usize = 56;
const FIXED_PART: usize = 88; // up to and including bodyLen

impl Template {
    fn new(topic: &[u8], qid: i64, bl: &Backlog) -> Template {
        let topic = &topic[..topic.len().min(255)];
        let mut props = Vec::with_capacity(96);
        props.extend_from_slice(b"UNIQ_KEY\x01");
        push_hex(&mut props, 0x7F00_0001, 8);
        push_hex(&mut props, bl.port as u64, 4);
        push_hex(&mut props, qid as u64, 4);
        let uniq_in_props = props.len();
        props.extend_from_slice(&[b'0'; 16]);
        props.extend_from_slice(b"\x02TAGS\x01TagA\x02KEYS\x01k");
        let keys_in_props = props.len();
        props.extend_from_slice(&[b'0'; 16]);
        props.push(0x02);
        let props_at = FIXED_PART + bl.body.len() + 1 + topic.len() + 2;
        let rec = props_at + props.len();
        let mut one = Vec::with_capacity(rec);
        one.extend_from_slice(&(rec as u32).to_be_bytes()); // totalSize
        one.extend_from_slice(&MESSAGE_MAGIC.to_be_bytes());
        one.extend_from_slice(&bl.body_crc.to_be_bytes());
        one.extend_from_slice(&(qid as i32).to_be_bytes());
        one.extend_from_slice(&0i32.to_be_bytes()); // flag
        one.extend_from_slice(&0i64.to_be_bytes()); // queueOffset (patched)
        one.extend_from_slice(&0i64.to_be_bytes()); // commitLogOffset (patched)
        one.extend_from_slice(&0i32.to_be_bytes()); // sysFlag
        one.extend_from_slice(&0i64.to_be_bytes()); // bornTimestamp (patched)
        one.extend_from_slice(&[127, 0, 0, 1]); // bornHost
        one.extend_from_slice(&40000i32.to_be_bytes());
        one.extend_from_slice(&0i64.to_be_bytes()); // storeTimestamp (patched)
        one.extend_from_slice(&bl.ip); // storeHost
        one.extend_from_slice(&(bl.port as i32).to_be_bytes());
        one.extend_from_slice(&0i32.to_be_bytes()); // reconsumeTimes
        one.extend_from_slice(&0i64.to_be_bytes()); // preparedTransactionOffset
        one.extend_from_slice(&(bl.body.len() as i32).to_be_bytes());
        debug_assert_eq!(one.len(), FIXED_PART);
        one.extend_from_slice(&bl.body);
        one.push(topic.len() as u8);
        one.extend_from_slice(topic);
        one.extend_from_slice(&(props.len() as i16).to_be_bytes());
        one.extend_from_slice(&props);
        debug_assert_eq!(one.len(), rec);
        let bytes = one.repeat(PULL_MAX);
        Template { bytes, rec, uniq_at: props_at + uniq_in_props, keys_at: props_at + keys_in_props }
    }

    /// Appends messages `first..first + n` of queue `qid` to `out`.
    fn emit(&self, out: &mut Vec<u8>, qid: i64, first: i64, n: usize, now_ms: i64) {
        let at = out.len();
        out.extend_from_slice(&self.bytes[..n * self.rec]);
        let recs = &mut out[at..];
        for i in 0..n {
            let r = &mut recs[i * self.rec..(i + 1) * self.rec];
            let off = first + i as i64;
            let commit = (qid << 40).wrapping_add(off.wrapping_mul(self.rec as i64));
            r[AT_QUEUE_OFFSET..AT_QUEUE_OFFSET + 8].copy_from_slice(&off.to_be_bytes());
            r[AT_COMMIT_OFFSET..AT_COMMIT_OFFSET + 8].copy_from_slice(&commit.to_be_bytes());
            r[AT_BORN_TS..AT_BORN_TS + 8].copy_from_slice(&now_ms.to_be_bytes());
            r[AT_STORE_TS..AT_STORE_TS + 8].copy_from_slice(&now_ms.to_be_bytes());
            let mut v = off as u64;
            for k in (0..16).rev() {
                r[self.uniq_at + k] = HEX[(v & 0xF) as usize];
                v >>= 4;
            }
            let mut v = off as u64;
            for k in (0..16).rev() {
                r[self.keys_at + k] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Answers the requests of a push consumer. False: not one of those (answer it as usual).
fn handle_consumer(req: &Req, ser: u8, body: &[u8], out: &mut Vec<u8>, bl: &Backlog, conn: &mut ConnState, oneway: bool) -> bool {
    match req.code {
        HEART_BEAT => {
            if let Some((client, groups)) = parse_heartbeat(body) {
                let mut c = bl.clients.lock().unwrap();
                for g in groups {
                    c.by_group.insert(g.to_vec(), client.to_vec());
                }
                c.last = client.to_vec();
            }
            false // answered as usual: SUCCESS, empty
        }
        GET_CONSUMER_LIST_BY_GROUP => {
            if !oneway {
                let c = bl.clients.lock().unwrap();
                let id = c.by_group.get(req.group).unwrap_or(&c.last);
                let mut b = Vec::with_capacity(40 + id.len());
                b.extend_from_slice(b"{\"consumerIdList\":[");
                if !id.is_empty() {
                    b.push(b'"');
                    b.extend_from_slice(id);
                    b.push(b'"');
                }
                b.extend_from_slice(b"]}");
                Resp::begin(out, ser, req.opaque).finish(&b);
            }
            true
        }
        QUERY_CONSUMER_OFFSET | GET_MAX_OFFSET | GET_MIN_OFFSET | SEARCH_OFFSET_BY_TIMESTAMP => {
            if !oneway {
                let mut r = Resp::begin(out, ser, req.opaque);
                r.ext(b"offset", b"0");
                r.finish(&[]);
            }
            true
        }
        UPDATE_CONSUMER_OFFSET => false,
        LOCK_BATCH_MQ => {
            if !oneway {
                let set = find_json_value(body, b"mqSet").unwrap_or(b"[]");
                let mut b = Vec::with_capacity(20 + set.len());
                b.extend_from_slice(b"{\"lockOKMQSet\":");
                b.extend_from_slice(set);
                b.push(b'}');
                Resp::begin(out, ser, req.opaque).finish(&b);
            }
            true
        }
        PULL_MESSAGE => {
            if oneway {
                return true;
            }
            let qid = req.queue_id.max(0);
            let first = req.queue_offset.max(0);
            if req.topic.starts_with(RETRY_PREFIX) {
                // Nothing to retry: hold the pull as a broker does, then PULL_NOT_FOUND.
                HELD_PULLS.fetch_add(1, Ordering::Relaxed);
                let mut frame = Vec::with_capacity(256);
                let mut r = Resp::begin_code(&mut frame, ser, req.opaque, CODE_PULL_NOT_FOUND);
                r.ext(b"suggestWhichBrokerId", b"0");
                r.ext_i64(b"nextBeginOffset", first);
                r.ext(b"minOffset", b"0");
                r.ext_i64(b"maxOffset", first);
                r.finish(&[]);
                let hold = if req.suspend_ms > 0 { (req.suspend_ms as u64).min(MAX_HOLD_MS) } else { 1000 };
                let Some(writer) = conn.writer.clone() else { return true };
                let _ = std::thread::Builder::new().name("sink-hold".into()).stack_size(64 * 1024).spawn(move || {
                    std::thread::sleep(Duration::from_millis(hold));
                    if let Ok(mut w) = writer.lock() {
                        let _ = w.write_all(&frame);
                    }
                });
                return true;
            }
            let n = (req.max_msg_nums.max(1) as usize).min(PULL_MAX);
            PULLED.fetch_add(n as u64, Ordering::Relaxed);
            let next = first + n as i64;
            let mut r = Resp::begin(out, ser, req.opaque);
            r.ext(b"suggestWhichBrokerId", b"0");
            r.ext_i64(b"nextBeginOffset", next);
            r.ext(b"minOffset", b"0");
            r.ext_i64(b"maxOffset", next + 1_000_000);
            let key = (req.topic.to_vec(), qid);
            let t = conn.templates.entry(key).or_insert_with(|| Template::new(req.topic, qid, bl));
            let now = now_ms();
            r.finish_with(|o| t.emit(o, qid, first, n, now));
            true
        }
        _ => false,
    }
}

/// `clientID` and the consumer groups (`consumerDataSet[].groupName`) of a HEART_BEAT body.
fn parse_heartbeat(body: &[u8]) -> Option<(&[u8], Vec<&[u8]>)> {
    let mut client = None;
    let mut groups = Vec::new();
    let mut s = Scan { b: body, i: 0 };
    s.object(|k, s| {
        match k {
            b"clientID" => client = Some(s.value()?),
            b"consumerDataSet" if s.peek() == Some(b'[') => {
                s.i += 1;
                if s.eat(b']') {
                    return Some(());
                }
                loop {
                    s.object(|k2, s| {
                        let v = s.value()?;
                        if k2 == b"groupName" {
                            groups.push(v);
                        }
                        Some(())
                    })?;
                    if s.eat(b',') {
                        continue;
                    }
                    if s.eat(b']') {
                        break;
                    }
                    return None;
                }
            }
            _ => {
                s.value()?;
            }
        }
        Some(())
    })?;
    client.filter(|c| !c.is_empty()).map(|c| (c, groups))
}

/// The raw text of a top-level value of a JSON object (compounds included).
fn find_json_value<'a>(body: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut found = None;
    let mut s = Scan { b: body, i: 0 };
    s.object(|k, s| {
        s.peek();
        let start = s.i;
        s.value()?;
        if k == key {
            found = Some(&s.b[start..s.i]);
        }
        Some(())
    })?;
    found
}

/// CRC-32 (IEEE), as java.util.zip.CRC32.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

// ---------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------

fn serve(mut stream: TcpStream, sh: Arc<Shared>) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let peer = stream.peer_addr().map(|a| a.to_string()).unwrap_or_default();
    // Writes go through a lock: a held pull is answered later from another thread.
    let writer = Arc::new(Mutex::new(stream.try_clone()?));
    let write_out = |out: &mut Vec<u8>| -> io::Result<()> {
        writer.lock().unwrap_or_else(|e| e.into_inner()).write_all(out)?;
        out.clear();
        Ok(())
    };
    let mut conn = ConnState { writer: Some(writer.clone()), templates: HashMap::new() };
    let mut buf = vec![0u8; READ_BUF];
    let mut out: Vec<u8> = Vec::with_capacity(64 * 1024);
    let (mut start, mut end) = (0usize, 0usize);
    loop {
        // Drain every complete frame already buffered.
        // Bytes needed from `start` to complete the next frame.
        let need: usize = loop {
            let avail = end - start;
            if avail < 4 {
                break 4;
            }
            let len = u32::from_be_bytes(buf[start..start + 4].try_into().unwrap()) as usize;
            if !(4..=MAX_FRAME).contains(&len) {
                BAD_FRAMES.fetch_add(1, Ordering::Relaxed);
                eprintln!("rmq-sink: {peer}: bad frame length {len}, closing");
                return Ok(());
            }
            if avail < 4 + len {
                break 4 + len;
            }
            let frame = &buf[start + 4..start + 4 + len];
            let sh_word = u32::from_be_bytes(frame[0..4].try_into().unwrap());
            let ser = (sh_word >> 24) as u8;
            let hlen = (sh_word & 0x00FF_FFFF) as usize;
            if hlen > len - 4 {
                BAD_FRAMES.fetch_add(1, Ordering::Relaxed);
                eprintln!("rmq-sink: {peer}: header length {hlen} > frame {len}, closing");
                return Ok(());
            }
            let header = &frame[4..4 + hlen];
            let body = &frame[4 + hlen..];
            let req = match ser {
                SER_JSON => parse_json_header(header),
                SER_ROCKETMQ => parse_binary_header(header),
                _ => None,
            };
            let Some(req) = req else {
                BAD_FRAMES.fetch_add(1, Ordering::Relaxed);
                let shown = &header[..header.len().min(300)];
                eprintln!(
                    "rmq-sink: {peer}: undecodable header (serializeType {ser}): {}, closing",
                    String::from_utf8_lossy(shown)
                );
                return Ok(());
            };
            handle(&req, ser, body, &mut out, &sh, &mut conn);
            start += 4 + len;
            if out.len() >= OUT_HIGH_WATER {
                write_out(&mut out)?;
            }
        };
        // No complete request left: flush responses before blocking.
        if !out.is_empty() {
            write_out(&mut out)?;
        }
        if start == end {
            start = 0;
            end = 0;
        } else if start + need > buf.len() || buf.len() - end < 4096 {
            buf.copy_within(start..end, 0);
            end -= start;
            start = 0;
        }
        if need > buf.len() {
            buf.resize(need, 0);
        }
        let n = match stream.read(&mut buf[end..]) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        end += n;
    }
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

extern "C" {
    // libc is linked by std anyway; avoids a dependency for two calls.
    fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
}

extern "C" fn on_signal(_sig: i32) {
    STOP.store(true, Ordering::SeqCst);
}

fn usage() -> ! {
    eprintln!(
        "usage: rmq-sink [--port N (default {DEFAULT_PORT}, 0 = any)] [--host ADDR (default 127.0.0.1)]\n\
         \x20               [--max-seconds N (default {DEFAULT_MAX_SECONDS})] [--queues N (default {DEFAULT_QUEUES})] [-v]\n\
         \x20               [--pull-backlog [--backlog-body BYTES (default 1024)]]\n\
         A RocketMQ name server + broker on one port that acknowledges every request.\n\
         --pull-backlog: also serve push consumers: every queue of every topic holds an endless backlog\n\
         of BYTES-byte messages (up to 32 per PULL_MESSAGE); %RETRY% topics have one empty queue.\n\
         Stops on SIGINT/SIGTERM or after --max-seconds; prints request statistics to stderr on exit."
    );
    std::process::exit(2)
}

fn parse_args() -> Config {
    let mut cfg = Config {
        host: "127.0.0.1".into(),
        port: DEFAULT_PORT,
        max_seconds: DEFAULT_MAX_SECONDS,
        queues: DEFAULT_QUEUES,
        verbose: false,
        pull_backlog: false,
        backlog_body: 1024,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut val = |name: &str| -> String {
            inline.clone().or_else(|| args.next()).unwrap_or_else(|| {
                eprintln!("rmq-sink: {name} needs a value");
                usage()
            })
        };
        match flag.as_str() {
            "--port" | "-p" => cfg.port = val("--port").parse().unwrap_or_else(|_| usage()),
            "--host" => cfg.host = val("--host"),
            "--max-seconds" => cfg.max_seconds = val("--max-seconds").parse().unwrap_or_else(|_| usage()),
            "--queues" => cfg.queues = val("--queues").parse().unwrap_or_else(|_| usage()),
            "-v" | "--verbose" => cfg.verbose = true,
            "--pull-backlog" => cfg.pull_backlog = true,
            "--backlog-body" => cfg.backlog_body = val("--backlog-body").parse().unwrap_or_else(|_| usage()),
            "-h" | "--help" => usage(),
            other => {
                eprintln!("rmq-sink: unknown argument {other}");
                usage()
            }
        }
    }
    if cfg.queues == 0 {
        cfg.queues = 1;
    }
    cfg
}

fn print_stats(started: Instant, why: &str) {
    let secs = started.elapsed().as_secs_f64();
    let mut by_code = String::new();
    for (code, c) in CODE_COUNTS.iter().enumerate() {
        let n = c.load(Ordering::Relaxed);
        if n > 0 {
            by_code.push_str(&format!(" {code}={n}"));
        }
    }
    eprintln!(
        "rmq-sink: stopping ({why}) after {secs:.1} s: connections={} requests={} oneway={} messages={} body_bytes={} pulled={} held_pulls={} bad_frames={} by_code:{by_code}",
        CONNECTIONS.load(Ordering::Relaxed),
        REQUESTS.load(Ordering::Relaxed),
        ONEWAY.load(Ordering::Relaxed),
        MESSAGES.load(Ordering::Relaxed),
        BODY_BYTES.load(Ordering::Relaxed),
        PULLED.load(Ordering::Relaxed),
        HELD_PULLS.load(Ordering::Relaxed),
        BAD_FRAMES.load(Ordering::Relaxed),
    );
}

fn main() {
    let cfg = parse_args();
    unsafe {
        signal(2, on_signal); // SIGINT
        signal(15, on_signal); // SIGTERM
    }
    let listener = TcpListener::bind((cfg.host.as_str(), cfg.port)).unwrap_or_else(|e| {
        eprintln!("rmq-sink: cannot listen on {}:{}: {e}", cfg.host, cfg.port);
        std::process::exit(1)
    });
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(cfg.port);
    let addr = format!("{}:{}", cfg.host, port);

    let q = cfg.queues;
    let route_body = format!(
        "{{\"brokerDatas\":[{{\"brokerAddrs\":{{\"0\":\"{addr}\"}},\"brokerName\":\"sink-broker\",\"cluster\":\"SinkCluster\"}}],\
         \"filterServerTable\":{{}},\"queueDatas\":[{{\"brokerName\":\"sink-broker\",\"perm\":6,\"readQueueNums\":{q},\
         \"topicSysFlag\":0,\"writeQueueNums\":{q}}}]}}"
    )
    .into_bytes();
    let mut id_prefix = [0u8; 16];
    {
        let mut v = Vec::with_capacity(16);
        push_hex(&mut v, 0x7F00_0001, 8);
        push_hex(&mut v, port as u64, 8);
        id_prefix.copy_from_slice(&v);
    }
    let backlog = cfg.pull_backlog.then(|| {
        let retry_route_body = format!(
            "{{\"brokerDatas\":[{{\"brokerAddrs\":{{\"0\":\"{addr}\"}},\"brokerName\":\"sink-broker\",\"cluster\":\"SinkCluster\"}}],\
             \"filterServerTable\":{{}},\"queueDatas\":[{{\"brokerName\":\"sink-broker\",\"perm\":6,\"readQueueNums\":1,\
             \"topicSysFlag\":0,\"writeQueueNums\":1}}]}}"
        )
        .into_bytes();
        // Printable, no NUL: hosts of the 2.2.0 API may measure it with strlen.
        let body: Vec<u8> = (0..cfg.backlog_body).map(|i| b'a' + (i % 26) as u8).collect();
        let body_crc = crc32(&body) & 0x7FFF_FFFF;
        let ip = match listener.local_addr().map(|a| a.ip()) {
            Ok(std::net::IpAddr::V4(v4)) => v4.octets(),
            _ => [127, 0, 0, 1],
        };
        Backlog { retry_route_body, body, body_crc, ip, port, clients: Mutex::new(Clients::default()) }
    });
    let shared = Arc::new(Shared { route_body, id_prefix, verbose: cfg.verbose, backlog });

    let started = Instant::now();
    let max = Duration::from_secs(cfg.max_seconds);
    std::thread::Builder::new()
        .name("sink-monitor".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_millis(100));
            let why = if STOP.load(Ordering::SeqCst) {
                "signal"
            } else if started.elapsed() >= max {
                "max-seconds"
            } else {
                continue;
            };
            print_stats(started, why);
            std::process::exit(0);
        })
        .expect("spawn monitor");

    if cfg.pull_backlog {
        println!("rmq-sink listening on {addr} (pull backlog: {}-byte messages)", cfg.backlog_body);
    } else {
        println!("rmq-sink listening on {addr}");
    }

    for conn in listener.incoming() {
        let stream = match conn {
            Ok(s) => s,
            Err(e) => {
                eprintln!("rmq-sink: accept: {e}");
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        CONNECTIONS.fetch_add(1, Ordering::Relaxed);
        let sh = shared.clone();
        let _ = std::thread::Builder::new()
            .name("sink-conn".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let peer = stream.peer_addr().map(|a| a.to_string()).unwrap_or_default();
                if let Err(e) = serve(stream, sh) {
                    if e.kind() != io::ErrorKind::ConnectionReset && e.kind() != io::ErrorKind::BrokenPipe {
                        eprintln!("rmq-sink: {peer}: {e}");
                    }
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_header_top_level_flag_not_ext_flag() {
        // SEND_MESSAGE (10) has an ext field named "flag"; only the top-level one counts.
        let h = br#"{"code":10,"extFields":{"flag":"2","queueId":"5","batch":"false"},"flag":0,"language":"CPP","opaque":7,"remark":"","version":333}"#;
        let r = parse_json_header(h).unwrap();
        assert_eq!((r.code, r.opaque, r.flag, r.queue_id, r.batch), (10, 7, 0, 5, false));
    }

    #[test]
    fn json_header_numbers_escapes_and_batch() {
        let h = br#" { "extFields" : {"i":"KEYS\u0001k\"1\u0002","e": 3,"m":"1"}, "opaque":42, "code" : 310 , "flag":2 } "#;
        let r = parse_json_header(h).unwrap();
        assert_eq!((r.code, r.opaque, r.flag, r.queue_id, r.batch), (310, 42, 2, 3, true));
        assert!(parse_json_header(b"{\"opaque\":1}").is_none());
        assert!(parse_json_header(b"{\"code\":1").is_none());
    }

    #[test]
    fn binary_header() {
        let mut h = Vec::new();
        h.extend_from_slice(&310i16.to_be_bytes());
        h.push(1);
        h.extend_from_slice(&333i16.to_be_bytes());
        h.extend_from_slice(&99i32.to_be_bytes());
        h.extend_from_slice(&0i32.to_be_bytes());
        h.extend_from_slice(&2i32.to_be_bytes());
        h.extend_from_slice(b"hi");
        let mut ext = Vec::new();
        for (k, v) in [("a", "grp"), ("e", "6")] {
            ext.extend_from_slice(&(k.len() as i16).to_be_bytes());
            ext.extend_from_slice(k.as_bytes());
            ext.extend_from_slice(&(v.len() as i32).to_be_bytes());
            ext.extend_from_slice(v.as_bytes());
        }
        h.extend_from_slice(&(ext.len() as i32).to_be_bytes());
        h.extend_from_slice(&ext);
        let r = parse_binary_header(&h).unwrap();
        assert_eq!((r.code, r.opaque, r.flag, r.queue_id), (310, 99, 0, 6));
    }

    #[test]
    fn json_response_shape() {
        let mut out = Vec::new();
        let mut r = Resp::begin(&mut out, SER_JSON, 17);
        r.ext(b"queueId", b"3");
        r.finish(b"xy");
        let total = u32::from_be_bytes(out[0..4].try_into().unwrap()) as usize;
        assert_eq!(total, out.len() - 4);
        let hl = u32::from_be_bytes(out[4..8].try_into().unwrap()) as usize;
        let hdr = std::str::from_utf8(&out[8..8 + hl]).unwrap();
        assert_eq!(
            hdr,
            r#"{"code":0,"extFields":{"queueId":"3"},"flag":1,"language":"JAVA","opaque":17,"remark":null,"serializeTypeCurrentRPC":"JSON","version":409}"#
        );
        assert_eq!(&out[8 + hl..], b"xy");
        let mut out = Vec::new();
        Resp::begin(&mut out, SER_JSON, -5).finish(&[]);
        assert!(std::str::from_utf8(&out[8..]).unwrap().starts_with(r#"{"code":0,"flag":1,"#));
        assert!(std::str::from_utf8(&out[8..]).unwrap().contains(r#""opaque":-5,"#));
    }

    #[test]
    fn batch_count() {
        let mut b = Vec::new();
        for len in [30usize, 40, 50] {
            b.extend_from_slice(&(len as i32).to_be_bytes());
            b.extend(std::iter::repeat(0u8).take(len - 4));
        }
        assert_eq!(count_batch(&b), 3);
        assert_eq!(count_batch(&[]), 1);
    }

    fn test_backlog() -> Backlog {
        let body: Vec<u8> = (0..1024).map(|i| b'a' + (i % 26) as u8).collect();
        Backlog {
            retry_route_body: b"{}".to_vec(),
            body_crc: crc32(&body) & 0x7FFF_FFFF,
            body,
            ip: [127, 0, 0, 1],
            port: 29876,
            clients: Mutex::new(Clients::default()),
        }
    }

    #[test]
    fn crc32_matches_java() {
        // java.util.zip.CRC32 of "123456789" is 0xCBF43926.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn heartbeat_and_lock_bodies() {
        let hb = br#"{"clientID":"127.0.0.1@4242","consumerDataSet":[{"consumeFromWhere":"X","groupName":"g1","subscriptionDataSet":[{"topic":"t","tagsSet":[]}]},{"groupName":"g2"}],"producerDataSet":[]}"#;
        let (c, g) = parse_heartbeat(hb).unwrap();
        assert_eq!(c, b"127.0.0.1@4242");
        assert_eq!(g, vec![&b"g1"[..], &b"g2"[..]]);
        assert!(parse_heartbeat(br#"{"producerDataSet":[]}"#).is_none());
        let lock = br#"{"clientId":"x","consumerGroup":"g","mqSet":[{"brokerName":"b","queueId":1,"topic":"t"}]}"#;
        assert_eq!(find_json_value(lock, b"mqSet").unwrap(), br#"[{"brokerName":"b","queueId":1,"topic":"t"}]"#);
    }

    fn rd_i32(b: &[u8], at: usize) -> i32 {
        i32::from_be_bytes(b[at..at + 4].try_into().unwrap())
    }
    fn rd_i64(b: &[u8], at: usize) -> i64 {
        i64::from_be_bytes(b[at..at + 8].try_into().unwrap())
    }

    /// Decodes the pull answer as MessageDecoder.decodes does.
    #[test]
    fn pull_answer_decodes() {
        let bl = test_backlog();
        let sh = Shared { route_body: vec![], id_prefix: *b"7F00000100007494", verbose: false, backlog: Some(bl) };
        let mut conn = ConnState { writer: None, templates: HashMap::new() };
        let h = br#"{"code":11,"extFields":{"consumerGroup":"g","topic":"BenchTopic","queueId":"3","queueOffset":"1000","maxMsgNums":"40","sysFlag":"3","commitOffset":"0","suspendTimeoutMillis":"15000","subscription":"*"},"flag":0,"language":"CPP","opaque":9,"remark":"","version":333}"#;
        let req = parse_json_header(h).unwrap();
        assert_eq!((req.topic, req.queue_offset, req.max_msg_nums, req.suspend_ms), (&b"BenchTopic"[..], 1000, 40, 15000));
        for round in 0..2 {
            let mut out = Vec::new();
            handle(&req, SER_JSON, &[], &mut out, &sh, &mut conn);
            let total = u32::from_be_bytes(out[0..4].try_into().unwrap()) as usize;
            assert_eq!(total, out.len() - 4);
            let hl = (u32::from_be_bytes(out[4..8].try_into().unwrap()) & 0xFF_FFFF) as usize;
            let hdr = std::str::from_utf8(&out[8..8 + hl]).unwrap();
            assert!(hdr.contains(r#""nextBeginOffset":"1032""#), "{hdr}");
            assert!(hdr.contains(r#""maxOffset":"1001032""#), "{hdr}");
            assert!(hdr.starts_with(r#"{"code":0,"#), "{hdr}");
            let mut b = &out[8 + hl..];
            let mut k = 0i64;
            while !b.is_empty() {
                let size = rd_i32(b, 0) as usize;
                let r = &b[..size];
                assert_eq!(rd_i32(r, 4) as u32, MESSAGE_MAGIC);
                assert_eq!(rd_i32(r, 12), 3);
                assert_eq!(rd_i64(r, 20), 1000 + k);
                assert!(rd_i64(r, 40) > 1_600_000_000_000);
                let bl = rd_i32(r, 84) as usize;
                assert_eq!(bl, 1024);
                assert_eq!(rd_i32(r, 8) as u32, crc32(&r[88..88 + bl]) & 0x7FFF_FFFF);
                let tl = r[88 + bl] as usize;
                assert_eq!(&r[89 + bl..89 + bl + tl], b"BenchTopic");
                let pl = i16::from_be_bytes(r[89 + bl + tl..91 + bl + tl].try_into().unwrap()) as usize;
                assert_eq!(91 + bl + tl + pl, size);
                let props = std::str::from_utf8(&r[91 + bl + tl..]).unwrap();
                let want = format!("UNIQ_KEY\x017F00000174B40003{:016X}\x02TAGS\x01TagA\x02KEYS\x01k{:016}\x02", 1000 + k, 1000 + k);
                assert_eq!(props, want, "round {round}");
                b = &b[size..];
                k += 1;
            }
            assert_eq!(k, PULL_MAX as i64);
        }
        assert_eq!(conn.templates.len(), 1);
    }

    #[test]
    fn consumer_list_from_heartbeat() {
        let sh = Shared { route_body: vec![], id_prefix: *b"7F00000100007494", verbose: false, backlog: Some(test_backlog()) };
        let mut conn = ConnState { writer: None, templates: HashMap::new() };
        let hb = br#"{"code":34,"flag":0,"language":"CPP","opaque":1,"version":333}"#;
        let mut out = Vec::new();
        handle(&parse_json_header(hb).unwrap(), SER_JSON, br#"{"clientID":"10.0.0.1@77","consumerDataSet":[{"groupName":"gA"}]}"#, &mut out, &sh, &mut conn);
        let q = br#"{"code":38,"extFields":{"consumerGroup":"gA"},"flag":0,"language":"CPP","opaque":2,"version":333}"#;
        out.clear();
        handle(&parse_json_header(q).unwrap(), SER_JSON, &[], &mut out, &sh, &mut conn);
        assert!(out.ends_with(br#"{"consumerIdList":["10.0.0.1@77"]}"#));
    }

    /// `cargo test --release -- --ignored --nocapture`: parse + answer cost
    /// of one SEND_MESSAGE_V2 request (no syscalls).
    #[test]
    #[ignore]
    fn bench_handle_send_v2() {
        let h = br#"{"code":310,"extFields":{"AccessKey":"AK_TEST","OnsChannel":"ALIYUN","Signature":"3opqI1chPj/4rBmoHYDZWiYv5Y0=","a":"wire_producer_group","b":"WireTopic","c":"TBW102","d":4,"e":3,"f":0,"g":"1795824541824","h":0,"i":"KEYS\u0001k1\u0002TAGS\u0001TagA\u0002UNIQ_KEY\u00017F00000128DB3FDC55F48B13F8800000\u0002WAIT\u0001true\u0002","j":"0","k":"0","l":16,"m":"0"},"flag":0,"language":"CPP","opaque":12345,"remark":"","version":333}"#;
        let sh = Shared { route_body: vec![], id_prefix: *b"7F00000100007494", verbose: false, backlog: None };
        let mut conn = ConnState { writer: None, templates: HashMap::new() };
        let body = vec![7u8; 1024];
        let mut out = Vec::with_capacity(1 << 20);
        let n = 2_000_000u32;
        let t = Instant::now();
        for _ in 0..n {
            let req = parse_json_header(std::hint::black_box(h)).unwrap();
            handle(&req, SER_JSON, &body, &mut out, &sh, &mut conn);
            std::hint::black_box(&out);
            out.clear();
        }
        let ns = t.elapsed().as_nanos() as f64 / n as f64;
        eprintln!("parse+answer SEND_MESSAGE_V2: {ns:.0} ns/request ({} header bytes)", h.len());
    }

    /// `cargo test --release -- --ignored --nocapture`: parse + answer cost of one
    /// PULL_MESSAGE (32 messages of 1 KiB) with --pull-backlog (no syscalls).
    #[test]
    #[ignore]
    fn bench_handle_pull() {
        let sh = Shared { route_body: vec![], id_prefix: *b"7F00000100007494", verbose: false, backlog: Some(test_backlog()) };
        let mut conn = ConnState { writer: None, templates: HashMap::new() };
        let h = br#"{"code":11,"extFields":{"commitOffset":"0","consumerGroup":"bench_consumer","expressionType":"TAG","maxMsgNums":"32","queueId":"3","queueOffset":"123456","subVersion":"0","subscription":"*","suspendTimeoutMillis":"15000","sysFlag":"6","topic":"rmq_bench"},"flag":0,"language":"CPP","opaque":12345,"remark":"","version":333}"#;
        let mut out = Vec::with_capacity(1 << 20);
        let n = 200_000u32;
        let t = Instant::now();
        for _ in 0..n {
            let req = parse_json_header(std::hint::black_box(h)).unwrap();
            handle(&req, SER_JSON, &[], &mut out, &sh, &mut conn);
            std::hint::black_box(&out);
            out.clear();
        }
        let ns = t.elapsed().as_nanos() as f64 / n as f64;
        eprintln!("parse+answer PULL_MESSAGE (32 x 1 KiB): {ns:.0} ns/request, {:.0} ns/message", ns / 32.0);
    }
}
