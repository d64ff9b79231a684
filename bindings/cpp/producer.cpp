// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: DefaultMQProducer over CProducer (SendMessageSyncEx,
// SendMessageAsyncEx, SendMessageOneway*, SendBatchMessageEx, SendBatchMessageToQueue,
// FetchProducerMessageQueues).
#include "DefaultMQProducer.h"

#include <algorithm>
#include <sstream>

#include "client_ops.h"
#include "glue.h"

namespace rocketmq {

class DefaultMQProducerImpl {
 public:
  explicit DefaultMQProducerImpl(const std::string& group)
      : client(CreateProducer(group.c_str()), rmqcpp::producer_ops(), group),
        sendMsgTimeout(3000),
        compressMsgBodyOverHowmuch(4096),
        compressLevel(5),
        maxMessageSize(1024 * 128),
        retryTimes(5),
        retryTimes4Async(1) {}
  ~DefaultMQProducerImpl() { DestroyProducer(client.handle); }
  // The namespace sends put on topics (set at start, see rmqcpp::Client::apply_namespace).
  const std::string& nameSpace() const;

  rmqcpp::Client<CProducer> client;
  int sendMsgTimeout;
  int compressMsgBodyOverHowmuch;
  int compressLevel;
  int maxMessageSize;
  int retryTimes;
  int retryTimes4Async;
};

namespace {

std::string group_or_default(const std::string& group) { return group.empty() ? "DEFAULT_PRODUCER" : group; }

// As check_message; an auto-delete callback that will never run is deleted first.
void check_async_message(const MQMessage& msg, int maxMessageSize, SendCallback* callback) {
  try {
    rmqcpp::check_message(msg, maxMessageSize);
  } catch (...) {
    if (callback != NULL && callback->getSendCallbackType() == autoDeleteSendCallback) delete callback;
    throw;
  }
}

// 2.2.0's buildBatchMessage, in its order: each message checked (and given the namespace), the
// first not to a retry topic, the others without delay, to the first one's topic, with its
// waitStoreMsgOK.
void check_batch(std::vector<MQMessage>& msgs, int maxMessageSize, const std::string& ns) {
  if (msgs.empty()) rmqcpp::throw_send_error("msgs need one message at least");
  for (size_t i = 0; i < msgs.size(); ++i) {
    rmqcpp::check_message(msgs[i], maxMessageSize);
    rmqcpp::add_namespace(msgs[i], ns);
    const MQMessage& first = msgs[0];
    if (i == 0) {
      if (first.getTopic().compare(0, 7, "%RETRY%") == 0) rmqcpp::throw_send_error("Retry Group is not supported for batching");
      continue;
    }
    if (msgs[i].getDelayTimeLevel() > 0) rmqcpp::throw_send_error("TimeDelayLevel in not supported for batching");
    if (msgs[i].getTopic() != first.getTopic()) rmqcpp::throw_send_error("msgs need one message at least");
    if (msgs[i].isWaitStoreMsgOK() != first.isWaitStoreMsgOK()) rmqcpp::throw_send_error("msgs need one message at least", -2);
  }
}

// 2.2.0 sends to a chosen queue only when its broker is in the topic's route, else throws this.
bool has_broker(const std::vector<MQMessageQueue>& queues, const std::string& broker);

void check_broker_known(CProducer* producer, const MQMessageQueue& mq) {
  CMessageQueue* queues = NULL;
  int size = 0;
  std::vector<MQMessageQueue> known;
  if (FetchProducerMessageQueues(producer, mq.getTopic().c_str(), &queues, &size) == 0) {
    known = rmqcpp::take_queues(queues, size, ReleaseProducerMessageQueues);
  }
  if (!has_broker(known, mq.getBrokerName())) rmqcpp::throw_send_error("The broker[" + mq.getBrokerName() + "] not exist");
}

// A failed send to a chosen queue: 2.2.0's text when its broker is unknown, else the C API's.
void check_send_to(int status, CProducer* producer, const MQMessageQueue* mq) {
  if (status == 0) return;
  std::string text = rmqcpp::last_error();
  if (mq != NULL) {
    try {
      check_broker_known(producer, *mq);
    } catch (MQException&) {
      rmqcpp::throw_send_error("The broker[" + mq->getBrokerName() + "] not exist (" + text + ")");
    }
  }
  rmqcpp::throw_send_error(text);
}

// The queue a selector picks among the topic's writable queues (in the library's route order);
// without a route, throws no_route (2.2.0's text differs between its selector sends).
MQMessageQueue select_queue(CProducer* producer, const MQMessage& msg, MessageQueueSelector* selector, void* arg,
                            const std::string& no_route = "No route info for this topic") {
  if (selector == NULL) rmqcpp::throw_send_error("the message queue selector is null");
  CMessageQueue* queues = NULL;
  int size = 0;
  if (FetchProducerMessageQueues(producer, msg.getTopic().c_str(), &queues, &size) != 0) {
    rmqcpp::throw_send_error(no_route + " (" + rmqcpp::last_error() + ")");
  }
  std::vector<MQMessageQueue> mqs = rmqcpp::take_queues(queues, size, ReleaseProducerMessageQueues);
  return selector->select(mqs, msg, arg);
}

SendResult send_sync(CProducer* producer, MQMessage& msg, const MQMessageQueue* mq) {
  rmqcpp::CMessageHandle c(msg);
  CSendResultEx result;
  CMessageQueue queue;
  if (mq != NULL) queue = rmqcpp::c_queue_of(*mq);
  int status = SendMessageSyncEx(producer, c.get(), mq ? &queue : NULL, 0, &result);
  if (status == 0 && result.msgId[0] != '\0') {
    // The result's id is the UNIQ_KEY the send set: no C call to read it back.
    msg.setProperty(MQMessage::PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, result.msgId);
  } else {
    c.copy_back(msg);
  }
  check_send_to(status, producer, mq);
  return rmqcpp::send_result_of(result);
}

// Runs the program's callback once per send, on the library's callback thread; an
// auto-delete callback is deleted after it ran. Nothing thrown escapes into the library.
void finish_async_send(int status, const CSendResultEx* result, const char* errorText, void* userData) {
  SendCallback* callback = static_cast<SendCallback*>(userData);
  if (callback == NULL) return;
  try {
    if (status == 0 && result != NULL) {
      SendResult sent = rmqcpp::send_result_of(*result);
      callback->onSuccess(sent);
    } else {
      MQException e(errorText ? errorText : "send failed", -1, __FILE__, __LINE__);
      callback->onException(e);
    }
  } catch (...) {
  }
  try {
    if (callback->getSendCallbackType() == autoDeleteSendCallback) delete callback;
  } catch (...) {
  }
}

// 2.2.0 throws at once for a chosen queue of an unknown broker (the callback never runs, and an
// auto-delete one is deleted).
void check_async_target(CProducer* producer, const MQMessageQueue& mq, SendCallback* callback) {
  try {
    check_broker_known(producer, mq);
  } catch (...) {
    if (callback != NULL && callback->getSendCallbackType() == autoDeleteSendCallback) delete callback;
    throw;
  }
}

void send_async(CProducer* producer, MQMessage& msg, const MQMessageQueue* mq, SendCallback* callback) {
  rmqcpp::CMessageHandle c(msg);
  CMessageQueue queue;
  if (mq != NULL) queue = rmqcpp::c_queue_of(*mq);
  int status = SendMessageAsyncEx(producer, c.get(), mq ? &queue : NULL, finish_async_send, callback);
  c.copy_back(msg);
  if (status != 0) {
    // The callback will not run: an auto-delete one is the library's to delete all the same.
    std::string text = rmqcpp::last_error();
    if (callback != NULL && callback->getSendCallbackType() == autoDeleteSendCallback) delete callback;
    rmqcpp::throw_send_error(text);
  }
}

// SendMessageOnewayOrderly's selector: the index of the wanted queue in the route's list.
struct OnewayTarget {
  std::vector<MQMessageQueue> queues;
  MQMessageQueue wanted;
};

int index_of_target(int size, CMessage*, void* arg) {
  const OnewayTarget* target = static_cast<const OnewayTarget*>(arg);
  std::vector<MQMessageQueue>::const_iterator it = std::find(target->queues.begin(), target->queues.end(), target->wanted);
  int index = static_cast<int>(it - target->queues.begin());
  return index < size ? index : -1;
}

bool has_broker(const std::vector<MQMessageQueue>& queues, const std::string& broker) {
  for (size_t i = 0; i < queues.size(); ++i) {
    if (queues[i].getBrokerName() == broker) return true;
  }
  return false;
}

void send_oneway_to(CProducer* producer, MQMessage& msg, const MQMessageQueue& mq) {
  OnewayTarget target;
  target.wanted = mq;
  CMessageQueue* queues = NULL;
  int size = 0;
  if (FetchProducerMessageQueues(producer, mq.getTopic().c_str(), &queues, &size) == 0) {
    target.queues = rmqcpp::take_queues(queues, size, ReleaseProducerMessageQueues);
  }
  if (!has_broker(target.queues, mq.getBrokerName())) rmqcpp::throw_send_error("The broker[" + mq.getBrokerName() + "] not exist");
  rmqcpp::CMessageHandle c(msg);
  int status = SendMessageOnewayOrderly(producer, c.get(), index_of_target, &target);
  c.copy_back(msg);
  rmqcpp::check_send(status);
}

// A checked batch, to mq or (NULL) where the library picks.
SendResult send_batch(CProducer* producer, const std::vector<MQMessage>& msgs, const MQMessageQueue* mq) {
  CBatchMessage* batch = CreateBatchMessage();
  for (size_t i = 0; i < msgs.size(); ++i) {
    rmqcpp::CMessageHandle c(msgs[i]);
    AddMessage(batch, c.get());
  }
  CSendResultEx result;
  CMessageQueue queue;
  if (mq != NULL) queue = rmqcpp::c_queue_of(*mq);
  int status = SendBatchMessageToQueue(producer, batch, mq ? &queue : NULL, &result);
  DestroyBatchMessage(batch);
  check_send_to(status, producer, mq);
  return rmqcpp::send_result_of(result);
}

}  // namespace

DefaultMQProducer::DefaultMQProducer(const std::string& groupname)
    : impl(new DefaultMQProducerImpl(group_or_default(groupname))) {}

DefaultMQProducer::~DefaultMQProducer() { delete impl; }

void DefaultMQProducer::start() { impl->client.start(false, StartProducer); }

void DefaultMQProducer::shutdown() { impl->client.shutdown(ShutdownProducer); }

std::string DefaultMQProducer::version() { return rmqcpp::version_text(); }

const std::string& DefaultMQProducerImpl::nameSpace() const { return client.settings.nameSpace; }

SendResult DefaultMQProducer::send(MQMessage& msg, bool) {
  rmqcpp::check_message(msg, impl->maxMessageSize);
  rmqcpp::add_namespace(msg, impl->nameSpace());
  return send_sync(impl->client.handle, msg, NULL);
}

SendResult DefaultMQProducer::send(MQMessage& msg, const MQMessageQueue& mq) {
  rmqcpp::check_message(msg, impl->maxMessageSize);
  rmqcpp::add_namespace(msg, impl->nameSpace());
  return send_sync(impl->client.handle, msg, &mq);
}

// 2.2.0's selector sends check the message too (in sendSelectImpl).
SendResult DefaultMQProducer::send(MQMessage& msg, MessageQueueSelector* selector, void* arg) {
  rmqcpp::add_namespace(msg, impl->nameSpace());
  rmqcpp::check_message(msg, impl->maxMessageSize);
  MQMessageQueue mq = select_queue(impl->client.handle, msg, selector, arg);
  return send_sync(impl->client.handle, msg, &mq);
}

SendResult DefaultMQProducer::send(MQMessage& msg, MessageQueueSelector* selector, void* arg, int, bool) {
  rmqcpp::add_namespace(msg, impl->nameSpace());
  rmqcpp::check_message(msg, impl->maxMessageSize);
  MQMessageQueue mq = select_queue(impl->client.handle, msg, selector, arg, "No route info of this topic, ");
  return send_sync(impl->client.handle, msg, &mq);
}

SendResult DefaultMQProducer::send(std::vector<MQMessage>& msgs) {
  check_batch(msgs, impl->maxMessageSize, impl->nameSpace());
  return send_batch(impl->client.handle, msgs, NULL);
}

SendResult DefaultMQProducer::send(std::vector<MQMessage>& msgs, const MQMessageQueue& mq) {
  check_batch(msgs, impl->maxMessageSize, impl->nameSpace());
  return send_batch(impl->client.handle, msgs, &mq);
}

void DefaultMQProducer::send(MQMessage& msg, SendCallback* pSendCallback, bool) {
  check_async_message(msg, impl->maxMessageSize, pSendCallback);
  rmqcpp::add_namespace(msg, impl->nameSpace());
  send_async(impl->client.handle, msg, NULL, pSendCallback);
}

void DefaultMQProducer::send(MQMessage& msg, const MQMessageQueue& mq, SendCallback* pSendCallback) {
  check_async_message(msg, impl->maxMessageSize, pSendCallback);
  rmqcpp::add_namespace(msg, impl->nameSpace());
  check_async_target(impl->client.handle, mq, pSendCallback);
  send_async(impl->client.handle, msg, &mq, pSendCallback);
}

void DefaultMQProducer::send(MQMessage& msg, MessageQueueSelector* selector, void* arg, SendCallback* pSendCallback) {
  rmqcpp::add_namespace(msg, impl->nameSpace());
  check_async_message(msg, impl->maxMessageSize, pSendCallback);
  MQMessageQueue mq = select_queue(impl->client.handle, msg, selector, arg);
  send_async(impl->client.handle, msg, &mq, pSendCallback);
}

void DefaultMQProducer::sendOneway(MQMessage& msg, bool) {
  rmqcpp::check_message(msg, impl->maxMessageSize);
  rmqcpp::add_namespace(msg, impl->nameSpace());
  rmqcpp::CMessageHandle c(msg);
  int status = SendMessageOneway(impl->client.handle, c.get());
  c.copy_back(msg);
  rmqcpp::check_send(status);
}

void DefaultMQProducer::sendOneway(MQMessage& msg, const MQMessageQueue& mq) {
  rmqcpp::check_message(msg, impl->maxMessageSize);
  rmqcpp::add_namespace(msg, impl->nameSpace());
  send_oneway_to(impl->client.handle, msg, mq);
}

void DefaultMQProducer::sendOneway(MQMessage& msg, MessageQueueSelector* selector, void* arg) {
  rmqcpp::add_namespace(msg, impl->nameSpace());
  rmqcpp::check_message(msg, impl->maxMessageSize);
  send_oneway_to(impl->client.handle, msg, select_queue(impl->client.handle, msg, selector, arg));
}

RMQCPP_FORWARD_NAMES(DefaultMQProducer)
RMQCPP_FORWARD_LOG_PATH(DefaultMQProducer)
RMQCPP_FORWARD_SSL(DefaultMQProducer)
RMQCPP_FORWARD_TRACE(DefaultMQProducer)
RMQCPP_FORWARD_TRANSPORT(DefaultMQProducer)

int DefaultMQProducer::getSendMsgTimeout() const { return impl->sendMsgTimeout; }

void DefaultMQProducer::setSendMsgTimeout(int sendMsgTimeout) {
  impl->sendMsgTimeout = sendMsgTimeout;
  SetProducerSendMsgTimeout(impl->client.handle, sendMsgTimeout);
}

int DefaultMQProducer::getCompressMsgBodyOverHowmuch() const { return impl->compressMsgBodyOverHowmuch; }

void DefaultMQProducer::setCompressMsgBodyOverHowmuch(int howmuch) {
  impl->compressMsgBodyOverHowmuch = howmuch;
  SetProducerCompressMsgBodyOverHowmuch(impl->client.handle, howmuch);
}

int DefaultMQProducer::getCompressLevel() const { return impl->compressLevel; }

void DefaultMQProducer::setCompressLevel(int compressLevel) {
  impl->compressLevel = compressLevel;
  SetProducerCompressLevel(impl->client.handle, compressLevel);
}

int DefaultMQProducer::getMaxMessageSize() const { return impl->maxMessageSize; }

void DefaultMQProducer::setMaxMessageSize(int maxMessageSize) {
  impl->maxMessageSize = maxMessageSize;
  SetProducerMaxMessageSize(impl->client.handle, maxMessageSize);
}

int DefaultMQProducer::getRetryTimes() const { return impl->retryTimes; }

// 2.2.0 counts attempts (ignores <= 0, at most 15); the C API counts retries after the first.
void DefaultMQProducer::setRetryTimes(int times) {
  if (times <= 0) return;
  impl->retryTimes = std::min(times, 15);
  SetProducerRetryTimes(impl->client.handle, impl->retryTimes - 1);
}

int DefaultMQProducer::getRetryTimes4Async() const { return impl->retryTimes4Async; }

void DefaultMQProducer::setRetryTimes4Async(int times) {
  impl->retryTimes4Async = times <= 0 ? 1 : std::min(times, 15);
  SetProducerRetryTimes4Async(impl->client.handle, impl->retryTimes4Async);
}

}  // namespace rocketmq
