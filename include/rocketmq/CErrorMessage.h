/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust, a Rust implementation of the C API
 * of the RocketMQ C/C++ client 2.2.0 (librocketmq.so). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * CErrorMessage.h - text of the last error seen on the calling thread.
 */

#ifndef __CERROR_MESSAGE_H__
#define __CERROR_MESSAGE_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Description of the most recent failure on this thread. Never NULL ("" if
 * nothing failed yet); the text stays until the next failure on the same
 * thread. Declared with an empty parameter list, as in 2.2.0.
 */
ROCKETMQCLIENT_API const char* GetLatestErrorMessage();

#ifdef __cplusplus
}
#endif

#endif /* __CERROR_MESSAGE_H__ */
