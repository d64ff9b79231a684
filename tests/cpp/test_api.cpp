// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: the 2.2.0 C++ API against a real broker.
//   test_api NAMESRV TOPIC [NAMESPACE]   (TOPIC: an existing topic with at least 2 queues;
//                                         NAMESPACE%TOPIC too when NAMESPACE is given)
// Producer: sync (with a flag), to a queue, with a selector (sync, async, oneway), async
// (borrowed and auto-delete callbacks, success and failure), oneway, batch (also to a queue);
// every send read back from the broker with a pull consumer. Pull consumer: offsets stored on the
// broker (persistConsumerOffset4PullConsumer, fetchConsumeOffset from the store and from memory),
// pullBlockIfNotFound. Push consumers: concurrent (with transactions committed, rolled back, and
// left unknown for the broker's check to commit), delay level and __STARTDELIVERTIME (5.x: at
// its time; 4.x: at once, as tests/c/test_schedule.c expects), broadcasting, orderly. A
// transaction committed by the program's own checkTransactionState. setNameSpace and
// setUnitName. setTcpTransportConnectTimeout (against a local address that never accepts). The exceptions 2.2.0 throws on misuse (its list in the reference, cpp-api.md 3.2,
// checked against its source: selector sends validate the message too).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <atomic>
#include <set>

#include "TransactionMQProducer.h"
#include "common.h"

using namespace rocketmq;

namespace {

// scripts/brokers.sh: the 5.x pair's name server answers on 19876 (as test_schedule.c assumes).
bool broker5() { return args::namesrv().find(":19876") != std::string::npos; }

class PickQueue : public MessageQueueSelector {
 public:
  MQMessageQueue select(const std::vector<MQMessageQueue>& mqs, const MQMessage&, void* arg) {
    seen = mqs;
    return mqs[*static_cast<int*>(arg) % mqs.size()];
  }
  std::vector<MQMessageQueue> seen;
};

void start_producer(DefaultMQProducer& producer) {
  producer.setNamesrvAddr(args::namesrv());
  producer.setSendMsgTimeout(5000);
  producer.start();
}

void start_pull(DefaultMQPullConsumer& pull) {
  pull.setNamesrvAddr(args::namesrv());
  pull.start();
}

// ---- producer: every kind of send, read back from the broker

void producer_sends() {
  const std::string& topic = args::topic();
  DefaultMQProducer producer(unique("cpp_p"));
  start_producer(producer);
  DefaultMQPullConsumer pull(unique("cpp_readback"));
  start_pull(pull);
  QueueTail tail(pull, topic);
  CHECK(tail.queues() >= 2, "pull consumer: the topic's queues");
  std::string tag = unique("sends");

  MQMessage msg(topic, tag, "key1", "sync body");
  msg.setFlag(7);
  msg.setProperty("user_prop", "user value");
  SendResult sent = producer.send(msg);
  CHECK_EQ(sent.getSendStatus(), SEND_OK, "sync send: status");
  CHECK(!sent.getMsgId().empty() && !sent.getOffsetMsgId().empty(), "sync send: both ids");
  CHECK_EQ(msg.getProperty(MQMessage::PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX), sent.getMsgId(), "sync send: UNIQ_KEY copied to the message");
  CHECK_EQ(sent.getMessageQueue().getTopic(), topic, "sync send: the queue's topic");

  PickQueue selector;
  int which = 1;
  MQMessage selected(topic, tag, "selected body");
  SendResult by_selector = producer.send(selected, &selector, &which);
  CHECK(selector.seen.size() >= 2, "selector: sees the topic's queues");
  std::map<std::string, MQMessageQueue> where;  // body -> the queue it must be in
  if (selector.seen.size() >= 2) {
    CHECK(by_selector.getMessageQueue() == selector.seen[1], "selector: the chosen queue was used");
    where["selected body"] = selector.seen[1];
    MQMessage to_queue(topic, tag, "to-queue body");
    SendResult r = producer.send(to_queue, selector.seen[0]);
    CHECK(r.getMessageQueue() == selector.seen[0], "send to a queue: that queue");
    where["to-queue body"] = selector.seen[0];
    MQMessage oneway_to(topic, tag, "oneway to-queue body");
    producer.sendOneway(oneway_to, selector.seen[1]);
    where["oneway to-queue body"] = selector.seen[1];
    MQMessage oneway_selected(topic, tag, "oneway selected body");
    int first = 0;
    producer.sendOneway(oneway_selected, &selector, &first);
    where["oneway selected body"] = selector.seen[0];

    // A selector with a borrowed callback.
    Waiter waiter;
    MQMessage async_selected(topic, tag, "async selected body");
    producer.send(async_selected, &selector, &which, &waiter);
    CHECK(waiter.wait(10) && waiter.ok, "async send with a selector: onSuccess " + waiter.error);
    CHECK(waiter.queue == selector.seen[1], "async send with a selector: the chosen queue");
    where["async selected body"] = selector.seen[1];
  }

  Waiter waiter;
  MQMessage async_msg(topic, tag, "async body");
  producer.send(async_msg, &waiter);
  CHECK(waiter.wait(10) && waiter.ok, "async send: onSuccess " + waiter.error);

  // Auto-delete callbacks: deleted after onSuccess, and after onException.
  AutoDeleteCounts& counts = auto_delete_counts();
  {
    std::lock_guard<std::mutex> lock(counts.m);
    counts.succeeded = counts.failed = counts.deleted = 0;  // what misuse() counted
  }
  MQMessage auto_msg(topic, tag, "auto-delete body");
  producer.send(auto_msg, new SelfDeleting());
  MQMessage auto_selected(topic, tag, "auto-delete selected body");
  producer.send(auto_selected, &selector, &which, new SelfDeleting());
  MQMessage nowhere(unique("cpp_no_such_topic"), tag, "never stored");
  try {
    producer.send(nowhere, new SelfDeleting());
  } catch (MQException&) {
    // refused at once: the callback is deleted all the same (counted below as a failure)
    std::lock_guard<std::mutex> lock(counts.m);
    ++counts.failed;
  }
  CHECK(wait_for(counts.m, counts.cv, 20, [&] { return counts.deleted == 3; }), "auto-delete callbacks deleted after they ran");
  {
    std::lock_guard<std::mutex> lock(counts.m);
    CHECK_EQ(counts.succeeded, 2, "auto-delete callbacks: successes");
    CHECK_EQ(counts.failed, 1, "auto-delete callbacks: the send to a missing topic failed");
  }

  MQMessage oneway(topic, tag, "oneway body");
  producer.sendOneway(oneway);

  std::vector<MQMessage> batch;
  for (int i = 0; i < 3; ++i) {
    std::ostringstream body;
    body << "batch body " << i;
    batch.push_back(MQMessage(topic, tag, body.str()));
  }
  CHECK_EQ(producer.send(batch).getSendStatus(), SEND_OK, "batch send: status");

  // A batch to a chosen queue: every message there, with the ids of the result.
  std::vector<MQMessage> queue_batch;
  for (int i = 0; i < 3; ++i) {
    std::ostringstream body;
    body << "queue batch body " << i;
    queue_batch.push_back(MQMessage(topic, tag, body.str()));
  }
  std::string batch_ids;
  if (selector.seen.size() >= 2) {
    SendResult r = producer.send(queue_batch, selector.seen[1]);
    CHECK_EQ(r.getSendStatus(), SEND_OK, "batch to a queue: status");
    CHECK(r.getMessageQueue() == selector.seen[1], "batch to a queue: the result's queue is the chosen one");
    batch_ids = "," + r.getMsgId() + ",";
    for (int i = 0; i < 3; ++i) where[queue_batch[i].getBody()] = selector.seen[1];
  }

  const char* expected[] = {"sync body", "selected body", "to-queue body", "oneway to-queue body", "oneway selected body",
                            "async selected body", "async body", "auto-delete body", "auto-delete selected body",
                            "oneway body", "batch body 0", "batch body 1", "batch body 2",
                            "queue batch body 0", "queue batch body 1", "queue batch body 2"};
  size_t n = sizeof expected / sizeof expected[0];
  if (selector.seen.size() < 2) n = 0;  // failed above already
  std::map<std::string, MQMessageExt> found = tail.read(tag, n, 30);
  for (size_t i = 0; i < n; ++i) {
    CHECK(found.count(expected[i]) == 1, std::string("read back from the broker: ") + expected[i]);
    if (where.count(expected[i]) && found.count(expected[i])) {
      CHECK_EQ(found[expected[i]].getQueueId(), where[expected[i]].getQueueId(), std::string("in its queue: ") + expected[i]);
    }
  }
  CHECK_EQ(found.size(), n, "nothing else with the tag (the failed send stored nothing)");
  for (int i = 0; i < 3 && n > 0; ++i) {
    const std::string& body = queue_batch[i].getBody();
    if (found.count(body)) {
      CHECK(batch_ids.find("," + found[body].getMsgId() + ",") != std::string::npos,
            "batch to a queue: " + body + " has an id of the result: " + found[body].getMsgId() + " in " + batch_ids);
    }
  }
  if (found.count("sync body")) {
    const MQMessageExt& m = found["sync body"];
    CHECK_EQ(m.getMsgId(), sent.getMsgId(), "read back: the message id");
    CHECK_EQ(m.getTags(), tag, "read back: the tag");
    CHECK_EQ(m.getKeys(), "key1", "read back: the keys");
    CHECK_EQ(m.getFlag(), 7, "read back: the flag");
    CHECK_EQ(m.getProperty("user_prop"), "user value", "read back: a user property");
    CHECK_EQ(m.getQueueOffset(), sent.getQueueOffset(), "read back: the offset");
    CHECK(!m.getBornHostString().empty() && m.getBornHostString() != "0.0.0.0", "read back: born host");
  }
  pull.shutdown();
  producer.shutdown();
}

// ---- pull consumer: offsets on the broker, long polling

void pull_offsets() {
  const std::string& topic = args::topic();
  std::string group = unique("cpp_offsets");
  DefaultMQPullConsumer pull(group);
  start_pull(pull);
  std::vector<MQMessageQueue> queues;
  pull.fetchSubscribeMessageQueues(topic, queues);
  if (queues.empty()) {
    CHECK(false, "pull offsets: no queues");
    return;
  }
  const MQMessageQueue& mq = queues[0];
  int64 end = pull.pull(mq, "*", 0, 1).maxOffset;
  // A new group: -1, or 0 from a 4.x broker whose queue still starts at offset 0.
  int64 before = pull.fetchConsumeOffset(mq, true);
  CHECK(before <= 0 && end > 0, "a new group has no offset on the broker (and queue 0 has messages)");
  CHECK_EQ(pull.fetchConsumeOffset(mq, false), before, "memory empty: the broker's answer");
  pull.updateConsumeOffset(mq, end);
  CHECK_EQ(pull.fetchConsumeOffset(mq, false), end, "updateConsumeOffset: kept in memory");
  CHECK_EQ(pull.fetchConsumeOffset(mq, true), before, "updateConsumeOffset alone does not reach the broker (2.2.0)");
  pull.updateConsumeOffset(mq, end);
  pull.persistConsumerOffset4PullConsumer(mq);
  CHECK_EQ(pull.fetchConsumeOffset(mq, true), end, "persistConsumerOffset4PullConsumer: stored on the broker");
  pull.removeConsumeOffset(mq);
  CHECK_EQ(pull.fetchConsumeOffset(mq, false), end, "removeConsumeOffset: memory empty, read from the broker");
  pull.shutdown();

  // Another consumer of the group (same process, after the first shut down) reads it back.
  DefaultMQPullConsumer again(group);
  start_pull(again);
  CHECK_EQ(again.fetchConsumeOffset(mq, false), end, "another consumer of the group reads the offset from the broker");

  // pullBlockIfNotFound waits for a message sent after it started.
  DefaultMQProducer producer(unique("cpp_block"));
  start_producer(producer);
  std::string tag = unique("block");
  int64 from = again.pull(mq, "*", 0, 1).maxOffset;
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    MQMessage msg(topic, tag, "late body");
    producer.send(msg, mq);
  });
  long long t0 = now_ms();
  PullResult r = again.pullBlockIfNotFound(mq, tag, from, 1);
  long long waited = now_ms() - t0;
  sender.join();
  CHECK_EQ(r.pullStatus, FOUND, "pullBlockIfNotFound: found the late message");
  CHECK(waited >= 1000, "pullBlockIfNotFound: held until the message came");
  if (!r.msgFoundList.empty()) CHECK_EQ(r.msgFoundList[0].getBody(), "late body", "pullBlockIfNotFound: its body");
  producer.shutdown();
  again.shutdown();
}

// ---- push consumers, transactions, delays

class Transactions : public TransactionListener {
 public:
  Transactions() : checks(0) {}
  LocalTransactionState executeLocalTransaction(const MQMessage& msg, void* arg) {
    CHECK(!msg.getProperty(MQMessage::PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX).empty(), "executor sees the UNIQ_KEY");
    return *static_cast<LocalTransactionState*>(arg);
  }
  // Only the transaction left unknown is asked about; the broker's check commits it.
  LocalTransactionState checkLocalTransaction(const MQMessageExt& msg) {
    if (msg.getBody() != "checked") return ROLLBACK_MESSAGE;
    ++checks;
    return COMMIT_MESSAGE;
  }
  std::atomic<int> checks;
};

void push_concurrent_with_transactions() {
  const std::string& topic = args::topic();
  std::string tag = unique("push");
  Concurrent listener;
  DefaultMQPushConsumer consumer(unique("cpp_push"));
  consumer.setNamesrvAddr(args::namesrv());
  consumer.setConsumeFromWhere(CONSUME_FROM_FIRST_OFFSET);
  consumer.subscribe(topic, tag);
  consumer.registerMessageListener(&listener);
  consumer.start();

  DefaultMQProducer producer(unique("cpp_pp"));
  start_producer(producer);
  for (int i = 0; i < 5; ++i) {
    std::ostringstream body;
    body << "pushed " << i;
    MQMessage msg(topic, tag, body.str());
    producer.send(msg);
  }
  // Delay level 2 (5 s), and a delivery time 4 s ahead (5.x timers; 4.x delivers at once).
  MQMessage delayed(topic, tag, "delayed");
  delayed.setDelayTimeLevel(2);
  long long delayed_sent = now_ms();
  CHECK_EQ(producer.send(delayed).getSendStatus(), SEND_OK, "delay level 2: sent");
  MQMessage timed(topic, tag, "timed");
  long long due = now_ms() + 4000;
  std::ostringstream at;
  at << due;
  timed.setProperty("__STARTDELIVERTIME", at.str());
  CHECK_EQ(producer.send(timed).getSendStatus(), SEND_OK, "__STARTDELIVERTIME: sent");
  producer.shutdown();

  Transactions* checker = new Transactions();  // owned by the producer, as in 2.2.0
  TransactionMQProducer tx(unique("cpp_tx"));
  tx.setNamesrvAddr(args::namesrv());
  tx.setTransactionListener(checker);
  tx.start();
  LocalTransactionState commit = COMMIT_MESSAGE, rollback = ROLLBACK_MESSAGE, unknown = UNKNOWN;
  MQMessage committed(topic, tag, "committed");
  TransactionSendResult r = tx.sendMessageInTransaction(committed, &commit);
  CHECK_EQ(r.getSendStatus(), SEND_OK, "transaction: half message stored");
  CHECK_EQ(r.getLocalTransactionState(), COMMIT_MESSAGE, "transaction: the executor's answer");
  CHECK(!r.getTransactionId().empty(), "transaction: an id");
  MQMessage rolled_back(topic, tag, "rolled back");
  tx.sendMessageInTransaction(rolled_back, &rollback);
  MQMessage checked(topic, tag, "checked");
  CHECK_EQ(tx.sendMessageInTransaction(checked, &unknown).getLocalTransactionState(), UNKNOWN, "transaction: left unknown");

  Collector& c = listener.c;
  const char* all[] = {"pushed 0", "pushed 1", "pushed 2", "pushed 3", "pushed 4", "committed", "checked", "delayed", "timed"};
  bool arrived = wait_for(c.m, c.cv, 60, [&] {
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i)
      if (!c.has(all[i])) return false;
    return true;
  });
  CHECK(arrived, "push: 5 messages, the committed and the checked transactions, the delayed and timed ones arrive");
  CHECK(checker->checks.load() >= 1, "the broker's check reached checkLocalTransaction");
  tx.shutdown();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::lock_guard<std::mutex> lock(c.m);
  for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i) CHECK(c.has(all[i]), std::string("push: arrived: ") + all[i]);
  CHECK(!c.has("rolled back"), "push: a rolled back transaction is never delivered");
  if (c.has("delayed")) {
    long long after = c.arrived["delayed"] - delayed_sent;
    CHECK(after >= 4500, "delay level 2: not before 5 s");
  }
  if (c.has("timed")) {
    long long late = c.arrived["timed"] - due;
    std::ostringstream what;
    what << "__STARTDELIVERTIME: arrived " << late << " ms after its time";
    if (broker5()) {
      CHECK(late >= -100 && late <= 3000, "5.x " + what.str() + " (not before it, within 3 s)");
    } else {
      CHECK(late < -2000, "4.x (no timers) " + what.str() + ": delivered at once");
    }
  }
  consumer.shutdown();
}

// A program calls checkTransactionState (2.2.0: the listener is asked, its answer goes to the
// broker at that address). The listener commits only when asked on the test's own thread, so
// the message can arrive only through that call, not through the broker's own checks.
class CommitWhenAskedHere : public TransactionListener {
 public:
  explicit CommitWhenAskedHere(std::thread::id here) : here_(here), asked_here(0) {}
  LocalTransactionState executeLocalTransaction(const MQMessage&, void*) { return UNKNOWN; }
  LocalTransactionState checkLocalTransaction(const MQMessageExt& msg) {
    if (std::this_thread::get_id() != here_) return UNKNOWN;
    ++asked_here;
    seen_body = msg.getBody();
    return COMMIT_MESSAGE;
  }

 private:
  std::thread::id here_;

 public:
  std::atomic<int> asked_here;
  std::string seen_body;
};

// "ip:port" of a sockaddr_in.
std::string address_of(const sockaddr& addr) {
  const sockaddr_in* in = reinterpret_cast<const sockaddr_in*>(&addr);
  char ip[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
  std::ostringstream text;
  text << ip << ":" << ntohs(in->sin_port);
  return text.str();
}

// The commit-log offset inside a broker's offset message id (its last 16 hex digits).
long commit_log_offset(const std::string& offsetMsgId) {
  return offsetMsgId.size() < 16 ? 0 : static_cast<long>(strtoull(offsetMsgId.substr(offsetMsgId.size() - 16).c_str(), NULL, 16));
}

void check_transaction_state() {
  const std::string& topic = args::topic();
  std::string tag = unique("txcheck");
  DefaultMQPullConsumer pull(unique("cpp_txcheck_read"));
  start_pull(pull);
  QueueTail tail(pull, topic);
  CommitWhenAskedHere* listener = new CommitWhenAskedHere(std::this_thread::get_id());
  TransactionMQProducer tx(unique("cpp_txcheck"));
  tx.setNamesrvAddr(args::namesrv());
  tx.setTransactionListener(listener);
  tx.start();
  MQMessage msg(topic, tag, "asked by the program");
  TransactionSendResult half = tx.sendMessageInTransaction(msg, NULL);
  CHECK_EQ(half.getLocalTransactionState(), UNKNOWN, "checkTransactionState: the half message is left unknown");
  long long sent_at = now_ms();

  // The broker's address, as a message stored on the half message's broker gives it.
  DefaultMQProducer producer(unique("cpp_txcheck_p"));
  start_producer(producer);
  MQMessageQueue mq(topic, half.getMessageQueue().getBrokerName(), 0);
  MQMessage probe(topic, tag, "address probe");
  SendResult probed = producer.send(probe, mq);
  producer.shutdown();
  PullResult stored = pull.pull(mq, "*", probed.getQueueOffset(), 1);
  if (stored.msgFoundList.empty()) {
    CHECK(false, "checkTransactionState: the probe message to learn the broker's address was not read back");
    tx.shutdown();
    return;
  }
  std::string addr = address_of(stored.msgFoundList[0].getStoreHost());

  MQMessageExt asked;
  asked.setTopic(topic);
  asked.setBody("asked by the program");
  asked.setMsgId(half.getMsgId());
  tx.checkTransactionState(addr, asked, static_cast<long>(half.getQueueOffset()), commit_log_offset(half.getOffsetMsgId()),
                           half.getMsgId(), half.getTransactionId(), half.getOffsetMsgId());
  CHECK_EQ(listener->asked_here.load(), 1, "checkTransactionState: the listener was asked, on the caller's thread");
  CHECK_EQ(listener->seen_body, "asked by the program", "checkTransactionState: the listener got the program's message");
  std::map<std::string, MQMessageExt> found = tail.read(tag, 2, 20);
  CHECK(found.count("asked by the program") == 1, "checkTransactionState: the committed message arrives (" + addr + ")");
  if (found.count("asked by the program")) {
    CHECK_EQ(found["asked by the program"].getMsgId(), half.getMsgId(), "checkTransactionState: the transaction's message id");
  }
  CHECK(now_ms() - sent_at < 15000, "checkTransactionState: committed in time");
  tx.shutdown();
  pull.shutdown();
}

// Two consumers of one group (two instance names) in BROADCASTING both get every message; a
// CLUSTERING pair would share them.
void broadcasting() {
  const std::string& topic = args::topic();
  std::string tag = unique("broadcast");
  std::string group = unique("cpp_broadcast");
  Concurrent listeners[2];
  DefaultMQPushConsumer a(group), b(group);
  DefaultMQPushConsumer* consumers[2] = {&a, &b};
  for (int i = 0; i < 2; ++i) {
    consumers[i]->setNamesrvAddr(args::namesrv());
    consumers[i]->setInstanceName(i == 0 ? "cpp_a" : "cpp_b");
    consumers[i]->setMessageModel(BROADCASTING);
    consumers[i]->setConsumeFromWhere(CONSUME_FROM_FIRST_OFFSET);
    consumers[i]->subscribe(topic, tag);
    consumers[i]->registerMessageListener(&listeners[i]);
    consumers[i]->start();
  }
  CHECK_EQ(a.getMessageModel(), BROADCASTING, "broadcasting: the model");
  DefaultMQProducer producer(unique("cpp_pb"));
  start_producer(producer);
  const int n = 8;  // round robin over the topic's queues: more than one queue each
  for (int i = 0; i < n; ++i) {
    std::ostringstream body;
    body << "broadcast " << i;
    MQMessage msg(topic, tag, body.str());
    producer.send(msg);
  }
  producer.shutdown();
  for (int i = 0; i < 2; ++i) {
    Collector& c = listeners[i].c;
    std::ostringstream what;
    what << "broadcasting: consumer " << i << " gets all " << n << " messages";
    CHECK(wait_for(c.m, c.cv, 60, [&] { return c.arrived.size() >= static_cast<size_t>(n); }), what.str());
  }
  a.shutdown();
  b.shutdown();
}

class Orderly : public MessageListenerOrderly {
 public:
  Orderly() : batches(0), single_queue(true), queue(-1) {}
  ConsumeStatus consumeMessage(const std::vector<MQMessageExt>& msgs) {
    ++batches;
    for (size_t i = 0; i < msgs.size(); ++i) {
      if (queue >= 0 && msgs[i].getQueueId() != queue) single_queue = false;
      queue = msgs[i].getQueueId();
      c.add(msgs[i]);
    }
    return CONSUME_SUCCESS;
  }
  Collector c;
  int batches;
  bool single_queue;
  int queue;
};

void push_orderly() {
  const std::string& topic = args::topic();
  std::string tag = unique("orderly");
  DefaultMQProducer producer(unique("cpp_po"));
  start_producer(producer);
  PickQueue selector;
  int which = 0;
  for (int i = 0; i < 10; ++i) {
    std::ostringstream body;
    body << i;
    MQMessage msg(topic, tag, body.str());
    producer.send(msg, &selector, &which, 3);
  }
  producer.shutdown();

  Orderly listener;
  DefaultMQPushConsumer consumer(unique("cpp_orderly"));
  consumer.setNamesrvAddr(args::namesrv());
  consumer.setConsumeFromWhere(CONSUME_FROM_FIRST_OFFSET);
  consumer.setConsumeMessageBatchMaxSize(4);
  consumer.subscribe(topic, tag);
  consumer.registerMessageListener(&listener);
  consumer.start();
  Collector& c = listener.c;
  CHECK(wait_for(c.m, c.cv, 60, [&] { return c.bodies.size() >= 10; }), "orderly: 10 messages arrive");
  consumer.shutdown();
  std::lock_guard<std::mutex> lock(c.m);
  std::ostringstream order;
  for (size_t i = 0; i < c.bodies.size(); ++i) order << c.bodies[i];
  CHECK_EQ(order.str(), "0123456789", "orderly: in queue order");
  CHECK_EQ(listener.batches, 10, "orderly: one message per call");
  CHECK(listener.single_queue, "orderly: one queue");
}

// ---- what 2.2.0 throws (cpp-api.md 3.2)

class NoPull : public PullCallback {
 public:
  void onSuccess(MQMessageQueue&, PullResult&, bool) {}
  void onException(MQException&) {}
};

void misuse() {
  const std::string& topic = args::topic();
  // start()
  expect_throw<MQClientException>("push start without a listener", [] {
    DefaultMQPushConsumer c(unique("cpp_nolistener"));
    c.setNamesrvAddr(args::namesrv());
    c.start();
  }, "messageListener is null");
  Concurrent listener;
  expect_throw<MQClientException>("push start as DEFAULT_CONSUMER", [&] {
    DefaultMQPushConsumer c("");
    c.registerMessageListener(&listener);
    c.start();
  }, "consumerGroup can not equal DEFAULT_CONSUMER");
  expect_throw<MQClientException>("pull start as DEFAULT_CONSUMER", [] {
    DefaultMQPullConsumer c("");
    c.start();
  }, "consumerGroup can not equal DEFAULT_CONSUMER");
  expect_throw<MQClientException>("push start with a blank group", [&] {
    DefaultMQPushConsumer c("x");
    c.setGroupName("  ");
    c.registerMessageListener(&listener);
    c.start();
  }, "the specified group is blank");
  expect_throw<MQClientException>("push start with a group of 256 characters", [&] {
    DefaultMQPushConsumer c(std::string(256, 'g'));
    c.registerMessageListener(&listener);
    c.start();
  }, "the specified group is longer than group max length 255.");
  {
    DefaultMQProducer first(unique("cpp_twice"));
    start_producer(first);
    first.start();  // a second start() does nothing
    expect_throw<MQClientException>("a second producer of a started group", [] {
      DefaultMQProducer second(unique("cpp_twice"));
      start_producer(second);
    }, "The producer group[" + unique("cpp_twice") + "] has been created before, specify another name please.");
    expect_throw<MQClientException>("a transaction producer of a started producer group", [] {
      TransactionMQProducer second(unique("cpp_twice"));
      second.setNamesrvAddr(args::namesrv());
      second.start();
    }, "has been created before");
    first.shutdown();
    DefaultMQProducer third(unique("cpp_twice"));
    start_producer(third);  // free again after shutdown
    third.shutdown();
    CHECK(true, "a producer group is free again after shutdown");
  }
  {
    DefaultMQPullConsumer first(unique("cpp_twice_c"));
    start_pull(first);
    expect_throw<MQClientException>("a push consumer of a started consumer group", [&] {
      DefaultMQPushConsumer second(unique("cpp_twice_c"));
      second.setNamesrvAddr(args::namesrv());
      second.subscribe(args::topic(), "*");
      second.registerMessageListener(&listener);
      second.start();
    }, "The cousumer group[" + unique("cpp_twice_c") + "] has been created before, specify another name please.");
    first.shutdown();
  }

  // transactions and pulls
  {
    DefaultMQPullConsumer first(unique("cpp_twice_pull"));
    start_pull(first);
    expect_throw<MQClientException>("a pull consumer of a started consumer group", [] {
      DefaultMQPullConsumer second(unique("cpp_twice_pull"));
      start_pull(second);
    }, "The cousumer group[" + unique("cpp_twice_pull") + "] has been created before, specify another name please.");
    first.shutdown();
  }

  // transactions and pulls
  expect_throw<MQClientException>("transaction without a listener", [&] {
    TransactionMQProducer p(unique("cpp_notx"));
    MQMessage m(topic, "body");
    p.sendMessageInTransaction(m, NULL);
  }, "transactionListener is null");
  // 2.2.0 rethrows the failed send's exception as an MQClientException with its what() as text.
  expect_throw<MQClientException>("transaction whose send fails", [&] {
    TransactionMQProducer p(unique("cpp_txfail"));
    p.setTransactionListener(new Transactions());
    MQMessage m(topic, "");
    p.sendMessageInTransaction(m, NULL);
  }, "msg: msg: the message body is empty,error:-1");
  expect_throw<MQClientException>("checkTransactionState without a listener", [&] {
    TransactionMQProducer p(unique("cpp_nocheck"));
    p.checkTransactionState("127.0.0.1:10911", MQMessageExt(), 0, 0, "id", "id", "");
  }, "checkTransactionState, transactionListener null");
  DefaultMQPullConsumer pull(unique("cpp_pullmisuse"));
  MQMessageQueue mq(topic, "broker-a", 0);
  expect_throw<MQClientException>("pull from offset -1", [&] { pull.pull(mq, "*", -1, 1); }, "offset < 0");
  expect_throw<MQClientException>("pull of 0 messages", [&] { pull.pull(mq, "*", 0, 0); }, "maxNums <= 0");
  expect_throw<MQClientException>("pullBlockIfNotFound from offset -1", [&] { pull.pullBlockIfNotFound(mq, "*", -1, 1); }, "offset < 0");
  NoPull no_pull;
  expect_throw<MQClientException>("async pull from offset -1", [&] { pull.pull(mq, "*", -1, 1, &no_pull); }, "offset < 0");
  expect_throw<MQClientException>("async pull of 0 messages", [&] { pull.pull(mq, "*", 0, 0, &no_pull); }, "maxNums <= 0");
  expect_throw<MQClientException>("async pull without a callback", [&] { pull.pull(mq, "*", 0, 1, NULL); }, "pPullCallback is null");

  // sends: checked before anything is sent (a producer not started is enough)
  DefaultMQProducer stopped(unique("cpp_stopped"));
  MQMessage blank("  ", "body"), long_topic(std::string(256, 't'), "body"), reserved("TBW102", "body");
  MQMessage no_body(topic, ""), big(topic, std::string(1024 * 128 + 1, 'b'));
  Waiter unused;
  struct Case {
    MQMessage* msg;
    const char* text;
  } cases[] = {{&blank, "the specified topic is blank"},
               {&long_topic, "the specified topic is longer than topic max length 255."},
               {&reserved, "the topic[TBW102] is conflict with default topic."},
               {&no_body, "the message body is empty"},
               {&big, "the message body size over max value, MAX: 131072"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    MQMessage& m = *cases[i].msg;
    std::string text = cases[i].text;
    expect_send_error("send: " + text, [&] { stopped.send(m); }, text);
    expect_send_error("send to a queue: " + text, [&] { stopped.send(m, mq); }, text);
    expect_send_error("async send: " + text, [&] { stopped.send(m, &unused); }, text);
    expect_send_error("oneway send: " + text, [&] { stopped.sendOneway(m); }, text);
    // 2.2.0's selector sends check the message too (sendSelectImpl), before the selector runs.
    PickQueue unused_selector;
    int first = 0;
    expect_send_error("selector send: " + text, [&] { stopped.send(m, &unused_selector, &first); }, text);
    expect_send_error("selector send with retries: " + text, [&] { stopped.send(m, &unused_selector, &first, 2); }, text);
    expect_send_error("oneway selector send: " + text, [&] { stopped.sendOneway(m, &unused_selector, &first); }, text);
    expect_send_error("async selector send: " + text, [&] { stopped.send(m, &unused_selector, &first, &unused); }, text);
    CHECK(unused_selector.seen.empty(), "a refused selector send never calls the selector: " + text);
  }
  AutoDeleteCounts& counts = auto_delete_counts();
  int deleted_before;
  {
    std::lock_guard<std::mutex> lock(counts.m);
    deleted_before = counts.deleted;
  }
  expect_send_error("async send with an auto-delete callback: empty body", [&] { stopped.send(no_body, new SelfDeleting()); },
                    "the message body is empty");
  {
    std::lock_guard<std::mutex> lock(counts.m);
    CHECK_EQ(counts.deleted, deleted_before + 1, "a refused async send deletes its auto-delete callback");
  }
  stopped.setMaxMessageSize(10);
  MQMessage eleven(topic, "01234567890");
  expect_send_error("setMaxMessageSize(10)", [&] { stopped.send(eleven); }, "the message body size over max value, MAX: 10");

  // batches
  std::vector<MQMessage> none;
  expect_send_error("empty batch", [&] { stopped.send(none); }, "msgs need one message at least");
  std::vector<MQMessage> retry(1, MQMessage("%RETRY%" + unique("g"), "body"));
  expect_send_error("batch to a retry topic", [&] { stopped.send(retry); }, "Retry Group is not supported for batching");
  std::vector<MQMessage> delayed(2, MQMessage(topic, "body"));
  delayed[1].setDelayTimeLevel(1);
  expect_send_error("batch with a delay level", [&] { stopped.send(delayed); }, "TimeDelayLevel in not supported for batching");
  std::vector<MQMessage> topics(2, MQMessage(topic, "body"));
  topics[1].setTopic(topic + "_other");
  expect_send_error("batch of two topics", [&] { stopped.send(topics); }, "msgs need one message at least");
  std::vector<MQMessage> waits(2, MQMessage(topic, "body"));
  waits[1].setWaitStoreMsgOK(false);
  expect_send_error("batch of two waitStoreMsgOK", [&] { stopped.send(waits); }, "msgs need one message at least", -2);
  std::vector<MQMessage> empty_body(2, MQMessage(topic, "body"));
  empty_body[1].setBody("");
  expect_send_error("batch with an empty body", [&] { stopped.send(empty_body); }, "the message body is empty");
  expect_send_error("batch to a queue with an empty body", [&] { stopped.send(empty_body, mq); }, "the message body is empty");

  // sends that need the broker's route
  DefaultMQProducer producer(unique("cpp_misuse_p"));
  start_producer(producer);
  MQMessage lost(unique("cpp_no_route"), "body");
  expect_send_error("send without a route", [&] { producer.send(lost); }, "No route info of this topic: " + lost.getTopic());
  PickQueue selector;
  int which = 0;
  expect_send_error("selector send without a route", [&] { producer.send(lost, &selector, &which); }, "No route info for this topic");
  expect_send_error("selector send with retries without a route", [&] { producer.send(lost, &selector, &which, 2); },
                    "No route info of this topic, ");
  // A queue of a broker the topic's route does not have.
  MQMessageQueue nowhere(topic, "no_such_broker", 0);
  const std::string not_exist = "The broker[no_such_broker] not exist";
  MQMessage to_nowhere(topic, "body");
  expect_send_error("send to a queue of an unknown broker", [&] { producer.send(to_nowhere, nowhere); }, not_exist);
  Waiter never;
  expect_send_error("async send to a queue of an unknown broker", [&] { producer.send(to_nowhere, nowhere, &never); }, not_exist);
  CHECK(!never.wait(1), "async send to a queue of an unknown broker: no callback");
  expect_send_error("oneway send to a queue of an unknown broker", [&] { producer.sendOneway(to_nowhere, nowhere); }, not_exist);
  std::vector<MQMessage> batch_to_nowhere(2, MQMessage(topic, "body"));
  expect_send_error("batch to a queue of an unknown broker", [&] { producer.send(batch_to_nowhere, nowhere); }, not_exist);
  producer.shutdown();
}

// ---- namespaces and unit names

// What a push listener saw: topic by body.
class TopicsSeen : public MessageListenerConcurrently {
 public:
  ConsumeStatus consumeMessage(const std::vector<MQMessageExt>& msgs) {
    std::lock_guard<std::mutex> lock(m);
    for (size_t i = 0; i < msgs.size(); ++i) topics[msgs[i].getBody()] = msgs[i].getTopic();
    cv.notify_all();
    return CONSUME_SUCCESS;
  }
  std::mutex m;
  std::condition_variable cv;
  std::map<std::string, std::string> topics;
};

// setNameSpace (2.2.0): groups and topics get "<namespace>%"; listeners see topics without it.
// NAMESPACE%TOPIC must exist (run.sh creates it).
void namespaces() {
  const std::string& ns = args::name_space();
  if (ns.empty()) {
    std::cout << "SKIPPED: namespaces (no NAMESPACE argument)" << std::endl;
    return;
  }
  const std::string& topic = args::topic();
  const std::string full = ns + "%" + topic;
  std::string tag = unique("ns");
  DefaultMQPullConsumer plain(unique("cpp_ns_read"));  // no namespace: reads the full topic
  start_pull(plain);
  QueueTail tail(plain, full);
  CHECK(tail.queues() > 0, "namespace: the topic " + full + " exists");

  TopicsSeen listener;
  DefaultMQPushConsumer consumer(unique("cpp_ns_push"));
  consumer.setNamesrvAddr(args::namesrv());
  consumer.setNameSpace(ns);
  consumer.setConsumeFromWhere(CONSUME_FROM_FIRST_OFFSET);
  consumer.subscribe(topic, tag);
  consumer.registerMessageListener(&listener);
  consumer.start();
  CHECK_EQ(consumer.getGroupName(), ns + "%" + unique("cpp_ns_push"), "namespace: the push consumer's group after start");

  DefaultMQProducer producer(unique("cpp_ns_p"));
  producer.setNameSpace(ns);
  start_producer(producer);
  CHECK_EQ(producer.getGroupName(), ns + "%" + unique("cpp_ns_p"), "namespace: the producer's group after start");
  MQMessage msg(topic, tag, "namespaced body");
  SendResult sent = producer.send(msg);
  CHECK_EQ(msg.getTopic(), full, "namespace: the program's message now has the prefix (as in 2.2.0)");
  CHECK_EQ(sent.getMessageQueue().getTopic(), full, "namespace: sent to the namespaced topic");
  producer.shutdown();
  std::map<std::string, MQMessageExt> found = tail.read(tag, 1, 20);
  CHECK(found.count("namespaced body") == 1, "namespace: stored in " + full);

  DefaultMQPullConsumer pull(unique("cpp_ns_pull"));
  pull.setNameSpace(ns);
  start_pull(pull);
  std::vector<MQMessageQueue> queues;
  pull.fetchSubscribeMessageQueues(topic, queues);
  CHECK(!queues.empty() && queues[0].getTopic() == full, "namespace: the pull consumer's queues are those of " + full);
  pull.shutdown();

  bool arrived = wait_for(listener.m, listener.cv, 60, [&] { return listener.topics.count("namespaced body") > 0; });
  CHECK(arrived, "namespace: the push consumer gets the message");
  if (arrived) {
    std::lock_guard<std::mutex> lock(listener.m);
    CHECK_EQ(listener.topics["namespaced body"], topic, "namespace: the listener sees the topic without the prefix");
  }
  consumer.shutdown();
  plain.shutdown();
}

// A name-server domain over HTTP on 127.0.0.1: answers every GET with the list, noting each
// request line.
class NsAddrServer {
 public:
  explicit NsAddrServer(const std::string& list) : list_(list), port_(0), stop_(false) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~NsAddrServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
  }
  std::string url() const {
    std::ostringstream text;
    text << "http://127.0.0.1:" << port_ << "/rocketmq/nsaddr";
    return text.str();
  }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(m_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p = {fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      int c = accept(fd_, NULL, NULL);
      if (c < 0) continue;
      std::string request;
      char buf[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, n);
      }
      {
        std::lock_guard<std::mutex> lock(m_);
        requests_.push_back(request.substr(0, request.find("\r\n")));
      }
      std::string answer = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + list_;
      ssize_t ignored = send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
      (void)ignored;
      close(c);
    }
  }
  std::string list_;
  int fd_;
  int port_;
  std::atomic<bool> stop_;
  std::thread thread_;
  std::mutex m_;
  std::vector<std::string> requests_;
};

// setUnitName (2.2.0's TopAddressing): the name-server domain is asked for
// "<domain>-<unit>?nofix=1".
void unit_name() {
  if (getenv("NAMESRV_ADDR") != NULL) {
    std::cout << "SKIPPED: unit name (NAMESRV_ADDR is set, so no domain is asked)" << std::endl;
    return;
  }
  NsAddrServer server(args::namesrv());
  DefaultMQProducer producer(unique("cpp_unit"));
  producer.setNamesrvDomain(server.url());
  producer.setUnitName("unit1");
  producer.setSendMsgTimeout(5000);
  producer.start();
  CHECK_EQ(producer.getNamesrvDomain(), server.url(), "unit name: the domain's getter returns it as set");
  CHECK_EQ(producer.getUnitName(), "unit1", "unit name: its getter");
  MQMessage msg(args::topic(), unique("unit"), "via the unit's name servers");
  CHECK_EQ(producer.send(msg).getSendStatus(), SEND_OK, "unit name: a send through the name servers the domain gave");
  producer.shutdown();
  std::vector<std::string> requests = server.requests();
  CHECK(!requests.empty() && requests[0] == "GET /rocketmq/nsaddr-unit1?nofix=1 HTTP/1.0",
        "unit name: the domain was asked for <domain>-unit1?nofix=1: " + (requests.empty() ? std::string("no request") : requests[0]));
}

// ---- setTcpTransportConnectTimeout

// A local name server address where connecting hangs: a listener (backlog 0) that never
// accepts, its queue filled by one connection of ours, so the kernel drops every later SYN.
// (A non-routable address is no good here: this machine's network answers every address.)
class UnansweredAddress {
 public:
  UnansweredAddress() : listener_(socket(AF_INET, SOCK_STREAM, 0)), filler_(socket(AF_INET, SOCK_STREAM, 0)), port_(0) {
    sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener_ < 0 || filler_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listener_, 0) != 0 || getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        connect(filler_, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~UnansweredAddress() {
    if (filler_ >= 0) close(filler_);
    if (listener_ >= 0) close(listener_);
  }
  bool ok() const { return port_ != 0; }
  std::string addr() const {
    std::ostringstream text;
    text << "127.0.0.1:" << port_;
    return text.str();
  }

 private:
  int listener_;
  int filler_;
  int port_;
};

// Milliseconds a synchronous send (send timeout 10 s) takes to fail when its name server does not
// accept connections, with connect timeout `millis` (0: not set).
long long failing_send_ms(const std::string& namesrv, unsigned long millis, const std::string& name) {
  DefaultMQProducer producer(unique(name));
  producer.setNamesrvAddr(namesrv);
  producer.setInstanceName(unique(name));  // a client of its own: no connect back-off shared
  producer.setSendMsgTimeout(10000);
  if (millis != 0) producer.setTcpTransportConnectTimeout(millis);
  producer.start();
  MQMessage msg(args::topic(), "connect", "never sent");
  long long t0 = now_ms();
  bool threw = false;
  try {
    producer.send(msg);
  } catch (MQException&) {
    threw = true;
  }
  long long took = now_ms() - t0;
  CHECK(threw, "connect timeout: a send whose name server does not accept connections throws (" + name + ")");
  producer.shutdown();
  return took;
}

void connect_timeout() {
  UnansweredAddress hang;
  CHECK(hang.ok(), "connect timeout: a local address that does not accept connections");
  if (!hang.ok()) return;
  {
    DefaultMQProducer producer(unique("cpp_ct_getter"));
    CHECK_EQ(producer.getTcpTransportConnectTimeout(), 3000UL, "connect timeout: 3000 by default, as 2.2.0");
    producer.setTcpTransportConnectTimeout(300);
    CHECK_EQ(producer.getTcpTransportConnectTimeout(), 300UL, "connect timeout: the getter returns what was set");
    producer.setRetryTimes4Async(3);
    CHECK_EQ(producer.getRetryTimes4Async(), 3, "setRetryTimes4Async: the getter returns what was set");
  }
  long long short_ms = failing_send_ms(hang.addr(), 300, "cpp_ct_short");
  std::ostringstream a;
  a << "connect timeout 300 ms: the send failed after " << short_ms << " ms (< 2000)";
  CHECK(short_ms < 2000, a.str());
  long long default_ms = failing_send_ms(hang.addr(), 0, "cpp_ct_default");
  std::ostringstream b;
  b << "connect timeout by default (3000 ms): the send failed after " << default_ms << " ms (>= 2500)";
  CHECK(default_ms >= 2500, b.str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " NAMESRV TOPIC [NAMESPACE]" << std::endl;
    return 2;
  }
  args::init(argv[1], argv[2]);
  if (argc > 3) args::name_space() = argv[3];
  typedef void (*Part)();
  const Part parts[] = {misuse, producer_sends, pull_offsets, push_concurrent_with_transactions, check_transaction_state,
                        broadcasting, push_orderly, namespaces, unit_name, connect_timeout};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; ++i) {
    try {
      parts[i]();
    } catch (MQException& e) {
      CHECK(false, std::string("unexpected exception: ") + e.what());
    }
  }
  return check_done();
}
