//! Messages: what a producer sends ([`Message`]) and what the broker stores and hands back
//! ([`MessageExt`]), with their wire encodings.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use bytes::{Buf, BufMut, Bytes, BytesMut};

use super::error::{Error, Result};

/// Property names (`MessageConst` in the Java client).
pub mod prop {
    pub const TAGS: &str = "TAGS";
    pub const KEYS: &str = "KEYS";
    pub const WAIT: &str = "WAIT";
    pub const DELAY: &str = "DELAY";
    pub const UNIQ_KEY: &str = "UNIQ_KEY";
    pub const TRAN_MSG: &str = "TRAN_MSG";
    pub const PGROUP: &str = "PGROUP";
    pub const SHARDING_KEY: &str = "__SHARDINGKEY";
    pub const RETRY_TOPIC: &str = "RETRY_TOPIC";
    pub const MAX_RECONSUME_TIMES: &str = "MAX_RECONSUME_TIMES";
}

/// `MessageSysFlag` bits.
pub mod sysflag {
    pub const COMPRESSED: i32 = 0x1;
    pub const TRANSACTION_PREPARED: i32 = 0x4;
    pub const BORNHOST_V6: i32 = 0x10;
    pub const STOREHOST_V6: i32 = 0x20;
    pub const COMPRESSION_TYPE_MASK: i32 = 0x700;
    pub const COMPRESSION_LZ4: i32 = 0x100;
    pub const COMPRESSION_ZSTD: i32 = 0x200;
}

const NAME_VALUE_SEPARATOR: char = '\u{1}';
const PROPERTY_SEPARATOR: char = '\u{2}';

/// An outgoing message. (`Default` is the empty placeholder, without `Message::new`'s `WAIT`.)
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    pub topic: String,
    pub flag: i32,
    pub sys_flag: i32,
    pub body: Vec<u8>,
    pub properties: BTreeMap<String, String>,
}

impl Message {
    /// A new message carries `WAIT=true`, as the original's did from construction.
    pub fn new(topic: &str) -> Self {
        let mut properties = BTreeMap::new();
        properties.insert(prop::WAIT.to_string(), "true".to_string());
        Message { topic: topic.to_string(), flag: 0, sys_flag: 0, body: Vec::new(), properties }
    }

    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(String::as_str)
    }

    /// Sets a property; `TRAN_MSG=true` also sets the prepared-transaction bit, as 2.2.0 did.
    pub fn set_property(&mut self, key: &str, value: &str) {
        if key == prop::TRAN_MSG {
            if value == "true" {
                self.sys_flag |= sysflag::TRANSACTION_PREPARED;
            } else {
                self.sys_flag &= !sysflag::TRANSACTION_PREPARED;
            }
        }
        self.properties.insert(key.to_string(), value.to_string());
    }

    pub fn delay_level(&self) -> i32 {
        self.property(prop::DELAY).map(atoi).unwrap_or(0)
    }

    /// Roughly the heap this message holds: body, topic and properties, each allocation with
    /// the allocator's overhead (for memory budgets; not exact).
    pub fn footprint(&self) -> usize {
        const PER_ALLOCATION: usize = 32;
        const PER_PROPERTY: usize = 2 * PER_ALLOCATION + 16; // two strings and their tree slot
        let properties: usize = self.properties.iter().map(|(k, v)| k.len() + v.len() + PER_PROPERTY).sum();
        self.body.len() + self.topic.len() + 2 * PER_ALLOCATION + properties
    }
}

/// C `atoi`: leading blanks, optional sign, digits; anything else ends the number.
pub fn atoi(s: &str) -> i32 {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut v: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        v = (v * 10 + (b - b'0') as i64).min(i64::from(i32::MAX) + 1);
    }
    (if neg { -v } else { v }).clamp(i32::MIN as i64, i32::MAX as i64) as i32
}

/// `name\x01value\x02` for each property, in name order.
pub fn encode_properties(props: &BTreeMap<String, String>) -> String {
    let mut s = String::with_capacity(props.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (k, v) in props {
        s.push_str(k);
        s.push(NAME_VALUE_SEPARATOR);
        s.push_str(v);
        s.push(PROPERTY_SEPARATOR);
    }
    s
}

/// Parses a properties string, with or without the trailing separator.
pub fn decode_properties(s: &str) -> BTreeMap<String, String> {
    s.split(PROPERTY_SEPARATOR)
        .filter_map(|pair| pair.split_once(NAME_VALUE_SEPARATOR))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Encodes the messages of a batch into one SEND_BATCH_MESSAGE body.
pub fn encode_batch(messages: &[Message]) -> Result<Bytes> {
    let mut out = BytesMut::new();
    for m in messages {
        let props = encode_properties(&m.properties);
        if props.len() > i16::MAX as usize {
            return Err(Error::InvalidMessage("properties of a batched message exceed 32767 bytes".into()));
        }
        let total = 4 + 4 + 4 + 4 + 4 + m.body.len() + 2 + props.len();
        out.put_i32(total as i32);
        out.put_i32(0); // magic code
        out.put_i32(0); // body CRC
        out.put_i32(m.flag);
        out.put_i32(m.body.len() as i32);
        out.put_slice(&m.body);
        out.put_i16(props.len() as i16);
        out.put_slice(props.as_bytes());
    }
    Ok(out.freeze())
}

/// A message as the broker stored it (pulled, checked back, or looked up).
#[derive(Debug, Clone, PartialEq)]
pub struct MessageExt {
    pub message: Message,
    pub store_size: i32,
    pub body_crc: i32,
    pub queue_id: i32,
    pub queue_offset: i64,
    pub commit_log_offset: i64,
    pub born_timestamp: i64,
    pub born_host: SocketAddr,
    pub store_timestamp: i64,
    pub store_host: SocketAddr,
    pub reconsume_times: i32,
    pub prepared_transaction_offset: i64,
}

impl MessageExt {
    /// The client-side unique id when the producer set one, else the broker's offset id.
    pub fn msg_id(&self) -> std::borrow::Cow<'_, str> {
        match self.message.property(prop::UNIQ_KEY) {
            Some(id) => id.into(),
            None => self.offset_msg_id().into(),
        }
    }

    /// The broker's id: store host + commit-log offset (made when asked: most messages carry
    /// a unique id, and this is per message on the consume path).
    pub fn offset_msg_id(&self) -> String {
        offset_message_id(&self.store_host, self.commit_log_offset)
    }

    /// [`Message::footprint`] and this struct's own allocation.
    pub fn footprint(&self) -> usize {
        self.message.footprint() + std::mem::size_of::<Self>() + 32
    }
}

const MAGIC_V1: i32 = 0xDAA320A7u32 as i32;
const MAGIC_V2: i32 = 0xDAA320ABu32 as i32;

/// Decodes back-to-back stored messages (a pull response body).
pub fn decode_messages(mut data: Bytes) -> Result<Vec<MessageExt>> {
    let mut out = Vec::new();
    while data.remaining() >= 4 {
        let size = i32::from_be_bytes([data[0], data[1], data[2], data[3]]);
        if size <= 0 || size as usize > data.remaining() {
            return Err(Error::Protocol(format!("stored message size {size} exceeds the {} bytes left", data.remaining())));
        }
        let record = data.split_to(size as usize);
        out.push(decode_message(record)?);
    }
    Ok(out)
}

fn truncated() -> Error {
    Error::Protocol("truncated stored message".into())
}

fn take(b: &mut Bytes, n: usize) -> Result<Bytes> {
    if b.remaining() < n {
        return Err(truncated());
    }
    Ok(b.split_to(n))
}

fn get_i32(b: &mut Bytes) -> Result<i32> {
    Ok(take(b, 4)?.get_i32())
}

fn get_i64(b: &mut Bytes) -> Result<i64> {
    Ok(take(b, 8)?.get_i64())
}

fn get_host(b: &mut Bytes, v6: bool) -> Result<SocketAddr> {
    let ip = if v6 {
        let raw: [u8; 16] = take(b, 16)?[..].try_into().map_err(|_| truncated())?;
        IpAddr::V6(Ipv6Addr::from(raw))
    } else {
        let raw: [u8; 4] = take(b, 4)?[..].try_into().map_err(|_| truncated())?;
        IpAddr::V4(Ipv4Addr::from(raw))
    };
    let port = get_i32(b)?;
    Ok(SocketAddr::new(ip, port as u16))
}

/// Decodes one stored message record (MessageDecoder layout, V1 or V2 magic).
pub fn decode_message(mut b: Bytes) -> Result<MessageExt> {
    let store_size = get_i32(&mut b)?;
    let magic = get_i32(&mut b)?;
    if magic != MAGIC_V1 && magic != MAGIC_V2 {
        return Err(Error::Protocol(format!("unknown message magic code {magic:#x}")));
    }
    let body_crc = get_i32(&mut b)?;
    let queue_id = get_i32(&mut b)?;
    let flag = get_i32(&mut b)?;
    let queue_offset = get_i64(&mut b)?;
    let commit_log_offset = get_i64(&mut b)?;
    let sys_flag = get_i32(&mut b)?;
    let born_timestamp = get_i64(&mut b)?;
    let born_host = get_host(&mut b, sys_flag & sysflag::BORNHOST_V6 != 0)?;
    let store_timestamp = get_i64(&mut b)?;
    let store_host = get_host(&mut b, sys_flag & sysflag::STOREHOST_V6 != 0)?;
    let reconsume_times = get_i32(&mut b)?;
    let prepared_transaction_offset = get_i64(&mut b)?;
    let body_len = get_i32(&mut b)?.max(0) as usize;
    let raw_body = take(&mut b, body_len)?;
    let body = if sys_flag & sysflag::COMPRESSED != 0 {
        decompress(&raw_body, sys_flag)?
    } else {
        raw_body.to_vec()
    };
    let topic_len = if magic == MAGIC_V2 { take(&mut b, 2)?.get_i16() as usize } else { take(&mut b, 1)?.get_u8() as usize };
    let topic = String::from_utf8_lossy(&take(&mut b, topic_len)?).into_owned();
    let props_len = if b.remaining() >= 2 { b.get_i16().max(0) as usize } else { 0 };
    let properties = decode_properties(&String::from_utf8_lossy(&take(&mut b, props_len)?));
    Ok(MessageExt {
        message: Message { topic, flag, sys_flag, body, properties },
        store_size,
        body_crc,
        queue_id,
        queue_offset,
        commit_log_offset,
        born_timestamp,
        born_host,
        store_timestamp,
        store_host,
        reconsume_times,
        prepared_transaction_offset,
    })
}

/// The most a compressed body may inflate to. A producer checks the uncompressed body against
/// its maximum message size (4 MiB by default), so a real body stays far below this; a few KiB
/// of zlib or zstd from a broken or hostile peer could otherwise ask for gigabytes.
pub const MAX_INFLATED_BODY: usize = 64 * 1024 * 1024;

/// Inflates a body by the compression type in bits 8-10 of the sys flag: LZ4 (frame format,
/// as lz4-java writes it), ZSTD (a zstd frame), else zlib — type 0 (old producers that only set
/// the compressed bit, such as rocketmq-client-cpp) and 3 both mean zlib. At most
/// [`MAX_INFLATED_BODY`] bytes.
pub(crate) fn decompress(data: &[u8], sys_flag: i32) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).min(MAX_INFLATED_BODY));
    let kind = sys_flag & sysflag::COMPRESSION_TYPE_MASK;
    let r = if kind == sysflag::COMPRESSION_LZ4 {
        read_capped(lz4_flex::frame::FrameDecoder::new(data), &mut out)
    } else if kind == sysflag::COMPRESSION_ZSTD {
        ruzstd::decoding::StreamingDecoder::new(data)
            .map_err(|e| e.to_string())
            .and_then(|d| read_capped(d, &mut out))
    } else {
        read_capped(flate2::read::ZlibDecoder::new(data), &mut out)
    };
    r.map_err(|e| Error::Protocol(format!("cannot decompress message body (type {:#x}): {e}", kind >> 8)))?;
    Ok(out)
}

/// Reads `r` to its end into `out`, refusing more than [`MAX_INFLATED_BODY`] bytes.
fn read_capped(r: impl Read, out: &mut Vec<u8>) -> std::result::Result<(), String> {
    let limit = MAX_INFLATED_BODY as u64;
    r.take(limit + 1).read_to_end(out).map_err(|e| e.to_string())?;
    if out.len() as u64 > limit {
        return Err(format!("inflates to more than {MAX_INFLATED_BODY} bytes"));
    }
    Ok(())
}

/// zlib (RFC 1950) as the Java and C++ clients write it.
pub fn compress(data: &[u8], level: i32) -> Vec<u8> {
    use std::io::Write;
    let level = if (0..=9).contains(&level) { flate2::Compression::new(level as u32) } else { flate2::Compression::default() };
    let mut enc = flate2::write::ZlibEncoder::new(Vec::with_capacity(data.len() / 2), level);
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// The broker's offset message id: store IP + port + commit-log offset, upper-case hex.
pub fn offset_message_id(store_host: &SocketAddr, commit_log_offset: i64) -> String {
    let mut raw = Vec::with_capacity(28);
    match store_host.ip() {
        IpAddr::V4(ip) => raw.extend_from_slice(&ip.octets()),
        IpAddr::V6(ip) => raw.extend_from_slice(&ip.octets()),
    }
    raw.extend_from_slice(&(store_host.port() as i32).to_be_bytes());
    raw.extend_from_slice(&commit_log_offset.to_be_bytes());
    hex_upper(&raw)
}

pub fn hex_upper(raw: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(raw.len() * 2);
    for b in raw {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xF) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_round_trip_and_order() {
        let mut m = Message::new("T");
        m.set_property("uni", "\u{fc}n\u{ef}c\u{f6}d\u{e9}");
        m.set_property("KEYS", "k1");
        let s = encode_properties(&m.properties);
        assert_eq!(s, "KEYS\u{1}k1\u{2}WAIT\u{1}true\u{2}uni\u{1}\u{fc}n\u{ef}c\u{f6}d\u{e9}\u{2}");
        assert_eq!(decode_properties(&s), m.properties);
        assert_eq!(decode_properties("A\u{1}1\u{2}B\u{1}2").len(), 2);
    }

    #[test]
    fn tran_msg_sets_the_prepared_bit() {
        let mut m = Message::new("T");
        m.set_property(prop::TRAN_MSG, "true");
        assert_eq!(m.sys_flag & sysflag::TRANSACTION_PREPARED, 4);
        m.set_property(prop::TRAN_MSG, "false");
        assert_eq!(m.sys_flag, 0);
    }

    #[test]
    fn atoi_is_c_like() {
        assert_eq!(atoi("3"), 3);
        assert_eq!(atoi(" -12x"), -12);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi("99999999999"), i32::MAX);
    }

    #[test]
    fn ipv6_hosts_are_decoded() {
        let flags = sysflag::BORNHOST_V6 | sysflag::STOREHOST_V6;
        let m = decode_message(stored("T", b"x", "", flags)).unwrap();
        assert_eq!(m.born_host.to_string(), "[::1]:5555");
        assert_eq!(m.store_host.to_string(), "[::1]:10911");
        assert_eq!(m.offset_msg_id().len(), 56);
    }

    #[test]
    fn lz4_and_zstd_bodies_are_decoded() {
        use std::io::Write;
        let body: Vec<u8> = (0..20000u32).map(|i| (i % 97) as u8).collect();
        let mut lz4 = lz4_flex::frame::FrameEncoder::new(Vec::new());
        lz4.write_all(&body).unwrap();
        let lz4 = lz4.finish().unwrap();
        assert_eq!(decompress(&lz4, sysflag::COMPRESSED | sysflag::COMPRESSION_LZ4).unwrap(), body);
        let zstd = ruzstd::encoding::compress_to_vec(&body[..], ruzstd::encoding::CompressionLevel::Fastest);
        assert_eq!(decompress(&zstd, sysflag::COMPRESSED | sysflag::COMPRESSION_ZSTD).unwrap(), body);
        assert!(decompress(b"not zstd", sysflag::COMPRESSED | sysflag::COMPRESSION_ZSTD).is_err());
    }

    #[test]
    fn a_body_that_inflates_beyond_the_limit_is_refused() {
        let zeros = vec![0u8; MAX_INFLATED_BODY + 1];
        let z = compress(&zeros, 9);
        let e = decompress(&z, sysflag::COMPRESSED).unwrap_err().to_string();
        assert!(e.contains("inflates to more than"), "{e}");
        assert_eq!(decompress(&compress(&zeros[1..], 9), sysflag::COMPRESSED).unwrap().len(), MAX_INFLATED_BODY);
    }

    #[test]
    fn compress_round_trip() {
        let body: Vec<u8> = (0..10240u32).map(|i| (i % 251) as u8).collect();
        let z = compress(&body, 5);
        assert_eq!(&z[..1], &[0x78]);
        assert_eq!(decompress(&z, sysflag::COMPRESSED).unwrap(), body);
    }

    fn stored(topic: &str, body: &[u8], props: &str, sys_flag: i32) -> Bytes {
        let mut b = BytesMut::new();
        b.put_i32(0);
        b.put_i32(MAGIC_V1);
        b.put_i32(7);
        b.put_i32(3);
        b.put_i32(0);
        b.put_i64(42);
        b.put_i64(1000);
        b.put_i32(sys_flag);
        b.put_i64(1_700_000_000_000);
        if sys_flag & sysflag::BORNHOST_V6 != 0 {
            b.put_slice(&std::net::Ipv6Addr::LOCALHOST.octets());
        } else {
            b.put_slice(&[127, 0, 0, 1]);
        }
        b.put_i32(5555);
        b.put_i64(1_700_000_000_001);
        if sys_flag & sysflag::STOREHOST_V6 != 0 {
            b.put_slice(&std::net::Ipv6Addr::LOCALHOST.octets());
        } else {
            b.put_slice(&[127, 0, 0, 1]);
        }
        b.put_i32(10911);
        b.put_i32(2);
        b.put_i64(0);
        b.put_i32(body.len() as i32);
        b.put_slice(body);
        b.put_u8(topic.len() as u8);
        b.put_slice(topic.as_bytes());
        b.put_i16(props.len() as i16);
        b.put_slice(props.as_bytes());
        let len = b.len() as i32;
        b[0..4].copy_from_slice(&len.to_be_bytes());
        b.freeze()
    }

    #[test]
    fn decodes_stored_messages() {
        let mut both = BytesMut::new();
        both.put_slice(&stored("T", b"a\0b", "TAGS\u{1}x\u{2}UNIQ_KEY\u{1}ID1\u{2}", 0));
        both.put_slice(&stored("T", &compress(b"zzz", 5), "TAGS\u{1}y", sysflag::COMPRESSED));
        let msgs = decode_messages(both.freeze()).unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].message.body, b"a\0b");
        assert_eq!(msgs[0].msg_id(), "ID1");
        assert_eq!(msgs[0].queue_offset, 42);
        assert_eq!(msgs[0].reconsume_times, 2);
        assert_eq!(msgs[0].store_host.to_string(), "127.0.0.1:10911");
        assert_eq!(msgs[1].message.body, b"zzz");
        assert_eq!(msgs[1].msg_id(), "7F00000100002A9F00000000000003E8");
        assert_eq!(msgs[1].message.property("TAGS"), Some("y"));
    }
}
