/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * MQueueListener.h - told when a pull consumer's queues change (2.2.0 stores it but never calls it).
 */

#ifndef __MESSAGEQUEUELISTENER_H__
#define __MESSAGEQUEUELISTENER_H__

#include <string>
#include <vector>
#include "MQMessageQueue.h"
#include "RocketMQClient.h"

namespace rocketmq {

class ROCKETMQCLIENT_API MQueueListener {
 public:
  virtual ~MQueueListener() {}
  virtual void messageQueueChanged(const std::string& topic,
                                   std::vector<MQMessageQueue>& mqAll,
                                   std::vector<MQMessageQueue>& mqDivided) = 0;
};

}  // namespace rocketmq

#endif /* __MESSAGEQUEUELISTENER_H__ */
