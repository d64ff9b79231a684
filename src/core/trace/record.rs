//! Trace records in the Java client's text format (`TraceDataEncoder`), which `mqadmin
//! queryMsgTraceById`, the dashboard and the Java decoder read.
//!
//! A record is its fields joined by U+0001 and ended by U+0002; a trace message's body is
//! records one after another. Decoders split with Java's `String.split`, which drops trailing
//! empty fields, so no record may end with an empty field: absent tags or keys are written
//! as `null`, as the Java client writes them.

use std::time::{SystemTime, UNIX_EPOCH};

const FIELD_END: char = '\u{1}';
const RECORD_END: char = '\u{2}';

/// The region a broker that sends none is taken to be in (Java's default `regionId`).
pub const DEFAULT_REGION: &str = "DefaultRegion";

/// `MessageType` ordinals of a `Pub` record.
pub mod msg_type {
    pub const NORMAL: u8 = 0;
    pub const TRANSACTION_HALF: u8 = 1;
    pub const TRANSACTION_END: u8 = 2;
    pub const DELAY: u8 = 3;
}

/// `ConsumeReturnType` ordinals (a SubAfter's context code).
pub mod context_code {
    pub const SUCCESS: u8 = 0;
    pub const FAILED: u8 = 4;
}

/// One encoded record, and where in it the message id and keys are (the trace message's keys
/// are made from them; kept as byte ranges so the dispatcher need not parse the text again).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub text: String,
    id: (u32, u32),
    keys: (u32, u32),
}

impl Record {
    /// The traced message's id (for a batch, the ids joined by commas: one key).
    pub fn msg_id(&self) -> &str {
        self.text.get(self.id.0 as usize..self.id.1 as usize).unwrap_or("")
    }

    /// The traced message's keys, space separated, or `null`.
    pub fn keys(&self) -> &str {
        self.text.get(self.keys.0 as usize..self.keys.1 as usize).unwrap_or("")
    }
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as i64
}

/// Builds one record field by field (numbers written by hand: `core::fmt` costs several times
/// more, and this runs once per traced message).
struct Writer {
    text: String,
    id: (u32, u32),
    keys: (u32, u32),
}

impl Writer {
    fn new(kind: &str) -> Writer {
        let mut text = String::with_capacity(256);
        text.push_str(kind);
        Writer { text, id: (0, 0), keys: (0, 0) }
    }

    /// The field written next is the message id.
    fn id(mut self, v: &str) -> Writer {
        let start = self.text.len() as u32 + 1;
        self = self.raw(v);
        self.id = (start, self.text.len() as u32);
        self
    }

    /// The field written next is the keys.
    fn keys(mut self, v: &str) -> Writer {
        let start = self.text.len() as u32 + 1;
        self = self.text(v);
        self.keys = (start, self.text.len() as u32);
        self
    }

    /// A text field; the two separators cannot appear inside one (they would split the record),
    /// so they become blanks. Empty text becomes `null`.
    fn text(mut self, v: &str) -> Writer {
        self.text.push(FIELD_END);
        if v.is_empty() {
            self.text.push_str("null");
        } else if v.bytes().any(|b| b == FIELD_END as u8 || b == RECORD_END as u8) {
            self.text.extend(v.chars().map(|c| if c == FIELD_END || c == RECORD_END { ' ' } else { c }));
        } else {
            self.text.push_str(v);
        }
        self
    }

    /// A field the library made itself (an id, an address, a request id): no separators to
    /// look for; empty stays empty (never the last field).
    fn raw(mut self, v: &str) -> Writer {
        self.text.push(FIELD_END);
        self.text.push_str(v);
        self
    }

    fn num(mut self, v: i64) -> Writer {
        self.text.push(FIELD_END);
        if v < 0 {
            self.text.push('-');
        }
        let mut digits = [0u8; 20];
        let mut n = v.unsigned_abs();
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        // ASCII digits only
        self.text.push_str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
        self
    }

    fn flag(mut self, v: bool) -> Writer {
        self.text.push(FIELD_END);
        self.text.push_str(if v { "true" } else { "false" });
        self
    }

    fn done(mut self) -> Record {
        self.text.push(RECORD_END);
        Record { text: self.text, id: self.id, keys: self.keys }
    }
}

/// A send's outcome (`Pub`): 14 fields.
pub struct Pub<'a> {
    pub timestamp: i64,
    pub region: &'a str,
    pub group: &'a str,
    pub topic: &'a str,
    pub msg_id: &'a str,
    pub tags: &'a str,
    pub keys: &'a str,
    pub store_host: &'a str,
    pub body_length: usize,
    pub cost_ms: u64,
    pub msg_type: u8,
    pub offset_msg_id: &'a str,
    pub success: bool,
}

impl Pub<'_> {
    pub fn record(&self) -> Record {
        Writer::new("Pub")
            .num(self.timestamp)
            .text(self.region)
            .text(self.group)
            .text(self.topic)
            .id(self.msg_id)
            .text(self.tags)
            .keys(self.keys)
            .raw(self.store_host)
            .num(self.body_length as i64)
            .num(self.cost_ms as i64)
            .num(self.msg_type.into())
            .raw(self.offset_msg_id)
            .flag(self.success)
            .done()
    }
}

/// A message handed to the consume callback (`SubBefore`): 8 fields.
pub struct SubBefore<'a> {
    pub timestamp: i64,
    pub region: &'a str,
    pub group: &'a str,
    pub request_id: &'a str,
    pub msg_id: &'a str,
    pub retry_times: i32,
    pub keys: &'a str,
}

impl SubBefore<'_> {
    pub fn record(&self) -> Record {
        Writer::new("SubBefore")
            .num(self.timestamp)
            .text(self.region)
            .text(self.group)
            .raw(self.request_id)
            .id(self.msg_id)
            .num(self.retry_times.into())
            .keys(self.keys)
            .done()
    }
}

/// The callback's verdict on that message (`SubAfter`): 9 fields.
pub struct SubAfter<'a> {
    pub request_id: &'a str,
    pub msg_id: &'a str,
    pub cost_ms: u64,
    pub success: bool,
    pub keys: &'a str,
    pub context_code: u8,
    pub timestamp: i64,
    pub group: &'a str,
}

impl SubAfter<'_> {
    pub fn record(&self) -> Record {
        Writer::new("SubAfter")
            .raw(self.request_id)
            .id(self.msg_id)
            .num(self.cost_ms as i64)
            .flag(self.success)
            .keys(self.keys)
            .num(self.context_code.into())
            .num(self.timestamp)
            .text(self.group)
            .done()
    }
}

/// How a transaction ended (`EndTransaction`): 13 fields; the state as Java names it.
/// A transaction's end, as its `EndTransaction` record shows it.
pub struct Ended<'a> {
    pub topic: &'a str,
    pub msg_id: &'a str,
    pub tags: &'a str,
    pub keys: &'a str,
    pub store_host: &'a str,
    pub transaction_id: &'a str,
    /// `COMMIT_MESSAGE`, `ROLLBACK_MESSAGE` or `UNKNOW` (sic): Java's `LocalTransactionState` name.
    pub state: &'a str,
    /// Answered to the broker's check rather than after the local transaction.
    pub from_check: bool,
}

pub struct EndTransaction<'a> {
    pub timestamp: i64,
    pub region: &'a str,
    pub group: &'a str,
    pub ended: Ended<'a>,
}

impl EndTransaction<'_> {
    pub fn record(&self) -> Record {
        let e = &self.ended;
        Writer::new("EndTransaction")
            .num(self.timestamp)
            .text(self.region)
            .text(self.group)
            .text(e.topic)
            .id(e.msg_id)
            .text(e.tags)
            .keys(e.keys)
            .raw(e.store_host)
            .num(msg_type::TRANSACTION_END.into())
            .raw(e.transaction_id)
            .raw(e.state)
            .flag(e.from_check)
            .done()
    }
}

/// The keys of a trace message holding `records`: each record's message id and each of its
/// keys, once, space separated (what `queryMsgTraceById` looks the id up by).
pub fn message_keys<'a>(records: impl Iterator<Item = &'a Record>) -> String {
    // Sorted and deduplicated (no hashing: this runs on the I/O thread for every record); the
    // order of keys means nothing to the broker's index.
    let mut keys: Vec<&str> = Vec::new();
    for r in records {
        keys.push(r.msg_id());
        keys.extend(r.keys().split(' '));
    }
    keys.retain(|k| !k.is_empty() && *k != "null");
    keys.sort_unstable();
    keys.dedup();
    keys.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: &Record) -> Vec<&str> {
        assert!(r.text.ends_with(RECORD_END));
        r.text.trim_end_matches(RECORD_END).split(FIELD_END).collect()
    }

    #[test]
    fn pub_has_java_s_14_fields_and_null_for_missing_tags_and_keys() {
        let r = Pub {
            timestamp: 1700000000123,
            region: DEFAULT_REGION,
            group: "PG",
            topic: "T",
            msg_id: "ID1",
            tags: "",
            keys: "",
            store_host: "127.0.0.1:10911",
            body_length: 11,
            cost_ms: 3,
            msg_type: msg_type::NORMAL,
            offset_msg_id: "OFF",
            success: true,
        }
        .record();
        assert_eq!(
            fields(&r),
            ["Pub", "1700000000123", "DefaultRegion", "PG", "T", "ID1", "null", "null", "127.0.0.1:10911", "11", "3", "0", "OFF", "true"]
        );
        assert_eq!((r.msg_id(), r.keys()), ("ID1", "null"));
    }

    #[test]
    fn sub_records_and_end_transaction_field_counts() {
        let before = SubBefore { timestamp: 1, region: "R", group: "CG", request_id: "REQ", msg_id: "ID", retry_times: 2, keys: "K1 K2" }.record();
        assert_eq!(fields(&before), ["SubBefore", "1", "R", "CG", "REQ", "ID", "2", "K1 K2"]);
        let after = SubAfter {
            request_id: "REQ",
            msg_id: "ID",
            cost_ms: 7,
            success: false,
            keys: "",
            context_code: context_code::FAILED,
            timestamp: 9,
            group: "CG",
        }
        .record();
        assert_eq!(fields(&after), ["SubAfter", "REQ", "ID", "7", "false", "null", "4", "9", "CG"]);
        assert_eq!(after.msg_id(), "ID");
        let end = EndTransaction {
            timestamp: 5,
            region: DEFAULT_REGION,
            group: "PG",
            ended: Ended {
                topic: "T",
                msg_id: "ID",
                tags: "TagT",
                keys: "KT",
                store_host: "h:1",
                transaction_id: "TX",
                state: "COMMIT_MESSAGE",
                from_check: false,
            },
        }
        .record();
        assert_eq!(fields(&end).len(), 13);
        assert_eq!(fields(&end)[9], "2");
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        let r = SubBefore { timestamp: -12, region: "R", group: "G", request_id: "Q", msg_id: "I", retry_times: 1_000_000, keys: "k" }.record();
        assert_eq!(fields(&r)[1], "-12");
        assert_eq!(fields(&r)[6], "1000000");
        let r = SubBefore { timestamp: 0, region: "R", group: "G", request_id: "Q", msg_id: "I", retry_times: 0, keys: "k" }.record();
        assert_eq!(fields(&r)[1], "0");
    }

    #[test]
    fn separators_inside_a_value_cannot_split_the_record() {
        let r = SubBefore { timestamp: 1, region: "R", group: "CG", request_id: "REQ", msg_id: "ID", retry_times: 0, keys: "a\u{1}b\u{2}c" }.record();
        assert_eq!(fields(&r)[7], "a b c");
    }

    #[test]
    fn an_empty_offset_id_stays_an_empty_middle_field() {
        let mut p = Pub {
            timestamp: 1,
            region: "R",
            group: "G",
            topic: "T",
            msg_id: "I",
            tags: "t",
            keys: "k",
            store_host: "h",
            body_length: 1,
            cost_ms: 0,
            msg_type: 0,
            offset_msg_id: "",
            success: true,
        };
        assert_eq!(fields(&p.record())[12], "");
        p.success = false;
        assert_eq!(*fields(&p.record()).last().unwrap(), "false");
    }

    #[test]
    fn message_keys_are_ids_and_keys_once_each() {
        let a = SubBefore { timestamp: 1, region: "R", group: "G", request_id: "Q", msg_id: "ID1", retry_times: 0, keys: "K1 K2" }.record();
        let b = SubAfter { request_id: "Q", msg_id: "ID1", cost_ms: 0, success: true, keys: "K1 K2", context_code: 0, timestamp: 1, group: "G" }
            .record();
        let c = SubBefore { timestamp: 1, region: "R", group: "G", request_id: "Q", msg_id: "ID2", retry_times: 0, keys: "" }.record();
        assert_eq!(message_keys([&a, &b, &c].into_iter()), "ID1 ID2 K1 K2");
    }
}
