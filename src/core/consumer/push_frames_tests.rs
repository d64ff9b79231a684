//! Our push consumer's requests, checked against what rocketmq-client-cpp 2.2.0's push consumer
//! sent in the same situation (tests/vectors/cpp-2.2.0-push-consumer-requests.jsonl: group
//! `wire_consumer_group`, topic `WireTopic` with `TagA || TagB`, ACL keys AK_TEST/SK_TEST_SECRET,
//! one broker of 8 queues per topic answering offset 0 and "no new message").
//!
//! A local peer plays name server and broker (one address) the way the capture's did, and records
//! every request frame. For each request code of the capture (route, heartbeat, consumer list,
//! query offset, pull, update offset, unregister) we must send that code, with exactly the
//! capture's header field names, and the same values where they do not vary by run: group,
//! topics, queue ids, subscription, pull flags and sizes, offsets, the header's language and
//! version, and the heartbeat body's meaning. Normalised: client ids and `subVersion`
//! (timestamps), `Signature` (it signs those). Values are compared as text: the 2.2.0 JSON writes
//! some as numbers (`"queueId":0`), ours as strings, which the brokers read the same way.
//! Where we differ on purpose, always towards what the Java client sends, the difference is
//! listed below (ADDED_FIELDS, SKIPPED_LOOKUPS, `heartbeat_meaning`) and checked as such.
//! A missing capture fails the test. Needs no brokers.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::core::client::ClientConfig;
use crate::core::consumer::push::{ConsumeFrom, MessageListener, PushConfig, PushConsumer};
use crate::core::message::MessageExt;
use crate::core::route::MessageQueue;
use crate::core::signing::Credentials;
use crate::remoting::test_peer::read_frame;
use crate::remoting::RemotingCommand;
use serde_json::{json, Value};

const GROUP: &str = "wire_consumer_group";
const TOPIC: &str = "WireTopic";
const RETRY_TOPIC: &str = "%RETRY%wire_consumer_group";
const QUEUES: i32 = 8;

/// Header fields we send and 2.2.0 did not, with their value: all of them the Java client's.
const ADDED_FIELDS: &[(i64, &str, &str)] = &[
    // route lookups: a 5.x name server then answers in standard JSON (no unquoted integer keys)
    (105, "acceptStandardJsonOnly", "true"),
    // pulls name their filter's type (TAG or SQL92, which 2.2.0 did not have)
    (11, "expressionType", "TAG"),
];

/// Route lookups of 2.2.0's we do not make: its consumer also refreshed the route of TBW102, the
/// producers' default topic, which a consumer never uses.
const SKIPPED_LOOKUPS: &[&str] = &["TBW102"];

/// One request as it went over the wire: the JSON header as sent, and the body.
#[derive(Clone, Debug)]
struct Frame {
    header: Value,
    body: Vec<u8>,
}

impl Frame {
    fn code(&self) -> i64 {
        self.header["code"].as_i64().unwrap_or(-1)
    }

    /// extFields as text (numbers in decimal, as the signature reads them).
    fn fields(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Some(map) = self.header["extFields"].as_object() {
            for (k, v) in map {
                let s = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.insert(k.clone(), s);
            }
        }
        out
    }
}

fn capture() -> Vec<Frame> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/cpp-2.2.0-push-consumer-requests.jsonl");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("capture {path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let hex = v["body_hex"].as_str().unwrap();
            let body = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
            Frame { header: v["header"].clone(), body }
        })
        .collect()
}

// ---------------------------------------------------------------- the peer

/// The raw JSON header and body of a frame (without its length prefix).
fn split_frame(frame: &[u8]) -> Frame {
    let mark = u32::from_be_bytes(frame[0..4].try_into().unwrap());
    assert_eq!(mark >> 24, 0, "a request with a non-JSON header");
    let header_len = (mark & 0x00FF_FFFF) as usize;
    let header = serde_json::from_slice(&frame[4..4 + header_len]).expect("the request header is JSON");
    Frame { header, body: frame[4 + header_len..].to_vec() }
}

struct Peer {
    addr: String,
    frames: Arc<Mutex<Vec<Frame>>>,
}

/// Name server and broker on one address, answering as the capture's did.
fn peer() -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let frames = Arc::new(Mutex::new(Vec::new()));
    let client_id = Arc::new(Mutex::new(String::new()));
    let (recorded, me) = (frames.clone(), addr.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let (recorded, me, client_id) = (recorded.clone(), me.clone(), client_id.clone());
            std::thread::spawn(move || serve(conn, &me, &recorded, &client_id));
        }
    });
    Peer { addr, frames }
}

fn serve(mut conn: TcpStream, me: &str, recorded: &Mutex<Vec<Frame>>, client_id: &Mutex<String>) {
    let writer = Arc::new(Mutex::new(conn.try_clone().unwrap()));
    while let Some(raw) = read_frame(&mut conn) {
        let frame = split_frame(&raw);
        let req = RemotingCommand::decode(raw.into()).expect("our own decoder reads the request");
        recorded.lock().unwrap().push(frame.clone());
        let ok = RemotingCommand::response(0, req.opaque);
        let answer = match req.code {
            105 => {
                let route = json!({
                    "brokerDatas": [{"brokerAddrs": {"0": me}, "brokerName": "wire_broker", "cluster": "DefaultCluster"}],
                    "queueDatas": [{"brokerName": "wire_broker", "perm": 6, "readQueueNums": QUEUES,
                                    "topicSynFlag": 0, "writeQueueNums": QUEUES}],
                    "filterServerTable": {}
                });
                ok.with_body(serde_json::to_vec(&route).unwrap())
            }
            34 => {
                let hb: Value = serde_json::from_slice(&frame.body).unwrap_or(Value::Null);
                if let Some(id) = hb["clientID"].as_str() {
                    *client_id.lock().unwrap() = id.to_string();
                }
                ok
            }
            38 => {
                let ids = json!({"consumerIdList": [client_id.lock().unwrap().clone()]});
                ok.with_body(serde_json::to_vec(&ids).unwrap())
            }
            14 => ok.with_field("offset", 0),
            11 => {
                // "no new message" after a moment, like a broker's long poll cut short
                let resp = RemotingCommand::response(19, req.opaque)
                    .with_field("maxOffset", 0)
                    .with_field("minOffset", 0)
                    .with_field("nextBeginOffset", 0)
                    .with_field("suggestWhichBrokerId", 0);
                let writer = writer.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(300));
                    let _ = writer.lock().unwrap().write_all(&resp.encode());
                });
                continue;
            }
            _ => ok,
        };
        if req.is_oneway() {
            continue;
        }
        if writer.lock().unwrap().write_all(&answer.encode()).is_err() {
            return;
        }
    }
}

struct Ignore;

impl MessageListener for Ignore {
    fn consume(&self, _mq: &MessageQueue, msgs: &[Arc<MessageExt>]) -> Vec<bool> {
        vec![true; msgs.len()]
    }
}

fn run_our_consumer(peer: &Peer) -> Vec<Frame> {
    let config = PushConfig {
        group: GROUP.into(),
        client: ClientConfig {
            namesrv_addrs: vec![peer.addr.clone()],
            credentials: Credentials { access_key: "AK_TEST".into(), secret_key: "SK_TEST_SECRET".into(), channel: String::new() },
            ..Default::default()
        },
        subscriptions: vec![(TOPIC.into(), "TagA || TagB".into())],
        sql92_topics: Vec::new(),
        broadcasting: false,
        orderly: false,
        threads: 1,
        batch_max: 1,
        max_cache_messages: 1000,
        max_cache_bytes: 0,
        max_tps: 0,
        consume_from: ConsumeFrom::LastOffset,
        max_reconsume_times: -1,
        trace: None,
    };
    let consumer = PushConsumer::start(config, Arc::new(Ignore)).expect("the push consumer starts");
    // Until every queue of both topics has been pulled at least twice, or 20 s.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let pulls = peer.frames.lock().unwrap().iter().filter(|f| f.code() == 11).count();
        if pulls >= 4 * QUEUES as usize || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    consumer.shutdown().expect("shutdown");
    let frames = peer.frames.lock().unwrap().clone();
    frames
}

/// What varies by run, replaced: client ids (host@pid#...), subVersion (a timestamp), Signature.
fn normalised(mut fields: BTreeMap<String, String>) -> BTreeMap<String, String> {
    for (k, v) in fields.iter_mut() {
        if k == "clientID" || k == "subVersion" || k == "Signature" {
            *v = format!("<{k}>");
        }
    }
    fields
}

/// Java's `String.hashCode`, the tag codes of a subscription.
fn java_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// The heartbeat as the broker reads it (fastjson): 2.2.0 wrote enums as ordinals, we write the
/// Java client's names; fields the Java client adds with their default value (`classFilterMode`
/// false, `expressionType` TAG, `unitMode` false, an empty `producerDataSet`) mean what their
/// absence means. `codeSet` is checked apart: 2.2.0 sent zeros (it never filled it in), we send
/// the tags' hash codes as the Java client does; here it must be one per tag, and those codes.
fn heartbeat_meaning(body: &[u8], problems: &mut Vec<String>) -> Value {
    fn name(v: &mut Value, names: &[&str]) {
        if let Some(i) = v.as_u64() {
            *v = json!(names.get(i as usize).copied().unwrap_or("?"));
        }
    }
    fn drop_default(o: &mut serde_json::Map<String, Value>, key: &str, default: Value) {
        if o.get(key) == Some(&default) {
            o.remove(key);
        }
    }
    let mut v: Value = serde_json::from_slice(body).expect("the heartbeat body is JSON");
    v["clientID"] = json!("<clientID>");
    let o = v.as_object_mut().unwrap();
    drop_default(o, "producerDataSet", json!([]));
    for data in v["consumerDataSet"].as_array_mut().into_iter().flatten() {
        name(&mut data["consumeType"], &["CONSUME_ACTIVELY", "CONSUME_PASSIVELY"]);
        name(&mut data["messageModel"], &["BROADCASTING", "CLUSTERING"]);
        name(
            &mut data["consumeFromWhere"],
            &["CONSUME_FROM_LAST_OFFSET", "CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST", "CONSUME_FROM_MIN_OFFSET",
              "CONSUME_FROM_MAX_OFFSET", "CONSUME_FROM_FIRST_OFFSET", "CONSUME_FROM_TIMESTAMP"],
        );
        drop_default(data.as_object_mut().unwrap(), "unitMode", json!(false));
        for sub in data["subscriptionDataSet"].as_array_mut().into_iter().flatten() {
            let o = sub.as_object_mut().unwrap();
            o.insert("subVersion".into(), json!("<subVersion>"));
            o.entry("tagsSet").or_insert(json!([]));
            drop_default(o, "classFilterMode", json!(false));
            drop_default(o, "expressionType", json!("TAG"));
            let tags: Vec<String> =
                o["tagsSet"].as_array().unwrap().iter().map(|t| t.as_str().unwrap_or("").to_string()).collect();
            let codes = o.remove("codeSet").unwrap_or(json!([]));
            let zeros = json!(vec![0; tags.len()]);
            let hashes = json!(tags.iter().map(|t| java_hash(t)).collect::<Vec<_>>());
            if codes != zeros && codes != hashes {
                problems.push(format!("heartbeat: codeSet {codes} for tags {tags:?} (want {hashes})"));
            }
        }
        if let Some(subs) = data["subscriptionDataSet"].as_array_mut() {
            subs.sort_by_key(|s| s["topic"].as_str().unwrap_or("").to_string());
        }
    }
    v
}

/// Takes our ADDED_FIELDS out of a frame's fields, checking their value.
fn without_added(code: i64, mut fields: BTreeMap<String, String>, problems: &mut Vec<String>) -> BTreeMap<String, String> {
    for (c, key, value) in ADDED_FIELDS {
        if *c == code {
            match fields.remove(*key) {
                Some(v) if v == *value => {}
                other => problems.push(format!("code {code}: {key} {other:?}, expected {value:?}")),
            }
        }
    }
    fields
}

#[test]
fn push_consumer_requests_match_the_2_2_0_capture() {
    let theirs = capture();
    let peer = peer();
    let ours = run_our_consumer(&peer);
    let by_code = |frames: &[Frame]| -> BTreeMap<i64, Vec<Frame>> {
        let mut m: BTreeMap<i64, Vec<Frame>> = BTreeMap::new();
        for f in frames {
            m.entry(f.code()).or_default().push(f.clone());
        }
        m
    };
    let (theirs, ours) = (by_code(&theirs), by_code(&ours));
    let mut problems = Vec::new();
    for (code, their_frames) in &theirs {
        let Some(our_frames) = ours.get(code) else {
            problems.push(format!("code {code}: 2.2.0 sent {} of these, we sent none", their_frames.len()));
            continue;
        };
        let mut added = Vec::new();
        let our_fields: Vec<BTreeMap<String, String>> =
            our_frames.iter().map(|f| without_added(*code, f.fields(), &mut added)).collect();
        problems.extend(added);
        let their_frames: Vec<&Frame> = their_frames
            .iter()
            .filter(|f| !(*code == 105 && SKIPPED_LOOKUPS.contains(&f.fields()["topic"].as_str())))
            .collect();
        // the same header field names, every time
        let names = |f: &BTreeMap<String, String>| f.keys().cloned().collect::<BTreeSet<_>>();
        let their_names: BTreeSet<_> = their_frames.iter().map(|f| names(&f.fields())).collect();
        for (f, fields) in our_frames.iter().zip(&our_fields) {
            if !their_names.contains(&names(fields)) {
                problems.push(format!("code {code}: our fields {:?}, 2.2.0's {:?}", names(fields), their_names));
            }
            for key in ["language", "version", "flag"] {
                if f.header[key] != their_frames[0].header[key] {
                    problems.push(format!("code {code}: header {key} {} (2.2.0: {})", f.header[key], their_frames[0].header[key]));
                }
            }
        }
        // the same values (normalised), as a set: the order of queues differs from run to run
        let their_values: BTreeSet<_> = their_frames.iter().map(|f| normalised(f.fields())).collect();
        let our_values: BTreeSet<_> = our_fields.into_iter().map(normalised).collect();
        for v in their_values.difference(&our_values) {
            problems.push(format!("code {code}: 2.2.0 sent {v:?}, we never did"));
        }
        for v in our_values.difference(&their_values) {
            problems.push(format!("code {code}: we sent {v:?}, 2.2.0 never did"));
        }
    }
    for code in ours.keys().filter(|c| !theirs.contains_key(c)) {
        problems.push(format!("code {code}: we sent {} of these, 2.2.0 none", ours[code].len()));
    }
    // the heartbeat's body: the same document for the broker, ids and timestamps set aside
    if let (Some(t), Some(o)) = (theirs.get(&34), ours.get(&34)) {
        let want = heartbeat_meaning(&t[0].body, &mut problems);
        for f in o {
            let got = heartbeat_meaning(&f.body, &mut problems);
            if got != want {
                problems.push(format!("heartbeat body {got}\n  2.2.0: {want}"));
            }
        }
    }
    assert!(problems.is_empty(), "{} differences from the 2.2.0 capture:\n{}", problems.len(), problems.join("\n"));
    // and the run covered what the capture covers: both topics, every queue
    let pulled: BTreeSet<(String, String)> =
        ours[&11].iter().map(|f| (f.fields()["topic"].clone(), f.fields()["queueId"].clone())).collect();
    assert_eq!(pulled.len(), 2 * QUEUES as usize, "queues pulled: {pulled:?}");
    for topic in [TOPIC, RETRY_TOPIC] {
        assert!(pulled.iter().any(|(t, _)| t == topic), "{topic} never pulled");
    }
}
