/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * MQMessage.h - a message to send: topic, body, flag and properties (tags, keys, delay level, ...).
 */

#ifndef __MESSAGE_H__
#define __MESSAGE_H__

#include <map>
#include <sstream>
#include <string>
#include <vector>
#include "RocketMQClient.h"

namespace rocketmq {

class ROCKETMQCLIENT_API MQMessage {
 public:
  /* Every constructor sets WAIT (wait for the store) to "true" unless told otherwise; tags and
   * keys are set only when not empty. */
  MQMessage();
  MQMessage(const std::string& topic, const std::string& body);
  MQMessage(const std::string& topic, const std::string& tags, const std::string& body);
  MQMessage(const std::string& topic, const std::string& tags, const std::string& keys, const std::string& body);
  MQMessage(const std::string& topic,
            const std::string& tags,
            const std::string& keys,
            const int flag,
            const std::string& body,
            bool waitStoreMsgOK);
  virtual ~MQMessage();
  /* Copies all but the transaction id. */
  MQMessage(const MQMessage& other);
  MQMessage& operator=(const MQMessage& other);

  void setProperty(const std::string& name, const std::string& value);
  /* A reference to an empty string when the property is absent. */
  const std::string& getProperty(const std::string& name) const;

  const std::string& getTopic() const;
  void setTopic(const std::string& topic);
  void setTopic(const char* body, int len);

  const std::string& getTags() const;
  void setTags(const std::string& tags);

  const std::string& getKeys() const;
  void setKeys(const std::string& keys);
  /* Joined with KEY_SEPARATOR. */
  void setKeys(const std::vector<std::string>& keys);

  int getDelayTimeLevel() const;
  void setDelayTimeLevel(int level);

  bool isWaitStoreMsgOK() const;
  void setWaitStoreMsgOK(bool waitStoreMsgOK);

  int getFlag() const;
  void setFlag(int flag);

  int getSysFlag() const;
  void setSysFlag(int sysFlag);

  const std::string& getBody() const;
  void setBody(const char* body, int len);
  void setBody(const std::string& body);

  void setTransactionId(const std::string& id) { m_transactionId = id; }
  std::string getTransactionId() const { return m_transactionId; }

  std::map<std::string, std::string> getProperties() const;
  void setProperties(std::map<std::string, std::string>& properties);

  const std::string toString() const {
    std::stringstream text;
    std::string tags = getTags();
    text << "Message [topic=" << m_topic << ", flag=" << m_flag << ", tag=" << tags << "]";
    return text.str();
  }

 protected:
  friend class MQDecoder;
  void setPropertyInternal(const std::string& name, const std::string& value);
  void setPropertiesInternal(std::map<std::string, std::string>& properties);
  void Init(const std::string& topic,
            const std::string& tags,
            const std::string& keys,
            const int flag,
            const std::string& body,
            bool waitStoreMsgOK);

 public:
  /* Property names (the broker's and the Java client's). */
  static const std::string PROPERTY_KEYS;
  static const std::string PROPERTY_TAGS;
  static const std::string PROPERTY_WAIT_STORE_MSG_OK;
  static const std::string PROPERTY_DELAY_TIME_LEVEL;
  static const std::string PROPERTY_RETRY_TOPIC;
  static const std::string PROPERTY_REAL_TOPIC;
  static const std::string PROPERTY_REAL_QUEUE_ID;
  static const std::string PROPERTY_TRANSACTION_PREPARED;
  static const std::string PROPERTY_PRODUCER_GROUP;
  static const std::string PROPERTY_MIN_OFFSET;
  static const std::string PROPERTY_MAX_OFFSET;
  static const std::string PROPERTY_BUYER_ID;
  static const std::string PROPERTY_ORIGIN_MESSAGE_ID;
  static const std::string PROPERTY_TRANSFER_FLAG;
  static const std::string PROPERTY_CORRECTION_FLAG;
  static const std::string PROPERTY_MQ2_FLAG;
  static const std::string PROPERTY_RECONSUME_TIME;
  static const std::string PROPERTY_MSG_REGION;
  static const std::string PROPERTY_TRACE_SWITCH;
  static const std::string PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX;
  static const std::string PROPERTY_MAX_RECONSUME_TIMES;
  static const std::string PROPERTY_CONSUME_START_TIMESTAMP;
  static const std::string PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET;
  static const std::string PROPERTY_TRANSACTION_CHECK_TIMES;
  static const std::string PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS;
  static const std::string KEY_SEPARATOR;

 protected:
  int m_sysFlag;

 private:
  std::string m_topic;
  int m_flag;
  std::string m_body;
  std::string m_transactionId;
  std::map<std::string, std::string> m_properties;
};

}  // namespace rocketmq

#endif /* __MESSAGE_H__ */
