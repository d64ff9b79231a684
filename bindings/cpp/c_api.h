// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: the C API, as the C++ glue includes it.
#ifndef ROCKETMQ_CPP_C_API_H
#define ROCKETMQ_CPP_C_API_H

#include "CBatchMessage.h"
#include "CErrorMessage.h"
#include "CMessage.h"
#include "CMessageExt.h"
#include "CMessageQueue.h"
#include "CProducer.h"
#include "CPullConsumer.h"
#include "CPushConsumer.h"
#include "CSendResult.h"

// CPushConsumer.h's values for SetPushConsumerConsumeFromWhere are macros named like the
// enumerators of rocketmq::ConsumeFromWhere; the glue uses the enumerators.
#undef CONSUME_FROM_LAST_OFFSET
#undef CONSUME_FROM_FIRST_OFFSET
#undef CONSUME_FROM_TIMESTAMP

#endif  // ROCKETMQ_CPP_C_API_H
