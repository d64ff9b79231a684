/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CPullConsumer.h - consumers that fetch messages queue by queue.
 */

#ifndef __C_PULL_CONSUMER_H__
#define __C_PULL_CONSUMER_H__

#include "CCommon.h"
#include "CMessageExt.h"
#include "CMessageQueue.h"
#include "CPullResult.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque pull consumer handle (see DestroyPullConsumer). */
typedef struct CPullConsumer CPullConsumer;

/* Life cycle. CreatePullConsumer returns NULL when groupId is NULL. */
ROCKETMQCLIENT_API CPullConsumer* CreatePullConsumer(const char* groupId);
ROCKETMQCLIENT_API int DestroyPullConsumer(CPullConsumer* consumer);
ROCKETMQCLIENT_API int StartPullConsumer(CPullConsumer* consumer);
ROCKETMQCLIENT_API int ShutdownPullConsumer(CPullConsumer* consumer);
ROCKETMQCLIENT_API const char* ShowPullConsumerVersion(CPullConsumer* consumer);

/* Configuration; call before StartPullConsumer. */
ROCKETMQCLIENT_API int SetPullConsumerGroupID(CPullConsumer* consumer, const char* groupId);
ROCKETMQCLIENT_API const char* GetPullConsumerGroupID(CPullConsumer* consumer);
ROCKETMQCLIENT_API int SetPullConsumerNameServerAddress(CPullConsumer* consumer, const char* namesrv);
ROCKETMQCLIENT_API int SetPullConsumerNameServerDomain(CPullConsumer* consumer, const char* domain);
ROCKETMQCLIENT_API int SetPullConsumerSessionCredentials(CPullConsumer* consumer,
                                                         const char* accessKey,
                                                         const char* secretKey,
                                                         const char* channel);
ROCKETMQCLIENT_API int SetPullConsumerLogPath(CPullConsumer* consumer, const char* logPath);
ROCKETMQCLIENT_API int SetPullConsumerLogFileNumAndSize(CPullConsumer* consumer, int fileNum, long fileSize);
ROCKETMQCLIENT_API int SetPullConsumerLogLevel(CPullConsumer* consumer, CLogLevel level);

/* TLS to the brokers and name servers (not in 2.2.0). */
ROCKETMQCLIENT_API int SetPullConsumerSsl(CPullConsumer* consumer, int enableSsl);
ROCKETMQCLIENT_API int SetPullConsumerSslPropertyFile(CPullConsumer* consumer, const char* sslPropertyFile);

/*
 * Readable queues of `topic`: *mqs receives an array of *size entries,
 * to be freed with ReleaseSubscriptionMessageQueue.
 */
ROCKETMQCLIENT_API int FetchSubscriptionMessageQueues(CPullConsumer* consumer,
                                                      const char* topic,
                                                      CMessageQueue** mqs,
                                                      int* size);
ROCKETMQCLIENT_API int ReleaseSubscriptionMessageQueue(CMessageQueue* mqs);

/*
 * Fetch up to maxNums messages of mq from `offset`, keeping those that match
 * subExpression. Release the result with ReleasePullResult.
 */
ROCKETMQCLIENT_API CPullResult Pull(CPullConsumer* consumer,
                                    const CMessageQueue* mq,
                                    const char* subExpression,
                                    long long offset,
                                    int maxNums);
ROCKETMQCLIENT_API int ReleasePullResult(CPullResult pullResult);

/*
 * Not in 2.2.0: what the C++ API's DefaultMQPullConsumer needs.
 * PullBlockIfNotFound: as Pull, but the broker holds the request (up to 15 s) until a message
 * arrives. FetchPullConsumerOffset: the group's offset of mq stored on the broker into *offset
 * (-1: none yet). UpdatePullConsumerOffset: stores offset as the group's offset of mq on the
 * broker. Both return 0, or 32 (PULLCONSUMER_FETCH_MESSAGE_FAILED) with an error text.
 */
ROCKETMQCLIENT_API CPullResult PullBlockIfNotFound(CPullConsumer* consumer,
                                                   const CMessageQueue* mq,
                                                   const char* subExpression,
                                                   long long offset,
                                                   int maxNums);
ROCKETMQCLIENT_API int FetchPullConsumerOffset(CPullConsumer* consumer, const CMessageQueue* mq, long long* offset);
ROCKETMQCLIENT_API int UpdatePullConsumerOffset(CPullConsumer* consumer, const CMessageQueue* mq, long long offset);

#ifdef __cplusplus
}
#endif

#endif /* __C_PULL_CONSUMER_H__ */
