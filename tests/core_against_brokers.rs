//! The core, from Rust, against the real brokers that `make test` starts (`NAMESRV_4`,
//! `NAMESRV_5`): name-server failover, send and read back, unknown topics.

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
    if found.is_empty() {
        eprintln!("NAMESRV_4/NAMESRV_5 not set: run through `make test` (scripts/test-all.sh)");
    }
    found
}

fn producer(namesrv: &str, group: &str) -> std::sync::Arc<Producer> {
    let mut config = ProducerConfig { group: group.into(), ..Default::default() };
    config.client = ClientConfig { namesrv_addrs: namesrv.split(';').map(String::from).collect(), ..Default::default() };
    Producer::start(config).expect("producer starts")
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
