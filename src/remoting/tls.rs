//! The TLS side of a connection: the rustls client configuration built once per client from
//! [`TlsOptions`], the server name a broker address is checked against, and readable texts for
//! handshake failures.
//!
//! rustls with the `ring` provider only: no OpenSSL, nothing extra at run time.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// What a client's TLS is made of: the keys of the upstream properties file
/// (`tls.client.*`), already read by the caller.
#[derive(Clone, Default, PartialEq)]
pub struct TlsOptions {
    /// PEM bundle of the CAs that server certificates must chain to.
    pub trust_cert_path: Option<PathBuf>,
    /// PEM certificate chain presented to servers that ask for one (mutual TLS).
    pub cert_path: Option<PathBuf>,
    /// PEM private key of `cert_path`: PKCS#8 (encrypted or not), PKCS#1 or SEC1.
    pub key_path: Option<PathBuf>,
    /// Password of an encrypted PKCS#8 key.
    pub key_password: Option<String>,
    /// Check the server's certificate chain and name. Off only when asked for explicitly.
    pub verify_server: bool,
    /// Where these options came from, named in error texts.
    pub source: String,
}

// By hand so that the key password never reaches a log line.
impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field("trust_cert_path", &self.trust_cert_path)
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .field("key_password", &self.key_password.as_ref().map(|_| "***"))
            .field("verify_server", &self.verify_server)
            .field("source", &self.source)
            .finish()
    }
}

/// The rustls configuration for every TLS connection of one client (name servers and brokers),
/// or a text saying which file or setting is wrong.
pub fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    let builder = if options.verify_server {
        let Some(path) = &options.trust_cert_path else {
            return Err(format!(
                "TLS is on but no tls.client.trustCertPath is set ({}): name the PEM file of the CA that \
                 signed the servers' certificates, or set tls.client.authServer=false to skip verification",
                options.source
            ));
        };
        builder.with_root_certificates(trust_anchors(path)?)
    } else {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(AcceptAnyServerCertificate { provider }))
    };
    let config = match (&options.cert_path, &options.key_path) {
        (None, None) => builder.with_no_client_auth(),
        (Some(cert), Some(key)) => {
            let chain = certificates(cert, "tls.client.certPath")?;
            let key = private_key(key, options.key_password.as_deref())?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("tls.client.certPath and tls.client.keyPath do not make a usable pair: {e}"))?
        }
        (Some(_), None) => return Err(format!("tls.client.certPath is set but tls.client.keyPath is not ({})", options.source)),
        (None, Some(_)) => return Err(format!("tls.client.keyPath is set but tls.client.certPath is not ({})", options.source)),
    };
    Ok(Arc::new(config))
}

/// The name a server's certificate must carry: the IP address (brokers register themselves by
/// IP, so their certificates need an `IP:` subjectAltName) or the host name of `host:port`.
pub fn server_name(addr: &str) -> Result<ServerName<'static>, String> {
    let host = match addr.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => addr,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(host.to_string()).map_err(|_| format!("`{host}` is neither an IP address nor a host name"))
}

/// Why a handshake failed, in words: the certificate problem rustls found, or what the peer did.
pub fn handshake_failure(e: &std::io::Error) -> String {
    if let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        return match tls {
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
                format!("{tls} (the server's certificate is not signed by a CA of tls.client.trustCertPath)")
            }
            _ => tls.to_string(),
        };
    }
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset => {
            "the server closed the connection during the handshake (is TLS enabled on the server?)".into()
        }
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => "no answer from the server in time".into(),
        _ => e.to_string(),
    }
}

fn read_file(path: &Path, key: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {key} {}: {e}", path.display()))
}

fn certificates(path: &Path, key: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = read_file(path, key)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{key} {} is not a valid PEM file: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{key} {} holds no PEM certificate", path.display()));
    }
    Ok(certs)
}

fn trust_anchors(path: &Path) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    for cert in certificates(path, "tls.client.trustCertPath")? {
        roots
            .add(cert)
            .map_err(|e| format!("tls.client.trustCertPath {}: a certificate cannot be used as a CA: {e}", path.display()))?;
    }
    Ok(roots)
}

const ENCRYPTED_PKCS8_LABEL: &str = "ENCRYPTED PRIVATE KEY";

/// The client key: plain PEM keys through rustls' own parser, encrypted PKCS#8 (PBES2, as
/// `openssl pkcs8 -topk8` writes by default) decrypted with `password`.
fn private_key(path: &Path, password: Option<&str>) -> Result<PrivateKeyDer<'static>, String> {
    let pem = read_file(path, "tls.client.keyPath")?;
    let text = String::from_utf8_lossy(&pem);
    if text.contains(&format!("-----BEGIN {ENCRYPTED_PKCS8_LABEL}-----")) {
        return decrypt_pkcs8(path, &text, password);
    }
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(format!(
            "tls.client.keyPath {}: keys encrypted in the legacy OpenSSL format are not supported; \
             convert it to PKCS#8 (openssl pkcs8 -topk8 -v2 aes-256-cbc)",
            path.display()
        ));
    }
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| format!("tls.client.keyPath {}: no usable PEM private key ({e})", path.display()))
}

fn decrypt_pkcs8(path: &Path, text: &str, password: Option<&str>) -> Result<PrivateKeyDer<'static>, String> {
    let what = || format!("tls.client.keyPath {}", path.display());
    let Some(password) = password else {
        return Err(format!("{}: the key is encrypted; set tls.client.keyPassword", what()));
    };
    let (label, document) = pkcs8::der::SecretDocument::from_pem(text).map_err(|e| format!("{}: bad PEM: {e}", what()))?;
    if label != ENCRYPTED_PKCS8_LABEL {
        return Err(format!("{}: expected an {ENCRYPTED_PKCS8_LABEL} first, found {label}", what()));
    }
    const SUPPORTED: &str = "supported: PKCS#8 with PBES2 (PBKDF2 or scrypt, AES-CBC or 3DES), as \
                             `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes";
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(document.as_bytes())
        .map_err(|e| format!("{}: the key's encryption is not supported ({e}); {SUPPORTED}", what()))?;
    let plain = info
        .decrypt(password)
        .map_err(|e| format!("{}: cannot decrypt the key ({e}); is tls.client.keyPassword right? ({SUPPORTED})", what()))?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(plain.as_bytes().to_vec())))
}

/// `tls.client.authServer=false`: any certificate is accepted (the connection is encrypted but
/// the server is not authenticated). The handshake signatures are still checked, so the peer
/// must at least hold the key of the certificate it shows.
#[derive(Debug)]
struct AcceptAnyServerCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyServerCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
