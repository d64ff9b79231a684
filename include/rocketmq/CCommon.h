/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CCommon.h - shared constants, status codes and enums of the C API.
 */

#ifndef __C_COMMON_H__
#define __C_COMMON_H__

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes of the fixed character buffers inside the public structs. */
#define MAX_MESSAGE_ID_LENGTH 256
#define MAX_TOPIC_LENGTH 512
#define MAX_BROKER_NAME_ID_LENGTH 256
#define MAX_SDK_VERSION_LENGTH 256
/* Returned by Show*Version when no handle is available. */
#define DEFAULT_SDK_VERSION "DefaultVersion"

/*
 * Symbol visibility decoration for Windows DLL builds; empty everywhere
 * else.
 */
#ifdef WIN32
#if defined(ROCKETMQCLIENT_EXPORTS) && defined(_WINDLL)
#define ROCKETMQCLIENT_API __declspec(dllexport)
#elif defined(ROCKETMQCLIENT_IMPORT)
#define ROCKETMQCLIENT_API __declspec(dllimport)
#else
#define ROCKETMQCLIENT_API
#endif
#else
#define ROCKETMQCLIENT_API
#endif

/*
 * Status codes. Every API function returns a plain int; these are the
 * values it carries (0 means success).
 */
typedef enum _CStatus_ {
  OK = 0,
  NULL_POINTER = 1,
  MALLOC_FAILED = 2,
  /* producer failures */
  PRODUCER_ERROR_CODE_START = 10,
  PRODUCER_START_FAILED = 10,
  PRODUCER_SEND_SYNC_FAILED = 11,
  PRODUCER_SEND_ONEWAY_FAILED = 12,
  PRODUCER_SEND_ORDERLY_FAILED = 13,
  PRODUCER_SEND_ASYNC_FAILED = 14,
  PRODUCER_SEND_ORDERLYASYNC_FAILED = 15,
  PRODUCER_SEND_TRANSACTION_FAILED = 16,
  /* push consumer failures */
  PUSHCONSUMER_ERROR_CODE_START = 20,
  PUSHCONSUMER_START_FAILED = 20,
  /* pull consumer failures */
  PULLCONSUMER_ERROR_CODE_START = 30,
  PULLCONSUMER_START_FAILED = 30,
  PULLCONSUMER_FETCH_MQ_FAILED = 31,
  PULLCONSUMER_FETCH_MESSAGE_FAILED = 32,
  /* feature not available */
  Not_Support = 500,
  NOT_SUPPORT_NOW = -1
} CStatus;

/* Severity threshold of the process-wide client log. */
typedef enum _CLogLevel_ {
  E_LOG_LEVEL_FATAL = 1,
  E_LOG_LEVEL_ERROR = 2,
  E_LOG_LEVEL_WARN = 3,
  E_LOG_LEVEL_INFO = 4,
  E_LOG_LEVEL_DEBUG = 5,
  E_LOG_LEVEL_TRACE = 6,
  E_LOG_LEVEL_LEVEL_NUM = 7
} CLogLevel;

/* How a consumer group shares the queues of a topic. */
typedef enum _CMessageModel_ {
  BROADCASTING, /* 0: every consumer receives every message */
  CLUSTERING    /* 1: queues are divided among the group (default) */
} CMessageModel;

/* Message trace switch; note that OPEN (0) turns tracing on. */
typedef enum _CTraceModel_ {
  OPEN, /* 0 */
  CLOSE /* 1 */
} CTraceModel;

#ifdef __cplusplus
}
#endif

#endif /* __C_COMMON_H__ */
