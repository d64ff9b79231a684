/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * MQSelector.h - chooses the queue of a message (orderly sends).
 */

#ifndef _MQSELECTOR_H_
#define _MQSELECTOR_H_

#include "MQMessage.h"
#include "MQMessageQueue.h"
#include "RocketMQClient.h"

namespace rocketmq {

/* Called on the sending thread with the topic's queues; returns one of them. */
class ROCKETMQCLIENT_API MessageQueueSelector {
 public:
  virtual ~MessageQueueSelector() {}
  virtual MQMessageQueue select(const std::vector<MQMessageQueue>& mqs, const MQMessage& msg, void* arg) = 0;
};

}  // namespace rocketmq

#endif /* _MQSELECTOR_H_ */
