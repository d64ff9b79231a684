/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CBatchMessage.h - lists of messages sent in a single request.
 */

#ifndef __C_BATCHMESSAGE_H__
#define __C_BATCHMESSAGE_H__

#include "CCommon.h"
#include "CMessage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque, caller-owned list of message copies. */
typedef struct CBatchMessage CBatchMessage;

/* New empty batch. Declared with an empty parameter list, as in 2.2.0. */
ROCKETMQCLIENT_API CBatchMessage* CreateBatchMessage();
/* Append a copy of msg; the caller keeps ownership of msg. */
ROCKETMQCLIENT_API int AddMessage(CBatchMessage* batchMsg, CMessage* msg);
/* Free the batch and the copies it holds. */
ROCKETMQCLIENT_API int DestroyBatchMessage(CBatchMessage* batchMsg);

#ifdef __cplusplus
}
#endif

#endif /* __C_BATCHMESSAGE_H__ */
