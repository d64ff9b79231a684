// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: DefaultMQPushConsumer over CPushConsumer. The listener is called
// through RegisterMessageBatchCallback, on the consumer's consume threads.
#include "DefaultMQPushConsumer.h"

#include <time.h>

#include <map>
#include <thread>

#include "client_ops.h"
#include "glue.h"

namespace rocketmq {

class DefaultMQPushConsumerImpl {
 public:
  explicit DefaultMQPushConsumerImpl(const std::string& group)
      : client(CreatePushConsumer(group.c_str()), rmqcpp::push_consumer_ops(), group),
        listener(NULL),
        messageModel(CLUSTERING),
        consumeFromWhere(CONSUME_FROM_LAST_OFFSET),
        consumeThreadCount(static_cast<int>(std::thread::hardware_concurrency())),
        maxReconsumeTimes(-1),
        pullMsgThreadPoolCount(static_cast<int>(std::thread::hardware_concurrency())),
        consumeMessageBatchMaxSize(1),
        maxCacheMsgSizePerQueue(1000) {}
  // Shuts down first: no listener call runs after this.
  ~DefaultMQPushConsumerImpl() { DestroyPushConsumer(client.handle); }

  rmqcpp::Client<CPushConsumer> client;
  MQMessageListener* listener;
  MessageModel messageModel;
  ConsumeFromWhere consumeFromWhere;
  int consumeThreadCount;
  int maxReconsumeTimes;
  int pullMsgThreadPoolCount;
  int consumeMessageBatchMaxSize;
  int maxCacheMsgSizePerQueue;
  // topic -> expression, handed to the C consumer at start, when the namespace is known.
  std::map<std::string, std::string> subscriptions;

  // 2.2.0's dealWithNameSpace for subscriptions: each topic gets the namespace prefix.
  void subscribe_all() {
    const std::string& ns = client.settings.nameSpace;
    for (std::map<std::string, std::string>::const_iterator it = subscriptions.begin(); it != subscriptions.end(); ++it) {
      std::string topic = rmqcpp::has_namespace(it->first, ns) ? it->first : rmqcpp::with_namespace(it->first, ns);
      Subscribe(client.handle, topic.c_str(), it->second.c_str());
    }
  }
};

namespace {

// One batch of one queue, on a consume thread: 0 consumed, 1 all again later. A listener that
// throws counts as RECONSUME_LATER; nothing escapes into the library.
// As in 2.2.0 the listener sees topics without the namespace prefix.
int consume_batch(CPushConsumer*, const CMessageQueue*, CMessageExt** msgs, int count, void* userData) {
  try {
    DefaultMQPushConsumerImpl* impl = static_cast<DefaultMQPushConsumerImpl*>(userData);
    const std::string& ns = impl->client.settings.nameSpace;
    std::vector<MQMessageExt> batch(count);
    for (int i = 0; i < count; ++i) {
      rmqcpp::read_message(msgs[i], batch[i]);
      if (!ns.empty()) batch[i].setTopic(rmqcpp::without_namespace(batch[i].getTopic(), ns));
    }
    return impl->listener->consumeMessage(batch) == CONSUME_SUCCESS ? 0 : 1;
  } catch (...) {
    return 1;
  }
}

// SetPushConsumerConsumeFromWhere knows three starting points: last (0), first (1), timestamp (2).
void apply_consume_from(CPushConsumer* consumer, ConsumeFromWhere where) {
  switch (where) {
    case CONSUME_FROM_MIN_OFFSET:
    case CONSUME_FROM_FIRST_OFFSET:
      SetPushConsumerConsumeFromWhere(consumer, 1, 0);
      break;
    case CONSUME_FROM_TIMESTAMP:
      // 2.2.0 has no timestamp setter; the Java client's default: half an hour ago.
      SetPushConsumerConsumeFromWhere(consumer, 2, (static_cast<long long>(time(NULL)) - 1800) * 1000);
      break;
    default:
      SetPushConsumerConsumeFromWhere(consumer, 0, 0);
      break;
  }
}

}  // namespace

DefaultMQPushConsumer::DefaultMQPushConsumer(const std::string& groupname)
    : impl(new DefaultMQPushConsumerImpl(groupname.empty() ? "DEFAULT_CONSUMER" : groupname)) {}

DefaultMQPushConsumer::~DefaultMQPushConsumer() { delete impl; }

void DefaultMQPushConsumer::start() {
  if (impl->client.running()) return;
  // 2.2.0's group checks (its pattern check of the characters never rejected anything).
  const std::string& group = impl->client.settings.groupName;
  if (group.find_first_not_of(" \t\r\n") == std::string::npos) rmqcpp::throw_client_error("the specified group is blank");
  if (group.size() > 255) rmqcpp::throw_client_error("the specified group is longer than group max length 255.");
  if (group == "DEFAULT_CONSUMER") {
    rmqcpp::throw_client_error("consumerGroup can not equal DEFAULT_CONSUMER");
  }
  MQMessageListener* listener = impl->listener;
  if (listener == NULL) rmqcpp::throw_client_error("messageListener is null ");
  // Orderly listeners get one message per call, as in 2.2.0.
  bool orderly = listener->getMessageListenerType() == messageListenerOrderly;
  SetPushConsumerMessageBatchMaxSize(impl->client.handle, orderly ? 1 : impl->consumeMessageBatchMaxSize);
  rmqcpp::check_client(RegisterMessageBatchCallback(impl->client.handle, consume_batch, impl, orderly ? 1 : 0));
  impl->client.start(true, StartPushConsumer, [this] { impl->subscribe_all(); });
}

void DefaultMQPushConsumer::shutdown() { impl->client.shutdown(ShutdownPushConsumer); }

std::string DefaultMQPushConsumer::version() { return rmqcpp::version_text(); }

void DefaultMQPushConsumer::subscribe(const std::string& topic, const std::string& subExpression) {
  impl->subscriptions[topic] = subExpression;
  if (impl->client.running()) impl->subscribe_all();
}

void DefaultMQPushConsumer::registerMessageListener(MQMessageListener* pMessageListener) {
  if (pMessageListener != NULL) impl->listener = pMessageListener;
}

MessageListenerType DefaultMQPushConsumer::getMessageListenerType() {
  return impl->listener ? impl->listener->getMessageListenerType() : messageListenerDefaultly;
}

MessageModel DefaultMQPushConsumer::getMessageModel() const { return impl->messageModel; }

void DefaultMQPushConsumer::setMessageModel(MessageModel messageModel) {
  impl->messageModel = messageModel;
  SetPushConsumerMessageModel(impl->client.handle, static_cast<CMessageModel>(messageModel));
}

void DefaultMQPushConsumer::setConsumeFromWhere(ConsumeFromWhere consumeFromWhere) {
  impl->consumeFromWhere = consumeFromWhere;
  apply_consume_from(impl->client.handle, consumeFromWhere);
}

ConsumeFromWhere DefaultMQPushConsumer::getConsumeFromWhere() { return impl->consumeFromWhere; }

RMQCPP_FORWARD_NAMES(DefaultMQPushConsumer)
RMQCPP_FORWARD_LOG_PATH(DefaultMQPushConsumer)
RMQCPP_FORWARD_SSL(DefaultMQPushConsumer)
RMQCPP_FORWARD_TRACE(DefaultMQPushConsumer)
RMQCPP_FORWARD_TRANSPORT(DefaultMQPushConsumer)

void DefaultMQPushConsumer::setConsumeThreadCount(int threadCount) {
  if (threadCount <= 0) return;
  impl->consumeThreadCount = threadCount;
  SetPushConsumerThreadCount(impl->client.handle, threadCount);
}

int DefaultMQPushConsumer::getConsumeThreadCount() const { return impl->consumeThreadCount; }

void DefaultMQPushConsumer::setMaxReconsumeTimes(int maxReconsumeTimes) {
  if (maxReconsumeTimes <= 0) return;
  impl->maxReconsumeTimes = maxReconsumeTimes;
  SetPushConsumerMaxReconsumeTimes(impl->client.handle, maxReconsumeTimes);
}

// 16 until set: the broker's default for a group that does not say.
int DefaultMQPushConsumer::getMaxReconsumeTimes() const { return impl->maxReconsumeTimes < 0 ? 16 : impl->maxReconsumeTimes; }

// Kept for the getter: every queue has its own pull task here.
void DefaultMQPushConsumer::setPullMsgThreadPoolCount(int threadCount) { impl->pullMsgThreadPoolCount = threadCount; }

int DefaultMQPushConsumer::getPullMsgThreadPoolCount() const { return impl->pullMsgThreadPoolCount; }

void DefaultMQPushConsumer::setConsumeMessageBatchMaxSize(int consumeMessageBatchMaxSize) {
  if (consumeMessageBatchMaxSize < 1) return;
  impl->consumeMessageBatchMaxSize = consumeMessageBatchMaxSize;
}

int DefaultMQPushConsumer::getConsumeMessageBatchMaxSize() const { return impl->consumeMessageBatchMaxSize; }

void DefaultMQPushConsumer::setMaxCacheMsgSizePerQueue(int maxCacheSize) {
  if (maxCacheSize <= 0 || maxCacheSize >= 65535) return;
  impl->maxCacheMsgSizePerQueue = maxCacheSize;
  SetPushConsumerMaxCacheMessageSize(impl->client.handle, maxCacheSize);
}

int DefaultMQPushConsumer::getMaxCacheMsgSizePerQueue() const { return impl->maxCacheMsgSizePerQueue; }

// Pulls are always long polling on the library's I/O thread.
void DefaultMQPushConsumer::setAsyncPull(bool) {}

}  // namespace rocketmq
