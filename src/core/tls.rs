//! Where a client's TLS settings come from: the upstream properties file (`tls.client.*` keys,
//! default `/etc/rocketmq/tls.properties`) and the environment variables that turn TLS on for
//! hosts that cannot call `Set*Ssl` (the Python package, for one).

use std::path::{Path, PathBuf};

use super::error::{Error, Result};
use crate::remoting::{TlsOptions, Transport};

/// `1` (or `true`, `yes`, `on`): TLS for every client whose `Set*Ssl` was not called.
pub const ENV_TLS: &str = "ROCKETMQ_TLS";
/// The properties file for every client whose `Set*SslPropertyFile` was not called.
pub const ENV_TLS_PROPERTY_FILE: &str = "ROCKETMQ_TLS_PROPERTY_FILE";
/// rocketmq-client-cpp's default.
pub const DEFAULT_PROPERTY_FILE: &str = "/etc/rocketmq/tls.properties";

/// TLS on or off by the environment (read when a handle is created).
pub fn enabled_by_env() -> bool {
    std::env::var(ENV_TLS).is_ok_and(|v| is_on(&v))
}

/// The properties file named by the environment, if any.
pub fn property_file_from_env() -> Option<String> {
    std::env::var(ENV_TLS_PROPERTY_FILE).ok().filter(|v| !v.trim().is_empty())
}

fn is_on(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
}

/// The TLS options of a client: from `property_file` when one was named (it must then be
/// readable), else from the default file when it exists, else none (which [`transport`] turns
/// into an error unless verification is off).
pub fn options(property_file: Option<&str>) -> Result<TlsOptions> {
    match property_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::TlsSetup(format!("cannot read the TLS property file {path}: {e}")))?;
            parse(&text, &format!("property file {path}"))
        }
        None if Path::new(DEFAULT_PROPERTY_FILE).exists() => options(Some(DEFAULT_PROPERTY_FILE)),
        None => Ok(TlsOptions {
            verify_server: true,
            source: format!("no property file given and {DEFAULT_PROPERTY_FILE} does not exist"),
            ..Default::default()
        }),
    }
}

/// Reads the `tls.client.*` keys of a Java properties text (`key=value` or `key: value` lines,
/// `#` and `!` comments); other keys (the servers' `tls.server.*`) are ignored.
pub fn parse(text: &str, source: &str) -> Result<TlsOptions> {
    let mut options = TlsOptions { verify_server: true, source: source.to_string(), ..Default::default() };
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let Some(split) = line.find(['=', ':']) else { continue };
        let (key, value) = (line[..split].trim(), line[split + 1..].trim());
        let path = || (!value.is_empty()).then(|| PathBuf::from(value));
        match key {
            "tls.client.trustCertPath" => options.trust_cert_path = path(),
            "tls.client.certPath" => options.cert_path = path(),
            "tls.client.keyPath" => options.key_path = path(),
            "tls.client.keyPassword" => options.key_password = (!value.is_empty()).then(|| value.to_string()),
            "tls.client.authServer" => {
                options.verify_server = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(Error::TlsSetup(format!(
                            "tls.client.authServer must be true or false, not `{value}` ({source})"
                        )))
                    }
                }
            }
            _ => {}
        }
    }
    Ok(options)
}

/// The transport of a client: TLS with the configuration built from `options`, or plain TCP.
pub fn transport(options: Option<&TlsOptions>) -> Result<Transport> {
    let Some(options) = options else { return Ok(Transport::Plain) };
    let config = crate::remoting::tls::client_config(options).map_err(Error::TlsSetup)?;
    match &options.trust_cert_path {
        _ if !options.verify_server => super::log::warn(&format!(
            "TLS without verification of the servers' certificates (tls.client.authServer=false, {})",
            options.source
        )),
        Some(ca) => super::log::info(&format!("TLS on, server certificates verified against {}", ca.display())),
        None => {}
    }
    Ok(Transport::Tls(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_client_keys_and_ignores_the_rest() {
        let text = "# comment\n! also a comment\ntls.server.certPath=/srv.pem\n tls.client.trustCertPath = /ca.pem \n\
                    tls.client.certPath: /c.pem\ntls.client.keyPath=/k.pem\ntls.client.keyPassword=s3cret\n";
        let o = parse(text, "test").unwrap();
        assert_eq!(o.trust_cert_path.as_deref(), Some(Path::new("/ca.pem")));
        assert_eq!(o.cert_path.as_deref(), Some(Path::new("/c.pem")));
        assert_eq!(o.key_path.as_deref(), Some(Path::new("/k.pem")));
        assert_eq!(o.key_password.as_deref(), Some("s3cret"));
        assert!(o.verify_server, "verification is on unless switched off");
        assert!(!format!("{o:?}").contains("s3cret"), "the password stays out of Debug");
    }

    #[test]
    fn auth_server_false_switches_verification_off_and_nonsense_is_refused() {
        assert!(!parse("tls.client.authServer=false", "t").unwrap().verify_server);
        assert!(parse("tls.client.authServer=TRUE", "t").unwrap().verify_server);
        let e = parse("tls.client.authServer=maybe", "t").unwrap_err().to_string();
        assert!(e.contains("tls.client.authServer must be true or false"), "{e}");
    }

    #[test]
    fn a_named_file_that_cannot_be_read_is_an_error_that_names_it() {
        let e = options(Some("/nonexistent/tls.properties")).unwrap_err().to_string();
        assert!(e.contains("cannot read the TLS property file /nonexistent/tls.properties"), "{e}");
    }

    #[test]
    fn tls_without_a_trust_file_fails_unless_verification_is_off() {
        let verify = TlsOptions { verify_server: true, source: "here".into(), ..Default::default() };
        let e = transport(Some(&verify)).unwrap_err().to_string();
        assert!(e.contains("no tls.client.trustCertPath"), "{e}");
        let trust_all = TlsOptions { verify_server: false, ..verify };
        assert!(transport(Some(&trust_all)).unwrap().is_tls());
        assert!(!transport(None).unwrap().is_tls());
    }

    #[test]
    fn env_values_that_mean_on() {
        for v in ["1", "true", "YES", " on "] {
            assert!(is_on(v), "{v}");
        }
        for v in ["0", "false", "", "off", "2"] {
            assert!(!is_on(v), "{v}");
        }
    }
}
