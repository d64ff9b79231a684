//! What every producer and consumer needs to talk to a cluster: name servers (with failover),
//! the route cache, broker addresses, heartbeats and the background refresh task.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::sync::Notify;

use super::error::{Error, Result};
use super::ids;
use super::log;
use super::route::{MessageQueue, TopicRouteData};
use super::signing::{AclHook, Credentials};
use crate::remoting::{RemotingClient, RemotingCommand, RpcHook, TlsOptions};

pub mod code {
    pub const SEND_MESSAGE_V2: i32 = 310;
    pub const SEND_BATCH_MESSAGE: i32 = 320;
    pub const PULL_MESSAGE: i32 = 11;
    pub const QUERY_CONSUMER_OFFSET: i32 = 14;
    pub const UPDATE_CONSUMER_OFFSET: i32 = 15;
    pub const GET_MAX_OFFSET: i32 = 30;
    pub const GET_MIN_OFFSET: i32 = 31;
    pub const SEARCH_OFFSET_BY_TIMESTAMP: i32 = 29;
    pub const HEART_BEAT: i32 = 34;
    pub const UNREGISTER_CLIENT: i32 = 35;
    pub const CONSUMER_SEND_MSG_BACK: i32 = 36;
    pub const GET_CONSUMER_LIST_BY_GROUP: i32 = 38;
    pub const NOTIFY_CONSUMER_IDS_CHANGED: i32 = 40;
    pub const LOCK_BATCH_MQ: i32 = 41;
    pub const UNLOCK_BATCH_MQ: i32 = 42;
    pub const RESET_CONSUMER_CLIENT_OFFSET: i32 = 220;
    pub const GET_CONSUMER_RUNNING_INFO: i32 = 307;
    pub const CONSUME_MESSAGE_DIRECTLY: i32 = 309;
    pub const GET_ROUTEINFO_BY_TOPIC: i32 = 105;
}

pub mod response {
    pub const SUCCESS: i32 = 0;
    pub const SYSTEM_ERROR: i32 = 1;
    pub const SYSTEM_BUSY: i32 = 2;
    pub const FLUSH_DISK_TIMEOUT: i32 = 10;
    pub const SLAVE_NOT_AVAILABLE: i32 = 11;
    pub const FLUSH_SLAVE_TIMEOUT: i32 = 12;
    pub const SERVICE_NOT_AVAILABLE: i32 = 14;
    pub const NO_PERMISSION: i32 = 16;
    pub const TOPIC_NOT_EXIST: i32 = 17;
    pub const PULL_NOT_FOUND: i32 = 19;
    pub const PULL_RETRY_IMMEDIATELY: i32 = 20;
    pub const PULL_OFFSET_MOVED: i32 = 21;
    pub const QUERY_NOT_FOUND: i32 = 22;
}

/// The topic brokers use as the template for topics created on first send.
pub const AUTO_CREATE_TOPIC: &str = "TBW102";

const NAMESRV_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub namesrv_addrs: Vec<String>,
    pub instance_name: String,
    pub credentials: Credentials,
    /// TLS for every connection (name servers and brokers); `None`: plain TCP.
    pub tls: Option<TlsOptions>,
    /// How often cached routes are looked up again (Java's `pollNameServerInterval`).
    pub route_refresh_interval: Duration,
    /// How often every known master broker gets a heartbeat (Java's `heartbeatBrokerInterval`).
    pub heartbeat_interval: Duration,
    /// How long opening a connection may take (2.2.0's `tcpTransportConnectTimeout`, 3 s).
    pub connect_timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            namesrv_addrs: Vec::new(),
            instance_name: String::new(),
            credentials: Credentials::default(),
            tls: None,
            route_refresh_interval: Duration::from_secs(30),
            heartbeat_interval: Duration::from_secs(30),
            connect_timeout: crate::remoting::CONNECT_TIMEOUT,
        }
    }
}

/// Splits `a:9876;b:9876` (a leading `http://` is dropped, as 2.2.0 did).
pub fn parse_namesrv_list(s: &str) -> Vec<String> {
    let s = s.trim();
    let s = s.strip_prefix("http://").unwrap_or(s);
    s.split(';').map(str::trim).filter(|a| !a.is_empty()).map(String::from).collect()
}

pub struct Client {
    pub client_id: String,
    namesrv: Vec<String>,
    namesrv_index: AtomicUsize,
    pub remoting: RemotingClient,
    routes: Mutex<HashMap<String, Arc<TopicRouteData>>>,
    producer_groups: Mutex<HashSet<String>>,
    /// `consumerDataSet` entries of the heartbeat, one per consumer group on this client.
    consumer_data: Mutex<Vec<serde_json::Value>>,
    heartbeat_sent_to: Mutex<HashSet<String>>,
    heartbeats_answered: AtomicU64,
    route_refresh_interval: Duration,
    heartbeat_interval: Duration,
    stopping: AtomicBool,
    stop_notify: Notify,
    /// Keeps the runtime running until `shutdown` (or the last reference) lets it go.
    lease: Mutex<Option<super::runtime::Lease>>,
}

impl Client {
    pub fn new(config: &ClientConfig) -> Result<Arc<Client>> {
        if config.namesrv_addrs.is_empty() {
            return Err(Error::NoNameServer);
        }
        let hook: Option<Arc<dyn RpcHook>> = if config.credentials.is_set() {
            Some(Arc::new(AclHook { credentials: config.credentials.clone() }))
        } else {
            None
        };
        let transport = super::tls::transport(config.tls.as_ref())?;
        let instance = if config.instance_name.is_empty() { "DEFAULT" } else { &config.instance_name };
        Ok(Arc::new(Client {
            client_id: ids::client_id(instance),
            namesrv: config.namesrv_addrs.clone(),
            namesrv_index: AtomicUsize::new(0),
            remoting: RemotingClient::new(hook, transport).with_connect_timeout(config.connect_timeout),
            routes: Mutex::new(HashMap::new()),
            producer_groups: Mutex::new(HashSet::new()),
            consumer_data: Mutex::new(Vec::new()),
            heartbeat_sent_to: Mutex::new(HashSet::new()),
            heartbeats_answered: AtomicU64::new(0),
            route_refresh_interval: config.route_refresh_interval,
            heartbeat_interval: config.heartbeat_interval,
            stopping: AtomicBool::new(false),
            stop_notify: Notify::new(),
            lease: Mutex::new(Some(super::runtime::lease()?)),
        }))
    }

    /// Starts the periodic route refresh and heartbeat (each every 30 s by default).
    pub fn start_housekeeping(self: &Arc<Self>, handle: &tokio::runtime::Handle) {
        let weak = Arc::downgrade(self);
        let (refresh_every, heartbeat_every) = (self.route_refresh_interval, self.heartbeat_interval);
        handle.spawn(async move {
            let start = tokio::time::Instant::now();
            let (mut next_refresh, mut next_heartbeat) = (start + refresh_every, start + heartbeat_every);
            loop {
                let Some(client) = weak.upgrade() else { return };
                let stop = client.stop_notify.notified();
                tokio::pin!(stop);
                stop.as_mut().enable();
                if client.stopping.load(Ordering::Acquire) {
                    return;
                }
                tokio::select! {
                    _ = tokio::time::sleep_until(next_refresh.min(next_heartbeat)) => {}
                    _ = &mut stop => return,
                }
                let now = tokio::time::Instant::now();
                if now >= next_refresh {
                    client.refresh_routes().await;
                    next_refresh = now + refresh_every;
                }
                if now >= next_heartbeat {
                    client.send_heartbeat_to_all().await;
                    next_heartbeat = now + heartbeat_every;
                }
            }
        });
    }

    /// Heartbeats the brokers answered with success, since this client started.
    pub fn heartbeats_answered(&self) -> u64 {
        self.heartbeats_answered.load(Ordering::Relaxed)
    }

    pub fn add_producer_group(&self, group: &str) {
        self.producer_groups.lock().unwrap().insert(group.to_string());
    }

    /// Announces a consumer group (its `consumerDataSet` entry) in every heartbeat.
    pub fn set_consumer_data(&self, data: serde_json::Value) {
        *self.consumer_data.lock().unwrap() = vec![data];
    }

    /// Any master address of the topic's brokers (for group-wide queries).
    pub fn any_broker_of(&self, topic: &str) -> Option<String> {
        let routes = self.routes.lock().unwrap();
        routes.get(topic).and_then(|r| r.broker_datas.iter().find_map(|b| b.broker_addrs.get(&super::route::MASTER_ID).cloned()))
    }

    pub fn master_addr_of(&self, topic: &str, broker_name: &str) -> Option<String> {
        let routes = self.routes.lock().unwrap();
        routes.get(topic).and_then(|r| r.master_addr(broker_name).map(String::from))
    }

    /// Asks the name servers for a topic's route, trying each in turn from the last one that
    /// answered.
    pub async fn query_route(&self, topic: &str) -> Result<TopicRouteData> {
        let mut last_err = Error::NoNameServer;
        let n = self.namesrv.len();
        let start = self.namesrv_index.load(Ordering::Relaxed);
        for i in 0..n {
            let idx = (start + i) % n;
            let addr = &self.namesrv[idx];
            let req = RemotingCommand::request(code::GET_ROUTEINFO_BY_TOPIC)
                .with_field("topic", topic)
                .with_field("acceptStandardJsonOnly", "true");
            match self.remoting.invoke(addr, req, NAMESRV_TIMEOUT).await {
                Ok(resp) => {
                    self.namesrv_index.store(idx, Ordering::Relaxed);
                    return match resp.code {
                        response::SUCCESS => TopicRouteData::parse(&resp.body),
                        response::TOPIC_NOT_EXIST => Err(Error::NoRoute(topic.to_string())),
                        code => Err(Error::NameServer { code, remark: resp.remark }),
                    };
                }
                Err(e) => {
                    log::warn(&format!("name server {addr} failed for route of {topic}: {e}"));
                    last_err = e.into();
                }
            }
        }
        Err(last_err)
    }

    /// The cached route, looked up on a miss.
    pub async fn route(&self, topic: &str) -> Result<Arc<TopicRouteData>> {
        if let Some(r) = self.routes.lock().unwrap().get(topic) {
            return Ok(r.clone());
        }
        self.update_route(topic).await
    }

    pub fn cached_route(&self, topic: &str) -> Option<Arc<TopicRouteData>> {
        self.routes.lock().unwrap().get(topic).cloned()
    }

    /// Looks the route up again and caches it. Brokers not greeted yet get a heartbeat before
    /// this returns: a consumer must be known to them before it asks for its group's members
    /// or locks queues.
    pub async fn update_route(&self, topic: &str) -> Result<Arc<TopicRouteData>> {
        let route = self.lookup_and_cache(topic).await?;
        for addr in self.ungreeted_brokers(&route) {
            self.send_heartbeat(&addr).await;
        }
        Ok(route)
    }

    /// As `update_route`, for senders, which brokers need not know before a send: the heartbeat
    /// to new brokers goes on in the background, so a broker that does not answer costs a send
    /// no more than the send's own timeout.
    pub async fn update_publish_route(self: &Arc<Self>, topic: &str) -> Result<Arc<TopicRouteData>> {
        let route = self.lookup_and_cache(topic).await?;
        let fresh = self.ungreeted_brokers(&route);
        if !fresh.is_empty() {
            let client = self.clone();
            tokio::spawn(async move {
                for addr in fresh {
                    client.send_heartbeat(&addr).await;
                }
            });
        }
        Ok(route)
    }

    async fn lookup_and_cache(&self, topic: &str) -> Result<Arc<TopicRouteData>> {
        let route = Arc::new(self.query_route(topic).await?);
        self.routes.lock().unwrap().insert(topic.to_string(), route.clone());
        Ok(route)
    }

    async fn refresh_routes(&self) {
        let topics: Vec<String> = self.routes.lock().unwrap().keys().cloned().collect();
        for t in topics {
            match self.query_route(&t).await {
                Ok(r) => {
                    self.routes.lock().unwrap().insert(t, Arc::new(r));
                }
                Err(e) => log::warn(&format!("route refresh for {t} failed: {e}")),
            }
        }
    }

    /// Every master broker address known from the cached routes.
    pub fn broker_addrs(&self) -> Vec<String> {
        let routes = self.routes.lock().unwrap();
        let mut addrs: Vec<String> = routes
            .values()
            .flat_map(|r| r.broker_datas.iter().filter_map(|b| b.broker_addrs.get(&super::route::MASTER_ID).cloned()))
            .collect();
        addrs.sort();
        addrs.dedup();
        addrs
    }

    pub fn master_addr(&self, mq: &MessageQueue) -> Option<String> {
        self.master_addr_of(&mq.topic, &mq.broker_name)
    }

    fn heartbeat_body(&self) -> Vec<u8> {
        let producers: Vec<_> = {
            let mut groups: Vec<String> = self.producer_groups.lock().unwrap().iter().cloned().collect();
            groups.sort();
            groups.into_iter().map(|g| json!({ "groupName": g })).collect()
        };
        let consumers = self.consumer_data.lock().unwrap().clone();
        json!({ "clientID": self.client_id, "producerDataSet": producers, "consumerDataSet": consumers })
            .to_string()
            .into_bytes()
    }

    /// The route's master brokers that have had no heartbeat from us yet (marked as greeted).
    fn ungreeted_brokers(&self, route: &TopicRouteData) -> Vec<String> {
        let mut sent = self.heartbeat_sent_to.lock().unwrap();
        route
            .broker_datas
            .iter()
            .filter_map(|b| b.broker_addrs.get(&super::route::MASTER_ID).cloned())
            .filter(|a| sent.insert(a.clone()))
            .collect()
    }

    async fn send_heartbeat(&self, addr: &str) {
        let req = RemotingCommand::request(code::HEART_BEAT).with_body(self.heartbeat_body());
        match self.remoting.invoke(addr, req, NAMESRV_TIMEOUT).await {
            Ok(r) if r.code == response::SUCCESS => {
                self.heartbeats_answered.fetch_add(1, Ordering::Relaxed);
            }
            Ok(r) => log::warn(&format!("heartbeat to {addr} refused: code {} {}", r.code, r.remark)),
            Err(e) => log::warn(&format!("heartbeat to {addr} failed: {e}")),
        }
    }

    pub async fn send_heartbeat_to_all(&self) {
        for addr in self.broker_addrs() {
            self.send_heartbeat(&addr).await;
        }
    }

    /// Tells every broker we are gone, then closes all connections and stops the background task.
    pub async fn shutdown(&self, producer_group: &str, consumer_group: &str) {
        self.stopping.store(true, Ordering::Release);
        self.stop_notify.notify_waiters();
        for addr in self.broker_addrs() {
            let req = RemotingCommand::request(code::UNREGISTER_CLIENT)
                .with_field("clientID", &self.client_id)
                .with_field("producerGroup", producer_group)
                .with_field("consumerGroup", consumer_group);
            if let Err(e) = self.remoting.invoke(&addr, req, Duration::from_secs(1)).await {
                log::warn(&format!("unregister from {addr} failed: {e}"));
            }
        }
        self.remoting.close_all();
        // The last client to let go ends the runtime (when the library returns to the host).
        drop(self.lease.lock().unwrap_or_else(|e| e.into_inner()).take());
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::TcpListener;
    use std::sync::mpsc;

    use super::*;

    fn config(namesrv: &str) -> ClientConfig {
        ClientConfig { namesrv_addrs: vec![namesrv.to_string()], ..Default::default() }
    }

    #[test]
    fn intervals_default_to_java_s_30_seconds() {
        // Java's ClientConfig: pollNameServerInterval and heartbeatBrokerInterval, 30 000 ms.
        let c = ClientConfig::default();
        assert_eq!(c.route_refresh_interval, Duration::from_millis(30_000));
        assert_eq!(c.heartbeat_interval, Duration::from_millis(30_000));
    }

    #[test]
    fn the_client_id_names_the_instance_or_default() {
        let unnamed = Client::new(&config("127.0.0.1:1")).unwrap();
        assert_eq!(unnamed.client_id, ids::client_id("DEFAULT"));
        let named = Client::new(&ClientConfig { instance_name: "i1".into(), ..config("127.0.0.1:1") }).unwrap();
        assert_eq!(named.client_id, ids::client_id("i1"));
    }

    /// A broker on a local socket answering the requests of one connection with `codes` in turn
    /// and handing over their bodies: a real broker cannot be made to refuse a heartbeat.
    fn answering_peer(codes: Vec<i32>) -> (String, mpsc::Receiver<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let Ok((mut s, _)) = listener.accept() else { return };
            for code in codes {
                let frame = crate::remoting::test_peer::read_frame(&mut s).expect("a heartbeat frame");
                let req = RemotingCommand::decode(frame.into()).unwrap();
                assert_eq!(req.code, code::HEART_BEAT);
                tx.send(req.body.to_vec()).unwrap();
                s.write_all(&RemotingCommand::response(code, req.opaque).encode()).unwrap();
            }
        });
        (addr, rx)
    }

    #[test]
    fn only_heartbeats_answered_with_success_are_counted() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (addr, bodies) = answering_peer(vec![response::SYSTEM_ERROR, response::SUCCESS]);
        let client = Client::new(&config("127.0.0.1:1")).unwrap();
        client.add_producer_group("pg");
        rt.block_on(async {
            client.send_heartbeat(&addr).await;
            assert_eq!(client.heartbeats_answered(), 0, "a refused heartbeat was counted");
            client.send_heartbeat(&addr).await;
            assert_eq!(client.heartbeats_answered(), 1);
        });
        let body: serde_json::Value = serde_json::from_slice(&bodies.recv().unwrap()).unwrap();
        assert_eq!(body["clientID"], client.client_id.as_str());
        assert_eq!(body["producerDataSet"], json!([{ "groupName": "pg" }]));
        assert_eq!(body["consumerDataSet"], json!([]));
        client.remoting.close_all();
    }
}
