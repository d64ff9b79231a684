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

/// One encoded record, and where its message id and keys are (the trace message's keys are
/// made from them).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub text: String,
    id_field: u8,
    keys_field: u8,
}

impl Record {
    /// The traced message's id (for a batch, the ids joined by commas: one key).
    pub fn msg_id(&self) -> &str {
        self.field(self.id_field)
    }

    /// The traced message's keys, space separated, or `null`.
    pub fn keys(&self) -> &str {
        self.field(self.keys_field)
    }

    fn field(&self, n: u8) -> &str {
        self.text.trim_end_matches(RECORD_END).split(FIELD_END).nth(n as usize).unwrap_or("")
    }
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as i64
}

/// Builds one record field by field.
struct Writer(String);

impl Writer {
    fn new(kind: &str) -> Writer {
        let mut s = String::with_capacity(192);
        s.push_str(kind);
        Writer(s)
    }

    /// A text field; the two separators cannot appear inside one (they would split the record),
    /// so they become blanks. Empty text becomes `null`.
    fn text(mut self, v: &str) -> Writer {
        self.0.push(FIELD_END);
        if v.is_empty() {
            self.0.push_str("null");
        } else if v.contains([FIELD_END, RECORD_END]) {
            self.0.extend(v.chars().map(|c| if c == FIELD_END || c == RECORD_END { ' ' } else { c }));
        } else {
            self.0.push_str(v);
        }
        self
    }

    /// A field that may stay empty (never the last one).
    fn maybe_empty(mut self, v: &str) -> Writer {
        if v.is_empty() {
            self.0.push(FIELD_END);
            return self;
        }
        self.text(v)
    }

    fn num(mut self, v: impl std::fmt::Display) -> Writer {
        use std::fmt::Write;
        self.0.push(FIELD_END);
        let _ = write!(self.0, "{v}");
        self
    }

    fn done(mut self, id_field: u8, keys_field: u8) -> Record {
        self.0.push(RECORD_END);
        Record { text: self.0, id_field, keys_field }
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
            .text(self.msg_id)
            .text(self.tags)
            .text(self.keys)
            .text(self.store_host)
            .num(self.body_length)
            .num(self.cost_ms)
            .num(self.msg_type)
            .maybe_empty(self.offset_msg_id)
            .num(self.success)
            .done(5, 7)
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
            .text(self.request_id)
            .text(self.msg_id)
            .num(self.retry_times)
            .text(self.keys)
            .done(5, 7)
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
            .text(self.request_id)
            .text(self.msg_id)
            .num(self.cost_ms)
            .num(self.success)
            .text(self.keys)
            .num(self.context_code)
            .num(self.timestamp)
            .text(self.group)
            .done(2, 5)
    }
}

/// How a transaction ended (`EndTransaction`): 13 fields; the state as Java names it.
pub struct EndTransaction<'a> {
    pub timestamp: i64,
    pub region: &'a str,
    pub group: &'a str,
    pub topic: &'a str,
    pub msg_id: &'a str,
    pub tags: &'a str,
    pub keys: &'a str,
    pub store_host: &'a str,
    pub transaction_id: &'a str,
    /// `COMMIT_MESSAGE`, `ROLLBACK_MESSAGE` or `UNKNOW` (sic).
    pub state: &'a str,
    pub from_check: bool,
}

impl EndTransaction<'_> {
    pub fn record(&self) -> Record {
        Writer::new("EndTransaction")
            .num(self.timestamp)
            .text(self.region)
            .text(self.group)
            .text(self.topic)
            .text(self.msg_id)
            .text(self.tags)
            .text(self.keys)
            .text(self.store_host)
            .num(msg_type::TRANSACTION_END)
            .text(self.transaction_id)
            .text(self.state)
            .num(self.from_check)
            .done(5, 7)
    }
}

/// The keys of a trace message holding `records`: each record's message id and each of its
/// keys, once, space separated (what `queryMsgTraceById` looks the id up by).
pub fn message_keys<'a>(records: impl Iterator<Item = &'a Record>) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for r in records {
        for k in std::iter::once(r.msg_id()).chain(r.keys().split(' ')) {
            if k.is_empty() || k == "null" || !seen.insert(k) {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(k);
        }
    }
    out
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
            topic: "T",
            msg_id: "ID",
            tags: "TagT",
            keys: "KT",
            store_host: "h:1",
            transaction_id: "TX",
            state: "COMMIT_MESSAGE",
            from_check: false,
        }
        .record();
        assert_eq!(fields(&end).len(), 13);
        assert_eq!(fields(&end)[9], "2");
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
        assert_eq!(message_keys([&a, &b, &c].into_iter()), "ID1 K1 K2 ID2");
    }
}
