/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * RocketMQClient.h - export macro and the fixed-width integer names the C++ API uses.
 */

#ifndef __ROCKETMQCLIENT_H__
#define __ROCKETMQCLIENT_H__

#ifndef ROCKETMQCLIENT_API
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
#endif

/* Global names, as in 2.2.0; int64 is `long long` (it is part of mangled names). */
typedef signed char int8;
typedef unsigned char uint8;
typedef signed short int16;
typedef unsigned short uint16;
typedef signed int int32;
typedef unsigned int uint32;
typedef long long int64;
typedef unsigned long long uint64;

#endif /* __ROCKETMQCLIENT_H__ */
