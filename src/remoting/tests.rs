//! Connection behaviour under faults that a real broker cannot be made to produce (a peer that
//! never answers, a corrupt frame, a response cut off mid-frame, a refused port). Each test uses
//! a bare local socket as the peer for exactly that reason; everything else is tested against
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
