// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: the assertion helper of the C++ API tests (tests/cpp).
//
//   CHECK(cond, what)            counts a pass, or a failure printed as "FAIL file:line: what"
//   CHECK_EQ(actual, expected, what)   the same, printing both values (anything << can print)
//   check_done()                 prints "N passed, M failed" and returns the exit status
//
// Counters are atomic: CHECK may run on the library's callback and consume threads.
#ifndef RMQ_TESTS_CPP_CHECK_H
#define RMQ_TESTS_CPP_CHECK_H

#include <atomic>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>

namespace check {

inline std::atomic<int>& passed() {
  static std::atomic<int> n(0);
  return n;
}

inline std::atomic<int>& failed() {
  static std::atomic<int> n(0);
  return n;
}

inline void record(bool ok, const char* file, int line, const std::string& what) {
  if (ok) {
    ++passed();
    return;
  }
  ++failed();
  static std::mutex output;
  std::lock_guard<std::mutex> lock(output);
  std::cerr << "FAIL " << file << ":" << line << ": " << what << std::endl;
}

template <class A, class E>
void record_eq(const A& actual, const E& expected, const char* file, int line, const std::string& what) {
  bool ok = actual == expected;
  std::ostringstream text;
  if (!ok) text << what << ": got " << actual << ", expected " << expected;
  record(ok, file, line, text.str());
}

inline int done() {
  std::cout << passed().load() << " passed, " << failed().load() << " failed" << std::endl;
  return failed().load() == 0 ? 0 : 1;
}

}  // namespace check

#define CHECK(cond, what) ::check::record((cond), __FILE__, __LINE__, (what))
#define CHECK_EQ(actual, expected, what) ::check::record_eq((actual), (expected), __FILE__, __LINE__, (what))
#define check_done() ::check::done()

#endif  // RMQ_TESTS_CPP_CHECK_H
