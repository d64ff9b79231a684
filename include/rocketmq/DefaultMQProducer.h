/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * DefaultMQProducer.h - the producer: sync, async, oneway, orderly (selector) and batch sends.
 */

#ifndef __DEFAULTMQPRODUCER_H__
#define __DEFAULTMQPRODUCER_H__

#include <stdint.h>
#include "AsyncCallback.h"
#include "MQClient.h"
#include "MQMessageQueue.h"
#include "MQSelector.h"
#include "RocketMQClient.h"
#include "SendResult.h"
#include "SessionCredentials.h"

namespace rocketmq {

class DefaultMQProducerImpl;

/* Failed sends throw MQException (after start(), not MQClientException); start() throws
 * MQClientException. The order of the virtual functions is part of the ABI. */
class ROCKETMQCLIENT_API DefaultMQProducer {
 public:
  DefaultMQProducer(const std::string& groupname);
  virtual ~DefaultMQProducer();

  virtual void start();
  virtual void shutdown();
  virtual std::string version();

  /* Synchronous sends; bSelectActiveBroker / bActiveBroker are accepted and ignored. */
  virtual SendResult send(MQMessage& msg, bool bSelectActiveBroker = false);
  virtual SendResult send(MQMessage& msg, const MQMessageQueue& mq);
  virtual SendResult send(MQMessage& msg, MessageQueueSelector* selector, void* arg);
  virtual SendResult send(MQMessage& msg,
                          MessageQueueSelector* selector,
                          void* arg,
                          int autoRetryTimes,
                          bool bActiveBroker = false);
  virtual SendResult send(std::vector<MQMessage>& msgs);
  virtual SendResult send(std::vector<MQMessage>& msgs, const MQMessageQueue& mq);

  /* Asynchronous sends: the callback runs on a library thread. */
  virtual void send(MQMessage& msg, SendCallback* pSendCallback, bool bSelectActiveBroker = false);
  virtual void send(MQMessage& msg, const MQMessageQueue& mq, SendCallback* pSendCallback);
  virtual void send(MQMessage& msg, MessageQueueSelector* selector, void* arg, SendCallback* pSendCallback);

  virtual void sendOneway(MQMessage& msg, bool bSelectActiveBroker = false);
  virtual void sendOneway(MQMessage& msg, const MQMessageQueue& mq);
  virtual void sendOneway(MQMessage& msg, MessageQueueSelector* selector, void* arg);

  const std::string& getNamesrvAddr() const;
  void setNamesrvAddr(const std::string& namesrvAddr);
  void setSessionCredentials(const std::string& accessKey,
                             const std::string& secretKey,
                             const std::string& accessChannel);
  const SessionCredentials& getSessionCredentials() const;
  const std::string& getNamesrvDomain() const;
  void setNamesrvDomain(const std::string& namesrvDomain);
  const std::string& getNameSpace() const;
  void setNameSpace(const std::string& nameSpace);
  const std::string& getGroupName() const;
  void setGroupName(const std::string& groupname);
  const std::string& getInstanceName() const;
  void setInstanceName(const std::string& instanceName);

  /* The process-wide log: level (INFO by default), path, number and size (MB) of files. */
  void setLogLevel(elogLevel inputLevel);
  elogLevel getLogLevel();
  void setLogPath(const std::string& logPath);
  void setLogFileSizeAndNum(int fileNum, long perFileSize);

  int getSendMsgTimeout() const;
  void setSendMsgTimeout(int sendMsgTimeout);
  /* Bodies of at least this many bytes are sent compressed, at compressLevel. */
  int getCompressMsgBodyOverHowmuch() const;
  void setCompressMsgBodyOverHowmuch(int compressMsgBodyOverHowmuch);
  int getCompressLevel() const;
  void setCompressLevel(int compressLevel);
  int getMaxMessageSize() const;
  void setMaxMessageSize(int maxMessageSize);
  int getRetryTimes() const;
  void setRetryTimes(int times);
  int getRetryTimes4Async() const;
  void setRetryTimes4Async(int times);

  /* Transport tuning of 2.2.0: stored and returned, without effect on this library. */
  void setTcpTransportPullThreadNum(int num);
  int getTcpTransportPullThreadNum() const;
  void setTcpTransportConnectTimeout(uint64_t timeout);
  uint64_t getTcpTransportConnectTimeout() const;
  void setTcpTransportTryLockTimeout(uint64_t timeout);
  uint64_t getTcpTransportTryLockTimeout() const;

  void setUnitName(std::string unitName);
  const std::string& getUnitName() const;
  void setMessageTrace(bool messageTrace);
  bool getMessageTrace() const;
  void setEnableSsl(bool enableSsl);
  bool getEnableSsl() const;
  void setSslPropertyFile(const std::string& sslPropertyFile);
  const std::string& getSslPropertyFile() const;

 private:
  DefaultMQProducerImpl* impl;
};

}  // namespace rocketmq

#endif /* __DEFAULTMQPRODUCER_H__ */
