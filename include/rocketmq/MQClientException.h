/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * MQClientException.h - the exceptions the client throws: MQException and its subclasses.
 */

#ifndef __MQCLIENTEXCEPTION_H__
#define __MQCLIENTEXCEPTION_H__

#include <string.h>
#include <exception>
#include <ostream>
#include <sstream>
#include <string>
#include "RocketMQClient.h"

namespace rocketmq {

/* Everything here is inline: a program and the library each have their own copy, and a catch
 * matches by type name. what() reads "msg: <text>,error:<code>,in file <<file>> line:<line>". */
class ROCKETMQCLIENT_API MQException : public std::exception {
 public:
  MQException(const std::string& msg, int error, const char* file, int line) throw()
      : m_error(error), m_line(line), m_file(file) {
    try {
      std::ostringstream text;
      text << "msg: " << msg << ",error:" << error << ",in file <" << file << "> line:" << line;
      m_msg = text.str();
    } catch (...) {
    }
  }
  MQException(const std::string& msg, int error, const char* file, const char* type, int line) throw()
      : m_error(error), m_line(line), m_file(file), m_type(type) {
    try {
      std::ostringstream text;
      text << "msg: " << msg << ",error:" << error << ",in file <" << file << "> line:" << line;
      m_msg = text.str();
    } catch (...) {
    }
  }
  virtual ~MQException() throw() {}

  const char* what() const throw() { return m_msg.c_str(); }
  int GetError() const throw() { return m_error; }
  /* "" for a plain MQException, the class name for the subclasses. */
  virtual const char* GetType() const throw() { return m_type.c_str(); }
  int GetLine() { return m_line; }
  const char* GetFile() { return m_file.c_str(); }

 protected:
  int m_error;
  int m_line;
  std::string m_msg;
  std::string m_file;
  std::string m_type;
};

inline std::ostream& operator<<(std::ostream& os, const MQException& e) {
  os << "Type: " << e.GetType() << " , " << e.what();
  return os;
}

/* A subclass whose GetType() is its own name. */
#define DEFINE_MQCLIENTEXCEPTION(name)                                          \
  class ROCKETMQCLIENT_API name : public MQException {                          \
   public:                                                                      \
    name(const std::string& msg, int error, const char* file, int line) throw() \
        : MQException(msg, error, file, #name, line) {}                         \
    virtual const char* GetType() const throw() { return m_type.c_str(); }      \
  };

DEFINE_MQCLIENTEXCEPTION(MQClientException)
DEFINE_MQCLIENTEXCEPTION(MQBrokerException)
DEFINE_MQCLIENTEXCEPTION(InterruptedException)
DEFINE_MQCLIENTEXCEPTION(RemotingException)
DEFINE_MQCLIENTEXCEPTION(UnknownHostException)

#define THROW_MQEXCEPTION(e, msg, err) throw e(msg, err, __FILE__, __LINE__)
#define NEW_MQEXCEPTION(e, msg, err) e(msg, err, __FILE__, __LINE__)

}  // namespace rocketmq

#endif /* __MQCLIENTEXCEPTION_H__ */
