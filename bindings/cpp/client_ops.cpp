// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: the C setters of each kind of client handle.
#include "client_ops.h"

namespace rmqcpp {

const ClientOps<CProducer>& producer_ops() {
  static const ClientOps<CProducer> ops = {
      SetProducerNameServerAddress, SetProducerNameServerDomain, SetProducerGroupName,
      SetProducerInstanceName,      SetProducerSessionCredentials, SetProducerLogPath,
      SetProducerLogFileNumAndSize, SetProducerLogLevel,         SetProducerSsl,
      SetProducerSslPropertyFile,   SetProducerMessageTrace,       SetProducerConnectTimeout,
  };
  return ops;
}

const ClientOps<CPushConsumer>& push_consumer_ops() {
  static const ClientOps<CPushConsumer> ops = {
      SetPushConsumerNameServerAddress, SetPushConsumerNameServerDomain,   SetPushConsumerGroupID,
      SetPushConsumerInstanceName,      SetPushConsumerSessionCredentials, SetPushConsumerLogPath,
      SetPushConsumerLogFileNumAndSize, SetPushConsumerLogLevel,           SetPushConsumerSsl,
      SetPushConsumerSslPropertyFile,   SetPushConsumerMessageTrace,       SetPushConsumerConnectTimeout,
  };
  return ops;
}

// The C pull consumer has no instance name, no trace switch and no connect timeout (2.2.0's C++
// pull consumer has no setTcpTransportConnectTimeout).
const ClientOps<CPullConsumer>& pull_consumer_ops() {
  static const ClientOps<CPullConsumer> ops = {
      SetPullConsumerNameServerAddress, SetPullConsumerNameServerDomain,   SetPullConsumerGroupID,
      NULL,                             SetPullConsumerSessionCredentials, SetPullConsumerLogPath,
      SetPullConsumerLogFileNumAndSize, SetPullConsumerLogLevel,           SetPullConsumerSsl,
      SetPullConsumerSslPropertyFile,   NULL,                              NULL,
  };
  return ops;
}

}  // namespace rmqcpp
