// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: DefaultMQPullConsumer over CPullConsumer (FetchSubscriptionMessageQueues,
// Pull, PullBlockIfNotFound). Consume offsets as 2.2.0's clustering store: updated in memory,
// read from the broker (FetchPullConsumerOffset) when asked to or when memory has none, written
// to the broker by persistConsumerOffset4PullConsumer (UpdatePullConsumerOffset).
#include "DefaultMQPullConsumer.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "client_ops.h"
#include "glue.h"

namespace rocketmq {

class DefaultMQPullConsumerImpl {
 public:
  explicit DefaultMQPullConsumerImpl(const std::string& group)
      : client(CreatePullConsumer(group.c_str()), rmqcpp::pull_consumer_ops(), group), asyncPulls(0) {}
  ~DefaultMQPullConsumerImpl() {
    wait_for_async_pulls();
    DestroyPullConsumer(client.handle);
  }

  // Asynchronous pulls run on threads of their own; shutdown and destruction wait for them.
  void begin_async_pull() {
    std::lock_guard<std::mutex> lock(mutex);
    ++asyncPulls;
  }
  void end_async_pull() {
    std::lock_guard<std::mutex> lock(mutex);
    if (--asyncPulls == 0) idle.notify_all();
  }
  void wait_for_async_pulls() {
    std::unique_lock<std::mutex> lock(mutex);
    while (asyncPulls > 0) idle.wait(lock);
  }

  rmqcpp::Client<CPullConsumer> client;
  std::mutex mutex;
  std::condition_variable idle;
  int asyncPulls;
  std::map<MQMessageQueue, int64> offsets;
  std::map<std::string, MQueueListener*> queueListeners;
  // 2.2.0 strips the namespace from pulled messages only once start() found a registered topic
  // (registerMessageQueueListener) without it.
  bool useNameSpaceMode = false;

  // The namespace to strip from pulled messages' topics: empty when not in namespace mode.
  std::string stripped_namespace() {
    std::lock_guard<std::mutex> lock(mutex);
    return useNameSpaceMode ? client.settings.nameSpace : std::string();
  }
  void note_namespace_mode() {
    std::lock_guard<std::mutex> lock(mutex);
    const std::string& ns = client.settings.nameSpace;
    for (std::map<std::string, MQueueListener*>::const_iterator it = queueListeners.begin(); it != queueListeners.end(); ++it) {
      if (!ns.empty() && !rmqcpp::has_namespace(it->first, ns)) useNameSpaceMode = true;
    }
  }
};

namespace {

void check_pull_arguments(int64 offset, int maxNums) {
  if (offset < 0) rmqcpp::throw_client_error("offset < 0");
  if (maxNums <= 0) rmqcpp::throw_client_error("maxNums <= 0");
}

typedef CPullResult (*PullFunction)(CPullConsumer*, const CMessageQueue*, const char*, long long, int);

// A pull never throws for the network: a failed one is BROKER_TIMEOUT, as in 2.2.0.
PullResult pull_once(DefaultMQPullConsumerImpl* impl, PullFunction how, const MQMessageQueue& mq, const std::string& expression, int64 offset, int maxNums) {
  CMessageQueue queue = rmqcpp::c_queue_of(mq);
  CPullResult pulled = how(impl->client.handle, &queue, expression.c_str(), offset, maxNums);
  PullResult result(static_cast<PullStatus>(pulled.pullStatus), pulled.nextBeginOffset, pulled.minOffset, pulled.maxOffset);
  result.msgFoundList.resize(pulled.size > 0 ? pulled.size : 0);
  std::string ns = impl->stripped_namespace();
  for (int i = 0; i < pulled.size; ++i) {
    rmqcpp::read_message(pulled.msgFoundList[i], result.msgFoundList[i]);
    if (!ns.empty()) result.msgFoundList[i].setTopic(rmqcpp::without_namespace(result.msgFoundList[i].getTopic(), ns));
  }
  ReleasePullResult(pulled);
  return result;
}

void pull_async(DefaultMQPullConsumerImpl* impl,
                PullFunction how,
                const MQMessageQueue& mq,
                const std::string& expression,
                int64 offset,
                int maxNums,
                PullCallback* callback) {
  check_pull_arguments(offset, maxNums);
  if (callback == NULL) rmqcpp::throw_client_error("pPullCallback is null");
  impl->begin_async_pull();
  try {
    std::thread([=]() {
      try {
        MQMessageQueue queue(mq);
        PullResult result = pull_once(impl, how, queue, expression, offset, maxNums);
        callback->onSuccess(queue, result, false);
      } catch (...) {
      }
      impl->end_async_pull();
    }).detach();
  } catch (...) {
    impl->end_async_pull();
    throw;
  }
}

}  // namespace

DefaultMQPullConsumer::DefaultMQPullConsumer(const std::string& groupname)
    : impl(new DefaultMQPullConsumerImpl(groupname.empty() ? "DEFAULT_CONSUMER" : groupname)) {}

DefaultMQPullConsumer::~DefaultMQPullConsumer() { delete impl; }

void DefaultMQPullConsumer::start() {
  if (impl->client.running()) return;
  if (impl->client.settings.groupName == "DEFAULT_CONSUMER") {
    rmqcpp::throw_client_error("consumerGroup can not equal DEFAULT_CONSUMER");
  }
  impl->client.start(true, StartPullConsumer, [this] { impl->note_namespace_mode(); });
}

void DefaultMQPullConsumer::shutdown() {
  impl->wait_for_async_pulls();
  impl->client.shutdown(ShutdownPullConsumer);
}

std::string DefaultMQPullConsumer::version() { return rmqcpp::version_text(); }

RMQCPP_FORWARD_NAMES(DefaultMQPullConsumer)
RMQCPP_FORWARD_LOG_PATH(DefaultMQPullConsumer)
RMQCPP_FORWARD_SSL(DefaultMQPullConsumer)

void DefaultMQPullConsumer::fetchSubscribeMessageQueues(const std::string& topic, std::vector<MQMessageQueue>& mqs) {
  mqs.clear();
  CMessageQueue* queues = NULL;
  int size = 0;
  // 2.2.0 puts the namespace (as set, or found at start) before the topic, whatever it is.
  std::string local = rmqcpp::with_namespace(topic, impl->client.settings.nameSpace);
  if (FetchSubscriptionMessageQueues(impl->client.handle, local.c_str(), &queues, &size) != 0) return;
  mqs = rmqcpp::take_queues(queues, size, ReleaseSubscriptionMessageQueue);
}

PullResult DefaultMQPullConsumer::pull(const MQMessageQueue& mq, const std::string& subExpression, int64 offset, int maxNums) {
  check_pull_arguments(offset, maxNums);
  return pull_once(impl, Pull, mq, subExpression, offset, maxNums);
}

void DefaultMQPullConsumer::pull(const MQMessageQueue& mq,
                                 const std::string& subExpression,
                                 int64 offset,
                                 int maxNums,
                                 PullCallback* pPullCallback) {
  pull_async(impl, Pull, mq, subExpression, offset, maxNums, pPullCallback);
}

PullResult DefaultMQPullConsumer::pullBlockIfNotFound(const MQMessageQueue& mq,
                                                      const std::string& subExpression,
                                                      int64 offset,
                                                      int maxNums) {
  check_pull_arguments(offset, maxNums);
  return pull_once(impl, PullBlockIfNotFound, mq, subExpression, offset, maxNums);
}

void DefaultMQPullConsumer::pullBlockIfNotFound(const MQMessageQueue& mq,
                                                const std::string& subExpression,
                                                int64 offset,
                                                int maxNums,
                                                PullCallback* pPullCallback) {
  pull_async(impl, PullBlockIfNotFound, mq, subExpression, offset, maxNums, pPullCallback);
}

void DefaultMQPullConsumer::persistConsumerOffset() {}

void DefaultMQPullConsumer::persistConsumerOffsetByResetOffset() {}

// What updateConsumeOffset kept for mq goes to the broker (2.2.0: only while running).
void DefaultMQPullConsumer::persistConsumerOffset4PullConsumer(const MQMessageQueue& mq) {
  int64 offset;
  {
    std::lock_guard<std::mutex> lock(impl->mutex);
    std::map<MQMessageQueue, int64>::const_iterator it = impl->offsets.find(mq);
    if (it == impl->offsets.end()) return;
    offset = it->second;
  }
  CMessageQueue queue = rmqcpp::c_queue_of(mq);
  UpdatePullConsumerOffset(impl->client.handle, &queue, offset);
}

void DefaultMQPullConsumer::updateTopicSubscribeInfo(const std::string&, std::vector<MQMessageQueue>&) {}

ConsumeFromWhere DefaultMQPullConsumer::getConsumeFromWhere() { return CONSUME_FROM_LAST_OFFSET; }

void DefaultMQPullConsumer::getSubscriptions(std::vector<SubscriptionData>&) {}

// In memory only, as 2.2.0: persistConsumerOffset4PullConsumer writes it to the broker.
void DefaultMQPullConsumer::updateConsumeOffset(const MQMessageQueue& mq, int64 offset) {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->offsets[mq] = offset;
}

void DefaultMQPullConsumer::removeConsumeOffset(const MQMessageQueue& mq) {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->offsets.erase(mq);
}

// fromStore: the broker's value (kept in memory too); otherwise memory first, then the broker.
// -1 when neither has one (or the broker cannot be asked), as 2.2.0's store answers.
int64 DefaultMQPullConsumer::fetchConsumeOffset(const MQMessageQueue& mq, bool fromStore) {
  if (!fromStore) {
    std::lock_guard<std::mutex> lock(impl->mutex);
    std::map<MQMessageQueue, int64>::const_iterator it = impl->offsets.find(mq);
    if (it != impl->offsets.end()) return it->second;
  }
  CMessageQueue queue = rmqcpp::c_queue_of(mq);
  long long stored = -1;
  if (FetchPullConsumerOffset(impl->client.handle, &queue, &stored) != 0) return -1;
  std::lock_guard<std::mutex> lock(impl->mutex);
  if (stored >= 0) impl->offsets[mq] = stored;
  return stored;
}

void DefaultMQPullConsumer::registerMessageQueueListener(const std::string& topic, MQueueListener* pListener) {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->queueListeners[topic] = pListener;
}

void DefaultMQPullConsumer::fetchMessageQueuesInBalance(const std::string&, std::vector<MQMessageQueue>) {}

}  // namespace rocketmq
