/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CPushConsumer.h - consumers that receive messages through a callback.
 */

#ifndef __C_PUSH_CONSUMER_H__
#define __C_PUSH_CONSUMER_H__

#include "CCommon.h"
#include "CMessageExt.h"
#include "CMessageQueue.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque push consumer handle (see DestroyPushConsumer). */
typedef struct CPushConsumer CPushConsumer;

/* Values a MessageCallBack returns; anything non-zero means "retry later". */
typedef enum E_CConsumeStatus { E_CONSUME_SUCCESS = 0, E_RECONSUME_LATER = 1 } CConsumeStatus;

/* Called once per delivered message with the registering handle. */
typedef int (*MessageCallBack)(CPushConsumer*, CMessageExt*);

/* Life cycle. CreatePushConsumer returns NULL when groupId is NULL. */
ROCKETMQCLIENT_API CPushConsumer* CreatePushConsumer(const char* groupId);
ROCKETMQCLIENT_API int DestroyPushConsumer(CPushConsumer* consumer);
ROCKETMQCLIENT_API int StartPushConsumer(CPushConsumer* consumer);
ROCKETMQCLIENT_API int ShutdownPushConsumer(CPushConsumer* consumer);
ROCKETMQCLIENT_API const char* ShowPushConsumerVersion(CPushConsumer* consumer);

/* Configuration; call before StartPushConsumer. */
ROCKETMQCLIENT_API int SetPushConsumerGroupID(CPushConsumer* consumer, const char* groupId);
ROCKETMQCLIENT_API const char* GetPushConsumerGroupID(CPushConsumer* consumer);
ROCKETMQCLIENT_API int SetPushConsumerNameServerAddress(CPushConsumer* consumer, const char* namesrv);
ROCKETMQCLIENT_API int SetPushConsumerNameServerDomain(CPushConsumer* consumer, const char* domain);
/* expression: "*" for all tags, or "tagA || tagB". */
ROCKETMQCLIENT_API int Subscribe(CPushConsumer* consumer, const char* topic, const char* expression);
/* Subscribe with the expression's type: "TAG" (or "", as Subscribe) or "SQL92" (a condition on
 * message properties, evaluated by the broker, which needs enablePropertyFilter=true). Not in
 * 2.2.0. */
ROCKETMQCLIENT_API int SubscribeWithType(CPushConsumer* consumer,
                                         const char* topic,
                                         const char* expressionType,
                                         const char* expression);
ROCKETMQCLIENT_API int RegisterMessageCallbackOrderly(CPushConsumer* consumer, MessageCallBack pCallback);
ROCKETMQCLIENT_API int RegisterMessageCallback(CPushConsumer* consumer, MessageCallBack pCallback);
ROCKETMQCLIENT_API int UnregisterMessageCallbackOrderly(CPushConsumer* consumer);
ROCKETMQCLIENT_API int UnregisterMessageCallback(CPushConsumer* consumer);
ROCKETMQCLIENT_API int SetPushConsumerThreadCount(CPushConsumer* consumer, int threadCount);
ROCKETMQCLIENT_API int SetPushConsumerMessageBatchMaxSize(CPushConsumer* consumer, int batchSize);
ROCKETMQCLIENT_API int SetPushConsumerInstanceName(CPushConsumer* consumer, const char* instanceName);
ROCKETMQCLIENT_API int SetPushConsumerSessionCredentials(CPushConsumer* consumer,
                                                         const char* accessKey,
                                                         const char* secretKey,
                                                         const char* channel);
ROCKETMQCLIENT_API int SetPushConsumerLogPath(CPushConsumer* consumer, const char* logPath);
ROCKETMQCLIENT_API int SetPushConsumerLogFileNumAndSize(CPushConsumer* consumer, int fileNum, long fileSize);
ROCKETMQCLIENT_API int SetPushConsumerLogLevel(CPushConsumer* consumer, CLogLevel level);
ROCKETMQCLIENT_API int SetPushConsumerMessageModel(CPushConsumer* consumer, CMessageModel messageModel);
ROCKETMQCLIENT_API int SetPushConsumerMaxCacheMessageSize(CPushConsumer* consumer, int maxCacheSize);
ROCKETMQCLIENT_API int SetPushConsumerMaxCacheMessageSizeInMb(CPushConsumer* consumer, int maxCacheSizeInMb);
ROCKETMQCLIENT_API int SetPushConsumerMessageTrace(CPushConsumer* consumer, CTraceModel openTrace);
/* Topic of the trace records (not in 2.2.0); default RMQ_SYS_TRACE_TOPIC. */
ROCKETMQCLIENT_API int SetPushConsumerMessageTraceTopic(CPushConsumer* consumer, const char* topic);

/* TLS to the brokers and name servers (not in 2.2.0). */
ROCKETMQCLIENT_API int SetPushConsumerSsl(CPushConsumer* consumer, int enableSsl);
ROCKETMQCLIENT_API int SetPushConsumerSslPropertyFile(CPushConsumer* consumer, const char* sslPropertyFile);
/* Upper bound of messages consumed per second (not in 2.2.0). */
ROCKETMQCLIENT_API int SetPushConsumerMaxConsumeTps(CPushConsumer* consumer, int maxTps);

/* Not in 2.2.0: a batch (at most SetPushConsumerMessageBatchMaxSize messages) of the queue mq,
 * with the userData given at registration. Return 0 when all are consumed; anything else
 * delivers all of them again later (orderly: after a 1 s pause, in order). The message handles
 * and mq are valid during the call only. */
typedef int (*MessageBatchCallBack)(CPushConsumer* consumer,
                                    const CMessageQueue* mq,
                                    CMessageExt** msgs,
                                    int count,
                                    void* userData);
/* Not in 2.2.0: consume through callback (orderly when orderly != 0); replaces a callback
 * registered before, of either kind. */
ROCKETMQCLIENT_API int RegisterMessageBatchCallback(CPushConsumer* consumer,
                                                    MessageBatchCallBack callback,
                                                    void* userData,
                                                    int orderly);
/* Not in 2.2.0: where a queue with no stored offset of the group starts. timestamp (ms since
 * the epoch) is used with E_CONSUME_FROM_TIMESTAMP only. (E_-prefixed: the plain names are
 * enumerators of the C++ API's rocketmq::ConsumeFromWhere.) */
#define E_CONSUME_FROM_LAST_OFFSET 0
#define E_CONSUME_FROM_FIRST_OFFSET 1
#define E_CONSUME_FROM_TIMESTAMP 2
ROCKETMQCLIENT_API int SetPushConsumerConsumeFromWhere(CPushConsumer* consumer, int consumeFromWhere, long long timestamp);
/* Not in 2.2.0: deliveries of a failing message before it goes to the dead-letter queue
 * (negative: default, 16 concurrently and unlimited orderly). */
ROCKETMQCLIENT_API int SetPushConsumerMaxReconsumeTimes(CPushConsumer* consumer, int maxReconsumeTimes);

/* ---- Not in 2.2.0: what the 2.2.0 C++ API needs ---- */

/* How long opening a connection to a name server or broker may take, in milliseconds (0 or less:
 * the default, 3000, as 2.2.0), from the next start. (2.2.0's setTcpTransportConnectTimeout.) */
ROCKETMQCLIENT_API int SetPushConsumerConnectTimeout(CPushConsumer* consumer, int timeoutMillis);

#ifdef __cplusplus
}
#endif

#endif /* __C_PUSH_CONSUMER_H__ */
