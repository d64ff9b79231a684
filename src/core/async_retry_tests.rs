//! `ProducerConfig::async_attempts` (2.2.0's `retryTimes4Async`): an asynchronous send tries the
//! same broker again after an answer worth another try, or after its connection was lost, and
//! calls its callback once, with the last outcome.
//!
//! The peer is a local socket playing name server and broker on one address, not a broker: a
//! real broker cannot be made to refuse one send and take the next, or to drop the connection in
//! the middle of one request, on demand. Needs no brokers.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::core::client::{code, response, ClientConfig};
use crate::core::message::Message;
use crate::core::producer::{Producer, ProducerConfig, SendStatus};
use crate::core::{runtime, Error};
use crate::remoting::RemotingCommand;
use crate::remoting::test_peer::read_request;

/// What the peer does with the first send it gets (every later one is stored).
#[derive(Clone, Copy)]
enum FirstSend {
    Busy,
    HangUp,
}

/// The peer's address and the count of sends it got.
fn peer(first: FirstSend) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let sends = Arc::new(AtomicUsize::new(0));
    let (me, count) = (addr.clone(), sends.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let (me, count) = (me.clone(), count.clone());
            std::thread::spawn(move || serve(conn, &me, &count, first));
        }
    });
    (addr, sends)
}

fn serve(mut s: TcpStream, me: &str, sends: &AtomicUsize, first: FirstSend) {
    while let Some(req) = read_request(&mut s) {
        let ok = RemotingCommand::response(response::SUCCESS, req.opaque);
        let answer = match req.code {
            code::GET_ROUTEINFO_BY_TOPIC => {
                let route = json!({
                    "brokerDatas": [{"brokerAddrs": {"0": me}, "brokerName": "retry_broker", "cluster": "DefaultCluster"}],
                    "queueDatas": [{"brokerName": "retry_broker", "perm": 6, "readQueueNums": 1,
                                    "topicSynFlag": 0, "writeQueueNums": 1}],
                    "filterServerTable": {}
                });
                ok.with_body(serde_json::to_vec(&route).unwrap())
            }
            code::SEND_MESSAGE_V2 => match (sends.fetch_add(1, Ordering::SeqCst), first) {
                (0, FirstSend::Busy) => RemotingCommand::response(response::SYSTEM_BUSY, req.opaque),
                (0, FirstSend::HangUp) => return,
                _ => ok.with_field("msgId", "7F00000100002A9F0000000000000000").with_field("queueId", 0).with_field("queueOffset", 7),
            },
            _ => ok,
        };
        if !req.is_oneway() && s.write_all(&answer.encode()).is_err() {
            return;
        }
    }
}

/// One asynchronous send with `attempts`; its outcome, and whether the callback ran once only.
fn send_async(addr: &str, attempts: u32) -> (crate::core::Result<crate::core::producer::SendResult>, bool) {
    let config = ProducerConfig {
        group: format!("async_retry_{attempts}_{}", addr.replace([':', '.'], "_")),
        client: ClientConfig { namesrv_addrs: vec![addr.to_string()], ..Default::default() },
        send_timeout: Duration::from_secs(5),
        async_attempts: attempts,
        ..Default::default()
    };
    let producer = Producer::start(config).unwrap();
    let mut msg = Message::new("AsyncRetryTopic");
    msg.body = b"hello".to_vec();
    let (tx, rx) = mpsc::channel();
    producer.send_async(&mut msg, None, Box::new(move |r| tx.send(r).unwrap())).unwrap();
    let outcome = rx.recv_timeout(Duration::from_secs(10)).expect("the callback ran");
    let once = rx.recv_timeout(Duration::from_millis(300)).is_err();
    runtime::block_on(producer.shutdown()).unwrap();
    (outcome, once)
}

#[test]
fn one_attempt_by_default_reports_the_brokers_error() {
    let (addr, sends) = peer(FirstSend::Busy);
    let (outcome, once) = send_async(&addr, 1);
    assert!(matches!(outcome, Err(Error::Broker { code: response::SYSTEM_BUSY, .. })), "{outcome:?}");
    assert!(once);
    assert_eq!(sends.load(Ordering::SeqCst), 1);
}

#[test]
fn an_error_answer_is_tried_again_on_the_same_broker() {
    let (addr, sends) = peer(FirstSend::Busy);
    let (outcome, once) = send_async(&addr, 3);
    let result = outcome.unwrap();
    assert_eq!(result.status, SendStatus::Ok);
    assert_eq!(result.queue_offset, 7);
    assert!(once);
    assert_eq!(sends.load(Ordering::SeqCst), 2);
}

#[test]
fn a_lost_connection_is_opened_again_for_the_next_attempt() {
    let (addr, sends) = peer(FirstSend::HangUp);
    let (outcome, once) = send_async(&addr, 2);
    assert_eq!(outcome.unwrap().status, SendStatus::Ok);
    assert!(once);
    assert_eq!(sends.load(Ordering::SeqCst), 2);
}
