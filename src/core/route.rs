//! Topic routes as the name server describes them, and the queue lists derived from them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::{Error, Result};

pub const MASTER_ID: i64 = 0;
const PERM_WRITE: i32 = 0x2;
const PERM_READ: i32 = 0x4;
/// The most queues we take from one topic's route. Real topics have tens or hundreds; the queue
/// counts are a name server's word, and `i32::MAX` of them would exhaust memory.
pub const MAX_QUEUES_PER_TOPIC: usize = 65_536;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageQueue {
    pub topic: String,
    pub broker_name: String,
    pub queue_id: i32,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QueueData {
    pub broker_name: String,
    #[serde(default)]
    pub read_queue_nums: i32,
    #[serde(default)]
    pub write_queue_nums: i32,
    #[serde(default)]
    pub perm: i32,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BrokerData {
    #[serde(default)]
    pub cluster: String,
    pub broker_name: String,
    #[serde(default)]
    pub broker_addrs: BTreeMap<i64, String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct TopicRouteData {
    #[serde(default)]
    pub queue_datas: Vec<QueueData>,
    #[serde(default)]
    pub broker_datas: Vec<BrokerData>,
}

impl TopicRouteData {
    /// Parses the name server's JSON, including fastjson's non-standard unquoted integer map
    /// keys (`{0:"127.0.0.1:10911"}`) that older-version requests get.
    pub fn parse(body: &[u8]) -> Result<Self> {
        let text = String::from_utf8_lossy(body);
        let fixed = quote_bare_keys(&text);
        serde_json::from_str(&fixed).map_err(|e| Error::Protocol(format!("bad route data: {e}")))
    }

    pub fn master_addr(&self, broker_name: &str) -> Option<&str> {
        self.broker_datas
            .iter()
            .find(|b| b.broker_name == broker_name)
            .and_then(|b| b.broker_addrs.get(&MASTER_ID))
            .map(String::as_str)
    }

    /// Writable queues of brokers that have a master, in broker-name then queue-id order.
    pub fn write_queues(&self, topic: &str) -> Vec<MessageQueue> {
        self.queues(topic, PERM_WRITE, |q| q.write_queue_nums)
    }

    /// Readable queues, the ones a consumer subscribes to.
    pub fn read_queues(&self, topic: &str) -> Vec<MessageQueue> {
        self.queues(topic, PERM_READ, |q| q.read_queue_nums)
    }

    fn queues(&self, topic: &str, perm: i32, count: impl Fn(&QueueData) -> i32) -> Vec<MessageQueue> {
        let mut datas: Vec<&QueueData> = self.queue_datas.iter().filter(|q| q.perm & perm != 0).collect();
        datas.sort_by(|a, b| a.broker_name.cmp(&b.broker_name));
        let mut out = Vec::new();
        for q in datas {
            if self.master_addr(&q.broker_name).is_none() {
                continue;
            }
            let room = MAX_QUEUES_PER_TOPIC - out.len();
            let n = (count(q).max(0) as usize).min(room) as i32;
            for id in 0..n {
                out.push(MessageQueue { topic: topic.to_string(), broker_name: q.broker_name.clone(), queue_id: id });
            }
        }
        out
    }
}

/// Quotes object keys that are bare integers, leaving string contents alone.
fn quote_bare_keys(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut expect_key = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
        } else if c == b'"' {
            in_string = true;
            expect_key = false;
        } else if c == b'{' || c == b',' {
            expect_key = true;
        } else if expect_key && (c == b'-' || c.is_ascii_digit()) {
            let start = i;
            while i < bytes.len() && (bytes[i] == b'-' || bytes[i].is_ascii_digit()) {
                i += 1;
            }
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b':' {
                out.push('"');
                out.push_str(&s[start..i]);
                out.push('"');
            } else {
                out.push_str(&s[start..i]);
            }
            expect_key = false;
            continue;
        } else if !c.is_ascii_whitespace() {
            expect_key = false;
        }
        // Multi-byte UTF-8 sequences are copied byte by byte via their char boundaries.
        let ch_len = utf8_len(c);
        out.push_str(&s[i..i + ch_len]);
        i += ch_len;
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FASTJSON: &str = r#"{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":4}]}"#;

    #[test]
    fn parses_fastjson_integer_keys() {
        let r = TopicRouteData::parse(FASTJSON.as_bytes()).unwrap();
        assert_eq!(r.master_addr("broker-a"), Some("127.0.0.1:10911"));
        assert_eq!(r.write_queues("T").len(), 4);
        assert_eq!(r.read_queues("T").len(), 8);
        assert_eq!(r.write_queues("T")[3].queue_id, 3);
    }

    #[test]
    fn leaves_strings_alone() {
        assert_eq!(quote_bare_keys(r#"{"a":"{1:2}",2:"x ü"}"#), r#"{"a":"{1:2}","2":"x ü"}"#);
        assert_eq!(quote_bare_keys(r#"{"a":[1,2]}"#), r#"{"a":[1,2]}"#);
    }

    #[test]
    fn queue_counts_beyond_the_limit_are_cut() {
        let json = FASTJSON.replace("\"writeQueueNums\":4", "\"writeQueueNums\":2147483647");
        let r = TopicRouteData::parse(json.as_bytes()).unwrap();
        assert_eq!(r.write_queues("T").len(), MAX_QUEUES_PER_TOPIC);
        assert_eq!(r.read_queues("T").len(), 8);
    }

    #[test]
    fn no_master_no_queues() {
        let json = FASTJSON.replace("0:\"127.0.0.1:10911\",", "");
        let r = TopicRouteData::parse(json.as_bytes()).unwrap();
        assert!(r.write_queues("T").is_empty());
    }
}
