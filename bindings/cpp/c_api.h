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

#endif  // ROCKETMQ_CPP_C_API_H
