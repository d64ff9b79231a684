// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: the 2.2.0 C++ API against brokers with ACL on, or TLS only
// (scripts/brokers.sh, RMQ_PROFILE=acl and tls).
//   test_secure acl NAMESRV TOPIC ACCESS_KEY SECRET_KEY
//       setSessionCredentials on a producer, a push and a pull consumer: a sync send is read back
//       by both; a wrong secret: the send throws
//   test_secure tls NAMESRV TOPIC CA WRONG_CA
//       setEnableSsl + setSslPropertyFile (2.2.0's key tls.client.trustCertPath) on a producer, a
//       push and a pull consumer: a sync send is read back by both; the server's certificate is
//       verified by default (the wrong CA: the send throws); without setEnableSsl the send throws
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

using namespace rocketmq;

namespace {

// How each client is secured: credentials, or TLS with a property file.
struct Secure {
  std::string accessKey, secretKey;
  bool ssl;
  std::string propertyFile;
  template <class Client>
  void apply(Client& client) const {
    client.setNamesrvAddr(args::namesrv());
    if (!accessKey.empty()) client.setSessionCredentials(accessKey, secretKey, "");
    if (ssl) {
      client.setEnableSsl(true);
      client.setSslPropertyFile(propertyFile);
    }
  }
};

// A producer sends; a pull and a push consumer set up the same way read it back.
void round_trip(const Secure& how, const std::string& what) {
  const std::string& topic = args::topic();
  std::string tag = unique("secure");
  Concurrent listener;
  DefaultMQPushConsumer push(unique("cpp_secure_push"));
  how.apply(push);
  push.setConsumeFromWhere(CONSUME_FROM_FIRST_OFFSET);
  push.subscribe(topic, tag);
  push.registerMessageListener(&listener);
  push.start();
  DefaultMQPullConsumer pull(unique("cpp_secure_pull"));
  how.apply(pull);
  pull.start();
  DefaultMQProducer producer(unique("cpp_secure_p"));
  how.apply(producer);
  producer.setSendMsgTimeout(10000);
  producer.start();
  if (how.ssl) {
    CHECK(producer.getEnableSsl(), what + ": getEnableSsl");
    CHECK_EQ(producer.getSslPropertyFile(), how.propertyFile, what + ": getSslPropertyFile");
  }
  MQMessage msg(topic, tag, what + " body");
  SendResult sent = producer.send(msg);
  CHECK_EQ(sent.getSendStatus(), SEND_OK, what + ": sync send");
  PullResult r = pull.pull(sent.getMessageQueue(), tag, sent.getQueueOffset(), 1);
  CHECK_EQ(r.pullStatus, FOUND, what + ": pull consumer reads it back");
  if (!r.msgFoundList.empty()) CHECK_EQ(r.msgFoundList[0].getMsgId(), sent.getMsgId(), what + ": pulled id");
  Collector& c = listener.c;
  CHECK(wait_for(c.m, c.cv, 60, [&] { return c.has(what + " body"); }), what + ": push consumer receives it");
  producer.shutdown();
  pull.shutdown();
  push.shutdown();
}

// A producer set up so that the broker or the handshake refuses it: start() or send() throws.
void refused(const Secure& how, const std::string& what) {
  DefaultMQProducer producer(unique("cpp_refused"));
  how.apply(producer);
  producer.setSendMsgTimeout(5000);
  producer.setRetryTimes(1);
  std::string error;
  try {
    producer.start();
    MQMessage msg(args::topic(), "refused body");
    producer.send(msg);
  } catch (MQException& e) {
    error = e.what();
  }
  CHECK(!error.empty(), what + ": refused");
  std::cout << what << ": " << error << std::endl;
  producer.shutdown();
}

std::string write_properties(const std::string& name, const std::string& text) {
  std::string path = "/tmp/" + unique("rmq_cpp_" + name) + ".properties";
  FILE* f = fopen(path.c_str(), "w");
  if (f == NULL) return path;
  fputs(text.c_str(), f);
  fclose(f);
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: " << argv[0] << " acl NAMESRV TOPIC ACCESS_KEY SECRET_KEY | tls NAMESRV TOPIC CA WRONG_CA" << std::endl;
    return 2;
  }
  std::string mode = argv[1];
  args::init(argv[2], argv[3]);
  std::vector<std::string> files;
  try {
    if (mode == "acl") {
      Secure right = {argv[4], argv[5], false, ""};
      round_trip(right, "ACL");
      Secure wrong = {argv[4], std::string(argv[5]) + "_wrong", false, ""};
      refused(wrong, "ACL with a wrong secret key");
    } else {
      files.push_back(write_properties("tls", std::string("tls.client.trustCertPath=") + argv[4] + "\n"));
      files.push_back(write_properties("tls_wrong", std::string("tls.client.trustCertPath=") + argv[5] + "\n"));
      Secure right = {"", "", true, files[0]};
      round_trip(right, "TLS");
      Secure wrong = {"", "", true, files[1]};
      refused(wrong, "TLS with an unrelated CA (verified by default)");
      Secure plain = {"", "", false, ""};
      refused(plain, "no TLS against a TLS-only broker");
    }
  } catch (MQException& e) {
    CHECK(false, std::string("unexpected exception: ") + e.what());
  }
  for (size_t i = 0; i < files.size(); ++i) remove(files[i].c_str());
  return check_done();
}
