/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * TransactionListener.h - the program's side of a transaction: run it locally, answer the broker's check.
 */

#ifndef __TRANSACTIONLISTENER_H__
#define __TRANSACTIONLISTENER_H__

#include "MQMessage.h"
#include "MQMessageExt.h"
#include "TransactionSendResult.h"

namespace rocketmq {

/* Owned by the producer once set (deleted with it or when replaced). */
class ROCKETMQCLIENT_API TransactionListener {
 public:
  virtual ~TransactionListener() {}
  /* Runs on the sending thread after the half message is stored. */
  virtual LocalTransactionState executeLocalTransaction(const MQMessage& msg, void* arg) = 0;
  /* Runs on a library thread when the broker asks about an unresolved transaction. */
  virtual LocalTransactionState checkLocalTransaction(const MQMessageExt& msg) = 0;
};

}  // namespace rocketmq

#endif /* __TRANSACTIONLISTENER_H__ */
