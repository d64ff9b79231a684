/*
 * SPDX-License-Identifier: Apache-2.0
 * Part of librocketmq-rust.
 *
 * Compile-time checks of the C API headers against the 2.2.0 ABI: struct
 * sizes, offsets and alignments, enumerator values and #define constants.
 * Builds as C11 (_Static_assert) and as C++11 (static_assert); nothing to
 * run. The pointer / long long dependent layouts are checked on LP64 only
 * (x86-64 and aarch64 Linux).
 */

#include <stddef.h>

#include "CCommon.h"
#include "CErrorMessage.h"
#include "CMQException.h"
#include "CMessage.h"
#include "CMessageExt.h"
#include "CBatchMessage.h"
#include "CMessageQueue.h"
#include "CSendResult.h"
#include "CPullResult.h"
#include "CTransactionStatus.h"
#include "CProducer.h"
#include "CPushConsumer.h"
#include "CPullConsumer.h"

#ifdef __cplusplus
#define CHECK(cond, what) static_assert(cond, what)
#define ALIGNOF(t) alignof(t)
#else
#define CHECK(cond, what) _Static_assert(cond, what)
#define ALIGNOF(t) _Alignof(t)
#endif

#define EQ(a, b) CHECK((a) == (b), #a " == " #b)

/* ---- #define constants ---- */
EQ(MAX_MESSAGE_ID_LENGTH, 256);
EQ(MAX_TOPIC_LENGTH, 512);
EQ(MAX_BROKER_NAME_ID_LENGTH, 256);
EQ(MAX_SDK_VERSION_LENGTH, 256);
EQ(sizeof(DEFAULT_SDK_VERSION), sizeof("DefaultVersion"));
EQ(MAX_EXEPTION_MSG_LENGTH, 512);
EQ(MAX_EXEPTION_FILE_LENGTH, 256);
EQ(MAX_EXEPTION_TYPE_LENGTH, 128);

/* ---- enums ---- */
EQ(sizeof(CStatus), 4);
EQ(OK, 0);
EQ(NULL_POINTER, 1);
EQ(MALLOC_FAILED, 2);
EQ(PRODUCER_ERROR_CODE_START, 10);
EQ(PRODUCER_START_FAILED, 10);
EQ(PRODUCER_SEND_SYNC_FAILED, 11);
EQ(PRODUCER_SEND_ONEWAY_FAILED, 12);
EQ(PRODUCER_SEND_ORDERLY_FAILED, 13);
EQ(PRODUCER_SEND_ASYNC_FAILED, 14);
EQ(PRODUCER_SEND_ORDERLYASYNC_FAILED, 15);
EQ(PRODUCER_SEND_TRANSACTION_FAILED, 16);
EQ(PUSHCONSUMER_ERROR_CODE_START, 20);
EQ(PUSHCONSUMER_START_FAILED, 20);
EQ(PULLCONSUMER_ERROR_CODE_START, 30);
EQ(PULLCONSUMER_START_FAILED, 30);
EQ(PULLCONSUMER_FETCH_MQ_FAILED, 31);
EQ(PULLCONSUMER_FETCH_MESSAGE_FAILED, 32);
EQ(Not_Support, 500);
EQ(NOT_SUPPORT_NOW, -1);

EQ(sizeof(CLogLevel), 4);
EQ(E_LOG_LEVEL_FATAL, 1);
EQ(E_LOG_LEVEL_ERROR, 2);
EQ(E_LOG_LEVEL_WARN, 3);
EQ(E_LOG_LEVEL_INFO, 4);
EQ(E_LOG_LEVEL_DEBUG, 5);
EQ(E_LOG_LEVEL_TRACE, 6);
EQ(E_LOG_LEVEL_LEVEL_NUM, 7);

EQ(sizeof(CMessageModel), 4);
EQ(BROADCASTING, 0);
EQ(CLUSTERING, 1);

EQ(sizeof(CTraceModel), 4);
EQ(OPEN, 0);
EQ(CLOSE, 1);

EQ(sizeof(CSendStatus), 4);
EQ(E_SEND_OK, 0);
EQ(E_SEND_FLUSH_DISK_TIMEOUT, 1);
EQ(E_SEND_FLUSH_SLAVE_TIMEOUT, 2);
EQ(E_SEND_SLAVE_NOT_AVAILABLE, 3);

EQ(sizeof(CPullStatus), 4);
EQ(E_FOUND, 0);
EQ(E_NO_NEW_MSG, 1);
EQ(E_NO_MATCHED_MSG, 2);
EQ(E_OFFSET_ILLEGAL, 3);
EQ(E_BROKER_TIMEOUT, 4);

EQ(sizeof(CTransactionStatus), 4);
EQ(E_COMMIT_TRANSACTION, 0);
EQ(E_ROLLBACK_TRANSACTION, 1);
EQ(E_UNKNOWN_TRANSACTION, 2);

EQ(sizeof(CConsumeStatus), 4);
EQ(E_CONSUME_SUCCESS, 0);
EQ(E_RECONSUME_LATER, 1);

/* ---- CMQException: 904 bytes, align 4 ---- */
EQ(sizeof(CMQException), 904);
EQ(ALIGNOF(CMQException), 4);
EQ(offsetof(CMQException, error), 0);
EQ(offsetof(CMQException, line), 4);
EQ(offsetof(CMQException, file), 8);
EQ(offsetof(CMQException, msg), 264);
EQ(offsetof(CMQException, type), 776);
EQ(sizeof(((CMQException*)0)->file), 256);
EQ(sizeof(((CMQException*)0)->msg), 512);
EQ(sizeof(((CMQException*)0)->type), 128);

/* ---- CMessageQueue: 772 bytes, align 4 ---- */
EQ(sizeof(CMessageQueue), 772);
EQ(ALIGNOF(CMessageQueue), 4);
EQ(offsetof(CMessageQueue, topic), 0);
EQ(offsetof(CMessageQueue, brokerName), 512);
EQ(offsetof(CMessageQueue, queueId), 768);
EQ(sizeof(((CMessageQueue*)0)->topic), 512);
EQ(sizeof(((CMessageQueue*)0)->brokerName), 256);

#if defined(__LP64__) || defined(_LP64)
/* ---- CSendResult: 272 bytes, align 8 ---- */
EQ(sizeof(CSendResult), 272);
EQ(ALIGNOF(CSendResult), 8);
EQ(offsetof(CSendResult, sendStatus), 0);
EQ(offsetof(CSendResult, msgId), 4);
EQ(offsetof(CSendResult, offset), 264);
EQ(sizeof(((CSendResult*)0)->msgId), 256);
EQ(sizeof(((CSendResult*)0)->offset), 8);

/* ---- CPullResult: 56 bytes, align 8 ---- */
EQ(sizeof(CPullResult), 56);
EQ(ALIGNOF(CPullResult), 8);
EQ(offsetof(CPullResult, pullStatus), 0);
EQ(offsetof(CPullResult, nextBeginOffset), 8);
EQ(offsetof(CPullResult, minOffset), 16);
EQ(offsetof(CPullResult, maxOffset), 24);
EQ(offsetof(CPullResult, msgFoundList), 32);
EQ(offsetof(CPullResult, size), 40);
EQ(offsetof(CPullResult, pData), 48);
#endif

/* ISO C forbids an empty translation unit. */
typedef int layout_checks_done;
