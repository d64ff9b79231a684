// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: the 2.2.0 C++ API against a real broker.
//   test_api NAMESRV TOPIC   (TOPIC: an existing topic with at least 2 queues)
// Producer: sync (with a flag), to a queue, with a selector (sync, async, oneway), async
// (borrowed and auto-delete callbacks, success and failure), oneway, batch; every send read back
// from the broker with a pull consumer. Pull consumer: offsets stored on the broker
// (persistConsumerOffset4PullConsumer, fetchConsumeOffset from the store and from memory),
// pullBlockIfNotFound. Push consumers: concurrent (with transactions committed, rolled back, and
// left unknown for the broker's check to commit), delay level and __STARTDELIVERTIME (5.x: at
// its time; 4.x: at once, as tests/c/test_schedule.c expects), broadcasting, orderly. The
// exceptions 2.2.0 throws on misuse (its list in the reference, cpp-api.md 3.2).
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

  const char* expected[] = {"sync body", "selected body", "to-queue body", "oneway to-queue body", "oneway selected body",
                            "async selected body", "async body", "auto-delete body", "auto-delete selected body",
                            "oneway body", "batch body 0", "batch body 1", "batch body 2"};
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
  expect_throw<MQClientException>("transaction without a listener", [&] {
    TransactionMQProducer p(unique("cpp_notx"));
    MQMessage m(topic, "body");
    p.sendMessageInTransaction(m, NULL);
  }, "transactionListener is null");
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

  // sends that need the broker's route
  DefaultMQProducer producer(unique("cpp_misuse_p"));
  start_producer(producer);
  MQMessage lost(unique("cpp_no_route"), "body");
  expect_send_error("send without a route", [&] { producer.send(lost); }, "No route info of this topic: " + lost.getTopic());
  PickQueue selector;
  int which = 0;
  expect_send_error("selector send without a route", [&] { producer.send(lost, &selector, &which); }, "No route info for this topic");
  producer.shutdown();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " NAMESRV TOPIC" << std::endl;
    return 2;
  }
  args::init(argv[1], argv[2]);
  typedef void (*Part)();
  const Part parts[] = {misuse, producer_sends, pull_offsets, push_concurrent_with_transactions, broadcasting, push_orderly};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; ++i) {
    try {
      parts[i]();
    } catch (MQException& e) {
      CHECK(false, std::string("unexpected exception: ") + e.what());
    }
  }
  return check_done();
}
