// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: TransactionMQProducer over a CProducer from CreateTransactionProducer
// (SendMessageTransactionEx; the broker's checks come back through the checker callback).
#include "TransactionMQProducer.h"

#include <algorithm>

#include "client_ops.h"
#include "glue.h"

namespace rocketmq {

class TransactionMQProducerImpl {
 public:
  explicit TransactionMQProducerImpl(const std::string& group)
      : client(CreateTransactionProducer(group.c_str(), check_transaction, this), rmqcpp::producer_ops(), group),
        sendMsgTimeout(3000),
        compressMsgBodyOverHowmuch(4096),
        compressLevel(5),
        maxMessageSize(1024 * 128) {}
  // Shut down before the listener goes: no check runs after DestroyProducer returns.
  ~TransactionMQProducerImpl() { DestroyProducer(client.handle); }

  rmqcpp::Client<CProducer> client;
  std::shared_ptr<TransactionListener> listener;
  int sendMsgTimeout;
  int compressMsgBodyOverHowmuch;
  int compressLevel;
  int maxMessageSize;

 private:
  // The broker asks about a transaction: on the library's check thread.
  static CTransactionStatus check_transaction(CProducer*, CMessageExt* msg, void* self) {
    try {
      std::shared_ptr<TransactionListener> listener = static_cast<TransactionMQProducerImpl*>(self)->listener;
      if (!listener) return E_UNKNOWN_TRANSACTION;
      MQMessageExt message;
      rmqcpp::read_message(msg, message);
      return static_cast<CTransactionStatus>(listener->checkLocalTransaction(message));
    } catch (...) {
      return E_UNKNOWN_TRANSACTION;
    }
  }
};

namespace {

// One sendMessageInTransaction: the program's message and argument, and what its local
// transaction answered (rollback when the half message was not stored and it never ran).
struct LocalTransaction {
  TransactionListener* listener;
  MQMessage* msg;
  void* arg;
  LocalTransactionState state;
};

// Runs on the sending thread once the half message is stored; the program's message first
// gets what the send set on it (UNIQ_KEY, TRAN_MSG, PGROUP), as in 2.2.0.
CTransactionStatus execute_local_transaction(CProducer*, CMessage* sent, void* data) {
  LocalTransaction* tx = static_cast<LocalTransaction*>(data);
  try {
    const std::string* keys[] = {&MQMessage::PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, &MQMessage::PROPERTY_TRANSACTION_PREPARED,
                                 &MQMessage::PROPERTY_PRODUCER_GROUP};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; ++i) {
      const char* value = GetOriginMessageProperty(sent, keys[i]->c_str());
      if (value != NULL && *value != '\0') tx->msg->setProperty(*keys[i], value);
    }
    tx->msg->setTransactionId(tx->msg->getProperty(MQMessage::PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX));
    tx->state = tx->listener->executeLocalTransaction(*tx->msg, tx->arg);
  } catch (...) {
    tx->state = UNKNOWN;
  }
  return static_cast<CTransactionStatus>(tx->state);
}

}  // namespace

TransactionMQProducer::TransactionMQProducer(const std::string& producerGroup)
    : impl(new TransactionMQProducerImpl(producerGroup.empty() ? "DEFAULT_PRODUCER" : producerGroup)) {}

TransactionMQProducer::~TransactionMQProducer() { delete impl; }

void TransactionMQProducer::start() { impl->client.start(false, StartProducer); }

void TransactionMQProducer::shutdown() { impl->client.shutdown(ShutdownProducer); }

std::string TransactionMQProducer::version() { return rmqcpp::version_text(); }

std::shared_ptr<TransactionListener> TransactionMQProducer::getTransactionListener() { return impl->listener; }

void TransactionMQProducer::setTransactionListener(TransactionListener* listener) { impl->listener.reset(listener); }

// 2.2.0 sends the half message with its plain send (the message checked, the namespace on
// its topic) and rethrows what that threw as an MQClientException whose text is the inner
// what() ("msg: msg: ...").
TransactionSendResult TransactionMQProducer::sendMessageInTransaction(MQMessage& msg, void* arg) {
  std::shared_ptr<TransactionListener> listener = impl->listener;
  if (!listener) rmqcpp::throw_client_error("transactionListener is null");
  LocalTransaction tx = {listener.get(), &msg, arg, ROLLBACK_MESSAGE};
  CSendResultEx result;
  try {
    rmqcpp::check_message(msg, impl->maxMessageSize);
    rmqcpp::add_namespace(msg, impl->client.settings.nameSpace);
    rmqcpp::CMessageHandle c(msg);
    int status = SendMessageTransactionEx(impl->client.handle, c.get(), execute_local_transaction, &tx, &result);
    c.copy_back(msg);
    rmqcpp::check_send(status);
  } catch (MQException& e) {
    rmqcpp::throw_client_error(e.what());
  }
  SendResult sent = rmqcpp::send_result_of(result);
  TransactionSendResult out(sent.getSendStatus(), sent.getMsgId(), sent.getOffsetMsgId(), sent.getMessageQueue(),
                            sent.getQueueOffset());
  out.setTransactionId(msg.getTransactionId());
  out.setLocalTransactionState(tx.state);
  return out;
}

// 2.2.0 asks the listener about the message and sends its answer to the broker at addr, as if
// that broker had checked (its own thread pool did both after this returned; here they run on
// the caller's thread before it returns). A failure to reach the broker is not thrown, as
// 2.2.0's pool thread could not throw to the caller either.
void TransactionMQProducer::checkTransactionState(const std::string& addr,
                                                  const MQMessageExt& message,
                                                  long tranStateTableOffset,
                                                  long commitLogOffset,
                                                  const std::string&,  // msgId: unused by 2.2.0 too
                                                  const std::string& transactionId,
                                                  const std::string&) {
  std::shared_ptr<TransactionListener> listener = impl->listener;
  if (!listener) rmqcpp::throw_client_error("checkTransactionState, transactionListener null");
  LocalTransactionState state = UNKNOWN;
  try {
    state = listener->checkLocalTransaction(message);
  } catch (MQException&) {
    // 2.2.0: logged, the answer stays unknown
  }
  const std::string& uniqueKey = transactionId.empty() ? message.getMsgId() : transactionId;
  AnswerTransactionCheck(impl->client.handle, addr.c_str(), tranStateTableOffset, commitLogOffset, uniqueKey.c_str(),
                         transactionId.c_str(), static_cast<CTransactionStatus>(state));
}

RMQCPP_FORWARD_NAMES(TransactionMQProducer)
RMQCPP_FORWARD_TRACE(TransactionMQProducer)
RMQCPP_FORWARD_TRANSPORT(TransactionMQProducer)

int TransactionMQProducer::getSendMsgTimeout() const { return impl->sendMsgTimeout; }

void TransactionMQProducer::setSendMsgTimeout(int sendMsgTimeout) {
  impl->sendMsgTimeout = sendMsgTimeout;
  SetProducerSendMsgTimeout(impl->client.handle, sendMsgTimeout);
}

int TransactionMQProducer::getCompressMsgBodyOverHowmuch() const { return impl->compressMsgBodyOverHowmuch; }

void TransactionMQProducer::setCompressMsgBodyOverHowmuch(int howmuch) {
  impl->compressMsgBodyOverHowmuch = howmuch;
  SetProducerCompressMsgBodyOverHowmuch(impl->client.handle, howmuch);
}

int TransactionMQProducer::getCompressLevel() const { return impl->compressLevel; }

void TransactionMQProducer::setCompressLevel(int compressLevel) {
  impl->compressLevel = compressLevel;
  SetProducerCompressLevel(impl->client.handle, compressLevel);
}

int TransactionMQProducer::getMaxMessageSize() const { return impl->maxMessageSize; }

void TransactionMQProducer::setMaxMessageSize(int maxMessageSize) {
  impl->maxMessageSize = maxMessageSize;
  SetProducerMaxMessageSize(impl->client.handle, maxMessageSize);
}

}  // namespace rocketmq
