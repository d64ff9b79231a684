/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CMQException.h - error record handed (by value) to asynchronous send
 * failure callbacks.
 */

#ifndef __C_MQEXCPTION_H__
#define __C_MQEXCPTION_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Buffer sizes (the spelling "EXEPTION" is part of the API). */
#define MAX_EXEPTION_MSG_LENGTH 512
#define MAX_EXEPTION_FILE_LENGTH 256
#define MAX_EXEPTION_TYPE_LENGTH 128

/* 904 bytes, 4-byte aligned. */
typedef struct _CMQException_ {
  int error;                           /* error code */
  int line;                            /* source line where it was raised */
  char file[MAX_EXEPTION_FILE_LENGTH]; /* source file, NUL-terminated */
  char msg[MAX_EXEPTION_MSG_LENGTH];   /* description, NUL-terminated */
  char type[MAX_EXEPTION_TYPE_LENGTH]; /* exception kind, NUL-terminated */
} CMQException;

#ifdef __cplusplus
}
#endif

#endif /* __C_MQEXCPTION_H__ */
