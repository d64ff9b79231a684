// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: the C++ API of rocketmq-client-cpp 2.2.0 as glue over our C API.
//
// What the four client classes share: C status codes turned into the 2.2.0 exceptions,
// messages and results converted between the C and the C++ types, and the shadow copies of
// settings the C API has no getters for. Everything here is in namespace rmqcpp, which the
// library does not export (only C functions and namespace rocketmq are).
#ifndef ROCKETMQ_CPP_GLUE_H
#define ROCKETMQ_CPP_GLUE_H

#include <climits>
#include <functional>
#include <string>
#include <vector>

#include "c_api.h"
#include "ConsumeType.h"
#include "MQClient.h"
#include "MQClientException.h"
#include "MQMessage.h"
#include "MQMessageExt.h"
#include "MQMessageQueue.h"
#include "SendResult.h"
#include "SessionCredentials.h"

namespace rmqcpp {

// The text of the C API's last failure on this thread.
std::string last_error();

// start(), pull and argument checks throw MQClientException, as 2.2.0 does.
[[noreturn]] void throw_client_error(const std::string& text, int code = -1);
// 2.2.0's sends rethrow a sliced copy: a plain MQException (GetType() is "").
[[noreturn]] void throw_send_error(const std::string& text, int code = -1);
// Throws MQClientException with the C API's text when status is not 0.
void check_client(int status);
// Throws a plain MQException with the C API's text when status is not 0.
void check_send(int status);

// 2.2.0's checks of a message (Validators::checkMessage; its topic pattern check never
// rejected anything), thrown as a send's plain MQException.
void check_message(const rocketmq::MQMessage& msg, int maxMessageSize);
// The namespace prefix on the message's topic, as 2.2.0's sends set it (the program's message
// keeps it).
void add_namespace(rocketmq::MQMessage& msg, const std::string& ns);

// A C message handle that destroys itself.
class CMessageHandle {
 public:
  // A C copy of the program's message: topic, body, flag and every property.
  explicit CMessageHandle(const rocketmq::MQMessage& msg);
  ~CMessageHandle();
  CMessage* get() const { return handle_; }
  // What the send set on the C message (its UNIQ_KEY) back onto the program's message, as
  // 2.2.0 changed the message it was given.
  void copy_back(rocketmq::MQMessage& msg) const;

 private:
  CMessageHandle(const CMessageHandle&);
  CMessageHandle& operator=(const CMessageHandle&);
  CMessage* handle_;
};

// Every field of a received C message, copied into msg.
void read_message(CMessageExt* handle, rocketmq::MQMessageExt& msg);
rocketmq::SendResult send_result_of(const CSendResultEx& result);
CMessageQueue c_queue_of(const rocketmq::MQMessageQueue& mq);
rocketmq::MQMessageQueue queue_of(const CMessageQueue& mq);
// Copies a C array of queues and releases it with release.
std::vector<rocketmq::MQMessageQueue> take_queues(CMessageQueue* queues, int size, int (*release)(CMessageQueue*));

// Settings every client has, with 2.2.0's defaults: what the getters return.
struct ClientSettings {
  explicit ClientSettings(const std::string& group);
  std::string namesrvAddr;
  std::string namesrvDomain;
  std::string nameSpace;
  std::string groupName;
  std::string instanceName;
  std::string unitName;
  std::string sslPropertyFile;
  rocketmq::SessionCredentials credentials;
  rocketmq::elogLevel logLevel;
  bool messageTrace;
  bool enableSsl;
  // 2.2.0's transport tuning: kept for the getters only.
  int tcpTransportPullThreadNum;
  uint64_t tcpTransportConnectTimeout;
  uint64_t tcpTransportTryLockTimeoutSeconds;
};

// 2.2.0's namespaces (NameSpaceUtil): "<namespace>%<name>" for groups and topics.
bool has_namespace(const std::string& source, const std::string& ns);
std::string with_namespace(const std::string& source, const std::string& ns);
std::string without_namespace(const std::string& source, const std::string& ns);
// The namespace a client starts with: the one set, else the "MQ_INST_..." one an Aliyun
// endpoint address carries (up to its first dot), else none.
std::string effective_namespace(const ClientSettings& settings);

// 2.2.0 starts one group, per instance name, once per process among the producers and once
// among the consumers (MQClientException otherwise), until that client shuts down. claimed
// holds the client's entry while it runs: false when it runs already (a second start() does
// nothing in 2.2.0).
bool claim_group(std::string& claimed, bool consumer, const ClientSettings& settings);
void release_group(std::string& claimed);

// The C setters of one kind of client handle (NULL where that kind has none).
template <class Handle>
struct ClientOps {
  int (*setNamesrv)(Handle*, const char*);
  int (*setDomain)(Handle*, const char*);
  int (*setGroup)(Handle*, const char*);
  int (*setInstance)(Handle*, const char*);
  int (*setCredentials)(Handle*, const char*, const char*, const char*);
  int (*setLogPath)(Handle*, const char*);
  int (*setLogFileNumAndSize)(Handle*, int, long);
  int (*setLogLevel)(Handle*, CLogLevel);
  int (*setSsl)(Handle*, int);
  int (*setSslPropertyFile)(Handle*, const char*);
  int (*setTrace)(Handle*, CTraceModel);
  int (*setConnectTimeout)(Handle*, int);
};

// A C client handle with its settings: each setter stores the value and passes it on.
template <class Handle>
class Client {
 public:
  Client(Handle* handle, const ClientOps<Handle>& ops, const std::string& group)
      : handle(handle), settings(group), ops_(ops) {}
  ~Client() { release_group(claimed); }

  Handle* handle;
  ClientSettings settings;
  std::string claimed;

  bool running() const { return !claimed.empty(); }
  // start() of a client: once, claiming its group; the C API's failure as MQClientException.
  // before_start runs once the namespace is known, just before the C start.
  void start(bool consumer, int (*startC)(Handle*), std::function<void()> before_start = std::function<void()>()) {
    if (running()) return;
    apply_namespace();
    apply_unit_name();
    if (!claim_group(claimed, consumer, settings)) return;
    if (before_start) before_start();
    if (startC(handle) != 0) {
      std::string text = last_error();
      release_group(claimed);
      throw_client_error(text);
    }
  }
  void shutdown(int (*shutdownC)(Handle*)) {
    shutdownC(handle);
    release_group(claimed);
  }

  void setNamesrvAddr(const std::string& v) { settings.namesrvAddr = v; ops_.setNamesrv(handle, v.c_str()); }
  void setNamesrvDomain(const std::string& v) { settings.namesrvDomain = v; ops_.setDomain(handle, v.c_str()); }
  void setGroupName(const std::string& v) { settings.groupName = v; ops_.setGroup(handle, v.c_str()); }
  void setInstanceName(const std::string& v) {
    settings.instanceName = v;
    if (ops_.setInstance) ops_.setInstance(handle, v.c_str());
  }
  void setNameSpace(const std::string& v) { settings.nameSpace = v; }
  void setUnitName(const std::string& v) { settings.unitName = v; }
  void setSessionCredentials(const std::string& ak, const std::string& sk, const std::string& channel) {
    settings.credentials = rocketmq::SessionCredentials(ak, sk, channel);
    ops_.setCredentials(handle, ak.c_str(), sk.c_str(), channel.c_str());
  }
  void setLogLevel(rocketmq::elogLevel level) {
    settings.logLevel = level;
    ops_.setLogLevel(handle, static_cast<CLogLevel>(level));
  }
  void setLogPath(const std::string& path) { ops_.setLogPath(handle, path.c_str()); }
  void setLogFileSizeAndNum(int fileNum, long perFileSizeMb) { ops_.setLogFileNumAndSize(handle, fileNum, perFileSizeMb); }
  void setMessageTrace(bool on) {
    settings.messageTrace = on;
    if (ops_.setTrace) ops_.setTrace(handle, on ? OPEN : CLOSE);
  }
  void setEnableSsl(bool on) { settings.enableSsl = on; ops_.setSsl(handle, on ? 1 : 0); }
  void setSslPropertyFile(const std::string& path) {
    settings.sslPropertyFile = path;
    ops_.setSslPropertyFile(handle, path.c_str());
  }
  // 2.2.0's dealWithNameSpace at start: the namespace found is kept, the group gets its prefix.
  void apply_namespace() {
    settings.nameSpace = effective_namespace(settings);
    const std::string& ns = settings.nameSpace;
    if (!ns.empty() && !has_namespace(settings.groupName, ns)) setGroupName(with_namespace(settings.groupName, ns));
  }
  // 2.2.0 asks the name-server domain for "<domain>-<unit name>?nofix=1" (TopAddressing); the
  // getter keeps returning the domain as set.
  void apply_unit_name() {
    if (settings.unitName.empty() || settings.namesrvDomain.empty()) return;
    ops_.setDomain(handle, (settings.namesrvDomain + "-" + settings.unitName + "?nofix=1").c_str());
  }

  void setTcpTransportPullThreadNum(int n) {
    if (n > settings.tcpTransportPullThreadNum) settings.tcpTransportPullThreadNum = n;
  }
  // The C setter takes an int of milliseconds; 0 there (and here) is the default, 3000.
  void setTcpTransportConnectTimeout(uint64_t ms) {
    settings.tcpTransportConnectTimeout = ms;
    if (ops_.setConnectTimeout) ops_.setConnectTimeout(handle, ms > INT_MAX ? INT_MAX : static_cast<int>(ms));
  }
  // 2.2.0 takes milliseconds, at least 1000, and keeps (and returns) seconds.
  void setTcpTransportTryLockTimeout(uint64_t ms) { settings.tcpTransportTryLockTimeoutSeconds = (ms < 1000 ? 1000 : ms) / 1000; }

 private:
  const ClientOps<Handle>& ops_;
};

// The 2.2.0 version text every client's version() returns.
std::string version_text();

}  // namespace rmqcpp

// The settings members of the public classes, forwarded to `impl->client` (each class
// declares its own subset, so they come in groups).
#define RMQCPP_FORWARD_NAMES(Class)                                                                        \
  const std::string& Class::getNamesrvAddr() const { return impl->client.settings.namesrvAddr; }          \
  void Class::setNamesrvAddr(const std::string& v) { impl->client.setNamesrvAddr(v); }                    \
  const std::string& Class::getNamesrvDomain() const { return impl->client.settings.namesrvDomain; }      \
  void Class::setNamesrvDomain(const std::string& v) { impl->client.setNamesrvDomain(v); }                \
  const std::string& Class::getNameSpace() const { return impl->client.settings.nameSpace; }              \
  void Class::setNameSpace(const std::string& v) { impl->client.setNameSpace(v); }                        \
  const std::string& Class::getGroupName() const { return impl->client.settings.groupName; }              \
  void Class::setGroupName(const std::string& v) { impl->client.setGroupName(v); }                        \
  const std::string& Class::getInstanceName() const { return impl->client.settings.instanceName; }        \
  void Class::setInstanceName(const std::string& v) { impl->client.setInstanceName(v); }                  \
  void Class::setSessionCredentials(const std::string& ak, const std::string& sk, const std::string& ch) { \
    impl->client.setSessionCredentials(ak, sk, ch);                                                        \
  }                                                                                                        \
  const SessionCredentials& Class::getSessionCredentials() const { return impl->client.settings.credentials; } \
  void Class::setLogLevel(elogLevel level) { impl->client.setLogLevel(level); }                            \
  elogLevel Class::getLogLevel() { return impl->client.settings.logLevel; }                                \
  void Class::setLogFileSizeAndNum(int fileNum, long perFileSize) { impl->client.setLogFileSizeAndNum(fileNum, perFileSize); }

#define RMQCPP_FORWARD_LOG_PATH(Class) \
  void Class::setLogPath(const std::string& path) { impl->client.setLogPath(path); }

#define RMQCPP_FORWARD_SSL(Class)                                                                          \
  void Class::setEnableSsl(bool on) { impl->client.setEnableSsl(on); }                                     \
  bool Class::getEnableSsl() const { return impl->client.settings.enableSsl; }                             \
  void Class::setSslPropertyFile(const std::string& path) { impl->client.setSslPropertyFile(path); }       \
  const std::string& Class::getSslPropertyFile() const { return impl->client.settings.sslPropertyFile; }

#define RMQCPP_FORWARD_TRACE(Class)                                                  \
  void Class::setMessageTrace(bool on) { impl->client.setMessageTrace(on); }         \
  bool Class::getMessageTrace() const { return impl->client.settings.messageTrace; }

#define RMQCPP_FORWARD_TRANSPORT(Class)                                                                              \
  void Class::setTcpTransportPullThreadNum(int n) { impl->client.setTcpTransportPullThreadNum(n); }                  \
  int Class::getTcpTransportPullThreadNum() const { return impl->client.settings.tcpTransportPullThreadNum; }        \
  void Class::setTcpTransportConnectTimeout(uint64_t ms) { impl->client.setTcpTransportConnectTimeout(ms); }         \
  uint64_t Class::getTcpTransportConnectTimeout() const { return impl->client.settings.tcpTransportConnectTimeout; } \
  void Class::setTcpTransportTryLockTimeout(uint64_t ms) { impl->client.setTcpTransportTryLockTimeout(ms); }         \
  uint64_t Class::getTcpTransportTryLockTimeout() const {                                                            \
    return impl->client.settings.tcpTransportTryLockTimeoutSeconds;                                                  \
  }                                                                                                                  \
  void Class::setUnitName(std::string v) { impl->client.setUnitName(v); }                                            \
  const std::string& Class::getUnitName() const { return impl->client.settings.unitName; }

#endif  // ROCKETMQ_CPP_GLUE_H
