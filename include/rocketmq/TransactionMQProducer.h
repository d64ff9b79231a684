/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * TransactionMQProducer.h - the transactional producer: half message, local transaction, commit or rollback.
 */

#ifndef __TRANSACTIONMQPRODUCER_H__
#define __TRANSACTIONMQPRODUCER_H__

#include <stdint.h>
#include <memory>
#include <string>
#include "MQClient.h"
#include "MQMessage.h"
#include "MQMessageExt.h"
#include "SessionCredentials.h"
#include "TransactionListener.h"
#include "TransactionSendResult.h"

namespace rocketmq {

class TransactionMQProducerImpl;

/* Only the destructor is virtual. */
class ROCKETMQCLIENT_API TransactionMQProducer {
 public:
  TransactionMQProducer(const std::string& producerGroup);
  virtual ~TransactionMQProducer();

  void start();
  void shutdown();
  std::string version();

  const std::string& getNamesrvAddr() const;
  void setNamesrvAddr(const std::string& namesrvAddr);
  const std::string& getNamesrvDomain() const;
  void setNamesrvDomain(const std::string& namesrvDomain);
  const std::string& getInstanceName() const;
  void setInstanceName(const std::string& instanceName);
  const std::string& getNameSpace() const;
  void setNameSpace(const std::string& nameSpace);
  const std::string& getGroupName() const;
  void setGroupName(const std::string& groupname);
  void setSessionCredentials(const std::string& accessKey,
                             const std::string& secretKey,
                             const std::string& accessChannel);
  const SessionCredentials& getSessionCredentials() const;
  void setUnitName(std::string unitName);
  const std::string& getUnitName() const;

  int getSendMsgTimeout() const;
  void setSendMsgTimeout(int sendMsgTimeout);
  /* Transport tuning of 2.2.0: stored and returned, without effect on this library. */
  void setTcpTransportPullThreadNum(int num);
  int getTcpTransportPullThreadNum() const;
  void setTcpTransportConnectTimeout(uint64_t timeout);
  uint64_t getTcpTransportConnectTimeout() const;
  void setTcpTransportTryLockTimeout(uint64_t timeout);
  uint64_t getTcpTransportTryLockTimeout() const;
  int getCompressMsgBodyOverHowmuch() const;
  void setCompressMsgBodyOverHowmuch(int compressMsgBodyOverHowmuch);
  int getCompressLevel() const;
  void setCompressLevel(int compressLevel);
  int getMaxMessageSize() const;
  void setMaxMessageSize(int maxMessageSize);

  void setLogLevel(elogLevel inputLevel);
  elogLevel getLogLevel();
  void setLogFileSizeAndNum(int fileNum, long perFileSize);
  void setMessageTrace(bool messageTrace);
  bool getMessageTrace() const;

  std::shared_ptr<TransactionListener> getTransactionListener();
  /* Takes ownership of listener. */
  void setTransactionListener(TransactionListener* listener);
  /* Throws MQClientException without a listener or when the half message is not stored. */
  TransactionSendResult sendMessageInTransaction(MQMessage& msg, void* arg);
  /* Internal to 2.2.0's client; the broker's checks reach checkLocalTransaction without it. */
  void checkTransactionState(const std::string& addr,
                             const MQMessageExt& message,
                             long tranStateTableOffset,
                             long commitLogOffset,
                             const std::string& msgId,
                             const std::string& transactionId,
                             const std::string& offsetMsgId);

 private:
  TransactionMQProducerImpl* impl;
};

}  // namespace rocketmq

#endif /* __TRANSACTIONMQPRODUCER_H__ */
