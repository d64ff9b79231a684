/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * PullResult.h - the outcome of a pull: status, offsets and the messages found.
 */

#ifndef __PULLRESULT_H__
#define __PULLRESULT_H__

#include <sstream>
#include "MQMessageExt.h"
#include "RocketMQClient.h"

namespace rocketmq {

/* Values of CPullStatus. */
enum PullStatus {
  FOUND,
  NO_NEW_MSG,
  NO_MATCHED_MSG,
  OFFSET_ILLEGAL,
  BROKER_TIMEOUT /* no answer in time, or a network error */
};

/* Names of the PullStatus values, for toString (one copy per translation unit, as in 2.2.0). */
static const char* EnumStrings[] = {"FOUND", "NO_NEW_MSG", "NO_MATCHED_MSG", "OFFSET_ILLEGAL", "BROKER_TIMEOUT"};

class ROCKETMQCLIENT_API PullResult {
 public:
  PullResult();
  PullResult(PullStatus status);
  PullResult(PullStatus pullStatus, int64 nextBeginOffset, int64 minOffset, int64 maxOffset);
  PullResult(PullStatus pullStatus,
             int64 nextBeginOffset,
             int64 minOffset,
             int64 maxOffset,
             const std::vector<MQMessageExt>& src);
  virtual ~PullResult();

  std::string toString() {
    std::stringstream text;
    text << "PullResult [ pullStatus=" << EnumStrings[pullStatus] << ", nextBeginOffset=" << nextBeginOffset
         << ", minOffset=" << minOffset << ", maxOffset=" << maxOffset << ", msgFoundList=" << msgFoundList.size()
         << " ]";
    return text.str();
  }

 public:
  PullStatus pullStatus;
  int64 nextBeginOffset;
  int64 minOffset;
  int64 maxOffset;
  std::vector<MQMessageExt> msgFoundList;
};

}  // namespace rocketmq

#endif /* __PULLRESULT_H__ */
