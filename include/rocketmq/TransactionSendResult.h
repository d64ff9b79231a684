/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * TransactionSendResult.h - the outcome of a transactional send: a send result plus the local transaction's state.
 */

#ifndef __TRANSACTIONSENDRESULT_H__
#define __TRANSACTIONSENDRESULT_H__

#include "SendResult.h"

namespace rocketmq {

/* Values of CTransactionStatus. */
enum LocalTransactionState { COMMIT_MESSAGE, ROLLBACK_MESSAGE, UNKNOWN };

class ROCKETMQCLIENT_API TransactionSendResult : public SendResult {
 public:
  TransactionSendResult() {}
  TransactionSendResult(const SendStatus& sendStatus,
                        const std::string& msgId,
                        const std::string& offsetMsgId,
                        const MQMessageQueue& messageQueue,
                        int64 queueOffset)
      : SendResult(sendStatus, msgId, offsetMsgId, messageQueue, queueOffset) {}

  LocalTransactionState getLocalTransactionState() { return m_localTransactionState; }
  void setLocalTransactionState(LocalTransactionState localTransactionState) {
    m_localTransactionState = localTransactionState;
  }

 private:
  LocalTransactionState m_localTransactionState;
};

}  // namespace rocketmq

#endif /* __TRANSACTIONSENDRESULT_H__ */
