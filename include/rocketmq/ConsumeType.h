/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * ConsumeType.h - consumer enums: consume type, where a new group starts, message model.
 */

#ifndef __CONSUMETYPE_H__
#define __CONSUMETYPE_H__

namespace rocketmq {

enum ConsumeType {
  CONSUME_ACTIVELY,
  CONSUME_PASSIVELY,
};

/* Where a queue without a stored offset of the group starts. */
enum ConsumeFromWhere {
  CONSUME_FROM_LAST_OFFSET,
  CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST,
  CONSUME_FROM_MIN_OFFSET,
  CONSUME_FROM_MAX_OFFSET,
  CONSUME_FROM_FIRST_OFFSET,
  CONSUME_FROM_TIMESTAMP,
};

enum MessageModel {
  BROADCASTING,
  CLUSTERING,
};

}  // namespace rocketmq

#endif /* __CONSUMETYPE_H__ */
