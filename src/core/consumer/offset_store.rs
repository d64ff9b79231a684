//! Where a consumer group's progress is kept: on the brokers (clustering) or in a local file
//! (broadcasting). Offsets are cached in memory, persisted periodically and at shutdown.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::core::client::{code, response, Client};
use crate::core::error::{Error, Result};
use crate::core::log;
use crate::core::route::MessageQueue;
use crate::remoting::RemotingCommand;

const BROKER_TIMEOUT: Duration = Duration::from_secs(3);

pub enum OffsetStore {
    Remote(RemoteOffsets),
    Local(LocalOffsets),
}

impl OffsetStore {
    /// The stored offset of `mq`, `None` when the group has none for the queue yet. Clustering
    /// asks the broker every time (and keeps the answer in memory): a value cached from an
    /// earlier time the queue was ours may predate another owner's commits. Broadcasting reads
    /// the local file's table.
    pub async fn read(&self, mq: &MessageQueue) -> Result<Option<i64>> {
        match self {
            OffsetStore::Remote(r) => r.read(mq).await,
            OffsetStore::Local(l) => Ok(l.read(mq)),
        }
    }

    pub fn update(&self, mq: &MessageQueue, offset: i64) {
        let table = match self {
            OffsetStore::Remote(r) => &r.table,
            OffsetStore::Local(l) => &l.table,
        };
        table.lock().unwrap().insert(mq.clone(), offset);
    }

    pub fn remove(&self, mq: &MessageQueue) {
        if let OffsetStore::Remote(r) = self {
            r.table.lock().unwrap().remove(mq);
        }
    }

    /// Persists the offsets of `queues`: only the queues this consumer holds, so that a late
    /// update of a queue handed over to another consumer never overwrites that one's progress.
    /// (The local file of a broadcasting consumer is written whole: every queue is its own.)
    pub async fn persist(&self, queues: &[MessageQueue]) {
        match self {
            OffsetStore::Remote(r) => r.persist(queues).await,
            OffsetStore::Local(l) => l.persist(),
        }
    }

    pub fn snapshot(&self) -> HashMap<MessageQueue, i64> {
        match self {
            OffsetStore::Remote(r) => r.table.lock().unwrap().clone(),
            OffsetStore::Local(l) => l.table.lock().unwrap().clone(),
        }
    }
}

pub struct RemoteOffsets {
    pub client: Arc<Client>,
    pub group: String,
    table: Mutex<HashMap<MessageQueue, i64>>,
}

impl RemoteOffsets {
    pub fn new(client: Arc<Client>, group: &str) -> Self {
        RemoteOffsets { client, group: group.to_string(), table: Mutex::new(HashMap::new()) }
    }

    async fn broker(&self, mq: &MessageQueue) -> Result<String> {
        if let Some(a) = self.client.master_addr_of(&mq.topic, &mq.broker_name) {
            return Ok(a);
        }
        self.client.update_route(&mq.topic).await?;
        self.client.master_addr_of(&mq.topic, &mq.broker_name).ok_or_else(|| Error::NoRoute(mq.topic.clone()))
    }

    pub(crate) async fn read(&self, mq: &MessageQueue) -> Result<Option<i64>> {
        let addr = self.broker(mq).await?;
        let req = RemotingCommand::request(code::QUERY_CONSUMER_OFFSET)
            .with_field("consumerGroup", &self.group)
            .with_field("topic", &mq.topic)
            .with_field("queueId", mq.queue_id);
        let resp = self.client.remoting.invoke(&addr, req, BROKER_TIMEOUT).await?;
        match resp.code {
            response::SUCCESS => {
                let offset = resp.field_i64("offset").unwrap_or(0);
                self.table.lock().unwrap().insert(mq.clone(), offset);
                Ok(Some(offset))
            }
            response::QUERY_NOT_FOUND => {
                self.table.lock().unwrap().remove(mq);
                Ok(None)
            }
            code => Err(Error::Broker { addr, code, remark: resp.remark }),
        }
    }

    async fn persist(&self, queues: &[MessageQueue]) {
        let entries: Vec<(MessageQueue, i64)> = {
            let table = self.table.lock().unwrap();
            queues.iter().filter_map(|q| table.get(q).map(|o| (q.clone(), *o))).collect()
        };
        for (mq, offset) in entries {
            if let Err(e) = self.commit(&mq, offset).await {
                log::warn(&format!("offset commit of {mq:?} failed: {e}"));
            }
        }
    }

    /// Stores `offset` as the group's progress on `mq` at the queue's master.
    pub(crate) async fn commit(&self, mq: &MessageQueue, offset: i64) -> Result<()> {
        let addr = self.broker(mq).await?;
        let req = RemotingCommand::request(code::UPDATE_CONSUMER_OFFSET)
            .with_field("consumerGroup", &self.group)
            .with_field("topic", &mq.topic)
            .with_field("queueId", mq.queue_id)
            .with_field("commitOffset", offset);
        let r = self.client.remoting.invoke(&addr, req, BROKER_TIMEOUT).await?;
        match r.code {
            response::SUCCESS => Ok(()),
            code => Err(Error::Broker { addr, code, remark: r.remark }),
        }
    }
}

/// Broadcasting offsets in `$HOME/.rocketmq_offsets/<client id>/<group>/offsets.json`.
pub struct LocalOffsets {
    path: PathBuf,
    table: Mutex<HashMap<MessageQueue, i64>>,
}

fn key(mq: &MessageQueue) -> String {
    format!("{}@{}@{}", mq.topic, mq.broker_name, mq.queue_id)
}

impl LocalOffsets {
    pub fn open(client_id: &str, group: &str) -> Self {
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let dir_name: String = client_id.chars().map(|c| if c.is_ascii_alphanumeric() || "@.-_".contains(c) { c } else { '_' }).collect();
        let path = home.join(".rocketmq_offsets").join(dir_name).join(group).join("offsets.json");
        let mut table = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&text) {
                for (k, v) in map {
                    let parts: Vec<&str> = k.rsplitn(3, '@').collect();
                    if let (3, Some(o)) = (parts.len(), v.as_i64()) {
                        if let Ok(q) = parts[0].parse() {
                            table.insert(MessageQueue { topic: parts[2].to_string(), broker_name: parts[1].to_string(), queue_id: q }, o);
                        }
                    }
                }
            }
        }
        LocalOffsets { path, table: Mutex::new(table) }
    }

    fn read(&self, mq: &MessageQueue) -> Option<i64> {
        self.table.lock().unwrap().get(mq).copied()
    }

    fn persist(&self) {
        let map: Map<String, Value> = self.table.lock().unwrap().iter().map(|(q, o)| (key(q), json!(o))).collect();
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let tmp = self.path.with_extension("json.tmp");
        let text = Value::Object(map).to_string();
        if std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, &self.path)).is_err() {
            log::warn(&format!("cannot write offsets to {}", self.path.display()));
        }
    }
}
