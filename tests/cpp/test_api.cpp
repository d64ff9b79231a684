// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: the 2.2.0 C++ API against a real broker.
//   test_api NAMESRV TOPIC   (TOPIC: an existing topic with at least 2 queues)
// Producer: sync, to a queue, with a selector, async (borrowed and auto-delete callbacks),
// oneway, batch, delay level; pull consumer reading back what was sent; push consumers,
// concurrent (with a transaction committed and one rolled back) and orderly; the exceptions
// 2.2.0 throws on misuse.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "DefaultMQProducer.h"
#include "DefaultMQPullConsumer.h"
#include "DefaultMQPushConsumer.h"
#include "TransactionMQProducer.h"
#include "check.h"

using namespace rocketmq;

namespace {

std::string g_namesrv;
std::string g_topic;
// Tags and groups of this run: old messages on the shared topic never match.
std::string g_run;

std::string unique(const std::string& what) { return what + "_" + g_run; }

// Waits until pred() holds, up to seconds.
template <class Pred>
bool wait_for(std::mutex& m, std::condition_variable& cv, int seconds, Pred pred) {
  std::unique_lock<std::mutex> lock(m);
  return cv.wait_for(lock, std::chrono::seconds(seconds), pred);
}

class PickQueue : public MessageQueueSelector {
 public:
  MQMessageQueue select(const std::vector<MQMessageQueue>& mqs, const MQMessage&, void* arg) {
    seen = mqs;
    return mqs[*static_cast<int*>(arg) % mqs.size()];
  }
  std::vector<MQMessageQueue> seen;
};

class Waiter : public SendCallback {
 public:
  Waiter() : done(false), ok(false) {}
  void onSuccess(SendResult& result) { finish(result.getSendStatus() == SEND_OK && !result.getMsgId().empty()); }
  void onException(MQException&) { finish(false); }
  void finish(bool success) {
    std::lock_guard<std::mutex> lock(m);
    ok = success;
    done = true;
    cv.notify_all();
  }
  std::mutex m;
  std::condition_variable cv;
  bool done;
  bool ok;
};

std::mutex g_deleted_mutex;
std::condition_variable g_deleted_cv;
int g_auto_deleted = 0;

class SelfDeleting : public AutoDeleteSendCallBack {
 public:
  ~SelfDeleting() {
    std::lock_guard<std::mutex> lock(g_deleted_mutex);
    ++g_auto_deleted;
    g_deleted_cv.notify_all();
  }
  void onSuccess(SendResult& result) { CHECK_EQ(result.getSendStatus(), SEND_OK, "auto-delete callback: status"); }
  void onException(MQException& e) { CHECK(false, std::string("auto-delete callback failed: ") + e.what()); }
};

// Collects what a push consumer received, by body.
class Collector {
 public:
  void add(const MQMessageExt& msg) {
    std::lock_guard<std::mutex> lock(m);
    bodies.push_back(msg.getBody());
    cv.notify_all();
  }
  bool has(const std::string& body) { return std::find(bodies.begin(), bodies.end(), body) != bodies.end(); }
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> bodies;
};

class Concurrent : public MessageListenerConcurrently {
 public:
  ConsumeStatus consumeMessage(const std::vector<MQMessageExt>& msgs) {
    for (size_t i = 0; i < msgs.size(); ++i) c.add(msgs[i]);
    return CONSUME_SUCCESS;
  }
  Collector c;
};

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

class Transactions : public TransactionListener {
 public:
  LocalTransactionState executeLocalTransaction(const MQMessage& msg, void* arg) {
    CHECK(!msg.getProperty(MQMessage::PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX).empty(), "executor sees the UNIQ_KEY");
    return *static_cast<LocalTransactionState*>(arg);
  }
  LocalTransactionState checkLocalTransaction(const MQMessageExt&) { return COMMIT_MESSAGE; }
};

void start_producer(DefaultMQProducer& producer) {
  producer.setNamesrvAddr(g_namesrv);
  producer.setSendMsgTimeout(5000);
  producer.start();
}

// ---- producer and pull consumer

void sends_and_reads_back() {
  DefaultMQProducer producer(unique("cpp_p"));
  start_producer(producer);
  std::string tag = unique("sync");

  MQMessage msg(g_topic, tag, "key1", "sync body");
  SendResult sent = producer.send(msg);
  CHECK_EQ(sent.getSendStatus(), SEND_OK, "sync send: status");
  CHECK(!sent.getMsgId().empty() && !sent.getOffsetMsgId().empty(), "sync send: both ids");
  CHECK_EQ(msg.getProperty(MQMessage::PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX), sent.getMsgId(), "sync send: UNIQ_KEY copied to the message");
  CHECK_EQ(sent.getMessageQueue().getTopic(), g_topic, "sync send: the queue's topic");

  PickQueue selector;
  int which = 1;
  MQMessage selected(g_topic, tag, "selected body");
  SendResult by_selector = producer.send(selected, &selector, &which);
  CHECK(selector.seen.size() >= 2, "selector: sees the topic's queues");
  if (selector.seen.size() >= 2) {
    CHECK(by_selector.getMessageQueue() == selector.seen[1], "selector: the chosen queue was used");
    MQMessage to_queue(g_topic, tag, "to-queue body");
    SendResult r = producer.send(to_queue, selector.seen[0]);
    CHECK(r.getMessageQueue() == selector.seen[0], "send to a queue: that queue");
    producer.sendOneway(to_queue, selector.seen[1]);
  }

  Waiter waiter;
  MQMessage async_msg(g_topic, tag, "async body");
  producer.send(async_msg, &waiter);
  CHECK(wait_for(waiter.m, waiter.cv, 10, [&] { return waiter.done; }) && waiter.ok, "async send: onSuccess");
  MQMessage auto_msg(g_topic, tag, "auto-delete body");
  producer.send(auto_msg, new SelfDeleting());
  producer.send(auto_msg, &selector, &which, new SelfDeleting());
  CHECK(wait_for(g_deleted_mutex, g_deleted_cv, 10, [] { return g_auto_deleted == 2; }), "auto-delete callbacks deleted after they ran");

  MQMessage oneway(g_topic, tag, "oneway body");
  producer.sendOneway(oneway);

  std::vector<MQMessage> batch;
  for (int i = 0; i < 3; ++i) batch.push_back(MQMessage(g_topic, tag, "batch body"));
  CHECK_EQ(producer.send(batch).getSendStatus(), SEND_OK, "batch send: status");

  MQMessage delayed(g_topic, tag, "delayed body");
  delayed.setDelayTimeLevel(1);
  CHECK_EQ(producer.send(delayed).getSendStatus(), SEND_OK, "delay level 1: status");

  // Read the sync message back where the broker says it is.
  DefaultMQPullConsumer pull(unique("cpp_pull"));
  pull.setNamesrvAddr(g_namesrv);
  pull.start();
  std::vector<MQMessageQueue> queues;
  pull.fetchSubscribeMessageQueues(g_topic, queues);
  CHECK(queues.size() >= 2, "pull consumer: the topic's queues");
  PullResult found = pull.pull(sent.getMessageQueue(), tag, sent.getQueueOffset(), 1);
  CHECK_EQ(found.pullStatus, FOUND, "pull: status");
  if (!found.msgFoundList.empty()) {
    const MQMessageExt& m = found.msgFoundList[0];
    CHECK_EQ(m.getMsgId(), sent.getMsgId(), "pull: the message id");
    CHECK_EQ(m.getBody(), "sync body", "pull: the body");
    CHECK_EQ(m.getTags(), tag, "pull: the tag");
    CHECK_EQ(m.getKeys(), "key1", "pull: the keys");
    CHECK_EQ(m.getQueueOffset(), sent.getQueueOffset(), "pull: the offset");
    CHECK(!m.getBornHostString().empty() && m.getBornHostString() != "0.0.0.0", "pull: born host");
  }
  pull.updateConsumeOffset(sent.getMessageQueue(), found.nextBeginOffset);
  CHECK_EQ(pull.fetchConsumeOffset(sent.getMessageQueue(), false), found.nextBeginOffset, "pull: offsets kept");
  pull.shutdown();
  producer.shutdown();
}

// ---- push consumers and transactions

void push_concurrent_with_transactions() {
  std::string tag = unique("push");
  Concurrent listener;
  DefaultMQPushConsumer consumer(unique("cpp_push"));
  consumer.setNamesrvAddr(g_namesrv);
  consumer.setConsumeFromWhere(CONSUME_FROM_FIRST_OFFSET);
  consumer.subscribe(g_topic, tag);
  consumer.registerMessageListener(&listener);
  consumer.start();

  DefaultMQProducer producer(unique("cpp_pp"));
  start_producer(producer);
  for (int i = 0; i < 5; ++i) {
    std::ostringstream body;
    body << "pushed " << i;
    MQMessage msg(g_topic, tag, body.str());
    producer.send(msg);
  }
  producer.shutdown();

  TransactionMQProducer tx(unique("cpp_tx"));
  tx.setNamesrvAddr(g_namesrv);
  tx.setTransactionListener(new Transactions());
  tx.start();
  LocalTransactionState commit = COMMIT_MESSAGE, rollback = ROLLBACK_MESSAGE;
  MQMessage committed(g_topic, tag, "committed");
  TransactionSendResult r = tx.sendMessageInTransaction(committed, &commit);
  CHECK_EQ(r.getSendStatus(), SEND_OK, "transaction: half message stored");
  CHECK_EQ(r.getLocalTransactionState(), COMMIT_MESSAGE, "transaction: the executor's answer");
  CHECK(!r.getTransactionId().empty(), "transaction: an id");
  MQMessage rolled_back(g_topic, tag, "rolled back");
  tx.sendMessageInTransaction(rolled_back, &rollback);
  tx.shutdown();

  Collector& c = listener.c;
  bool all = wait_for(c.m, c.cv, 60, [&] { return c.bodies.size() >= 6; });
  CHECK(all, "push: the 5 messages and the committed one arrive");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::lock_guard<std::mutex> lock(c.m);
  CHECK(c.has("pushed 0") && c.has("pushed 4") && c.has("committed"), "push: the bodies");
  CHECK(!c.has("rolled back"), "push: a rolled back transaction is never delivered");
  consumer.shutdown();
}

void push_orderly() {
  std::string tag = unique("orderly");
  DefaultMQProducer producer(unique("cpp_po"));
  start_producer(producer);
  PickQueue selector;
  int which = 0;
  for (int i = 0; i < 10; ++i) {
    std::ostringstream body;
    body << i;
    MQMessage msg(g_topic, tag, body.str());
    producer.send(msg, &selector, &which, 3);
  }
  producer.shutdown();

  Orderly listener;
  DefaultMQPushConsumer consumer(unique("cpp_orderly"));
  consumer.setNamesrvAddr(g_namesrv);
  consumer.setConsumeFromWhere(CONSUME_FROM_FIRST_OFFSET);
  consumer.setConsumeMessageBatchMaxSize(4);
  consumer.subscribe(g_topic, tag);
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

// ---- what 2.2.0 throws

template <class E, class F>
void expect_throw(const char* what, F f, const std::string& text) {
  try {
    f();
    CHECK(false, std::string(what) + ": nothing thrown");
  } catch (E& e) {
    CHECK(std::string(e.what()).find(text) != std::string::npos, std::string(what) + ": " + e.what());
  } catch (...) {
    CHECK(false, std::string(what) + ": another exception type");
  }
}

void misuse() {
  expect_throw<MQClientException>("push start without a listener", [] {
    DefaultMQPushConsumer c(unique("cpp_nolistener"));
    c.setNamesrvAddr(g_namesrv);
    c.start();
  }, "messageListener is null");
  expect_throw<MQClientException>("push start as DEFAULT_CONSUMER", [] {
    DefaultMQPushConsumer c("");
    c.start();
  }, "DEFAULT_CONSUMER");
  expect_throw<MQClientException>("transaction without a listener", [] {
    TransactionMQProducer p(unique("cpp_notx"));
    MQMessage m(g_topic, "body");
    p.sendMessageInTransaction(m, NULL);
  }, "transactionListener is null");
  DefaultMQPullConsumer pull(unique("cpp_pullmisuse"));
  MQMessageQueue mq(g_topic, "broker-a", 0);
  expect_throw<MQClientException>("pull from offset -1", [&] { pull.pull(mq, "*", -1, 1); }, "offset < 0");
  expect_throw<MQClientException>("pull of 0 messages", [&] { pull.pull(mq, "*", 0, 0); }, "maxNums <= 0");
  DefaultMQProducer stopped(unique("cpp_stopped"));
  MQMessage m(g_topic, "body");
  try {
    stopped.send(m);
    CHECK(false, "send before start: nothing thrown");
  } catch (MQClientException&) {
    CHECK(false, "send before start: a send throws a plain MQException, as 2.2.0 (sliced)");
  } catch (MQException& e) {
    CHECK_EQ(std::string(e.GetType()), "", "send before start: plain MQException");
  }
  std::vector<MQMessage> none;
  expect_throw<MQException>("empty batch", [&] { stopped.send(none); }, "msgs need one message at least");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " NAMESRV TOPIC" << std::endl;
    return 2;
  }
  g_namesrv = argv[1];
  g_topic = argv[2];
  std::ostringstream run;
  run << getpid() << "_" << time(NULL);
  g_run = run.str();
  try {
    misuse();
    sends_and_reads_back();
    push_concurrent_with_transactions();
    push_orderly();
  } catch (MQException& e) {
    CHECK(false, std::string("unexpected exception: ") + e.what());
  }
  return check_done();
}
