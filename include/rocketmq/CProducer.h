/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CProducer.h - normal, orderly and transactional producers.
 */

#ifndef __C_PRODUCER_H__
#define __C_PRODUCER_H__

#include "CBatchMessage.h"
#include "CMQException.h"
#include "CMessage.h"
#include "CMessageExt.h"
#include "CMessageQueue.h"
#include "CSendResult.h"
#include "CTransactionStatus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque producer handle (see DestroyProducer). */
typedef struct CProducer CProducer;

/* Pick a queue index in [0, size) for msg; arg is the caller's value. */
typedef int (*QueueSelectorCallback)(int size, CMessage* msg, void* arg);
/* Completion callbacks of SendMessageAsync / SendMessageOrderlyAsync. */
typedef void (*CSendSuccessCallback)(CSendResult result);
typedef void (*CSendExceptionCallback)(CMQException e);
/* Completion callbacks of SendAsync; msg and userData are the caller's. */
typedef void (*COnSendSuccessCallback)(CSendResult result, CMessage* msg, void* userData);
typedef void (*COnSendExceptionCallback)(CMQException e, CMessage* msg, void* userData);
/* Broker check-back of a pending transaction. */
typedef CTransactionStatus (*CLocalTransactionCheckerCallback)(CProducer* producer, CMessageExt* msg, void* data);
/* Runs the local transaction after the half message was stored. */
typedef CTransactionStatus (*CLocalTransactionExecutorCallback)(CProducer* producer, CMessage* msg, void* data);

/* Life cycle. Create* return NULL when groupId is NULL. */
ROCKETMQCLIENT_API CProducer* CreateProducer(const char* groupId);
ROCKETMQCLIENT_API CProducer* CreateOrderlyProducer(const char* groupId);
ROCKETMQCLIENT_API CProducer* CreateTransactionProducer(const char* groupId,
                                                        CLocalTransactionCheckerCallback callback,
                                                        void* userData);
ROCKETMQCLIENT_API int DestroyProducer(CProducer* producer);
ROCKETMQCLIENT_API int StartProducer(CProducer* producer);
ROCKETMQCLIENT_API int ShutdownProducer(CProducer* producer);
ROCKETMQCLIENT_API const char* ShowProducerVersion(CProducer* producer);

/* Configuration; call before StartProducer. */
ROCKETMQCLIENT_API int SetProducerNameServerAddress(CProducer* producer, const char* namesrv);
ROCKETMQCLIENT_API int SetProducerNameServerDomain(CProducer* producer, const char* domain);
ROCKETMQCLIENT_API int SetProducerGroupName(CProducer* producer, const char* groupName);
ROCKETMQCLIENT_API int SetProducerInstanceName(CProducer* producer, const char* instanceName);
ROCKETMQCLIENT_API int SetProducerSessionCredentials(CProducer* producer,
                                                     const char* accessKey,
                                                     const char* secretKey,
                                                     const char* onsChannel);
ROCKETMQCLIENT_API int SetProducerLogPath(CProducer* producer, const char* logPath);
ROCKETMQCLIENT_API int SetProducerLogFileNumAndSize(CProducer* producer, int fileNum, long fileSize);
ROCKETMQCLIENT_API int SetProducerLogLevel(CProducer* producer, CLogLevel level);
/* Timeout per send attempt, in milliseconds. */
ROCKETMQCLIENT_API int SetProducerSendMsgTimeout(CProducer* producer, int timeout);
ROCKETMQCLIENT_API int SetProducerCompressLevel(CProducer* producer, int level);
ROCKETMQCLIENT_API int SetProducerMaxMessageSize(CProducer* producer, int size);
ROCKETMQCLIENT_API int SetProducerMessageTrace(CProducer* consumer, CTraceModel openTrace);
/* Topic of the trace records (not in 2.2.0); default RMQ_SYS_TRACE_TOPIC. */
ROCKETMQCLIENT_API int SetProducerMessageTraceTopic(CProducer* producer, const char* topic);

/* Body size (bytes) from which bodies are compressed (exported but not declared in 2.2.0). */
ROCKETMQCLIENT_API int SetProducerCompressMsgBodyOverHowmuch(CProducer* producer, int howmuch);
/* TLS to the brokers and name servers (not in 2.2.0). */
ROCKETMQCLIENT_API int SetProducerSsl(CProducer* producer, int enableSsl);
ROCKETMQCLIENT_API int SetProducerSslPropertyFile(CProducer* producer, const char* sslPropertyFile);

/* Sending. */
ROCKETMQCLIENT_API int SendMessageSync(CProducer* producer, CMessage* msg, CSendResult* result);
ROCKETMQCLIENT_API int SendBatchMessage(CProducer* producer, CBatchMessage* msg, CSendResult* result);
ROCKETMQCLIENT_API int SendMessageAsync(CProducer* producer,
                                        CMessage* msg,
                                        CSendSuccessCallback cSendSuccessCallback,
                                        CSendExceptionCallback cSendExceptionCallback);
ROCKETMQCLIENT_API int SendAsync(CProducer* producer,
                                 CMessage* msg,
                                 COnSendSuccessCallback cSendSuccessCallback,
                                 COnSendExceptionCallback cSendExceptionCallback,
                                 void* userData);
ROCKETMQCLIENT_API int SendMessageOneway(CProducer* producer, CMessage* msg);
ROCKETMQCLIENT_API int SendMessageOnewayOrderly(CProducer* producer,
                                                CMessage* msg,
                                                QueueSelectorCallback selector,
                                                void* arg);
ROCKETMQCLIENT_API int SendMessageOrderly(CProducer* producer,
                                          CMessage* msg,
                                          QueueSelectorCallback callback,
                                          void* arg,
                                          int autoRetryTimes,
                                          CSendResult* result);
ROCKETMQCLIENT_API int SendMessageOrderlyAsync(CProducer* producer,
                                               CMessage* msg,
                                               QueueSelectorCallback callback,
                                               void* arg,
                                               CSendSuccessCallback cSendSuccessCallback,
                                               CSendExceptionCallback cSendExceptionCallback);
ROCKETMQCLIENT_API int SendMessageOrderlyByShardingKey(CProducer* producer,
                                                       CMessage* msg,
                                                       const char* shardingKey,
                                                       CSendResult* result);
ROCKETMQCLIENT_API int SendMessageTransaction(CProducer* producer,
                                              CMessage* msg,
                                              CLocalTransactionExecutorCallback callback,
                                              void* userData,
                                              CSendResult* result);

/* Cancels a message scheduled with the property __STARTDELIVERTIME (not in 2.2.0): msgId is the
 * id its send returned, startDeliverTime the same epoch milliseconds it was sent with. The same as
 * SendMessageSync of a message to the topic with __CANCEL_SCHEDULED_MSG = msgId and that
 * __STARTDELIVERTIME: the broker's timer delete markers go to every broker of the topic (Apache
 * RocketMQ 5.x; no broker setting needed). Returns 0, or PRODUCER_SEND_SYNC_FAILED with an error
 * text: the time has passed, or the brokers are Apache RocketMQ 4.x, which has no timer messages
 * (the message was delivered at once; nothing is sent). */
ROCKETMQCLIENT_API int CancelScheduledMessage(CProducer* producer,
                                              const char* topic,
                                              const char* msgId,
                                              long long startDeliverTime);

/* ---- Not in 2.2.0: what the rocketmq-client-go/v2 API needs ---- */

/* Attempts of a synchronous send after the first (default 4). */
ROCKETMQCLIENT_API int SetProducerRetryTimes(CProducer* producer, int retryTimes);
/* The writable queues of topic, in the order the library uses them; free the array with
 * ReleaseProducerMessageQueues. The producer must be started. */
ROCKETMQCLIENT_API int FetchProducerMessageQueues(CProducer* producer, const char* topic, CMessageQueue** mqs, int* size);
ROCKETMQCLIENT_API int ReleaseProducerMessageQueues(CMessageQueue* mqs);
/* A synchronous send with the whole result, within timeoutMillis (0 or less: the producer's send
 * timeout). queue NULL: the library picks (round robin, other brokers on retry); otherwise every
 * attempt goes to that queue. */
ROCKETMQCLIENT_API int SendMessageSyncEx(CProducer* producer,
                                         CMessage* msg,
                                         const CMessageQueue* queue,
                                         int timeoutMillis,
                                         CSendResultEx* result);
/* Called exactly once on the library's callback thread: status 0 with result (errorText NULL),
 * or a non-zero status, result NULL and the reason. Both pointers are valid during the call. */
typedef void (*CSendExCallback)(int status, const CSendResultEx* result, const char* errorText, void* userData);
/* An asynchronous send (one attempt, unless SetProducerRetryTimes4Async) to queue (NULL: the
 * library picks). Returns 0 when callback will be called (also for failures found before
 * sending), else an error code and no call. */
ROCKETMQCLIENT_API int SendMessageAsyncEx(CProducer* producer,
                                          CMessage* msg,
                                          const CMessageQueue* queue,
                                          CSendExCallback callback,
                                          void* userData);
ROCKETMQCLIENT_API int SendBatchMessageEx(CProducer* producer, CBatchMessage* msg, CSendResultEx* result);
ROCKETMQCLIENT_API int SendMessageTransactionEx(CProducer* producer,
                                                CMessage* msg,
                                                CLocalTransactionExecutorCallback callback,
                                                void* userData,
                                                CSendResultEx* result);

/* ---- Not in 2.2.0: what the 2.2.0 C++ API needs ---- */

/* SendBatchMessageEx to queue (NULL: the library picks); every attempt goes to that queue. */
ROCKETMQCLIENT_API int SendBatchMessageToQueue(CProducer* producer,
                                               CBatchMessage* msg,
                                               const CMessageQueue* queue,
                                               CSendResultEx* result);
/* What 2.2.0's TransactionMQProducer::checkTransactionState sends once the listener answered:
 * END_TRANSACTION (as from a check) with status for the half message copy at
 * tranStateTableOffset / commitLogOffset on the broker at brokerAddr ("host:port"), with the
 * producer's group. Commit and rollback wait for the broker's answer (an error when it refuses);
 * unknown is sent one-way. A started transaction producer only. */
ROCKETMQCLIENT_API int AnswerTransactionCheck(CProducer* producer,
                                              const char* brokerAddr,
                                              long long tranStateTableOffset,
                                              long long commitLogOffset,
                                              const char* msgId,
                                              const char* transactionId,
                                              CTransactionStatus status);

/* How long opening a connection to a name server or broker may take, in milliseconds (0 or less:
 * the default, 3000, as 2.2.0), from the next start; a synchronous send's connection opens within
 * the shorter of this and the send's deadline. (2.2.0's setTcpTransportConnectTimeout.) */
ROCKETMQCLIENT_API int SetProducerConnectTimeout(CProducer* producer, int timeoutMillis);
/* Attempts of an asynchronous send in all (default 1; clamped to 1..15), every one to the first
 * attempt's broker within the send timeout: another after a failed write, a lost connection or
 * an error answer a synchronous send would retry. (2.2.0's setRetryTimes4Async.) */
ROCKETMQCLIENT_API int SetProducerRetryTimes4Async(CProducer* producer, int retryTimes);

/* ---- Not in 2.2.0: one foreign call per send, for hosts that keep their own messages ---- */

/* SendMessageSync of the message topic, body (bodyLen bytes, NUL bytes kept; NULL when bodyLen is
 * 0) and properties ("name\x01value\x02..." pairs, NULL for none; tags, keys and the delay level
 * are the properties TAGS, KEYS and DELAY), with no CMessage made. result->msgId is the message's
 * UNIQ_KEY. */
ROCKETMQCLIENT_API int SendMessageSyncParts(CProducer* producer,
                                            const char* topic,
                                            const char* body,
                                            int bodyLen,
                                            const char* properties,
                                            CSendResult* result);

#ifdef __cplusplus
}
#endif

#endif /* __C_PRODUCER_H__ */
