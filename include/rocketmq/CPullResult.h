/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CPullResult.h - result of one pull request (see Pull in CPullConsumer.h).
 */

#ifndef __C_PULL_RESULT_H__
#define __C_PULL_RESULT_H__

#include "CCommon.h"
#include "CMessageExt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum E_CPullStatus {
  E_FOUND,          /* 0: messages returned */
  E_NO_NEW_MSG,     /* 1 */
  E_NO_MATCHED_MSG, /* 2 */
  E_OFFSET_ILLEGAL, /* 3 */
  E_BROKER_TIMEOUT  /* 4: request failed or timed out */
} CPullStatus;

/* 56 bytes, 8-byte aligned on LP64. Release with ReleasePullResult. */
typedef struct _CPullResult_ {
  CPullStatus pullStatus;
  long long nextBeginOffset;
  long long minOffset;
  long long maxOffset;
  CMessageExt** msgFoundList; /* `size` message handles (E_FOUND only) */
  int size;
  void* pData; /* library-private */
} CPullResult;

#ifdef __cplusplus
}
#endif

#endif /* __C_PULL_RESULT_H__ */
