/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * MQMessageListener.h - what a push consumer calls with the messages it receives.
 */

#ifndef __MESSAGELISTENER_H__
#define __MESSAGELISTENER_H__

#include <limits.h>
#include "MQMessageExt.h"
#include "MQMessageQueue.h"

namespace rocketmq {

/* Values of CConsumeStatus. */
enum ConsumeStatus {
  CONSUME_SUCCESS,
  RECONSUME_LATER
};

enum MessageListenerType { messageListenerDefaultly = 0, messageListenerOrderly = 1, messageListenerConcurrently = 2 };

/* Called on the consumer's threads; borrowed by the consumer, never deleted. */
class ROCKETMQCLIENT_API MQMessageListener {
 public:
  virtual ~MQMessageListener() {}
  virtual ConsumeStatus consumeMessage(const std::vector<MQMessageExt>& msgs) = 0;
  virtual MessageListenerType getMessageListenerType() { return messageListenerDefaultly; }
};

/* One queue at a time, in queue order. */
class ROCKETMQCLIENT_API MessageListenerOrderly : public MQMessageListener {
 public:
  virtual ~MessageListenerOrderly() {}
  virtual ConsumeStatus consumeMessage(const std::vector<MQMessageExt>& msgs) = 0;
  virtual MessageListenerType getMessageListenerType() { return messageListenerOrderly; }
};

class ROCKETMQCLIENT_API MessageListenerConcurrently : public MQMessageListener {
 public:
  virtual ~MessageListenerConcurrently() {}
  virtual ConsumeStatus consumeMessage(const std::vector<MQMessageExt>& msgs) = 0;
  virtual MessageListenerType getMessageListenerType() { return messageListenerConcurrently; }
};

}  // namespace rocketmq

#endif /* __MESSAGELISTENER_H__ */
