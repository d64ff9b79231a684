/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * MQMessageQueue.h - one queue of a topic: topic, broker name, queue id.
 */

#ifndef __MQMESSAGEQUEUE_H__
#define __MQMESSAGEQUEUE_H__

#include <iomanip>
#include <sstream>
#include <string>
#include "RocketMQClient.h"

namespace rocketmq {

class ROCKETMQCLIENT_API MQMessageQueue {
 public:
  /* No topic, no broker, queue id -1. */
  MQMessageQueue();
  MQMessageQueue(const std::string& topic, const std::string& brokerName, int queueId);
  MQMessageQueue(const MQMessageQueue& other);
  MQMessageQueue& operator=(const MQMessageQueue& other);

  std::string getTopic() const;
  void setTopic(const std::string& topic);
  std::string getBrokerName() const;
  void setBrokerName(const std::string& brokerName);
  int getQueueId() const;
  void setQueueId(int queueId);

  bool operator==(const MQMessageQueue& mq) const;
  bool operator<(const MQMessageQueue& mq) const;
  /* Orders by topic, then broker name, then queue id. */
  int compareTo(const MQMessageQueue& mq) const;

  const std::string toString() const {
    std::stringstream text;
    text << "MessageQueue [topic=" << m_topic << ", brokerName=" << m_brokerName << ", queueId=" << m_queueId << "]";
    return text.str();
  }

 private:
  std::string m_topic;
  std::string m_brokerName;
  int m_queueId;
};

}  // namespace rocketmq

#endif /* __MQMESSAGEQUEUE_H__ */
