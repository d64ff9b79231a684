/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CMessageExt.h - read-only view of messages delivered by the library.
 */

#ifndef __C_MESSAGE_EXT_H__
#define __C_MESSAGE_EXT_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Opaque handle owned by the library: valid during a consume or check
 * callback, or until ReleasePullResult for pulled messages.
 */
typedef struct CMessageExt CMessageExt;

/* String getters; NULL handle gives NULL, a missing field gives "". */
ROCKETMQCLIENT_API const char* GetMessageTopic(CMessageExt* msgExt);
ROCKETMQCLIENT_API const char* GetMessageTags(CMessageExt* msgExt);
ROCKETMQCLIENT_API const char* GetMessageKeys(CMessageExt* msgExt);
ROCKETMQCLIENT_API const char* GetMessageBody(CMessageExt* msgExt);
ROCKETMQCLIENT_API const char* GetMessageProperty(CMessageExt* msgExt, const char* key);
ROCKETMQCLIENT_API const char* GetMessageId(CMessageExt* msgExt);

/* Numeric getters; a NULL handle gives 1. Timestamps are epoch ms. */
ROCKETMQCLIENT_API int GetMessageDelayTimeLevel(CMessageExt* msgExt);
ROCKETMQCLIENT_API int GetMessageQueueId(CMessageExt* msgExt);
ROCKETMQCLIENT_API int GetMessageReconsumeTimes(CMessageExt* msgExt);
ROCKETMQCLIENT_API int GetMessageStoreSize(CMessageExt* msgExt);
ROCKETMQCLIENT_API long long GetMessageBornTimestamp(CMessageExt* msgExt);
ROCKETMQCLIENT_API long long GetMessageStoreTimestamp(CMessageExt* msgExt);
ROCKETMQCLIENT_API long long GetMessageQueueOffset(CMessageExt* msgExt);
ROCKETMQCLIENT_API long long GetMessageCommitLogOffset(CMessageExt* msgExt);
ROCKETMQCLIENT_API long long GetMessagePreparedTransactionOffset(CMessageExt* msgExt);

/* Body length in bytes (not in 2.2.0). */
ROCKETMQCLIENT_API int GetMessageBodyLength(CMessageExt* msgExt);
/* "host:port" of the storing broker (not in 2.2.0). */
ROCKETMQCLIENT_API const char* GetMessageStoreHost(CMessageExt* msgExt);
/* "host:port" of the producing client (not in 2.2.0). */
ROCKETMQCLIENT_API const char* GetMessageBornHost(CMessageExt* msgExt);
/* Every property as key\001value\002 pairs, in key order (not in 2.2.0). */
ROCKETMQCLIENT_API const char* GetMessageProperties(CMessageExt* msgExt);
/* The broker's id of the stored message, "" for a CMessage (not in 2.2.0). */
ROCKETMQCLIENT_API const char* GetMessageOffsetMsgId(CMessageExt* msgExt);

/* Not in 2.2.0: every field of a message in one call (for bindings). Strings are NUL-terminated;
 * body is bodyLength bytes (not terminated, may contain NULs). The pointers stay valid until the
 * handle is destroyed (a consumed message: until the callback returns) or the message changes. */
typedef struct _CMessageExtFields_ {
  const char* topic;
  const char* body;
  int bodyLength;
  const char* properties; /* key\001value\002 pairs, in key order */
  const char* msgId;
  const char* offsetMsgId;
  const char* bornHost;
  const char* storeHost;
  int queueId;
  int storeSize;
  int reconsumeTimes;
  int flag;
  int sysFlag;
  int bodyCRC;
  long long queueOffset;
  long long commitLogOffset;
  long long bornTimestamp;
  long long storeTimestamp;
  long long preparedTransactionOffset;
} CMessageExtFields;
/* Fills fields; 0, or NULL_POINTER (1) for a NULL argument. */
ROCKETMQCLIENT_API int GetMessageExtFields(CMessageExt* msgExt, CMessageExtFields* fields);

#ifdef __cplusplus
}
#endif

#endif /* __C_MESSAGE_EXT_H__ */
