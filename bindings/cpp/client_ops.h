// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: the C setters of each kind of client handle, for rmqcpp::Client.
#ifndef ROCKETMQ_CPP_CLIENT_OPS_H
#define ROCKETMQ_CPP_CLIENT_OPS_H

#include "glue.h"

namespace rmqcpp {

const ClientOps<CProducer>& producer_ops();
const ClientOps<CPushConsumer>& push_consumer_ops();
const ClientOps<CPullConsumer>& pull_consumer_ops();

}  // namespace rmqcpp

#endif  // ROCKETMQ_CPP_CLIENT_OPS_H
