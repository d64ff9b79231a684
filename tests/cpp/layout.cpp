// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: the C++ API's binary layout against values recorded from
// rocketmq-client-cpp 2.2.0's headers (g++ 12, C++11, x86-64, the C++11 string ABI):
//   * sizeof and alignof of every public class (compile time);
//   * the offset of every data member (at run time: a value set through the API is read back
//     from the recorded offset, private members included);
//   * the order of the virtual functions: the vtable offset the header gives each one, and
//     for the library's classes, that each slot of the library's vtable is the exported
//     function of that name (dlsym).
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include <map>
#include <string>
#include <vector>

#include "Arg_helper.h"
#include "AsyncCallback.h"
#include "DefaultMQProducer.h"
#include "DefaultMQPullConsumer.h"
#include "DefaultMQPushConsumer.h"
#include "MQClientException.h"
#include "MQMessageListener.h"
#include "MQSelector.h"
#include "MQueueListener.h"
#include "SessionCredentials.h"
#include "TransactionListener.h"
#include "TransactionMQProducer.h"
#include "check.h"

using namespace rocketmq;

#define SIZE_ALIGN(T, size, align)                  \
  static_assert(sizeof(T) == size, "sizeof " #T);   \
  static_assert(alignof(T) == align, "alignof " #T)

SIZE_ALIGN(DefaultMQProducer, 16, 8);
SIZE_ALIGN(TransactionMQProducer, 16, 8);
SIZE_ALIGN(DefaultMQPushConsumer, 16, 8);
SIZE_ALIGN(DefaultMQPullConsumer, 16, 8);
SIZE_ALIGN(MQMessage, 168, 8);
SIZE_ALIGN(MQMessageExt, 320, 8);
SIZE_ALIGN(MQMessageQueue, 72, 8);
SIZE_ALIGN(SendResult, 224, 8);
SIZE_ALIGN(TransactionSendResult, 232, 8);
SIZE_ALIGN(PullResult, 64, 8);
SIZE_ALIGN(SessionCredentials, 160, 8);
SIZE_ALIGN(Arg_helper, 24, 8);
SIZE_ALIGN(MQException, 112, 8);
SIZE_ALIGN(MQClientException, 112, 8);
SIZE_ALIGN(MQBrokerException, 112, 8);
SIZE_ALIGN(InterruptedException, 112, 8);
SIZE_ALIGN(RemotingException, 112, 8);
SIZE_ALIGN(UnknownHostException, 112, 8);
SIZE_ALIGN(AsyncCallback, 1, 1);
SIZE_ALIGN(SendCallback, 8, 8);
SIZE_ALIGN(AutoDeleteSendCallBack, 8, 8);
SIZE_ALIGN(PullCallback, 8, 8);
SIZE_ALIGN(MQMessageListener, 8, 8);
SIZE_ALIGN(MessageListenerOrderly, 8, 8);
SIZE_ALIGN(MessageListenerConcurrently, 8, 8);
SIZE_ALIGN(MessageQueueSelector, 8, 8);
SIZE_ALIGN(MQueueListener, 8, 8);
SIZE_ALIGN(TransactionListener, 8, 8);

static_assert(sizeof(int64) == 8 && sizeof(ConsumeStatus) == 4 && sizeof(SendStatus) == 4, "enum and int64 sizes");
static_assert(CONSUME_FROM_TIMESTAMP == 5 && CLUSTERING == 1 && eLOG_LEVEL_LEVEL_NUM == 7, "enum values");
static_assert(BROKER_TIMEOUT == 4 && SEND_SLAVE_NOT_AVAILABLE == 3 && UNKNOWN == 2, "enum values");
static_assert(messageListenerConcurrently == 2 && autoDeleteSendCallback == 1, "enum values");

namespace {

template <class T>
const char* at(const T& object, size_t offset) {
  return reinterpret_cast<const char*>(&object) + offset;
}

template <class T>
const std::string& string_at(const T& object, size_t offset) {
  return *reinterpret_cast<const std::string*>(at(object, offset));
}

template <class V, class T>
V value_at(const T& object, size_t offset) {
  V v;
  memcpy(&v, at(object, offset), sizeof v);
  return v;
}

// The vtable offset of a virtual member function (Itanium ABI: the pointer-to-member holds
// 1 + the offset), or -1 for a non-virtual one.
template <class F>
long vtable_offset(F f) {
  struct {
    long ptr;
    long adj;
  } raw;
  static_assert(sizeof f == sizeof raw, "pointer to member function");
  memcpy(&raw, &f, sizeof raw);
  return (raw.ptr & 1) ? raw.ptr - 1 : -1;
}

// Slot i of the object's vtable is the library's function `symbol`.
template <class T>
void check_slot(const T& object, int slot, const char* symbol) {
  void* const* vtable = *reinterpret_cast<void* const* const*>(&object);
  void* function = dlsym(RTLD_DEFAULT, symbol);
  CHECK(function != NULL, std::string("not exported: ") + symbol);
  CHECK(vtable[slot] == function, std::string("vtable slot ") + std::to_string(slot) + " is not " + symbol);
}

void message_members() {
  MQMessage m;
  m.setSysFlag(0x1234);
  m.setTopic("the-topic");
  m.setFlag(77);
  m.setBody("the-body");
  m.setTransactionId("the-tx");
  m.setProperty("k", "v");
  CHECK_EQ(value_at<int>(m, 8), 0x1234, "MQMessage::m_sysFlag @8");
  CHECK_EQ(string_at(m, 16), "the-topic", "MQMessage::m_topic @16");
  CHECK_EQ(value_at<int>(m, 48), 77, "MQMessage::m_flag @48");
  CHECK_EQ(string_at(m, 56), "the-body", "MQMessage::m_body @56");
  CHECK_EQ(string_at(m, 88), "the-tx", "MQMessage::m_transactionId @88");
  const std::map<std::string, std::string>& properties = *reinterpret_cast<const std::map<std::string, std::string>*>(at(m, 120));
  CHECK(properties.count("k") == 1 && properties.count("WAIT") == 1, "MQMessage::m_properties @120");

  MQMessageExt e;
  e.setQueueOffset(1001);
  e.setCommitLogOffset(1002);
  e.setBornTimestamp(1003);
  e.setStoreTimestamp(1004);
  e.setPreparedTransactionOffset(1005);
  e.setQueueId(11);
  e.setStoreSize(12);
  e.setBodyCRC(13);
  e.setReconsumeTimes(14);
  sockaddr born, store;
  memset(&born, 1, sizeof born);
  memset(&store, 2, sizeof store);
  e.setBornHost(born);
  e.setStoreHost(store);
  e.setMsgId("msg-id");
  e.setOffsetMsgId("offset-id");
  CHECK_EQ(value_at<long long>(e, 168), 1001, "MQMessageExt::m_queueOffset @168");
  CHECK_EQ(value_at<long long>(e, 176), 1002, "MQMessageExt::m_commitLogOffset @176");
  CHECK_EQ(value_at<long long>(e, 184), 1003, "MQMessageExt::m_bornTimestamp @184");
  CHECK_EQ(value_at<long long>(e, 192), 1004, "MQMessageExt::m_storeTimestamp @192");
  CHECK_EQ(value_at<long long>(e, 200), 1005, "MQMessageExt::m_preparedTransactionOffset @200");
  CHECK_EQ(value_at<int>(e, 208), 11, "MQMessageExt::m_queueId @208");
  CHECK_EQ(value_at<int>(e, 212), 12, "MQMessageExt::m_storeSize @212");
  CHECK_EQ(value_at<int>(e, 216), 13, "MQMessageExt::m_bodyCRC @216");
  CHECK_EQ(value_at<int>(e, 220), 14, "MQMessageExt::m_reconsumeTimes @220");
  CHECK(memcmp(at(e, 224), &born, sizeof born) == 0, "MQMessageExt::m_bornHost @224");
  CHECK(memcmp(at(e, 240), &store, sizeof store) == 0, "MQMessageExt::m_storeHost @240");
  CHECK_EQ(string_at(e, 256), "msg-id", "MQMessageExt::m_msgId @256");
  CHECK_EQ(string_at(e, 288), "offset-id", "MQMessageExt::m_offsetMsgId @288");
}

void result_members() {
  MQMessageQueue mq("t", "broker", 5);
  CHECK_EQ(string_at(mq, 0), "t", "MQMessageQueue::m_topic @0");
  CHECK_EQ(string_at(mq, 32), "broker", "MQMessageQueue::m_brokerName @32");
  CHECK_EQ(value_at<int>(mq, 64), 5, "MQMessageQueue::m_queueId @64");

  TransactionSendResult r(SEND_FLUSH_SLAVE_TIMEOUT, "msg", "offset", mq, 99);
  r.setTransactionId("tx");
  r.setRegionId("region");
  r.setLocalTransactionState(ROLLBACK_MESSAGE);
  CHECK_EQ(value_at<int>(r, 8), 2, "SendResult::m_sendStatus @8");
  CHECK_EQ(string_at(r, 16), "msg", "SendResult::m_msgId @16");
  CHECK_EQ(string_at(r, 48), "offset", "SendResult::m_offsetMsgId @48");
  CHECK_EQ(string_at(r, 80 + 32), "broker", "SendResult::m_messageQueue @80");
  CHECK_EQ(value_at<long long>(r, 152), 99, "SendResult::m_queueOffset @152");
  CHECK_EQ(string_at(r, 160), "tx", "SendResult::m_transactionId @160");
  CHECK_EQ(string_at(r, 192), "region", "SendResult::m_regionId @192");
  CHECK_EQ(value_at<int>(r, 224), 1, "TransactionSendResult::m_localTransactionState @224");

  PullResult p(OFFSET_ILLEGAL, 1, 2, 3, std::vector<MQMessageExt>(2));
  CHECK_EQ(at(p, 0) + 8, reinterpret_cast<const char*>(&p.pullStatus), "PullResult::pullStatus @8");
  CHECK_EQ(value_at<long long>(p, 16), 1, "PullResult::nextBeginOffset @16");
  CHECK_EQ(value_at<long long>(p, 24), 2, "PullResult::minOffset @24");
  CHECK_EQ(value_at<long long>(p, 32), 3, "PullResult::maxOffset @32");
  CHECK_EQ(reinterpret_cast<const std::vector<MQMessageExt>*>(at(p, 40))->size(), 2u, "PullResult::msgFoundList @40");
}

void other_members() {
  SessionCredentials c("ak", "sk", "channel");
  c.setSignature("sig");
  c.setSignatureMethod("method");
  CHECK_EQ(string_at(c, 0), "ak", "SessionCredentials::accessKey @0");
  CHECK_EQ(string_at(c, 32), "sk", "SessionCredentials::secretKey @32");
  CHECK_EQ(string_at(c, 64), "sig", "SessionCredentials::signature @64");
  CHECK_EQ(string_at(c, 96), "method", "SessionCredentials::signatureMethod @96");
  CHECK_EQ(string_at(c, 128), "channel", "SessionCredentials::authChannel @128");

  MQClientException e("text", 3, "file.cpp", 9);
  CHECK_EQ(value_at<int>(e, 8), 3, "MQException::m_error @8");
  CHECK_EQ(value_at<int>(e, 12), 9, "MQException::m_line @12");
  CHECK_EQ(string_at(e, 16), "msg: text,error:3,in file <file.cpp> line:9", "MQException::m_msg @16");
  CHECK_EQ(string_at(e, 48), "file.cpp", "MQException::m_file @48");
  CHECK_EQ(string_at(e, 80), "MQClientException", "MQException::m_type @80");

  Arg_helper args("a b c");
  CHECK_EQ(reinterpret_cast<const std::vector<std::string>*>(at(args, 0))->size(), 3u, "Arg_helper::m_args @0");
}

typedef SendResult (DefaultMQProducer::*SyncSend)(MQMessage&, bool);
typedef SendResult (DefaultMQProducer::*SyncSendToQueue)(MQMessage&, const MQMessageQueue&);
typedef SendResult (DefaultMQProducer::*SyncSendSelector)(MQMessage&, MessageQueueSelector*, void*);
typedef SendResult (DefaultMQProducer::*SyncSendSelectorRetry)(MQMessage&, MessageQueueSelector*, void*, int, bool);
typedef SendResult (DefaultMQProducer::*BatchSend)(std::vector<MQMessage>&);
typedef SendResult (DefaultMQProducer::*BatchSendToQueue)(std::vector<MQMessage>&, const MQMessageQueue&);
typedef void (DefaultMQProducer::*AsyncSend)(MQMessage&, SendCallback*, bool);
typedef void (DefaultMQProducer::*AsyncSendToQueue)(MQMessage&, const MQMessageQueue&, SendCallback*);
typedef void (DefaultMQProducer::*AsyncSendSelector)(MQMessage&, MessageQueueSelector*, void*, SendCallback*);
typedef void (DefaultMQProducer::*Oneway)(MQMessage&, bool);
typedef void (DefaultMQProducer::*OnewayToQueue)(MQMessage&, const MQMessageQueue&);
typedef void (DefaultMQProducer::*OnewaySelector)(MQMessage&, MessageQueueSelector*, void*);
typedef PullResult (DefaultMQPullConsumer::*SyncPull)(const MQMessageQueue&, const std::string&, int64, int);
typedef void (DefaultMQPullConsumer::*AsyncPull)(const MQMessageQueue&, const std::string&, int64, int, PullCallback*);

void virtual_order_in_headers() {
  CHECK_EQ(vtable_offset(&DefaultMQProducer::start), 16, "DefaultMQProducer::start");
  CHECK_EQ(vtable_offset(&DefaultMQProducer::shutdown), 24, "DefaultMQProducer::shutdown");
  CHECK_EQ(vtable_offset(&DefaultMQProducer::version), 32, "DefaultMQProducer::version");
  CHECK_EQ(vtable_offset(static_cast<SyncSend>(&DefaultMQProducer::send)), 40, "send(msg, bool)");
  CHECK_EQ(vtable_offset(static_cast<SyncSendToQueue>(&DefaultMQProducer::send)), 48, "send(msg, mq)");
  CHECK_EQ(vtable_offset(static_cast<SyncSendSelector>(&DefaultMQProducer::send)), 56, "send(msg, selector, arg)");
  CHECK_EQ(vtable_offset(static_cast<SyncSendSelectorRetry>(&DefaultMQProducer::send)), 64, "send(msg, selector, arg, retries, bool)");
  CHECK_EQ(vtable_offset(static_cast<BatchSend>(&DefaultMQProducer::send)), 72, "send(msgs)");
  CHECK_EQ(vtable_offset(static_cast<BatchSendToQueue>(&DefaultMQProducer::send)), 80, "send(msgs, mq)");
  CHECK_EQ(vtable_offset(static_cast<AsyncSend>(&DefaultMQProducer::send)), 88, "send(msg, callback, bool)");
  CHECK_EQ(vtable_offset(static_cast<AsyncSendToQueue>(&DefaultMQProducer::send)), 96, "send(msg, mq, callback)");
  CHECK_EQ(vtable_offset(static_cast<AsyncSendSelector>(&DefaultMQProducer::send)), 104, "send(msg, selector, arg, callback)");
  CHECK_EQ(vtable_offset(static_cast<Oneway>(&DefaultMQProducer::sendOneway)), 112, "sendOneway(msg, bool)");
  CHECK_EQ(vtable_offset(static_cast<OnewayToQueue>(&DefaultMQProducer::sendOneway)), 120, "sendOneway(msg, mq)");
  CHECK_EQ(vtable_offset(static_cast<OnewaySelector>(&DefaultMQProducer::sendOneway)), 128, "sendOneway(msg, selector, arg)");
  CHECK_EQ(vtable_offset(&DefaultMQProducer::setNamesrvAddr), -1, "DefaultMQProducer::setNamesrvAddr is not virtual");

  CHECK_EQ(vtable_offset(&DefaultMQPullConsumer::start), 16, "DefaultMQPullConsumer::start");
  CHECK_EQ(vtable_offset(&DefaultMQPullConsumer::shutdown), 24, "DefaultMQPullConsumer::shutdown");
  CHECK_EQ(vtable_offset(&DefaultMQPullConsumer::version), 32, "DefaultMQPullConsumer::version");
  CHECK_EQ(vtable_offset(&DefaultMQPullConsumer::fetchSubscribeMessageQueues), 40, "fetchSubscribeMessageQueues");
  CHECK_EQ(vtable_offset(static_cast<SyncPull>(&DefaultMQPullConsumer::pull)), 48, "pull");
  CHECK_EQ(vtable_offset(static_cast<AsyncPull>(&DefaultMQPullConsumer::pull)), 56, "pull(callback)");
  CHECK_EQ(vtable_offset(static_cast<SyncPull>(&DefaultMQPullConsumer::pullBlockIfNotFound)), 64, "pullBlockIfNotFound");
  CHECK_EQ(vtable_offset(static_cast<AsyncPull>(&DefaultMQPullConsumer::pullBlockIfNotFound)), 72, "pullBlockIfNotFound(callback)");

  CHECK_EQ(vtable_offset(&DefaultMQPushConsumer::start), 16, "DefaultMQPushConsumer::start");
  CHECK_EQ(vtable_offset(&DefaultMQPushConsumer::shutdown), 24, "DefaultMQPushConsumer::shutdown");
  CHECK_EQ(vtable_offset(&DefaultMQPushConsumer::version), 32, "DefaultMQPushConsumer::version");
  CHECK_EQ(vtable_offset(&TransactionMQProducer::start), -1, "TransactionMQProducer::start is not virtual");

  CHECK_EQ(vtable_offset(&MQException::what), 16, "MQException::what");
  CHECK_EQ(vtable_offset(&MQException::GetType), 24, "MQException::GetType");
  CHECK_EQ(vtable_offset(&SendCallback::onSuccess), 16, "SendCallback::onSuccess");
  CHECK_EQ(vtable_offset(&SendCallback::onException), 24, "SendCallback::onException");
  CHECK_EQ(vtable_offset(&SendCallback::getSendCallbackType), 32, "SendCallback::getSendCallbackType");
  CHECK_EQ(vtable_offset(&AutoDeleteSendCallBack::getSendCallbackType), 32, "AutoDeleteSendCallBack::getSendCallbackType");
  CHECK_EQ(vtable_offset(&PullCallback::onSuccess), 16, "PullCallback::onSuccess");
  CHECK_EQ(vtable_offset(&PullCallback::onException), 24, "PullCallback::onException");
  CHECK_EQ(vtable_offset(&MQMessageListener::consumeMessage), 16, "MQMessageListener::consumeMessage");
  CHECK_EQ(vtable_offset(&MQMessageListener::getMessageListenerType), 24, "MQMessageListener::getMessageListenerType");
  CHECK_EQ(vtable_offset(&MessageListenerOrderly::getMessageListenerType), 24, "MessageListenerOrderly::getMessageListenerType");
  CHECK_EQ(vtable_offset(&MessageListenerConcurrently::consumeMessage), 16, "MessageListenerConcurrently::consumeMessage");
  CHECK_EQ(vtable_offset(&MessageQueueSelector::select), 16, "MessageQueueSelector::select");
  CHECK_EQ(vtable_offset(&MQueueListener::messageQueueChanged), 16, "MQueueListener::messageQueueChanged");
  CHECK_EQ(vtable_offset(&TransactionListener::executeLocalTransaction), 16, "TransactionListener::executeLocalTransaction");
  CHECK_EQ(vtable_offset(&TransactionListener::checkLocalTransaction), 24, "TransactionListener::checkLocalTransaction");
}

void virtual_order_in_library() {
  DefaultMQProducer producer("layout_probe");
  const char* producer_slots[] = {
      "_ZN8rocketmq17DefaultMQProducerD1Ev",
      "_ZN8rocketmq17DefaultMQProducerD0Ev",
      "_ZN8rocketmq17DefaultMQProducer5startEv",
      "_ZN8rocketmq17DefaultMQProducer8shutdownEv",
      "_ZN8rocketmq17DefaultMQProducer7versionB5cxx11Ev",
      "_ZN8rocketmq17DefaultMQProducer4sendERNS_9MQMessageEb",
      "_ZN8rocketmq17DefaultMQProducer4sendERNS_9MQMessageERKNS_14MQMessageQueueE",
      "_ZN8rocketmq17DefaultMQProducer4sendERNS_9MQMessageEPNS_20MessageQueueSelectorEPv",
      "_ZN8rocketmq17DefaultMQProducer4sendERNS_9MQMessageEPNS_20MessageQueueSelectorEPvib",
      "_ZN8rocketmq17DefaultMQProducer4sendERSt6vectorINS_9MQMessageESaIS2_EE",
      "_ZN8rocketmq17DefaultMQProducer4sendERSt6vectorINS_9MQMessageESaIS2_EERKNS_14MQMessageQueueE",
      "_ZN8rocketmq17DefaultMQProducer4sendERNS_9MQMessageEPNS_12SendCallbackEb",
      "_ZN8rocketmq17DefaultMQProducer4sendERNS_9MQMessageERKNS_14MQMessageQueueEPNS_12SendCallbackE",
      "_ZN8rocketmq17DefaultMQProducer4sendERNS_9MQMessageEPNS_20MessageQueueSelectorEPvPNS_12SendCallbackE",
      "_ZN8rocketmq17DefaultMQProducer10sendOnewayERNS_9MQMessageEb",
      "_ZN8rocketmq17DefaultMQProducer10sendOnewayERNS_9MQMessageERKNS_14MQMessageQueueE",
      "_ZN8rocketmq17DefaultMQProducer10sendOnewayERNS_9MQMessageEPNS_20MessageQueueSelectorEPv",
  };
  for (int i = 0; i < 17; ++i) check_slot(producer, i, producer_slots[i]);

  DefaultMQPullConsumer pull("layout_probe");
  const char* pull_slots[] = {
      "_ZN8rocketmq21DefaultMQPullConsumerD1Ev",
      "_ZN8rocketmq21DefaultMQPullConsumerD0Ev",
      "_ZN8rocketmq21DefaultMQPullConsumer5startEv",
      "_ZN8rocketmq21DefaultMQPullConsumer8shutdownEv",
      "_ZN8rocketmq21DefaultMQPullConsumer7versionB5cxx11Ev",
      "_ZN8rocketmq21DefaultMQPullConsumer27fetchSubscribeMessageQueuesERKNSt7__cxx1112basic_stringIcSt11char_"
      "traitsIcESaIcEEERSt6vectorINS_14MQMessageQueueESaISA_EE",
      "_ZN8rocketmq21DefaultMQPullConsumer4pullERKNS_14MQMessageQueueERKNSt7__cxx1112basic_stringIcSt11char_"
      "traitsIcESaIcEEExi",
      "_ZN8rocketmq21DefaultMQPullConsumer4pullERKNS_14MQMessageQueueERKNSt7__cxx1112basic_stringIcSt11char_"
      "traitsIcESaIcEEExiPNS_12PullCallbackE",
      "_ZN8rocketmq21DefaultMQPullConsumer19pullBlockIfNotFoundERKNS_14MQMessageQueueERKNSt7__cxx1112basic_"
      "stringIcSt11char_traitsIcESaIcEEExi",
      "_ZN8rocketmq21DefaultMQPullConsumer19pullBlockIfNotFoundERKNS_14MQMessageQueueERKNSt7__cxx1112basic_"
      "stringIcSt11char_traitsIcESaIcEEExiPNS_12PullCallbackE",
  };
  for (int i = 0; i < 10; ++i) check_slot(pull, i, pull_slots[i]);

  DefaultMQPushConsumer push("layout_probe");
  const char* push_slots[] = {
      "_ZN8rocketmq21DefaultMQPushConsumerD1Ev", "_ZN8rocketmq21DefaultMQPushConsumerD0Ev",
      "_ZN8rocketmq21DefaultMQPushConsumer5startEv", "_ZN8rocketmq21DefaultMQPushConsumer8shutdownEv",
      "_ZN8rocketmq21DefaultMQPushConsumer7versionB5cxx11Ev"};
  for (int i = 0; i < 5; ++i) check_slot(push, i, push_slots[i]);

  TransactionMQProducer tx("layout_probe");
  check_slot(tx, 0, "_ZN8rocketmq21TransactionMQProducerD1Ev");
  check_slot(tx, 1, "_ZN8rocketmq21TransactionMQProducerD0Ev");

  MQMessageExt ext;
  check_slot(ext, 0, "_ZN8rocketmq12MQMessageExtD1Ev");
  check_slot(ext, 1, "_ZN8rocketmq12MQMessageExtD0Ev");
  MQMessage msg;
  check_slot(msg, 0, "_ZN8rocketmq9MQMessageD1Ev");
  SendResult sent;
  check_slot(sent, 1, "_ZN8rocketmq10SendResultD0Ev");
  PullResult pulled;
  check_slot(pulled, 0, "_ZN8rocketmq10PullResultD1Ev");
}

}  // namespace

int main() {
  message_members();
  result_members();
  other_members();
  virtual_order_in_headers();
  virtual_order_in_library();
  return check_done();
}
