//! Pulling messages from a queue: the pull consumer's one request, also used by tests to read
//! back what was sent.

use std::sync::Arc;
use std::time::Duration;

use super::client::{code, response, Client, ClientConfig};
use super::error::{Error, Result};
use super::log;
use super::message::{decode_messages, prop, MessageExt};
use super::route::MessageQueue;
use crate::remoting::RemotingCommand;

const FLAG_SUSPEND: i32 = 0x2;
const FLAG_SUBSCRIPTION: i32 = 0x4;
/// Broker-side long-poll parameter of a non-suspended pull (2.2.0 sent 20 s).
const BROKER_SUSPEND_MS: i64 = 20_000;
/// How long the broker holds a push consumer's pull when nothing is there (the Java client's).
pub const LONG_POLL_MS: i64 = 15_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullStatus {
    Found = 0,
    NoNewMsg = 1,
    NoMatchedMsg = 2,
    OffsetIllegal = 3,
    BrokerTimeout = 4,
}

#[derive(Debug, Clone)]
pub struct PullResult {
    pub status: PullStatus,
    pub next_begin_offset: i64,
    pub min_offset: i64,
    pub max_offset: i64,
    pub messages: Vec<MessageExt>,
}

/// A tag expression: `*` (or empty) for all, else tags separated by `||`; or an SQL92
/// expression over message properties, which only the broker evaluates (it needs
/// `enablePropertyFilter=true`).
#[derive(Debug, Clone, PartialEq)]
pub struct TagFilter {
    pub expression: String,
    tags: Option<Vec<String>>,
    pub sql92: bool,
}

impl TagFilter {
    pub fn parse(expression: &str) -> Self {
        let e = expression.trim();
        if e.is_empty() || e == "*" {
            return TagFilter { expression: "*".into(), tags: None, sql92: false };
        }
        let tags: Vec<String> = e.split("||").map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
        TagFilter { expression: tags.join(" || "), tags: Some(tags), sql92: false }
    }

    /// An SQL92 expression, sent as is (no filtering on the client).
    pub fn sql92(expression: &str) -> Self {
        TagFilter { expression: expression.trim().to_string(), tags: None, sql92: true }
    }

    /// The `expressionType` of pull requests and heartbeats.
    pub fn expression_type(&self) -> &'static str {
        if self.sql92 {
            "SQL92"
        } else {
            "TAG"
        }
    }

    pub fn matches(&self, m: &MessageExt) -> bool {
        match &self.tags {
            None => true,
            Some(tags) => m.message.property(prop::TAGS).is_some_and(|t| tags.iter().any(|x| x == t)),
        }
    }
}

pub struct Puller {
    pub client: Arc<Client>,
    pub group: String,
}

impl Puller {
    pub fn new(group: &str, config: &ClientConfig) -> Result<Self> {
        Ok(Puller { client: Client::new(config)?, group: group.to_string() })
    }

    pub fn with_client(client: Arc<Client>, group: &str) -> Self {
        Puller { client, group: group.to_string() }
    }

    /// The topic's readable queues, from a fresh route lookup.
    pub async fn fetch_queues(&self, topic: &str) -> Result<Vec<MessageQueue>> {
        let route = self.client.update_route(topic).await?;
        Ok(route.read_queues(topic))
    }

    async fn broker_addr(&self, mq: &MessageQueue) -> Result<String> {
        if let Some(a) = self.client.master_addr(mq) {
            return Ok(a);
        }
        self.client.update_route(&mq.topic).await?;
        self.client.master_addr(mq).ok_or_else(|| Error::NoRoute(mq.topic.clone()))
    }

    /// One pull from `offset`, at most `max` messages, filtered by tag on the client as well.
    pub async fn pull(&self, mq: &MessageQueue, filter: &TagFilter, offset: i64, max: i32, timeout: Duration) -> Result<PullResult> {
        self.pull_with(mq, filter, offset, max, timeout, false).await
    }

    /// A long-polling pull: the broker holds it up to [`LONG_POLL_MS`] until messages arrive.
    pub async fn pull_long(&self, mq: &MessageQueue, filter: &TagFilter, offset: i64, max: i32) -> Result<PullResult> {
        self.pull_with(mq, filter, offset, max, Duration::from_millis(LONG_POLL_MS as u64 * 2), true).await
    }

    async fn pull_with(&self, mq: &MessageQueue, filter: &TagFilter, offset: i64, max: i32, timeout: Duration, suspend: bool) -> Result<PullResult> {
        if offset < 0 || max <= 0 {
            return Err(Error::InvalidArgument(format!("offset {offset} or maxNums {max} out of range")));
        }
        let addr = self.broker_addr(mq).await?;
        let req = RemotingCommand::request(code::PULL_MESSAGE)
            .with_field("consumerGroup", &self.group)
            .with_field("topic", &mq.topic)
            .with_field("queueId", mq.queue_id)
            .with_field("queueOffset", offset)
            .with_field("maxMsgNums", max)
            .with_field("sysFlag", if suspend { FLAG_SUBSCRIPTION | FLAG_SUSPEND } else { FLAG_SUBSCRIPTION })
            .with_field("commitOffset", 0)
            .with_field("suspendTimeoutMillis", if suspend { LONG_POLL_MS } else { BROKER_SUSPEND_MS })
            .with_field("subscription", &filter.expression)
            .with_field("subVersion", 0)
            .with_field("expressionType", filter.expression_type());
        let resp = self.client.remoting.invoke(&addr, req, timeout).await?;
        let result = pull_result(resp, filter, offset, &addr)?;
        if result.status == PullStatus::Found {
            log::debug(&format!("pulled {} message(s) from {:?} at {offset}", result.messages.len(), mq));
        }
        Ok(result)
    }

    pub async fn shutdown(&self) {
        self.client.shutdown("", &self.group).await;
    }
}

/// The broker's answer to a pull from `offset` (made to `addr`), messages filtered by tag.
pub(crate) fn pull_result(resp: RemotingCommand, filter: &TagFilter, offset: i64, addr: &str) -> Result<PullResult> {
    let status = match resp.code {
        response::SUCCESS => PullStatus::Found,
        response::PULL_NOT_FOUND => PullStatus::NoNewMsg,
        response::PULL_RETRY_IMMEDIATELY => PullStatus::NoMatchedMsg,
        response::PULL_OFFSET_MOVED => PullStatus::OffsetIllegal,
        code => return Err(Error::Broker { addr: addr.to_string(), code, remark: resp.remark }),
    };
    let messages = if status == PullStatus::Found {
        let mut all = decode_messages(resp.body.clone())?;
        all.retain(|m| filter.matches(m));
        all
    } else {
        Vec::new()
    };
    Ok(PullResult {
        status,
        next_begin_offset: resp.field_i64("nextBeginOffset").unwrap_or(offset),
        min_offset: resp.field_i64("minOffset").unwrap_or(0),
        max_offset: resp.field_i64("maxOffset").unwrap_or(0),
        messages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_expressions() {
        assert_eq!(TagFilter::parse("").expression, "*");
        let f = TagFilter::parse("TagA ||TagB");
        assert_eq!(f.expression, "TagA || TagB");
        assert_eq!(f.tags.as_ref().unwrap().len(), 2);
    }
}
