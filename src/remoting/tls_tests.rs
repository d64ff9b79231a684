//! TLS connections, async and blocking, against a local rustls server run by the test, with
//! certificates made by `tests/tls/make-certs.sh` (openssl) in a temporary directory.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};

use super::*;

const CERTS_DIR_PREFIX: &str = "rocketmq-rust-tls-test-";

/// The certificates of this test process, made once (directories of finished runs are removed).
fn certs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        remove_certs_of_finished_runs();
        let dir = std::env::temp_dir().join(format!("{CERTS_DIR_PREFIX}{}", std::process::id()));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls/make-certs.sh");
        let status = std::process::Command::new("bash").arg(&script).arg(&dir).status().expect("run make-certs.sh");
        assert!(status.success(), "{} failed (is openssl installed?)", script.display());
        dir
    })
}

fn remove_certs_of_finished_runs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(CERTS_DIR_PREFIX) else { continue };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn cert_file(name: &str) -> PathBuf {
    certs().join(name)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn server_config(cert: &str, require_client_cert: bool) -> Arc<ServerConfig> {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(cert_file(&format!("{cert}.pem"))).unwrap().map(Result::unwrap).collect();
    let key = PrivateKeyDer::from_pem_file(cert_file(&format!("{cert}.key"))).unwrap();
    let builder = ServerConfig::builder_with_provider(provider()).with_safe_default_protocol_versions().unwrap();
    let builder = if require_client_cert {
        let mut roots = RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(cert_file("ca.pem")).unwrap() {
            roots.add(c.unwrap()).unwrap();
        }
        builder.with_client_cert_verifier(WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider()).build().unwrap())
    } else {
        builder.with_no_client_auth()
    };
    Arc::new(builder.with_single_cert(chain, key).unwrap())
}

/// A TLS server answering every request with remark "over tls"; counts its connections.
struct TlsServer {
    addr: String,
    accepted: Arc<AtomicUsize>,
}

fn tls_server(config: Arc<ServerConfig>) -> TlsServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            count.fetch_add(1, Ordering::SeqCst);
            let config = config.clone();
            std::thread::spawn(move || serve_tls(config, tcp));
        }
    });
    TlsServer { addr, accepted }
}

fn serve_tls(config: Arc<ServerConfig>, tcp: TcpStream) {
    let mut s = StreamOwned::new(ServerConnection::new(config).unwrap(), tcp);
    loop {
        let Some(frame) = super::test_peer::read_frame(&mut s) else {
            return hang_up_gracefully(s.sock); // handshake refused (alert sent) or the client left
        };
        let req = RemotingCommand::decode(frame.into()).unwrap();
        let mut resp = RemotingCommand::response(0, req.opaque);
        resp.remark = "over tls".into();
        if s.write_all(&resp.encode()).and_then(|_| s.flush()).is_err() {
            return;
        }
    }
}

/// Closes after reading what the client still sends: closing with unread input would reset the
/// connection, and a reset can overtake the alert that says why the server refused.
fn hang_up_gracefully(mut tcp: TcpStream) {
    let _ = tcp.shutdown(std::net::Shutdown::Write);
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(2)));
    let mut sink = [0u8; 4096];
    while matches!(tcp.read(&mut sink), Ok(n) if n > 0) {}
}

/// A plain server that runs `serve` on each connection.
fn plain_server(serve: fn(TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            std::thread::spawn(move || serve(tcp));
        }
    });
    addr
}

/// What a TLS-enforcing RocketMQ server does with a plain client: reads, then hangs up.
fn hang_up_after_first_bytes(mut tcp: TcpStream) {
    let mut first = [0u8; 64];
    let _ = tcp.read(&mut first);
}

fn never_answer(tcp: TcpStream) {
    std::thread::sleep(Duration::from_secs(3));
    drop(tcp);
}

fn options(trust: Option<&str>) -> TlsOptions {
    TlsOptions { trust_cert_path: trust.map(cert_file), verify_server: true, source: "test".into(), ..Default::default() }
}

fn transport(options: &TlsOptions) -> Transport {
    Transport::Tls(tls::client_config(options).unwrap())
}

fn trusting_the_test_ca() -> Transport {
    transport(&options(Some("ca.pem")))
}

async fn async_request(addr: &str, transport: &Transport, timeout: Duration) -> Result<RemotingCommand, RemotingError> {
    let conn = Connection::connect(addr, timeout, transport, None, None).await?;
    conn.request(RemotingCommand::request(105), timeout).await
}

fn blocking_request(client: &RemotingClient, addr: &str, timeout: Duration) -> Result<RemotingCommand, RemotingError> {
    client.invoke_blocking(addr, RemotingCommand::request(105), timeout)
}

/// The reason of a `Tls` error, or a panic naming what came instead.
fn tls_reason(r: Result<RemotingCommand, RemotingError>, addr: &str) -> String {
    match r {
        Err(RemotingError::Tls(a, why)) => {
            assert_eq!(a, addr);
            why
        }
        other => panic!("expected a TLS handshake failure, got {other:?}"),
    }
}

#[test]
fn async_requests_over_tls_with_the_right_ca() {
    let server = tls_server(server_config("server", false));
    runtime().block_on(async {
        let conn = Connection::connect(&server.addr, Duration::from_secs(2), &trusting_the_test_ca(), None, None).await.unwrap();
        // Several in flight at once: all go through the writer task's queue.
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let conn = conn.clone();
                tokio::spawn(async move { conn.request(RemotingCommand::request(105), Duration::from_secs(2)).await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().remark, "over tls");
        }
    });
    assert_eq!(server.accepted.load(Ordering::SeqCst), 1);
}

#[test]
fn blocking_requests_over_tls_reuse_their_connection() {
    let server = tls_server(server_config("server", false));
    let client = RemotingClient::new(None, trusting_the_test_ca());
    for _ in 0..3 {
        assert_eq!(blocking_request(&client, &server.addr, Duration::from_secs(2)).unwrap().remark, "over tls");
    }
    assert_eq!(server.accepted.load(Ordering::SeqCst), 1, "the pooled TLS connection is reused");
}

#[test]
fn the_wrong_ca_fails_the_handshake_and_says_why() {
    let server = tls_server(server_config("server", false));
    let wrong = transport(&options(Some("other-ca.pem")));
    let why = tls_reason(runtime().block_on(async_request(&server.addr, &wrong, Duration::from_secs(2))), &server.addr);
    assert!(why.contains("invalid peer certificate") && why.contains("UnknownIssuer"), "{why}");

    let client = RemotingClient::new(None, wrong);
    let e = blocking_request(&client, &server.addr, Duration::from_secs(2)).unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with(&format!("TLS handshake with {} failed: invalid peer certificate", server.addr)), "{text}");
}

#[test]
fn a_certificate_for_another_address_is_refused() {
    let server = tls_server(server_config("wrong-name", false));
    let why = tls_reason(runtime().block_on(async_request(&server.addr, &trusting_the_test_ca(), Duration::from_secs(2))), &server.addr);
    assert!(why.contains("not valid for name"), "{why}");
}

#[test]
fn auth_server_false_accepts_a_certificate_of_any_ca() {
    let server = tls_server(server_config("server", false));
    let trust_all = transport(&TlsOptions { verify_server: false, ..options(Some("other-ca.pem")) });
    let r = runtime().block_on(async_request(&server.addr, &trust_all, Duration::from_secs(2)));
    assert_eq!(r.unwrap().remark, "over tls");
}

#[test]
fn mutual_tls_with_an_encrypted_pkcs8_key() {
    let server = tls_server(server_config("server", true));
    let password = std::fs::read_to_string(cert_file("client.password")).unwrap().trim().to_string();
    let mtls = TlsOptions {
        cert_path: Some(cert_file("client.pem")),
        key_path: Some(cert_file("client.enc.key")),
        key_password: Some(password),
        ..options(Some("ca.pem"))
    };
    let client = RemotingClient::new(None, transport(&mtls));
    assert_eq!(blocking_request(&client, &server.addr, Duration::from_secs(2)).unwrap().remark, "over tls");
    let r = runtime().block_on(async_request(&server.addr, &transport(&mtls), Duration::from_secs(2)));
    assert_eq!(r.unwrap().remark, "over tls");

    // Without a client certificate the server refuses (TLS 1.3: after the client's handshake,
    // so the alert arrives with the first response).
    let client = RemotingClient::new(None, trusting_the_test_ca());
    let text = blocking_request(&client, &server.addr, Duration::from_secs(2)).unwrap_err().to_string();
    assert!(text.contains("CertificateRequired") || text.contains("alert"), "{text}");
    let e = runtime().block_on(async_request(&server.addr, &trusting_the_test_ca(), Duration::from_secs(2))).unwrap_err();
    assert!(e.to_string().contains("alert"), "{e}");
}

#[test]
fn key_problems_are_reported_at_setup() {
    let with_key = |key: &str, password: Option<&str>| TlsOptions {
        cert_path: Some(cert_file("client.pem")),
        key_path: Some(cert_file(key)),
        key_password: password.map(String::from),
        ..options(Some("ca.pem"))
    };
    let e = tls::client_config(&with_key("client.enc.key", None)).unwrap_err();
    assert!(e.contains("the key is encrypted; set tls.client.keyPassword"), "{e}");
    let e = tls::client_config(&with_key("client.enc.key", Some("wrong"))).unwrap_err();
    assert!(e.contains("cannot decrypt the key"), "{e}");
    let e = tls::client_config(&with_key("client.pbe1.key", Some("rocketmq-test-password"))).unwrap_err();
    assert!(e.contains("not supported") && e.contains("PBES2"), "{e}");
    assert!(tls::client_config(&with_key("client.key", None)).is_ok(), "an unencrypted key needs no password");
    let e = tls::client_config(&TlsOptions { key_path: None, ..with_key("client.key", None) }).unwrap_err();
    assert!(e.contains("tls.client.certPath is set but tls.client.keyPath is not"), "{e}");
    let e = tls::client_config(&options(Some("missing.pem"))).unwrap_err();
    assert!(e.contains("cannot read tls.client.trustCertPath") && e.contains("missing.pem"), "{e}");
    let e = tls::client_config(&options(Some("client.password"))).unwrap_err();
    assert!(e.contains("holds no PEM certificate"), "{e}");
}

#[test]
fn tls_against_a_plain_server_fails_the_handshake() {
    let addr = plain_server(hang_up_after_first_bytes);
    let why = tls_reason(runtime().block_on(async_request(&addr, &trusting_the_test_ca(), Duration::from_secs(2))), &addr);
    assert!(why.contains("is TLS enabled on the server?"), "{why}");
    let client = RemotingClient::new(None, trusting_the_test_ca());
    let e = blocking_request(&client, &addr, Duration::from_secs(2)).unwrap_err();
    assert!(matches!(&e, RemotingError::Tls(_, why) if why.contains("is TLS enabled on the server?")), "{e:?}");
}

#[test]
fn plain_against_a_server_that_hangs_up_suggests_tls() {
    let addr = plain_server(hang_up_after_first_bytes);
    let expected = RemotingError::ClosedSilently(addr.clone());
    assert!(expected.to_string().contains("does the server require TLS?"));
    let r = runtime().block_on(async_request(&addr, &Transport::Plain, Duration::from_secs(2)));
    assert_eq!(r.unwrap_err(), expected);
    let client = RemotingClient::new(None, Transport::Plain);
    assert_eq!(blocking_request(&client, &addr, Duration::from_secs(2)).unwrap_err(), expected);
}

#[test]
fn a_server_that_never_answers_the_handshake_costs_the_timeout_only() {
    let addr = plain_server(never_answer);
    let transport = trusting_the_test_ca(); // (made before the clock starts: it may make the certificates)
    let start = Instant::now();
    let why = tls_reason(runtime().block_on(async_request(&addr, &transport, Duration::from_millis(300))), &addr);
    assert!(why.contains("no answer"), "{why}");
    assert!(start.elapsed() < Duration::from_millis(1500), "took {:?}", start.elapsed());

    let client = RemotingClient::new(None, transport);
    let start = Instant::now();
    let e = blocking_request(&client, &addr, Duration::from_millis(300)).unwrap_err();
    assert!(matches!(&e, RemotingError::Tls(_, why) if why.contains("no answer")), "{e:?}");
    assert!(start.elapsed() < Duration::from_millis(1500), "took {:?}", start.elapsed());
}

#[test]
fn server_names_from_addresses() {
    use rustls::pki_types::ServerName;
    assert!(matches!(tls::server_name("127.0.0.1:10911").unwrap(), ServerName::IpAddress(_)));
    assert!(matches!(tls::server_name("[::1]:10911").unwrap(), ServerName::IpAddress(_)));
    assert!(matches!(tls::server_name("broker.example:10911").unwrap(), ServerName::DnsName(_)));
}
