//! `RemotingCommand`: the unit every RocketMQ request and response travels in, with its two header
//! encodings (JSON, which we send, and the binary `ROCKETMQ` one, which a broker may answer in).

use std::collections::BTreeMap;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use serde::Deserialize;

use super::RemotingError;

/// `version` we announce: V4_6_0, as rocketmq-client-cpp 2.2.0 does. Brokers derive behaviour
/// from it (route JSON style, signing of `_UNIQUE_KEY_QUERY`), so parity matters.
pub const CLIENT_VERSION: i32 = 333;
/// We speak for the CPP client: Java parses the language by name and rejects unknown names.
pub const CLIENT_LANGUAGE: &str = "CPP";

const FLAG_RESPONSE: i32 = 1;
const FLAG_ONEWAY: i32 = 2;

/// The largest frame we accept, as the Java side (`com.rocketmq.remoting.frameMaxLength`); a
/// length prefix beyond it means a broken or hostile peer.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

const SERIALIZE_JSON: u8 = 0;
const SERIALIZE_ROCKETMQ: u8 = 1;

/// A request or a response. Header fields are kept sorted by name: that is the order the ACL
/// signature is computed in, and the order the original client writes them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RemotingCommand {
    pub code: i32,
    pub version: i32,
    pub opaque: i32,
    pub flag: i32,
    pub remark: String,
    pub ext_fields: BTreeMap<String, String>,
    pub body: Bytes,
}

impl RemotingCommand {
    pub fn request(code: i32) -> Self {
        RemotingCommand { code, version: CLIENT_VERSION, ..Default::default() }
    }

    pub fn response(code: i32, opaque: i32) -> Self {
        RemotingCommand { code, version: CLIENT_VERSION, opaque, flag: FLAG_RESPONSE, ..Default::default() }
    }

    pub fn with_field(mut self, key: &str, value: impl ToString) -> Self {
        self.ext_fields.insert(key.to_string(), value.to_string());
        self
    }

    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    pub fn is_response(&self) -> bool {
        self.flag & FLAG_RESPONSE != 0
    }

    pub fn is_oneway(&self) -> bool {
        self.flag & FLAG_ONEWAY != 0
    }

    pub fn mark_oneway(&mut self) {
        self.flag |= FLAG_ONEWAY;
    }

    pub fn field(&self, key: &str) -> Option<&str> {
        self.ext_fields.get(key).map(String::as_str)
    }

    pub fn field_i64(&self, key: &str) -> Option<i64> {
        self.field(key).and_then(|v| v.trim().parse().ok())
    }

    /// Appends the whole frame (length prefix included) to `out`, header in JSON.
    pub fn encode_into(&self, out: &mut BytesMut) {
        let start = out.len();
        out.put_u32(0); // total length, patched below
        out.put_u32(0); // serialize type + header length, patched below
        let header_start = out.len();
        self.write_json_header(out);
        let header_len = out.len() - header_start;
        out.extend_from_slice(&self.body);
        let total = (out.len() - start - 4) as u32;
        out[start..start + 4].copy_from_slice(&total.to_be_bytes());
        let mark = ((SERIALIZE_JSON as u32) << 24) | (header_len as u32 & 0x00FF_FFFF);
        out[start + 4..start + 8].copy_from_slice(&mark.to_be_bytes());
    }

    pub fn encode(&self) -> BytesMut {
        let mut out = BytesMut::with_capacity(256 + self.body.len());
        self.encode_into(&mut out);
        out
    }

    fn write_json_header(&self, out: &mut BytesMut) {
        let mut w = out.writer();
        use std::io::Write;
        // Writing into a BytesMut cannot fail.
        let _ = write!(w, "{{\"code\":{},\"extFields\":{{", self.code);
        for (i, (k, v)) in self.ext_fields.iter().enumerate() {
            if i > 0 {
                let _ = w.write_all(b",");
            }
            let _ = serde_json::to_writer(&mut w, k);
            let _ = w.write_all(b":");
            let _ = serde_json::to_writer(&mut w, v);
        }
        let _ = write!(w, "}},\"flag\":{},\"language\":\"{}\",\"opaque\":{},\"remark\":", self.flag, CLIENT_LANGUAGE, self.opaque);
        let _ = serde_json::to_writer(&mut w, &self.remark);
        let _ = write!(w, ",\"serializeTypeCurrentRPC\":\"JSON\",\"version\":{}}}", self.version);
    }

    /// Decodes one frame without its 4-byte length prefix.
    pub fn decode(mut frame: Bytes) -> Result<Self, RemotingError> {
        if frame.len() < 4 {
            return Err(RemotingError::Codec("frame shorter than its header mark".into()));
        }
        let mark = frame.get_u32();
        let serialize_type = (mark >> 24) as u8;
        let header_len = (mark & 0x00FF_FFFF) as usize;
        if header_len > frame.len() {
            return Err(RemotingError::Codec(format!("header length {header_len} exceeds frame of {}", frame.len())));
        }
        let header = frame.split_to(header_len);
        let mut cmd = match serialize_type {
            SERIALIZE_JSON => decode_json_header(&header)?,
            SERIALIZE_ROCKETMQ => decode_binary_header(header)?,
            other => return Err(RemotingError::Codec(format!("unknown serialize type {other}"))),
        };
        cmd.body = frame;
        Ok(cmd)
    }
}

/// Splits the first complete frame (without its 4-byte length prefix) off the front of `buf`:
/// `Ok(None)` while it has not all arrived, an error for a length no peer may send.
pub fn split_frame(buf: &mut BytesMut) -> Result<Option<Bytes>, RemotingError> {
    let Some(len) = frame_len(buf)? else { return Ok(None) };
    if buf.len() < 4 + len {
        return Ok(None);
    }
    buf.advance(4);
    Ok(Some(buf.split_to(len).freeze()))
}

/// The length of the frame at the front of `buf` (prefix excluded), once its prefix is there.
pub fn frame_len(buf: &[u8]) -> Result<Option<usize>, RemotingError> {
    let Some(prefix) = buf.first_chunk::<4>() else { return Ok(None) };
    let len = u32::from_be_bytes(*prefix) as usize;
    if !(4..=MAX_FRAME).contains(&len) {
        return Err(RemotingError::Codec(format!("invalid frame length {len}")));
    }
    Ok(Some(len))
}

/// Header values are strings in Java's output, but the original client writes some as numbers;
/// accept any scalar (null: no value). Read with a visitor, not an untagged enum: serde buffers
/// every value of an untagged enum before trying its variants, which was a fifth of a
/// synchronous send's instructions.
struct Scalar(Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number, boolean or null")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(Some(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// `extFields`, read straight into the command's map (fields with a null value left out).
struct ExtFields(BTreeMap<String, String>);

impl<'de> Deserialize<'de> for ExtFields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ExtFields;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of scalars, or null")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ExtFields, A::Error> {
                let mut fields = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, Scalar>()? {
                    if let Some(v) = v.0 {
                        fields.insert(k, v);
                    }
                }
                Ok(ExtFields(fields))
            }
            fn visit_unit<E>(self) -> Result<ExtFields, E> {
                Ok(ExtFields(BTreeMap::new()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Deserialize)]
struct JsonHeader {
    #[serde(default)]
    code: i32,
    #[serde(default)]
    version: i32,
    #[serde(default)]
    opaque: i32,
    #[serde(default)]
    flag: i32,
    #[serde(default)]
    remark: Option<String>,
    #[serde(default, rename = "extFields")]
    ext_fields: Option<ExtFields>,
}

fn decode_json_header(header: &[u8]) -> Result<RemotingCommand, RemotingError> {
    let h: JsonHeader =
        serde_json::from_slice(header).map_err(|e| RemotingError::Codec(format!("bad JSON header: {e}")))?;
    let ext_fields = h.ext_fields.map(|f| f.0).unwrap_or_default();
    Ok(RemotingCommand {
        code: h.code,
        version: h.version,
        opaque: h.opaque,
        flag: h.flag,
        remark: h.remark.unwrap_or_default(),
        ext_fields,
        body: Bytes::new(),
    })
}

fn decode_binary_header(mut h: Bytes) -> Result<RemotingCommand, RemotingError> {
    fn need(h: &Bytes, n: usize) -> Result<(), RemotingError> {
        if h.remaining() < n {
            Err(RemotingError::Codec("truncated binary header".into()))
        } else {
            Ok(())
        }
    }
    fn string(h: &mut Bytes, len: usize) -> Result<String, RemotingError> {
        need(h, len)?;
        let raw = h.split_to(len);
        Ok(String::from_utf8_lossy(&raw).into_owned())
    }
    need(&h, 2 + 1 + 2 + 4 + 4 + 4)?;
    let code = h.get_i16() as i32;
    let _language = h.get_u8();
    let version = h.get_i16() as i32;
    let opaque = h.get_i32();
    let flag = h.get_i32();
    let remark_len = h.get_i32().max(0) as usize;
    let remark = string(&mut h, remark_len)?;
    let mut ext_fields = BTreeMap::new();
    need(&h, 4)?;
    let ext_len = h.get_i32().max(0) as usize;
    need(&h, ext_len)?;
    let mut ext = h.split_to(ext_len);
    while ext.has_remaining() {
        need(&ext, 2)?;
        let klen = ext.get_i16().max(0) as usize;
        let k = string(&mut ext, klen)?;
        need(&ext, 4)?;
        let vlen = ext.get_i32().max(0) as usize;
        let v = string(&mut ext, vlen)?;
        ext_fields.insert(k, v);
    }
    Ok(RemotingCommand { code, version, opaque, flag, remark, ext_fields, body: Bytes::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip() {
        let cmd = RemotingCommand::request(310)
            .with_field("b", "Topic\u{00fc}\"x")
            .with_field("a", "group")
            .with_body(&b"hello"[..]);
        let mut frame = cmd.encode().freeze();
        let total = frame.get_u32() as usize;
        assert_eq!(total, frame.len());
        let back = RemotingCommand::decode(frame).unwrap();
        assert_eq!(back.code, 310);
        assert_eq!(back.version, CLIENT_VERSION);
        assert_eq!(back.field("b"), Some("Topic\u{00fc}\"x"));
        assert_eq!(&back.body[..], b"hello");
    }

    #[test]
    fn binary_header_decodes() {
        let mut h = BytesMut::new();
        h.put_i16(0);
        h.put_u8(0);
        h.put_i16(409);
        h.put_i32(7);
        h.put_i32(1);
        h.put_i32(2);
        h.put_slice(b"ok");
        let mut ext = BytesMut::new();
        ext.put_i16(5);
        ext.put_slice(b"msgId");
        ext.put_i32(3);
        ext.put_slice(b"abc");
        h.put_i32(ext.len() as i32);
        h.put_slice(&ext);
        let mut frame = BytesMut::new();
        frame.put_u32((1u32 << 24) | h.len() as u32);
        frame.put_slice(&h);
        frame.put_slice(b"body");
        let cmd = RemotingCommand::decode(frame.freeze()).unwrap();
        assert_eq!((cmd.opaque, cmd.flag, cmd.remark.as_str()), (7, 1, "ok"));
        assert_eq!(cmd.field("msgId"), Some("abc"));
        assert_eq!(&cmd.body[..], b"body");
    }

    #[test]
    fn json_header_accepts_numbers_and_missing_fields() {
        let header = br#"{"code":0,"extFields":{"d":4,"x":"y","n":null},"opaque":3}"#;
        let mut frame = BytesMut::new();
        frame.put_u32(header.len() as u32);
        frame.put_slice(header);
        let cmd = RemotingCommand::decode(frame.freeze()).unwrap();
        assert_eq!(cmd.field("d"), Some("4"));
        assert_eq!(cmd.field("n"), None);
        assert_eq!(cmd.remark, "");

        let header = br#"{"code":1,"extFields":{"t":true,"m":-5,"f":1.5,"u":18446744073709551615,"s":"a\"b"}}"#;
        let mut frame = BytesMut::new();
        frame.put_u32(header.len() as u32);
        frame.put_slice(header);
        let cmd = RemotingCommand::decode(frame.freeze()).unwrap();
        let fields: Vec<(&str, &str)> = cmd.ext_fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(fields, [("f", "1.5"), ("m", "-5"), ("s", "a\"b"), ("t", "true"), ("u", "18446744073709551615")]);

        let header = br#"{"code":2,"extFields":null}"#;
        let mut frame = BytesMut::new();
        frame.put_u32(header.len() as u32);
        frame.put_slice(header);
        assert!(RemotingCommand::decode(frame.freeze()).unwrap().ext_fields.is_empty());
    }
}
