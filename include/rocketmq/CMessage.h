/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CMessage.h - outgoing messages built by the application.
 */

#ifndef __C_MESSAGE_H__
#define __C_MESSAGE_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque message handle owned by the caller (see DestroyMessage). */
typedef struct CMessage CMessage;

/* Allocate a message for `topic`; a NULL topic gives an empty topic. */
ROCKETMQCLIENT_API CMessage* CreateMessage(const char* topic);
/* Free a message created by CreateMessage. */
ROCKETMQCLIENT_API int DestroyMessage(CMessage* msg);

/* Setters; each returns 0, or NULL_POINTER when msg is NULL. */
ROCKETMQCLIENT_API int SetMessageTopic(CMessage* msg, const char* topic);
ROCKETMQCLIENT_API int SetMessageTags(CMessage* msg, const char* tags);
ROCKETMQCLIENT_API int SetMessageKeys(CMessage* msg, const char* keys);
/* Body taken up to the first NUL byte. */
ROCKETMQCLIENT_API int SetMessageBody(CMessage* msg, const char* body);
/* Body of exactly `len` bytes (may contain NUL bytes). */
ROCKETMQCLIENT_API int SetByteMessageBody(CMessage* msg, const char* body, int len);
ROCKETMQCLIENT_API int SetMessageProperty(CMessage* msg, const char* key, const char* value);
ROCKETMQCLIENT_API int SetDelayTimeLevel(CMessage* msg, int level);
/* The message flag, sent to the broker as is (not in 2.2.0). */
ROCKETMQCLIENT_API int SetMessageFlag(CMessage* msg, int flag);

/*
 * Getters; the strings belong to the message and stay valid until the
 * field is changed or the message destroyed. NULL msg gives NULL.
 */
ROCKETMQCLIENT_API const char* GetOriginMessageTopic(CMessage* msg);
ROCKETMQCLIENT_API const char* GetOriginMessageTags(CMessage* msg);
ROCKETMQCLIENT_API const char* GetOriginMessageKeys(CMessage* msg);
ROCKETMQCLIENT_API const char* GetOriginMessageBody(CMessage* msg);
ROCKETMQCLIENT_API const char* GetOriginMessageProperty(CMessage* msg, const char* key);
/* Delay level, 0 when unset, -1 when msg is NULL. */
ROCKETMQCLIENT_API int GetOriginDelayTimeLevel(CMessage* msg);

/* Body length in bytes (not in 2.2.0). */
ROCKETMQCLIENT_API int GetOriginMessageBodyLength(CMessage* msg);

#ifdef __cplusplus
}
#endif

#endif /* __C_MESSAGE_H__ */
