// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: conversions and errors shared by the C++ client classes.
#include "glue.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>


namespace rmqcpp {

std::string last_error() {
  const char* text = GetLatestErrorMessage();
  return text ? text : "";
}

void throw_client_error(const std::string& text, int code) { THROW_MQEXCEPTION(rocketmq::MQClientException, text, code); }

void throw_send_error(const std::string& text, int code) { THROW_MQEXCEPTION(rocketmq::MQException, text, code); }

void check_client(int status) {
  if (status != 0) throw_client_error(last_error());
}

void check_send(int status) {
  if (status != 0) throw_send_error(last_error());
}

namespace {

bool blank(const std::string& text) { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

}  // namespace

void check_message(const rocketmq::MQMessage& msg, int maxMessageSize) {
  const std::string& topic = msg.getTopic();
  if (blank(topic)) throw_send_error("the specified topic is blank");
  if (topic.size() > 255) throw_send_error("the specified topic is longer than topic max length 255.");
  if (topic == "TBW102") throw_send_error("the topic[TBW102] is conflict with default topic.");
  if (msg.getBody().empty()) throw_send_error("the message body is empty");
  if (msg.getBody().size() > static_cast<size_t>(maxMessageSize)) {
    std::ostringstream text;
    text << "the message body size over max value, MAX: " << maxMessageSize;
    throw_send_error(text.str());
  }
}

void add_namespace(rocketmq::MQMessage& msg, const std::string& ns) {
  if (!ns.empty() && !has_namespace(msg.getTopic(), ns)) msg.setTopic(with_namespace(msg.getTopic(), ns));
}

CMessageHandle::CMessageHandle(const rocketmq::MQMessage& msg) : handle_(CreateMessage(msg.getTopic().c_str())) {
  if (handle_ == NULL) throw_send_error(last_error());
  const std::string& body = msg.getBody();
  SetByteMessageBody(handle_, body.data(), static_cast<int>(body.size()));
  if (msg.getFlag() != 0) SetMessageFlag(handle_, msg.getFlag());
  const std::map<std::string, std::string> properties = msg.getProperties();
  for (std::map<std::string, std::string>::const_iterator it = properties.begin(); it != properties.end(); ++it) {
    // A C message starts with WAIT=true, as every MQMessage does: one C call less per send.
    if (it->first == rocketmq::MQMessage::PROPERTY_WAIT_STORE_MSG_OK && it->second == "true") continue;
    SetMessageProperty(handle_, it->first.c_str(), it->second.c_str());
  }
}

CMessageHandle::~CMessageHandle() { DestroyMessage(handle_); }

void CMessageHandle::copy_back(rocketmq::MQMessage& msg) const {
  const std::string& key = rocketmq::MQMessage::PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX;
  const char* id = GetOriginMessageProperty(handle_, key.c_str());
  if (id != NULL && *id != '\0') msg.setProperty(key, id);
}

namespace {

// "host:port" (IPv4) into a sockaddr_in; left zero when it does not parse.
sockaddr host_address(const char* text) {
  sockaddr address;
  memset(&address, 0, sizeof address);
  if (text == NULL) return address;
  std::string host(text);
  std::string::size_type colon = host.rfind(':');
  int port = 0;
  if (colon != std::string::npos) {
    port = atoi(host.c_str() + colon + 1);
    host.erase(colon);
  }
  sockaddr_in* in = reinterpret_cast<sockaddr_in*>(&address);
  if (inet_pton(AF_INET, host.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(port));
  }
  return address;
}

// "key\001value\002" pairs, as GetMessageExtFields gives them.
std::map<std::string, std::string> parse_properties(const char* text) {
  std::map<std::string, std::string> properties;
  if (text == NULL) return properties;
  const char* p = text;
  while (*p != '\0') {
    const char* key_end = strchr(p, '\001');
    if (key_end == NULL) break;
    const char* value_end = strchr(key_end + 1, '\002');
    if (value_end == NULL) value_end = key_end + 1 + strlen(key_end + 1);
    properties[std::string(p, key_end)] = std::string(key_end + 1, value_end);
    p = *value_end == '\0' ? value_end : value_end + 1;
  }
  return properties;
}

}  // namespace

void read_message(CMessageExt* handle, rocketmq::MQMessageExt& msg) {
  CMessageExtFields f;
  memset(&f, 0, sizeof f);
  GetMessageExtFields(handle, &f);
  msg.setTopic(f.topic ? f.topic : "");
  msg.setBody(f.body ? f.body : "", f.bodyLength);
  std::map<std::string, std::string> properties = parse_properties(f.properties);
  msg.setProperties(properties);
  msg.setFlag(f.flag);
  msg.setSysFlag(f.sysFlag);
  msg.setMsgId(f.msgId ? f.msgId : "");
  msg.setOffsetMsgId(f.offsetMsgId ? f.offsetMsgId : "");
  msg.setBornHost(host_address(f.bornHost));
  msg.setStoreHost(host_address(f.storeHost));
  msg.setQueueId(f.queueId);
  msg.setStoreSize(f.storeSize);
  msg.setReconsumeTimes(f.reconsumeTimes);
  msg.setBodyCRC(f.bodyCRC);
  msg.setQueueOffset(f.queueOffset);
  msg.setCommitLogOffset(f.commitLogOffset);
  msg.setBornTimestamp(f.bornTimestamp);
  msg.setStoreTimestamp(f.storeTimestamp);
  msg.setPreparedTransactionOffset(f.preparedTransactionOffset);
}

rocketmq::SendResult send_result_of(const CSendResultEx& r) {
  rocketmq::MQMessageQueue mq(r.topic, r.brokerName, r.queueId);
  rocketmq::SendResult result(static_cast<rocketmq::SendStatus>(r.sendStatus), r.msgId, r.offsetMsgId, mq, r.offset);
  result.setTransactionId(r.transactionId);
  return result;
}

CMessageQueue c_queue_of(const rocketmq::MQMessageQueue& mq) {
  CMessageQueue q;
  memset(&q, 0, sizeof q);
  strncpy(q.topic, mq.getTopic().c_str(), sizeof q.topic - 1);
  strncpy(q.brokerName, mq.getBrokerName().c_str(), sizeof q.brokerName - 1);
  q.queueId = mq.getQueueId();
  return q;
}

rocketmq::MQMessageQueue queue_of(const CMessageQueue& q) { return rocketmq::MQMessageQueue(q.topic, q.brokerName, q.queueId); }

std::vector<rocketmq::MQMessageQueue> take_queues(CMessageQueue* queues, int size, int (*release)(CMessageQueue*)) {
  std::vector<rocketmq::MQMessageQueue> out;
  for (int i = 0; i < size; ++i) out.push_back(queue_of(queues[i]));
  if (queues != NULL) release(queues);
  return out;
}

ClientSettings::ClientSettings(const std::string& group)
    : groupName(group),
      instanceName("DEFAULT"),
      logLevel(rocketmq::eLOG_LEVEL_INFO),
      messageTrace(false),
      enableSsl(false),
      tcpTransportPullThreadNum(static_cast<int>(std::thread::hardware_concurrency())),
      tcpTransportConnectTimeout(3000),
      tcpTransportTryLockTimeoutSeconds(3) {
  const char* namesrv = getenv("NAMESRV_ADDR");
  if (namesrv != NULL) namesrvAddr = namesrv;
}

namespace {

const char kNamespaceSeparator[] = "%";
const char kTraceTopic[] = "RMQ_SYS_TRACE_TOPIC";

}  // namespace

// As 2.2.0: the trace topic counts as namespaced, and so does any name containing the namespace.
bool has_namespace(const std::string& source, const std::string& ns) {
  if (source.find(kTraceTopic) != std::string::npos) return true;
  return !ns.empty() && source.find(ns) != std::string::npos;
}

std::string with_namespace(const std::string& source, const std::string& ns) {
  return ns.empty() ? source : ns + kNamespaceSeparator + source;
}

std::string without_namespace(const std::string& source, const std::string& ns) {
  if (ns.empty()) return source;
  std::string::size_type at = source.find(ns);
  if (at == std::string::npos) return source;
  std::string::size_type rest = at + ns.size() + 1;
  return rest < source.size() ? source.substr(rest) : std::string();
}

std::string effective_namespace(const ClientSettings& settings) {
  if (!settings.nameSpace.empty()) return settings.nameSpace;
  const std::string& addr = settings.namesrvAddr;
  std::string::size_type at = addr.find("MQ_INST_");
  if (at == std::string::npos) return "";
  std::string::size_type dot = addr.find('.');
  return dot != std::string::npos && dot > at ? addr.substr(at, dot - at) : std::string();
}

namespace {

// Leaked on purpose: clients with static storage may shut down after static destructors ran.
std::mutex& groups_mutex() {
  static std::mutex* m = new std::mutex;
  return *m;
}

std::set<std::string>& started_groups() {
  static std::set<std::string>* groups = new std::set<std::string>;
  return *groups;
}

}  // namespace

bool claim_group(std::string& claimed, bool consumer, const ClientSettings& settings) {
  if (!claimed.empty()) return false;
  std::string key = (consumer ? "c/" : "p/") + settings.groupName + "@" + settings.instanceName;
  std::lock_guard<std::mutex> lock(groups_mutex());
  if (!started_groups().insert(key).second) {
    throw_client_error(std::string(consumer ? "The cousumer group[" : "The producer group[") + settings.groupName +
                       "] has been created before, specify another name please.");
  }
  claimed = key;
  return true;
}

void release_group(std::string& claimed) {
  if (claimed.empty()) return;
  std::lock_guard<std::mutex> lock(groups_mutex());
  started_groups().erase(claimed);
  claimed.clear();
}

std::string version_text() { return "CPP CORE VERSION: 2.2.0, BUILD TIME: 17:30:34 03-26-2020"; }

}  // namespace rmqcpp
