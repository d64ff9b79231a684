//! The core, from Rust, against the real brokers that `make test` starts (`NAMESRV_4`,
//! `NAMESRV_5`): name-server failover, send and read back, unknown topics, the periodic route
//! refresh and heartbeats.

use std::time::{Duration, Instant};

use rocketmq::core::client::ClientConfig;
use rocketmq::core::message::Message;
use rocketmq::core::producer::{Producer, ProducerConfig, SendStatus};
use rocketmq::core::pull::{PullStatus, Puller, TagFilter};
use rocketmq::core::{runtime, Error};

const TOPIC: &str = "rmq_c_misc";

fn name_servers() -> Vec<(String, String)> {
    let found: Vec<(String, String)> =
        ["NAMESRV_4", "NAMESRV_5"].iter().filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v))).collect();
    assert!(!found.is_empty(), "NAMESRV_4/NAMESRV_5 not set: run through `make test` (scripts/test-all.sh)");
    found
}

fn client_config(namesrv: &str) -> ClientConfig {
    ClientConfig { namesrv_addrs: namesrv.split(';').map(String::from).collect(), ..Default::default() }
}

fn producer_with(client: ClientConfig, group: &str) -> std::sync::Arc<Producer> {
    Producer::start(ProducerConfig { group: group.into(), client, ..Default::default() }).expect("producer starts")
}

/// Creates (or changes) a topic on the broker behind `namesrv` with the project's script.
fn make_topic(topic: &str, queues: u32, namesrv: &str) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/brokers.sh");
    let status = std::process::Command::new("bash")
        .args([script, "topic", topic, &queues.to_string(), namesrv])
        .status()
        .expect("scripts/brokers.sh runs");
    assert!(status.success(), "brokers.sh topic {topic} {queues} {namesrv} failed");
}

fn poll_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn producer(namesrv: &str, group: &str) -> std::sync::Arc<Producer> {
    producer_with(client_config(namesrv), group)
}

#[test]
fn fails_over_to_the_next_name_server_and_reads_back() {
    for (label, ns) in name_servers() {
        // The first name server refuses connections; the second is real.
        let p = producer(&format!("127.0.0.1:1;{ns}"), "core_it_failover");
        let mut msg = Message::new(TOPIC);
        let key = format!("core-failover-{label}-{}", std::process::id());
        msg.set_property("KEYS", &key);
        msg.body = b"failover body".to_vec();
        let r = p.send(&mut msg).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(r.status, SendStatus::Ok);
        assert_eq!(msg.property("UNIQ_KEY"), Some(r.msg_id.as_str()));

        let puller = Puller::new("core_it_reader", &ClientConfig { namesrv_addrs: vec![ns.clone()], ..Default::default() }).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let found = loop {
            let got = runtime::block_on(puller.pull(&r.queue, &TagFilter::parse("*"), r.queue_offset, 1, Duration::from_secs(5)))
                .unwrap()
                .unwrap();
            if got.status == PullStatus::Found {
                break got.messages.into_iter().next().unwrap();
            }
            assert!(Instant::now() < deadline, "{label}: message not readable");
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(found.msg_id(), r.msg_id);
        assert_eq!(found.message.property("KEYS"), Some(key.as_str()));
        assert_eq!(found.message.body, b"failover body");
        runtime::block_on(p.shutdown()).unwrap();
        runtime::block_on(puller.shutdown()).unwrap();
    }
}

#[test]
fn an_unknown_topic_is_a_clear_error() {
    for (label, ns) in name_servers() {
        let p = producer(&ns, "core_it_unknown");
        let mut msg = Message::new("no_such_topic_core_it");
        msg.body = b"x".to_vec();
        match p.send(&mut msg) {
            Err(Error::NoRoute(t)) => assert_eq!(t, "no_such_topic_core_it"),
            other => panic!("{label}: expected NoRoute, got {other:?}"),
        }
        runtime::block_on(p.shutdown()).unwrap();
    }
}

#[test]
fn an_unreachable_name_server_fails_fast() {
    let p = producer("127.0.0.1:1", "core_it_unreachable");
    let mut msg = Message::new(TOPIC);
    msg.body = b"x".to_vec();
    let start = Instant::now();
    let r = p.send(&mut msg);
    assert!(matches!(r, Err(Error::Remoting(_))), "{r:?}");
    assert!(start.elapsed() < Duration::from_secs(4), "took {:?}", start.elapsed());
    runtime::block_on(p.shutdown()).unwrap();
}

#[test]
fn cached_routes_are_refreshed_periodically() {
    for (label, ns) in name_servers() {
        let topic = format!("rmq_core_refresh_{}_{}", label.to_lowercase(), std::process::id());
        make_topic(&topic, 4, &ns);
        let client = ClientConfig { route_refresh_interval: Duration::from_secs(1), ..client_config(&ns) };
        let p = producer_with(client, "core_it_refresh");
        let (_, queues) = runtime::block_on(p.write_queues(&topic)).unwrap().unwrap();
        assert_eq!(queues.len(), 4, "{label}");
        // The broker now has 8 queues; only the periodic refresh can tell the cached route.
        make_topic(&topic, 8, &ns);
        poll_until(&format!("{label}: cached route with 8 queues"), Duration::from_secs(30), || {
            p.client().cached_route(&topic).is_some_and(|r| r.write_queues(&topic).len() == 8)
        });
        runtime::block_on(p.shutdown()).unwrap();
    }
}

#[test]
fn heartbeats_are_sent_periodically_and_answered() {
    for (label, ns) in name_servers() {
        let client = ClientConfig { heartbeat_interval: Duration::from_secs(1), ..client_config(&ns) };
        let p = producer_with(client, "core_it_heartbeat");
        runtime::block_on(p.write_queues(TOPIC)).unwrap().unwrap(); // the broker is now known
        poll_until(&format!("{label}: first heartbeat answered"), Duration::from_secs(10), || {
            p.client().heartbeats_answered() >= 1
        });
        let before = p.client().heartbeats_answered();
        poll_until(&format!("{label}: 3 more heartbeats answered"), Duration::from_secs(10), || {
            p.client().heartbeats_answered() >= before + 3
        });
        runtime::block_on(p.shutdown()).unwrap();
    }
}

#[test]
fn a_silent_first_name_server_is_skipped_within_its_timeout() {
    // A name server that accepts connections and never answers: a local socket, since a real
    // one cannot be made to hang without stopping it for every other test.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_addr = silent.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept() {
            held.push(s);
        }
    });
    for (label, ns) in name_servers() {
        let p = producer(&format!("{silent_addr};{ns}"), "core_it_silent_namesrv");
        let start = Instant::now();
        let (_, queues) = runtime::block_on(p.write_queues(TOPIC)).unwrap().unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(!queues.is_empty(), "{label}");
        // one name-server timeout (3 s) for the silent one, then the real one answers
        assert!(start.elapsed() < Duration::from_secs(6), "{label}: took {:?}", start.elapsed());
        runtime::block_on(p.shutdown()).unwrap();
    }
}
