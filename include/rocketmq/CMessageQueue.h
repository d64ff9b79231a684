/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CMessageQueue.h - identity of one queue of a topic.
 */

#ifndef __C_MESSAGE_QUEUE_H__
#define __C_MESSAGE_QUEUE_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 772 bytes, 4-byte aligned. */
typedef struct _CMessageQueue_ {
  char topic[MAX_TOPIC_LENGTH];
  char brokerName[MAX_BROKER_NAME_ID_LENGTH];
  int queueId;
} CMessageQueue;

#ifdef __cplusplus
}
#endif

#endif /* __C_MESSAGE_QUEUE_H__ */
