/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * This file is part of librocketmq-rust: the C++ API of the RocketMQ C/C++
 * client 2.2.0, binary compatible with it (class layouts, virtual function
 * order and exported symbols are part of the contract). Licensed under the
 * Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * Arg_helper.h - a small command-line option reader.
 */

#ifndef _ARG_HELPER_H_
#define _ARG_HELPER_H_

#include <string>
#include <vector>
#include "RocketMQClient.h"

namespace rocketmq {

class ROCKETMQCLIENT_API Arg_helper {
 public:
  /* Keeps every argument, argv[0] included. */
  Arg_helper(int argc, char* argv[]);
  /* Splits the text on spaces. */
  Arg_helper(std::string arg_str_);
  /* The argument at idx_, or "" past the end. */
  std::string get_option(int idx_) const;
  bool is_enable_option(std::string opt_) const;
  /* The argument after the first one equal to opt_, or "". */
  std::string get_option_value(std::string opt_) const;

 private:
  std::vector<std::string> m_args;
};

}  // namespace rocketmq

#endif /* _ARG_HELPER_H_ */
