/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * DefaultMQPushConsumer.h - the push consumer: subscriptions, a listener, concurrent or orderly consumption.
 */

#ifndef __DEFAULTMQPUSHCONSUMER_H__
#define __DEFAULTMQPUSHCONSUMER_H__

#include <stdint.h>
#include <string>
#include "AsyncCallback.h"
#include "ConsumeType.h"
#include "MQClient.h"
#include "MQMessageListener.h"
#include "MQMessageQueue.h"
#include "SessionCredentials.h"

namespace rocketmq {

class DefaultMQPushConsumerImpl;

class ROCKETMQCLIENT_API DefaultMQPushConsumer {
 public:
  DefaultMQPushConsumer(const std::string& groupname);
  virtual ~DefaultMQPushConsumer();

  /* Throws MQClientException (no listener, a bad group, ...). */
  virtual void start();
  virtual void shutdown();
  virtual std::string version();

  const std::string& getNamesrvAddr() const;
  void setNamesrvAddr(const std::string& namesrvAddr);
  void setSessionCredentials(const std::string& accessKey,
                             const std::string& secretKey,
                             const std::string& accessChannel);
  const SessionCredentials& getSessionCredentials() const;

  void subscribe(const std::string& topic, const std::string& subExpression);
  /* Borrowed until the consumer is shut down; its type (orderly or not) is read at start(). */
  void registerMessageListener(MQMessageListener* pMessageListener);
  MessageListenerType getMessageListenerType();
  MessageModel getMessageModel() const;
  void setMessageModel(MessageModel messageModel);
  void setConsumeFromWhere(ConsumeFromWhere consumeFromWhere);
  ConsumeFromWhere getConsumeFromWhere();

  const std::string& getNamesrvDomain() const;
  void setNamesrvDomain(const std::string& namesrvDomain);
  const std::string& getInstanceName() const;
  void setInstanceName(const std::string& instanceName);
  const std::string& getNameSpace() const;
  void setNameSpace(const std::string& nameSpace);
  const std::string& getGroupName() const;
  void setGroupName(const std::string& groupname);
  void setEnableSsl(bool enableSsl);
  bool getEnableSsl() const;
  void setSslPropertyFile(const std::string& sslPropertyFile);
  const std::string& getSslPropertyFile() const;

  /* The process-wide log: level (INFO by default), path, number and size (MB) of files. */
  void setLogLevel(elogLevel inputLevel);
  elogLevel getLogLevel();
  void setLogPath(const std::string& logPath);
  void setLogFileSizeAndNum(int fileNum, long perFileSize);

  void setConsumeThreadCount(int threadCount);
  int getConsumeThreadCount() const;
  void setMaxReconsumeTimes(int maxReconsumeTimes);
  int getMaxReconsumeTimes() const;
  void setPullMsgThreadPoolCount(int threadCount);
  int getPullMsgThreadPoolCount() const;
  void setConsumeMessageBatchMaxSize(int consumeMessageBatchMaxSize);
  int getConsumeMessageBatchMaxSize() const;
  void setMaxCacheMsgSizePerQueue(int maxCacheSize);
  int getMaxCacheMsgSizePerQueue() const;

  /* Transport tuning of 2.2.0: stored and returned, without effect on this library. */
  void setTcpTransportPullThreadNum(int num);
  int getTcpTransportPullThreadNum() const;
  void setTcpTransportConnectTimeout(uint64_t timeout);
  uint64_t getTcpTransportConnectTimeout() const;
  void setTcpTransportTryLockTimeout(uint64_t timeout);
  uint64_t getTcpTransportTryLockTimeout() const;

  void setUnitName(std::string unitName);
  const std::string& getUnitName() const;
  /* Accepted; pulls are always asynchronous (long polling) here. */
  void setAsyncPull(bool asyncFlag);
  void setMessageTrace(bool messageTrace);
  bool getMessageTrace() const;

 private:
  DefaultMQPushConsumerImpl* impl;
};

}  // namespace rocketmq

#endif /* __DEFAULTMQPUSHCONSUMER_H__ */
