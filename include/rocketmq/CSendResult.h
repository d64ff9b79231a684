/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CSendResult.h - outcome of a successful send.
 */

#ifndef __C_SEND_RESULT_H__
#define __C_SEND_RESULT_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Store status reported by the broker (all of them mean "sent"). */
typedef enum E_CSendStatus_ {
  E_SEND_OK = 0,
  E_SEND_FLUSH_DISK_TIMEOUT = 1,
  E_SEND_FLUSH_SLAVE_TIMEOUT = 2,
  E_SEND_SLAVE_NOT_AVAILABLE = 3
} CSendStatus;

/* 272 bytes, 8-byte aligned on LP64. */
typedef struct _SendResult_ {
  CSendStatus sendStatus;
  char msgId[MAX_MESSAGE_ID_LENGTH]; /* NUL-terminated message id */
  long long offset;                  /* offset within the queue */
} CSendResult;

/* Not in 2.2.0: the whole result of a send (SendMessageSyncEx, SendMessageAsyncEx,
 * SendBatchMessageEx, SendMessageTransactionEx). */
typedef struct _SendResultEx_ {
  CSendStatus sendStatus;
  char msgId[MAX_MESSAGE_ID_LENGTH];          /* client-side id(s) (UNIQ_KEY), comma-joined */
  long long offset;                           /* offset within the queue */
  char offsetMsgId[MAX_MESSAGE_ID_LENGTH];    /* the broker's id(s) of the stored message(s) */
  char transactionId[MAX_MESSAGE_ID_LENGTH];  /* the broker's transaction id, or "" */
  char topic[MAX_TOPIC_LENGTH];               /* the queue the message went to */
  char brokerName[MAX_BROKER_NAME_ID_LENGTH];
  int queueId;
} CSendResultEx;

#ifdef __cplusplus
}
#endif

#endif /* __C_SEND_RESULT_H__ */
