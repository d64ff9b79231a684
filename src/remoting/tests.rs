//! Connection behaviour under faults that a real broker cannot be made to produce (a peer that
//! never answers, a corrupt frame, a response cut off mid-frame, a refused port, a close on
//! demand). Each test uses a bare local socket as the peer for exactly that reason; everything else is tested against
//! real brokers.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

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

fn read_frame(s: &mut std::net::TcpStream) -> Vec<u8> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).unwrap();
    let mut frame = vec![0u8; u32::from_be_bytes(len) as usize];
    s.read_exact(&mut frame).unwrap();
    frame
}

#[test]
fn a_timed_out_request_leaves_nothing_behind() {
    let rt = runtime();
    let addr = peer(|mut s| {
        let _ = read_frame(&mut s);
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
        let _ = read_frame(&mut s);
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
        let _ = read_frame(&mut s);
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
        let a = RemotingCommand::decode(read_frame(&mut s).into()).unwrap();
        let b = RemotingCommand::decode(read_frame(&mut s).into()).unwrap();
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
/// that connection; it counts the connections it accepted.
fn closing_peer(connections: usize) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((mut s, _)) = listener.accept() else { return };
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let req = RemotingCommand::decode(read_frame(&mut s).into()).unwrap();
            s.write_all(&RemotingCommand::response(0, req.opaque).encode()).unwrap();
            // dropping `s` closes the connection, as a restarted broker's would be
        }
    });
    (addr, accepted)
}

#[test]
fn a_connection_the_peer_closed_is_replaced_on_the_next_request() {
    let rt = runtime();
    let (addr, accepted) = closing_peer(2);
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
