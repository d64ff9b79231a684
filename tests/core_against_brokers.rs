//! The core, from Rust, against the real brokers that `make test` starts (`NAMESRV_4`,
//! `NAMESRV_5`): name-server failover, send and read back, unknown topics, the periodic route
//! refresh and heartbeats.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rocketmq::core::client::ClientConfig;
use rocketmq::core::message::Message;
use rocketmq::core::producer::{Producer, ProducerConfig, SendStatus};
use rocketmq::core::pull::{PullStatus, Puller, TagFilter};
use rocketmq::core::route::TopicRouteData;
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

fn producer_with(client: ClientConfig, group: &str) -> Arc<Producer> {
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

fn producer(namesrv: &str, group: &str) -> Arc<Producer> {
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

/// A topic grown from 4 to 8 queues shows in the cache of a client that refreshes every second
/// within a deadline well under the 30 s default, so the default would fail it; a client that
/// refreshes hourly, otherwise the same, still caches 4 queues then: nothing but the periodic
/// refresh looked the route up again.
#[test]
fn cached_routes_are_refreshed_periodically() {
    for (label, ns) in name_servers() {
        let topic = format!("rmq_core_refresh_{}_{}", label.to_lowercase(), std::process::id());
        make_topic(&topic, 4, &ns);
        let every = |secs| ClientConfig { route_refresh_interval: Duration::from_secs(secs), ..client_config(&ns) };
        let refreshing = producer_with(every(1), "core_it_refresh");
        let control = producer_with(every(3600), "core_it_refresh_control");
        for p in [&refreshing, &control] {
            let (_, queues) = runtime::block_on(p.write_queues(&topic)).unwrap().unwrap();
            assert_eq!(queues.len(), 4, "{label}");
        }
        let cached_queues = |p: &Producer| p.client().cached_route(&topic).map(|r| r.write_queues(&topic).len());
        make_topic(&topic, 8, &ns);
        poll_until(&format!("{label}: cached route with 8 queues"), Duration::from_secs(10), || {
            cached_queues(&refreshing) == Some(8)
        });
        assert_eq!(cached_queues(&control), Some(4), "{label}: the route changed without a refresh");
        // and the broker really has 8 now: a fresh lookup says so
        let fresh = runtime::block_on(control.client().query_route(&topic)).unwrap().unwrap();
        assert_eq!(fresh.write_queues(&topic).len(), 8, "{label}");
        runtime::block_on(refreshing.shutdown()).unwrap();
        runtime::block_on(control.shutdown()).unwrap();
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

/// A name server that accepts connections and never answers, on a local socket: a real one
/// cannot be made to hang without stopping it for every other test. Counts its connections.
fn silent_name_server() -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept() {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(s);
        }
    });
    (addr, accepted)
}

#[test]
fn a_silent_first_name_server_is_skipped_within_its_timeout() {
    let (silent, accepted) = silent_name_server();
    for (label, ns) in name_servers() {
        let p = producer(&format!("{silent};{ns}"), "core_it_silent_namesrv");
        let before = accepted.load(Ordering::SeqCst);
        let start = Instant::now();
        let (route, queues) = runtime::block_on(p.write_queues(TOPIC)).unwrap().unwrap_or_else(|e| panic!("{label}: {e}"));
        let took = start.elapsed();
        assert!(!queues.is_empty(), "{label}");
        assert!(route.broker_datas.iter().any(|b| !b.broker_addrs.is_empty()), "{label}: no broker in {route:?}");
        // The silent one was asked first and cost its timeout (3 s), no more.
        assert_eq!(accepted.load(Ordering::SeqCst), before + 1, "{label}: the silent name server was not asked");
        assert!(took >= Duration::from_millis(2900), "{label}: answered in {took:?}, before the silent one timed out");
        assert!(took < Duration::from_secs(6), "{label}: took {took:?}");
        // The client now starts from the name server that answered.
        let start = Instant::now();
        let again = runtime::block_on(p.client().query_route(TOPIC)).unwrap().unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(start.elapsed() < Duration::from_secs(1), "{label}: the second lookup took {:?}", start.elapsed());
        let brokers = |r: &TopicRouteData| r.broker_datas.iter().map(|b| b.broker_name.clone()).collect::<Vec<_>>();
        assert_eq!(brokers(&again), brokers(&route), "{label}");
        assert_eq!(accepted.load(Ordering::SeqCst), before + 1, "{label}: the silent name server was asked again");
        runtime::block_on(p.shutdown()).unwrap();
    }
}
