//! Which queues of a topic this client consumes: the Java client's "averagely" allocation over
//! the sorted client ids and queues, so that mixed Java/C/Rust groups agree.

use std::time::Duration;

use serde::Deserialize;

use crate::core::client::{code, response, Client};
use crate::core::error::{Error, Result};
use crate::core::route::MessageQueue;
use crate::remoting::RemotingCommand;

/// `AllocateMessageQueueAveragely`: `all` and `clients` sorted; `me` must be in `clients`.
pub fn allocate_averagely(all: &[MessageQueue], clients: &[String], me: &str) -> Vec<MessageQueue> {
    let Some(index) = clients.iter().position(|c| c == me) else { return Vec::new() };
    let (mq, cid) = (all.len(), clients.len());
    if mq == 0 {
        return Vec::new();
    }
    let modulo = mq % cid;
    let average = if mq <= cid {
        1
    } else if modulo > 0 && index < modulo {
        mq / cid + 1
    } else {
        mq / cid
    };
    let start = if modulo > 0 && index < modulo { index * average } else { index * average + modulo };
    let range = average.min(mq.saturating_sub(start));
    (0..range).map(|i| all[(start + i) % mq].clone()).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsumerList {
    #[serde(default)]
    consumer_id_list: Vec<String>,
}

/// The client ids of the group, as the broker knows them from heartbeats.
pub async fn consumer_ids(client: &Client, broker: &str, group: &str) -> Result<Vec<String>> {
    let req = RemotingCommand::request(code::GET_CONSUMER_LIST_BY_GROUP).with_field("consumerGroup", group);
    let resp = client.remoting.invoke(broker, req, Duration::from_secs(3)).await?;
    if resp.code != response::SUCCESS {
        return Err(Error::Broker { addr: broker.to_string(), code: resp.code, remark: resp.remark });
    }
    parse_consumer_list(&resp.body)
}

/// The client ids in a GET_CONSUMER_LIST_BY_GROUP answer, sorted.
pub(crate) fn parse_consumer_list(body: &[u8]) -> Result<Vec<String>> {
    let list: ConsumerList = serde_json::from_slice(body).map_err(|e| Error::Protocol(format!("bad consumer list: {e}")))?;
    let mut ids = list.consumer_id_list;
    ids.sort();
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queues(n: i32) -> Vec<MessageQueue> {
        (0..n).map(|q| MessageQueue { topic: "T".into(), broker_name: "b".into(), queue_id: q }).collect()
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn every_queue_goes_to_exactly_one_client() {
        for (nq, nc) in [(8, 3), (8, 2), (3, 5), (8, 8), (1, 2), (16, 3)] {
            let all = queues(nq);
            let clients = ids(nc);
            let mut seen: Vec<MessageQueue> = clients.iter().flat_map(|c| allocate_averagely(&all, &clients, c)).collect();
            seen.sort();
            assert_eq!(seen, all, "{nq} queues over {nc} clients");
        }
    }

    #[test]
    fn same_split_as_the_java_client() {
        // 8 queues, 3 clients: 3, 3, 2 contiguous queues.
        let all = queues(8);
        let clients = ids(3);
        let q = |c: &str| allocate_averagely(&all, &clients, c).iter().map(|m| m.queue_id).collect::<Vec<_>>();
        assert_eq!(q("c0"), vec![0, 1, 2]);
        assert_eq!(q("c1"), vec![3, 4, 5]);
        assert_eq!(q("c2"), vec![6, 7]);
        assert!(allocate_averagely(&all, &clients, "stranger").is_empty());
    }
}
