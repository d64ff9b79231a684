/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * SessionCredentials.h - ACL credentials (access key, secret key, channel).
 */

#ifndef __SESSIONCREDENTIALS_H__
#define __SESSIONCREDENTIALS_H__

#include <string>
#include "RocketMQClient.h"

namespace rocketmq {

class SessionCredentials {
 public:
  /* Names of the request fields the signature uses. */
  static const std::string AccessKey;
  static const std::string SecretKey;
  static const std::string Signature;
  static const std::string SignatureMethod;
  static const std::string ONSChannelKey;

  SessionCredentials(std::string input_accessKey, std::string input_secretKey, const std::string& input_authChannel)
      : accessKey(input_accessKey), secretKey(input_secretKey), authChannel(input_authChannel) {}
  SessionCredentials() : authChannel("ALIYUN") {}
  ~SessionCredentials() {}

  std::string getAccessKey() const { return accessKey; }
  void setAccessKey(std::string input_accessKey) { accessKey = input_accessKey; }
  std::string getSecretKey() const { return secretKey; }
  void setSecretKey(std::string input_secretKey) { secretKey = input_secretKey; }
  std::string getSignature() const { return signature; }
  void setSignature(std::string input_signature) { signature = input_signature; }
  std::string getSignatureMethod() const { return signatureMethod; }
  void setSignatureMethod(std::string input_signatureMethod) { signatureMethod = input_signatureMethod; }
  std::string getAuthChannel() const { return authChannel; }
  void setAuthChannel(std::string input_channel) { authChannel = input_channel; }

  /* Usable for signing: access key, secret key and channel all set. */
  bool isValid() const { return !accessKey.empty() && !secretKey.empty() && !authChannel.empty(); }

 private:
  std::string accessKey;
  std::string secretKey;
  std::string signature;
  std::string signatureMethod;
  std::string authChannel;
};

}  // namespace rocketmq

#endif /* __SESSIONCREDENTIALS_H__ */
