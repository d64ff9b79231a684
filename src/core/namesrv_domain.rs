//! Name server lists published over HTTP (`Set*NameServerDomain`): a GET that answers with
//! `host:port;host:port`.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::client::parse_namesrv_list;
use super::error::{Error, Result};

const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// `domain` is a URL (`http://host:port/path`) or a bare host, which means
/// `http://<host>:8080/rocketmq/nsaddr` as in the Java and C++ clients.
pub async fn fetch(domain: &str) -> Result<Vec<String>> {
    let url = domain.trim().strip_prefix("http://").unwrap_or(domain.trim());
    let (authority, path) = match url.split_once('/') {
        Some((a, p)) => (a.to_string(), format!("/{p}")),
        None => (url.to_string(), "/rocketmq/nsaddr".to_string()),
    };
    let addr = if authority.contains(':') { authority.clone() } else { format!("{authority}:8080") };
    let failed = |why: String| Error::State(format!("cannot fetch the name server list from {domain}: {why}"));
    let body = tokio::time::timeout(FETCH_TIMEOUT, async {
        let mut s = TcpStream::connect(&addr).await.map_err(|e| failed(e.to_string()))?;
        let req = format!("GET {path} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.map_err(|e| failed(e.to_string()))?;
        let mut resp = Vec::new();
        s.read_to_end(&mut resp).await.map_err(|e| failed(e.to_string()))?;
        let text = String::from_utf8_lossy(&resp).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| failed("malformed HTTP response".into()))?;
        if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
            return Err(failed(head.lines().next().unwrap_or("").to_string()));
        }
        Ok(body.to_string())
    })
    .await
    .map_err(|_| failed("timed out".into()))??;
    let list = parse_namesrv_list(&body);
    if list.is_empty() {
        return Err(failed("empty list".into()));
    }
    Ok(list)
}
