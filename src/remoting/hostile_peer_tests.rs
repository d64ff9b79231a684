//! A peer that sends a corrupt frame, a truncated frame then hangs up, or a truncated frame then
//! nothing: each request to it fails within its deadline, the error is in the log, and the next
//! request reconnects. Both request paths: async (`invoke`, pulls and async sends) and blocking
//! (`invoke_blocking`, synchronous sends).
//!
//! The peer is a bare local socket, not a broker: a real broker cannot be made to send a corrupt
//! or cut-off frame, which is the whole point of the test. Needs no brokers.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::remoting::{RemotingClient, RemotingCommand, RemotingError, Transport};
use super::test_peer::read_request;

/// What the peer does on one connection, after reading the first request.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// A frame of a sound length whose header is garbage (serialize type 7).
    Corrupt,
    /// Half of a valid response, then the connection closes.
    TruncatedThenClose,
    /// Half of a valid response, then silence with the connection open.
    TruncatedThenSilence,
    /// None: answers every request properly.
    Healthy,
}

/// A peer playing `faults` on its successive connections; the count of connections accepted.
fn hostile_peer(faults: Vec<Fault>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for fault in faults {
            let Ok((mut s, _)) = listener.accept() else { return };
            count.fetch_add(1, Ordering::SeqCst);
            // Each connection on its own thread: a silent one must not hold up the next accept.
            std::thread::spawn(move || serve(&mut s, fault));
        }
    });
    (addr, accepted)
}

fn serve(s: &mut TcpStream, fault: Fault) {
    let Some(req) = read_request(s) else { return };
    let answer = |req: &RemotingCommand| RemotingCommand::response(0, req.opaque).with_field("ok", "yes").encode();
    match fault {
        Fault::Corrupt => {
            let _ = s.write_all(&[0, 0, 0, 8, 7, 0, 0, 4, b'j', b'u', b'n', b'k']);
            std::thread::sleep(Duration::from_secs(30));
        }
        Fault::TruncatedThenClose => {
            let full = answer(&req);
            let _ = s.write_all(&full[..full.len() / 2]);
        }
        Fault::TruncatedThenSilence => {
            let full = answer(&req);
            let _ = s.write_all(&full[..full.len() / 2]);
            std::thread::sleep(Duration::from_secs(60));
        }
        Fault::Healthy => {
            let mut req = Some(req);
            while let Some(r) = req {
                if s.write_all(&answer(&r)).is_err() {
                    return;
                }
                req = read_request(s);
            }
        }
    }
}

fn log_file() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rmq-hostile-peer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("client.log");
    crate::core::log::set_path(file.to_str().unwrap());
    file
}

fn request() -> RemotingCommand {
    RemotingCommand::request(105).with_field("topic", "T")
}

/// Polls `call` until it succeeds or `within` passes; the successful answer.
fn succeeds_within(within: Duration, mut call: impl FnMut() -> Result<RemotingCommand, RemotingError>) -> RemotingCommand {
    let deadline = Instant::now() + within;
    loop {
        match call() {
            Ok(resp) => return resp,
            Err(e) if Instant::now() < deadline => eprintln!("not yet: {e}"),
            Err(e) => panic!("no successful request within {within:?}; last error: {e}"),
        }
    }
}

#[test]
fn async_requests_fail_in_time_and_reconnect_after_corrupt_and_truncated_frames() {
    let log = log_file();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let (addr, accepted) = hostile_peer(vec![Fault::Corrupt, Fault::TruncatedThenClose, Fault::TruncatedThenSilence, Fault::Healthy]);
    let client = RemotingClient::new(None, Transport::Plain);
    rt.block_on(async {
        let timed = |timeout: Duration| {
            let client = &client;
            let addr = addr.clone();
            async move {
                let start = Instant::now();
                let r = client.invoke(&addr, request(), timeout).await;
                (r, start.elapsed())
            }
        };
        // 1: corrupt frame: the connection is dropped and the waiter fails at once
        let (r, took) = timed(Duration::from_secs(5)).await;
        assert!(r.is_err(), "{r:?}");
        assert!(took < Duration::from_secs(2), "a corrupt frame took {took:?} to fail the request");
        // 2: a new connection; half a response, then the peer hangs up
        let (r, took) = timed(Duration::from_secs(5)).await;
        assert!(r.is_err(), "{r:?}");
        assert!(took < Duration::from_secs(2), "a truncated frame took {took:?} to fail the request");
        assert_eq!(accepted.load(Ordering::SeqCst), 2, "the request after a corrupt frame reconnects");
        // 3: a new connection; half a response, then silence: the request times out in time...
        let (r, took) = timed(Duration::from_millis(500)).await;
        assert_eq!(r, Err(RemotingError::Timeout(addr.clone())));
        assert!(took < Duration::from_secs(2), "a 500 ms request took {took:?}");
    });
    // ...and the stuck connection is given up, so a request soon reaches a new, healthy one.
    let resp = succeeds_within(Duration::from_secs(20), || rt.block_on(client.invoke(&addr, request(), Duration::from_millis(500))));
    assert_eq!(resp.field("ok"), Some("yes"));
    assert_eq!(accepted.load(Ordering::SeqCst), 4);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(text.contains("unknown serialize type 7"), "the corrupt frame is not in the log {}:\n{text}", log.display());
    assert!(text.contains("then nothing for"), "the stalled frame is not in the log {}:\n{text}", log.display());
}

#[test]
fn blocking_requests_fail_in_time_and_reconnect_after_corrupt_and_truncated_frames() {
    let log = log_file();
    let (addr, accepted) = hostile_peer(vec![Fault::Corrupt, Fault::TruncatedThenClose, Fault::TruncatedThenSilence, Fault::Healthy]);
    let client = RemotingClient::new(None, Transport::Plain);
    let timed = |timeout: Duration| {
        let start = Instant::now();
        let r = client.invoke_blocking(&addr, request(), timeout);
        (r, start.elapsed())
    };
    let (r, took) = timed(Duration::from_secs(5));
    assert!(matches!(r, Err(RemotingError::Codec(_))), "{r:?}");
    assert!(took < Duration::from_secs(2), "a corrupt frame took {took:?} to fail the request");
    let (r, took) = timed(Duration::from_secs(5));
    assert!(r.is_err(), "{r:?}");
    assert!(took < Duration::from_secs(2), "a truncated frame took {took:?} to fail the request");
    let (r, took) = timed(Duration::from_millis(500));
    assert_eq!(r, Err(RemotingError::Timeout(addr.clone())));
    assert!(took < Duration::from_secs(2), "a 500 ms request took {took:?}");
    // A connection that timed out is never reused: the next request is on a new one.
    let resp = succeeds_within(Duration::from_secs(10), || client.invoke_blocking(&addr, request(), Duration::from_millis(500)));
    assert_eq!(resp.field("ok"), Some("yes"));
    assert_eq!(accepted.load(Ordering::SeqCst), 4);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(text.contains("unknown serialize type 7"), "the corrupt frame is not in the log {}:\n{text}", log.display());
}
