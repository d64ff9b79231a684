// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: the value classes of the 2.2.0 C++ API (messages, queues, results,
// Arg_helper). Plain C++: they never call the C API, and programs reach their data members
// through inline header code, so the layouts are 2.2.0's.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <sstream>

#include "Arg_helper.h"
#include "MQMessage.h"
#include "MQMessageExt.h"
#include "MQMessageQueue.h"
#include "PullResult.h"
#include "SendResult.h"
#include "SessionCredentials.h"

namespace rocketmq {

// ---- property names

const std::string MQMessage::PROPERTY_KEYS = "KEYS";
const std::string MQMessage::PROPERTY_TAGS = "TAGS";
const std::string MQMessage::PROPERTY_WAIT_STORE_MSG_OK = "WAIT";
const std::string MQMessage::PROPERTY_DELAY_TIME_LEVEL = "DELAY";
const std::string MQMessage::PROPERTY_RETRY_TOPIC = "RETRY_TOPIC";
const std::string MQMessage::PROPERTY_REAL_TOPIC = "REAL_TOPIC";
const std::string MQMessage::PROPERTY_REAL_QUEUE_ID = "REAL_QID";
const std::string MQMessage::PROPERTY_TRANSACTION_PREPARED = "TRAN_MSG";
const std::string MQMessage::PROPERTY_PRODUCER_GROUP = "PGROUP";
const std::string MQMessage::PROPERTY_MIN_OFFSET = "MIN_OFFSET";
const std::string MQMessage::PROPERTY_MAX_OFFSET = "MAX_OFFSET";
const std::string MQMessage::PROPERTY_BUYER_ID = "BUYER_ID";
const std::string MQMessage::PROPERTY_ORIGIN_MESSAGE_ID = "ORIGIN_MESSAGE_ID";
const std::string MQMessage::PROPERTY_TRANSFER_FLAG = "TRANSFER_FLAG";
const std::string MQMessage::PROPERTY_CORRECTION_FLAG = "CORRECTION_FLAG";
const std::string MQMessage::PROPERTY_MQ2_FLAG = "MQ2_FLAG";
const std::string MQMessage::PROPERTY_RECONSUME_TIME = "RECONSUME_TIME";
const std::string MQMessage::PROPERTY_MSG_REGION = "MSG_REGION";
const std::string MQMessage::PROPERTY_TRACE_SWITCH = "TRACE_ON";
const std::string MQMessage::PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX = "UNIQ_KEY";
const std::string MQMessage::PROPERTY_MAX_RECONSUME_TIMES = "MAX_RECONSUME_TIMES";
const std::string MQMessage::PROPERTY_CONSUME_START_TIMESTAMP = "CONSUME_START_TIME";
const std::string MQMessage::PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET = "TRAN_PREPARED_QUEUE_OFFSET";
const std::string MQMessage::PROPERTY_TRANSACTION_CHECK_TIMES = "TRANSACTION_CHECK_TIMES";
const std::string MQMessage::PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS = "CHECK_IMMUNITY_TIME_IN_SECONDS";
const std::string MQMessage::KEY_SEPARATOR = " ";

const std::string SessionCredentials::AccessKey = "AccessKey";
const std::string SessionCredentials::SecretKey = "SecretKey";
const std::string SessionCredentials::Signature = "Signature";
const std::string SessionCredentials::SignatureMethod = "SignatureMethod";
const std::string SessionCredentials::ONSChannelKey = "OnsChannel";

namespace {
// sysFlag bits (the broker's MessageSysFlag).
const int kMultiTagsFlag = 0x2;
const int kTransactionPreparedFlag = 0x4;

const std::string& empty_text() {
  static const std::string empty;
  return empty;
}

std::string ipv4_text(const sockaddr& address) {
  const sockaddr_in* in = reinterpret_cast<const sockaddr_in*>(&address);
  char text[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
  return text;
}
}  // namespace

// ---- MQMessage

MQMessage::MQMessage() { Init("", "", "", 0, "", true); }

MQMessage::MQMessage(const std::string& topic, const std::string& body) { Init(topic, "", "", 0, body, true); }

MQMessage::MQMessage(const std::string& topic, const std::string& tags, const std::string& body) {
  Init(topic, tags, "", 0, body, true);
}

MQMessage::MQMessage(const std::string& topic,
                     const std::string& tags,
                     const std::string& keys,
                     const std::string& body) {
  Init(topic, tags, keys, 0, body, true);
}

MQMessage::MQMessage(const std::string& topic,
                     const std::string& tags,
                     const std::string& keys,
                     const int flag,
                     const std::string& body,
                     bool waitStoreMsgOK) {
  Init(topic, tags, keys, flag, body, waitStoreMsgOK);
}

MQMessage::~MQMessage() { m_properties.clear(); }

MQMessage::MQMessage(const MQMessage& other)
    : m_sysFlag(other.m_sysFlag),
      m_topic(other.m_topic),
      m_flag(other.m_flag),
      m_body(other.m_body),
      m_properties(other.m_properties) {}

MQMessage& MQMessage::operator=(const MQMessage& other) {
  if (this != &other) {
    m_sysFlag = other.m_sysFlag;
    m_topic = other.m_topic;
    m_flag = other.m_flag;
    m_body = other.m_body;
    m_properties = other.m_properties;
  }
  return *this;
}

void MQMessage::Init(const std::string& topic,
                     const std::string& tags,
                     const std::string& keys,
                     const int flag,
                     const std::string& body,
                     bool waitStoreMsgOK) {
  m_sysFlag = 0;
  m_topic = topic;
  m_flag = flag;
  m_body = body;
  if (!tags.empty()) setTags(tags);
  if (!keys.empty()) setKeys(keys);
  setWaitStoreMsgOK(waitStoreMsgOK);
}

void MQMessage::setProperty(const std::string& name, const std::string& value) {
  if (name == PROPERTY_TRANSACTION_PREPARED) {
    m_sysFlag = value == "true" ? (m_sysFlag | kTransactionPreparedFlag) : (m_sysFlag & ~kTransactionPreparedFlag);
  }
  m_properties[name] = value;
}

const std::string& MQMessage::getProperty(const std::string& name) const {
  std::map<std::string, std::string>::const_iterator it = m_properties.find(name);
  return it == m_properties.end() ? empty_text() : it->second;
}

void MQMessage::setPropertyInternal(const std::string& name, const std::string& value) { m_properties[name] = value; }

void MQMessage::setPropertiesInternal(std::map<std::string, std::string>& properties) { m_properties = properties; }

std::map<std::string, std::string> MQMessage::getProperties() const { return m_properties; }

void MQMessage::setProperties(std::map<std::string, std::string>& properties) {
  m_properties = properties;
  std::map<std::string, std::string>::const_iterator it = m_properties.find(PROPERTY_TRANSACTION_PREPARED);
  if (it != m_properties.end()) {
    m_sysFlag = it->second == "true" ? (m_sysFlag | kTransactionPreparedFlag) : (m_sysFlag & ~kTransactionPreparedFlag);
  }
}

const std::string& MQMessage::getTopic() const { return m_topic; }
void MQMessage::setTopic(const std::string& topic) { m_topic = topic; }
void MQMessage::setTopic(const char* body, int len) { m_topic.assign(body, len); }

const std::string& MQMessage::getTags() const { return getProperty(PROPERTY_TAGS); }
void MQMessage::setTags(const std::string& tags) { m_properties[PROPERTY_TAGS] = tags; }

const std::string& MQMessage::getKeys() const { return getProperty(PROPERTY_KEYS); }
void MQMessage::setKeys(const std::string& keys) { m_properties[PROPERTY_KEYS] = keys; }

void MQMessage::setKeys(const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  std::string joined;
  for (std::vector<std::string>::const_iterator it = keys.begin(); it != keys.end(); ++it) {
    if (it != keys.begin()) joined += KEY_SEPARATOR;
    joined += *it;
  }
  setKeys(joined);
}

int MQMessage::getDelayTimeLevel() const {
  const std::string& level = getProperty(PROPERTY_DELAY_TIME_LEVEL);
  return level.empty() ? 0 : atoi(level.c_str());
}

void MQMessage::setDelayTimeLevel(int level) {
  std::ostringstream text;
  text << level;
  m_properties[PROPERTY_DELAY_TIME_LEVEL] = text.str();
}

bool MQMessage::isWaitStoreMsgOK() const {
  std::map<std::string, std::string>::const_iterator it = m_properties.find(PROPERTY_WAIT_STORE_MSG_OK);
  return it == m_properties.end() || it->second == "true";
}

void MQMessage::setWaitStoreMsgOK(bool waitStoreMsgOK) {
  m_properties[PROPERTY_WAIT_STORE_MSG_OK] = waitStoreMsgOK ? "true" : "false";
}

int MQMessage::getFlag() const { return m_flag; }
void MQMessage::setFlag(int flag) { m_flag = flag; }
int MQMessage::getSysFlag() const { return m_sysFlag; }
void MQMessage::setSysFlag(int sysFlag) { m_sysFlag = sysFlag; }

const std::string& MQMessage::getBody() const { return m_body; }
void MQMessage::setBody(const char* body, int len) { m_body.assign(body, len); }
void MQMessage::setBody(const std::string& body) { m_body = body; }

// ---- MQMessageExt

MQMessageExt::MQMessageExt()
    : m_queueOffset(0),
      m_commitLogOffset(0),
      m_bornTimestamp(0),
      m_storeTimestamp(0),
      m_preparedTransactionOffset(0),
      m_queueId(0),
      m_storeSize(0),
      m_bodyCRC(0),
      m_reconsumeTimes(3) {
  memset(&m_bornHost, 0, sizeof m_bornHost);
  memset(&m_storeHost, 0, sizeof m_storeHost);
}

MQMessageExt::MQMessageExt(int queueId,
                           int64 bornTimestamp,
                           sockaddr bornHost,
                           int64 storeTimestamp,
                           sockaddr storeHost,
                           std::string msgId)
    : m_queueOffset(0),
      m_commitLogOffset(0),
      m_bornTimestamp(bornTimestamp),
      m_storeTimestamp(storeTimestamp),
      m_preparedTransactionOffset(0),
      m_queueId(queueId),
      m_storeSize(0),
      m_bodyCRC(0),
      m_reconsumeTimes(3),
      m_bornHost(bornHost),
      m_storeHost(storeHost),
      m_msgId(msgId) {}

MQMessageExt::~MQMessageExt() {}

int MQMessageExt::parseTopicFilterType(int sysFlag) { return (sysFlag & kMultiTagsFlag) == kMultiTagsFlag ? 1 : 0; }

int MQMessageExt::getQueueId() const { return m_queueId; }
void MQMessageExt::setQueueId(int queueId) { m_queueId = queueId; }
int64 MQMessageExt::getBornTimestamp() const { return m_bornTimestamp; }
void MQMessageExt::setBornTimestamp(int64 bornTimestamp) { m_bornTimestamp = bornTimestamp; }
sockaddr MQMessageExt::getBornHost() const { return m_bornHost; }
std::string MQMessageExt::getBornHostString() const { return ipv4_text(m_bornHost); }

std::string MQMessageExt::getBornHostNameString() const {
  char host[NI_MAXHOST] = "";
  if (getnameinfo(&m_bornHost, sizeof(sockaddr_in), host, sizeof host, NULL, 0, NI_NAMEREQD) == 0) return host;
  return getBornHostString();
}

void MQMessageExt::setBornHost(const sockaddr& bornHost) { m_bornHost = bornHost; }
int64 MQMessageExt::getStoreTimestamp() const { return m_storeTimestamp; }
void MQMessageExt::setStoreTimestamp(int64 storeTimestamp) { m_storeTimestamp = storeTimestamp; }
sockaddr MQMessageExt::getStoreHost() const { return m_storeHost; }
std::string MQMessageExt::getStoreHostString() const { return ipv4_text(m_storeHost); }
void MQMessageExt::setStoreHost(const sockaddr& storeHost) { m_storeHost = storeHost; }
const std::string& MQMessageExt::getMsgId() const { return m_msgId; }
void MQMessageExt::setMsgId(const std::string& msgId) { m_msgId = msgId; }
const std::string& MQMessageExt::getOffsetMsgId() const { return m_offsetMsgId; }
void MQMessageExt::setOffsetMsgId(const std::string& offsetMsgId) { m_offsetMsgId = offsetMsgId; }
int MQMessageExt::getBodyCRC() const { return m_bodyCRC; }
void MQMessageExt::setBodyCRC(int bodyCRC) { m_bodyCRC = bodyCRC; }
int64 MQMessageExt::getQueueOffset() const { return m_queueOffset; }
void MQMessageExt::setQueueOffset(int64 queueOffset) { m_queueOffset = queueOffset; }
int64 MQMessageExt::getCommitLogOffset() const { return m_commitLogOffset; }
void MQMessageExt::setCommitLogOffset(int64 physicOffset) { m_commitLogOffset = physicOffset; }
int MQMessageExt::getStoreSize() const { return m_storeSize; }
void MQMessageExt::setStoreSize(int storeSize) { m_storeSize = storeSize; }
int MQMessageExt::getReconsumeTimes() const { return m_reconsumeTimes; }
void MQMessageExt::setReconsumeTimes(int reconsumeTimes) { m_reconsumeTimes = reconsumeTimes; }
int64 MQMessageExt::getPreparedTransactionOffset() const { return m_preparedTransactionOffset; }
void MQMessageExt::setPreparedTransactionOffset(int64 offset) { m_preparedTransactionOffset = offset; }

// ---- MQMessageQueue

MQMessageQueue::MQMessageQueue() : m_queueId(-1) {}

MQMessageQueue::MQMessageQueue(const std::string& topic, const std::string& brokerName, int queueId)
    : m_topic(topic), m_brokerName(brokerName), m_queueId(queueId) {}

MQMessageQueue::MQMessageQueue(const MQMessageQueue& other)
    : m_topic(other.m_topic), m_brokerName(other.m_brokerName), m_queueId(other.m_queueId) {}

MQMessageQueue& MQMessageQueue::operator=(const MQMessageQueue& other) {
  if (this != &other) {
    m_topic = other.m_topic;
    m_brokerName = other.m_brokerName;
    m_queueId = other.m_queueId;
  }
  return *this;
}

std::string MQMessageQueue::getTopic() const { return m_topic; }
void MQMessageQueue::setTopic(const std::string& topic) { m_topic = topic; }
std::string MQMessageQueue::getBrokerName() const { return m_brokerName; }
void MQMessageQueue::setBrokerName(const std::string& brokerName) { m_brokerName = brokerName; }
int MQMessageQueue::getQueueId() const { return m_queueId; }
void MQMessageQueue::setQueueId(int queueId) { m_queueId = queueId; }

bool MQMessageQueue::operator==(const MQMessageQueue& mq) const {
  return m_brokerName == mq.m_brokerName && m_queueId == mq.m_queueId && m_topic == mq.m_topic;
}

bool MQMessageQueue::operator<(const MQMessageQueue& mq) const { return compareTo(mq) < 0; }

int MQMessageQueue::compareTo(const MQMessageQueue& mq) const {
  int by_topic = m_topic.compare(mq.m_topic);
  if (by_topic != 0) return by_topic;
  int by_broker = m_brokerName.compare(mq.m_brokerName);
  if (by_broker != 0) return by_broker;
  return m_queueId - mq.m_queueId;
}

// ---- SendResult

SendResult::SendResult() : m_sendStatus(SEND_OK), m_queueOffset(0) {}

SendResult::SendResult(const SendStatus& sendStatus,
                       const std::string& msgId,
                       const std::string& offsetMsgId,
                       const MQMessageQueue& messageQueue,
                       int64 queueOffset)
    : m_sendStatus(sendStatus),
      m_msgId(msgId),
      m_offsetMsgId(offsetMsgId),
      m_messageQueue(messageQueue),
      m_queueOffset(queueOffset) {}

SendResult::SendResult(const SendStatus& sendStatus,
                       const std::string& msgId,
                       const std::string& offsetMsgId,
                       const MQMessageQueue& messageQueue,
                       int64 queueOffset,
                       const std::string& regionId)
    : m_sendStatus(sendStatus),
      m_msgId(msgId),
      m_offsetMsgId(offsetMsgId),
      m_messageQueue(messageQueue),
      m_queueOffset(queueOffset),
      m_regionId(regionId) {}

SendResult::~SendResult() {}

SendResult::SendResult(const SendResult& other)
    : m_sendStatus(other.m_sendStatus),
      m_msgId(other.m_msgId),
      m_offsetMsgId(other.m_offsetMsgId),
      m_messageQueue(other.m_messageQueue),
      m_queueOffset(other.m_queueOffset),
      m_regionId(other.m_regionId) {}

SendResult& SendResult::operator=(const SendResult& other) {
  if (this != &other) {
    m_sendStatus = other.m_sendStatus;
    m_msgId = other.m_msgId;
    m_offsetMsgId = other.m_offsetMsgId;
    m_messageQueue = other.m_messageQueue;
    m_queueOffset = other.m_queueOffset;
    m_regionId = other.m_regionId;
  }
  return *this;
}

const std::string& SendResult::getMsgId() const { return m_msgId; }
const std::string& SendResult::getOffsetMsgId() const { return m_offsetMsgId; }
const std::string& SendResult::getRegionId() const { return m_regionId; }
void SendResult::setRegionId(const std::string& regionId) { m_regionId = regionId; }
SendStatus SendResult::getSendStatus() const { return m_sendStatus; }
MQMessageQueue SendResult::getMessageQueue() const { return m_messageQueue; }
int64 SendResult::getQueueOffset() const { return m_queueOffset; }

std::string SendResult::toString() const {
  std::stringstream text;
  text << "SendResult: sendStatus:" << m_sendStatus << ",msgId:" << m_msgId << ",offsetMsgId:" << m_offsetMsgId
       << ",queueOffset:" << m_queueOffset << ",transactionId:" << m_transactionId
       << ",messageQueue:" << m_messageQueue.toString();
  return text.str();
}

// ---- PullResult

PullResult::PullResult() : pullStatus(NO_MATCHED_MSG), nextBeginOffset(0), minOffset(0), maxOffset(0) {}

PullResult::PullResult(PullStatus status) : pullStatus(status), nextBeginOffset(0), minOffset(0), maxOffset(0) {}

PullResult::PullResult(PullStatus status, int64 nextBegin, int64 min, int64 max)
    : pullStatus(status), nextBeginOffset(nextBegin), minOffset(min), maxOffset(max) {}

PullResult::PullResult(PullStatus status, int64 nextBegin, int64 min, int64 max, const std::vector<MQMessageExt>& src)
    : pullStatus(status), nextBeginOffset(nextBegin), minOffset(min), maxOffset(max), msgFoundList(src) {}

PullResult::~PullResult() {}

// ---- Arg_helper

Arg_helper::Arg_helper(int argc, char* argv[]) {
  for (int i = 0; i < argc; ++i) m_args.push_back(argv[i]);
}

Arg_helper::Arg_helper(std::string arg_str_) {
  std::istringstream words(arg_str_);
  std::string word;
  while (words >> word) m_args.push_back(word);
}

std::string Arg_helper::get_option(int idx_) const {
  return idx_ >= 0 && static_cast<size_t>(idx_) < m_args.size() ? m_args[idx_] : std::string();
}

bool Arg_helper::is_enable_option(std::string opt_) const {
  for (size_t i = 0; i < m_args.size(); ++i) {
    if (m_args[i] == opt_) return true;
  }
  return false;
}

std::string Arg_helper::get_option_value(std::string opt_) const {
  for (size_t i = 0; i + 1 < m_args.size(); ++i) {
    if (m_args[i] == opt_) return m_args[i + 1];
  }
  return std::string();
}

}  // namespace rocketmq
