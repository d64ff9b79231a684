//! Connection behaviour under faults that a real broker cannot be made to produce (a peer that
//! never answers, a corrupt frame, a response cut off mid-frame, a refused port, a close on
//! demand, a hang-up during the TLS handshake). Each test uses a bare local socket as the peer
//! for exactly that reason; everything else is tested against real brokers.

use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use super::test_peer::read_frame;
use super::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
}

/// A peer that accepts and then runs `serve` on the connection in its own thread.
fn peer(serve: impl FnOnce(std::net::TcpStream) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        if let Ok((s, _)) = listener.accept() {
            serve(s);
        }
    });
    addr
}

#[test]
fn a_timed_out_request_leaves_nothing_behind() {
    let rt = runtime();
    let addr = peer(|mut s| {
        let _ = read_frame(&mut s).expect("a request frame");
        std::thread::sleep(Duration::from_secs(2)); // never answers in time
    });
    rt.block_on(async {
        let conn = Connection::connect(&addr, Duration::from_secs(1), &Transport::Plain, None, None).await.unwrap();
        let start = Instant::now();
        let r = conn.request(RemotingCommand::request(105), Duration::from_millis(100)).await;
        assert_eq!(r, Err(RemotingError::Timeout(addr.clone())));
        assert!(start.elapsed() < Duration::from_millis(500), "timeout took {:?}", start.elapsed());
        assert_eq!(conn.pending_len(), 0);
    });
}

#[test]
fn a_corrupt_frame_closes_the_connection_and_fails_waiters() {
    let rt = runtime();
    let addr = peer(|mut s| {
        let _ = read_frame(&mut s).expect("a request frame");
        // A length prefix far beyond the 16 MiB limit.
        s.write_all(&[0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]).unwrap();
        std::thread::sleep(Duration::from_millis(500));
    });
    rt.block_on(async {
        let conn = Connection::connect(&addr, Duration::from_secs(1), &Transport::Plain, None, None).await.unwrap();
        let r = conn.request(RemotingCommand::request(105), Duration::from_secs(5)).await;
        assert_eq!(r, Err(RemotingError::Closed(addr.clone())));
        assert!(conn.is_closed());
        assert_eq!(conn.pending_len(), 0);
    });
}

#[test]
fn a_half_written_response_fails_the_waiter_when_the_peer_goes() {
    let rt = runtime();
    let addr = peer(|mut s| {
        let _ = read_frame(&mut s).expect("a request frame");
        let full = RemotingCommand::response(0, 0).encode();
        s.write_all(&full[..full.len() / 2]).unwrap();
        // then close
    });
    rt.block_on(async {
        let conn = Connection::connect(&addr, Duration::from_secs(1), &Transport::Plain, None, None).await.unwrap();
        let r = conn.request(RemotingCommand::request(105), Duration::from_secs(5)).await;
        assert_eq!(r, Err(RemotingError::Closed(addr.clone())));
    });
}

#[test]
fn responses_are_matched_by_opaque_even_out_of_order() {
    let rt = runtime();
    let addr = peer(|mut s| {
        let a = RemotingCommand::decode(read_frame(&mut s).expect("a request frame").into()).unwrap();
        let b = RemotingCommand::decode(read_frame(&mut s).expect("a request frame").into()).unwrap();
        for req in [b, a] {
            let mut resp = RemotingCommand::response(0, req.opaque);
            resp.remark = req.field("n").unwrap().to_string();
            s.write_all(&resp.encode()).unwrap();
        }
        std::thread::sleep(Duration::from_millis(200));
    });
    rt.block_on(async {
        let conn = Connection::connect(&addr, Duration::from_secs(1), &Transport::Plain, None, None).await.unwrap();
        let first = conn.request(RemotingCommand::request(1).with_field("n", "first"), Duration::from_secs(2));
        let second = conn.request(RemotingCommand::request(1).with_field("n", "second"), Duration::from_secs(2));
        let (a, b) = tokio::join!(first, second);
        assert_eq!(a.unwrap().remark, "first");
        assert_eq!(b.unwrap().remark, "second");
    });
}

#[test]
fn a_refused_address_backs_off_then_reconnects() {
    let rt = runtime();
    // Reserve a port, then free it so connecting is refused.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let client = RemotingClient::new(None, Transport::Plain);
    rt.block_on(async {
        let e = client.connection(&addr).await.err().unwrap();
        assert!(matches!(e, RemotingError::Connect(..)), "{e:?}");
        // Within the back-off window the error comes back without a new attempt.
        let start = Instant::now();
        assert_eq!(client.connection(&addr).await.err(), Some(e));
        assert!(start.elapsed() < Duration::from_millis(20));
    });
    let listener = TcpListener::bind(&addr).unwrap();
    rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match client.connection(&addr).await {
                Ok(c) => {
                    assert!(!c.is_closed());
                    break;
                }
                Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(20)).await,
                Err(e) => panic!("never reconnected: {e}"),
            }
        }
    });
    drop(listener);
}

#[test]
fn the_back_off_doubles_after_each_refusal_up_to_its_cap() {
    let rt = runtime();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let client = RemotingClient::new(None, Transport::Plain);
    let delay = |client: &RemotingClient| client.backoff.lock().unwrap().get(&addr).map(|b| (b.delay, b.retry_at));
    rt.block_on(async {
        let mut expected = BACKOFF_MIN;
        for _ in 0..8 {
            assert!(client.connection(&addr).await.is_err());
            let (d, retry_at) = delay(&client).expect("a refusal is remembered");
            assert_eq!(d, expected);
            expected = (expected * 2).min(BACKOFF_MAX);
            // The next attempt is made only once the window has passed: jump past it instead of
            // waiting (up to 5 s) for it.
            assert!(retry_at > Instant::now());
            client.backoff.lock().unwrap().get_mut(&addr).unwrap().retry_at = Instant::now();
        }
        assert_eq!(delay(&client).unwrap().0, BACKOFF_MAX);
    });
}

/// A peer that answers one request on each of `connections` connections in turn, then closes
/// that connection; it counts the connections it accepted and those it closed.
struct ClosingPeer {
    addr: String,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
    closed: Arc<std::sync::atomic::AtomicUsize>,
}

fn closing_peer(connections: usize) -> ClosingPeer {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (accepted, closed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (accepts, closes) = (accepted.clone(), closed.clone());
    std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((mut s, _)) = listener.accept() else { return };
            accepts.fetch_add(1, SeqCst);
            let req = RemotingCommand::decode(read_frame(&mut s).expect("a request frame").into()).unwrap();
            s.write_all(&RemotingCommand::response(0, req.opaque).encode()).unwrap();
            drop(s); // closes the connection, as a restarted broker's would be
            closes.fetch_add(1, SeqCst);
        }
    });
    ClosingPeer { addr, accepted, closed }
}

#[test]
fn a_connection_the_peer_closed_is_replaced_on_the_next_request() {
    let rt = runtime();
    let ClosingPeer { addr, accepted, .. } = closing_peer(2);
    let client = RemotingClient::new(None, Transport::Plain);
    rt.block_on(async {
        let first = client.connection(&addr).await.unwrap();
        let r = client.invoke(&addr, RemotingCommand::request(105), Duration::from_secs(2)).await.unwrap();
        assert_eq!(r.code, 0);
        let deadline = Instant::now() + Duration::from_secs(5);
        while !first.is_closed() {
            assert!(Instant::now() < deadline, "the peer's close was never noticed");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let r = client.invoke(&addr, RemotingCommand::request(105), Duration::from_secs(2)).await.unwrap();
        assert_eq!(r.code, 0);
    });
    // the second answer came over a second connection
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);
}

/// A peer that accepts and at once closes every connection, noting when it accepted each.
fn hanging_up_peer() -> (String, Arc<Mutex<Vec<Instant>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let log = accepted.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            log.lock().unwrap().push(Instant::now());
            drop(s);
        }
    });
    (addr, accepted)
}

/// The waits between real connection attempts, as the peer sees them. Over TLS, so that each
/// attempt reaches the peer and still fails (the handshake meets a closed connection): a plain
/// connect to a listening socket succeeds, and a refused one reaches nobody who could time it.
/// A local socket, since a real broker cannot be made to drop connections on demand.
#[test]
fn failed_attempts_are_spaced_by_a_doubling_back_off() {
    let rt = runtime();
    let (addr, accepted) = hanging_up_peer();
    let tls = tls::client_config(&TlsOptions { verify_server: false, ..Default::default() }).unwrap();
    let client = RemotingClient::new(None, Transport::Tls(tls));
    const ATTEMPTS: usize = 6; // waits of 100, 200, 400, 800 and 1600 ms: about 3 s
    rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(15);
        while accepted.lock().unwrap().len() < ATTEMPTS {
            assert!(Instant::now() < deadline, "only {} attempts", accepted.lock().unwrap().len());
            let e = client.connection(&addr).await.err().expect("the peer hangs up on every connection");
            assert!(matches!(e, RemotingError::Tls(..)), "{e:?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    let times = accepted.lock().unwrap().clone();
    let mut expected = BACKOFF_MIN;
    for (i, pair) in times.windows(2).enumerate() {
        let waited = pair[1] - pair[0];
        // Never before the window ends (the peer notes an attempt before it fails, the next
        // one starts after the window), and not long after: 0.5 s of slack for a busy machine.
        assert!(waited >= expected, "wait {i}: {waited:?}, back-off {expected:?}");
        assert!(waited < expected + Duration::from_millis(500), "wait {i}: {waited:?}, back-off {expected:?}");
        expected = (expected * 2).min(BACKOFF_MAX);
    }
}

/// As `a_connection_the_peer_closed_is_replaced_on_the_next_request`, for the blocking
/// connections of synchronous sends: the idle one the peer closed must not fail the next request.
#[test]
fn a_blocking_connection_the_peer_closed_is_replaced_on_the_next_request() {
    use std::sync::atomic::Ordering::SeqCst;
    let ClosingPeer { addr, accepted, closed } = closing_peer(2);
    let client = RemotingClient::new(None, Transport::Plain);
    let r = client.invoke_blocking(&addr, RemotingCommand::request(105), Duration::from_secs(2)).unwrap();
    assert_eq!(r.code, 0);
    let deadline = Instant::now() + Duration::from_secs(5);
    while closed.load(SeqCst) < 1 {
        assert!(Instant::now() < deadline, "the peer never closed");
        std::thread::sleep(Duration::from_millis(5));
    }
    let r = client.invoke_blocking(&addr, RemotingCommand::request(105), Duration::from_secs(2));
    assert_eq!(r.map(|r| r.code), Ok(0));
    // the second answer came over a second connection
    assert_eq!(accepted.load(SeqCst), 2);
}
